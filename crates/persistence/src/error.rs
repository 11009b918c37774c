//! The one error type of the storage layer. Database errors that a client can cause (unique and
//! foreign-key violations) are recognised here, on both backends, through `sql_err()`.

use crm_domain::{Text, ValidationErrors, text};
use sea_orm::{DbErr, SqlErr, TransactionError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Absent, deleted, or outside the caller's scope: the caller cannot tell which.
    #[error("not found")]
    NotFound,
    /// The caller's role does not allow this action at all.
    #[error("forbidden: {0}")]
    Forbidden(Text),
    /// A unique value is taken, or the change breaks a rule of state; `code` names which
    /// (`team.has_members`, `ticket.invalid_transition`).
    #[error("{code}: {message}")]
    Conflict { code: &'static str, message: Text },
    /// A value that must be unique among live records is held by another one: the client is
    /// told which (`existing_id`), so it can open or merge it instead.
    #[error("{code}: {message}")]
    Taken { code: &'static str, message: Text, existing_id: uuid::Uuid },
    /// `If-Match` named a version other than the stored one.
    #[error("stale version: the record is at version {current}")]
    StaleVersion { current: i32 },
    /// The values are individually valid but do not fit the stored record.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The values are valid, but a rule of the record as it stands refuses them; `code` names the
    /// rule (`ticket.close_reason_required`) so clients can tell it from a plain invalid field.
    #[error("{code}: {message}")]
    Refused { code: &'static str, message: Text, errors: ValidationErrors },
    /// Too many attempts; the caller may retry after this many seconds.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// Bad or missing credentials.
    #[error("{code}: {message}")]
    Unauthorized { code: &'static str, message: Text },
    /// The database cannot be reached or is not accepting work right now (down, restarting,
    /// pool exhausted, busy): the client may retry shortly.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] DbErr),
    /// Anything else: logged once where it arises (see [`Error::unexpected`]), never shown.
    #[error("database error: {0}")]
    Unexpected(#[source] DbErr),
}

impl Error {
    /// An error nobody expected, logged at once with its whole cause chain inside the span of the
    /// operation that met it (persistence entry points carry one), and never again.
    pub fn unexpected(error: DbErr) -> Self {
        tracing::error!(cause = %cause_chain(&error), "unexpected storage error");
        Error::Unexpected(error)
    }
}

/// An error and every error under it, outermost first: `query failed: … : connection reset`.
pub fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // sea-orm and sqlx often repeat the cause in the outer message
        if !chain.contains(&text) {
            chain.push_str(": ");
            chain.push_str(&text);
        }
        source = cause.source();
    }
    chain
}

impl From<DbErr> for Error {
    fn from(error: DbErr) -> Self {
        if is_unavailable(&error) {
            return Error::Unavailable(error);
        }
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict {
                code: "conflict.unique",
                message: text!("a record with this value already exists", "已有记录使用了这个值"),
            },
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Error::Conflict {
                code: "conflict.reference",
                message: text!("a referenced record does not exist or is still in use", "引用的记录不存在或仍在使用中"),
            },
            _ => Error::unexpected(error),
        }
    }
}

/// Whether an error means "the database is not there right now" rather than "this statement is
/// wrong", judged by the error's kind: the pool could not hand out a connection, the connection
/// broke (I/O, TLS, protocol), or the server refused work for a reason of its own (SQLSTATE
/// classes 08 connection exception, 53 insufficient resources, 57 operator intervention such as
/// a shutdown or a restart in progress; SQLite's busy and locked).
pub fn is_unavailable(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner)) => sqlx_unavailable(inner),
        _ => false,
    }
}

fn sqlx_unavailable(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error as E;
    match error {
        E::Io(_) | E::Tls(_) | E::Protocol(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed => true,
        E::Database(db) => db.code().is_some_and(|code| {
            let code = code.as_ref();
            match db.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>() {
                // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
                Some(_) => code.parse::<i32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6)),
                None => code.starts_with("08") || code.starts_with("53") || code.starts_with("57"),
            }
        }),
        _ => false,
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
    pub fn validation(field: &str, code: &str, message: Text) -> Self {
        Error::Validation(ValidationErrors::single(field, code, message))
    }

    /// A rule of state refuses the change (409).
    pub fn conflict(code: &'static str, message: Text) -> Self {
        Error::Conflict { code, message }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};

    use super::{Error, cause_chain, is_unavailable};

    fn io(kind: std::io::ErrorKind, text: &str) -> RuntimeErr {
        RuntimeErr::SqlxError(Arc::new(sea_orm::sqlx::Error::Io(std::io::Error::new(kind, text))))
    }

    #[test]
    fn a_connection_reset_mid_statement_is_unavailable_not_internal() {
        // The outage test's 500: the statement was sent, then the server went away.
        let reset = DbErr::Exec(io(std::io::ErrorKind::ConnectionReset, "Connection reset by peer"));
        assert!(matches!(Error::from(reset), Error::Unavailable(_)));
        let eof = DbErr::Query(io(std::io::ErrorKind::UnexpectedEof, "unexpected end of file"));
        assert!(matches!(Error::from(eof), Error::Unavailable(_)));
    }

    #[test]
    fn an_exhausted_or_unreachable_pool_is_unavailable() {
        assert!(is_unavailable(&DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)));
        assert!(is_unavailable(&DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed)));
        assert!(is_unavailable(&DbErr::Conn(io(std::io::ErrorKind::ConnectionRefused, "Connection refused"))));
        let timed_out = DbErr::Query(RuntimeErr::SqlxError(Arc::new(sea_orm::sqlx::Error::PoolTimedOut)));
        assert!(matches!(Error::from(timed_out), Error::Unavailable(_)));
    }

    #[test]
    fn errors_are_judged_by_kind_not_by_their_text() {
        // A message that merely mentions a connection is not an outage.
        let custom = DbErr::Custom("Connection refused: closed pool timed out".into());
        assert!(matches!(Error::from(custom), Error::Unexpected(_)));
    }

    #[test]
    fn the_cause_chain_names_every_layer_once() {
        let denied = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "disk is read-only");
        let error = DbErr::Exec(RuntimeErr::SqlxError(Arc::new(sea_orm::sqlx::Error::Io(denied))));
        let chain = cause_chain(&error);
        assert!(chain.contains("disk is read-only"), "{chain}");
        assert_eq!(chain.matches("disk is read-only").count(), 1, "{chain}");
    }
}
