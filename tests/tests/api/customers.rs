use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::TestApp;

fn full_company() -> Value {
    json!({
        "kind": "company", "name": "  上海浦江精密机械有限公司 ", "industry": "制造业", "size_band": "medium",
        "province": "上海市", "city": "上海市", "district": "浦东新区", "address": "张江路 100 号",
        "phone": "021-6234 5678", "email": "Info@PuJiang.example.CN", "website": "pujiang.example.cn",
        "credit_code": "91350100m000100y43", "source_channel": "exhibition", "lifecycle_stage": "prospect",
        "value_tier": "a", "tags": ["重点客户", " 华东 ", "重点客户"], "custom_fields": { "erp_code": "C-001", "credit_days": 30 },
        "notes": "第一次接触\n展会上认识"
    })
}

/// The custom fields `full_company` fills in.
async fn define_company_fields(app: &TestApp, admin: &str) {
    for (key, field_type) in [("erp_code", "text"), ("credit_days", "number")] {
        let field = json!({ "entity": "customers", "key": key, "label_zh": key, "label_en": key, "field_type": field_type });
        app.post("/api/v1/custom-fields", admin, field).await.expect(201);
    }
}

#[tokio::test]
async fn create_normalises_values_and_answers_201_with_location_and_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    define_company_fields(&app, &admin).await;
    let reply = app.post("/api/v1/customers", &admin, full_company()).await.expect(201);
    let id = reply.id();
    assert_eq!(reply.header("location").unwrap(), format!("/api/v1/customers/{id}"));
    assert_eq!(reply.header("etag").unwrap(), "\"1\"");
    let c = &reply.body;
    assert_eq!(c["name"], "上海浦江精密机械有限公司");
    assert_eq!(c["phone"], "+862162345678");
    assert_eq!(c["email"], "info@pujiang.example.cn");
    assert_eq!(c["website"], "https://pujiang.example.cn/");
    assert_eq!(c["credit_code"], "91350100M000100Y43");
    assert_eq!(c["tags"], json!(["重点客户", "华东"]));
    assert_eq!(c["custom_fields"]["credit_days"], 30);
    assert_eq!(c["version"], 1);
    let fetched = app.get(&format!("/api/v1/customers/{id}"), &admin).await.expect(200);
    assert_eq!(fetched.header("etag").unwrap(), "\"1\"");
    assert_eq!(fetched.body, reply.body);
}

#[tokio::test]
async fn chinese_mobile_and_landline_numbers_are_accepted_as_typed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for (typed, e164) in [
        ("138 1234 5678", "+8613812345678"),
        ("+86-139-1234-5678", "+8613912345678"),
        ("(010)88886666", "+861088886666"),
        ("0086 21 6234 5678", "+862162345678"),
    ] {
        let c = app.customer(&admin, json!({ "kind": "individual", "name": "张三", "phone": typed })).await;
        assert_eq!(c["phone"], e164, "{typed}");
    }
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let before = app.side_effects().await;
    let body = json!({
        "kind": "planet", "name": "   ", "size_band": "huge", "phone": "12345", "email": "not-an-email",
        "website": "ftp://x.example.com", "credit_code": "91350100M000100Y44", "source_channel": "tv",
        "lifecycle_stage": "lead", "value_tier": "z", "tags": ["", "a,b"], "custom_fields": { "Bad Key": 1, "nested": { "x": 1 } },
        "birthday": "2020-13-01", "gender": "robot"
    });
    let mut fields = app.post("/api/v1/customers", &admin, body).await.invalid_fields();
    fields.sort();
    let mut expected = vec![
        "kind",
        "name",
        "size_band",
        "phone",
        "email",
        "website",
        "credit_code",
        "source_channel",
        "lifecycle_stage",
        "value_tier",
        "tags[0]",
        "tags[1]",
        "custom_fields.Bad Key",
        "custom_fields.nested",
        "birthday",
        "gender",
    ];
    expected.sort();
    assert_eq!(fields, expected);
    assert_eq!(app.side_effects().await, before);
    assert_eq!(app.count("customers", None).await, 0);
}

