//! Two-factor sign-in: enrolment with a TOTP authenticator, sign-in in two steps, recovery codes,
//! turning it off, an administrator's reset, roles that require it, and API keys exempt from it.
//! Codes are computed here with `totp-rs` from the secret the API hands out, as an app would.

use reqwest::Method;
use serde_json::{Value, json};
use totp_rs::{Builder, Secret};

use crm_tests::{PASSWORD, TestApp};

fn unix_now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

/// The code an authenticator app shows for `secret` at `offset` seconds from now.
fn code(secret: &str, offset: i64) -> String {
    let bytes = Secret::try_from_base32(secret).unwrap().as_bytes().to_vec();
    let totp = Builder::new().with_secret(bytes).build().unwrap();
    totp.generate(unix_now().checked_add_signed(offset).unwrap()).to_string()
}

/// A six-digit code that is none of the ones valid around now.
fn wrong_code(secret: &str) -> String {
    let valid = [code(secret, -30), code(secret, 0), code(secret, 30), code(secret, 60)];
    ["000000", "111111", "222222", "333333", "444444"].into_iter().find(|c| !valid.iter().any(|v| v == c)).unwrap().to_owned()
}

async fn post_anonymous(app: &TestApp, path: &str, body: Value) -> crm_tests::Reply {
    app.send(Method::POST, path, None, Some(&body), &[]).await
}

/// Enrols the signed-in user; returns (secret, the code that enabled it, recovery codes).
async fn enrol(app: &TestApp, token: &str) -> (String, String, Vec<String>) {
    let setup = app.post("/api/v1/auth/2fa/setup", token, json!({})).await.expect(200).body;
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let now = code(&secret, 0);
    let enabled = app.post("/api/v1/auth/2fa/enable", token, json!({ "code": now })).await.expect(200).body;
    let codes = enabled["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    (secret, now, codes)
}

/// Signs in with the password and returns the challenge (asserting no tokens came with it).
async fn challenge(app: &TestApp, email: &str) -> Value {
    let reply = app.login(email, PASSWORD).await.expect(200).body;
    assert_eq!(reply["two_factor_required"], true, "{reply}");
    assert!(reply.get("access_token").is_none(), "no tokens before the second factor: {reply}");
    reply
}

async fn answer(app: &TestApp, challenge: &Value, field: &str, value: &str) -> crm_tests::Reply {
    post_anonymous(app, "/api/v1/auth/login/2fa", json!({ "challenge": challenge["challenge"], field: value })).await
}

#[tokio::test]
async fn enrolled_users_sign_in_with_a_code_that_works_once_and_a_challenge_that_works_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (user_id, token) = app.user("wang.fang@example.com", "sales", &[]).await;

    let setup = app.post("/api/v1/auth/2fa/setup", &token, json!({})).await.expect(200).body;
    let uri = setup["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/CRM:wang.fang%40example.com?secret="), "{uri}");
    assert!(uri.contains("issuer=CRM"), "{uri}");
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let wrong = app.post("/api/v1/auth/2fa/enable", &token, json!({ "code": wrong_code(&secret) })).await.problem(422);
    assert_eq!(wrong["errors"][0]["code"], "incorrect_code");
    let used = code(&secret, 0);
    let enabled = app.post("/api/v1/auth/2fa/enable", &token, json!({ "code": used })).await.expect(200).body;
    assert_eq!(enabled["recovery_codes"].as_array().unwrap().len(), 10);
    assert_eq!(app.get("/api/v1/auth/me", &token).await.expect(200).body["two_factor_enabled"], true);
    assert_eq!(app.get(&format!("/api/v1/users/{user_id}"), &admin).await.expect(200).body["two_factor_enabled"], true);
    let audit = app.get(&format!("/api/v1/audit?entity_type=user&entity_id={user_id}&action=enable_two_factor"), &admin).await.expect(200);
    assert_eq!(audit.body["data"][0]["changes"]["two_factor_enabled"]["new"], true, "{}", audit.text);
    let events = app.get("/api/v1/events?types=user.updated", &admin).await.expect(200).body;
    assert!(
        events["data"].as_array().unwrap().iter().any(|e| e["payload"]["changed"]["two_factor_enabled"] == json!([false, true])),
        "{events}"
    );
    app.post("/api/v1/auth/2fa/setup", &token, json!({})).await.problem(409);

    let first = challenge(&app, "wang.fang@example.com").await;
    assert_eq!(first["two_factor_setup_required"], false);
    // The code that enabled it has been accepted once already.
    assert_eq!(answer(&app, &first, "code", &used).await.problem(401)["code"], "auth.two_factor_invalid");
    let next = code(&secret, 30);
    let signed_in = answer(&app, &first, "code", &next).await.expect(200).body;
    assert!(signed_in["access_token"].is_string() && signed_in.get("recovery_codes").is_none(), "{signed_in}");
    app.get("/api/v1/auth/me", signed_in["access_token"].as_str().unwrap()).await.expect(200);
    // The challenge worked once; the code too.
    let recovery = enabled["recovery_codes"][0].as_str().unwrap();
    assert_eq!(answer(&app, &first, "recovery_code", recovery).await.problem(401)["code"], "auth.challenge_invalid");
    let second = challenge(&app, "wang.fang@example.com").await;
    assert_eq!(answer(&app, &second, "code", &next).await.problem(401)["code"], "auth.two_factor_invalid");
    // Neither or both answers is a malformed request.
    post_anonymous(&app, "/api/v1/auth/login/2fa", json!({ "challenge": second["challenge"] })).await.problem(422);
    post_anonymous(&app, "/api/v1/auth/login/2fa", json!({ "challenge": second["challenge"], "code": next, "recovery_code": recovery }))
        .await
        .problem(422);
}

