//! `/customers` and their `/contacts`: create, read, list with filters, merge-patch, recycle bin
//! and restore, and the lifecycle stage history.

mod ahead;
pub mod bulk;
pub mod contacts;
pub mod import;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use std::collections::BTreeMap;

use crm_domain::Check;
use crm_domain::customers::{
    self as domain, CustomerFields, CustomerKind, CustomerPatch, Gender, IdType, LifecycleStage, SizeBand, SourceChannel, ValueTier,
};
use crm_domain::external::ExternalIdsPatch;
use crm_domain::text::TextError;
use crm_domain::values::{BankAccount, CreditCode, Email, IdNumber, Phone, WebsiteUrl};
use crm_persistence::customers::{self as store, CustomerFilter, CustomerRecord, Ownership, StageChange};
use crm_persistence::platform::custom_fields::CustomFieldQuery;

use crate::auth::{Principal, State};
use crate::batch::{Batch, BatchItem, BatchOp, BatchParams, BatchRequest, BatchResponse, Written, missing_id};
use crate::error::{ApiError, Problem};
use crate::external::{Upsert, UpsertRequest, Upserted, check_refs, refs_for_upsert};
use crate::http::{
    PageDto, PageParams, created, double_option, from_document, if_match, non_blank, ok_with_etag, parse_list, parse_time_bound, parse_uuid,
};
use crate::personal_data::{self, shown_one};
use crate::platform::custom_fields::CustomFieldParams;

/// The kind of record, as the audit log, the feed and personal-data masking name it.
const ENTITY: &str = "customer";

/// A customer (客户).
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDto {
    pub id: Uuid,
    pub kind: CustomerKind,
    pub name: String,
    pub industry: Option<String>,
    pub size_band: Option<SizeBand>,
    /// 省
    pub province: Option<String>,
    /// 市
    pub city: Option<String>,
    /// 区
    pub district: Option<String>,
    pub address: Option<String>,
    /// E.164, e.g. `+8613812345678`.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// 统一社会信用代码 (companies).
    pub credit_code: Option<String>,
    pub source_channel: Option<SourceChannel>,
    pub lifecycle_stage: LifecycleStage,
    pub value_tier: Option<ValueTier>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    /// Individuals only.
    pub gender: Option<Gender>,
    /// Individuals only.
    pub birthday: Option<NaiveDate>,
    pub preferences: Option<String>,
    pub notes: Option<String>,
    /// The kind of identity document (individuals): `id_card` (居民身份证), `passport`, `other`.
    pub id_type: Option<IdType>,
    /// The identity document's number, upper case without spaces (individuals). Stored
    /// encrypted; found whole with `?id_number=`.
    pub id_number: Option<String>,
    /// 开户行.
    pub bank_name: Option<String>,
    /// 银行账号, digits and letters without spaces. Stored encrypted.
    pub bank_account: Option<String>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub team_name: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Optimistic-locking version; also the ETag.
    pub version: i32,
    /// Set while the customer is in the recycle bin.
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The customer this one was merged into (查重合并); it is then in the recycle bin.
    pub merged_into_id: Option<Uuid>,
    /// When the latest recorded interaction took place.
    pub last_interaction_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The dates of the first and latest confirmed order (midnight UTC).
    pub first_order_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_order_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Confirmed and fulfilled orders.
    pub order_count: i32,
    /// Their total, in minor units of the orders' currency (CNY unless you sell in one other).
    pub total_spend_minor: i64,
    /// How other systems know the customer, one id per system: `{"erp": "C-1001"}`.
    pub external_ids: BTreeMap<String, String>,
    /// The personal fields shown masked (`138****5678`; a birthday as `null`) because the
    /// caller's `pii` scope does not reach this record, or because the request asked for masked
    /// values (`Prefer: personal-data=masked`, as the web app does); empty when everything is in
    /// clear. `POST …/reveal` shows them to someone with the right, audited.
    pub masked: Vec<String>,
}

impl From<CustomerRecord> for CustomerDto {
    fn from(r: CustomerRecord) -> Self {
        let f = r.fields;
        Self {
            id: r.id,
            kind: f.kind,
            name: f.name,
            industry: f.industry,
            size_band: f.size_band,
            province: f.province,
            city: f.city,
            district: f.district,
            address: f.address,
            phone: f.phone.map(Phone::into_string),
            email: f.email.map(Email::into_string),
            website: f.website.map(WebsiteUrl::into_string),
            credit_code: f.credit_code.map(CreditCode::into_string),
            source_channel: f.source_channel,
            lifecycle_stage: f.lifecycle_stage,
            value_tier: f.value_tier,
            tags: f.tags,
            custom_fields: f.custom_fields,
            gender: f.gender,
            birthday: f.birthday,
            preferences: f.preferences,
            notes: f.notes,
            id_type: f.id_type,
            id_number: f.id_number.map(IdNumber::into_string),
            bank_name: f.bank_name,
            bank_account: f.bank_account.map(BankAccount::into_string),
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            team_id: r.team_id,
            team_name: r.team_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
            deleted_at: r.deleted_at,
            merged_into_id: r.merged_into_id,
            last_interaction_at: r.last_interaction_at,
            first_order_at: r.first_order_at,
            last_order_at: r.last_order_at,
            order_count: r.order_count,
            total_spend_minor: r.total_spend_minor,
            external_ids: r.external_ids,
            masked: Vec::new(),
        }
    }
}

