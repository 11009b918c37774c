//! Small pieces every handler shares: list parameters and pages, ETag / If-Match, created
//! responses, and merge-patch fields.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use crm_domain::{Text, text};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crm_domain::dates;
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
            Some(_) => return Err(ApiError::bad_parameter("limit", text!("must be between 1 and 200", "须在 1 与 200 之间"))),
        };
        Ok(PageRequest { limit, cursor: self.cursor.clone().filter(|c| !c.is_empty()), include_total: self.include_total.unwrap_or(false) })
    }
}

/// When the listed records last changed, which every list of records accepts: an integration
/// exports once, then asks only for `updated_at_from=<the start of its last run>` (or walks
/// `sort=updated_at` with the cursor).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpdatedAtParams {
    /// `YYYY-MM-DD` (from the start of that day in the organisation's time zone, `time_zone` of
    /// `/auth/me`) or RFC 3339; inclusive.
    pub updated_at_from: Option<String>,
    /// `YYYY-MM-DD` (that whole day of the organisation included) or RFC 3339 (exclusive).
    pub updated_at_to: Option<String>,
}

impl UpdatedAtParams {
    pub fn to_window(&self, time_zone: chrono_tz::Tz) -> Result<crm_persistence::query::UpdatedWindow, ApiError> {
        Ok(crm_persistence::query::UpdatedWindow {
            from: parse_time_bound("updated_at_from", self.updated_at_from.as_deref(), false, time_zone)?,
            to: parse_time_bound("updated_at_to", self.updated_at_to.as_deref(), true, time_zone)?,
        })
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
    let text = value
        .to_str()
        .map_err(|_| ApiError::bad_parameter("If-Match", text!("must be an ETag such as \"3\"", "须为 ETag，例如 \"3\"")))?
        .trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<i32>().map(Some).map_err(|_| {
        ApiError::bad_parameter(
            "If-Match",
            text!("must be an ETag such as \"3\" from a previous GET", "须为之前 GET 返回的 ETag，例如 \"3\""),
        )
    })
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

/// Reads a `_from`/`_to` filter given as a date or an RFC 3339 time, within the accepted range of
/// [`crm_domain::dates`]. A date is a day of the organisation (`time_zone`), not of UTC: `_from`
/// starts at that day's first instant there, and `_to` (with `inclusive_day_end`) ends where the
/// next day starts, so `2026-12-03` in Shanghai runs from 16:00 UTC on 2 December. A time carries
/// its own offset and is taken as given.
pub fn parse_time_bound(
    name: &str,
    value: Option<&str>,
    inclusive_day_end: bool,
    time_zone: chrono_tz::Tz,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    let refuse = |error: dates::DateError| date_parameter_error(name, error);
    if text.len() <= 10 {
        let date = dates::parse_date(text)
            .map_err(|error| refuse(if error == dates::DateError::Malformed { dates::DateError::MalformedTime } else { error }))?;
        let day = if inclusive_day_end { dates::add_days(date, 1) } else { date };
        return Ok(Some(dates::organisation_day_start(day, time_zone)));
    }
    dates::parse_time(text).map(Some).map_err(refuse)
}

/// 400 for a query parameter holding a bad or out-of-range date, with the date error's code.
pub fn date_parameter_error(name: &str, error: dates::DateError) -> ApiError {
    use crm_domain::error::HasCode;
    ApiError::bad_parameter_error(error.field_error(name))
}

/// A bounded date query parameter, parsed by the one client date parser.
pub fn parse_date_param(name: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => dates::parse_date(text).map(Some).map_err(|error| date_parameter_error(name, error)),
    }
}

/// Serde adapters (`#[serde(deserialize_with = "…")]`) that read every date and time a client
/// sends in a body or query string through [`crm_domain::dates`], so `+262142-12-31` or
/// `1800-01-01` fails while the request is read (422 for a body, 400 for a query) and never
/// reaches calendar arithmetic.
pub mod client_dates {
    use chrono::{DateTime, NaiveDate, Utc};
    use crm_domain::dates;
    use serde::{Deserialize, Deserializer};

    /// A date or time type a client may send.
    pub trait ClientDate: Sized {
        fn parse_client(text: &str) -> Result<Self, dates::DateError>;
    }

