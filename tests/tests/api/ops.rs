use reqwest::Method;

use crm_tests::TestApp;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.send(Method::GET, "/healthz", None, None, &[]).await.expect(200).text, "ok");
    app.send(Method::GET, "/readyz", None, None, &[]).await.expect(200);
    app.send(Method::GET, "/api/v1/customers", None, None, &[]).await;
    let metrics = app.send(Method::GET, "/metrics", None, None, &[]).await.expect(200).text;
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(metrics.contains("http_request_duration_seconds"));
}

#[tokio::test]
async fn readyz_is_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.app_db.clone().close().await.unwrap();
    let reply = app.send(Method::GET, "/readyz", None, None, &[]).await;
    assert_eq!(reply.header("retry-after").as_deref(), Some("5"));
    reply.problem(503);
}
