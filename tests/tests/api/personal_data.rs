//! Personal data (PIPL): phones, emails, WeChat ids, addresses and birthdays of customers and
//! contacts come in clear only within the caller's `pii` scope, are revealed one record at a time
//! with an audit entry, and are found by search only whole.

use serde_json::{Value, json};

use crm_tests::TestApp;

const PHONE: &str = "13812345678";
const EMAIL: &str = "zhang.wei@lianhua.cn";

/// A customer of `owner` with every personal field, and one contact with theirs.
async fn person(app: &TestApp, owner: &str) -> (Value, Value) {
    let customer = app
        .customer(
            owner,
            json!({ "kind": "individual", "name": "张伟", "phone": PHONE, "email": EMAIL, "address": "上海市徐汇区漕溪北路 88 号", "birthday": "1985-03-04" }),
        )
        .await;
    let contact = app
        .post(
            &format!("/api/v1/customers/{}/contacts", customer["id"].as_str().unwrap()),
            owner,
            json!({ "name": "张太太", "mobile": "139 8765 4321", "email": "li.na@lianhua.cn", "wechat": "wxid_lina88", "birthday": "1987-06-07" }),
        )
        .await
        .expect(201)
        .body;
    (customer, contact)
}

#[tokio::test]
async fn the_owner_reads_in_clear_a_teammate_reads_masked_and_reveal_is_refused_or_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let team = app.create_team("华东", None).await;
    // Sales read their team's customers but personal data only of their own.
    let (_, owner) = app.user("owner@example.com", "sales", &[&team]).await;
    let (_, teammate) = app.user("teammate@example.com", "sales", &[&team]).await;
    let (customer, contact) = person(&app, &owner).await;
    let customer_path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());
    let contact_path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());

    let own = app.get(&customer_path, &owner).await.expect(200).body;
    assert_eq!((own["phone"].as_str(), own["email"].as_str()), (Some("+8613812345678"), Some(EMAIL)));
    assert_eq!(own["masked"], json!([]));

    let theirs = app.get(&customer_path, &teammate).await.expect(200).body;
    assert_eq!(theirs["phone"], "138****5678");
    assert_eq!(theirs["email"], "z***@lianhua.cn");
    assert_eq!(theirs["address"], "上海市徐汇区****");
    assert_eq!(theirs["birthday"], Value::Null);
    assert_eq!(theirs["masked"], json!(["phone", "email", "address", "birthday"]));
    assert_eq!(theirs["name"], "张伟", "names are not masked");
    let their_contact = app.get(&contact_path, &teammate).await.expect(200).body;
    assert_eq!(their_contact["mobile"], "139****4321");
    assert_eq!(their_contact["wechat"], "w***8");
    assert_eq!(their_contact["masked"], json!(["mobile", "email", "wechat", "birthday"]));
    let list = app.get("/api/v1/customers", &teammate).await.expect(200).body;
    assert_eq!(list["data"][0]["phone"], "138****5678");

    // Reveal: refused without the right (and not audited), shown and audited with it.
    let refused = app.post(&format!("{customer_path}/reveal"), &teammate, json!({})).await.problem(403);
    assert!(!refused.to_string().contains(PHONE), "{refused}");
    app.post(&format!("{contact_path}/reveal"), &teammate, json!({})).await.problem(403);
    let revealed = app.post(&format!("{customer_path}/reveal"), &owner, json!({})).await.expect(200);
    assert_eq!(revealed.body["phone"], "+8613812345678");
    assert_eq!(revealed.body["birthday"], "1985-03-04");
    assert_eq!(revealed.body["masked"], json!([]));
    assert_eq!(revealed.header("etag").as_deref(), Some(format!("\"{}\"", customer["version"]).as_str()));
    let revealed_contact = app.post(&format!("{contact_path}/reveal"), &admin, json!({})).await.expect(200).body;
    assert_eq!(revealed_contact["wechat"], "wxid_lina88");
    // Outside the read scope it does not exist.
    let (_, stranger) = app.user("stranger@example.com", "sales", &[]).await;
    app.post(&format!("{customer_path}/reveal"), &stranger, json!({})).await.problem(404);

    let reveals = app.get("/api/v1/audit?action=reveal", &admin).await.expect(200).body;
    let entries = reveals["data"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{reveals}");
    let of_customer = entries.iter().find(|e| e["entity_type"] == "customer").unwrap();
    assert_eq!(of_customer["entity_id"], customer["id"]);
    assert_eq!(of_customer["changes"]["fields"], json!(["phone", "email", "address", "birthday"]));
    assert_eq!(of_customer["actor_name"], "owner");
    assert_eq!(of_customer["ip"], "127.0.0.1");
    let of_contact = entries.iter().find(|e| e["entity_type"] == "contact").unwrap();
    assert_eq!(of_contact["changes"]["fields"], json!(["mobile", "email", "wechat", "birthday"]));
    assert!(!reveals.to_string().contains("wxid_lina88"), "the audit entry names fields, never values");
}

