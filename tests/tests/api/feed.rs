//! The change feed and incremental export as an integrator reads them: every event's payload is
//! `{record, changed?, detail?}` with the record exactly as its `GET` returns it; `/events/head`;
//! `next_after` past what a reader skips; `updated_at_from`/`updated_at_to` and `sort=updated_at`
//! on the lists; the list of every contact; `/{resource}/export` as ndjson and CSV.

use serde_json::{Value, json};

use crm_tests::TestApp;

/// Every event of one record the caller may read, oldest first.
async fn events_of(app: &TestApp, token: &str, entity_id: &str) -> Vec<Value> {
    let mut after = 0;
    let mut found = Vec::new();
    loop {
        let page = app.get(&format!("/api/v1/events?after={after}&limit=200"), token).await.expect(200).body;
        let data = page["data"].as_array().unwrap();
        found.extend(data.iter().filter(|e| e["entity_id"] == entity_id).cloned());
        let next = page["next_after"].as_i64().unwrap();
        if data.is_empty() || next == after {
            return found;
        }
        after = next;
    }
}

/// The last event of a record, which must be of type `event_type`.
async fn last_event(app: &TestApp, token: &str, entity_id: &str, event_type: &str) -> Value {
    let events = events_of(app, token, entity_id).await;
    let last = events.last().unwrap_or_else(|| panic!("no event of {entity_id}")).clone();
    assert_eq!(last["event_type"], event_type, "{events:#?}");
    last
}

/// The event's record is the body `GET path` returns now.
async fn assert_carries_get(app: &TestApp, token: &str, event: &Value, path: &str) {
    let got = app.get(path, token).await.expect(200).body;
    assert_eq!(event["payload"]["record"], got, "{} carries {path} as GET returns it", event["event_type"]);
}

/// A deletion event carries the record as it was (`before`, its last `GET`), binned: the same
/// fields and values, with `deleted_at` set (also where the `GET` of a live record does not show
/// it) and the version the deletion gave it.
fn assert_carries_binned(event: &Value, before: &Value) {
    let record = event["payload"]["record"].as_object().unwrap();
    let before = before.as_object().unwrap();
    let keys = |m: &serde_json::Map<String, Value>| m.keys().filter(|k| *k != "deleted_at").cloned().collect::<Vec<_>>();
    assert_eq!(keys(record), keys(before), "{}: the record's fields are its GET's", event["event_type"]);
    assert!(record["deleted_at"].is_string(), "{record:?}");
    for (field, value) in before {
        match field.as_str() {
            "deleted_at" => {}
            "updated_at" => assert_eq!(record[field], record["deleted_at"]),
            "version" => assert_eq!(record[field].as_i64(), value.as_i64().map(|v| v + 1)),
            _ => assert_eq!(&record[field], value, "{}: {field}", event["event_type"]),
        }
    }
    assert!(event["payload"].get("changed").is_none(), "{event}");
}

fn assert_changed(event: &Value, field: &str, old: Value, new: Value) {
    assert_eq!(event["payload"]["changed"][field], json!([old, new]), "{}: {}", event["event_type"], event["payload"]["changed"]);
    for bookkeeping in ["updated_at", "version"] {
        assert!(event["payload"]["changed"].get(bookkeeping).is_none(), "{event}");
    }
}

