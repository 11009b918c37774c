//! The customer portal (客户门户). Staff manage accounts at `/portal-accounts`; customers use
//! `/portal/...` with a portal token, which no other route accepts (and no staff token works here).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crm_domain::ValidationErrors;
use crm_domain::customers::NOTES_MAX;
use crm_domain::ids::{ArticleId, PortalAccountId, SessionId};
use crm_domain::service::{AccountPatch, NewAccount, TicketKind, TicketPriority, TicketStatus};
use crm_domain::text;
use crm_persistence::identity::auth as staff_auth;
use crm_persistence::platform::settings::{self, SERVICE, ServiceSettings};
use crm_persistence::service::{knowledge as kb, portal, tickets};

use crate::auth::{AppState, PortalPrincipal, Principal, State, client_ip, decoy_hash, hash_password, verify_password};
use crate::error::{ApiError, Problem};
use crate::http::{Check, PageDto, PageParams, created, if_match, ok_with_etag, parse_list, parse_uuid};
use crate::service::knowledge::{ArticleListParams, ArticleSummaryDto, ArticleVote, CategoryDto, CategoryList};

// ---------------------------------------------------------------- staff: accounts

/// A contact's portal account.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalAccountDto {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub contact_name: Option<String>,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    /// The sign-in email.
    pub email: String,
    /// Sees every ticket of the company, not only the contact's own.
    pub sees_company_tickets: bool,
    pub active: bool,
    /// The contact accepted an invitation and set a password.
    pub activated: bool,
    /// When the pending invitation stops working.
    pub invitation_expires_at: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// `["email"]` when the email is shown masked because the caller's `pii` scope does not
    /// reach the customer.
    pub masked: Vec<String>,
}

/// The kind of record, as the audit log, the feed and personal-data masking name it.
const ACCOUNTS: &str = "portal_account";

impl From<portal::AccountRecord> for PortalAccountDto {
    fn from(a: portal::AccountRecord) -> Self {
        Self {
            id: a.id,
            contact_id: a.contact_id,
            contact_name: a.contact_name,
            customer_id: a.customer_id,
            customer_name: a.customer_name,
            email: a.email,
            sees_company_tickets: a.sees_company_tickets,
            active: a.active,
            activated: a.activated,
            invitation_expires_at: a.invitation_expires_at,
            last_login_at: a.last_login_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
            masked: Vec::new(),
        }
    }
}

/// An account with a fresh invitation. The token is shown only here: send the link to the contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalInvitationDto {
    pub account: PortalAccountDto,
    pub invitation_token: String,
    /// The portal page that accepts the invitation (relative to the CRM's address).
    pub invitation_path: String,
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<portal::Invited> for PortalInvitationDto {
    fn from(i: portal::Invited) -> Self {
        Self {
            invitation_path: format!("/portal/accept?token={}", i.invitation_token),
            expires_at: i.account.invitation_expires_at,
            invitation_token: i.invitation_token,
            account: i.account.into(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePortalAccount {
    pub contact_id: Uuid,
    /// The sign-in email; the contact's email when absent.
    pub email: Option<String>,
    #[serde(default)]
    pub sees_company_tickets: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePortalAccount {
    pub sees_company_tickets: Option<bool>,
    /// `false` ends the account's sessions and voids its invitation.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortalAccountListParams {
    pub customer_id: Option<String>,
    /// Part of the email.
    pub q: Option<String>,
}

/// Portal accounts of the customers the caller serves
#[utoipa::path(tag = "portal-accounts", params(PortalAccountListParams, PageParams), responses(
    (status = 200, description = "Accounts, newest first", body = PageDto<PortalAccountDto>),
), security(("bearer" = [])))]
#[get("/portal-accounts")]
pub async fn list_accounts(
    state: State,
    principal: Principal,
    params: web::Query<PortalAccountListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = portal::AccountFilter {
        customer_id: parse_uuid("customer_id", params.customer_id.as_deref())?,
        q: crate::http::search_query(&params.q)?,
    };
    let page = portal::list_accounts(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(crate::personal_data::page(&state.db, &principal, ACCOUNTS, page, PortalAccountDto::from).await?))
}

impl TryFrom<CreatePortalAccount> for NewAccount {
    type Error = ValidationErrors;

    fn try_from(body: CreatePortalAccount) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let email =
            body.email.as_deref().and_then(|e| check.value("email", e, |v| crm_domain::values::Email::parse(v).map(|e| e.to_string())));
        check.finish()?;
        Ok(Self { contact_id: body.contact_id, email, sees_company_tickets: body.sees_company_tickets })
    }
}

impl From<UpdatePortalAccount> for AccountPatch {
    fn from(body: UpdatePortalAccount) -> Self {
        Self { sees_company_tickets: body.sees_company_tickets, active: body.active }
    }
}

/// Give a contact a portal account and an invitation to set their password
#[utoipa::path(tag = "portal-accounts", request_body = CreatePortalAccount, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created, with the invitation", body = PortalInvitationDto, headers(("Location" = String), ("ETag" = String))),
    (status = 409, description = "`portal_account.contact_taken`: the contact already has an account (`existing_id`)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/portal-accounts")]
