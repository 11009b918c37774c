//! Upserts by external id, `PUT /{resource}/external/{system}/{external_id}`, alike for every
//! resource: the body is read as a create when no live record holds the reference (201) and as a
//! merge patch of the record that does (200), so a sync job sends what its system knows and
//! leaves the CRM's own fields (owner, tags…) as they are.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crm_domain::Check;
use crm_domain::external::{ExternalIdsPatch, ExternalRef};
use crm_domain::text;

use crate::error::ApiError;
use crate::http::from_document;

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
