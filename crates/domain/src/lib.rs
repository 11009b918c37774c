//! The CRM's business vocabulary: value types that can only hold valid values (parse, don't
//! validate), the access model, and the rules that need no database. Nothing here does I/O, so
//! every rule is unit-tested directly; persistence and the API convert to and from these types.

pub mod activities;
pub mod check;
pub mod customers;
pub mod dates;
pub mod error;
pub mod external;
pub mod identity;
pub mod ids;
pub mod message;
pub mod net;
mod patch;
pub mod platform;
pub mod privacy;
pub mod problem_codes;
pub mod requirements;
pub mod sales;
pub mod service;
pub mod text;
pub mod values;
pub mod written;

pub use check::Check;
pub use error::{FieldError, HasCode, ValidationErrors};
pub use message::{Lang, Text};
