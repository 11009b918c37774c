//! Texts the system writes for people are stored as a code with parameters (a JSON
//! `{"code", "params"}`, see `crm_domain::written::SystemText`) beside the words it wrote for the
//! recipient, and worded in each reader's language when read. Tasks keep `title` and
//! `description` as the recipient read them (search and older clients use them); a person who
//! edits either takes the system's version away. Rows written before this migration have no code
//! and read as they were written.

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000020_store_system_texts_as_codes"
    }
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    TitleMessage,
    DescriptionMessage,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    TitleMessage,
    BodyMessage,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for column in [long_text_null(Tasks::TitleMessage), long_text_null(Tasks::DescriptionMessage)] {
            manager.alter_table(Table::alter().table(Tasks::Table).add_column(column).take()).await?;
        }
        for column in [long_text_null(Notifications::TitleMessage), long_text_null(Notifications::BodyMessage)] {
            manager.alter_table(Table::alter().table(Notifications::Table).add_column(column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Notifications::BodyMessage, Notifications::TitleMessage] {
            manager.alter_table(Table::alter().table(Notifications::Table).drop_column(column).take()).await?;
        }
        for column in [Tasks::DescriptionMessage, Tasks::TitleMessage] {
            manager.alter_table(Table::alter().table(Tasks::Table).drop_column(column).take()).await?;
        }
        Ok(())
    }
}
