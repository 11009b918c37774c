//! sea-orm entities, one per table. They stay inside this crate: other layers see domain types
//! and the records this crate returns.

/// Declares the entity of a record edited through the one write path (`platform::changes`):
/// its `id`, the columns it lists, then the bookkeeping every such record ends with —
/// `created_at`, `updated_at` and `version` (compared by optimistic locking), and `deleted_at`
/// for a record with a recycle bin (`binned`) — with the `Versioned` (and `Binned`) impls that
/// the write path stamps it through. Declaring them here keeps the two in step: a record cannot
/// have a version column without the one way of moving it.
macro_rules! record_entity {
    ($table:tt, versioned { $($columns:tt)* }) => {
        record_entity!(@model $table { $($columns)* } {} {});
    };
    ($table:tt, binned { $($columns:tt)* }) => {
        record_entity!(@model $table { $($columns)* } { pub deleted_at: Option<DateTimeUtc>, } { deleted_at });

        impl crate::platform::changes::Binned for ActiveModel {
            fn set_deleted_at(&mut self, at: Option<DateTimeUtc>) {
                self.deleted_at = sea_orm::ActiveValue::Set(at);
            }
        }
    };
    (@model $table:tt { $($columns:tt)* } { $($bin_column:tt)* } { $($bin_field:ident)? }) => {
        // Serialize: a subject's export (`privacy::export`) holds their rows as stored.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
        #[sea_orm(table_name = $table)]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            $($columns)*
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
            pub version: i32,
            $($bin_column)*
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}

        impl crate::platform::changes::Versioned for ActiveModel {
            fn stamp_first_version(&mut self, at: DateTimeUtc) {
                use sea_orm::ActiveValue;
                self.created_at = ActiveValue::Set(at);
                self.updated_at = ActiveValue::Set(at);
                self.version = ActiveValue::Set(1);
                $(self.$bin_field = ActiveValue::Set(None);)?
            }

            fn stamp_next_version(&mut self, at: DateTimeUtc) -> Result<(), DbErr> {
                use sea_orm::ActiveValue;
                let read = match &self.version {
                    ActiveValue::Set(version) | ActiveValue::Unchanged(version) => *version,
                    ActiveValue::NotSet => {
                        return Err(DbErr::Custom(concat!("a ", $table, " row was saved without the version it was read with").to_owned()));
                    }
                };
                self.updated_at = ActiveValue::Set(at);
                self.version = ActiveValue::Set(read + 1);
                Ok(())
            }

            fn stamped_version(&self) -> Option<i32> {
                use sea_orm::ActiveValue;
                match &self.version {
                    ActiveValue::Set(version) | ActiveValue::Unchanged(version) => Some(*version),
                    ActiveValue::NotSet => None,
                }
            }
        }
    };
}

/// Declares one of the two line tables (opportunity lines, order lines): a product at a quantity
/// and unit price less a discount, under its parent `$parent`. They have the same columns, which
/// `sales::lines` writes through one body.
macro_rules! line_entity {
    ($table:tt, $parent:ident) => {
        // Serialize: a subject's export (`privacy::export`) holds their rows as stored.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
        #[sea_orm(table_name = $table)]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub $parent: Uuid,
            pub product_id: Uuid,
            pub sku: String,
            pub product_name: String,
            pub quantity: i64,
            pub unit_price_minor: i64,
            pub discount_bp: i32,
            pub line_total_minor: i64,
            pub position: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub(crate) mod api_key_addresses;
pub(crate) mod api_keys;
pub(crate) mod assignment_cursors;
pub(crate) mod audit_log;
pub(crate) mod consents;
pub(crate) mod contacts;
pub(crate) mod custom_field_definitions;
pub(crate) mod customer_name_grams;
pub(crate) mod customer_stage_history;
pub(crate) mod customer_tags;
pub(crate) mod customers;
pub(crate) mod erasures;
pub(crate) mod events;
pub(crate) mod external_refs;
pub(crate) mod follow_up_rules;
pub(crate) mod idempotency_keys;
pub(crate) mod import_file_parts;
pub(crate) mod import_rows;
pub(crate) mod imports;
pub(crate) mod interactions;
pub(crate) mod job_leases;
pub(crate) mod kb_article_revisions;
pub(crate) mod kb_article_tags;
pub(crate) mod kb_article_tickets;
pub(crate) mod kb_article_votes;
pub(crate) mod kb_articles;
pub(crate) mod kb_categories;
pub(crate) mod login_attempts;
pub(crate) mod notifications;
pub(crate) mod opportunities;
pub(crate) mod opportunity_lines;
pub(crate) mod opportunity_stage_history;
pub(crate) mod order_lines;
pub(crate) mod orders;
pub(crate) mod pipeline_stages;
pub(crate) mod pipelines;
pub(crate) mod portal_accounts;
pub(crate) mod portal_sessions;
pub(crate) mod privacy_requests;
pub(crate) mod products;
pub(crate) mod recovery_codes;
pub(crate) mod refresh_tokens;
pub(crate) mod requirement_feedback;
pub(crate) mod requirement_grams;
pub(crate) mod requirement_history;
pub(crate) mod requirement_requesters;
pub(crate) mod requirement_revisions;
pub(crate) mod requirement_tags;
pub(crate) mod requirements;
pub(crate) mod roles;
pub(crate) mod saved_views;
pub(crate) mod sessions;
pub(crate) mod settings;
pub(crate) mod sla_policies;
pub(crate) mod tasks;
pub(crate) mod teams;
pub(crate) mod ticket_comments;
pub(crate) mod tickets;
pub(crate) mod timeline_items;
pub(crate) mod two_factor_challenges;
pub(crate) mod user_teams;
pub(crate) mod users;
pub(crate) mod webhook_attempts;
pub(crate) mod webhook_deliveries;
pub(crate) mod webhook_dispatch;
pub(crate) mod webhook_subscriptions;
