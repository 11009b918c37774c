//! Service, part one: SLA policies, tickets (服务请求) with their SLA clocks, comments, ticket
//! numbering and the round-robin assignment cursor of each team.

use sea_orm_migration::prelude::*;

use crate::columns::*;
use crate::tables::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000005_create_tickets"
    }
}

/// The standard policy as it was when this migration landed: business hours Monday–Friday
/// 09:00–18:00 Asia/Shanghai; minutes to first response and to resolution per priority.
const DEFAULT_CALENDAR: &str = r#"{"time_zone":"Asia/Shanghai","weekdays":["mon","tue","wed","thu","fri"],"start":"09:00","end":"18:00","holidays":[],"extra_workdays":[]}"#;
const DEFAULT_TARGETS: &str = r#"{"urgent":{"first_response_minutes":30,"resolution_minutes":240},"high":{"first_response_minutes":60,"resolution_minutes":540},"normal":{"first_response_minutes":240,"resolution_minutes":1620},"low":{"first_response_minutes":540,"resolution_minutes":2700}}"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SlaPolicies::Table)
                    .col(id(SlaPolicies::Id))
                    .col(text(SlaPolicies::Name).unique_key().take())
                    .col(flag(SlaPolicies::IsDefault))
                    .col(flag(SlaPolicies::BusinessHours))
                    .col(long_text(SlaPolicies::Calendar))
                    .col(long_text(SlaPolicies::Targets))
                    .timestamps_and_version()
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tickets::Table)
                    .col(id(Tickets::Id))
                    .col(text(Tickets::Number).unique_key().take())
                    .col(uuid(Tickets::CustomerId))
                    .col(uuid_null(Tickets::ContactId))
                    .col(text(Tickets::Subject))
                    .col(long_text_null(Tickets::Description))
                    .col(text(Tickets::Kind))
                    .col(text(Tickets::Channel))
                    .col(text(Tickets::Priority))
                    .col(text(Tickets::Status))
                    .col(uuid_null(Tickets::AssigneeId))
                    .col(uuid_null(Tickets::TeamId))
                    .col(uuid(Tickets::SlaPolicyId))
                    .col(time(Tickets::FirstResponseDueAt))
                    .col(time(Tickets::ResolutionDueAt))
                    .col(time_null(Tickets::FirstRespondedAt))
                    .col(time_null(Tickets::ResolvedAt))
                    .col(time_null(Tickets::ClosedAt))
                    .col(time_null(Tickets::PausedAt))
                    // Working minutes spent waiting for the customer so far, owed to the clocks.
                    .col(big_int_default_zero(Tickets::PausedMinutes))
                    .col(flag(Tickets::FirstResponseBreached))
                    .col(flag(Tickets::ResolutionBreached))
                    .col(time_null(Tickets::WarnedAt))
                    .col(int_null(Tickets::SatisfactionRating))
                    .col(long_text_null(Tickets::SatisfactionComment))
                    .col(long_text(Tickets::SearchText))
                    .timestamps_version_and_deleted_at()
                    .foreign_key(&mut references_cascade(Tickets::Table, Tickets::CustomerId, Tables::Customers))
                    .foreign_key(&mut references_set_null(Tickets::Table, Tickets::ContactId, Tables::Contacts))
                    .foreign_key(&mut references(Tickets::Table, Tickets::AssigneeId, Tables::Users))
                    .foreign_key(&mut references(Tickets::Table, Tickets::SlaPolicyId, SlaPolicies::Table))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Tickets::Table,
            &[
                ("ix_tickets_created", &["deleted_at", "created_at", "id"]),
                ("ix_tickets_status", &["status", "created_at", "id"]),
                ("ix_tickets_priority", &["priority", "created_at", "id"]),
                ("ix_tickets_kind", &["kind", "created_at", "id"]),
                ("ix_tickets_assignee", &["assignee_id", "status", "resolution_due_at", "id"]),
                ("ix_tickets_team", &["team_id", "created_at", "id"]),
                ("ix_tickets_customer", &["customer_id", "created_at", "id"]),
                ("ix_tickets_due", &["status", "resolution_due_at", "id"]),
                ("ix_tickets_first_due", &["first_responded_at", "first_response_due_at"]),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(TicketComments::Table)
                    .col(id(TicketComments::Id))
                    .col(uuid(TicketComments::TicketId))
                    .col(uuid_null(TicketComments::AuthorId))
                    .col(long_text(TicketComments::Body))
                    .col(flag(TicketComments::Public))
                    .col(time(TicketComments::CreatedAt))
                    .foreign_key(&mut references_cascade(TicketComments::Table, TicketComments::TicketId, Tickets::Table))
                    .take(),
            )
            .await?;
        manager.create_index(index(TicketComments::Table, "ix_ticket_comments", &["ticket_id", "created_at", "id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(AssignmentCursors::Table)
                    .col(ColumnDef::new(AssignmentCursors::TeamId).uuid().not_null().primary_key().take())
                    .col(uuid(AssignmentCursors::LastUserId))
                    .col(time(AssignmentCursors::UpdatedAt))
                    .take(),
            )
            .await?;
        insert_counter(manager, "ticket").await?;
        let now = chrono::Utc::now();
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(SlaPolicies::Table)
                    .columns([
                        SlaPolicies::Id,
                        SlaPolicies::Name,
                        SlaPolicies::IsDefault,
                        SlaPolicies::BusinessHours,
                        SlaPolicies::Calendar,
                        SlaPolicies::Targets,
                        SlaPolicies::CreatedAt,
                        SlaPolicies::UpdatedAt,
                        SlaPolicies::Version,
                    ])
                    .values_panic([
                        uuid::Uuid::now_v7().into(),
                        "标准服务".into(),
                        true.into(),
                        true.into(),
                        DEFAULT_CALENDAR.into(),
                        DEFAULT_TARGETS.into(),
                        now.into(),
                        now.into(),
                        1.into(),
                    ])
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        delete_counter(manager, "ticket").await?;
        drop_tables(
            manager,
            [
                AssignmentCursors::Table.into_iden(),
                TicketComments::Table.into_iden(),
                Tickets::Table.into_iden(),
                SlaPolicies::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SlaPolicies {
    Table,
    Id,
    Name,
    IsDefault,
    BusinessHours,
    Calendar,
    Targets,
    CreatedAt,
    UpdatedAt,
    Version,
}
#[derive(DeriveIden, Clone, Copy)]
enum Tickets {
    Table,
    Id,
    Number,
    CustomerId,
    ContactId,
    Subject,
    Description,
    Kind,
    Channel,
    Priority,
    Status,
    AssigneeId,
    TeamId,
    SlaPolicyId,
    FirstResponseDueAt,
    ResolutionDueAt,
    FirstRespondedAt,
    ResolvedAt,
    ClosedAt,
    PausedAt,
    PausedMinutes,
    FirstResponseBreached,
    ResolutionBreached,
    WarnedAt,
    SatisfactionRating,
    SatisfactionComment,
    SearchText,
}
#[derive(DeriveIden, Clone, Copy)]
enum TicketComments {
    Table,
    Id,
    TicketId,
    AuthorId,
    Body,
    Public,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum AssignmentCursors {
    Table,
    TeamId,
    LastUserId,
    UpdatedAt,
}
