//! Tasks and reminders (跟进提醒). A task belongs to its assignee (and the assignee's team), so
//! scopes reach tasks by assignee; whoever created a task can always see and change it.

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::activities::{NotificationKind, RelatedType, TaskFields, TaskPatch, TaskPriority, TaskStatus, TimelineKind};
use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::written::{SystemText, Wording};
use crm_domain::{Check, text};

use super::notifications;
use super::timeline::{self, NewItem};
use crate::customers::load_for;
use crate::entities::{tasks, users};
use crate::identity::teams::primary_team;
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::platform::changes::{self, Change, Versioned, move_to_bin, save_next_version, save_next_version_at};
use crate::query::{UpdatedWindow, contains_text, within_window};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, no_active_user, now, stored, stored_system_text};

const ENTITY: &str = "task";

/// Where undated tasks sort: after every dated one.
pub fn far_future() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).single().unwrap_or_else(Utc::now)
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskRecord {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: TaskFields,
    pub status: TaskStatus,
    /// Open and past its due time when the record was read (derived, as its `GET` shows it).
    pub overdue: bool,
    pub assignee_name: Option<String>,
    pub customer_name: Option<String>,
    pub rule_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub completed_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// The system's title when a rule wrote it, worded per reader; `fields.title` is how its
    /// assignee read it. Events and the audit log carry the latter.
    #[serde(skip)]
    pub title_text: Option<SystemText>,
    #[serde(skip)]
    pub description_text: Option<SystemText>,
}

impl TaskRecord {
    /// The title as stored: the system's or the person's who wrote it.
    pub fn title_wording(&self) -> Wording {
        match &self.title_text {
            Some(text) => Wording::System(text.clone()),
            None => Wording::Person(self.fields.title.clone()),
        }
    }

    /// The description as stored, if any.
    pub fn description_wording(&self) -> Option<Wording> {
        match &self.description_text {
            Some(text) => Some(Wording::System(text.clone())),
            None => self.fields.description.clone().map(Wording::Person),
        }
    }
}

/// A task a follow-up rule writes: which rule, the key that makes a second run write nothing,
/// and the title and description in the system's words.
pub(crate) struct RuleTask {
    pub rule_id: Uuid,
    pub dedupe_key: String,
    pub title: SystemText,
    pub description: SystemText,
}

/// What a task list asks for. The API turns views (overdue, today, upcoming) into these bounds.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub assignee_id: Option<Uuid>,
    pub statuses: Vec<TaskStatus>,
    pub customer_id: Option<Uuid>,
    pub due_from: Option<DateTime<Utc>>,
    pub due_before: Option<DateTime<Utc>>,
    pub updated: UpdatedWindow,
    pub q: Option<String>,
    pub sort: Option<String>,
}

fn fields_of(row: &tasks::Model) -> Result<TaskFields> {
    Ok(TaskFields {
        title: row.title.clone(),
        description: row.description.clone(),
        due_at: row.due_at,
        remind_at: row.remind_at,
        priority: stored("tasks.priority", row.id, &row.priority, TaskPriority::parse)?,
        assignee_id: row.assignee_id,
        customer_id: row.customer_id,
        related_type: row.related_type.as_deref().map(|t| stored("tasks.related_type", row.id, t, RelatedType::parse)).transpose()?,
        related_id: row.related_id,
    })
}

fn write_fields(model: &mut tasks::ActiveModel, f: &TaskFields) {
    model.title = Set(f.title.clone());
    model.description = Set(f.description.clone());
    model.due_at = Set(f.due_at);
    model.due_sort = Set(f.due_at.unwrap_or_else(far_future));
    model.remind_at = Set(f.remind_at);
    model.priority = Set(f.priority.as_str().to_owned());
    model.assignee_id = Set(f.assignee_id);
    model.customer_id = Set(f.customer_id);
    model.related_type = Set(f.related_type.map(|t| t.as_str().to_owned()));
    model.related_id = Set(f.related_id);
    model.search_text =
        Set([Some(f.title.as_str()), f.description.as_deref()].iter().flatten().map(|t| t.to_lowercase()).collect::<Vec<_>>().join(" "));
}

