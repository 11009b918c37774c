//! Batches: `POST /{resource}/batch` answers one result per item, with the status and problem a
//! single request would get; every item writes its audit entry and event; `?atomic=true` keeps
//! all or nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::TestApp;

fn company(name: &str) -> Value {
    json!({ "kind": "company", "name": name })
}

#[tokio::test]
async fn a_customers_batch_creates_updates_and_upserts_with_contacts_item_by_item() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let existing = app.customer(&admin, company("老客户")).await;
    let existing_id = existing["id"].as_str().unwrap();
    let before = app.side_effects().await;
    let items = json!([
        { "op": "create", "body": company("甲公司"), "contacts": [{ "name": "王伟", "mobile": "13912345678" }, { "name": "李娜", "external_ids": { "erp": "P-1" } }] },
        { "op": "upsert", "system": "erp", "external_id": "C-1", "body": company("乙公司") },
        { "op": "update", "id": existing_id, "if_match": 1, "body": { "city": "上海市" } },
        { "op": "create", "body": { "kind": "planet", "name": "" } },
        { "op": "update", "id": existing_id, "if_match": 1, "body": { "city": "北京市" } },
        { "op": "create", "body": company("丙公司"), "contacts": [{ "name": "" }] },
        { "op": "delete", "body": {} },
        { "op": "upsert", "system": "erp", "external_id": "C-1", "body": { "industry": "制造业" } },
    ]);
    let reply = app.post("/api/v1/customers/batch", &admin, json!({ "items": items })).await.expect(200);
    let results = reply.body["results"].as_array().unwrap().clone();
    let statuses: Vec<u64> = results.iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [201, 201, 200, 422, 412, 422, 422, 200], "{}", reply.text);
    assert_eq!(
        (reply.body["succeeded"].as_u64(), reply.body["failed"].as_u64(), reply.body["committed"].as_bool()),
        (Some(4), Some(4), Some(true))
    );
    for (index, result) in results.iter().enumerate() {
        assert_eq!(result["index"].as_u64(), Some(index as u64));
    }

    // The created customer with its two contacts, one of them known by its ERP id.
    let first = results[0]["id"].as_str().unwrap();
    assert_eq!(results[0]["contacts"].as_array().unwrap().len(), 2);
    let contacts = app.get(&format!("/api/v1/customers/{first}/contacts"), &admin).await.expect(200);
    assert_eq!(contacts.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/v1/contacts/external/erp/P-1", &admin).await.expect(200).body["customer_id"].as_str(), Some(first));
    // The upsert created once, then updated the same customer.
    assert_eq!(results[1]["id"], results[7]["id"]);
    let upserted = app.get("/api/v1/customers/external/erp/C-1", &admin).await.expect(200);
    assert_eq!((upserted.body["name"].as_str(), upserted.body["industry"].as_str()), (Some("乙公司"), Some("制造业")));
    assert_eq!(results[7]["version"], 2);
    // The update took, the stale one did not.
    assert_eq!(app.get(&format!("/api/v1/customers/{existing_id}"), &admin).await.expect(200).body["city"], "上海市");
    assert_eq!(results[4]["error"]["code"], "stale_version");
    // Errors are the problems a single request gets; a refused contact leaves its customer unstored.
    let invalid: Vec<&str> = results[3]["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(invalid, ["kind", "name"]);
    assert_eq!(results[5]["error"]["code"], "batch.nested_item_failed");
    assert_eq!(results[5]["error"]["errors"][0]["field"], "contacts[0].name");
    assert_eq!(app.count("customers", Some(("name", "丙公司"))).await, 0);
    assert_eq!(results[6]["error"]["errors"][0]["field"], "op");

    // Each write has its audit entry and its event: 2 customers and 2 contacts created, 2 updates.
    let (audits, events) = app.side_effects().await;
    assert_eq!((audits - before.0, events - before.1), (6, 6));
}

#[tokio::test]
async fn an_atomic_batch_stores_all_or_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let before = app.side_effects().await;
    let customers = app.count("customers", None).await;
    let items = json!([
        { "op": "create", "body": company("一号"), "contacts": [{ "name": "张三" }] },
        { "op": "create", "body": company("二号"), "external_ids": {} },
        { "op": "create", "body": company("三号") },
    ]);
    let reply = app.post("/api/v1/customers/batch?atomic=true", &admin, json!({ "items": items })).await.expect(200);
    assert_eq!(reply.body["committed"], false);
    let statuses: Vec<u64> = reply.body["results"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [424, 422, 424], "{}", reply.text);
    assert_eq!(reply.body["results"][0]["error"]["code"], "batch.rolled_back");
    assert_eq!(reply.body["results"][1]["error"]["errors"][0]["field"], "external_ids");
    assert_eq!(app.count("customers", None).await, customers);
    assert_eq!(app.count("contacts", None).await, 0);
    assert_eq!(app.side_effects().await, before, "nothing of a rolled-back batch is audited or in the feed");

    // A thousand items in one atomic batch: a body far larger than a single request may send
    // (64 KiB in the tests), within a batch's 16 times that.
    let items: Vec<Value> = (0..1000)
        .map(|n| json!({ "op": "upsert", "system": "erp", "external_id": format!("C-{n}"), "body": { "kind": "company", "name": format!("批量客户 {n}"), "notes": "x".repeat(200) } }))
        .collect();
    let reply = app.post("/api/v1/customers/batch?atomic=true", &admin, json!({ "items": items })).await.expect(200);
    assert_eq!((reply.body["committed"].as_bool(), reply.body["succeeded"].as_u64()), (Some(true), Some(1000)));
    assert_eq!(app.count("customers", None).await, customers + 1000);
    assert_eq!(app.get("/api/v1/customers/external/erp/C-999", &admin).await.expect(200).body["name"], "批量客户 999");
}

