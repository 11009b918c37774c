//! Small text rules shared by several value types.

/// Trims a user-entered value and turns an empty result into `None`, so that `""` and `"  "`
/// mean "no value" everywhere.
pub fn non_blank(value: &str) -> Option<&str> {
    let trimmed = value.trim();
    if trimmed.is_empty() { None } else { Some(trimmed) }
}

/// A bounded, trimmed, non-empty piece of text (names, titles, free-text fields).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    ControlCharacters,
}

impl crate::error::HasCode for TextError {
    fn code(&self) -> &'static str {
        match self {
            TextError::Empty => "required",
            TextError::TooLong(_) => "too_long",
            TextError::ControlCharacters => "invalid_characters",
        }
    }

    fn text(&self) -> crate::message::Text {
        match self {
            TextError::Empty => crate::text!("must not be empty", "不能为空"),
            TextError::TooLong(max) => crate::text!("must be at most {max} characters", "最多 {max} 个字符"),
            TextError::ControlCharacters => crate::text!("must not contain control characters", "不能包含控制字符"),
        }
    }

    fn params(&self) -> serde_json::Map<String, serde_json::Value> {
        match self {
            TextError::TooLong(max) => serde_json::Map::from_iter([("max".to_owned(), serde_json::Value::from(*max))]),
            _ => serde_json::Map::new(),
        }
    }
}

/// Trims `value` and checks it is non-empty, at most `max_chars` characters and free of control
/// characters other than line breaks and tabs (which multi-line notes need).
pub fn bounded_text(value: &str, max_chars: usize, multiline: bool) -> Result<String, TextError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    if trimmed.chars().count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\r' || c == '\t');
    if trimmed.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(TextError::ControlCharacters);
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_text_trims_and_rejects_empty_long_and_control_characters() {
        assert_eq!(bounded_text("  上海  ", 10, false), Ok("上海".to_owned()));
        assert_eq!(bounded_text("   ", 10, false), Err(TextError::Empty));
        assert_eq!(bounded_text("abcdef", 5, false), Err(TextError::TooLong(5)));
        assert_eq!(bounded_text("a\u{0}b", 5, false), Err(TextError::ControlCharacters));
        assert_eq!(bounded_text("a\nb", 5, true), Ok("a\nb".to_owned()));
        assert_eq!(bounded_text("a\nb", 5, false), Err(TextError::ControlCharacters));
    }

    #[test]
    fn non_blank_maps_whitespace_to_none() {
        assert_eq!(non_blank(" x "), Some("x"));
        assert_eq!(non_blank("  "), None);
    }
}
