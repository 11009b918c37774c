//! The staff access walk: every operation of the OpenAPI document, sent by every built-in role and
//! by a custom role with own/team scopes, all from a team that owns none of the records the paths
//! name. Two things are checked on every answer, whatever the operation:
//! - **exposure**: a successful body never carries the id of a record of a kind the role may not
//!   read, or one outside its scope (the feed and the timeline are operations like any other);
//! - **change**: every event the request wrote (each change writes one) is of a kind and action
//!   the role's matrix grants, and touches another team's record only with an `all` scope.
//!
//! - **personal data**: a role whose `pii` scope does not reach the east team never reads one of
//!   the east customer's or contact's personal values in clear (phones, emails, WeChat id,
//!   address, birthday, identity document and bank account numbers), in any answer: records, lists, exports, the feed, the audit log.
//!
//! A new operation is walked without being listed anywhere; a new kind of record must be added
//! to [`resource_of`] or the walk fails, so the class of leak cannot come back unnoticed.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crm_domain::identity::{Action, Permissions, Resource, Scope};
use crm_tests::TestApp;

use crate::sales::default_pipeline;
use crate::schema_values::Schemas;

/// The permission resource each kind of record (an event's `entity_type`) is governed by.
fn resource_of(kind: &str) -> Resource {
    match kind {
        "customer" => Resource::Customers,
        "contact" => Resource::Contacts,
        "interaction" | "task" | "follow_up_rule" => Resource::Activities,
        "opportunity" | "order" | "product" | "pipeline" => Resource::Sales,
        "ticket" | "kb_article" | "kb_category" | "sla_policy" | "portal_account" => Resource::Service,
        "requirement" | "requirement_requester" => Resource::Requirements,
        "user" | "settings" => Resource::Users,
        "team" => Resource::Teams,
        "role" => Resource::Roles,
        // Consents are given and withdrawn as a change of the person: a contact's through the
        // contacts permission (which every role that changes customers also has).
        "consent" => Resource::Contacts,
        "privacy_request" => Resource::Privacy,
        other => panic!("the walk does not know which resource governs `{other}` records: add it to resource_of"),
    }
}

fn action_of(event_type: &str) -> Action {
    match event_type.rsplit('.').next().unwrap_or_default() {
        "created" => Action::Create,
        "deleted" | "restored" => Action::Delete,
        _ => Action::Update,
    }
}

/// The records of the east team, by kind, which no walking role belongs to.
struct East {
    ids: BTreeMap<&'static str, String>,
}

impl East {
    fn get(&self, kind: &str) -> &str {
        &self.ids[kind]
    }

    /// The id the path's `{id}` names: the east record the path is about.
    fn id_for(&self, path: &str) -> String {
        let prefix = path.trim_start_matches("/api/v1/").split('/').next().unwrap_or_default();
        let kind = match prefix {
            "customers" => "customer",
            "contacts" => "contact",
            "interactions" => "interaction",
            "tasks" => "task",
            "opportunities" => "opportunity",
            "orders" => "order",
            "tickets" => "ticket",
            "requirements" => "requirement",
            "portal-accounts" => "portal_account",
            "users" => "user",
            "teams" => "team",
            "kb" => "kb_article",
            "pipelines" => "pipeline",
            "products" => "product",
            _ => return uuid::Uuid::now_v7().to_string(),
        };
        self.ids.get(kind).cloned().unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
    }
}

