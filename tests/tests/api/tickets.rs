//! Tickets: numbering, transitions, close reasons, SLA clocks (pause, first reply, breaches),
//! round-robin.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crm_domain::service::{BusinessCalendar, Schedule, TicketMove, TicketStatus};
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
    let unexplained = app.post(&format!("{path}/status"), &admin, status("closed")).await.problem(422);
    assert_eq!(unexplained["code"], "ticket.close_reason_required");
    let backwards = app.post(&format!("{path}/status"), &admin, status("new")).await.problem(409);
    assert_eq!(backwards["code"], "ticket.invalid_transition");

    // Pause for one working day with a controlled clock: both due times move by nine working hours.
    let actor = crm_persistence::identity::auth::load_user_actor(
        &app.app_db,
        app.get("/api/v1/auth/me", &admin).await.body["id"].as_str().unwrap().parse().unwrap(),
    )
    .await
    .unwrap();
    let before = app.get(&path, &admin).await.body;
    let monday = chrono_tz::Asia::Shanghai.with_ymd_and_hms(2030, 1, 7, 9, 0, 0).unwrap().with_timezone(&Utc);
    tickets::transition(&app.app_db, &actor, ticket_id, None, TicketMove::to(TicketStatus::WaitingCustomer), monday).await.unwrap();
    let paused = app.get(&path, &admin).await.body;
    assert!(paused["paused_at"].as_str().is_some());
    tickets::transition(&app.app_db, &actor, ticket_id, None, TicketMove::to(TicketStatus::InProgress), monday + Duration::days(1))
        .await
        .unwrap();
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
    assert_eq!(app.post(&format!("{path}/rating"), &admin, json!({ "rating": 5 })).await.problem(409)["code"], "ticket.not_resolved");
    app.post(&format!("{path}/status"), &admin, json!({ "status": "resolved" })).await.expect(200);
    app.post(&format!("{path}/rating"), &admin, json!({ "rating": 6 })).await.problem(422);
    let rated = app.post(&format!("{path}/rating"), &admin, json!({ "rating": 4, "comment": "响应及时" })).await.expect(200).body;
    assert_eq!((rated["satisfaction_rating"].clone(), rated["satisfaction_comment"].clone()), (json!(4), json!("响应及时")));
}

/// Opens a ticket for `customer_id` and returns its path.
async fn open_ticket(app: &TestApp, token: &str, customer_id: &str, subject: &str) -> String {
    let ticket = app.post("/api/v1/tickets", token, json!({ "customer_id": customer_id, "subject": subject })).await.expect(201).body;
    format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap())
}

/// The id at the end of a ticket's path.
fn id_of(ticket_path: &str) -> &str {
    ticket_path.rsplit('/').next().unwrap()
}

/// The `ticket.status_changed` events of one ticket, oldest first.
async fn status_events(app: &TestApp, admin: &str, ticket_path: &str) -> Vec<Value> {
    let ticket_id = id_of(ticket_path);
    let feed = app.get("/api/v1/events?after=0&limit=200&types=ticket.status_changed", admin).await.expect(200).body;
    feed["data"].as_array().unwrap().iter().filter(|e| e["entity_id"] == ticket_id).cloned().collect()
}

