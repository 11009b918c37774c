use sea_orm::entity::prelude::*;

record_entity!("kb_articles", binned {
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
});
