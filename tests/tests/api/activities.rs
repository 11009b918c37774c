//! Communication records, tasks, follow-up rules, reminders, notifications and the timeline.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crm_persistence::activities::{notifications, rules};
use crm_tests::TestApp;

const ZH: &[(&str, &str)] = &[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")];
const EN: &[(&str, &str)] = &[("accept-language", "en-US,en;q=0.9")];

async fn customer(app: &TestApp, token: &str, name: &str, stage: &str) -> String {
    app.customer(token, json!({ "kind": "company", "name": name, "lifecycle_stage": stage })).await["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn recording_an_interaction_updates_the_customer_and_writes_audit_and_event() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin, "Talk Co", "prospect").await;
    let contact = app.post(&format!("/api/v1/customers/{id}/contacts"), &admin, json!({ "name": "王伟" })).await.expect(201).id();
    let when = (Utc::now() - Duration::days(2)).to_rfc3339();
    let reply = app
        .post("/api/v1/interactions", &admin, json!({ "customer_id": id, "contact_id": contact, "channel": "phone", "direction": "inbound", "occurred_at": when, "duration_minutes": 12, "subject": "  询价 ", "outcome": "要报价", "next_step": "发报价单" }))
        .await
        .expect(201);
    assert_eq!(reply.header("location").unwrap(), format!("/api/v1/interactions/{}", reply.id()));
    assert_eq!(reply.body["subject"], "询价");
    assert_eq!(reply.body["contact_name"], "王伟");
    assert_eq!(reply.body["customer_name"], "Talk Co");
    let c = app.get(&format!("/api/v1/customers/{id}"), &admin).await.body;
    assert_eq!(c["last_interaction_at"], reply.body["occurred_at"]);
    assert_eq!(c["version"], 1, "a derived field does not make the customer's ETag stale");
    assert_eq!(app.count("events", Some(("event_type", "interaction.created"))).await, 1);
    assert_eq!(app.count("audit_log", Some(("entity_type", "interaction"))).await, 1);

    // Deleting it takes the customer's last interaction back; restoring brings it again.
    let path = format!("/api/v1/interactions/{}", reply.id());
    app.delete(&path, &admin).await.expect(204);
    assert_eq!(app.get(&format!("/api/v1/customers/{id}"), &admin).await.body["last_interaction_at"], Value::Null);
    app.post(&format!("{path}/restore"), &admin, json!({})).await.expect(200);
    assert_eq!(app.get(&format!("/api/v1/customers/{id}"), &admin).await.body["last_interaction_at"], reply.body["occurred_at"]);
}

#[tokio::test]
async fn invalid_interactions_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin, "A", "prospect").await;
    let other = customer(&app, &admin, "B", "prospect").await;
    let foreign_contact = app.post(&format!("/api/v1/customers/{other}/contacts"), &admin, json!({ "name": "x" })).await.expect(201).id();
    let future = (Utc::now() + Duration::hours(1)).to_rfc3339();
    let mut fields = app
        .post("/api/v1/interactions", &admin, json!({ "customer_id": id, "channel": "pigeon", "direction": "sideways", "occurred_at": future, "duration_minutes": -5, "subject": "" }))
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["channel", "direction", "duration_minutes", "occurred_at", "subject"]);
    let fields = app
        .post(
            "/api/v1/interactions",
            &admin,
            json!({ "customer_id": id, "contact_id": foreign_contact, "channel": "phone", "subject": "x" }),
        )
        .await
        .invalid_fields();
    assert_eq!(fields, ["contact_id"]);
    app.post("/api/v1/interactions", &admin, json!({ "customer_id": uuid::Uuid::now_v7(), "channel": "phone", "subject": "x" }))
        .await
        .problem(404);
    assert_eq!(app.count("interactions", None).await, 0);
}

