//! PIPL rights: consents with their history, subject requests and their due dates, a person's
//! export and erasure, and the retention list.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crm_domain::privacy::SubjectType;
use crm_domain::privacy::consents::Purpose;
use crm_tests::TestApp;

async fn company(app: &TestApp, token: &str, name: &str) -> String {
    app.customer(token, json!({ "kind": "company", "name": name })).await["id"].as_str().unwrap().to_owned()
}

async fn contact(app: &TestApp, token: &str, customer_id: &str, body: Value) -> String {
    app.post(&format!("/api/v1/customers/{customer_id}/contacts"), token, body).await.expect(201).id()
}

#[tokio::test]
async fn consents_keep_their_history_and_follow_the_customers_scope() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = company(&app, &admin, "同意有限公司").await;
    let person = contact(&app, &admin, &customer, json!({ "name": "赵敏" })).await;
    let person_id: uuid::Uuid = person.parse().unwrap();
    let consents = format!("/api/v1/contacts/{person}/consents");
    assert!(
        !crm_persistence::privacy::consents::may_contact(&app.app_db, SubjectType::Contact, person_id, Purpose::MarketingEmail)
            .await
            .unwrap()
    );

    let given = app
        .post(
            &consents,
            &admin,
            json!({ "purpose": "marketing_email", "channel": "web_form", "source": "官网注册", "evidence": "表单 F-17 勾选" }),
        )
        .await
        .expect(201);
    assert_eq!(given.header("location").unwrap(), format!("/api/v1/consents/{}", given.id()));
    assert_eq!((given.body["status"].clone(), given.body["customer_id"].clone()), (json!("given"), json!(customer)));
    assert!(
        crm_persistence::privacy::consents::may_contact(&app.app_db, SubjectType::Contact, person_id, Purpose::MarketingEmail)
            .await
            .unwrap()
    );
    assert!(!crm_persistence::privacy::consents::may_contact(&app.app_db, SubjectType::Contact, person_id, Purpose::Sms).await.unwrap());
    let twice = app.post(&consents, &admin, json!({ "purpose": "marketing_email", "channel": "phone" })).await.problem(409);
    assert_eq!(twice["code"], "consent.already_given");

    let withdraw = format!("/api/v1/consents/{}/withdraw", given.id());
    let withdrawn = app.post(&withdraw, &admin, json!({})).await.expect(200).body;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert!(withdrawn["withdrawn_at"].is_string());
    assert_eq!(withdrawn["given_at"], given.body["given_at"], "withdrawing keeps when it was given");
    assert_eq!(app.post(&withdraw, &admin, json!({})).await.problem(409)["code"], "consent.already_withdrawn");
    assert!(
        !crm_persistence::privacy::consents::may_contact(&app.app_db, SubjectType::Contact, person_id, Purpose::MarketingEmail)
            .await
            .unwrap()
    );

    // Given again: a new record; the withdrawn one stays as history.
    let again = app.post(&consents, &admin, json!({ "purpose": "marketing_email", "channel": "paper" })).await.expect(201).id();
    let history = app.get(&consents, &admin).await.expect(200).body;
    let rows: Vec<(String, String)> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["status"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(rows, [(again, "given".to_owned()), (given.id(), "withdrawn".to_owned())]);
    app.post(&format!("/api/v1/customers/{customer}/consents"), &admin, json!({ "purpose": "sms", "channel": "phone" })).await.expect(201);
    assert_eq!(app.get(&format!("/api/v1/customers/{customer}/consents"), &admin).await.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(app.count("events", Some(("event_type", "consent.given"))).await, 3);
    assert_eq!(app.count("events", Some(("event_type", "consent.withdrawn"))).await, 1);
    assert_eq!(app.count("audit_log", Some(("entity_type", "consent"))).await, 4);

    // Shape and meaning of the body.
    let tomorrow = (Utc::now() + Duration::days(1)).to_rfc3339();
    let mut fields = app.post(&consents, &admin, json!({ "purpose": "fax", "channel": " ", "given_at": tomorrow })).await.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["channel", "given_at", "purpose"]);

    // Outside the customer's scope the person does not exist.
    let (_, outsider) = app.user("outsider@example.com", "sales", &[]).await;
    let before = app.side_effects().await;
    app.get(&consents, &outsider).await.problem(404);
    app.post(&consents, &outsider, json!({ "purpose": "sms", "channel": "phone" })).await.problem(404);
    app.post(&format!("/api/v1/customers/{customer}/consents"), &outsider, json!({ "purpose": "phone", "channel": "phone" }))
        .await
        .problem(404);
    app.post(&withdraw, &outsider, json!({})).await.problem(404);
    assert_eq!(app.side_effects().await, before);
    let feed = app.get("/api/v1/events?after=0&types=consent.given&limit=100", &outsider).await.expect(200).body;
    assert_eq!(feed["data"].as_array().unwrap().len(), 0, "the feed shows no consent of a customer out of scope");
}

