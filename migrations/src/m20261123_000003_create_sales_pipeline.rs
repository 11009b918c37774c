//! Sales, part one: the product catalogue, configurable pipelines with ordered stages (the
//! default pipeline seeded), opportunities and their stage history.

use sea_orm_migration::prelude::*;

use crate::columns::*;
use crate::tables::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000003_create_sales_pipeline"
    }
}

/// The default pipeline's stages as they were when this migration landed:
/// `(key, name, probability, kind)`.
const DEFAULT_STAGES: &[(&str, &str, i32, &str)] = &[
    ("initial_contact", "初步接触", 10, "open"),
    ("qualification", "需求确认", 25, "open"),
    ("proposal", "方案提供", 50, "open"),
    ("negotiation", "谈判中", 75, "open"),
    ("won", "成交", 100, "won"),
    ("lost", "失败", 0, "lost"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(id(Products::Id))
                    .col(text(Products::Sku).unique_key().take())
                    .col(text(Products::Name))
                    .col(text_null(Products::Category))
                    .col(long_text_null(Products::Description))
                    .col(money(Products::UnitPriceMinor))
                    .col(text(Products::Currency))
                    .col(flag(Products::Active))
                    .col(long_text(Products::SearchText))
                    .timestamps_version_and_deleted_at()
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Products::Table,
            &[
                ("ix_products_name", &["deleted_at", "name", "id"]),
                ("ix_products_category", &["category", "name", "id"]),
                ("ix_products_active", &["active", "name", "id"]),
                ("ix_products_created", &["deleted_at", "created_at", "id"]),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Pipelines::Table)
                    .col(id(Pipelines::Id))
                    .col(text(Pipelines::Name).unique_key().take())
                    .col(flag(Pipelines::IsDefault))
                    .timestamps_and_version()
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PipelineStages::Table)
                    .col(id(PipelineStages::Id))
                    .col(uuid(PipelineStages::PipelineId))
                    .col(text(PipelineStages::Key))
                    .col(text(PipelineStages::Name))
                    .col(int(PipelineStages::Position))
                    .col(int(PipelineStages::Probability))
                    .col(text(PipelineStages::Kind))
                    .col(flag(PipelineStages::Retired))
                    .col(time(PipelineStages::CreatedAt))
                    .col(time(PipelineStages::UpdatedAt))
                    .foreign_key(&mut references_cascade(PipelineStages::Table, PipelineStages::PipelineId, Pipelines::Table))
                    .take(),
            )
            .await?;
        manager.create_index(unique_index(PipelineStages::Table, "ux_stages_pipeline_key", &["pipeline_id", "key"])).await?;
        manager.create_index(index(PipelineStages::Table, "ix_stages_pipeline_position", &["pipeline_id", "position"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Opportunities::Table)
                    .col(id(Opportunities::Id))
                    .col(text(Opportunities::Name))
                    .col(uuid(Opportunities::CustomerId))
                    .col(uuid_null(Opportunities::ContactId))
                    .col(uuid(Opportunities::PipelineId))
                    .col(uuid(Opportunities::StageId))
                    .col(money(Opportunities::AmountMinor))
                    .col(text(Opportunities::Currency))
                    .col(date_null(Opportunities::ExpectedCloseDate))
                    // `null` follows the stage's default probability.
                    .col(int_null(Opportunities::Probability))
                    .col(text_null(Opportunities::Source))
                    // Its foreign key arrives with the campaigns table.
                    .col(uuid_null(Opportunities::CampaignId))
                    .col(long_text(Opportunities::Competitors))
                    .col(long_text_null(Opportunities::LossReason))
                    .col(long_text_null(Opportunities::Description))
                    .owner_and_team()
                    .col(time(Opportunities::StageEnteredAt))
                    .col(time_null(Opportunities::ClosedAt))
                    .col(long_text(Opportunities::SearchText))
                    .timestamps_version_and_deleted_at()
                    .foreign_key(&mut references_cascade(Opportunities::Table, Opportunities::CustomerId, Tables::Customers))
                    .foreign_key(&mut references_set_null(Opportunities::Table, Opportunities::ContactId, Tables::Contacts))
                    .foreign_key(&mut references(Opportunities::Table, Opportunities::PipelineId, Pipelines::Table))
                    .foreign_key(&mut references(Opportunities::Table, Opportunities::StageId, PipelineStages::Table))
                    .foreign_key(&mut references(Opportunities::Table, SharedColumn::OwnerId, Tables::Users))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Opportunities::Table,
            &[
                ("ix_opportunities_created", &["deleted_at", "created_at", "id"]),
                ("ix_opportunities_updated", &["deleted_at", "updated_at", "id"]),
                ("ix_opportunities_stage", &["stage_id", "deleted_at", "updated_at", "id"]),
                ("ix_opportunities_customer", &["customer_id", "created_at", "id"]),
                ("ix_opportunities_owner", &["owner_id", "created_at", "id"]),
                ("ix_opportunities_team", &["team_id", "created_at", "id"]),
                ("ix_opportunities_close", &["expected_close_date", "id"]),
                ("ix_opportunities_pipeline", &["pipeline_id", "stage_id"]),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(OpportunityStageHistory::Table)
                    .col(id(OpportunityStageHistory::Id))
                    .col(uuid(OpportunityStageHistory::OpportunityId))
                    .col(uuid_null(OpportunityStageHistory::FromStageId))
                    .col(uuid(OpportunityStageHistory::ToStageId))
                    .col(ColumnDef::new(OpportunityStageHistory::SecondsInPrevious).big_integer().null().take())
                    .col(uuid_null(OpportunityStageHistory::ChangedBy))
                    .col(time(OpportunityStageHistory::ChangedAt))
                    .foreign_key(&mut references_cascade(
                        OpportunityStageHistory::Table,
                        OpportunityStageHistory::OpportunityId,
                        Opportunities::Table,
                    ))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            OpportunityStageHistory::Table,
            &[("ix_opp_history", &["opportunity_id", "changed_at", "id"]), ("ix_opp_history_to", &["to_stage_id", "changed_at"])],
        )
        .await?;

        let now = chrono::Utc::now();
        let pipeline_id = uuid::Uuid::now_v7();
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Pipelines::Table)
                    .columns([
                        Pipelines::Id,
                        Pipelines::Name,
                        Pipelines::IsDefault,
                        Pipelines::CreatedAt,
                        Pipelines::UpdatedAt,
                        Pipelines::Version,
                    ])
                    .values_panic([pipeline_id.into(), "默认销售流程".into(), true.into(), now.into(), now.into(), 1.into()])
                    .take(),
            )
            .await?;
        for (position, (key, name, probability, kind)) in DEFAULT_STAGES.iter().enumerate() {
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table(PipelineStages::Table)
                        .columns([
                            PipelineStages::Id,
                            PipelineStages::PipelineId,
                            PipelineStages::Key,
                            PipelineStages::Name,
                            PipelineStages::Position,
                            PipelineStages::Probability,
                            PipelineStages::Kind,
                            PipelineStages::Retired,
                            PipelineStages::CreatedAt,
                            PipelineStages::UpdatedAt,
                        ])
                        .values_panic([
                            uuid::Uuid::now_v7().into(),
                            pipeline_id.into(),
                            (*key).into(),
                            (*name).into(),
                            <i32 as std::convert::TryFrom<usize>>::try_from(position).unwrap_or(0).into(),
                            (*probability).into(),
                            (*kind).into(),
                            false.into(),
                            now.into(),
                            now.into(),
                        ])
                        .take(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                OpportunityStageHistory::Table.into_iden(),
                Opportunities::Table.into_iden(),
                PipelineStages::Table.into_iden(),
                Pipelines::Table.into_iden(),
                Products::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Products {
    Table,
    Id,
    Sku,
    Name,
    Category,
    Description,
    UnitPriceMinor,
    Currency,
    Active,
    SearchText,
}
#[derive(DeriveIden, Clone, Copy)]
enum Pipelines {
    Table,
    Id,
    Name,
    IsDefault,
    CreatedAt,
    UpdatedAt,
    Version,
}
#[derive(DeriveIden, Clone, Copy)]
enum PipelineStages {
    Table,
    Id,
    PipelineId,
    Key,
    Name,
    Position,
    Probability,
    Kind,
    Retired,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Opportunities {
    Table,
    Id,
    Name,
    CustomerId,
    ContactId,
    PipelineId,
    StageId,
    AmountMinor,
    Currency,
    ExpectedCloseDate,
    Probability,
    Source,
    CampaignId,
    Competitors,
    LossReason,
    Description,
    StageEnteredAt,
    ClosedAt,
    SearchText,
}
#[derive(DeriveIden, Clone, Copy)]
enum OpportunityStageHistory {
    Table,
    Id,
    OpportunityId,
    FromStageId,
    ToStageId,
    SecondsInPrevious,
    ChangedBy,
    ChangedAt,
}