#[tokio::test]
async fn without_personal_data_search_finds_whole_numbers_and_emails_and_exports_and_the_feed_are_masked() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, marketing) = app.user("marketing@example.com", "marketing", &[]).await;
    let (customer, _) = person(&app, &admin).await;

    let search = |q: &str| {
        let url = reqwest::Url::parse_with_params("http://127.0.0.1/api/v1/customers", &[("q", q)]).unwrap();
        format!("/api/v1/customers?{}", url.query().unwrap())
    };
    for whole in ["138 1234 5678", "+86 138-1234-5678", "Zhang.Wei@LianHua.cn", "139 8765 4321", "li.na@lianhua.cn"] {
        let found = app.get(&search(whole), &marketing).await.expect(200).body;
        assert_eq!(found["data"].as_array().unwrap().len(), 1, "{whole}");
        assert_eq!(found["data"][0]["id"], customer["id"]);
        assert_eq!(found["data"][0]["phone"], "138****5678", "found, still masked");
    }
    for fragment in ["1381234", "5678", "zhang.wei", "lianhua.cn", "8765 4321"] {
        let found = app.get(&search(fragment), &marketing).await.expect(200).body;
        assert_eq!(found["data"], json!([]), "{fragment}");
    }
    let contacts = app.get("/api/v1/contacts?q=13987654321", &marketing).await.expect(200).body;
    assert_eq!(contacts["data"][0]["mobile"], "139****4321");

    let clear_values = [PHONE, EMAIL, "漕溪北路", "1985-03-04", "13987654321", "li.na@", "wxid_lina88", "1987-06-07"];
    for path in [
        "/api/v1/customers/export?format=csv",
        "/api/v1/customers/export?format=ndjson",
        "/api/v1/contacts/export?format=csv",
        "/api/v1/events?after=0&limit=200",
    ] {
        let reply = app.get(path, &marketing).await.expect(200);
        assert!(reply.text.contains(&customer["id"].as_str().unwrap()[..8]) || path.contains("contacts"), "{path}: {}", reply.text);
        for value in clear_values {
            assert!(!reply.text.contains(value), "{path} showed {value}: {}", reply.text);
        }
    }
    let csv = app.get("/api/v1/customers/export?format=csv", &marketing).await.text;
    assert!(csv.contains("138****5678"), "{csv}");
    // The same reads in clear for the administrator.
    let csv = app.get("/api/v1/customers/export?format=csv", &admin).await.text;
    assert!(csv.contains("+8613812345678") && csv.contains(EMAIL), "{csv}");
    let feed = app.get("/api/v1/events?after=0&limit=200&types=contact.created", &admin).await.expect(200).body;
    assert_eq!(feed["data"][0]["payload"]["record"]["wechat"], "wxid_lina88");
    assert_eq!(feed["data"][0]["payload"]["record"]["masked"], json!([]));
}

#[tokio::test]
async fn an_update_tells_masked_changes_to_those_without_the_right() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, viewer) = app.user("viewer@example.com", "viewer", &[]).await;
    let (customer, _) = person(&app, &admin).await;
    let path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());
    app.patch(&path, &admin, json!({ "phone": "13900001111" }), None).await.expect(200);

    let updated = app.get("/api/v1/events?after=0&limit=200&types=customer.updated", &viewer).await.expect(200).body;
    let event = &updated["data"][0]["payload"];
    assert_eq!(event["changed"]["phone"], json!(["138****5678", "139****1111"]), "{event}");
    assert_eq!(event["record"]["phone"], "139****1111");
    let clear = app.get("/api/v1/events?after=0&limit=200&types=customer.updated", &admin).await.expect(200).body;
    assert_eq!(clear["data"][0]["payload"]["changed"]["phone"], json!(["+8613812345678", "+8613900001111"]));
}

