//! Forward-only schema migrations, one file each, named `mYYYYMMDD_HHMMSS_verb_object` and never
//! edited once landed. Every statement is built with sea-query so it runs on SQLite and
//! PostgreSQL alike; demo data is the `crm seed --demo` command, never a migration.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261123_000001_create_foundation;
mod m20261123_000002_create_activities;
mod m20261123_000003_create_sales_pipeline;
mod m20261123_000004_create_orders;
mod m20261123_000005_create_tickets;
mod m20261123_000006_create_knowledge_base_and_portal;
mod m20261123_000007_create_requirements;
mod m20261123_000008_add_actor_generation_and_feed_positions;
mod m20261123_000009_add_live_row_sort_indexes;
mod m20261123_000010_add_sales_rollups;
mod m20261123_000011_add_owner_stage_list_index;
mod m20261124_000012_replace_deleted_at_list_indexes;
mod m20261202_000013_fix_customer_search_and_credit_codes;
mod m20261202_000016_create_login_throttles;
mod m20261203_000017_count_sales_days_in_the_organisations_zone;
mod m20261203_000018_add_ticket_close_reasons;
mod m20261203_000019_date_customers_orders_in_the_organisations_zone;
mod m20261203_000020_store_system_texts_as_codes;
mod m20261203_000021_create_api_keys;
mod m20261203_000022_create_webhooks;
mod m20261203_000023_create_external_refs;
mod m20261203_000024_index_lists_by_updated_at;
mod m20261204_000025_remember_api_key_addresses;
mod m20261204_000026_code_webhook_attempt_failures;
mod m20261204_000027_index_audit_and_sessions_screens;
mod m20261204_000028_grant_personal_data_to_builtin_roles;
mod m20261204_000029_add_two_factor;
mod m20261204_000030_create_privacy;
mod m20261204_000031_seal_personal_fields;
mod m20261204_000032_create_custom_fields;
mod m20261204_000033_remember_merged_records;
mod m20261204_000034_create_customer_name_grams;
mod m20261204_000035_create_imports;
mod m20261204_000036_create_saved_views;
pub mod organisation_days;
pub mod sales_rollups;
mod tables;

/// The built-in roles as the foundation migration stored them, for the test that keeps them in
/// step with the domain.
pub use m20261123_000001_create_foundation::BUILTIN_ROLES as FOUNDATION_BUILTIN_ROLES;
/// What later migrations changed in a built-in role's stored permissions.
pub fn builtin_permissions_after(key: &str, stored: &str) -> String {
    let after_028 = m20261204_000028_grant_personal_data_to_builtin_roles::builtin_permissions_after(key, stored);
    m20261204_000030_create_privacy::builtin_permissions_after(key, &after_028)
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_foundation::Migration),
            Box::new(m20261123_000002_create_activities::Migration),
            Box::new(m20261123_000003_create_sales_pipeline::Migration),
            Box::new(m20261123_000004_create_orders::Migration),
            Box::new(m20261123_000005_create_tickets::Migration),
            Box::new(m20261123_000006_create_knowledge_base_and_portal::Migration),
            Box::new(m20261123_000007_create_requirements::Migration),
            Box::new(m20261123_000008_add_actor_generation_and_feed_positions::Migration),
            Box::new(m20261123_000009_add_live_row_sort_indexes::Migration),
            Box::new(m20261123_000010_add_sales_rollups::Migration),
            Box::new(m20261123_000011_add_owner_stage_list_index::Migration),
            Box::new(m20261124_000012_replace_deleted_at_list_indexes::Migration),
            Box::new(m20261202_000013_fix_customer_search_and_credit_codes::Migration),
            Box::new(m20261202_000016_create_login_throttles::Migration),
            Box::new(m20261203_000017_count_sales_days_in_the_organisations_zone::Migration),
            Box::new(m20261203_000018_add_ticket_close_reasons::Migration),
            Box::new(m20261203_000019_date_customers_orders_in_the_organisations_zone::Migration),
            Box::new(m20261203_000020_store_system_texts_as_codes::Migration),
            Box::new(m20261203_000021_create_api_keys::Migration),
            Box::new(m20261203_000022_create_webhooks::Migration),
            Box::new(m20261203_000023_create_external_refs::Migration),
            Box::new(m20261203_000024_index_lists_by_updated_at::Migration),
            Box::new(m20261204_000025_remember_api_key_addresses::Migration),
            Box::new(m20261204_000026_code_webhook_attempt_failures::Migration),
            Box::new(m20261204_000027_index_audit_and_sessions_screens::Migration),
            Box::new(m20261204_000028_grant_personal_data_to_builtin_roles::Migration),
            Box::new(m20261204_000029_add_two_factor::Migration),
            Box::new(m20261204_000030_create_privacy::Migration),
            Box::new(m20261204_000031_seal_personal_fields::Migration),
            Box::new(m20261204_000032_create_custom_fields::Migration),
            Box::new(m20261204_000033_remember_merged_records::Migration),
            Box::new(m20261204_000034_create_customer_name_grams::Migration),
            Box::new(m20261204_000035_create_imports::Migration),
            Box::new(m20261204_000036_create_saved_views::Migration),
        ]
    }
}
