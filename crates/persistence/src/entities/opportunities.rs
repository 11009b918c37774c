use sea_orm::entity::prelude::*;

record_entity!("opportunities", binned {
    pub name: String,
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub expected_close_date: Option<Date>,
    pub probability: Option<i32>,
    pub source: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub competitors: String,
    pub loss_reason: Option<String>,
    pub description: Option<String>,
    pub owner_id: Uuid,
    pub team_id: Option<Uuid>,
    pub stage_entered_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub search_text: String,
    /// JSON object of custom field values.
    pub custom_fields: String,
});
