//! Batches, `POST /{resource}/batch`: up to 1,000 creates, updates and upserts in one request,
//! each item written by the same code a single request uses (its checks, scope, audit entry and
//! event), answered one result per item with the status and problem a single request would get.
//! Without `atomic` every item commits on its own, so one bad or slow item holds nobody else up;
//! with `?atomic=true` all of them commit together or none does.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, ToSchema};
use uuid::Uuid;

use crm_domain::external::ExternalRef;
use crm_domain::text;

use crate::auth::State;
use crate::error::{ApiError, Problem};
use crate::external::Upserted;
use crate::http::{from_document, read_body};
use crate::openapi::problem_response;

/// Most items in one batch.
pub const MAX_ITEMS: usize = 1000;
/// Most contacts one customer item brings along (a customer with more is sent in several).
pub const MAX_NESTED: usize = 100;
/// A batch body may be this many times as large as a single request's (`CRM_MAX_BODY_BYTES`).
pub const BODY_FACTOR: usize = 16;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchParams {
    /// All items commit together or none does (default false: each item on its own).
    pub atomic: Option<bool>,
}

/// What to do with one record.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BatchOp {
    /// `body` is the resource's create body.
    Create,
    /// `body` is a merge patch of the record `id`, honouring `if_match`.
    Update,
    /// Creates or merge-patches the record known as `system`:`external_id`, as
    /// `PUT /{resource}/external/{system}/{external_id}` does.
    Upsert,
}

/// One operation of a batch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchItem {
    pub op: BatchOp,
    /// The record to update (`update`).
    pub id: Option<Uuid>,
    /// The version the update expects, as `If-Match` (`update`, `upsert`).
    pub if_match: Option<i32>,
    /// The other system (`upsert`).
    pub system: Option<String>,
    /// The record's id there (`upsert`).
    pub external_id: Option<String>,
    /// The body a single request would send.
    #[schema(value_type = Object)]
    pub body: Value,
    /// Customers: contacts to create with the customer, or to upsert under it when a contact's
    /// body carries `external_ids` (by the first of them). Written with their customer, in one
    /// transaction.
    #[schema(value_type = Option<Vec<Object>>)]
    pub contacts: Option<Vec<Value>>,
    /// Contacts: the customer of a new contact.
    pub customer_id: Option<Uuid>,
    /// Orders: confirm the order once written (if it is a draft).
    pub confirm: Option<bool>,
}

/// A batch: up to 1,000 items.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    #[schema(max_items = 1000)]
    pub items: Vec<Value>,
}

/// The result of one item.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    /// The item's position in `items`, from 0.
    pub index: usize,
    /// What a single request would have answered: 201 created, 200 updated, or the error's
    /// status; in an atomic batch that failed, 424 for items that were rolled back or not tried.
    pub status: u16,
    pub id: Option<Uuid>,
    /// The record's version after the write (its ETag).
    pub version: Option<i32>,
    /// The problem a single request would have answered.
    pub error: Option<Problem>,
    /// Customers: the result of each nested contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub contacts: Option<Vec<BatchResult>>,
}

/// The answer to a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub atomic: bool,
    /// Whether the items that succeeded are stored: always for a batch that is not atomic, and
    /// for an atomic one only when every item succeeded.
    pub committed: bool,
    pub succeeded: usize,
    pub failed: usize,
    pub results: Vec<BatchResult>,
}

/// What a batch answers: `responses(crate::batch::BatchResponses)` in its `#[utoipa::path]`.
pub struct BatchResponses;

impl IntoResponses for BatchResponses {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        let results = ResponseBuilder::new()
            .description("One result per item")
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("BatchResponse"))).build())
            .build();
        BTreeMap::from([
            ("200".to_owned(), results.into()),
            ("400".to_owned(), problem_response("Malformed JSON").into()),
            ("413".to_owned(), problem_response("Body too large").into()),
            ("415".to_owned(), problem_response("Not JSON").into()),
            ("422".to_owned(), problem_response("No items, more than 1,000, or not a batch").into()),
        ])
    }
}

/// A batch request as its handler takes it: the `?atomic` parameter (read and refused as
/// `web::Query` reads it) and the body, which [`Batch::run`] reads.
pub struct Batch {
    req: HttpRequest,
    params: BatchParams,
    payload: web::Payload,
}

impl FromRequest for Batch {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let params = web::Query::<BatchParams>::from_request(req, payload);
        let body = web::Payload::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move { Ok(Batch { req, params: params.await?.into_inner(), payload: body.await? }) })
    }
}

/// A record an item wrote.
pub struct Written {
    pub created: bool,
    pub id: Uuid,
    pub version: i32,
    pub contacts: Option<Vec<BatchResult>>,
}

