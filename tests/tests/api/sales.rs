//! Products, pipelines, opportunities and the board.

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::TestApp;

const ZH: &[(&str, &str)] = &[("accept-language", "zh-CN")];

pub(crate) async fn default_pipeline(app: &TestApp, token: &str) -> Value {
    let pipelines = app.get("/api/v1/pipelines", token).await.expect(200).body;
    pipelines["data"].as_array().unwrap().iter().find(|p| p["is_default"] == true).unwrap().clone()
}

fn stage_id(pipeline: &Value, key: &str) -> String {
    pipeline["stages"].as_array().unwrap().iter().find(|s| s["key"] == key).unwrap_or_else(|| panic!("no stage {key}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn opportunity(app: &TestApp, token: &str, customer: &str, name: &str, amount: i64) -> Value {
    app.post("/api/v1/opportunities", token, json!({ "name": name, "customer_id": customer, "amount": { "amount_minor": amount } }))
        .await
        .expect(201)
        .body
}

#[tokio::test]
async fn the_catalogue_keeps_skus_unique_and_is_changed_only_with_rights_over_all() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, sales) = app.user("s@example.com", "sales", &[]).await;
    let product = app
        .post(
            "/api/v1/products",
            &admin,
            json!({ "sku": "PJ-100", "name": "数控车床维保", "category": "服务", "unit_price": { "amount_minor": 1280000 } }),
        )
        .await
        .expect(201);
    assert_eq!(product.body["unit_price"], json!({ "amount_minor": 1280000, "currency": "CNY" }));
    let taken = app
        .post("/api/v1/products", &admin, json!({ "sku": "PJ-100", "name": "dup", "unit_price": { "amount_minor": 1 } }))
        .await
        .problem(409);
    assert_eq!((taken["code"].as_str(), taken["existing_id"].as_str()), (Some("product.sku_taken"), Some(product.id().as_str())));
    let mut fields = app
        .post(
            "/api/v1/products",
            &admin,
            json!({ "sku": "bad sku!", "name": "", "unit_price": { "amount_minor": -5, "currency": "yuan" } }),
        )
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["name", "sku", "unit_price.currency"]);
    app.post("/api/v1/products", &admin, json!({ "sku": "X", "name": "x", "unit_price": { "amount_minor": -5 } })).await.invalid_fields();
    app.post("/api/v1/products", &sales, json!({ "sku": "S-1", "name": "x", "unit_price": { "amount_minor": 1 } })).await.problem(403);
    let list = app.get("/api/v1/products?q=pj-1&include_total=true", &sales).await.expect(200).body;
    assert_eq!(list["total"], 1);
    let path = format!("/api/v1/products/{}", product.id());
    app.patch(&path, &admin, json!({ "active": false, "unit_price": { "amount_minor": 1300000 } }), Some("\"1\"")).await.expect(200);
    assert_eq!(app.get("/api/v1/products?active=true&include_total=true", &sales).await.body["total"], 0);
    app.delete(&path, &admin).await.expect(204);
    app.get(&path, &admin).await.problem(404);
    assert_eq!(app.count("events", Some(("event_type", "product.updated"))).await, 1);
}