#[tokio::test]
async fn interactions_follow_the_customers_scope_and_filters_narrow_them() {
    let app = TestApp::spawn().await;
    let east = app.create_team("East", None).await;
    let west = app.create_team("West", None).await;
    let (_, sales_east) = app.user("east@example.com", "sales", &[&east]).await;
    let (_, colleague) = app.user("east2@example.com", "sales", &[&east]).await;
    let (_, sales_west) = app.user("west@example.com", "sales", &[&west]).await;
    let id = customer(&app, &sales_east, "East Co", "prospect").await;
    let call = app
        .post(
            "/api/v1/interactions",
            &sales_east,
            json!({ "customer_id": id, "channel": "phone", "subject": "首次电话", "content": "谈到了价格" }),
        )
        .await
        .expect(201)
        .id();
    app.post("/api/v1/interactions", &sales_east, json!({ "customer_id": id, "channel": "visit", "subject": "拜访" })).await.expect(201);

    app.get(&format!("/api/v1/interactions/{call}"), &sales_west).await.problem(404);
    app.post("/api/v1/interactions", &sales_west, json!({ "customer_id": id, "channel": "phone", "subject": "x" })).await.problem(404);
    assert_eq!(app.get("/api/v1/interactions?include_total=true", &sales_west).await.body["total"], 0);
    // Same team: readable, not changeable.
    app.get(&format!("/api/v1/interactions/{call}"), &colleague).await.expect(200);
    app.patch(&format!("/api/v1/interactions/{call}"), &colleague, json!({ "subject": "x" }), None).await.problem(403);
    app.patch(&format!("/api/v1/interactions/{call}"), &sales_east, json!({ "outcome": "约了下周" }), Some("\"1\"")).await.expect(200);

    let total = |q: &str| {
        let app = &app;
        let token = sales_east.clone();
        let q = q.to_owned();
        async move { app.get(&format!("/api/v1/interactions?include_total=true&{q}"), &token).await.expect(200).body["total"].clone() }
    };
    assert_eq!(total(&format!("customer_id={id}")).await, 2);
    assert_eq!(total("channel=visit").await, 1);
    assert_eq!(total("channel=phone,visit").await, 2);
    assert_eq!(total("q=%E4%BB%B7%E6%A0%BC").await, 1);
    // tomorrow in the organisation's zone: a date-only bound is a day of the organisation
    let tomorrow = crm_api::analytics::organisation_today(Utc::now() + Duration::days(1), crm_api::config::default_time_zone());
    assert_eq!(total(&format!("occurred_at_from={tomorrow}")).await, 0);
    app.get("/api/v1/interactions?channel=pigeon", &sales_east).await.problem(400);
}

/// A date-only bound of a list filter is a day of the organisation (Asia/Shanghai in tests), not
/// of UTC: `occurred_at_from=2026-11-03` starts at 16:00 UTC on 2 November, and
/// `occurred_at_to=2026-11-02` ends there. A time with an offset is taken as given.
#[tokio::test]
async fn date_only_list_bounds_are_the_organisations_days() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin, "午夜电话", "prospect").await;
    for (subject, at) in [("after midnight", "2026-11-02T17:14:00Z"), ("before midnight", "2026-11-02T15:59:59Z")] {
        let body = json!({ "customer_id": id, "channel": "phone", "subject": subject, "occurred_at": at });
        app.post("/api/v1/interactions", &admin, body).await.expect(201);
    }
    let subjects = |query: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let page = app.get(&format!("/api/v1/interactions?{query}"), &admin).await.expect(200).body;
            let mut subjects: Vec<String> =
                page["data"].as_array().unwrap().iter().map(|i| i["subject"].as_str().unwrap().to_owned()).collect();
            subjects.sort();
            subjects
        }
    };
    assert_eq!(subjects("occurred_at_from=2026-11-03").await, ["after midnight"]);
    assert_eq!(subjects("occurred_at_to=2026-11-02").await, ["before midnight"]);
    assert_eq!(subjects("occurred_at_from=2026-11-03&occurred_at_to=2026-11-03").await, ["after midnight"]);
    assert_eq!(subjects("occurred_at_from=2026-11-02&occurred_at_to=2026-11-02").await, ["before midnight"]);
    // an instant with an offset stays that instant
    assert_eq!(subjects("occurred_at_from=2026-11-02T17:00:00Z").await, ["after midnight"]);
    assert_eq!(subjects("occurred_at_to=2026-11-03T01:00:00%2B08:00").await, ["before midnight"]);
    // the error codes stay those of a bad date and of one out of range
    let bad = app.get("/api/v1/interactions?occurred_at_from=2026-13-01", &admin).await.problem(400);
    assert_eq!(bad["errors"][0]["code"], "date");
    let far = app.get("/api/v1/interactions?occurred_at_to=2200-01-01", &admin).await.problem(400);
    assert_eq!(far["errors"][0]["code"], "date_range");
}

