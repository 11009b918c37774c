use sea_orm::entity::prelude::*;

record_entity!("custom_field_definitions", versioned {
    pub entity: String,
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub field_type: String,
    /// JSON list of `FieldOption`.
    pub options: String,
    pub required: bool,
    /// JSON value, or none.
    pub default_value: Option<String>,
    pub help_zh: Option<String>,
    pub help_en: Option<String>,
    pub position: i32,
    pub retired_at: Option<DateTimeUtc>,
});