#[tokio::test]
async fn the_default_pipeline_is_seeded_and_admins_shape_pipelines() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, sales) = app.user("s@example.com", "sales", &[]).await;
    let default = default_pipeline(&app, &sales).await;
    let keys: Vec<&str> = default["stages"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["initial_contact", "qualification", "proposal", "negotiation", "won", "lost"]);
    let probabilities: Vec<i64> = default["stages"].as_array().unwrap().iter().map(|s| s["probability"].as_i64().unwrap()).collect();
    assert_eq!(probabilities, [10, 25, 50, 75, 100, 0]);

    let stages = json!([{ "key": "lead", "name": "线索", "probability": 5, "kind": "open" }, { "key": "won", "name": "赢单", "probability": 100, "kind": "won" }, { "key": "lost", "name": "输单", "probability": 0, "kind": "lost" }]);
    app.post("/api/v1/pipelines", &sales, json!({ "name": "渠道", "stages": stages })).await.problem(403);
    app.post(
        "/api/v1/pipelines",
        &admin,
        json!({ "name": "渠道", "stages": [{ "key": "lead", "name": "线索", "probability": 5, "kind": "open" }] }),
    )
    .await
    .problem(422);
    let pipeline = app.post("/api/v1/pipelines", &admin, json!({ "name": "渠道", "stages": stages })).await.expect(201);
    let id = pipeline.id();
    let taken = app.post("/api/v1/pipelines", &admin, json!({ "name": "渠道", "stages": stages })).await.problem(409);
    assert_eq!((taken["code"].as_str(), taken["existing_id"].as_str()), (Some("pipeline.name_taken"), Some(id.as_str())));
    let added = app
        .post(
            &format!("/api/v1/pipelines/{id}/stages"),
            &admin,
            json!({ "key": "demo", "name": "演示", "probability": 40, "kind": "open" }),
        )
        .await
        .expect(201)
        .body;
    let demo = stage_id(&added, "demo");
    let taken = app
        .post(
            &format!("/api/v1/pipelines/{id}/stages"),
            &admin,
            json!({ "key": "demo", "name": "again", "probability": 40, "kind": "open" }),
        )
        .await
        .problem(409);
    assert_eq!((taken["code"].as_str(), taken["existing_id"].as_str()), (Some("pipeline.stage_key_taken"), Some(demo.as_str())));
    let mut order: Vec<String> = added["stages"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect();
    order.swap(1, 3);
    let reordered =
        app.post(&format!("/api/v1/pipelines/{id}/stages/reorder"), &admin, json!({ "stage_ids": order })).await.expect(200).body;
    assert_eq!(reordered["stages"][1]["key"], "demo");
    app.post(&format!("/api/v1/pipelines/{id}/stages/reorder"), &admin, json!({ "stage_ids": [demo] })).await.problem(422);

    // A stage in use cannot be deleted, only retired.
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "C" })).await["id"].as_str().unwrap().to_owned();
    app.post(
        "/api/v1/opportunities",
        &admin,
        json!({ "name": "o", "customer_id": customer, "pipeline_id": id, "stage_id": demo, "amount": { "amount_minor": 100 } }),
    )
    .await
    .expect(201);
    let problem = app.delete(&format!("/api/v1/pipelines/{id}/stages/{demo}"), &admin).await.problem(409);
    assert!(problem["detail"].as_str().unwrap().starts_with("1 opportunities"));
    assert_eq!(problem["code"], "pipeline.stage_in_use");
    let zh = app.send(Method::DELETE, &format!("/api/v1/pipelines/{id}/stages/{demo}"), Some(&admin), None, ZH).await.problem(409);
    assert_eq!(zh["detail"], "该阶段中有 1 个销售机会，请改为停用");
    let retired =
        app.patch(&format!("/api/v1/pipelines/{id}/stages/{demo}"), &admin, json!({ "retired": true }), None).await.expect(200).body;
    assert!(retired["stages"].as_array().unwrap().iter().any(|s| s["key"] == "demo" && s["retired"] == true));
    let lead = stage_id(&retired, "lead");
    let last = app.delete(&format!("/api/v1/pipelines/{id}/stages/{lead}"), &admin).await.problem(409);
    assert_eq!(last["code"], "pipeline.last_stage_of_kind");
}