#[tokio::test]
async fn tasks_are_assigned_notified_viewed_completed_and_reopened() {
    let app = TestApp::spawn().await;
    let team = app.create_team("T", None).await;
    let (manager_id, manager) = app.user("boss@example.com", "manager", &[&team]).await;
    let (sales_id, sales) = app.user("s@example.com", "sales", &[&team]).await;
    let (other_id, _) = app.user("o@example.com", "sales", &[]).await;
    let now = Utc::now();
    let overdue = app
        .post(
            "/api/v1/tasks",
            &manager,
            json!({ "title": "回电", "assignee_id": sales_id, "due_at": (now - Duration::hours(2)).to_rfc3339(), "priority": "high" }),
        )
        .await
        .expect(201);
    assert_eq!(overdue.body["overdue"], true);
    assert_eq!(overdue.body["assignee_name"], "s");
    let send_papers =
        app.post("/api/v1/tasks", &sales, json!({ "title": "发资料", "due_at": (now + Duration::days(3)).to_rfc3339() })).await.expect(201);
    // A reminder after the due time is refused on a change as on a new task, whichever time moves.
    let send_papers_path = format!("/api/v1/tasks/{}", send_papers.id());
    let late_reminder = json!({ "remind_at": (now + Duration::days(4)).to_rfc3339() });
    assert_eq!(app.patch(&send_papers_path, &sales, late_reminder, None).await.invalid_fields(), ["remind_at"]);
    app.patch(&send_papers_path, &sales, json!({ "remind_at": (now + Duration::days(2)).to_rfc3339() }), None).await.expect(200);
    let early_due = json!({ "due_at": (now + Duration::days(1)).to_rfc3339() });
    assert_eq!(app.patch(&send_papers_path, &sales, early_due, None).await.invalid_fields(), ["remind_at"]);
    app.post("/api/v1/tasks", &sales, json!({ "title": "没有日期" })).await.expect(201);
    // A sales user assigns only to themselves; a manager only within the team.
    app.post("/api/v1/tasks", &sales, json!({ "title": "x", "assignee_id": manager_id })).await.problem(403);
    app.post("/api/v1/tasks", &manager, json!({ "title": "x", "assignee_id": other_id })).await.problem(403);
    app.post(
        "/api/v1/tasks",
        &sales,
        json!({ "title": "", "priority": "whenever", "remind_at": now.to_rfc3339(), "due_at": (now - Duration::days(1)).to_rfc3339() }),
    )
    .await
    .problem(422);

    // The assignee was told.
    let unread = app.get("/api/v1/notifications/unread-count", &sales).await.expect(200).body;
    assert_eq!(unread["count"], 1);
    let list = app.get("/api/v1/notifications?unread=true", &sales).await.expect(200).body;
    assert_eq!(list["data"][0]["kind"], "task_assigned");
    assert_eq!(list["data"][0]["entity_id"], overdue.id());

    let titles = |view: &str| {
        let app = &app;
        let sales = sales.clone();
        let view = view.to_owned();
        async move {
            let body = app.get(&format!("/api/v1/tasks?assignee_id=me&view={view}"), &sales).await.expect(200).body;
            body["data"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("overdue").await, ["回电"]);
    assert_eq!(titles("upcoming").await, ["发资料", "没有日期"]);
    assert_eq!(titles("all").await, ["回电", "发资料", "没有日期"]);
    app.get("/api/v1/tasks?view=someday", &sales).await.problem(400);

    let path = format!("/api/v1/tasks/{}", overdue.id());
    let done = app.post(&format!("{path}/complete"), &sales, json!({})).await.expect(200).body;
    assert_eq!(done["status"], "done");
    assert_eq!(done["completed_by"], sales_id.as_str());
    assert!(done["completed_at"].as_str().is_some());
    assert_eq!(done["overdue"], false);
    assert_eq!(app.post(&format!("{path}/complete"), &sales, json!({})).await.problem(409)["code"], "task.invalid_transition");
    app.post(&format!("{path}/cancel"), &sales, json!({})).await.problem(409);
    let reopened = app.post(&format!("{path}/reopen"), &sales, json!({})).await.expect(200).body;
    assert_eq!(reopened["completed_at"], Value::Null);
    assert_eq!(titles("overdue").await, ["回电"]);
    assert_eq!(app.count("events", Some(("event_type", "task.completed"))).await, 1);
    assert_eq!(app.count("events", Some(("event_type", "task.reopened"))).await, 1);
    // Another sales user does not see these tasks at all.
    let (_, stranger) = app.user("x@example.com", "sales", &[]).await;
    app.get(&path, &stranger).await.problem(404);

    // Notifications belong to their user.
    let notification = list["data"][0]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/notifications/{notification}/read"), &stranger, json!({})).await.problem(404);
    assert!(
        app.post(&format!("/api/v1/notifications/{notification}/read"), &sales, json!({})).await.expect(200).body["read_at"]
            .as_str()
            .is_some()
    );
    assert_eq!(app.get("/api/v1/notifications/unread-count", &sales).await.body["count"], 0);
}

#[tokio::test]
async fn reminders_and_overdue_notices_are_sent_once() {
    let app = TestApp::spawn().await;
    let (_, sales) = app.user("s@example.com", "sales", &[]).await;
    let now = Utc::now();
    app.post("/api/v1/tasks", &sales, json!({ "title": "提醒我", "remind_at": (now + Duration::hours(1)).to_rfc3339(), "due_at": (now + Duration::hours(2)).to_rfc3339() })).await.expect(201);
    assert_eq!(notifications::send_task_reminders(&app.app_db, now).await.unwrap(), 0);
    assert_eq!(notifications::send_task_reminders(&app.app_db, now + Duration::minutes(90)).await.unwrap(), 1);
    assert_eq!(notifications::send_task_reminders(&app.app_db, now + Duration::minutes(100)).await.unwrap(), 0);
    assert_eq!(notifications::send_task_reminders(&app.app_db, now + Duration::hours(3)).await.unwrap(), 1);
    assert_eq!(notifications::send_task_reminders(&app.app_db, now + Duration::hours(4)).await.unwrap(), 0);
    let kinds: Vec<String> = app.get("/api/v1/notifications", &sales).await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["task_overdue", "task_due"]);
    assert_eq!(app.post("/api/v1/notifications/read-all", &sales, json!({})).await.expect(200).body["count"], 2);
}

#[tokio::test]
async fn follow_up_rules_create_one_task_per_silence() {
    let app = TestApp::spawn().await;
    let (owner_id, sales) = app.user("s@example.com", "sales", &[]).await;
    let prospect = customer(&app, &sales, "Silent Co", "prospect").await;
    customer(&app, &sales, "Lead Co", "potential").await;
    let now = Utc::now();
    assert_eq!(rules::run_follow_up_rules(&app.app_db, now).await.unwrap(), 0);
    // Fifteen days later the prospect (14-day rule) is silent; the lead (30 days) is not yet.
    let later = now + Duration::days(15);
    assert_eq!(rules::run_follow_up_rules(&app.app_db, later).await.unwrap(), 1);
    assert_eq!(rules::run_follow_up_rules(&app.app_db, later + Duration::hours(1)).await.unwrap(), 0);
    let tasks = app.get("/api/v1/tasks?assignee_id=me", &sales).await.expect(200).body;
    assert_eq!(tasks["data"].as_array().unwrap().len(), 1);
    let task = &tasks["data"][0];
    assert_eq!(task["customer_id"], prospect.as_str());
    assert_eq!(task["assignee_id"], owner_id.as_str());
    assert_eq!(task["priority"], "high");
    assert!(task["rule_id"].as_str().is_some());
    // The system's words are stored as a code with parameters and worded in the language each
    // reader asks for.
    let task_path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    let read_task = |headers| app.send(Method::GET, &task_path, Some(&sales), None, headers);
    let in_chinese = read_task(ZH).await.expect(200).body;
    assert_eq!(in_chinese["title"], "跟进 Silent Co（15 天未联系）");
    assert_eq!(in_chinese["description"], "跟进 Silent Co：已 15 天未联系（规则：意向客户超过 14 天未联系）。");
    let in_english = read_task(EN).await.expect(200).body;
    assert_eq!(in_english["title"], "Follow up Silent Co (15 days without contact)");
    assert_eq!(in_english["description"], "Follow up Silent Co: no interaction for 15 days (rule: prospect after 14 days).");
    assert_eq!(app.get("/api/v1/notifications/unread-count", &sales).await.body["count"], 1);
    let notice = |headers| app.send(Method::GET, "/api/v1/notifications", Some(&sales), None, headers);
    assert_eq!(notice(ZH).await.expect(200).body["data"][0]["title"], "新任务：跟进 Silent Co（15 天未联系）");
    assert_eq!(notice(EN).await.expect(200).body["data"][0]["title"], "New task: Follow up Silent Co (15 days without contact)");
    let timeline_path = format!("/api/v1/customers/{prospect}/timeline?kind=task");
    let timeline = |headers| app.send(Method::GET, &timeline_path, Some(&sales), None, headers);
    let item = timeline(EN).await.expect(200).body["data"][0].clone();
    assert_eq!(item["title"], "Follow up Silent Co (15 days without contact)");
    assert!(item["summary"].get("title_message").is_none(), "the code stays inside: {item}");
    assert_eq!(timeline(ZH).await.expect(200).body["data"][0]["title"], "跟进 Silent Co（15 天未联系）");
    // A client that sends back the title as it was shown to it has not rewritten it.
    let shown = app.patch(&task_path, &sales, json!({ "title": "Follow up Silent Co (15 days without contact)" }), None).await;
    assert_eq!(shown.expect(200).body["version"], in_chinese["version"]);
    assert_eq!(read_task(ZH).await.expect(200).body["title"], "跟进 Silent Co（15 天未联系）");
    // A person who rewrites the title makes it theirs: it reads as written in every language,
    // while the description the system wrote still follows the reader.
    app.patch(&task_path, &sales, json!({ "title": "回访 Silent Co 采购部" }), None).await.expect(200);
    let rewritten = read_task(EN).await.expect(200).body;
    assert_eq!(rewritten["title"], "回访 Silent Co 采购部");
    assert_eq!(rewritten["description"], "Follow up Silent Co: no interaction for 15 days (rule: prospect after 14 days).");
    assert_eq!(timeline(EN).await.expect(200).body["data"][0]["title"], "回访 Silent Co 采购部");
    // A new interaction starts a new silence, which gets its own task in time.
    app.post("/api/v1/interactions", &sales, json!({ "customer_id": prospect, "channel": "phone", "subject": "终于联系上" }))
        .await
        .expect(201);
    assert_eq!(rules::run_follow_up_rules(&app.app_db, now + Duration::days(10)).await.unwrap(), 0);
    assert_eq!(rules::run_follow_up_rules(&app.app_db, now + Duration::days(29)).await.unwrap(), 1);
    assert_eq!(rules::run_follow_up_rules(&app.app_db, now + Duration::days(29)).await.unwrap(), 0);
}

#[tokio::test]
async fn two_schedulers_racing_create_a_single_task() {
    let app = TestApp::spawn().await;
    let (_, sales) = app.user("s@example.com", "sales", &[]).await;
    for i in 0..5 {
        customer(&app, &sales, &format!("Silent {i}"), "prospect").await;
    }
    let at = Utc::now() + Duration::days(20);
    let (a, b) = tokio::join!(rules::run_follow_up_rules(&app.app_db, at), rules::run_follow_up_rules(&app.app_db, at));
    assert_eq!(a.unwrap() + b.unwrap(), 5);
    assert_eq!(app.count("tasks", None).await, 5);
    assert_eq!(app.count("events", Some(("event_type", "task.created"))).await, 5);
}

#[tokio::test]
async fn the_scheduler_lease_goes_to_one_holder_at_a_time() {
    use crm_persistence::activities::jobs::try_lease;
    let app = TestApp::spawn().await;
    let now = Utc::now();
    let ttl = Duration::seconds(60);
    assert!(try_lease(&app.app_db, "job", "a", now, ttl).await.unwrap());
    assert!(!try_lease(&app.app_db, "job", "b", now, ttl).await.unwrap());
    assert!(try_lease(&app.app_db, "job", "a", now + Duration::seconds(10), ttl).await.unwrap());
    assert!(try_lease(&app.app_db, "job", "b", now + Duration::seconds(200), ttl).await.unwrap());
}

#[tokio::test]
async fn administrators_manage_follow_up_rules() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, sales) = app.user("s@example.com", "sales", &[]).await;
    let defaults = app.get("/api/v1/follow-up-rules", &sales).await.expect(200).body;
    let mut stages: Vec<&str> = defaults["data"].as_array().unwrap().iter().map(|r| r["lifecycle_stage"].as_str().unwrap()).collect();
    stages.sort();
    assert_eq!(stages, ["customer", "potential", "prospect"]);
    app.post("/api/v1/follow-up-rules", &sales, json!({ "lifecycle_stage": "churned", "silent_days": 90, "due_in_days": 7 }))
        .await
        .problem(403);
    let mut fields = app
        .post("/api/v1/follow-up-rules", &admin, json!({ "lifecycle_stage": "gone", "silent_days": 0, "due_in_days": 999 }))
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["due_in_days", "lifecycle_stage", "silent_days"]);
    let rule = app
        .post("/api/v1/follow-up-rules", &admin, json!({ "lifecycle_stage": "churned", "silent_days": 90, "due_in_days": 7 }))
        .await
        .expect(201);
    let path = format!("/api/v1/follow-up-rules/{}", rule.id());
    app.patch(&path, &admin, json!({ "active": false }), Some("\"1\"")).await.expect(200);
    app.patch(&path, &admin, json!({ "active": true }), Some("\"1\"")).await.problem(412);
    app.delete(&path, &admin).await.expect(204);
    app.get(&path, &admin).await.problem(404);
}

