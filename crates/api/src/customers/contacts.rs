//! Contacts: a customer's (`/customers/{id}/contacts`), every readable one (`/contacts`) and one
//! (`/contacts/{id}`).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use std::collections::BTreeMap;

use serde_json::Value;

use crm_domain::Check;
use crm_domain::customers::{self as domain, ContactFields, ContactPatch, IdType};
use crm_domain::external::{ExternalIdsPatch, ExternalRef};
use crm_domain::values::{BankAccount, Email, IdNumber, Phone};
use crm_persistence::customers as customer_store;
use crm_persistence::customers::contacts as contact_store;

use crate::auth::{Principal, State};
use crate::batch::{Batch, BatchItem, BatchOp, BatchParams, BatchRequest, Written, missing_id};
use crate::error::{ApiError, Problem};
use crate::external::{Upsert, Upserted, check_refs, path_reference, refs_for_upsert};
use crate::http::{
    PageDto, PageParams, UpdatedAtParams, created, double_option, from_document, if_match, non_blank, ok_with_etag, parse_uuid,
};
use crate::personal_data::{self, shown_one};
use crate::platform::custom_fields::{self, CustomFieldParams};

/// The kind of record, as the audit log, the feed and personal-data masking name it.
const ENTITY: &str = "contact";

/// A contact person (联系人) at a customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    /// E.164 landline or direct line.
    pub phone: Option<String>,
    /// E.164 mobile.
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    /// The customer's main contact; at most one per customer.
    pub is_primary: bool,
    pub birthday: Option<NaiveDate>,
    pub notes: Option<String>,
    /// The kind of identity document: `id_card` (居民身份证), `passport`, `other`.
    pub id_type: Option<IdType>,
    /// The identity document's number, upper case without spaces. Stored encrypted; found whole
    /// with `GET /contacts?id_number=`.
    pub id_number: Option<String>,
    /// 开户行.
    pub bank_name: Option<String>,
    /// 银行账号, digits and letters without spaces. Stored encrypted.
    pub bank_account: Option<String>,
    /// Values of the contacts' custom fields by key (see `/custom-fields?entity=contacts`).
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// How other systems know the contact, one id per system: `{"erp": "P-77"}`.
    pub external_ids: BTreeMap<String, String>,
    /// The personal fields shown masked (`138****5678`; a birthday as `null`) because the
    /// caller's `pii` scope does not reach this record, or because the request asked for masked
    /// values (`Prefer: personal-data=masked`, as the web app does); empty when everything is in
    /// clear. `POST …/reveal` shows them to someone with the right, audited.
    pub masked: Vec<String>,
}

impl From<contact_store::ContactRecord> for ContactDto {
    fn from(r: contact_store::ContactRecord) -> Self {
        let f = r.fields;
        Self {
            id: r.id,
            customer_id: r.customer_id,
            name: f.name,
            title: f.title,
            department: f.department,
            phone: f.phone.map(Phone::into_string),
            mobile: f.mobile.map(Phone::into_string),
            email: f.email.map(Email::into_string),
            wechat: f.wechat,
            is_primary: f.is_primary,
            birthday: f.birthday,
            notes: f.notes,
            id_type: f.id_type,
            id_number: f.id_number.map(IdNumber::into_string),
            bank_name: f.bank_name,
            bank_account: f.bank_account.map(BankAccount::into_string),
            custom_fields: f.custom_fields,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
            deleted_at: r.deleted_at,
            external_ids: r.external_ids,
            masked: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "王伟", "title": "采购经理", "mobile": "139 1234 5678", "email": "wang.wei@example.cn", "is_primary": true}))]