#[tokio::test]
async fn fields_of_the_wrong_kind_of_customer_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let fields = app
        .post("/api/v1/customers", &admin, json!({ "kind": "individual", "name": "李四", "credit_code": "91350100M000100Y43" }))
        .await
        .invalid_fields();
    assert_eq!(fields, vec!["credit_code"]);
    let fields =
        app.post("/api/v1/customers", &admin, json!({ "kind": "company", "name": "Co", "gender": "female" })).await.invalid_fields();
    assert_eq!(fields, vec!["gender"]);
    let fields = app
        .post("/api/v1/customers", &admin, json!({ "kind": "individual", "name": "未来", "birthday": "2999-01-01" }))
        .await
        .invalid_fields();
    assert_eq!(fields, vec!["birthday"]);
    let long = "长".repeat(201);
    assert_eq!(app.post("/api/v1/customers", &admin, json!({ "kind": "company", "name": long })).await.invalid_fields(), vec!["name"]);
}

#[tokio::test]
async fn patch_changes_only_the_fields_sent_and_null_clears() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    define_company_fields(&app, &admin).await;
    let c = app.customer(&admin, full_company()).await;
    let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
    let reply =
        app.patch(&path, &admin, json!({ "industry": null, "value_tier": "b", "phone": "13912345678" }), Some("\"1\"")).await.expect(200);
    assert_eq!(reply.header("etag").unwrap(), "\"2\"");
    assert_eq!(reply.body["industry"], Value::Null);
    assert_eq!(reply.body["value_tier"], "b");
    assert_eq!(reply.body["phone"], "+8613912345678");
    assert_eq!(reply.body["name"], c["name"]);
    assert_eq!(reply.body["tags"], c["tags"]);
    // A patch that changes nothing keeps the version.
    let same = app.patch(&path, &admin, json!({ "value_tier": "b" }), None).await.expect(200);
    assert_eq!(same.body["version"], 2);
}

#[tokio::test]
async fn a_stale_if_match_answers_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let c = app.customer(&admin, json!({ "kind": "company", "name": "A" })).await;
    let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
    app.patch(&path, &admin, json!({ "name": "B" }), Some("\"1\"")).await.expect(200);
    let before = app.side_effects().await;
    let problem = app.patch(&path, &admin, json!({ "name": "C" }), Some("\"1\"")).await.problem(412);
    assert_eq!(problem["current_version"], 2);
    app.send(Method::DELETE, &path, Some(&admin), None, &[("If-Match", "\"1\"")]).await.problem(412);
    assert_eq!(app.side_effects().await, before);
    assert_eq!(app.get(&path, &admin).await.body["name"], "B");
    app.patch(&path, &admin, json!({ "name": "C" }), Some("not-an-etag")).await.problem(400);
}

#[tokio::test]
async fn stage_changes_are_kept_in_history_and_the_lifecycle_is_enforced() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let c = app.customer(&admin, json!({ "kind": "company", "name": "Stage Co" })).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/customers/{id}");
    assert_eq!(c["lifecycle_stage"], "potential");
    app.patch(&path, &admin, json!({ "lifecycle_stage": "prospect" }), None).await.expect(200);
    app.patch(&path, &admin, json!({ "lifecycle_stage": "customer" }), None).await.expect(200);
    let before = app.side_effects().await;
    let refused = app.patch(&path, &admin, json!({ "lifecycle_stage": "potential" }), None).await.problem(409);
    assert_eq!(refused["code"], "customer.invalid_stage_transition");
    assert_eq!(app.side_effects().await, before);
    let history = app.get(&format!("{path}/stage-history"), &admin).await.expect(200).body;
    let moves: Vec<(Value, Value)> =
        history["data"].as_array().unwrap().iter().map(|h| (h["from_stage"].clone(), h["to_stage"].clone())).collect();
    assert_eq!(
        moves,
        vec![(json!("prospect"), json!("customer")), (json!("potential"), json!("prospect")), (Value::Null, json!("potential"))]
    );
    assert_eq!(history["data"][0]["changed_by_name"], "Administrator");
    assert_eq!(app.count("events", Some(("event_type", "customer.stage_changed"))).await, 2);
}

