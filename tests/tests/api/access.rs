//! Access that outside testing found leaking: the change feed, the timeline, roles that could make
//! themselves administrators, knowledge-base publishing, and references to records out of reach.

use serde_json::{Value, json};

use crm_tests::TestApp;

use crate::sales::{default_pipeline, opportunity};

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

/// A customer of the east team with one record of every kind hanging off it.
pub(crate) struct EastRecords {
    pub customer: String,
    pub contact: String,
    pub opportunity: String,
    pub order: String,
    pub ticket: String,
    pub product: String,
}

/// Two teams with a sales user each, a marketing user, and the east team's records.
struct TwoTeams {
    admin: String,
    sales_east: String,
    sales_west: String,
    marketing: (String, String),
    records: EastRecords,
}

async fn two_teams(app: &TestApp) -> TwoTeams {
    let admin = app.admin().await;
    let east = app.create_team("East", None).await;
    let west = app.create_team("West", None).await;
    let (_, sales_east) = app.user("east@example.com", "sales", &[&east]).await;
    let (_, sales_west) = app.user("west@example.com", "sales", &[&west]).await;
    let marketing = app.user("marketing@example.com", "marketing", &[]).await;
    default_pipeline(app, &admin).await;
    let records = east_records(app, &admin, &sales_east).await;
    TwoTeams { admin, sales_east, sales_west, marketing, records }
}

pub(crate) async fn east_records(app: &TestApp, admin: &str, owner_token: &str) -> EastRecords {
    let customer = id(&app.customer(owner_token, json!({ "kind": "company", "name": "东区客户" })).await);
    let contact = app
        .post(&format!("/api/v1/customers/{customer}/contacts"), owner_token, json!({ "name": "王东", "email": "wang@east.cn" }))
        .await
        .expect(201)
        .id();
    let opportunity = id(&opportunity(app, owner_token, &customer, "东区商机", 100_000).await);
    let product = app
        .post("/api/v1/products", admin, json!({ "sku": "EAST-1", "name": "东区产品", "unit_price": { "amount_minor": 5_000 } }))
        .await
        .expect(201)
        .id();
    let order = app
        .post("/api/v1/orders", owner_token, json!({ "customer_id": customer, "lines": [{ "product_id": product, "quantity": 1 }] }))
        .await
        .expect(201)
        .id();
    let ticket = app.post("/api/v1/tickets", admin, json!({ "customer_id": customer, "subject": "东区工单" })).await.expect(201).id();
    EastRecords { customer, contact, opportunity, order, ticket, product }
}

async fn all_events(app: &TestApp, token: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = app.get(&format!("/api/v1/events?after={after}&limit=200"), token).await.expect(200).body;
        let data = page["data"].as_array().unwrap().clone();
        let next = page["next_after"].as_i64().unwrap();
        if data.is_empty() {
            // A page that is not full moves the reader past what it may not read.
            assert!(next >= after);
            return events;
        }
        events.extend(data);
        after = next;
    }
}

