use reqwest::Method;
use serde_json::json;

use crm_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, TestApp};

#[tokio::test]
async fn login_returns_tokens_and_the_user_with_permissions() {
    let app = TestApp::spawn().await;
    let reply = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);
    assert!(reply.body["refresh_token"].as_str().unwrap().starts_with("rt_"));
    assert_eq!(reply.body["user"]["role"]["key"], "admin");
    assert_eq!(reply.body["user"]["permissions"]["customers"]["read"], "all");
    let token = reply.body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/auth/me", token).await.expect(200);
    assert_eq!(me.body["email"], ADMIN_EMAIL);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_answer_the_same_401() {
    let app = TestApp::spawn().await;
    let wrong = app.login(ADMIN_EMAIL, "not-the-password").await.problem(401);
    let unknown = app.login("nobody@example.com", "whatever-password").await.problem(401);
    assert_eq!(wrong["detail"], unknown["detail"]);
}

#[tokio::test]
async fn requests_without_or_with_a_bad_token_answer_401() {
    let app = TestApp::spawn().await;
    app.send(Method::GET, "/api/v1/customers", None, None, &[]).await.problem(401);
    app.get("/api/v1/customers", "not-a-jwt").await.problem(401);
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_from_that_address_with_retry_after() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.user("someone@example.com", "viewer", &[]).await;
    for _ in 0..5 {
        app.login(ADMIN_EMAIL, "wrong-password").await.problem(401);
    }
    let locked = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let retry_after: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60);
    locked.problem(429);
    // The lock is on attempts, not on the account: open sessions go on, and another account
    // signs in from the same address.
    app.get("/api/v1/auth/me", &admin).await.expect(200);
    app.login("someone@example.com", PASSWORD).await.expect(200);
}

#[tokio::test]
async fn refresh_rotates_and_reusing_an_old_refresh_token_revokes_the_session() {
    let app = TestApp::spawn().await;
    let first = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200).body;
    let old_refresh = first["refresh_token"].as_str().unwrap().to_owned();
    let second =
        app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&json!({ "refresh_token": old_refresh })), &[]).await.expect(200).body;
    let new_refresh = second["refresh_token"].as_str().unwrap().to_owned();
    let new_access = second["access_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, old_refresh);
    app.get("/api/v1/auth/me", &new_access).await.expect(200);

    // The old token again: the whole session (family) ends.
    app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&json!({ "refresh_token": old_refresh })), &[]).await.problem(401);
    app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&json!({ "refresh_token": new_refresh })), &[]).await.problem(401);
    app.get("/api/v1/auth/me", &new_access).await.problem(401);
    // Another session of the same user is untouched.
    app.get("/api/v1/auth/me", &app.admin().await).await.expect(200);
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200).body;
    let access = session["access_token"].as_str().unwrap();
    let refresh = session["refresh_token"].as_str().unwrap();
    app.post("/api/v1/auth/logout", access, json!({ "refresh_token": refresh })).await.expect(204);
    app.get("/api/v1/auth/me", access).await.problem(401);
    app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&json!({ "refresh_token": refresh })), &[]).await.problem(401);
}

#[tokio::test]
async fn a_deactivated_users_tokens_stop_working_at_once() {
    let app = TestApp::spawn().await;
    let (id, token) = app.user("leaver@example.com", "sales", &[]).await;
    app.get("/api/v1/auth/me", &token).await.expect(200);
    app.patch(&format!("/api/v1/users/{id}"), &app.admin().await, json!({ "active": false }), None).await.expect(200);
    app.get("/api/v1/auth/me", &token).await.problem(401);
    app.login("leaver@example.com", PASSWORD).await.problem(401);
}
