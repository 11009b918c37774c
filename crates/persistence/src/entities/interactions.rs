use sea_orm::entity::prelude::*;

record_entity!("interactions", binned {
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub requirement_id: Option<Uuid>,
    pub channel: String,
    pub direction: String,
    pub occurred_at: DateTimeUtc,
    pub duration_minutes: Option<i32>,
    pub subject: String,
    pub content: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    pub search_text: String,
    pub owner_id: Uuid,
    pub team_id: Option<Uuid>,
});
