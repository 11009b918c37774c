//! Customer requirements: the score formula and weights, transitions, one-step collection from
//! tickets and interactions, duplicates and merging, feedback, revisions, the document, scopes.

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::TestApp;

async fn customer(app: &TestApp, token: &str, name: &str) -> String {
    app.customer(token, json!({ "kind": "company", "name": name })).await["id"].as_str().unwrap().to_owned()
}

async fn requirement(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/api/v1/requirements", token, body).await.expect(201).body
}

fn numbers(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|r| r["number"].as_str().unwrap().to_owned()).collect()
}

fn score(value: &Value) -> f64 {
    value["score"].as_f64().unwrap()
}

#[tokio::test]
async fn scores_follow_the_formula_and_new_weights_rerank_everything() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut customers = Vec::new();
    for name in ["甲", "乙", "丙", "丁"] {
        customers.push(customer(&app, &admin, name).await);
    }
    // A: importance 5, urgency 4, effort 2, one requester → 10 × (2.5 + 1.2 + 0.2) / 2 = 19.5
    let a = requirement(
        &app,
        &admin,
        json!({ "title": "批量导出", "importance": 5, "urgency": 4, "effort": 2, "origin": { "customer_id": customers[0] } }),
    )
    .await;
    assert_eq!(a["number"], "REQ-000001");
    assert_eq!(score(&a), 19.5);
    // B: 3/3/3 with four requesters → demand 1 + log2 4 = 3 → 10 × (1.5 + 0.9 + 0.6) / 3 = 10
    let b = requirement(
        &app,
        &admin,
        json!({ "title": "移动审批", "importance": 3, "urgency": 3, "effort": 3, "origin": { "customer_id": customers[0] } }),
    )
    .await;
    let b_path = format!("/api/v1/requirements/{}", b["id"].as_str().unwrap());
    for c in &customers[1..] {
        app.post(&format!("{b_path}/requesters"), &admin, json!({ "customer_id": c, "note": "也需要" })).await.expect(201);
    }
    let b = app.get(&b_path, &admin).await.body;
    assert_eq!((b["requester_count"].clone(), score(&b)), (json!(4), 10.0));
    // C: 1/1/1 with no requester yet → demand 1 → 10 × (0.5 + 0.3 + 0.2) / 1 = 10
    let c = requirement(&app, &admin, json!({ "title": "深色主题", "importance": 1, "urgency": 1, "effort": 1 })).await;
    assert_eq!(score(&c), 10.0);
    // Three requesters → demand 1 + log2 3; checked to the stored thousandth.
    app.delete(
        &format!("{b_path}/requesters/{}", app.get(&format!("{b_path}/requesters"), &admin).await.body["data"][3]["id"].as_str().unwrap()),
        &admin,
    )
    .await
    .expect(204);
    let expected = 10.0 * (0.5 * 3.0 + 0.3 * 3.0 + 0.2 * (1.0 + 3f64.log2())) / 3.0;
    assert_eq!(score(&app.get(&b_path, &admin).await.body), (expected * 1000.0).round() / 1000.0);
    let ranked = app.get("/api/v1/requirements", &admin).await.expect(200).body;
    assert_eq!(numbers(&ranked)[0], "REQ-000001");

    // Demand only: A → 10 × 1 / 2 = 5; B → 10 × (1 + log2 3) / 3; C → 10.
    let weights = json!({ "weights": { "importance": 0.0, "urgency": 0.0, "demand": 1.0 } });
    let (_, manager) = app.user("boss@example.com", "manager", &[]).await;
    app.send(Method::PUT, "/api/v1/settings/requirements", Some(&manager), Some(&weights), &[]).await.problem(403);
    let bad = json!({ "weights": { "importance": 0.0, "urgency": 0.0, "demand": 0.0 } });
    app.send(Method::PUT, "/api/v1/settings/requirements", Some(&admin), Some(&bad), &[]).await.problem(422);
    app.send(Method::PUT, "/api/v1/settings/requirements", Some(&admin), Some(&weights), &[("If-Match", "\"0\"")]).await.expect(200);
    let reranked = app.get("/api/v1/requirements", &admin).await.body;
    assert_eq!(numbers(&reranked), ["REQ-000003", "REQ-000002", "REQ-000001"]);
    assert_eq!(score(&reranked["data"][2]), 5.0);
    assert_eq!(app.get("/api/v1/settings/requirements", &admin).await.header("etag").as_deref(), Some("\"1\""));
    // Keyset paging along the score.
    let first = app.get("/api/v1/requirements?limit=2", &admin).await.body;
    let rest = app.get(&format!("/api/v1/requirements?limit=2&cursor={}", first["next_cursor"].as_str().unwrap()), &admin).await.body;
    assert_eq!(numbers(&rest), ["REQ-000001"]);
}

