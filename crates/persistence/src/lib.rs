//! Storage of the CRM on SQLite or PostgreSQL through sea-orm. Rules of this crate:
//! every function that reads or writes business records takes the caller ([`Actor`]) and applies
//! its access scope inside the SQL, so an out-of-scope record is simply not found; every change
//! runs in one transaction that also writes its audit entry and its outbox event; entities stay
//! private and callers get plain records back. Backend differences sit behind single functions
//! that branch on the connection's backend.

pub mod activities;
pub mod actor;
pub mod analytics;
pub mod bulk;
pub mod customers;
mod db;
mod entities;
pub mod error;
pub mod identity;
pub mod pagination;
pub mod platform;
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
    let row = conn.query_one_raw(statement).await?.ok_or_else(|| Error::Conflict(format!("the {name} counter is missing")))?;
    Ok(row.try_get("", "value")?)
}
