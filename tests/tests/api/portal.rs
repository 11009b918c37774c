//! The customer portal: invitations and sign-in, what a customer sees, and that a portal token
//! reaches nothing else.

use reqwest::Method;
use serde_json::{Value, json};

use crm_tests::TestApp;

const PORTAL_PASSWORD: &str = "portal-password-1";

struct Company {
    customer_id: String,
    contacts: Vec<String>,
}

async fn company(app: &TestApp, token: &str, name: &str, people: &[(&str, &str)]) -> Company {
    let customer = app.customer(token, json!({ "kind": "company", "name": name })).await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let mut contacts = Vec::new();
    for (person, email) in people {
        let contact = app
            .post(&format!("/api/v1/customers/{customer_id}/contacts"), token, json!({ "name": person, "email": email }))
            .await
            .expect(201);
        contacts.push(contact.id());
    }
    Company { customer_id, contacts }
}

/// Creates a portal account for a contact, accepts its invitation and returns the portal token.
pub(crate) async fn portal_user(app: &TestApp, staff: &str, contact_id: &str, company_wide: bool) -> (String, String) {
    let invited = app
        .post("/api/v1/portal-accounts", staff, json!({ "contact_id": contact_id, "sees_company_tickets": company_wide }))
        .await
        .expect(201)
        .body;
    let token = invited["invitation_token"].as_str().unwrap();
    let session = app
        .send(
            Method::POST,
            "/api/v1/portal/auth/accept-invitation",
            None,
            Some(&json!({ "token": token, "password": PORTAL_PASSWORD })),
            &[],
        )
        .await
        .expect(200)
        .body;
    (invited["account"]["id"].as_str().unwrap().to_owned(), session["access_token"].as_str().unwrap().to_owned())
}

async fn portal_login(app: &TestApp, email: &str, password: &str) -> crm_tests::Reply {
    app.send(Method::POST, "/api/v1/portal/auth/login", None, Some(&json!({ "email": email, "password": password })), &[]).await
}

