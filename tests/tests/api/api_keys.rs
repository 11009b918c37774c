//! API keys: made, used, rotated and revoked by administrators; a key acts under its role as a
//! user of its own, and the audit log names it.

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::TestApp;

/// Makes a key as the administrator and returns (the key, its record).
async fn make_key(app: &TestApp, body: Value) -> (String, Value) {
    let reply = app.post("/api/v1/api-keys", &app.admin().await, body).await.expect(201);
    assert!(reply.header("location").unwrap().ends_with(reply.body["key"]["id"].as_str().unwrap()));
    (reply.body["api_key"].as_str().unwrap().to_owned(), reply.body["key"].clone())
}

async fn integration_key(app: &TestApp, name: &str) -> (String, Value) {
    make_key(app, json!({ "name": name, "role_id": app.role_id("integration").await })).await
}

#[tokio::test]
async fn a_key_acts_under_its_role_as_a_user_of_its_own_and_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (key, record) = integration_key(&app, "金蝶 ERP 同步").await;
    assert!(key.starts_with("crm_") && key.len() > 40, "{key}");
    assert_eq!(record["prefix"].as_str().unwrap(), &key[..12]);
    assert_eq!((record["status"].as_str(), record["role_key"].as_str()), (Some("active"), Some("integration")));

    let listed = app.get("/api/v1/api-keys", &admin).await.expect(200);
    assert_eq!(listed.body["data"][0]["id"], record["id"]);
    assert!(!listed.text.contains(&key[12..]), "a list never shows the secret");

    let customer = app.customer(&key, json!({ "kind": "company", "name": "上海浦江机械有限公司" })).await;
    assert_eq!(customer["owner_id"], record["user_id"], "what a key creates, its own user owns");
    assert_eq!(customer["owner_name"], "金蝶 ERP 同步");
    let audit =
        app.get(&format!("/api/v1/audit?entity_type=customer&entity_id={}", customer["id"].as_str().unwrap()), &admin).await.expect(200);
    assert_eq!(audit.body["data"][0]["changes"]["api_key_id"], record["id"], "{}", audit.text);
    assert_eq!(audit.body["data"][0]["actor_id"], record["user_id"]);

    // Used from this machine, noted once however often it is used.
    app.get("/api/v1/customers", &key).await.expect(200);
    let read = app.get(&format!("/api/v1/api-keys/{}", record["id"].as_str().unwrap()), &admin).await.expect(200);
    assert_eq!(read.body["last_used_ip"], "127.0.0.1");
    assert!(read.body["last_used_at"].is_string());
    assert_eq!(app.count("audit_log", Some(("action", "use"))).await, 1);

    // The integration finds an owner by email, and keys are not among the users people pick.
    let found = app.get("/api/v1/users?email=ADMIN@example.com", &key).await.expect(200);
    assert_eq!(found.body["data"].as_array().unwrap().len(), 1, "{}", found.text);
    let users = app.get("/api/v1/users?limit=200", &admin).await.expect(200);
    assert!(users.body["data"].as_array().unwrap().iter().all(|u| u["kind"] == "person"), "{}", users.text);
    let key_user = app.get(&format!("/api/v1/users/{}", record["user_id"].as_str().unwrap()), &admin).await.expect(200);
    assert_eq!(key_user.body["kind"], "api_key");
    let patched =
        app.patch(&format!("/api/v1/users/{}", record["user_id"].as_str().unwrap()), &admin, json!({ "active": false }), None).await;
    assert_eq!(patched.problem(409)["code"], "user.is_api_key");

    // No administration, no session, no password, and no signing in as the key's user.
    app.post("/api/v1/api-keys", &key, json!({ "name": "x", "role_id": app.role_id("admin").await })).await.problem(403);
    assert_eq!(app.send(Method::POST, "/api/v1/auth/logout", Some(&key), None, &[]).await.problem(409)["code"], "auth.no_session");
    let password = json!({ "current_password": "x", "new_password": "a much longer password" });
    assert_eq!(app.post("/api/v1/auth/password", &key, password).await.problem(409)["code"], "auth.no_session");
    let email = key_user.body["email"].as_str().unwrap();
    app.login(email, "!").await.problem(401);

    let unknown = app.get("/api/v1/customers", "crm_not-a-key-at-all").await.problem(401);
    assert_eq!(unknown["code"], "auth.api_key_invalid");
}