#[tokio::test]
async fn a_batch_that_is_no_batch_is_refused_whole() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let before = app.side_effects().await;
    let too_many: Vec<Value> = (0..1001).map(|_| json!({ "op": "create", "body": {} })).collect();
    let problem = app.post("/api/v1/customers/batch", &admin, json!({ "items": too_many })).await.problem(422);
    assert_eq!(problem["errors"][0]["field"], "items");
    app.post("/api/v1/customers/batch", &admin, json!({ "items": [] })).await.problem(422);
    app.post("/api/v1/customers/batch", &admin, json!({ "things": [] })).await.problem(422);
    app.post_raw("/api/v1/customers/batch", &admin, "application/json", "{\"items\": [").await.problem(400);
    app.post_raw("/api/v1/customers/batch", &admin, "text/plain", "{}").await.problem(415);
    app.send(Method::POST, "/api/v1/customers/batch", None, Some(&json!({ "items": [] })), &[]).await.problem(401);
    // Fields of another resource's items are refused per item.
    let reply =
        app.post("/api/v1/products/batch", &admin, json!({ "items": [{ "op": "create", "body": {}, "contacts": [] }] })).await.expect(200);
    assert_eq!(reply.body["results"][0]["error"]["errors"][0]["field"], "contacts");
    assert_eq!(app.side_effects().await, before);
}