#[tokio::test]
async fn every_change_writes_its_audit_entry_and_event() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let c = app.customer(&admin, json!({ "kind": "company", "name": "Audited" })).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/customers/{id}");
    app.patch(&path, &admin, json!({ "name": "Audited 2" }), None).await.expect(200);
    app.delete(&path, &admin).await.expect(204);
    app.post(&format!("{path}/restore"), &admin, json!({})).await.expect(200);
    let audit = app.get(&format!("/api/v1/audit?entity_type=customer&entity_id={id}"), &admin).await.expect(200).body;
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["restore", "delete", "update", "create"]);
    assert_eq!(audit["data"][2]["changes"]["name"], json!({ "old": "Audited", "new": "Audited 2" }));
    assert!(audit["data"][2]["request_id"].as_str().is_some());
    let feed =
        app.get("/api/v1/events?types=customer.created,customer.updated,customer.deleted,customer.restored", &admin).await.expect(200).body;
    let types: Vec<&str> = feed["data"].as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["customer.created", "customer.updated", "customer.deleted", "customer.restored"]);
    let seqs: Vec<i64> = feed["data"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    let after = feed["next_after"].as_i64().unwrap();
    let empty = app.get(&format!("/api/v1/events?after={after}"), &admin).await.expect(200).body;
    assert_eq!(empty["data"], json!([]));
    assert_eq!(empty["next_after"], after);
}

#[tokio::test]
async fn delete_moves_to_the_recycle_bin_and_restore_brings_back() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let c = app.customer(&admin, json!({ "kind": "company", "name": "Binned" })).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/customers/{id}");
    app.delete(&path, &admin).await.expect(204);
    app.get(&path, &admin).await.problem(404);
    app.delete(&path, &admin).await.problem(404);
    assert_eq!(app.get("/api/v1/customers?include_total=true", &admin).await.body["total"], 0);
    let bin = app.get("/api/v1/customers/recycle-bin", &admin).await.expect(200).body;
    assert_eq!(bin["data"][0]["id"], id);
    assert!(bin["data"][0]["deleted_at"].as_str().is_some());
    let restored = app.post(&format!("{path}/restore"), &admin, json!({})).await.expect(200).body;
    assert_eq!(restored["deleted_at"], Value::Null);
    app.get(&path, &admin).await.expect(200);
    app.post(&format!("{path}/restore"), &admin, json!({})).await.problem(404);
}

#[tokio::test]
async fn idempotent_posts_replay_the_first_answer_and_refuse_another_body() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({ "kind": "company", "name": "Once" });
    let key = [("Idempotency-Key", "create-once-1")];
    let first = app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&body), &key).await.expect(201);
    let again = app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&body), &key).await.expect(201);
    assert_eq!(first.body, again.body);
    assert_eq!(first.header("location"), again.header("location"));
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(app.count("customers", None).await, 1);
    let other = json!({ "kind": "company", "name": "Twice" });
    app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&other), &key).await.problem(422);
    assert_eq!(app.count("customers", None).await, 1);
    // A failed request under a key is replayed as it failed.
    let bad = json!({ "kind": "company", "name": "" });
    let bad_key = [("Idempotency-Key", "bad-1")];
    app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&bad), &bad_key).await.problem(422);
    app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&bad), &bad_key).await.problem(422);
}

