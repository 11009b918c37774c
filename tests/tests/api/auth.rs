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

/// The codes of a 422's field errors, as `field:code`.
fn refusals(reply: crm_tests::Reply) -> Vec<String> {
    let problem = reply.problem(422);
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect()
}

#[tokio::test]
async fn common_and_blank_passwords_are_refused_wherever_a_password_is_set() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let role_id = app.role_id("sales").await;
    let user = |password: &str| json!({ "email": "new@example.com", "display_name": "新人", "password": password, "role_id": role_id });
    for (password, code) in [("password123", "password_common"), ("Qwertyuiop", "password_common"), ("            ", "password_blank")] {
        assert_eq!(refusals(app.post("/api/v1/users", &admin, user(password)).await), [format!("password:{code}")], "{password:?}");
    }
    let (id, _) = app.user("sales@example.com", "sales", &[]).await;
    let path = format!("/api/v1/users/{id}");
    assert_eq!(refusals(app.patch(&path, &admin, json!({ "password": "1qaz2wsx3edc" }), None).await), ["password:password_common"]);
    assert_eq!(refusals(app.patch(&path, &admin, json!({ "password": " \t \u{3000}        " }), None).await), ["password:password_blank"]);
    app.login("sales@example.com", PASSWORD).await.expect(200);

    let customer = app.customer(&admin, json!({ "kind": "company", "name": "上海顶点" })).await;
    let contact = app
        .post(
            &format!("/api/v1/customers/{}/contacts", customer["id"].as_str().unwrap()),
            &admin,
            json!({ "name": "王敏", "email": "wang@acme.cn" }),
        )
        .await
        .expect(201);
    let invited = app.post("/api/v1/portal-accounts", &admin, json!({ "contact_id": contact.id() })).await.expect(201).body;
    let accept = |password: &str| json!({ "token": invited["invitation_token"], "password": password });
    let reply = app.send(Method::POST, "/api/v1/portal/auth/accept-invitation", None, Some(&accept("iloveyou123")), &[]).await;
    assert_eq!(refusals(reply), ["password:password_common"]);
    app.send(Method::POST, "/api/v1/portal/auth/accept-invitation", None, Some(&accept("a-new-password-9")), &[]).await.expect(200);

    let refused = crm_api::cli::create_user(&app.app_db, "cli@example.com", "命令行", "sales", "password1234", &[]).await;
    assert!(refused.unwrap_err().to_string().contains("common"));
    crm_api::cli::create_user(&app.app_db, "cli@example.com", "命令行", "sales", "a-new-password-9", &[]).await.unwrap();
}

#[tokio::test]
async fn staff_change_their_own_password_with_the_current_one_and_their_other_sessions_end() {
    let app = TestApp::spawn().await;
    app.user("sales@example.com", "sales", &[]).await;
    let here = app.login("sales@example.com", PASSWORD).await.expect(200).body;
    let elsewhere = app.login("sales@example.com", PASSWORD).await.expect(200).body;
    let token = here["access_token"].as_str().unwrap();
    let change = |current: &str, new: &str| json!({ "current_password": current, "new_password": new });

    assert_eq!(
        refusals(app.post("/api/v1/auth/password", token, change("wrong-password-1", "a-new-password-9")).await),
        ["current_password:incorrect_password"]
    );
    assert_eq!(refusals(app.post("/api/v1/auth/password", token, change(PASSWORD, "password123")).await), ["new_password:password_common"]);
    assert_eq!(
        refusals(app.post("/api/v1/auth/password", token, change(PASSWORD, "             ")).await),
        ["new_password:password_blank"]
    );
    app.send(Method::POST, "/api/v1/auth/password", None, Some(&change(PASSWORD, "a-new-password-9")), &[]).await.problem(401);
    app.login("sales@example.com", PASSWORD).await.expect(200);

    app.post("/api/v1/auth/password", token, change(PASSWORD, "a-new-password-9")).await.expect(204);
    // The other session has ended: its access token and its refresh token stop working at once.
    app.get("/api/v1/auth/me", elsewhere["access_token"].as_str().unwrap()).await.problem(401);
    let refresh = json!({ "refresh_token": elsewhere["refresh_token"] });
    app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&refresh), &[]).await.problem(401);
    // The session that changed it goes on.
    app.get("/api/v1/auth/me", token).await.expect(200);
    let refresh = json!({ "refresh_token": here["refresh_token"] });
    app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&refresh), &[]).await.expect(200);
    app.login("sales@example.com", PASSWORD).await.problem(401);
    app.login("sales@example.com", "a-new-password-9").await.expect(200);
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_sign_in() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("sales@example.com", "sales", &[]).await;
    let change = json!({ "current_password": "wrong-password-1", "new_password": "a-new-password-9" });
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(app.post("/api/v1/auth/password", &token, change.clone()).await.status.as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 5, "{statuses:?}");
    let locked =
        app.post("/api/v1/auth/password", &token, json!({ "current_password": PASSWORD, "new_password": "a-new-password-9" })).await;
    assert!(locked.header("retry-after").is_some());
    locked.problem(429);
    // Sign-in shares the count.
    app.login("sales@example.com", PASSWORD).await.problem(429);
}