pub async fn create_account(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreatePortalAccount>,
) -> Result<HttpResponse, ApiError> {
    let new = NewAccount::try_from(body.into_inner())?;
    let invited = portal::create_account(&state.db, &principal, new).await?;
    let (id, version) = (invited.account.id, invited.account.version);
    Ok(created(&shown_invitation(&state, &principal, invited).await?, format!("/api/v1/portal-accounts/{id}"), version))
}

/// An invitation as the caller may see it: the account's email masked outside their `pii` scope.
async fn shown_invitation(state: &State, principal: &Principal, invited: portal::Invited) -> Result<PortalInvitationDto, ApiError> {
    let mut invitation = PortalInvitationDto::from(invited);
    let account = crate::personal_data::shown_one(&state.db, principal, ACCOUNTS, &invitation.account).await?;
    invitation.account.masked = serde_json::from_value(account["masked"].clone()).unwrap_or_default();
    if let Some(email) = account["email"].as_str() {
        invitation.account.email = email.to_owned();
    }
    Ok(invitation)
}

/// Get a portal account
#[utoipa::path(tag = "portal-accounts", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The account", body = PortalAccountDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/portal-accounts/{id}")]
pub async fn get_account(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = portal::get_account(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(
        &crate::personal_data::shown_one(&state.db, &principal, ACCOUNTS, PortalAccountDto::from(record.clone())).await?,
        record.version,
    ))
}

/// Change what a portal account sees, or deactivate it
#[utoipa::path(tag = "portal-accounts", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdatePortalAccount, responses(
    (status = 200, description = "Changed", body = PortalAccountDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/portal-accounts/{id}")]
pub async fn update_account(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdatePortalAccount>,
) -> Result<HttpResponse, ApiError> {
    let patch = AccountPatch::from(body.into_inner());
    let record = portal::update_account(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(
        &crate::personal_data::shown_one(&state.db, &principal, ACCOUNTS, PortalAccountDto::from(record.clone())).await?,
        record.version,
    ))
}

/// Issue a new invitation (also how a customer who forgot the password gets a new one)
#[utoipa::path(tag = "portal-accounts", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The new invitation; the previous one stops working", body = PortalInvitationDto),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`portal_account.inactive`: the account is deactivated", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/portal-accounts/{id}/invitation")]
pub async fn reinvite(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let invited = portal::reinvite(&state.db, &principal, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(shown_invitation(&state, &principal, invited).await?))
}

// ---------------------------------------------------------------- staff: service settings

/// Customer-service settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceSettingsDto {
    /// Tickets opened without a team or assignee (all portal tickets) go round-robin to this
    /// team's support agents; without one they wait in the unassigned queue.
    pub default_team_id: Option<Uuid>,
}

/// Customer-service settings
#[utoipa::path(tag = "settings", responses((status = 200, description = "The settings; the ETag is their version", body = ServiceSettingsDto, headers(("ETag" = String)))), security(("bearer" = [])))]
#[get("/settings/service")]
pub async fn get_service_settings(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    principal.require(crm_domain::identity::Resource::Service, crm_domain::identity::Action::Read)?;
    let stored = settings::get::<ServiceSettings>(&state.db, SERVICE).await?;
    Ok(ok_with_etag(&ServiceSettingsDto { default_team_id: stored.value.default_team_id }, stored.version))
}