#[tokio::test]
async fn the_status_process_is_enforced_and_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let me = app.get("/api/v1/auth/me", &admin).await.body["id"].clone();
    let r = requirement(&app, &admin, json!({ "title": "报表导出 PDF" })).await;
    let path = format!("/api/v1/requirements/{}", r["id"].as_str().unwrap());
    let to = |status: &str| json!({ "status": status });
    assert_eq!(app.post(&format!("{path}/status"), &admin, to("planned")).await.problem(409)["code"], "requirement.invalid_transition");
    assert_eq!(app.post(&format!("{path}/status"), &admin, to("duplicate")).await.problem(409)["code"], "requirement.duplicate_by_merge");
    app.post(&format!("{path}/status"), &admin, to("done")).await.problem(422);
    app.post(&format!("{path}/status"), &admin, to("analyzing")).await.expect(200);
    let mut missing = app.post(&format!("{path}/status"), &admin, to("planned")).await.invalid_fields();
    missing.sort();
    assert_eq!(missing, ["owner_id", "target_date"]);
    app.patch(&path, &admin, json!({ "owner_id": me, "target_date": "2027-03-31", "release": "2027.1" }), None).await.expect(200);
    app.post(&format!("{path}/status"), &admin, to("planned")).await.expect(200);
    assert_eq!(app.patch(&path, &admin, json!({ "owner_id": null }), None).await.invalid_fields(), ["owner_id"]);
    app.post(&format!("{path}/status"), &admin, to("in_progress")).await.expect(200);
    let delivered = app.post(&format!("{path}/status"), &admin, to("delivered")).await.expect(200).body;
    assert!(delivered["delivered_at"].as_str().is_some());
    let history = app.get(&format!("{path}/history"), &admin).await.expect(200).body;
    let steps: Vec<&str> = history["data"].as_array().unwrap().iter().map(|h| h["to_status"].as_str().unwrap()).collect();
    assert_eq!(steps, ["collected", "analyzing", "planned", "in_progress", "delivered"]);
    assert!(history["data"].as_array().unwrap().iter().all(|h| h["actor_name"].as_str().is_some() && h["changed_at"].as_str().is_some()));
    let other = requirement(&app, &admin, json!({ "title": "不做的需求" })).await;
    let other_path = format!("/api/v1/requirements/{}", other["id"].as_str().unwrap());
    assert_eq!(app.post(&format!("{other_path}/status"), &admin, to("rejected")).await.invalid_fields(), ["reason"]);
    let rejected = app
        .post(&format!("{other_path}/status"), &admin, json!({ "status": "rejected", "reason": "不符合产品方向" }))
        .await
        .expect(200)
        .body;
    assert_eq!(rejected["rejection_reason"], "不符合产品方向");
    assert_eq!(app.count("events", Some(("event_type", "requirement.status_changed"))).await, 5);
    let board = app.get("/api/v1/requirements/board", &admin).await.expect(200).body;
    let column =
        |status: &str| board["columns"].as_array().unwrap().iter().find(|c| c["status"] == status).unwrap()["count"].as_u64().unwrap();
    assert_eq!((column("delivered"), column("rejected"), column("collected")), (1, 1, 0));
    let releases = app.get("/api/v1/requirements/releases", &admin).await.expect(200).body;
    assert_eq!(releases["data"][0]["release"], "2027.1");
    assert_eq!(releases["data"][0]["by_status"]["delivered"], 1);
}

