//! Sealing the personal fields of a record wherever a JSON document about it holds them: the
//! record itself (its `GET` shape), an event's envelope (`{"record": …, "changed": {field: [old,
//! new]}}`) and an audit entry (`{"after": …}`, `{"before": …}`, `{field: {"old": …, "new": …}}`).
//! Only the fields [`super::masking::sealed_fields`] names are touched, each bound to the field
//! of its table and the record, exactly as the column is: a copy opens as the column does, and
//! a copy moved to another record does not open.

use serde_json::Value;

use super::keys::{KeyError, Keyring};
use super::masking::{sealed_fields, sealed_table};

/// The nested places a document about one record may hold the record, or its changes.
const NESTED: [&str; 4] = ["record", "after", "before", "changed"];

/// Seals, in `document` about the record `record_id` of `entity_type`, every value of a sealed
/// field. The document holds clear values (its callers open it first): each is sealed, even one
/// that looks sealed, since a person may type `enc1:…` into an address.
pub fn seal_document(keys: &Keyring, entity_type: &str, record_id: &str, document: &mut Value) {
    let _: Result<(), KeyError> = visit(entity_type, document, &mut |field, value| {
        *value = keys.seal(field, record_id, value);
        Ok(())
    });
}

/// Opens, in `document`, every sealed value of a sealed field (the reverse of
/// [`seal_document`]). A value that does not open (altered, or sealed under a key this server no
/// longer has) is an error: shown as it is, it would pass for the person's data.
pub fn open_document(keys: &Keyring, entity_type: &str, record_id: &str, document: &mut Value) -> Result<(), KeyError> {
    visit(entity_type, document, &mut |field, value| {
        *value = keys.open(field, record_id, value)?;
        Ok(())
    })
}

/// Whether every value of a sealed field in `document` is sealed: what the one write path checks
/// before it stores a copy of a record, so a change that forgot to seal fails instead of
/// leaving personal data in clear in the feed or the audit log.
pub fn is_sealed(entity_type: &str, document: &Value) -> bool {
    let mut copy = document.clone();
    visit(entity_type, &mut copy, &mut |_, value| if super::keys::is_sealed_value(value) { Ok(()) } else { Err(KeyError::Corrupt) }).is_ok()
}

/// Calls `each` with the key field (`customers.address`) and every string value of a sealed field
/// in `document`, at any of the places the module's summary lists.
fn visit(entity_type: &str, document: &mut Value, each: &mut dyn FnMut(&str, &mut String) -> Result<(), KeyError>) -> Result<(), KeyError> {
    let Some(table) = sealed_table(entity_type) else { return Ok(()) };
    visit_object(table, sealed_fields(entity_type), document, each)
}

fn visit_object(
    table: &str,
    fields: &[&str],
    document: &mut Value,
    each: &mut dyn FnMut(&str, &mut String) -> Result<(), KeyError>,
) -> Result<(), KeyError> {
    let Value::Object(object) = document else { return Ok(()) };
    for field in fields {
        if let Some(value) = object.get_mut(*field) {
            let key = format!("{table}.{field}");
            visit_value(&key, value, each)?;
        }
    }
    for nested in NESTED {
        if let Some(inner) = object.get_mut(nested) {
            visit_object(table, fields, inner, each)?;
        }
    }
    Ok(())
}

/// A field's value: a string, a changed pair `[old, new]` or an audit change `{"old", "new"}`.
fn visit_value(key: &str, value: &mut Value, each: &mut dyn FnMut(&str, &mut String) -> Result<(), KeyError>) -> Result<(), KeyError> {
    match value {
        Value::String(text) => each(key, text),
        Value::Array(pair) => pair.iter_mut().try_for_each(|side| visit_value(key, side, each)),
        Value::Object(change) => {
            for side in ["old", "new"] {
                if let Some(inner) = change.get_mut(side) {
                    visit_value(key, inner, each)?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::privacy::keys::DataKey;

    fn keys() -> Keyring {
        Keyring::new(DataKey::from_secret("a-data-key-of-at-least-32-characters!").unwrap(), Vec::new())
    }

    #[test]
    fn every_place_of_a_sealed_field_is_sealed_and_opens_again() {
        let keys = keys();
        let original = json!({
            "record": { "name": "张三", "address": "上海市浦东新区张江路 100 号", "birthday": "1990-05-01", "phone": null },
            "changed": { "id_number": [null, "11010519491231002X"], "name": ["李四", "张三"] },
            "after": { "bank_account": "6222021234567890123" },
            "address": { "old": "北京市朝阳区建国路 88 号", "new": "上海市浦东新区张江路 100 号" },
        });
        let mut document = original.clone();
        seal_document(&keys, "customer", "c1", &mut document);
        let text = document.to_string();
        for clear in ["张江路", "1990-05-01", "11010519491231002X", "6222021234567890123", "建国路"] {
            assert!(!text.contains(clear), "{clear} in {text}");
        }
        assert_eq!(document["record"]["name"], "张三", "other fields stay");
        assert_eq!(document["changed"]["name"], json!(["李四", "张三"]));
        assert_eq!(document["record"]["phone"], Value::Null);
        let sealed_once = document.clone();
        assert!(is_sealed("customer", &document) && !is_sealed("customer", &original));
        open_document(&keys, "customer", "c1", &mut document).unwrap();
        assert_eq!(document, original);
        let mut moved = sealed_once.clone();
        assert_eq!(open_document(&keys, "customer", "c2", &mut moved), Err(KeyError::Corrupt), "bound to its record");
    }

    #[test]
    fn typed_text_that_looks_sealed_is_sealed_and_reads_back_as_typed() {
        let keys = keys();
        let typed = json!({ "address": "enc1:x", "phone": "enc1:deadbeef:AAAA" });
        let mut document = typed.clone();
        assert!(!is_sealed("customer", &document));
        seal_document(&keys, "customer", "c1", &mut document);
        assert!(is_sealed("customer", &document));
        open_document(&keys, "customer", "c1", &mut document).unwrap();
        assert_eq!(document, typed);
    }

    #[test]
    fn records_without_sealed_fields_are_left_alone() {
        let keys = keys();
        let mut order = json!({ "record": { "address": "上海市浦东新区张江路 100 号" } });
        let before = order.clone();
        seal_document(&keys, "order", "o1", &mut order);
        assert_eq!(order, before);
        let mut contact = json!({ "phone": "+8613812345678", "birthday": "1990-05-01" });
        seal_document(&keys, "contact", "p1", &mut contact);
        assert_eq!(contact["phone"], "+8613812345678", "a contact's phone stays in clear at rest");
        assert_ne!(contact["birthday"], "1990-05-01");
    }
}
