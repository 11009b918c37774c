//! Outgoing webhooks, received by a local receiver (tests/webhook_receiver.py) that verifies every
//! delivery with the Standard Webhooks project's own Python package: signatures, retries on the
//! schedule (scaled to milliseconds in tests), Retry-After, 410 and five failing days disabling
//! the subscription, the owner's read rights, secret rotation, redelivery, the address guard and
//! two server instances delivering each event once.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crm_tests::TestApp;

/// The venv with the pinned `standardwebhooks` package (`make webhook-venv`). Under CI a missing
/// one fails the test; locally the test builds it.
fn receiver_python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join("target/webhook-venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "target/webhook-venv is missing: run `make webhook-venv` before the tests (CI never skips them)"
        );
        let built = Command::new("bash").arg(root.join("scripts/webhook-venv.sh")).status().expect("bash runs");
        assert!(built.success(), "scripts/webhook-venv.sh failed");
    }
    python
}

/// The receiver process, ended when the test drops it.
struct Receiver {
    child: Child,
    port: u16,
    client: reqwest::Client,
}

impl Receiver {
    fn start() -> Self {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("webhook_receiver.py");
        let mut child = Command::new(receiver_python())
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the receiver starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| panic!("the receiver printed {line:?}, not its port"));
        // Idle connections are dropped before the receiver's server could close them (see TestApp).
        let client = reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(2)).build().unwrap();
        Self { child, port, client }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request received on `path`, each verified with each of `secrets`.
    async fn report(&self, path: &str, secrets: &[&str]) -> Vec<Value> {
        let mut query: Vec<(&str, &str)> = vec![("path", path)];
        query.extend(secrets.iter().map(|s| ("secret", *s)));
        let reply = self.client.get(self.url("/_report")).query(&query).send().await.unwrap();
        reply.json::<Vec<Value>>().await.unwrap()
    }

    /// Waits until `path` has received `count` requests (never sleeping past a deadline).
    async fn wait_for(&self, path: &str, secrets: &[&str], count: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let report = self.report(path, secrets).await;
            if report.len() >= count {
                return report;
            }
            assert!(Instant::now() < deadline, "{path} received {} of {count} requests: {report:?}", report.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Subscribes `url` to `types` as the administrator; returns (the subscription, its secret).
async fn subscribe(app: &TestApp, url: &str, types: &[&str], owner: Option<&str>) -> (Value, String) {
    let mut body = json!({ "url": url, "event_types": types, "description": "测试接收端" });
    if let Some(owner) = owner {
        body["owner_id"] = json!(owner);
    }
    let reply = app.post("/api/v1/webhooks", &app.admin().await, body).await.expect(201);
    let secret = reply.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (reply.body["webhook"].clone(), secret)
}

/// Polls the subscription's deliveries until `done` holds for them.
async fn deliveries_until(app: &TestApp, webhook: &Value, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let path = format!("/api/v1/webhooks/{}/deliveries", webhook["id"].as_str().unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = app.get(&path, &app.admin().await).await.expect(200);
        let data = page.body["data"].as_array().unwrap().clone();
        if done(&data) {
            return data;
        }
        assert!(Instant::now() < deadline, "deliveries never got there: {data:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn all_succeeded(count: usize) -> impl Fn(&[Value]) -> bool {
    move |d: &[Value]| d.len() == count && d.iter().all(|d| d["status"] == "succeeded")
}

#[tokio::test]
async fn a_new_customer_is_delivered_signed_to_the_standard_and_verified_by_its_library() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start();
    let (webhook, secret) = subscribe(&app, &receiver.url("/crm/ok"), &["customer.created"], None).await;
    assert_eq!(webhook["status"], "active");
    assert!(!app.get("/api/v1/webhooks", &admin).await.expect(200).text.contains(&secret), "the secret is shown once");
    assert_eq!(app.count("events", Some(("event_type", "webhook.created"))).await, 1);
    assert_eq!(app.count("audit_log", Some(("entity_type", "webhook"))).await, 1);

    // A retried POST with an Idempotency-Key subscribes once, and its secret is never stored.
    let body = json!({ "url": receiver.url("/crm/other"), "event_types": ["order.confirmed"] });
    let headers = [("Idempotency-Key", "webhook-once")];
    let first = app.send(reqwest::Method::POST, "/api/v1/webhooks", Some(&admin), Some(&body), &headers).await.expect(201);
    let again = app.send(reqwest::Method::POST, "/api/v1/webhooks", Some(&admin), Some(&body), &headers).await.problem(409);
    assert_eq!(again["code"], "idempotency.not_replayable");
    assert!(!again.to_string().contains(first.body["secret"].as_str().unwrap()));
    assert_eq!(app.count("webhook_subscriptions", None).await, 2);

    let customer = app.customer(&admin, json!({ "kind": "company", "name": "上海浦江机械有限公司" })).await;
    app.patch(&format!("/api/v1/customers/{}", customer["id"].as_str().unwrap()), &admin, json!({ "industry": "制造" }), None)
        .await
        .expect(200);

    let report = receiver.wait_for("/crm/ok", &[&secret], 1).await;
    assert_eq!(report[0]["verified"], json!([true]), "{report:?}");
    let payload = &report[0]["payload"];
    assert_eq!(payload["type"], "customer.created");
    assert!(payload["timestamp"].is_string());
    assert_eq!(payload["data"]["event_type"], "customer.created");
    assert_eq!(payload["data"]["entity_id"], customer["id"]);
    assert_eq!(payload["data"]["payload"]["record"]["name"], "上海浦江机械有限公司");
    assert!(payload["data"]["seq"].as_i64().unwrap() > 0);

    let deliveries = deliveries_until(&app, &webhook, all_succeeded(1)).await;
    assert_eq!(deliveries[0]["message_id"], report[0]["webhook_id"], "webhook-id is the delivery's message id");
    assert_eq!(deliveries[0]["event_type"], "customer.created", "the update is not subscribed to");
    let attempts = deliveries[0]["attempts"].as_array().unwrap();
    assert_eq!((attempts.len(), attempts[0]["status_code"].as_i64()), (1, Some(204)));

    // A test event reaches this subscription alone, whatever it subscribed to.
    let test = app.post(&format!("/api/v1/webhooks/{}/test", webhook["id"].as_str().unwrap()), &admin, json!({})).await.expect(202);
    assert_eq!(test.body["event_type"], "webhook.tested");
    let report = receiver.wait_for("/crm/ok", &[&secret], 2).await;
    assert_eq!(report[1]["payload"]["type"], "webhook.tested");
    assert!(report.iter().all(|r| r["verified"] == json!([true])), "{report:?}");
}

#[tokio::test]
async fn a_receiver_that_fails_twice_then_succeeds_gets_three_attempts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start();
    let (webhook, secret) = subscribe(&app, &receiver.url("/crm/fail2"), &["customer.created"], None).await;
    app.customer(&admin, json!({ "kind": "company", "name": "杭州西湖贸易" })).await;

    let deliveries = deliveries_until(&app, &webhook, all_succeeded(1)).await;
    let codes: Vec<Option<i64>> = deliveries[0]["attempts"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64()).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(204)]);
    assert_eq!(deliveries[0]["attempt_count"], 3);
    assert_eq!(deliveries[0]["attempts"][0]["response_excerpt"], "receiver says 500");
    let report = receiver.wait_for("/crm/fail2", &[&secret], 3).await;
    assert_eq!(report.len(), 3);
    assert!(report.iter().all(|r| r["verified"] == json!([true]) && r["webhook_id"] == report[0]["webhook_id"]), "{report:?}");
    let healthy = app.get(&format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap()), &admin).await.expect(200);
    assert!(healthy.body["failing_since"].is_null(), "a success ends the failing streak");
}

