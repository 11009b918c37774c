//! The knowledge base: revisions, search (Chinese included), votes and views, ticket links, rights.

use serde_json::{Value, json};

use crm_tests::TestApp;

async fn article(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/api/v1/kb/articles", token, body).await.expect(201).body
}

fn titles(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_edit_is_a_revision_and_old_revisions_can_be_read() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let category = app.post("/api/v1/kb/categories", &admin, json!({ "name": "打印机", "position": 1 })).await.expect(201).body;
    let first = article(
        &app,
        &admin,
        json!({ "title": "打印机卡纸怎么办", "body": "## 步骤\n1. 关机\n2. **取出**纸盒", "category_id": category["id"], "tags": ["硬件", "打印机"] }),
    )
    .await;
    assert_eq!(
        (first["revision"].clone(), first["status"].clone(), first["visibility"].clone()),
        (json!(1), json!("draft"), json!("internal"))
    );
    let path = format!("/api/v1/kb/articles/{}", first["id"].as_str().unwrap());
    // A stale version is refused and changes nothing.
    app.patch(&path, &admin, json!({ "title": "x" }), Some("\"9\"")).await.problem(412);
    let second = app
        .patch(
            &path,
            &admin,
            json!({ "body": "## 步骤\n1. 关机\n2. 取出纸盒\n3. 清理滚轮", "status": "published", "note": "补充第三步" }),
            Some("\"1\""),
        )
        .await
        .expect(200)
        .body;
    assert_eq!((second["revision"].clone(), second["version"].clone()), (json!(2), json!(2)));
    assert!(second["published_at"].as_str().is_some());
    // Saving the same content again is not a new revision.
    let same = app.patch(&path, &admin, json!({ "status": "published" }), None).await.expect(200).body;
    assert_eq!(same["revision"], 2);
    let revisions = app.get(&format!("{path}/revisions"), &admin).await.expect(200).body;
    let numbers: Vec<i64> = revisions["data"].as_array().unwrap().iter().map(|r| r["revision"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [2, 1], "newest first");
    assert_eq!(revisions["data"][0]["note"], "补充第三步");
    let old = app.get(&format!("{path}/revisions/1"), &admin).await.expect(200).body;
    assert!(!old["body"].as_str().unwrap().contains("清理滚轮"));
    assert_eq!(old["status"], "draft");
    app.get(&format!("{path}/revisions/7"), &admin).await.problem(404);
    app.get(&format!("{path}/revisions/x"), &admin).await.problem(400);
    assert_eq!(app.count("events", Some(("event_type", "kb_article.created"))).await, 1);
    assert_eq!(app.count("events", Some(("event_type", "kb_article.published"))).await, 1);
    assert_eq!(app.count("audit_log", Some(("entity_type", "kb_article"))).await, 2);
    // Bad input is refused field by field.
    let mut fields = app
        .post("/api/v1/kb/articles", &admin, json!({ "title": "", "body": " ", "visibility": "secret", "status": "live", "tags": [""] }))
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["body", "status", "tags[0]", "title", "visibility"]);
    app.post("/api/v1/kb/articles", &admin, json!({ "title": "t", "body": "b", "category_id": uuid::Uuid::now_v7() })).await.problem(422);
    // A category holding an article is not deleted.
    let full = app.delete(&format!("/api/v1/kb/categories/{}", category["id"].as_str().unwrap()), &admin).await.problem(409);
    assert_eq!(full["code"], "kb_category.not_empty");
}

