//! API keys (`/api-keys`): standing credentials for ERP and finance jobs, sent as
//! `Authorization: Bearer crm_…`. Administrators make, rotate and revoke them; a key is shown
//! once, when it is made or rotated.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::Check;
use crm_domain::identity::api_keys::{self as rules, AllowedAddresses, ApiKeyPatch, ApiKeySettings, KeyStatus};
use crm_persistence::identity::api_keys;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams, created, double_option, if_match, ok_with_etag};

/// An API key as administrators see it; the key itself is shown only when made or rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyDto {
    pub id: Uuid,
    /// What the key is for; records it owns show this name as their owner.
    #[schema(example = "金蝶 ERP 同步")]
    pub name: String,
    /// The key's first characters, to tell keys apart (`crm_Ab3dE9xY`).
    pub prefix: String,
    /// The user the key acts as (owner of what it creates, actor in the audit log); keys made by
    /// rotating one share it.
    pub user_id: Uuid,
    /// The role whose rights the key has.
    pub role_id: Uuid,
    pub role_key: String,
    pub status: KeyStatus,
    /// When it stops working; null for a key that works until revoked.
    pub expires_at: Option<DateTime<Utc>>,
    /// Addresses and CIDR networks the key may be used from; empty for anywhere.
    pub allowed_addresses: Vec<String>,
    /// When it was last used, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// The client address it was last used from.
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key a rotation replaced this one with.
    pub replaced_by_id: Option<Uuid>,
    /// The administrator who made it.
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<api_keys::ApiKeyRecord> for ApiKeyDto {
    fn from(k: api_keys::ApiKeyRecord) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            user_id: k.user_id,
            role_id: k.role_id,
            role_key: k.role_key,
            status: k.status,
            expires_at: k.expires_at,
            allowed_addresses: k.allowed_addresses,
            last_used_at: k.last_used_at,
            last_used_ip: k.last_used_ip,
            revoked_at: k.revoked_at,
            replaced_by_id: k.replaced_by_id,
            created_by: k.created_by,
            created_at: k.created_at,
            updated_at: k.updated_at,
            version: k.version,
        }
    }
}

/// A key just made: the only time `api_key` is shown. Store it where the job reads its secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedApiKeyDto {
    /// The key to send as `Authorization: Bearer <api_key>`.
    #[schema(example = "crm_Ab3dE9xYq0W1e2R3t4Y5u6I7o8P9a0S1d2F3g4H5j6K")]
    pub api_key: String,
    pub key: ApiKeyDto,
}