#[tokio::test]
async fn concurrent_duplicates_with_one_idempotency_key_write_once_and_all_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({ "kind": "company", "name": "Raced Once" });
    let key = [("Idempotency-Key", "raced-1")];
    let attempts = (0..8).map(|_| app.send(Method::POST, "/api/v1/customers", Some(&admin), Some(&body), &key));
    let replies = futures_util::future::join_all(attempts).await;
    let ids: std::collections::BTreeSet<String> = replies.iter().map(|r| r.id()).collect();
    for reply in &replies {
        assert_eq!(reply.status.as_u16(), 201, "every attempt gets the one answer: {}", reply.text);
    }
    assert_eq!(ids.len(), 1, "one customer id for all attempts: {ids:?}");
    assert_eq!(app.count("customers", Some(("name", "Raced Once"))).await, 1);
    assert_eq!(app.count("events", Some(("event_type", "customer.created"))).await, 1);
    assert_eq!(app.count("idempotency_keys", Some(("key", "raced-1"))).await, 1);
}

async fn seed_list(app: &TestApp, token: &str) {
    let rows = [
        json!({ "kind": "company", "name": "Alpha 制造", "industry": "制造业", "province": "上海市", "district": "浦东新区", "lifecycle_stage": "prospect", "value_tier": "a", "tags": ["vip"], "phone": "13800000001" }),
        json!({ "kind": "company", "name": "Beta 软件", "industry": "软件", "province": "上海市", "district": "徐汇区", "lifecycle_stage": "customer", "value_tier": "b", "tags": ["vip", "华东"] }),
        json!({ "kind": "company", "name": "Gamma 物流", "industry": "物流", "province": "浙江省", "city": "杭州市", "lifecycle_stage": "churned", "value_tier": "c", "email": "ops@gamma.example.com" }),
        json!({ "kind": "individual", "name": "Delta 张", "province": "上海市", "district": "浦东新区", "lifecycle_stage": "potential" }),
    ];
    for row in rows {
        app.customer(token, row).await;
    }
}

async fn names(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let reply = app.get(&format!("/api/v1/customers?{query}"), token).await.expect(200);
    let mut names: Vec<String> = reply.body["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn list_filters_each_narrow_the_result() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    seed_list(&app, &admin).await;
    assert_eq!(names(&app, &admin, "lifecycle_stage=prospect,customer").await, ["Alpha 制造", "Beta 软件"]);
    assert_eq!(names(&app, &admin, "industry=物流").await, ["Gamma 物流"]);
    assert_eq!(names(&app, &admin, "region=浦东新区").await, ["Alpha 制造", "Delta 张"]);
    assert_eq!(names(&app, &admin, "region=杭州市").await, ["Gamma 物流"]);
    assert_eq!(names(&app, &admin, "tag=vip").await, ["Alpha 制造", "Beta 软件"]);
    assert_eq!(names(&app, &admin, "value_tier=a,c").await, ["Alpha 制造", "Gamma 物流"]);
    assert_eq!(names(&app, &admin, "q=OPS@gamma.example.com").await, ["Gamma 物流"], "a whole email, in any case");
    assert_eq!(names(&app, &admin, "q=gamma.example").await, Vec::<String>::new(), "never a fragment of one");
    assert_eq!(names(&app, &admin, "q=138%200000%200001").await, ["Alpha 制造"]);
    assert_eq!(names(&app, &admin, "q=%E8%BD%AF%E4%BB%B6").await, ["Beta 软件"]);
    assert_eq!(names(&app, &admin, "q=100%25").await, Vec::<String>::new());
    let admin_id = app.get("/api/v1/auth/me", &admin).await.body["id"].as_str().unwrap().to_owned();
    assert_eq!(names(&app, &admin, &format!("owner_id={admin_id}")).await.len(), 4);
    assert_eq!(names(&app, &admin, &format!("owner_id={}", uuid::Uuid::now_v7())).await.len(), 0);
    // date-only bounds are days of the organisation's zone (Asia/Shanghai in tests)
    let today = crm_api::analytics::organisation_today(chrono::Utc::now(), crm_api::config::default_time_zone());
    assert_eq!(names(&app, &admin, &format!("created_at_from={today}&created_at_to={today}")).await.len(), 4);
    assert_eq!(names(&app, &admin, &format!("created_at_to={}", today.pred_opt().unwrap())).await.len(), 0);
    assert_eq!(names(&app, &admin, &format!("updated_at_from={}", today.succ_opt().unwrap())).await.len(), 0);
}

#[tokio::test]
async fn list_filters_combine_with_team() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let team = app.create_team("T1", None).await;
    let (_, sales) = app.user("s@example.com", "sales", &[&team]).await;
    app.customer(&sales, json!({ "kind": "company", "name": "In team" })).await;
    app.customer(&admin, json!({ "kind": "company", "name": "No team" })).await;
    assert_eq!(names(&app, &admin, &format!("team_id={team}")).await, ["In team"]);
}

