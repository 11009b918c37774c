use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "requirement_requesters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub note: Option<String>,
    pub requested_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
