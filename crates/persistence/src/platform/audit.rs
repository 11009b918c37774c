//! The append-only audit log: who changed what, old → new, from which request.

use std::collections::HashMap;

use sea_orm::sea_query::ExprTrait;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::entities::{audit_log, users};
use crate::pagination::{Cursor, clamp_limit};
use crate::{Actor, Db, Page, PageRequest, Result, now};

/// Writes one audit entry inside the caller's transaction.
#[tracing::instrument(skip_all)]
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: Uuid,
    changes: Value,
) -> Result<()> {
    entry(actor, action, entity_type, entity_id, changes).insert(conn).await?;
    Ok(())
}

/// The row of one audit entry, for [`record`] or for a batch writing many at once.
pub(crate) fn entry(actor: &Actor, action: &str, entity_type: &str, entity_id: Uuid, changes: Value) -> audit_log::ActiveModel {
    // A customer's change through the portal names their portal account in the entry, and an
    // integration's change the API key it used, and an import's change the import.
    let via = [("portal_account_id", actor.portal_account_id), ("api_key_id", actor.api_key_id), ("import_id", actor.import_id)];
    let changes = match changes {
        Value::Object(mut map) => {
            for (field, id) in via {
                if let Some(id) = id {
                    map.insert(field.into(), Value::String(id.to_string()));
                }
            }
            Value::Object(map)
        }
        other => other,
    };
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(actor.audit_id()),
        action: Set(action.to_owned()),
        entity_type: Set(entity_type.to_owned()),
        entity_id: Set(entity_id),
        changes: Set(changes.to_string()),
        request_id: Set(actor.request_id.clone()),
        ip: Set(actor.ip.clone()),
        created_at: Set(now()),
    }
}

/// One audit entry as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub changes: Value,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    /// `create`, `update`, `delete`, `use`, …
    pub action: Option<String>,
    /// When the entries were written, `[from, to)`.
    pub written: crate::query::UpdatedWindow,
}

/// The audit log newest first, for callers allowed to read it (checked by the caller's role).
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, filter: &AuditFilter, page: &PageRequest) -> Result<Page<AuditEntry>> {
    actor.require(crm_domain::identity::Resource::Audit, crm_domain::identity::Action::Read)?;
    const SORT: &str = "-created_at";
    let mut condition = Condition::all();
    if let Some(entity_type) = &filter.entity_type {
        condition = condition.add(audit_log::Column::EntityType.eq(entity_type.clone()));
    }
    if let Some(entity_id) = filter.entity_id {
        condition = condition.add(audit_log::Column::EntityId.eq(entity_id));
    }
    if let Some(actor_id) = filter.actor_id {
        condition = condition.add(audit_log::Column::ActorId.eq(actor_id));
    }
    if let Some(action) = &filter.action {
        condition = condition.add(audit_log::Column::Action.eq(action.clone()));
    }
    condition = condition.add(filter.written.on(audit_log::Column::CreatedAt));
    let total = if page.include_total { Some(audit_log::Entity::find().filter(condition.clone()).count(&db.conn).await?) } else { None };
    if let Some(text) = &page.cursor {
        let cursor = Cursor::decode(text, SORT)?;
        let at = cursor.time()?;
        condition = condition.add(
            Condition::any()
                .add(audit_log::Column::CreatedAt.lt(at))
                .add(Condition::all().add(audit_log::Column::CreatedAt.eq(at)).add(audit_log::Column::Id.lt(cursor.id))),
        );
    }
    let limit = clamp_limit(page.limit);
    let mut rows = audit_log::Entity::find()
        .filter(condition)
        .order_by_desc(audit_log::Column::CreatedAt)
        .order_by_desc(audit_log::Column::Id)
        .limit(limit + 1)
        .all(&db.conn)
        .await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|last| Cursor { sort: SORT.into(), value: serde_json::json!(last.created_at), id: last.id }.encode())
    } else {
        None
    };
    let actor_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.actor_id).collect();
    let names = user_names(&db.conn, &actor_ids).await?;
    let sealer = db.sealer().await?;
    let data = rows
        .into_iter()
        .map(|row| {
            let mut changes = serde_json::from_str(&row.changes).unwrap_or(Value::Null);
            sealer.open_document(&row.entity_type, row.entity_id, &mut changes)?;
            Ok(AuditEntry {
                id: row.id,
                actor_name: row.actor_id.and_then(|id| names.get(&id).cloned()),
                actor_id: row.actor_id,
                action: row.action,
                entity_type: row.entity_type,
                entity_id: row.entity_id,
                changes,
                request_id: row.request_id,
                ip: row.ip,
                created_at: row.created_at,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Page { data, next_cursor, total })
}

/// The `name` column of the rows of `E` with the given ids (unknown ids are absent).
async fn names_by_id<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    id: E::Column,
    name: E::Column,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    let rows: Vec<(Uuid, String)> =
        E::find().select_only().column(id).column(name).filter(Expr::col(id).is_in(unique)).into_tuple().all(conn).await?;
    Ok(rows.into_iter().collect())
}

/// Display names of the given users, for lists that show who did something.
pub(crate) async fn user_names(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, String>> {
    names_by_id::<users::Entity>(conn, users::Column::Id, users::Column::DisplayName, ids).await
}

/// Names of the given customers, for records that show whose they are.
pub(crate) async fn customer_names(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, String>> {
    use crate::entities::customers;
    names_by_id::<customers::Entity>(conn, customers::Column::Id, customers::Column::Name, ids).await
}

/// Names of the given contacts (deleted ones too), for records that name whom they concern.
pub(crate) async fn contact_names(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, String>> {
    use crate::entities::contacts;
    names_by_id::<contacts::Entity>(conn, contacts::Column::Id, contacts::Column::Name, ids).await
}

/// Names of the given teams, for records that show which team they belong to.
pub(crate) async fn team_names(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, String>> {
    use crate::entities::teams;
    names_by_id::<teams::Entity>(conn, teams::Column::Id, teams::Column::Name, ids).await
}