#[tokio::test]
async fn keyset_pages_cover_every_row_once_in_every_sort() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for i in 0..23 {
        // Duplicate names make the id tie-breaker matter.
        app.customer(&admin, json!({ "kind": "company", "name": format!("Co {:02}", i % 7) })).await;
    }
    for sort in ["-created_at", "created_at", "name", "-name", "updated_at", "-updated_at"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query = match &cursor {
                Some(c) => format!("/api/v1/customers?limit=5&sort={sort}&cursor={c}"),
                None => format!("/api/v1/customers?limit=5&sort={sort}&include_total=true"),
            };
            let page = app.get(&query, &admin).await.expect(200).body;
            if cursor.is_none() {
                assert_eq!(page["total"], 23);
            }
            seen.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| (c["id"].as_str().unwrap().to_owned(), c["name"].as_str().unwrap().to_owned())),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 23, "{sort}");
        assert_eq!(seen.iter().map(|(id, _)| id.clone()).collect::<HashSet<_>>().len(), 23, "{sort}");
        if sort == "name" {
            assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1));
        }
    }
}

#[tokio::test]
async fn bad_list_parameters_answer_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for query in [
        "limit=0",
        "limit=201",
        "limit=abc",
        "sort=secret",
        "cursor=garbage",
        "lifecycle_stage=lead",
        "owner_id=nope",
        "created_at_from=yesterday",
        "include_total=maybe",
    ] {
        app.get(&format!("/api/v1/customers?{query}"), &admin).await.problem(400);
    }
    // A cursor from one sort cannot be replayed against another.
    for i in 0..3 {
        app.customer(&admin, json!({ "kind": "company", "name": format!("C{i}") })).await;
    }
    let cursor = app.get("/api/v1/customers?limit=1&sort=name", &admin).await.body["next_cursor"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/customers?limit=1&sort=-created_at&cursor={cursor}"), &admin).await.problem(400);
}

/// Writers append events without waiting on each other; the feed must still give every event
/// exactly once, in increasing `seq`, to a reader polling while they write, including an event
/// whose transaction started first and committed last.
#[tokio::test]
async fn the_change_feed_gives_every_event_once_while_writers_race() {
    use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let poll = |after: i64| {
        let (app, admin) = (&app, admin.clone());
        async move { app.get(&format!("/api/v1/events?after={after}&limit=200"), &admin).await.expect(200).body }
    };
    // Keeps each event's (seq, id) and returns where to read on.
    let record = |feed: &Value, seen: &mut Vec<(i64, String)>| {
        for event in feed["data"].as_array().unwrap() {
            seen.push((event["seq"].as_i64().unwrap(), event["id"].as_str().unwrap().to_owned()));
        }
        feed["next_after"].as_i64().unwrap()
    };
    let mut seen: Vec<(i64, String)> = Vec::new();
    let mut after = 0;

    if crm_tests::backend() == "postgres" {
        // A transaction holds an event uncommitted while a later one commits and is read (of a
        // kind the administrator reads: the feed hides kinds it has no rule for).
        let db = Database::connect(&app.database_url).await.unwrap();
        let late = db.begin().await.unwrap();
        late.execute_raw(Statement::from_string(
            late.get_database_backend(),
            "INSERT INTO events (id, event_type, entity_type, entity_id, payload, occurred_at) \
             VALUES (gen_random_uuid(), 'test.late', 'settings', gen_random_uuid(), '{}', now())",
        ))
        .await
        .unwrap();
        app.customer(&admin, json!({ "kind": "company", "name": "Committed first" })).await;
        let feed = poll(after).await;
        assert!(feed["data"].as_array().unwrap().iter().all(|e| e["event_type"] != "test.late"));
        after = record(&feed, &mut seen);
        late.commit().await.unwrap();
        let feed = poll(after).await;
        assert_eq!(feed["data"][0]["event_type"], "test.late", "an event committed late is given after what was read before");
    }

    // Eight writers create customers while the reader keeps polling.
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (app, admin) = (&app, admin.clone());
            async move {
                for n in 0..5 {
                    app.customer(&admin, json!({ "kind": "company", "name": format!("Racer {w}-{n}") })).await;
                }
            }
        })
        .collect();
    let writing = futures_util::future::join_all(writers);
    tokio::pin!(writing);
    let mut done = false;
    loop {
        let feed = poll(after).await;
        after = record(&feed, &mut seen);
        if done && feed["data"].as_array().unwrap().is_empty() {
            break;
        }
        if !done {
            done = tokio::time::timeout(std::time::Duration::from_millis(20), &mut writing).await.is_ok();
        }
    }
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "seq increases along the feed");
    let ids: HashSet<&String> = seen.iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), seen.len(), "no event is given twice");
    assert_eq!(seen.len() as i64, app.count("events", None).await, "every event is given");
}

