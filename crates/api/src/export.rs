//! `GET /{resource}/export?format=ndjson|csv`: everything the caller may read with a list's
//! filters, streamed. The rows are read as keyset pages of [`EXPORT_PAGE_ROWS`] with the list's
//! own persistence function (so scope, filters and sort are the list's) and each page is written
//! as it comes: the server holds one page at a time, whatever the size of the export.

use std::collections::BTreeMap;
use std::future::Future;

use actix_web::HttpResponse;
use actix_web::web::Bytes;
use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Schema, Type};
use utoipa::openapi::{ContentBuilder, Header, ObjectBuilder, RefOr, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, ToSchema};

use crm_domain::text;
use crm_persistence::{Actor, Db, Page, PageRequest};

use crate::auth::{Principal, State};
use crate::error::ApiError;
use crate::http::PageDto;
use crate::openapi::problem_response;

/// Rows read from the database per page of an export.
pub const EXPORT_PAGE_ROWS: u64 = crm_persistence::pagination::EXPORT_PAGE_ROWS;

/// UTF-8's byte order mark: Excel reads a CSV file without it in the system's code page (GBK on
/// a Chinese Windows), which garbles Chinese text.
const BOM: &str = "\u{feff}";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `ndjson` (default): one record per line, as the list's `data` items (`application/x-ndjson`).
    /// `csv`: RFC 4180, UTF-8 with a byte order mark (so Excel shows Chinese correctly), a header
    /// row of the record's fields, nested values (money, lines, tags) as JSON text, and text
    /// starting with `=`, `+`, `-`, `@`, a tab or a carriage return prefixed with `'` so that a
    /// spreadsheet never runs it as a formula.
    #[param(value_type = Option<String>, pattern = "^(ndjson|csv)$")]
    pub format: Option<String>,
}

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Ndjson,
    Csv,
}

impl ExportParams {
    pub fn to_format(&self) -> Result<ExportFormat, ApiError> {
        match self.format.as_deref().map(str::trim).unwrap_or("ndjson") {
            "" | "ndjson" => Ok(ExportFormat::Ndjson),
            "csv" => Ok(ExportFormat::Csv),
            _ => Err(ApiError::bad_parameter("format", text!("must be ndjson or csv", "只能是 ndjson 或 csv"))),
        }
    }
}

/// What every export answers: `responses(crate::export::ExportResponses)` in its `#[utoipa::path]`.
pub struct ExportResponses;

impl IntoResponses for ExportResponses {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        let text = || ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::String))).build();
        let records = ResponseBuilder::new()
            .description("The records, one JSON object per line (`format=ndjson`) or CSV with a header row (`format=csv`, `text/csv; charset=utf-8`)")
            .header("Content-Disposition", Header::new(ObjectBuilder::new().schema_type(Type::String)))
            .content("text/csv", text())
            .content("application/x-ndjson", text())
            .build();
        BTreeMap::from([
            ("200".to_owned(), records.into()),
            ("400".to_owned(), problem_response("Invalid parameter").into()),
            ("403".to_owned(), problem_response("The role may not read these records").into()),
        ])
    }
}

