//! `/privacy/subjects/{customer|contact}/{id}/export` and `/erase`: everything stored about one
//! person as one JSON document, and their anonymisation everywhere.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::privacy::SubjectType;
use crm_persistence::privacy::{erasure, export};

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};

/// Everything stored about one person: `format`, `exported_at`, `subject`, `record` (a
/// customer's or contact's record as its `GET` returns it), `contacts` (a customer's),
/// `customer` (a contact's, id and name), `interactions`, `tasks`, `tickets`,
/// `ticket_comments`, `orders`, `order_lines`, `opportunities`, `requirements` and
/// `requirement_requests`, `consents`, `portal_accounts` (without secrets), `timeline`,
/// `external_references`, `audit_entries` about them, `privacy_requests`, and `attachments`
/// (none stored yet: `{"included": false}`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct SubjectExportDto(pub Value);

/// What an erasure changes of one kind of record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureChangeDto {
    /// `customer`, `contact`, `interaction`, `task`, `portal_account`, `portal_session`,
    /// `timeline_item`, `external_reference`, `audit_entry`, `event`, `notification`,
    /// `idempotent_response`.
    pub kind: String,
    /// How many records of the kind change.
    pub records: u64,
    /// The fields of the records that change (for the person's own records).
    pub fields: Vec<String>,
}

/// What an erasure did, or with `dry_run` would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureReportDto {
    pub subject_type: SubjectType,
    pub subject_id: Uuid,
    /// `true`: nothing was changed.
    pub dry_run: bool,
    /// The name the record carries from now on (`已匿名-7F3A`).
    pub pseudonym: String,
    /// Per kind of record, the kinds where something changes; empty when nothing is left to erase.
    pub changes: Vec<ErasureChangeDto>,
}

impl From<erasure::ErasureReport> for ErasureReportDto {
    fn from(r: erasure::ErasureReport) -> Self {
        Self {
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            dry_run: r.dry_run,
            pseudonym: r.pseudonym,
            changes: r.changes.into_iter().map(|c| ErasureChangeDto { kind: c.kind, records: c.records, fields: c.fields }).collect(),
        }
    }
}

/// Whether to erase or only to see what would change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseSubject {
    /// `true`: report what would change and change nothing.
    pub dry_run: bool,
}

/// Export everything stored about a person (PIPL access and copy)
///
/// One JSON document, in clear: it takes the `privacy` export right and a `pii` scope reaching
/// the person. The read is audited (`export_subject`).
#[utoipa::path(tag = "privacy", params(("subject_type" = SubjectType, Path), ("id" = Uuid, Path)), responses(
    (status = 200, description = "The document", body = SubjectExportDto, headers(("Content-Disposition" = String, description = "`attachment; filename=\"customer-<id>.json\"`"))),
    (status = 403, description = "The role may not export personal information, or its `pii` scope does not reach the person", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such person in scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/privacy/subjects/{subject_type}/{id}/export")]
pub async fn export_subject(state: State, principal: Principal, path: web::Path<(SubjectType, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (subject_type, id) = path.into_inner();
    let document = export::export(&state.db, &principal, subject_type, id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}-{id}.json\"", subject_type.as_str()),
        ))
        .json(SubjectExportDto(document)))
}

/// Erase a person (anonymise them everywhere; cannot be undone)
///
/// A customer is erased with its contacts. Personal fields are cleared and the name becomes a
/// pseudonym; orders and figures stay under it; interactions lose their text; portal accounts
/// are closed; external references are dropped; history keeps its shape without the values. One
/// audit entry (`erase_subject`, counts and field names only) and `customer.erased` /
/// `contact.erased` events. With `dry_run` nothing changes and the report lists what would.
#[utoipa::path(tag = "privacy", params(("subject_type" = SubjectType, Path), ("id" = Uuid, Path)), request_body = EraseSubject, responses(
    (status = 200, description = "Erased, or what would be", body = ErasureReportDto),
    (status = 404, description = "No such person in scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/privacy/subjects/{subject_type}/{id}/erase")]
pub async fn erase_subject(
    state: State,
    principal: Principal,
    path: web::Path<(SubjectType, Uuid)>,
    body: crate::http::Json<EraseSubject>,
) -> Result<HttpResponse, ApiError> {
    let (subject_type, id) = path.into_inner();
    let report = erasure::erase(&state.db, &principal, subject_type, id, body.dry_run).await?;
    Ok(HttpResponse::Ok().json(ErasureReportDto::from(report)))
}