pub struct CreateContact {
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    #[serde(default)]
    pub is_primary: bool,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<NaiveDate>)]
    pub birthday: Option<String>,
    pub notes: Option<String>,
    /// `id_card` (居民身份证: the number's check digit is verified), `passport` or `other`
    /// (with `id_number`).
    #[schema(value_type = Option<IdType>)]
    pub id_type: Option<String>,
    /// 5–20 letters and digits; spaces and hyphens are dropped (with `id_type`).
    pub id_number: Option<String>,
    pub bank_name: Option<String>,
    /// 8–34 letters and digits; spaces and hyphens are dropped.
    pub bank_account: Option<String>,
    /// Values of custom fields by key (see `/custom-fields?entity=contacts`): checked against
    /// their definitions; fields not sent get their default.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    /// The contact's ids in other systems, `{"erp": "P-77"}`, each unique per system among live
    /// contacts.
    #[serde(default)]
    pub external_ids: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContact {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub department: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub mobile: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub wechat: Option<Option<String>>,
    pub is_primary: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub birthday: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<IdType>, nullable)]
    pub id_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub id_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub bank_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub bank_account: Option<Option<String>>,
    /// Merge patch of custom field values: keys sent are set, `null` clears one, others stay.
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// Merge patch of the ids in other systems (`null` removes one).
    pub external_ids: Option<BTreeMap<String, Option<String>>>,
}

pub(super) fn parse_contact(body: CreateContact) -> Result<(ContactFields, ExternalIdsPatch), ApiError> {
    let mut f = Check::default();
    let refs = check_refs(&mut f, body.external_ids.iter().map(|(system, id)| (system, Some(id))));
    let fields = ContactFields {
        name: f.text("name", &body.name, domain::SHORT_TEXT_MAX).unwrap_or_default(),
        title: f.optional_line("title", body.title.as_deref(), domain::SHORT_TEXT_MAX),
        department: f.optional_line("department", body.department.as_deref(), domain::SHORT_TEXT_MAX),
        phone: f.optional_value("phone", body.phone.as_deref(), Phone::parse),
        mobile: f.optional_value("mobile", body.mobile.as_deref(), Phone::parse),
        email: f.optional_value("email", body.email.as_deref(), Email::parse),
        wechat: f.optional_line("wechat", body.wechat.as_deref(), 64),
        is_primary: body.is_primary,
        birthday: f.optional_date("birthday", body.birthday.as_deref()),
        notes: f.optional_text("notes", body.notes.as_deref(), domain::NOTES_MAX),
        id_type: f.optional_value("id_type", body.id_type.as_deref(), IdType::parse),
        id_number: f.optional_value("id_number", body.id_number.as_deref(), IdNumber::parse),
        bank_name: f.optional_line("bank_name", body.bank_name.as_deref(), domain::SHORT_TEXT_MAX),
        bank_account: f.optional_value("bank_account", body.bank_account.as_deref(), BankAccount::parse),
        custom_fields: custom_fields::values(&mut f, &body.custom_fields),
    };
    if f.is_clean() {
        f.merge(fields.check_consistency());
    }
    f.finish()?;
    Ok((fields, refs))
}

pub(super) fn parse_contact_patch(body: UpdateContact) -> Result<(ContactPatch, ExternalIdsPatch), ApiError> {
    let mut f = Check::default();
    let refs = check_refs(&mut f, body.external_ids.iter().flatten().map(|(system, id)| (system, id.as_ref())));
    let patch = ContactPatch {
        name: body.name.as_deref().and_then(|n| f.text("name", n, domain::SHORT_TEXT_MAX)),
        title: f.line_change("title", &body.title, domain::SHORT_TEXT_MAX),
        department: f.line_change("department", &body.department, domain::SHORT_TEXT_MAX),
        phone: f.value_change("phone", &body.phone, Phone::parse),
        mobile: f.value_change("mobile", &body.mobile, Phone::parse),
        email: f.value_change("email", &body.email, Email::parse),
        wechat: f.line_change("wechat", &body.wechat, 64),
        is_primary: body.is_primary,
        birthday: f.date_change("birthday", &body.birthday),
        notes: f.text_change("notes", &body.notes, domain::NOTES_MAX),
        id_type: f.value_change("id_type", &body.id_type, IdType::parse),
        id_number: f.value_change("id_number", &body.id_number, IdNumber::parse),
        bank_name: f.line_change("bank_name", &body.bank_name, domain::SHORT_TEXT_MAX),
        bank_account: f.value_change("bank_account", &body.bank_account, BankAccount::parse),
        custom_fields: custom_fields::values_change(&mut f, &body.custom_fields),
    };
    f.finish()?;
    Ok((patch, refs))
}