#[tokio::test]
async fn every_event_carries_the_record_as_its_get_returns_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;

    // A customer: created, edited, moved to another stage, deleted.
    let customer = app
        .customer(&admin, json!({ "kind": "company", "name": "上海浦江精密机械有限公司", "phone": "021-6234 5678", "tags": ["重点客户"] }))
        .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let customer_path = format!("/api/v1/customers/{customer_id}");
    let created = last_event(&app, &admin, &customer_id, "customer.created").await;
    assert_carries_get(&app, &admin, &created, &customer_path).await;
    assert!(created["payload"].get("changed").is_none(), "{created}");
    app.patch(&customer_path, &admin, json!({ "name": "上海浦江精密机械股份有限公司" }), None).await.expect(200);
    let updated = last_event(&app, &admin, &customer_id, "customer.updated").await;
    assert_carries_get(&app, &admin, &updated, &customer_path).await;
    assert_changed(&updated, "name", json!("上海浦江精密机械有限公司"), json!("上海浦江精密机械股份有限公司"));
    app.patch(&customer_path, &admin, json!({ "lifecycle_stage": "customer" }), None).await.expect(200);
    let events = events_of(&app, &admin, &customer_id).await;
    let staged = events.iter().find(|e| e["event_type"] == "customer.stage_changed").unwrap();
    assert_carries_get(&app, &admin, staged, &customer_path).await;
    assert_changed(staged, "lifecycle_stage", json!("potential"), json!("customer"));
    let edited = events.iter().rev().find(|e| e["event_type"] == "customer.updated").unwrap();
    assert_eq!(edited["payload"], staged["payload"], "the edit and the stage move tell one change");

    // A contact of it.
    let contact =
        app.post(&format!("{customer_path}/contacts"), &admin, json!({ "name": "王磊", "mobile": "138 1234 5678" })).await.expect(201).body;
    let contact_id = contact["id"].as_str().unwrap().to_owned();
    let contact_path = format!("/api/v1/contacts/{contact_id}");
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &contact_id, "contact.created").await, &contact_path).await;
    app.patch(&contact_path, &admin, json!({ "title": "采购经理" }), None).await.expect(200);
    let updated = last_event(&app, &admin, &contact_id, "contact.updated").await;
    assert_carries_get(&app, &admin, &updated, &contact_path).await;
    assert_changed(&updated, "title", Value::Null, json!("采购经理"));
    let before = app.get(&contact_path, &admin).await.expect(200).body;
    app.delete(&contact_path, &admin).await.expect(204);
    assert_carries_binned(&last_event(&app, &admin, &contact_id, "contact.deleted").await, &before);

    // An opportunity: created, edited, moved on and won.
    let opportunity = crate::sales::opportunity(&app, &admin, &customer_id, "数控机床改造", 500_000).await;
    let opportunity_id = opportunity["id"].as_str().unwrap().to_owned();
    let opportunity_path = format!("/api/v1/opportunities/{opportunity_id}");
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &opportunity_id, "opportunity.created").await, &opportunity_path).await;
    app.patch(&opportunity_path, &admin, json!({ "name": "数控机床改造二期" }), None).await.expect(200);
    let updated = last_event(&app, &admin, &opportunity_id, "opportunity.updated").await;
    assert_carries_get(&app, &admin, &updated, &opportunity_path).await;
    assert_changed(&updated, "name", json!("数控机床改造"), json!("数控机床改造二期"));
    let pipeline = crate::sales::default_pipeline(&app, &admin).await;
    let stage = |key: &str| pipeline["stages"].as_array().unwrap().iter().find(|s| s["key"] == key).unwrap()["id"].clone();
    app.post(&format!("{opportunity_path}/stage"), &admin, json!({ "stage_id": stage("won") })).await.expect(200);
    let won = last_event(&app, &admin, &opportunity_id, "opportunity.won").await;
    assert_carries_get(&app, &admin, &won, &opportunity_path).await;
    let moved =
        events_of(&app, &admin, &opportunity_id).await.into_iter().find(|e| e["event_type"] == "opportunity.stage_changed").unwrap();
    assert_eq!(moved["payload"], won["payload"]);
    assert!(moved["payload"]["changed"]["closed_at"].is_array(), "{moved}");
    let before = app.get(&opportunity_path, &admin).await.expect(200).body;
    app.delete(&opportunity_path, &admin).await.expect(204);
    assert_carries_binned(&last_event(&app, &admin, &opportunity_id, "opportunity.deleted").await, &before);

    // Orders: one edited and confirmed, a draft deleted.
    let product = app
        .post("/api/v1/products", &admin, json!({ "sku": "CNC-1", "name": "数控系统", "unit_price": { "amount_minor": 120_000 } }))
        .await
        .expect(201)
        .id();
    let lines = json!([{ "product_id": product, "quantity": 2 }]);
    let order = app
        .post("/api/v1/orders", &admin, json!({ "customer_id": customer_id, "lines": lines, "order_date": "2026-11-20" }))
        .await
        .expect(201)
        .id();
    let order_path = format!("/api/v1/orders/{order}");
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &order, "order.created").await, &order_path).await;
    app.patch(&order_path, &admin, json!({ "notes": "加急" }), None).await.expect(200);
    let updated = last_event(&app, &admin, &order, "order.updated").await;
    assert_carries_get(&app, &admin, &updated, &order_path).await;
    assert_changed(&updated, "notes", Value::Null, json!("加急"));
    app.post(&format!("{order_path}/confirm"), &admin, json!({})).await.expect(200);
    let confirmed = last_event(&app, &admin, &order, "order.confirmed").await;
    assert_carries_get(&app, &admin, &confirmed, &order_path).await;
    assert_changed(&confirmed, "status", json!("draft"), json!("confirmed"));
    let draft = app.post("/api/v1/orders", &admin, json!({ "customer_id": customer_id, "lines": lines })).await.expect(201).id();
    let before = app.get(&format!("/api/v1/orders/{draft}"), &admin).await.expect(200).body;
    app.delete(&format!("/api/v1/orders/{draft}"), &admin).await.expect(204);
    assert_carries_binned(&last_event(&app, &admin, &draft, "order.deleted").await, &before);

    // A ticket: created, assigned, moved, commented.
    let ticket = app.post("/api/v1/tickets", &admin, json!({ "customer_id": customer_id, "subject": "主轴异响" })).await.expect(201).id();
    let ticket_path = format!("/api/v1/tickets/{ticket}");
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &ticket, "ticket.created").await, &ticket_path).await;
    let me = app.get("/api/v1/auth/me", &admin).await.expect(200).body["id"].clone();
    app.post(&format!("{ticket_path}/assign"), &admin, json!({ "assignee_id": me })).await.expect(200);
    let assigned = last_event(&app, &admin, &ticket, "ticket.assigned").await;
    assert_carries_get(&app, &admin, &assigned, &ticket_path).await;
    assert_changed(&assigned, "assignee_id", Value::Null, me.clone());
    app.post(&format!("{ticket_path}/status"), &admin, json!({ "status": "in_progress" })).await.expect(200);
    let moved = last_event(&app, &admin, &ticket, "ticket.status_changed").await;
    assert_carries_get(&app, &admin, &moved, &ticket_path).await;
    assert_changed(&moved, "status", json!("new"), json!("in_progress"));
    app.post(&format!("{ticket_path}/comments"), &admin, json!({ "body": "已派工程师", "public": false })).await.expect(201);
    let commented = last_event(&app, &admin, &ticket, "ticket.commented").await;
    assert_carries_get(&app, &admin, &commented, &ticket_path).await;
    assert_eq!(commented["payload"]["detail"]["public"], false, "{commented}");

    // A task: created, edited, completed, deleted.
    let task = app.post("/api/v1/tasks", &admin, json!({ "title": "回访", "customer_id": customer_id })).await.expect(201).id();
    let task_path = format!("/api/v1/tasks/{task}");
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &task, "task.created").await, &task_path).await;
    app.patch(&task_path, &admin, json!({ "title": "电话回访" }), None).await.expect(200);
    let updated = last_event(&app, &admin, &task, "task.updated").await;
    assert_carries_get(&app, &admin, &updated, &task_path).await;
    assert_changed(&updated, "title", json!("回访"), json!("电话回访"));
    app.post(&format!("{task_path}/complete"), &admin, json!({})).await.expect(200);
    let completed = last_event(&app, &admin, &task, "task.completed").await;
    assert_carries_get(&app, &admin, &completed, &task_path).await;
    assert_changed(&completed, "status", json!("open"), json!("done"));
    let before = app.get(&task_path, &admin).await.expect(200).body;
    app.delete(&task_path, &admin).await.expect(204);
    assert_carries_binned(&last_event(&app, &admin, &task, "task.deleted").await, &before);

    // The customer last: deleting it takes its records' reads with it.
    let before = app.get(&customer_path, &admin).await.expect(200).body;
    app.delete(&customer_path, &admin).await.expect(204);
    let deleted = last_event(&app, &admin, &customer_id, "customer.deleted").await;
    assert_carries_binned(&deleted, &before);
    let bin = app.get("/api/v1/customers/recycle-bin", &admin).await.expect(200).body;
    assert_eq!(deleted["payload"]["record"], bin["data"][0], "as the recycle bin shows it");
}

