use serde_json::{Value, json};

use crm_tests::TestApp;

#[tokio::test]
async fn contacts_are_created_listed_changed_deleted_and_restored() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Contact Co" })).await;
    let customer_id = customer["id"].as_str().unwrap();
    let list = format!("/api/v1/customers/{customer_id}/contacts");
    let first = app
        .post(
            &list,
            &admin,
            json!({ "name": "王伟", "title": "采购经理", "mobile": "139 1234 5678", "email": "Wang@Example.cn", "is_primary": true }),
        )
        .await
        .expect(201);
    assert_eq!(first.header("location").unwrap(), format!("/api/v1/contacts/{}", first.id()));
    assert_eq!(first.body["mobile"], "+8613912345678");
    assert_eq!(first.body["email"], "wang@example.cn");
    let second = app.post(&list, &admin, json!({ "name": "李娜", "is_primary": true })).await.expect(201);
    // Only one primary contact per customer.
    assert_eq!(app.get(&format!("/api/v1/contacts/{}", first.id()), &admin).await.body["is_primary"], false);
    let page = app.get(&list, &admin).await.expect(200).body;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    // Customers are found by their contacts' names and numbers.
    let found = app.get("/api/v1/customers?q=%E7%8E%8B%E4%BC%9F", &admin).await.body;
    assert_eq!(found["data"][0]["id"], customer_id);
    let found = app.get("/api/v1/customers?q=13912345678", &admin).await.body;
    assert_eq!(found["data"][0]["id"], customer_id);

    let path = format!("/api/v1/contacts/{}", second.id());
    let changed = app.patch(&path, &admin, json!({ "title": "总经理", "wechat": "lina_wx" }), Some("\"1\"")).await.expect(200);
    assert_eq!(changed.body["title"], "总经理");
    app.patch(&path, &admin, json!({ "title": null }), Some("\"1\"")).await.problem(412);
    assert_eq!(app.patch(&path, &admin, json!({ "title": null }), Some("\"2\"")).await.expect(200).body["title"], Value::Null);

    app.delete(&path, &admin).await.expect(204);
    app.get(&path, &admin).await.problem(404);
    assert_eq!(app.get(&list, &admin).await.body["data"].as_array().unwrap().len(), 1);
    let bin = app.get("/api/v1/contacts/recycle-bin", &admin).await.expect(200).body;
    assert_eq!(bin["data"][0]["id"], second.id());
    app.post(&format!("{path}/restore"), &admin, json!({})).await.expect(200);
    assert_eq!(app.get(&list, &admin).await.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(app.count("events", Some(("event_type", "contact.created"))).await, 2);
    assert_eq!(app.count("audit_log", Some(("entity_type", "contact"))).await, 6);
}

#[tokio::test]
async fn invalid_contacts_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Co" })).await;
    let list = format!("/api/v1/customers/{}/contacts", customer["id"].as_str().unwrap());
    let mut fields =
        app.post(&list, &admin, json!({ "name": "", "mobile": "12", "email": "x@", "birthday": "1990-02-30" })).await.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["birthday", "email", "mobile", "name"]);
    app.post(&format!("/api/v1/customers/{}/contacts", uuid::Uuid::now_v7()), &admin, json!({ "name": "x" })).await.problem(404);
}

#[tokio::test]
async fn a_deleted_customers_contacts_are_out_of_reach() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = app.customer(&admin, json!({ "kind": "company", "name": "Gone" })).await;
    let id = customer["id"].as_str().unwrap();
    let contact = app.post(&format!("/api/v1/customers/{id}/contacts"), &admin, json!({ "name": "x" })).await.expect(201).id();
    app.delete(&format!("/api/v1/customers/{id}"), &admin).await.expect(204);
    app.get(&format!("/api/v1/contacts/{contact}"), &admin).await.problem(404);
    app.post(&format!("/api/v1/customers/{id}/restore"), &admin, json!({})).await.expect(200);
    app.get(&format!("/api/v1/contacts/{contact}"), &admin).await.expect(200);
}