/// A new customer. Text fields are trimmed; blank optional fields are stored as empty.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "company", "name": "上海浦江精密机械有限公司", "industry": "制造业", "province": "上海市", "city": "上海市", "district": "浦东新区", "phone": "021-6234 5678", "credit_code": "91350100M000100Y43", "lifecycle_stage": "prospect", "value_tier": "a", "tags": ["重点客户"]}))]
pub struct CreateCustomer {
    /// `company` or `individual`.
    #[schema(value_type = CustomerKind)]
    pub kind: String,
    pub name: String,
    pub industry: Option<String>,
    /// `micro`, `small`, `medium`, `large` or `enterprise`.
    #[schema(value_type = Option<SizeBand>)]
    pub size_band: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    /// As people type it: `138 1234 5678`, `021-62345678`, `+86…`.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub credit_code: Option<String>,
    #[schema(value_type = Option<SourceChannel>)]
    pub source_channel: Option<String>,
    /// Default `potential`.
    #[schema(value_type = Option<LifecycleStage>)]
    pub lifecycle_stage: Option<String>,
    /// `a`, `b` or `c`.
    #[schema(value_type = Option<ValueTier>)]
    pub value_tier: Option<String>,
    #[serde(default, deserialize_with = "crate::http::bounded_list")]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    /// `male`, `female` or `other` (individuals).
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<String>,
    /// `YYYY-MM-DD` (individuals).
    #[schema(value_type = Option<NaiveDate>)]
    pub birthday: Option<String>,
    pub preferences: Option<String>,
    pub notes: Option<String>,
    /// `id_card` (居民身份证: the number's check digit is verified), `passport` or `other`
    /// (individuals; with `id_number`).
    #[schema(value_type = Option<IdType>)]
    pub id_type: Option<String>,
    /// 5–20 letters and digits; spaces and hyphens are dropped (individuals; with `id_type`).
    /// A live customer holding the same number answers 409 `customer.id_number_taken`.
    pub id_number: Option<String>,
    pub bank_name: Option<String>,
    /// 8–34 letters and digits; spaces and hyphens are dropped.
    pub bank_account: Option<String>,
    /// Defaults to the caller.
    pub owner_id: Option<Uuid>,
    /// Defaults to the owner's first team.
    pub team_id: Option<Uuid>,
    /// The customer's ids in other systems, `{"erp": "C-1001"}`: each unique per system among
    /// live customers (409 `external_id.taken` names the holder).
    #[serde(default)]
    pub external_ids: BTreeMap<String, String>,
}

/// A merge patch: fields sent are changed, `null` clears an optional field, others stay.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomer {
    #[schema(value_type = Option<CustomerKind>)]
    pub kind: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<SizeBand>, nullable)]
    pub size_band: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub province: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub city: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub district: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub credit_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<SourceChannel>, nullable)]
    pub source_channel: Option<Option<String>>,
    /// A move that the lifecycle does not allow (e.g. `customer` → `potential`) answers 409.
    #[schema(value_type = Option<LifecycleStage>)]
    pub lifecycle_stage: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ValueTier>, nullable)]
    pub value_tier: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub tags: Option<Vec<String>>,
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Gender>, nullable)]
    pub gender: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub birthday: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub preferences: Option<Option<String>>,
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
    /// Reassigns the customer; scope rules apply to the new owner and team.
    pub owner_id: Option<Uuid>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub team_id: Option<Option<Uuid>>,
    /// Merge patch of the ids in other systems: `{"finance": "88-17", "erp": null}` sets one and
    /// removes the other.
    pub external_ids: Option<BTreeMap<String, Option<String>>>,
}

