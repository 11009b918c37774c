//! Imports (`/imports`): upload a CSV (UTF-8 or GBK, delimiter detected) or XLSX file, adjust
//! the column mapping the server proposes, choose how duplicates are handled, run a dry run that
//! says per row what would happen, run the import as a background job with progress, cancel it,
//! and revert it.
//!
//! The work runs in [`run_worker`]: each instance claims imports with work to do through the
//! database and writes them in chunks of [`rules::CHUNK_ROWS`] rows, one transaction each (the records,
//! their audit entries and events, the rows' outcomes and the progress together). A dry run
//! writes each chunk exactly as the run would and rolls it back, so what it predicts is what the
//! run does (short of records others change in between).

use std::collections::HashSet;
use std::sync::LazyLock;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::platform::custom_fields::CustomEntity;
use crm_domain::platform::imports::{
    self as rules, ColumnMapping, DuplicateHandling, FileFormat, ImportEntity, ImportField, ImportPhase, ImportStatus, MatchKey,
    RevertOutcome, RowAction, RowError, SAMPLE_ROWS,
};
use crm_domain::{Lang, text};
use crm_persistence::Db;
use crm_persistence::platform::custom_fields::labelled_rules;
use crm_persistence::platform::imports::{self as store, ChunkVerdict, Claimed, ImportRecord, ImportSettings, NewImport, RowRecord};

use crate::auth::{Principal, State};
use crate::customers::import as customers;
use crate::error::{ApiError, Problem, current_language};
use crate::http::{PageDto, PageParams, created, if_match, ok_with_etag, read_body};

/// The largest file an import takes, in bytes.
pub const MAX_FILE_BYTES: usize = 200 << 20;
/// Rows a revert undoes per transaction.
const REVERT_ROWS: u64 = 200;

/// Uploads read at the same time on this instance.
static UPLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Wakes this instance's worker when an import gets work (other instances find it by polling).
static WAKE: LazyLock<Notify> = LazyLock::new(Notify::new);

