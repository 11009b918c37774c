use sea_orm::entity::prelude::*;

record_entity!("products", binned {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub unit_price_minor: i64,
    pub currency: String,
    pub active: bool,
    pub search_text: String,
    /// JSON object of custom field values.
    pub custom_fields: String,
});
