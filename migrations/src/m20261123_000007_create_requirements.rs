//! Customer requirements (客户需求管理): requirements numbered `REQ-000045`, the customers who
//! asked for them, their status history, field-level revisions, feedback after delivery, and the
//! character bigrams that find duplicate candidates on both databases.

use sea_orm_migration::prelude::*;

use crate::columns::*;
use crate::tables::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000007_create_requirements"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Requirements::Table)
                    .col(id(Requirements::Id))
                    .col(text(Requirements::Number).unique_key().take())
                    .col(text(Requirements::Title))
                    .col(long_text_null(Requirements::Description))
                    .col(text(Requirements::Category))
                    .col(text(Requirements::SourceChannel))
                    .col(int(Requirements::Importance))
                    .col(int(Requirements::Urgency))
                    .col(int(Requirements::Effort))
                    .col(text(Requirements::Status))
                    .col(uuid_null(Requirements::OwnerId))
                    .col(uuid_null(Requirements::TeamId))
                    .col(uuid(Requirements::CreatedBy))
                    .col(text_null(Requirements::Department))
                    .col(date_null(Requirements::TargetDate))
                    .col(text_null(Requirements::Release))
                    .col(long_text(Requirements::Tags))
                    // The priority score × 1000, rounded: an integer sorts the same on both databases.
                    .col(big_int_default_zero(Requirements::ScoreMilli))
                    .col(int(Requirements::RequesterCount))
                    .col(int(Requirements::FeedbackCount))
                    .col(int(Requirements::FeedbackSum))
                    .col(long_text_null(Requirements::RejectionReason))
                    .col(uuid_null(Requirements::DuplicateOfId))
                    .col(time_null(Requirements::DeliveredAt))
                    .col(time_null(Requirements::EvaluatedAt))
                    .col(long_text(Requirements::SearchText))
                    .timestamps_version_and_deleted_at()
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Requirements::Table,
            &[
                ("ix_requirements_score", &["deleted_at", "score_milli", "id"]),
                ("ix_requirements_created", &["deleted_at", "created_at", "id"]),
                ("ix_requirements_updated", &["deleted_at", "updated_at", "id"]),
                ("ix_requirements_demand", &["deleted_at", "requester_count", "id"]),
                ("ix_requirements_status", &["status", "score_milli", "id"]),
                ("ix_requirements_category", &["category", "score_milli", "id"]),
                ("ix_requirements_source", &["source_channel", "score_milli", "id"]),
                ("ix_requirements_owner", &["owner_id", "score_milli", "id"]),
                ("ix_requirements_team", &["team_id", "score_milli", "id"]),
                ("ix_requirements_creator", &["created_by", "score_milli", "id"]),
                ("ix_requirements_release", &["release", "score_milli", "id"]),
                ("ix_requirements_target", &["target_date", "id"]),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(RequirementTags::Table)
                    .col(uuid(RequirementTags::RequirementId))
                    .col(text(RequirementTags::Tag))
                    .primary_key(Index::create().col(RequirementTags::Tag).col(RequirementTags::RequirementId))
                    .foreign_key(&mut cascade(RequirementTags::Table, RequirementTags::RequirementId))
                    .take(),
            )
            .await?;
        manager.create_index(index(RequirementTags::Table, "ix_requirement_tags_requirement", &["requirement_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(RequirementRequesters::Table)
                    .col(id(RequirementRequesters::Id))
                    .col(uuid(RequirementRequesters::RequirementId))
                    .col(uuid(RequirementRequesters::CustomerId))
                    .col(uuid_null(RequirementRequesters::ContactId))
                    .col(uuid_null(RequirementRequesters::TicketId))
                    .col(uuid_null(RequirementRequesters::InteractionId))
                    .col(long_text_null(RequirementRequesters::Note))
                    .col(time(RequirementRequesters::RequestedAt))
                    .col(uuid_null(RequirementRequesters::CreatedBy))
                    .foreign_key(&mut cascade(RequirementRequesters::Table, RequirementRequesters::RequirementId))
                    .foreign_key(&mut references_cascade(
                        RequirementRequesters::Table,
                        RequirementRequesters::CustomerId,
                        Tables::Customers,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique_index(RequirementRequesters::Table, "ux_requirement_requesters", &["requirement_id", "customer_id"]))
            .await?;
        create_indexes(
            manager,
            RequirementRequesters::Table,
            &[
                ("ix_requirement_requesters_customer", &["customer_id", "requested_at", "id"]),
                ("ix_requirement_requesters_ticket", &["ticket_id"]),
                ("ix_requirement_requesters_list", &["requirement_id", "requested_at", "id"]),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(RequirementHistory::Table)
                    .col(id(RequirementHistory::Id))
                    .col(uuid(RequirementHistory::RequirementId))
                    .col(text_null(RequirementHistory::FromStatus))
                    .col(text(RequirementHistory::ToStatus))
                    .col(long_text_null(RequirementHistory::Reason))
                    .col(uuid_null(RequirementHistory::ActorId))
                    .col(time(RequirementHistory::ChangedAt))
                    .foreign_key(&mut cascade(RequirementHistory::Table, RequirementHistory::RequirementId))
                    .take(),
            )
            .await?;
        manager.create_index(index(RequirementHistory::Table, "ix_requirement_history", &["requirement_id", "changed_at", "id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(RequirementRevisions::Table)
                    .col(id(RequirementRevisions::Id))
                    .col(uuid(RequirementRevisions::RequirementId))
                    .col(int(RequirementRevisions::Revision))
                    .col(long_text(RequirementRevisions::Changes))
                    .col(uuid_null(RequirementRevisions::ActorId))
                    .col(time(RequirementRevisions::CreatedAt))
                    .foreign_key(&mut cascade(RequirementRevisions::Table, RequirementRevisions::RequirementId))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique_index(RequirementRevisions::Table, "ux_requirement_revisions", &["requirement_id", "revision"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RequirementFeedback::Table)
                    .col(id(RequirementFeedback::Id))
                    .col(uuid(RequirementFeedback::RequirementId))
                    .col(uuid(RequirementFeedback::CustomerId))
                    .col(uuid_null(RequirementFeedback::ContactId))
                    .col(int(RequirementFeedback::Rating))
                    .col(long_text_null(RequirementFeedback::Comment))
                    .col(uuid_null(RequirementFeedback::RecordedBy))
                    .col(time(RequirementFeedback::CreatedAt))
                    .foreign_key(&mut cascade(RequirementFeedback::Table, RequirementFeedback::RequirementId))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique_index(RequirementFeedback::Table, "ux_requirement_feedback", &["requirement_id", "customer_id"]))
            .await?;
        manager
            .create_index(index(RequirementFeedback::Table, "ix_requirement_feedback_list", &["requirement_id", "created_at", "id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RequirementGrams::Table)
                    .col(uuid(RequirementGrams::RequirementId))
                    .col(text(RequirementGrams::Gram))
                    .primary_key(Index::create().col(RequirementGrams::Gram).col(RequirementGrams::RequirementId))
                    .foreign_key(&mut cascade(RequirementGrams::Table, RequirementGrams::RequirementId))
                    .take(),
            )
            .await?;
        manager.create_index(index(RequirementGrams::Table, "ix_requirement_grams_requirement", &["requirement_id"])).await?;
        insert_counter(manager, "requirement").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        delete_counter(manager, "requirement").await?;
        drop_tables(
            manager,
            [
                RequirementGrams::Table.into_iden(),
                RequirementFeedback::Table.into_iden(),
                RequirementRevisions::Table.into_iden(),
                RequirementHistory::Table.into_iden(),
                RequirementRequesters::Table.into_iden(),
                RequirementTags::Table.into_iden(),
                Requirements::Table.into_iden(),
            ],
        )
        .await
    }
}

/// A row that belongs to a requirement and goes with it.
fn cascade(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    references_cascade(table, column, Requirements::Table)
}

#[derive(DeriveIden, Clone, Copy)]
enum Requirements {
    Table,
    Id,
    Number,
    Title,
    Description,
    Category,
    SourceChannel,
    Importance,
    Urgency,
    Effort,
    Status,
    OwnerId,
    TeamId,
    CreatedBy,
    Department,
    TargetDate,
    Release,
    Tags,
    ScoreMilli,
    RequesterCount,
    FeedbackCount,
    FeedbackSum,
    RejectionReason,
    DuplicateOfId,
    DeliveredAt,
    EvaluatedAt,
    SearchText,
}
#[derive(DeriveIden, Clone, Copy)]
enum RequirementTags {
    Table,
    RequirementId,
    Tag,
}
#[derive(DeriveIden, Clone, Copy)]
enum RequirementRequesters {
    Table,
    Id,
    RequirementId,
    CustomerId,
    ContactId,
    TicketId,
    InteractionId,
    Note,
    RequestedAt,
    CreatedBy,
}
#[derive(DeriveIden, Clone, Copy)]
enum RequirementHistory {
    Table,
    Id,
    RequirementId,
    FromStatus,
    ToStatus,
    Reason,
    ActorId,
    ChangedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum RequirementRevisions {
    Table,
    Id,
    RequirementId,
    Revision,
    Changes,
    ActorId,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum RequirementFeedback {
    Table,
    Id,
    RequirementId,
    CustomerId,
    ContactId,
    Rating,
    Comment,
    RecordedBy,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum RequirementGrams {
    Table,
    RequirementId,
    Gram,
}
