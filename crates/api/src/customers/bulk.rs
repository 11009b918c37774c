//! Bulk actions on selected customers (`POST /customers/bulk`): assign an owner or team, add or
//! remove tags, change the stage, delete — each record through the single request's own write
//! (its scope checks, audit entry and event), with one result per record, as a batch answers.

use actix_web::{HttpResponse, post};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::customers::{CustomerPatch, LifecycleStage, parse_tags};
use crm_domain::external::ExternalIdsPatch;
use crm_domain::text;
use crm_persistence::customers::{self as store, Ownership};

use crate::auth::{Principal, State};
use crate::batch::{BatchResponse, Written, result_of};
use crate::error::ApiError;

/// The most records one bulk action takes.
pub const MAX_IDS: usize = 1000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkCustomerAction {
    /// The selected customers (1–1,000), each written in its turn.
    pub ids: Vec<Uuid>,
    /// `assign` (`owner_id`, optionally `team_id`), `add_tags` / `remove_tags` (`tags`),
    /// `set_stage` (`lifecycle_stage`) or `delete`.
    #[schema(pattern = "^(assign|add_tags|remove_tags|set_stage|delete)$")]
    pub action: String,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub lifecycle_stage: Option<String>,
}

/// What each record is to get.
enum Action {
    Assign(Ownership),
    AddTags(Vec<String>),
    RemoveTags(Vec<String>),
    SetStage(LifecycleStage),
    Delete,
}

fn parse(body: &BulkCustomerAction) -> Result<Action, ApiError> {
    if body.ids.is_empty() || body.ids.len() > MAX_IDS {
        return Err(ApiError::validation("ids", "range", text!("select 1 to {MAX_IDS} customers", "请选择 1 至 {MAX_IDS} 个客户")));
    }
    let needs = |field: &str| ApiError::validation(field, "required", text!("this action needs {field}", "此操作需要填写 {field}"));
    match body.action.trim() {
        "assign" => {
            let owner_id = body.owner_id.ok_or_else(|| needs("owner_id"))?;
            Ok(Action::Assign(Ownership { owner_id: Some(owner_id), team_id: body.team_id.map(Some) }))
        }
        "add_tags" | "remove_tags" => {
            if body.tags.is_empty() {
                return Err(needs("tags"));
            }
            let tags = parse_tags(&body.tags).map_err(ApiError::Validation)?;
            Ok(if body.action.trim() == "add_tags" { Action::AddTags(tags) } else { Action::RemoveTags(tags) })
        }
        "set_stage" => {
            let stage = body.lifecycle_stage.as_deref().ok_or_else(|| needs("lifecycle_stage"))?;
            let stage = LifecycleStage::parse(stage)
                .map_err(|e| ApiError::validation("lifecycle_stage", "choice", crm_domain::error::HasCode::text(&e)))?;
            Ok(Action::SetStage(stage))
        }
        "delete" => Ok(Action::Delete),
        _ => Err(ApiError::validation(
            "action",
            "choice",
            text!(
                "must be one of assign, add_tags, remove_tags, set_stage, delete",
                "须为 assign、add_tags、remove_tags、set_stage、delete 之一"
            ),
        )),
    }
}

async fn apply(state: &State, principal: &Principal, id: Uuid, action: &Action) -> Result<Written, ApiError> {
    let db = &state.db;
    let none = &ExternalIdsPatch::default();
    let patched = |patch: CustomerPatch, ownership: Ownership| async move {
        let record = store::update(db, principal, id, None, patch, ownership, none).await?;
        Ok::<_, ApiError>(Written::new(false, id, record.version))
    };
    match action {
        Action::Assign(ownership) => patched(CustomerPatch::default(), ownership.clone()).await,
        Action::AddTags(tags) | Action::RemoveTags(tags) => {
            let current = store::get(db, principal, id).await?;
            let mut next: Vec<String> = current.fields.tags.clone();
            if matches!(action, Action::AddTags(_)) {
                next.extend(tags.iter().filter(|tag| !current.fields.tags.contains(tag)).cloned());
            } else {
                next.retain(|tag| !tags.contains(tag));
            }
            let tags = parse_tags(&next).map_err(ApiError::Validation)?;
            // At the version read: a tag edited in between answers 412 rather than being lost.
            let record = store::update(
                db,
                principal,
                id,
                Some(current.version),
                CustomerPatch { tags: Some(tags), ..Default::default() },
                Ownership::default(),
                none,
            )
            .await?;
            Ok(Written::new(false, id, record.version))
        }
        Action::SetStage(stage) => {
            patched(CustomerPatch { lifecycle_stage: Some(*stage), ..Default::default() }, Ownership::default()).await
        }
        Action::Delete => {
            store::delete(db, principal, id, None).await?;
            Ok(Written::new(false, id, 0))
        }
    }
}

/// Act on selected customers
///
/// One request for a list's selection: each customer is written as a single `PATCH` or `DELETE`
/// would write it (scope, audit entry, event), in the order given; the answer has one result per
/// id (`index` is its position in `ids`), with the problem a single request would have answered
/// for those that fail. A deleted customer's result has `version` 0.
#[utoipa::path(tag = "customers", request_body = BulkCustomerAction, responses(
    (status = 200, description = "One result per customer", body = BatchResponse),
    (status = 422, description = "No ids or more than 1,000, an unknown action, or a missing value for it", body = crate::error::Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/customers/bulk")]
pub async fn bulk_customers(
    state: State,
    principal: Principal,
    body: crate::http::Json<BulkCustomerAction>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let action = parse(&body)?;
    let mut results = Vec::with_capacity(body.ids.len());
    for (index, id) in body.ids.iter().enumerate() {
        results.push(result_of(index, apply(&state, &principal, *id, &action).await));
    }
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    Ok(HttpResponse::Ok().json(BatchResponse { atomic: false, committed: true, succeeded: results.len() - failed, failed, results }))
}
