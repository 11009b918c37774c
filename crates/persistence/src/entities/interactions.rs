use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "interactions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
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
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