#[tokio::test]
async fn closing_a_ticket_that_was_never_resolved_needs_a_reason_and_changes_nothing_without_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer_id = customer(&app, &admin).await;
    let path = open_ticket(&app, &admin, &customer_id, "广告推销").await;
    let status_path = format!("{path}/status");
    let close = |body: Value| app.post(&status_path, &admin, body);
    for from in ["new", "in_progress", "waiting_customer"] {
        if from != "new" {
            app.post(&format!("{path}/status"), &admin, json!({ "status": from })).await.expect(200);
        }
        let before = (app.get(&path, &admin).await.body, app.side_effects().await);
        let problem = close(json!({ "status": "closed" })).await.problem(422);
        assert_eq!(problem["code"], "ticket.close_reason_required", "{from}: {problem}");
        assert_eq!(
            (problem["errors"][0]["field"].clone(), problem["errors"][0]["code"].clone()),
            (json!("close_reason"), json!("required"))
        );
        let blank = close(json!({ "status": "closed", "close_reason": " " })).await.problem(422);
        assert_eq!(blank["code"], "ticket.close_reason_required", "a blank reason is no reason");
        assert_eq!((app.get(&path, &admin).await.body, app.side_effects().await), before, "{from}: nothing changed");
    }
    // Fields that make no sense are refused before the ticket is looked at.
    let fields = |reply: crm_tests::Reply| reply.invalid_fields();
    assert_eq!(fields(close(json!({ "status": "closed", "close_reason": "bored" })).await), ["close_reason"]);
    assert_eq!(fields(close(json!({ "status": "closed", "close_reason": "other" })).await), ["close_note"], "other needs a note");
    assert_eq!(
        fields(close(json!({ "status": "in_progress", "close_reason": "spam" })).await),
        ["close_reason"],
        "only a close has a reason"
    );
    let elsewhere = open_ticket(&app, &admin, &customer_id, "另一个").await;
    let misnamed = json!({ "status": "closed", "close_reason": "spam", "duplicate_of": id_of(&elsewhere) });
    assert_eq!(fields(close(misnamed).await), ["duplicate_of"], "only a duplicate names another ticket");
    let this = id_of(&path);
    assert_eq!(fields(close(json!({ "status": "closed", "close_reason": "duplicate", "duplicate_of": this })).await), ["duplicate_of"]);
    let nowhere = uuid::Uuid::now_v7();
    assert_eq!(fields(close(json!({ "status": "closed", "close_reason": "duplicate", "duplicate_of": nowhere })).await), ["duplicate_of"]);
    assert_eq!(app.get(&path, &admin).await.body["status"], "waiting_customer");
}

#[tokio::test]
async fn a_reason_closes_an_open_ticket_and_is_kept_on_it_in_the_audit_log_and_in_the_event() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer_id = customer(&app, &admin).await;
    let original = open_ticket(&app, &admin, &customer_id, "打印机卡纸").await;
    let original_id = id_of(&original);
    let repeat = open_ticket(&app, &admin, &customer_id, "打印机又卡纸").await;
    app.post(&format!("{repeat}/status"), &admin, json!({ "status": "in_progress" })).await.expect(200);
    let body = json!({ "status": "closed", "close_reason": "duplicate", "close_note": " 同一台打印机 ", "duplicate_of": original_id });
    let closed = app.post(&format!("{repeat}/status"), &admin, body).await.expect(200).body;
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string());
    assert_eq!((closed["close_reason"].clone(), closed["close_note"].clone()), (json!("duplicate"), json!("同一台打印机")));
    assert_eq!(closed["duplicate_of_id"], original_id);
    assert_eq!(app.get(&repeat, &admin).await.body, closed, "stored as answered");
    let events = status_events(&app, &admin, &repeat).await;
    let last = &events.last().unwrap()["payload"]["record"];
    assert_eq!(
        (last["status"].clone(), last["close_reason"].clone(), last["duplicate_of_id"].clone()),
        (json!("closed"), json!("duplicate"), json!(original_id))
    );
    let audit = app.get(&format!("/api/v1/audit?entity_id={}", id_of(&repeat)), &admin).await.expect(200).body;
    let changes = &audit["data"][0]["changes"];
    assert_eq!(changes["status"], json!({ "old": "in_progress", "new": "closed" }));
    assert_eq!(changes["close_reason"]["new"], "duplicate");

    // A customer who never answers: closed while waiting for them.
    let silent = open_ticket(&app, &admin, &customer_id, "等待客户回复").await;
    app.post(&format!("{silent}/status"), &admin, json!({ "status": "waiting_customer" })).await.expect(200);
    let unreachable = app
        .post(&format!("{silent}/status"), &admin, json!({ "status": "closed", "close_reason": "customer_unreachable" }))
        .await
        .expect(200)
        .body;
    assert_eq!((unreachable["close_reason"].clone(), unreachable["close_note"].clone()), (json!("customer_unreachable"), Value::Null));
    let other = open_ticket(&app, &admin, &customer_id, "其他").await;
    let explained = json!({ "status": "closed", "close_reason": "other", "close_note": "客户公司已注销" });
    assert_eq!(app.post(&format!("{other}/status"), &admin, explained).await.expect(200).body["close_note"], "客户公司已注销");

    // Resolved first: the reason is optional.
    let solved = open_ticket(&app, &admin, &customer_id, "已解决").await;
    app.post(&format!("{solved}/status"), &admin, json!({ "status": "resolved" })).await.expect(200);
    let done = app.post(&format!("{solved}/status"), &admin, json!({ "status": "closed" })).await.expect(200).body;
    assert_eq!((done["status"].clone(), done["close_reason"].clone()), (json!("closed"), Value::Null));
    assert_eq!(status_events(&app, &admin, &solved).await.last().unwrap()["payload"]["record"]["close_reason"], Value::Null);
    // A closed ticket stays closed, whatever the reason.
    app.post(&format!("{solved}/status"), &admin, json!({ "status": "closed", "close_reason": "spam" })).await.problem(409);
}