/// A search first looks through the next rows of the list in its order and only then asks the
/// search index; pages must be the same either way: every match once, in order, none invented.
#[tokio::test]
async fn search_pages_hold_every_match_once_in_list_order() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for n in 0..45 {
        app.customer(&admin, json!({ "kind": "company", "name": format!("精密机械 {n:02}") })).await;
        if n % 3 == 0 {
            app.customer(&admin, json!({ "kind": "company", "name": format!("Other {n:02}") })).await;
        }
    }
    for sort in ["name", "-created_at"] {
        let mut names = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/customers?q=%E7%B2%BE%E5%AF%86&limit=20&sort={sort}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = app.get(&path, &admin).await.expect(200).body;
            names.extend(page["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let mut expected: Vec<String> = (0..45).map(|n| format!("精密机械 {n:02}")).collect();
        if sort == "-created_at" {
            expected.reverse();
        }
        assert_eq!(names, expected, "sort {sort}");
    }
    let total = app.get("/api/v1/customers?q=%E7%B2%BE%E5%AF%86&include_total=true&limit=5", &admin).await.expect(200).body;
    assert_eq!(total["total"], 45);
}

/// The names of the customers a search for `q` finds, as the admin.
async fn found_by(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let url = reqwest::Url::parse_with_params("http://127.0.0.1/api/v1/customers", &[("q", q)]).unwrap();
    names(app, token, url.query().unwrap()).await
}

#[tokio::test]
async fn phones_are_found_whole_as_people_type_them_never_by_fragment_and_every_word_of_a_query_must_occur() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.customer(&admin, json!({ "kind": "company", "name": "上海七宝印刷有限公司", "phone": "021-6200 0999" })).await;
    app.customer(&admin, json!({ "kind": "company", "name": "七宝物流", "phone": "13812345678" })).await;
    for typed in ["021-6200 0999", "021 62000999", "02162000999", "+86 21 6200 0999", "0086 21 6200 0999"] {
        assert_eq!(found_by(&app, &admin, typed).await, ["上海七宝印刷有限公司"], "{typed}");
    }
    assert_eq!(found_by(&app, &admin, "138 1234 5678").await, ["七宝物流"]);
    // Phones are personal data: someone who sees them masked must not learn them digit by digit.
    for fragment in ["62000999", "6200", "1381234", "5678"] {
        assert!(found_by(&app, &admin, fragment).await.is_empty(), "{fragment}");
    }
    assert_eq!(found_by(&app, &admin, "七宝 印刷").await, ["上海七宝印刷有限公司"]);
    assert_eq!(found_by(&app, &admin, "七宝\u{3000}物流").await, ["七宝物流"]);
    assert_eq!(found_by(&app, &admin, "七宝").await, ["七宝物流", "上海七宝印刷有限公司"]);
    assert!(found_by(&app, &admin, "七宝 印刷 物流").await.is_empty());
}