#[tokio::test]
async fn subject_requests_are_due_in_fifteen_days_and_overdue_ones_are_filtered() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = company(&app, &admin, "请求有限公司").await;
    let person = contact(&app, &admin, &customer, json!({ "name": "周芷若" })).await;
    let long_ago = (Utc::now() - Duration::days(20)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let late = app
        .post("/api/v1/privacy/requests", &admin, json!({ "subject_type": "contact", "subject_id": person, "kind": "export", "received_at": long_ago, "channel": "email", "notes": "要一份数据副本" }))
        .await
        .expect(201);
    let received: chrono::DateTime<Utc> = late.body["received_at"].as_str().unwrap().parse().unwrap();
    let due: chrono::DateTime<Utc> = late.body["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - received, Duration::days(15));
    assert_eq!((late.body["status"].clone(), late.body["overdue"].clone()), (json!("received"), json!(true)));
    assert_eq!((late.body["subject_name"].clone(), late.body["customer_id"].clone()), (json!("周芷若"), json!(customer)));
    let yesterday = (Utc::now() - Duration::days(1)).to_rfc3339();
    let fresh = app
        .post(
            "/api/v1/privacy/requests",
            &admin,
            json!({ "subject_type": "customer", "subject_id": customer, "kind": "access", "received_at": yesterday, "channel": "letter" }),
        )
        .await
        .expect(201);
    assert_eq!(fresh.body["overdue"], false);

    let ids =
        |body: &Value| -> Vec<String> { body["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect() };
    assert_eq!(ids(&app.get("/api/v1/privacy/requests?overdue=true", &admin).await.expect(200).body), [late.id()]);
    assert_eq!(ids(&app.get("/api/v1/privacy/requests?overdue=false", &admin).await.expect(200).body), [fresh.id()]);
    assert_eq!(ids(&app.get("/api/v1/privacy/requests", &admin).await.body), [late.id(), fresh.id()], "soonest due first");
    assert_eq!(ids(&app.get("/api/v1/privacy/requests?sort=-due_at", &admin).await.body), [fresh.id(), late.id()]);
    let first = app.get("/api/v1/privacy/requests?limit=1", &admin).await.body;
    let cursor = first["next_cursor"].as_str().unwrap();
    assert_eq!(ids(&app.get(&format!("/api/v1/privacy/requests?limit=1&cursor={cursor}"), &admin).await.body), [fresh.id()]);
    app.get("/api/v1/privacy/requests?status=open", &admin).await.problem(400);
    app.get("/api/v1/privacy/requests?sort=name", &admin).await.problem(400);

    // Answered once: completed, or refused with a reason.
    let completed = app.post(&format!("/api/v1/privacy/requests/{}/complete", late.id()), &admin, json!({})).await.expect(200).body;
    assert_eq!((completed["status"].clone(), completed["overdue"].clone()), (json!("completed"), json!(false)));
    let again = app.post(&format!("/api/v1/privacy/requests/{}/refuse", late.id()), &admin, json!({ "reason": "重复" })).await.problem(409);
    assert_eq!(again["code"], "privacy_request.already_answered");
    let refuse = format!("/api/v1/privacy/requests/{}/refuse", fresh.id());
    assert_eq!(app.post(&refuse, &admin, json!({ "reason": "" })).await.invalid_fields(), ["reason"]);
    let stale = app.send(Method::POST, &refuse, Some(&admin), Some(&json!({ "reason": "无法核实身份" })), &[("If-Match", "\"7\"")]).await;
    stale.problem(412);
    let refused = app.post(&refuse, &admin, json!({ "reason": "无法核实身份" })).await.expect(200).body;
    assert_eq!((refused["status"].clone(), refused["refusal_reason"].clone()), (json!("refused"), json!("无法核实身份")));
    assert!(ids(&app.get("/api/v1/privacy/requests?overdue=true", &admin).await.body).is_empty());
    assert_eq!(
        ids(&app.get("/api/v1/privacy/requests?status=refused,completed&sort=-received_at", &admin).await.body),
        [fresh.id(), late.id()]
    );
    assert_eq!(app.count("events", Some(("event_type", "privacy_request.completed"))).await, 1);
    assert_eq!(app.count("events", Some(("event_type", "privacy_request.refused"))).await, 1);

    // Refusals: a person that does not exist, a time in the future, a role without `privacy`.
    let unknown = uuid::Uuid::now_v7();
    let body = json!({ "subject_type": "contact", "subject_id": unknown, "kind": "erase", "received_at": yesterday, "channel": "email" });
    assert_eq!(app.post("/api/v1/privacy/requests", &admin, body).await.invalid_fields(), ["subject_id"]);
    let tomorrow = (Utc::now() + Duration::days(1)).to_rfc3339();
    let body = json!({ "subject_type": "person", "subject_id": person, "kind": "forget", "received_at": tomorrow, "channel": "email" });
    let mut fields = app.post("/api/v1/privacy/requests", &admin, body).await.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["kind", "received_at", "subject_type"]);
    let (_, manager) = app.user("manager@example.com", "manager", &[]).await;
    app.get("/api/v1/privacy/requests", &manager).await.problem(403);
    app.get(&format!("/api/v1/privacy/requests/{}", late.id()), &manager).await.problem(403);
}

/// Every string of a JSON document, joined: where a value is searched for.
fn text_of(value: &Value) -> String {
    value.to_string()
}

struct Person {
    customer_id: String,
    contact_id: String,
    order_id: String,
    portal_token: String,
}

/// The clear values the person below is created with.
const SECRETS: &[&str] = &[
    "张三丰",
    "13812345678",
    "zhang.sanfeng@example.com",
    "世纪大道",
    "李小龙",
    "13987654321",
    "li.xiaolong@example.com",
    "lxl_wx",
    "太极拳",
];

/// An individual customer with a contact, an interaction with that contact, a consent, a
/// confirmed order, a portal account, an external reference and a change in its history.
async fn person(app: &TestApp, admin: &str) -> Person {
    let customer = app
        .customer(admin, json!({ "kind": "individual", "name": "张三丰", "phone": "13812345678", "email": "zhang.sanfeng@example.com",
            "address": "上海市浦东新区世纪大道100号", "birthday": "1980-04-09", "preferences": "太极拳", "external_ids": { "erp": "C-77" } }))
        .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/customers/{customer_id}"), admin, json!({ "notes": "张三丰 prefers calls" }), None).await.expect(200);
    let contact_id = contact(
        app,
        admin,
        &customer_id,
        json!({ "name": "李小龙", "mobile": "13987654321", "email": "li.xiaolong@example.com", "wechat": "lxl_wx" }),
    )
    .await;
    let when = (Utc::now() - Duration::days(1)).to_rfc3339();
    app.post(
        "/api/v1/interactions",
        admin,
        json!({ "customer_id": customer_id, "contact_id": contact_id, "channel": "phone", "direction": "inbound",
        "occurred_at": when, "subject": "李小龙来电", "content": "请发到 li.xiaolong@example.com", "outcome": "张三丰同意报价" }),
    )
    .await
    .expect(201);
    app.post(&format!("/api/v1/contacts/{contact_id}/consents"), admin, json!({ "purpose": "sms", "channel": "paper" })).await.expect(201);
    app.post("/api/v1/tasks", admin, json!({ "title": "给张三丰回电", "description": "号码 13812345678", "customer_id": customer_id }))
        .await
        .expect(201);
    let product = app
        .post("/api/v1/products", admin, json!({ "sku": "TAI", "name": "太极服", "unit_price": { "amount_minor": 12_345 } }))
        .await
        .expect(201)
        .id();
    let order = app
        .post("/api/v1/orders", admin, json!({ "customer_id": customer_id, "lines": [{ "product_id": product, "quantity": 2 }] }))
        .await
        .expect(201)
        .body;
    let order_id = order["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/orders/{order_id}/confirm"), admin, json!({})).await.expect(200);
    let (_, portal_token) = crate::portal::portal_user(app, admin, &contact_id, false).await;
    Person { customer_id, contact_id, order_id, portal_token }
}

/// Everything the API shows about the person: the records, lists, timeline, feed, audit log and
/// the export.
async fn everything_shown(app: &TestApp, admin: &str, p: &Person) -> String {
    let mut shown = String::new();
    for path in [
        format!("/api/v1/customers/{}", p.customer_id),
        format!("/api/v1/contacts/{}", p.contact_id),
        format!("/api/v1/customers/{}/contacts", p.customer_id),
        format!("/api/v1/interactions?customer_id={}", p.customer_id),
        format!("/api/v1/customers/{}/timeline?limit=200", p.customer_id),
        format!("/api/v1/orders/{}", p.order_id),
        format!("/api/v1/tasks?customer_id={}&view=all", p.customer_id),
        format!("/api/v1/contacts/{}/consents", p.contact_id),
        format!("/api/v1/portal-accounts?customer_id={}", p.customer_id),
        "/api/v1/events?after=0&limit=200".to_owned(),
        "/api/v1/audit?limit=200".to_owned(),
        format!("/api/v1/privacy/subjects/customer/{}/export", p.customer_id),
        format!("/api/v1/privacy/subjects/contact/{}/export", p.contact_id),
    ] {
        shown.push_str(&text_of(&app.get(&path, admin).await.expect(200).body));
    }
    shown
}

#[tokio::test]
async fn the_export_holds_everything_about_the_person_and_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = person(&app, &admin).await;
    let reply = app.get(&format!("/api/v1/privacy/subjects/customer/{}/export", p.customer_id), &admin).await.expect(200);
    assert!(reply.header("content-disposition").unwrap().contains(&format!("customer-{}.json", p.customer_id)));
    let doc = reply.body;
    assert_eq!(doc["format"], "crm.subject_export/1");
    assert_eq!((doc["record"]["name"].clone(), doc["record"]["phone"].clone()), (json!("张三丰"), json!("+8613812345678")));
    assert_eq!(doc["contacts"][0]["wechat"], "lxl_wx");
    assert_eq!(doc["interactions"][0]["subject"], "李小龙来电");
    assert_eq!(doc["orders"][0]["id"], json!(p.order_id));
    assert_eq!(doc["order_lines"].as_array().unwrap().len(), 1);
    assert_eq!(doc["consents"][0]["purpose"], "sms");
    assert_eq!(doc["external_references"][0]["external_id"], "C-77");
    assert_eq!(doc["portal_accounts"][0]["email"], "li.xiaolong@example.com");
    assert!(doc["portal_accounts"][0].get("password_hash").is_none(), "no secrets in an export");
    assert!(!doc["timeline"].as_array().unwrap().is_empty());
    assert!(doc["audit_entries"].as_array().unwrap().iter().any(|e| e["action"] == "update" && e["entity_id"] == json!(p.customer_id)));
    assert_eq!(doc["attachments"]["included"], false);
    let audited = app.get(&format!("/api/v1/audit?action=export_subject&entity_id={}", p.customer_id), &admin).await.expect(200).body;
    assert_eq!(audited["data"].as_array().unwrap().len(), 1, "an export is a sensitive read and audited");
    assert!(!SECRETS.iter().any(|s| text_of(&audited["data"][0]).contains(s)), "the audit entry tells counts, not values");

    let one = app.get(&format!("/api/v1/privacy/subjects/contact/{}/export", p.contact_id), &admin).await.expect(200).body;
    assert_eq!(one["record"]["email"], "li.xiaolong@example.com");
    assert_eq!(one["customer"]["name"], "张三丰");
    assert_eq!(one["interactions"].as_array().unwrap().len(), 1);
    assert_eq!(one["orders"], json!([]));

    let (_, manager) = app.user("manager@example.com", "manager", &[]).await;
    app.get(&format!("/api/v1/privacy/subjects/customer/{}/export", p.customer_id), &manager).await.problem(403);
    app.get(&format!("/api/v1/privacy/subjects/contact/{}/export", uuid::Uuid::now_v7()), &admin).await.problem(404);
    app.get(&format!("/api/v1/privacy/subjects/planet/{}/export", p.customer_id), &admin).await.problem(400);
}