/// The record's fields in the order its schema lists them: the CSV header, known before the
/// first row (an empty export still has one).
fn columns<T: ToSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// One CSV cell: RFC 4180 quoting, text guarded against spreadsheet formulas.
fn csv_cell(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::Null => return String::new(),
        serde_json::Value::String(text) => {
            if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{text}")
            } else {
                text.clone()
            }
        }
        serde_json::Value::Bool(_) | serde_json::Value::Number(_) => value.to_string(),
        nested => nested.to_string(),
    };
    if text.contains([',', '"', '\r', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

fn csv_line<'a>(cells: impl Iterator<Item = &'a serde_json::Value>) -> String {
    let mut line = cells.map(csv_cell).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// One page of rows written in the export's format.
fn write_rows(format: ExportFormat, columns: &[String], rows: &[serde_json::Value]) -> Bytes {
    let mut out = String::new();
    for value in rows {
        match format {
            ExportFormat::Ndjson => {
                out.push_str(&value.to_string());
                out.push('\n');
            }
            ExportFormat::Csv => {
                let null = serde_json::Value::Null;
                out.push_str(&csv_line(columns.iter().map(|column| value.get(column).unwrap_or(&null))));
            }
        }
    }
    Bytes::from(out)
}

/// Where an export stands between pages.
enum Walk {
    /// The next page starts after this cursor (`None`: the first page).
    Next(Option<String>),
    Done,
}

/// Streams every row `fetch` pages through as `file_stem.<format>` (CSV with `columns`). `fetch`
/// is the list's own persistence call with a page request, its rows already shown as the caller
/// may see them; it is called once per page, each after the previous page was written.
pub fn stream<F, Fut>(format: ExportFormat, file_stem: &str, columns: Vec<String>, fetch: F) -> HttpResponse
where
    F: Fn(PageRequest) -> Fut + 'static,
    Fut: Future<Output = Result<PageDto<serde_json::Value>, ApiError>> + 'static,
{
    let header = match format {
        ExportFormat::Ndjson => Bytes::new(),
        ExportFormat::Csv => {
            let names: Vec<serde_json::Value> = columns.iter().map(|c| serde_json::Value::String(c.clone())).collect();
            Bytes::from(format!("{BOM}{}", csv_line(names.iter())))
        }
    };
    let pages = stream::unfold((Walk::Next(None), fetch, columns), move |(walk, fetch, columns)| async move {
        let Walk::Next(cursor) = walk else { return None };
        let request = PageRequest { limit: EXPORT_PAGE_ROWS, cursor, include_total: false };
        match fetch(request).await {
            Ok(page) => {
                let bytes = write_rows(format, &columns, &page.data);
                let next = match page.next_cursor {
                    Some(cursor) => Walk::Next(Some(cursor)),
                    None => Walk::Done,
                };
                Some((Ok::<Bytes, actix_web::Error>(bytes), (next, fetch, columns)))
            }
            // The status line has gone out: a failure can only cut the body short, which a
            // client sees as a truncated transfer rather than a complete export.
            Err(error) => {
                tracing::warn!(%error, "export stopped");
                Some((Err(error.into()), (Walk::Done, fetch, columns)))
            }
        }
    });
    let body = stream::once(async move { Ok::<Bytes, actix_web::Error>(header) }).chain(pages);
    let (content_type, extension) = match format {
        ExportFormat::Ndjson => ("application/x-ndjson", "ndjson"),
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{file_stem}.{extension}\"")))
        .streaming(body)
}

/// What an export is of: the file's name (`customers` gives `customers.csv`) and the kind of
/// record, which decides the personal fields masked for callers without the right to see them.
#[derive(Debug, Clone, Copy)]
pub struct Exported {
    pub file_stem: &'static str,
    pub kind: &'static str,
}

/// An export handler's answer once it has read its format and its list's filter: every record
/// `list` (the list's own persistence function) returns for `filter`, streamed as `file_stem`.
/// Refusals (permission, sort) answer before the status line goes out, not as a cut stream:
/// a first read of one row finds them.
pub async fn list_export<Filter, R, D>(
    state: State,
    principal: Principal,
    filter: Filter,
    format: ExportFormat,
    what: Exported,
    list: impl AsyncFn(&Db, &Actor, &Filter, &PageRequest) -> Result<Page<R>, crm_persistence::Error> + Copy + 'static,
    to_dto: fn(R) -> D,
) -> Result<HttpResponse, ApiError>
where
    Filter: Clone + 'static,
    R: 'static,
    D: Serialize + ToSchema + 'static,
{
    list(&state.db, &principal, &filter, &PageRequest { limit: 1, cursor: None, include_total: false }).await?;
    let fetch = move |page: PageRequest| {
        let (state, principal, filter) = (state.clone(), principal.clone(), filter.clone());
        async move {
            let page = list(&state.db, &principal, &filter, &page).await?;
            crate::personal_data::page(&state.db, &principal, what.kind, page, to_dto).await
        }
    };
    Ok(stream(format, what.file_stem, columns::<D>(), fetch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_quoted_as_rfc_4180_says_and_formulas_are_defused() {
        assert_eq!(csv_cell(&json!("上海,浦东")), "\"上海,浦东\"");
        assert_eq!(csv_cell(&json!("他说\"好\"")), "\"他说\"\"好\"\"\"");
        assert_eq!(csv_cell(&json!("两行\n文字")), "\"两行\n文字\"");
        for formula in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx"] {
            assert!(csv_cell(&json!(formula)).starts_with('\''), "{formula}");
        }
        assert_eq!(csv_cell(&json!(-5)), "-5", "numbers are numbers");
        assert_eq!(csv_cell(&json!(null)), "");
        assert_eq!(
            csv_cell(&json!({ "amount_minor": 100, "currency": "CNY" })),
            "\"{\"\"amount_minor\"\":100,\"\"currency\"\":\"\"CNY\"\"}\""
        );
    }
}
