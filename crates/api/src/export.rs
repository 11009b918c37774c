//! `GET /{resource}/export?format=ndjson|csv|xlsx`: everything the caller may read with a list's
//! filters. The rows are read as keyset pages of [`EXPORT_PAGE_ROWS`] with the list's own
//! persistence function (so scope, filters, sort and masking are the list's). ndjson and CSV are
//! streamed, each page written as it comes; an XLSX workbook is a ZIP whose directory comes last,
//! so it is written page by page on a blocking thread into a worksheet in constant-memory mode
//! (rows go to a temporary file, not the heap), saved to a temporary file and then sent. Either
//! way the server holds about one page at a time, whatever the size of the export. Every export
//! is recorded in the audit log as a sensitive read.

use std::collections::BTreeMap;
use std::future::{Future, Ready, ready};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures_util::{StreamExt, stream};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::openapi::schema::{Schema, Type};
use utoipa::openapi::{ContentBuilder, Header, ObjectBuilder, RefOr, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, ToSchema};
use uuid::Uuid;

use crm_domain::FieldError;
use crm_domain::platform::custom_fields::CustomEntity;
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

/// The content type of an XLSX workbook.
pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The most rows a worksheet holds (Excel's limit), the header row included.
const XLSX_MAX_ROWS: u32 = 1_048_576;

/// The longest text a cell holds (Excel's limit, in characters): longer text is cut there rather
/// than failing the whole export.
const XLSX_MAX_TEXT: usize = 32_767;

/// How much of the saved workbook is read from its temporary file per chunk of the response.
const XLSX_CHUNK_BYTES: usize = 64 * 1024;

/// Where a custom field's value is asked for as a column: `custom_fields.<key>`.
const CUSTOM_FIELDS: &str = "custom_fields";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `ndjson` (default): one record per line, as the list's `data` items (`application/x-ndjson`).
    /// `csv`: RFC 4180, UTF-8 with a byte order mark (so Excel shows Chinese correctly), a header
    /// row of the record's fields, nested values (money, lines, tags) as JSON text, and text
    /// starting with `=`, `+`, `-`, `@`, a tab or a carriage return prefixed with `'` so that a
    /// spreadsheet never runs it as a formula.
    /// `xlsx`: an Excel workbook of one sheet, the header row bold and frozen, numbers and
    /// booleans as such, nested values as JSON text, and every text written as a text cell
    /// (never a formula, so nothing runs and nothing needs a prefix). At most 1,048,575 records
    /// (Excel's limit; more answers 422 `export.too_many_rows`).
    #[param(value_type = Option<String>, pattern = "^(ndjson|csv|xlsx)$")]
    pub format: Option<String>,
    /// The columns of a `csv` or `xlsx` export, comma-separated, in their order: the record's
    /// field names (`name,phone,owner_name`), and `custom_fields.<key>` for a custom field's value.
    /// Without it, every field of the record. An unknown name answers 400 (the field error's
    /// code is `unknown_column`). `ndjson` lines are always whole records.
    #[param(value_type = Option<String>, example = "name,lifecycle_stage,phone,custom_fields.level")]
    pub columns: Option<String>,
}

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Ndjson,
    Csv,
    Xlsx,
}

impl ExportFormat {
    fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

impl ExportParams {
    pub fn to_format(&self) -> Result<ExportFormat, ApiError> {
        match self.format.as_deref().map(str::trim).unwrap_or("ndjson") {
            "" | "ndjson" => Ok(ExportFormat::Ndjson),
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            _ => Err(ApiError::bad_parameter("format", text!("must be ndjson, csv or xlsx", "只能是 ndjson、csv 或 xlsx"))),
        }
    }

    /// The column names asked for, in order, each once; `None` for every field.
    fn column_names(&self) -> Option<Vec<String>> {
        let mut names: Vec<String> = Vec::new();
        for name in self.columns.as_deref()?.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if !names.iter().any(|known| known == name) {
                names.push(name.to_owned());
            }
        }
        (!names.is_empty()).then_some(names)
    }
}

/// An export request as its handler takes it: the format and columns ([`ExportParams`]), and
/// the other query parameters (the list's filters and sort) as sent, for the audit entry.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub format: ExportFormat,
    columns: Option<Vec<String>>,
    filters: Map<String, Value>,
}

