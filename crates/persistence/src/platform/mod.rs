//! What every change writes besides the record itself: the audit log, the event outbox (the
//! change feed), and the idempotency keys that make POST retries safe.

pub mod audit;
pub(crate) mod changes;
pub mod custom_fields;
pub mod events;
pub mod idempotency;
pub mod imports;
pub mod saved_views;
pub mod settings;
pub mod webhooks;
