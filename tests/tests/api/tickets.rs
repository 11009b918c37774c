//! Tickets: numbering, transitions, SLA clocks (pause, first reply, breaches), round-robin.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crm_domain::service::{BusinessCalendar, Schedule, TicketStatus};
use crm_persistence::service::tickets;
use crm_tests::TestApp;

async fn customer(app: &TestApp, token: &str) -> String {
    app.customer(token, json!({ "kind": "company", "name": "Service Co" })).await["id"].as_str().unwrap().to_owned()
}

fn at(value: &Value) -> chrono::DateTime<Utc> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn tickets_get_numbers_and_due_times_from_the_default_policy() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin).await;
    let ticket = app
        .post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "设备无法启动", "priority": "urgent", "kind": "incident" }))
        .await
        .expect(201)
        .body;
    assert_eq!(ticket["number"], "T-000001");
    assert_eq!(ticket["status"], "new");
    // The standard policy: business hours Mon–Fri 09–18 Shanghai; urgent 30 min / 4 h.
    let schedule = Schedule::BusinessHours(BusinessCalendar::china_office());
    let created = at(&ticket["created_at"]);
    assert_eq!(at(&ticket["first_response_due_at"]), schedule.add_working_minutes(created, 30));
    assert_eq!(at(&ticket["resolution_due_at"]), schedule.add_working_minutes(created, 240));
    let mut fields = app
        .post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "", "priority": "asap", "kind": "rant" }))
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["kind", "priority", "subject"]);
    app.post("/api/v1/tickets", &admin, json!({ "customer_id": uuid::Uuid::now_v7(), "subject": "x" })).await.problem(404);
    let second = app.post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "再次" })).await.expect(201).body;
    assert_eq!(second["number"], "T-000002");
    let timeline = app.get(&format!("/api/v1/customers/{id}/timeline?kind=ticket"), &admin).await.expect(200).body;
    assert_eq!(timeline["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn only_valid_transitions_and_waiting_pauses_the_clock() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin).await;
    let ticket = app.post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "退款问题" })).await.expect(201).body;
    let ticket_id: uuid::Uuid = ticket["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/v1/tickets/{ticket_id}");
    let status = |s: &str| json!({ "status": s });
    app.post(&format!("{path}/status"), &admin, status("closed_soon")).await.problem(422);
    app.post(&format!("{path}/status"), &admin, status("in_progress")).await.expect(200);
    app.post(&format!("{path}/status"), &admin, status("closed")).await.problem(409);
    app.post(&format!("{path}/status"), &admin, status("new")).await.problem(409);

    // Pause for one working day with a controlled clock: both due times move by nine working hours.
    let actor = crm_persistence::identity::auth::load_user_actor(
        &app.app_db,
        app.get("/api/v1/auth/me", &admin).await.body["id"].as_str().unwrap().parse().unwrap(),
    )
    .await
    .unwrap();
    let before = app.get(&path, &admin).await.body;
    let monday = chrono_tz::Asia::Shanghai.with_ymd_and_hms(2030, 1, 7, 9, 0, 0).unwrap().with_timezone(&Utc);
    tickets::transition(&app.app_db, &actor, ticket_id, None, TicketStatus::WaitingCustomer, monday).await.unwrap();
    let paused = app.get(&path, &admin).await.body;
    assert!(paused["paused_at"].as_str().is_some());
    tickets::transition(&app.app_db, &actor, ticket_id, None, TicketStatus::InProgress, monday + Duration::days(1)).await.unwrap();
    let resumed = app.get(&path, &admin).await.body;
    assert_eq!(resumed["paused_at"], Value::Null);
    let schedule = Schedule::BusinessHours(BusinessCalendar::china_office());
    let created = at(&before["created_at"]);
    assert_eq!(at(&resumed["resolution_due_at"]), schedule.add_working_minutes(created, 1620 + 540));

    let resolved = app.post(&format!("{path}/status"), &admin, status("resolved")).await.expect(200).body;
    assert!(resolved["resolved_at"].as_str().is_some());
    let reopened = app.post(&format!("{path}/status"), &admin, status("in_progress")).await.expect(200).body;
    assert_eq!(reopened["resolved_at"], Value::Null);
    app.post(&format!("{path}/status"), &admin, status("resolved")).await.expect(200);
    app.post(&format!("{path}/status"), &admin, status("closed")).await.expect(200);
    app.post(&format!("{path}/status"), &admin, status("in_progress")).await.problem(409);
    assert_eq!(app.count("events", Some(("event_type", "ticket.status_changed"))).await, 7);
    assert_eq!(app.count("events", Some(("event_type", "ticket.resolved"))).await, 2);
}