fn entity_types(events: &[Value]) -> std::collections::BTreeSet<String> {
    events.iter().map(|e| e["entity_type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_change_feed_shows_each_kind_under_the_scope_of_its_own_list() {
    let app = TestApp::spawn().await;
    let TwoTeams { admin, sales_east, sales_west, marketing: (_, marketing), records } = two_teams(&app).await;
    let own_west = id(&app.customer(&sales_west, json!({ "kind": "company", "name": "西区客户" })).await);

    // Marketing may read customers, contacts and activities, but no order, ticket, user or deal.
    let seen = all_events(&app, &marketing).await;
    let kinds = entity_types(&seen);
    for forbidden in ["order", "ticket", "user", "opportunity", "product", "portal_account", "role", "team", "kb_article"] {
        if forbidden == "role" || forbidden == "team" {
            // Every business role reads the organisation's teams and roles.
            continue;
        }
        assert!(!kinds.contains(forbidden), "marketing read {forbidden} events: {kinds:?}");
    }
    assert!(kinds.contains("customer") && kinds.contains("contact"), "{kinds:?}");
    // An order's payload never reaches marketing in any form.
    assert!(!serde_json::to_string(&seen).unwrap().contains(&records.order));

    // A sales user of another team sees only the records they reach.
    let west_seen = all_events(&app, &sales_west).await;
    let west_ids: std::collections::BTreeSet<String> = west_seen.iter().map(|e| e["entity_id"].as_str().unwrap().to_owned()).collect();
    assert!(west_ids.contains(&own_west));
    for other in [&records.customer, &records.contact, &records.opportunity, &records.order, &records.ticket] {
        assert!(!west_ids.contains(other), "the west sales user read an east event");
    }
    assert!(!entity_types(&west_seen).contains("user"));

    // The owner's team reads them; the administrator reads everything.
    let east_seen = all_events(&app, &sales_east).await;
    let east_ids: Vec<&str> = east_seen.iter().map(|e| e["entity_id"].as_str().unwrap()).collect();
    assert!(east_ids.contains(&records.customer.as_str()) && east_ids.contains(&records.order.as_str()));
    let everything = all_events(&app, &admin).await;
    assert!(entity_types(&everything).contains("user") && entity_types(&everything).contains("ticket"));

    // next_after moves past events a reader may not see, so a quiet reader does not rescan them.
    let head = app.get("/api/v1/events?after=0&limit=200&types=order.created", &marketing).await.expect(200).body;
    assert!(head["data"].as_array().unwrap().is_empty());
    assert!(head["next_after"].as_i64().unwrap() > 0, "{head}");
}

#[tokio::test]
async fn the_timeline_shows_each_item_only_to_those_who_may_read_its_kind() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let east = app.create_team("East", None).await;
    let (_, sales_east) = app.user("east@example.com", "sales", &[&east]).await;
    let (_, marketing) = app.user("marketing@example.com", "marketing", &[]).await;
    let (_, support) = app.user("support@example.com", "support", &[]).await;
    default_pipeline(&app, &admin).await;
    let records = east_records(&app, &admin, &sales_east).await;
    let timeline = format!("/api/v1/customers/{}/timeline?limit=200", records.customer);
    let kinds = |body: &Value| -> std::collections::BTreeSet<String> {
        body["data"].as_array().unwrap().iter().map(|item| item["kind"].as_str().unwrap().to_owned()).collect()
    };

    let all = kinds(&app.get(&timeline, &admin).await.expect(200).body);
    for kind in ["ticket", "order", "opportunity", "contact"] {
        assert!(all.contains(kind), "the administrator misses {kind}: {all:?}");
    }
    let for_marketing = app.get(&timeline, &marketing).await.expect(200).body;
    let seen = kinds(&for_marketing);
    for kind in ["ticket", "order", "opportunity"] {
        assert!(!seen.contains(kind), "marketing reads {kind} items: {seen:?}");
    }
    assert!(seen.contains("contact"));
    let text = for_marketing.to_string();
    assert!(!text.contains(&records.order) && !text.contains(&records.ticket) && !text.contains(&records.opportunity));

    let for_support = kinds(&app.get(&timeline, &support).await.expect(200).body);
    assert!(for_support.contains("ticket"), "{for_support:?}");
    assert!(!for_support.contains("order") && !for_support.contains("opportunity"), "{for_support:?}");
}

#[tokio::test]
async fn roles_cannot_be_saved_with_own_or_team_scopes_on_users_roles_or_teams() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for (matrix, field) in [
        (json!({ "users": { "read": "own", "update": "own" } }), "permissions.users.update"),
        (json!({ "roles": { "update": "own" } }), "permissions.roles.update"),
        (json!({ "teams": { "update": "team" } }), "permissions.teams.update"),
    ] {
        let fields = app
            .post("/api/v1/roles", &admin, json!({ "key": "helpdesk", "name": "Helpdesk", "description": "", "permissions": matrix }))
            .await
            .invalid_fields();
        assert!(fields.contains(&field.to_owned()), "{fields:?}");
    }
    assert_eq!(app.count("roles", Some(("key", "helpdesk"))).await, 0);
}

