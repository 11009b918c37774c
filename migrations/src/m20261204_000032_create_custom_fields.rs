//! Custom fields: administrators define them per kind of record (`custom_field_definitions`),
//! and every kind that has them keeps its values with the record, in a JSON column
//! `custom_fields` (customers had one from the start; contacts, opportunities, orders, tickets
//! and products get theirs here).
//!
//! Each definition gets its own expression index on its table, made by the server when the
//! definition is created (`ix_cf_<table>_<key>`, see `persistence::platform::custom_fields`): a
//! migration cannot know the fields an organisation will define. `down` drops those indexes
//! before the columns, since SQLite refuses to drop an indexed column.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000032_create_custom_fields"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum CustomFieldDefinitions {
    Table,
    Id,
    Entity,
    Key,
    LabelZh,
    LabelEn,
    FieldType,
    Options,
    Required,
    DefaultValue,
    HelpZh,
    HelpEn,
    Position,
    RetiredAt,
    CreatedAt,
    UpdatedAt,
    Version,
}

/// The tables that get a `custom_fields` column here (customers has one).
const NEW_HOLDERS: [&str; 5] = ["contacts", "opportunities", "orders", "tickets", "products"];
/// Every table whose records may carry custom fields.
const HOLDERS: [&str; 6] = ["customers", "contacts", "opportunities", "orders", "tickets", "products"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CustomFieldDefinitions::Table)
                    .col(id(CustomFieldDefinitions::Id))
                    .col(text(CustomFieldDefinitions::Entity))
                    .col(text(CustomFieldDefinitions::Key))
                    .col(text(CustomFieldDefinitions::LabelZh))
                    .col(text(CustomFieldDefinitions::LabelEn))
                    .col(text(CustomFieldDefinitions::FieldType))
                    .col(long_text(CustomFieldDefinitions::Options))
                    .col(flag(CustomFieldDefinitions::Required))
                    .col(long_text_null(CustomFieldDefinitions::DefaultValue))
                    .col(long_text_null(CustomFieldDefinitions::HelpZh))
                    .col(long_text_null(CustomFieldDefinitions::HelpEn))
                    .col(int(CustomFieldDefinitions::Position))
                    .col(time_null(CustomFieldDefinitions::RetiredAt))
                    .col(time(CustomFieldDefinitions::CreatedAt))
                    .col(time(CustomFieldDefinitions::UpdatedAt))
                    .col(version(CustomFieldDefinitions::Version))
                    .take(),
            )
            .await?;
        // A key names one field of its kind for good: a retired field keeps it, so the values
        // stored under it never come to mean something else.
        manager.create_index(unique_index(CustomFieldDefinitions::Table, "ux_custom_field_definitions_key", &["entity", "key"])).await?;
        manager
            .create_index(index(CustomFieldDefinitions::Table, "ix_custom_field_definitions_position", &["entity", "position", "id"]))
            .await?;
        for table in NEW_HOLDERS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(ColumnDef::new(Alias::new("custom_fields")).text().not_null().default("{}").take())
                        .take(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        for table in HOLDERS {
            let select = Query::select()
                .column(CustomFieldDefinitions::Key)
                .from(CustomFieldDefinitions::Table)
                .and_where(Expr::col(CustomFieldDefinitions::Entity).eq(table))
                .take();
            let rows = conn.query_all(&select).await?;
            for row in rows {
                let key: String = row.try_get("", "key")?;
                // Keys are checked (`[a-z][a-z0-9_]*`) before a definition is stored.
                if key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                    conn.execute_unprepared(&format!("DROP INDEX IF EXISTS ix_cf_{table}_{key}")).await?;
                }
            }
        }
        for table in NEW_HOLDERS {
            manager.alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new("custom_fields")).take()).await?;
        }
        manager.drop_table(Table::drop().table(CustomFieldDefinitions::Table).take()).await?;
        Ok(())
    }
}
