//! Orders: numbering, integer arithmetic, transitions, the customer's promotion and figures.

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::TestApp;

const ZH: &[(&str, &str)] = &[("accept-language", "zh-CN")];

async fn product(app: &TestApp, token: &str, sku: &str, price: i64) -> String {
    app.post("/api/v1/products", token, json!({ "sku": sku, "name": format!("产品 {sku}"), "unit_price": { "amount_minor": price } }))
        .await
        .expect(201)
        .id()
}

#[tokio::test]
async fn totals_are_computed_by_the_server_in_integer_minor_units() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Buyer" })).await["id"].as_str().unwrap().to_owned();
    let a = product(&app, &admin, "A", 999).await;
    let b = product(&app, &admin, "B", 5).await;
    let lines = json!([
        { "product_id": a, "quantity": 3, "discount_bp": 1000 },
        { "product_id": b, "quantity": 1, "discount_bp": 5000 },
        { "product_id": a, "quantity": 7, "unit_price_minor": 1001 }
    ]);
    let order = app
        .post("/api/v1/orders", &admin, json!({ "customer_id": customer, "lines": lines, "order_date": "2026-11-20" }))
        .await
        .expect(201)
        .body;
    // 3 × 999 = 2997 less 10 % = 2697.3 → 2697; 1 × 5 less 50 % = 2.5 → 3; 7 × 1001 = 7007.
    let line_totals: Vec<i64> = order["lines"].as_array().unwrap().iter().map(|l| l["line_total_minor"].as_i64().unwrap()).collect();
    assert_eq!(line_totals, [2697, 3, 7007]);
    assert_eq!(order["subtotal"], json!({ "amount_minor": 2997 + 5 + 7007, "currency": "CNY" }));
    assert_eq!(order["total"]["amount_minor"], 2697 + 3 + 7007);
    assert_eq!(order["discount"]["amount_minor"], (2997 + 5 + 7007) - (2697 + 3 + 7007));
    assert_eq!(order["status"], "draft");
    assert_eq!(order["lines"][0]["sku"], "A");
    assert!(order["number"].as_str().unwrap().starts_with("SO-"));

    let mut fields = app
        .post("/api/v1/orders", &admin, json!({ "customer_id": customer, "currency": "cnyx", "lines": [{ "product_id": a, "quantity": 0, "discount_bp": 10001, "unit_price_minor": -1 }] }))
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["currency", "lines[0].discount_bp", "lines[0].quantity", "lines[0].unit_price_minor"]);
    assert_eq!(app.post("/api/v1/orders", &admin, json!({ "customer_id": customer, "lines": [] })).await.invalid_fields(), ["lines"]);
    let unknown = uuid::Uuid::now_v7();
    assert_eq!(
        app.post("/api/v1/orders", &admin, json!({ "customer_id": customer, "lines": [{ "product_id": unknown, "quantity": 1 }] }))
            .await
            .invalid_fields(),
        ["lines[0].product_id"]
    );
    assert_eq!(
        app.post(
            "/api/v1/orders",
            &admin,
            json!({ "customer_id": customer, "currency": "USD", "lines": [{ "product_id": a, "quantity": 1 }] })
        )
        .await
        .invalid_fields(),
        ["lines[0].product_id"]
    );
    let huge = app.post("/api/v1/orders", &admin, json!({ "customer_id": customer, "lines": [{ "product_id": a, "quantity": 1_000_000_000, "unit_price_minor": 1_000_000_000_000_000i64 }] })).await;
    huge.problem(422);
}

#[tokio::test]
async fn parallel_creates_never_share_an_order_number() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Rush" })).await["id"].as_str().unwrap().to_owned();
    let a = product(&app, &admin, "A", 100).await;
    let body = json!({ "customer_id": customer, "lines": [{ "product_id": a, "quantity": 1 }] });
    let creates = (0..12).map(|_| app.post("/api/v1/orders", &admin, body.clone()));
    let replies = futures_util::future::join_all(creates).await;
    let mut numbers: Vec<String> = replies.into_iter().map(|r| r.expect(201).body["number"].as_str().unwrap().to_owned()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 12);
    assert_eq!(numbers.first().unwrap(), "SO-000001");
    assert_eq!(numbers.last().unwrap(), "SO-000012");
}