/// The kinds of record the first walk leaves out: interactions, products, requirements and
/// knowledge-base articles, through each event type they write.
#[tokio::test]
async fn events_of_interactions_products_requirements_and_articles_carry_their_get() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer_id = app.customer(&admin, json!({ "kind": "company", "name": "华东精工" })).await["id"].as_str().unwrap().to_owned();

    // An interaction: logged, edited, binned, restored.
    let interaction = app
        .post("/api/v1/interactions", &admin, json!({ "customer_id": customer_id, "channel": "phone", "subject": "询价" }))
        .await
        .expect(201)
        .id();
    let interaction_path = format!("/api/v1/interactions/{interaction}");
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &interaction, "interaction.created").await, &interaction_path).await;
    app.patch(&interaction_path, &admin, json!({ "subject": "询价与交期" }), None).await.expect(200);
    let updated = last_event(&app, &admin, &interaction, "interaction.updated").await;
    assert_carries_get(&app, &admin, &updated, &interaction_path).await;
    assert_changed(&updated, "subject", json!("询价"), json!("询价与交期"));
    let before = app.get(&interaction_path, &admin).await.expect(200).body;
    app.delete(&interaction_path, &admin).await.expect(204);
    assert_carries_binned(&last_event(&app, &admin, &interaction, "interaction.deleted").await, &before);
    app.post(&format!("{interaction_path}/restore"), &admin, json!({})).await.expect(200);
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &interaction, "interaction.restored").await, &interaction_path).await;

    // A product: created, repriced, retired.
    let product = app
        .post("/api/v1/products", &admin, json!({ "sku": "CNC-7", "name": "数控系统", "unit_price": { "amount_minor": 1_200_000 } }))
        .await
        .expect(201)
        .id();
    let product_path = format!("/api/v1/products/{product}");
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &product, "product.created").await, &product_path).await;
    app.patch(&product_path, &admin, json!({ "name": "数控系统 V2" }), None).await.expect(200);
    let updated = last_event(&app, &admin, &product, "product.updated").await;
    assert_carries_get(&app, &admin, &updated, &product_path).await;
    assert_changed(&updated, "name", json!("数控系统"), json!("数控系统 V2"));
    let before = app.get(&product_path, &admin).await.expect(200).body;
    app.delete(&product_path, &admin).await.expect(204);
    assert_carries_binned(&last_event(&app, &admin, &product, "product.deleted").await, &before);

    // A requirement: collected, edited, moved on, requested by another customer, withdrawn, deleted.
    let requirement = app.post("/api/v1/requirements", &admin, json!({ "title": "批量导出报价单" })).await.expect(201).id();
    let requirement_path = format!("/api/v1/requirements/{requirement}");
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &requirement, "requirement.created").await, &requirement_path).await;
    app.patch(&requirement_path, &admin, json!({ "title": "批量导出报价单为 Excel" }), None).await.expect(200);
    let updated = last_event(&app, &admin, &requirement, "requirement.updated").await;
    assert_carries_get(&app, &admin, &updated, &requirement_path).await;
    assert_changed(&updated, "title", json!("批量导出报价单"), json!("批量导出报价单为 Excel"));
    app.post(&format!("{requirement_path}/status"), &admin, json!({ "status": "analyzing" })).await.expect(200);
    let moved = last_event(&app, &admin, &requirement, "requirement.status_changed").await;
    assert_carries_get(&app, &admin, &moved, &requirement_path).await;
    assert_changed(&moved, "status", json!("collected"), json!("analyzing"));
    let requester = app
        .post(&format!("{requirement_path}/requesters"), &admin, json!({ "customer_id": customer_id, "note": "财务要用" }))
        .await
        .expect(201)
        .id();
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &requirement, "requirement.requested").await, &requirement_path).await;
    app.delete(&format!("{requirement_path}/requesters/{requester}"), &admin).await.expect(204);
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &requirement, "requirement.unrequested").await, &requirement_path).await;
    let before = app.get(&requirement_path, &admin).await.expect(200).body;
    app.delete(&requirement_path, &admin).await.expect(204);
    assert_carries_binned(&last_event(&app, &admin, &requirement, "requirement.deleted").await, &before);

    // A knowledge-base article: drafted, edited, published, deleted.
    let article = app.post("/api/v1/kb/articles", &admin, json!({ "title": "主轴异响排查", "body": "1. 停机" })).await.expect(201).id();
    let article_path = format!("/api/v1/kb/articles/{article}");
    assert_carries_get(&app, &admin, &last_event(&app, &admin, &article, "kb_article.created").await, &article_path).await;
    app.patch(&article_path, &admin, json!({ "title": "主轴异响如何排查" }), None).await.expect(200);
    let updated = last_event(&app, &admin, &article, "kb_article.updated").await;
    assert_carries_get(&app, &admin, &updated, &article_path).await;
    assert_changed(&updated, "title", json!("主轴异响排查"), json!("主轴异响如何排查"));
    app.patch(&article_path, &admin, json!({ "status": "published" }), None).await.expect(200);
    let published = last_event(&app, &admin, &article, "kb_article.published").await;
    assert_carries_get(&app, &admin, &published, &article_path).await;
    assert_changed(&published, "status", json!("draft"), json!("published"));
    let before = app.get(&article_path, &admin).await.expect(200).body;
    app.delete(&article_path, &admin).await.expect(204);
    assert_carries_binned(&last_event(&app, &admin, &article, "kb_article.deleted").await, &before);
}

