//! Why a ticket was closed: a reason (`spam`, `duplicate`, `customer_unreachable`,
//! `withdrawn_by_customer`, `other`), a note, and for a duplicate the ticket it repeats. A ticket
//! closed before it was resolved must carry a reason from now on; tickets closed earlier keep
//! none (null), since nobody recorded why. `duplicate_of_id` has no foreign key: tickets are never
//! removed (only moved to the recycle bin), and SQLite cannot add one to an existing table.

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000018_add_ticket_close_reasons"
    }
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    CloseReason,
    CloseNote,
    DuplicateOfId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for column in [text_null(Tickets::CloseReason), long_text_null(Tickets::CloseNote), uuid_null(Tickets::DuplicateOfId)] {
            manager.alter_table(Table::alter().table(Tickets::Table).add_column(column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Tickets::DuplicateOfId, Tickets::CloseNote, Tickets::CloseReason] {
            manager.alter_table(Table::alter().table(Tickets::Table).drop_column(column).take()).await?;
        }
        Ok(())
    }
}
