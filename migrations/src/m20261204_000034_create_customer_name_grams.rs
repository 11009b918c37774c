//! The character bigrams of each live customer's name by city (`customer_name_grams`), so that
//! duplicate candidates (a very similar name in the same city) are an indexed lookup rather than
//! a comparison with every customer. The server fills them for existing customers in the
//! background at its first start after this migration (a migration cannot compute them: they
//! follow the domain's rules for names), and keeps them with every change of a name or city.

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000034_create_customer_name_grams"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum CustomerNameGrams {
    Table,
    City,
    Gram,
    CustomerId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CustomerNameGrams::Table)
                    .col(text(CustomerNameGrams::City))
                    .col(text(CustomerNameGrams::Gram))
                    .col(uuid(CustomerNameGrams::CustomerId))
                    .primary_key(
                        Index::create().col(CustomerNameGrams::City).col(CustomerNameGrams::Gram).col(CustomerNameGrams::CustomerId),
                    )
                    .take(),
            )
            .await?;
        manager.create_index(index(CustomerNameGrams::Table, "ix_customer_name_grams_customer", &["customer_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CustomerNameGrams::Table).take()).await
    }
}