#[tokio::test]
async fn erasure_anonymises_the_person_everywhere_keeps_the_orders_and_a_second_one_is_harmless() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = person(&app, &admin).await;
    let customer_path = format!("/api/v1/customers/{}", p.customer_id);
    let order_before = app.get(&format!("/api/v1/orders/{}", p.order_id), &admin).await.expect(200).body;
    let customer_before = app.get(&customer_path, &admin).await.body;
    let shown_before = everything_shown(&app, &admin, &p).await;
    for secret in SECRETS {
        assert!(shown_before.contains(secret), "{secret} is shown before the erasure");
    }

    // A dry run lists what would change and changes nothing.
    let erase = format!("/api/v1/privacy/subjects/customer/{}/erase", p.customer_id);
    let effects = app.side_effects().await;
    let plan = app.post(&erase, &admin, json!({ "dry_run": true })).await.expect(200).body;
    assert_eq!(plan["dry_run"], true);
    let kind = |report: &Value, kind: &str| report["changes"].as_array().unwrap().iter().find(|c| c["kind"] == kind).cloned();
    let customer_change = kind(&plan, "customer").unwrap();
    assert_eq!(customer_change["records"], 1);
    for field in ["name", "phone", "email", "address", "birthday", "preferences", "notes"] {
        assert!(customer_change["fields"].as_array().unwrap().contains(&json!(field)), "{field} in {customer_change}");
    }
    assert_eq!(kind(&plan, "contact").unwrap()["records"], 1);
    assert_eq!(kind(&plan, "interaction").unwrap()["records"], 1);
    assert_eq!(kind(&plan, "portal_account").unwrap()["records"], 1);
    assert_eq!(kind(&plan, "external_reference").unwrap()["records"], 1);
    assert!(kind(&plan, "audit_entry").unwrap()["records"].as_u64().unwrap() > 0);
    assert!(!SECRETS.iter().any(|s| text_of(&plan).contains(s)), "a report names fields, never values");
    assert_eq!(app.side_effects().await, effects, "a dry run writes nothing");
    assert_eq!(app.get(&customer_path, &admin).await.body, customer_before);
    app.get("/api/v1/portal/me", &p.portal_token).await.expect(200);

    // The erasure.
    let report = app.post(&erase, &admin, json!({ "dry_run": false })).await.expect(200).body;
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["changes"], plan["changes"], "the dry run told what the erasure did");
    let customer = app.get(&customer_path, &admin).await.body;
    assert_eq!(customer["name"], report["pseudonym"]);
    assert!(customer["name"].as_str().unwrap().starts_with("已匿名-"));
    for field in ["phone", "email", "address", "birthday", "preferences", "notes"] {
        assert_eq!(customer[field], Value::Null, "{field}");
    }
    assert_eq!(customer["total_spend_minor"], customer_before["total_spend_minor"], "the figures stay");
    assert_eq!(customer["order_count"], 1);
    let order = app.get(&format!("/api/v1/orders/{}", p.order_id), &admin).await.body;
    assert_eq!((order["total"].clone(), order["status"].clone()), (order_before["total"].clone(), json!("confirmed")));
    assert_eq!(order["customer_name"], report["pseudonym"]);
    let shown_after = everything_shown(&app, &admin, &p).await;
    for secret in SECRETS {
        assert!(!shown_after.contains(secret), "{secret} is still shown after the erasure");
    }
    let found = app.get("/api/v1/customers?q=13812345678", &admin).await.body;
    assert_eq!(found["data"].as_array().unwrap().len(), 0, "the search text forgot the phone");
    app.get("/api/v1/portal/me", &p.portal_token).await.problem(401);
    assert_eq!(app.count("audit_log", Some(("action", "erase_subject"))).await, 1, "one audit entry");
    assert_eq!(app.count("events", Some(("event_type", "customer.erased"))).await, 1);
    assert_eq!(app.count("events", Some(("event_type", "contact.erased"))).await, 1);
    assert_eq!(app.count("erasures", None).await, 2, "the customer and its contact are registered as erased");

    // A second erasure finds nothing left and changes nothing.
    let version = customer["version"].clone();
    let second = app.post(&erase, &admin, json!({ "dry_run": false })).await.expect(200).body;
    assert_eq!(second["changes"], json!([]));
    assert_eq!(app.get(&customer_path, &admin).await.body["version"], version);
    assert_eq!(app.count("events", Some(("event_type", "customer.erased"))).await, 1);

    // Erasure needs `privacy` delete, and finds nobody out of scope.
    let (_, manager) = app.user("manager@example.com", "manager", &[]).await;
    app.post(&erase, &manager, json!({ "dry_run": true })).await.problem(403);
    app.post(&format!("/api/v1/privacy/subjects/contact/{}/erase", uuid::Uuid::now_v7()), &admin, json!({ "dry_run": true }))
        .await
        .problem(404);
    app.post(&erase, &admin, json!({})).await.invalid_fields();
}