#[tokio::test]
async fn requirements_are_collected_from_tickets_and_interactions_in_one_step() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin, "上海顶点").await;
    let contact = app.post(&format!("/api/v1/customers/{id}/contacts"), &admin, json!({ "name": "王敏" })).await.expect(201).id();
    let ticket = app
        .post("/api/v1/tickets", &admin, json!({ "customer_id": id, "contact_id": contact, "subject": "希望支持批量导出" }))
        .await
        .expect(201)
        .body;
    let from_ticket =
        requirement(&app, &admin, json!({ "title": "批量导出客户", "origin": { "ticket_id": ticket["id"] }, "note": "每月导出一次" }))
            .await;
    assert_eq!((from_ticket["source_channel"].clone(), from_ticket["requester_count"].clone()), (json!("ticket"), json!(1)));
    let requesters = app.get(&format!("/api/v1/requirements/{}/requesters", from_ticket["id"].as_str().unwrap()), &admin).await.body;
    assert_eq!(requesters["data"][0]["ticket_id"], ticket["id"]);
    assert_eq!(requesters["data"][0]["contact_name"], "王敏");
    let on_ticket = app.get(&format!("/api/v1/tickets/{}/requirements", ticket["id"].as_str().unwrap()), &admin).await.expect(200).body;
    assert_eq!(numbers(&on_ticket), [from_ticket["number"].as_str().unwrap()]);
    let call = app
        .post("/api/v1/interactions", &admin, json!({ "customer_id": id, "channel": "visit", "direction": "outbound", "occurred_at": "2026-11-01T10:00:00Z", "subject": "拜访" }))
        .await
        .expect(201)
        .body;
    let from_call = requirement(
        &app,
        &admin,
        json!({ "title": "移动端审批", "origin": { "interaction_id": call["id"] }, "source_channel": "sales_visit" }),
    )
    .await;
    let requesters = app.get(&format!("/api/v1/requirements/{}/requesters", from_call["id"].as_str().unwrap()), &admin).await.body;
    assert_eq!(requesters["data"][0]["requested_at"], "2026-11-01T10:00:00Z");
    let timeline = app.get(&format!("/api/v1/customers/{id}/timeline?kind=requirement"), &admin).await.expect(200).body;
    assert_eq!(timeline["data"].as_array().unwrap().len(), 2);
    // Origins are checked: one at a time, and within reach.
    let both = json!({ "title": "x", "origin": { "ticket_id": ticket["id"], "interaction_id": call["id"] } });
    assert_eq!(app.post("/api/v1/requirements", &admin, both).await.invalid_fields(), ["origin"]);
    let nowhere = json!({ "title": "x", "origin": { "ticket_id": uuid::Uuid::now_v7() } });
    assert_eq!(app.post("/api/v1/requirements", &admin, nowhere).await.invalid_fields(), ["ticket_id"]);
    let mut fields = app
        .post(
            "/api/v1/requirements",
            &admin,
            json!({ "title": "", "importance": 6, "urgency": 0, "effort": 9, "category": "x", "source_channel": "y" }),
        )
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["category", "effort", "importance", "source_channel", "title", "urgency"]);
    let mine = app.get(&format!("/api/v1/requirements?customer_id={id}&include_total=true"), &admin).await.body;
    assert_eq!(mine["total"], 2);
    let again = app
        .post(&format!("/api/v1/requirements/{}/requesters", from_call["id"].as_str().unwrap()), &admin, json!({ "customer_id": id }))
        .await
        .problem(409);
    assert_eq!(again["code"], "requirement.already_requested");
    assert!(again["existing_id"].as_str().is_some(), "{again}");
}