#[tokio::test]
async fn a_role_change_takes_effect_on_the_next_request() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (key, record) = integration_key(&app, "财务同步").await;
    app.customer(&key, json!({ "kind": "company", "name": "上海甲公司" })).await;
    let path = format!("/api/v1/api-keys/{}", record["id"].as_str().unwrap());
    let changed =
        app.patch(&path, &admin, json!({ "role_id": app.role_id("viewer").await, "name": "财务只读" }), Some("\"1\"")).await.expect(200);
    assert_eq!((changed.body["role_key"].as_str(), changed.body["name"].as_str()), (Some("viewer"), Some("财务只读")));
    app.post("/api/v1/customers", &key, json!({ "kind": "company", "name": "上海乙公司" })).await.problem(403);
    app.get("/api/v1/customers", &key).await.expect(200);
    app.patch(&path, &admin, json!({ "name": "again" }), Some("\"1\"")).await.problem(412);
}

#[tokio::test]
async fn rotation_overlaps_and_revocation_ends_a_key_at_once_on_every_instance() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let other_instance = app.spawn_alongside(|_| {}).await;
    let (old_key, record) = integration_key(&app, "ERP").await;
    let path = format!("/api/v1/api-keys/{}", record["id"].as_str().unwrap());

    // A mistyped field is refused, never taken as the default overlap.
    assert_eq!(app.post(&format!("{path}/rotate"), &admin, json!({ "overlap_minute": 0 })).await.invalid_fields(), ["overlap_minute"]);
    let rotated = app.post(&format!("{path}/rotate"), &admin, json!({ "overlap_minutes": 30 })).await.expect(201);
    let new_key = rotated.body["api_key"].as_str().unwrap().to_owned();
    assert_ne!(new_key, old_key);
    assert_eq!(rotated.body["key"]["user_id"], record["user_id"], "a rotated key acts as the same user");
    app.get("/api/v1/customers", &old_key).await.expect(200);
    app.get("/api/v1/customers", &new_key).await.expect(200);
    let old = app.get(&path, &admin).await.expect(200);
    assert_eq!(old.body["replaced_by_id"], rotated.body["key"]["id"]);
    assert!(old.body["expires_at"].is_string());
    let again = app.post(&format!("{path}/rotate"), &admin, json!({})).await.problem(409);
    assert_eq!(again["code"], "api_key.not_rotatable");
    // The replaced key's end stays where rotation put it.
    let revived = app.patch(&path, &admin, json!({ "expires_at": null }), None).await.problem(409);
    assert_eq!(revived["code"], "api_key.expiry_fixed");

    // With no overlap the old key stops at once.
    let new_path = format!("/api/v1/api-keys/{}", rotated.body["key"]["id"].as_str().unwrap());
    let third = app.post(&format!("{new_path}/rotate"), &admin, json!({ "overlap_minutes": 0 })).await.expect(201);
    assert_eq!(app.get("/api/v1/customers", &new_key).await.problem(401)["code"], "auth.api_key_expired");
    let third_key = third.body["api_key"].as_str().unwrap().to_owned();
    other_instance.get("/api/v1/customers", &third_key).await.expect(200);

    // Revoked on one instance, refused by the other on its next request.
    let third_path = format!("/api/v1/api-keys/{}", third.body["key"]["id"].as_str().unwrap());
    app.delete(&third_path, &admin).await.expect(204);
    assert_eq!(other_instance.get("/api/v1/customers", &third_key).await.problem(401)["code"], "auth.api_key_revoked");
    assert_eq!(app.get(&third_path, &admin).await.expect(200).body["status"], "revoked");
    app.send(Method::DELETE, &third_path, Some(&admin), None, &[("if-match", "\"1\"")]).await.expect(204);
    let overlap = app.post(&format!("{third_path}/rotate"), &admin, json!({ "overlap_minutes": 20000 })).await;
    assert_eq!(overlap.invalid_fields(), ["overlap_minutes"]);
    assert_eq!(app.count("events", Some(("event_type", "api_key.revoked"))).await, 1, "revoking twice is one revocation");
}

#[tokio::test]
async fn a_key_limited_to_addresses_is_refused_elsewhere() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (key, record) = make_key(
        &app,
        json!({ "name": "内网任务", "role_id": app.role_id("integration").await, "allowed_addresses": ["10.0.0.0/8", "192.168.1.7"] }),
    )
    .await;
    assert_eq!(record["allowed_addresses"], json!(["10.0.0.0/8", "192.168.1.7"]));
    assert_eq!(app.get("/api/v1/customers", &key).await.problem(401)["code"], "auth.api_key_address");
    let path = format!("/api/v1/api-keys/{}", record["id"].as_str().unwrap());
    app.patch(&path, &admin, json!({ "allowed_addresses": ["127.0.0.0/8"] }), None).await.expect(200);
    app.get("/api/v1/customers", &key).await.expect(200);
}

