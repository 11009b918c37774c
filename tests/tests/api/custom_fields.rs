//! Custom fields: administrators define them per kind of record; values are checked against
//! their definition, kept with the record through every edit, retired fields and options never
//! lose data, and lists filter and sort by them through the field's own index.

use serde_json::{Value, json};

use crm_tests::TestApp;

async fn define(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/api/v1/custom-fields", token, body).await.expect(201).body
}

fn region_field() -> Value {
    json!({
        "entity": "customers", "key": "region_code", "label_zh": "大区", "label_en": "Region", "field_type": "select",
        "options": [
            { "value": "east", "label_zh": "华东", "label_en": "East" },
            { "value": "north", "label_zh": "华北", "label_en": "North" }
        ],
        "default_value": "east", "help_zh": "客户所属大区", "help_en": "The customer's sales region"
    })
}

/// The names of the customers a list answers, in order, following every page.
async fn names(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/customers?limit=2&{query}&cursor={c}"),
            None => format!("/api/v1/customers?limit=2&{query}"),
        };
        let page = app.get(&path, token).await.expect(200);
        names.extend(page.body["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return names,
        }
    }
}

#[tokio::test]
async fn an_administrator_defines_fields_whose_values_are_checked_kept_and_told() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, sales) = app.user("cf-sales@example.com", "sales", &[]).await;

    // Only administrators define fields; everyone signed in reads them.
    app.post("/api/v1/custom-fields", &sales, region_field()).await.problem(403);
    let (audits, events) = app.side_effects().await;
    let region = define(&app, &admin, region_field()).await;
    assert_eq!(region["field_type"], "select");
    assert_eq!(region["position"], 0);
    assert_eq!(app.side_effects().await, (audits + 1, events + 1), "one audit entry and one event");
    let budget = define(
        &app,
        &admin,
        json!({ "entity": "customers", "key": "budget", "label_zh": "预算", "label_en": "Budget", "field_type": "money", "required": true }),
    )
    .await;
    assert_eq!(budget["position"], 1, "a new field goes last");
    let listed = app.get("/api/v1/custom-fields?entity=customers", &sales).await.expect(200);
    let keys: Vec<&str> = listed.body["data"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["region_code", "budget"]);
    assert_eq!(app.get("/api/v1/custom-fields?entity=orders", &sales).await.expect(200).body["data"], json!([]));
    app.get("/api/v1/custom-fields?entity=planets", &sales).await.problem(400);

    // Keys are unique per kind, retired or not, and well formed; options belong to choices.
    let taken = app.post("/api/v1/custom-fields", &admin, region_field()).await.problem(409);
    assert_eq!(taken["code"], "custom_field.key_taken");
    assert_eq!(taken["existing_id"], region["id"]);
    let mut other_kind = region_field();
    other_kind["entity"] = json!("contacts");
    define(&app, &admin, other_kind).await;
    let bad = app
        .post(
            "/api/v1/custom-fields",
            &admin,
            json!({ "entity": "customers", "key": "Bad Key", "label_zh": "x", "label_en": "x", "field_type": "text", "options": [{ "value": "a", "label_zh": "a", "label_en": "a" }] }),
        )
        .await
        .problem(422);
    let codes: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"key") && codes.contains(&"not_for_type"), "{bad}");
    let bad_default = app
        .post(
            "/api/v1/custom-fields",
            &admin,
            json!({ "entity": "customers", "key": "score", "label_zh": "评分", "label_en": "Score", "field_type": "number", "default_value": "high" }),
        )
        .await
        .problem(422);
    assert_eq!(bad_default["errors"][0]["field"], "default_value");

    // Values: checked by type, the default given, the required one demanded.
    let (audits, events) = app.side_effects().await;
    let missing = app.post("/api/v1/customers", &sales, json!({ "kind": "company", "name": "缺预算公司" })).await.problem(422);
    assert_eq!(missing["errors"][0]["field"], "custom_fields.budget");
    assert_eq!(missing["errors"][0]["code"], "required");
    let wrong = app
        .post(
            "/api/v1/customers",
            &sales,
            json!({ "kind": "company", "name": "错值公司", "custom_fields": { "budget": 12.5, "region_code": "west", "planet": "mars" } }),
        )
        .await
        .problem(422);
    let mut fields: Vec<(String, String)> = wrong["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("custom_fields.budget".to_owned(), "type".to_owned()),
            ("custom_fields.planet".to_owned(), "unknown_field".to_owned()),
            ("custom_fields.region_code".to_owned(), "option".to_owned())
        ]
    );
    assert_eq!(app.side_effects().await, (audits, events), "a refused write changes nothing");
    let customer = app.customer(&sales, json!({ "kind": "company", "name": "上海预算公司", "custom_fields": { "budget": 500000 } })).await;
    assert_eq!(customer["custom_fields"], json!({ "budget": 500000, "region_code": "east" }), "the default is given");
    let id = customer["id"].as_str().unwrap();

    // An edit is a merge patch of the values: null clears, absent keys stay, required stays.
    let path = format!("/api/v1/customers/{id}");
    let edited = app.patch(&path, &sales, json!({ "custom_fields": { "region_code": "north" } }), None).await.expect(200);
    assert_eq!(edited.body["custom_fields"], json!({ "budget": 500000, "region_code": "north" }));
    let cleared = app.patch(&path, &sales, json!({ "custom_fields": { "budget": null } }), None).await.problem(422);
    assert_eq!(cleared["errors"][0]["code"], "required");
    let edited = app.patch(&path, &sales, json!({ "custom_fields": { "region_code": null } }), None).await.expect(200);
    assert_eq!(edited.body["custom_fields"], json!({ "budget": 500000 }));
    let feed = app.get("/api/v1/events?types=customer.updated", &admin).await.expect(200);
    let last = feed.body["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["payload"]["changed"]["custom_fields"][1], json!({ "budget": 500000 }), "{last}");
    assert_eq!(last["payload"]["record"]["custom_fields"], json!({ "budget": 500000 }));

    // Options are relabelled and retired, never dropped: stored values keep their meaning.
    app.patch(&path, &sales, json!({ "custom_fields": { "region_code": "north" } }), None).await.expect(200);
    let region_path = format!("/api/v1/custom-fields/{}", region["id"].as_str().unwrap());
    let dropped = app
        .patch(&region_path, &admin, json!({ "options": [{ "value": "east", "label_zh": "华东", "label_en": "East" }] }), None)
        .await
        .problem(422);
    assert_eq!(dropped["errors"][0]["code"], "option_removed");
    let relabelled = app
        .patch(
            &region_path,
            &admin,
            json!({ "options": [
                { "value": "east", "label_zh": "华东大区", "label_en": "East China" },
                { "value": "north", "label_zh": "华北", "label_en": "North", "retired": true }
            ] }),
            Some("\"1\""),
        )
        .await
        .expect(200);
    assert_eq!(relabelled.body["options"][0]["label_zh"], "华东大区");
    assert_eq!(relabelled.body["version"], 2);
    app.patch(&region_path, &admin, json!({ "label_zh": "区域" }), Some("\"1\"")).await.problem(412);
    assert_eq!(app.get(&path, &sales).await.expect(200).body["custom_fields"]["region_code"], "north", "a retired option stays");
    let refused = app
        .post(
            "/api/v1/customers",
            &sales,
            json!({ "kind": "company", "name": "停用选项公司", "custom_fields": { "budget": 1, "region_code": "north" } }),
        )
        .await
        .problem(422);
    assert_eq!(refused["errors"][0]["code"], "option_retired");

    // A retired field keeps its values, refuses new ones, and comes back on restore.
    app.delete(&region_path, &admin).await.expect(204);
    assert_eq!(app.get(&path, &sales).await.expect(200).body["custom_fields"]["region_code"], "north");
    let live = app.get("/api/v1/custom-fields?entity=customers", &sales).await.expect(200);
    assert_eq!(live.body["data"].as_array().unwrap().len(), 1, "retired fields are listed only when asked");
    let all = app.get("/api/v1/custom-fields?entity=customers&include_retired=true", &sales).await.expect(200);
    assert_eq!(all.body["data"][0]["retired"], true);
    let retired = app.patch(&path, &sales, json!({ "custom_fields": { "region_code": "east" } }), None).await.problem(422);
    assert_eq!(retired["errors"][0]["code"], "retired");
    let unchanged = app
        .patch(&path, &sales, json!({ "name": "上海预算有限公司", "custom_fields": { "region_code": "north", "budget": 600000 } }), None)
        .await;
    assert_eq!(
        unchanged.expect(200).body["custom_fields"],
        json!({ "budget": 600000, "region_code": "north" }),
        "sending a retired value back unchanged is no change"
    );
    let created = app.customer(&sales, json!({ "kind": "company", "name": "停用后新建", "custom_fields": { "budget": 2 } })).await;
    assert_eq!(created["custom_fields"], json!({ "budget": 2 }), "a retired field's default is not given");
    let restored = app.post(&format!("{region_path}/restore"), &admin, json!({})).await.expect(200);
    assert_eq!(restored.body["retired"], false);
    let types: Vec<String> =
        app.get("/api/v1/events?types=custom_field.retired,custom_field.restored", &admin).await.expect(200).body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event_type"].as_str().unwrap().to_owned())
            .collect();
    assert_eq!(types, ["custom_field.retired", "custom_field.restored"]);
}

