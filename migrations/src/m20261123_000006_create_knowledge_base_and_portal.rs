//! Service, part two: the knowledge base (知识库) with revisions, votes and links to the tickets an
//! article helped solve; the customer portal's accounts and sessions (客户门户); and the
//! organisation's settings, one JSON document per area.

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000006_create_knowledge_base_and_portal"
    }
}

fn counter(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().default(0).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KbCategories::Table)
                    .col(id(KbCategories::Id))
                    .col(uuid_null(KbCategories::ParentId))
                    .col(text(KbCategories::Name))
                    .col(long_text_null(KbCategories::Description))
                    .col(int(KbCategories::Position))
                    .col(time(KbCategories::CreatedAt))
                    .col(time(KbCategories::UpdatedAt))
                    .col(version(KbCategories::Version))
                    .foreign_key(
                        ForeignKey::create().from(KbCategories::Table, KbCategories::ParentId).to(KbCategories::Table, KbCategories::Id),
                    )
                    .take(),
            )
            .await?;
        manager.create_index(index(KbCategories::Table, "ix_kb_categories_order", &["position", "id"])).await?;
        manager.create_index(index(KbCategories::Table, "ux_kb_categories_name", &["parent_id", "name"]).unique().take()).await?;
        manager
            .create_table(
                Table::create()
                    .table(KbArticles::Table)
                    .col(id(KbArticles::Id))
                    .col(uuid_null(KbArticles::CategoryId))
                    .col(text(KbArticles::Title))
                    .col(long_text(KbArticles::Body))
                    .col(text(KbArticles::Visibility))
                    .col(text(KbArticles::Status))
                    .col(long_text(KbArticles::Tags))
                    .col(uuid(KbArticles::OwnerId))
                    .col(uuid_null(KbArticles::TeamId))
                    .col(int(KbArticles::Revision))
                    .col(counter(KbArticles::ViewCount))
                    .col(counter(KbArticles::HelpfulCount))
                    .col(counter(KbArticles::NotHelpfulCount))
                    .col(counter(KbArticles::TicketCount))
                    .col(long_text(KbArticles::SearchText))
                    .col(time_null(KbArticles::PublishedAt))
                    .col(time(KbArticles::CreatedAt))
                    .col(time(KbArticles::UpdatedAt))
                    .col(version(KbArticles::Version))
                    .col(time_null(KbArticles::DeletedAt))
                    .foreign_key(
                        ForeignKey::create().from(KbArticles::Table, KbArticles::CategoryId).to(KbCategories::Table, KbCategories::Id),
                    )
                    .foreign_key(ForeignKey::create().from(KbArticles::Table, KbArticles::OwnerId).to(Users::Table, Users::Id))
                    .take(),
            )
            .await?;
        for (name, columns) in [
            ("ix_kb_articles_updated", &["deleted_at", "updated_at", "id"][..]),
            ("ix_kb_articles_views", &["deleted_at", "view_count", "id"]),
            ("ix_kb_articles_helpful", &["deleted_at", "helpful_count", "id"]),
            ("ix_kb_articles_category", &["category_id", "updated_at", "id"]),
            ("ix_kb_articles_status", &["status", "visibility", "updated_at", "id"]),
            ("ix_kb_articles_owner", &["owner_id", "updated_at", "id"]),
        ] {
            manager.create_index(index(KbArticles::Table, name, columns)).await?;
        }
        // Substring search (Chinese included) over title, body and tags uses trigrams where the
        // foundation migration could install pg_trgm; SQLite scans.
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            let db = manager.get_connection();
            let installed = db
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'",
                ))
                .await?;
            if installed.is_some() {
                db.execute_unprepared("CREATE INDEX ix_kb_articles_search ON kb_articles USING gin (search_text gin_trgm_ops)").await?;
            }
        }
        manager
            .create_table(
                Table::create()
                    .table(KbArticleTags::Table)
                    .col(uuid(KbArticleTags::ArticleId))
                    .col(text(KbArticleTags::Tag))
                    .primary_key(Index::create().col(KbArticleTags::Tag).col(KbArticleTags::ArticleId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KbArticleTags::Table, KbArticleTags::ArticleId)
                            .to(KbArticles::Table, KbArticles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager.create_index(index(KbArticleTags::Table, "ix_kb_article_tags_article", &["article_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(KbArticleRevisions::Table)
                    .col(id(KbArticleRevisions::Id))
                    .col(uuid(KbArticleRevisions::ArticleId))
                    .col(int(KbArticleRevisions::Revision))
                    .col(text(KbArticleRevisions::Title))
                    .col(long_text(KbArticleRevisions::Body))
                    .col(uuid_null(KbArticleRevisions::CategoryId))
                    .col(text(KbArticleRevisions::Visibility))
                    .col(text(KbArticleRevisions::Status))
                    .col(long_text(KbArticleRevisions::Tags))
                    .col(long_text_null(KbArticleRevisions::Note))
                    .col(uuid_null(KbArticleRevisions::AuthorId))
                    .col(time(KbArticleRevisions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KbArticleRevisions::Table, KbArticleRevisions::ArticleId)
                            .to(KbArticles::Table, KbArticles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(index(KbArticleRevisions::Table, "ux_kb_article_revisions", &["article_id", "revision"]).unique().take())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KbArticleVotes::Table)
                    .col(uuid(KbArticleVotes::ArticleId))
                    // `user:<id>` or `portal:<id>`: one vote per reader, changeable.
                    .col(text(KbArticleVotes::Voter))
                    .col(flag(KbArticleVotes::Helpful))
                    .col(time(KbArticleVotes::CreatedAt))
                    .primary_key(Index::create().col(KbArticleVotes::ArticleId).col(KbArticleVotes::Voter))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KbArticleVotes::Table, KbArticleVotes::ArticleId)
                            .to(KbArticles::Table, KbArticles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KbArticleTickets::Table)
                    .col(uuid(KbArticleTickets::ArticleId))
                    .col(uuid(KbArticleTickets::TicketId))
                    .col(uuid_null(KbArticleTickets::LinkedBy))
                    .col(time(KbArticleTickets::CreatedAt))
                    .primary_key(Index::create().col(KbArticleTickets::TicketId).col(KbArticleTickets::ArticleId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KbArticleTickets::Table, KbArticleTickets::ArticleId)
                            .to(KbArticles::Table, KbArticles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(KbArticleTickets::Table, KbArticleTickets::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(index(KbArticleTickets::Table, "ix_kb_article_tickets_article", &["article_id", "created_at", "ticket_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PortalAccounts::Table)
                    .col(id(PortalAccounts::Id))
                    .col(uuid(PortalAccounts::ContactId).unique_key().take())
                    .col(uuid(PortalAccounts::CustomerId))
                    .col(text(PortalAccounts::Email).unique_key().take())
                    .col(text_null(PortalAccounts::PasswordHash))
                    .col(flag(PortalAccounts::SeesCompanyTickets))
                    .col(flag(PortalAccounts::Active))
                    .col(text_null(PortalAccounts::InvitationHash))
                    .col(time_null(PortalAccounts::InvitationExpiresAt))
                    .col(time_null(PortalAccounts::LastLoginAt))
                    .col(uuid_null(PortalAccounts::CreatedBy))
                    .col(time(PortalAccounts::CreatedAt))
                    .col(time(PortalAccounts::UpdatedAt))
                    .col(version(PortalAccounts::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PortalAccounts::Table, PortalAccounts::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PortalAccounts::Table, PortalAccounts::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager.create_index(index(PortalAccounts::Table, "ix_portal_accounts_created", &["created_at", "id"])).await?;
        manager.create_index(index(PortalAccounts::Table, "ix_portal_accounts_customer", &["customer_id", "created_at", "id"])).await?;
        manager.create_index(index(PortalAccounts::Table, "ux_portal_accounts_invitation", &["invitation_hash"]).unique().take()).await?;
        manager
            .create_table(
                Table::create()
                    .table(PortalSessions::Table)
                    .col(id(PortalSessions::Id))
                    .col(uuid(PortalSessions::AccountId))
                    .col(time(PortalSessions::CreatedAt))
                    .col(time(PortalSessions::ExpiresAt))
                    .col(time_null(PortalSessions::RevokedAt))
                    .col(text_null(PortalSessions::Ip))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PortalSessions::Table, PortalSessions::AccountId)
                            .to(PortalAccounts::Table, PortalAccounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager.create_index(index(PortalSessions::Table, "ix_portal_sessions_account", &["account_id", "revoked_at"])).await?;
        // A public reply written by the customer through the portal names its portal account.
        manager
            .alter_table(Table::alter().table(TicketComments::Table).add_column(uuid_null(TicketComments::PortalAccountId)).take())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .col(ColumnDef::new(Settings::Key).string().not_null().primary_key().take())
                    .col(long_text(Settings::Value))
                    .col(uuid_null(Settings::UpdatedBy))
                    .col(time(Settings::UpdatedAt))
                    .col(version(Settings::Version))
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(TicketComments::Table).drop_column(TicketComments::PortalAccountId).take()).await?;
        for table in [
            Settings::Table.into_iden(),
            PortalSessions::Table.into_iden(),
            PortalAccounts::Table.into_iden(),
            KbArticleTickets::Table.into_iden(),
            KbArticleVotes::Table.into_iden(),
            KbArticleRevisions::Table.into_iden(),
            KbArticleTags::Table.into_iden(),
            KbArticles::Table.into_iden(),
            KbCategories::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    Id,
}
#[derive(DeriveIden, Clone, Copy)]
enum Contacts {
    Table,
    Id,
}
#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}
#[derive(DeriveIden, Clone, Copy)]
enum Tickets {
    Table,
    Id,
}
#[derive(DeriveIden, Clone, Copy)]
enum TicketComments {
    Table,
    PortalAccountId,
}
#[derive(DeriveIden, Clone, Copy)]
enum KbCategories {
    Table,
    Id,
    ParentId,
    Name,
    Description,
    Position,
    CreatedAt,
    UpdatedAt,
    Version,
}
#[derive(DeriveIden, Clone, Copy)]
enum KbArticles {
    Table,
    Id,
    CategoryId,
    Title,
    Body,
    Visibility,
    Status,
    Tags,
    OwnerId,
    TeamId,
    Revision,
    ViewCount,
    HelpfulCount,
    NotHelpfulCount,
    TicketCount,
    SearchText,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum KbArticleTags {
    Table,
    ArticleId,
    Tag,
}
#[derive(DeriveIden, Clone, Copy)]
enum KbArticleRevisions {
    Table,
    Id,
    ArticleId,
    Revision,
    Title,
    Body,
    CategoryId,
    Visibility,
    Status,
    Tags,
    Note,
    AuthorId,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum KbArticleVotes {
    Table,
    ArticleId,
    Voter,
    Helpful,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum KbArticleTickets {
    Table,
    ArticleId,
    TicketId,
    LinkedBy,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum PortalAccounts {
    Table,
    Id,
    ContactId,
    CustomerId,
    Email,
    PasswordHash,
    SeesCompanyTickets,
    Active,
    InvitationHash,
    InvitationExpiresAt,
    LastLoginAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}
#[derive(DeriveIden, Clone, Copy)]
enum PortalSessions {
    Table,
    Id,
    AccountId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    Ip,
}
#[derive(DeriveIden, Clone, Copy)]
enum Settings {
    Table,
    Key,
    Value,
    UpdatedBy,
    UpdatedAt,
    Version,
}