impl From<api_keys::IssuedApiKey> for IssuedApiKeyDto {
    fn from(issued: api_keys::IssuedApiKey) -> Self {
        Self { api_key: issued.key, key: ApiKeyDto::from(issued.record) }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    #[schema(example = "金蝶 ERP 同步")]
    pub name: String,
    /// The role whose rights the key has (the built-in `integration` role suits most jobs).
    pub role_id: Uuid,
    /// When it stops working; omit for a key that works until revoked.
    pub expires_at: Option<DateTime<Utc>>,
    /// Addresses or CIDR networks it may be used from (at most 50); omit or leave empty for
    /// anywhere.
    #[serde(default, deserialize_with = "crate::http::bounded_list")]
    #[schema(example = json!(["203.0.113.7", "10.20.0.0/16"]))]
    pub allowed_addresses: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateApiKey {
    pub name: Option<String>,
    pub role_id: Option<Uuid>,
    /// `null` makes the key work until revoked.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>, nullable)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// Replaces the list; empty for anywhere.
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub allowed_addresses: Option<Vec<String>>,
}

/// Required, so that a mistyped field is refused rather than rotating with the default overlap.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateApiKey {
    /// How long the old key keeps working, in minutes (0 to 10080; default 1440, one day).
    #[schema(example = 60)]
    pub overlap_minutes: Option<i64>,
    /// The new key's expiry; omit to keep the old key's, `null` for a key that works until
    /// revoked. The old key still ends with the overlap (or its own expiry, if sooner).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>, nullable)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

fn parse_new_key(body: CreateApiKey) -> Result<ApiKeySettings, ApiError> {
    let mut check = Check::default();
    let name = rules::check_name(&mut check, "name", &body.name);
    let expires_at = rules::check_expiry(&mut check, "expires_at", body.expires_at, Utc::now());
    let allowed_addresses = AllowedAddresses::parse("allowed_addresses", &body.allowed_addresses, &mut check);
    let (name, expires_at, allowed_addresses) = check.finish_with((name, expires_at, allowed_addresses))?;
    Ok(ApiKeySettings { name, role_id: body.role_id, expires_at, allowed_addresses })
}

fn parse_key_patch(body: UpdateApiKey) -> Result<ApiKeyPatch, ApiError> {
    let mut check = Check::default();
    let name = body.name.as_deref().map(|name| rules::check_name(&mut check, "name", name));
    let expires_at = body.expires_at.map(|at| rules::check_expiry(&mut check, "expires_at", at, Utc::now()));
    let allowed_addresses = body.allowed_addresses.as_deref().map(|items| AllowedAddresses::parse("allowed_addresses", items, &mut check));
    check.finish()?;
    Ok(ApiKeyPatch {
        name: name.flatten(),
        role_id: body.role_id,
        expires_at: expires_at.flatten(),
        allowed_addresses: allowed_addresses.flatten(),
    })
}

fn location(id: Uuid) -> String {
    format!("/api/v1/api-keys/{id}")
}

/// Make an API key
///
/// Administrators only, signed in as themselves (a key never manages keys). The answer is the one time the key is shown: store it with the job
/// that uses it. The key acts as a user of its own, named like the key, under the role given.
#[utoipa::path(tag = "api-keys", request_body = CreateApiKey, params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe; an answer carrying a key is never replayed")), responses(
    (status = 201, description = "Made; `api_key` is shown only now", body = IssuedApiKeyDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields: a bad address (`ip_address`), an expiry in the past (`in_past`), no such role (`not_found`)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/api-keys")]
pub async fn create_api_key(state: State, principal: Principal, body: crate::http::Json<CreateApiKey>) -> Result<HttpResponse, ApiError> {
    let settings = parse_new_key(body.into_inner())?;
    let issued = api_keys::create(&state.db, &principal, settings).await?;
    let (id, version) = (issued.record.id, issued.record.version);
    Ok(created(&IssuedApiKeyDto::from(issued), location(id), version))
}

/// List API keys
///
/// Newest first, with when and from where each was last used.
#[utoipa::path(tag = "api-keys", params(PageParams), responses(
    (status = 200, description = "A page of keys", body = PageDto<ApiKeyDto>),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/api-keys")]
pub async fn list_api_keys(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = api_keys::list(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, ApiKeyDto::from)))
}

/// Get an API key
#[utoipa::path(tag = "api-keys", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The key (never the secret)", body = ApiKeyDto, headers(("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such key", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/api-keys/{id}")]
pub async fn get_api_key(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let key = api_keys::get(&state.db, &principal, id.into_inner()).await?;
    let version = key.version;
    Ok(ok_with_etag(&ApiKeyDto::from(key), version))
}

/// Change an API key
///
/// The name and the role belong to the user the key acts as, so they change for the keys
/// rotated from it too; expiry and addresses are this key's.
#[utoipa::path(tag = "api-keys", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateApiKey, responses(
    (status = 200, description = "Changed", body = ApiKeyDto, headers(("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such key", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The expiry of a rotated or revoked key cannot change (`api_key.expiry_fixed`)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/api-keys/{id}")]
pub async fn update_api_key(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateApiKey>,
) -> Result<HttpResponse, ApiError> {
    let patch = parse_key_patch(body.into_inner())?;
    let key = api_keys::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    let version = key.version;
    Ok(ok_with_etag(&ApiKeyDto::from(key), version))
}

/// Rotate an API key
///
/// Makes a new key with the same user, role and addresses, shown once, ending at `expires_at` if
/// given and at the old key's expiry if not; the old key keeps working for `overlap_minutes` so
/// the job can switch without a gap.
#[utoipa::path(tag = "api-keys", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe; an answer carrying a key is never replayed")), request_body(content = RotateApiKey, description = "`{}` for the default overlap"), responses(
    (status = 201, description = "The new key; `api_key` is shown only now", body = IssuedApiKeyDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such key", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The key is revoked, expired or already rotated (`api_key.not_rotatable`)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`overlap_minutes` out of range, or `expires_at` in the past", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/api-keys/{id}/rotate")]
pub async fn rotate_api_key(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<RotateApiKey>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let rotation = rules::Rotation::parse(body.overlap_minutes, body.expires_at, Utc::now())?;
    let issued = api_keys::rotate(&state.db, &principal, id.into_inner(), if_match(&req)?, rotation).await?;
    let (id, version) = (issued.record.id, issued.record.version);
    Ok(created(&IssuedApiKeyDto::from(issued), location(id), version))
}

/// Revoke an API key
///
/// The key stops working at once, on every server. The record stays, for the audit trail.
#[utoipa::path(tag = "api-keys", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Revoked (or already was)"),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such key", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/api-keys/{id}")]
pub async fn revoke_api_key(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    api_keys::revoke(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