#[tokio::test]
async fn stage_moves_follow_the_rules_and_are_kept_with_time_in_stage() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let pipeline = default_pipeline(&app, &admin).await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Deal Co" })).await["id"].as_str().unwrap().to_owned();
    let free = opportunity(&app, &admin, &customer, "免费试用", 0).await;
    let deal = opportunity(&app, &admin, &customer, "年度合同", 36_000_000).await;
    assert_eq!(deal["stage"]["key"], "initial_contact");
    assert_eq!(deal["effective_probability"], 10);
    assert_eq!(deal["weighted_amount_minor"], 3_600_000);
    let path = format!("/api/v1/opportunities/{}", deal["id"].as_str().unwrap());
    let stage = |key: &str| stage_id(&pipeline, key);

    let moved = app.post(&format!("{path}/stage"), &admin, json!({ "stage_id": stage("negotiation") })).await.expect(200).body;
    assert_eq!(moved["effective_probability"], 75);
    let same = app.post(&format!("{path}/stage"), &admin, json!({ "stage_id": stage("negotiation") })).await.problem(409);
    assert_eq!(same["code"], "opportunity.same_stage");
    let no_reason = app.post(&format!("{path}/stage"), &admin, json!({ "stage_id": stage("lost") })).await.problem(422);
    assert_eq!(no_reason["code"], "opportunity.loss_reason_required");
    assert_eq!(
        (no_reason["errors"][0]["field"].as_str(), no_reason["errors"][0]["code"].as_str()),
        (Some("loss_reason"), Some("required"))
    );
    let free_path = format!("/api/v1/opportunities/{}/stage", free["id"].as_str().unwrap());
    assert_eq!(app.post(&free_path, &admin, json!({ "stage_id": stage("won") })).await.invalid_fields(), ["amount"]);
    let no_amount = app.send(Method::POST, &free_path, Some(&admin), Some(&json!({ "stage_id": stage("won") })), ZH).await.problem(422);
    assert_eq!(no_amount["code"], "opportunity.won_needs_amount");
    assert_eq!(no_amount["errors"][0]["code"], "won_needs_amount");
    assert_eq!(no_amount["detail"], "销售机会须填写大于零的金额才能赢单");
    let won = app.post(&format!("{path}/stage"), &admin, json!({ "stage_id": stage("won") })).await.expect(200).body;
    assert!(won["closed_at"].as_str().is_some());
    // Closed: a move back needs an explicit reopen.
    let closed = app.post(&format!("{path}/stage"), &admin, json!({ "stage_id": stage("proposal") })).await.problem(409);
    assert_eq!(closed["code"], "opportunity.closed");
    let zero = app.patch(&path, &admin, json!({ "amount": { "amount_minor": 0 } }), None).await.problem(422);
    assert_eq!((zero["code"].as_str(), zero["errors"][0]["field"].as_str()), (Some("opportunity.won_needs_amount"), Some("amount")));
    let reopened =
        app.post(&format!("{path}/stage"), &admin, json!({ "stage_id": stage("proposal"), "reopen": true })).await.expect(200).body;
    assert_eq!(reopened["closed_at"], Value::Null);
    let lost = app
        .post(&format!("{path}/stage"), &admin, json!({ "stage_id": stage("lost"), "loss_reason": "价格高于竞品" }))
        .await
        .expect(200)
        .body;
    assert_eq!(lost["loss_reason"], "价格高于竞品");
    assert_eq!(lost["weighted_amount_minor"], 0);

    let history = app.get(&format!("{path}/stage-history"), &admin).await.expect(200).body;
    let moves = history["data"].as_array().unwrap();
    assert_eq!(moves.len(), 5);
    assert_eq!(moves[4]["from_stage_id"], Value::Null);
    assert!(moves[..4].iter().all(|m| m["seconds_in_previous"].as_i64().is_some_and(|s| s >= 0)));
    assert_eq!(app.count("events", Some(("event_type", "opportunity.stage_changed"))).await, 4);
    assert_eq!(app.count("events", Some(("event_type", "opportunity.won"))).await, 1);
    assert_eq!(app.count("events", Some(("event_type", "opportunity.lost"))).await, 1);
    assert_eq!(app.count("events", Some(("event_type", "opportunity.reopened"))).await, 1);
    // On the customer's timeline, one item per opportunity, showing its stage now.
    let timeline = app.get(&format!("/api/v1/customers/{customer}/timeline?kind=opportunity"), &admin).await.expect(200).body;
    let items: Vec<&Value> = timeline["data"].as_array().unwrap().iter().collect();
    assert!(items.iter().all(|i| i["kind"] == "opportunity"));
    assert_eq!(items.len(), 2);
    assert!(items.iter().any(|i| i["summary"]["stage_key"] == "lost"));
}

#[tokio::test]
async fn opportunities_are_scoped_like_customers() {
    let app = TestApp::spawn().await;
    let east = app.create_team("East", None).await;
    let west = app.create_team("West", None).await;
    let (_, sales_east) = app.user("e@example.com", "sales", &[&east]).await;
    let (_, colleague) = app.user("e2@example.com", "sales", &[&east]).await;
    let (west_id, sales_west) = app.user("w@example.com", "sales", &[&west]).await;
    let customer = app.customer(&sales_east, json!({ "kind": "company", "name": "East Co" })).await["id"].as_str().unwrap().to_owned();
    let deal = opportunity(&app, &sales_east, &customer, "East deal", 1000).await;
    let path = format!("/api/v1/opportunities/{}", deal["id"].as_str().unwrap());
    app.get(&path, &sales_west).await.problem(404);
    app.post("/api/v1/opportunities", &sales_west, json!({ "name": "x", "customer_id": customer, "amount": { "amount_minor": 1 } }))
        .await
        .problem(404);
    app.get(&path, &colleague).await.expect(200);
    app.patch(&path, &colleague, json!({ "name": "mine now" }), None).await.problem(403);
    app.patch(&path, &sales_east, json!({ "owner_id": west_id }), None).await.problem(403);
    assert_eq!(app.get("/api/v1/opportunities?include_total=true", &sales_west).await.body["total"], 0);
    let mut fields = app
        .post("/api/v1/opportunities", &sales_east, json!({ "name": "", "customer_id": customer, "amount": { "amount_minor": 1, "currency": "xx" }, "probability": 101, "source": "tv", "competitors": [{ "name": "" }] }))
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["amount.currency", "competitors[0].name", "name", "probability", "source"]);
}