#[tokio::test]
async fn a_challenge_expires_after_five_minutes() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("chen.jie@example.com", "sales", &[]).await;
    let (secret, _, _) = enrol(&app, &token).await;
    let pending = challenge(&app, "chen.jie@example.com").await;
    let expires_at: chrono::DateTime<chrono::Utc> = pending["expires_at"].as_str().unwrap().parse().unwrap();
    let minutes = (expires_at - chrono::Utc::now()).num_seconds();
    assert!((290..=300).contains(&minutes), "{minutes}");
    app.execute("UPDATE two_factor_challenges SET expires_at = ?", [(chrono::Utc::now() - chrono::Duration::seconds(1)).into()]).await;
    assert_eq!(answer(&app, &pending, "code", &code(&secret, 30)).await.problem(401)["code"], "auth.challenge_invalid");
}

#[tokio::test]
async fn wrong_codes_count_toward_the_sign_in_limit() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("li.lei@example.com", "sales", &[]).await;
    let (secret, _, _) = enrol(&app, &token).await;
    let pending = challenge(&app, "li.lei@example.com").await;
    // The password step stays counted until the code is right (a known password must not reset
    // the limit on guessing codes): with it, four wrong codes reach the five attempts allowed.
    for _ in 0..4 {
        answer(&app, &pending, "code", &wrong_code(&secret)).await.problem(401);
    }
    let locked = answer(&app, &pending, "code", &code(&secret, 30)).await;
    assert!(locked.header("retry-after").is_some());
    locked.problem(429);
    app.login("li.lei@example.com", PASSWORD).await.problem(429);
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_and_regenerating_retires_the_old_ones() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("zhao.min@example.com", "sales", &[]).await;
    let (secret, _, codes) = enrol(&app, &token).await;
    let pending = challenge(&app, "zhao.min@example.com").await;
    // As typed: upper case, spaces for dashes.
    let typed = codes[0].to_uppercase().replace('-', " ");
    answer(&app, &pending, "recovery_code", &typed).await.expect(200);
    let again = challenge(&app, "zhao.min@example.com").await;
    assert_eq!(answer(&app, &again, "recovery_code", &codes[0]).await.problem(401)["code"], "auth.two_factor_invalid");

    let fresh = app.post("/api/v1/auth/2fa/recovery-codes", &token, json!({ "code": code(&secret, 30) })).await.expect(200).body;
    let fresh: Vec<String> = fresh["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(fresh.len(), 10);
    assert!(!fresh.contains(&codes[1]));
    assert_eq!(answer(&app, &again, "recovery_code", &codes[1]).await.problem(401)["code"], "auth.two_factor_invalid");
    answer(&app, &again, "recovery_code", &fresh[0]).await.expect(200);
    let audit = app.get("/api/v1/audit?entity_type=user&action=regenerate_recovery_codes", &app.admin().await).await.expect(200);
    assert_eq!(audit.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_user_turns_it_off_with_their_password_and_an_administrator_resets_it_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (user_id, token) = app.user("sun.li@example.com", "sales", &[]).await;
    enrol(&app, &token).await;
    let wrong = app.post("/api/v1/auth/2fa/disable", &token, json!({ "password": "not-my-password" })).await.problem(422);
    assert_eq!(wrong["errors"][0]["code"], "incorrect_password");
    app.post("/api/v1/auth/2fa/disable", &token, json!({})).await.problem(422);
    app.post("/api/v1/auth/2fa/disable", &token, json!({ "password": PASSWORD })).await.expect(204);
    assert_eq!(app.get("/api/v1/auth/me", &token).await.expect(200).body["two_factor_enabled"], false);
    assert!(app.login("sun.li@example.com", PASSWORD).await.expect(200).body["access_token"].is_string());
    app.post("/api/v1/auth/2fa/disable", &token, json!({ "password": PASSWORD })).await.problem(409);

    // Enrolled again, then the phone is lost: an administrator resets it.
    enrol(&app, &token).await;
    let (_, manager) = app.user("manager@example.com", "manager", &[]).await;
    app.delete(&format!("/api/v1/users/{user_id}/2fa"), &manager).await.problem(403);
    let before = app.side_effects().await;
    app.delete(&format!("/api/v1/users/{user_id}/2fa"), &admin).await.expect(204);
    let after = app.side_effects().await;
    assert_eq!((after.0 - before.0, after.1 - before.1), (1, 1), "one audit entry and one event");
    let audit = app.get(&format!("/api/v1/audit?entity_type=user&entity_id={user_id}&action=reset_two_factor"), &admin).await.expect(200);
    assert_eq!(audit.body["data"][0]["changes"]["two_factor_enabled"]["old"], true, "{}", audit.text);
    assert_eq!(app.get(&format!("/api/v1/users/{user_id}"), &admin).await.expect(200).body["two_factor_enabled"], false);
    app.delete(&format!("/api/v1/users/{user_id}/2fa"), &admin).await.problem(409);
    assert!(app.login("sun.li@example.com", PASSWORD).await.expect(200).body["access_token"].is_string());
}

#[tokio::test]
async fn a_role_that_requires_two_factor_leads_its_holders_through_enrolment_at_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (user_id, _) = app.user("zhou.xun@example.com", "support", &[]).await;
    let role = app.role_id("support").await;
    // A built-in role keeps its matrix, but whether it requires two-factor sign-in changes.
    app.patch(&format!("/api/v1/roles/{role}"), &admin, json!({ "name": "x" }), None).await.problem(409);
    let changed = app.patch(&format!("/api/v1/roles/{role}"), &admin, json!({ "requires_two_factor": true }), None).await.expect(200);
    assert_eq!(changed.body["requires_two_factor"], true);

    let pending = challenge(&app, "zhou.xun@example.com").await;
    assert_eq!(pending["two_factor_setup_required"], true);
    let secret = pending["setup"]["secret"].as_str().unwrap().to_owned();
    assert!(pending["setup"]["otpauth_uri"].as_str().unwrap().contains(&secret));
    let refused = answer(&app, &pending, "recovery_code", "aaaa-bbbb-cccc-dddd").await.problem(422);
    assert_eq!(refused["errors"][0]["code"], "not_enrolled");
    answer(&app, &pending, "code", &wrong_code(&secret)).await.problem(401);
    let signed_in = answer(&app, &pending, "code", &code(&secret, 0)).await.expect(200).body;
    assert_eq!(signed_in["recovery_codes"].as_array().unwrap().len(), 10, "{signed_in}");
    let token = signed_in["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/auth/me", token).await.expect(200).body;
    assert_eq!((me["two_factor_enabled"].as_bool(), me["two_factor_required"].as_bool()), (Some(true), Some(true)));
    let audit = app.get(&format!("/api/v1/audit?entity_type=user&entity_id={user_id}&action=enable_two_factor"), &admin).await.expect(200);
    assert_eq!(audit.body["data"][0]["actor_id"], user_id.as_str());
    let kept = app.post("/api/v1/auth/2fa/disable", token, json!({ "password": PASSWORD })).await.problem(409);
    assert_eq!(kept["code"], "two_factor.required_by_role");
    // From now on sign-in asks for a code, not for enrolment.
    assert_eq!(challenge(&app, "zhou.xun@example.com").await["two_factor_setup_required"], false);
}