/// Each user sees where they are signed in and ends a session left open elsewhere; an
/// administrator ends anyone's. An ended session's tokens stop working at once.
#[tokio::test]
async fn people_see_and_end_their_sessions_and_administrators_anyones() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (user_id, laptop) = app.user("li@example.com", "sales", &[]).await;
    let phone_login = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({ "email": "li@example.com", "password": PASSWORD })),
            &[("user-agent", "CRM-Phone/1.0")],
        )
        .await
        .expect(200);

    // A refresh marks the session active later than it was signed in.
    let refresh = json!({ "refresh_token": phone_login.body["refresh_token"] });
    let before_refresh = chrono::Utc::now();
    let phone_login = app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&refresh), &[]).await.expect(200);
    let phone = phone_login.body["access_token"].as_str().unwrap().to_owned();
    let mine = app.get("/api/v1/auth/sessions", &laptop).await.expect(200).body;
    let sessions = mine["data"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{mine}");
    assert_eq!(sessions[0]["user_agent"], "CRM-Phone/1.0", "newest first: {mine}");
    assert_eq!((sessions[0]["current"].as_bool(), sessions[1]["current"].as_bool()), (Some(false), Some(true)));
    assert_eq!(sessions[1]["ip"], "127.0.0.1");
    assert!(sessions.iter().all(|s| s["last_active_at"].is_string() && s["expires_at"].is_string()));
    let at = |s: &serde_json::Value, field: &str| chrono::DateTime::parse_from_rfc3339(s[field].as_str().unwrap()).unwrap();
    assert!(at(&sessions[0], "last_active_at") >= before_refresh, "refreshed: {}", sessions[0]);
    assert!(at(&sessions[0], "created_at") < before_refresh, "{}", sessions[0]);
    let unrefreshed = at(&sessions[1], "last_active_at") - at(&sessions[1], "created_at");
    assert!(unrefreshed < chrono::Duration::seconds(1), "never refreshed, active when signed in: {}", sessions[1]);

    // From the laptop, the phone's session is ended: its token stops working, the laptop's not.
    let phone_session = sessions[0]["id"].as_str().unwrap().to_owned();
    app.delete(&format!("/api/v1/auth/sessions/{phone_session}"), &laptop).await.expect(204);
    app.get("/api/v1/auth/me", &phone).await.problem(401);
    app.get("/api/v1/auth/me", &laptop).await.expect(200);
    app.delete(&format!("/api/v1/auth/sessions/{phone_session}"), &laptop).await.problem(404);
    let refresh = json!({ "refresh_token": phone_login.body["refresh_token"] });
    app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&refresh), &[]).await.problem(401);

    // Nobody but an administrator signed in as themselves reaches another user's sessions: not an
    // API key, even with the administrator's role.
    let admin_key = app
        .post("/api/v1/api-keys", &admin, json!({ "name": "运维脚本", "role_id": app.role_id("admin").await }))
        .await
        .expect(201)
        .body["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get(&format!("/api/v1/users/{user_id}/sessions"), &admin_key).await.problem(403);
    app.get("/api/v1/auth/sessions", &admin_key).await.problem(403);
    let (_, other) = app.user("wang@example.com", "sales", &[]).await;
    app.get(&format!("/api/v1/users/{user_id}/sessions"), &other).await.problem(403);
    let laptop_session = app.get("/api/v1/auth/sessions", &laptop).await.body["data"][0]["id"].as_str().unwrap().to_owned();
    app.delete(&format!("/api/v1/auth/sessions/{laptop_session}"), &other).await.problem(404);
    app.delete(&format!("/api/v1/users/{user_id}/sessions/{laptop_session}"), &other).await.problem(403);
    let listed = app.get(&format!("/api/v1/users/{user_id}/sessions"), &admin).await.expect(200).body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["current"], false, "the administrator's own session is another");
    app.delete(&format!("/api/v1/users/{user_id}/sessions/{laptop_session}"), &admin).await.expect(204);
    app.get("/api/v1/auth/me", &laptop).await.problem(401);
    let audit = app.get(&format!("/api/v1/audit?entity_type=user&entity_id={user_id}&action=end_session"), &admin).await.expect(200).body;
    assert_eq!(audit["data"].as_array().unwrap().len(), 2, "both ends are audited: {audit}");
}