#[tokio::test]
async fn the_board_sums_each_stage_and_pages_its_cards() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let pipeline = default_pipeline(&app, &admin).await;
    let pipeline_id = pipeline["id"].as_str().unwrap();
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Board Co" })).await["id"].as_str().unwrap().to_owned();
    let amounts = [1_000_001_i64, 2_000_003, 3_000_005];
    for (i, amount) in amounts.iter().enumerate() {
        opportunity(&app, &admin, &customer, &format!("deal {i}"), *amount).await;
    }
    let overridden = opportunity(&app, &admin, &customer, "with override", 999).await;
    app.patch(&format!("/api/v1/opportunities/{}", overridden["id"].as_str().unwrap()), &admin, json!({ "probability": 33 }), None)
        .await
        .expect(200);
    let usd = app
        .post(
            "/api/v1/opportunities",
            &admin,
            json!({ "name": "usd", "customer_id": customer, "amount": { "amount_minor": 500, "currency": "USD" } }),
        )
        .await
        .expect(201)
        .body;
    app.post(
        &format!("/api/v1/opportunities/{}/stage", usd["id"].as_str().unwrap()),
        &admin,
        json!({ "stage_id": stage_id(&pipeline, "proposal") }),
    )
    .await
    .expect(200);

    let board = app.get(&format!("/api/v1/pipelines/{pipeline_id}/board?cards=2"), &admin).await.expect(200).body;
    let columns = board["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 6);
    let first = &columns[0];
    assert_eq!(first["stage"]["key"], "initial_contact");
    assert_eq!(first["count"], 4);
    let cny_total: i64 = amounts.iter().sum::<i64>() + 999;
    // Weighted: each amount × its probability, summed, then rounded once.
    let weighted = (amounts.iter().map(|a| a * 10).sum::<i64>() + 999 * 33 + 50) / 100;
    assert_eq!(first["sums"], json!([{ "currency": "CNY", "amount_minor": cny_total, "weighted_minor": weighted }]));
    assert_eq!(first["cards"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let stage = first["stage"]["id"].as_str().unwrap();
    let rest = app
        .get(&format!("/api/v1/opportunities?pipeline_id={pipeline_id}&stage_id={stage}&sort=-updated_at&limit=10&cursor={cursor}"), &admin)
        .await
        .expect(200)
        .body;
    let names =
        |cards: &serde_json::Value| cards.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    // Most recently changed first, the cursor continuing exactly where the column stopped.
    assert_eq!(names(&first["cards"]), ["with override", "deal 2"]);
    assert_eq!(names(&rest["data"]), ["deal 1", "deal 0"]);
    let proposal = columns.iter().find(|c| c["stage"]["key"] == "proposal").unwrap();
    assert_eq!(names(&proposal["cards"]), ["usd"]);
    assert_eq!(proposal["next_cursor"], serde_json::Value::Null);
    assert_eq!(proposal["sums"], json!([{ "currency": "USD", "amount_minor": 500, "weighted_minor": 250 }]));
    assert_eq!(columns.iter().find(|c| c["stage"]["key"] == "won").unwrap()["count"], 0);
    app.get(&format!("/api/v1/pipelines/{}/board", uuid::Uuid::now_v7()), &admin).await.problem(404);
    app.get(&format!("/api/v1/pipelines/{pipeline_id}/board?cards=0"), &admin).await.problem(400);
}

#[tokio::test]
async fn a_board_with_more_stages_than_one_statement_reads_shows_every_column() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let pipeline = default_pipeline(&app, &admin).await;
    let pipeline_id = pipeline["id"].as_str().unwrap();
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Many Stages Co" })).await["id"].as_str().unwrap().to_owned();
    let first = opportunity(&app, &admin, &customer, "stays first", 100).await;
    let moved = opportunity(&app, &admin, &customer, "moves last", 200).await;
    // The board reads 100 columns per statement: 6 stages and 99 more make two statements.
    let mut last_stage = String::new();
    for i in 0..99 {
        let body = json!({ "key": format!("extra_{i}"), "name": format!("Extra {i}"), "probability": 50, "kind": "open" });
        let pipeline = app.post(&format!("/api/v1/pipelines/{pipeline_id}/stages"), &admin, body).await.expect(201).body;
        last_stage = stage_id(&pipeline, &format!("extra_{i}"));
    }
    app.post(&format!("/api/v1/opportunities/{}/stage", moved["id"].as_str().unwrap()), &admin, json!({ "stage_id": last_stage }))
        .await
        .expect(200);

    let board = app.get(&format!("/api/v1/pipelines/{pipeline_id}/board"), &admin).await.expect(200).body;
    let columns = board["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 105);
    assert_eq!(columns[0]["cards"].as_array().unwrap().len(), 1);
    assert_eq!(columns[0]["cards"][0]["id"], first["id"]);
    let last = &columns[104];
    assert_eq!(last["stage"]["id"], last_stage.as_str());
    assert_eq!(last["count"], 1);
    assert_eq!(last["cards"].as_array().unwrap().len(), 1);
    assert_eq!(last["cards"][0]["id"], moved["id"]);
    let cards: usize = columns.iter().map(|c| c["cards"].as_array().unwrap().len()).sum();
    assert_eq!(cards, 2);
}