#[tokio::test]
async fn the_timeline_shows_every_kind_newest_first_in_pages() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = customer(&app, &admin, "Story Co", "potential").await;
    app.post(&format!("/api/v1/customers/{id}/contacts"), &admin, json!({ "name": "李娜" })).await.expect(201);
    app.post("/api/v1/interactions", &admin, json!({ "customer_id": id, "channel": "meeting", "subject": "方案讨论" })).await.expect(201);
    app.post("/api/v1/tasks", &admin, json!({ "title": "准备合同", "customer_id": id, "related_type": "customer", "related_id": id }))
        .await
        .expect(201);
    app.patch(&format!("/api/v1/customers/{id}"), &admin, json!({ "lifecycle_stage": "prospect" }), None).await.expect(200);

    let page = app.get(&format!("/api/v1/customers/{id}/timeline"), &admin).await.expect(200).body;
    let kinds: Vec<&str> = page["data"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["stage_change", "task", "interaction", "contact", "stage_change"]);
    assert_eq!(page["data"][0]["summary"], json!({ "from_stage": "potential", "to_stage": "prospect" }));
    assert_eq!(page["data"][0]["actor_name"], "Administrator");
    assert_eq!(page["data"][2]["title"], "方案讨论");
    assert_eq!(page["data"][2]["summary"]["channel"], "meeting");

    let only = app.get(&format!("/api/v1/customers/{id}/timeline?kind=interaction,task"), &admin).await.expect(200).body;
    assert_eq!(only["data"].as_array().unwrap().len(), 2);
    let first = app.get(&format!("/api/v1/customers/{id}/timeline?limit=2"), &admin).await.expect(200).body;
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("/api/v1/customers/{id}/timeline?limit=10&cursor={cursor}"), &admin).await.expect(200).body;
    assert_eq!(rest["data"].as_array().unwrap().len(), 3);
    assert_eq!(rest["next_cursor"], Value::Null);
    app.get(&format!("/api/v1/customers/{id}/timeline?kind=weather"), &admin).await.problem(400);

    // Completing the task updates its item rather than adding one.
    let task = app.get("/api/v1/tasks?assignee_id=me", &admin).await.body["data"][0]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/tasks/{task}/complete"), &admin, json!({})).await.expect(200);
    let tasks = app.get(&format!("/api/v1/customers/{id}/timeline?kind=task"), &admin).await.body;
    assert_eq!(tasks["data"].as_array().unwrap().len(), 1);
    assert_eq!(tasks["data"][0]["summary"]["status"], "done");

    let (_, outsider) = app.user("o@example.com", "sales", &[]).await;
    app.get(&format!("/api/v1/customers/{id}/timeline"), &outsider).await.problem(404);
}