#[tokio::test]
async fn the_head_is_where_a_new_reader_starts_and_next_after_passes_what_it_skips() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let empty = app.get("/api/v1/events/head", &admin).await.expect(200).body;
    assert!(empty["head"].as_i64().unwrap() >= 0, "{empty}");
    app.customer(&admin, json!({ "kind": "company", "name": "历史客户" })).await;
    let head = app.get("/api/v1/events/head", &admin).await.expect(200).body["head"].as_i64().unwrap();
    let all = app.get("/api/v1/events?after=0&limit=200", &admin).await.expect(200).body;
    assert_eq!(all["next_after"].as_i64().unwrap(), head, "the head is the last position given");
    let nothing_yet = app.get(&format!("/api/v1/events?after={head}"), &admin).await.expect(200).body;
    assert_eq!(nothing_yet["data"], json!([]));
    assert_eq!(nothing_yet["next_after"].as_i64().unwrap(), head);

    let fresh = app.customer(&admin, json!({ "kind": "company", "name": "新客户" })).await;
    let next = app.get(&format!("/api/v1/events?after={head}"), &admin).await.expect(200).body;
    let ids: Vec<&Value> = next["data"].as_array().unwrap().iter().map(|e| &e["entity_id"]).collect();
    assert_eq!(ids, [&fresh["id"]], "a reader starting at the head reads only what came after");

    // A type filter: the page holds none of the other events, yet the reader moves past them.
    let after_head = app.get("/api/v1/events/head", &admin).await.expect(200).body["head"].as_i64().unwrap();
    let customer_id = fresh["id"].as_str().unwrap();
    app.patch(&format!("/api/v1/customers/{customer_id}"), &admin, json!({ "industry": "制造业" }), None).await.expect(200);
    let filtered = app.get(&format!("/api/v1/events?after={after_head}&types=order.confirmed"), &admin).await.expect(200).body;
    assert_eq!(filtered["data"], json!([]));
    let now_head = app.get("/api/v1/events/head", &admin).await.expect(200).body["head"].as_i64().unwrap();
    assert!(now_head > after_head);
    assert_eq!(filtered["next_after"].as_i64().unwrap(), now_head, "past the filtered-out update");

    // Scope: an own-scope salesperson reads none of the administrator's customers' events, and
    // still moves past them.
    let (_, sales) = app.user("sales@example.com", "sales", &[]).await;
    let own = app.customer(&sales, json!({ "kind": "company", "name": "自己的客户" })).await;
    app.patch(&format!("/api/v1/customers/{customer_id}"), &admin, json!({ "industry": "机械" }), None).await.expect(200);
    let head = app.get("/api/v1/events/head", &sales).await.expect(200).body["head"].as_i64().unwrap();
    let seen = app.get(&format!("/api/v1/events?after={now_head}&limit=200"), &sales).await.expect(200).body;
    let seen_ids: Vec<&Value> = seen["data"].as_array().unwrap().iter().map(|e| &e["entity_id"]).collect();
    assert!(seen_ids.contains(&&own["id"]), "{seen}");
    assert!(!seen_ids.contains(&&fresh["id"]), "{seen}");
    assert_eq!(seen["next_after"].as_i64().unwrap(), head, "past the events it may not read");
    app.get("/api/v1/events/head", "not-a-token").await.problem(401);
}

