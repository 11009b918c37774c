//! Validation errors as the domain reports them: one entry per offending field, so the API can
//! answer every problem of a request at once rather than the first one only.

use serde::Serialize;

/// One invalid field: the JSON field name, a stable machine code and a human sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

/// The field errors gathered while parsing a request into domain values.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} field(s) are invalid", .0.len())]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, code: &str, message: &str) -> Self {
        Self(vec![FieldError::new(field, code, message)])
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses one field, remembering its error under `field` and returning `None` on failure, so
    /// that a caller can parse every field before deciding whether the request is valid.
    pub fn check<T, E: std::fmt::Display + HasCode>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(FieldError::new(field, error.code(), error.to_string()));
                None
            }
        }
    }

    /// `Ok(())` when nothing was recorded, the errors otherwise.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// A stable, machine-readable code for a parse error (`email`, `phone`, `too_long`, …).
pub trait HasCode {
    fn code(&self) -> &'static str;
}
