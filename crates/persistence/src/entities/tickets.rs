use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub subject: String,
    pub description: Option<String>,
    pub kind: String,
    pub channel: String,
    pub priority: String,
    pub status: String,
    pub assignee_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub sla_policy_id: Uuid,
    pub first_response_due_at: DateTimeUtc,
    pub resolution_due_at: DateTimeUtc,
    pub first_responded_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub close_reason: Option<String>,
    pub close_note: Option<String>,
    pub duplicate_of_id: Option<Uuid>,
    pub paused_at: Option<DateTimeUtc>,
    pub paused_minutes: i64,
    pub first_response_breached: bool,
    pub resolution_breached: bool,
    pub warned_at: Option<DateTimeUtc>,
    pub satisfaction_rating: Option<i32>,
    pub satisfaction_comment: Option<String>,
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