/// An import: its file as read, its settings, where it stands and its counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDto {
    pub id: Uuid,
    pub entity: ImportEntity,
    pub file_name: String,
    pub format: FileFormat,
    /// `utf-8` or `gbk` (CSV only).
    pub encoding: Option<String>,
    /// The CSV file's delimiter.
    pub delimiter: Option<String>,
    /// The header row.
    pub headers: Vec<String>,
    /// The first rows, as read.
    pub sample: Vec<Vec<String>>,
    /// Data rows in the file (the header row not counted).
    pub rows_total: i64,
    /// The field each column fills (`null`: left out), in column order.
    pub mapping: Vec<Option<String>>,
    pub duplicate_handling: DuplicateHandling,
    /// How a row finds the customer it duplicates, tried in order.
    pub match_keys: Vec<MatchKey>,
    /// The system the `external_id` column's ids belong to (`erp`).
    pub external_system: Option<String>,
    pub status: ImportStatus,
    /// Rows the current (or last) dry run or run has dealt with.
    pub rows_done: i64,
    /// Rows per second of the current (or last) pass.
    pub rows_per_second: f64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
    /// A revert's progress: records undone (or already gone), and records left alone because
    /// they changed after the import (listed by `GET /imports/{id}/rows?revert=changed_since`).
    pub reverted: i64,
    pub kept: i64,
    /// The dry run's counts on the current settings: `{created, updated, skipped, failed}`.
    #[schema(value_type = Option<Object>)]
    pub checked: Option<Value>,
    /// Why the import failed (`import.failed`, `import.unreadable_csv`, …).
    pub error_code: Option<String>,
    pub cancel_requested: bool,
    pub created_by: Uuid,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<ImportRecord> for ImportDto {
    fn from(r: ImportRecord) -> Self {
        let seconds = match (r.started_at, r.finished_at) {
            (Some(start), Some(end)) => (end - start).num_milliseconds() as f64 / 1000.0,
            (Some(start), None) => (Utc::now() - start).num_milliseconds() as f64 / 1000.0,
            _ => 0.0,
        };
        let done =
            if r.status == ImportStatus::Reverting || r.status == ImportStatus::Reverted { r.reverted + r.kept } else { r.rows_done };
        let rows_per_second = if seconds > 0.0 { (done as f64 / seconds * 10.0).round() / 10.0 } else { 0.0 };
        Self {
            id: r.id,
            entity: r.entity,
            file_name: r.file_name,
            format: r.format,
            encoding: r.encoding,
            delimiter: r.delimiter,
            headers: r.headers,
            sample: r.sample,
            rows_total: r.rows_total,
            mapping: r.mapping,
            duplicate_handling: r.duplicate_handling,
            match_keys: r.match_keys,
            external_system: r.external_system,
            status: r.status,
            rows_done: r.rows_done,
            rows_per_second,
            created: r.created,
            updated: r.updated,
            skipped: r.skipped,
            failed: r.failed,
            reverted: r.reverted,
            kept: r.kept,
            checked: r.checked,
            error_code: r.error_code,
            cancel_requested: r.cancel_requested,
            created_by: r.created_by,
            started_at: r.started_at,
            finished_at: r.finished_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// An error of one row, in the reader's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRowErrorDto {
    /// The field (`name`, `custom_fields.budget`, `owner_email`), or `row` for the whole row.
    pub field: String,
    pub code: String,
    #[schema(value_type = Option<Object>)]
    pub params: Option<serde_json::Map<String, Value>>,
    pub message: String,
}

fn error_dto(error: RowError, lang: Lang) -> ImportRowErrorDto {
    ImportRowErrorDto {
        message: if lang == Lang::ZhCn { error.message_zh } else { error.message_en },
        field: error.field,
        code: error.code,
        params: (!error.params.is_empty()).then_some(error.params),
    }
}

/// What the dry run or the run did (or would do) with one row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRowDto {
    /// The row's number in the spreadsheet (the header row is 1).
    pub row_number: i64,
    pub action: RowAction,
    /// The record created, updated or matched (none for a dry run's new records).
    pub record_id: Option<Uuid>,
    pub errors: Vec<ImportRowErrorDto>,
    /// What a revert did with the row's record.
    pub revert: Option<RevertOutcome>,
}

fn row_dto(row: RowRecord, lang: Lang) -> ImportRowDto {
    ImportRowDto {
        row_number: row.row_number,
        action: row.action,
        record_id: row.record_id,
        errors: row.errors.into_iter().map(|e| error_dto(e, lang)).collect(),
        revert: row.revert,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// What the file holds: `customers`.
    #[param(value_type = ImportEntity)]
    pub entity: String,
    /// The file's name, as the user chose it (shown in the list).
    pub file_name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FieldParams {
    /// `customers`.
    #[param(value_type = ImportEntity)]
    pub entity: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateImport {
    /// The field of each column (columns left out keep theirs).
    pub mapping: Option<Vec<ColumnMapping>>,
    #[schema(value_type = Option<DuplicateHandling>)]
    pub duplicate_handling: Option<String>,
    /// In the order they are tried.
    #[schema(value_type = Option<Vec<MatchKey>>)]
    pub match_keys: Option<Vec<String>>,
    /// The system the `external_id` column's ids belong to; `null` for none.
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub external_system: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RowParams {
    /// `check` (the dry run) or `run` (default).
    #[param(value_type = Option<String>, pattern = "^(check|run)$")]
    pub phase: Option<String>,
    /// Only rows of this outcome.
    #[param(value_type = Option<RowAction>)]
    pub action: Option<String>,
    /// Only rows a revert dealt with so: `changed_since` lists the records it left alone.
    #[param(value_type = Option<RevertOutcome>)]
    pub revert: Option<String>,
}

fn entity_of(text: &str) -> Result<ImportEntity, ApiError> {
    ImportEntity::parse(text).map_err(|e| ApiError::bad_parameter("entity", crm_domain::error::HasCode::text(&e)))
}

/// The target fields of `entity`, the custom ones included.
async fn fields_of(
    db: &Db,
    entity: ImportEntity,
) -> Result<(Vec<ImportField>, Vec<(crm_domain::platform::custom_fields::FieldRule, String, String)>), ApiError> {
    match entity {
        ImportEntity::Customers => {
            let custom = labelled_rules(db, CustomEntity::Customers).await?;
            Ok((rules::customer_fields(&custom), custom))
        }
    }
}

/// The fields an import can fill
///
/// For the mapping step: each field's key (what `mapping` names), labels and whether a new record
/// needs it. Custom fields are `cf.<key>`; `owner_email` sets the owner by their email and
/// `external_id` the record's id in `external_system`.
#[utoipa::path(tag = "imports", params(FieldParams), responses(
    (status = 200, description = "The fields", body = Vec<ImportField>),
    (status = 400, description = "Unknown entity", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/imports/fields")]
pub async fn import_fields(state: State, _principal: Principal, params: web::Query<FieldParams>) -> Result<HttpResponse, ApiError> {
    let (fields, _) = fields_of(&state.db, entity_of(&params.entity)?).await?;
    Ok(HttpResponse::Ok().json(fields))
}

/// Upload a file to import
///
/// The body is the file itself (any content type; `curl --data-binary @客户.xlsx`): CSV in UTF-8
/// or GBK with a comma, semicolon, tab or `|` delimiter (all detected), or an XLSX workbook (its
/// first sheet). The first row holds the headers. The answer proposes a mapping from the headers
/// (Chinese and English names recognised), which `PATCH` adjusts before the dry run.
#[utoipa::path(tag = "imports", params(UploadParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses(
    (status = 201, description = "Uploaded", body = ImportDto, headers(("Location" = String), ("ETag" = String))),
    (status = 400, description = "Unknown entity", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The role may not create these records", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Larger than 200 MiB", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`import.empty_file`, `import.no_headers`, `import.unreadable_csv`, `import.unreadable_workbook`, `import.too_many_rows` (over 1,000,000 rows or 20,000,000 filled cells)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/imports")]
pub async fn upload_import(
    state: State,
    principal: Principal,
    params: web::Query<UploadParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let entity = entity_of(&params.entity)?;
    principal.require(crm_domain::identity::Resource::Customers, crm_domain::identity::Action::Create)?;
    // Files are read whole; a few at a time keep the memory they take bounded.
    let _turn = UPLOADS.acquire().await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let file = read_body(payload, MAX_FILE_BYTES).await?.freeze();
    let reading = file.clone();
    let table = tokio::task::spawn_blocking(move || rules::read_table(&reading))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::unprocessable(e.code(), e.message()))?;
    let (_, custom) = fields_of(&state.db, entity).await?;
    // Control characters (NUL among them, which PostgreSQL refuses) are no part of a name.
    let file_name: String = params.file_name.as_deref().unwrap_or_default().chars().filter(|c| !c.is_control()).take(200).collect();
    let file_name = match file_name.trim() {
        "" => "import".to_owned(),
        name => name.to_owned(),
    };
    let new = NewImport {
        entity,
        file_name,
        format: table.format,
        encoding: table.encoding.map(str::to_owned),
        delimiter: table.delimiter.map(String::from),
        mapping: rules::propose_mapping(&table.headers, &custom),
        sample: table.rows.iter().take(SAMPLE_ROWS).cloned().collect(),
        rows_total: table.rows.len() as i64,
        headers: table.headers,
    };
    let record = store::create(&state.db, &principal, new, &file).await?;
    Ok(created(&ImportDto::from(record.clone()), format!("/api/v1/imports/{}", record.id), record.version))
}

/// List imports
///
/// Newest first: the caller's own, or all for an administrator.
#[utoipa::path(tag = "imports", params(PageParams), responses(
    (status = 200, description = "A page of imports", body = PageDto<ImportDto>),
), security(("bearer" = [])))]
#[get("/imports")]
pub async fn list_imports(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = store::list(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, ImportDto::from)))
}

/// Get an import, with its progress
#[utoipa::path(tag = "imports", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The import", body = ImportDto, headers(("ETag" = String))),
    (status = 404, description = "No such import, or another user's", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/imports/{id}")]
pub async fn get_import(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = store::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&ImportDto::from(record.clone()), record.version))
}