#[tokio::test]
async fn staff_invite_contacts_who_set_a_password_and_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let acme = company(&app, &admin, "上海顶点", &[("王敏", "wang@acme.cn"), ("李雷", "")]).await;
    let invited = app.post("/api/v1/portal-accounts", &admin, json!({ "contact_id": acme.contacts[0] })).await.expect(201).body;
    assert_eq!((invited["account"]["email"].clone(), invited["account"]["activated"].clone()), (json!("wang@acme.cn"), json!(false)));
    assert!(invited["invitation_path"].as_str().unwrap().starts_with("/portal/accept?token=inv_"));
    let taken = app.post("/api/v1/portal-accounts", &admin, json!({ "contact_id": acme.contacts[0] })).await.problem(409);
    assert_eq!(
        (taken["code"].clone(), taken["existing_id"].clone()),
        (json!("portal_account.contact_taken"), invited["account"]["id"].clone())
    );
    assert_eq!(app.post("/api/v1/portal-accounts", &admin, json!({ "contact_id": acme.contacts[1] })).await.invalid_fields(), ["email"]);
    assert_eq!(
        app.post("/api/v1/portal-accounts", &admin, json!({ "contact_id": acme.contacts[1], "email": "wang@acme.cn" }))
            .await
            .invalid_fields(),
        ["email"],
        "one sign-in per email"
    );
    // Not activated yet: nobody signs in, not even with an empty password.
    portal_login(&app, "wang@acme.cn", "anything").await.problem(401);
    let token = invited["invitation_token"].as_str().unwrap();
    let accept = |password: &str| json!({ "token": token, "password": password });
    app.send(Method::POST, "/api/v1/portal/auth/accept-invitation", None, Some(&accept("short")), &[]).await.problem(422);
    let session =
        app.send(Method::POST, "/api/v1/portal/auth/accept-invitation", None, Some(&accept(PORTAL_PASSWORD)), &[]).await.expect(200).body;
    assert_eq!(session["me"]["name"], "王敏");
    let spent =
        app.send(Method::POST, "/api/v1/portal/auth/accept-invitation", None, Some(&accept(PORTAL_PASSWORD)), &[]).await.problem(401);
    assert_eq!(spent["code"], "portal.invitation_invalid");
    let portal = session["access_token"].as_str().unwrap().to_owned();
    app.get("/api/v1/portal/me", &portal).await.expect(200);
    assert_eq!(portal_login(&app, "wang@acme.cn", "wrong-password").await.problem(401)["code"], "auth.invalid_credentials");
    let signed_in = portal_login(&app, "WANG@acme.cn", PORTAL_PASSWORD).await.expect(200).body;
    let second = signed_in["access_token"].as_str().unwrap().to_owned();
    // Signing out ends that session only; deactivation ends all of them.
    app.send(Method::POST, "/api/v1/portal/auth/logout", Some(&second), None, &[]).await.expect(204);
    app.get("/api/v1/portal/me", &second).await.problem(401);
    app.get("/api/v1/portal/me", &portal).await.expect(200);
    let account = format!("/api/v1/portal-accounts/{}", invited["account"]["id"].as_str().unwrap());
    assert_eq!(app.get(&account, &admin).await.body["activated"], true);
    app.patch(&account, &admin, json!({ "active": false }), Some("\"2\"")).await.expect(200);
    app.get("/api/v1/portal/me", &portal).await.problem(401);
    portal_login(&app, "wang@acme.cn", PORTAL_PASSWORD).await.problem(401);
    assert_eq!(app.post(&format!("{account}/invitation"), &admin, json!({})).await.problem(409)["code"], "portal_account.inactive");
    app.patch(&account, &admin, json!({ "active": true }), None).await.expect(200);
    let again = app.post(&format!("{account}/invitation"), &admin, json!({})).await.expect(200).body;
    assert_ne!(again["invitation_token"], invited["invitation_token"]);
    let listed = app.get(&format!("/api/v1/portal-accounts?customer_id={}&include_total=true", acme.customer_id), &admin).await.body;
    assert_eq!(listed["total"], 1);
    // Sales staff outside the customer's team cannot manage its accounts.
    let (_, outsider) = app.user("x@example.com", "sales", &[]).await;
    app.get(&account, &outsider).await.problem(404);
    assert_eq!(app.count("events", Some(("event_type", "portal_account.created"))).await, 1);
}