    impl ClientDate for NaiveDate {
        fn parse_client(text: &str) -> Result<Self, dates::DateError> {
            dates::parse_date(text)
        }
    }

    impl ClientDate for DateTime<Utc> {
        fn parse_client(text: &str) -> Result<Self, dates::DateError> {
            dates::parse_time(text)
        }
    }

    fn parse<T: ClientDate, E: serde::de::Error>(text: &str) -> Result<T, E> {
        use crm_domain::error::HasCode;
        T::parse_client(text).map_err(|error| E::custom(format!("{} ({}): {error}", super::CLIENT_DATE_ERROR, error.code())))
    }

    /// A required date or time.
    pub fn required<'de, D: Deserializer<'de>, T: ClientDate>(deserializer: D) -> Result<T, D::Error> {
        parse(&String::deserialize(deserializer)?)
    }

    /// An optional date or time (`null` or absent: none). Pair with `#[serde(default)]`.
    pub fn optional<'de, D: Deserializer<'de>, T: ClientDate>(deserializer: D) -> Result<Option<T>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => parse(&text).map(Some),
        }
    }

    /// A merge-patch date or time: absent `None`, `null` `Some(None)`. Pair with
    /// `#[serde(default)]`.
    pub fn changed<'de, D: Deserializer<'de>, T: ClientDate>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(Some(None)),
            Some(text) => parse(&text).map(|value| Some(Some(value))),
        }
    }
}

/// Starts the message of a serde error from [`client_dates`], so the extractor error handlers
/// can give it the `date` or `date_range` code rather than the generic shape error.
const CLIENT_DATE_ERROR: &str = "invalid date";

/// The field code for an extractor error raised by [`client_dates`], if it was one.
pub fn client_date_code(message: &str) -> Option<&'static str> {
    if !message.starts_with(CLIENT_DATE_ERROR) {
        None
    } else if message.starts_with(&format!("{CLIENT_DATE_ERROR} (date_range)")) {
        Some("date_range")
    } else {
        Some("date")
    }
}

/// The most values a comma-separated filter takes: far more than any enum has, few enough that
/// no filter turns into a huge `IN (…)`.
pub const MAX_FILTER_VALUES: usize = 100;

/// Splits a comma-separated parameter and parses each value (at most [`MAX_FILTER_VALUES`],
/// counted before any value is parsed).
pub fn parse_list<T>(
    name: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, crm_domain::values::ValueError>,
) -> Result<Vec<T>, ApiError> {
    let Some(text) = value else { return Ok(vec![]) };
    check_filter_count(name, text)?;
    text.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| parse(v).map_err(|e| ApiError::bad_parameter_error(crm_domain::HasCode::field_error(&e, name))))
        .collect()
}

/// 400 when a comma-separated parameter holds more than [`MAX_FILTER_VALUES`] values; counts
/// commas only, so it costs nothing per value.
pub fn check_filter_count(name: &str, text: &str) -> Result<(), ApiError> {
    if text.bytes().filter(|b| *b == b',').count() >= MAX_FILTER_VALUES {
        let message = text!("at most {MAX_FILTER_VALUES} values", "最多 {MAX_FILTER_VALUES} 个值");
        return Err(ApiError::bad_parameter_error(
            crm_domain::FieldError::new(name, "too_many", message).with_param("max", MAX_FILTER_VALUES),
        ));
    }
    Ok(())
}

/// The most items any list in a request body may hold (a batch takes up to 1,000 items; other
/// lists have smaller limits of their own, checked after this one).
pub const MAX_BODY_LIST_ITEMS: usize = 1000;

/// Serde adapter for a list in a body: stops reading at [`MAX_BODY_LIST_ITEMS`] + 1 items and
/// refuses the body (422), so a 60,000-element array costs no per-item work after the parse.
pub fn bounded_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
    struct Bounded<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Bounded<T> {
        type Value = Vec<T>;
        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(formatter, "a list of at most {MAX_BODY_LIST_ITEMS} items")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(item) = seq.next_element()? {
                if items.len() == MAX_BODY_LIST_ITEMS {
                    return Err(serde::de::Error::custom(format!("a list holds at most {MAX_BODY_LIST_ITEMS} items")));
                }
                items.push(item);
            }
            Ok(items)
        }
    }
    deserializer.deserialize_seq(Bounded(std::marker::PhantomData))
}

