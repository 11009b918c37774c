//! `/customers/{id}/consents`, `/contacts/{id}/consents` and `/consents/{id}/withdraw`: what a
//! person agreed to be contacted for, given and withdrawn, with the whole history.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crm_domain::privacy::SubjectType;
use crm_domain::privacy::consents::{CHANNEL_MAX, ConsentFields, ConsentStatus, EVIDENCE_MAX, Purpose, SOURCE_MAX};
use crm_domain::{Check, ValidationErrors, text};
use crm_persistence::privacy::consents::{self as store, ConsentRecord};

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{PageDto, PageParams};

/// A consent of a customer or contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentDto {
    pub id: Uuid,
    /// Whose consent: a customer or one of its contacts.
    pub subject_type: SubjectType,
    pub subject_id: Uuid,
    /// The customer the person is, or whose contact they are.
    pub customer_id: Uuid,
    pub purpose: Purpose,
    /// How it was given (`web_form`, `paper`, `phone`…).
    pub channel: String,
    /// `given` while in force; `withdrawn` records stay as history.
    pub status: ConsentStatus,
    pub given_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Where it came from (a campaign, a contract clause…).
    pub source: Option<String>,
    /// What proves it (a form's reference, the wording agreed to).
    pub evidence: Option<String>,
    /// The staff member who recorded it.
    pub recorded_by: Option<Uuid>,
    pub recorded_by_name: Option<String>,
    /// The staff member who recorded the withdrawal.
    pub withdrawn_by: Option<Uuid>,
    pub withdrawn_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<ConsentRecord> for ConsentDto {
    fn from(c: ConsentRecord) -> Self {
        Self {
            id: c.id,
            subject_type: c.subject_type,
            subject_id: c.subject_id,
            customer_id: c.customer_id,
            purpose: c.purpose,
            channel: c.channel,
            status: c.status,
            given_at: c.given_at,
            withdrawn_at: c.withdrawn_at,
            source: c.source,
            evidence: c.evidence,
            recorded_by: c.recorded_by,
            recorded_by_name: c.recorded_by_name,
            withdrawn_by: c.withdrawn_by,
            withdrawn_by_name: c.withdrawn_by_name,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// A consent given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiveConsent {
    #[schema(value_type = Purpose)]
    pub purpose: String,
    /// How it was given, at most 100 characters.
    pub channel: String,
    /// When it was given (RFC 3339; not in the future); now when absent.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub given_at: Option<DateTime<Utc>>,
    /// At most 200 characters.
    pub source: Option<String>,
    /// At most 4,000 characters.
    pub evidence: Option<String>,
}

/// A little slack for clocks that run ahead of the server's.
const CLOCK_SLACK_MINUTES: i64 = 5;

/// Refuses a time after now (with some slack) on `field`.
pub(crate) fn not_in_future(check: &mut Check, field: &str, at: DateTime<Utc>) {
    if at > Utc::now() + chrono::Duration::minutes(CLOCK_SLACK_MINUTES) {
        check.0.push(crm_domain::FieldError::new(field, "future", text!("must not lie in the future", "不能晚于当前时间")));
    }
}

impl TryFrom<&GiveConsent> for ConsentFields {
    type Error = ValidationErrors;

    fn try_from(body: &GiveConsent) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let purpose = check.value("purpose", &body.purpose, Purpose::parse);
        let channel = check.text("channel", &body.channel, CHANNEL_MAX);
        let source = check.optional_text("source", body.source.as_deref(), SOURCE_MAX);
        let evidence = check.optional_text("evidence", body.evidence.as_deref(), EVIDENCE_MAX);
        let given_at = body.given_at.unwrap_or_else(Utc::now);
        not_in_future(&mut check, "given_at", given_at);
        let (purpose, channel) = check.finish_with((purpose, channel))?;
        Ok(ConsentFields { purpose, channel, given_at, source, evidence })
    }
}

async fn give(
    state: State,
    principal: Principal,
    subject_type: SubjectType,
    id: Uuid,
    body: &GiveConsent,
) -> Result<HttpResponse, ApiError> {
    let fields = ConsentFields::try_from(body)?;
    let record = store::give(&state.db, &principal, subject_type, id, fields).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/consents/{}", record.id)))
        .json(ConsentDto::from(record)))
}

async fn list(
    state: State,
    principal: Principal,
    subject_type: SubjectType,
    id: Uuid,
    page: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let found = store::list(&state.db, &principal, subject_type, id, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(found, ConsentDto::from)))
}

/// A customer's consents
///
/// Newest first, withdrawn ones included (the history is kept).
#[utoipa::path(tag = "consents", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Consents", body = PageDto<ConsentDto>),
    (status = 404, description = "No such customer in scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/{id}/consents")]
pub async fn list_customer_consents(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    list(state, principal, SubjectType::Customer, id.into_inner(), &page).await
}

/// Record a customer's consent
#[utoipa::path(tag = "consents", params(("id" = Uuid, Path)), request_body = GiveConsent, responses(
    (status = 201, description = "Recorded", body = ConsentDto, headers(("Location" = String))),
    (status = 404, description = "No such customer in scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`consent.already_given`: a consent for this purpose is in force", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/customers/{id}/consents")]
pub async fn give_customer_consent(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<GiveConsent>,
) -> Result<HttpResponse, ApiError> {
    give(state, principal, SubjectType::Customer, id.into_inner(), &body).await
}

/// A contact's consents
///
/// Newest first, withdrawn ones included (the history is kept).
#[utoipa::path(tag = "consents", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Consents", body = PageDto<ConsentDto>),
    (status = 404, description = "No such contact in scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/contacts/{id}/consents")]
pub async fn list_contact_consents(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    list(state, principal, SubjectType::Contact, id.into_inner(), &page).await
}

/// Record a contact's consent
#[utoipa::path(tag = "consents", params(("id" = Uuid, Path)), request_body = GiveConsent, responses(
    (status = 201, description = "Recorded", body = ConsentDto, headers(("Location" = String))),
    (status = 404, description = "No such contact in scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`consent.already_given`: a consent for this purpose is in force", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/contacts/{id}/consents")]
pub async fn give_contact_consent(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<GiveConsent>,
) -> Result<HttpResponse, ApiError> {
    give(state, principal, SubjectType::Contact, id.into_inner(), &body).await
}

/// Withdraw a consent
///
/// The consent stays, `withdrawn`, so the history of what was allowed when is kept.
#[utoipa::path(tag = "consents", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Withdrawn", body = ConsentDto),
    (status = 404, description = "No such consent in scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`consent.already_withdrawn`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/consents/{id}/withdraw")]
pub async fn withdraw_consent(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = store::withdraw(&state.db, &principal, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ConsentDto::from(record)))
}
