//! In-app notifications: each belongs to one user, who alone reads and clears them.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::Lang;
use crm_domain::activities::NotificationKind;
use crm_domain::written::{SystemText, Wording};

use crate::entities::{notifications, tasks, users};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::{Actor, Db, Error, Page, PageRequest, Result, now, stored, stored_optional_wording, stored_wording};

#[derive(Debug, Clone, Serialize)]
pub struct NotificationRecord {
    pub id: Uuid,
    pub kind: NotificationKind,
    /// The system's words, worded when read; notifications written before they were stored as
    /// codes read as they were written.
    pub title: Wording,
    pub body: Option<Wording>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<notifications::Model> for NotificationRecord {
    type Error = Error;

    fn try_from(n: notifications::Model) -> Result<Self> {
        Ok(Self {
            id: n.id,
            kind: stored("notifications.kind", n.id, &n.kind, NotificationKind::parse)?,
            title: stored_wording("notifications.title_message", n.id, n.title_message.as_deref(), n.title),
            body: stored_optional_wording("notifications.body_message", n.id, n.body_message.as_deref(), n.body),
            entity_type: n.entity_type,
            entity_id: n.entity_id,
            read_at: n.read_at,
            created_at: n.created_at,
        })
    }
}

/// The language a user reads what the system writes for them in: their profile's locale.
pub(crate) async fn language_of(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<Lang> {
    Ok(users::Entity::find_by_id(user_id).one(conn).await?.map(|user| Lang::from_tag(&user.locale)).unwrap_or_default())
}

/// Notifies a user, inside the caller's transaction. The title and a system-written body are
/// stored as codes and worded when read; the words are also kept as the recipient reads them
/// today, for clients that read the table directly and for a code a later version retires.
pub(crate) async fn notify(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    kind: NotificationKind,
    title: SystemText,
    body: Option<Wording>,
    entity_type: &str,
    entity_id: Uuid,
) -> Result<()> {
    let lang = language_of(conn, user_id).await?;
    let body_message = match &body {
        Some(Wording::System(text)) => Some(text.to_stored()),
        _ => None,
    };
    let body = body.map(|body| body.render(lang));
    notifications::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        kind: Set(kind.as_str().to_owned()),
        title: Set(title.render(lang).chars().take(300).collect()),
        title_message: Set(Some(title.to_stored())),
        body: Set(body.map(|b| b.chars().take(2000).collect())),
        body_message: Set(body_message),
        entity_type: Set(Some(entity_type.to_owned())),
        entity_id: Set(Some(entity_id)),
        read_at: Set(None),
        created_at: Set(now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, unread_only: bool, page: &PageRequest) -> Result<Page<NotificationRecord>> {
    let sort = Sort { key: "-created_at", column: notifications::Column::CreatedAt, descending: true, value: SortValue::Time };
    let mut select = notifications::Entity::find().filter(notifications::Column::UserId.eq(actor.user_id));
    if unread_only {
        select = select.filter(notifications::Column::ReadAt.is_null());
    }
    let page = fetch_page(&db.conn, select, &sort, notifications::Column::Id, page, |n| (json!(n.created_at), n.id)).await?;
    page.try_map(NotificationRecord::try_from)
}

#[tracing::instrument(skip_all)]
pub async fn unread_count(db: &Db, actor: &Actor) -> Result<u64> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(actor.user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .count(&db.conn)
        .await?)
}

#[tracing::instrument(skip_all)]
pub async fn mark_read(db: &Db, actor: &Actor, id: Uuid) -> Result<NotificationRecord> {
    let row = notifications::Entity::find_by_id(id)
        .filter(notifications::Column::UserId.eq(actor.user_id))
        .one(&db.conn)
        .await?
        .ok_or(Error::NotFound)?;
    if row.read_at.is_some() {
        return row.try_into();
    }
    let mut model: notifications::ActiveModel = row.into();
    model.read_at = Set(Some(now()));
    model.update(&db.conn).await?.try_into()
}

#[tracing::instrument(skip_all)]
pub async fn mark_all_read(db: &Db, actor: &Actor) -> Result<u64> {
    let result = notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(now()))
        .filter(notifications::Column::UserId.eq(actor.user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(&db.conn)
        .await?;
    Ok(result.rows_affected)
}

/// Sends reminders that fell due by `at`: `task_due` when a task's reminder time passes,
/// `task_overdue` when its due time passes. Each task is claimed by an update that only one
/// scheduler can win, in the transaction that writes the notification, so none is sent twice.
#[tracing::instrument(skip_all)]
pub async fn send_task_reminders(db: &Db, at: DateTime<Utc>) -> Result<u64> {
    let due = remind(db, at, tasks::Column::RemindAt, tasks::Column::DueNotifiedAt, NotificationKind::TaskDue).await?;
    let overdue = remind(db, at, tasks::Column::DueAt, tasks::Column::OverdueNotifiedAt, NotificationKind::TaskOverdue).await?;
    Ok(due + overdue)
}

/// Notifies the assignees of open tasks whose `time` has passed and whose `claim` is still empty.
async fn remind(db: &Db, at: DateTime<Utc>, time: tasks::Column, claim: tasks::Column, kind: NotificationKind) -> Result<u64> {
    let pending = tasks::Entity::find()
        .filter(tasks::Column::Status.eq("open"))
        .filter(tasks::Column::DeletedAt.is_null())
        .filter(time.lte(at))
        .filter(claim.is_null())
        .all(&db.conn)
        .await?;
    let mut sent = 0;
    for task in pending {
        let txn = db.begin_write().await?;
        let claimed = tasks::Entity::update_many()
            .col_expr(claim, Expr::value(at))
            .filter(tasks::Column::Id.eq(task.id))
            .filter(claim.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 1 {
            let (title, description) = task_wording(&task);
            let title = match kind {
                NotificationKind::TaskOverdue => SystemText::TaskOverdue { task: Box::new(title) },
                _ => SystemText::TaskDue { task: Box::new(title) },
            };
            notify(&txn, task.assignee_id, kind, title, description, "task", task.id).await?;
            sent += 1;
        }
        txn.commit().await?;
    }
    Ok(sent)
}

/// A task's title and description as stored: the system's words where a rule wrote them.
fn task_wording(task: &tasks::Model) -> (Wording, Option<Wording>) {
    let title = stored_wording("tasks.title_message", task.id, task.title_message.as_deref(), task.title.clone());
    let description =
        stored_optional_wording("tasks.description_message", task.id, task.description_message.as_deref(), task.description.clone());
    (title, description)
}
