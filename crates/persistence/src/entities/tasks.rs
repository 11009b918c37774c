use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub due_at: Option<DateTimeUtc>,
    pub due_sort: DateTimeUtc,
    pub remind_at: Option<DateTimeUtc>,
    pub priority: String,
    pub status: String,
    pub assignee_id: Uuid,
    pub team_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub related_type: Option<String>,
    pub related_id: Option<Uuid>,
    pub rule_id: Option<Uuid>,
    pub dedupe_key: Option<String>,
    pub created_by: Option<Uuid>,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_by: Option<Uuid>,
    pub due_notified_at: Option<DateTimeUtc>,
    pub overdue_notified_at: Option<DateTimeUtc>,
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub title_message: Option<String>,
    pub description_message: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
