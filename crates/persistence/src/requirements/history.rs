//! A requirement's status history and its field revisions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::identity::Action;
use crm_domain::requirements::RequirementStatus;

use crate::entities::{requirement_history, requirement_revisions};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::audit;
use crate::{Actor, Db, Page, PageRequest, Result, stored, stored_json};

use super::load;

#[derive(Debug, Clone, Serialize)]
pub struct HistoryRecord {
    pub id: Uuid,
    pub from_status: Option<RequirementStatus>,
    pub to_status: RequirementStatus,
    pub reason: Option<String>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all)]
pub async fn history(db: &Db, actor: &Actor, id: Uuid) -> Result<Vec<HistoryRecord>> {
    load(&db.conn, actor, Action::Read, id).await?;
    history_of(&db.conn, &[id]).await.map(|mut h| h.remove(&id).unwrap_or_default())
}

pub(super) async fn history_of(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<HistoryRecord>>> {
    let rows = requirement_history::Entity::find()
        .filter(requirement_history::Column::RequirementId.is_in(ids.to_vec()))
        .order_by_asc(requirement_history::Column::ChangedAt)
        .order_by_asc(requirement_history::Column::Id)
        .all(conn)
        .await?;
    let names = audit::user_names(conn, &rows.iter().filter_map(|r| r.actor_id).collect::<Vec<_>>()).await?;
    let mut out: HashMap<Uuid, Vec<HistoryRecord>> = HashMap::new();
    for h in rows {
        out.entry(h.requirement_id).or_default().push(HistoryRecord {
            id: h.id,
            from_status: h
                .from_status
                .as_deref()
                .map(|s| stored("requirement_history.from_status", h.id, s, RequirementStatus::parse))
                .transpose()?,
            to_status: stored("requirement_history.to_status", h.id, &h.to_status, RequirementStatus::parse)?,
            reason: h.reason,
            actor_name: h.actor_id.and_then(|a| names.get(&a).cloned()),
            actor_id: h.actor_id,
            changed_at: h.changed_at,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionRecord {
    pub revision: i32,
    /// `{field: {old, new}}`, or what a merge or creation did.
    pub changes: Value,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Every change of a requirement, newest first.
#[tracing::instrument(skip_all)]
pub async fn revisions(db: &Db, actor: &Actor, id: Uuid, page: &PageRequest) -> Result<Page<RevisionRecord>> {
    load(&db.conn, actor, Action::Read, id).await?;
    let sort = Sort { key: "-created_at", column: requirement_revisions::Column::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(
        &db.conn,
        requirement_revisions::Entity::find().filter(requirement_revisions::Column::RequirementId.eq(id)),
        &sort,
        requirement_revisions::Column::Id,
        page,
        |r| (json!(r.created_at), r.id),
    )
    .await?;
    let names = audit::user_names(&db.conn, &page.data.iter().filter_map(|r| r.actor_id).collect::<Vec<_>>()).await?;
    page.try_map(|r| {
        Ok(RevisionRecord {
            revision: r.revision,
            changes: stored_json("requirement_revisions.changes", r.id, &r.changes)?,
            actor_name: r.actor_id.and_then(|a| names.get(&a).cloned()),
            actor_id: r.actor_id,
            created_at: r.created_at,
        })
    })
}
