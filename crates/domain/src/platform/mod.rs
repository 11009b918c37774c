//! Rules of the platform context that need no database: webhooks and custom fields.

pub mod custom_fields;
pub mod webhooks;