/// `today` is the organisation's calendar day.
fn parse_create(body: CreateCustomer, today: chrono::NaiveDate) -> Result<(CustomerFields, Ownership, ExternalIdsPatch), ApiError> {
    let mut f = Check::default();
    let refs = check_refs(&mut f, body.external_ids.iter().map(|(system, id)| (system, Some(id))));
    let kind = f.optional_value("kind", Some(body.kind.as_str()), CustomerKind::parse);
    if body.kind.trim().is_empty() {
        f.fail("kind", TextError::Empty);
    }
    let name = f.text("name", &body.name, domain::NAME_MAX);
    let tags = domain::parse_tags(&body.tags).map_err(|e| f.0.0.extend(e.0)).ok();
    let custom_fields = domain::parse_custom_fields(&body.custom_fields).map_err(|e| f.0.0.extend(e.0)).ok();
    let fields = CustomerFields {
        kind: kind.unwrap_or(CustomerKind::Company),
        name: name.unwrap_or_default(),
        industry: f.optional_line("industry", body.industry.as_deref(), domain::SHORT_TEXT_MAX),
        size_band: f.optional_value("size_band", body.size_band.as_deref(), SizeBand::parse),
        province: f.optional_line("province", body.province.as_deref(), domain::SHORT_TEXT_MAX),
        city: f.optional_line("city", body.city.as_deref(), domain::SHORT_TEXT_MAX),
        district: f.optional_line("district", body.district.as_deref(), domain::SHORT_TEXT_MAX),
        address: f.optional_line("address", body.address.as_deref(), domain::ADDRESS_MAX),
        phone: f.optional_value("phone", body.phone.as_deref(), Phone::parse),
        email: f.optional_value("email", body.email.as_deref(), Email::parse),
        website: f.optional_value("website", body.website.as_deref(), WebsiteUrl::parse),
        credit_code: f.optional_value("credit_code", body.credit_code.as_deref(), CreditCode::parse),
        source_channel: f.optional_value("source_channel", body.source_channel.as_deref(), SourceChannel::parse),
        lifecycle_stage: f
            .optional_value("lifecycle_stage", body.lifecycle_stage.as_deref(), LifecycleStage::parse)
            .unwrap_or(LifecycleStage::Potential),
        value_tier: f.optional_value("value_tier", body.value_tier.as_deref(), ValueTier::parse),
        tags: tags.unwrap_or_default(),
        custom_fields: custom_fields.unwrap_or_default(),
        gender: f.optional_value("gender", body.gender.as_deref(), Gender::parse),
        birthday: f.optional_date("birthday", body.birthday.as_deref()),
        preferences: f.optional_text("preferences", body.preferences.as_deref(), domain::NOTES_MAX),
        notes: f.optional_text("notes", body.notes.as_deref(), domain::NOTES_MAX),
        id_type: f.optional_value("id_type", body.id_type.as_deref(), IdType::parse),
        id_number: f.optional_value("id_number", body.id_number.as_deref(), IdNumber::parse),
        bank_name: f.optional_line("bank_name", body.bank_name.as_deref(), domain::SHORT_TEXT_MAX),
        bank_account: f.optional_value("bank_account", body.bank_account.as_deref(), BankAccount::parse),
    };
    if f.is_clean() {
        f.merge(fields.check_consistency(today));
    }
    f.finish()?;
    Ok((fields, Ownership { owner_id: body.owner_id, team_id: body.team_id.map(Some) }, refs))
}

fn parse_patch(body: UpdateCustomer) -> Result<(CustomerPatch, Ownership, ExternalIdsPatch), ApiError> {
    let mut f = Check::default();
    let refs = check_refs(&mut f, body.external_ids.iter().flatten().map(|(system, id)| (system, id.as_ref())));
    let tags = match &body.tags {
        Some(tags) => domain::parse_tags(tags).map_err(|e| f.0.0.extend(e.0)).ok(),
        None => None,
    };
    let custom_fields = match &body.custom_fields {
        Some(fields) => domain::parse_custom_fields(fields).map_err(|e| f.0.0.extend(e.0)).ok(),
        None => None,
    };
    let patch = CustomerPatch {
        kind: body.kind.as_deref().and_then(|k| f.optional_value("kind", Some(k), CustomerKind::parse)),
        name: body.name.as_deref().and_then(|n| f.text("name", n, domain::NAME_MAX)),
        industry: f.line_change("industry", &body.industry, domain::SHORT_TEXT_MAX),
        size_band: f.value_change("size_band", &body.size_band, SizeBand::parse),
        province: f.line_change("province", &body.province, domain::SHORT_TEXT_MAX),
        city: f.line_change("city", &body.city, domain::SHORT_TEXT_MAX),
        district: f.line_change("district", &body.district, domain::SHORT_TEXT_MAX),
        address: f.line_change("address", &body.address, domain::ADDRESS_MAX),
        phone: f.value_change("phone", &body.phone, Phone::parse),
        email: f.value_change("email", &body.email, Email::parse),
        website: f.value_change("website", &body.website, WebsiteUrl::parse),
        credit_code: f.value_change("credit_code", &body.credit_code, CreditCode::parse),
        source_channel: f.value_change("source_channel", &body.source_channel, SourceChannel::parse),
        lifecycle_stage: body.lifecycle_stage.as_deref().and_then(|s| f.optional_value("lifecycle_stage", Some(s), LifecycleStage::parse)),
        value_tier: f.value_change("value_tier", &body.value_tier, ValueTier::parse),
        tags,
        custom_fields,
        gender: f.value_change("gender", &body.gender, Gender::parse),
        birthday: f.date_change("birthday", &body.birthday),
        preferences: f.text_change("preferences", &body.preferences, domain::NOTES_MAX),
        notes: f.text_change("notes", &body.notes, domain::NOTES_MAX),
        id_type: f.value_change("id_type", &body.id_type, IdType::parse),
        id_number: f.value_change("id_number", &body.id_number, IdNumber::parse),
        bank_name: f.line_change("bank_name", &body.bank_name, domain::SHORT_TEXT_MAX),
        bank_account: f.value_change("bank_account", &body.bank_account, BankAccount::parse),
    };
    if body.kind.as_deref().is_some_and(|k| k.trim().is_empty()) {
        f.fail("kind", TextError::Empty);
    }
    if body.lifecycle_stage.as_deref().is_some_and(|s| s.trim().is_empty()) {
        f.fail("lifecycle_stage", TextError::Empty);
    }
    f.finish()?;
    Ok((patch, Ownership { owner_id: body.owner_id, team_id: body.team_id }, refs))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerListParams {
    /// Searches names and credit codes of the customer and its contacts' names by fragment; a
    /// whole phone number or email finds the customer whose own or whose contact's it is.
    pub q: Option<String>,
    /// A whole identity document number (spaces and hyphens ignored): the customers holding it,
    /// found through its blind index.
    pub id_number: Option<String>,
    /// One or more stages, comma-separated: `prospect,customer`.
    pub lifecycle_stage: Option<String>,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub industry: Option<String>,
    /// Matches province, city or district.
    pub region: Option<String>,
    pub tag: Option<String>,
    /// One or more of `a,b,c`.
    pub value_tier: Option<String>,
    /// `YYYY-MM-DD` (from the start of that day in the organisation's time zone, `time_zone` of
    /// `/auth/me`) or RFC 3339; inclusive.
    pub created_at_from: Option<String>,
    /// `YYYY-MM-DD` (that whole day of the organisation included) or RFC 3339 (exclusive).
    pub created_at_to: Option<String>,
    /// `YYYY-MM-DD` (from the start of that day in the organisation's time zone, `time_zone` of
    /// `/auth/me`) or RFC 3339; inclusive.
    pub updated_at_from: Option<String>,
    /// `YYYY-MM-DD` (that whole day of the organisation included) or RFC 3339 (exclusive).
    pub updated_at_to: Option<String>,
    /// `-created_at` (default), `created_at`, `-updated_at`, `updated_at`, `name`, `-name`, or
    /// `cf.<key>`/`-cf.<key>` for a custom field.
    pub sort: Option<String>,
}

/// An `id_number` filter: a whole document number, normalised as stored (400 otherwise).
pub(crate) fn parse_id_number(value: Option<&str>) -> Result<Option<IdNumber>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => {
            IdNumber::parse(text).map(Some).map_err(|error| ApiError::bad_parameter("id_number", crm_domain::error::HasCode::text(&error)))
        }
    }
}

