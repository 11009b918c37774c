//! External ids: customers, contacts and products known by their ids in other systems, created
//! or updated by `PUT /{resource}/external/{system}/{external_id}` and read by `GET` there; an id
//! names one live record per system.

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::TestApp;

async fn put(app: &TestApp, path: &str, token: &str, body: Value, headers: &[(&str, &str)]) -> crm_tests::Reply {
    app.send(Method::PUT, path, Some(token), Some(&body), headers).await
}

#[tokio::test]
async fn a_customer_is_created_then_updated_by_its_erp_id_and_found_by_each_of_its_ids() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let path = "/api/v1/customers/external/erp/C-1001";

    let created =
        put(&app, path, &admin, json!({ "kind": "company", "name": "上海浦江机械有限公司", "city": "上海市" }), &[]).await.expect(201);
    let id = created.id();
    assert_eq!(created.header("location").unwrap(), format!("/api/v1/customers/{id}"));
    assert_eq!(created.header("etag").unwrap(), "\"1\"");
    assert_eq!(created.body["external_ids"], json!({ "erp": "C-1001" }));
    assert_eq!(created.body["city"], "上海市");

    // The same PUT again is a merge patch of that customer: fields not sent stay.
    let (audits, events) = app.side_effects().await;
    let updated = put(&app, path, &admin, json!({ "name": "上海浦江精密机械有限公司", "external_ids": { "finance": "88-17" } }), &[])
        .await
        .expect(200);
    assert_eq!(updated.id(), id);
    assert_eq!(updated.body["name"], "上海浦江精密机械有限公司");
    assert_eq!(updated.body["city"], "上海市", "fields not sent stay");
    assert_eq!(updated.body["external_ids"], json!({ "erp": "C-1001", "finance": "88-17" }));
    assert_eq!(updated.body["version"], 2);
    assert_eq!(app.side_effects().await, (audits + 1, events + 1), "one audit entry and one event for the update");
    let feed = app.get("/api/v1/events?types=customer.updated", &admin).await.expect(200);
    let last = feed.body["data"].as_array().unwrap().last().unwrap().clone();
    assert!(last.to_string().contains("88-17"), "the event carries the new reference: {last}");

    // Read by either id, or in the list.
    for by in ["/api/v1/customers/external/erp/C-1001", "/api/v1/customers/external/finance/88-17"] {
        let read = app.get(by, &admin).await.expect(200);
        assert_eq!(read.id(), id);
        assert_eq!(read.header("etag").unwrap(), "\"2\"");
    }
    let listed = app.get("/api/v1/customers", &admin).await.expect(200);
    assert_eq!(listed.body["data"][0]["external_ids"]["finance"], "88-17");
    app.get("/api/v1/customers/external/erp/C-404", &admin).await.problem(404);

    // If-Match is honoured on update; sent for an id nobody has, it fails rather than creating.
    let stale = put(&app, path, &admin, json!({ "notes": "x" }), &[("If-Match", "\"1\"")]).await.problem(412);
    assert_eq!(stale["current_version"], 2);
    put(&app, path, &admin, json!({ "notes": "ERP 同步" }), &[("If-Match", "\"2\"")]).await.expect(200);
    let absent = put(
        &app,
        "/api/v1/customers/external/erp/C-2002",
        &admin,
        json!({ "kind": "company", "name": "新客户" }),
        &[("If-Match", "\"1\"")],
    )
    .await
    .problem(412);
    assert_eq!(absent["code"], "external_id.absent");

    // A body may not move the record off the id in its path; a merge patch can drop another.
    let fields = put(&app, path, &admin, json!({ "external_ids": { "erp": "C-9" } }), &[]).await.invalid_fields();
    assert_eq!(fields, ["external_ids.erp"]);
    let dropped = put(&app, path, &admin, json!({ "external_ids": { "finance": null } }), &[]).await.expect(200);
    assert_eq!(dropped.body["external_ids"], json!({ "erp": "C-1001" }));
    app.get("/api/v1/customers/external/finance/88-17", &admin).await.problem(404);

    // Path parts that cannot be an id are a bad request, and change nothing.
    let before = app.side_effects().await;
    let bad = put(&app, "/api/v1/customers/external/ERP/C-1", &admin, json!({ "kind": "company", "name": "x" }), &[]).await.problem(400);
    assert_eq!(bad["errors"][0]["field"], "system");
    let invalid =
        put(&app, "/api/v1/customers/external/erp/C-3", &admin, json!({ "kind": "planet", "name": "" }), &[]).await.invalid_fields();
    assert_eq!(invalid, ["kind", "name"]);
    assert_eq!(app.side_effects().await, before);
}