pub(crate) async fn to_records(conn: &impl ConnectionTrait, rows: Vec<tasks::Model>) -> Result<Vec<TaskRecord>> {
    let mut people: Vec<Uuid> = rows.iter().map(|r| r.assignee_id).collect();
    people.extend(rows.iter().filter_map(|r| r.completed_by));
    let names = crate::platform::audit::user_names(conn, &people).await?;
    let customer_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.customer_id).collect();
    let customer_names = crate::platform::audit::customer_names(conn, &customer_ids).await?;
    let at = now();
    rows.into_iter()
        .map(|row| {
            let status = stored("tasks.status", row.id, &row.status, TaskStatus::parse)?;
            Ok(TaskRecord {
                id: row.id,
                fields: fields_of(&row)?,
                overdue: status == TaskStatus::Open && row.due_at.is_some_and(|due| due < at),
                status,
                assignee_name: names.get(&row.assignee_id).cloned(),
                customer_name: row.customer_id.and_then(|c| customer_names.get(&c).cloned()),
                rule_id: row.rule_id,
                created_by: row.created_by,
                completed_at: row.completed_at,
                completed_by: row.completed_by,
                completed_by_name: row.completed_by.and_then(|u| names.get(&u).cloned()),
                created_at: row.created_at,
                updated_at: row.updated_at,
                version: row.version,
                title_text: stored_system_text("tasks.title_message", row.id, row.title_message.as_deref()),
                description_text: stored_system_text("tasks.description_message", row.id, row.description_message.as_deref()),
            })
        })
        .collect()
}

