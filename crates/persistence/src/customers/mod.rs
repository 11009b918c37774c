//! Customers and contacts: scoped reads and writes, keyset lists with filters, the recycle bin,
//! and the lifecycle stage history.

pub mod contacts;
mod store;

pub use store::*;

/// Escapes `%`, `_` and `\` so that user text in a LIKE pattern matches literally.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Rows whose text column contains every word of `q` (lower-cased, split at white space; see
/// [`crm_domain::service::knowledge::search_terms`]); no words, no condition.
pub(crate) fn contains_every_word(
    column: impl sea_orm::sea_query::IntoColumnRef + Clone,
    q: Option<&str>,
) -> sea_orm::sea_query::Condition {
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    let mut condition = sea_orm::sea_query::Condition::all();
    for term in crm_domain::service::knowledge::search_terms(q.unwrap_or_default()) {
        let pattern = format!("%{}%", escape_like(&term));
        condition = condition.add(Expr::col(column.clone()).like(LikeExpr::new(pattern).escape('\\')));
    }
    condition
}

/// The text a search term is matched against: lower-cased names, emails and codes, and phone
/// numbers both in E.164 and in the national form people type (`13812345678`).
pub(crate) fn search_text<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut text = String::new();
    for part in parts.into_iter().flatten() {
        text.push_str(&part.to_lowercase());
        text.push(' ');
        if let Some(national) = part.strip_prefix("+86") {
            text.push_str(national);
            text.push(' ');
        }
    }
    text
}

/// Normalises a search term the way [`search_text`] normalises data: lower case, and a term that
/// looks like a phone number loses its spaces, dashes and brackets.
pub(crate) fn search_term(q: &str) -> String {
    let trimmed = q.trim().to_lowercase();
    let phone_like = !trimmed.is_empty()
        && trimmed.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c))
        && trimmed.chars().any(|c| c.is_ascii_digit());
    if phone_like {
        let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
        digits.strip_prefix("+86").map(str::to_owned).unwrap_or(digits)
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_holds_national_phone_numbers_and_terms_match_them() {
        let text = search_text([Some("上海Acme"), Some("+8613812345678"), None, Some("Sales@Acme.cn")]);
        assert!(text.contains("上海acme"));
        assert!(text.contains("13812345678"));
        assert!(text.contains("sales@acme.cn"));
        assert_eq!(search_term(" 138 1234-5678 "), "13812345678");
        assert_eq!(search_term("+86 138"), "138");
        assert_eq!(search_term("ACME"), "acme");
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
