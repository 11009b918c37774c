//! sea-orm entities, one per table. They stay inside this crate: other layers see domain types
//! and the records this crate returns.

pub(crate) mod assignment_cursors;
pub(crate) mod audit_log;
pub(crate) mod contacts;
pub(crate) mod customer_stage_history;
pub(crate) mod customer_tags;
pub(crate) mod customers;
pub(crate) mod events;
pub(crate) mod follow_up_rules;
pub(crate) mod idempotency_keys;
pub(crate) mod interactions;
pub(crate) mod job_leases;
pub(crate) mod login_attempts;
pub(crate) mod notifications;
pub(crate) mod opportunities;
pub(crate) mod opportunity_lines;
pub(crate) mod opportunity_stage_history;
pub(crate) mod order_lines;
pub(crate) mod orders;
pub(crate) mod pipeline_stages;
pub(crate) mod pipelines;
pub(crate) mod products;
pub(crate) mod refresh_tokens;
pub(crate) mod roles;
pub(crate) mod sessions;
pub(crate) mod sla_policies;
pub(crate) mod tasks;
pub(crate) mod teams;
pub(crate) mod ticket_comments;
pub(crate) mod tickets;
pub(crate) mod timeline_items;
pub(crate) mod user_teams;
pub(crate) mod users;