#[tokio::test]
async fn the_first_public_reply_stops_the_first_response_clock_and_ratings_follow_resolution() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin).await;
    let ticket = app.post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "咨询" })).await.expect(201).body;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
    app.post(&format!("{path}/comments"), &admin, json!({ "body": "内部备注", "public": false })).await.expect(201);
    assert_eq!(app.get(&path, &admin).await.body["first_responded_at"], Value::Null);
    app.post(&format!("{path}/comments"), &admin, json!({ "body": "您好，我们正在处理。", "public": true })).await.expect(201);
    let replied = app.get(&path, &admin).await.body;
    assert!(replied["first_responded_at"].as_str().is_some());
    app.post(&format!("{path}/comments"), &admin, json!({ "body": "   " })).await.problem(422);
    let conversation = app.get(&format!("{path}/comments"), &admin).await.expect(200).body;
    let publics: Vec<bool> = conversation["data"].as_array().unwrap().iter().map(|c| c["public"].as_bool().unwrap()).collect();
    assert_eq!(publics, [false, true]);
    app.post(&format!("{path}/rating"), &admin, json!({ "rating": 5 })).await.problem(409);
    app.post(&format!("{path}/status"), &admin, json!({ "status": "resolved" })).await.expect(200);
    app.post(&format!("{path}/rating"), &admin, json!({ "rating": 6 })).await.problem(422);
    let rated = app.post(&format!("{path}/rating"), &admin, json!({ "rating": 4, "comment": "响应及时" })).await.expect(200).body;
    assert_eq!((rated["satisfaction_rating"].clone(), rated["satisfaction_comment"].clone()), (json!(4), json!("响应及时")));
}

#[tokio::test]
async fn round_robin_takes_turns_among_the_teams_active_support_agents() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let team = app.create_team("客服一组", None).await;
    let mut agents = Vec::new();
    for i in 0..3 {
        agents.push(app.user(&format!("agent{i}@example.com"), "support", &[&team]).await.0);
    }
    // A sales member of the team and a deactivated agent are skipped.
    app.user("seller@example.com", "sales", &[&team]).await;
    let (gone, _) = app.user("gone@example.com", "support", &[&team]).await;
    app.patch(&format!("/api/v1/users/{gone}"), &admin, json!({ "active": false }), None).await.expect(200);
    let id = customer(&app, &admin).await;
    let mut assigned = Vec::new();
    for i in 0..7 {
        let t = app
            .post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": format!("#{i}"), "team_id": team }))
            .await
            .expect(201)
            .body;
        assigned.push(t["assignee_id"].as_str().unwrap().to_owned());
    }
    let mut sorted = agents.clone();
    sorted.sort();
    let expected: Vec<String> = (0..7).map(|i| sorted[i % 3].clone()).collect();
    assert_eq!(assigned, expected, "each agent in turn, fairly");
    // The agent is told, and sees it in their queue.
    let (_, agent_token) =
        (sorted[0].clone(), app.login("agent0@example.com", crm_tests::PASSWORD).await.body["access_token"].as_str().unwrap().to_owned());
    let agent0 = agents[0].clone();
    let queue = app.get("/api/v1/tickets?view=my_queue&include_total=true", &agent_token).await.expect(200).body;
    assert_eq!(queue["total"], assigned.iter().filter(|a| **a == agent0).count());
    assert!(app.get("/api/v1/notifications/unread-count", &agent_token).await.body["count"].as_i64().unwrap() >= 2);
    let empty = app.create_team("空组", None).await;
    app.post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "x", "team_id": empty })).await.problem(409);
    let unassigned = app.post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "unassigned" })).await.expect(201).body;
    assert_eq!(app.get("/api/v1/tickets?view=unassigned&include_total=true", &admin).await.body["total"], 1);
    let manual = app
        .post(&format!("/api/v1/tickets/{}/assign", unassigned["id"].as_str().unwrap()), &admin, json!({ "assignee_id": agents[1] }))
        .await
        .expect(200)
        .body;
    assert_eq!(manual["assignee_id"], agents[1].as_str());
    assert!(app.count("events", Some(("event_type", "ticket.assigned"))).await >= 8);
}

