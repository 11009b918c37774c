use sea_orm::entity::prelude::*;

record_entity!("privacy_requests", versioned {
    pub subject_type: String,
    pub subject_id: Uuid,
    pub customer_id: Uuid,
    pub kind: String,
    pub status: String,
    pub channel: String,
    pub received_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub notes: Option<String>,
    pub resolved_at: Option<DateTimeUtc>,
    pub refusal_reason: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
});
