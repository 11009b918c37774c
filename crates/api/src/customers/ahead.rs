//! The set-based path of `POST /customers/batch` (see `crm_persistence::customers::batch`): the
//! batch's items read into what that path takes, and what it wrote as the batch's results.

use chrono::NaiveDate;
use serde_json::Value;

use crm_domain::external::ExternalRef;
use crm_persistence::customers::batch::{self as batch_store, ContactItem, CustomerChange, CustomerItem, NewCustomer, Outcome};

use super::contacts::{CreateContact, UpdateContact, parse_contact, parse_contact_patch};
use super::{CreateCustomer, UpdateCustomer, parse_create, parse_patch};
use crate::auth::{Principal, State};
use crate::batch::{BatchItem, BatchOp, BatchResult, Written};
use crate::error::ApiError;
use crate::external::refs_for_upsert;
use crate::http::from_document;

/// The reference a nested contact is upserted by: the first of its `external_ids` (as
/// [`super::contacts::write_nested`] reads it). `Err` when that one is no reference.
fn nested_reference(document: &Value) -> Result<Option<ExternalRef>, ()> {
    let first = document.get("external_ids").and_then(Value::as_object).and_then(|refs| refs.iter().next());
    match first {
        Some((system, id)) => ExternalRef::parse(system, id.as_str().unwrap_or_default()).map(Some).map_err(|_| ()),
        None => Ok(None),
    }
}

/// A contact sent with its customer, read both as a create and as a merge patch (whichever
/// the lookup of its reference calls for), `None` for each that does not parse.
fn contact_item(document: &Value) -> (ContactItem, bool) {
    let Ok(reference) = nested_reference(document) else {
        return (ContactItem { reference: None, create: None, change: None }, false);
    };
    let create = from_document::<CreateContact>(document.clone()).ok().and_then(|body| parse_contact(body).ok());
    let change = match &reference {
        Some(reference) => from_document::<UpdateContact>(document.clone())
            .ok()
            .and_then(|body| parse_contact_patch(body).ok())
            .and_then(|(patch, refs)| Some((patch, refs_for_upsert(refs, reference).ok()?))),
        None => None,
    };
    let parsed = create.is_some() && (reference.is_none() || change.is_some());
    (ContactItem { reference, create, change }, parsed)
}

/// One item of a customers batch as the set-based path takes it. An item it may not write (an
/// update by id, a body or contact that does not parse) is marked `one_by_one` and still gives
/// whatever keys parse, so that no item written ahead of it takes a key it was to take first.
fn customer_item(document: &Value, today: NaiveDate) -> CustomerItem {
    let mut item =
        CustomerItem { reference: None, id: None, if_match: None, create: None, change: None, contacts: Vec::new(), one_by_one: true };
    let Ok(batch_item) = from_document::<BatchItem>(document.clone()) else { return item };
    let mut parsed = batch_item.allow_only(true, false, false).is_ok();
    for person in batch_item.contacts.iter().flatten() {
        let (contact, contact_parsed) = contact_item(person);
        parsed &= contact_parsed;
        item.contacts.push(contact);
    }
    let body = &batch_item.body;
    let create_form = || from_document::<CreateCustomer>(body.clone()).ok().and_then(|body| parse_create(body, today).ok());
    let change_form = || from_document::<UpdateCustomer>(body.clone()).ok().and_then(|body| parse_patch(body).ok());
    match batch_item.op {
        BatchOp::Create => {
            item.create = create_form().map(|(fields, ownership, refs)| NewCustomer { fields, ownership, refs });
            item.one_by_one = !parsed || item.create.is_none();
        }
        BatchOp::Update => {
            item.id = batch_item.id;
            item.change = change_form().map(|(patch, ownership, refs)| CustomerChange { patch, ownership, refs });
        }
        BatchOp::Upsert => {
            let Ok(reference) = batch_item.reference() else { return item };
            item.create = create_form().and_then(|(fields, ownership, refs)| {
                Some(NewCustomer { fields, ownership, refs: refs_for_upsert(refs, &reference).ok()? })
            });
            item.change = change_form().and_then(|(patch, ownership, refs)| {
                Some(CustomerChange { patch, ownership, refs: refs_for_upsert(refs, &reference).ok()? })
            });
            item.if_match = batch_item.if_match;
            item.reference = Some(reference);
            // Which form is needed is known once the reference is looked up; the store leaves
            // the item one by one when that form is missing.
            item.one_by_one = !parsed;
        }
    }
    item
}

/// The results of nested contacts written with their customer.
fn contact_results(status: u16, contacts: Vec<(uuid::Uuid, i32)>) -> Vec<BatchResult> {
    contacts
        .into_iter()
        .enumerate()
        .map(|(index, (id, version))| BatchResult { index, status, id: Some(id), version: Some(version), error: None, contacts: None })
        .collect()
}

/// Writes ahead the items of a customers batch the set-based path can write; `None` for the
/// others, which the batch then writes one by one.
pub async fn write_ahead(state: &State, principal: &Principal, documents: &[Value]) -> Result<Vec<Option<Written>>, ApiError> {
    let today = state.db.today();
    let items: Vec<CustomerItem> = documents.iter().map(|document| customer_item(document, today)).collect();
    if items.iter().all(|item| item.one_by_one) {
        return Ok(items.iter().map(|_| None).collect());
    }
    let outcomes = batch_store::write_many(&state.db, principal, &items).await?;
    let sent_contacts = |index: usize| documents[index].get("contacts").is_some_and(|people| !people.is_null());
    Ok(outcomes
        .into_iter()
        .enumerate()
        .map(|(index, outcome)| {
            let (mut written, contacts) = match outcome {
                Outcome::Created { id, contacts } => {
                    (Written::new(true, id, 1), contact_results(201, contacts.into_iter().map(|id| (id, 1)).collect()))
                }
                Outcome::Unchanged { id, version, contacts } => (Written::new(false, id, version), contact_results(200, contacts)),
                Outcome::OneByOne => return None,
            };
            written.contacts = sent_contacts(index).then_some(contacts);
            Some(written)
        })
        .collect())
}