/// List a customer's contacts
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path, description = "Customer id"), UpdatedAtParams, PageParams), responses(
    (status = 200, description = "Contacts, oldest first", body = PageDto<ContactDto>),
    (status = 404, description = "Customer absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/{id}/contacts")]
pub async fn list_contacts(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    updated: web::Query<UpdatedAtParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let updated = updated.to_window(state.time_zone)?;
    let page = contact_store::list(&state.db, &principal, id.into_inner(), updated, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(personal_data::page(&state.db, &principal, ENTITY, page, ContactDto::from).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListParams {
    /// Part of the name, or a whole phone or mobile number (as people type it) or email.
    pub q: Option<String>,
    /// A whole identity document number (spaces and hyphens ignored), found through its blind
    /// index.
    pub id_number: Option<String>,
    pub customer_id: Option<String>,
    /// `-created_at` (default), `created_at`, `-updated_at`, `updated_at`, `name`, or
    /// `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

impl ContactListParams {
    pub fn to_filter(
        &self,
        updated: &UpdatedAtParams,
        time_zone: chrono_tz::Tz,
        custom: CustomFieldParams,
    ) -> Result<contact_store::ContactFilter, ApiError> {
        Ok(contact_store::ContactFilter {
            q: crate::http::search_query(&self.q)?,
            id_number: super::parse_id_number(self.id_number.as_deref())?,
            customer_id: parse_uuid("customer_id", self.customer_id.as_deref())?,
            updated: updated.to_window(time_zone)?,
            custom: custom.0,
            sort: non_blank(&self.sort),
        })
    }
}

/// List every contact you may read
///
/// The contacts of the customers you may read (the `contacts` permission's scope applies to the
/// customer's owner and team, as for `/customers/{id}/contacts`). Keyset-paginated; every filter
/// and sort is served by an index. Custom fields filter as `cf.<key>=value` (several values
/// comma-separated: any of them), `cf.<key>_from`/`_to` for numbers, money and dates, and sort as
/// `sort=cf.<key>` or `-cf.<key>` (see `/custom-fields`).
#[utoipa::path(tag = "contacts", params(ContactListParams, UpdatedAtParams, PageParams), responses(
    (status = 200, description = "A page of contacts", body = PageDto<ContactDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The role may not read contacts", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/contacts")]
pub async fn list_all_contacts(
    state: State,
    principal: Principal,
    params: web::Query<ContactListParams>,
    updated: web::Query<UpdatedAtParams>,
    page: web::Query<PageParams>,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = params.to_filter(&updated, state.time_zone, custom)?;
    let page = contact_store::list_all(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(personal_data::page(&state.db, &principal, ENTITY, page, ContactDto::from).await?))
}

/// Export contacts as ndjson, CSV or XLSX
///
/// Every contact the list with the same filters and sort returns, to the caller's scope, streamed
/// in pages of 500 as they are read (constant memory at any size). `format=ndjson` (default)
/// writes one `ContactDto` per line (`application/x-ndjson`); `format=csv` writes RFC 4180 CSV in
/// UTF-8 with a byte order mark (so Excel opens Chinese text correctly), a header row of the
/// `ContactDto` fields, nested values as JSON text, and text cells starting with `=`, `+`, `-` or `@`
/// prefixed with `'` (no formula runs in a spreadsheet); `format=xlsx` writes an Excel workbook
/// (bold, frozen header row; text always as text cells). `columns` chooses the CSV/XLSX columns.
/// Each export is recorded in the audit log (action `export`).
#[utoipa::path(tag = "contacts", params(ContactListParams, crate::http::UpdatedAtParams, crate::export::ExportParams), responses(crate::export::ExportResponses), security(("bearer" = [])))]
#[get("/contacts/export")]
pub async fn export_contacts(
    state: State,
    principal: Principal,
    params: web::Query<ContactListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    export: crate::export::ExportRequest,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = params.to_filter(&updated, state.time_zone, custom)?;
    crate::export::list_export(
        state,
        principal,
        filter,
        export,
        crate::export::Exported { file_stem: "contacts", kind: ENTITY },
        contact_store::list_all,
        ContactDto::from,
    )
    .await
}

/// Add a contact to a customer
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path, description = "Customer id"), ("Idempotency-Key" = Option<String>, Header)), request_body = CreateContact, responses(
    (status = 201, description = "Created", body = ContactDto, headers(("Location" = String), ("ETag" = String))),
    (status = 403, description = "Not allowed for this customer", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Customer absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/customers/{id}/contacts")]
pub async fn create_contact(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<CreateContact>,
) -> Result<HttpResponse, ApiError> {
    let (fields, refs) = parse_contact(body.into_inner())?;
    let contact = contact_store::create(&state.db, &principal, id.into_inner(), fields, &refs).await?;
    let location = format!("/api/v1/contacts/{}", contact.id);
    let version = contact.version;
    Ok(created(&shown_one(&state.db, &principal, ENTITY, ContactDto::from(contact)).await?, location, version))
}

/// The contact recycle bin
#[utoipa::path(tag = "contacts", params(PageParams), responses(
    (status = 200, description = "Deleted contacts of live customers", body = PageDto<ContactDto>),
), security(("bearer" = [])))]
#[get("/contacts/recycle-bin")]
pub async fn list_deleted_contacts(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = contact_store::list_deleted(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(personal_data::page(&state.db, &principal, ENTITY, page, ContactDto::from).await?))
}