#[tokio::test]
async fn statuses_move_by_the_rules_and_a_confirmed_order_makes_a_customer() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Prospect Co", "lifecycle_stage": "prospect" })).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = product(&app, &admin, "A", 10_000).await;
    let create = |date: &str, quantity: i64| json!({ "customer_id": customer, "order_date": date, "lines": [{ "product_id": a, "quantity": quantity }] });
    let first = app.post("/api/v1/orders", &admin, create("2026-03-01", 2)).await.expect(201).body;
    let second = app.post("/api/v1/orders", &admin, create("2026-06-15", 5)).await.expect(201).body;
    let path = |o: &Value| format!("/api/v1/orders/{}", o["id"].as_str().unwrap());

    let refused = app.post(&format!("{}/fulfill", path(&first)), &admin, json!({})).await.problem(409);
    assert_eq!(refused["code"], "order.invalid_transition");
    let zh = app.send(Method::POST, &format!("{}/refund", path(&first)), Some(&admin), Some(&json!({})), ZH).await.problem(409);
    assert_eq!(zh["detail"], "订单当前为“草稿”，不能改为“已退款”");
    let confirmed = app.post(&format!("{}/confirm", path(&first)), &admin, json!({})).await.expect(200).body;
    assert!(confirmed["confirmed_at"].as_str().is_some());
    assert_eq!(app.patch(&path(&first), &admin, json!({ "notes": "too late" }), None).await.problem(409)["code"], "order.not_editable");
    assert_eq!(app.delete(&path(&first), &admin).await.problem(409)["code"], "order.not_deletable");

    let c = app.get(&format!("/api/v1/customers/{customer}"), &admin).await.body;
    assert_eq!(c["lifecycle_stage"], "customer");
    assert_eq!(c["order_count"], 1);
    assert_eq!(c["total_spend_minor"], 20_000);
    // the order's day begins at midnight in Shanghai, the organisation's zone
    assert_eq!(c["first_order_at"], "2026-02-28T16:00:00Z");
    let history = app.get(&format!("/api/v1/customers/{customer}/stage-history"), &admin).await.body;
    assert_eq!(history["data"][0]["to_stage"], "customer");

    app.post(&format!("{}/confirm", path(&second)), &admin, json!({})).await.expect(200);
    app.post(&format!("{}/fulfill", path(&second)), &admin, json!({})).await.expect(200);
    let c = app.get(&format!("/api/v1/customers/{customer}"), &admin).await.body;
    assert_eq!((c["order_count"].clone(), c["total_spend_minor"].clone()), (json!(2), json!(70_000)));
    assert_eq!(c["last_order_at"], "2026-06-14T16:00:00Z");
    app.post(&format!("{}/refund", path(&second)), &admin, json!({})).await.expect(200);
    app.post(&format!("{}/cancel", path(&second)), &admin, json!({})).await.problem(409);
    let c = app.get(&format!("/api/v1/customers/{customer}"), &admin).await.body;
    assert_eq!((c["order_count"].clone(), c["total_spend_minor"].clone()), (json!(1), json!(20_000)));

    assert_eq!(app.count("events", Some(("event_type", "order.confirmed"))).await, 2);
    assert_eq!(app.count("events", Some(("event_type", "order.refunded"))).await, 1);
    let timeline = app.get(&format!("/api/v1/customers/{customer}/timeline?kind=order"), &admin).await.expect(200).body;
    assert_eq!(timeline["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get(&format!("/api/v1/orders?customer_id={customer}&status=refunded&include_total=true"), &admin).await.body["total"],
        1
    );
    // Drafts are edited and deleted; their totals follow new lines.
    let draft = app.post("/api/v1/orders", &admin, create("2026-07-01", 1)).await.expect(201).body;
    let edited =
        app.patch(&path(&draft), &admin, json!({ "lines": [{ "product_id": a, "quantity": 4 }] }), Some("\"1\"")).await.expect(200).body;
    assert_eq!(edited["total"]["amount_minor"], 40_000);
    // A change that changes nothing keeps the version, as on every other record.
    let unchanged = app.patch(&path(&draft), &admin, json!({ "order_date": "2026-07-01" }), Some("\"2\"")).await.expect(200).body;
    assert_eq!(unchanged["version"], 2);
    app.delete(&path(&draft), &admin).await.expect(204);
}