impl CustomerListParams {
    /// The filter, reading date-only bounds as days of the organisation (`time_zone`).
    fn to_filter(&self, time_zone: chrono_tz::Tz, custom: CustomFieldQuery) -> Result<CustomerFilter, ApiError> {
        Ok(CustomerFilter {
            q: crate::http::search_query(&self.q)?,
            id_number: parse_id_number(self.id_number.as_deref())?,
            lifecycle_stages: parse_list("lifecycle_stage", self.lifecycle_stage.as_deref(), LifecycleStage::parse)?,
            owner_id: parse_uuid("owner_id", self.owner_id.as_deref())?,
            team_id: parse_uuid("team_id", self.team_id.as_deref())?,
            industry: non_blank(&self.industry),
            region: non_blank(&self.region),
            tag: crate::http::tag_filter(&self.tag)?,
            value_tiers: parse_list("value_tier", self.value_tier.as_deref(), ValueTier::parse)?,
            created_from: parse_time_bound("created_at_from", self.created_at_from.as_deref(), false, time_zone)?,
            created_to: parse_time_bound("created_at_to", self.created_at_to.as_deref(), true, time_zone)?,
            updated_from: parse_time_bound("updated_at_from", self.updated_at_from.as_deref(), false, time_zone)?,
            updated_to: parse_time_bound("updated_at_to", self.updated_at_to.as_deref(), true, time_zone)?,
            custom,
            sort: non_blank(&self.sort),
        })
    }
}

/// Create a customer
#[utoipa::path(tag = "customers", request_body = CreateCustomer, params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 h")), responses(
    (status = 201, description = "Created", body = CustomerDto, headers(("Location" = String), ("ETag" = String))),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The role may not create customers (for this owner)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`customer.credit_code_taken` or `customer.id_number_taken`: a live customer already has this credit code or identity document number; `existing_id` names it", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/customers")]
pub async fn create_customer(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateCustomer>,
) -> Result<HttpResponse, ApiError> {
    let (fields, ownership, refs) = parse_create(body.into_inner(), state.db.today())?;
    let customer = store::create(&state.db, &principal, fields, ownership, &refs).await?;
    let location = format!("/api/v1/customers/{}", customer.id);
    let version = customer.version;
    Ok(created(&shown_one(&state.db, &principal, ENTITY, CustomerDto::from(customer)).await?, location, version))
}

/// List customers
///
/// Keyset-paginated; every filter and sort is served by an index. Custom fields filter as
/// `cf.<key>=value` (several values comma-separated: any of them), `cf.<key>_from`/`_to` for
/// numbers, money and dates, and sort as `sort=cf.<key>` or `-cf.<key>` (see `/custom-fields`).
#[utoipa::path(tag = "customers", params(CustomerListParams, PageParams), responses(
    (status = 200, description = "A page of customers", body = PageDto<CustomerDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The role may not read customers", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers")]
pub async fn list_customers(
    state: State,
    principal: Principal,
    params: web::Query<CustomerListParams>,
    page: web::Query<PageParams>,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = params.to_filter(state.time_zone, custom.0)?;
    let page = store::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(personal_data::page(&state.db, &principal, ENTITY, page, CustomerDto::from).await?))
}