const CREDIT_CODE: &str = "91310000MA1FL0000N";

#[track_caller]
fn assert_credit_code_taken(problem: &Value, existing_id: &str) {
    assert_eq!(problem["code"], "customer.credit_code_taken", "{problem}");
    assert_eq!(problem["existing_id"], existing_id, "{problem}");
}

#[tokio::test]
async fn a_credit_code_of_a_live_customer_is_refused_with_409_naming_it_on_create_update_and_restore() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let first = app.customer(&admin, json!({ "kind": "company", "name": "七宝印刷", "credit_code": CREDIT_CODE })).await;
    let first_id = first["id"].as_str().unwrap();
    let before = app.side_effects().await;

    let twin = json!({ "kind": "company", "name": "七宝印刷（重复）", "credit_code": CREDIT_CODE.to_lowercase() });
    let problem = app.post("/api/v1/customers", &admin, twin).await.problem(409);
    assert_credit_code_taken(&problem, first_id);

    let other = app.customer(&admin, json!({ "kind": "company", "name": "七宝物流", "credit_code": "91310000MA1FL0001R" })).await;
    let other_path = format!("/api/v1/customers/{}", other["id"].as_str().unwrap());
    let problem = app.patch(&other_path, &admin, json!({ "credit_code": CREDIT_CODE }), None).await.problem(409);
    assert_credit_code_taken(&problem, first_id);
    assert_eq!(app.get(&other_path, &admin).await.expect(200).body["credit_code"], "91310000MA1FL0001R");
    // Only the second customer's creation was written.
    assert_eq!(app.side_effects().await.1, before.1 + 1);

    // A customer in the recycle bin does not hold its code; restoring it once another took it is refused.
    app.delete(&format!("/api/v1/customers/{first_id}"), &admin).await.expect(204);
    let successor = app.customer(&admin, json!({ "kind": "company", "name": "七宝印刷（新）", "credit_code": CREDIT_CODE })).await;
    let problem = app.post(&format!("/api/v1/customers/{first_id}/restore"), &admin, json!({})).await.problem(409);
    assert_credit_code_taken(&problem, successor["id"].as_str().unwrap());
    // Clearing the code lets the customer keep its own on an unrelated change.
    let path = format!("/api/v1/customers/{}", successor["id"].as_str().unwrap());
    app.patch(&path, &admin, json!({ "name": "七宝印刷有限公司" }), None).await.expect(200);
}

#[tokio::test]
async fn racing_creates_with_one_credit_code_make_one_customer_and_409s_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let replies = futures_util::future::join_all((0..8).map(|i| {
        app.post("/api/v1/customers", &admin, json!({ "kind": "company", "name": format!("并发 {i}"), "credit_code": CREDIT_CODE }))
    }))
    .await;
    let created: Vec<String> = replies.iter().filter(|r| r.status == 201).map(|r| r.id()).collect();
    assert_eq!(created.len(), 1, "{replies:?}");
    for reply in replies.into_iter().filter(|r| r.status != 201) {
        assert_credit_code_taken(&reply.problem(409), &created[0]);
    }
}

/// A value stored before a rule was tightened (or loaded in bulk) is read back as it is, and
/// saving another field of the record keeps it: it is never silently dropped.
#[tokio::test]
async fn stored_values_the_rules_would_now_refuse_are_kept_when_the_record_is_saved() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "老数据", "email": "old@example.cn" })).await;
    let id = customer["id"].as_str().unwrap().to_owned();
    let legacy = ["legacy@intranet", "intranet/crm", "91350100M000100Y44"];
    let values = [legacy[0].into(), legacy[1].into(), legacy[2].into(), id.parse::<uuid::Uuid>().unwrap().into()];
    app.execute("UPDATE customers SET email = ?, website = ?, credit_code = ? WHERE id = ?", values).await;

    let path = format!("/api/v1/customers/{id}");
    let read = app.get(&path, &admin).await.expect(200).body;
    assert_eq!([&read["email"], &read["website"], &read["credit_code"]], legacy.map(Value::from).each_ref());
    let saved = app.patch(&path, &admin, json!({ "notes": "换了联系人" }), None).await.expect(200).body;
    assert_eq!([&saved["email"], &saved["website"], &saved["credit_code"]], legacy.map(Value::from).each_ref());
    assert_eq!(saved["notes"], "换了联系人");
}