#[tokio::test]
async fn a_won_opportunity_becomes_an_order_with_its_lines() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Deal Co" })).await["id"].as_str().unwrap().to_owned();
    let a = product(&app, &admin, "A", 12_345).await;
    let opportunity = app
        .post("/api/v1/opportunities", &admin, json!({ "name": "deal", "customer_id": customer, "amount": { "amount_minor": 0 }, "lines": [{ "product_id": a, "quantity": 10, "discount_bp": 250 }] }))
        .await
        .expect(201)
        .body;
    // 10 × 12345 = 123450 less 2.5 % = 120363.75 → 120364
    assert_eq!(opportunity["amount"]["amount_minor"], 120_364);
    let id = opportunity["id"].as_str().unwrap();
    assert_eq!(app.post(&format!("/api/v1/opportunities/{id}/order"), &admin, json!({})).await.problem(409)["code"], "opportunity.not_won");
    let pipelines = app.get("/api/v1/pipelines", &admin).await.body;
    let won =
        pipelines["data"][0]["stages"].as_array().unwrap().iter().find(|s| s["kind"] == "won").unwrap()["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/opportunities/{id}/stage"), &admin, json!({ "stage_id": won })).await.expect(200);
    let order =
        app.post(&format!("/api/v1/opportunities/{id}/order"), &admin, json!({ "order_date": "2026-11-01" })).await.expect(201).body;
    assert_eq!(order["opportunity_id"], id);
    assert_eq!(order["total"]["amount_minor"], 120_364);
    assert_eq!(order["lines"][0]["quantity"], 10);
    assert_eq!(order["order_date"], "2026-11-01");
    assert_eq!(order["notes"], "From opportunity deal");
    // The note on where the order came from is written in the language of whoever asked.
    let zh = app.send(Method::POST, &format!("/api/v1/opportunities/{id}/order"), Some(&admin), Some(&json!({})), ZH).await.expect(201);
    assert_eq!(zh.body["notes"], "来自销售机会：deal");
}

#[tokio::test]
async fn external_ids_are_unique_per_source_system_and_orders_are_scoped() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let east = app.create_team("East", None).await;
    let (_, sales) = app.user("s@example.com", "sales", &[&east]).await;
    let (_, other) = app.user("o@example.com", "sales", &[]).await;
    let customer = app.customer(&sales, json!({ "kind": "company", "name": "ERP Co" })).await["id"].as_str().unwrap().to_owned();
    let a = product(&app, &admin, "A", 100).await;
    let body = |system: &str, id: &str| json!({ "customer_id": customer, "external_system": system, "external_id": id, "lines": [{ "product_id": a, "quantity": 1 }] });
    let order = app.post("/api/v1/orders", &sales, body("sap", "4500001")).await.expect(201).body;
    let taken = app.post("/api/v1/orders", &sales, body("sap", "4500001")).await.problem(409);
    assert_eq!(taken["code"], "order.external_id_taken");
    assert_eq!(taken["existing_id"], order["id"]);
    app.post("/api/v1/orders", &sales, body("kingdee", "4500001")).await.expect(201);
    assert_eq!(
        app.post(
            "/api/v1/orders",
            &sales,
            json!({ "customer_id": customer, "external_id": "x", "lines": [{ "product_id": a, "quantity": 1 }] })
        )
        .await
        .invalid_fields(),
        ["external_id"]
    );
    app.get(&format!("/api/v1/orders/{}", order["id"].as_str().unwrap()), &other).await.problem(404);
    app.post("/api/v1/orders", &other, body("x", "y")).await.problem(404);
    assert_eq!(app.get("/api/v1/orders?q=45000&include_total=true", &sales).await.body["total"], 2);
}