#[tokio::test]
async fn an_attempt_that_gets_no_answer_says_why_as_a_code() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // A receiver that takes the connection and closes it without answering.
    let hangs_up = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hangs_up_port = hangs_up.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for connection in hangs_up.incoming() {
            drop(connection);
        }
    });
    // Port 1 (tcpmux) is privileged and nothing here serves it: the connection is refused.
    for (url, code) in [("http://127.0.0.1:1/nobody".to_owned(), "connection"), (format!("http://127.0.0.1:{hangs_up_port}/"), "request")] {
        let (webhook, _) = subscribe(&app, &url, &["customer.created"], None).await;
        app.post(&format!("/api/v1/webhooks/{}/test", webhook["id"].as_str().unwrap()), &admin, json!({})).await.expect(202);
        let deliveries = deliveries_until(&app, &webhook, |d| d.len() == 1 && !d[0]["attempts"].as_array().unwrap().is_empty()).await;
        let attempt = &deliveries[0]["attempts"][0];
        assert_eq!(attempt["status_code"], Value::Null, "{url}: {attempt}");
        assert_eq!(attempt["error_code"], code, "{url}: {attempt}");
        assert!(!attempt["error"].as_str().unwrap().is_empty(), "the transport's words stay for debugging: {attempt}");
    }
}