#[tokio::test]
async fn the_sla_watch_flags_breaches_once_and_warns_at_eighty_percent() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let team = app.create_team("T", None).await;
    let (_, agent) = app.user("agent@example.com", "support", &[&team]).await;
    let id = customer(&app, &admin).await;
    let ticket = app
        .post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "紧急", "priority": "urgent", "team_id": team }))
        .await
        .expect(201)
        .body;
    let created = at(&ticket["created_at"]);
    let resolution_due = at(&ticket["resolution_due_at"]);
    let schedule = Schedule::BusinessHours(BusinessCalendar::china_office());
    // Find an instant past 80 % of the resolution time but before the first-response due time is
    // missed… which, for urgent (30 min of 240), has passed already: the first response breaches first.
    let warn_at = schedule.add_working_minutes(created, 200);
    assert!(warn_at < resolution_due);
    assert_eq!(tickets::watch_sla(&app.app_db, warn_at).await.unwrap(), 1, "the first response is late");
    assert_eq!(tickets::watch_sla(&app.app_db, warn_at).await.unwrap(), 0, "flagged once");
    let flagged = app.get(&format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap()), &admin).await.body;
    assert_eq!((flagged["first_response_breached"].clone(), flagged["resolution_breached"].clone()), (json!(true), json!(false)));
    assert_eq!(tickets::watch_sla(&app.app_db, resolution_due + Duration::minutes(1)).await.unwrap(), 1, "then the resolution");
    assert_eq!(app.count("events", Some(("event_type", "ticket.sla_breached"))).await, 2);
    let kinds: Vec<String> = app.get("/api/v1/notifications", &agent).await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.iter().filter(|k| *k == "sla_breached").count() == 2, "{kinds:?}");
    assert_eq!(app.get("/api/v1/tickets?breached=true&include_total=true", &admin).await.body["total"], 1);
    // A relaxed ticket is warned at 80 % without being breached.
    let calm = app.post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "普通", "priority": "low", "assignee_id": app.get("/api/v1/auth/me", &agent).await.body["id"] })).await.expect(201).body;
    let calm_created = at(&calm["created_at"]);
    // Respond first, so only the resolution clock runs.
    app.post(&format!("/api/v1/tickets/{}/comments", calm["id"].as_str().unwrap()), &admin, json!({ "body": "收到", "public": true }))
        .await
        .expect(201);
    let eighty = schedule.add_working_minutes(calm_created, 2700 * 81 / 100);
    assert_eq!(tickets::watch_sla(&app.app_db, eighty).await.unwrap(), 0);
    let kinds: Vec<String> = app.get("/api/v1/notifications", &agent).await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains(&"sla_at_risk".to_owned()), "{kinds:?}");
}

