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
pub mod sales;
pub mod service;

pub use actor::Actor;
pub use db::{Db, now};
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