#[tokio::test]
async fn search_finds_chinese_and_english_words_in_titles_tags_and_bodies() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    article(&app, &admin, json!({ "title": "打印机卡纸怎么办", "body": "先关机，再**取出**纸盒。", "tags": ["硬件"] })).await;
    article(
        &app,
        &admin,
        json!({ "title": "VPN connection drops", "body": "Reinstall the 客户端 and sign in again.", "tags": ["network"] }),
    )
    .await;
    article(&app, &admin, json!({ "title": "发票开具说明", "body": "增值税专用发票需要提供税号。", "tags": ["财务"] })).await;
    let search = |q: &str| {
        let app = &app;
        let admin = admin.clone();
        let q = q.to_owned();
        async move {
            let url = format!("/api/v1/kb/articles?q={}", urlencode(&q));
            titles(&app.get(&url, &admin).await.expect(200).body)
        }
    };
    assert_eq!(search("卡纸").await, ["打印机卡纸怎么办"]);
    assert_eq!(search("取出纸盒").await, ["打印机卡纸怎么办"], "markup does not split words");
    assert_eq!(search("客户端").await, ["VPN connection drops"]);
    assert_eq!(search("vpn REINSTALL").await, ["VPN connection drops"], "every word, any case");
    assert_eq!(search("发票　税号").await, ["发票开具说明"], "a full-width space separates words too");
    assert!(search("发票 VPN").await.is_empty());
    assert!(search("100%").await.is_empty(), "LIKE wildcards are literal");
    let tagged = app.get("/api/v1/kb/articles?tag=%E8%B4%A2%E5%8A%A1", &admin).await.expect(200).body;
    assert_eq!(titles(&tagged), ["发票开具说明"]);
    let page = app.get("/api/v1/kb/articles?limit=2", &admin).await.expect(200).body;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let rest = app.get(&format!("/api/v1/kb/articles?limit=2&cursor={}", page["next_cursor"].as_str().unwrap()), &admin).await.body;
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert!(page["data"][0]["excerpt"].as_str().is_some() && page["data"][0].get("body").is_none(), "lists carry excerpts");
    app.get("/api/v1/kb/articles?sort=title", &admin).await.problem(400);
    app.get("/api/v1/kb/articles?status=gone", &admin).await.problem(400);
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn views_and_votes_are_counted_exactly_and_sort_the_list() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, support) = app.user("help@example.com", "support", &[]).await;
    let popular = article(&app, &admin, json!({ "title": "常见问题", "body": "..." })).await;
    let quiet = article(&app, &admin, json!({ "title": "冷门问题", "body": "..." })).await;
    let path = format!("/api/v1/kb/articles/{}", popular["id"].as_str().unwrap());
    app.get(&path, &admin).await.expect(200);
    app.get(&format!("{path}?count_view=true"), &admin).await.expect(200);
    let viewed = app.get(&format!("{path}?count_view=true"), &support).await.expect(200).body;
    assert_eq!(viewed["view_count"], 2, "only reads that ask to count are views");
    assert_eq!(viewed["version"], 1, "reading is not an edit");
    app.post(&format!("{path}/votes"), &admin, json!({ "helpful": false })).await.expect(200);
    app.post(&format!("{path}/votes"), &admin, json!({ "helpful": true })).await.expect(200);
    let voted = app.post(&format!("{path}/votes"), &support, json!({ "helpful": true })).await.expect(200).body;
    assert_eq!((voted["helpful_count"].clone(), voted["not_helpful_count"].clone()), (json!(2), json!(0)), "one vote per reader");
    let by_views = app.get("/api/v1/kb/articles?sort=-view_count", &admin).await.body;
    assert_eq!(titles(&by_views), ["常见问题", "冷门问题"]);
    let by_votes = app.get("/api/v1/kb/articles?sort=-helpful_count&limit=1", &admin).await.body;
    assert_eq!(titles(&by_votes), ["常见问题"]);
    let next = app
        .get(&format!("/api/v1/kb/articles?sort=-helpful_count&limit=1&cursor={}", by_votes["next_cursor"].as_str().unwrap()), &admin)
        .await
        .body;
    assert_eq!(next["data"][0]["id"], quiet["id"]);
}

