//! Personal information rights (PIPL): consents per customer or contact and purpose, kept as
//! history (a withdrawal ends one, never deletes it); subject requests with their due dates; and
//! the register of erasures (which person was anonymised when, and by whom, without a single
//! value of the old data), which also keeps erased contacts off the retention list.
//!
//! A new `privacy` resource of the permission matrix: the built-in administrator role gets every
//! action on it, the other built-in roles none (a matrix without the resource already means none,
//! and custom roles stay as they are).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::columns::*;
use crate::tables::{RecordColumns, Tables, create_indexes, drop_tables, references};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000030_create_privacy"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Consents {
    Table,
    Id,
    SubjectType,
    SubjectId,
    CustomerId,
    Purpose,
    Channel,
    Status,
    GivenAt,
    WithdrawnAt,
    Source,
    Evidence,
    RecordedBy,
    WithdrawnBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum PrivacyRequests {
    Table,
    Id,
    SubjectType,
    SubjectId,
    CustomerId,
    Kind,
    Status,
    Channel,
    ReceivedAt,
    DueAt,
    Notes,
    ResolvedAt,
    RefusalReason,
    ResolvedBy,
    CreatedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum Erasures {
    Table,
    Id,
    SubjectType,
    SubjectId,
    CustomerId,
    ErasedAt,
    ErasedBy,
}

/// The administrator's privacy scopes, added to the end of its stored matrix (one JSON object).
const ADMIN_PRIVACY: &str = r#","privacy":{"read":"all","create":"all","update":"all","delete":"all","export":"all"}"#;

/// A built-in role's permissions after this migration's change, given them as stored before it
/// (for the test that keeps the stored roles in step with the domain).
pub fn builtin_permissions_after(key: &str, stored: &str) -> String {
    match stored.strip_suffix('}') {
        Some(open) if key == "admin" => format!("{open}{ADMIN_PRIVACY}}}"),
        _ => stored.to_owned(),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Consents::Table)
                    .col(id(Consents::Id))
                    .col(text(Consents::SubjectType))
                    .col(uuid(Consents::SubjectId))
                    .col(uuid(Consents::CustomerId))
                    .col(text(Consents::Purpose))
                    .col(text(Consents::Channel))
                    .col(text(Consents::Status))
                    .col(time(Consents::GivenAt))
                    .col(time_null(Consents::WithdrawnAt))
                    .col(text_null(Consents::Source))
                    .col(long_text_null(Consents::Evidence))
                    .col(uuid_null(Consents::RecordedBy))
                    .col(uuid_null(Consents::WithdrawnBy))
                    .timestamps_and_version()
                    .foreign_key(&mut references(Consents::Table, Consents::CustomerId, Tables::Customers))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Consents::Table,
            &[
                // A subject's consents newest first (the list), and the latest of one purpose
                // (`may_contact`).
                ("ix_consents_subject", &["subject_type", "subject_id", "created_at", "id"]),
                ("ix_consents_subject_purpose", &["subject_type", "subject_id", "purpose", "created_at", "id"]),
                ("ix_consents_customer", &["customer_id"]),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(PrivacyRequests::Table)
                    .col(id(PrivacyRequests::Id))
                    .col(text(PrivacyRequests::SubjectType))
                    .col(uuid(PrivacyRequests::SubjectId))
                    .col(uuid(PrivacyRequests::CustomerId))
                    .col(text(PrivacyRequests::Kind))
                    .col(text(PrivacyRequests::Status))
                    .col(text(PrivacyRequests::Channel))
                    .col(time(PrivacyRequests::ReceivedAt))
                    .col(time(PrivacyRequests::DueAt))
                    .col(long_text_null(PrivacyRequests::Notes))
                    .col(time_null(PrivacyRequests::ResolvedAt))
                    .col(long_text_null(PrivacyRequests::RefusalReason))
                    .col(uuid_null(PrivacyRequests::ResolvedBy))
                    .col(uuid_null(PrivacyRequests::CreatedBy))
                    .timestamps_and_version()
                    .foreign_key(&mut references(PrivacyRequests::Table, PrivacyRequests::CustomerId, Tables::Customers))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            PrivacyRequests::Table,
            &[
                ("ix_privacy_requests_due", &["due_at", "id"]),
                // The status filter (and `overdue`: received and due before now) in due order.
                ("ix_privacy_requests_status_due", &["status", "due_at", "id"]),
                ("ix_privacy_requests_received", &["received_at", "id"]),
                ("ix_privacy_requests_subject", &["subject_type", "subject_id"]),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Erasures::Table)
                    .col(id(Erasures::Id))
                    .col(text(Erasures::SubjectType))
                    .col(uuid(Erasures::SubjectId))
                    .col(uuid(Erasures::CustomerId))
                    .col(time(Erasures::ErasedAt))
                    .col(uuid_null(Erasures::ErasedBy))
                    .foreign_key(&mut references(Erasures::Table, Erasures::CustomerId, Tables::Customers))
                    .take(),
            )
            .await?;
        manager.create_index(unique_index(Erasures::Table, "ux_erasures_subject", &["subject_type", "subject_id"])).await?;
        // One consent in force per person and purpose, also when two requests record it at once
        // (PostgreSQL's read-committed check-then-insert would let both through).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_consents_in_force ON consents (subject_type, subject_id, purpose) WHERE status = 'given'",
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE roles SET permissions = SUBSTR(permissions, 1, LENGTH(permissions) - 1) || '{ADMIN_PRIVACY}}}' \
                 WHERE key = 'admin' AND builtin = true AND permissions NOT LIKE '%\"privacy\"%'"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE roles SET permissions = REPLACE(permissions, '{ADMIN_PRIVACY}', '') WHERE key = 'admin' AND builtin = true"
            ))
            .await?;
        drop_tables(manager, [Erasures::Table.into_iden(), PrivacyRequests::Table.into_iden(), Consents::Table.into_iden()]).await
    }
}
