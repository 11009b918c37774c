use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub industry: Option<String>,
    pub size_band: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub credit_code: Option<String>,
    pub source_channel: Option<String>,
    pub lifecycle_stage: String,
    pub value_tier: Option<String>,
    pub tags: String,
    pub custom_fields: String,
    pub gender: Option<String>,
    pub birthday: Option<Date>,
    pub preferences: Option<String>,
    pub notes: Option<String>,
    pub search_text: String,
    pub owner_id: Uuid,
    pub team_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub last_interaction_at: Option<DateTimeUtc>,
    pub first_order_at: Option<DateTimeUtc>,
    pub last_order_at: Option<DateTimeUtc>,
    pub order_count: i32,
    pub total_spend_minor: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