#[tokio::test]
async fn duplicates_are_suggested_and_merging_moves_everything_exactly_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (c1, c2, c3) = (customer(&app, &admin, "一号").await, customer(&app, &admin, "二号").await, customer(&app, &admin, "三号").await);
    let ticket = app.post("/api/v1/tickets", &admin, json!({ "customer_id": c1, "subject": "导出" })).await.expect(201).body;
    let survivor = requirement(&app, &admin, json!({ "title": "批量导出客户数据到Excel", "origin": { "ticket_id": ticket["id"] } })).await;
    let s_path = format!("/api/v1/requirements/{}", survivor["id"].as_str().unwrap());
    app.post(&format!("{s_path}/requesters"), &admin, json!({ "customer_id": c2, "note": "每周导出" })).await.expect(201);
    let duplicate = requirement(
        &app,
        &admin,
        json!({ "title": "支持把客户数据批量导出为 Excel", "origin": { "customer_id": c2 }, "note": "财务要用" }),
    )
    .await;
    let candidates = duplicate["duplicate_candidates"].as_array().unwrap();
    assert_eq!(candidates[0]["id"], survivor["id"], "offered on create: {candidates:?}");
    let d_path = format!("/api/v1/requirements/{}", duplicate["id"].as_str().unwrap());
    app.post(&format!("{d_path}/requesters"), &admin, json!({ "customer_id": c3 })).await.expect(201);
    let unrelated = requirement(&app, &admin, json!({ "title": "移动端审批流程" })).await;
    let typing = app
        .get("/api/v1/requirements/duplicates?title=%E5%AE%A2%E6%88%B7%E6%95%B0%E6%8D%AE%E5%AF%BC%E5%87%BA", &admin)
        .await
        .expect(200)
        .body;
    let found: Vec<&Value> = typing["data"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
    assert!(found.contains(&&survivor["id"]) && !found.contains(&&unrelated["id"]), "{typing}");
    let on_demand = app.get(&format!("{s_path}/duplicates"), &admin).await.expect(200).body;
    assert_eq!(on_demand["data"][0]["id"], duplicate["id"]);

    let (audit_before, events_before) = app.side_effects().await;
    let merged = app.post(&format!("{s_path}/merge"), &admin, json!({ "duplicate_id": duplicate["id"] })).await.expect(200).body;
    assert_eq!((merged["moved_requesters"].clone(), merged["folded_requesters"].clone()), (json!(1), json!(1)));
    assert_eq!(merged["survivor"]["requester_count"], 3);
    let requesters = app.get(&format!("{s_path}/requesters"), &admin).await.body;
    let customers: Vec<&str> = requesters["data"].as_array().unwrap().iter().map(|r| r["customer_id"].as_str().unwrap()).collect();
    assert_eq!(customers.len(), 3);
    for c in [&c1, &c2, &c3] {
        assert_eq!(customers.iter().filter(|x| **x == c.as_str()).count(), 1, "each customer once");
    }
    let c2_row = requesters["data"].as_array().unwrap().iter().find(|r| r["customer_id"] == c2.as_str()).unwrap();
    assert_eq!(c2_row["note"], "每周导出\n财务要用", "notes of both requests are kept");
    assert_eq!(app.count("requirement_requesters", Some(("requirement_id", duplicate["id"].as_str().unwrap()))).await, 0);
    let gone = app.get(&d_path, &admin).await.body;
    assert_eq!((gone["status"].clone(), gone["duplicate_of_id"].clone()), (json!("duplicate"), survivor["id"].clone()));
    // Each requesting customer's timeline shows the survivor once and the duplicate no more.
    for c in [&c1, &c2, &c3] {
        let items = app.get(&format!("/api/v1/customers/{c}/timeline?kind=requirement"), &admin).await.body;
        let titles: Vec<&str> = items["data"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
        assert_eq!(titles, [format!("{} 批量导出客户数据到Excel", survivor["number"].as_str().unwrap())], "customer {c}");
    }
    let (audit_after, events_after) = app.side_effects().await;
    assert_eq!((audit_after - audit_before, events_after - events_before), (2, 2), "one audit entry and one event per requirement");
    assert_eq!(app.count("events", Some(("event_type", "requirement.merged"))).await, 1);
    let closed = app.post(&format!("{s_path}/merge"), &admin, json!({ "duplicate_id": duplicate["id"] })).await.problem(409);
    assert_eq!(closed["code"], "requirement.closed");
    app.post(&format!("{s_path}/merge"), &admin, json!({ "duplicate_id": survivor["id"] })).await.problem(422);
    let revisions = app.get(&format!("{s_path}/revisions"), &admin).await.body;
    assert_eq!(revisions["data"][0]["changes"]["absorbed"]["number"], duplicate["number"]);
    assert!(app.get("/api/v1/requirements?status=duplicate", &admin).await.body["data"].as_array().unwrap().len() == 1);
}

#[tokio::test]
async fn delivered_requirements_are_evaluated_by_their_requesters() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let me = app.get("/api/v1/auth/me", &admin).await.body["id"].clone();
    let (c1, c2, outsider) =
        (customer(&app, &admin, "甲方").await, customer(&app, &admin, "乙方").await, customer(&app, &admin, "路人").await);
    let r = requirement(
        &app,
        &admin,
        json!({ "title": "电子发票", "origin": { "customer_id": c1 }, "owner_id": me, "target_date": "2027-01-15" }),
    )
    .await;
    let path = format!("/api/v1/requirements/{}", r["id"].as_str().unwrap());
    app.post(&format!("{path}/requesters"), &admin, json!({ "customer_id": c2 })).await.expect(201);
    let early = app.post(&format!("{path}/feedback"), &admin, json!({ "customer_id": c1, "rating": 5 })).await.problem(409);
    assert_eq!(early["code"], "requirement.not_delivered");
    for status in ["analyzing", "planned", "in_progress", "delivered"] {
        app.post(&format!("{path}/status"), &admin, json!({ "status": status })).await.expect(200);
    }
    assert_eq!(
        app.post(&format!("{path}/feedback"), &admin, json!({ "customer_id": outsider, "rating": 5 })).await.invalid_fields(),
        ["customer_id"]
    );
    assert_eq!(app.post(&format!("{path}/feedback"), &admin, json!({ "customer_id": c1, "rating": 6 })).await.invalid_fields(), ["rating"]);
    let first =
        app.post(&format!("{path}/feedback"), &admin, json!({ "customer_id": c1, "rating": 4, "comment": "好用" })).await.expect(201).body;
    assert_eq!(first["requirement"]["status"], "delivered");
    let last = app.post(&format!("{path}/feedback"), &admin, json!({ "customer_id": c2, "rating": 5 })).await.expect(201).body;
    assert_eq!(last["requirement"]["status"], "evaluated", "evaluated when every requester answered");
    assert_eq!((last["requirement"]["feedback_count"].clone(), last["requirement"]["feedback_average"].clone()), (json!(2), json!(4.5)));
    let feedback = app.get(&format!("{path}/feedback"), &admin).await.expect(200).body;
    assert_eq!(feedback["data"].as_array().unwrap().len(), 2);
    assert!(feedback["data"][0]["recorded_by_name"].as_str().is_some());
    // The owner may also close the evaluation early.
    let early =
        requirement(&app, &admin, json!({ "title": "早评", "origin": { "customer_id": c1 }, "owner_id": me, "target_date": "2027-01-15" }))
            .await;
    let early_path = format!("/api/v1/requirements/{}", early["id"].as_str().unwrap());
    for status in ["analyzing", "planned", "in_progress", "delivered", "evaluated"] {
        app.post(&format!("{early_path}/status"), &admin, json!({ "status": status })).await.expect(200);
    }
    let report = app.get("/api/v1/reports/requirements", &admin).await.expect(200).body;
    assert_eq!(report["total"], 2);
    assert_eq!(report["delivered_count"], 2);
    assert!(report["average_days_to_delivery"].as_f64().unwrap() >= 0.0);
    assert_eq!(report["by_status"][0], json!({ "key": "evaluated", "count": 2 }));
}

