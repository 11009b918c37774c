use serde_json::json;

use crm_tests::TestApp;

#[tokio::test]
async fn admins_define_custom_roles_that_take_effect() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let role = app
        .post(
            "/api/v1/roles",
            &admin,
            json!({ "key": "auditor", "name": "Auditor", "permissions": { "customers": { "read": "all" }, "audit": { "read": "all" } } }),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(role["builtin"], false);
    assert_eq!(role["permissions"]["customers"]["update"], "none");
    let (_, auditor) = app.user("auditor@example.com", "auditor", &[]).await;
    app.get("/api/v1/customers", &auditor).await.expect(200);
    app.get("/api/v1/audit", &auditor).await.expect(200);
    app.post("/api/v1/customers", &auditor, json!({ "kind": "company", "name": "x" })).await.problem(403);
    let path = format!("/api/v1/roles/{}", role["id"].as_str().unwrap());
    app.patch(&path, &admin, json!({ "permissions": { "customers": { "read": "all", "create": "all" } } }), Some("\"1\""))
        .await
        .expect(200);
    app.post("/api/v1/customers", &auditor, json!({ "kind": "company", "name": "x" })).await.expect(201);
    app.delete(&path, &admin).await.problem(409);
    app.post("/api/v1/roles", &admin, json!({ "key": "auditor", "name": "Again", "permissions": {} })).await.problem(409);
    app.post("/api/v1/roles", &admin, json!({ "key": "Bad Key", "name": "x", "permissions": { "planets": {} } })).await.problem(422);
}

#[tokio::test]
async fn built_in_roles_cannot_be_changed_or_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let sales = app.role_id("sales").await;
    app.patch(&format!("/api/v1/roles/{sales}"), &admin, json!({ "name": "x" }), None).await.problem(409);
    app.delete(&format!("/api/v1/roles/{sales}"), &admin).await.problem(409);
}

#[tokio::test]
async fn teams_nest_without_cycles_and_are_deleted_only_when_unused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let parent = app.create_team("华东", None).await;
    let child = app.create_team("上海", Some(&parent)).await;
    let fields = app.patch(&format!("/api/v1/teams/{parent}"), &admin, json!({ "parent_id": child }), None).await.invalid_fields();
    assert_eq!(fields, ["parent_id"]);
    app.post("/api/v1/teams", &admin, json!({ "name": "华东" })).await.problem(409);
    app.delete(&format!("/api/v1/teams/{parent}"), &admin).await.problem(409);
    app.user("member@example.com", "sales", &[&child]).await;
    app.delete(&format!("/api/v1/teams/{child}"), &admin).await.problem(409);
    let lonely = app.create_team("空", None).await;
    app.delete(&format!("/api/v1/teams/{lonely}"), &admin).await.expect(204);
    let listed = app.get(&format!("/api/v1/teams?parent_id={parent}"), &admin).await.expect(200).body;
    assert_eq!(listed["data"][0]["id"], child);
}

#[tokio::test]
async fn users_are_validated_and_admins_cannot_lock_themselves_out() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let viewer = app.role_id("viewer").await;
    let mut fields = app
        .post("/api/v1/users", &admin, json!({ "email": "bad", "display_name": "", "password": "short", "role_id": viewer }))
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["display_name", "email", "password"]);
    app.user("dup@example.com", "viewer", &[]).await;
    app.post(
        "/api/v1/users",
        &admin,
        json!({ "email": "DUP@example.com", "display_name": "x", "password": "long-enough-1", "role_id": viewer }),
    )
    .await
    .problem(409);
    let me = app.get("/api/v1/auth/me", &admin).await.body["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/users/{me}"), &admin, json!({ "active": false }), None).await.problem(409);
    let list = app.get(&format!("/api/v1/users?role_id={viewer}&include_total=true"), &admin).await.expect(200).body;
    assert_eq!(list["total"], 1);
    let audit = app.get("/api/v1/audit?entity_type=user", &admin).await.expect(200).body;
    assert!(audit["data"].as_array().unwrap().len() >= 2);
}
