//! Follow-up rules (`/follow-up-rules`): a task for the owner of a customer silent too long.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::activities::{DEFAULT_PRIORITY, RuleFields, RulePatch, TaskPriority};
use crm_domain::customers::LifecycleStage;
use crm_domain::{Check, ValidationErrors};
use crm_persistence::activities::rules;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, if_match, ok_with_etag};

/// "No interaction for `silent_days` in this stage → a task for the owner, due in `due_in_days`."
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpRuleDto {
    pub id: Uuid,
    pub lifecycle_stage: LifecycleStage,
    pub silent_days: i32,
    pub due_in_days: i32,
    pub priority: TaskPriority,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<rules::RuleRecord> for FollowUpRuleDto {
    fn from(r: rules::RuleRecord) -> Self {
        Self {
            id: r.id,
            lifecycle_stage: r.fields.lifecycle_stage,
            silent_days: r.fields.silent_days,
            due_in_days: r.fields.due_in_days,
            priority: r.fields.priority,
            active: r.fields.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFollowUpRule {
    #[schema(value_type = LifecycleStage)]
    pub lifecycle_stage: String,
    /// 1–3650.
    pub silent_days: i32,
    /// 0–365.
    pub due_in_days: i32,
    #[schema(value_type = Option<TaskPriority>)]
    pub priority: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFollowUpRule {
    #[schema(value_type = Option<LifecycleStage>)]
    pub lifecycle_stage: Option<String>,
    pub silent_days: Option<i32>,
    pub due_in_days: Option<i32>,
    #[schema(value_type = Option<TaskPriority>)]
    pub priority: Option<String>,
    pub active: Option<bool>,
}

impl TryFrom<CreateFollowUpRule> for RuleFields {
    type Error = ValidationErrors;

    fn try_from(body: CreateFollowUpRule) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let stage = check.value("lifecycle_stage", &body.lifecycle_stage, LifecycleStage::parse);
        let silent_days = check.silent_days(body.silent_days);
        let due_in_days = check.due_in_days(body.due_in_days);
        let priority = match body.priority.as_deref() {
            Some(p) => check.value("priority", p, TaskPriority::parse),
            None => Some(DEFAULT_PRIORITY),
        };
        let (lifecycle_stage, silent_days, due_in_days, priority) = check.finish_with((stage, silent_days, due_in_days, priority))?;
        // A rule acts as soon as it is made unless the body says otherwise.
        Ok(Self { lifecycle_stage, silent_days, due_in_days, priority, active: body.active.unwrap_or(true) })
    }
}

impl TryFrom<UpdateFollowUpRule> for RulePatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateFollowUpRule) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let patch = Self {
            lifecycle_stage: body.lifecycle_stage.as_deref().and_then(|s| check.value("lifecycle_stage", s, LifecycleStage::parse)),
            silent_days: body.silent_days.and_then(|d| check.silent_days(d)),
            due_in_days: body.due_in_days.and_then(|d| check.due_in_days(d)),
            priority: body.priority.as_deref().and_then(|p| check.value("priority", p, TaskPriority::parse)),
            active: body.active,
        };
        check.finish()?;
        Ok(patch)
    }
}

/// List follow-up rules
#[utoipa::path(tag = "follow-up-rules", params(PageParams), responses((status = 200, description = "Rules", body = PageDto<FollowUpRuleDto>)), security(("bearer" = [])))]
#[get("/follow-up-rules")]
pub async fn list_rules(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = rules::list(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, FollowUpRuleDto::from)))
}

/// Create a follow-up rule (administrators)
#[utoipa::path(tag = "follow-up-rules", request_body = CreateFollowUpRule, responses(
    (status = 201, description = "Created", body = FollowUpRuleDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/follow-up-rules")]
pub async fn create_rule(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateFollowUpRule>,
) -> Result<HttpResponse, ApiError> {
    let fields = RuleFields::try_from(body.into_inner())?;
    let record = rules::create(&state.db, &principal, fields).await?;
    Ok(created(&FollowUpRuleDto::from(record.clone()), format!("/api/v1/follow-up-rules/{}", record.id), record.version))
}

/// Get a follow-up rule
#[utoipa::path(tag = "follow-up-rules", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The rule", body = FollowUpRuleDto, headers(("ETag" = String))),
    (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/follow-up-rules/{id}")]
pub async fn get_rule(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = rules::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&FollowUpRuleDto::from(record.clone()), record.version))
}

/// Change a follow-up rule (administrators)
#[utoipa::path(tag = "follow-up-rules", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateFollowUpRule, responses(
    (status = 200, description = "Changed", body = FollowUpRuleDto, headers(("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/follow-up-rules/{id}")]
pub async fn update_rule(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateFollowUpRule>,
) -> Result<HttpResponse, ApiError> {
    let patch = RulePatch::try_from(body.into_inner())?;
    let record = rules::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&FollowUpRuleDto::from(record.clone()), record.version))
}

/// Delete a follow-up rule (administrators)
#[utoipa::path(tag = "follow-up-rules", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted; its tasks stay"),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/follow-up-rules/{id}")]
pub async fn delete_rule(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    rules::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
