//! Small pieces every handler shares: list parameters and pages, ETag / If-Match, created
//! responses, and merge-patch fields.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crm_persistence::{Page, PageRequest};

use crate::error::ApiError;

/// Paging parameters every list accepts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Rows per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Also count all matching rows (costs a query).
    pub include_total: Option<bool>,
}

impl PageParams {
    pub fn to_request(&self) -> Result<PageRequest, ApiError> {
        let limit = match self.limit {
            None => 50,
            Some(n) if (1..=200).contains(&n) => n,
            Some(_) => return Err(ApiError::bad_parameter("limit", "must be between 1 and 200")),
        };
        Ok(PageRequest { limit, cursor: self.cursor.clone().filter(|c| !c.is_empty()), include_total: self.include_total.unwrap_or(false) })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageDto<T> {
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// All matching rows, when `include_total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

impl<T> PageDto<T> {
    pub fn from_page<R>(page: Page<R>, convert: impl FnMut(R) -> T) -> Self {
        Self { data: page.data.into_iter().map(convert).collect(), next_cursor: page.next_cursor, total: page.total }
    }
}

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version named by `If-Match` (`"3"`, `W/"3"` or `3`); `None` when absent or `*`.
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().map_err(|_| ApiError::bad_parameter("If-Match", "must be an ETag such as \"3\""))?.trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<i32>().map(Some).map_err(|_| ApiError::bad_parameter("If-Match", "must be an ETag such as \"3\" from a previous GET"))
}

/// 200 with the body and its ETag.
pub fn ok_with_etag<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// 201 with the body, its ETag and where it lives.
pub fn created<T: Serialize>(body: &T, location: String, version: i32) -> HttpResponse {
    HttpResponse::Created().insert_header((header::LOCATION, location)).insert_header((header::ETAG, etag(version))).json(body)
}

/// For merge-patch fields: a present `null` becomes `Some(None)`, absence stays `None`.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Reads a `_from`/`_to` filter given as a date (`2026-01-01`, start of that day UTC; for `_to`
/// the day is included) or an RFC 3339 time.
pub fn parse_time_bound(name: &str, value: Option<&str>, inclusive_day_end: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = if inclusive_day_end { date.succ_opt().unwrap_or(date) } else { date };
        return Ok(Some(crm_persistence::customers::start_of_day(day)));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| ApiError::bad_parameter(name, "must be a date (YYYY-MM-DD) or an RFC 3339 time"))
}

/// Splits a comma-separated parameter and parses each value.
pub fn parse_list<T>(
    name: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, crm_domain::customers::ValueError>,
) -> Result<Vec<T>, ApiError> {
    let Some(text) = value else { return Ok(vec![]) };
    text.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| parse(v).map_err(|e| ApiError::bad_parameter(name, e.to_string())))
        .collect()
}

/// A non-empty trimmed query value, or `None`.
pub fn non_blank(value: &Option<String>) -> Option<String> {
    value.as_deref().and_then(crm_domain::text::non_blank).map(str::to_owned)
}

/// Parses an optional UUID query value.
pub fn parse_uuid(name: &str, value: Option<&str>) -> Result<Option<uuid::Uuid>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => uuid::Uuid::parse_str(text).map(Some).map_err(|_| ApiError::bad_parameter(name, "must be a UUID")),
    }
}

/// Gathers field errors while request text is parsed into domain values, so that one answer
/// lists every invalid field.
#[derive(Default)]
pub struct Check(pub crm_domain::ValidationErrors);

impl Check {
    fn fail(&mut self, field: &str, code: &str, message: String) {
        self.0.push(crm_domain::FieldError::new(field, code, message));
    }

    /// A required single-line text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        use crm_domain::error::HasCode;
        crm_domain::text::bounded_text(value, max, false).map_err(|e| self.fail(field, e.code(), e.to_string())).ok()
    }

    /// An optional multi-line text; blank means none.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        use crm_domain::error::HasCode;
        let value = value.and_then(crm_domain::text::non_blank)?;
        crm_domain::text::bounded_text(value, max, true).map_err(|e| self.fail(field, e.code(), e.to_string())).ok()
    }

    /// A required multi-line text (a comment, an article body) of at most `max` characters.
    pub fn long_text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        use crm_domain::error::HasCode;
        crm_domain::text::bounded_text(value, max, true).map_err(|e| self.fail(field, e.code(), e.to_string())).ok()
    }

    /// A tag list: trimmed, de-duplicated, bounded (each error names its `tags[i]`).
    pub fn tags(&mut self, tags: &[String]) -> Option<Vec<String>> {
        crm_domain::customers::parse_tags(tags).map_err(|errors| self.0.0.extend(errors.0)).ok()
    }

    /// A value with its own parser.
    pub fn value<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: impl Fn(&str) -> Result<T, crm_domain::customers::ValueError>,
    ) -> Option<T> {
        use crm_domain::error::HasCode;
        parse(value).map_err(|e| self.fail(field, e.code(), e.to_string())).ok()
    }

    /// A number within `min..=max`.
    pub fn range(&mut self, field: &str, value: i32, min: i32, max: i32) -> Option<i32> {
        if (min..=max).contains(&value) {
            Some(value)
        } else {
            self.fail(field, "range", format!("must be between {min} and {max}"));
            None
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        self.0.into_result().map_err(ApiError::Validation)
    }
}
