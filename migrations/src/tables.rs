//! Table-level builders shared by the migrations that create the schema: the column groups most
//! records end with, foreign keys to another table's `id`, runs of indexes, dropped tables and the
//! rows of the numbering counters.
//!
//! Migrations that have run must keep their effect, so every helper builds exactly the statement
//! the migrations used to spell out by hand: the same columns in the same order, the same
//! foreign keys (unnamed, so each backend names them as before) and the same index names.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{self, ConnectionTrait};

use crate::columns::{index, time, time_null, uuid, uuid_null, version};

/// Column names that many tables share. They render exactly as each table's own identifier of
/// the same name did (`OwnerId` is `owner_id`, …).
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum SharedColumn {
    Id,
    OwnerId,
    TeamId,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

/// Tables that the migrations after the one creating them name only as the target of a foreign
/// key (`Tables::Customers` is `customers`).
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Tables {
    Customers,
    Contacts,
    Users,
    Products,
    Opportunities,
    Tickets,
}

/// The column groups that records declare alike, appended where a `Table::create()` chain has
/// them, so a table still lists its columns in the order it always had.
pub(crate) trait RecordColumns {
    /// `owner_id` (required) and `team_id` (optional): whom a record belongs to, which the access
    /// scopes (own, team) read.
    fn owner_and_team(&mut self) -> &mut Self;
    /// `created_at`, `updated_at` and `version` (starting at 1, compared by optimistic locking):
    /// what every editable record ends with.
    fn timestamps_and_version(&mut self) -> &mut Self;
    /// `timestamps_and_version` followed by `deleted_at`, set when the record is soft-deleted.
    fn timestamps_version_and_deleted_at(&mut self) -> &mut Self;
}

impl RecordColumns for TableCreateStatement {
    fn owner_and_team(&mut self) -> &mut Self {
        self.col(uuid(SharedColumn::OwnerId)).col(uuid_null(SharedColumn::TeamId))
    }

    fn timestamps_and_version(&mut self) -> &mut Self {
        self.col(time(SharedColumn::CreatedAt)).col(time(SharedColumn::UpdatedAt)).col(version(SharedColumn::Version))
    }

    fn timestamps_version_and_deleted_at(&mut self) -> &mut Self {
        self.timestamps_and_version().col(time_null(SharedColumn::DeletedAt))
    }
}

/// `table.column` references `target.id`; a referenced row cannot be deleted while it is.
pub(crate) fn references(table: impl IntoIden, column: impl IntoIden, target: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(target, SharedColumn::Id).take()
}

/// `table.column` references `target.id`, and the row goes when the row it belongs to is deleted.
pub(crate) fn references_cascade(table: impl IntoIden, column: impl IntoIden, target: impl IntoIden) -> ForeignKeyCreateStatement {
    references(table, column, target).on_delete(ForeignKeyAction::Cascade).take()
}

/// `table.column` references `target.id`, and the link is cleared when the referenced row is
/// deleted: the row outlives what it merely points at.
pub(crate) fn references_set_null(table: impl IntoIden, column: impl IntoIden, target: impl IntoIden) -> ForeignKeyCreateStatement {
    references(table, column, target).on_delete(ForeignKeyAction::SetNull).take()
}

/// Creates plain (non-unique) indexes on `table` in the order given: `(name, columns)` each.
pub(crate) async fn create_indexes(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + Copy,
    indexes: &[(&str, &[&'static str])],
) -> Result<(), DbErr> {
    for (name, columns) in indexes {
        manager.create_index(index(table, name, columns)).await?;
    }
    Ok(())
}

/// Drops `tables` in the order given, so a `down` lists the tables that refer to others first.
pub(crate) async fn drop_tables(manager: &SchemaManager<'_>, tables: impl IntoIterator<Item = DynIden>) -> Result<(), DbErr> {
    for table in tables {
        manager.drop_table(Table::drop().table(table).take()).await?;
    }
    Ok(())
}

/// The numbering counters (orders, tickets, requirements): one row a sequence, created by the
/// orders migration.
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Counters {
    Table,
    Name,
    Value,
}

/// Starts the counter `name` at 0: the first number it hands out is 1.
pub(crate) async fn insert_counter(manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table(Counters::Table)
        .columns([Counters::Name, Counters::Value])
        .values([name.into(), 0i64.into()])
        .map_err(|error| DbErr::Migration(format!("the row of counter {name}: {error}")))?
        .take();
    manager.exec_stmt(insert).await
}

/// Removes the counter `name`, for the `down` of the migration that added it.
pub(crate) async fn delete_counter(manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    manager.exec_stmt(Query::delete().from_table(Counters::Table).and_where(Expr::col(Counters::Name).eq(name)).take()).await
}

/// Whether a GIN trigram index may serve substring search (`q`) on PostgreSQL; SQLite scans.
pub(crate) enum Trigrams {
    /// When the server offers `pg_trgm`: the extension is installed if need be.
    InstallIfAvailable,
    /// Only when `pg_trgm` is installed already.
    IfInstalled,
}

/// On PostgreSQL with `pg_trgm` (see [`Trigrams`]), creates the GIN trigram index `name` on
/// `table.search_text`; does nothing elsewhere.
pub(crate) async fn create_trigram_search_index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: &str,
    trigrams: Trigrams,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    let probe = match trigrams {
        Trigrams::InstallIfAvailable => "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'",
        Trigrams::IfInstalled => "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'",
    };
    if db.query_one_raw(sea_orm::Statement::from_string(sea_orm::DatabaseBackend::Postgres, probe)).await?.is_none() {
        return Ok(());
    }
    if let Trigrams::InstallIfAvailable = trigrams {
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm").await?;
    }
    db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} USING gin (search_text gin_trgm_ops)")).await?;
    Ok(())
}