#[tokio::test]
async fn api_keys_are_exempt_from_the_requirement_and_refused_at_the_two_factor_routes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for key in ["integration", "admin"] {
        let role = app.role_id(key).await;
        app.patch(&format!("/api/v1/roles/{role}"), &admin, json!({ "requires_two_factor": true }), None).await.expect(200);
    }
    let body = json!({ "name": "ERP", "role_id": app.role_id("integration").await });
    let key = app.post("/api/v1/api-keys", &admin, body).await.expect(201).body["api_key"].as_str().unwrap().to_owned();
    app.get("/api/v1/customers", &key).await.expect(200);
    assert_eq!(app.post("/api/v1/auth/2fa/setup", &key, json!({})).await.problem(403)["status"], 403);
    app.post("/api/v1/auth/2fa/enable", &key, json!({ "code": "123456" })).await.problem(403);
    let admin_key = app
        .post("/api/v1/api-keys", &admin, json!({ "name": "ops", "role_id": app.role_id("admin").await }))
        .await
        .expect(201)
        .body["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (user_id, token) = app.user("he.jun@example.com", "sales", &[]).await;
    enrol(&app, &token).await;
    app.delete(&format!("/api/v1/users/{user_id}/2fa"), &admin_key).await.problem(403);
}

/// The stored (sealed) TOTP secret of a user, read straight from the database.
async fn stored_secret(app: &TestApp, user_id: &str) -> String {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(&app.database_url).await.unwrap();
    let backend = db.get_database_backend();
    let placeholder = if backend == sea_orm::DatabaseBackend::Postgres { "$1" } else { "?" };
    let sql = format!("SELECT totp_secret FROM users WHERE id = {placeholder}");
    let id: uuid::Uuid = user_id.parse().unwrap();
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [id.into()])).await.unwrap().unwrap();
    row.try_get::<String>("", "totp_secret").unwrap()
}

