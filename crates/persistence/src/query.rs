//! Query helpers every context uses: LIKE patterns taken literally, word search over a stored
//! search text, and the search text itself (phone numbers as people in China type them).

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

/// Rows whose text column contains `q` as one piece of text (trimmed, lower-cased like the
/// stored search texts, `%` and `_` taken literally); no text, no condition.
pub(crate) fn contains_text(column: impl sea_orm::sea_query::IntoColumnRef, q: Option<&str>) -> sea_orm::sea_query::Condition {
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    let mut condition = sea_orm::sea_query::Condition::all();
    if let Some(q) = q.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty()) {
        condition = condition.add(Expr::col(column).like(LikeExpr::new(format!("%{}%", escape_like(&q))).escape('\\')));
    }
    condition
}

/// Rows whose time column falls in `[from, to)`: the end is left out, so that back-to-back
/// windows (a day, a month) never both hold a row. A bound not given does not limit.
pub(crate) fn within_window(
    column: impl sea_orm::ColumnTrait,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
) -> sea_orm::sea_query::Condition {
    let mut condition = sea_orm::sea_query::Condition::all();
    if let Some(from) = from {
        condition = condition.add(column.gte(from));
    }
    if let Some(to) = to {
        condition = condition.add(column.lt(to));
    }
    condition
}

/// When a list's records last changed, `[from, to)` (see [`within_window`]): the filter an
/// integration uses to read only what changed since its last export (`updated_at_from`). Every
/// list that takes it has a `(updated_at, id) WHERE deleted_at IS NULL` index (migration 024).
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdatedWindow {
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

impl UpdatedWindow {
    /// The condition on the list's `updated_at` column.
    pub(crate) fn on(&self, updated_at: impl sea_orm::ColumnTrait) -> sea_orm::sea_query::Condition {
        within_window(updated_at, self.from, self.to)
    }
}

/// Rows whose date column falls between `from` and `to`, both days included (as people read a
/// range of days). A bound not given does not limit.
pub(crate) fn within_days(
    column: impl sea_orm::ColumnTrait,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> sea_orm::sea_query::Condition {
    let mut condition = sea_orm::sea_query::Condition::all();
    if let Some(from) = from {
        condition = condition.add(column.gte(from));
    }
    if let Some(to) = to {
        condition = condition.add(column.lte(to));
    }
    condition
}

/// The text a search term is matched against: lower-cased names, emails and codes, and phone
/// numbers both in E.164 and in the national form people type (see [`national_phone`]).
pub(crate) fn search_text<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut text = String::new();
    for part in parts.into_iter().flatten() {
        text.push_str(&part.to_lowercase());
        text.push(' ');
        if let Some(national) = national_phone(part) {
            text.push_str(&national);
            text.push(' ');
        }
    }
    text
}

/// How people in China dial a stored `+86` number: a mobile as its 11 digits (`13812345678`), a
/// landline with the trunk `0` before the area code (`02162000999`). The landline form still
/// contains the form without the `0` and the local number, so `2162000999` and `62000999` find
/// it too. Migration 013 rewrites texts stored before landlines got their `0`.
pub fn national_phone(e164: &str) -> Option<String> {
    let national = e164.strip_prefix("+86").filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))?;
    let mobile = national.len() == 11 && national.starts_with('1');
    Some(if mobile { national.to_owned() } else { format!("0{national}") })
}

/// Whether a query is a phone number as people type it (`021-6200 0999`, `+86 138 1234 5678`):
/// digits with spaces, dashes, dots and brackets, which are then left out.
fn phone_like(q: &str) -> bool {
    q.chars().all(|c| c.is_ascii_digit() || " -+().\u{3000}".contains(c)) && q.chars().filter(char::is_ascii_digit).count() >= 3
}

/// Normalises a phone-like search term the way [`search_text`] normalises data: only its digits,
/// without a `+86` or `0086` country prefix.
pub(crate) fn search_term(q: &str) -> String {
    let trimmed = q.trim().to_lowercase();
    if phone_like(&trimmed) {
        let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
        let national = digits.strip_prefix("+86").or_else(|| digits.strip_prefix("0086")).unwrap_or(&digits);
        national.replace('+', "")
    } else {
        trimmed
    }
}