#[tokio::test]
async fn a_duplicate_names_only_a_ticket_its_closer_may_read() {
    let app = TestApp::spawn().await;
    let east = app.create_team("East", None).await;
    let west = app.create_team("West", None).await;
    let (_, manager) = app.user("m@example.com", "manager", &[&east]).await;
    let (_, east_sales) = app.user("e@example.com", "sales", &[&east]).await;
    let (_, west_sales) = app.user("w@example.com", "sales", &[&west]).await;
    let east_customer = customer(&app, &east_sales).await;
    let west_customer = customer(&app, &west_sales).await;
    let ours = open_ticket(&app, &east_sales, &east_customer, "东区").await;
    let ours_too = open_ticket(&app, &east_sales, &east_customer, "东区重复").await;
    let theirs = open_ticket(&app, &west_sales, &west_customer, "西区").await;
    app.get(&theirs, &manager).await.problem(404);
    let duplicate_of = |original: &str| json!({ "status": "closed", "close_reason": "duplicate", "duplicate_of": id_of(original) });
    let problem = app.post(&format!("{ours}/status"), &manager, duplicate_of(&theirs)).await.problem(422);
    assert_eq!((problem["errors"][0]["field"].clone(), problem["errors"][0]["code"].clone()), (json!("duplicate_of"), json!("not_found")));
    let closed = app.post(&format!("{ours}/status"), &manager, duplicate_of(&ours_too)).await.expect(200).body;
    assert_eq!(closed["duplicate_of_id"], id_of(&ours_too));
}

#[tokio::test]
async fn the_first_public_reply_by_staff_moves_a_new_ticket_to_in_progress() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer_id = customer(&app, &admin).await;
    let path = open_ticket(&app, &admin, &customer_id, "无法登录").await;
    let before = app.get(&path, &admin).await.body;
    app.post(&format!("{path}/comments"), &admin, json!({ "body": "先查日志", "public": false })).await.expect(201);
    let noted = app.get(&path, &admin).await.body;
    assert_eq!(
        (noted["status"].clone(), noted["first_responded_at"].clone()),
        (json!("new"), Value::Null),
        "an internal note is no answer"
    );
    assert!(status_events(&app, &admin, &path).await.is_empty());

    app.post(&format!("{path}/comments"), &admin, json!({ "body": "您好，我们正在处理。", "public": true })).await.expect(201);
    let answered = app.get(&path, &admin).await.body;
    assert_eq!(answered["status"], "in_progress");
    assert!(answered["first_responded_at"].is_string());
    assert_eq!(answered["first_response_breached"], false);
    assert_eq!(answered["first_response_due_at"], before["first_response_due_at"], "the SLA targets stand");
    assert_eq!(answered["resolution_due_at"], before["resolution_due_at"]);
    let events = status_events(&app, &admin, &path).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["payload"]["record"]["status"], "in_progress");
    let audit = app.get(&format!("/api/v1/audit?entity_id={}", before["id"].as_str().unwrap()), &admin).await.expect(200).body;
    let moves: Vec<&Value> = audit["data"].as_array().unwrap().iter().filter(|e| e["changes"]["status"].is_object()).collect();
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0]["changes"]["status"], json!({ "old": "new", "new": "in_progress" }));
    // Later replies move nothing more.
    app.post(&format!("{path}/comments"), &admin, json!({ "body": "请稍候", "public": true })).await.expect(201);
    assert_eq!(status_events(&app, &admin, &path).await.len(), 1);
    assert_eq!(app.get(&path, &admin).await.body["first_responded_at"], answered["first_responded_at"]);
}