#[tokio::test]
async fn only_administrators_grant_roles_set_passwords_move_teams_or_change_role_matrices() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // A custom role that may change every user (names, locales), but is not an administrator.
    let matrix = json!({ "users": { "read": "all", "create": "all", "update": "all" }, "roles": { "read": "all", "update": "all" }, "teams": { "read": "all", "update": "all" } });
    let role = app
        .post("/api/v1/roles", &admin, json!({ "key": "people", "name": "People", "description": "", "permissions": matrix }))
        .await
        .expect(201)
        .id();
    let parent = app.create_team("Region", None).await;
    let team = app.create_team("Branch", None).await;
    let people_body =
        json!({ "email": "hr@example.com", "display_name": "hr", "password": crm_tests::PASSWORD, "role_id": role, "team_ids": [] });
    let hr_id = app.post("/api/v1/users", &admin, people_body).await.expect(201).id();
    let hr = app.login("hr@example.com", crm_tests::PASSWORD).await.expect(200).body["access_token"].as_str().unwrap().to_owned();
    let (sales_id, _) = app.user("sales@example.com", "sales", &[&team]).await;
    let admin_role = app.role_id("admin").await;
    let (events_before, audit_before) = (app.count("events", None).await, app.count("audit_log", None).await);

    let user_path = |id: &str| format!("/api/v1/users/{id}");
    // Granting a role, to oneself or anyone, or setting someone's password or teams.
    // (Nobody changes their own role.)
    app.patch(&user_path(&hr_id), &hr, json!({ "role_id": admin_role }), None).await.problem(409);
    app.patch(&user_path(&sales_id), &hr, json!({ "role_id": admin_role }), None).await.problem(403);
    app.patch(&user_path(&sales_id), &hr, json!({ "password": "a-new-password-9" }), None).await.problem(403);
    app.patch(&user_path(&sales_id), &hr, json!({ "team_ids": [parent] }), None).await.problem(403);
    app.post(
        "/api/v1/users",
        &hr,
        json!({ "email": "x@example.com", "display_name": "x", "password": crm_tests::PASSWORD, "role_id": admin_role, "team_ids": [] }),
    )
    .await
    .problem(403);
    // Changing a role's matrix, its own included; moving a team under another.
    app.patch(
        &format!("/api/v1/roles/{role}"),
        &hr,
        json!({ "permissions": { "users": { "read": "all", "update": "all", "create": "all", "delete": "all" } } }),
        None,
    )
    .await
    .problem(403);
    app.patch(&format!("/api/v1/teams/{team}"), &hr, json!({ "parent_id": parent }), None).await.problem(403);
    // Changing an administrator's account in any way.
    let admin_id = app.get("/api/v1/auth/me", &admin).await.expect(200).body["id"].as_str().unwrap().to_owned();
    app.patch(&user_path(&admin_id), &hr, json!({ "display_name": "pwned" }), None).await.problem(403);
    assert_eq!((app.count("events", None).await, app.count("audit_log", None).await), (events_before, audit_before));

    // What the role does grant still works: renaming a non-administrator.
    app.patch(&user_path(&sales_id), &hr, json!({ "display_name": "销售小王" }), None).await.expect(200);
    // And the administrator does all of the above.
    app.patch(&format!("/api/v1/teams/{team}"), &admin, json!({ "parent_id": parent }), None).await.expect(200);
    app.patch(&user_path(&sales_id), &admin, json!({ "password": "a-new-password-9" }), None).await.expect(200);
}

#[tokio::test]
async fn publishing_what_customers_read_needs_curator_rights() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Sales", None).await;
    let (_, sales) = app.user("sales@example.com", "sales", &[&team]).await;
    let (_, support) = app.user("support@example.com", "support", &[]).await;
    let public = json!({ "title": "退货流程", "body": "七天无理由", "visibility": "public", "status": "published" });
    app.post("/api/v1/kb/articles", &sales, public.clone()).await.problem(403);
    // Sales staff still write internal notes and drafts.
    app.post("/api/v1/kb/articles", &sales, json!({ "title": "内部话术", "body": "…", "visibility": "internal", "status": "published" }))
        .await
        .expect(201);
    let draft = app
        .post("/api/v1/kb/articles", &sales, json!({ "title": "草稿", "body": "…", "visibility": "public", "status": "draft" }))
        .await
        .expect(201)
        .id();
    assert_eq!(app.count("kb_articles", Some(("status", "published"))).await, 1);
    // A curator publishes (and can take it down again).
    let published = app.post("/api/v1/kb/articles", &support, public).await.expect(201).id();
    app.patch(&format!("/api/v1/kb/articles/{published}"), &support, json!({ "status": "archived" }), None).await.expect(200);
    app.patch(&format!("/api/v1/kb/articles/{draft}"), &support, json!({ "status": "published" }), None).await.expect(200);
}

