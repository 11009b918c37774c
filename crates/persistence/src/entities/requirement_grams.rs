use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "requirement_grams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub requirement_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub gram: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
