//! Pipelines (`/pipelines`) with their stages and the board of opportunities by stage.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::ids::{PipelineId, StageId};
use crm_domain::sales::{MAX_STAGES, NewStage, PIPELINE_NAME_MAX, STAGE_NAME_MAX, StageKind, StagePatch};
use crm_domain::{Check, FieldError, ValidationErrors, text};
use crm_persistence::sales::pipelines;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, if_match, ok_with_etag};

#[derive(Debug, Serialize, ToSchema)]
pub struct StageDto {
    pub id: Uuid,
    /// Stable identifier within the pipeline (`proposal`).
    pub key: String,
    pub name: String,
    pub position: i32,
    /// Default probability in percent.
    pub probability: i32,
    pub kind: StageKind,
    /// Retired stages take no new opportunities.
    pub retired: bool,
}

impl From<pipelines::StageRecord> for StageDto {
    fn from(s: pipelines::StageRecord) -> Self {
        Self { id: s.id, key: s.key, name: s.name, position: s.position, probability: s.probability, kind: s.kind, retired: s.retired }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineDto {
    pub id: Uuid,
    pub name: String,
    pub is_default: bool,
    pub stages: Vec<StageDto>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<pipelines::PipelineRecord> for PipelineDto {
    fn from(p: pipelines::PipelineRecord) -> Self {
        Self {
            id: p.id,
            name: p.name,
            is_default: p.is_default,
            stages: p.stages.into_iter().map(StageDto::from).collect(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStage {
    /// Lower-case letters, digits and `_`.
    pub key: String,
    pub name: String,
    /// 0–100.
    pub probability: i32,
    #[schema(value_type = StageKind)]
    pub kind: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePipeline {
    pub name: String,
    /// In order; at least one open, one won and one lost stage.
    #[serde(deserialize_with = "crate::http::bounded_list")]
    pub stages: Vec<CreateStage>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePipeline {
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStage {
    pub name: Option<String>,
    pub probability: Option<i32>,
    /// Retire (true) or bring back (false).
    pub retired: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderStages {
    /// Every stage id of the pipeline, in the new order.
    #[serde(deserialize_with = "crate::http::bounded_list")]
    pub stage_ids: Vec<Uuid>,
}

/// A stage as the domain takes it; `field` names where it sits in the body (`stages[2].key`).
fn parse_stage(check: &mut Check, field: impl Fn(&str) -> String, stage: &CreateStage) -> Option<NewStage> {
    let key = check.stage_key(&field("key"), &stage.key);
    let name = check.text(&field("name"), &stage.name, STAGE_NAME_MAX);
    let probability = check.probability(&field("probability"), stage.probability);
    let kind = check.value(&field("kind"), &stage.kind, StageKind::parse);
    Some(NewStage { key: key?, name: name?, probability: probability?, kind: kind? })
}

impl TryFrom<CreateStage> for NewStage {
    type Error = ValidationErrors;

    fn try_from(body: CreateStage) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        // A stage added on its own is named as the first of a list (`stages[0].key`), as it
        // always has been; clients read these field names.
        let stage = parse_stage(&mut check, |name| format!("stages[0].{name}"), &body);
        check.finish_with(stage)
    }
}

/// A new pipeline: its name and its stages in order.
fn parse_pipeline(body: CreatePipeline) -> Result<(String, Vec<NewStage>), ValidationErrors> {
    if body.stages.len() > MAX_STAGES {
        // Refused before any stage is read.
        return Err(ValidationErrors(vec![
            FieldError::new("stages", "too_many", text!("at most {MAX_STAGES} stages", "阶段最多 {MAX_STAGES} 个"))
                .with_param("max", MAX_STAGES),
        ]));
    }
    let mut check = Check::default();
    let name = check.text("name", &body.name, PIPELINE_NAME_MAX);
    let stages: Option<Vec<NewStage>> =
        body.stages.iter().enumerate().map(|(i, s)| parse_stage(&mut check, |name| format!("stages[{i}].{name}"), s)).collect();
    check.finish_with((name, stages))
}

impl TryFrom<UpdateStage> for StagePatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateStage) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let patch = Self {
            name: body.name.as_deref().and_then(|n| check.text("name", n, STAGE_NAME_MAX)),
            probability: body.probability.and_then(|p| check.probability("probability", p)),
            retired: body.retired,
        };
        check.finish()?;
        Ok(patch)
    }
}

/// List pipelines with their stages
#[utoipa::path(tag = "pipelines", params(PageParams), responses((status = 200, description = "Pipelines", body = PageDto<PipelineDto>)), security(("bearer" = [])))]
#[get("/pipelines")]
pub async fn list_pipelines(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = pipelines::list(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, PipelineDto::from)))
}

/// Create a pipeline (administrators)
#[utoipa::path(tag = "pipelines", request_body = CreatePipeline, responses(
    (status = 201, description = "Created", body = PipelineDto, headers(("Location" = String), ("ETag" = String))),
    (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/pipelines")]
pub async fn create_pipeline(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreatePipeline>,
) -> Result<HttpResponse, ApiError> {
    let (name, stages) = parse_pipeline(body.into_inner())?;
    let record = pipelines::create(&state.db, &principal, name, stages).await?;
    Ok(created(&PipelineDto::from(record.clone()), format!("/api/v1/pipelines/{}", record.id), record.version))
}

/// Get a pipeline with its stages
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The pipeline", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/pipelines/{id}")]
pub async fn get_pipeline(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = pipelines::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}

/// Rename a pipeline (administrators)
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdatePipeline, responses(
    (status = 200, description = "Renamed", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/pipelines/{id}")]
pub async fn update_pipeline(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdatePipeline>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let name = check.text("name", &body.name, PIPELINE_NAME_MAX);
    let name = check.finish_with(name)?;
    let record = pipelines::rename(&state.db, &principal, id.into_inner(), if_match(&req)?, name).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}

/// Add a stage at the end of a pipeline (administrators)
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path)), request_body = CreateStage, responses(
    (status = 201, description = "The pipeline with its new stage", body = PipelineDto, headers(("Location" = String), ("ETag" = String))),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Key taken", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/pipelines/{id}/stages")]
pub async fn add_stage(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<CreateStage>,
) -> Result<HttpResponse, ApiError> {
    let stage = NewStage::try_from(body.into_inner())?;
    let id = id.into_inner();
    let record = pipelines::add_stage(&state.db, &principal, id, stage).await?;
    Ok(created(&PipelineDto::from(record.clone()), format!("/api/v1/pipelines/{id}"), record.version))
}

/// Rename, re-weight, retire or restore a stage (administrators)
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path), ("stage_id" = Uuid, Path)), request_body = UpdateStage, responses(
    (status = 200, description = "The pipeline", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline or stage", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/pipelines/{id}/stages/{stage_id}")]
pub async fn update_stage(
    state: State,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::http::Json<UpdateStage>,
) -> Result<HttpResponse, ApiError> {
    let (id, stage_id) = path.into_inner();
    let patch = StagePatch::try_from(body.into_inner())?;
    let record = pipelines::update_stage(&state.db, &principal, PipelineId(id), StageId(stage_id), patch).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}

/// Delete an unused stage (administrators); a stage in use answers 409 — retire it instead
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path), ("stage_id" = Uuid, Path)), responses(
    (status = 200, description = "The pipeline without the stage", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline or stage", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "In use (with the count), or the last stage of its kind", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/pipelines/{id}/stages/{stage_id}")]
pub async fn delete_stage(state: State, principal: Principal, path: web::Path<(Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (id, stage_id) = path.into_inner();
    let record = pipelines::delete_stage(&state.db, &principal, PipelineId(id), StageId(stage_id)).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}

/// Reorder a pipeline's stages (administrators)
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = ReorderStages, responses(
    (status = 200, description = "The pipeline in its new order", body = PipelineDto, headers(("ETag" = String))),
    (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/pipelines/{id}/stages/reorder")]
pub async fn reorder_stages(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<ReorderStages>,
) -> Result<HttpResponse, ApiError> {
    let record = pipelines::reorder(&state.db, &principal, id.into_inner(), if_match(&req)?, body.into_inner().stage_ids).await?;
    Ok(ok_with_etag(&PipelineDto::from(record.clone()), record.version))
}
