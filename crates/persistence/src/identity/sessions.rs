//! The sessions people are signed in with, as they see and end them: each user their own (a
//! browser left signed in elsewhere), administrators anyone's (a lost laptop, a leaver). Ending
//! one holds from the next request on every instance, as signing out does: every request reads
//! its session.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::entities::{refresh_tokens, sessions};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::{Actor, Db, Error, Page, PageRequest, Result, now};

/// The audit entry's kind of record: ending a session is something done to its user.
const USER_ENTITY: &str = "user";

/// A live session as its user or an administrator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    /// When it was signed in.
    pub created_at: DateTime<Utc>,
    /// When it was last used to get a new access token (every quarter hour of activity), or
    /// signed in if never since.
    pub last_active_at: DateTime<Utc>,
    /// When it ends: a fixed time after sign-in, however much it is used.
    pub expires_at: DateTime<Utc>,
    /// The address and browser it was signed in from.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A user's own sessions are theirs to see and end; anyone else's are for administrators. Either
/// way in person: an API key has no sessions, and even an administrator's reaches no one's.
fn require_reach(actor: &Actor, user_id: Uuid) -> Result<()> {
    actor.require_in_person()?;
    if actor.user_id == user_id { Ok(()) } else { actor.require_admin() }
}

/// The live sessions of `user_id`, newest first.
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, user_id: Uuid, page: &PageRequest) -> Result<Page<SessionRecord>> {
    require_reach(actor, user_id)?;
    let live = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(sessions::Column::ExpiresAt.gt(now()));
    let sort = Sort { key: "-created_at", column: sessions::Column::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(&db.conn, live, &sort, sessions::Column::Id, page, |s| (json!(s.created_at), s.id)).await?;
    let ids: Vec<Uuid> = page.data.iter().map(|s| s.id).collect();
    let refreshed: HashMap<Uuid, DateTime<Utc>> = if ids.is_empty() {
        HashMap::new()
    } else {
        refresh_tokens::Entity::find()
            .select_only()
            .column(refresh_tokens::Column::SessionId)
            .column_as(refresh_tokens::Column::CreatedAt.max(), "last_refreshed_at")
            .filter(refresh_tokens::Column::SessionId.is_in(ids))
            .group_by(refresh_tokens::Column::SessionId)
            .into_tuple::<(Uuid, DateTime<Utc>)>()
            .all(&db.conn)
            .await?
            .into_iter()
            .collect()
    };
    let data = page
        .data
        .into_iter()
        .map(|s| SessionRecord {
            id: s.id,
            user_id: s.user_id,
            created_at: s.created_at,
            last_active_at: refreshed.get(&s.id).copied().map_or(s.created_at, |at| at.max(s.created_at)),
            expires_at: s.expires_at,
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect();
    Ok(Page { data, next_cursor: page.next_cursor, total: page.total })
}

/// Ends one live session of `user_id` at once, audited against the user. A session that is not
/// the user's, or has ended already, is not found.
#[tracing::instrument(skip_all)]
pub async fn end(db: &Db, actor: &Actor, user_id: Uuid, session_id: Uuid) -> Result<()> {
    require_reach(actor, user_id)?;
    let txn = db.begin_write().await?;
    let reason = if actor.user_id == user_id { "ended by its user" } else { "ended by an administrator" };
    let ended = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now()))
        .col_expr(sessions::Column::RevokedReason, Expr::value(reason))
        .filter(sessions::Column::Id.eq(session_id))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(sessions::Column::ExpiresAt.gt(now()))
        .exec(&txn)
        .await?;
    if ended.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    crate::platform::audit::record(&txn, actor, "end_session", USER_ENTITY, user_id, json!({ "session_id": session_id })).await?;
    txn.commit().await?;
    Ok(())
}
