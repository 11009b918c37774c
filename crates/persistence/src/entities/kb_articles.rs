use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_articles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub category_id: Option<Uuid>,
    pub title: String,
    pub body: String,
    pub visibility: String,
    pub status: String,
    pub tags: String,
    pub owner_id: Uuid,
    pub team_id: Option<Uuid>,
    pub revision: i32,
    pub view_count: i64,
    pub helpful_count: i64,
    pub not_helpful_count: i64,
    pub ticket_count: i64,
    pub search_text: String,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