#[tokio::test]
async fn customers_see_their_own_or_their_companys_tickets_and_only_public_replies() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let team = app.create_team("客服一组", None).await;
    let (agent_a, agent_token) = app.user("agent-a@example.com", "support", &[&team]).await;
    let (agent_b, _) = app.user("agent-b@example.com", "support", &[&team]).await;
    app.send(Method::PUT, "/api/v1/settings/service", Some(&agent_token), Some(&json!({ "default_team_id": team })), &[])
        .await
        .problem(403);
    app.send(Method::PUT, "/api/v1/settings/service", Some(&admin), Some(&json!({ "default_team_id": uuid::Uuid::now_v7() })), &[])
        .await
        .problem(422);
    app.send(Method::PUT, "/api/v1/settings/service", Some(&admin), Some(&json!({ "default_team_id": team })), &[]).await.expect(200);
    let acme = company(&app, &admin, "上海顶点", &[("王敏", "wang@acme.cn"), ("李雷", "li@acme.cn")]).await;
    let other = company(&app, &admin, "北京远景", &[("赵强", "zhao@far.cn")]).await;
    let (_, wang) = portal_user(&app, &admin, &acme.contacts[0], false).await;
    let (li_account, li) = portal_user(&app, &admin, &acme.contacts[1], true).await;
    let (_, zhao) = portal_user(&app, &admin, &other.contacts[0], false).await;

    // A ticket opened in the portal goes to the default team's agents in turn.
    let opened =
        app.post("/api/v1/portal/tickets", &wang, json!({ "subject": "打印机卡纸", "description": "型号 X100" })).await.expect(201).body;
    assert!(opened.get("sla_policy_id").is_none() && opened.get("assignee_id").is_none(), "no internal fields: {opened}");
    let second = app.post("/api/v1/portal/tickets", &li, json!({ "subject": "发票抬头", "priority": "high" })).await.expect(201).body;
    app.post("/api/v1/portal/tickets", &li, json!({ "subject": "", "priority": "now" })).await.problem(422);
    let staff_view = app.get(&format!("/api/v1/tickets/{}", opened["id"].as_str().unwrap()), &admin).await.expect(200).body;
    let staff_second = app.get(&format!("/api/v1/tickets/{}", second["id"].as_str().unwrap()), &admin).await.body;
    assert_eq!((staff_view["channel"].clone(), staff_view["contact_id"].clone()), (json!("portal"), json!(acme.contacts[0])));
    let mut agents = [agent_a.clone(), agent_b.clone()];
    agents.sort();
    assert_eq!(
        [staff_view["assignee_id"].as_str().unwrap(), staff_second["assignee_id"].as_str().unwrap()],
        [agents[0].as_str(), agents[1].as_str()]
    );

    // Wang sees only his own; Li sees the company's; Zhao sees none of them.
    let count = |page: &Value| page["data"].as_array().unwrap().len();
    assert_eq!(count(&app.get("/api/v1/portal/tickets", &wang).await.expect(200).body), 1);
    assert_eq!(count(&app.get("/api/v1/portal/tickets", &li).await.body), 2);
    assert_eq!(count(&app.get("/api/v1/portal/tickets", &zhao).await.body), 0);
    let li_ticket = format!("/api/v1/portal/tickets/{}", second["id"].as_str().unwrap());
    app.get(&li_ticket, &wang).await.problem(404);
    app.get(&li_ticket, &zhao).await.problem(404);
    app.post(&format!("{li_ticket}/comments"), &zhao, json!({ "body": "hi" })).await.problem(404);

    // Internal notes stay internal; a staff reply is seen; the customer's answer resumes the clock.
    let staff_path = format!("/api/v1/tickets/{}", opened["id"].as_str().unwrap());
    app.post(&format!("{staff_path}/comments"), &admin, json!({ "body": "客户是 VIP", "public": false })).await.expect(201);
    app.post(&format!("{staff_path}/comments"), &admin, json!({ "body": "请提供序列号", "public": true })).await.expect(201);
    app.post(&format!("{staff_path}/status"), &admin, json!({ "status": "waiting_customer" })).await.expect(200);
    let wang_ticket = format!("/api/v1/portal/tickets/{}", opened["id"].as_str().unwrap());
    let conversation = app.get(&format!("{wang_ticket}/comments"), &wang).await.expect(200).body;
    let bodies: Vec<&str> = conversation["data"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["请提供序列号"]);
    let reply = app.post(&format!("{wang_ticket}/comments"), &wang, json!({ "body": "序列号 SN123" })).await.expect(201).body;
    assert_eq!((reply["from_customer"].clone(), reply["author_name"].clone()), (json!(true), json!("王敏")));
    assert_eq!(app.get(&staff_path, &admin).await.body["status"], "in_progress", "the customer's reply resumes the ticket");
    let staff_conversation = app.get(&format!("{staff_path}/comments"), &admin).await.body;
    assert_eq!(staff_conversation["data"].as_array().unwrap().len(), 3);
    // Li (company-wide) also sees Wang's ticket and its public conversation.
    assert_eq!(count(&app.get(&format!("{wang_ticket}/comments"), &li).await.expect(200).body), 2);

    // Rating comes after resolution.
    app.post(&format!("{wang_ticket}/rating"), &wang, json!({ "rating": 5 })).await.problem(409);
    app.post(&format!("{staff_path}/status"), &admin, json!({ "status": "resolved" })).await.expect(200);
    app.post(&format!("{wang_ticket}/rating"), &wang, json!({ "rating": 0 })).await.problem(422);
    let rated = app.post(&format!("{wang_ticket}/rating"), &wang, json!({ "rating": 5, "comment": "很快" })).await.expect(200).body;
    assert_eq!(rated["satisfaction_rating"], 5);
    assert_eq!(app.get(&staff_path, &admin).await.body["satisfaction_rating"], 5);
    app.post(&format!("{staff_path}/status"), &admin, json!({ "status": "closed" })).await.expect(200);
    let closed = app.post(&format!("{wang_ticket}/comments"), &wang, json!({ "body": "再问一下" })).await.problem(409);
    assert_eq!(closed["code"], "ticket.closed");

    // The audit log names the portal account; the events carry the usual names.
    let audit = app.get(&format!("/api/v1/audit?entity_id={}", second["id"].as_str().unwrap()), &admin).await.expect(200).body;
    assert_eq!(audit["data"][0]["changes"]["portal_account_id"], li_account.as_str());
    assert_eq!(app.count("events", Some(("event_type", "ticket.created"))).await, 2);
    assert_eq!(app.count("events", Some(("event_type", "ticket.assigned"))).await, 2);
    // An idempotent retry of a portal ticket opens it once.
    let retry = [("Idempotency-Key", "portal-retry-1")];
    let body = json!({ "subject": "重试" });
    let first = app.send(Method::POST, "/api/v1/portal/tickets", Some(&zhao), Some(&body), &retry).await.expect(201).body;
    let again = app.send(Method::POST, "/api/v1/portal/tickets", Some(&zhao), Some(&body), &retry).await.expect(201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body["id"], first["id"]);
}