#[tokio::test]
async fn gone_or_five_days_of_failures_disable_the_subscription_and_notify_its_owner() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start();
    let (gone, _) = subscribe(&app, &receiver.url("/crm/gone"), &["customer.created"], None).await;
    let (failing, _) = subscribe(&app, &receiver.url("/crm/fail2"), &["customer.created"], None).await;
    let long_ago = chrono::Utc::now() - chrono::Duration::days(6);
    app.execute(
        "UPDATE webhook_subscriptions SET failing_since = ? WHERE id = ?",
        [long_ago.into(), failing["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap().into()],
    )
    .await;
    app.customer(&admin, json!({ "kind": "company", "name": "苏州工业园" })).await;

    for (webhook, reason) in [(&gone, "gone"), (&failing, "failing")] {
        let deliveries = deliveries_until(&app, webhook, |d| d.len() == 1 && d[0]["status"] == "failed").await;
        assert_eq!(deliveries[0]["attempts"].as_array().unwrap().len(), 1, "no retry once disabled");
        let read = app.get(&format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap()), &admin).await.expect(200);
        assert_eq!((read.body["status"].as_str(), read.body["disabled_reason"].as_str()), (Some("disabled"), Some(reason)));
    }
    let notifications = app.get("/api/v1/notifications", &admin).await.expect(200);
    let kinds: Vec<&str> = notifications.body["data"].as_array().unwrap().iter().filter_map(|n| n["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "webhook_disabled").count(), 2, "{}", notifications.text);
    assert_eq!(app.count("events", Some(("event_type", "webhook.disabled"))).await, 2);

    // Resuming starts afresh.
    let path = format!("/api/v1/webhooks/{}", gone["id"].as_str().unwrap());
    let version = app.get(&path, &admin).await.expect(200).body["version"].to_string();
    let resumed = app.patch(&path, &admin, json!({ "status": "active" }), Some(&format!("\"{version}\""))).await.expect(200);
    assert_eq!((resumed.body["status"].as_str(), resumed.body["disabled_reason"].as_str()), (Some("active"), None));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start();
    // 3600 s scaled by the tests' 0.001 is 3.6 s, far beyond the schedule's scaled 5 ms.
    let (webhook, secret) = subscribe(&app, &receiver.url("/crm/retry-after-3600"), &["customer.created"], None).await;
    app.customer(&admin, json!({ "kind": "company", "name": "宁波港务" })).await;

    let waiting = deliveries_until(&app, &webhook, |d| {
        d.len() == 1
            && d[0]["attempt_count"] == 1
            && d[0]["status"] == "pending"
            && d[0]["attempts"].as_array().is_some_and(|a| a.len() == 1)
    })
    .await;
    let attempted: chrono::DateTime<chrono::Utc> = waiting[0]["attempts"][0]["attempted_at"].as_str().unwrap().parse().unwrap();
    let next: chrono::DateTime<chrono::Utc> = waiting[0]["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert!(next - attempted >= chrono::Duration::milliseconds(3500), "next attempt at {next}, first at {attempted}");
    assert_eq!(waiting[0]["attempts"][0]["status_code"], 503);

    let done = deliveries_until(&app, &webhook, all_succeeded(1)).await;
    assert_eq!(done[0]["attempts"].as_array().unwrap().len(), 2);
    let report = receiver.wait_for("/crm/retry-after-3600", &[&secret], 2).await;
    assert!(report.iter().all(|r| r["verified"] == json!([true])), "{report:?}");
}

#[tokio::test]
async fn private_loopback_and_metadata_targets_are_refused_without_the_setting() {
    let app = TestApp::spawn_with(|config| config.webhook_allow_private = false).await;
    let admin = app.admin().await;
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost:8080/hook",
    ] {
        let body = json!({ "url": url, "event_types": ["customer.created"] });
        let problem = app.post("/api/v1/webhooks", &admin, body).await.problem(422);
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
        assert_eq!(problem["errors"][0]["code"], "forbidden_address", "{url}: {problem}");
    }
    let problem = app
        .post("/api/v1/webhooks", &admin, json!({ "url": "ftp://example.com/", "event_types": ["customer.created", "no.such_type"] }))
        .await
        .problem(422);
    let codes: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["code"].as_str()).collect();
    assert_eq!(codes, ["url", "unknown_event_type"], "{problem}");
    assert_eq!(app.count("webhook_subscriptions", None).await, 0);

    // Not an administrator: no webhooks at all.
    let (_, sales) = app.user("sales@example.com", "sales", &[]).await;
    app.post("/api/v1/webhooks", &sales, json!({ "url": "https://93.184.216.34/", "event_types": ["customer.created"] }))
        .await
        .problem(403);
    app.get("/api/v1/webhooks", &sales).await.problem(403);
}

#[tokio::test]
async fn a_subscription_receives_only_the_events_its_owner_may_read() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let east = app.create_team("华东", None).await;
    let west = app.create_team("华西", None).await;
    let (east_id, east_token) = app.user("east@example.com", "sales", &[&east]).await;
    let (_, west_token) = app.user("west@example.com", "sales", &[&west]).await;
    let receiver = Receiver::start();
    let (webhook, secret) = subscribe(&app, &receiver.url("/east/ok"), &["customer.created"], Some(&east_id)).await;
    assert_eq!(webhook["owner_id"], east_id.as_str());

    app.customer(&west_token, json!({ "kind": "company", "name": "成都西部客户" })).await;
    app.customer(&admin, json!({ "kind": "company", "name": "管理员的客户" })).await;
    let own = app.customer(&east_token, json!({ "kind": "company", "name": "上海华东客户" })).await;

    let report = receiver.wait_for("/east/ok", &[&secret], 1).await;
    // The east rep's customer came after the others, so they were fanned out (and skipped) first.
    let deliveries = deliveries_until(&app, &webhook, all_succeeded(1)).await;
    assert_eq!(deliveries.len(), 1);
    let report_again = receiver.report("/east/ok", &[&secret]).await;
    assert_eq!(report_again.len(), 1, "{report_again:?}");
    assert_eq!(report[0]["payload"]["data"]["entity_id"], own["id"]);
    assert_eq!(report[0]["verified"], json!([true]));
}

