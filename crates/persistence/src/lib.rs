//! Storage of the CRM on SQLite or PostgreSQL through sea-orm. Rules of this crate:
//! every function that reads or writes business records takes the caller ([`Actor`]) and applies
//! its access scope inside the SQL, so an out-of-scope record is simply not found; every change
//! runs in one transaction that also writes its audit entry and its outbox event; entities stay
//! private and callers get plain records back. Backend differences sit behind single functions
//! that branch on the connection's backend.

pub mod activities;
pub mod actor;
pub mod analytics;
/// Loading generated data sets fast (the bench's); not part of the server.
#[cfg(feature = "bulk")]
pub mod bulk;
pub mod customers;
mod db;
mod entities;
pub mod error;
mod external_refs;
pub mod identity;
pub mod pagination;
pub mod personal_data;
pub mod platform;
pub mod privacy;
pub mod query;
pub mod requirements;
pub mod sales;
pub mod service;
mod visibility;

pub use actor::Actor;
pub use db::{Db, HeldWrites, PoolSettings, WriteTxn, now};
pub use error::Error;
pub use pagination::{Page, PageRequest};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Refuses a write whose `If-Match` names another version than the stored one.
pub(crate) fn check_version(expected: Option<i32>, current: i32) -> Result<()> {
    match expected {
        Some(expected) if expected != current => Err(Error::StaleVersion { current }),
        _ => Ok(()),
    }
}

/// The next value of a named counter (order, ticket and requirement numbers). The row is
/// updated first, so concurrent writers wait for each other and never share a number.
pub(crate) async fn next_in_sequence(conn: &impl sea_orm::ConnectionTrait, name: &str) -> Result<i64> {
    let statement = sea_orm::Statement::from_sql_and_values(
        conn.get_database_backend(),
        match conn.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value",
            _ => "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value",
        },
        [name.into()],
    );
    // The counters are created by the migrations: a missing one is a broken database, not
    // something the client can fix.
    let row = conn
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| Error::unexpected(sea_orm::DbErr::Custom(format!("the {name} counter is missing"))))?;
    Ok(row.try_get("", "value")?)
}

/// The refusal of a user reference (an owner, an assignee) that names no active user.
pub(crate) fn no_active_user(field: &str) -> Error {
    Error::validation(field, "not_found", crm_domain::text!("no active user with this id", "没有此 id 的在职用户"))
}

/// An optional stored enum: absent is `None`, a value that does not parse is an error.
pub(crate) fn stored_opt<T, E>(
    column: &str,
    id: uuid::Uuid,
    value: &Option<String>,
    parse: impl Fn(&str) -> std::result::Result<T, E>,
) -> Result<Option<T>> {
    value.as_deref().map(|v| stored(column, id, v, &parse)).transpose()
}

/// Reads back a value this crate stored (an enum, a currency code): one that does not parse
/// means the data breaks an invariant every writer keeps, so it is an internal error naming the
/// column and the row, never a silent default that would show the record as something it is not.
pub(crate) fn stored<T, E>(column: &str, id: uuid::Uuid, value: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T> {
    parse(value).map_err(|_| Error::unexpected(sea_orm::DbErr::Custom(format!("{column} of {id}: unknown stored value {value:?}"))))
}

/// [`stored`] for a JSON column (tags, custom fields, competitors).
/// A text the system wrote, stored as its code (`crm_domain::written`), if there is one and it
/// reads. One that does not (a code a later version retired, or one this version does not know
/// yet after a rollback) is logged and passed over: the words its recipient read are stored
/// beside it for exactly this, so one row never takes a whole list or the reminder job down.
pub(crate) fn stored_system_text(column: &str, id: uuid::Uuid, message: Option<&str>) -> Option<crm_domain::written::SystemText> {
    let message = message?;
    match serde_json::from_str(message) {
        Ok(text) => Some(text),
        Err(error) => {
            tracing::warn!(column, %id, %error, "a stored system text does not read; its stored words are shown instead");
            None
        }
    }
}

/// The system's wording where it wrote the text and it reads, else the words as stored.
pub(crate) fn stored_wording(column: &str, id: uuid::Uuid, message: Option<&str>, words: String) -> crm_domain::written::Wording {
    match stored_system_text(column, id, message) {
        Some(text) => crm_domain::written::Wording::System(text),
        None => crm_domain::written::Wording::Person(words),
    }
}

/// [`stored_wording`] for a text that may be absent (a body, a description).
pub(crate) fn stored_optional_wording(
    column: &str,
    id: uuid::Uuid,
    message: Option<&str>,
    words: Option<String>,
) -> Option<crm_domain::written::Wording> {
    match stored_system_text(column, id, message) {
        Some(text) => Some(crm_domain::written::Wording::System(text)),
        None => words.map(crm_domain::written::Wording::Person),
    }
}

pub(crate) fn stored_json<T: serde::de::DeserializeOwned>(column: &str, id: uuid::Uuid, value: &str) -> Result<T> {
    serde_json::from_str(value)
        .map_err(|error| Error::unexpected(sea_orm::DbErr::Custom(format!("{column} of {id}: unreadable stored JSON ({error})"))))
}
