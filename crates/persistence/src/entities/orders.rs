use sea_orm::entity::prelude::*;

record_entity!("orders", binned {
    pub number: String,
    pub customer_id: Uuid,
    pub opportunity_id: Option<Uuid>,
    pub external_system: Option<String>,
    pub external_id: Option<String>,
    pub order_date: Date,
    pub status: String,
    pub currency: String,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub total_minor: i64,
    pub notes: Option<String>,
    pub owner_id: Uuid,
    pub team_id: Option<Uuid>,
    pub confirmed_at: Option<DateTimeUtc>,
    /// JSON object of custom field values.
    pub custom_fields: String,
});