/// Change an import's mapping and duplicate handling
///
/// Only before the run (`uploaded` or `checked`); a checked import is `uploaded` again, its dry
/// run having been of other settings.
#[utoipa::path(tag = "imports", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateImport, responses(
    (status = 200, description = "Changed", body = ImportDto, headers(("ETag" = String))),
    (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`import.wrong_state`: running or done", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "An unknown field or column, a field mapped twice, `external_id` without `external_system`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/imports/{id}")]
pub async fn update_import(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateImport>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let current = store::get(&state.db, &principal, id).await?;
    let (_, custom) = fields_of(&state.db, current.entity).await?;
    let body = body.into_inner();
    let mut check = crm_domain::Check::default();
    let mut mapping = current.mapping.clone();
    for (index, column) in body.mapping.iter().flatten().enumerate() {
        let field = format!("mapping[{index}]");
        if column.column >= mapping.len() {
            check.0.push(crm_domain::FieldError::new(field, "unknown_column", text!("the file has no such column", "文件中没有这一列")));
            continue;
        }
        if let Some(key) = &column.field
            && !rules::is_customer_field(key, &custom)
        {
            check.0.push(crm_domain::FieldError::new(
                field,
                "unknown_field",
                text!("no field {key} can be imported", "不能导入字段 {key}"),
            ));
            continue;
        }
        mapping[column.column] = column.field.clone();
    }
    let mut seen = HashSet::new();
    if let Some(twice) = mapping.iter().flatten().find(|field| !seen.insert(*field)) {
        check.0.push(crm_domain::FieldError::new(
            "mapping",
            "mapped_twice",
            text!("{twice} is mapped from two columns", "字段 {twice} 对应了两列"),
        ));
    }
    let duplicate_handling = match &body.duplicate_handling {
        Some(text) => check.value("duplicate_handling", text, DuplicateHandling::parse),
        None => Some(current.duplicate_handling),
    };
    let match_keys = match &body.match_keys {
        Some(keys) => keys.iter().enumerate().map(|(i, key)| check.value(&format!("match_keys[{i}]"), key, MatchKey::parse)).collect(),
        None => Some(current.match_keys.clone()),
    };
    let external_system = match body.external_system {
        Some(Some(system)) => crm_domain::external::SystemName::parse(system.trim())
            .map_err(|e| check.0.push(crm_domain::FieldError::new("external_system", "invalid", crm_domain::error::HasCode::text(&e))))
            .ok()
            .map(|s| s.as_str().to_owned()),
        Some(None) => None,
        None => current.external_system.clone(),
    };
    if mapping.iter().flatten().any(|f| f == "external_id") && external_system.is_none() {
        check.0.push(crm_domain::FieldError::new(
            "external_system",
            "required",
            text!("name the system the external id column belongs to", "请填写外部编号所属的系统"),
        ));
    }
    let (duplicate_handling, match_keys) = check.finish_with((duplicate_handling, match_keys))?;
    let settings = ImportSettings { mapping, duplicate_handling, match_keys, external_system };
    let record = store::configure(&state.db, &principal, id, if_match(&req)?, settings).await?;
    Ok(ok_with_etag(&ImportDto::from(record.clone()), record.version))
}

/// Fails with 422 when the mapping leaves out a field every new record needs.
fn require_fields(record: &ImportRecord, fields: &[ImportField]) -> Result<(), ApiError> {
    let missing: Vec<&ImportField> =
        fields.iter().filter(|f| f.required && !record.mapping.iter().flatten().any(|m| *m == f.key)).collect();
    // An import that updates what it matches may leave out what only a new record needs: its
    // rows that match nothing fail one by one instead.
    if missing.is_empty() || record.duplicate_handling == DuplicateHandling::Update {
        return Ok(());
    }
    let (en, zh): (Vec<&str>, Vec<&str>) = missing.iter().map(|f| (f.label_en.as_str(), f.label_zh.as_str())).unzip();
    let (en, zh) = (en.join(", "), zh.join("、"));
    Err(ApiError::unprocessable("import.required_field_unmapped", text!("no column fills {en}", "没有列对应必填字段：{zh}")))
}

async fn start(state: &State, principal: &Principal, req: &HttpRequest, id: Uuid, phase: ImportPhase) -> Result<HttpResponse, ApiError> {
    let current = store::get(&state.db, principal, id).await?;
    let (fields, _) = fields_of(&state.db, current.entity).await?;
    require_fields(&current, &fields)?;
    let record = store::start(&state.db, principal, id, phase, if_match(req)?).await?;
    WAKE.notify_waiters();
    Ok(HttpResponse::Accepted()
        .insert_header((actix_web::http::header::ETAG, crate::http::etag(record.version)))
        .json(ImportDto::from(record)))
}

/// Start the dry run
///
/// Every row is written as the run would write it, then rolled back: the rows' outcomes (`GET
/// …/rows?phase=check`) say what the run will do, with every error; the import becomes `checked`
/// with the counts in `checked`.
#[utoipa::path(tag = "imports", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 202, description = "Checking", body = ImportDto, headers(("ETag" = String))),
    (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`import.wrong_state`", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`import.required_field_unmapped`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/imports/{id}/dry-run")]