impl Written {
    pub fn new(created: bool, id: Uuid, version: i32) -> Self {
        Self { created, id, version, contacts: None }
    }
}

impl<D> From<(bool, Upserted<D>)> for Written {
    /// What an upsert wrote, from whether it created the record and the record.
    fn from((created, done): (bool, Upserted<D>)) -> Self {
        Self::new(created, done.id, done.version)
    }
}

/// An `update` item without the id of its record.
pub fn missing_id() -> ApiError {
    ApiError::validation("id", "required", text!("an update names its record's id", "更新须指明记录的 id"))
}

/// `upsert` for a resource that has no external ids.
pub fn no_upsert() -> ApiError {
    ApiError::validation("op", "choice", text!("this resource takes create and update", "此资源只接受 create 与 update"))
}

/// A nested item (a customer's contact) failed, so its parent item fails with it: 422 naming
/// the nested item's field errors under `<field>[<index>]`, or its own problem otherwise.
pub fn nested_failed(field: &str, results: Vec<BatchResult>) -> ApiError {
    let Some(failed) = results.into_iter().last() else { return missing_id() };
    let Some(problem) = failed.error else { return missing_id() };
    let detail = crm_domain::Text::new(
        format!("{field}[{}]: {}", failed.index, problem.detail),
        format!("{field}[{}]：{}", failed.index, problem.detail),
    );
    let errors = if problem.errors.is_empty() {
        vec![crm_domain::FieldError::new(format!("{field}[{}]", failed.index), problem.code, detail.clone())]
    } else {
        problem
            .errors
            .into_iter()
            .map(|e| {
                crm_domain::FieldError::new(
                    format!("{field}[{}].{}", failed.index, e.field),
                    e.code,
                    crm_domain::Text::new(e.message.clone(), e.message),
                )
            })
            .collect()
    };
    ApiError::Refused { code: "batch.nested_item_failed", detail, errors }
}

impl BatchItem {
    /// The reference an `upsert` names.
    pub fn reference(&self) -> Result<ExternalRef, ApiError> {
        let (Some(system), Some(external_id)) = (&self.system, &self.external_id) else {
            return Err(ApiError::validation(
                "external_id",
                "required",
                text!("an upsert names its system and external_id", "upsert 须指明 system 与 external_id"),
            ));
        };
        ExternalRef::parse(system, external_id).map_err(ApiError::Validation)
    }

    /// Refuses fields that another resource's items take, and more nested contacts than
    /// [`MAX_NESTED`].
    pub fn allow_only(&self, contacts: bool, customer_id: bool, confirm: bool) -> Result<(), ApiError> {
        if self.contacts.as_ref().is_some_and(|people| people.len() > MAX_NESTED) {
            return Err(ApiError::validation(
                "contacts",
                "range",
                text!("at most {MAX_NESTED} contacts come with one customer", "每个客户最多附带 {MAX_NESTED} 个联系人"),
            ));
        }
        let stray = [
            ("contacts", self.contacts.is_some() && !contacts),
            ("customer_id", self.customer_id.is_some() && !customer_id),
            ("confirm", self.confirm.is_some() && !confirm),
        ];
        match stray.iter().find(|(_, present)| *present) {
            Some((field, _)) => Err(ApiError::validation(
                field,
                "unknown_field",
                text!("not taken by this resource's batch", "此资源的批量操作不接受该字段"),
            )),
            None => Ok(()),
        }
    }
}

pub fn result_of(index: usize, outcome: Result<Written, ApiError>) -> BatchResult {
    match outcome {
        Ok(written) => BatchResult {
            index,
            status: if written.created { 201 } else { 200 },
            id: Some(written.id),
            version: Some(written.version),
            error: None,
            contacts: written.contacts,
        },
        Err(error) => BatchResult {
            index,
            status: error.status_code().as_u16(),
            id: None,
            version: None,
            error: Some(error.problem()),
            contacts: None,
        },
    }
}

/// An item of an atomic batch that failed: written and rolled back, or never tried.
fn rolled_back(index: usize) -> BatchResult {
    let error = ApiError::Coded {
        status: StatusCode::FAILED_DEPENDENCY,
        code: "batch.rolled_back",
        detail: text!("not stored: another item of this atomic batch failed", "未保存：此原子批量操作中的其他项失败"),
    };
    result_of(index, Err(error))
}

/// Why an atomic batch stopped.
enum Stop {
    Failed(Vec<BatchResult>),
    Storage(ApiError),
}

impl From<crm_persistence::Error> for Stop {
    fn from(error: crm_persistence::Error) -> Self {
        Stop::Storage(error.into())
    }
}

