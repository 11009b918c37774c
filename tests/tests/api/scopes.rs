//! The scope matrix: two sales users in different teams, a colleague in the same team, a manager
//! over one team, a viewer.

use serde_json::json;

use crm_tests::TestApp;

struct World {
    app: TestApp,
    east_team: String,
    west_team: String,
    sales_east: (String, String),
    colleague_east: (String, String),
    sales_west: (String, String),
    manager_east: (String, String),
    viewer: (String, String),
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let region = app.create_team("Region", None).await;
    let east_team = app.create_team("East", Some(&region)).await;
    let west_team = app.create_team("West", None).await;
    let sales_east = app.user("east@example.com", "sales", &[&east_team]).await;
    let colleague_east = app.user("east2@example.com", "sales", &[&east_team]).await;
    let sales_west = app.user("west@example.com", "sales", &[&west_team]).await;
    let manager_east = app.user("boss@example.com", "manager", &[&region]).await;
    let viewer = app.user("viewer@example.com", "viewer", &[]).await;
    World { app, east_team, west_team, sales_east, colleague_east, sales_west, manager_east, viewer }
}

#[tokio::test]
async fn a_customer_outside_the_callers_scope_does_not_exist_for_them() {
    let w = world().await;
    let customer = w.app.customer(&w.sales_east.1, json!({ "kind": "company", "name": "East Co" })).await;
    assert_eq!(customer["owner_id"], w.sales_east.0.as_str());
    assert_eq!(customer["team_id"], w.east_team.as_str());
    let path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());

    w.app.get(&path, &w.sales_west.1).await.problem(404);
    w.app.patch(&path, &w.sales_west.1, json!({ "name": "x" }), None).await.problem(404);
    w.app.delete(&path, &w.sales_west.1).await.problem(404);
    let west_list = w.app.get("/api/v1/customers?include_total=true", &w.sales_west.1).await.expect(200);
    assert_eq!(west_list.body["total"], 0);

    // Same team: readable, but a sales user changes only their own.
    w.app.get(&path, &w.colleague_east.1).await.expect(200);
    w.app.patch(&path, &w.colleague_east.1, json!({ "name": "x" }), None).await.problem(403);
    // The manager of the parent team reaches the sub-team.
    w.app.patch(&path, &w.manager_east.1, json!({ "industry": "制造业" }), None).await.expect(200);
    // The viewer reads everything and changes nothing.
    w.app.get(&path, &w.viewer.1).await.expect(200);
    w.app.patch(&path, &w.viewer.1, json!({ "name": "x" }), None).await.problem(403);
    w.app.post("/api/v1/customers", &w.viewer.1, json!({ "kind": "company", "name": "V" })).await.problem(403);
    assert_eq!(w.app.get("/api/v1/customers?include_total=true", &w.viewer.1).await.expect(200).body["total"], 1);
}

#[tokio::test]
async fn reassigning_an_owner_is_a_patch_that_scope_rules_apply_to() {
    let w = world().await;
    let customer = w.app.customer(&w.sales_east.1, json!({ "kind": "company", "name": "Moving Co" })).await;
    let path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());
    // A sales user cannot hand their customer to someone else.
    w.app.patch(&path, &w.sales_east.1, json!({ "owner_id": w.colleague_east.0 }), None).await.problem(403);
    // A manager moves it within their teams, not into another team.
    w.app.patch(&path, &w.manager_east.1, json!({ "owner_id": w.sales_west.0 }), None).await.problem(403);
    let moved = w.app.patch(&path, &w.manager_east.1, json!({ "owner_id": w.colleague_east.0 }), None).await.expect(200);
    assert_eq!(moved.body["owner_id"], w.colleague_east.0.as_str());
    assert_eq!(moved.body["team_id"], w.east_team.as_str());
    // The administrator moves it anywhere; the team follows the new owner.
    let admin = w.app.admin().await;
    let west = w.app.patch(&path, &admin, json!({ "owner_id": w.sales_west.0 }), None).await.expect(200);
    assert_eq!(west.body["team_id"], w.west_team.as_str());
    w.app.get(&path, &w.sales_west.1).await.expect(200);
    w.app.get(&path, &w.sales_east.1).await.problem(404);
}