async fn east_world(app: &TestApp, admin: &str) -> East {
    let east = app.create_team("East", None).await;
    let (user, sales) = app.user("east@example.com", "sales", &[&east]).await;
    let pipeline = default_pipeline(app, admin).await;
    let records = crate::access::east_records(app, admin, &sales).await;
    let customer = records.customer.clone();
    let contact = records.contact.clone();
    let interaction = app
        .post("/api/v1/interactions", &sales, json!({ "customer_id": customer, "channel": "phone", "subject": "东区通话" }))
        .await
        .expect(201)
        .id();
    let task = app.post("/api/v1/tasks", &sales, json!({ "title": "东区任务", "customer_id": customer })).await.expect(201).id();
    let requirement = app
        .post("/api/v1/requirements", &sales, json!({ "title": "东区需求", "origin": { "customer_id": customer } }))
        .await
        .expect(201)
        .id();
    let portal_account =
        app.post("/api/v1/portal-accounts", admin, json!({ "contact_id": contact })).await.expect(201).body["account"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let article = app
        .post("/api/v1/kb/articles", admin, json!({ "title": "内部文章", "body": "b", "visibility": "internal", "status": "draft" }))
        .await
        .expect(201)
        .id();
    app.patch(
        &format!("/api/v1/customers/{customer}"),
        admin,
        json!({
            "phone": "021-6888 1234", "email": "east.boss@east-corp.cn", "address": "上海市浦东新区世纪大道 1 号东方大厦",
            "bank_name": "浦发银行", "bank_account": "6222 0000 1234 5678",
        }),
        None,
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/contacts/{contact}"),
        admin,
        json!({
            "mobile": "139 0000 1111", "phone": "021-6888 2222", "wechat": "wxid_east_li", "birthday": "1988-08-08",
            "id_type": "passport", "id_number": "EA1234567", "bank_account": "6217 0000 5555 6666",
        }),
        None,
    )
    .await
    .expect(200);
    let ids = BTreeMap::from([
        ("customer", customer),
        ("contact", contact),
        ("interaction", interaction),
        ("task", task),
        ("opportunity", records.opportunity),
        ("order", records.order),
        ("ticket", records.ticket),
        ("requirement", requirement),
        ("portal_account", portal_account),
        ("user", user),
        ("team", east),
        ("pipeline", pipeline["id"].as_str().unwrap().to_owned()),
        ("product", records.product),
        ("kb_article", article),
    ]);
    East { ids }
}

/// The east records' personal values, in every form an answer could carry them: none may reach
/// a role whose `pii` scope does not reach the east team. (`wang@east.cn` is the contact's email.)
const EAST_PERSONAL_VALUES: [&str; 14] = [
    "+862168881234",
    "68881234",
    "east.boss@east-corp.cn",
    "世纪大道",
    "+8613900001111",
    "13900001111",
    "+862168882222",
    "68882222",
    "wxid_east_li",
    "1988-08-08",
    "wang@east.cn",
    "6222000012345678",
    "EA1234567",
    "6217000055556666",
];

/// Whether the role reaches a record of the east team through `resource`, `action`: only an
/// `all` scope does, since every walking user sits in another team.
fn reaches_east(permissions: &Permissions, resource: Resource, action: Action) -> bool {
    permissions.scope(resource, action) == Scope::All
}

/// The records whose ids a role must never see: of kinds owned per team, which it does not read
/// with an `all` scope.
fn hidden_ids<'a>(east: &'a East, permissions: &Permissions) -> Vec<(&'static str, &'a str)> {
    ["customer", "contact", "interaction", "task", "opportunity", "order", "ticket", "requirement", "portal_account"]
        .into_iter()
        .filter(|kind| !reaches_east(permissions, resource_of(kind), Action::Read))
        .map(|kind| (kind, east.get(kind)))
        .collect()
}

fn body_for(schemas: &Schemas, operation: &Value, method: &Method, east: &East) -> Option<Value> {
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    if schema.is_null() {
        return if *method == Method::POST { Some(json!({})) } else { None };
    }
    // Fields that name a record name the east team's record of that kind.
    let uuid_for = |field: &str| east.ids.get(field.trim_end_matches("_id")).cloned().unwrap_or_else(|| east.get("customer").to_owned());
    let mut body = schemas.sample(schema, "", 0, &uuid_for);
    if *method == Method::PATCH
        && let (Some(object), Some(properties)) = (body.as_object_mut(), schemas.resolve(schema)["properties"].as_object())
    {
        // An edit of the most ordinary field, so that a PATCH is a real change.
        for name in ["name", "title", "subject", "display_name", "description"] {
            if properties.contains_key(name) {
                object.insert(name.into(), json!("walk"));
                break;
            }
        }
    }
    Some(body)
}

async fn feed_head(app: &TestApp, admin: &str) -> i64 {
    let head = app.get("/api/v1/events?after=0&limit=1", admin).await.expect(200);
    let mut after = 0;
    let mut next = head.body["next_after"].as_i64().unwrap();
    while next != after {
        after = next;
        next = app.get(&format!("/api/v1/events?after={after}&limit=200"), admin).await.expect(200).body["next_after"].as_i64().unwrap();
    }
    after
}

async fn events_after(app: &TestApp, admin: &str, after: i64) -> (Vec<Value>, i64) {
    let page = app.get(&format!("/api/v1/events?after={after}&limit=200"), admin).await.expect(200).body;
    (page["data"].as_array().unwrap().clone(), page["next_after"].as_i64().unwrap())
}