#[tokio::test]
async fn articles_used_on_tickets_are_linked_both_ways() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "用户甲" })).await;
    let ticket =
        app.post("/api/v1/tickets", &admin, json!({ "customer_id": customer["id"], "subject": "打印机卡纸" })).await.expect(201).body;
    let help = article(&app, &admin, json!({ "title": "打印机卡纸怎么办", "body": "关机后取出纸盒" })).await;
    let ticket_path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
    let linked = app.post(&format!("{ticket_path}/articles"), &admin, json!({ "article_id": help["id"] })).await.expect(200).body;
    assert_eq!(linked["ticket_count"], 1);
    let again = app.post(&format!("{ticket_path}/articles"), &admin, json!({ "article_id": help["id"] })).await.expect(200).body;
    assert_eq!(again["ticket_count"], 1, "linking twice is harmless");
    let on_ticket = app.get(&format!("{ticket_path}/articles"), &admin).await.expect(200).body;
    assert_eq!(titles(&on_ticket), ["打印机卡纸怎么办"]);
    let solved = app.get(&format!("/api/v1/tickets?article_id={}&include_total=true", help["id"].as_str().unwrap()), &admin).await.body;
    assert_eq!(solved["total"], 1);
    assert_eq!(app.count("events", Some(("event_type", "ticket.article_linked"))).await, 1);
    app.post(&format!("{ticket_path}/articles"), &admin, json!({ "article_id": uuid::Uuid::now_v7() })).await.problem(422);
    app.delete(&format!("{ticket_path}/articles/{}", help["id"].as_str().unwrap()), &admin).await.expect(204);
    app.delete(&format!("{ticket_path}/articles/{}", help["id"].as_str().unwrap()), &admin).await.problem(404);
    let after = app.get(&format!("/api/v1/kb/articles/{}", help["id"].as_str().unwrap()), &admin).await.body;
    assert_eq!(after["ticket_count"], 0);
}

#[tokio::test]
async fn writing_follows_the_service_scope_and_categories_need_full_rights() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let team = app.create_team("客服", None).await;
    let (_, support) = app.user("help@example.com", "support", &[&team]).await;
    let (_, sales) = app.user("sales@example.com", "sales", &[&team]).await;
    let (_, viewer) = app.user("viewer@example.com", "viewer", &[]).await;
    let (_, manager) = app.user("boss@example.com", "manager", &[]).await;
    let mine = article(&app, &support, json!({ "title": "客服写的", "body": "..." })).await;
    let path = format!("/api/v1/kb/articles/{}", mine["id"].as_str().unwrap());
    app.get(&path, &viewer).await.expect(200);
    app.get(&path, &sales).await.expect(200);
    app.post("/api/v1/kb/articles", &viewer, json!({ "title": "t", "body": "b" })).await.problem(403);
    app.patch(&path, &sales, json!({ "title": "改" }), None).await.problem(403);
    app.patch(&path, &manager, json!({ "title": "改" }), None).await.problem(403);
    app.patch(&path, &admin, json!({ "title": "管理员改" }), None).await.expect(200);
    app.delete(&path, &support).await.problem(403);
    app.post("/api/v1/kb/categories", &manager, json!({ "name": "x" })).await.problem(403);
    let top = app.post("/api/v1/kb/categories", &support, json!({ "name": "网络" })).await.expect(201).body;
    let section = app.post("/api/v1/kb/categories", &support, json!({ "name": "VPN", "parent_id": top["id"] })).await.expect(201).body;
    let deep = app.post("/api/v1/kb/categories", &support, json!({ "name": "太深", "parent_id": section["id"] })).await;
    assert_eq!(deep.invalid_fields(), ["parent_id"]);
    let taken = app.post("/api/v1/kb/categories", &support, json!({ "name": "VPN", "parent_id": top["id"] })).await.problem(409);
    assert_eq!((taken["code"].clone(), taken["existing_id"].clone()), (json!("kb_category.name_taken"), section["id"].clone()));
    let taken = app.post("/api/v1/kb/categories", &support, json!({ "name": "网络" })).await.problem(409);
    assert_eq!(taken["existing_id"], top["id"], "top-level names are unique too");
    let filed = article(&app, &support, json!({ "title": "VPN 断线", "body": "...", "category_id": section["id"] })).await;
    let in_top = app.get(&format!("/api/v1/kb/articles?category_id={}", top["id"].as_str().unwrap()), &viewer).await.body;
    assert_eq!(in_top["data"][0]["id"], filed["id"], "a category lists its sections' articles");
    app.delete(&path, &admin).await.expect(204);
    app.get(&path, &admin).await.problem(404);
    let categories = app.get("/api/v1/kb/categories", &viewer).await.expect(200).body;
    assert_eq!(categories["data"].as_array().unwrap().len(), 2);
}