/// The items of a batch body, or the problem of a body that is no batch at all.
async fn read_items(state: &State, payload: web::Payload) -> Result<Vec<Value>, ApiError> {
    let body = read_body(payload, state.max_body_bytes.saturating_mul(BODY_FACTOR)).await?;
    let document: Value = serde_json::from_slice(&body).map_err(|error| {
        let (line, column) = (error.line(), error.column());
        ApiError::BadRequest {
            detail: crm_domain::Text::new(format!("malformed JSON: {error}"), format!("JSON 格式有误（第 {line} 行第 {column} 列）")),
            errors: vec![],
        }
    })?;
    let request: BatchRequest = from_document(document)?;
    if request.items.is_empty() || request.items.len() > MAX_ITEMS {
        return Err(ApiError::validation(
            "items",
            "range",
            text!("a batch has 1 to {MAX_ITEMS} items", "批量操作须有 1 至 {MAX_ITEMS} 项"),
        ));
    }
    Ok(request.items)
}

impl Batch {
    /// Runs the batch: reads the body, then each item through `run` (which dispatches on the
    /// item's `op`), and answers the results. The content type is checked like any JSON body's.
    pub async fn run(self, state: &State, run: impl AsyncFn(BatchItem) -> Result<Written, ApiError>) -> Result<HttpResponse, ApiError> {
        self.run_ahead(state, async |items: &[Value]| Ok(items.iter().map(|_| None).collect()), run).await
    }

    /// [`Batch::run`] with a set-based path: `ahead` writes at once the items it can (returning
    /// what it wrote, by position) and leaves the others (`None`) to `run`, one by one in their
    /// order. It writes only items that share no key with any other item, so the outcome is the
    /// one of writing them all in order. When `ahead` fails (a concurrent writer took a key it
    /// had checked, say), it wrote nothing and every item goes one by one.
    pub async fn run_ahead(
        self,
        state: &State,
        ahead: impl AsyncFn(&[Value]) -> Result<Vec<Option<Written>>, ApiError>,
        run: impl AsyncFn(BatchItem) -> Result<Written, ApiError>,
    ) -> Result<HttpResponse, ApiError> {
        let Batch { req, params, payload } = self;
        let is_json = req.headers().get(actix_web::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            let essence = v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let items = read_items(state, payload).await?;
        let written_ahead = async || match ahead(&items).await {
            Ok(written) if written.len() == items.len() => written,
            Ok(_) => items.iter().map(|_| None).collect(),
            Err(error) => {
                tracing::warn!(%error, "the set-based batch path failed; writing the items one by one");
                items.iter().map(|_| None).collect()
            }
        };
        // Each item's future is boxed: written through the single requests' code, it is large, and
        // a batch future holding it inline would not fit a worker thread's stack in debug builds.
        let attempt = async |index: usize, item: &Value| {
            let outcome: std::pin::Pin<Box<dyn Future<Output = Result<Written, ApiError>> + '_>> =
                Box::pin(async { run(from_document(item.clone())?).await });
            result_of(index, outcome.await)
        };
        let atomic = params.atomic.unwrap_or(false);
        let results = if atomic {
            let outcome = state
                .db
                .all_or_nothing(async || {
                    let mut results = Vec::with_capacity(items.len());
                    for (index, (item, written)) in items.iter().zip(written_ahead().await).enumerate() {
                        results.push(match written {
                            Some(written) => result_of(index, Ok(written)),
                            None => attempt(index, item).await,
                        });
                        if results.last().is_some_and(|r| r.error.is_some()) {
                            return Err(Stop::Failed(results));
                        }
                    }
                    Ok(results)
                })
                .await;
            match outcome {
                Ok(results) => results,
                Err(Stop::Storage(error)) => return Err(error),
                Err(Stop::Failed(mut results)) => {
                    // The failed item keeps its own problem; the others are told why nothing of theirs was kept.
                    for result in results.iter_mut().filter(|r| r.error.is_none()) {
                        *result = rolled_back(result.index);
                    }
                    results.extend((results.len()..items.len()).map(rolled_back));
                    let failed = results.len();
                    return Ok(HttpResponse::Ok().json(BatchResponse { atomic, committed: false, succeeded: 0, failed, results }));
                }
            }
        } else {
            let mut results = Vec::with_capacity(items.len());
            for (index, (item, written)) in items.iter().zip(written_ahead().await).enumerate() {
                results.push(match written {
                    Some(written) => result_of(index, Ok(written)),
                    None => attempt(index, item).await,
                });
            }
            results
        };
        let failed = results.iter().filter(|r| r.error.is_some()).count();
        Ok(HttpResponse::Ok().json(BatchResponse { atomic, committed: true, succeeded: results.len() - failed, failed, results }))
    }
}
