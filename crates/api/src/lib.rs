//! The CRM's HTTP API (actix-web) and the `crm` binary. Handlers are thin: they parse the request
//! into domain values, make one persistence call with the authenticated caller, and map the result
//! to a DTO; `ApiError` is the only type that knows HTTP. Every route is documented with utoipa and
//! registered through utoipa-actix-web, so the OpenAPI document cannot miss one.

pub mod activities;
pub mod analytics;
pub mod app;
pub mod auth;
pub mod batch;
pub mod cli;
pub mod config;
pub mod customers;
pub mod error;
pub mod export;
pub mod external;
pub mod headers;
pub mod http;
pub mod identity;
pub mod middleware;
pub mod openapi;
pub mod ops;
pub mod personal_data;
pub mod platform;
pub mod privacy;
pub mod problem_codes;
pub mod requirements;
pub mod sales;
pub mod service;

pub use app::Application;
pub use config::Config;