#[tokio::test]
async fn every_edit_is_a_revision_and_the_document_tells_the_whole_story() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin, "上海顶点").await;
    let r = requirement(
        &app,
        &admin,
        json!({ "title": "客户分级", "description": "按 A/B/C 分级", "origin": { "customer_id": id }, "release": "2027.1" }),
    )
    .await;
    let path = format!("/api/v1/requirements/{}", r["id"].as_str().unwrap());
    app.patch(&path, &admin, json!({ "importance": 5, "description": "按 A/B/C 自动分级 | 每月更新" }), Some("\"1\"")).await.expect(200);
    app.patch(&path, &admin, json!({ "importance": 5 }), None).await.expect(200);
    app.patch(&path, &admin, json!({ "title": "x" }), Some("\"1\"")).await.problem(412);
    let revisions = app.get(&format!("{path}/revisions"), &admin).await.expect(200).body;
    let data = revisions["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "creation and one real change; the no-op added nothing");
    assert_eq!(data[0]["changes"]["importance"], json!({ "old": 3, "new": 5 }));
    assert_eq!(data[0]["changes"]["description"]["old"], "按 A/B/C 分级");
    assert!(data[0]["actor_name"].as_str().is_some());
    let doc = app
        .send(Method::GET, &format!("/api/v1/requirements/export?customer_id={id}&format=markdown"), Some(&admin), None, &[])
        .await
        .expect(200);
    assert!(doc.header("content-type").unwrap().starts_with("text/markdown"));
    assert!(doc.header("content-disposition").unwrap().contains("attachment"));
    let text = doc.text;
    assert!(text.contains("客户 / Customer: 上海顶点"), "{text}");
    assert!(text.contains(&format!("| {} | 客户分级 | 已收集 collected |", r["number"].as_str().unwrap())), "{text}");
    assert!(text.contains("按 A/B/C 自动分级 | 每月更新"), "the description is kept in the body: {text}");
    assert!(text.contains("### 需求客户 Requesters") && text.contains("上海顶点"));
    assert!(text.contains("→ 已收集 collected"), "history: {text}");
    let by_release = app.send(Method::GET, "/api/v1/requirements/export?release=2027.1", Some(&admin), None, &[]).await.expect(200);
    assert!(by_release.text.contains("版本 / Release: 2027.1"));
    app.send(Method::GET, "/api/v1/requirements/export", Some(&admin), None, &[]).await.problem(400);
    app.send(Method::GET, &format!("/api/v1/requirements/export?customer_id={id}&format=pdf"), Some(&admin), None, &[]).await.problem(400);
}

