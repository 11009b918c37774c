//! The HTTP test suite: one binary, every test on its own freshly migrated database. The same
//! tests run on SQLite (default) and PostgreSQL (`CRM_TEST_DATABASE=postgres`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod access_walk;
mod activities;
mod admin;
mod api_keys;
mod auth;
mod batches;
mod boundaries;
mod commands;
mod contacts;
mod custom_fields;
mod customers;
mod encryption;
mod errors;
mod external_ids;
mod faults;
mod feed;
mod imports;
mod knowledge;
mod languages;
mod merging;
mod migrations;
mod openapi;
mod ops;
mod orders;
mod personal_data;
mod portal;
mod privacy;
mod reports;
mod requirements;
mod sales;
mod saved_views;
mod schema_values;
mod scopes;
mod throttling;
mod tickets;
mod two_factor;
mod webhooks;
mod xlsx_exports;