/// The customer recycle bin
#[utoipa::path(tag = "customers", params(PageParams), responses(
    (status = 200, description = "Deleted customers, most recent first", body = PageDto<CustomerDto>),
    (status = 403, description = "The role may not delete customers", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/recycle-bin")]
pub async fn list_deleted_customers(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = store::list_deleted(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(personal_data::page(&state.db, &principal, ENTITY, page, CustomerDto::from).await?))
}

/// Export customers as ndjson, CSV or XLSX
///
/// Every customer the list with the same filters and sort returns, to the caller's scope, streamed
/// in pages of 500 as they are read (constant memory at any size). `format=ndjson` (default)
/// writes one `CustomerDto` per line (`application/x-ndjson`); `format=csv` writes RFC 4180 CSV in
/// UTF-8 with a byte order mark (so Excel opens Chinese text correctly), a header row of the
/// `CustomerDto` fields, nested values as JSON text, and text cells starting with `=`, `+`, `-` or `@`
/// prefixed with `'` (no formula runs in a spreadsheet); `format=xlsx` writes an Excel workbook
/// (bold, frozen header row; text always as text cells). `columns` chooses the CSV/XLSX columns.
/// Each export is recorded in the audit log (action `export`).
#[utoipa::path(tag = "customers", params(CustomerListParams, crate::export::ExportParams), responses(crate::export::ExportResponses), security(("bearer" = [])))]
#[get("/customers/export")]
pub async fn export_customers(
    state: State,
    principal: Principal,
    params: web::Query<CustomerListParams>,
    export: crate::export::ExportRequest,
    custom: CustomFieldParams,
) -> Result<HttpResponse, ApiError> {
    let filter = params.to_filter(state.time_zone, custom.0)?;
    crate::export::list_export(
        state,
        principal,
        filter,
        export,
        crate::export::Exported { file_stem: "customers", kind: ENTITY },
        store::list,
        CustomerDto::from,
    )
    .await
}

/// Get a customer
#[utoipa::path(tag = "customers", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The customer", body = CustomerDto, headers(("ETag" = String))),
    (status = 400, description = "Invalid id", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent, deleted or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/{id}")]
pub async fn get_customer(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let customer = store::get(&state.db, &principal, id.into_inner()).await?;
    let version = customer.version;
    Ok(ok_with_etag(&shown_one(&state.db, &principal, ENTITY, CustomerDto::from(customer)).await?, version))
}

/// Change a customer (JSON merge patch)
#[utoipa::path(tag = "customers", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "The ETag you read; 412 if stale")), request_body = UpdateCustomer, responses(
    (status = 200, description = "Changed", body = CustomerDto, headers(("ETag" = String))),
    (status = 403, description = "Readable but not changeable by you, or the new owner is outside your scope", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent, deleted or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The lifecycle does not allow this stage move; or `customer.credit_code_taken`: a live customer already has this credit code, and `existing_id` names it", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/customers/{id}")]
pub async fn update_customer(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateCustomer>,
) -> Result<HttpResponse, ApiError> {
    let (patch, ownership, refs) = parse_patch(body.into_inner())?;
    let customer = store::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch, ownership, &refs).await?;
    let version = customer.version;
    Ok(ok_with_etag(&shown_one(&state.db, &principal, ENTITY, CustomerDto::from(customer)).await?, version))
}