#[tokio::test]
async fn an_id_names_one_live_record_per_system_and_comes_back_with_a_restored_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let first = app.customer(&admin, json!({ "kind": "company", "name": "甲公司", "external_ids": { "erp": "C-1" } })).await;
    let second = app.customer(&admin, json!({ "kind": "company", "name": "乙公司" })).await;
    let second_id = second["id"].as_str().unwrap();

    let taken =
        app.patch(&format!("/api/v1/customers/{second_id}"), &admin, json!({ "external_ids": { "erp": "C-1" } }), None).await.problem(409);
    assert_eq!(taken["code"], "external_id.taken");
    assert_eq!(taken["existing_id"], first["id"]);
    let dup = app
        .post("/api/v1/customers", &admin, json!({ "kind": "company", "name": "丙公司", "external_ids": { "erp": "C-1" } }))
        .await
        .problem(409);
    assert_eq!(dup["existing_id"], first["id"]);
    // Another system, or another kind of record, may use the same id.
    app.patch(&format!("/api/v1/customers/{second_id}"), &admin, json!({ "external_ids": { "shop": "C-1" } }), None).await.expect(200);
    let product =
        json!({ "sku": "P-1", "name": "主轴", "unit_price": { "amount_minor": 100, "currency": "CNY" }, "external_ids": { "erp": "C-1" } });
    app.post("/api/v1/products", &admin, product).await.expect(201);

    // A binned customer's id is free for another, and a restore that would clash is refused.
    let first_id = first["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/customers/{first_id}"), &admin).await.expect(204);
    app.get("/api/v1/customers/external/erp/C-1", &admin).await.problem(404);
    app.patch(&format!("/api/v1/customers/{second_id}"), &admin, json!({ "external_ids": { "erp": "C-1" } }), None).await.expect(200);
    let clash = app.post(&format!("/api/v1/customers/{first_id}/restore"), &admin, json!({})).await.problem(409);
    assert_eq!((clash["code"].as_str(), clash["existing_id"].as_str()), (Some("external_id.taken"), Some(second_id)));
    app.patch(&format!("/api/v1/customers/{second_id}"), &admin, json!({ "external_ids": { "erp": null } }), None).await.expect(200);
    let restored = app.post(&format!("/api/v1/customers/{first_id}/restore"), &admin, json!({})).await.expect(200);
    assert_eq!(restored.body["external_ids"], json!({ "erp": "C-1" }));
    assert_eq!(app.get("/api/v1/customers/external/erp/C-1", &admin).await.expect(200).id(), first_id);
}

#[tokio::test]
async fn racing_upserts_of_one_id_make_one_customer() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({ "kind": "company", "name": "并发客户" });
    let replies =
        futures_util::future::join_all((0..8).map(|_| put(&app, "/api/v1/customers/external/erp/C-77", &admin, body.clone(), &[]))).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 200), "{statuses:?}");
    let ids: std::collections::BTreeSet<String> = replies.iter().map(|r| r.id()).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(app.count("customers", Some(("name", "并发客户"))).await, 1);
}

#[tokio::test]
async fn contacts_are_upserted_under_their_customer_or_by_their_own_id() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = put(&app, "/api/v1/customers/external/erp/C-1001", &admin, json!({ "kind": "company", "name": "上海浦江机械" }), &[])
        .await
        .expect(201)
        .id();

    // By the customer's own id in the same system.
    let created = put(
        &app,
        "/api/v1/contacts/external/erp/P-1?customer_external_id=C-1001",
        &admin,
        json!({ "name": "王伟", "mobile": "13912345678" }),
        &[],
    )
    .await
    .expect(201);
    assert_eq!(created.body["customer_id"].as_str().unwrap(), customer);
    assert_eq!(created.body["external_ids"], json!({ "erp": "P-1" }));
    // Again by its own id: a merge patch, no customer needed.
    let updated = put(&app, "/api/v1/contacts/external/erp/P-1", &admin, json!({ "title": "采购经理" }), &[]).await.expect(200);
    assert_eq!((updated.body["title"].as_str(), updated.body["mobile"].as_str()), (Some("采购经理"), Some("+8613912345678")));
    assert_eq!(app.get("/api/v1/contacts/external/erp/P-1", &admin).await.expect(200).id(), created.id());

    // Under the customer.
    let under = put(&app, &format!("/api/v1/customers/{customer}/contacts/external/erp/P-2"), &admin, json!({ "name": "李娜" }), &[])
        .await
        .expect(201);
    assert_eq!(under.body["customer_id"].as_str().unwrap(), customer);
    let listed = app.get(&format!("/api/v1/customers/{customer}/contacts"), &admin).await.expect(200);
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 2);

    // A new contact needs a customer; a contact of another customer is not moved.
    let orphan = put(&app, "/api/v1/contacts/external/erp/P-3", &admin, json!({ "name": "无主" }), &[]).await.invalid_fields();
    assert_eq!(orphan, ["customer_id"]);
    let other = app.customer(&admin, json!({ "kind": "company", "name": "另一家" })).await;
    let other_id = other["id"].as_str().unwrap();
    let moved = put(&app, &format!("/api/v1/customers/{other_id}/contacts/external/erp/P-2"), &admin, json!({ "name": "李娜" }), &[])
        .await
        .problem(409);
    assert_eq!((moved["code"].as_str(), moved["existing_id"].as_str()), (Some("external_id.taken"), Some(under.id().as_str())));
    put(&app, "/api/v1/contacts/external/erp/P-4?customer_external_id=C-404", &admin, json!({ "name": "x" }), &[]).await.problem(404);
}