/// [`bounded_list`] for an optional list (pair with `#[serde(default)]`).
pub fn bounded_optional_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Vec<T>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(bound = "T: Deserialize<'de>")]
    struct Wrapper<T>(#[serde(deserialize_with = "bounded_list")] Vec<T>);
    Ok(Option::<Wrapper<T>>::deserialize(deserializer)?.map(|Wrapper(items)| items))
}

/// The longest search text `q` takes. Searches match names, numbers and short phrases; a longer
/// text only costs (SQLite refuses LIKE patterns over 50,000 bytes with an error).
pub const MAX_SEARCH_CHARS: usize = 200;

/// The search parameter `q`: trimmed, blank means none, at most [`MAX_SEARCH_CHARS`] characters
/// (400 beyond).
pub fn search_query(value: &Option<String>) -> Result<Option<String>, ApiError> {
    non_blank_at_most("q", value, MAX_SEARCH_CHARS, text!("at most {MAX_SEARCH_CHARS} characters", "最多 {MAX_SEARCH_CHARS} 个字符"))
}

/// A `tag` filter: one tag, so at most [`crm_domain::customers::TAG_MAX`] characters (400
/// beyond: a longer text matches no tag and would only make the database scan with it).
pub fn tag_filter(value: &Option<String>) -> Result<Option<String>, ApiError> {
    let max = crm_domain::customers::TAG_MAX;
    non_blank_at_most("tag", value, max, text!("a tag has at most {max} characters", "标签最多 {max} 个字符"))
}

/// A non-empty trimmed query value of at most `max` characters (400 `too_long` beyond).
fn non_blank_at_most(name: &str, value: &Option<String>, max: usize, rule: Text) -> Result<Option<String>, ApiError> {
    let Some(text) = non_blank(value) else { return Ok(None) };
    if text.chars().nth(max).is_some() {
        return Err(ApiError::bad_parameter_error(crm_domain::FieldError::new(name, "too_long", rule).with_param("max", max)));
    }
    Ok(Some(text))
}

/// A non-empty trimmed query value, or `None`.
pub fn non_blank(value: &Option<String>) -> Option<String> {
    value.as_deref().and_then(crm_domain::text::non_blank).map(str::to_owned)
}

/// Parses an optional UUID query value.
pub fn parse_uuid(name: &str, value: Option<&str>) -> Result<Option<uuid::Uuid>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => {
            uuid::Uuid::parse_str(text).map(Some).map_err(|_| ApiError::bad_parameter(name, text!("must be a UUID", "须为 UUID")))
        }
    }
}

pub use crm_domain::Check;

/// A JSON request body. Like `web::Json` (same size limit, content type and syntax errors, see
/// `JsonConfig` in `app.rs`), but a value of the wrong shape is reported against the field that
/// holds it (`lines[0].quantity`, `region`) rather than against the whole body.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let document = actix_web::web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let actix_web::web::Json(document) = document.await?;
            Ok(Json(from_document(document)?))
        })
    }
}

/// A request body read whole: 413 past `limit` bytes, 400 when the client's stream breaks off.
pub async fn read_body<E>(
    mut payload: impl futures_util::Stream<Item = Result<actix_web::web::Bytes, E>> + Unpin,
    limit: usize,
) -> Result<actix_web::web::BytesMut, ApiError> {
    use futures_util::StreamExt;
    let mut body = actix_web::web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|_| ApiError::BadRequest {
                detail: text!("the body could not be read", "无法读取请求内容"), errors: vec![]
            })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads a JSON document as `T`, a value of the wrong shape answering 422 against the field it
/// is in, as a request body would (for bodies read one way or another, and for batch items).
pub fn from_document<T: serde::de::DeserializeOwned>(document: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(document).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        let problem = crate::error::shape_error(&field, &error.inner().to_string());
        ApiError::Validation(crm_domain::ValidationErrors(vec![problem]))
    })
}
