//! Saved views (`saved_views`): a user's named state of a list — filters, columns, sort — kept
//! for themselves or shared with one of their teams.

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000036_create_saved_views"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SavedViews {
    Table,
    Id,
    List,
    Name,
    State,
    OwnerId,
    TeamId,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SavedViews::Table)
                    .col(id(SavedViews::Id))
                    .col(text(SavedViews::List))
                    .col(text(SavedViews::Name))
                    .col(long_text(SavedViews::State))
                    .col(uuid(SavedViews::OwnerId))
                    .col(uuid_null(SavedViews::TeamId))
                    .col(time(SavedViews::CreatedAt))
                    .col(time(SavedViews::UpdatedAt))
                    .col(version(SavedViews::Version))
                    .take(),
            )
            .await?;
        // A list's views, by name: the user's own, and those shared with each of their teams.
        manager.create_index(index(SavedViews::Table, "ix_saved_views_owner", &["owner_id", "list", "name", "id"])).await?;
        manager.create_index(index(SavedViews::Table, "ix_saved_views_team", &["team_id", "list", "name", "id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SavedViews::Table).take()).await
    }
}
