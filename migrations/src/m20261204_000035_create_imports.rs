//! Imports (导入): an uploaded file with its settings and progress (`imports`), the file itself
//! in parts (`import_file_parts`, so any instance can resume an import after a restart), and the
//! outcome of every row of the dry run and of the run (`import_rows`): what was done to which
//! record, the errors, and for an updated record its values before, which a revert restores.

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000035_create_imports"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Imports {
    Table,
    Id,
    Entity,
    FileName,
    Format,
    Encoding,
    Delimiter,
    Headers,
    Sample,
    RowsTotal,
    Mapping,
    DuplicateHandling,
    MatchKeys,
    ExternalSystem,
    Status,
    RowsDone,
    CreatedCount,
    UpdatedCount,
    SkippedCount,
    FailedCount,
    RevertedCount,
    KeptCount,
    Checked,
    ErrorCode,
    CancelRequested,
    ClaimedBy,
    ClaimedUntil,
    CreatedBy,
    ActingUserId,
    StartedAt,
    FinishedAt,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum ImportFileParts {
    Table,
    ImportId,
    Part,
    Data,
}

#[derive(DeriveIden, Clone, Copy)]
enum ImportRows {
    Table,
    ImportId,
    Phase,
    RowNumber,
    Action,
    RecordId,
    Errors,
    Before,
    VersionAfter,
    Revert,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Imports::Table)
                    .col(id(Imports::Id))
                    .col(text(Imports::Entity))
                    .col(text(Imports::FileName))
                    .col(text(Imports::Format))
                    .col(text_null(Imports::Encoding))
                    .col(text_null(Imports::Delimiter))
                    .col(long_text(Imports::Headers))
                    .col(long_text(Imports::Sample))
                    .col(big_int_default_zero(Imports::RowsTotal))
                    .col(long_text(Imports::Mapping))
                    .col(text(Imports::DuplicateHandling))
                    .col(long_text(Imports::MatchKeys))
                    .col(text_null(Imports::ExternalSystem))
                    .col(text(Imports::Status))
                    .col(big_int_default_zero(Imports::RowsDone))
                    .col(big_int_default_zero(Imports::CreatedCount))
                    .col(big_int_default_zero(Imports::UpdatedCount))
                    .col(big_int_default_zero(Imports::SkippedCount))
                    .col(big_int_default_zero(Imports::FailedCount))
                    .col(big_int_default_zero(Imports::RevertedCount))
                    .col(big_int_default_zero(Imports::KeptCount))
                    .col(long_text_null(Imports::Checked))
                    .col(text_null(Imports::ErrorCode))
                    .col(flag(Imports::CancelRequested))
                    .col(text_null(Imports::ClaimedBy))
                    .col(time_null(Imports::ClaimedUntil))
                    .col(uuid(Imports::CreatedBy))
                    .col(uuid_null(Imports::ActingUserId))
                    .col(time_null(Imports::StartedAt))
                    .col(time_null(Imports::FinishedAt))
                    .col(time(Imports::CreatedAt))
                    .col(time(Imports::UpdatedAt))
                    .col(version(Imports::Version))
                    .take(),
            )
            .await?;
        // The list (newest first, per user for those who see only their own) and the worker's
        // search for imports with work to do.
        manager.create_index(index(Imports::Table, "ix_imports_created", &["created_at", "id"])).await?;
        manager.create_index(index(Imports::Table, "ix_imports_creator", &["created_by", "created_at", "id"])).await?;
        manager.create_index(index(Imports::Table, "ix_imports_status", &["status", "claimed_until"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportFileParts::Table)
                    .col(uuid(ImportFileParts::ImportId))
                    .col(int(ImportFileParts::Part))
                    .col(ColumnDef::new(ImportFileParts::Data).blob().not_null())
                    .primary_key(Index::create().col(ImportFileParts::ImportId).col(ImportFileParts::Part))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportRows::Table)
                    .col(uuid(ImportRows::ImportId))
                    .col(text(ImportRows::Phase))
                    .col(ColumnDef::new(ImportRows::RowNumber).big_integer().not_null())
                    .col(text(ImportRows::Action))
                    .col(uuid_null(ImportRows::RecordId))
                    .col(long_text_null(ImportRows::Errors))
                    .col(long_text_null(ImportRows::Before))
                    .col(int_null(ImportRows::VersionAfter))
                    .col(text_null(ImportRows::Revert))
                    .primary_key(Index::create().col(ImportRows::ImportId).col(ImportRows::Phase).col(ImportRows::RowNumber))
                    .take(),
            )
            .await?;
        // The rows of one outcome (the failed ones, say), in file order.
        manager.create_index(index(ImportRows::Table, "ix_import_rows_action", &["import_id", "phase", "action", "row_number"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["import_rows", "import_file_parts", "imports"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).take()).await?;
        }
        Ok(())
    }
}
