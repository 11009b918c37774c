//! Service, part two: the knowledge base (知识库) with revisions, votes and links to the tickets an
//! article helped solve; the customer portal's accounts and sessions (客户门户); and the
//! organisation's settings, one JSON document per area.

use sea_orm_migration::prelude::*;

use crate::columns::*;
use crate::tables::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000006_create_knowledge_base_and_portal"
    }
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
                    .timestamps_and_version()
                    .foreign_key(&mut references(KbCategories::Table, KbCategories::ParentId, KbCategories::Table))
                    .take(),
            )
            .await?;
        manager.create_index(index(KbCategories::Table, "ix_kb_categories_order", &["position", "id"])).await?;
        manager.create_index(unique_index(KbCategories::Table, "ux_kb_categories_name", &["parent_id", "name"])).await?;
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
                    .owner_and_team()
                    .col(int(KbArticles::Revision))
                    .col(big_int_default_zero(KbArticles::ViewCount))
                    .col(big_int_default_zero(KbArticles::HelpfulCount))
                    .col(big_int_default_zero(KbArticles::NotHelpfulCount))
                    .col(big_int_default_zero(KbArticles::TicketCount))
                    .col(long_text(KbArticles::SearchText))
                    .col(time_null(KbArticles::PublishedAt))
                    .timestamps_version_and_deleted_at()
                    .foreign_key(&mut references(KbArticles::Table, KbArticles::CategoryId, KbCategories::Table))
                    .foreign_key(&mut references(KbArticles::Table, SharedColumn::OwnerId, Tables::Users))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            KbArticles::Table,
            &[
                ("ix_kb_articles_updated", &["deleted_at", "updated_at", "id"]),
                ("ix_kb_articles_views", &["deleted_at", "view_count", "id"]),
                ("ix_kb_articles_helpful", &["deleted_at", "helpful_count", "id"]),
                ("ix_kb_articles_category", &["category_id", "updated_at", "id"]),
                ("ix_kb_articles_status", &["status", "visibility", "updated_at", "id"]),
                ("ix_kb_articles_owner", &["owner_id", "updated_at", "id"]),
            ],
        )
        .await?;
        // Substring search (Chinese included) over title, body and tags uses trigrams where the
        // foundation migration could install pg_trgm; SQLite scans.
        create_trigram_search_index(manager, "ix_kb_articles_search", "kb_articles", Trigrams::IfInstalled).await?;
        manager
            .create_table(
                Table::create()
                    .table(KbArticleTags::Table)
                    .col(uuid(KbArticleTags::ArticleId))
                    .col(text(KbArticleTags::Tag))
                    .primary_key(Index::create().col(KbArticleTags::Tag).col(KbArticleTags::ArticleId))
                    .foreign_key(&mut references_cascade(KbArticleTags::Table, KbArticleTags::ArticleId, KbArticles::Table))
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
                    .foreign_key(&mut references_cascade(KbArticleRevisions::Table, KbArticleRevisions::ArticleId, KbArticles::Table))
                    .take(),
            )
            .await?;
        manager.create_index(unique_index(KbArticleRevisions::Table, "ux_kb_article_revisions", &["article_id", "revision"])).await?;
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
                    .foreign_key(&mut references_cascade(KbArticleVotes::Table, KbArticleVotes::ArticleId, KbArticles::Table))
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
                    .foreign_key(&mut references_cascade(KbArticleTickets::Table, KbArticleTickets::ArticleId, KbArticles::Table))
                    .foreign_key(&mut references_cascade(KbArticleTickets::Table, KbArticleTickets::TicketId, Tables::Tickets))
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
                    .timestamps_and_version()
                    .foreign_key(&mut references_cascade(PortalAccounts::Table, PortalAccounts::ContactId, Tables::Contacts))
                    .foreign_key(&mut references_cascade(PortalAccounts::Table, PortalAccounts::CustomerId, Tables::Customers))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            PortalAccounts::Table,
            &[("ix_portal_accounts_created", &["created_at", "id"]), ("ix_portal_accounts_customer", &["customer_id", "created_at", "id"])],
        )
        .await?;
        manager.create_index(unique_index(PortalAccounts::Table, "ux_portal_accounts_invitation", &["invitation_hash"])).await?;
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
                    .foreign_key(&mut references_cascade(PortalSessions::Table, PortalSessions::AccountId, PortalAccounts::Table))
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
                    .col(text_key(Settings::Key))
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
        drop_tables(
            manager,
            [
                Settings::Table.into_iden(),
                PortalSessions::Table.into_iden(),
                PortalAccounts::Table.into_iden(),
                KbArticleTickets::Table.into_iden(),
                KbArticleVotes::Table.into_iden(),
                KbArticleRevisions::Table.into_iden(),
                KbArticleTags::Table.into_iden(),
                KbArticles::Table.into_iden(),
                KbCategories::Table.into_iden(),
            ],
        )
        .await
    }
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
    Revision,
    ViewCount,
    HelpfulCount,
    NotHelpfulCount,
    TicketCount,
    SearchText,
    PublishedAt,
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
