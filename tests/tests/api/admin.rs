use serde_json::{Value, json};

use crm_tests::TestApp;

use crate::sales::{default_pipeline, opportunity};

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

#[tokio::test]
async fn renamed_owners_and_teams_show_at_once_in_records_lists_and_boards() {
    // Names are cached between requests; a rename must still show on the very next read.
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let team = app.create_team("华南一组", None).await;
    let (seller, token) = app.user("li.lei@example.com", "sales", &[&team]).await;
    let customer = app.customer(&token, json!({ "kind": "company", "name": "深圳前海贸易有限公司" })).await;
    let path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());
    let read = app.get(&path, &token).await.expect(200).body;
    assert_eq!((read["owner_name"].as_str(), read["team_name"].as_str()), (Some("li.lei"), Some("华南一组")));
    let listed = app.get("/api/v1/customers?limit=10", &token).await.expect(200).body;
    assert_eq!(listed["data"][0]["owner_name"], "li.lei");

    app.patch(&format!("/api/v1/users/{seller}"), &admin, json!({ "display_name": "李雷" }), None).await.expect(200);
    app.patch(&format!("/api/v1/teams/{team}"), &admin, json!({ "name": "华南大客户组" }), None).await.expect(200);
    let read = app.get(&path, &token).await.expect(200).body;
    assert_eq!((read["owner_name"].as_str(), read["team_name"].as_str()), (Some("李雷"), Some("华南大客户组")));
    let listed = app.get("/api/v1/customers?limit=10", &token).await.expect(200).body;
    assert_eq!((listed["data"][0]["owner_name"].as_str(), listed["data"][0]["team_name"].as_str()), (Some("李雷"), Some("华南大客户组")));

    // The board's cards and the report by owner read the same cache.
    let pipeline = default_pipeline(&app, &token).await["id"].as_str().unwrap().to_owned();
    opportunity(&app, &token, customer["id"].as_str().unwrap(), "前海仓储扩容", 500_000).await;
    let card_owner = |board: &Value| {
        board["columns"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["cards"].as_array().unwrap().clone())
            .map(|card| card["owner_name"].clone())
            .collect::<Vec<_>>()
    };
    let board = app.get(&format!("/api/v1/pipelines/{pipeline}/board"), &token).await.expect(200).body;
    assert_eq!(card_owner(&board), [json!("李雷")]);
    app.patch(&format!("/api/v1/users/{seller}"), &admin, json!({ "display_name": "李雷（华南）" }), None).await.expect(200);
    let board = app.get(&format!("/api/v1/pipelines/{pipeline}/board"), &token).await.expect(200).body;
    assert_eq!(card_owner(&board), [json!("李雷（华南）")]);
}

/// The audit log screen's filters (action, kind of record, a time window) and its export.
#[tokio::test]
async fn the_audit_log_filters_by_action_kind_and_time_and_exports_what_it_lists() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "上海审计测试" })).await;
    let path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());
    app.patch(&path, &admin, json!({ "industry": "制造" }), None).await.expect(200);
    app.delete(&path, &admin).await.expect(204);

    let actions =
        |page: &Value| page["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let updates = app.get("/api/v1/audit?entity_type=customer&action=update", &admin).await.expect(200).body;
    assert_eq!(actions(&updates), ["update"]);
    assert_eq!(updates["data"][0]["changes"]["industry"]["new"], "制造", "{updates}");
    let customer_entries = app.get("/api/v1/audit?entity_type=customer", &admin).await.expect(200).body;
    assert_eq!(actions(&customer_entries), ["delete", "update", "create"], "newest first");
    let written = customer_entries["data"][1]["created_at"].as_str().unwrap().replace('+', "%2B").replace(':', "%3A");
    let from_update = app.get(&format!("/api/v1/audit?entity_type=customer&from={written}"), &admin).await.expect(200).body;
    assert_eq!(actions(&from_update), ["delete", "update"], "from is inclusive");
    let before_update = app.get(&format!("/api/v1/audit?entity_type=customer&to={written}"), &admin).await.expect(200).body;
    assert_eq!(actions(&before_update), ["create"], "to is exclusive");
    assert_eq!(app.get("/api/v1/audit?from=2199-01-01", &admin).await.expect(200).body["data"], json!([]));
    app.get("/api/v1/audit?from=yesterday", &admin).await.problem(400);

    // The export streams what the list returns, as NDJSON or CSV.
    let ndjson = app.send(reqwest::Method::GET, "/api/v1/audit/export?entity_type=customer", Some(&admin), None, &[]).await.expect(200);
    let lines: Vec<Value> = ndjson.text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines, customer_entries["data"].as_array().unwrap().clone());
    let csv = app.send(reqwest::Method::GET, "/api/v1/audit/export?entity_type=customer&format=csv", Some(&admin), None, &[]).await;
    let csv = csv.expect(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(csv.text.trim_end().lines().count(), 4, "a header and three entries: {}", csv.text);
    // Only those who may read the audit log may export it.
    let (_, sales) = app.user("sales-audit@example.com", "sales", &[]).await;
    app.send(reqwest::Method::GET, "/api/v1/audit/export", Some(&sales), None, &[]).await.problem(403);
}