#[tokio::test]
async fn during_a_rotation_both_secrets_sign_and_the_verifier_accepts_either() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start();
    let (webhook, old_secret) = subscribe(&app, &receiver.url("/rotate/ok"), &["customer.created"], None).await;
    let path = format!("/api/v1/webhooks/{}/rotate-secret", webhook["id"].as_str().unwrap());
    let rotated = app
        .send(reqwest::Method::POST, &path, Some(&admin), Some(&json!({ "overlap_minutes": 60 })), &[("If-Match", "\"1\"")])
        .await
        .expect(200);
    let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, old_secret);
    assert!(rotated.body["webhook"]["previous_secret_expires_at"].is_string());
    assert_eq!(app.count("events", Some(("event_type", "webhook.secret_rotated"))).await, 1);
    assert!(!app.get("/api/v1/audit?entity_type=webhook", &admin).await.expect(200).text.contains(&new_secret[6..]));

    app.customer(&admin, json!({ "kind": "company", "name": "广州花城" })).await;
    let report = receiver.wait_for("/rotate/ok", &[&old_secret, &new_secret], 1).await;
    assert_eq!(report[0]["signatures"], 2);
    assert_eq!(report[0]["verified"], json!([true, true]), "{report:?}");

    // Without the overlap only the new secret signs.
    let rotated = app
        .send(reqwest::Method::POST, &path, Some(&admin), Some(&json!({ "overlap_minutes": 0 })), &[("If-Match", "\"2\"")])
        .await
        .expect(200);
    let newest = rotated.body["secret"].as_str().unwrap().to_owned();
    app.customer(&admin, json!({ "kind": "company", "name": "深圳南山" })).await;
    let report = receiver.wait_for("/rotate/ok", &[&new_secret, &newest], 2).await;
    assert_eq!(report[1]["verified"], json!([false, true]), "{report:?}");
}

