//! The one write path: a change to a record moves its version and `updated_at`, and writes its
//! audit entry and its event, all inside the caller's transaction. Nothing writes one without
//! the others, so the audit log, the change feed and `If-Match` always agree.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{audit, events};
use crate::{Actor, Result, WriteTxn, now};

/// What happened to one record, as the audit log and the change feed both tell it.
///
/// Every event carries one envelope (the OpenAPI document's `EventPayload`):
/// `{"record": {...}, "changed": {field: [old, new]}, "detail": {...}}`. `record` is the whole
/// record in the shape its `GET` returns: as created or restored, as it is after an update-like
/// change (edits, stage and status moves, assignments, won/lost…), or as it was when deleted.
/// `changed` comes with every update-like event and lists the fields that moved (without the
/// bookkeeping every change moves, `updated_at` and `version`); `detail` says what the record does
/// not (the comment added, the article linked). The record is nested rather than merged with
/// `changed` so that no field of a record can ever collide with them.
#[derive(Debug, Clone)]
pub(crate) struct Change<'a> {
    entity: &'a str,
    id: Uuid,
    action: &'a str,
    event: String,
    /// More event types telling the same change (a stage move that also wins the deal).
    also: Vec<String>,
    audit: Value,
    record: Value,
    changed: Option<Map<String, Value>>,
    detail: Option<Value>,
}