#[tokio::test]
async fn requirements_follow_the_requirements_scope() {
    let app = TestApp::spawn().await;
    let east = app.create_team("East", None).await;
    let west = app.create_team("West", None).await;
    let (_, seller) = app.user("s1@example.com", "sales", &[&east]).await;
    let (_, colleague) = app.user("s2@example.com", "sales", &[&east]).await;
    let (_, stranger) = app.user("s3@example.com", "sales", &[&west]).await;
    let (_, viewer) = app.user("v@example.com", "viewer", &[]).await;
    let id = customer(&app, &seller, "东区客户").await;
    let r = requirement(&app, &seller, json!({ "title": "东区需求", "origin": { "customer_id": id } })).await;
    let path = format!("/api/v1/requirements/{}", r["id"].as_str().unwrap());
    app.get(&path, &colleague).await.expect(200);
    app.patch(&path, &colleague, json!({ "title": "改" }), None).await.problem(403);
    app.get(&path, &stranger).await.problem(404);
    assert_eq!(app.get("/api/v1/requirements?include_total=true", &stranger).await.body["total"], 0);
    app.patch(&path, &seller, json!({ "urgency": 5 }), None).await.expect(200);
    app.get(&path, &viewer).await.expect(200);
    app.post("/api/v1/requirements", &viewer, json!({ "title": "x" })).await.problem(403);
    app.delete(&path, &seller).await.problem(403);
    let admin = app.admin().await;
    app.delete(&path, &admin).await.expect(204);
    app.get(&path, &seller).await.problem(404);
    let timeline = app.get(&format!("/api/v1/customers/{id}/timeline?kind=requirement"), &admin).await.body;
    assert!(timeline["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_document_shows_stored_html_links_and_headings_as_text_and_refuses_a_release_with_a_line_break() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin, "上海<b>顶点</b>").await;
    requirement(
        &app,
        &admin,
        json!({
            "title": "<script>alert(1)</script> [x](javascript:alert(1))",
            "description": "看 [x](javascript:alert(1))\n<img src=x onerror=alert(1)>\n# injected\n    indented code\n1. list\n![i](https://evil.example/x.png)",
            "origin": { "customer_id": id },
            "note": "<iframe src=\"javascript:alert(1)\">",
            "release": "2027.1 <i>",
            "tags": ["<svg onload=alert(1)>"],
        }),
    )
    .await;
    for query in [format!("customer_id={id}"), "release=2027.1%20%3Ci%3E".to_owned()] {
        let text = app.send(Method::GET, &format!("/api/v1/requirements/export?{query}"), Some(&admin), None, &[]).await.expect(200).text;
        for raw in ["<script", "<img", "<iframe", "<svg", "<b>", "<i>", "](javascript:", "](https:", "![", "\n# injected", "\n    indented"]
        {
            assert!(!text.contains(raw), "{raw:?} reached the document:\n{text}");
        }
        assert!(text.contains("&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\[x\\]\\(javascript:alert\\(1\\)\\)"), "{text}");
        assert!(text.contains("\\# injected"), "{text}");
        assert!(text.contains("1\\. list"), "{text}");
        assert!(text.contains("2027.1 &lt;i&gt;"), "{text}");
    }
    for release in ["2027.1%0A%23%20injected", "2027.1%0D%0A%23%20injected", "2027.1%00"] {
        let problem =
            app.send(Method::GET, &format!("/api/v1/requirements/export?release={release}"), Some(&admin), None, &[]).await.problem(400);
        assert_eq!(problem["errors"][0]["field"], "release");
        assert_eq!(problem["errors"][0]["code"], "control_character");
    }
}
