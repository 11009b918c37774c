//! Personal data in every response: records, lists, exports, the change feed, webhooks and the
//! audit log show phones, emails, WeChat ids, addresses and birthdays in clear only to callers
//! whose `pii` scope reaches the customer they belong to; everyone else reads them masked
//! (`138****5678`), with the masked fields named in the record's `masked`. Masking works on the
//! record's JSON (its `GET` shape), so one rule serves the DTOs and the stored event payloads.

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crm_domain::privacy::masking::{mask, personal_fields};
use crm_persistence::{Actor, Db, Page, personal_data};

use crate::error::ApiError;
use crate::http::PageDto;

/// The customer a record's personal data belongs to, read from its JSON: a customer's own id,
/// or the `customer_id` of a contact or portal account.
fn owning_customer(kind: &str, record: &Value) -> Option<Uuid> {
    let field = if kind == "customer" { "id" } else { "customer_id" };
    record.get(field)?.as_str()?.parse().ok()
}

/// Marks a record shown in clear: nothing in it is masked.
fn mark_clear(record: &mut Value) {
    if let Some(object) = record.as_object_mut() {
        object.insert("masked".into(), Value::Array(Vec::new()));
    }
}

/// Masks the personal fields of one `kind` record in place and names them in `masked`.
pub fn mask_record(kind: &str, record: &mut Value) {
    let Some(object) = record.as_object_mut() else { return };
    let mut masked = Vec::new();
    for (field, personal) in personal_fields(kind) {
        if let Some(value) = object.get_mut(*field)
            && let Some(text) = value.as_str()
        {
            *value = mask(*personal, text).map_or(Value::Null, Value::String);
            masked.push(Value::String((*field).to_owned()));
        }
    }
    object.insert("masked".into(), Value::Array(masked));
}

/// Masks the personal fields of a change map: `{ field: [old, new] }` (events),
/// `{ field: { old, new } }` (audit entries of updates), `{ after: record }` or
/// `{ before: record }` (audit entries of a created or deleted record) or a record itself.
pub fn mask_changes(kind: &str, changes: &mut Value) {
    let Some(object) = changes.as_object_mut() else { return };
    for whole in ["after", "before"] {
        if let Some(record) = object.get_mut(whole) {
            mask_changes(kind, record);
        }
    }
    for (field, personal) in personal_fields(kind) {
        let values: Vec<&mut Value> = match object.get_mut(*field) {
            Some(Value::Array(pair)) => pair.iter_mut().collect(),
            Some(Value::Object(pair)) => pair.values_mut().collect(),
            Some(value) => vec![value],
            None => continue,
        };
        for value in values {
            if let Some(text) = value.as_str() {
                *value = mask(*personal, text).map_or(Value::Null, Value::String);
            }
        }
    }
}

/// The kind [`mask_outside_scope`] takes for audit entries (`AuditEntryDto`).
pub const AUDIT_ENTRIES: &str = "audit_entry";

/// Masks, among `records` (JSON of `kind` records), those whose customer lies outside the
/// caller's `pii` scope. Audit entries ([`AUDIT_ENTRIES`]) name records of every kind, many of
/// them no longer there: their personal fields are masked for everyone whose `pii` scope is not
/// `all` (the log is an administrators' screen).
pub async fn mask_outside_scope(db: &Db, actor: &Actor, kind: &str, records: &mut [Value]) -> Result<(), ApiError> {
    if kind == AUDIT_ENTRIES {
        if personal_data::shown_scope(actor) != crm_domain::identity::Scope::All {
            for entry in records.iter_mut() {
                let entity_type = entry.get("entity_type").and_then(Value::as_str).unwrap_or_default().to_owned();
                if let Some(changes) = entry.get_mut("changes") {
                    mask_changes(&entity_type, changes);
                }
            }
        }
        return Ok(());
    }
    if personal_fields(kind).is_empty() {
        return Ok(());
    }
    let customers: Vec<Uuid> = records.iter().filter_map(|r| owning_customer(kind, r)).collect();
    let clear = personal_data::customers_in_clear(db, actor, &customers).await?;
    for record in records.iter_mut() {
        match owning_customer(kind, record) {
            Some(customer) if clear.contains(&customer) => mark_clear(record),
            _ => mask_record(kind, record),
        }
    }
    Ok(())
}

/// `records` as the caller may see them.
pub async fn shown<T: Serialize>(db: &Db, actor: &Actor, kind: &str, records: Vec<T>) -> Result<Vec<Value>, ApiError> {
    let mut values =
        records.iter().map(serde_json::to_value).collect::<Result<Vec<_>, _>>().map_err(|e| ApiError::Internal(e.to_string()))?;
    mask_outside_scope(db, actor, kind, &mut values).await?;
    Ok(values)
}

