//! Merging a duplicate customer into its survivor (查重合并): a dry run says what would move and
//! writes nothing; the merge moves every related record, keeps the chosen values, and leaves the
//! other in the recycle bin pointing at the survivor, all audited and told in the feed.

use serde_json::{Value, json};

use crm_tests::TestApp;

fn ids(reply: &Value) -> Vec<String> {
    reply["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_merge_moves_every_related_record_keeps_the_chosen_values_and_bins_the_other() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.post(
        "/api/v1/custom-fields",
        &admin,
        json!({ "entity": "customers", "key": "grade", "label_zh": "等级", "label_en": "Grade", "field_type": "text" }),
    )
    .await
    .expect(201);
    let survivor = app
        .customer(&admin, json!({ "kind": "company", "name": "浦江机械", "city": "上海市", "tags": ["重点"], "external_ids": { "erp": "C-1" }, "custom_fields": { "grade": "A" } }))
        .await;
    let other = app
        .customer(
            &admin,
            json!({ "kind": "company", "name": "上海浦江机械有限公司", "city": "苏州市", "industry": "制造业", "credit_code": "91350100m000100y43",
                    "tags": ["华东"], "external_ids": { "erp": "C-2", "finance": "F-9" }, "custom_fields": { "grade": "B" } }),
        )
        .await;
    let (survivor_id, other_id) = (survivor["id"].as_str().unwrap().to_owned(), other["id"].as_str().unwrap().to_owned());
    app.post(&format!("/api/v1/customers/{survivor_id}/contacts"), &admin, json!({ "name": "老王", "is_primary": true })).await.expect(201);
    let contact = app
        .post(&format!("/api/v1/customers/{other_id}/contacts"), &admin, json!({ "name": "小李", "is_primary": true }))
        .await
        .expect(201)
        .id();
    let interaction = app
        .post("/api/v1/interactions", &admin, json!({ "customer_id": other_id, "channel": "phone", "direction": "inbound", "occurred_at": "2026-11-01T08:00:00Z", "subject": "询价" }))
        .await
        .expect(201)
        .id();
    let task = app
        .post(
            "/api/v1/tasks",
            &admin,
            json!({ "title": "回访", "customer_id": other_id, "related_type": "customer", "related_id": other_id }),
        )
        .await
        .expect(201)
        .id();
    let opportunity = app
        .post("/api/v1/opportunities", &admin, json!({ "customer_id": other_id, "name": "年度维保", "amount": { "amount_minor": 5000 } }))
        .await
        .expect(201)
        .id();
    let product = app
        .post("/api/v1/products", &admin, json!({ "sku": "M-1", "name": "维保", "unit_price": { "amount_minor": 300000 } }))
        .await
        .expect(201)
        .id();
    let order = app
        .post(
            "/api/v1/orders",
            &admin,
            json!({ "customer_id": other_id, "order_date": "2026-10-01", "lines": [{ "product_id": product, "quantity": 2 }] }),
        )
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/orders/{order}/confirm"), &admin, json!({})).await.expect(200);
    let ticket = app.post("/api/v1/tickets", &admin, json!({ "customer_id": other_id, "subject": "设备故障" })).await.expect(201).id();
    app.post(&format!("/api/v1/customers/{other_id}/consents"), &admin, json!({ "purpose": "sms", "channel": "phone" })).await.expect(201);
    let requirement = app
        .post("/api/v1/requirements", &admin, json!({ "title": "移动审批", "origin": { "customer_id": other_id } }))
        .await
        .expect(201)
        .id();
    let merge = format!("/api/v1/customers/{survivor_id}/merge");

    // A dry run: what would move and the survivor as it would be; nothing written.
    let before = app.side_effects().await;
    let dry = app
        .post(&merge, &admin, json!({ "other_id": other_id, "field_choices": { "name": "other", "city": "survivor", "custom_fields.grade": "other" }, "dry_run": true }))
        .await
        .expect(200)
        .body;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["moved"]["contacts"], 1);
    assert_eq!(
        (dry["moved"]["interactions"].as_u64(), dry["moved"]["orders"].as_u64(), dry["moved"]["tickets"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(dry["survivor"]["name"], "上海浦江机械有限公司");
    assert_eq!(dry["survivor"]["city"], "上海市");
    assert_eq!(dry["survivor"]["industry"], "制造业", "an empty field is filled from the other");
    assert_eq!(dry["kept_external_ids"], json!({ "erp": "C-2" }));
    assert_eq!(app.side_effects().await, before, "a dry run writes nothing");
    assert_eq!(app.get(&format!("/api/v1/customers/{other_id}"), &admin).await.expect(200).body["name"], "上海浦江机械有限公司");

    // Refusals: itself, unknown ids and choices, another kind.
    assert_eq!(app.post(&merge, &admin, json!({ "other_id": survivor_id })).await.invalid_fields(), ["other_id"]);
    assert_eq!(
        app.post(&merge, &admin, json!({ "other_id": "0192f0c0-0000-7000-8000-000000000001" })).await.invalid_fields(),
        ["other_id"]
    );
    assert_eq!(
        app.post(&merge, &admin, json!({ "other_id": other_id, "field_choices": { "planet": "other" } })).await.invalid_fields(),
        ["field_choices.planet"]
    );
    let person = app.customer(&admin, json!({ "kind": "individual", "name": "张三" })).await;
    assert_eq!(app.post(&merge, &admin, json!({ "other_id": person["id"] })).await.problem(409)["code"], "customer.merge_kind_mismatch");
    let (_, sales) = app.user("merge-sales@example.com", "sales", &[]).await;
    app.post(&merge, &sales, json!({ "other_id": other_id })).await.problem(404);

    // The merge.
    let merged = app
        .post(&merge, &admin, json!({ "other_id": other_id, "field_choices": { "name": "other", "custom_fields.grade": "other" } }))
        .await
        .expect(200)
        .body;
    assert_eq!(merged["dry_run"], false);
    let after = app.get(&format!("/api/v1/customers/{survivor_id}"), &admin).await.expect(200).body;
    assert_eq!(
        (after["name"].as_str(), after["city"].as_str(), after["industry"].as_str()),
        (Some("上海浦江机械有限公司"), Some("上海市"), Some("制造业"))
    );
    assert_eq!(after["credit_code"], "91350100M000100Y43", "the other's credit code is free for the survivor to take");
    assert_eq!(after["tags"], json!(["重点", "华东"]));
    assert_eq!(after["custom_fields"], json!({ "grade": "B" }));
    assert_eq!(after["external_ids"], json!({ "erp": "C-1", "finance": "F-9" }));
    assert_eq!((after["order_count"].as_i64(), after["total_spend_minor"].as_i64()), (Some(1), Some(600000)), "{after}");
    assert_eq!(after["lifecycle_stage"], "customer", "the other's confirmed order makes the survivor a customer");

    // Every related record is the survivor's now; the other is in the recycle bin.
    let contacts = app.get(&format!("/api/v1/customers/{survivor_id}/contacts"), &admin).await.expect(200).body;
    assert!(ids(&contacts).contains(&contact));
    let primaries = contacts["data"].as_array().unwrap().iter().filter(|c| c["is_primary"] == true).count();
    assert_eq!(primaries, 1, "the survivor keeps one primary contact");
    for (path, id) in [
        (format!("/api/v1/interactions/{interaction}"), "customer_id"),
        (format!("/api/v1/tasks/{task}"), "customer_id"),
        (format!("/api/v1/opportunities/{opportunity}"), "customer_id"),
        (format!("/api/v1/orders/{order}"), "customer_id"),
        (format!("/api/v1/tickets/{ticket}"), "customer_id"),
    ] {
        let record = app.get(&path, &admin).await.expect(200).body;
        assert_eq!(record[id].as_str(), Some(survivor_id.as_str()), "{path}");
        assert_eq!(record["version"].as_i64().unwrap() > 1, true, "{path} moved as its next version");
    }
    assert_eq!(
        app.get(&format!("/api/v1/customers/{survivor_id}/consents"), &admin).await.expect(200).body["data"].as_array().unwrap().len(),
        1
    );
    let requesters = app.get(&format!("/api/v1/requirements/{requirement}/requesters"), &admin).await.expect(200).body;
    assert_eq!(requesters["data"][0]["customer_id"].as_str(), Some(survivor_id.as_str()));
    let timeline = app.get(&format!("/api/v1/customers/{survivor_id}/timeline"), &admin).await.expect(200).body;
    assert!(timeline["data"].as_array().unwrap().len() >= 4, "the other's timeline came along: {timeline}");
    app.get(&format!("/api/v1/customers/{other_id}"), &admin).await.problem(404);
    let bin = app.get("/api/v1/customers/recycle-bin", &admin).await.expect(200).body;
    assert!(ids(&bin).contains(&other_id));
    app.get("/api/v1/customers/external/erp/C-1", &admin).await.expect(200);
    assert_eq!(app.get("/api/v1/customers/external/finance/F-9", &admin).await.expect(200).id(), survivor_id);

    // Told in the feed: the merge, the other's deletion, each moved record's update.
    let feed = app
        .get("/api/v1/events?types=customer.merged,customer.deleted,contact.updated,order.updated,ticket.updated", &admin)
        .await
        .expect(200)
        .body;
    let types: Vec<&str> = feed["data"].as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    for kind in ["customer.merged", "customer.deleted", "contact.updated", "order.updated", "ticket.updated"] {
        assert!(types.contains(&kind), "{kind} in {types:?}");
    }
    let told = feed["data"].as_array().unwrap().iter().find(|e| e["event_type"] == "customer.merged").unwrap();
    assert_eq!(told["payload"]["detail"]["merged_id"].as_str(), Some(other_id.as_str()));
    assert_eq!(told["payload"]["changed"]["name"][1], "上海浦江机械有限公司");
    let audit = app.get(&format!("/api/v1/audit?entity_type=customer&entity_id={survivor_id}"), &admin).await.expect(200).body;
    assert!(audit["data"].as_array().unwrap().iter().any(|e| e["action"] == "merge"), "{audit}");
}