#[tokio::test]
async fn bad_keys_are_refused_field_by_field_and_only_administrators_make_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let before = app.side_effects().await;
    let invalid = app
        .post(
            "/api/v1/api-keys",
            &admin,
            json!({ "name": " ", "role_id": app.role_id("integration").await, "expires_at": "2020-01-01T00:00:00Z", "allowed_addresses": ["10.0.0.1", "intranet"] }),
        )
        .await
        .invalid_fields();
    assert_eq!(invalid, ["name", "expires_at", "allowed_addresses[1]"]);
    let no_role = app.post("/api/v1/api-keys", &admin, json!({ "name": "x", "role_id": "00000000-0000-0000-0000-000000000000" })).await;
    assert_eq!(no_role.invalid_fields(), ["role_id"]);
    assert_eq!(app.side_effects().await, before, "a refused key writes nothing");
    assert_eq!(app.count("users", None).await, 1);

    // A key with the administrator's role still may not manage keys.
    let (admin_key, _) = make_key(&app, json!({ "name": "运维", "role_id": app.role_id("admin").await })).await;
    app.get("/api/v1/users", &admin_key).await.expect(200);
    app.post("/api/v1/api-keys", &admin_key, json!({ "name": "x", "role_id": app.role_id("admin").await })).await.problem(403);
    app.get("/api/v1/api-keys", &admin_key).await.problem(403);

    let (_, sales) = app.user("li.na@example.com", "sales", &[]).await;
    app.post("/api/v1/api-keys", &sales, json!({ "name": "x", "role_id": app.role_id("sales").await })).await.problem(403);
    app.get("/api/v1/api-keys", &sales).await.problem(403);

    // An expiry in the future is kept, and a key past it is refused.
    let (key, record) =
        make_key(&app, json!({ "name": "季度任务", "role_id": app.role_id("integration").await, "expires_at": "2999-01-01T00:00:00Z" }))
            .await;
    app.get("/api/v1/customers", &key).await.expect(200);
    app.execute(
        "UPDATE api_keys SET expires_at = ? WHERE id = ?",
        [
            sea_orm::Value::from(chrono::Utc::now() - chrono::Duration::minutes(1)),
            sea_orm::Value::from(uuid::Uuid::parse_str(record["id"].as_str().unwrap()).unwrap()),
        ],
    )
    .await;
    assert_eq!(app.get("/api/v1/customers", &key).await.problem(401)["code"], "auth.api_key_expired");
}

#[tokio::test]
async fn a_key_used_from_alternating_addresses_is_audited_once_per_address() {
    let app = TestApp::spawn_with(|config| {
        config.trusted_proxies = crm_api::auth::TrustedProxies::parse("127.0.0.1").unwrap();
    })
    .await;
    let admin = app.admin().await;
    let (key, record) = integration_key(&app, "双出口同步").await;
    // A job behind two egress addresses that take turns.
    for round in 0..4 {
        for address in ["203.0.113.10", "203.0.113.20"] {
            app.send(Method::GET, "/api/v1/customers", Some(&key), None, &[("x-forwarded-for", address)]).await.expect(200);
        }
        assert_eq!(app.count("audit_log", Some(("action", "use"))).await, 2, "round {round}: each address is audited once");
    }
    app.send(Method::GET, "/api/v1/customers", Some(&key), None, &[("x-forwarded-for", "198.51.100.5")]).await.expect(200);
    let audit = app.get(&format!("/api/v1/audit?entity_type=api_key&entity_id={}", record["id"].as_str().unwrap()), &admin).await;
    let mut used_from: Vec<String> = audit.expect(200).body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["action"] == "use")
        .map(|entry| entry["changes"]["ip"].as_str().unwrap().to_owned())
        .collect();
    used_from.sort();
    assert_eq!(used_from, ["198.51.100.5", "203.0.113.10", "203.0.113.20"]);
    let read = app.get(&format!("/api/v1/api-keys/{}", record["id"].as_str().unwrap()), &admin).await.expect(200);
    assert_eq!(read.body["last_used_ip"], "198.51.100.5", "a new address is noted at once");
}

