//! Saved views (`/saved-views`): a user's named list states — filters, columns, sort — private or
//! shared with one of their teams.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::text;
use crm_persistence::platform::saved_views::{self as store, NewSavedView, SavedViewPatch, SavedViewRecord};

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, if_match, ok_with_etag};

/// The lists a view can be of.
const LISTS: &[&str] =
    &["customers", "contacts", "opportunities", "orders", "products", "tickets", "tasks", "interactions", "requirements"];
const NAME_MAX: usize = 100;
/// The largest state kept, in bytes of JSON.
const STATE_MAX: usize = 16 * 1024;

/// A saved view of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedViewDto {
    pub id: Uuid,
    /// The list it is a view of (`customers`).
    pub list: String,
    pub name: String,
    /// The list's state as the client keeps it: filters, columns, sort.
    #[schema(value_type = Object)]
    pub state: Value,
    pub owner_id: Uuid,
    /// The team it is shared with; `null`: the owner's alone.
    pub team_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<SavedViewRecord> for SavedViewDto {
    fn from(r: SavedViewRecord) -> Self {
        Self {
            id: r.id,
            list: r.list,
            name: r.name,
            state: r.state,
            owner_id: r.owner_id,
            team_id: r.team_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSavedView {
    #[schema(pattern = "^(customers|contacts|opportunities|orders|products|tickets|tasks|interactions|requirements)$")]
    pub list: String,
    pub name: String,
    /// An object of at most 16 KB.
    #[schema(value_type = Object)]
    pub state: Value,
    /// Share with one of your teams.
    pub team_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSavedView {
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub state: Option<Value>,
    /// `null` stops sharing.
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub team_id: Option<Option<Uuid>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SavedViewParams {
    /// The list (`customers`).
    pub list: String,
}

fn check_list(check: &mut crm_domain::Check, list: &str) -> Option<String> {
    let list = list.trim();
    if LISTS.contains(&list) {
        return Some(list.to_owned());
    }
    let choices = LISTS.join(", ");
    check.0.push(crm_domain::FieldError::new("list", "choice", text!("must be one of {choices}", "须为以下之一：{choices}")));
    None
}

fn check_state(check: &mut crm_domain::Check, state: &Value) -> Option<Value> {
    if !state.is_object() {
        check.0.push(crm_domain::FieldError::new("state", "type", text!("must be an object", "须为对象")));
        return None;
    }
    if state.to_string().len() > STATE_MAX {
        check.0.push(crm_domain::FieldError::new(
            "state",
            "too_long",
            text!("must be at most {STATE_MAX} bytes", "不能超过 {STATE_MAX} 字节"),
        ));
        return None;
    }
    Some(state.clone())
}

/// List saved views of a list
///
/// Yours and those shared with your teams, by name.
#[utoipa::path(tag = "saved-views", params(SavedViewParams, PageParams), responses(
    (status = 200, description = "A page of views", body = PageDto<SavedViewDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/saved-views")]
pub async fn list_saved_views(
    state: State,
    principal: Principal,
    params: web::Query<SavedViewParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let mut check = crm_domain::Check::default();
    let list = check_list(&mut check, &params.list);
    let Some(list) = list else { return Err(ApiError::bad_parameter("list", text!("unknown list", "未知的列表"))) };
    let page = store::list(&state.db, &principal, &list, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, SavedViewDto::from)))
}

/// Save a view
#[utoipa::path(tag = "saved-views", request_body = CreateSavedView, responses(
    (status = 201, description = "Saved", body = SavedViewDto, headers(("Location" = String), ("ETag" = String))),
    (status = 422, description = "Invalid fields (`team_id`: not one of your teams)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/saved-views")]
pub async fn create_saved_view(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateSavedView>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = crm_domain::Check::default();
    let list = check_list(&mut check, &body.list);
    let name = check.text("name", &body.name, NAME_MAX);
    let view_state = check_state(&mut check, &body.state);
    let (list, name, view_state) = check.finish_with((list, name, view_state))?;
    let record = store::create(&state.db, &principal, NewSavedView { list, name, state: view_state, team_id: body.team_id }).await?;
    Ok(created(&SavedViewDto::from(record.clone()), format!("/api/v1/saved-views/{}", record.id), record.version))
}

/// Change a saved view (its owner)
#[utoipa::path(tag = "saved-views", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateSavedView, responses(
    (status = 200, description = "Changed", body = SavedViewDto, headers(("ETag" = String))),
    (status = 403, description = "Shared with you, but not yours", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such view, or not shown to you", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/saved-views/{id}")]
pub async fn update_saved_view(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateSavedView>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = crm_domain::Check::default();
    let patch = SavedViewPatch {
        name: body.name.as_deref().and_then(|name| check.text("name", name, NAME_MAX)),
        state: body.state.as_ref().and_then(|s| check_state(&mut check, s)),
        team_id: body.team_id,
    };
    check.finish()?;
    let record = store::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&SavedViewDto::from(record.clone()), record.version))
}

/// Delete a saved view (its owner)
#[utoipa::path(tag = "saved-views", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Shared with you, but not yours", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such view, or not shown to you", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/saved-views/{id}")]
pub async fn delete_saved_view(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    store::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(list_saved_views).service(create_saved_view).service(update_saved_view).service(delete_saved_view);
}
