//! Rules of the platform context that need no database: webhooks.

pub mod webhooks;
