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
    // Both gave SMS consent: one consent in force per purpose, the survivor's stays.
    app.post(&format!("/api/v1/customers/{survivor_id}/consents"), &admin, json!({ "purpose": "sms", "channel": "phone" }))
        .await
        .expect(201);
    app.post(&format!("/api/v1/customers/{other_id}/consents"), &admin, json!({ "purpose": "marketing_email", "channel": "web" }))
        .await
        .expect(201);
    // A value of a field retired since is the other's alone: it stays with it by default.
    let legacy = app
        .post(
            "/api/v1/custom-fields",
            &admin,
            json!({ "entity": "customers", "key": "old_code", "label_zh": "旧编号", "label_en": "Old code", "field_type": "text" }),
        )
        .await
        .expect(201)
        .id();
    app.patch(&format!("/api/v1/customers/{other_id}"), &admin, json!({ "custom_fields": { "old_code": "X-1" } }), None).await.expect(200);
    app.delete(&format!("/api/v1/custom-fields/{legacy}"), &admin).await.expect(204);
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

    // The merge, guarded by the version previewed.
    let body = json!({ "other_id": other_id, "field_choices": { "name": "other", "custom_fields.grade": "other" } });
    let stale = app.send(reqwest::Method::POST, &merge, Some(&admin), Some(&body), &[("If-Match", "\"7\"")]).await.problem(412);
    assert_eq!(stale["current_version"], 1);
    let merged = app.send(reqwest::Method::POST, &merge, Some(&admin), Some(&body), &[("If-Match", "\"1\"")]).await.expect(200).body;
    assert_eq!(merged["dry_run"], false);
    let after = app.get(&format!("/api/v1/customers/{survivor_id}"), &admin).await.expect(200).body;
    assert_eq!(
        (after["name"].as_str(), after["city"].as_str(), after["industry"].as_str()),
        (Some("上海浦江机械有限公司"), Some("上海市"), Some("制造业"))
    );
    assert_eq!(after["credit_code"], "91350100M000100Y43", "the other's credit code is free for the survivor to take");
    assert_eq!(after["tags"], json!(["重点", "华东"]));
    assert_eq!(after["custom_fields"]["grade"], "B");
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
        assert!(record["version"].as_i64().unwrap() > 1, "{path} moved as its next version");
    }
    let consents = app.get(&format!("/api/v1/customers/{survivor_id}/consents"), &admin).await.expect(200).body;
    let mut purposes: Vec<&str> = consents["data"].as_array().unwrap().iter().map(|c| c["purpose"].as_str().unwrap()).collect();
    purposes.sort();
    assert_eq!(purposes, ["marketing_email", "sms"], "{consents}");
    assert!(consents["data"].as_array().unwrap().iter().all(|c| c["customer_id"].as_str() == Some(survivor_id.as_str())));
    assert_eq!(app.get(&format!("/api/v1/tasks/{task}"), &admin).await.expect(200).body["related_id"].as_str(), Some(survivor_id.as_str()));
    assert!(after["custom_fields"].get("old_code").is_none(), "a retired field's value stays with the other: {after}");
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

