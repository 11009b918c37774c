use sea_orm::entity::prelude::*;

/// One HTTP request of a delivery, as it went.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub attempted_at: DateTimeUtc,
    pub status_code: Option<i32>,
    /// Why no status came back (refused address, timeout, connection error).
    pub error: Option<String>,
    /// `error` as a code a reader's language can say (`AttemptFailure`); null with a status.
    pub error_code: Option<String>,
    pub latency_ms: i32,
    /// The first kilobyte of the response body.
    pub response_excerpt: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
