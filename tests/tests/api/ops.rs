use reqwest::Method;

use crm_tests::TestApp;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.send(Method::GET, "/healthz", None, None, &[]).await.expect(200).text, "ok");
    app.send(Method::GET, "/readyz", None, None, &[]).await.expect(200);
    app.send(Method::GET, "/api/v1/customers", None, None, &[]).await;
    let metrics = app.send(Method::GET, "/metrics", Some(crm_tests::METRICS_TOKEN), None, &[]).await.expect(200).text;
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

#[tokio::test]
async fn metrics_need_the_metrics_token_and_without_one_configured_are_not_served() {
    let app = TestApp::spawn().await;
    app.send(Method::GET, "/metrics", None, None, &[]).await.problem(401);
    app.send(Method::GET, "/metrics", Some("not-the-metrics-token"), None, &[]).await.problem(401);
    // A staff access token is no metrics token.
    app.send(Method::GET, "/metrics", Some(&app.admin().await), None, &[]).await.problem(401);

    let unconfigured = TestApp::spawn_with(|config| config.metrics_token = None).await;
    unconfigured.send(Method::GET, "/metrics", None, None, &[]).await.problem(404);
    unconfigured.send(Method::GET, "/metrics", Some(crm_tests::METRICS_TOKEN), None, &[]).await.problem(404);
}

#[tokio::test]
async fn metrics_are_served_without_a_token_on_the_separate_metrics_address_only() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn_with(|config| {
        config.metrics_token = None;
        config.metrics_bind = Some(format!("127.0.0.1:{port}"));
    })
    .await;
    app.send(Method::GET, "/healthz", None, None, &[]).await.expect(200);
    let reply = app.client.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(reply.status(), 200);
    assert!(reply.text().await.unwrap().contains("http_requests_total"));
    let other = app.client.get(format!("http://127.0.0.1:{port}/api/v1/customers")).send().await.unwrap();
    assert_eq!(other.status(), 404);
    app.send(Method::GET, "/metrics", None, None, &[]).await.problem(404);
}

#[tokio::test]
async fn api_answers_are_not_stored_and_every_page_has_a_script_policy_and_a_permissions_policy() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for reply in [
        app.get("/api/v1/customers", &admin).await.expect(200),
        app.get("/api/v1/auth/me", &admin).await.expect(200),
        app.send(Method::GET, "/api/v1/customers", None, None, &[]).await.expect(401),
        app.get(&format!("/api/v1/customers/{}", uuid::Uuid::nil()), &admin).await.expect(404),
    ] {
        assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"), "{reply:?}");
        let policy = reply.header("content-security-policy").unwrap();
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(policy.contains("img-src 'self' data: blob:;"), "remote images are off by default: {policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        let permissions = reply.header("permissions-policy").unwrap();
        assert!(permissions.contains("camera=()") && permissions.contains("geolocation=()"), "{permissions}");
    }
    let health = app.send(Method::GET, "/healthz", None, None, &[]).await.expect(200);
    assert!(health.header("content-security-policy").is_some());

    // Swagger UI gets its own policy, and its page runs no inline script, so `script-src 'self'` holds.
    let docs = app.send(Method::GET, "/api/docs/", None, None, &[]).await.expect(200);
    let policy = docs.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self';") && policy.contains("img-src 'self' data:;"), "{policy}");
    assert_every_script_is_a_file(&docs.text);
    for script in ["swagger-initializer.js", "swagger-ui-bundle.js"] {
        app.send(Method::GET, &format!("/api/docs/{script}"), None, None, &[]).await.expect(200);
    }
    // The app shell (Vite builds index.html into dist/ with its script tags as they are here).
    assert_every_script_is_a_file(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/index.html")).unwrap());
}

#[track_caller]
fn assert_every_script_is_a_file(html: &str) {
    for tag in html.split("<script").skip(1) {
        let open = &tag[..tag.find('>').unwrap()];
        assert!(open.contains("src="), "an inline script would need 'unsafe-inline': <script{open}>");
        assert!(tag[tag.find('>').unwrap() + 1..].trim_start().starts_with("</script>"), "a script with a src and a body: {tag}");
    }
}

#[tokio::test]
async fn remote_images_are_allowed_by_the_policy_only_when_configured() {
    let app = TestApp::spawn_with(|config| config.markdown_remote_images = true).await;
    let admin = app.admin().await;
    let reply = app.get("/api/v1/auth/me", &admin).await.expect(200);
    assert!(reply.header("content-security-policy").unwrap().contains("img-src 'self' data: blob: https:;"));
}