/// A value as the feed carries it. The records written here are plain structs of strings,
/// numbers and timestamps, which always serialise; `null` would only hide a bug, never a client's.
fn as_payload(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The fields that differ between two records as the feed tells them: `{field: [old, new]}`.
pub(crate) fn changed_pairs<T: Serialize>(before: &T, after: &T) -> Map<String, Value> {
    changed_fields(before, after)
        .into_iter()
        .map(|(field, change)| {
            let pair = json!([change.get("old").cloned().unwrap_or(Value::Null), change.get("new").cloned().unwrap_or(Value::Null)]);
            (field, pair)
        })
        .collect()
}

impl<'a> Change<'a> {
    fn new(entity: &'a str, id: Uuid, action: &'a str, event: String, audit: Value, record: Value) -> Self {
        Self { entity, id, action, event, also: Vec::new(), audit, record, changed: None, detail: None }
    }

    /// A new record: the audit entry holds it whole, the `<entity>.created` event carries it.
    pub(crate) fn created(entity: &'a str, id: Uuid, record: &impl Serialize) -> Self {
        let record = as_payload(record);
        Self::new(entity, id, "create", format!("{entity}.created"), json!({ "after": record }), record)
    }

    /// A changed record: the audit entry lists the fields that changed (old → new, without the
    /// bookkeeping every change moves), the `<entity>.updated` event carries the whole record
    /// after the change and the same fields as `changed`.
    pub(crate) fn updated<T: Serialize>(entity: &'a str, id: Uuid, before: &T, after: &T) -> Self {
        let mut change =
            Self::new(entity, id, "update", format!("{entity}.updated"), Value::Object(changed_fields(before, after)), as_payload(after));
        change.changed = Some(changed_pairs(before, after));
        change
    }

    /// An update-like change the caller words itself: `action` is what the audit log says (`update`,
    /// `merge`, `comment`…) with its own `audit` entry, `event` the feed's type (one of
    /// [`events::TYPES`]). The event carries the record `after` and, from `before`, what changed;
    /// without `before` (a record created by this change) it carries the record alone.
    pub(crate) fn told<T: Serialize>(
        entity: &'a str,
        id: Uuid,
        action: &'a str,
        event: impl Into<String>,
        audit: Value,
        before: Option<&T>,
        after: &T,
    ) -> Self {
        let mut change = Self::new(entity, id, action, event.into(), audit, as_payload(after));
        change.changed = before.map(|before| changed_pairs(before, after));
        change
    }

    /// A record moved to the recycle bin: the event carries it as it was, binned (see
    /// [`move_to_bin`]); the audit entry says when.
    fn deleted(entity: &'a str, id: Uuid, at: DateTime<Utc>, binned: Value) -> Self {
        Self::new(entity, id, "delete", format!("{entity}.deleted"), json!({ "deleted_at": at }), binned)
    }

    /// A record deleted for good (settings-like records with no recycle bin): the audit entry
    /// keeps it as it was, the event carries it as it was.
    pub(crate) fn removed(entity: &'a str, id: Uuid, before: &impl Serialize) -> Self {
        let record = as_payload(before);
        Self::new(entity, id, "delete", format!("{entity}.deleted"), json!({ "before": record }), record)
    }

    /// A record back from the recycle bin; the `<entity>.restored` event carries it whole.
    pub(crate) fn restored(entity: &'a str, id: Uuid, was_deleted_at: Option<DateTime<Utc>>, record: &impl Serialize) -> Self {
        let audit = json!({ "deleted_at": { "old": was_deleted_at, "new": null } });
        Self::new(entity, id, "restore", format!("{entity}.restored"), audit, as_payload(record))
    }

    /// The same change without fields the audit entry need not list (derived ones, such as a
    /// contact's name shown beside its id). The event's `changed` keeps them: it tells how the
    /// record a consumer holds moved, derived fields included.
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

    /// The same change with what its event tells beyond the record (`detail`).
    pub(crate) fn detailing(mut self, detail: Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// The same change with the personal fields of every copy of the record it carries sealed
    /// (see [`crate::personal_data::Sealer`]): required of a change to a record with sealed
    /// fields, which [`record`] refuses to store otherwise.
    pub(crate) fn sealed(mut self, sealer: &crate::personal_data::Sealer) -> Self {
        sealer.seal_document(self.entity, self.id, &mut self.audit);
        sealer.seal_document(self.entity, self.id, &mut self.record);
        if let Some(changed) = self.changed.take() {
            // Sealed where the event carries it, under `changed`.
            let mut wrapped = json!({ "changed": Value::Object(changed) });
            sealer.seal_document(self.entity, self.id, &mut wrapped);
            if let Some(Value::Object(sealed)) = wrapped.get_mut("changed").map(Value::take) {
                self.changed = Some(sealed);
            }
        }
        self
    }

    /// The same change told with another event type (a status move the feed names itself).
    pub(crate) fn told_as(mut self, event: impl Into<String>) -> Self {
        self.event = event.into();
        self
    }

    /// The same change also told under another event type, with the same payload (a stage move
    /// that wins the deal is `opportunity.stage_changed` and `opportunity.won`).
    pub(crate) fn also_told_as(mut self, event: impl Into<String>) -> Self {
        self.also.push(event.into());
        self
    }
}

/// The envelope described on [`Change`]: what [`record`] writes, and what an event written
/// without an audit entry carries (a flag the system raises).
pub(crate) fn payload_of(record: &impl Serialize, changed: Option<Map<String, Value>>, detail: Option<Value>) -> Value {
    envelope(as_payload(record), changed, detail)
}

fn envelope(record: Value, changed: Option<Map<String, Value>>, detail: Option<Value>) -> Value {
    let mut payload = Map::from_iter([("record".to_owned(), record)]);
    if let Some(changed) = changed {
        payload.insert("changed".to_owned(), Value::Object(changed));
    }
    if let Some(detail) = detail {
        payload.insert("detail".to_owned(), detail);
    }
    Value::Object(payload)
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
    let (entry, told) = change.rows(actor)?;
    entry.insert(conn).await?;
    for event in told {
        event.insert(conn).await?;
    }
    Ok(())
}

/// The end of a write: records `change` (its audit entry and event) in `txn`, commits, and
/// answers `written`, the record the write returns.
pub(crate) async fn commit<T>(txn: WriteTxn, actor: &Actor, change: Change<'_>, written: T) -> Result<T> {
    record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(written)
}

/// Writes the audit entries and events of many changes (a batch's) with a few multi-row
/// statements, in the caller's transaction: the same rows [`record`] writes one by one.
pub(crate) async fn record_all(conn: &impl ConnectionTrait, actor: &Actor, changes: Vec<Change<'_>>) -> Result<()> {
    let mut entries = Vec::with_capacity(changes.len());
    let mut told = Vec::with_capacity(changes.len());
    for change in changes {
        let (entry, events) = change.rows(actor)?;
        entries.push(entry);
        told.extend(events);
    }
    insert_all(conn, entries).await?;
    insert_all(conn, told).await
}

/// Inserts rows of one table in as few statements as the database allows. PostgreSQL gets all
/// of them in one statement with one parameter, the rows as JSON (`json_populate_recordset` reads
/// them as the table's own row type): a statement whose text does not change with the number of
/// rows, so the driver's cache of prepared statements does not fill with a new one, tens of
/// thousands of parameters long, per batch size. SQLite gets multi-row INSERTs under its limit
/// of bound parameters (32,766 per statement).
pub(crate) async fn insert_all<A>(conn: &impl ConnectionTrait, rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait + Send,
{
    use sea_orm::Iterable;
    if rows.is_empty() {
        return Ok(());
    }
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres
        && let Some(statement) = json_insert(&rows)
    {
        conn.execute_raw(statement).await?;
        return Ok(());
    }
    const MAX_PARAMETERS: usize = 30_000;
    let columns = <<A as ActiveModelTrait>::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (MAX_PARAMETERS / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        <A as ActiveModelTrait>::Entity::insert_many(chunk).exec_without_returning(conn).await?;
    }
    Ok(())
}

/// A column's value as `json_populate_recordset` reads it into the column's type, or `None` for
/// a kind of value the rows written this way never hold.
fn json_cell(value: &sea_orm::Value) -> Option<Value> {
    use sea_orm::Value as V;
    Some(match value {
        V::String(text) => text.as_ref().map_or(Value::Null, |text| Value::String(text.clone())),
        V::Uuid(id) => id.as_ref().map_or(Value::Null, |id| Value::String(id.to_string())),
        V::ChronoDateTimeUtc(at) => {
            at.as_ref().map_or(Value::Null, |at| Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)))
        }
        V::ChronoDate(day) => day.as_ref().map_or(Value::Null, |day| Value::String(day.format("%Y-%m-%d").to_string())),
        V::Int(n) => n.map_or(Value::Null, Value::from),
        V::BigInt(n) => n.map_or(Value::Null, Value::from),
        V::Bool(b) => b.map_or(Value::Null, Value::Bool),
        _ => return None,
    })
}

/// The PostgreSQL statement of [`insert_all`]: the columns set on the first row (every row
/// sets the same ones), read from one JSON parameter. `None` when a value has no JSON form here.
fn json_insert<A: ActiveModelTrait>(rows: &[A]) -> Option<sea_orm::Statement> {
    use sea_orm::{EntityName, Iterable};
    let first = rows.first()?;
    let columns: Vec<_> =
        <<A as ActiveModelTrait>::Entity as EntityTrait>::Column::iter().filter(|column| first.get(*column).is_set()).collect();
    let mut records = Vec::with_capacity(rows.len());
    let every: Vec<_> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Column::iter().collect();
    for row in rows {
        // Every row must set the first row's columns and no other, or a value would be lost.
        if every.iter().any(|column| row.get(*column).is_set() != first.get(*column).is_set()) {
            return None;
        }
        let mut record = Map::with_capacity(columns.len());
        for column in &columns {
            let value = row.get(*column).into_value()?;
            record.insert(sea_orm::IdenStatic::as_str(column).to_owned(), json_cell(&value)?);
        }
        records.push(Value::Object(record));
    }
    let table = <<A as ActiveModelTrait>::Entity as Default>::default().table_name().to_owned();
    let names = columns.iter().map(|column| format!("\"{}\"", sea_orm::IdenStatic::as_str(column))).collect::<Vec<_>>().join(", ");
    let sql = format!("INSERT INTO \"{table}\" ({names}) SELECT {names} FROM json_populate_recordset(NULL::\"{table}\", $1::json)");
    Some(sea_orm::Statement::from_sql_and_values(sea_orm::DatabaseBackend::Postgres, sql, [Value::Array(records).to_string().into()]))
}

impl Change<'_> {
    /// The audit entry and the event rows (one per event type) of this change.
    fn rows(self, actor: &Actor) -> Result<(crate::entities::audit_log::ActiveModel, Vec<crate::entities::events::ActiveModel>)> {
        let mut payload = envelope(self.record, self.changed, self.detail);
        if let (Some(import_id), Value::Object(payload)) = (actor.import_id, &mut payload) {
            payload.insert("import_id".to_owned(), Value::String(import_id.to_string()));
        }
        if !crm_domain::privacy::sealing::is_sealed(self.entity, &payload)
            || !crm_domain::privacy::sealing::is_sealed(self.entity, &self.audit)
        {
            return Err(crate::Error::unexpected(DbErr::Custom(format!("a change to {} {} was not sealed", self.entity, self.id))));
        }
        let entry = audit::entry(actor, self.action, self.entity, self.id, self.audit);
        let told =
            std::iter::once(&self.event).chain(&self.also).map(|event| events::row(actor, event, self.entity, self.id, &payload)).collect();
        Ok((entry, told))
    }
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
    /// The version the row is stamped with, when it is known.
    fn stamped_version(&self) -> Option<i32>;
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

/// Moves a row to the recycle bin as its next version and records the change. `before` is the
/// record as the caller read it (the shape its `GET` returns); the `<entity>.deleted` event
/// carries it as it is now, in the bin: with the `deleted_at`, `updated_at` and `version` the
/// binning gave it. Returns the row as binned.
pub(crate) async fn move_to_bin<A>(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    entity: &str,
    id: Uuid,
    mut model: A,
    before: &impl Serialize,
) -> Result<ModelOf<A>>
where
    A: Binned,
    ModelOf<A>: sea_orm::IntoActiveModel<A>,
{
    let at = now();
    model.set_deleted_at(Some(at));
    model.stamp_next_version(at)?;
    let version = model.stamped_version();
    let binned = model.update(conn).await?;
    let mut as_binned = as_payload(before);
    if let Value::Object(fields) = &mut as_binned {
        fields.insert("deleted_at".to_owned(), json!(at));
        fields.insert("updated_at".to_owned(), json!(at));
        if let Some(version) = version {
            fields.insert("version".to_owned(), json!(version));
        }
    }
    record(conn, actor, Change::deleted(entity, id, at, as_binned)).await?;
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