#[tokio::test]
async fn a_customers_message_in_the_portal_leaves_a_new_ticket_new() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let customer_id = customer(&app, &admin).await;
    let contact = app
        .post(&format!("/api/v1/customers/{customer_id}/contacts"), &admin, json!({ "name": "王敏", "email": "wang@service.cn" }))
        .await
        .expect(201)
        .id();
    let (_, portal) = crate::portal::portal_user(&app, &admin, &contact, false).await;
    let opened = app.post("/api/v1/portal/tickets", &portal, json!({ "subject": "打印机卡纸" })).await.expect(201).body;
    let id = opened["id"].as_str().unwrap();
    app.post(&format!("/api/v1/portal/tickets/{id}/comments"), &portal, json!({ "body": "补充：型号 X100" })).await.expect(201);
    let staff_view = app.get(&format!("/api/v1/tickets/{id}"), &admin).await.body;
    assert_eq!((staff_view["status"].clone(), staff_view["first_responded_at"].clone()), (json!("new"), Value::Null));
    assert!(status_events(&app, &admin, &format!("/api/v1/tickets/{id}")).await.is_empty());
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
    let nobody = app.post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "x", "team_id": empty })).await.problem(409);
    assert_eq!(nobody["code"], "team.no_agent");
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
    let policy = app.post("/api/v1/sla-policies", &admin, body.clone()).await.expect(201).body;
    let taken = app.post("/api/v1/sla-policies", &admin, body).await.problem(409);
    assert_eq!((taken["code"].clone(), taken["existing_id"].clone()), (json!("sla_policy.name_taken"), policy["id"].clone()));
    let all = app.get("/api/v1/sla-policies", &admin).await.body;
    assert_eq!(all["data"].as_array().unwrap().iter().filter(|p| p["is_default"] == true).count(), 1);
    // New tickets now run around the clock: normal → 30 min / 3 h of plain time.
    let id = customer(&app, &admin).await;
    let ticket = app.post("/api/v1/tickets", &admin, json!({ "customer_id": id, "subject": "x" })).await.expect(201).body;
    assert_eq!(ticket["sla_policy_id"], policy["id"]);
    assert_eq!(at(&ticket["resolution_due_at"]) - at(&ticket["created_at"]), Duration::minutes(180));
    let path = format!("/api/v1/sla-policies/{}", policy["id"].as_str().unwrap());
    assert_eq!(app.patch(&path, &admin, json!({ "is_default": false }), None).await.problem(409)["code"], "sla_policy.default_required");
    assert_eq!(app.delete(&path, &admin).await.problem(409)["code"], "sla_policy.default_not_deletable");
    let standard = all["data"].as_array().unwrap().iter().find(|p| p["name"] == "标准服务").unwrap()["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/sla-policies/{standard}"), &admin, json!({ "is_default": true }), Some("\"1\"")).await.expect(200);
    let problem = app.delete(&path, &admin).await.problem(409);
    assert_eq!(problem["code"], "sla_policy.in_use");
    assert!(problem["detail"].as_str().unwrap().contains("1 tickets"));
}
