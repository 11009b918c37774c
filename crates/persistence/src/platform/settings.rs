//! The organisation's settings: one JSON document per area (`service`, `requirements`, …), read
//! with defaults for what was never saved and changed like any record (version, audit, event).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use uuid::Uuid;

use crate::entities::settings;
use crate::platform::changes::{self, Change};
use crate::{Actor, Db, Error, Result, check_version, now};

/// A settings document with its version (0 while only defaults exist).
#[derive(Debug, Clone)]
pub struct Stored<T> {
    pub value: T,
    pub version: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Reads an area's settings; never saved means the type's defaults (and fields added later take
/// theirs through serde). A stored document that does not parse is an error, not the defaults:
/// silently reading it as defaults would apply settings nobody chose, and the next save would
/// overwrite what was stored.
#[tracing::instrument(skip_all)]
pub async fn read<T: DeserializeOwned + Default>(conn: &impl ConnectionTrait, key: &str) -> Result<Stored<T>> {
    Ok(match settings::Entity::find_by_id(key.to_owned()).one(conn).await? {
        Some(row) => {
            let value = serde_json::from_str(&row.value)
                .map_err(|e| Error::unexpected(sea_orm::DbErr::Custom(format!("settings {key}: unreadable stored document ({e})"))))?;
            Stored { value, version: row.version, updated_at: Some(row.updated_at) }
        }
        None => Stored { value: T::default(), version: 0, updated_at: None },
    })
}

/// Reads an area's settings outside a transaction.
#[tracing::instrument(skip_all)]
pub async fn get<T: DeserializeOwned + Default>(db: &Db, key: &str) -> Result<Stored<T>> {
    read(&db.conn, key).await
}

/// Saves an area's settings inside the caller's transaction, with its audit entry and a
/// `settings.changed` event. The caller checks who may do this.
#[tracing::instrument(skip_all)]
pub async fn write<T: Serialize + DeserializeOwned + Default>(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    key: &str,
    expected_version: Option<i32>,
    value: &T,
) -> Result<Stored<T>> {
    let before = settings::Entity::find_by_id(key.to_owned()).one(conn).await?;
    let current_version = before.as_ref().map_or(0, |row| row.version);
    check_version(expected_version, current_version)?;
    // Settings are plain values: one that does not serialise is a bug, not the client's doing.
    let text = serde_json::to_string(value)
        .map_err(|e| Error::unexpected(sea_orm::DbErr::Custom(format!("settings {key} cannot be stored: {e}"))))?;
    let at = now();
    let row = settings::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(text),
        updated_by: Set(actor.audit_id()),
        updated_at: Set(at),
        version: Set(current_version + 1),
    };
    match before {
        Some(ref old) => {
            // Only the writer that read this version may replace it.
            let updated = settings::Entity::update_many()
                .set(row)
                .filter(settings::Column::Key.eq(key))
                .filter(settings::Column::Version.eq(old.version))
                .exec(conn)
                .await?;
            if updated.rows_affected != 1 {
                return Err(Error::StaleVersion { current: current_version + 1 });
            }
        }
        None => {
            row.insert(conn).await?;
        }
    }
    let old: serde_json::Value = before.map(|b| serde_json::from_str(&b.value).unwrap_or_default()).unwrap_or_default();
    let new = serde_json::to_value(value).unwrap_or_default();
    let entity_id = settings_entity_id(key);
    let audit = json!({ "key": key, "old": old, "new": new.clone() });
    // Settings are one record per key, `{key, value}`, as the feed tells them.
    let (was, now_is) = (json!({ "key": key, "value": old }), json!({ "key": key, "value": new }));
    changes::record(conn, actor, Change::told("settings", entity_id, "update", "settings.changed", audit, Some(&was), &now_is)).await?;
    Ok(Stored { value: read::<T>(conn, key).await?.value, version: current_version + 1, updated_at: Some(at) })
}

/// Saves settings in their own transaction.
#[tracing::instrument(skip_all)]
pub async fn save<T: Serialize + DeserializeOwned + Default>(
    db: &Db,
    actor: &Actor,
    key: &str,
    expected_version: Option<i32>,
    value: &T,
) -> Result<Stored<T>> {
    let txn = db.begin_write().await?;
    let stored = write(&txn, actor, key, expected_version, value).await?;
    txn.commit().await?;
    Ok(stored)
}

/// Audit entries and events name a record by UUID; an area's settings get a stable one derived
/// from its key.
pub fn settings_entity_id(key: &str) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("crm.settings.{key}").as_bytes())
}

/// Customer service settings.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ServiceSettings {
    /// Tickets opened without a team or assignee (the portal's, among others) go to this team's
    /// support agents in turn.
    pub default_team_id: Option<Uuid>,
}

pub const SERVICE: &str = "service";