#[tokio::test]
async fn a_request_preferring_masked_values_gets_them_even_with_the_right_and_reveals_on_demand() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (customer, contact) = person(&app, &admin).await;
    let masked = [("Prefer", "personal-data=masked")];
    let customer_path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());

    let shown = app.send(reqwest::Method::GET, &customer_path, Some(&admin), None, &masked).await.expect(200).body;
    assert_eq!(shown["phone"], "138****5678");
    assert_eq!(shown["masked"], json!(["phone", "email", "address", "birthday"]));
    let list = app
        .send(reqwest::Method::GET, "/api/v1/contacts", Some(&admin), None, &[("Prefer", "respond-async, PERSONAL-DATA=masked")])
        .await
        .expect(200)
        .body;
    assert_eq!(list["data"][0]["id"], contact["id"]);
    assert_eq!(list["data"][0]["mobile"], "139****4321");
    let audit = app.send(reqwest::Method::GET, "/api/v1/audit?entity_type=customer", Some(&admin), None, &masked).await.expect(200).text;
    assert!(!audit.contains(PHONE) && !audit.contains(EMAIL), "{audit}");

    // The right to reveal is the pii scope, whatever was preferred; every reveal is audited.
    let revealed =
        app.send(reqwest::Method::POST, &format!("{customer_path}/reveal"), Some(&admin), Some(&json!({})), &masked).await.expect(200).body;
    assert_eq!(revealed["phone"], "+8613812345678");
    let reveals = app.get("/api/v1/audit?action=reveal", &admin).await.expect(200).body;
    assert_eq!(reveals["data"].as_array().unwrap().len(), 1);
    // Without the preference the administrator reads in clear, as integrations do.
    assert_eq!(app.get(&customer_path, &admin).await.expect(200).body["phone"], "+8613812345678");
}

#[tokio::test]
async fn a_subject_export_holds_clear_values_and_so_takes_the_pii_right_too() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (customer, _) = person(&app, &admin).await;
    let all = json!({ "read": "all", "create": "all", "update": "all", "delete": "all", "export": "all" });
    let matrix = json!({ "customers": all, "contacts": all, "privacy": all });
    app.post("/api/v1/roles", &admin, json!({ "key": "requests_desk", "name": "Requests desk", "description": "", "permissions": matrix }))
        .await
        .expect(201);
    let (_, desk) = app.user("desk@example.com", "requests_desk", &[]).await;
    let path = format!("/api/v1/privacy/subjects/customer/{}/export", customer["id"].as_str().unwrap());
    let refused = app.get(&path, &desk).await.problem(403);
    assert!(!refused.to_string().contains(PHONE));
    let document = app.get(&path, &admin).await.expect(200).text;
    assert!(document.contains("+8613812345678"), "the administrator's export is in clear");
}

#[tokio::test]
async fn an_idempotent_create_answers_the_owner_in_clear_and_portal_emails_are_found_only_whole() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, sales) = app.user("owner@example.com", "sales", &[]).await;
    // The write is held until the answer is stored: the owner's scope must see it through it.
    let body = json!({ "kind": "company", "name": "幂等客户", "phone": PHONE });
    let created = app.send(reqwest::Method::POST, "/api/v1/customers", Some(&sales), Some(&body), &[("Idempotency-Key", "create-1")]).await;
    let created = created.expect(201).body;
    assert_eq!(created["phone"], "+8613812345678", "{created}");
    assert_eq!(created["masked"], json!([]));

    let (_, contact) = person(&app, &admin).await;
    app.post("/api/v1/portal-accounts", &admin, json!({ "contact_id": contact["id"] })).await.expect(201);
    let (_, viewer) = app.user("viewer@example.com", "viewer", &[]).await;
    for fragment in ["li", "li.na", "lianhua", "lianhua.cn"] {
        let found = app.get(&format!("/api/v1/portal-accounts?q={fragment}"), &viewer).await.expect(200).body;
        assert_eq!(found["data"], json!([]), "{fragment}");
    }
    let found = app.get("/api/v1/portal-accounts?q=Li.Na@lianhua.cn", &viewer).await.expect(200).body;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["email"], "l***@lianhua.cn");
}