#[tokio::test]
async fn renaming_a_key_renames_its_rotated_siblings_as_changes_of_their_own() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, record) = integration_key(&app, "ERP").await;
    let old_path = format!("/api/v1/api-keys/{}", record["id"].as_str().unwrap());
    let rotated = app.post(&format!("{old_path}/rotate"), &admin, json!({})).await.expect(201);
    let new_path = format!("/api/v1/api-keys/{}", rotated.body["key"]["id"].as_str().unwrap());
    let old_before = app.get(&old_path, &admin).await.expect(200);
    let old_etag = old_before.header("etag").unwrap();

    let (audit_before, events_before) = app.side_effects().await;
    let renamed =
        app.patch(&new_path, &admin, json!({ "name": "ERP 生产", "role_id": app.role_id("viewer").await }), None).await.expect(200);
    assert_eq!(renamed.body["name"], "ERP 生产");
    let old_after = app.get(&old_path, &admin).await.expect(200);
    assert_eq!((old_after.body["name"].as_str(), old_after.body["role_key"].as_str()), (Some("ERP 生产"), Some("viewer")));
    assert_eq!(old_after.body["version"].as_i64(), old_before.body["version"].as_i64().map(|v| v + 1), "the sibling's version moves");
    // The sibling's old ETag is stale now.
    app.patch(&old_path, &admin, json!({ "name": "x" }), Some(old_etag.as_str())).await.problem(412);
    // The key, its sibling and the user they act as: one audit entry and one event each.
    let (audit_after, events_after) = app.side_effects().await;
    assert_eq!((audit_after - audit_before, events_after - events_before), (3, 3));
    let changed = app.get("/api/v1/events?after=0&limit=200", &admin).await.expect(200).body;
    let sibling_event = changed["data"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|event| event["entity_id"] == record["id"] && event["event_type"] == "api_key.updated")
        .cloned()
        .unwrap();
    assert_eq!(sibling_event["payload"]["changed"]["name"], json!(["ERP", "ERP 生产"]), "{sibling_event}");
    assert_eq!(sibling_event["payload"]["record"], old_after.body);
    let user_id = record["user_id"].as_str().unwrap();
    assert!(
        changed["data"].as_array().unwrap().iter().any(|event| event["entity_id"] == user_id && event["event_type"] == "user.updated"),
        "the key's user is told as changed"
    );
}

#[tokio::test]
async fn a_rotation_may_give_the_new_key_its_own_expiry() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let soon = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let (_, record) = make_key(&app, json!({ "name": "月底到期", "role_id": app.role_id("integration").await, "expires_at": soon })).await;
    let path = format!("/api/v1/api-keys/{}", record["id"].as_str().unwrap());
    let past = app.post(&format!("{path}/rotate"), &admin, json!({ "expires_at": "2020-01-01T00:00:00Z" })).await.invalid_fields();
    assert_eq!(past, ["expires_at"]);
    let both = app.post(&format!("{path}/rotate"), &admin, json!({ "expires_at": "2020-01-01T00:00:00Z", "overlap_minutes": -1 })).await;
    let mut fields = both.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["expires_at", "overlap_minutes"], "every field's error at once");
    // A new key ending before the old one stops would leave only the replaced secret working.
    let within = (chrono::Utc::now() + chrono::Duration::minutes(30)).to_rfc3339();
    let early = app.post(&format!("{path}/rotate"), &admin, json!({ "expires_at": within, "overlap_minutes": 60 })).await;
    assert_eq!(early.problem(422)["errors"][0]["code"], "within_overlap");
    let later = (chrono::Utc::now() + chrono::Duration::days(365)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let extended = app.post(&format!("{path}/rotate"), &admin, json!({ "expires_at": later, "overlap_minutes": 10 })).await.expect(201);
    let new_expiry = chrono::DateTime::parse_from_rfc3339(extended.body["key"]["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(new_expiry, chrono::DateTime::parse_from_rfc3339(&later).unwrap(), "the new key lasts as asked");
    let old = app.get(&path, &admin).await.expect(200).body;
    let old_expiry = chrono::DateTime::parse_from_rfc3339(old["expires_at"].as_str().unwrap()).unwrap();
    assert!(old_expiry <= chrono::Utc::now() + chrono::Duration::minutes(10), "the old key still ends with the overlap: {old}");
    // Without `expires_at` the new key keeps the old one's; `null` makes it work until revoked.
    let new_path = format!("/api/v1/api-keys/{}", extended.body["key"]["id"].as_str().unwrap());
    let kept = app.post(&format!("{new_path}/rotate"), &admin, json!({})).await.expect(201);
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(kept.body["key"]["expires_at"].as_str().unwrap()).unwrap(),
        new_expiry,
        "{}",
        kept.text
    );
    let kept_path = format!("/api/v1/api-keys/{}", kept.body["key"]["id"].as_str().unwrap());
    let endless = app.post(&format!("{kept_path}/rotate"), &admin, json!({ "expires_at": null })).await.expect(201);
    assert_eq!(endless.body["key"]["expires_at"], serde_json::Value::Null);
}