impl ExportRequest {
    fn from_query(query: &str) -> Result<Self, ApiError> {
        let params = web::Query::<ExportParams>::from_query(query).map_err(|_| {
            ApiError::bad_parameter("format", text!("must be given once, as ndjson, csv or xlsx", "只能给出一次：ndjson、csv 或 xlsx"))
        })?;
        let pairs = web::Query::<Vec<(String, String)>>::from_query(query).map(web::Query::into_inner).unwrap_or_default();
        let filters = pairs
            .into_iter()
            .filter(|(name, _)| name != "format" && name != "columns")
            .map(|(name, value)| (name, Value::String(value)))
            .collect();
        Ok(Self { format: params.to_format()?, columns: params.column_names(), filters })
    }
}

impl FromRequest for ExportRequest {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Self::from_query(req.query_string()))
    }
}

/// What every export answers: `responses(crate::export::ExportResponses)` in its `#[utoipa::path]`.
pub struct ExportResponses;

impl IntoResponses for ExportResponses {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        let text = || ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::String))).build();
        let binary = ContentBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary))),
            ))
            .build();
        let records = ResponseBuilder::new()
            .description(
                "The records, one JSON object per line (`format=ndjson`), CSV with a header row (`format=csv`, `text/csv; charset=utf-8`) \
                 or an XLSX workbook (`format=xlsx`, with `Content-Length`)",
            )
            .header("Content-Disposition", Header::new(ObjectBuilder::new().schema_type(Type::String)))
            .content("text/csv", text())
            .content("application/x-ndjson", text())
            .content(XLSX_CONTENT_TYPE, binary)
            .build();
        BTreeMap::from([
            ("200".to_owned(), records.into()),
            ("400".to_owned(), problem_response("Invalid parameter, or an unknown column (`unknown_column`)").into()),
            ("403".to_owned(), problem_response("The role may not read these records").into()),
            ("422".to_owned(), problem_response("More records than an XLSX worksheet holds (`export.too_many_rows`)").into()),
        ])
    }
}

/// The record's fields in the order its schema lists them: the CSV header, known before the
/// first row (an empty export still has one).
fn fields<T: ToSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// One column of a CSV or XLSX export: a field of the record, or one custom field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Field(String),
    Custom(String),
}

impl Column {
    /// The column's name in the header row: as the client asked for it.
    fn header(&self) -> String {
        match self {
            Column::Field(name) => name.clone(),
            Column::Custom(key) => format!("{CUSTOM_FIELDS}.{key}"),
        }
    }

    fn value_in<'a>(&self, record: &'a Value) -> &'a Value {
        const NULL: &Value = &Value::Null;
        match self {
            Column::Field(name) => record.get(name).unwrap_or(NULL),
            Column::Custom(key) => record.get(CUSTOM_FIELDS).and_then(|values| values.get(key)).unwrap_or(NULL),
        }
    }
}

/// The columns `requested` names, each checked against the record's `fields` and, for
/// `custom_fields.<key>`, the custom fields the kind defines (`custom_keys`, retired ones too,
/// since their values stay on records). Without a request, every field.
fn resolve_columns(requested: Option<&[String]>, fields: &[String], custom_keys: &[String]) -> Result<Vec<Column>, ApiError> {
    let Some(requested) = requested else { return Ok(fields.iter().cloned().map(Column::Field).collect()) };
    requested
        .iter()
        .map(|name| {
            let column = match name.strip_prefix(CUSTOM_FIELDS).and_then(|rest| rest.strip_prefix('.')) {
                Some(key) if custom_keys.iter().any(|k| k == key) => Some(Column::Custom(key.to_owned())),
                Some(_) => None,
                None => fields.iter().any(|f| f == name).then(|| Column::Field(name.clone())),
            };
            column.ok_or_else(|| {
                let message = text!("{name} is not a column of this export", "{name} 不是可导出的列");
                ApiError::bad_parameter_error(FieldError::new("columns", "unknown_column", message).with_param("column", name.as_str()))
            })
        })
        .collect()
}

/// The keys of the custom fields `file_stem`'s kind of record defines, when its records carry
/// them and the request asks for one (no read otherwise).
async fn custom_keys(db: &Db, file_stem: &str, fields: &[String], requested: Option<&[String]>) -> Result<Vec<String>, ApiError> {
    let asks = requested.is_some_and(|names| names.iter().any(|n| n.starts_with(&format!("{CUSTOM_FIELDS}."))));
    let Ok(entity) = CustomEntity::parse(file_stem) else { return Ok(Vec::new()) };
    if !asks || !fields.iter().any(|f| f == CUSTOM_FIELDS) {
        return Ok(Vec::new());
    }
    let definitions = crm_persistence::platform::custom_fields::definitions_of(db, entity).await?;
    Ok(definitions.iter().map(|d| d.key.clone()).collect())
}