#[tokio::test]
async fn products_are_upserted_by_their_erp_id_and_scopes_apply_to_upserts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let path = "/api/v1/products/external/erp/M-8801";
    let body = json!({ "sku": "PJ-100", "name": "数控车床维保", "unit_price": { "amount_minor": 1_280_000, "currency": "CNY" } });
    let created = put(&app, path, &admin, body, &[]).await.expect(201);
    let updated = put(&app, path, &admin, json!({ "unit_price": { "amount_minor": 1_300_000, "currency": "CNY" } }), &[]).await.expect(200);
    assert_eq!(updated.id(), created.id());
    assert_eq!(updated.body["unit_price"]["amount_minor"], 1_300_000);
    assert_eq!(updated.body["external_ids"], json!({ "erp": "M-8801" }));

    // A salesperson may not change the catalogue, and reaches no customer outside their scope.
    let (_, sales) = app.user("sales@example.com", "sales", &[]).await;
    put(&app, path, &sales, json!({ "name": "改名" }), &[]).await.problem(403);
    put(&app, "/api/v1/customers/external/erp/C-1", &admin, json!({ "kind": "company", "name": "管理员的客户" }), &[]).await.expect(201);
    put(&app, "/api/v1/customers/external/erp/C-1", &sales, json!({ "name": "抢走" }), &[]).await.problem(404);
    app.get("/api/v1/customers/external/erp/C-1", &sales).await.problem(404);
}

#[tokio::test]
async fn orders_are_upserted_by_their_erp_id_and_a_confirmed_one_may_be_sent_again() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "订货客户" })).await["id"].clone();
    let product = app
        .post("/api/v1/products", &admin, json!({ "sku": "P-1", "name": "主轴", "unit_price": { "amount_minor": 10_000 } }))
        .await
        .expect(201)
        .id();
    let path = "/api/v1/orders/external/erp/SO-42";
    let body = json!({ "customer_id": customer, "order_date": "2026-11-20", "lines": [{ "product_id": product, "quantity": 2 }] });
    let created = put(&app, path, &admin, body.clone(), &[]).await.expect(201);
    assert_eq!(created.body["external_ids"], json!({ "erp": "SO-42" }));
    assert_eq!(created.body["total"]["amount_minor"], 20_000);
    let order_id = created.id();
    let relined = put(&app, path, &admin, json!({ "lines": [{ "product_id": product, "quantity": 3 }] }), &[]).await.expect(200);
    assert_eq!(relined.body["total"]["amount_minor"], 30_000);
    app.post(&format!("/api/v1/orders/{order_id}/confirm"), &admin, json!({})).await.expect(200);

    // The ERP sends the confirmed order again as it knows it: nothing changes, nothing refused.
    let again = put(&app, path, &admin, json!({ "order_date": "2026-11-20" }), &[]).await.expect(200);
    assert_eq!(again.body["status"], "confirmed");
    assert_eq!(again.body["version"], relined.body["version"].as_i64().unwrap() + 1);
    // Another system's id may be added; its terms may not change.
    let finance = put(&app, path, &admin, json!({ "external_ids": { "finance": "AR-7" } }), &[]).await.expect(200);
    assert_eq!(finance.body["external_ids"], json!({ "erp": "SO-42", "finance": "AR-7" }));
    let refused = put(&app, path, &admin, json!({ "notes": "改" }), &[]).await.problem(409);
    assert_eq!(refused["code"], "order.not_editable");
    assert_eq!(app.get("/api/v1/orders/external/finance/AR-7", &admin).await.expect(200).id(), order_id);
}

#[tokio::test]
async fn a_binned_customers_contacts_free_their_ids_until_it_comes_back() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let old =
        put(&app, "/api/v1/customers/external/erp/C-1", &admin, json!({ "kind": "company", "name": "旧客户" }), &[]).await.expect(201).id();
    put(&app, "/api/v1/contacts/external/erp/P-1?customer_external_id=C-1", &admin, json!({ "name": "王伟" }), &[]).await.expect(201);
    app.delete(&format!("/api/v1/customers/{old}"), &admin).await.expect(204);
    app.get("/api/v1/contacts/external/erp/P-1", &admin).await.problem(404);
    // The ERP moved the person to another customer: the id is free for a new contact there.
    put(&app, "/api/v1/customers/external/erp/C-2", &admin, json!({ "kind": "company", "name": "新客户" }), &[]).await.expect(201);
    let moved =
        put(&app, "/api/v1/contacts/external/erp/P-1?customer_external_id=C-2", &admin, json!({ "name": "王伟" }), &[]).await.expect(201);
    // Bringing the old customer back would give one id to two contacts: refused, naming the holder.
    let clash = app.post(&format!("/api/v1/customers/{old}/restore"), &admin, json!({})).await.problem(409);
    assert_eq!(clash["existing_id"].as_str(), Some(moved.id().as_str()));
}
