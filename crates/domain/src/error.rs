//! Validation errors as the domain reports them: one entry per offending field, so the API can
//! answer every problem of a request at once rather than the first one only.

use serde_json::{Map, Value};

use crate::message::Text;

/// One invalid field: the JSON field name, a stable machine code, the values a client needs to
/// word its own message (`{"max": 200}`) and the sentence in both languages.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub params: Map<String, Value>,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: Text) -> Self {
        Self { field: field.into(), code: code.into(), params: Map::new(), message }
    }

    /// Adds a value the message names, so a client can word it in its own language.
    pub fn with_param(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.params.insert(name.to_owned(), value.into());
        self
    }
}

/// The field errors gathered while parsing a request into domain values.
#[derive(Debug, Clone, Default, PartialEq, thiserror::Error)]
#[error("{} field(s) are invalid", .0.len())]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, code: &str, message: Text) -> Self {
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
    pub fn check<T, E: HasCode>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error.field_error(field));
                None
            }
        }
    }

    /// `Ok(())` when nothing was recorded, the errors otherwise.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// What a parse error tells a client: a stable, machine-readable code (`email`, `phone`,
/// `too_long`, …), the values its message names, and the message in both languages.
pub trait HasCode {
    fn code(&self) -> &'static str;
    fn text(&self) -> Text;
    fn params(&self) -> Map<String, Value> {
        Map::new()
    }
    /// The error as reported against `field`.
    fn field_error(&self, field: &str) -> FieldError {
        FieldError { field: field.to_owned(), code: self.code().to_owned(), params: self.params(), message: self.text() }
    }
}
