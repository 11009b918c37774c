//! A customer or contact merged into another (查重合并) stays in the recycle bin with a pointer
//! to the record that absorbed it, so links to the old id can be followed and the merge read back.

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000033_remember_merged_records"
    }
}

const TABLES: [&str; 2] = ["customers", "contacts"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager.alter_table(Table::alter().table(Alias::new(table)).add_column(uuid_null(Alias::new("merged_into_id"))).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager.alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new("merged_into_id")).take()).await?;
        }
        Ok(())
    }
}
