use sea_orm::entity::prelude::*;

/// A character bigram of a live customer's name, by city (see `customers::duplicates`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_name_grams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub city: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub gram: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
