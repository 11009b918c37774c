use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "requirements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub description: Option<String>,
    pub category: String,
    pub source_channel: String,
    pub importance: i32,
    pub urgency: i32,
    pub effort: i32,
    pub status: String,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub created_by: Uuid,
    pub department: Option<String>,
    pub target_date: Option<Date>,
    pub release: Option<String>,
    pub tags: String,
    pub score_milli: i64,
    pub requester_count: i32,
    pub feedback_count: i32,
    pub feedback_sum: i32,
    pub rejection_reason: Option<String>,
    pub duplicate_of_id: Option<Uuid>,
    pub delivered_at: Option<DateTimeUtc>,
    pub evaluated_at: Option<DateTimeUtc>,
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