async fn to_record(conn: &impl ConnectionTrait, row: tasks::Model) -> Result<TaskRecord> {
    to_records(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

pub(crate) fn read_condition(actor: &Actor, scope: Scope) -> Condition {
    Condition::any()
        .add(actor.scope_condition(scope, (tasks::Entity, tasks::Column::AssigneeId), (tasks::Entity, tasks::Column::TeamId)))
        .add(tasks::Column::CreatedBy.eq(actor.user_id))
}

fn may_not_assign() -> Error {
    Error::Forbidden(text!("your role may not assign tasks to this user", "您的角色无权给该用户分配任务"))
}

/// Tells an assignee about a task given to them.
async fn notify_assigned(conn: &impl ConnectionTrait, task: &TaskRecord) -> Result<()> {
    let title = SystemText::TaskAssigned { task: Box::new(task.title_wording()) };
    let assignee = task.fields.assignee_id;
    notifications::notify(conn, assignee, NotificationKind::TaskAssigned, title, task.description_wording(), ENTITY, task.id).await
}

async fn check_assignee(conn: &impl ConnectionTrait, assignee_id: Uuid) -> Result<()> {
    match users::Entity::find_by_id(assignee_id).one(conn).await? {
        Some(user) if user.active => Ok(()),
        _ => Err(no_active_user("assignee_id")),
    }
}

/// Puts the task on its customer's timeline (tasks without a customer have none).
async fn put_on_timeline(conn: &impl ConnectionTrait, actor: &Actor, record: &TaskRecord) -> Result<()> {
    let Some(customer_id) = record.fields.customer_id else { return Ok(()) };
    let mut summary = json!({ "status": record.status, "due_at": record.fields.due_at, "priority": record.fields.priority,
        "assignee_id": record.fields.assignee_id, "assignee_name": record.assignee_name, "completed_at": record.completed_at });
    // A rule's title travels as its code, for the timeline to word it for each reader.
    if let (Some(text), Value::Object(summary)) = (&record.title_text, &mut summary) {
        summary.insert(timeline::TITLE_MESSAGE.to_owned(), text.to_value());
    }
    timeline::upsert(
        conn,
        actor,
        NewItem {
            customer_id,
            kind: TimelineKind::Task.as_str(),
            occurred_at: record.created_at,
            entity_type: ENTITY,
            entity_id: record.id,
            title: &record.fields.title,
            summary,
        },
    )
    .await
}

/// Inserts a task with its audit entry, event, timeline item and assignment notification, inside
/// the caller's transaction. A rule's task has a dedupe key that makes a second insert of it a
/// no-op: returns `None` then.
pub(crate) async fn insert(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    fields: &TaskFields,
    by_rule: Option<RuleTask>,
) -> Result<Option<TaskRecord>> {
    let dedupe_key = by_rule.as_ref().map(|task| task.dedupe_key.clone());
    let at = now();
    let id = Uuid::now_v7();
    let mut model = tasks::ActiveModel {
        id: Set(id),
        status: Set(TaskStatus::Open.as_str().to_owned()),
        team_id: Set(primary_team(conn, fields.assignee_id).await?),
        rule_id: Set(by_rule.as_ref().map(|task| task.rule_id)),
        title_message: Set(by_rule.as_ref().map(|task| task.title.to_stored())),
        description_message: Set(by_rule.as_ref().map(|task| task.description.to_stored())),
        dedupe_key: Set(dedupe_key.clone()),
        created_by: Set(actor.audit_id()),
        completed_at: Set(None),
        completed_by: Set(None),
        due_notified_at: Set(None),
        overdue_notified_at: Set(None),
        ..Default::default()
    };
    model.stamp_first_version(at);
    write_fields(&mut model, fields);
    if dedupe_key.is_some() {
        // Two schedulers racing for the same silence: the unique key lets exactly one insert win.
        let inserted = tasks::Entity::insert(model)
            .on_conflict(sea_orm::sea_query::OnConflict::column(tasks::Column::DedupeKey).do_nothing().to_owned())
            .exec_without_returning(conn)
            .await?;
        if inserted == 0 {
            return Ok(None);
        }
    } else {
        model.insert(conn).await?;
    }
    let record = to_record(conn, tasks::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)?).await?;
    put_on_timeline(conn, actor, &record).await?;
    if actor.audit_id() != Some(fields.assignee_id) {
        notify_assigned(conn, &record).await?;
    }
    changes::record(conn, actor, Change::created(ENTITY, id, &record)).await?;
    Ok(Some(record))
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, fields: TaskFields) -> Result<TaskRecord> {
    let scope = actor.require(Resource::Activities, Action::Create)?;
    let txn = db.begin_write().await?;
    check_assignee(&txn, fields.assignee_id).await?;
    if let Some(customer_id) = fields.customer_id {
        load_for(&txn, actor, Resource::Activities, Action::Read, customer_id, false).await?;
    }
    match (fields.related_type, fields.related_id) {
        // The related record must exist, be readable and, with a customer, be that customer's.
        (Some(kind), Some(id)) => {
            crate::visibility::check_reference(&txn, actor, kind.as_str(), "related_id", id, fields.customer_id).await?
        }
        (None, None) => {}
        _ => {
            return Err(Error::validation(
                "related_id",
                "required",
                text!("related_type and related_id are given together", "关联类型与关联记录须同时填写"),
            ));
        }
    }
    let team = primary_team(&txn, fields.assignee_id).await?;
    if !actor.reaches(scope, fields.assignee_id, team) {
        return Err(may_not_assign());
    }
    let record = insert(&txn, actor, &fields, None).await?.ok_or(Error::NotFound)?;
    txn.commit().await?;
    Ok(record)
}

async fn load(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid) -> Result<tasks::Model> {
    let read = actor.require(Resource::Activities, Action::Read)?;
    let row = tasks::Entity::find_by_id(id)
        .filter(tasks::Column::DeletedAt.is_null())
        .filter(read_condition(actor, read))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    // Whoever created a task may change it, whatever their scope.
    if row.created_by != Some(actor.user_id) {
        actor.require_reach_to_change(Resource::Activities, action, row.assignee_id, row.team_id, || {
            text!("your role may not change this task", "您的角色无权修改此任务")
        })?;
    }
    Ok(row)
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<TaskRecord> {
    let row = load(&db.conn, actor, Action::Read, id).await?;
    to_record(&db.conn, row).await
}

async fn finish_change(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    before: TaskRecord,
    row: tasks::Model,
    event: &str,
) -> Result<TaskRecord> {
    let after = to_record(conn, row).await?;
    put_on_timeline(conn, actor, &after).await?;
    let change =
        Change::updated(ENTITY, after.id, &before, &after).leaving_out(&["assignee_name", "completed_by_name", "customer_name", "overdue"]);
    changes::record(conn, actor, change.told_as(event)).await?;
    Ok(after)
}

#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, mut patch: TaskPatch) -> Result<TaskRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    // A client that sends back a rule's title or description as it was shown (in either
    // language) has not rewritten it: the system's words stay, worded for each reader.
    if let Some(title) = stored_system_text("tasks.title_message", row.id, row.title_message.as_deref())
        && patch.title.as_deref().is_some_and(|words| title.reads_as(words))
    {
        patch.title = None;
    }
    if let Some(description) = stored_system_text("tasks.description_message", row.id, row.description_message.as_deref())
        && patch.description.as_ref().is_some_and(|words| words.as_deref().is_some_and(|words| description.reads_as(words)))
    {
        patch.description = None;
    }
    let current = fields_of(&row)?;
    let next = patch.apply(&current);
    // The rule a new task meets holds for the task as changed: moving either time may break it.
    let mut check = Check::default();
    check.reminder_before_due(next.remind_at, next.due_at);
    check.finish()?;
    let before = to_record(&txn, row.clone()).await?;
    if next == current {
        txn.commit().await?;
        return Ok(before);
    }
    let reassigned = next.assignee_id != current.assignee_id;
    let mut model: tasks::ActiveModel = row.clone().into();
    if reassigned {
        check_assignee(&txn, next.assignee_id).await?;
        let team = primary_team(&txn, next.assignee_id).await?;
        let scope = actor.require(Resource::Activities, Action::Update)?;
        if !actor.reaches(scope, next.assignee_id, team) {
            return Err(may_not_assign());
        }
        model.team_id = Set(team);
    }
    write_fields(&mut model, &next);
    // A person who rewrites the system's words makes them theirs.
    if next.title != current.title {
        model.title_message = Set(None);
    }
    if next.description != current.description {
        model.description_message = Set(None);
    }
    // A new due or reminder time deserves a new reminder.
    if next.due_at != current.due_at {
        model.overdue_notified_at = Set(None);
    }
    if next.remind_at != current.remind_at {
        model.due_notified_at = Set(None);
    }
    let updated = save_next_version(&txn, model).await?;
    let after = finish_change(&txn, actor, before, updated, "task.updated").await?;
    if reassigned && actor.audit_id() != Some(next.assignee_id) {
        notify_assigned(&txn, &after).await?;
    }
    txn.commit().await?;
    Ok(after)
}

/// Moves a task to `done`, `cancelled` or back to `open`; completing records who and when.
#[tracing::instrument(skip_all)]
pub async fn transition(db: &Db, actor: &Actor, id: Uuid, next: TaskStatus) -> Result<TaskRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    let current = stored("tasks.status", row.id, &row.status, TaskStatus::parse)?;
    if !current.can_move_to(next) {
        let (from_zh, to_zh) = (current.label_zh(), next.label_zh());
        return Err(Error::conflict(
            "task.invalid_transition",
            text!("a task that is {current} cannot become {next}", "任务当前为“{from_zh}”，不能改为“{to_zh}”"),
        ));
    }
    let before = to_record(&txn, row.clone()).await?;
    let at = now();
    let mut model: tasks::ActiveModel = row.clone().into();
    model.status = Set(next.as_str().to_owned());
    let (completed_at, completed_by) = if next == TaskStatus::Done { (Some(at), actor.audit_id()) } else { (None, None) };
    model.completed_at = Set(completed_at);
    model.completed_by = Set(completed_by);
    let updated = save_next_version_at(&txn, model, at).await?;
    let event = match next {
        TaskStatus::Done => "task.completed",
        TaskStatus::Cancelled => "task.cancelled",
        TaskStatus::Open => "task.reopened",
    };
    let after = finish_change(&txn, actor, before, updated, event).await?;
    txn.commit().await?;
    Ok(after)
}