#[tokio::test]
async fn erasing_one_contact_leaves_the_customer_and_its_other_contacts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = company(&app, &admin, "保留有限公司").await;
    let gone = contact(&app, &admin, &customer, json!({ "name": "欧阳锋", "email": "ouyang@example.com" })).await;
    let kept = contact(&app, &admin, &customer, json!({ "name": "黄药师", "email": "huang@example.com" })).await;
    app.post(&format!("/api/v1/privacy/subjects/contact/{gone}/erase"), &admin, json!({ "dry_run": false })).await.expect(200);
    let contacts = text_of(&app.get(&format!("/api/v1/customers/{customer}/contacts"), &admin).await.body);
    assert!(!contacts.contains("欧阳锋") && !contacts.contains("ouyang@example.com"));
    assert!(contacts.contains("黄药师") && contacts.contains("huang@example.com"));
    assert_eq!(app.get(&format!("/api/v1/customers/{customer}"), &admin).await.body["name"], "保留有限公司");
    assert_eq!(app.get(&format!("/api/v1/contacts/{kept}"), &admin).await.body["name"], "黄药师");
    let feed = text_of(&app.get("/api/v1/events?after=0&limit=200", &admin).await.body);
    assert!(!feed.contains("欧阳锋") && feed.contains("黄药师"));
}

