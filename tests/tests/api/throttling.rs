//! Sign-in throttling under concurrency, and which address it counts behind a reverse proxy.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::json;

use crm_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, TestApp};

/// Sends `count` sign-ins at once and returns their statuses.
async fn concurrent_logins(app: &TestApp, path: &str, email: &str, password: &str, count: usize) -> Vec<u16> {
    let body = json!({ "email": email, "password": password });
    let replies = join_all((0..count).map(|_| app.send(Method::POST, path, None, Some(&body), &[]))).await;
    replies.into_iter().map(|reply| reply.status.as_u16()).collect()
}

#[tokio::test]
async fn thirty_concurrent_wrong_passwords_evaluate_at_most_five_and_then_the_right_one_is_refused() {
    let app = TestApp::spawn().await;
    app.user("target@example.com", "sales", &[]).await;
    let recorded_before = app.count("login_attempts", None).await;
    let statuses = concurrent_logins(&app, "/api/v1/auth/login", "target@example.com", "wrong-password", 30).await;
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    assert!(evaluated <= 5, "{evaluated} wrong passwords were checked: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    // Only evaluated attempts are recorded as failures.
    assert!(app.count("login_attempts", None).await - recorded_before <= 5);
    // The right password inside the window is refused too: the guesses used the window up.
    app.login("target@example.com", PASSWORD).await.problem(429);
}

#[tokio::test]
async fn concurrent_portal_guesses_are_claimed_before_any_password_is_checked() {
    let app = TestApp::spawn().await;
    let statuses = concurrent_logins(&app, "/api/v1/portal/auth/login", "buyer@example.com", "wrong-password", 30).await;
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    assert!(evaluated <= 5, "{evaluated} portal passwords were checked: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
}

#[tokio::test]
async fn a_successful_sign_in_gives_its_attempt_back() {
    let app = TestApp::spawn().await;
    // Far more sign-ins than the limit, all successful: none is throttled.
    for _ in 0..8 {
        app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200);
    }
    for _ in 0..4 {
        app.login(ADMIN_EMAIL, "wrong-password").await.problem(401);
    }
    // A success forgets this address's failures for the account.
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200);
    for _ in 0..4 {
        app.login(ADMIN_EMAIL, "wrong-password").await.problem(401);
    }
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200);
}

async fn login_from(app: &TestApp, forwarded_for: &str, password: &str) -> u16 {
    let body = json!({ "email": ADMIN_EMAIL, "password": password });
    app.send(Method::POST, "/api/v1/auth/login", None, Some(&body), &[("X-Forwarded-For", forwarded_for)]).await.status.as_u16()
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        assert_eq!(login_from(&app, "203.0.113.1", "wrong-password").await, 401);
    }
    // Without trusted proxies the header proves nothing: it is the same peer, and locked.
    assert_eq!(login_from(&app, "203.0.113.2", ADMIN_PASSWORD).await, 429);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_throttled_and_audited_by_its_own_address() {
    let app = TestApp::spawn_with(|config| {
        config.trusted_proxies = crm_api::auth::TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
    })
    .await;
    for _ in 0..5 {
        assert_eq!(login_from(&app, "203.0.113.1", "wrong-password").await, 401);
    }
    assert_eq!(login_from(&app, "203.0.113.1", ADMIN_PASSWORD).await, 429);
    // A client cannot escape by writing its own entry in front: the right-most untrusted
    // address counts, after any trusted proxies in the chain.
    assert_eq!(login_from(&app, "198.51.100.7, 203.0.113.1, 10.1.2.3", ADMIN_PASSWORD).await, 429);
    // Another client behind the same proxy is not locked out.
    assert_eq!(login_from(&app, "203.0.113.2", ADMIN_PASSWORD).await, 200);

    let admin = app.admin().await;
    let customer = app
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(&admin),
            Some(&json!({ "kind": "company", "name": "上海转发测试" })),
            &[("X-Forwarded-For", "203.0.113.9")],
        )
        .await
        .expect(201)
        .id();
    let audit = app.get(&format!("/api/v1/audit?entity_id={customer}"), &admin).await.expect(200).body;
    assert_eq!(audit["data"][0]["ip"], "203.0.113.9");
}