/// Change the customer-service settings (administrators)
#[utoipa::path(tag = "settings", params(("If-Match" = Option<String>, Header)), request_body = ServiceSettingsDto, responses(
    (status = 200, description = "Saved", body = ServiceSettingsDto, headers(("ETag" = String))),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/settings/service")]
pub async fn put_service_settings(
    state: State,
    principal: Principal,
    req: HttpRequest,
    body: crate::http::Json<ServiceSettingsDto>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    if let Some(team) = body.default_team_id
        && crm_persistence::identity::teams::get(&state.db, &principal, team).await.is_err()
    {
        return Err(ApiError::validation("default_team_id", "not_found", text!("no team with this id", "没有此 id 的团队")));
    }
    let value = ServiceSettings { default_team_id: body.default_team_id };
    let stored = settings::save(&state.db, &principal, SERVICE, if_match(&req)?, &value).await?;
    Ok(ok_with_etag(&ServiceSettingsDto { default_team_id: stored.value.default_team_id }, stored.version))
}

// ---------------------------------------------------------------- the portal: signing in

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalLogin {
    #[validate(length(min = 3, max = 320))]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The token from the invitation link.
    #[validate(length(min = 1, max = 200))]
    pub token: String,
    #[validate(length(min = 10, max = 1024, message = "must be 10 to 1024 characters"))]
    pub password: String,
}

/// The customer signed in to the portal.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalMeDto {
    pub account_id: Uuid,
    pub contact_id: Uuid,
    pub name: String,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub email: String,
    pub sees_company_tickets: bool,
}

impl From<&portal::PortalCustomer> for PortalMeDto {
    fn from(c: &portal::PortalCustomer) -> Self {
        Self {
            account_id: c.account_id,
            contact_id: c.contact_id,
            name: c.contact_name.clone(),
            customer_id: c.customer_id,
            customer_name: c.customer_name.clone(),
            email: c.email.clone(),
            sees_company_tickets: c.sees_company_tickets,
        }
    }
}

/// A portal sign-in: a bearer token for `/portal/...` only.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalSessionDto {
    pub access_token: String,
    pub token_type: String,
    pub expires_at: DateTime<Utc>,
    pub me: PortalMeDto,
}

async fn portal_session(state: &AppState, account_id: Uuid, ip: Option<&str>) -> Result<PortalSessionDto, ApiError> {
    let (session_id, expires_at) = portal::open_session(&state.db, account_id, ip).await?;
    let customer = portal::load_customer(&state.db, PortalAccountId(account_id), SessionId(session_id)).await?;
    Ok(PortalSessionDto {
        access_token: state.jwt.issue_portal(account_id, session_id, expires_at)?,
        token_type: "Bearer".into(),
        expires_at,
        me: PortalMeDto::from(&customer),
    })
}

/// The throttle key of a portal email, apart from staff accounts with the same address.
fn throttle_key(email: &str) -> String {
    format!("portal:{}", email.trim().to_lowercase())
}