#[tokio::test]
async fn one_delivery_or_everything_since_a_time_can_be_sent_again() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start();
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let (webhook, secret) = subscribe(&app, &receiver.url("/again/ok"), &["customer.created"], None).await;
    let id = webhook["id"].as_str().unwrap();
    app.customer(&admin, json!({ "kind": "company", "name": "天津滨海" })).await;
    let deliveries = deliveries_until(&app, &webhook, all_succeeded(1)).await;

    let again = app
        .post(&format!("/api/v1/webhooks/{id}/deliveries/{}/redeliver", deliveries[0]["id"].as_str().unwrap()), &admin, json!({}))
        .await
        .expect(202);
    assert_eq!(again.body["message_id"], deliveries[0]["message_id"]);
    receiver.wait_for("/again/ok", &[&secret], 2).await;
    let since = app.post(&format!("/api/v1/webhooks/{id}/redeliver"), &admin, json!({ "since": before })).await.expect(202);
    assert_eq!(since.body["deliveries"], 1);
    let report = receiver.wait_for("/again/ok", &[&secret], 3).await;
    assert!(report.iter().all(|r| r["verified"] == json!([true]) && r["webhook_id"] == report[0]["webhook_id"]), "{report:?}");
    let deliveries = deliveries_until(&app, &webhook, |d| {
        d.len() == 1 && d[0]["status"] == "succeeded" && d[0]["attempts"].as_array().is_some_and(|a| a.len() == 3)
    })
    .await;
    assert_eq!(deliveries[0]["attempt_count"], 1, "a redelivery is a new round");
    app.get(&format!("/api/v1/webhooks/{id}/deliveries?status=failed"), &admin).await.expect(200);
}

/// The web app sends every POST with an Idempotency-Key, which holds the request's writes until
/// the response is stored: the test event and the redelivery must answer from inside them.
#[tokio::test]
async fn a_test_and_a_redelivery_sent_with_an_idempotency_key_answer_with_their_delivery() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start();
    let (webhook, secret) = subscribe(&app, &receiver.url("/keyed/ok"), &["customer.created"], None).await;
    let id = webhook["id"].as_str().unwrap();

    let keyed = [("Idempotency-Key", "test-once")];
    let test = app.send(reqwest::Method::POST, &format!("/api/v1/webhooks/{id}/test"), Some(&admin), None, &keyed).await.expect(202);
    assert_eq!(test.body["event_type"], "webhook.tested");
    assert_eq!(test.body["status"], "pending");
    let again = app.send(reqwest::Method::POST, &format!("/api/v1/webhooks/{id}/test"), Some(&admin), None, &keyed).await.expect(202);
    assert_eq!(again.body["id"], test.body["id"], "a retry with the key answers the same delivery");
    let report = receiver.wait_for("/keyed/ok", &[&secret], 1).await;
    assert_eq!(report[0]["payload"]["type"], "webhook.tested");
    let deliveries = deliveries_until(&app, &webhook, all_succeeded(1)).await;
    assert_eq!(deliveries[0]["id"], test.body["id"], "one test, one delivery");

    let path = format!("/api/v1/webhooks/{id}/deliveries/{}/redeliver", deliveries[0]["id"].as_str().unwrap());
    let redelivered =
        app.send(reqwest::Method::POST, &path, Some(&admin), None, &[("Idempotency-Key", "redeliver-once")]).await.expect(202);
    assert_eq!(redelivered.body["id"], deliveries[0]["id"]);
    assert_eq!(
        (redelivered.body["status"].as_str(), redelivered.body["attempt_count"].as_i64()),
        (Some("pending"), Some(0)),
        "a new round"
    );
    receiver.wait_for("/keyed/ok", &[&secret], 2).await;
}