pub async fn dry_run_import(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    start(&state, &principal, &req, id.into_inner(), ImportPhase::Check).await
}

/// Run the import
///
/// In the background, in chunks of 500 rows, one transaction each; `GET /imports/{id}` shows
/// the progress. Each record written has its audit entry and event (with `import_id`); the end
/// is told once as `import.completed`.
#[utoipa::path(tag = "imports", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 202, description = "Running", body = ImportDto, headers(("ETag" = String))),
    (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`import.wrong_state`: already run", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`import.required_field_unmapped`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/imports/{id}/run")]
pub async fn run_import(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    start(&state, &principal, &req, id.into_inner(), ImportPhase::Run).await
}

/// Cancel a dry run or a run
///
/// It stops after the chunk being written; what the run wrote stays and can be reverted.
#[utoipa::path(tag = "imports", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Cancel asked for", body = ImportDto, headers(("ETag" = String))),
    (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`import.wrong_state`: not running", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/imports/{id}/cancel")]
pub async fn cancel_import(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = store::cancel(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&ImportDto::from(record.clone()), record.version))
}

/// Revert an import
///
/// In the background: records the import created go to the recycle bin, records it updated get
/// their values before it back — each only if nobody changed it since; those are left alone and
/// listed (`GET …/rows?revert=changed_since` shows them as `revert: changed_since`).
#[utoipa::path(tag = "imports", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 202, description = "Reverting", body = ImportDto, headers(("ETag" = String))),
    (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`import.wrong_state`: not completed or cancelled", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/imports/{id}/revert")]