#[tokio::test]
async fn viewers_do_not_vote_and_staff_do_not_overwrite_a_customers_rating() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, viewer) = app.user("viewer@example.com", "viewer", &[]).await;
    let article = app
        .post("/api/v1/kb/articles", &admin, json!({ "title": "t", "body": "b", "visibility": "public", "status": "published" }))
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/kb/articles/{article}/votes"), &viewer, json!({ "helpful": true })).await.problem(403);
    assert_eq!(app.count("kb_article_votes", None).await, 0);
    app.post(&format!("/api/v1/kb/articles/{article}/votes"), &admin, json!({ "helpful": true })).await.expect(200);

    let customer = id(&app.customer(&admin, json!({ "kind": "company", "name": "评分客户" })).await);
    let ticket = app.post("/api/v1/tickets", &admin, json!({ "customer_id": customer, "subject": "s" })).await.expect(201).id();
    let path = format!("/api/v1/tickets/{ticket}");
    app.post(&format!("{path}/status"), &admin, json!({ "status": "in_progress" })).await.expect(200);
    app.post(&format!("{path}/status"), &admin, json!({ "status": "resolved" })).await.expect(200);
    app.post(&format!("{path}/rating"), &admin, json!({ "rating": 2 })).await.expect(200);
    app.post(&format!("{path}/rating"), &admin, json!({ "rating": 5 })).await.problem(409);
    assert_eq!(app.get(&path, &admin).await.expect(200).body["satisfaction_rating"], 2);
}

#[tokio::test]
async fn references_must_exist_be_in_scope_and_belong_to_the_same_customer() {
    let app = TestApp::spawn().await;
    let TwoTeams { admin, sales_west, marketing: (marketing_id, _), records, .. } = two_teams(&app).await;
    let west_customer = id(&app.customer(&sales_west, json!({ "kind": "company", "name": "西区客户" })).await);
    let west_deal = id(&opportunity(&app, &sales_west, &west_customer, "西区商机", 1).await);
    let missing = uuid::Uuid::now_v7().to_string();
    let interaction =
        |field: &str, value: &str| json!({ "customer_id": west_customer, "channel": "phone", "subject": "跟进", field: value });
    let before = app.count("interactions", None).await;

    // Another customer's contact, deal or ticket, and ids that do not exist: the same 422 each time.
    for (field, value) in [
        ("contact_id", &records.contact),
        ("opportunity_id", &records.opportunity),
        ("ticket_id", &records.ticket),
        ("opportunity_id", &missing),
        ("ticket_id", &missing),
        ("requirement_id", &missing),
    ] {
        let fields = app.post("/api/v1/interactions", &sales_west, interaction(field, value)).await.invalid_fields();
        assert_eq!(fields, [field.to_owned()], "{field} = {value}");
    }
    assert_eq!(app.count("interactions", None).await, before);
    app.post("/api/v1/interactions", &sales_west, interaction("opportunity_id", &west_deal)).await.expect(201);

    // A task related to a contact of another customer, or to nothing that exists.
    let task = |related_type: &str, related_id: &str| json!({ "title": "回访", "customer_id": west_customer, "related_type": related_type, "related_id": related_id });
    assert_eq!(app.post("/api/v1/tasks", &sales_west, task("contact", &records.contact)).await.invalid_fields(), ["related_id"]);
    assert_eq!(app.post("/api/v1/tasks", &sales_west, task("interaction", &missing)).await.invalid_fields(), ["related_id"]);

    // A ticket's contact must be its customer's; its assignee must be someone who works on tickets.
    let ticket = |extra: Value| {
        let mut body = json!({ "customer_id": west_customer, "subject": "报修" });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    assert_eq!(
        app.post("/api/v1/tickets", &admin, ticket(json!({ "contact_id": records.contact }))).await.invalid_fields(),
        ["contact_id"]
    );
    assert_eq!(app.post("/api/v1/tickets", &admin, ticket(json!({ "assignee_id": marketing_id }))).await.invalid_fields(), ["assignee_id"]);
    assert_eq!(
        app.post("/api/v1/tickets", &admin, ticket(json!({ "team_id": missing, "assignee_id": null }))).await.invalid_fields(),
        ["team_id"]
    );
}

#[tokio::test]
async fn reading_a_portal_article_counts_a_view_only_when_asked() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer = id(&app.customer(&admin, json!({ "kind": "company", "name": "门户客户" })).await);
    let contact = app
        .post(&format!("/api/v1/customers/{customer}/contacts"), &admin, json!({ "name": "王敏", "email": "wang@acme.cn" }))
        .await
        .expect(201)
        .id();
    let (_, portal) = crate::portal::portal_user(&app, &admin, &contact, false).await;
    let portal = portal.as_str();
    let article = app
        .post("/api/v1/kb/articles", &admin, json!({ "title": "t", "body": "b", "visibility": "public", "status": "published" }))
        .await
        .expect(201)
        .id();
    let path = format!("/api/v1/portal/kb/articles/{article}");
    for _ in 0..3 {
        app.get(&path, portal).await.expect(200);
    }
    assert_eq!(app.get(&path, portal).await.expect(200).body["view_count"], 0);
    assert_eq!(app.get(&format!("{path}?count_view=true"), portal).await.expect(200).body["view_count"], 1);
}
