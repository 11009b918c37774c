//! Outgoing webhooks (Standard Webhooks): subscriptions, one delivery per event and subscription,
//! and every attempt to deliver it.
//!
//! The unique `(subscription_id, event_id)` of deliveries is what makes delivery exactly-once
//! across server instances: fanning out an event twice inserts nothing the second time, and a
//! delivery is claimed by one worker at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL). The
//! dispatch cursor remembers the highest feed position fanned out, so the outbox is never rescanned.
//! Signing secrets must be stored as they are (the receiver holds the same secret), unlike API keys.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::columns::*;
use crate::tables::{RecordColumns, Tables, create_indexes, references, references_cascade};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000022_create_webhooks"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookSubscriptions {
    Table,
    Id,
    OwnerId,
    Url,
    EventTypes,
    Description,
    Status,
    DisabledReason,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    FailingSince,
    CreatedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookDeliveries {
    Table,
    Id,
    SubscriptionId,
    EventId,
    EventType,
    Status,
    AttemptCount,
    NextAttemptAt,
    LastAttemptAt,
    LastStatusCode,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    AttemptedAt,
    StatusCode,
    Error,
    LatencyMs,
    ResponseExcerpt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookDispatch {
    Table,
    Id,
    Position,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookSubscriptions::Table)
                    .col(id(WebhookSubscriptions::Id))
                    .col(uuid(WebhookSubscriptions::OwnerId))
                    .col(long_text(WebhookSubscriptions::Url))
                    .col(long_text(WebhookSubscriptions::EventTypes))
                    .col(long_text(WebhookSubscriptions::Description))
                    .col(text(WebhookSubscriptions::Status))
                    .col(text_null(WebhookSubscriptions::DisabledReason))
                    .col(text(WebhookSubscriptions::Secret))
                    .col(text_null(WebhookSubscriptions::PreviousSecret))
                    .col(time_null(WebhookSubscriptions::PreviousSecretExpiresAt))
                    .col(time_null(WebhookSubscriptions::FailingSince))
                    .col(uuid_null(WebhookSubscriptions::CreatedBy))
                    .timestamps_and_version()
                    .foreign_key(&mut references(WebhookSubscriptions::Table, WebhookSubscriptions::OwnerId, Tables::Users))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            WebhookSubscriptions::Table,
            &[("ix_webhook_subscriptions_created", &["created_at", "id"]), ("ix_webhook_subscriptions_status", &["status", "id"])],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(id(WebhookDeliveries::Id))
                    .col(uuid(WebhookDeliveries::SubscriptionId))
                    .col(uuid(WebhookDeliveries::EventId))
                    .col(text(WebhookDeliveries::EventType))
                    .col(text(WebhookDeliveries::Status))
                    .col(int(WebhookDeliveries::AttemptCount))
                    .col(time(WebhookDeliveries::NextAttemptAt))
                    .col(time_null(WebhookDeliveries::LastAttemptAt))
                    .col(int_null(WebhookDeliveries::LastStatusCode))
                    .col(time(WebhookDeliveries::CreatedAt))
                    .col(time(WebhookDeliveries::UpdatedAt))
                    .foreign_key(&mut references_cascade(
                        WebhookDeliveries::Table,
                        WebhookDeliveries::SubscriptionId,
                        WebhookSubscriptions::Table,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique_index(
                WebhookDeliveries::Table,
                "ux_webhook_deliveries_subscription_event",
                &["subscription_id", "event_id"],
            ))
            .await?;
        create_indexes(
            manager,
            WebhookDeliveries::Table,
            &[
                // The worker's claim: due pending deliveries, oldest due first.
                ("ix_webhook_deliveries_due", &["status", "next_attempt_at", "id"]),
                // A subscription's deliveries, newest first, optionally of one status.
                ("ix_webhook_deliveries_subscription", &["subscription_id", "created_at", "id"]),
                ("ix_webhook_deliveries_subscription_status", &["subscription_id", "status", "created_at", "id"]),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(id(WebhookAttempts::Id))
                    .col(uuid(WebhookAttempts::DeliveryId))
                    .col(time(WebhookAttempts::AttemptedAt))
                    .col(int_null(WebhookAttempts::StatusCode))
                    .col(text_null(WebhookAttempts::Error))
                    .col(int(WebhookAttempts::LatencyMs))
                    .col(long_text(WebhookAttempts::ResponseExcerpt))
                    .foreign_key(&mut references_cascade(WebhookAttempts::Table, WebhookAttempts::DeliveryId, WebhookDeliveries::Table))
                    .take(),
            )
            .await?;
        create_indexes(manager, WebhookAttempts::Table, &[("ix_webhook_attempts_delivery", &["delivery_id", "attempted_at", "id"])])
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDispatch::Table)
                    .col(ColumnDef::new(WebhookDispatch::Id).integer().not_null().primary_key().take())
                    .col(big_int_default_zero(WebhookDispatch::Position))
                    .take(),
            )
            .await?;
        // Subscriptions start from the events after they are made, so the cursor starts at the
        // head of the feed as it is now: nothing older is ever fanned out.
        manager
            .get_connection()
            .execute_unprepared("INSERT INTO webhook_dispatch (id, position) SELECT 1, COALESCE(MAX(position), 0) FROM events")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::tables::drop_tables(
            manager,
            [
                WebhookDispatch::Table.into_iden(),
                WebhookAttempts::Table.into_iden(),
                WebhookDeliveries::Table.into_iden(),
                WebhookSubscriptions::Table.into_iden(),
            ],
        )
        .await
    }
}