pub async fn revert_import(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = store::revert(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    WAKE.notify_waiters();
    Ok(HttpResponse::Accepted()
        .insert_header((actix_web::http::header::ETAG, crate::http::etag(record.version)))
        .json(ImportDto::from(record)))
}

fn row_params(params: &RowParams) -> Result<(ImportPhase, store::RowFilter), ApiError> {
    let phase = match params.phase.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => ImportPhase::parse(text).map_err(|e| ApiError::bad_parameter("phase", crm_domain::error::HasCode::text(&e)))?,
        None => ImportPhase::Run,
    };
    let action = match params.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(text) => Some(RowAction::parse(text).map_err(|e| ApiError::bad_parameter("action", crm_domain::error::HasCode::text(&e)))?),
        None => None,
    };
    let revert = match params.revert.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(text) => {
            Some(RevertOutcome::parse(text).map_err(|e| ApiError::bad_parameter("revert", crm_domain::error::HasCode::text(&e)))?)
        }
        None => None,
    };
    Ok((phase, (action, revert)))
}

/// The rows' outcomes
///
/// In file order, of the dry run (`phase=check`) or the run, optionally of one action.
#[utoipa::path(tag = "imports", params(("id" = Uuid, Path), RowParams, PageParams), responses(
    (status = 200, description = "A page of rows", body = PageDto<ImportRowDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/imports/{id}/rows")]
pub async fn import_rows(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    params: web::Query<RowParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (phase, action) = row_params(&params)?;
    let page = store::rows(&state.db, &principal, id.into_inner(), phase, action, &page.to_request()?).await?;
    let lang = current_language();
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, |row| row_dto(row, lang))))
}

