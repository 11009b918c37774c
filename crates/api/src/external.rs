//! Upserts by external id, `PUT /{resource}/external/{system}/{external_id}`, alike for every
//! resource: the body is read as a create when no live record holds the reference (201) and as a
//! merge patch of the record that does (200), so a sync job sends what its system knows and
//! leaves the CRM's own fields (owner, tags…) as they are.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crm_domain::Check;
use crm_domain::external::{ExternalIdsPatch, ExternalRef};
use crm_domain::text;

use crate::batch::BatchItem;
use crate::error::ApiError;
use crate::http::{from_document, if_match};

/// The references of an upsert's body with the path's reference added; a body contradicting it
/// is refused (it may not move the record off the id it is upserted by).
pub fn refs_for_upsert(refs: ExternalIdsPatch, reference: &ExternalRef) -> Result<ExternalIdsPatch, ApiError> {
    if refs.contradicts(reference) {
        return Err(ApiError::validation(
            &format!("external_ids.{}", reference.system.as_str()),
            "contradicts_path",
            text!("differs from the external id in the path", "与路径中的外部编号不一致"),
        ));
    }
    Ok(refs.with(reference))
}

/// Checks the `external_ids` of a body into `check`: a create's (`{system: id}`) or a patch's
/// (`null` removes a system's id).
pub fn check_refs<'a>(check: &mut Check, given: impl IntoIterator<Item = (&'a String, Option<&'a String>)>) -> ExternalIdsPatch {
    let given: BTreeMap<String, Option<String>> = given.into_iter().map(|(system, id)| (system.clone(), id.cloned())).collect();
    check.external_ids(&given)
}

/// A record an upsert wrote, with what the response needs.
pub struct Upserted<D> {
    pub body: D,
    pub id: Uuid,
    pub version: i32,
}

impl<D> Upserted<D> {
    /// The same outcome with its body turned into another shape (e.g. what the caller may see).
    pub async fn map_body<E, F>(self, convert: impl AsyncFnOnce(D) -> Result<E, F>) -> Result<Upserted<E>, F> {
        Ok(Upserted { body: convert(self.body).await?, id: self.id, version: self.version })
    }
}

/// Runs an upsert: finds the live record holding the reference, then updates it with the body
/// read as `P` or creates one from the body read as `C`. When another request creates the record
/// between the lookup and the create, the unique index refuses the second one
/// (`external_id.taken`) and the body is applied to the winner instead, so two racing syncs end
/// with one record. `If-Match` is honoured on update; sent for a reference nothing holds it
/// answers 412. The answer says whether the record was created.
pub async fn upsert_record<C, P, D>(
    document: Value,
    if_match: Option<i32>,
    find: impl AsyncFn() -> Result<Option<Uuid>, ApiError>,
    create: impl AsyncFn(C) -> Result<Upserted<D>, ApiError>,
    update: impl AsyncFn(Uuid, P, Option<i32>) -> Result<Upserted<D>, ApiError>,
) -> Result<(bool, Upserted<D>), ApiError>
where
    C: DeserializeOwned,
    P: DeserializeOwned,
{
    if let Some(id) = find().await? {
        return Ok((false, update(id, from_document(document)?, if_match).await?));
    }
    if if_match.is_some() {
        return Err(ApiError::Coded {
            status: StatusCode::PRECONDITION_FAILED,
            code: "external_id.absent",
            detail: text!("If-Match was sent, but no record has this external id", "发送了 If-Match，但没有记录使用此外部编号"),
        });
    }
    let patch_document = document.clone();
    match create(from_document(document)?).await {
        Ok(done) => Ok((true, done)),
        Err(taken @ ApiError::Taken { code: "external_id.taken", .. }) => {
            // Another of the body's references may be the one taken: that is the client's.
            let Some(id) = find().await? else { return Err(taken) };
            Ok((false, update(id, from_document(patch_document)?, None).await?))
        }
        Err(other) => Err(other),
    }
}

/// An upsert: the record other systems know as `reference`, the body to write, and the version
/// the caller expects (`If-Match`), from a single request or a batch item.
pub struct Upsert {
    pub reference: ExternalRef,
    pub if_match: Option<i32>,
    pub document: Value,
}

impl Upsert {
    /// The upsert a batch item asks for.
    pub fn of_item(item: BatchItem) -> Result<Self, ApiError> {
        Ok(Self { reference: item.reference()?, if_match: item.if_match, document: item.body })
    }
}

/// `PUT /{resource}/external/{system}/{external_id}` as its handler takes it: the path and the
/// JSON body (refused as `crate::http::Json` refuses one). The handler reads the [`Upsert`] with
/// [`UpsertRequest::parse`] once the caller is known: a request without credentials answers 401
/// whatever its path.
pub struct UpsertRequest {
    req: HttpRequest,
    path: (String, String),
    document: Value,
}

impl FromRequest for UpsertRequest {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let path = web::Path::<(String, String)>::from_request(req, payload);
        let body = crate::http::Json::<Value>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move { Ok(UpsertRequest { req, path: path.await?.into_inner(), document: body.await?.into_inner() }) })
    }
}

impl UpsertRequest {
    /// The upsert: 400 for a path that names no reference or a malformed `If-Match`.
    pub fn parse(self) -> Result<Upsert, ApiError> {
        let reference = path_reference(&self.path)?;
        Ok(Upsert { reference, if_match: if_match(&self.req)?, document: self.document })
    }
}

/// The reference an upsert's path names: 400 when the system or the id cannot be one.
pub fn path_reference(path: &(String, String)) -> Result<ExternalRef, ApiError> {
    ExternalRef::parse(&path.0, &path.1).map_err(|errors| match errors.0.into_iter().next() {
        Some(first) => ApiError::bad_parameter_error(first),
        None => ApiError::NotFound,
    })
}

/// The checked `external_ids` of a create body.
pub fn new_refs(given: &BTreeMap<String, String>) -> Result<ExternalIdsPatch, ApiError> {
    let mut check = Check::default();
    let refs = check_refs(&mut check, given.iter().map(|(system, id)| (system, Some(id))));
    check.finish()?;
    Ok(refs)
}

/// The checked `external_ids` of a merge-patch body.
pub fn patched_refs(given: &Option<BTreeMap<String, Option<String>>>) -> Result<ExternalIdsPatch, ApiError> {
    let mut check = Check::default();
    let refs = check_refs(&mut check, given.iter().flatten().map(|(system, id)| (system, id.as_ref())));
    check.finish()?;
    Ok(refs)
}

/// A single request's answer to an upsert: 201 with `Location` under `collection` when it
/// created the record, 200 otherwise, with the ETag either way.
pub fn answer<D: serde::Serialize>((created, done): (bool, Upserted<D>), collection: &str) -> actix_web::HttpResponse {
    if created {
        crate::http::created(&done.body, format!("/api/v1/{collection}/{}", done.id), done.version)
    } else {
        crate::http::ok_with_etag(&done.body, done.version)
    }
}
