//! Activities: communication records (沟通记录), tasks and follow-up rules (跟进提醒),
//! notifications, the customer timeline projection (客户360°视图) and job leases.

use sea_orm_migration::prelude::*;

use crate::columns::*;
use crate::tables::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000002_create_activities"
    }
}

/// Follow-up rules every installation starts with: `(stage, silent days, due in days, priority)`.
const DEFAULT_RULES: &[(&str, i32, i32, &str)] =
    &[("potential", 30, 3, "normal"), ("prospect", 14, 2, "high"), ("customer", 60, 7, "normal")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Customers::Table).add_column(time_null(Customers::LastInteractionAt)).take()).await?;
        manager
            .create_index(index(Customers::Table, "ix_customers_last_interaction", &["deleted_at", "last_interaction_at", "id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Interactions::Table)
                    .col(id(Interactions::Id))
                    .col(uuid(Interactions::CustomerId))
                    .col(uuid_null(Interactions::ContactId))
                    // Foreign keys for these links arrive with their tables.
                    .col(uuid_null(Interactions::OpportunityId))
                    .col(uuid_null(Interactions::TicketId))
                    .col(uuid_null(Interactions::RequirementId))
                    .col(text(Interactions::Channel))
                    .col(text(Interactions::Direction))
                    .col(time(Interactions::OccurredAt))
                    .col(int_null(Interactions::DurationMinutes))
                    .col(text(Interactions::Subject))
                    .col(long_text_null(Interactions::Content))
                    .col(long_text_null(Interactions::Outcome))
                    .col(long_text_null(Interactions::NextStep))
                    .col(long_text(Interactions::SearchText))
                    .owner_and_team()
                    .timestamps_version_and_deleted_at()
                    .foreign_key(&mut references_cascade(Interactions::Table, Interactions::CustomerId, Customers::Table))
                    .foreign_key(&mut references_set_null(Interactions::Table, Interactions::ContactId, Tables::Contacts))
                    .foreign_key(&mut references(Interactions::Table, SharedColumn::OwnerId, Tables::Users))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Interactions::Table,
            &[
                ("ix_interactions_occurred", &["deleted_at", "occurred_at", "id"]),
                ("ix_interactions_customer", &["customer_id", "occurred_at", "id"]),
                ("ix_interactions_contact", &["contact_id", "occurred_at", "id"]),
                ("ix_interactions_owner", &["owner_id", "occurred_at", "id"]),
                ("ix_interactions_channel", &["channel", "occurred_at", "id"]),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(FollowUpRules::Table)
                    .col(id(FollowUpRules::Id))
                    .col(text(FollowUpRules::LifecycleStage))
                    .col(int(FollowUpRules::SilentDays))
                    .col(int(FollowUpRules::DueInDays))
                    .col(text(FollowUpRules::Priority))
                    .col(flag(FollowUpRules::Active))
                    .timestamps_and_version()
                    .take(),
            )
            .await?;
        manager.create_index(index(FollowUpRules::Table, "ix_follow_up_rules_stage", &["lifecycle_stage", "id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Tasks::Table)
                    .col(id(Tasks::Id))
                    .col(text(Tasks::Title))
                    .col(long_text_null(Tasks::Description))
                    .col(time_null(Tasks::DueAt))
                    // `due_at`, or the far future for undated tasks, so that keyset paging by due
                    // date needs no NULL handling and undated tasks come last.
                    .col(time(Tasks::DueSort))
                    .col(time_null(Tasks::RemindAt))
                    .col(text(Tasks::Priority))
                    .col(text(Tasks::Status))
                    .col(uuid(Tasks::AssigneeId))
                    .col(uuid_null(Tasks::TeamId))
                    .col(uuid_null(Tasks::CustomerId))
                    .col(text_null(Tasks::RelatedType))
                    .col(uuid_null(Tasks::RelatedId))
                    .col(uuid_null(Tasks::RuleId))
                    // `rule:<rule>:<customer>:<silence start>`: one task per silence, enforced here.
                    .col(text_null(Tasks::DedupeKey).unique_key().take())
                    .col(uuid_null(Tasks::CreatedBy))
                    .col(time_null(Tasks::CompletedAt))
                    .col(uuid_null(Tasks::CompletedBy))
                    .col(time_null(Tasks::DueNotifiedAt))
                    .col(time_null(Tasks::OverdueNotifiedAt))
                    .col(long_text(Tasks::SearchText))
                    .timestamps_version_and_deleted_at()
                    .foreign_key(&mut references(Tasks::Table, Tasks::AssigneeId, Tables::Users))
                    .foreign_key(&mut references_cascade(Tasks::Table, Tasks::CustomerId, Customers::Table))
                    .foreign_key(&mut references_set_null(Tasks::Table, Tasks::RuleId, FollowUpRules::Table))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Tasks::Table,
            &[
                ("ix_tasks_assignee_due", &["assignee_id", "status", "due_sort", "id"]),
                ("ix_tasks_status_due", &["status", "due_sort", "id"]),
                ("ix_tasks_due", &["deleted_at", "due_sort", "id"]),
                ("ix_tasks_customer", &["customer_id", "created_at", "id"]),
                ("ix_tasks_remind", &["status", "remind_at"]),
                ("ix_tasks_deleted", &["deleted_at", "id"]),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(id(Notifications::Id))
                    .col(uuid(Notifications::UserId))
                    .col(text(Notifications::Kind))
                    .col(text(Notifications::Title))
                    .col(long_text_null(Notifications::Body))
                    .col(text_null(Notifications::EntityType))
                    .col(uuid_null(Notifications::EntityId))
                    .col(time_null(Notifications::ReadAt))
                    .col(time(Notifications::CreatedAt))
                    .foreign_key(&mut references_cascade(Notifications::Table, Notifications::UserId, Tables::Users))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Notifications::Table,
            &[("ix_notifications_user", &["user_id", "created_at", "id"]), ("ix_notifications_unread", &["user_id", "read_at"])],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TimelineItems::Table)
                    .col(id(TimelineItems::Id))
                    .col(uuid(TimelineItems::CustomerId))
                    .col(text(TimelineItems::Kind))
                    .col(time(TimelineItems::OccurredAt))
                    .col(text(TimelineItems::EntityType))
                    .col(uuid(TimelineItems::EntityId))
                    .col(text(TimelineItems::Title))
                    .col(long_text(TimelineItems::Summary))
                    .col(uuid_null(TimelineItems::ActorId))
                    .foreign_key(&mut references_cascade(TimelineItems::Table, TimelineItems::CustomerId, Customers::Table))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            TimelineItems::Table,
            &[
                ("ix_timeline_customer", &["customer_id", "occurred_at", "id"]),
                ("ix_timeline_customer_kind", &["customer_id", "kind", "occurred_at", "id"]),
                ("ix_timeline_entity", &["entity_type", "entity_id"]),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(JobLeases::Table)
                    .col(text_key(JobLeases::Name))
                    .col(text(JobLeases::Holder))
                    .col(time(JobLeases::LeasedUntil))
                    .take(),
            )
            .await?;

        let now = chrono::Utc::now();
        for (stage, silent, due, priority) in DEFAULT_RULES {
            let insert = Query::insert()
                .into_table(FollowUpRules::Table)
                .columns([
                    FollowUpRules::Id,
                    FollowUpRules::LifecycleStage,
                    FollowUpRules::SilentDays,
                    FollowUpRules::DueInDays,
                    FollowUpRules::Priority,
                    FollowUpRules::Active,
                    FollowUpRules::CreatedAt,
                    FollowUpRules::UpdatedAt,
                    FollowUpRules::Version,
                ])
                .values_panic([
                    uuid::Uuid::now_v7().into(),
                    (*stage).into(),
                    (*silent).into(),
                    (*due).into(),
                    (*priority).into(),
                    true.into(),
                    now.into(),
                    now.into(),
                    1.into(),
                ])
                .take();
            manager.exec_stmt(insert).await?;
        }

        // The timeline starts with what the foundation already recorded.
        let db = manager.get_connection();
        let json = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "json_build_object",
            _ => "json_object",
        };
        let cast = if manager.get_database_backend() == DatabaseBackend::Postgres { "::text" } else { "" };
        db.execute_unprepared(&format!(
            "INSERT INTO timeline_items (id, customer_id, kind, occurred_at, entity_type, entity_id, title, summary, actor_id) \
             SELECT id, customer_id, 'stage_change', changed_at, 'customer', customer_id, to_stage, \
             {json}('from_stage', from_stage, 'to_stage', to_stage){cast}, changed_by FROM customer_stage_history"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "INSERT INTO timeline_items (id, customer_id, kind, occurred_at, entity_type, entity_id, title, summary, actor_id) \
             SELECT id, customer_id, 'contact', created_at, 'contact', id, name, \
             {json}('action', 'created', 'name', name, 'title', title){cast}, NULL FROM contacts WHERE deleted_at IS NULL"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                JobLeases::Table.into_iden(),
                TimelineItems::Table.into_iden(),
                Notifications::Table.into_iden(),
                Tasks::Table.into_iden(),
                FollowUpRules::Table.into_iden(),
                Interactions::Table.into_iden(),
            ],
        )
        .await?;
        manager.drop_index(Index::drop().name("ix_customers_last_interaction").table(Customers::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Customers::Table).drop_column(Customers::LastInteractionAt).take()).await?;
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    LastInteractionAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Interactions {
    Table,
    Id,
    CustomerId,
    ContactId,
    OpportunityId,
    TicketId,
    RequirementId,
    Channel,
    Direction,
    OccurredAt,
    DurationMinutes,
    Subject,
    Content,
    Outcome,
    NextStep,
    SearchText,
}
#[derive(DeriveIden, Clone, Copy)]
enum FollowUpRules {
    Table,
    Id,
    LifecycleStage,
    SilentDays,
    DueInDays,
    Priority,
    Active,
    CreatedAt,
    UpdatedAt,
    Version,
}
#[derive(DeriveIden, Clone, Copy)]
enum Tasks {
    Table,
    Id,
    Title,
    Description,
    DueAt,
    DueSort,
    RemindAt,
    Priority,
    Status,
    AssigneeId,
    TeamId,
    CustomerId,
    RelatedType,
    RelatedId,
    RuleId,
    DedupeKey,
    CreatedBy,
    CompletedAt,
    CompletedBy,
    DueNotifiedAt,
    OverdueNotifiedAt,
    SearchText,
}
#[derive(DeriveIden, Clone, Copy)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Body,
    EntityType,
    EntityId,
    ReadAt,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum TimelineItems {
    Table,
    Id,
    CustomerId,
    Kind,
    OccurredAt,
    EntityType,
    EntityId,
    Title,
    Summary,
    ActorId,
}
#[derive(DeriveIden, Clone, Copy)]
enum JobLeases {
    Table,
    Name,
    Holder,
    LeasedUntil,
}