/// Download the rows' outcomes as CSV
///
/// Row number, action, record id and the errors in the reader's language, one row per line
/// (UTF-8 with a byte order mark, so Excel shows Chinese correctly).
#[utoipa::path(tag = "imports", params(("id" = Uuid, Path), RowParams), responses(
    (status = 200, description = "The report", content_type = "text/csv", headers(("Content-Disposition" = String))),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/imports/{id}/rows/export")]
pub async fn export_import_rows(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    params: web::Query<RowParams>,
) -> Result<HttpResponse, ApiError> {
    let (phase, action) = row_params(&params)?;
    let id = id.into_inner();
    store::get(&state.db, &principal, id).await?;
    let lang = current_language();
    let headers =
        if lang == Lang::ZhCn { ["行号", "处理", "记录编号", "错误"] } else { ["row", "action", "record_id", "errors"] };
    let mut out = format!("\u{feff}{}\r\n", headers.join(","));
    let mut cursor = None;
    loop {
        let request = crm_persistence::PageRequest { limit: 200, cursor, include_total: false };
        let page = store::rows(&state.db, &principal, id, phase, action, &request).await?;
        for row in page.data {
            let errors: Vec<String> = row
                .errors
                .into_iter()
                .map(|e| {
                    let e = error_dto(e, lang);
                    format!("{}: {}", e.field, e.message)
                })
                .collect();
            let cells = [
                row.row_number.to_string(),
                row.action.as_str().to_owned(),
                row.record_id.map(|id| id.to_string()).unwrap_or_default(),
                errors.join("; "),
            ];
            let line: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"import-{id}-{}.csv\"", phase.as_str())))
        .body(out))
}

/// One CSV cell of the report, as the list exports write it (quoted, never read as a formula).
fn csv_cell(text: &str) -> String {
    crate::export::csv_cell(&Value::String(text.to_owned()))
}

pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(import_fields)
        .service(upload_import)
        .service(list_imports)
        .service(get_import)
        .service(update_import)
        .service(dry_run_import)
        .service(run_import)
        .service(cancel_import)
        .service(revert_import)
        .service(export_import_rows)
        .service(import_rows);
}

/// How a chunk's transaction ended other than by committing.
enum Halt {
    Storage(ApiError),
    /// The dry run's chunk, written and rolled back: its outcomes.
    Checked(Vec<store::RowOutcome>),
    /// Cancelled, or the claim was lost.
    Stopped,
}

impl From<crm_persistence::Error> for Halt {
    fn from(error: crm_persistence::Error) -> Self {
        Halt::Storage(error.into())
    }
}