#[tokio::test]
async fn orders_interactions_and_tasks_come_in_batches_and_scopes_apply() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, company("订货客户")).await["id"].as_str().unwrap().to_owned();
    let product = app
        .post("/api/v1/products/batch", &admin, json!({ "items": [{ "op": "upsert", "system": "erp", "external_id": "M-1", "body": { "sku": "M-1", "name": "主轴", "unit_price": { "amount_minor": 10_000 } } }] }))
        .await
        .expect(200)
        .body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let order = |n: u32, confirm: bool| json!({ "op": "upsert", "system": "erp", "external_id": format!("SO-{n}"), "confirm": confirm, "body": { "customer_id": customer, "order_date": "2026-11-20", "lines": [{ "product_id": product, "quantity": n }] } });
    let reply =
        app.post("/api/v1/orders/batch", &admin, json!({ "items": [order(1, true), order(2, false), order(1, true)] })).await.expect(200);
    let statuses: Vec<u64> = reply.body["results"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [201, 201, 200], "{}", reply.text);
    assert_eq!(app.get("/api/v1/orders/external/erp/SO-1", &admin).await.expect(200).body["status"], "confirmed");
    assert_eq!(app.get("/api/v1/orders/external/erp/SO-2", &admin).await.expect(200).body["status"], "draft");
    let figures = app.get(&format!("/api/v1/customers/{customer}"), &admin).await.expect(200);
    assert_eq!((figures.body["order_count"].as_i64(), figures.body["total_spend_minor"].as_i64()), (Some(1), Some(10_000)));

    let interactions = json!({ "items": [
        { "op": "create", "body": { "customer_id": customer, "channel": "phone", "subject": "回访", "occurred_at": "2026-11-20T02:00:00Z" } },
        { "op": "upsert", "system": "erp", "external_id": "I-1", "body": {} },
    ] });
    let reply = app.post("/api/v1/interactions/batch", &admin, interactions).await.expect(200);
    assert_eq!(reply.body["results"][0]["status"], 201, "{}", reply.text);
    assert_eq!(reply.body["results"][1]["error"]["errors"][0]["field"], "op");
    let tasks = json!({ "items": [{ "op": "create", "body": { "title": "寄送报价", "customer_id": customer } }] });
    let task = app.post("/api/v1/tasks/batch", &admin, tasks).await.expect(200);
    let task_id = task.body["results"][0]["id"].as_str().unwrap().to_owned();
    let update = json!({ "items": [{ "op": "update", "id": task_id, "body": { "priority": "high" } }] });
    assert_eq!(app.post("/api/v1/tasks/batch", &admin, update).await.expect(200).body["results"][0]["status"], 200);

    // A salesperson's batch reaches only their own customers.
    let (_, sales) = app.user("sales@example.com", "sales", &[]).await;
    let items = json!({ "items": [
        { "op": "update", "id": customer, "body": { "city": "上海市" } },
        { "op": "create", "body": company("自己的客户") },
    ] });
    let reply = app.post("/api/v1/customers/batch", &sales, items).await.expect(200);
    let statuses: Vec<u64> = reply.body["results"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [404, 201]);
}

#[tokio::test]
async fn a_batch_sent_again_with_its_idempotency_key_is_answered_again() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({ "items": [{ "op": "create", "body": company("幂等客户") }] });
    let first = app
        .send(Method::POST, "/api/v1/customers/batch", Some(&admin), Some(&body), &[("Idempotency-Key", "sync-2026-12-03")])
        .await
        .expect(200);
    let again = app
        .send(Method::POST, "/api/v1/customers/batch", Some(&admin), Some(&body), &[("Idempotency-Key", "sync-2026-12-03")])
        .await
        .expect(200);
    assert_eq!(first.body, again.body);
    assert_eq!(app.count("customers", Some(("name", "幂等客户"))).await, 1);
}

/// A value with what differs between two equal writes taken out: ids, times, versions of the
/// bookkeeping, and the names the test gave each copy.
fn normalised(value: &Value, names: &[(&str, &str)]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| {
                    !matches!(
                        key.as_str(),
                        "id" | "customer_id"
                            | "entity_id"
                            | "created_at"
                            | "updated_at"
                            | "occurred_at"
                            | "seq"
                            | "position"
                            | "request_id"
                    )
                })
                .map(|(key, value)| (key.clone(), normalised(value, names)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|item| normalised(item, names)).collect()),
        Value::String(text) => {
            let mut text = text.clone();
            for (from, to) in names {
                text = text.replace(from, to);
            }
            Value::String(text)
        }
        other => other.clone(),
    }
}