#[tokio::test]
async fn duplicates_are_found_by_phone_email_credit_code_and_similar_names_before_saving_and_across_the_database() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let pujiang = app
        .customer(&admin, json!({ "kind": "company", "name": "上海浦江机械有限公司", "city": "上海市", "phone": "021-6234 5678", "credit_code": "91350100m000100y43" }))
        .await;
    let qibao =
        app.customer(&admin, json!({ "kind": "company", "name": "七宝印刷", "city": "上海市", "email": "info@qibao.example.cn" })).await;
    let suzhou = app.customer(&admin, json!({ "kind": "company", "name": "浦江机械", "city": "苏州市" })).await;
    let with_contact = app.customer(&admin, json!({ "kind": "company", "name": "联系人公司", "city": "北京市" })).await;
    app.post(
        &format!("/api/v1/customers/{}/contacts", with_contact["id"].as_str().unwrap()),
        &admin,
        json!({ "name": "王伟", "mobile": "139 1234 5678" }),
    )
    .await
    .expect(201);
    let check = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move { app.post("/api/v1/customers/duplicate-check", &admin, body).await.expect(200).body["duplicate_candidates"].clone() }
    };

    // Before saving: a similar name in the same city, not in another city.
    let found = check(json!({ "name": "浦江机械", "city": "上海市" })).await;
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["id"], pujiang["id"]);
    assert_eq!(found[0]["reasons"], json!(["name"]));
    assert!(found[0]["similarity"].as_f64().unwrap() >= 0.6);
    // The same phone (sealed, found through its blind index), however typed; a contact's mobile.
    let by_phone = check(json!({ "name": "完全不同的名字", "phone": "+86 21 6234 5678" })).await;
    assert_eq!(by_phone[0]["id"], pujiang["id"]);
    assert_eq!(by_phone[0]["reasons"], json!(["phone"]));
    assert_eq!(check(json!({ "phone": "13912345678" })).await[0]["id"], with_contact["id"]);
    assert_eq!(check(json!({ "email": "Info@Qibao.Example.CN" })).await[0]["id"], qibao["id"]);
    let by_code = check(json!({ "credit_code": "91350100M000100Y43", "name": "浦江机械", "city": "上海市" })).await;
    assert_eq!(by_code[0]["reasons"], json!(["credit_code", "name"]));
    assert_eq!(
        check(json!({ "name": "上海七宝印刷有限公司", "city": "上海市", "exclude_id": qibao["id"] })).await,
        json!([]),
        "the record being edited is left out"
    );
    assert_eq!(check(json!({ "name": "全新客户", "city": "上海市", "phone": "not a phone" })).await, json!([]));

    // A stored customer's candidates; a rename is found at once, a deleted one no longer.
    let of_suzhou = app.get(&format!("/api/v1/customers/{}/duplicates", suzhou["id"].as_str().unwrap()), &admin).await.expect(200).body;
    assert_eq!(of_suzhou["duplicate_candidates"], json!([]), "another city");
    app.patch(&format!("/api/v1/customers/{}", suzhou["id"].as_str().unwrap()), &admin, json!({ "city": "上海市" }), None)
        .await
        .expect(200);
    let of_pujiang = app.get(&format!("/api/v1/customers/{}/duplicates", pujiang["id"].as_str().unwrap()), &admin).await.expect(200).body;
    assert_eq!(of_pujiang["duplicate_candidates"][0]["id"], suzhou["id"]);

    // Across the database: connected groups (a shared phone links the twin to 浦江, whose name
    // links the other 浦江机械), strongest first, paged; a pair by email makes a second group.
    let twin = app.customer(&admin, json!({ "kind": "company", "name": "另一家", "city": "杭州市", "phone": "021-62345678" })).await;
    let mailer =
        app.customer(&admin, json!({ "kind": "company", "name": "邮件公司", "city": "南京市", "email": "info@qibao.example.cn" })).await;
    let mut groups = Vec::new();
    let mut path = "/api/v1/customers/duplicates?limit=1".to_owned();
    loop {
        let page = app.get(&path, &admin).await.expect(200).body;
        assert!(page["data"].as_array().unwrap().len() <= 1);
        groups.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/customers/duplicates?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(groups.len(), 2, "{groups:?}");
    let members = |group: &Value| {
        let mut ids: Vec<String> = group["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    let id = |c: &Value| c["id"].as_str().unwrap().to_owned();
    let mut linked = vec![id(&pujiang), id(&twin), id(&suzhou)];
    linked.sort();
    let mut mailed = vec![id(&qibao), id(&mailer)];
    mailed.sort();
    let by_members: Vec<Vec<String>> = groups.iter().map(members).collect();
    assert!(by_members.contains(&linked) && by_members.contains(&mailed), "{groups:?}");
    let linked_group = groups.iter().find(|g| members(g) == linked).unwrap();
    assert_eq!((linked_group["score"].as_f64(), linked_group["reasons"].clone()), (Some(1.0), json!(["name", "phone"])));
    // Someone who may read only their own customers sees no group of others'.
    let (_, sales) = app.user("dup-sales@example.com", "sales", &[]).await;
    assert_eq!(app.get("/api/v1/customers/duplicates", &sales).await.expect(200).body["data"], json!([]));
    assert_eq!(
        app.post("/api/v1/customers/duplicate-check", &sales, json!({ "name": "浦江机械", "city": "上海市" })).await.expect(200).body["duplicate_candidates"],
        json!([])
    );

    // A deleted customer is no one's duplicate.
    app.delete(&format!("/api/v1/customers/{}", suzhou["id"].as_str().unwrap()), &admin).await.expect(204);
    assert_eq!(check(json!({ "name": "浦江机械", "city": "上海市" })).await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn contacts_of_one_customer_merge_with_their_interactions_opportunities_and_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "联系人合并公司" })).await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let contacts = format!("/api/v1/customers/{customer_id}/contacts");
    let survivor = app.post(&contacts, &admin, json!({ "name": "王伟", "title": "经理" })).await.expect(201).id();
    let other = app
        .post(
            &contacts,
            &admin,
            json!({ "name": "王伟（采购）", "mobile": "139 1234 5678", "is_primary": true, "external_ids": { "erp": "P-9" } }),
        )
        .await
        .expect(201)
        .id();
    let interaction = app
        .post("/api/v1/interactions", &admin, json!({ "customer_id": customer_id, "contact_id": other, "channel": "phone", "direction": "inbound", "occurred_at": "2026-11-01T08:00:00Z", "subject": "询价" }))
        .await
        .expect(201)
        .id();
    let ticket = app
        .post("/api/v1/tickets", &admin, json!({ "customer_id": customer_id, "contact_id": other, "subject": "故障" }))
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/contacts/{other}/consents"), &admin, json!({ "purpose": "sms", "channel": "phone" })).await.expect(201);
    let merge = format!("/api/v1/contacts/{survivor}/merge");

    let dry = app.post(&merge, &admin, json!({ "other_id": other, "dry_run": true })).await.expect(200).body;
    assert_eq!(
        (dry["moved"]["interactions"].as_u64(), dry["moved"]["tickets"].as_u64(), dry["moved"]["consents"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert!(dry["survivor"]["mobile"].is_string());
    app.get(&format!("/api/v1/contacts/{other}"), &admin).await.expect(200);

    let stranger = app.customer(&admin, json!({ "kind": "company", "name": "别家" })).await;
    let elsewhere = app
        .post(&format!("/api/v1/customers/{}/contacts", stranger["id"].as_str().unwrap()), &admin, json!({ "name": "李娜" }))
        .await
        .expect(201)
        .id();
    assert_eq!(app.post(&merge, &admin, json!({ "other_id": elsewhere })).await.problem(409)["code"], "contact.merge_other_customer");
    assert_eq!(
        app.post(&merge, &admin, json!({ "other_id": other, "field_choices": { "website": "other" } })).await.invalid_fields(),
        ["field_choices.website"]
    );

    let merged = app.post(&merge, &admin, json!({ "other_id": other, "field_choices": { "name": "survivor" } })).await.expect(200).body;
    assert_eq!(merged["moved"]["interactions"], 1);
    let after = app.get(&format!("/api/v1/contacts/{survivor}"), &admin).await.expect(200).body;
    assert_eq!((after["name"].as_str(), after["title"].as_str(), after["is_primary"].as_bool()), (Some("王伟"), Some("经理"), Some(true)));
    assert_eq!(after["external_ids"], json!({ "erp": "P-9" }));
    app.get(&format!("/api/v1/contacts/{other}"), &admin).await.problem(404);
    assert_eq!(
        app.get(&format!("/api/v1/interactions/{interaction}"), &admin).await.expect(200).body["contact_id"].as_str(),
        Some(survivor.as_str())
    );
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{ticket}"), &admin).await.expect(200).body["contact_id"].as_str(),
        Some(survivor.as_str())
    );
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{survivor}/consents"), &admin).await.expect(200).body["data"].as_array().unwrap().len(),
        1
    );
    let feed = app.get("/api/v1/events?types=contact.merged,contact.deleted,interaction.updated", &admin).await.expect(200).body;
    let types: Vec<&str> = feed["data"].as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["contact.deleted", "interaction.updated", "contact.merged"], "{feed}");
}