/// Claims and works imports until the task is stopped: at once when this instance starts one,
/// else every `poll`.
pub async fn run_worker(db: Db, poll: Duration) {
    let holder = Uuid::now_v7().to_string();
    loop {
        // Listening before looking, so that an import started between the two is not missed.
        let wake = WAKE.notified();
        tokio::pin!(wake);
        wake.as_mut().enable();
        match store::claim(&db, &holder).await {
            Ok(Some(claimed)) => {
                let id = claimed.import.id;
                if let Err(error) = work(&db, &claimed).await {
                    if matches!(error, ApiError::Unavailable) {
                        // The database out of reach: the work waits for it, where it stopped.
                        tracing::warn!(%id, "an import paused: the database is out of reach");
                        if let Err(error) = store::release(&db, &claimed).await {
                            tracing::warn!(%error, %id, "could not let the import go; its lease runs out instead");
                        }
                        continue;
                    }
                    tracing::error!(%error, %id, "an import failed");
                    let actor = crm_persistence::Actor::system();
                    if let Err(error) = store::finish(&db, &claimed, &actor, ImportStatus::Failed, Some(&failure_code(&error))).await {
                        tracing::warn!(%error, %id, "could not mark the import failed; another instance retries it when the lease ends");
                    }
                }
            }
            Ok(None) => {
                let _ = tokio::time::timeout(poll, wake).await;
            }
            Err(error) => {
                tracing::warn!(%error, "could not claim an import");
                tokio::time::sleep(poll).await;
            }
        }
    }
}

fn failure_code(error: &ApiError) -> String {
    match error {
        ApiError::Coded { code, .. } | ApiError::Unauthorized { code, .. } => (*code).to_owned(),
        _ => "import.failed".to_owned(),
    }
}

async fn work(db: &Db, claimed: &Claimed) -> Result<(), ApiError> {
    let import = &claimed.import;
    let Some(user_id) = import.acting_user_id else {
        return Err(ApiError::unprocessable("import.failed", text!("the import names nobody to act as", "导入没有执行人")));
    };
    let mut actor = crm_persistence::identity::auth::load_user_actor(db, user_id).await?;
    actor.import_id = Some(import.id);
    match import.status {
        ImportStatus::Reverting => revert(db, claimed, &actor).await,
        ImportStatus::Checking => write(db, claimed, &actor, ImportPhase::Check).await,
        ImportStatus::Running => write(db, claimed, &actor, ImportPhase::Run).await,
        _ => Ok(()),
    }
}

async fn write(db: &Db, claimed: &Claimed, actor: &crm_persistence::Actor, phase: ImportPhase) -> Result<(), ApiError> {
    let import = &claimed.import;
    let file = store::file(db, import.id).await?;
    let table = tokio::task::spawn_blocking(move || rules::read_table(&file))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::unprocessable(e.code(), e.message()))?;
    let (_, custom) = fields_of(db, import.entity).await?;
    let settings = ImportSettings {
        mapping: import.mapping.clone(),
        duplicate_handling: import.duplicate_handling,
        match_keys: import.match_keys.clone(),
        external_system: import.external_system.clone(),
    };
    let reading = customers::Reading { settings: &settings, custom: &custom, today: db.today() };
    let mut seen = HashSet::new();
    // A resumed pass starts after the rows it recorded.
    let mut next = usize::try_from(store::rows_recorded(db, import.id, phase).await?).unwrap_or(usize::MAX);
    while next < table.rows.len() {
        if store::cancel_requested(db, import.id).await? {
            store::finish(db, claimed, actor, ImportStatus::Cancelled, None).await?;
            return Ok(());
        }
        let dry = (phase == ImportPhase::Check).then_some(&seen);
        let planned = customers::plan_chunk(db, actor, &reading, (&table.rows, &table.numbers), next, dry).await?;
        let taken = planned.len().max(1);
        let claims: std::collections::HashMap<i64, Vec<String>> = planned.iter().map(|(row, _, keys)| (*row, keys.clone())).collect();
        let plans: Vec<(i64, customers::Planned)> = planned.into_iter().map(|(row, plan, _)| (row, plan)).collect();
        let written = db
            .all_or_nothing(async || {
                let outcomes = customers::write_chunk(db, actor, plans).await.map_err(Halt::Storage)?;
                match phase {
                    ImportPhase::Check => Err(Halt::Checked(outcomes)),
                    ImportPhase::Run => match store::record_chunk(db, claimed, phase, outcomes).await? {
                        ChunkVerdict::Go => Ok(()),
                        ChunkVerdict::Stop => Err(Halt::Stopped),
                    },
                }
            })
            .await;
        match written {
            Ok(()) => {}
            Err(Halt::Checked(outcomes)) => {
                // What the dry run created, a later row of the file finds (the rollback hid it).
                for outcome in outcomes.iter().filter(|o| o.action == RowAction::Created) {
                    seen.extend(claims.get(&outcome.row_number).into_iter().flatten().cloned());
                }
                // A dry run's new records were rolled back: their ids mean nothing.
                let outcomes = outcomes
                    .into_iter()
                    .map(|o| if o.action == RowAction::Created { store::RowOutcome { record_id: None, ..o } } else { o })
                    .collect();
                if store::record_chunk(db, claimed, phase, outcomes).await? == ChunkVerdict::Stop {
                    return stopped(db, claimed, actor).await;
                }
            }
            Err(Halt::Stopped) => return stopped(db, claimed, actor).await,
            Err(Halt::Storage(error)) => return Err(error),
        }
        next += taken;
    }
    let done = if phase == ImportPhase::Check { ImportStatus::Checked } else { ImportStatus::Completed };
    store::finish(db, claimed, actor, done, None).await?;
    Ok(())
}