/// Move a customer to the recycle bin
#[utoipa::path(tag = "customers", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "In the recycle bin"),
    (status = 403, description = "Not deletable by you", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent, deleted or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/customers/{id}")]
pub async fn delete_customer(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    store::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore a customer from the recycle bin
#[utoipa::path(tag = "customers", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Restored", body = CustomerDto, headers(("ETag" = String))),
    (status = 404, description = "Not in the recycle bin, or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`customer.credit_code_taken`: a live customer took its credit code meanwhile; `existing_id` names it", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/customers/{id}/restore")]
pub async fn restore_customer(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let customer = store::restore(&state.db, &principal, id.into_inner()).await?;
    let version = customer.version;
    Ok(ok_with_etag(&shown_one(&state.db, &principal, ENTITY, CustomerDto::from(customer)).await?, version))
}

/// A customer that may be the same as another (查重).
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDuplicateDto {
    pub id: Uuid,
    pub name: String,
    pub city: Option<String>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    /// Why: `phone`, `email`, `credit_code` (the same value, the customer's own or a live
    /// contact's), `name` (a very similar name in the same city).
    pub reasons: Vec<String>,
    /// How alike the names read, 0–1.
    pub similarity: f64,
}

impl From<crm_persistence::customers::duplicates::Candidate> for CustomerDuplicateDto {
    fn from(c: crm_persistence::customers::duplicates::Candidate) -> Self {
        Self {
            id: c.id,
            name: c.name,
            city: c.city,
            owner_id: c.owner_id,
            owner_name: c.owner_name,
            reasons: c.reasons.into_iter().map(str::to_owned).collect(),
            similarity: c.similarity,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDuplicatesDto {
    /// Most likely first: shared phones, emails and credit codes, then similar names; at most 20.
    pub duplicate_candidates: Vec<CustomerDuplicateDto>,
}

/// What a customer being entered says about itself, for the duplicate check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateCheck {
    pub name: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub credit_code: Option<String>,
    /// The customer being edited, left out of its own candidates.
    pub exclude_id: Option<Uuid>,
}

/// Check a customer being entered for duplicates (查重)
///
/// Customers you may read with the same phone or email (their own or a live contact's), the same
/// 统一社会信用代码, or a very similar name in the same city (character bigrams of the name without
/// its legal form and opening place name). For the form to show before saving; a value that does
/// not parse is left out of the check rather than refused.
#[utoipa::path(tag = "customers", request_body = DuplicateCheck, responses(
    (status = 200, description = "Candidates, most likely first", body = CustomerDuplicatesDto),
    (status = 403, description = "The role may not read customers", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/customers/duplicate-check")]
pub async fn check_duplicates(
    state: State,
    principal: Principal,
    body: crate::http::Json<DuplicateCheck>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let text = |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let probe = crm_persistence::customers::duplicates::Probe {
        name: text(&body.name).filter(|n| n.chars().count() <= crm_domain::customers::NAME_MAX),
        province: text(&body.province),
        city: text(&body.city),
        phone: body.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
        email: body.email.as_deref().and_then(|e| Email::parse(e).ok()),
        credit_code: body.credit_code.as_deref().and_then(|c| CreditCode::parse(c).ok()),
    };
    let found = crm_persistence::customers::duplicates::candidates(&state.db, &principal, &probe, body.exclude_id).await?;
    Ok(HttpResponse::Ok().json(CustomerDuplicatesDto { duplicate_candidates: found.into_iter().map(CustomerDuplicateDto::from).collect() }))
}

/// Duplicate candidates of a customer
#[utoipa::path(tag = "customers", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Candidates, most likely first", body = CustomerDuplicatesDto),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/{id}/duplicates")]
pub async fn customer_duplicates(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let found = crm_persistence::customers::duplicates::of_customer(&state.db, &principal, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(CustomerDuplicatesDto { duplicate_candidates: found.into_iter().map(CustomerDuplicateDto::from).collect() }))
}

/// One group of customers that are likely the same.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDuplicateGroupDto {
    /// 1 for a shared phone or email; otherwise how alike the names read (0–1).
    pub score: f64,
    /// `phone`, `email`, `name`.
    pub reasons: Vec<String>,
    pub members: Vec<CustomerDuplicateDto>,
}

/// Likely duplicates across the database (查重)
///
/// Groups of customers you may read that share a phone or an email, or whose names read alike in
/// the same city, strongest first. Merge them with `POST /customers/{id}/merge`.
#[utoipa::path(tag = "customers", params(PageParams), responses(
    (status = 200, description = "A page of groups", body = PageDto<CustomerDuplicateGroupDto>),
    (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The role may not read customers", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/duplicates")]
pub async fn list_duplicate_groups(state: State, principal: Principal, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = crm_persistence::customers::duplicates::groups(&state.db, &principal, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, |g| CustomerDuplicateGroupDto {
        score: g.score,
        reasons: g.reasons.into_iter().map(str::to_owned).collect(),
        members: g.members.into_iter().map(CustomerDuplicateDto::from).collect(),
    })))
}

/// Merge another customer into this one (查重合并).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeCustomer {
    /// The duplicate: it goes to the recycle bin, pointing at this customer (`merged_into_id`).
    pub other_id: Uuid,
    /// Which record each field's value comes from: `survivor` or `other`, by field name (`name`,
    /// `city`, `phone`, `owner`, `id_number` with its type, `bank_account` with its bank,
    /// `custom_fields.<key>`, …). Unnamed fields keep this customer's value, and take the
    /// other's where this one has none; tags are the union of both.
    #[serde(default)]
    pub field_choices: std::collections::BTreeMap<String, crm_domain::customers::merge::MergeSide>,
    /// Compute what would happen and write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a merge did, or would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResultDto {
    /// This customer after the merge (as it would be, for a dry run).
    #[schema(value_type = CustomerDto)]
    pub survivor: Value,
    pub merged_id: Uuid,
    /// How many records of each kind moved (would move) here: contacts, interactions, tasks,
    /// opportunities, orders, tickets, consents, portal_accounts, requirement_requests,
    /// timeline_items.
    pub moved: std::collections::BTreeMap<String, u64>,
    /// Fields whose value came from the other customer.
    pub taken_from_other: Vec<String>,
    /// The other's external ids left with it because this customer has one in the same system.
    pub kept_external_ids: std::collections::BTreeMap<String, String>,
    pub dry_run: bool,
}

/// Merge a duplicate into this customer
///
/// One transaction: this customer takes the chosen values and the other's tags and external ids;
/// every contact, interaction, task, opportunity, order and ticket of the other moves here as
/// its next version (each with its audit entry and `<kind>.updated` event), with its consents,
/// portal accounts, requirement requests and timeline; purchase figures are recomputed; the
/// other goes to the recycle bin (`customer.deleted`) and this change is `customer.merged`.
/// Needs update rights on this customer and delete rights on the other.
#[utoipa::path(tag = "customers", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "This customer's version as previewed")), request_body = MergeCustomer, responses(
    (status = 200, description = "Merged (or, with `dry_run`, what would be)", body = MergeResultDto),
    (status = 412, description = "This customer changed since the version in `If-Match`", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The role may not change this customer or delete the other", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "This customer is absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`customer.merge_kind_mismatch`: a company and an individual; `customer.credit_code_taken`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`other_id` unknown or the same; an unknown field choice", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/customers/{id}/merge")]
