//! Rules of the platform context that need no database: webhooks, custom fields and imports.

pub mod custom_fields;
pub mod imports;
pub mod webhooks;
