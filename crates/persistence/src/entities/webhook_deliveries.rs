use sea_orm::entity::prelude::*;

/// One event to deliver to one subscription (unique on the pair).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    /// `pending`, `succeeded` or `failed` (given up).
    pub status: String,
    /// Attempts in the current round (a redelivery starts a new round).
    pub attempt_count: i32,
    /// When a pending delivery is due; while an attempt is under way, when its claim runs out.
    pub next_attempt_at: DateTimeUtc,
    pub last_attempt_at: Option<DateTimeUtc>,
    pub last_status_code: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