pub async fn merge_customer(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<MergeCustomer>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let request = crm_persistence::customers::merge::MergeRequest {
        other_id: body.other_id,
        choices: body.field_choices,
        dry_run: body.dry_run,
        expected_version: if_match(&req)?,
    };
    let outcome = crm_persistence::customers::merge::merge(&state.db, &principal, id.into_inner(), request).await?;
    let survivor = shown_one(&state.db, &principal, ENTITY, CustomerDto::from(outcome.survivor)).await?;
    Ok(HttpResponse::Ok().json(MergeResultDto {
        survivor,
        merged_id: outcome.merged_id,
        moved: outcome.moved.into_iter().map(|(kind, n)| (kind.to_owned(), n)).collect(),
        taken_from_other: outcome.taken_from_other,
        kept_external_ids: outcome.kept_external_ids,
        dry_run: outcome.dry_run,
    }))
}

/// Show a customer's personal data in clear
///
/// The customer with its phone, email, address and birthday in clear, for someone whose `pii`
/// scope reaches it. Every call is a sensitive read in the audit log (`reveal`: who, which
/// fields, when, from which address), also when nothing was masked.
#[utoipa::path(tag = "customers", responses(
    (status = 200, description = "The customer in clear", body = CustomerDto, headers(("ETag" = String))),
    (status = 403, description = "The role's `pii` scope does not reach this customer", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/customers/{id}/reveal")]
pub async fn reveal_customer(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let customer = store::get(&state.db, &principal, id.into_inner()).await?;
    let (id, version) = (customer.id, customer.version);
    Ok(ok_with_etag(&personal_data::reveal(&state.db, &principal, ENTITY, id, CustomerDto::from(customer)).await?, version))
}

fn upserted(customer: CustomerRecord) -> Upserted<CustomerDto> {
    Upserted { id: customer.id, version: customer.version, body: CustomerDto::from(customer) }
}

/// Create or update a customer by its id in another system
///
/// With no live customer holding `{system}:{external_id}`, the body is a new customer
/// (`CreateCustomer`) and gets this reference: 201. Otherwise it is a merge patch of that customer
/// (`UpdateCustomer`, fields not sent stay as they are): 200, honouring `If-Match`. Two requests
/// racing to create one reference make one customer.
#[utoipa::path(tag = "customers", params(
    ("system" = String, Path, description = "The other system's name: lowercase letters, digits, `_`, `-`, `.`", example = "erp"),
    ("external_id" = String, Path, description = "The customer's id there", example = "C-1001"),
    ("If-Match" = Option<String>, Header, description = "On update, the ETag you read; 412 if stale, or if no customer has this id"),
), request_body = CreateCustomer, responses(
    (status = 200, description = "Updated", body = CustomerDto, headers(("ETag" = String))),
    (status = 201, description = "Created", body = CustomerDto, headers(("Location" = String), ("ETag" = String))),
    (status = 400, description = "Malformed JSON or path", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The role may not create or change this customer", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "The customer holding this id is outside your scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`external_id.taken` (another of the body's ids is held; `existing_id`), `customer.credit_code_taken`, or a stage move the lifecycle refuses", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match (`stale_version`), or If-Match for an id no customer has (`external_id.absent`)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, or `external_ids` contradicting the path", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/customers/external/{system}/{external_id}")]
pub async fn upsert_customer(state: State, principal: Principal, upsert: UpsertRequest) -> Result<HttpResponse, ApiError> {
    let (created, done) = upsert_by_reference(&state, &principal, upsert.parse()?).await?;
    let done = done.map_body(async |body| shown_one(&state.db, &principal, ENTITY, body).await).await?;
    Ok(crate::external::answer((created, done), "customers"))
}

/// An upsert of the customer `reference` names, from a single request or a batch item.
async fn upsert_by_reference(state: &State, principal: &Principal, upsert: Upsert) -> Result<(bool, Upserted<CustomerDto>), ApiError> {
    let reference = &upsert.reference;
    let (db, today) = (&state.db, state.db.today());
    crate::external::upsert_record(
        upsert.document,
        upsert.if_match,
        async || Ok(store::holder_of(db, reference).await?),
        async |body: CreateCustomer| {
            let (fields, ownership, refs) = parse_create(body, today)?;
            Ok(upserted(store::create(db, principal, fields, ownership, &refs_for_upsert(refs, reference)?).await?))
        },
        async |id, body: UpdateCustomer, version| {
            let (patch, ownership, refs) = parse_patch(body)?;
            Ok(upserted(store::update(db, principal, id, version, patch, ownership, &refs_for_upsert(refs, reference)?).await?))
        },
    )
    .await
}

/// One customer item of a batch, with its contacts in the same transaction.
async fn write_batch_item(state: &State, principal: &Principal, mut item: BatchItem) -> Result<Written, ApiError> {
    let db = &state.db;
    let contacts = item.contacts.take();
    let mut written = match item.op {
        BatchOp::Create => {
            let (fields, ownership, refs) = parse_create(from_document(item.body)?, db.today())?;
            let customer = store::create(db, principal, fields, ownership, &refs).await?;
            Written::new(true, customer.id, customer.version)
        }
        BatchOp::Update => {
            let (patch, ownership, refs) = parse_patch(from_document(item.body)?)?;
            let customer = store::update(db, principal, item.id.ok_or_else(missing_id)?, item.if_match, patch, ownership, &refs).await?;
            Written::new(false, customer.id, customer.version)
        }
        BatchOp::Upsert => Written::from(upsert_by_reference(state, principal, Upsert::of_item(item)?).await?),
    };
    if let Some(people) = contacts {
        let mut results = Vec::with_capacity(people.len());
        for (index, person) in people.into_iter().enumerate() {
            let outcome = contacts::write_nested(state, principal, written.id, person).await;
            let failed = outcome.is_err();
            results.push(crate::batch::result_of(index, outcome));
            if failed {
                // The customer and its contacts are one item: a contact refused undoes it all.
                return Err(crate::batch::nested_failed("contacts", results));
            }
        }
        written.contacts = Some(results);
    }
    Ok(written)
}

/// Create, update or upsert up to 1,000 customers with their contacts
///
/// Each item is `{op: create|update|upsert, body, id?, if_match?, system?, external_id?,
/// contacts?}`: `body` is what `POST /customers` (create, or an upsert that creates) or
/// `PATCH /customers/{id}` (update, or an upsert that updates) takes; `contacts` are
/// `CreateContact` bodies written with the customer in one transaction (a contact with
/// `external_ids` is upserted under it by the first). One result per item, with the status and
/// problem a single request would get; `?atomic=true` keeps all or nothing.
#[utoipa::path(tag = "customers", params(BatchParams, ("Idempotency-Key" = Option<String>, Header)), request_body = BatchRequest, responses(
    (status = 200, description = "One result per item", body = BatchResponse),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body larger than 16 times a single request's limit", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "No items, more than 1,000, or not a batch", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/customers/batch")]
pub async fn batch_customers(state: State, principal: Principal, batch: Batch) -> Result<HttpResponse, ApiError> {
    let ahead = async |documents: &[Value]| ahead::write_ahead(&state, &principal, documents).await;
    batch
        .run_ahead(&state, ahead, async |item: BatchItem| {
            item.allow_only(true, false, false)?;
            if item.contacts.as_ref().is_some_and(|people| !people.is_empty()) {
                state.db.all_or_nothing(async || write_batch_item(&state, &principal, item).await).await
            } else {
                write_batch_item(&state, &principal, item).await
            }
        })
        .await
}

/// Get a customer by its id in another system
#[utoipa::path(tag = "customers", params(
    ("system" = String, Path, example = "erp"),
    ("external_id" = String, Path, example = "C-1001"),
), responses(
    (status = 200, description = "The customer", body = CustomerDto, headers(("ETag" = String))),
    (status = 400, description = "Invalid system or id", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No live customer has this id, or it is outside your scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/external/{system}/{external_id}")]
pub async fn get_customer_by_external_id(
    state: State,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let reference = crate::external::path_reference(&path)?;
    let id = store::holder_of(&state.db, &reference).await?.ok_or(ApiError::NotFound)?;
    let customer = store::get(&state.db, &principal, id).await?;
    let version = customer.version;
    Ok(ok_with_etag(&shown_one(&state.db, &principal, ENTITY, CustomerDto::from(customer)).await?, version))
}

/// One change of lifecycle stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageChangeDto {
    pub id: Uuid,
    pub customer_id: Uuid,
    /// `null` for the stage the customer was created in.
    pub from_stage: Option<LifecycleStage>,
    pub to_stage: LifecycleStage,
    pub changed_by: Option<Uuid>,
    pub changed_by_name: Option<String>,
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

impl From<StageChange> for StageChangeDto {
    fn from(s: StageChange) -> Self {
        Self {
            id: s.id,
            customer_id: s.customer_id,
            from_stage: s.from_stage,
            to_stage: s.to_stage,
            changed_by: s.changed_by,
            changed_by_name: s.changed_by_name,
            changed_at: s.changed_at,
        }
    }
}

/// A customer's lifecycle stage history, newest first
#[utoipa::path(tag = "customers", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Stage changes", body = PageDto<StageChangeDto>),
    (status = 404, description = "Absent, deleted or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/customers/{id}/stage-history")]
pub async fn customer_stage_history(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = store::stage_history(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, StageChangeDto::from)))
}

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(batch_customers)
        .service(bulk::bulk_customers)
        .service(list_deleted_customers)
        .service(list_duplicate_groups)
        .service(check_duplicates)
        .service(list_customers)
        .service(export_customers)
        .service(create_customer)
        .service(get_customer)
        .service(update_customer)
        .service(delete_customer)
        .service(restore_customer)
        .service(merge_customer)
        .service(customer_duplicates)
        .service(reveal_customer)
        .service(customer_stage_history)
        .service(upsert_customer)
        .service(get_customer_by_external_id)
        .service(contacts::batch_contacts)
        .service(contacts::list_contacts)
        .service(contacts::create_contact)
        .service(contacts::list_deleted_contacts)
        .service(contacts::list_all_contacts)
        .service(contacts::export_contacts)
        .service(contacts::get_contact)
        .service(contacts::update_contact)
        .service(contacts::delete_contact)
        .service(contacts::restore_contact)
        .service(contacts::merge_contact)
        .service(contacts::reveal_contact)
        .service(contacts::upsert_customer_contact)
        .service(contacts::upsert_contact_by_external_id)
        .service(contacts::get_contact_by_external_id);
}