#[tokio::test]
async fn a_batch_writes_what_single_requests_write() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = |name: &str, code: &str, erp: &str| json!({ "kind": "company", "name": name, "credit_code": code, "city": "上海市", "tags": ["重点", "华东"], "lifecycle_stage": "prospect", "external_ids": { "erp": erp } });
    let people = |suffix: &str| {
        [
            json!({ "name": format!("王伟{suffix}"), "mobile": "13912345678", "is_primary": true }),
            json!({ "name": format!("李娜{suffix}"), "email": "lina@example.com", "external_ids": { "erp": format!("P-{suffix}") } }),
        ]
    };

    // One customer through single requests…
    let head = app.get("/api/v1/events/head", &admin).await.expect(200).body["head"].as_i64().unwrap();
    let single = app.customer(&admin, customer("单条公司", "91310000MA1FL8TQ36", "C-single")).await;
    let single_id = single["id"].as_str().unwrap().to_owned();
    for person in people("甲") {
        app.post(&format!("/api/v1/customers/{single_id}/contacts"), &admin, person).await.expect(201);
    }
    // …and its twin through a batch, written by the set-based path.
    let middle = app.get("/api/v1/events/head", &admin).await.expect(200).body["head"].as_i64().unwrap();
    let items = json!([{ "op": "upsert", "system": "erp", "external_id": "C-batch", "body": customer("批量公司", "91310000MA1FL8TQ49", "C-batch"), "contacts": people("乙") }]);
    let reply = app.post("/api/v1/customers/batch", &admin, json!({ "items": items })).await.expect(200);
    let result = &reply.body["results"][0];
    assert_eq!((result["status"].as_u64(), result["version"].as_u64()), (Some(201), Some(1)), "{}", reply.text);
    let contact_statuses: Vec<u64> = result["contacts"].as_array().unwrap().iter().map(|c| c["status"].as_u64().unwrap()).collect();
    assert_eq!(contact_statuses, [201, 201]);
    let batch_id = result["id"].as_str().unwrap().to_owned();
    let names = [("单条公司", "公司"), ("批量公司", "公司"), ("C-single", "C"), ("C-batch", "C"), ("甲", ""), ("乙", ""), ("49", "36")];

    // The same record, contacts, timeline, audit entries and events.
    for path in ["", "/contacts", "/timeline"] {
        let of = |id: &str| format!("/api/v1/customers/{id}{path}");
        let (one, other) =
            (app.get(&of(&single_id), &admin).await.expect(200).body, app.get(&of(&batch_id), &admin).await.expect(200).body);
        assert_eq!(normalised(&one, &names), normalised(&other, &names), "GET …{path}");
    }
    let audit = |id: String| {
        let app = &app;
        let admin = &admin;
        async move {
            let mut entries = app.get(&format!("/api/v1/audit?entity_id={id}"), admin).await.expect(200).body["data"].clone();
            entries.as_array_mut().unwrap().sort_by_key(|entry| entry["entity_type"].as_str().unwrap().to_owned());
            entries
        }
    };
    assert_eq!(normalised(&audit(single_id.clone()).await, &names), normalised(&audit(batch_id.clone()).await, &names));
    let events = |after: i64, until: Option<i64>| {
        let app = &app;
        let admin = &admin;
        async move {
            let page = app.get(&format!("/api/v1/events?after={after}&limit=200"), admin).await.expect(200).body;
            let mut told: Vec<Value> = page["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|event| until.is_none_or(|until| event["seq"].as_i64().unwrap() <= until))
                .cloned()
                .collect();
            told.sort_by_key(|event| event["event_type"].as_str().unwrap().to_owned());
            Value::Array(told)
        }
    };
    let (one, other) = (events(head, Some(middle)).await, events(middle, None).await);
    assert_eq!(one.as_array().unwrap().len(), 3);
    assert_eq!(normalised(&one, &names), normalised(&other, &names));

    // Found by its contacts' names and by its tags, as any customer.
    let found = app.get("/api/v1/customers?q=李娜乙", &admin).await.expect(200).body;
    assert_eq!(found["data"][0]["id"].as_str(), Some(batch_id.as_str()));
    let tagged = app.get("/api/v1/customers?tag=华东", &admin).await.expect(200).body;
    assert_eq!(tagged["data"].as_array().unwrap().len(), 2);

    // Sent again unchanged: 200 at the same version, and nothing written.
    let before = app.side_effects().await;
    let again = app.post("/api/v1/customers/batch", &admin, json!({ "items": items })).await.expect(200);
    let result = &again.body["results"][0];
    assert_eq!(
        (result["status"].as_u64(), result["version"].as_u64(), result["id"].as_str()),
        (Some(200), Some(1), Some(batch_id.as_str()))
    );
    let contact_statuses: Vec<u64> = result["contacts"].as_array().unwrap().iter().map(|c| c["status"].as_u64().unwrap()).collect();
    assert_eq!(contact_statuses, [201, 200], "the contact without an external id is a new one each time");
    let (audits, told) = app.side_effects().await;
    assert_eq!((audits - before.0, told - before.1), (1, 1), "only the new contact is written");

    // A customer and contact as they are: nothing written; a contact's change is its own update;
    // a stale If-Match and a caller outside the scope get what a single request gets.
    let resend = |contact: Value, if_match: Option<i64>| json!({ "items": [{ "op": "upsert", "system": "erp", "external_id": "C-batch", "if_match": if_match, "body": { "name": "批量公司", "city": "上海市" }, "contacts": [contact] }] });
    let lina = json!({ "name": "李娜乙", "external_ids": { "erp": "P-乙" } });
    let before = app.side_effects().await;
    let same = app.post("/api/v1/customers/batch", &admin, resend(lina.clone(), Some(1))).await.expect(200);
    assert_eq!(
        (same.body["results"][0]["status"].as_u64(), same.body["results"][0]["contacts"][0]["version"].as_u64()),
        (Some(200), Some(1))
    );
    assert_eq!(app.side_effects().await, before);
    let moved = app
        .post(
            "/api/v1/customers/batch",
            &admin,
            resend(json!({ "name": "李娜乙", "title": "采购经理", "external_ids": { "erp": "P-乙" } }), None),
        )
        .await
        .expect(200);
    assert_eq!(moved.body["results"][0]["version"].as_u64(), Some(1));
    assert_eq!(moved.body["results"][0]["contacts"][0]["version"].as_u64(), Some(2));
    let (audits, told) = app.side_effects().await;
    assert_eq!((audits - before.0, told - before.1), (1, 1));
    let stale = app.post("/api/v1/customers/batch", &admin, resend(lina.clone(), Some(7))).await.expect(200);
    assert_eq!(stale.body["results"][0]["status"].as_u64(), Some(412));
    let (_, sales) = app.user("sales@example.com", "sales", &[]).await;
    let outside = app.post("/api/v1/customers/batch", &sales, resend(lina, None)).await.expect(200);
    assert_eq!(outside.body["results"][0]["status"].as_u64(), Some(404), "{}", outside.text);
}