/// Sign in to the portal
///
/// Throttled like staff sign-in: repeated failures answer 429 with `Retry-After`.
#[utoipa::path(tag = "portal", request_body = PortalLogin, responses(
    (status = 200, description = "Signed in", body = PortalSessionDto),
    (status = 401, description = "`auth.invalid_credentials`: wrong email or password, not activated or deactivated", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
))]
#[post("/portal/auth/login")]
pub async fn portal_login(state: State, req: HttpRequest, body: crate::http::Json<PortalLogin>) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let ip = client_ip(&req);
    let key = throttle_key(&body.email);
    // Claimed before the password is hashed: concurrent guesses cannot outrun the count.
    staff_auth::claim_login_attempt(&state.db, &key, ip.as_deref()).await?;
    let account = portal::find_login(&state.db, &body.email).await?;
    let password = body.password.clone();
    let hash = account.as_ref().and_then(|a| a.password_hash.clone()).unwrap_or_else(|| decoy_hash().to_owned());
    let matches = web::block(move || verify_password(&password, &hash)).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let account = match account {
        Some(account) if matches && account.active && account.password_hash.is_some() => account,
        _ => {
            staff_auth::record_login_attempt(&state.db, &key, ip.as_deref(), false).await?;
            return Err(ApiError::unauthorized(
                "auth.invalid_credentials",
                text!("the email or password is wrong, or the account is not active", "邮箱或密码错误，或账号未启用"),
            ));
        }
    };
    staff_auth::record_login_attempt(&state.db, &key, ip.as_deref(), true).await?;
    staff_auth::release_login_claims(&state.db, &key, ip.as_deref()).await?;
    Ok(HttpResponse::Ok().json(portal_session(&state, account.account_id, ip.as_deref()).await?))
}