#[tokio::test]
async fn sales_users_create_customers_only_for_themselves() {
    let w = world().await;
    w.app
        .post("/api/v1/customers", &w.sales_east.1, json!({ "kind": "company", "name": "Not mine", "owner_id": w.sales_west.0 }))
        .await
        .problem(403);
    w.app
        .post("/api/v1/customers", &w.sales_east.1, json!({ "kind": "company", "name": "Mine", "owner_id": w.sales_east.0 }))
        .await
        .expect(201);
}

#[tokio::test]
async fn contacts_follow_their_customers_scope() {
    let w = world().await;
    let customer = w.app.customer(&w.sales_east.1, json!({ "kind": "company", "name": "East Co" })).await;
    let contacts = format!("/api/v1/customers/{}/contacts", customer["id"].as_str().unwrap());
    let contact = w.app.post(&contacts, &w.sales_east.1, json!({ "name": "王伟" })).await.expect(201).id();
    w.app.get(&contacts, &w.sales_west.1).await.problem(404);
    w.app.get(&format!("/api/v1/contacts/{contact}"), &w.sales_west.1).await.problem(404);
    w.app.post(&contacts, &w.colleague_east.1, json!({ "name": "x" })).await.problem(403);
    w.app.get(&format!("/api/v1/contacts/{contact}"), &w.colleague_east.1).await.expect(200);
}

#[tokio::test]
async fn administration_is_for_administrators() {
    let w = world().await;
    w.app.get("/api/v1/users", &w.manager_east.1).await.problem(403);
    w.app.post("/api/v1/teams", &w.sales_east.1, json!({ "name": "Mine" })).await.problem(403);
    w.app.get("/api/v1/audit", &w.viewer.1).await.problem(403);
    // The feed is open to everyone, each reading only what their scopes reach (see access.rs).
    let feed = w.app.get("/api/v1/events", &w.sales_east.1).await.expect(200).body;
    assert!(feed["data"].as_array().unwrap().iter().all(|e| e["entity_type"] == "team"), "{feed}");
    w.app.get("/api/v1/teams", &w.sales_east.1).await.expect(200);
}

/// Permissions are computed once per user and reused (see `ActorCache`); every change they come
/// from must still reach a signed-in caller's very next request with the same token.
#[tokio::test]
async fn team_moves_membership_and_role_changes_reach_a_signed_in_caller_at_once() {
    let w = world().await;
    let admin = w.app.admin().await;
    let west = w.app.customer(&w.sales_west.1, json!({ "kind": "company", "name": "West Co" })).await;
    let path = format!("/api/v1/customers/{}", west["id"].as_str().unwrap());
    let manager = &w.manager_east.1;
    w.app.get(&path, manager).await.problem(404);

    // Moving the West team under the manager's region brings its customers into team scope.
    let region = w.app.get(&format!("/api/v1/teams/{}", w.east_team), &admin).await.expect(200).body["parent_id"].clone();
    let west_team = format!("/api/v1/teams/{}", w.west_team);
    w.app.patch(&west_team, &admin, json!({ "parent_id": region }), None).await.expect(200);
    w.app.get(&path, manager).await.expect(200);
    w.app.patch(&west_team, &admin, json!({ "parent_id": null }), None).await.expect(200);
    w.app.get(&path, manager).await.problem(404);

    // Joining the team directly does the same; leaving it undoes it.
    let manager_user = format!("/api/v1/users/{}", w.manager_east.0);
    w.app.patch(&manager_user, &admin, json!({ "team_ids": [region, w.west_team] }), None).await.expect(200);
    w.app.get(&path, manager).await.expect(200);
    w.app.patch(&manager_user, &admin, json!({ "team_ids": [region] }), None).await.expect(200);
    w.app.get(&path, manager).await.problem(404);

    // A new role applies to the next request: the viewer role reads everything.
    let viewer = w.app.role_id("viewer").await;
    w.app.patch(&manager_user, &admin, json!({ "role_id": viewer }), None).await.expect(200);
    w.app.get(&path, manager).await.expect(200);
    w.app.patch(&path, manager, json!({ "name": "x" }), None).await.problem(403);

    // Deactivation ends it all.
    w.app.patch(&manager_user, &admin, json!({ "active": false }), None).await.expect(200);
    w.app.get(&path, manager).await.problem(401);
}