#[tokio::test]
async fn the_portal_shows_public_published_articles_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let acme = company(&app, &admin, "上海顶点", &[("王敏", "wang@acme.cn")]).await;
    let (_, wang) = portal_user(&app, &admin, &acme.contacts[0], false).await;
    let category = app.post("/api/v1/kb/categories", &admin, json!({ "name": "常见问题" })).await.expect(201).body;
    app.post("/api/v1/kb/categories", &admin, json!({ "name": "内部流程" })).await.expect(201);
    let article = |title: &str, visibility: &str, status: &str| json!({ "title": title, "body": format!("{title} 的解决办法"), "visibility": visibility, "status": status, "category_id": category["id"] });
    let public = app.post("/api/v1/kb/articles", &admin, article("打印机卡纸", "public", "published")).await.expect(201).body;
    let internal = app.post("/api/v1/kb/articles", &admin, article("打印机维修内部价格", "internal", "published")).await.expect(201).body;
    let draft = app.post("/api/v1/kb/articles", &admin, article("打印机新品草稿", "public", "draft")).await.expect(201).body;
    let found = app.get("/api/v1/portal/kb/articles?q=%E6%89%93%E5%8D%B0%E6%9C%BA", &wang).await.expect(200).body;
    let ids: Vec<&Value> = found["data"].as_array().unwrap().iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, [&public["id"]]);
    assert_eq!(found["data"][0]["owner_name"], Value::Null);
    // Asking for other statuses or visibilities changes nothing.
    let sneaky = app.get("/api/v1/portal/kb/articles?status=draft&visibility=internal", &wang).await.expect(200).body;
    assert_eq!(sneaky["data"].as_array().unwrap().len(), 1);
    // A reader keeping a copy asks for what changed since its last read, in the staff list's window.
    let since = |from: &str| format!("/api/v1/portal/kb/articles?updated_at_from={}", from.replace('+', "%2B").replace(':', "%3A"));
    let changed = app.get(&since(public["updated_at"].as_str().unwrap()), &wang).await.expect(200).body;
    assert_eq!(changed["data"][0]["id"], public["id"]);
    assert_eq!(app.get(&since("2199-01-01"), &wang).await.expect(200).body["data"], json!([]));
    app.get("/api/v1/portal/kb/articles?updated_at_to=soon", &wang).await.problem(400);
    let by_change = app.get("/api/v1/portal/kb/articles?sort=updated_at", &wang).await.expect(200).body;
    assert_eq!(by_change["data"].as_array().unwrap().len(), 1);
    for hidden in [&internal, &draft] {
        app.get(&format!("/api/v1/portal/kb/articles/{}", hidden["id"].as_str().unwrap()), &wang).await.problem(404);
        app.post(&format!("/api/v1/portal/kb/articles/{}/votes", hidden["id"].as_str().unwrap()), &wang, json!({ "helpful": true }))
            .await
            .problem(404);
    }
    let read =
        app.get(&format!("/api/v1/portal/kb/articles/{}?count_view=true", public["id"].as_str().unwrap()), &wang).await.expect(200).body;
    assert_eq!(read["view_count"], 1);
    let voted = app
        .post(&format!("/api/v1/portal/kb/articles/{}/votes", public["id"].as_str().unwrap()), &wang, json!({ "helpful": true }))
        .await
        .expect(200)
        .body;
    assert_eq!(voted["helpful_count"], 1);
    let categories = app.get("/api/v1/portal/kb/categories", &wang).await.expect(200).body;
    let names: Vec<&str> = categories["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["常见问题"], "empty or internal-only categories are not shown");
}

