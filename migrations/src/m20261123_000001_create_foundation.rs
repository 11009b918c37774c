//! The foundation schema: identity (roles, teams, users, sessions), customers and contacts, and
//! the platform tables every change writes to (audit log, event outbox, idempotency keys).
//! Portable by construction: enums and JSON are text, ids are UUIDs set by the application.

use sea_orm_migration::prelude::*;

use crate::columns::*;
use crate::tables::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_create_foundation"
    }
}

/// The built-in roles as they were when this migration landed: `(key, name, description,
/// permissions JSON)`. Later changes to built-in roles come in new migrations.
pub const BUILTIN_ROLES: &[(&str, &str, &str, &str)] = &[
    (
        "admin",
        "Administrator",
        "Everything, including users, roles and the audit log.",
        r#"{"customers":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"contacts":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"activities":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"sales":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"service":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"requirements":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"marketing":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"analytics":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"users":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"teams":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"roles":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"audit":{"read":"all","create":"all","update":"all","delete":"all","export":"all"}}"#,
    ),
    (
        "manager",
        "Manager",
        "Everything their teams and sub-teams own.",
        r#"{"customers":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"contacts":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"activities":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"sales":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"service":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"requirements":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"marketing":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"analytics":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"users":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"teams":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"roles":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"audit":{"read":"none","create":"none","update":"none","delete":"none","export":"none"}}"#,
    ),
    (
        "sales",
        "Sales",
        "Reads the team's customers, changes their own.",
        r#"{"customers":{"read":"team","create":"own","update":"own","delete":"own","export":"none"},"contacts":{"read":"team","create":"own","update":"own","delete":"own","export":"none"},"activities":{"read":"team","create":"own","update":"own","delete":"own","export":"none"},"sales":{"read":"team","create":"own","update":"own","delete":"own","export":"none"},"service":{"read":"team","create":"own","update":"none","delete":"none","export":"none"},"requirements":{"read":"team","create":"own","update":"own","delete":"none","export":"none"},"marketing":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"analytics":{"read":"own","create":"none","update":"none","delete":"none","export":"none"},"users":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"teams":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"roles":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"audit":{"read":"none","create":"none","update":"none","delete":"none","export":"none"}}"#,
    ),
    (
        "marketing",
        "Marketing",
        "Reads and exports customers, runs campaigns.",
        r#"{"customers":{"read":"all","create":"none","update":"none","delete":"none","export":"all"},"contacts":{"read":"all","create":"none","update":"none","delete":"none","export":"all"},"activities":{"read":"all","create":"own","update":"own","delete":"none","export":"none"},"sales":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"service":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"requirements":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"marketing":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"analytics":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"users":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"teams":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"roles":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"audit":{"read":"none","create":"none","update":"none","delete":"none","export":"none"}}"#,
    ),
    (
        "support",
        "Support",
        "Serves every customer's tickets and contacts.",
        r#"{"customers":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"contacts":{"read":"all","create":"all","update":"all","delete":"none","export":"none"},"activities":{"read":"all","create":"own","update":"own","delete":"none","export":"none"},"sales":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"service":{"read":"all","create":"all","update":"all","delete":"none","export":"all"},"requirements":{"read":"all","create":"all","update":"own","delete":"none","export":"none"},"marketing":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"analytics":{"read":"team","create":"none","update":"none","delete":"none","export":"none"},"users":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"teams":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"roles":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"audit":{"read":"none","create":"none","update":"none","delete":"none","export":"none"}}"#,
    ),
    (
        "viewer",
        "Viewer",
        "Reads everything, changes nothing.",
        r#"{"customers":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"contacts":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"activities":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"sales":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"service":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"requirements":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"marketing":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"analytics":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"users":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"teams":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"roles":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"audit":{"read":"none","create":"none","update":"none","delete":"none","export":"none"}}"#,
    ),
    (
        "integration",
        "Integration",
        "For ERP and finance systems through API keys: every business record, no administration.",
        r#"{"customers":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"contacts":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"activities":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"sales":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"service":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"requirements":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"marketing":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"analytics":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"users":{"read":"none","create":"none","update":"none","delete":"none","export":"none"},"teams":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"roles":{"read":"all","create":"none","update":"none","delete":"none","export":"none"},"audit":{"read":"none","create":"none","update":"none","delete":"none","export":"none"}}"#,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Roles::Table)
                    .col(id(Roles::Id))
                    .col(text(Roles::Key).unique_key().take())
                    .col(text(Roles::Name))
                    .col(long_text(Roles::Description))
                    .col(flag(Roles::Builtin))
                    .col(long_text(Roles::Permissions))
                    .timestamps_and_version()
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Teams::Table)
                    .col(id(Teams::Id))
                    .col(text(Teams::Name).unique_key().take())
                    .col(uuid_null(Teams::ParentId))
                    .timestamps_and_version()
                    .foreign_key(&mut references(Teams::Table, Teams::ParentId, Teams::Table))
                    .take(),
            )
            .await?;
        manager.create_index(index(Teams::Table, "ix_teams_parent", &["parent_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id(Users::Id))
                    .col(text(Users::Email).unique_key().take())
                    .col(text(Users::DisplayName))
                    .col(text(Users::PasswordHash))
                    .col(uuid(Users::RoleId))
                    .col(text(Users::Locale))
                    .col(flag(Users::Active))
                    .col(time_null(Users::LastLoginAt))
                    .timestamps_and_version()
                    .foreign_key(&mut references(Users::Table, Users::RoleId, Roles::Table))
                    .take(),
            )
            .await?;
        create_indexes(manager, Users::Table, &[("ix_users_role", &["role_id", "id"]), ("ix_users_display_name", &["display_name", "id"])])
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserTeams::Table)
                    .col(uuid(UserTeams::UserId))
                    .col(uuid(UserTeams::TeamId))
                    .primary_key(Index::create().col(UserTeams::UserId).col(UserTeams::TeamId))
                    .foreign_key(&mut references_cascade(UserTeams::Table, UserTeams::UserId, Users::Table))
                    .foreign_key(&mut references(UserTeams::Table, UserTeams::TeamId, Teams::Table))
                    .take(),
            )
            .await?;
        manager.create_index(index(UserTeams::Table, "ix_user_teams_team", &["team_id", "user_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(id(Sessions::Id))
                    .col(uuid(Sessions::UserId))
                    .col(time(Sessions::CreatedAt))
                    .col(time(Sessions::ExpiresAt))
                    .col(time_null(Sessions::RevokedAt))
                    .col(text_null(Sessions::RevokedReason))
                    .col(text_null(Sessions::Ip))
                    .col(text_null(Sessions::UserAgent))
                    .foreign_key(&mut references_cascade(Sessions::Table, Sessions::UserId, Users::Table))
                    .take(),
            )
            .await?;
        manager.create_index(index(Sessions::Table, "ix_sessions_user", &["user_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(id(RefreshTokens::Id))
                    .col(uuid(RefreshTokens::SessionId))
                    .col(text(RefreshTokens::TokenHash).unique_key().take())
                    .col(time(RefreshTokens::CreatedAt))
                    .col(time(RefreshTokens::ExpiresAt))
                    .col(time_null(RefreshTokens::UsedAt))
                    .foreign_key(&mut references_cascade(RefreshTokens::Table, RefreshTokens::SessionId, Sessions::Table))
                    .take(),
            )
            .await?;
        manager.create_index(index(RefreshTokens::Table, "ix_refresh_tokens_session", &["session_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(id(LoginAttempts::Id))
                    .col(text(LoginAttempts::Email))
                    .col(text_null(LoginAttempts::Ip))
                    .col(flag(LoginAttempts::Succeeded))
                    .col(time(LoginAttempts::AttemptedAt))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            LoginAttempts::Table,
            &[("ix_login_attempts_email", &["email", "attempted_at"]), ("ix_login_attempts_ip", &["ip", "attempted_at"])],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Customers::Table)
                    .col(id(Customers::Id))
                    .col(text(Customers::Kind))
                    .col(text(Customers::Name))
                    .col(text_null(Customers::Industry))
                    .col(text_null(Customers::SizeBand))
                    .col(text_null(Customers::Province))
                    .col(text_null(Customers::City))
                    .col(text_null(Customers::District))
                    .col(long_text_null(Customers::Address))
                    .col(text_null(Customers::Phone))
                    .col(text_null(Customers::Email))
                    .col(text_null(Customers::Website))
                    .col(text_null(Customers::CreditCode))
                    .col(text_null(Customers::SourceChannel))
                    .col(text(Customers::LifecycleStage))
                    .col(text_null(Customers::ValueTier))
                    .col(long_text(Customers::Tags))
                    .col(long_text(Customers::CustomFields))
                    .col(text_null(Customers::Gender))
                    .col(date_null(Customers::Birthday))
                    .col(long_text_null(Customers::Preferences))
                    .col(long_text_null(Customers::Notes))
                    .col(long_text(Customers::SearchText))
                    .owner_and_team()
                    .timestamps_version_and_deleted_at()
                    .foreign_key(&mut references(Customers::Table, SharedColumn::OwnerId, Users::Table))
                    .foreign_key(&mut references(Customers::Table, SharedColumn::TeamId, Teams::Table))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Customers::Table,
            &[
                ("ix_customers_created", &["deleted_at", "created_at", "id"]),
                ("ix_customers_updated", &["deleted_at", "updated_at", "id"]),
                ("ix_customers_name", &["deleted_at", "name", "id"]),
                ("ix_customers_owner", &["owner_id", "created_at", "id"]),
                ("ix_customers_team", &["team_id", "created_at", "id"]),
                ("ix_customers_stage", &["lifecycle_stage", "created_at", "id"]),
                ("ix_customers_industry", &["industry", "created_at", "id"]),
                ("ix_customers_province", &["province", "created_at", "id"]),
                ("ix_customers_city", &["city", "created_at", "id"]),
                ("ix_customers_district", &["district", "created_at", "id"]),
                ("ix_customers_value_tier", &["value_tier", "created_at", "id"]),
                ("ix_customers_phone", &["phone"]),
                ("ix_customers_email", &["email"]),
                ("ix_customers_credit_code", &["credit_code"]),
                ("ix_customers_deleted", &["deleted_at", "id"]),
            ],
        )
        .await?;
        // Substring search (`q`) on PostgreSQL is served by a trigram index; SQLite scans.
        create_trigram_search_index(manager, "ix_customers_search", "customers", Trigrams::InstallIfAvailable).await?;
        manager
            .create_table(
                Table::create()
                    .table(CustomerTags::Table)
                    .col(uuid(CustomerTags::CustomerId))
                    .col(text(CustomerTags::Tag))
                    .primary_key(Index::create().col(CustomerTags::CustomerId).col(CustomerTags::Tag))
                    .foreign_key(&mut references_cascade(CustomerTags::Table, CustomerTags::CustomerId, Customers::Table))
                    .take(),
            )
            .await?;
        manager.create_index(index(CustomerTags::Table, "ix_customer_tags_tag", &["tag", "customer_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(CustomerStageHistory::Table)
                    .col(id(CustomerStageHistory::Id))
                    .col(uuid(CustomerStageHistory::CustomerId))
                    .col(text_null(CustomerStageHistory::FromStage))
                    .col(text(CustomerStageHistory::ToStage))
                    .col(uuid_null(CustomerStageHistory::ChangedBy))
                    .col(time(CustomerStageHistory::ChangedAt))
                    .foreign_key(&mut references_cascade(CustomerStageHistory::Table, CustomerStageHistory::CustomerId, Customers::Table))
                    .take(),
            )
            .await?;
        manager.create_index(index(CustomerStageHistory::Table, "ix_stage_history_customer", &["customer_id", "changed_at", "id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(id(Contacts::Id))
                    .col(uuid(Contacts::CustomerId))
                    .col(text(Contacts::Name))
                    .col(text_null(Contacts::Title))
                    .col(text_null(Contacts::Department))
                    .col(text_null(Contacts::Phone))
                    .col(text_null(Contacts::Mobile))
                    .col(text_null(Contacts::Email))
                    .col(text_null(Contacts::Wechat))
                    .col(flag(Contacts::IsPrimary))
                    .col(date_null(Contacts::Birthday))
                    .col(long_text_null(Contacts::Notes))
                    .timestamps_version_and_deleted_at()
                    .foreign_key(&mut references_cascade(Contacts::Table, Contacts::CustomerId, Customers::Table))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            Contacts::Table,
            &[
                ("ix_contacts_customer", &["customer_id", "deleted_at", "created_at", "id"]),
                ("ix_contacts_deleted", &["deleted_at", "id"]),
                ("ix_contacts_mobile", &["mobile"]),
                ("ix_contacts_email", &["email"]),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(id(AuditLog::Id))
                    .col(uuid_null(AuditLog::ActorId))
                    .col(text(AuditLog::Action))
                    .col(text(AuditLog::EntityType))
                    .col(uuid(AuditLog::EntityId))
                    .col(long_text(AuditLog::Changes))
                    .col(text_null(AuditLog::RequestId))
                    .col(text_null(AuditLog::Ip))
                    .col(time(AuditLog::CreatedAt))
                    .take(),
            )
            .await?;
        create_indexes(
            manager,
            AuditLog::Table,
            &[
                ("ix_audit_entity", &["entity_type", "entity_id", "created_at", "id"]),
                ("ix_audit_actor", &["actor_id", "created_at", "id"]),
                ("ix_audit_created", &["created_at", "id"]),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(ColumnDef::new(Events::Seq).big_integer().not_null().auto_increment().primary_key().take())
                    .col(uuid(Events::Id).unique_key().take())
                    .col(text(Events::EventType))
                    .col(text(Events::EntityType))
                    .col(uuid(Events::EntityId))
                    .col(uuid_null(Events::ActorId))
                    .col(long_text(Events::Payload))
                    .col(time(Events::OccurredAt))
                    .take(),
            )
            .await?;
        manager.create_index(index(Events::Table, "ix_events_type", &["event_type", "seq"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(id(IdempotencyKeys::Id))
                    .col(uuid(IdempotencyKeys::PrincipalId))
                    .col(text(IdempotencyKeys::Key))
                    .col(text(IdempotencyKeys::Method))
                    .col(long_text(IdempotencyKeys::Path))
                    .col(text(IdempotencyKeys::RequestHash))
                    .col(int_null(IdempotencyKeys::StatusCode))
                    .col(long_text_null(IdempotencyKeys::ResponseHeaders))
                    .col(long_text_null(IdempotencyKeys::ResponseBody))
                    .col(time(IdempotencyKeys::CreatedAt))
                    .take(),
            )
            .await?;
        manager.create_index(unique_index(IdempotencyKeys::Table, "ux_idempotency_principal_key", &["principal_id", "key"])).await?;
        manager.create_index(index(IdempotencyKeys::Table, "ix_idempotency_created", &["created_at"])).await?;

        let now = chrono::Utc::now();
        for (key, name, description, permissions) in BUILTIN_ROLES {
            let insert = Query::insert()
                .into_table(Roles::Table)
                .columns([
                    Roles::Id,
                    Roles::Key,
                    Roles::Name,
                    Roles::Description,
                    Roles::Builtin,
                    Roles::Permissions,
                    Roles::CreatedAt,
                    Roles::UpdatedAt,
                    Roles::Version,
                ])
                .values_panic([
                    uuid::Uuid::now_v7().into(),
                    (*key).into(),
                    (*name).into(),
                    (*description).into(),
                    true.into(),
                    (*permissions).into(),
                    now.into(),
                    now.into(),
                    1.into(),
                ])
                .take();
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                IdempotencyKeys::Table.into_iden(),
                Events::Table.into_iden(),
                AuditLog::Table.into_iden(),
                Contacts::Table.into_iden(),
                CustomerStageHistory::Table.into_iden(),
                CustomerTags::Table.into_iden(),
                Customers::Table.into_iden(),
                LoginAttempts::Table.into_iden(),
                RefreshTokens::Table.into_iden(),
                Sessions::Table.into_iden(),
                UserTeams::Table.into_iden(),
                Users::Table.into_iden(),
                Teams::Table.into_iden(),
                Roles::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
    Key,
    Name,
    Description,
    Builtin,
    Permissions,
    CreatedAt,
    UpdatedAt,
    Version,
}
#[derive(DeriveIden, Clone, Copy)]
enum Teams {
    Table,
    Id,
    Name,
    ParentId,
}
#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    RoleId,
    Locale,
    Active,
    LastLoginAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum UserTeams {
    Table,
    UserId,
    TeamId,
}
#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    RevokedReason,
    Ip,
    UserAgent,
}
#[derive(DeriveIden, Clone, Copy)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum LoginAttempts {
    Table,
    Id,
    Email,
    Ip,
    Succeeded,
    AttemptedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    Id,
    Kind,
    Name,
    Industry,
    SizeBand,
    Province,
    City,
    District,
    Address,
    Phone,
    Email,
    Website,
    CreditCode,
    SourceChannel,
    LifecycleStage,
    ValueTier,
    Tags,
    CustomFields,
    Gender,
    Birthday,
    Preferences,
    Notes,
    SearchText,
}
#[derive(DeriveIden, Clone, Copy)]
enum CustomerTags {
    Table,
    CustomerId,
    Tag,
}
#[derive(DeriveIden, Clone, Copy)]
enum CustomerStageHistory {
    Table,
    Id,
    CustomerId,
    FromStage,
    ToStage,
    ChangedBy,
    ChangedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Contacts {
    Table,
    Id,
    CustomerId,
    Name,
    Title,
    Department,
    Phone,
    Mobile,
    Email,
    Wechat,
    IsPrimary,
    Birthday,
    Notes,
}
#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    EntityType,
    EntityId,
    Changes,
    RequestId,
    Ip,
    CreatedAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum Events {
    Table,
    Seq,
    Id,
    EventType,
    EntityType,
    EntityId,
    ActorId,
    Payload,
    OccurredAt,
}
#[derive(DeriveIden, Clone, Copy)]
enum IdempotencyKeys {
    Table,
    Id,
    PrincipalId,
    Key,
    Method,
    Path,
    RequestHash,
    StatusCode,
    ResponseHeaders,
    ResponseBody,
    CreatedAt,
}