/// One record as the caller may see it.
pub async fn shown_one<T: Serialize>(db: &Db, actor: &Actor, kind: &str, record: T) -> Result<Value, ApiError> {
    Ok(shown(db, actor, kind, vec![record]).await?.pop().unwrap_or_default())
}

/// One record in clear for someone whose `pii` scope reaches its customer (403 otherwise),
/// recorded in the audit log as a sensitive read naming the personal fields shown. The caller
/// has already read the record under its own read scope (404 outside it).
pub async fn reveal<T: Serialize>(db: &Db, actor: &Actor, kind: &str, entity_id: Uuid, record: T) -> Result<Value, ApiError> {
    let mut value = serde_json::to_value(record).map_err(|e| ApiError::Internal(e.to_string()))?;
    let customer = owning_customer(kind, &value).ok_or_else(|| ApiError::Internal(format!("a {kind} without its customer")))?;
    personal_data::require_clear(db, actor, customer).await?;
    let shown: Vec<&str> =
        personal_fields(kind).iter().map(|(field, _)| *field).filter(|field| value.get(*field).is_some_and(|v| !v.is_null())).collect();
    personal_data::record_reveal(db, actor, kind, entity_id, &shown).await?;
    mark_clear(&mut value);
    Ok(value)
}

/// A page of a list as the caller may see it.
pub async fn page<R, D: Serialize>(
    db: &Db,
    actor: &Actor,
    kind: &str,
    page: Page<R>,
    convert: impl FnMut(R) -> D,
) -> Result<PageDto<Value>, ApiError> {
    let dtos = PageDto::from_page(page, convert);
    Ok(PageDto { data: shown(db, actor, kind, dtos.data).await?, next_cursor: dtos.next_cursor, total: dtos.total })
}

/// Masks the records and change maps that stored events carry (`payload.record`,
/// `payload.changed`), for a reader of the feed or a webhook's owner.
pub async fn mask_event_payloads<'a>(
    db: &Db,
    actor: &Actor,
    events: impl Iterator<Item = (&'a str, &'a mut Value)>,
) -> Result<(), ApiError> {
    let personal: Vec<(&str, &mut Value)> = events.filter(|(kind, _)| !personal_fields(kind).is_empty()).collect();
    if personal.is_empty() {
        return Ok(());
    }
    let customers: Vec<Uuid> = personal.iter().filter_map(|(kind, payload)| owning_customer(kind, payload.get("record")?)).collect();
    let clear = personal_data::customers_in_clear(db, actor, &customers).await?;
    for (kind, payload) in personal {
        let in_clear = payload.get("record").and_then(|record| owning_customer(kind, record)).is_some_and(|c| clear.contains(&c));
        if !in_clear {
            mask_event_fully(kind, payload);
        } else if let Some(record) = payload.get_mut("record") {
            mark_clear(record);
        }
    }
    Ok(())
}

/// Masks an event's record and change map whoever reads it.
pub fn mask_event_fully(kind: &str, payload: &mut Value) {
    if personal_fields(kind).is_empty() {
        return;
    }
    if let Some(record) = payload.get_mut("record") {
        mask_record(kind, record);
    }
    if let Some(changed) = payload.get_mut("changed") {
        mask_changes(kind, changed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_masked_record_names_what_it_masked() {
        let mut contact = json!({ "id": "x", "phone": "+8613812345678", "mobile": null, "email": "li@acme.cn", "birthday": "1990-01-02", "name": "李四" });
        mask_record("contact", &mut contact);
        assert_eq!(contact["phone"], "138****5678");
        assert_eq!(contact["email"], "l***@acme.cn");
        assert_eq!(contact["birthday"], Value::Null);
        assert_eq!(contact["mobile"], Value::Null);
        assert_eq!(contact["name"], "李四");
        assert_eq!(contact["masked"], json!(["phone", "email", "birthday"]));
    }

    #[test]
    fn changes_are_masked_on_both_sides() {
        let mut audited = json!({ "phone": { "old": "+8613812345678", "new": null } });
        mask_changes("contact", &mut audited);
        assert_eq!(audited, json!({ "phone": { "old": "138****5678", "new": null } }));
        let mut changes = json!({ "email": ["a@x.cn", "b@x.cn"], "name": ["甲", "乙"] });
        mask_changes("customer", &mut changes);
        assert_eq!(changes, json!({ "email": ["a***@x.cn", "b***@x.cn"], "name": ["甲", "乙"] }));
        let mut created = json!({ "after": { "phone": "+8613812345678", "name": "甲" } });
        mask_changes("customer", &mut created);
        assert_eq!(created, json!({ "after": { "phone": "138****5678", "name": "甲" } }));
    }
}