#[tokio::test]
async fn a_refunded_order_bumps_the_customer_version_and_writes_its_update_event() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Refund Co", "lifecycle_stage": "prospect" })).await;
    let id = customer["id"].as_str().unwrap().to_owned();
    let customer_path = format!("/api/v1/customers/{id}");
    let a = product(&app, &admin, "R", 10_000).await;
    let order = app
        .post(
            "/api/v1/orders",
            &admin,
            json!({ "customer_id": id, "order_date": "2026-03-01", "lines": [{ "product_id": a, "quantity": 3 }] }),
        )
        .await
        .expect(201)
        .body;
    let order_path = format!("/api/v1/orders/{}", order["id"].as_str().unwrap());

    app.post(&format!("{order_path}/confirm"), &admin, json!({})).await.expect(200);
    let confirmed = app.get(&customer_path, &admin).await.expect(200);
    assert_eq!(confirmed.body["version"], 2);
    assert_eq!(confirmed.header("etag").as_deref(), Some("\"2\""));
    assert_ne!(confirmed.body["updated_at"], customer["updated_at"]);
    let events = customer_updates(&app, &admin, &id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["payload"]["record"]["version"], 2);
    assert_eq!(events[0]["payload"]["changed"]["total_spend_minor"], json!([0, 30_000]));
    assert_eq!(events[0]["payload"]["changed"]["lifecycle_stage"], json!(["prospect", "customer"]));
    // Every change moves the bookkeeping, so it is not listed as a change.
    for bookkeeping in ["version", "updated_at"] {
        assert!(events[0]["payload"]["changed"].get(bookkeeping).is_none(), "{}", events[0]["payload"]["changed"]);
    }

    app.post(&format!("{order_path}/refund"), &admin, json!({})).await.expect(200);
    let refunded = app.get(&customer_path, &admin).await.expect(200).body;
    assert_eq!(
        (refunded["version"].clone(), refunded["total_spend_minor"].clone(), refunded["order_count"].clone()),
        (json!(3), json!(0), json!(0))
    );
    assert_ne!(refunded["updated_at"], confirmed.body["updated_at"]);
    let events = customer_updates(&app, &admin, &id).await;
    assert_eq!(events.len(), 2);
    let last = &events[1]["payload"];
    assert_eq!(last["record"]["version"], 3);
    assert_eq!(last["record"]["total_spend_minor"], 0);
    assert_eq!(last["changed"]["total_spend_minor"], json!([30_000, 0]));
    assert_eq!(last["changed"]["order_count"], json!([1, 0]));
    let audit = app.get(&format!("/api/v1/audit?entity_id={id}"), &admin).await.expect(200).body;
    let spend_changes = audit["data"].as_array().unwrap().iter().filter(|e| e["changes"]["total_spend_minor"].is_object()).count();
    assert_eq!(spend_changes, 2, "one audit entry per derived change: {audit}");
    assert!(audit["data"].as_array().unwrap().iter().all(|e| e["changes"].get("version").is_none()), "{audit}");
    // Each says why as a code with parameters, which a reader words in their own language.
    let number = order["number"].as_str().unwrap();
    let reasons: Vec<&Value> = audit["data"].as_array().unwrap().iter().filter_map(|e| e["changes"].get("reason")).collect();
    assert_eq!(
        reasons,
        [
            &json!({ "code": "audit.order_moved", "params": { "number": number, "status": "refunded" } }),
            &json!({ "code": "audit.order_moved", "params": { "number": number, "status": "confirmed" } }),
        ],
        "{audit}"
    );
    // An If-Match of the version before the refund is stale now.
    app.patch(&customer_path, &admin, json!({ "industry": "制造业" }), Some("\"2\"")).await.problem(412);
}

/// The `customer.updated` events of one customer, oldest first.
async fn customer_updates(app: &TestApp, token: &str, customer_id: &str) -> Vec<Value> {
    let feed = app.get("/api/v1/events?types=customer.updated&limit=200", token).await.expect(200).body;
    feed["data"].as_array().unwrap().iter().filter(|e| e["entity_id"] == customer_id).cloned().collect()
}

/// An order sent without a date is dated today in the organisation's time zone (Asia/Shanghai by
/// default), not UTC's: between 16:00 and 24:00 UTC the two differ.
#[tokio::test]
async fn an_order_without_a_date_is_dated_today_in_the_organisations_time_zone() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "日期客户" })).await["id"].as_str().unwrap().to_owned();
    let product = product(&app, &admin, "DATE-1", 100).await;
    let before = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive().to_string();
    let order = app
        .post("/api/v1/orders", &admin, json!({ "customer_id": customer, "lines": [{ "product_id": product, "quantity": 1 }] }))
        .await
        .expect(201)
        .body;
    let after = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive().to_string();
    let dated = order["order_date"].as_str().unwrap();
    assert!(dated == before || dated == after, "dated {dated}, Shanghai today {before}");
}
