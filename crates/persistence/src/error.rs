//! The one error type of the storage layer. Database errors that a client can cause (unique and
//! foreign-key violations) are recognised here, on both backends, through `sql_err()`.

use crm_domain::ValidationErrors;
use sea_orm::{DbErr, SqlErr, TransactionError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Absent, deleted, or outside the caller's scope: the caller cannot tell which.
    #[error("not found")]
    NotFound,
    /// The caller's role does not allow this action at all.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A unique value is taken, or the change breaks a rule of state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` named a version other than the stored one.
    #[error("stale version: the record is at version {current}")]
    StaleVersion { current: i32 },
    /// The values are individually valid but do not fit the stored record.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// Too many attempts; the caller may retry after this many seconds.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// Bad or missing credentials.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Anything else: logged, never shown.
    #[error("database error: {0}")]
    Unexpected(#[source] DbErr),
}

impl From<DbErr> for Error {
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict("a record with this value already exists".into()),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                Error::Conflict("a referenced record does not exist or is still in use".into())
            }
            _ => Error::Unexpected(error),
        }
    }
}

impl From<TransactionError<Error>> for Error {
    fn from(error: TransactionError<Error>) -> Self {
        match error {
            TransactionError::Connection(db) => db.into(),
            TransactionError::Transaction(inner) => inner,
        }
    }
}

impl Error {
    pub fn validation(field: &str, code: &str, message: &str) -> Self {
        Error::Validation(ValidationErrors::single(field, code, message))
    }
}