#[tokio::test]
async fn lists_filter_and_sort_by_custom_fields_through_their_indexes_on_every_page() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    define(&app, &admin, region_field()).await;
    let mut no_default = region_field();
    no_default["default_value"] = Value::Null;
    let region_id =
        app.get("/api/v1/custom-fields?entity=customers", &admin).await.expect(200).body["data"][0]["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/custom-fields/{region_id}"), &admin, json!({ "default_value": null }), None).await.expect(200);
    for (key, field_type) in [("budget", "money"), ("signed_on", "date"), ("vip", "bool"), ("motto", "text")] {
        define(&app, &admin, json!({ "entity": "customers", "key": key, "label_zh": key, "label_en": key, "field_type": field_type }))
            .await;
    }
    define(
        &app,
        &admin,
        json!({ "entity": "customers", "key": "channels", "label_zh": "渠道", "label_en": "Channels", "field_type": "multiselect",
                "options": [{ "value": "web", "label_zh": "官网", "label_en": "Web" }, { "value": "fair", "label_zh": "展会", "label_en": "Fair" }] }),
    )
    .await;
    let (owner_id, _) = app.user("cf-owner@example.com", "sales", &[]).await;
    define(
        &app,
        &admin,
        json!({ "entity": "customers", "key": "key_account_manager", "label_zh": "大客户经理", "label_en": "KAM", "field_type": "user" }),
    )
    .await;

    let rows = [
        ("甲", json!({ "budget": 300, "signed_on": "2026-03-01", "vip": true, "region_code": "east", "channels": ["web", "fair"] })),
        ("乙", json!({ "budget": 100, "signed_on": "2026-01-15", "vip": false, "region_code": "north", "channels": ["fair"] })),
        ("丙", json!({ "budget": 200, "vip": true, "region_code": "east", "key_account_manager": owner_id })),
        ("丁", json!({ "budget": 200, "signed_on": "2026-02-01", "motto": "诚信" })),
        ("戊", json!({})),
    ];
    for (name, values) in &rows {
        app.customer(&admin, json!({ "kind": "company", "name": format!("{name}公司"), "custom_fields": values })).await;
    }
    let bad_user = app
        .post(
            "/api/v1/customers",
            &admin,
            json!({ "kind": "company", "name": "x", "custom_fields": { "key_account_manager": "0192f0c0-0000-7000-8000-000000000001" } }),
        )
        .await
        .problem(422);
    assert_eq!(bad_user["errors"][0]["code"], "user");

    let short = |names: Vec<String>| names.into_iter().map(|n| n.trim_end_matches("公司").to_owned()).collect::<Vec<_>>();
    // Sorts: rows without a value first ascending, last descending; ties by id; across pages.
    assert_eq!(short(names(&app, &admin, "sort=cf.budget").await), ["戊", "乙", "丙", "丁", "甲"]);
    assert_eq!(short(names(&app, &admin, "sort=-cf.budget").await), ["甲", "丁", "丙", "乙", "戊"]);
    assert_eq!(short(names(&app, &admin, "sort=cf.signed_on").await), ["丙", "戊", "乙", "丁", "甲"]);
    assert_eq!(short(names(&app, &admin, "sort=-cf.vip").await)[..2].len(), 2);
    let by_vip = short(names(&app, &admin, "sort=-cf.vip").await);
    assert_eq!(by_vip[..2].iter().collect::<std::collections::BTreeSet<_>>(), ["甲".to_owned(), "丙".to_owned()].iter().collect());
    assert_eq!(by_vip[2], "乙");

    // Filters: equality (any of several), ranges, bools, choices, users, combined.
    assert_eq!(short(names(&app, &admin, "cf.region_code=east&sort=cf.budget").await), ["丙", "甲"]);
    assert_eq!(short(names(&app, &admin, "cf.region_code=east,north&sort=cf.budget").await), ["乙", "丙", "甲"]);
    assert_eq!(short(names(&app, &admin, "cf.budget_from=150&cf.budget_to=250&sort=cf.budget").await), ["丙", "丁"]);
    assert_eq!(short(names(&app, &admin, "cf.signed_on_from=2026-01-20&sort=cf.signed_on").await), ["丁", "甲"]);
    assert_eq!(short(names(&app, &admin, "cf.vip=false").await), ["乙"]);
    assert_eq!(short(names(&app, &admin, "cf.motto=诚信").await), ["丁"]);
    assert_eq!(short(names(&app, &admin, "cf.channels=fair&sort=cf.budget").await), ["乙", "甲"]);
    assert_eq!(short(names(&app, &admin, "cf.channels=web").await), ["甲"]);
    assert_eq!(short(names(&app, &admin, &format!("cf.key_account_manager={owner_id}")).await), ["丙"]);
    assert_eq!(app.get("/api/v1/customers?cf.budget=200&include_total=true", &admin).await.expect(200).body["total"], 2);

    // Unknown keys, values of the wrong type and unsortable fields are refused.
    for bad in [
        "cf.planet=x",
        "cf.budget=lots",
        "cf.vip=yes",
        "cf.signed_on_from=2026-13-01",
        "cf.motto_from=a",
        "sort=cf.channels",
        "sort=cf.planet",
    ] {
        let problem = app.get(&format!("/api/v1/customers?{bad}"), &admin).await;
        assert_eq!(problem.status.as_u16(), 400, "{bad}");
    }
    let cursor =
        app.get("/api/v1/customers?limit=1&sort=cf.budget", &admin).await.expect(200).body["next_cursor"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/customers?limit=1&sort=-cf.budget&cursor={cursor}"), &admin).await.problem(400);

    // Each field has its index on the customers table (a multiselect only where the database
    // can index list elements).
    let indexes = if app.database_url.starts_with("postgres") {
        app.count("pg_indexes", Some(("tablename", "customers"))).await
    } else {
        app.count("sqlite_master", Some(("tbl_name", "customers"))).await
    };
    let named = |key: &str| format!("ix_cf_customers_{key}");
    for key in ["region_code", "budget", "signed_on", "vip", "motto", "key_account_manager"] {
        let table = if app.database_url.starts_with("postgres") { ("pg_indexes", "indexname") } else { ("sqlite_master", "name") };
        assert_eq!(app.count(table.0, Some((table.1, &named(key)))).await, 1, "index of {key}");
    }
    assert!(indexes > 6);
}