/// The ids of a list's page, in order.
fn ids(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn lists_filter_and_sort_by_when_records_last_changed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "更新时间客户" })).await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let product = |sku: &str| json!({ "sku": sku, "name": format!("产品 {sku}"), "unit_price": { "amount_minor": 100 } });
    let first = app.post("/api/v1/products", &admin, product("P-1")).await.expect(201).body;
    let second = app.post("/api/v1/products", &admin, product("P-2")).await.expect(201).body;
    let between = second["updated_at"].as_str().unwrap().to_owned();
    // Edited after `between`: the first product is now the one changed last.
    let edited = app
        .patch(&format!("/api/v1/products/{}", first["id"].as_str().unwrap()), &admin, json!({ "name": "产品 P-1 改" }), None)
        .await
        .expect(200)
        .body;
    let (first_id, second_id) = (first["id"].as_str().unwrap().to_owned(), second["id"].as_str().unwrap().to_owned());
    let since = |path: &str, from: &str| format!("{path}?updated_at_from={}", urlencode(from));
    let page = app.get(&since("/api/v1/products", &between), &admin).await.expect(200).body;
    // Both changed at or after `between` (inclusive); by name, the default sort.
    assert_eq!(ids(&page), [first_id.clone(), second_id.clone()]);
    let after_edit = app.get(&since("/api/v1/products", edited["updated_at"].as_str().unwrap()), &admin).await.expect(200).body;
    assert_eq!(ids(&after_edit), [first_id.as_str()]);
    let before_edit = app
        .get(&format!("/api/v1/products?updated_at_to={}", urlencode(edited["updated_at"].as_str().unwrap())), &admin)
        .await
        .expect(200)
        .body;
    assert!(!ids(&before_edit).contains(&first_id), "the end is left out");
    let walk = app.get("/api/v1/products?sort=updated_at&limit=1", &admin).await.expect(200).body;
    assert_eq!(ids(&walk), [second_id.as_str()]);
    let cursor = walk["next_cursor"].as_str().unwrap();
    let next = app.get(&format!("/api/v1/products?sort=updated_at&limit=1&cursor={cursor}"), &admin).await.expect(200).body;
    assert_eq!(ids(&next), [first_id.as_str()], "the cursor walks in the order of change");

    // Every list of records takes the window and rejects a malformed bound.
    let future = "2199-01-01";
    for path in [
        "/api/v1/customers",
        "/api/v1/contacts",
        "/api/v1/interactions",
        "/api/v1/tasks",
        "/api/v1/products",
        "/api/v1/opportunities",
        "/api/v1/orders",
        "/api/v1/tickets",
        "/api/v1/requirements",
        "/api/v1/kb/articles",
    ] {
        let page = app.get(&format!("{path}?updated_at_from={future}"), &admin).await.expect(200).body;
        assert_eq!(page["data"], json!([]), "{path}");
        app.get(&format!("{path}?updated_at_from=yesterday"), &admin).await.problem(400);
        let sorted = app.get(&format!("{path}?sort=updated_at&updated_at_to={future}"), &admin).await;
        assert_eq!(sorted.status, 200, "{path} sorts by updated_at: {}", sorted.text);
    }
    let of_customer = app.get(&format!("/api/v1/customers/{customer_id}/contacts?updated_at_from={future}"), &admin).await.expect(200).body;
    assert_eq!(of_customer["data"], json!([]), "a customer's contacts too");
    let customers = app
        .get(&format!("/api/v1/customers?updated_at_from={}", urlencode(customer["updated_at"].as_str().unwrap())), &admin)
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&customers), [customer_id]);
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn every_contact_the_caller_may_read_is_listed_filtered_and_paged() {
    let app = TestApp::spawn().await;
    let admin_token = app.admin().await;
    let admin = admin_token.as_str();
    let (_, sales) = app.user("sales@example.com", "sales", &[]).await;
    let theirs = app.customer(admin, json!({ "kind": "company", "name": "管理员的客户" })).await;
    let own = app.customer(&sales, json!({ "kind": "company", "name": "销售的客户" })).await;
    let (app, admin) = (&app, admin);
    let add = |customer: &Value, name: &str, mobile: &str| {
        let path = format!("/api/v1/customers/{}/contacts", customer["id"].as_str().unwrap());
        let body = json!({ "name": name, "mobile": mobile, "email": format!("{}@example.com", mobile) });
        async move { app.post(&path, admin, body).await.expect(201).id() }
    };
    let wang = add(&theirs, "王磊", "13812345678").await;
    let li = add(&own, "李娜", "13912345678").await;
    let zhao = add(&own, "Zhao Min", "13712345678").await;

    let all = app.get("/api/v1/contacts", admin).await.expect(200).body;
    assert_eq!(ids(&all), [zhao.clone(), li.clone(), wang.clone()], "newest first by default");
    let mine = app.get("/api/v1/contacts", &sales).await.expect(200).body;
    assert_eq!(ids(&mine), [zhao.clone(), li.clone()], "scoped through the customer");
    let of_customer = app.get(&format!("/api/v1/contacts?customer_id={}", theirs["id"].as_str().unwrap()), &sales).await.expect(200).body;
    assert_eq!(of_customer["data"], json!([]));
    for (q, expected) in [
        ("李", vec![li.clone()]),
        ("zhao", vec![zhao.clone()]),
        ("139 1234 5678", vec![li.clone()]),
        ("139 1234", vec![]),
        ("13812345678@Example.com", vec![wang.clone()]),
        ("13812345678@", vec![]),
    ] {
        let found = app.get(&format!("/api/v1/contacts?q={}", urlencode(q).replace(' ', "%20")), admin).await.expect(200).body;
        assert_eq!(ids(&found), expected, "q={q}");
    }
    let by_name = app.get("/api/v1/contacts?sort=name&limit=2", admin).await.expect(200).body;
    assert_eq!(by_name["data"].as_array().unwrap().len(), 2);
    let rest = app
        .get(&format!("/api/v1/contacts?sort=name&limit=2&cursor={}", by_name["next_cursor"].as_str().unwrap()), admin)
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&by_name).len() + ids(&rest).len(), 3);
    app.get("/api/v1/contacts?sort=mobile", admin).await.problem(400);
    app.delete(&format!("/api/v1/contacts/{li}"), admin).await.expect(204);
    assert_eq!(ids(&app.get("/api/v1/contacts", &sales).await.expect(200).body), [zhao]);
}