#[tokio::test]
async fn contacts_of_customers_churned_long_ago_are_proposed_for_erasure() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let candidates = "/api/v1/privacy/retention/candidates";
    let churn = |name: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let id = app.customer(&admin, json!({ "kind": "company", "name": name, "lifecycle_stage": "prospect" })).await["id"]
                .as_str()
                .unwrap()
                .to_owned();
            app.patch(&format!("/api/v1/customers/{id}"), &admin, json!({ "lifecycle_stage": "churned" }), None).await.expect(200);
            id
        }
    };
    let old = churn("早已流失").await;
    let recent = churn("刚刚流失").await;
    let old_contact = contact(&app, &admin, &old, json!({ "name": "老联系人" })).await;
    contact(&app, &admin, &recent, json!({ "name": "新联系人" })).await;
    let three_years_ago = Utc::now() - Duration::days(3 * 366);
    let old_id: uuid::Uuid = old.parse().unwrap();
    app.execute("UPDATE customer_stage_history SET changed_at = ? WHERE customer_id = ?", [three_years_ago.into(), old_id.into()]).await;

    // Off until an administrator sets it.
    let settings = app.get("/api/v1/settings/privacy", &admin).await.expect(200).body;
    assert_eq!(settings["erase_contacts_of_churned_after_years"], Value::Null);
    assert_eq!(app.get(candidates, &admin).await.expect(200).body["data"], json!([]));
    let (_, manager) = app.user("manager@example.com", "manager", &[]).await;
    app.send(Method::PUT, "/api/v1/settings/privacy", Some(&manager), Some(&json!({ "erase_contacts_of_churned_after_years": 2 })), &[])
        .await
        .problem(403);
    app.get(candidates, &manager).await.problem(403);
    let bad = app
        .send(Method::PUT, "/api/v1/settings/privacy", Some(&admin), Some(&json!({ "erase_contacts_of_churned_after_years": 0 })), &[])
        .await;
    assert_eq!(bad.invalid_fields(), ["erase_contacts_of_churned_after_years"]);
    app.send(Method::PUT, "/api/v1/settings/privacy", Some(&admin), Some(&json!({ "erase_contacts_of_churned_after_years": 2 })), &[])
        .await
        .expect(200);

    let listed = app.get(candidates, &admin).await.expect(200).body;
    let names: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|c| c["contact_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["老联系人"]);
    assert_eq!(listed["data"][0]["customer_name"], "早已流失");
    assert!(listed["data"][0]["churned_at"].is_string());
    app.post(&format!("/api/v1/privacy/subjects/contact/{old_contact}/erase"), &admin, json!({ "dry_run": false })).await.expect(200);
    assert_eq!(app.get(candidates, &admin).await.body["data"], json!([]), "an erased contact is no longer proposed");
}