#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Delete, id).await?;
    check_version(expected_version, row.version)?;
    let before = to_record(&txn, row.clone()).await?;
    move_to_bin(&txn, actor, ENTITY, id, tasks::ActiveModel::from(row), &before).await?;
    timeline::remove(&txn, ENTITY, id, TimelineKind::Task.as_str()).await?;
    txn.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &TaskFilter, page: &PageRequest) -> Result<Page<TaskRecord>> {
    let scope = actor.require(Resource::Activities, Action::Read)?;
    use tasks::Column as C;
    let sorts = [
        Sort { key: "due_at", column: C::DueSort, descending: false, value: SortValue::Time },
        Sort { key: "-updated_at", column: C::UpdatedAt, descending: true, value: SortValue::Time },
        Sort { key: "updated_at", column: C::UpdatedAt, descending: false, value: SortValue::Time },
    ];
    let sort = pick_sort(&sorts, filter.sort.as_deref())?;
    let mut select = tasks::Entity::find().filter(C::DeletedAt.is_null()).filter(read_condition(actor, scope));
    if let Some(assignee) = filter.assignee_id {
        select = select.filter(C::AssigneeId.eq(assignee));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(customer_id) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(customer_id));
    }
    select = select.filter(within_window(C::DueSort, filter.due_from, filter.due_before));
    select = select.filter(filter.updated.on(C::UpdatedAt));
    select = select.filter(contains_text(C::SearchText, filter.q.as_deref()));
    let page = fetch_page(&db.conn, select, sort, C::Id, page, |row| {
        let value = if matches!(sort.column, C::UpdatedAt) { json!(row.updated_at) } else { json!(row.due_sort) };
        (value, row.id)
    })
    .await?;
    Ok(Page { data: to_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}