/// A text field `key` on `entity`, required or not.
async fn text_field(app: &TestApp, token: &str, entity: &str, key: &str, required: bool) {
    define(
        app,
        token,
        json!({ "entity": entity, "key": key, "label_zh": key, "label_en": key, "field_type": "text", "required": required }),
    )
    .await;
}

#[tokio::test]
async fn every_kind_of_record_carries_its_own_fields_through_create_edit_list_and_batches() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for entity in ["contacts", "opportunities", "orders", "tickets", "products"] {
        text_field(&app, &admin, entity, "ref_code", true).await;
    }
    define(&app, &admin, json!({ "entity": "customers", "key": "grade", "label_zh": "等级", "label_en": "Grade", "field_type": "select",
        "options": [{ "value": "a", "label_zh": "A", "label_en": "A" }, { "value": "b", "label_zh": "B", "label_en": "B" }], "default_value": "b" }))
    .await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "字段客户" })).await;
    let customer_id = customer["id"].as_str().unwrap();
    assert_eq!(customer["custom_fields"], json!({ "grade": "b" }));

    // Products: required, checked, kept through a merge patch, listed by value.
    let missing = app
        .post("/api/v1/products", &admin, json!({ "sku": "CF-1", "name": "产品", "unit_price": { "amount_minor": 100 } }))
        .await
        .problem(422);
    assert_eq!(missing["errors"][0]["field"], "custom_fields.ref_code");
    let product = app
        .post(
            "/api/v1/products",
            &admin,
            json!({ "sku": "CF-1", "name": "产品", "unit_price": { "amount_minor": 100 }, "custom_fields": { "ref_code": "P-9" } }),
        )
        .await
        .expect(201)
        .body;
    let product_id = product["id"].as_str().unwrap();
    let edited = app.patch(&format!("/api/v1/products/{product_id}"), &admin, json!({ "name": "新产品" }), None).await.expect(200);
    assert_eq!(edited.body["custom_fields"], json!({ "ref_code": "P-9" }), "fields not sent stay");
    assert_eq!(app.get("/api/v1/products?cf.ref_code=P-9", &admin).await.expect(200).body["data"][0]["id"], product["id"]);
    assert_eq!(app.get("/api/v1/products?cf.ref_code=P-8", &admin).await.expect(200).body["data"], json!([]));

    // Contacts, under their customer and in the global list.
    let contact = app
        .post(
            &format!("/api/v1/customers/{customer_id}/contacts"),
            &admin,
            json!({ "name": "张三", "custom_fields": { "ref_code": "C-1" } }),
        )
        .await
        .expect(201)
        .body;
    let contact_path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    app.patch(&contact_path, &admin, json!({ "custom_fields": { "ref_code": "C-2" } }), None).await.expect(200);
    assert_eq!(app.get("/api/v1/contacts?cf.ref_code=C-2", &admin).await.expect(200).body["data"][0]["id"], contact["id"]);
    assert_eq!(
        app.patch(&contact_path, &admin, json!({ "custom_fields": { "nope": 1 } }), None).await.problem(422)["errors"][0]["code"],
        "unknown_field"
    );

    // Opportunities.
    let opportunity = app
        .post("/api/v1/opportunities", &admin, json!({ "customer_id": customer_id, "name": "年度合同", "amount": { "amount_minor": 1000 }, "custom_fields": { "ref_code": "O-1" } }))
        .await
        .expect(201)
        .body;
    let opportunity_path = format!("/api/v1/opportunities/{}", opportunity["id"].as_str().unwrap());
    let moved = app.patch(&opportunity_path, &admin, json!({ "custom_fields": { "ref_code": "O-2" } }), None).await.expect(200);
    assert_eq!(moved.body["custom_fields"]["ref_code"], "O-2");
    assert_eq!(app.get("/api/v1/opportunities?sort=-cf.ref_code", &admin).await.expect(200).body["data"][0]["id"], opportunity["id"]);

    // Orders: the fields stay editable after confirmation, unlike the order's terms.
    let order = app
        .post("/api/v1/orders", &admin, json!({ "customer_id": customer_id, "lines": [{ "product_id": product_id, "quantity": 1 }], "custom_fields": { "ref_code": "SO-1" } }))
        .await
        .expect(201)
        .body;
    let order_path = format!("/api/v1/orders/{}", order["id"].as_str().unwrap());
    app.post(&format!("{order_path}/confirm"), &admin, json!({})).await.expect(200);
    let relabelled = app.patch(&order_path, &admin, json!({ "custom_fields": { "ref_code": "SO-2" } }), None).await.expect(200);
    assert_eq!(relabelled.body["custom_fields"]["ref_code"], "SO-2");
    assert_eq!(app.patch(&order_path, &admin, json!({ "notes": "改" }), None).await.problem(409)["code"], "order.not_editable");
    assert_eq!(app.get("/api/v1/orders?cf.ref_code=SO-2", &admin).await.expect(200).body["data"].as_array().unwrap().len(), 1);

    // Tickets: created with values, changed by PATCH (audited, told as ticket.updated).
    let ticket = app
        .post(
            "/api/v1/tickets",
            &admin,
            json!({ "customer_id": customer_id, "subject": "设备故障", "custom_fields": { "ref_code": "T-1" } }),
        )
        .await
        .expect(201)
        .body;
    let ticket_path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
    let (audits, events) = app.side_effects().await;
    let changed = app.patch(&ticket_path, &admin, json!({ "custom_fields": { "ref_code": "T-2" } }), Some("\"1\"")).await.expect(200);
    assert_eq!(changed.body["custom_fields"]["ref_code"], "T-2");
    assert_eq!(app.side_effects().await.0, audits + 1);
    assert!(app.side_effects().await.1 > events);
    let told = app.get("/api/v1/events?types=ticket.updated", &admin).await.expect(200);
    assert_eq!(told.body["data"][0]["payload"]["changed"]["custom_fields"][1], json!({ "ref_code": "T-2" }));
    app.patch(&ticket_path, &admin, json!({ "custom_fields": { "ref_code": "T-3" } }), Some("\"1\"")).await.problem(412);
    assert_eq!(
        app.patch(&ticket_path, &admin, json!({ "custom_fields": { "ref_code": null } }), None).await.problem(422)["errors"][0]["code"],
        "required"
    );
    assert_eq!(app.get("/api/v1/tickets?cf.ref_code=T-2", &admin).await.expect(200).body["data"].as_array().unwrap().len(), 1);

    // A customers batch checks every item's values and contacts' as a single create would, and
    // gives defaults on its set-based path too.
    let items = json!([
        { "op": "create", "body": { "kind": "company", "name": "批量甲" }, "contacts": [{ "name": "甲联系人", "custom_fields": { "ref_code": "BC-1" } }] },
        { "op": "create", "body": { "kind": "company", "name": "批量乙", "custom_fields": { "grade": "z" } } },
        { "op": "create", "body": { "kind": "company", "name": "批量丙" }, "contacts": [{ "name": "缺字段" }] },
        { "op": "create", "body": { "kind": "company", "name": "批量丁", "custom_fields": { "grade": "a" } } },
    ]);
    let reply = app.post("/api/v1/customers/batch", &admin, json!({ "items": items })).await.expect(200);
    let statuses: Vec<u64> = reply.body["results"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [201, 422, 422, 201], "{}", reply.text);
    assert_eq!(reply.body["results"][1]["error"]["errors"][0]["field"], "custom_fields.grade");
    let first = app.get(&format!("/api/v1/customers/{}", reply.body["results"][0]["id"].as_str().unwrap()), &admin).await.expect(200);
    assert_eq!(first.body["custom_fields"], json!({ "grade": "b" }), "the default is given in a batch too");
    let fourth = app.get(&format!("/api/v1/customers/{}", reply.body["results"][3]["id"].as_str().unwrap()), &admin).await.expect(200);
    assert_eq!(fourth.body["custom_fields"], json!({ "grade": "a" }));
    let people =
        app.get(&format!("/api/v1/customers/{}/contacts", reply.body["results"][0]["id"].as_str().unwrap()), &admin).await.expect(200);
    assert_eq!(people.body["data"][0]["custom_fields"], json!({ "ref_code": "BC-1" }));
    // An unchanged upsert is found unchanged with its fields as a merge patch.
    let upsert = json!({ "items": [{ "op": "upsert", "system": "erp", "external_id": "G-1", "body": { "kind": "company", "name": "同步客户", "custom_fields": { "grade": "a" } } }] });
    let created = app.post("/api/v1/customers/batch", &admin, upsert.clone()).await.expect(200);
    assert_eq!(created.body["results"][0]["status"], 201);
    let again = app.post("/api/v1/customers/batch", &admin, upsert).await.expect(200);
    assert_eq!(
        (again.body["results"][0]["status"].as_u64(), again.body["results"][0]["version"].as_u64()),
        (Some(200), Some(1)),
        "{}",
        again.text
    );
}