fn keyring(current: &str, previous: &[&str]) -> crm_domain::privacy::keys::Keyring {
    use crm_domain::privacy::keys::{DataKey, Keyring};
    Keyring::new(DataKey::from_secret(current).unwrap(), previous.iter().map(|k| DataKey::from_secret(k).unwrap()).collect())
}

#[tokio::test]
async fn secrets_are_sealed_at_rest_and_a_key_rotation_beside_running_servers_keeps_them_working() {
    const NEW_KEY: &str = "a-new-data-key-for-the-rotation-test-0001";
    let app = TestApp::spawn().await;
    let (first_id, first) = app.user("first@example.com", "sales", &[]).await;
    let (second_id, second) = app.user("second@example.com", "sales", &[]).await;
    let (first_secret, _, _) = enrol(&app, &first).await;
    let (second_secret, _, _) = enrol(&app, &second).await;

    let old = keyring(crm_tests::TEST_DATA_KEY, &[]);
    let stored = stored_secret(&app, &first_id).await;
    assert!(stored.starts_with(&format!("enc1:{}:", old.current_id())), "{stored}");
    assert!(!stored.contains(&first_secret), "{stored}");
    if let Some(path) = app.database_url.strip_prefix("sqlite://").and_then(|rest| rest.split('?').next()) {
        // Neither the database file nor its write-ahead log holds the secret in clear.
        for file in [path.to_owned(), format!("{path}-wal")] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(!bytes.windows(first_secret.len()).any(|w| w == first_secret.as_bytes()), "{file} holds the secret");
        }
    }

    // Every server is given the new key and keeps the old one while the rotation runs.
    let rotating = app
        .spawn_alongside(|config| {
            config.data_key = NEW_KEY.into();
            config.previous_data_keys = vec![crm_tests::TEST_DATA_KEY.into()];
        })
        .await;
    let pending = challenge(&rotating, "first@example.com").await;
    answer(&rotating, &pending, "code", &code(&first_secret, 30)).await.expect(200);

    let db = crm_persistence::Db::connect(&app.database_url).await.unwrap().with_keys(keyring(NEW_KEY, &[crm_tests::TEST_DATA_KEY]));
    let mut reports = Vec::new();
    let done = crm_persistence::personal_data::rotate_keys(&db, |progress| reports.push(progress.clone())).await.unwrap();
    assert_eq!((done[0].field, done[0].read, done[0].sealed), ("users.totp_secret", 2, 2));
    assert!(!reports.is_empty());
    let again = crm_persistence::personal_data::rotate_keys(&db, |_| {}).await.unwrap();
    assert_eq!((again[0].read, again[0].sealed), (2, 0), "a second run seals nothing more");
    let new_id = keyring(NEW_KEY, &[]).current_id().to_owned();
    for user in [&first_id, &second_id] {
        assert!(stored_secret(&app, user).await.starts_with(&format!("enc1:{new_id}:")));
    }

    // Once it is done the old key can go: a server with the new key alone signs in with codes.
    let after = app.spawn_alongside(|config| config.data_key = NEW_KEY.into()).await;
    let pending = challenge(&after, "second@example.com").await;
    answer(&after, &pending, "code", &code(&second_secret, 30)).await.expect(200);
}