#[tokio::test]
async fn two_instances_on_one_database_deliver_each_event_once() {
    let first = TestApp::spawn().await;
    let second = first.spawn_alongside(|_| {}).await;
    let admin = first.admin().await;
    let receiver = Receiver::start();
    let (webhook, secret) = subscribe(&first, &receiver.url("/pair/ok"), &["customer.created"], None).await;
    let count = 12;
    for n in 0..count {
        let app = if n % 2 == 0 { &first } else { &second };
        app.customer(&app.admin().await, json!({ "kind": "company", "name": format!("并发客户 {n}") })).await;
    }
    deliveries_until(&first, &webhook, all_succeeded(count)).await;
    let report = receiver.wait_for("/pair/ok", &[&secret], count).await;
    let mut ids: Vec<&str> = report.iter().map(|r| r["webhook_id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((report.len(), ids.len()), (count, count), "each event once: {report:?}");
    assert!(report.iter().all(|r| r["verified"] == json!([true])));
    let attempts = first.count("webhook_attempts", None).await;
    assert_eq!(attempts, count as i64);
    let _ = admin;
}

#[tokio::test]
async fn a_subscription_sends_personal_data_masked_unless_its_owner_may_read_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let admin_id = app.get("/api/v1/auth/me", &admin).await.body["id"].as_str().unwrap().to_owned();
    let (marketing_id, _) = app.user("marketing@example.com", "marketing", &[]).await;
    let receiver = Receiver::start();
    let (_, masked_secret) = subscribe(&app, &receiver.url("/marketing"), &["customer.created"], Some(&marketing_id)).await;
    let (_, clear_secret) = subscribe(&app, &receiver.url("/admin"), &["customer.created"], Some(&admin_id)).await;

    let customer = app
        .customer(&admin, json!({ "kind": "company", "name": "上海隐私客户", "phone": "13812345678", "email": "boss@privacy.cn", "address": "上海市浦东新区张江路 1 号" }))
        .await;

    let masked = receiver.wait_for("/marketing", &[&masked_secret], 1).await;
    let record = &masked[0]["payload"]["data"]["payload"]["record"];
    assert_eq!(record["id"], customer["id"]);
    assert_eq!(record["phone"], "138****5678", "{record}");
    assert_eq!(record["email"], "b***@privacy.cn");
    assert_eq!(record["address"], "上海市浦东新区****");
    assert_eq!(record["masked"], json!(["phone", "email", "address"]));
    assert_eq!(masked[0]["verified"], json!([true]), "the masked body is the one signed");
    let raw = masked[0].to_string();
    assert!(!raw.contains("13812345678") && !raw.contains("boss@privacy.cn") && !raw.contains("张江路"), "{raw}");

    let clear = receiver.wait_for("/admin", &[&clear_secret], 1).await;
    let record = &clear[0]["payload"]["data"]["payload"]["record"];
    assert_eq!((record["phone"].as_str(), record["email"].as_str()), (Some("+8613812345678"), Some("boss@privacy.cn")));
    assert_eq!(record["masked"], json!([]));
}