/// The lines of an ndjson export, parsed.
fn ndjson(text: &str) -> Vec<Value> {
    text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// The rows of a CSV export (RFC 4180: quoted cells may hold commas, quotes and line breaks).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let (mut row, mut cell, mut quoted, mut chars) = (vec![], String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn exports_stream_what_the_list_returns_as_ndjson_and_csv() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, sales) = app.user("sales@example.com", "sales", &[]).await;
    for n in 0..7 {
        app.customer(
            &admin,
            json!({ "kind": "company", "name": format!("上海客户{n}"), "industry": if n % 2 == 0 { "制造业" } else { "贸易" } }),
        )
        .await;
    }
    app.customer(&admin, json!({ "kind": "company", "name": "=HYPERLINK(\"http://x\",\"点我\")", "industry": "制造业", "address": "浦东, \"金桥\"", "notes": "第一行\n第二行" })).await;
    let own = app.customer(&sales, json!({ "kind": "individual", "name": "张三", "industry": "制造业" })).await;

    // ndjson: the list's records with the same filter and sort, in the same order.
    let list = app.get("/api/v1/customers?industry=制造业&sort=name&limit=200", &admin).await.expect(200).body;
    let export = app.get("/api/v1/customers/export?industry=制造业&sort=name", &admin).await.expect(200);
    assert_eq!(export.header("content-type").as_deref(), Some("application/x-ndjson"));
    assert!(export.header("content-disposition").unwrap().contains("customers.ndjson"));
    assert_eq!(&ndjson(&export.text), list["data"].as_array().unwrap());
    assert_eq!(ndjson(&export.text).len(), 6);

    // CSV: a byte order mark, a header of the record's fields, the same rows; quoting and a
    // defused formula.
    let csv = app.get("/api/v1/customers/export?format=csv&industry=制造业&sort=name", &admin).await.expect(200);
    assert_eq!(csv.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    let text = csv.text.strip_prefix('\u{feff}').expect("UTF-8 with a byte order mark");
    let rows = csv_rows(text);
    let header = &rows[0];
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {header:?}"));
    assert_eq!(rows.len(), 7, "a header and six customers");
    let names: Vec<&str> = rows[1..].iter().map(|r| r[column("name")].as_str()).collect();
    let listed: Vec<String> = list["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect();
    for (csv_name, listed_name) in names.iter().zip(&listed) {
        if listed_name.starts_with('=') {
            assert_eq!(*csv_name, format!("'{listed_name}"), "a formula is text");
        } else {
            assert_eq!(csv_name, listed_name);
        }
    }
    let formula = rows.iter().find(|r| r[column("name")].starts_with("'=")).unwrap();
    assert_eq!(formula[column("address")], "浦东, \"金桥\"", "quoted as RFC 4180 says");
    assert_eq!(formula[column("notes")], "第一行\n第二行");
    assert_eq!(formula[column("tags")], "[]", "nested values as JSON text");

    // Scope: the own-scope salesperson exports their own customer only.
    let theirs = ndjson(&app.get("/api/v1/customers/export", &sales).await.expect(200).text);
    assert_eq!(theirs.iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), [own["id"].clone()]);

    // Every export answers, in both formats; a bad format or sort is refused before streaming.
    for resource in ["customers", "contacts", "products", "orders", "opportunities", "interactions", "tasks", "tickets"] {
        app.get(&format!("/api/v1/{resource}/export"), &admin).await.expect(200);
        let csv = app.get(&format!("/api/v1/{resource}/export?format=csv"), &admin).await.expect(200);
        assert!(csv.text.starts_with('\u{feff}'), "{resource}");
        assert!(csv_rows(&csv.text).first().is_some_and(|h| h.len() > 3), "{resource} has a header even when empty");
        app.get(&format!("/api/v1/{resource}/export?format=pdf"), &admin).await.problem(400);
        app.get(&format!("/api/v1/{resource}/export?sort=nonsense"), &admin).await.problem(400);
    }
    let marketing = app.user("marketing@example.com", "marketing", &[]).await.1;
    app.get("/api/v1/orders/export", &marketing).await.problem(403);
}

#[tokio::test]
async fn an_export_walks_every_page_of_a_large_list() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // More than one export page (500 rows each).
    for n in 0..520 {
        let body = json!({ "sku": format!("SKU-{n:04}"), "name": format!("产品{n:04}"), "unit_price": { "amount_minor": 100 } });
        app.post("/api/v1/products", &admin, body).await.expect(201);
    }
    let rows = ndjson(&app.get("/api/v1/products/export", &admin).await.expect(200).text);
    assert_eq!(rows.len(), 520);
    let skus: Vec<&str> = rows.iter().map(|r| r["sku"].as_str().unwrap()).collect();
    let mut sorted = skus.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 520, "no row twice, none left out");
}