/// One CSV cell: RFC 4180 quoting, text guarded against spreadsheet formulas.
pub(crate) fn csv_cell(value: &Value) -> String {
    let text = match value {
        Value::Null => return String::new(),
        Value::String(text) => {
            if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{text}")
            } else {
                text.clone()
            }
        }
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        nested => nested.to_string(),
    };
    if text.contains([',', '"', '\r', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

fn csv_line<'a>(cells: impl Iterator<Item = &'a Value>) -> String {
    let mut line = cells.map(csv_cell).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// One page of rows written as ndjson or CSV.
fn write_rows(format: ExportFormat, columns: &[Column], rows: &[Value]) -> Bytes {
    let mut out = String::new();
    for value in rows {
        match format {
            ExportFormat::Csv => out.push_str(&csv_line(columns.iter().map(|column| column.value_in(value)))),
            // XLSX rows go to a workbook (see [`xlsx`]), never through here.
            ExportFormat::Ndjson | ExportFormat::Xlsx => {
                out.push_str(&value.to_string());
                out.push('\n');
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

fn disposition(file_stem: &str, format: ExportFormat) -> (&'static str, String) {
    ("Content-Disposition", format!("attachment; filename=\"{file_stem}.{}\"", format.as_str()))
}

/// Streams every row `fetch` pages through as `file_stem.<format>` (ndjson or CSV with
/// `columns`). `fetch` is the list's own persistence call with a page request, its rows already
/// shown as the caller may see them; it is called once per page, each after the previous page
/// was written.
fn stream<F, Fut>(format: ExportFormat, file_stem: &str, columns: Vec<Column>, fetch: F) -> HttpResponse
where
    F: Fn(PageRequest) -> Fut + 'static,
    Fut: Future<Output = Result<PageDto<Value>, ApiError>> + 'static,
{
    let header = match format {
        ExportFormat::Csv => {
            let names: Vec<Value> = columns.iter().map(|c| Value::String(c.header())).collect();
            Bytes::from(format!("{BOM}{}", csv_line(names.iter())))
        }
        ExportFormat::Ndjson | ExportFormat::Xlsx => Bytes::new(),
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
    // XLSX never comes here (see [`xlsx`]).
    let content_type = if format == ExportFormat::Csv { "text/csv; charset=utf-8" } else { "application/x-ndjson" };
    HttpResponse::Ok().content_type(content_type).insert_header(disposition(file_stem, format)).streaming(body)
}

/// A workbook saved to a file of its own in the system's temporary directory, removed when this
/// is dropped: once sent, or when the client went away before the end.
struct SavedWorkbook {
    path: PathBuf,
    file: std::fs::File,
}

impl SavedWorkbook {
    fn create() -> std::io::Result<Self> {
        let path = std::env::temp_dir().join(format!("crm-export-{}.xlsx", Uuid::now_v7()));
        let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
        Ok(Self { path, file })
    }
}

impl Drop for SavedWorkbook {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_file(&self.path) {
            tracing::warn!(%error, path = %self.path.display(), "an export's temporary file stayed");
        }
    }
}

/// What the reading side hands the workbook's thread.
enum ToWorkbook {
    Rows(Vec<Value>),
    /// Every page was read: save the workbook. Without it (the reading side gave up), the
    /// thread stops without saving.
    Done,
}

fn xlsx_error(error: XlsxError) -> ApiError {
    ApiError::Internal(format!("writing the workbook: {error}"))
}

fn too_many_rows() -> ApiError {
    let most = XLSX_MAX_ROWS - 1;
    ApiError::unprocessable(
        "export.too_many_rows",
        text!(
            "an XLSX worksheet holds at most {most} records: narrow the filters or export as CSV",
            "XLSX 工作表最多容纳 {most} 条记录：请缩小筛选范围，或导出为 CSV"
        ),
    )
}

/// One cell of a data row: text always as a text cell (a leading `=`, `+`, `-` or `@` stays
/// text, no formula is ever written), numbers and booleans as such, nested values as JSON text.
fn write_xlsx_cell(sheet: &mut Worksheet, row: u32, col: u16, value: &Value) -> Result<(), XlsxError> {
    match value {
        Value::Null => {}
        Value::Bool(flag) => {
            sheet.write_boolean(row, col, *flag)?;
        }
        // Beyond 2^53 a number loses digits as a double: written as text, it keeps them all.
        Value::Number(number) => match number.as_f64() {
            Some(float) if float.abs() < 9_007_199_254_740_992.0 => {
                sheet.write_number(row, col, float)?;
            }
            _ => {
                sheet.write_string(row, col, number.to_string())?;
            }
        },
        Value::String(text) => {
            sheet.write_string(row, col, cut_to_cell(text))?;
        }
        nested => {
            sheet.write_string(row, col, cut_to_cell(&nested.to_string()))?;
        }
    }
    Ok(())
}

/// `text`, cut to the characters a cell holds.
fn cut_to_cell(text: &str) -> &str {
    match text.char_indices().nth(XLSX_MAX_TEXT) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Writes the rows `pages` brings into a one-sheet workbook and saves it to a temporary file,
/// on a blocking thread (the writer and the file are synchronous). The sheet is in
/// constant-memory mode: each finished row goes to a temporary file, so memory holds the page
/// being written, not the export.
fn write_workbook(columns: &[Column], mut pages: tokio::sync::mpsc::Receiver<ToWorkbook>) -> Result<SavedWorkbook, ApiError> {
    let header_count = u16::try_from(columns.len()).map_err(|_| ApiError::Internal("more columns than a worksheet holds".into()))?;
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory();
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    for (col, column) in (0..header_count).zip(columns) {
        sheet.set_column_width(col, 18).map_err(xlsx_error)?;
        sheet.write_string_with_format(0, col, column.header(), &bold).map_err(xlsx_error)?;
    }
    let mut row: u32 = 0;
    loop {
        match pages.blocking_recv() {
            Some(ToWorkbook::Rows(records)) => {
                for record in &records {
                    row += 1;
                    if row >= XLSX_MAX_ROWS {
                        return Err(too_many_rows());
                    }
                    for (col, column) in (0..header_count).zip(columns) {
                        write_xlsx_cell(sheet, row, col, column.value_in(record)).map_err(xlsx_error)?;
                    }
                }
            }
            Some(ToWorkbook::Done) => break,
            None => return Err(ApiError::Internal("the export's reading stopped".into())),
        }
    }
    let mut saved = SavedWorkbook::create().map_err(|e| ApiError::Internal(format!("a temporary file for the workbook: {e}")))?;
    let mut writer = std::io::BufWriter::new(&saved.file);
    workbook.save_to_writer(&mut writer).map_err(xlsx_error)?;
    writer.flush().map_err(|e| ApiError::Internal(e.to_string()))?;
    drop(writer);
    saved.file.seek(SeekFrom::Start(0)).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(saved)
}

/// Reads every page `fetch` brings into an XLSX workbook of `columns` and answers it as
/// `file_stem.xlsx`, with its length (so a client can show how far the download is). The
/// workbook is complete before the status line goes out, so any failure is a problem answer,
/// never a cut file.
async fn xlsx<F, Fut>(file_stem: &str, columns: Vec<Column>, fetch: F) -> Result<HttpResponse, ApiError>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<PageDto<Value>, ApiError>>,
{
    // One page waits while the thread writes the previous one: reading and writing overlap,
    // and no more than two pages are held.
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    let writer = tokio::task::spawn_blocking(move || write_workbook(&columns, receiver));
    let mut cursor = None;
    loop {
        let page = fetch(PageRequest { limit: EXPORT_PAGE_ROWS, cursor, include_total: false }).await?;
        let last = page.next_cursor.is_none();
        // A closed channel means the thread stopped with an error: its answer says which.
        if sender.send(ToWorkbook::Rows(page.data)).await.is_err() {
            break;
        }
        if last {
            // Ignored for the same reason: a refusal means the thread has already stopped.
            let _ = sender.send(ToWorkbook::Done).await;
            break;
        }
        cursor = page.next_cursor;
    }
    drop(sender);
    let saved = writer.await.map_err(|e| ApiError::Internal(format!("the workbook's thread: {e}")))??;
    let length = saved.file.metadata().map_err(|e| ApiError::Internal(e.to_string()))?.len();
    let body = stream::unfold(Some(saved), |saved| async move {
        let mut saved = saved?;
        let chunk = web::block(move || {
            let mut buffer = vec![0; XLSX_CHUNK_BYTES];
            let read = saved.file.read(&mut buffer)?;
            buffer.truncate(read);
            Ok::<_, std::io::Error>((buffer, saved))
        })
        .await;
        match chunk {
            Ok(Ok((buffer, _))) if buffer.is_empty() => None,
            Ok(Ok((buffer, saved))) => Some((Ok(Bytes::from(buffer)), Some(saved))),
            Ok(Err(error)) => {
                tracing::warn!(%error, "export stopped");
                Some((Err(actix_web::error::ErrorInternalServerError(error)), None))
            }
            Err(error) => {
                tracing::warn!(%error, "export stopped");
                Some((Err(actix_web::error::ErrorInternalServerError(error)), None))
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type(XLSX_CONTENT_TYPE)
        .insert_header(disposition(file_stem, ExportFormat::Xlsx))
        .no_chunking(length)
        .streaming(body))
}

/// What an export is of: the file's name (`customers` gives `customers.csv`) and the kind of
/// record, which decides the personal fields masked for callers without the right to see them
/// (and names the export's audit entry).
#[derive(Debug, Clone, Copy)]
pub struct Exported {
    pub file_stem: &'static str,
    pub kind: &'static str,
}

/// An export handler's answer once it has read its request and its list's filter: every record
/// `list` (the list's own persistence function) returns for `filter`, as `file_stem` in the
/// request's format and columns. Refusals (permission, sort, columns) answer before the status
/// line goes out, not as a cut stream: a first read of one row finds them. The export is then
/// recorded in the audit log, before any row is sent.
pub async fn list_export<Filter, R, D>(
    state: State,
    principal: Principal,
    filter: Filter,
    request: ExportRequest,
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
    let fields = fields::<D>();
    let requested = request.columns.as_deref();
    let custom_keys = custom_keys(&state.db, what.file_stem, &fields, requested).await?;
    let columns = resolve_columns(requested, &fields, &custom_keys)?;
    let details = json!({
        "format": request.format.as_str(),
        "filters": request.filters,
        "columns": request.columns,
    });
    crm_persistence::personal_data::record_export(&state.db, &principal, what.kind, Uuid::now_v7(), details).await?;
    let fetch = move |page: PageRequest| {
        let (state, principal, filter) = (state.clone(), principal.clone(), filter.clone());
        async move {
            let page = list(&state.db, &principal, &filter, &page).await?;
            crate::personal_data::page(&state.db, &principal, what.kind, page, to_dto).await
        }
    };
    match request.format {
        ExportFormat::Xlsx => xlsx(what.file_stem, columns, fetch).await,
        ExportFormat::Ndjson | ExportFormat::Csv => Ok(stream(request.format, what.file_stem, columns, fetch)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn columns_are_the_fields_asked_for_in_their_order_and_custom_fields_by_key() {
        let fields = names(&["id", "name", "phone", "custom_fields"]);
        let custom = names(&["level"]);
        assert_eq!(resolve_columns(None, &fields, &custom).unwrap().len(), 4, "every field without a choice");
        let chosen = resolve_columns(Some(&names(&["phone", "custom_fields.level", "name"])), &fields, &custom).unwrap();
        assert_eq!(chosen, [Column::Field("phone".into()), Column::Custom("level".into()), Column::Field("name".into())]);
        let record = json!({ "name": "华为", "phone": "138****5678", "custom_fields": { "level": "A" } });
        let cells: Vec<&Value> = chosen.iter().map(|c| c.value_in(&record)).collect();
        assert_eq!(cells, [&json!("138****5678"), &json!("A"), &json!("华为")]);
        assert_eq!(chosen[1].header(), "custom_fields.level");
        for unknown in ["password_hash", "custom_fields.nope", "custom_fields.", "Name"] {
            let error = resolve_columns(Some(&names(&[unknown])), &fields, &custom).unwrap_err();
            assert_eq!(error.problem_in(crm_domain::Lang::En).errors[0].code, "unknown_column", "{unknown}");
        }
    }

    #[test]
    fn the_request_reads_format_columns_and_keeps_the_filters_for_the_audit_entry() {
        let request =
            ExportRequest::from_query("format=xlsx&columns=name,%20phone,name,&industry=%E5%88%B6%E9%80%A0%E4%B8%9A&sort=-name").unwrap();
        assert_eq!(request.format, ExportFormat::Xlsx);
        assert_eq!(request.columns, Some(names(&["name", "phone"])), "trimmed, each once");
        assert_eq!(Value::Object(request.filters), json!({ "industry": "制造业", "sort": "-name" }));
        assert_eq!(ExportRequest::from_query("").unwrap().format, ExportFormat::Ndjson);
        assert_eq!(ExportRequest::from_query("columns=").unwrap().columns, None);
        assert!(ExportRequest::from_query("format=pdf").is_err());
    }

    #[test]
    fn text_longer_than_a_cell_holds_is_cut_at_a_character() {
        let long = "长".repeat(XLSX_MAX_TEXT + 5);
        assert_eq!(cut_to_cell(&long).chars().count(), XLSX_MAX_TEXT);
        assert_eq!(cut_to_cell("短"), "短");
    }

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
