//! Service, part one: SLA policies, tickets (服务请求) with their SLA clocks, comments, ticket
//! numbering and the round-robin assignment cursor of each team.

use sea_orm_migration::prelude::*;

use crate::columns::*;

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
                    .col(time(SlaPolicies::CreatedAt))
                    .col(time(SlaPolicies::UpdatedAt))
                    .col(version(SlaPolicies::Version))
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
                    .col(ColumnDef::new(Tickets::PausedMinutes).big_integer().not_null().default(0).take())
                    .col(flag(Tickets::FirstResponseBreached))
                    .col(flag(Tickets::ResolutionBreached))
                    .col(time_null(Tickets::WarnedAt))
                    .col(int_null(Tickets::SatisfactionRating))
                    .col(long_text_null(Tickets::SatisfactionComment))
                    .col(long_text(Tickets::SearchText))
                    .col(time(Tickets::CreatedAt))
                    .col(time(Tickets::UpdatedAt))
                    .col(version(Tickets::Version))
                    .col(time_null(Tickets::DeletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tickets::Table, Tickets::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tickets::Table, Tickets::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(ForeignKey::create().from(Tickets::Table, Tickets::AssigneeId).to(Users::Table, Users::Id))
                    .foreign_key(ForeignKey::create().from(Tickets::Table, Tickets::SlaPolicyId).to(SlaPolicies::Table, SlaPolicies::Id))
                    .take(),
            )
            .await?;
        for (name, columns) in [
            ("ix_tickets_created", &["deleted_at", "created_at", "id"][..]),
            ("ix_tickets_status", &["status", "created_at", "id"]),
            ("ix_tickets_priority", &["priority", "created_at", "id"]),
            ("ix_tickets_kind", &["kind", "created_at", "id"]),
            ("ix_tickets_assignee", &["assignee_id", "status", "resolution_due_at", "id"]),
            ("ix_tickets_team", &["team_id", "created_at", "id"]),
            ("ix_tickets_customer", &["customer_id", "created_at", "id"]),
            ("ix_tickets_due", &["status", "resolution_due_at", "id"]),
            ("ix_tickets_first_due", &["first_responded_at", "first_response_due_at"]),
        ] {
            manager.create_index(index(Tickets::Table, name, columns)).await?;
        }
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
                    .foreign_key(
                        ForeignKey::create()
                            .from(TicketComments::Table, TicketComments::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
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
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Counters::Table)
                    .columns([Counters::Name, Counters::Value])
                    .values_panic(["ticket".into(), 0i64.into()])
                    .take(),
            )
            .await?;
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
        manager.exec_stmt(Query::delete().from_table(Counters::Table).and_where(Expr::col(Counters::Name).eq("ticket")).take()).await?;
        for table in [
            AssignmentCursors::Table.into_iden(),
            TicketComments::Table.into_iden(),
            Tickets::Table.into_iden(),
            SlaPolicies::Table.into_iden(),
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
enum Counters {
    Table,
    Name,
    Value,
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
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
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