#[tokio::test]
async fn tickets_follow_the_customers_service_scope() {
    let app = TestApp::spawn().await;
    let east = app.create_team("East", None).await;
    let (_, sales) = app.user("s@example.com", "sales", &[&east]).await;
    let (_, stranger) = app.user("x@example.com", "sales", &[]).await;
    let (_, support) = app.user("help@example.com", "support", &[]).await;
    let id = customer(&app, &sales).await;
    let ticket = app.post("/api/v1/tickets", &sales, json!({ "customer_id": id, "subject": "销售代提" })).await.expect(201).body;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
    app.get(&path, &sales).await.expect(200);
    app.get(&path, &stranger).await.problem(404);
    app.post(&format!("{path}/status"), &sales, json!({ "status": "in_progress" })).await.problem(403);
    app.post(&format!("{path}/status"), &support, json!({ "status": "in_progress" })).await.expect(200);
    let (_, viewer) = app.user("v@example.com", "viewer", &[]).await;
    app.post("/api/v1/tickets", &viewer, json!({ "customer_id": id, "subject": "x" })).await.problem(403);
}

#[tokio::test]
async fn administrators_manage_sla_policies_and_the_default_governs_new_tickets() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, support) = app.user("help@example.com", "support", &[]).await;
    let policies = app.get("/api/v1/sla-policies", &support).await.expect(200).body;
    assert_eq!(policies["data"].as_array().unwrap().len(), 1);
    assert_eq!(policies["data"][0]["is_default"], true);
    let target = |first: i64, resolve: i64| json!({ "first_response_minutes": first, "resolution_minutes": resolve });
    let targets = json!({ "urgent": target(10, 60), "high": target(20, 120), "normal": target(30, 180), "low": target(60, 600) });
    let calendar = json!({ "time_zone": "Asia/Shanghai", "weekdays": ["mon"], "start": "09:00", "end": "18:00" });
    let body = json!({ "name": "全天候", "is_default": true, "business_hours": false, "calendar": calendar, "targets": targets });
    app.post("/api/v1/sla-policies", &support, body.clone()).await.problem(403);
    let bad_calendar = json!({ "name": "x", "business_hours": true, "calendar": { "time_zone": "Mars/Base", "weekdays": ["mon"], "start": "09:00", "end": "18:00" }, "targets": targets });
    assert_eq!(app.post("/api/v1/sla-policies", &admin, bad_calendar).await.invalid_fields(), ["calendar"]);
    let bad_targets = json!({ "name": "y", "business_hours": false, "calendar": calendar, "targets": { "urgent": target(90, 60), "high": target(20, 120), "normal": target(30, 180), "low": target(60, 600) } });
    assert_eq!(app.post("/api/v1/sla-policies", &admin, bad_targets).await.invalid_fields(), ["targets"]);
    let policy = app.post("/api/v1/sla-policies", &admin, body).await.expect(201).body;
    let all = app.get("/api/v1/sla-policies", &admin).await.body;
    assert_eq!(all["data"].as_array().unwrap().iter().filter(|p| p["is_default"] == true).count(), 1);
    // New tickets now run around the clock: normal → 30 min / 3 h of plain time.
    let id = customer(&app, &admin).await;
    let ticket = app.post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "x" })).await.expect(201).body;
    assert_eq!(ticket["sla_policy_id"], policy["id"]);
    assert_eq!(at(&ticket["resolution_due_at"]) - at(&ticket["created_at"]), Duration::minutes(180));
    let path = format!("/api/v1/sla-policies/{}", policy["id"].as_str().unwrap());
    app.patch(&path, &admin, json!({ "is_default": false }), None).await.problem(409);
    app.delete(&path, &admin).await.problem(409);
    let standard = all["data"].as_array().unwrap().iter().find(|p| p["name"] == "标准服务").unwrap()["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/sla-policies/{standard}"), &admin, json!({ "is_default": true }), Some("\"1\"")).await.expect(200);
    let problem = app.delete(&path, &admin).await.problem(409);
    assert!(problem["detail"].as_str().unwrap().contains("1 tickets"));
}