/// Accept an invitation: set the password and sign in
#[utoipa::path(tag = "portal", request_body = AcceptInvitation, responses(
    (status = 200, description = "Password set; signed in", body = PortalSessionDto),
    (status = 401, description = "`portal.invitation_invalid`: unknown, used or expired invitation", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The password is too short (`password_too_short`), only white space (`password_blank`) or a common password (`password_common`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/portal/auth/accept-invitation")]
pub async fn portal_accept_invitation(
    state: State,
    req: HttpRequest,
    body: crate::http::Json<AcceptInvitation>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    crate::identity::passwords::check_new_password("password", &body.password)?;
    let password = body.password.clone();
    let hash = web::block(move || hash_password(&password)).await.map_err(|e| ApiError::Internal(e.to_string()))??;
    let account_id = portal::accept_invitation(&state.db, body.token.trim(), hash).await?;
    let ip = client_ip(&req);
    Ok(HttpResponse::Ok().json(portal_session(&state, account_id, ip.as_deref()).await?))
}

/// Sign out of the portal
#[utoipa::path(tag = "portal", responses(
    (status = 204, description = "Signed out"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[post("/portal/auth/logout")]
pub async fn portal_logout(state: State, principal: PortalPrincipal) -> Result<HttpResponse, ApiError> {
    portal::end_session(&state.db, principal.session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in customer
#[utoipa::path(tag = "portal", responses(
    (status = 200, description = "The customer", body = PortalMeDto),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[get("/portal/me")]
pub async fn portal_me(principal: PortalPrincipal) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(PortalMeDto::from(&principal.customer)))
}

// ---------------------------------------------------------------- the portal: tickets

/// A ticket as its customer sees it: no internal fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalTicketDto {
    pub id: Uuid,
    pub number: String,
    pub subject: String,
    pub description: Option<String>,
    pub kind: TicketKind,
    pub priority: TicketPriority,
    pub status: TicketStatus,
    /// Who is handling it.
    pub assignee_name: Option<String>,
    /// When we promise the first answer, and the resolution (they move later while we wait for you).
    pub first_response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub satisfaction_rating: Option<i32>,
    pub satisfaction_comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<tickets::TicketRecord> for PortalTicketDto {
    fn from(t: tickets::TicketRecord) -> Self {
        Self {
            id: t.id,
            number: t.number,
            subject: t.subject,
            description: t.description,
            kind: t.kind,
            priority: t.priority,
            status: t.status,
            assignee_name: t.assignee_name,
            first_response_due_at: t.first_response_due_at,
            resolution_due_at: t.resolution_due_at,
            first_responded_at: t.first_responded_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            satisfaction_rating: t.satisfaction_rating,
            satisfaction_comment: t.satisfaction_comment,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A public message on a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalCommentDto {
    pub id: Uuid,
    pub author_name: Option<String>,
    /// Written by the customer (else by our staff).
    pub from_customer: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<tickets::CommentRecord> for PortalCommentDto {
    fn from(c: tickets::CommentRecord) -> Self {
        Self { id: c.id, author_name: c.author_name, from_customer: c.from_customer, body: c.body, created_at: c.created_at }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalCreateTicket {
    pub subject: String,
    pub description: Option<String>,
    /// Default `inquiry`.
    #[schema(value_type = Option<TicketKind>)]
    pub kind: Option<String>,
    /// Default `normal`.
    #[schema(value_type = Option<TicketPriority>)]
    pub priority: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalReply {
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalRating {
    /// 1–5.
    pub rating: i32,
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortalTicketParams {
    /// Comma-separated statuses.
    pub status: Option<String>,
}

/// The customer's tickets (their own, or their company's per account), newest first
#[utoipa::path(tag = "portal", params(PortalTicketParams, PageParams), responses(
    (status = 200, description = "Tickets", body = PageDto<PortalTicketDto>),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[get("/portal/tickets")]
pub async fn portal_list_tickets(
    state: State,
    principal: PortalPrincipal,
    params: web::Query<PortalTicketParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let statuses = parse_list("status", params.status.as_deref(), TicketStatus::parse)?;
    let page = portal::list_tickets(&state.db, &principal.customer, &statuses, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, PortalTicketDto::from)))
}

/// Open a ticket
#[utoipa::path(tag = "portal", request_body = PortalCreateTicket, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Opened; our team is assigned in turn", body = PortalTicketDto, headers(("Location" = String), ("ETag" = String))),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[post("/portal/tickets")]
pub async fn portal_create_ticket(
    state: State,
    principal: PortalPrincipal,
    body: crate::http::Json<PortalCreateTicket>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let subject = check.text("subject", &body.subject, 200);
    let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
    let kind = check.value("kind", body.kind.as_deref().unwrap_or("inquiry"), TicketKind::parse);
    let priority = check.value("priority", body.priority.as_deref().unwrap_or("normal"), TicketPriority::parse);
    let (subject, kind, priority) = check.finish_with((subject, kind, priority))?;
    let record = portal::open_ticket(
        &state.db,
        &principal.customer,
        &principal.actor,
        portal::PortalTicket { subject, description, kind, priority },
    )
    .await?;
    let location = format!("/api/v1/portal/tickets/{}", record.id);
    let version = record.version;
    Ok(created(&PortalTicketDto::from(record), location, version))
}

/// One of the customer's tickets
#[utoipa::path(tag = "portal", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The ticket", body = PortalTicketDto),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not one of the customer's tickets", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[get("/portal/tickets/{id}")]
pub async fn portal_get_ticket(state: State, principal: PortalPrincipal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = portal::get_ticket(&state.db, &principal.customer, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(PortalTicketDto::from(record)))
}

/// The public conversation of a ticket, oldest first
#[utoipa::path(tag = "portal", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Messages", body = PageDto<PortalCommentDto>),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not one of the customer's tickets", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[get("/portal/tickets/{id}/comments")]
pub async fn portal_list_comments(
    state: State,
    principal: PortalPrincipal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = portal::comments(&state.db, &principal.customer, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, PortalCommentDto::from)))
}

/// Reply on a ticket; a ticket waiting for the customer goes back to our team
#[utoipa::path(tag = "portal", params(("id" = Uuid, Path)), request_body = PortalReply, responses(
    (status = 201, description = "Added", body = PortalCommentDto, headers(("Location" = String))),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not one of the customer's tickets", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`ticket.closed`: the ticket is closed", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[post("/portal/tickets/{id}/comments")]
pub async fn portal_reply(
    state: State,
    principal: PortalPrincipal,
    id: web::Path<Uuid>,
    body: crate::http::Json<PortalReply>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let text = check.long_text("body", &body.body, NOTES_MAX);
    check.finish()?;
    let id = id.into_inner();
    let comment = portal::reply(&state.db, &principal.customer, &principal.actor, id, text.unwrap_or_default()).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/portal/tickets/{id}/comments")))
        .json(PortalCommentDto::from(comment)))
}

/// Rate our service once the ticket is resolved (1–5)
#[utoipa::path(tag = "portal", params(("id" = Uuid, Path)), request_body = PortalRating, responses(
    (status = 200, description = "Thank you", body = PortalTicketDto),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not one of the customer's tickets", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`ticket.not_resolved`: not resolved yet", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[post("/portal/tickets/{id}/rating")]
pub async fn portal_rate(
    state: State,
    principal: PortalPrincipal,
    id: web::Path<Uuid>,
    body: crate::http::Json<PortalRating>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let rating = check.range("rating", body.rating, 1, 5);
    let remark = check.optional_text("comment", body.comment.as_deref(), 2000);
    let rating = check.finish_with(rating)?;
    let record = portal::rate(&state.db, &principal.customer, &principal.actor, id.into_inner(), rating, remark).await?;
    Ok(HttpResponse::Ok().json(PortalTicketDto::from(record)))
}

// ---------------------------------------------------------------- the portal: public articles

/// A public article as the portal shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalArticleDto {
    pub id: Uuid,
    pub category_id: Option<Uuid>,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub tags: Vec<String>,
    pub view_count: i64,
    pub helpful_count: i64,
    pub not_helpful_count: i64,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<kb::ArticleRecord> for PortalArticleDto {
    fn from(a: kb::ArticleRecord) -> Self {
        Self {
            id: a.id,
            category_id: a.category_id,
            title: a.title,
            body: a.body,
            tags: a.tags,
            view_count: a.view_count,
            helpful_count: a.helpful_count,
            not_helpful_count: a.not_helpful_count,
            published_at: a.published_at,
            updated_at: a.updated_at,
        }
    }
}

/// Categories that hold public articles
#[utoipa::path(tag = "portal", responses(
    (status = 200, description = "Categories", body = CategoryList),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[get("/portal/kb/categories")]
pub async fn portal_list_categories(state: State, _principal: PortalPrincipal) -> Result<HttpResponse, ApiError> {
    let data = kb::portal_categories(&state.db).await?.into_iter().map(CategoryDto::from).collect();
    Ok(HttpResponse::Ok().json(CategoryList { data }))
}

/// Search public articles
#[utoipa::path(tag = "portal", params(ArticleListParams, crate::http::UpdatedAtParams, PageParams), responses(
    (status = 200, description = "Public, published articles", body = PageDto<ArticleSummaryDto>),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[get("/portal/kb/articles")]
pub async fn portal_list_articles(
    state: State,
    _principal: PortalPrincipal,
    params: web::Query<ArticleListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = kb::ArticleFilter { updated: updated.to_window(state.time_zone)?, ..params.to_filter()? };
    let page = kb::list_portal_articles(&state.db, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, |a| {
        let mut summary = ArticleSummaryDto::from(a);
        // Who wrote it is internal.
        summary.owner_name = None;
        summary
    })))
}

/// Read a public article
#[utoipa::path(tag = "portal", params(("id" = Uuid, Path), crate::service::knowledge::GetArticleParams), responses(
    (status = 200, description = "The article", body = PortalArticleDto),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such public article", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[get("/portal/kb/articles/{id}")]
pub async fn portal_get_article(
    state: State,
    _principal: PortalPrincipal,
    id: web::Path<Uuid>,
    params: web::Query<crate::service::knowledge::GetArticleParams>,
) -> Result<HttpResponse, ApiError> {
    let record = kb::get_portal_article(&state.db, id.into_inner(), params.count_view.unwrap_or(false)).await?;
    Ok(HttpResponse::Ok().json(PortalArticleDto::from(record)))
}

/// Say whether a public article helped
#[utoipa::path(tag = "portal", params(("id" = Uuid, Path)), request_body = ArticleVote, responses(
    (status = 200, description = "Counted", body = PortalArticleDto),
    (status = 401, description = "Not signed in to the portal", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such public article", body = Problem, content_type = "application/problem+json"),
), security(("portal" = [])))]
#[post("/portal/kb/articles/{id}/votes")]
pub async fn portal_vote_article(
    state: State,
    principal: PortalPrincipal,
    id: web::Path<Uuid>,
    body: crate::http::Json<ArticleVote>,
) -> Result<HttpResponse, ApiError> {
    let record =
        kb::vote_from_portal(&state.db, PortalAccountId(principal.customer.account_id), ArticleId(id.into_inner()), body.helpful).await?;
    Ok(HttpResponse::Ok().json(PortalArticleDto::from(record)))
}