#[tokio::test]
async fn bulk_actions_write_each_selected_customer_as_a_single_request_would() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (sales_id, sales) = app.user("bulk-sales@example.com", "sales", &[]).await;
    let mut ids = Vec::new();
    for name in ["批量甲", "批量乙", "批量丙"] {
        ids.push(app.customer(&admin, json!({ "kind": "company", "name": name, "tags": ["旧"] })).await["id"].as_str().unwrap().to_owned());
    }
    let mine = app.customer(&sales, json!({ "kind": "company", "name": "销售自己的" })).await["id"].as_str().unwrap().to_owned();
    let missing = uuid::Uuid::now_v7().to_string();

    let tagged = app
        .post("/api/v1/customers/bulk", &admin, json!({ "ids": [ids[0], ids[1], missing], "action": "add_tags", "tags": ["重点", "旧"] }))
        .await
        .expect(200)
        .body;
    let statuses: Vec<u64> = tagged["results"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 200, 404]);
    assert_eq!((tagged["succeeded"].as_u64(), tagged["failed"].as_u64()), (Some(2), Some(1)));
    let first = app.get(&format!("/api/v1/customers/{}", ids[0]), &admin).await.expect(200).body;
    assert_eq!(first["tags"], json!(["旧", "重点"]));
    let audits = app.get(&format!("/api/v1/audit?entity_id={}", ids[0]), &admin).await.expect(200).body;
    assert_eq!(audits["data"].as_array().unwrap().len(), 2, "created, then tagged: one entry each");

    app.post("/api/v1/customers/bulk", &admin, json!({ "ids": ids, "action": "remove_tags", "tags": ["旧"] })).await.expect(200);
    let third = app.get(&format!("/api/v1/customers/{}", ids[2]), &admin).await.expect(200).body;
    assert_eq!(third["tags"], json!([]));
    let staged = app
        .post("/api/v1/customers/bulk", &admin, json!({ "ids": [ids[0]], "action": "set_stage", "lifecycle_stage": "prospect" }))
        .await
        .expect(200)
        .body;
    assert_eq!(staged["results"][0]["version"], 4);
    let assigned = app
        .post("/api/v1/customers/bulk", &admin, json!({ "ids": [ids[1]], "action": "assign", "owner_id": sales_id }))
        .await
        .expect(200)
        .body;
    assert_eq!(assigned["results"][0]["status"], 200);
    assert_eq!(
        app.get(&format!("/api/v1/customers/{}", ids[1]), &admin).await.expect(200).body["owner_id"].as_str(),
        Some(sales_id.as_str())
    );

    // A sales user's selection: their own customer is deleted, another's is out of reach.
    let deleted = app.post("/api/v1/customers/bulk", &sales, json!({ "ids": [mine, ids[2]], "action": "delete" })).await.expect(200).body;
    let statuses: Vec<u64> = deleted["results"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 404]);
    app.get(&format!("/api/v1/customers/{mine}"), &admin).await.problem(404);

    // Bad requests change nothing.
    for (body, field) in [
        (json!({ "ids": [], "action": "delete" }), "ids"),
        (json!({ "ids": [ids[0]], "action": "explode" }), "action"),
        (json!({ "ids": [ids[0]], "action": "assign" }), "owner_id"),
        (json!({ "ids": [ids[0]], "action": "set_stage", "lifecycle_stage": "moon" }), "lifecycle_stage"),
    ] {
        assert_eq!(app.post("/api/v1/customers/bulk", &admin, body).await.invalid_fields(), [field]);
    }
}