#[tokio::test]
async fn items_of_a_batch_take_keys_in_their_order() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let existing = app.customer(&admin, company("旧名")).await["id"].as_str().unwrap().to_owned();
    let code = "91310000MA1FL8TQ36";
    // The update comes first and takes the credit code; the create after it is refused, as it
    // would be sent one by one, although the create alone could be written set-based.
    let items = json!([
        { "op": "update", "id": existing, "body": { "credit_code": code } },
        { "op": "create", "body": { "kind": "company", "name": "后来者", "credit_code": code } },
        { "op": "create", "body": company("无关的") },
        { "op": "upsert", "system": "erp", "external_id": "X-1", "body": company("第一次") },
        { "op": "upsert", "system": "erp", "external_id": "X-1", "body": { "name": "第二次" } },
    ]);
    let reply = app.post("/api/v1/customers/batch", &admin, json!({ "items": items })).await.expect(200);
    let statuses: Vec<u64> = reply.body["results"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 409, 201, 201, 200], "{}", reply.text);
    assert_eq!(reply.body["results"][1]["error"]["existing_id"].as_str(), Some(existing.as_str()));
    assert_eq!(reply.body["results"][3]["id"], reply.body["results"][4]["id"]);
    assert_eq!(app.get("/api/v1/customers/external/erp/X-1", &admin).await.expect(200).body["name"], "第二次");

    // Two contacts of one customer sent with one id: the second updates the first, as in order.
    let twice = json!({ "name": "赵六", "external_ids": { "erp": "P-9" } });
    let items = json!([{ "op": "create", "body": company("重复联系人"), "contacts": [twice, { "name": "赵六（新）", "external_ids": { "erp": "P-9" } }] }]);
    let reply = app.post("/api/v1/customers/batch", &admin, json!({ "items": items })).await.expect(200);
    let people = reply.body["results"][0]["contacts"].as_array().unwrap().clone();
    let statuses: Vec<u64> = people.iter().map(|c| c["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [201, 200], "{}", reply.text);
    assert_eq!(people[0]["id"], people[1]["id"]);
    assert_eq!(app.get("/api/v1/contacts/external/erp/P-9", &admin).await.expect(200).body["name"], "赵六（新）");

    // An upsert that finds its customer as it describes it, after an item that changes that
    // customer: it is judged after that change, as in order, and changes it back.
    let held = app.get("/api/v1/customers/external/erp/X-1", &admin).await.expect(200).body;
    let held_id = held["id"].as_str().unwrap().to_owned();
    let items = json!([
        { "op": "update", "id": held_id, "body": { "name": "第三次" } },
        { "op": "upsert", "system": "erp", "external_id": "X-1", "body": { "name": "第二次" } },
    ]);
    let reply = app.post("/api/v1/customers/batch", &admin, json!({ "items": items })).await.expect(200);
    let versions: Vec<u64> = reply.body["results"].as_array().unwrap().iter().map(|r| r["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, [3, 4], "{}", reply.text);
    assert_eq!(app.get("/api/v1/customers/external/erp/X-1", &admin).await.expect(200).body["name"], "第二次");
}

/// An ERP's creates, as `make bench` sends them (W8), are written set-based: all of a batch's
/// records in one statement per table, stamped with one time. One by one, each item would take
/// its own transaction and its own time, and W8 would run more than ten times slower with every
/// answer the same, so the shared time is what tells the two paths apart here.
#[tokio::test]
async fn an_erp_batch_of_creates_is_written_set_based() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let field = json!({ "entity": "customers", "key": "erp_grade", "label_zh": "等级", "label_en": "Grade", "field_type": "text", "default_value": "B" });
    app.post("/api/v1/custom-fields", &admin, field).await.expect(201);
    let contact_field = json!({ "entity": "contacts", "key": "wechat", "label_zh": "微信", "label_en": "WeChat", "field_type": "text" });
    app.post("/api/v1/custom-fields", &admin, contact_field).await.expect(201);
    let item = |n: usize, op: &str| {
        let mut item = json!({
            "op": op,
            "body": { "kind": "company", "name": format!("批量同步客户 {n}"), "province": "上海市", "city": "上海市", "district": "浦东新区",
                      "phone": format!("021-{:08}", 60_000_000 + n), "lifecycle_stage": "prospect", "tags": ["ERP"] },
            "contacts": [
                { "name": format!("联系人 {n}-0"), "mobile": format!("139{:08}", n * 2), "external_ids": { "erp": format!("P-{n}-0") }, "custom_fields": { "wechat": "wx" } },
                { "name": format!("联系人 {n}-1"), "mobile": format!("139{:08}", n * 2 + 1), "external_ids": { "erp": format!("P-{n}-1") } },
            ],
        });
        if op == "upsert" {
            item["system"] = json!("erp");
            item["external_id"] = json!(format!("C-{n}"));
        }
        item
    };
    let items: Vec<Value> = (0..4).map(|n| item(n, if n % 2 == 0 { "create" } else { "upsert" })).collect();
    let reply = app.post("/api/v1/customers/batch", &admin, json!({ "items": items })).await.expect(200);
    let results = reply.body["results"].as_array().unwrap();
    assert!(results.iter().all(|result| result["status"] == 201), "{}", reply.text);

    let mut stamps = std::collections::BTreeSet::new();
    for result in results {
        let id = result["id"].as_str().unwrap();
        let customer = app.get(&format!("/api/v1/customers/{id}"), &admin).await.expect(200).body;
        assert_eq!(customer["custom_fields"]["erp_grade"], "B", "the default is stored");
        stamps.insert(customer["created_at"].as_str().unwrap().to_owned());
        let people = app.get(&format!("/api/v1/customers/{id}/contacts"), &admin).await.expect(200).body;
        assert_eq!(people["data"].as_array().unwrap().len(), 2);
        for person in people["data"].as_array().unwrap() {
            stamps.insert(person["created_at"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(stamps.len(), 1, "every record of the batch is stamped with the batch's one time: {stamps:?}");
}
