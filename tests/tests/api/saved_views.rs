//! Saved views: a user's named list states, private or shared with a team; only the owner changes
//! or deletes one; each change audited and told.

use serde_json::json;

use crm_tests::TestApp;

#[tokio::test]
async fn views_are_private_or_shared_with_a_team_and_only_their_owner_changes_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let team = app.post("/api/v1/teams", &admin, json!({ "name": "华东销售" })).await.expect(201).id();
    let (_, wang) = app.user("wang-views@example.com", "sales", &[&team]).await;
    let (_, li) = app.user("li-views@example.com", "sales", &[&team]).await;
    let (_, zhao) = app.user("zhao-views@example.com", "sales", &[]).await;

    let state = json!({ "filters": { "lifecycle_stage": "prospect", "region": "上海市" }, "columns": ["name", "phone", "cf.grade"], "sort": "-updated_at" });
    let private = app
        .post("/api/v1/saved-views", &wang, json!({ "list": "customers", "name": "我的意向客户", "state": state }))
        .await
        .expect(201)
        .body;
    let shared = app
        .post(
            "/api/v1/saved-views",
            &wang,
            json!({ "list": "customers", "name": "团队上海客户", "state": { "filters": { "region": "上海市" } }, "team_id": team }),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(private["state"], state);

    let names = |page: serde_json::Value| {
        page["data"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(names(app.get("/api/v1/saved-views?list=customers", &wang).await.expect(200).body), ["团队上海客户", "我的意向客户"]);
    assert_eq!(names(app.get("/api/v1/saved-views?list=customers", &li).await.expect(200).body), ["团队上海客户"]);
    assert!(names(app.get("/api/v1/saved-views?list=customers", &zhao).await.expect(200).body).is_empty());
    assert!(names(app.get("/api/v1/saved-views?list=orders", &wang).await.expect(200).body).is_empty());

    // The team sees the shared view but may not change it; outsiders do not see it at all.
    let shared_id = shared["id"].as_str().unwrap();
    app.patch(&format!("/api/v1/saved-views/{shared_id}"), &li, json!({ "name": "改名" }), None).await.problem(403);
    app.patch(&format!("/api/v1/saved-views/{shared_id}"), &zhao, json!({ "name": "改名" }), None).await.problem(404);
    let renamed = app
        .patch(&format!("/api/v1/saved-views/{shared_id}"), &wang, json!({ "name": "上海客户", "team_id": null }), Some("\"1\""))
        .await
        .expect(200)
        .body;
    assert_eq!((renamed["name"].as_str(), renamed["team_id"].is_null(), renamed["version"].as_i64()), (Some("上海客户"), true, Some(2)));
    assert!(names(app.get("/api/v1/saved-views?list=customers", &li).await.expect(200).body).is_empty(), "no longer shared");
    app.patch(&format!("/api/v1/saved-views/{shared_id}"), &wang, json!({ "name": "x" }), Some("\"1\"")).await.problem(412);

    // Bad input changes nothing.
    let before = app.side_effects().await;
    for (body, field) in [
        (json!({ "list": "spaceships", "name": "x", "state": {} }), "list"),
        (json!({ "list": "customers", "name": " ", "state": {} }), "name"),
        (json!({ "list": "customers", "name": "x", "state": [1, 2] }), "state"),
        (json!({ "list": "customers", "name": "x", "state": {}, "team_id": uuid::Uuid::now_v7() }), "team_id"),
    ] {
        assert_eq!(app.post("/api/v1/saved-views", &wang, body).await.invalid_fields(), [field]);
    }
    assert_eq!(app.side_effects().await, before);

    // Deleted by its owner, audited and told.
    let private_id = private["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/saved-views/{private_id}"), &li).await.problem(404);
    app.delete(&format!("/api/v1/saved-views/{private_id}"), &wang).await.expect(204);
    let told = |token: String| {
        let app = &app;
        async move {
            let path = "/api/v1/events?after=0&limit=200&types=saved_view.created,saved_view.updated,saved_view.deleted";
            let events = app.get(path, &token).await.expect(200).body;
            events["data"].as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(told(admin.clone()).await, ["saved_view.created", "saved_view.created", "saved_view.updated", "saved_view.deleted"]);
    // A view's events are read as the view is: a deleted view's are no one's but an administrator's.
    assert_eq!(told(wang.clone()).await, ["saved_view.created", "saved_view.updated"]);
    assert!(told(zhao.clone()).await.is_empty());
    let audit = app.get(&format!("/api/v1/audit?entity_id={private_id}"), &admin).await.expect(200).body;
    assert_eq!(audit["data"].as_array().unwrap().len(), 2);
}