/// A search term that is a whole phone number or email address, normalised as they are stored
/// (E.164, lower case). Such terms match personal values exactly and only exactly.
pub enum ExactTerm {
    Phone(crm_domain::values::Phone),
    Email(crm_domain::values::Email),
}

impl ExactTerm {
    pub fn parse(q: &str) -> Option<Self> {
        let q = q.trim();
        if q.contains('@') {
            return crm_domain::values::Email::parse(q).ok().map(Self::Email);
        }
        if phone_like(q) { crm_domain::values::Phone::parse(q).ok().map(Self::Phone) } else { None }
    }
}

/// The words a customer search must all find in the stored text: a phone number typed with
/// spaces is one word (its digits); other text is split at white space (`七宝 印刷`).
pub(crate) fn search_words(q: &str) -> Vec<String> {
    let trimmed = q.trim();
    if phone_like(trimmed) {
        let term = search_term(trimmed);
        return if term.is_empty() { vec![] } else { vec![term] };
    }
    crm_domain::service::knowledge::search_terms(trimmed)
}

/// `column` is one of `values` (of SQL type `sql_type`: `uuid`, `text`). PostgreSQL gets the
/// values as one JSON parameter: a list of thousands of bound parameters costs more to prepare
/// than to run, and each length is another statement in the driver's cache. SQLite gets `IN`.
pub(crate) fn one_of<E, C>(
    backend: sea_orm::DatabaseBackend,
    column: (E, C),
    values: Vec<String>,
    sql_type: &'static str,
) -> sea_orm::sea_query::SimpleExpr
where
    E: sea_orm::EntityName,
    C: sea_orm::IdenStatic + sea_orm::sea_query::IntoIden,
{
    use sea_orm::sea_query::{Expr, ExprTrait};
    if backend == sea_orm::DatabaseBackend::Postgres {
        let qualified = format!("\"{}\".\"{}\"", column.0.table_name(), column.1.as_str());
        let list = serde_json::Value::from(values).to_string();
        return Expr::cust_with_values(
            format!("{qualified} = ANY(ARRAY(SELECT json_array_elements_text($1::json))::{sql_type}[])"),
            [list],
        );
    }
    match sql_type {
        "uuid" => Expr::col(column).is_in(values.iter().filter_map(|v| uuid::Uuid::parse_str(v).ok())),
        _ => Expr::col(column).is_in(values),
    }
}

/// How many values one lookup takes: SQLite binds each as a parameter (at most 32,766 a
/// statement); PostgreSQL takes a chunk as one JSON parameter (see [`one_of`]).
pub(crate) const LOOKUP_CHUNK: usize = 5_000;

/// Every row `lookup` finds for the chunks of `values`, one statement per [`LOOKUP_CHUNK`]:
/// lookups by long lists of ids or keys (a batch's) stay within what a statement may bind.
pub(crate) async fn in_chunks<V, T, E, Fut>(values: &[V], mut lookup: impl FnMut(&[V]) -> Fut) -> crate::Result<Vec<T>>
where
    Fut: std::future::Future<Output = Result<Vec<T>, E>>,
    crate::Error: From<E>,
{
    let mut found = Vec::new();
    for chunk in values.chunks(LOOKUP_CHUNK) {
        found.extend(lookup(chunk).await?);
    }
    Ok(found)
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
    fn landlines_are_stored_with_their_trunk_zero_and_found_as_people_type_them() {
        let text = search_text([Some("+862162000999"), Some("+8613812345678"), Some("+861062000999")]);
        assert!(text.contains(" 02162000999 "), "{text}");
        assert!(text.contains(" 13812345678 "), "{text}");
        assert!(text.contains(" 01062000999 "), "{text}");
        for typed in ["021-6200 0999", "021 62000999", "02162000999", "+86 21 6200 0999", "62000999", "(021) 6200-0999"] {
            let words = search_words(typed);
            assert_eq!(words.len(), 1, "{typed}");
            assert!(text.contains(&words[0]), "{typed} → {words:?}");
        }
    }

    #[test]
    fn a_multi_word_query_gives_each_word() {
        assert_eq!(search_words("七宝 印刷"), vec!["七宝", "印刷"]);
        assert_eq!(search_words("  Acme  "), vec!["acme"]);
        assert!(search_words("  ").is_empty());
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