/// Get a contact
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The contact", body = ContactDto, headers(("ETag" = String))),
    (status = 404, description = "Absent, deleted or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/contacts/{id}")]
pub async fn get_contact(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let contact = contact_store::get(&state.db, &principal, id.into_inner()).await?;
    let version = contact.version;
    Ok(ok_with_etag(&shown_one(&state.db, &principal, ENTITY, ContactDto::from(contact)).await?, version))
}

/// Change a contact (JSON merge patch)
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateContact, responses(
    (status = 200, description = "Changed", body = ContactDto, headers(("ETag" = String))),
    (status = 403, description = "Not changeable by you", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent, deleted or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateContact>,
) -> Result<HttpResponse, ApiError> {
    let (patch, refs) = parse_contact_patch(body.into_inner())?;
    let contact = contact_store::update(&state.db, &principal, id.into_inner(), None, if_match(&req)?, patch, &refs).await?;
    let version = contact.version;
    Ok(ok_with_etag(&shown_one(&state.db, &principal, ENTITY, ContactDto::from(contact)).await?, version))
}

/// Move a contact to the recycle bin
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "In the recycle bin"),
    (status = 404, description = "Absent, deleted or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/contacts/{id}")]
pub async fn delete_contact(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    contact_store::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Merge another contact into this one (查重合并).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeContact {
    /// The duplicate, a contact of the same customer: it goes to the recycle bin, pointing at
    /// this contact (`merged_into_id`).
    pub other_id: Uuid,
    /// Which contact each field's value comes from: `survivor` or `other`, by field name (`name`,
    /// `title`, `department`, `phone`, `mobile`, `email`, `wechat`, `birthday`, `notes`,
    /// `id_number` with its type, `bank_account` with its bank, `custom_fields.<key>`). Unnamed
    /// fields keep this contact's value, and take the other's where this one has none.
    #[serde(default)]
    pub field_choices: BTreeMap<String, crm_domain::customers::merge::MergeSide>,
    /// Compute what would happen and write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a contact merge did, or would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactMergeResultDto {
    /// This contact after the merge (as it would be, for a dry run).
    #[schema(value_type = ContactDto)]
    pub survivor: Value,
    pub merged_id: Uuid,
    /// How many records of each kind moved (would move) here: interactions, opportunities,
    /// tickets, consents, portal_accounts.
    pub moved: BTreeMap<String, u64>,
    pub taken_from_other: Vec<String>,
    pub kept_external_ids: BTreeMap<String, String>,
    pub dry_run: bool,
}

/// Merge a duplicate contact into this one
///
/// Both must be contacts of the same customer (409 `contact.merge_other_customer`: merge the
/// customers first). One transaction: this contact takes the chosen values and is the primary
/// one if either was; interactions, opportunities and tickets naming the other move here as
/// their next versions (audited, `<kind>.updated`), with its consents, its portal account when
/// this one has none, and its external ids in other systems; the other goes to the recycle bin
/// (`contact.deleted`) and this change is `contact.merged`.
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "This contact's version as previewed")), request_body = MergeContact, responses(
    (status = 200, description = "Merged (or, with `dry_run`, what would be)", body = ContactMergeResultDto),
    (status = 403, description = "The role may not change this contact or delete the other", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "This contact is absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`contact.merge_other_customer`", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "This contact changed since the version in `If-Match`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`other_id` unknown or the same; an unknown field choice", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/contacts/{id}/merge")]
pub async fn merge_contact(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<MergeContact>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let request = crm_persistence::customers::merge::MergeRequest {
        other_id: body.other_id,
        choices: body.field_choices,
        dry_run: body.dry_run,
        expected_version: if_match(&req)?,
    };
    let outcome = crm_persistence::customers::merge::merge_contacts(&state.db, &principal, id.into_inner(), request).await?;
    let survivor = shown_one(&state.db, &principal, ENTITY, ContactDto::from(outcome.survivor)).await?;
    Ok(HttpResponse::Ok().json(ContactMergeResultDto {
        survivor,
        merged_id: outcome.merged_id,
        moved: outcome.moved.into_iter().map(|(kind, n)| (kind.to_owned(), n)).collect(),
        taken_from_other: outcome.taken_from_other,
        kept_external_ids: outcome.kept_external_ids,
        dry_run: outcome.dry_run,
    }))
}

/// Restore a contact from the recycle bin
#[utoipa::path(tag = "contacts", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Restored", body = ContactDto, headers(("ETag" = String))),
    (status = 404, description = "Not in the recycle bin, or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/contacts/{id}/restore")]
pub async fn restore_contact(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let contact = contact_store::restore(&state.db, &principal, id.into_inner()).await?;
    let version = contact.version;
    Ok(ok_with_etag(&shown_one(&state.db, &principal, ENTITY, ContactDto::from(contact)).await?, version))
}

/// Show a contact's personal data in clear
///
/// The contact with its phones, email, WeChat id and birthday in clear, for someone whose `pii`
/// scope reaches its customer. Every call is a sensitive read in the audit log (`reveal`).
#[utoipa::path(tag = "contacts", responses(
    (status = 200, description = "The contact in clear", body = ContactDto, headers(("ETag" = String))),
    (status = 403, description = "The role's `pii` scope does not reach this contact's customer", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/contacts/{id}/reveal")]
pub async fn reveal_contact(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let contact = contact_store::get(&state.db, &principal, id.into_inner()).await?;
    let (id, version) = (contact.id, contact.version);
    Ok(ok_with_etag(&personal_data::reveal(&state.db, &principal, ENTITY, id, ContactDto::from(contact)).await?, version))
}

fn upserted(contact: contact_store::ContactRecord) -> Upserted<ContactDto> {
    Upserted { id: contact.id, version: contact.version, body: ContactDto::from(contact) }
}

/// Creates or updates the contact holding `reference`, under `customer_id` when creating; an
/// existing contact of another customer is refused (a contact does not move between customers).
async fn upsert_contact(
    state: &State,
    principal: &Principal,
    req: &HttpRequest,
    reference: ExternalRef,
    customer_id: Option<Uuid>,
    document: Value,
) -> Result<HttpResponse, ApiError> {
    let upsert = Upsert { reference, if_match: if_match(req)?, document };
    let (created, done) = upsert_by_reference(state, principal, upsert, customer_id).await?;
    let done = done.map_body(async |body| shown_one(&state.db, principal, ENTITY, body).await).await?;
    Ok(crate::external::answer((created, done), "contacts"))
}

/// An upsert of the contact `reference` names, from a single request or a batch item.
async fn upsert_by_reference(
    state: &State,
    principal: &Principal,
    upsert: Upsert,
    customer_id: Option<Uuid>,
) -> Result<(bool, Upserted<ContactDto>), ApiError> {
    let (db, reference) = (&state.db, &upsert.reference);
    crate::external::upsert_record(
        upsert.document,
        upsert.if_match,
        async || Ok(contact_store::holder_of(db, reference).await?),
        async |body: CreateContact| {
            let Some(customer_id) = customer_id else { return Err(customer_required()) };
            let (fields, refs) = parse_contact(body)?;
            Ok(upserted(contact_store::create(db, principal, customer_id, fields, &refs_for_upsert(refs, reference)?).await?))
        },
        async |id, body: UpdateContact, version| {
            let (patch, refs) = parse_contact_patch(body)?;
            let refs = refs_for_upsert(refs, reference)?;
            Ok(upserted(contact_store::update(db, principal, id, customer_id, version, patch, &refs).await?))
        },
    )
    .await
}

/// A contact sent with its customer in a customers batch: upserted under the customer by the
/// first of its `external_ids`, or created when it has none.
pub(crate) async fn write_nested(state: &State, principal: &Principal, customer_id: Uuid, document: Value) -> Result<Written, ApiError> {
    let first_ref = document
        .get("external_ids")
        .and_then(Value::as_object)
        .and_then(|refs| refs.iter().next())
        .map(|(system, id)| (system.clone(), id.as_str().unwrap_or_default().to_owned()));
    match first_ref {
        Some(path) => {
            let reference = ExternalRef::parse(&path.0, &path.1).map_err(ApiError::Validation)?;
            let upsert = Upsert { reference, if_match: None, document };
            Ok(Written::from(upsert_by_reference(state, principal, upsert, Some(customer_id)).await?))
        }
        None => {
            let (fields, refs) = parse_contact(from_document(document)?)?;
            let contact = contact_store::create(&state.db, principal, customer_id, fields, &refs).await?;
            Ok(Written::new(true, contact.id, contact.version))
        }
    }
}

/// One contact item of a contacts batch.
async fn write_batch_item(state: &State, principal: &Principal, item: BatchItem) -> Result<Written, ApiError> {
    item.allow_only(false, true, false)?;
    let db = &state.db;
    match item.op {
        BatchOp::Create => {
            let customer_id = item.customer_id.ok_or_else(customer_required)?;
            let (fields, refs) = parse_contact(from_document(item.body)?)?;
            let contact = contact_store::create(db, principal, customer_id, fields, &refs).await?;
            Ok(Written::new(true, contact.id, contact.version))
        }
        BatchOp::Update => {
            let (patch, refs) = parse_contact_patch(from_document(item.body)?)?;
            let contact = contact_store::update(db, principal, item.id.ok_or_else(missing_id)?, None, item.if_match, patch, &refs).await?;
            Ok(Written::new(false, contact.id, contact.version))
        }
        BatchOp::Upsert => {
            let customer_id = item.customer_id;
            Ok(Written::from(upsert_by_reference(state, principal, Upsert::of_item(item)?, customer_id).await?))
        }
    }
}

fn customer_required() -> ApiError {
    ApiError::validation(
        "customer_id",
        "required",
        crm_domain::text!(
            "a new contact needs its customer: customer_id or customer_external_id",
            "新建联系人须指明所属客户：customer_id 或 customer_external_id"
        ),
    )
}

/// Create, update or upsert up to 1,000 contacts
///
/// Each item is `{op: create|update|upsert, body, customer_id?, id?, if_match?, system?,
/// external_id?}`: `body` is a `CreateContact` (create, with `customer_id`; an upsert that
/// creates) or an `UpdateContact` (update; an upsert that updates). One result per item;
/// `?atomic=true` keeps all or nothing.
#[utoipa::path(tag = "contacts", params(BatchParams, ("Idempotency-Key" = Option<String>, Header)), request_body = BatchRequest, responses(crate::batch::BatchResponses), security(("bearer" = [])))]
#[post("/contacts/batch")]
pub async fn batch_contacts(state: State, principal: Principal, batch: Batch) -> Result<HttpResponse, ApiError> {
    batch.run(&state, async |item: BatchItem| write_batch_item(&state, &principal, item).await).await
}

/// Create or update a customer's contact by its id in another system
///
/// Like `PUT /contacts/external/{system}/{external_id}`, under the customer in the path: a new
/// contact is added to it (201), a contact of it holding the id is merge-patched (200); a contact
/// of another customer holding the id is refused (409 `external_id.taken`).
#[utoipa::path(tag = "contacts", params(
    ("id" = Uuid, Path, description = "Customer id"),
    ("system" = String, Path, example = "erp"),
    ("external_id" = String, Path, example = "P-77"),
    ("If-Match" = Option<String>, Header, description = "On update, the ETag you read"),
), request_body = CreateContact, responses(
    (status = 200, description = "Updated", body = ContactDto, headers(("ETag" = String))),
    (status = 201, description = "Created", body = ContactDto, headers(("Location" = String), ("ETag" = String))),
    (status = 400, description = "Malformed JSON or path", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not allowed for this customer", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Customer or contact absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`external_id.taken`: held by a contact of another customer, or another of the body's ids is held (`existing_id`)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match, or If-Match for an id no contact has", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/customers/{id}/contacts/external/{system}/{external_id}")]
pub async fn upsert_customer_contact(
    state: State,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(Uuid, String, String)>,
    body: crate::http::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let (customer_id, system, external_id) = path.into_inner();
    let reference = path_reference(&(system, external_id))?;
    upsert_contact(&state, &principal, &req, reference, Some(customer_id), body.into_inner()).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactUpsertParams {
    /// The customer a new contact belongs to.
    pub customer_id: Option<Uuid>,
    /// Or that customer's id in the same system as the contact's (`C-1001` for
    /// `/contacts/external/erp/P-77`: the customer `erp:C-1001`).
    pub customer_external_id: Option<String>,
}

/// Create or update a contact by its id in another system
///
/// With no live contact holding `{system}:{external_id}`, the body is a new contact
/// (`CreateContact`) of the customer named by `customer_id` or `customer_external_id`: 201.
/// Otherwise it merge-patches that contact (`UpdateContact`): 200, honouring `If-Match`.
#[utoipa::path(tag = "contacts", params(
    ("system" = String, Path, example = "erp"),
    ("external_id" = String, Path, example = "P-77"),
    ("If-Match" = Option<String>, Header, description = "On update, the ETag you read"),
    ContactUpsertParams,
), request_body = CreateContact, responses(
    (status = 200, description = "Updated", body = ContactDto, headers(("ETag" = String))),
    (status = 201, description = "Created", body = ContactDto, headers(("Location" = String), ("ETag" = String))),
    (status = 400, description = "Malformed JSON, path or parameter", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not allowed for this customer", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Customer or contact absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`external_id.taken`: held by a contact of another customer than the one named, or another of the body's ids is held (`existing_id`)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match, or If-Match for an id no contact has", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, or no customer named for a new contact", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/contacts/external/{system}/{external_id}")]
pub async fn upsert_contact_by_external_id(
    state: State,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    params: web::Query<ContactUpsertParams>,
    body: crate::http::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let reference = path_reference(&path)?;
    let customer_id = match (&params.customer_id, &params.customer_external_id) {
        (Some(id), _) => Some(*id),
        (None, Some(customer_external_id)) => {
            let customer_ref = path_reference(&(reference.system.as_str().to_owned(), customer_external_id.clone()))?;
            Some(customer_store::holder_of(&state.db, &customer_ref).await?.ok_or(ApiError::NotFound)?)
        }
        (None, None) => None,
    };
    upsert_contact(&state, &principal, &req, reference, customer_id, body.into_inner()).await
}

/// Get a contact by its id in another system
#[utoipa::path(tag = "contacts", params(("system" = String, Path, example = "erp"), ("external_id" = String, Path, example = "P-77")), responses(
    (status = 200, description = "The contact", body = ContactDto, headers(("ETag" = String))),
    (status = 400, description = "Invalid system or id", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No live contact has this id, or it is outside your scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/contacts/external/{system}/{external_id}")]
pub async fn get_contact_by_external_id(
    state: State,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let reference = path_reference(&path)?;
    let id = contact_store::holder_of(&state.db, &reference).await?.ok_or(ApiError::NotFound)?;
    let contact = contact_store::get(&state.db, &principal, id).await?;
    let version = contact.version;
    Ok(ok_with_etag(&shown_one(&state.db, &principal, ENTITY, ContactDto::from(contact)).await?, version))
}