#[tokio::test]
async fn no_role_reads_or_changes_what_its_matrix_does_not_grant_on_any_operation() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let east = east_world(&app, &admin).await;
    let west = app.create_team("West", None).await;
    let doc = crate::schema_values::document();
    let schemas = Schemas { doc: &doc };

    // A custom role: the team's records readable, only one's own changeable, no administration.
    let own = json!({ "read": "team", "create": "own", "update": "own", "delete": "own", "export": "own" });
    let matrix = json!({ "customers": own, "contacts": own, "activities": own, "sales": own, "service": own, "requirements": own,
        "marketing": own, "analytics": own, "teams": { "read": "all" }, "roles": { "read": "all" } });
    app.post("/api/v1/roles", &admin, json!({ "key": "team_desk", "name": "Team desk", "description": "", "permissions": matrix }))
        .await
        .expect(201);

    // Another custom role: reads and changes every business record and reads the audit log, but
    // has no `pii` right at all. Like the integration it writes across teams, so it walks last;
    // the feed and the audit log still hold the east records' values as they were.
    let all = json!({ "read": "all", "create": "all", "update": "all", "delete": "all", "export": "all" });
    let matrix = json!({ "customers": all, "contacts": all, "activities": all, "sales": all, "service": all, "requirements": all,
        "marketing": all, "analytics": all, "teams": { "read": "all" }, "roles": { "read": "all" }, "users": { "read": "all" },
        "audit": { "read": "all", "export": "all" } });
    app.post(
        "/api/v1/roles",
        &admin,
        json!({ "key": "desk_without_pii", "name": "Desk without personal data", "description": "", "permissions": matrix }),
    )
    .await
    .expect(201);

    let roles = ["manager", "sales", "marketing", "support", "viewer", "team_desk", "integration", "desk_without_pii"];
    let mut walkers = Vec::new();
    for role in roles {
        let (_, token) = app.user(&format!("{role}@west.example.com"), role, &[&west]).await;
        let me = app.get("/api/v1/auth/me", &token).await.expect(200).body;
        let permissions: Permissions = serde_json::from_value(me["permissions"].clone()).unwrap();
        walkers.push((role, token, permissions));
    }

    let skip = ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"];
    let east_ids: Vec<&str> = east.ids.values().map(String::as_str).collect();
    let mut after = feed_head(&app, &admin).await;
    let mut requests = 0;
    for (role, token, permissions) in &walkers {
        let hidden = hidden_ids(&east, permissions);
        let masked = !reaches_east(permissions, Resource::Pii, Action::Read);
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/portal/") || skip.contains(&path.as_str()) {
                continue;
            }
            for (method_name, operation) in item.as_object().unwrap() {
                let method = Method::from_bytes(method_name.to_uppercase().as_bytes()).unwrap();
                let concrete = path
                    .replace("{id}", &east.id_for(path))
                    .replace("{stage_id}", &uuid::Uuid::now_v7().to_string())
                    .replace("{article_id}", east.get("kb_article"))
                    .replace("{requester_id}", &uuid::Uuid::now_v7().to_string())
                    .replace("{revision}", "1");
                let body = body_for(&schemas, operation, &method, &east);
                let reply = app.send(method.clone(), &concrete, Some(token), body.as_ref(), &[]).await;
                requests += 1;
                assert!(reply.status.as_u16() < 500, "{role}: {method} {concrete} answered {}: {}", reply.status, reply.text);

                // Exposure: no id of a record the role may not read, in anything it was given.
                if reply.status.is_success() {
                    for (kind, id) in &hidden {
                        assert!(
                            !reply.text.contains(id),
                            "{role}: {method} {concrete} exposed a {kind} of another team it may not read: {}",
                            reply.text
                        );
                    }
                }

                // Personal data: in any answer, success or problem.
                if masked {
                    for value in EAST_PERSONAL_VALUES {
                        assert!(
                            !reply.text.contains(value),
                            "{role}: {method} {concrete} showed the personal value {value} to a role without `pii` on it: {}",
                            reply.text
                        );
                    }
                }

                // Change: every event written is granted by the matrix, another team's record
                // only with an `all` scope.
                let (events, next) = events_after(&app, &admin, after).await;
                after = next;
                for event in events {
                    let kind = event["entity_type"].as_str().unwrap();
                    let event_type = event["event_type"].as_str().unwrap();
                    let (resource, action) = (resource_of(kind), action_of(event_type));
                    let entity = event["entity_id"].as_str().unwrap();
                    assert!(
                        permissions.scope(resource, action) != Scope::None,
                        "{role}: {method} {concrete} wrote {event_type} without any {action:?} right on {resource:?}"
                    );
                    if east_ids.contains(&entity) {
                        assert!(
                            reaches_east(permissions, resource, action),
                            "{role}: {method} {concrete} wrote {event_type} on another team's record with scope {:?}",
                            permissions.scope(resource, action)
                        );
                    }
                }
            }
        }
    }
    assert!(requests > 8 * 140, "walked {requests} requests");
}
