//! Customers and contacts: scoped reads and writes, keyset lists with filters, the recycle bin,
//! and the lifecycle stage history.

pub mod batch;
pub mod contacts;
pub mod duplicates;
pub mod import;
pub mod merge;
mod store;

pub use store::*;
