//! Personal fields sealed at rest (see `crm_domain::privacy::masking::sealed_fields`): customers
//! and contacts get an identity document (type, number) and a bank account (bank name, number);
//! the number columns hold sealed text, and each field found by exact value gets a blind index
//! column beside it (`…_index`, a truncated keyed HMAC) with an ordinary index. A customer's
//! phone and email are sealed too, so their indexes move to their blind indexes. Birthdays become
//! text on PostgreSQL, since a sealed date is not a date (see [`date_to_text`] for SQLite).
//!
//! `blind_index_lengths` keeps how many bits a field's blind index keeps under each data key:
//! chosen from the record count when the key first indexes the field, and again, longer, when the
//! count outgrows it. Every length a key has used stays listed (lookups try each; an index names
//! its length, `<bits>:<hex>`) until a pass indexes everything again with the longest.
//!
//! `data_key_passes` records each data key under which a pass sealed everything: the server
//! seals what an older version stored in clear (or an older key sealed) in the background at its
//! first start under a key without one (a migration has no key), and `crm rotate-key` runs the
//! same pass in the foreground.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000031_seal_personal_fields"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum DataKeyPasses {
    Table,
    KeyId,
    CompletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BlindIndexLengths {
    Table,
    Field,
    KeyId,
    Bits,
}

/// The columns each table gets: identity document, bank account, and the blind indexes.
fn new_columns(table: &str) -> &'static [&'static str] {
    match table {
        "customers" => &["id_type", "id_number", "id_number_index", "bank_name", "bank_account", "phone_index", "email_index"],
        _ => &["id_type", "id_number", "id_number_index", "bank_name", "bank_account"],
    }
}

/// The blind index columns that get an ordinary index, with its name.
fn blind_indexes(table: &str) -> &'static [(&'static str, &'static str)] {
    match table {
        "customers" => &[
            ("ix_customers_id_number_index", "id_number_index"),
            ("ix_customers_phone_index", "phone_index"),
            ("ix_customers_email_index", "email_index"),
        ],
        _ => &[("ix_contacts_id_number_index", "id_number_index")],
    }
}

/// Turns a `date` column into `text` holding the same `YYYY-MM-DD`. SQLite keeps the declared
/// type: a column of `date` (numeric affinity) stores any text that does not read as a number
/// as text, which both `YYYY-MM-DD` and a sealed value are. (Copying it into a new column and
/// renaming that, as SQLite otherwise changes a type, is refused by SQLite's checks of the
/// schema's views after the drop.)
async fn date_to_text(manager: &SchemaManager<'_>, table: &str, column: &str) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared(&format!("ALTER TABLE {table} ALTER COLUMN {column} TYPE text USING to_char({column}, 'YYYY-MM-DD')"))
            .await?;
    }
    Ok(())
}

/// Turns a `text` column of `YYYY-MM-DD` back into a `date`; values still sealed become null.
async fn text_to_date(manager: &SchemaManager<'_>, table: &str, column: &str) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared(&format!(
            "ALTER TABLE {table} ALTER COLUMN {column} TYPE date USING CASE WHEN {column} LIKE 'enc1:%' THEN NULL ELSE {column}::date END"
        ))
        .await?;
    } else {
        conn.execute_unprepared(&format!("UPDATE {table} SET {column} = NULL WHERE {column} LIKE 'enc1:%'")).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["customers", "contacts"] {
            // SQLite adds one column per statement.
            for column in new_columns(table) {
                manager.alter_table(Table::alter().table(Alias::new(table)).add_column(text_null(Alias::new(*column))).take()).await?;
            }
            for (name, column) in blind_indexes(table) {
                manager.create_index(index(Alias::new(table), name, &[*column])).await?;
            }
            date_to_text(manager, table, "birthday").await?;
        }
        // A sealed phone or email is found through its blind index: the clear columns' indexes
        // would only index ciphertext.
        for name in ["ix_customers_phone", "ix_customers_email"] {
            manager.drop_index(Index::drop().name(name).table(Alias::new("customers")).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(BlindIndexLengths::Table)
                    .col(text(BlindIndexLengths::Field))
                    .col(text(BlindIndexLengths::KeyId))
                    .col(ColumnDef::new(BlindIndexLengths::Bits).integer().not_null().take())
                    .primary_key(Index::create().col(BlindIndexLengths::Field).col(BlindIndexLengths::KeyId).col(BlindIndexLengths::Bits))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DataKeyPasses::Table)
                    .col(ColumnDef::new(DataKeyPasses::KeyId).text().not_null().primary_key())
                    .col(time(DataKeyPasses::CompletedAt))
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DataKeyPasses::Table).take()).await?;
        manager.drop_table(Table::drop().table(BlindIndexLengths::Table).take()).await?;
        manager.create_index(index(Alias::new("customers"), "ix_customers_phone", &["phone"])).await?;
        manager.create_index(index(Alias::new("customers"), "ix_customers_email", &["email"])).await?;
        for table in ["customers", "contacts"] {
            text_to_date(manager, table, "birthday").await?;
            for (name, _) in blind_indexes(table) {
                manager.drop_index(Index::drop().name(*name).table(Alias::new(table)).to_owned()).await?;
            }
            for column in new_columns(table) {
                manager.alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new(*column)).take()).await?;
            }
        }
        Ok(())
    }
}