/// The portal token is refused by every other route, and staff tokens by the portal's.
#[tokio::test]
async fn a_portal_token_reaches_no_staff_route_and_a_staff_token_no_portal_route() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let acme = company(&app, &admin, "上海顶点", &[("王敏", "wang@acme.cn")]).await;
    let (account_id, portal) = portal_user(&app, &admin, &acme.contacts[0], true).await;
    let ticket = app.post("/api/v1/portal/tickets", &portal, json!({ "subject": "隔离测试" })).await.expect(201).body;
    let doc = crate::schema_values::document();
    // Ids a portal customer could plausibly know or guess: their own ticket, contact, customer, account.
    let known = [ticket["id"].as_str().unwrap(), acme.customer_id.as_str(), acme.contacts[0].as_str(), account_id.as_str()];
    let public_routes = [
        "/api/v1/auth/login",
        "/api/v1/auth/login/2fa",
        "/api/v1/auth/refresh",
        "/api/v1/portal/auth/login",
        "/api/v1/portal/auth/accept-invitation",
    ];
    let mut walked = 0;
    // Operations outside the API (health, readiness, metrics) need no token at all.
    for (path, item) in doc["paths"].as_object().unwrap().iter().filter(|(path, _)| path.starts_with("/api/v1/")) {
        let is_portal = path.starts_with("/api/v1/portal/");
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for id in known {
                let concrete = path.replace("{id}", id).replace("{stage_id}", id).replace("{article_id}", id).replace("{revision}", "1");
                let body = json!({});
                if public_routes.contains(&path.as_str()) {
                    let reply = app.send(method.clone(), &concrete, Some(&portal), Some(&body), &[]).await;
                    assert!(!reply.status.is_success(), "{method} {path} answered a portal token with {}", reply.status);
                    continue;
                }
                if is_portal {
                    let reply = app.send(method.clone(), &concrete, Some(&admin), Some(&body), &[]).await;
                    assert_eq!(reply.status.as_u16(), 401, "{method} {path} accepted a staff token: {}", reply.text);
                } else {
                    let reply = app.send(method.clone(), &concrete, Some(&portal), Some(&body), &[]).await;
                    assert!(
                        [401, 403, 404].contains(&reply.status.as_u16()),
                        "{method} {concrete} answered a portal token with {}: {}",
                        reply.status,
                        reply.text
                    );
                }
                walked += 1;
            }
        }
    }
    assert!(walked > 400, "walked {walked} requests");
    // Nothing the walk sent changed anything but the one ticket opened above.
    assert_eq!(app.count("tickets", None).await, 1);
}
