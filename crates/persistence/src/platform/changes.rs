//! The one write path: a change to a record moves its version and `updated_at`, and writes its
//! audit entry and its event, all inside the caller's transaction. Nothing writes one without
//! the others, so the audit log, the change feed and `If-Match` always agree.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{audit, events};
use crate::{Actor, Result, now};

/// What happened to one record, as the audit log and the change feed both tell it.
#[derive(Debug, Clone)]
pub(crate) struct Change<'a> {
    entity: &'a str,
    id: Uuid,
    action: &'a str,
    event: String,
    audit: Value,
    payload: Value,
}

/// A value as the feed carries it. The records written here are plain structs of strings,
/// numbers and timestamps, which always serialise; `null` would only hide a bug, never a client's.
fn as_payload(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl<'a> Change<'a> {
    /// Any change: `action` is what the audit log says (`update`, `merge`, `comment`…) and
    /// `event` the feed's type, which must be one of [`events::TYPES`].
    pub(crate) fn new(entity: &'a str, id: Uuid, action: &'a str, event: impl Into<String>, audit: Value, payload: Value) -> Self {
        Self { entity, id, action, event: event.into(), audit, payload }
    }

    /// Any change whose event carries the whole record as it now is, like `created` and
    /// `updated`, with the audit entry the caller words (a move, a merge, a stage added).
    pub(crate) fn carrying(entity: &'a str, id: Uuid, action: &'a str, event: &str, audit: Value, record: &impl Serialize) -> Self {
        Self::new(entity, id, action, event, audit, as_payload(record))
    }

    /// A new record: the audit entry holds it whole, the `<entity>.created` event carries it.
    pub(crate) fn created(entity: &'a str, id: Uuid, record: &impl Serialize) -> Self {
        let payload = as_payload(record);
        Self::new(entity, id, "create", format!("{entity}.created"), json!({ "after": payload }), payload)
    }

    /// A changed record: the audit entry lists the fields that changed (old → new, without the
    /// bookkeeping every change moves), the `<entity>.updated` event carries the whole record.
    pub(crate) fn updated<T: Serialize>(entity: &'a str, id: Uuid, before: &T, after: &T) -> Self {
        Self::new(entity, id, "update", format!("{entity}.updated"), Value::Object(changed_fields(before, after)), as_payload(after))
    }

    /// A record moved to the recycle bin. The audit entry and the event name the record and
    /// when it went; `also` adds what a reader needs to know it without reading it (its number
    /// or title, its customer).
    pub(crate) fn deleted(entity: &'a str, id: Uuid, at: DateTime<Utc>, also: Map<String, Value>) -> Self {
        let mut audit = also.clone();
        audit.insert("deleted_at".to_owned(), json!(at));
        let mut payload = Map::from_iter([("id".to_owned(), json!(id))]);
        payload.extend(also);
        payload.insert("deleted_at".to_owned(), json!(at));
        Self::new(entity, id, "delete", format!("{entity}.deleted"), Value::Object(audit), Value::Object(payload))
    }

    /// A record deleted for good (settings-like records with no recycle bin): the audit entry
    /// keeps it as it was, the event names it.
    pub(crate) fn removed(entity: &'a str, id: Uuid, before: &impl Serialize) -> Self {
        let audit = json!({ "before": as_payload(before) });
        Self::new(entity, id, "delete", format!("{entity}.deleted"), audit, json!({ "id": id }))
    }

    /// A record back from the recycle bin; the `<entity>.restored` event carries it whole.
    pub(crate) fn restored(entity: &'a str, id: Uuid, was_deleted_at: Option<DateTime<Utc>>, record: &impl Serialize) -> Self {
        let audit = json!({ "deleted_at": { "old": was_deleted_at, "new": null } });
        Self::new(entity, id, "restore", format!("{entity}.restored"), audit, as_payload(record))
    }

    /// The same change without fields the audit entry need not list (derived ones, such as a
    /// contact's name shown beside its id).
    pub(crate) fn leaving_out(mut self, fields: &[&str]) -> Self {
        if let Value::Object(changes) = &mut self.audit {
            for field in fields {
                changes.remove(*field);
            }
        }
        self
    }

    /// The same change with a note in its audit entry for what the record does not show (a
    /// password changed, say, whose hash is never written to the log).
    pub(crate) fn noting(mut self, key: &str, note: Value) -> Self {
        if let Value::Object(changes) = &mut self.audit {
            changes.insert(key.to_owned(), note);
        }
        self
    }

    /// The same change told with another event type (a status move the feed names itself).
    pub(crate) fn told_as(mut self, event: impl Into<String>) -> Self {
        self.event = event.into();
        self
    }
}

/// What a deletion event adds for a record that belongs to a customer: consumers keeping a
/// customer's view find the record's customer without reading the deleted record.
pub(crate) fn of_customer(customer_id: Uuid) -> Map<String, Value> {
    Map::from_iter([("customer_id".to_owned(), json!(customer_id))])
}

/// The fields that differ between two records, old → new, leaving out `updated_at` and
/// `version`: every change moves those, so listing them would say nothing.
pub(crate) fn changed_fields<T: Serialize>(before: &T, after: &T) -> Map<String, Value> {
    let mut changes = crm_domain::customers::changed_fields(before, after);
    changes.remove("updated_at");
    changes.remove("version");
    changes
}

/// Writes the audit entry and the event of one change, in the caller's transaction.
pub(crate) async fn record(conn: &impl ConnectionTrait, actor: &Actor, change: Change<'_>) -> Result<()> {
    audit::record(conn, actor, change.action, change.entity, change.id, change.audit).await?;
    events::append(conn, actor, &change.event, change.entity, change.id, change.payload).await
}

/// A row that carries the bookkeeping of a change: when it last changed and its version.
/// `entities::record_entity!` implements it for every record it declares.
pub(crate) trait Versioned: ActiveModelTrait + ActiveModelBehavior + Send {
    /// Marks a new row: created and last changed at `at`, version 1, and (for a row with a
    /// recycle bin) not in it.
    fn stamp_first_version(&mut self, at: DateTime<Utc>);
    /// Marks the row changed at `at`, as the version after the one it was read with. A row
    /// built without reading its version has no next one: that is a bug, never version 1.
    fn stamp_next_version(&mut self, at: DateTime<Utc>) -> Result<(), DbErr>;
}

/// A row that goes to the recycle bin instead of being deleted.
pub(crate) trait Binned: Versioned {
    fn set_deleted_at(&mut self, at: Option<DateTime<Utc>>);
}

type ModelOf<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Model;

/// Inserts a new row as its first version, stamped `at` (see [`Versioned::stamp_first_version`]):
/// the bookkeeping columns are set here, so a store lists only the record's own.
pub(crate) async fn insert_first_version<A>(conn: &impl ConnectionTrait, mut model: A, at: DateTime<Utc>) -> Result<ModelOf<A>, DbErr>
where
    A: Versioned,
    ModelOf<A>: sea_orm::IntoActiveModel<A>,
{
    model.stamp_first_version(at);
    model.insert(conn).await
}

/// Saves a changed row as the version after the one it was read with, stamped now. The
/// database's own error comes back, for callers that tell a unique violation from the rest.
pub(crate) async fn save_next_version<A>(conn: &impl ConnectionTrait, model: A) -> Result<ModelOf<A>, DbErr>
where
    A: Versioned,
    ModelOf<A>: sea_orm::IntoActiveModel<A>,
{
    save_next_version_at(conn, model, now()).await
}

/// [`save_next_version`] stamped `at`: a change that also records its own time (completed,
/// confirmed, entered a stage) shows the same instant in both.
pub(crate) async fn save_next_version_at<A>(conn: &impl ConnectionTrait, mut model: A, at: DateTime<Utc>) -> Result<ModelOf<A>, DbErr>
where
    A: Versioned,
    ModelOf<A>: sea_orm::IntoActiveModel<A>,
{
    model.stamp_next_version(at)?;
    model.update(conn).await
}

/// Moves a row to the recycle bin as its next version and records the change; `also` is what
/// the event adds to the record's id (see [`Change::deleted`]). Returns the row as binned.
pub(crate) async fn move_to_bin<A>(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    entity: &str,
    id: Uuid,
    mut model: A,
    also: Map<String, Value>,
) -> Result<ModelOf<A>>
where
    A: Binned,
    ModelOf<A>: sea_orm::IntoActiveModel<A>,
{
    let at = now();
    model.set_deleted_at(Some(at));
    model.stamp_next_version(at)?;
    let binned = model.update(conn).await?;
    record(conn, actor, Change::deleted(entity, id, at, also)).await?;
    Ok(binned)
}

/// Takes a row out of the recycle bin as its next version. The caller records
/// [`Change::restored`] once it has the record the event carries.
pub(crate) async fn take_from_bin<A>(conn: &impl ConnectionTrait, mut model: A) -> Result<ModelOf<A>, DbErr>
where
    A: Binned,
    ModelOf<A>: sea_orm::IntoActiveModel<A>,
{
    model.set_deleted_at(None);
    save_next_version(conn, model).await
}