/// A chunk was refused: a cancel (which ends the pass) or a lost claim (another worker has it).
async fn stopped(db: &Db, claimed: &Claimed, actor: &crm_persistence::Actor) -> Result<(), ApiError> {
    if store::cancel_requested(db, claimed.import.id).await? {
        store::finish(db, claimed, actor, ImportStatus::Cancelled, None).await?;
    }
    Ok(())
}

async fn revert(db: &Db, claimed: &Claimed, actor: &crm_persistence::Actor) -> Result<(), ApiError> {
    // Rows are undone last written first. A record written by several rows (created, then
    // updated by a later row with the same key) is at the version the revert of the later row
    // left when the earlier row's turn comes, not at the one the import left after that row.
    let mut left_at: std::collections::HashMap<Uuid, i32> = std::collections::HashMap::new();
    loop {
        let rows = store::rows_to_revert(db, claimed.import.id, REVERT_ROWS).await?;
        if rows.is_empty() {
            store::finish(db, claimed, actor, ImportStatus::Reverted, None).await?;
            return Ok(());
        }
        let done = db
            .all_or_nothing(async || {
                let mut outcomes = Vec::with_capacity(rows.len());
                for row in &rows {
                    let version = left_at.get(&row.record_id).copied().or(row.version_after);
                    let undone = customers::revert_row(db, actor, row.action, row.record_id, row.before.as_ref(), version).await;
                    outcomes.push((
                        row.row_number,
                        match undone {
                            Ok(left) => {
                                if let Some(left) = left {
                                    left_at.insert(row.record_id, left);
                                }
                                RevertOutcome::Reverted
                            }
                            Err(ApiError::NotFound) => RevertOutcome::Gone,
                            // The database failing is no verdict on the record: the batch rolls
                            // back and the revert stops (to be started again).
                            Err(error @ (ApiError::Unavailable | ApiError::Unexpected | ApiError::Internal(_))) => {
                                return Err(Halt::Storage(error));
                            }
                            // Changed since (412), or no longer acceptable as it was (a credit code
                            // another customer took since, a stage that cannot go back): left alone.
                            Err(_) => RevertOutcome::ChangedSince,
                        },
                    ));
                }
                match store::record_reverted(db, claimed, &outcomes).await.map_err(|e| Halt::Storage(e.into()))? {
                    ChunkVerdict::Go => Ok(()),
                    ChunkVerdict::Stop => Err(Halt::Stopped),
                }
            })
            .await;
        match done {
            Ok(()) => {}
            Err(Halt::Stopped | Halt::Checked(_)) => return Ok(()),
            Err(Halt::Storage(error)) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn report_cells_are_quoted_and_never_formulas() {
        assert_eq!(super::csv_cell("a,b"), "\"a,b\"");
        assert_eq!(super::csv_cell("=1+1"), "'=1+1");
    }
}
