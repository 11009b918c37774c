use sea_orm::entity::prelude::*;

record_entity!("consents", versioned {
    pub subject_type: String,
    pub subject_id: Uuid,
    pub customer_id: Uuid,
    pub purpose: String,
    pub channel: String,
    pub status: String,
    pub given_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub source: Option<String>,
    pub evidence: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub withdrawn_by: Option<Uuid>,
});
