//! Every error path answers problem+json with a request id, never a 500.

use reqwest::Method;
use serde_json::json;

use crm_tests::{MAX_BODY_BYTES, TestApp};

#[tokio::test]
async fn malformed_json_is_400_and_the_wrong_shape_is_422() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.post_raw("/api/v1/customers", &admin, "application/json", "{\"kind\": ").await.problem(400);
    app.post("/api/v1/customers", &admin, json!({ "kind": "company", "name": 42 })).await.problem(422);
    app.post("/api/v1/customers", &admin, json!({ "kind": "company", "name": "x", "colour": "red" })).await.problem(422);
    app.post("/api/v1/customers", &admin, json!([1, 2])).await.problem(422);
}

#[tokio::test]
async fn the_wrong_content_type_is_415() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.post_raw("/api/v1/customers", &admin, "text/plain", "{}").await.problem(415);
}

#[tokio::test]
async fn an_oversized_body_is_413_with_or_without_an_idempotency_key() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({ "kind": "company", "name": "x", "notes": "长".repeat(MAX_BODY_BYTES) });
    app.post("/api/v1/customers", &admin, body.clone()).await.problem(413);
    app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&body), &[("Idempotency-Key", "big")]).await.problem(413);
    assert_eq!(app.count("customers", None).await, 0);
}

#[tokio::test]
async fn invalid_ids_are_400_and_absent_ids_404() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.get("/api/v1/customers/not-a-uuid", &admin).await.problem(400);
    app.patch("/api/v1/contacts/123", &admin, json!({}), None).await.problem(400);
    app.get(&format!("/api/v1/customers/{}", uuid::Uuid::now_v7()), &admin).await.problem(404);
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let problem = app.get("/api/v1/planets", &admin).await.problem(404);
    assert_eq!(problem["type"], "/problems/no-route");
    let reply = app.send(Method::PUT, "/api/v1/customers", Some(&admin), None, &[]).await;
    assert_eq!(reply.header("allow").unwrap(), "GET, POST");
    reply.problem(405);
    let reply = app.send(Method::POST, &format!("/api/v1/customers/{}", uuid::Uuid::now_v7()), Some(&admin), None, &[]).await;
    assert_eq!(reply.header("allow").unwrap(), "DELETE, GET, PATCH");
    reply.problem(405);
}

#[tokio::test]
async fn the_request_id_is_echoed_and_generated_when_missing() {
    let app = TestApp::spawn().await;
    let reply = app.send(Method::GET, "/api/v1/customers", None, None, &[("X-Request-Id", "trace-abc-123")]).await;
    assert_eq!(reply.header("x-request-id").as_deref(), Some("trace-abc-123"));
    assert_eq!(reply.problem(401)["request_id"], "trace-abc-123");
    let reply = app.send(Method::GET, "/healthz", None, None, &[]).await;
    assert!(reply.header("x-request-id").is_some_and(|id| id.len() >= 32));
}

#[tokio::test]
async fn an_invalid_idempotency_key_is_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let long = "k".repeat(300);
    app.send(
        Method::POST,
        "/api/v1/customers",
        Some(&admin),
        Some(&json!({ "kind": "company", "name": "x" })),
        &[("Idempotency-Key", &long)],
    )
    .await
    .problem(400);
}
