//! Erasure (删除权): a person is anonymised everywhere, in one transaction that cannot be undone.
//!
//! - Their record keeps its id under a pseudonym (`已匿名-7F3A`) and loses every personal field
//!   ([`anonymise_customer`], [`anonymise_contact`]; a customer's erasure takes its contacts
//!   with it). Orders, opportunities, tickets and the customer's figures stay, under the
//!   pseudonym, so revenue and reports do not change.
//! - Interactions with them lose their personal text; tasks and notifications about them (a
//!   follow-up task names its customer) lose the erased values; portal accounts are deactivated,
//!   their email replaced and their sessions ended; the customer's search text is recomputed.
//! - External references of the erased records are dropped: an id in another system is a link
//!   back to the person there. An integration that upserts the record again creates a new one,
//!   which is a new collection of data that system must justify.
//! - History keeps its shape but not the values: every copy of an erased value in audit entries,
//!   events and timeline items of the person's records is replaced (the name by the pseudonym,
//!   the rest by `[已删除]`), as are stored idempotent responses that held the records.
//! - ONE audit entry (`erase_subject`) tells what was done with counts and field names, never a
//!   value, and `customer.erased` / `contact.erased` / `interaction.updated` events carry the
//!   records as they are now, so feed consumers replace what they hold.
//!
//! A dry run does all the reading and reports the same counts, and writes nothing. A second
//! erasure finds nothing left to change and reports zeros.

use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::identity::Action;
use crm_domain::privacy::SubjectType;
use crm_domain::privacy::erasure::{ERASED_SUBJECT, ERASED_VALUE, pseudonym, scrub, scrub_text};

use super::privacy_subject;
use crate::entities::{
    audit_log, consents, contacts, customers, erasures, events, external_refs, idempotency_keys, interactions, notifications,
    opportunities, orders, portal_accounts, portal_sessions, privacy_requests, tasks, tickets, timeline_items,
};
use crate::identity::names::Names;
use crate::platform::changes::{payload_of, save_next_version};
use crate::{Actor, Db, Error, Result, now};

/// What an erasure changes of one kind of record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErasureChange {
    /// `customer`, `contact`, `interaction`, `task`, `portal_account`, `portal_session`,
    /// `timeline_item`, `external_reference`, `audit_entry`, `event`, `notification`,
    /// `idempotent_response`.
    pub kind: String,
    /// How many records of the kind change.
    pub records: u64,
    /// The fields that change (for the records' own fields).
    pub fields: Vec<String>,
}

/// What an erasure did, or (a dry run) would do.
#[derive(Debug, Clone, Serialize)]
pub struct ErasureReport {
    pub subject_type: SubjectType,
    pub subject_id: Uuid,
    pub dry_run: bool,
    /// The name the person's record carries from now on.
    pub pseudonym: String,
    /// Per kind of record, only the kinds where something changes.
    pub changes: Vec<ErasureChange>,
}

/// Counts per kind, as the report and the audit entry tell them.
#[derive(Default)]
struct Tally(BTreeMap<&'static str, (u64, Vec<String>)>);

impl Tally {
    fn add(&mut self, kind: &'static str, fields: &[&str]) {
        let entry = self.0.entry(kind).or_default();
        entry.0 += 1;
        for field in fields {
            if !entry.1.iter().any(|f| f == field) {
                entry.1.push((*field).to_owned());
            }
        }
    }

    fn add_many(&mut self, kind: &'static str, count: u64) {
        if count > 0 {
            self.0.entry(kind).or_default().0 += count;
        }
    }

    fn changes(self) -> Vec<ErasureChange> {
        self.0.into_iter().map(|(kind, (records, fields))| ErasureChange { kind: kind.to_owned(), records, fields }).collect()
    }
}

/// Sets `field` to `new` when it differs, noting its name in `changed`.
fn clear<T: PartialEq + Clone + Into<sea_orm::Value>>(
    value: &mut sea_orm::ActiveValue<T>,
    current: &T,
    new: T,
    field: &'static str,
    changed: &mut Vec<&'static str>,
) {
    if *current != new {
        *value = Set(new);
        changed.push(field);
    }
}

/// A customer's row without its personal fields: the name becomes the pseudonym; address,
/// phone, email, website, birthday, gender, preferences, notes and custom fields are cleared.
/// The company-level fields (kind, industry, region, tier, stage, tags, credit code of a
/// company) and the purchase figures stay. Returns the row to save and the fields that change
/// (none on a second erasure). Columns added to `customers` that hold personal data (blind
/// indexes, ciphertexts) are cleared here too.
pub(crate) fn anonymise_customer(row: &customers::Model) -> (customers::ActiveModel, Vec<&'static str>) {
    let mut model: customers::ActiveModel = row.clone().into();
    let mut changed = Vec::new();
    clear(&mut model.name, &row.name, pseudonym(row.id), "name", &mut changed);
    clear(&mut model.address, &row.address, None, "address", &mut changed);
    clear(&mut model.phone, &row.phone, None, "phone", &mut changed);
    clear(&mut model.email, &row.email, None, "email", &mut changed);
    clear(&mut model.website, &row.website, None, "website", &mut changed);
    clear(&mut model.birthday, &row.birthday, None, "birthday", &mut changed);
    clear(&mut model.gender, &row.gender, None, "gender", &mut changed);
    clear(&mut model.preferences, &row.preferences, None, "preferences", &mut changed);
    clear(&mut model.notes, &row.notes, None, "notes", &mut changed);
    clear(&mut model.custom_fields, &row.custom_fields, "{}".to_owned(), "custom_fields", &mut changed);
    clear(&mut model.id_type, &row.id_type, None, "id_type", &mut changed);
    clear(&mut model.id_number, &row.id_number, None, "id_number", &mut changed);
    clear(&mut model.bank_name, &row.bank_name, None, "bank_name", &mut changed);
    clear(&mut model.bank_account, &row.bank_account, None, "bank_account", &mut changed);
    // Blind indexes are not fields of the record: cleared without being named.
    let mut quiet = Vec::new();
    for (index, current) in [
        (&mut model.phone_index, &row.phone_index),
        (&mut model.email_index, &row.email_index),
        (&mut model.id_number_index, &row.id_number_index),
    ] {
        clear(index, current, None, "", &mut quiet);
    }
    if row.kind == "individual" {
        clear(&mut model.credit_code, &row.credit_code, None, "credit_code", &mut changed);
    }
    (model, changed)
}

/// A contact's row without its personal fields: the name becomes the pseudonym; title,
/// department, phones, email, WeChat id, birthday and notes are cleared. Whether it is the
/// primary contact stays. Columns added to `contacts` that hold personal data are cleared here.
pub(crate) fn anonymise_contact(row: &contacts::Model) -> (contacts::ActiveModel, Vec<&'static str>) {
    let mut model: contacts::ActiveModel = row.clone().into();
    let mut changed = Vec::new();
    clear(&mut model.name, &row.name, pseudonym(row.id), "name", &mut changed);
    clear(&mut model.title, &row.title, None, "title", &mut changed);
    clear(&mut model.department, &row.department, None, "department", &mut changed);
    clear(&mut model.phone, &row.phone, None, "phone", &mut changed);
    clear(&mut model.mobile, &row.mobile, None, "mobile", &mut changed);
    clear(&mut model.email, &row.email, None, "email", &mut changed);
    clear(&mut model.wechat, &row.wechat, None, "wechat", &mut changed);
    clear(&mut model.birthday, &row.birthday, None, "birthday", &mut changed);
    clear(&mut model.notes, &row.notes, None, "notes", &mut changed);
    clear(&mut model.id_type, &row.id_type, None, "id_type", &mut changed);
    clear(&mut model.id_number, &row.id_number, None, "id_number", &mut changed);
    clear(&mut model.bank_name, &row.bank_name, None, "bank_name", &mut changed);
    clear(&mut model.bank_account, &row.bank_account, None, "bank_account", &mut changed);
    let mut quiet = Vec::new();
    clear(&mut model.id_number_index, &row.id_number_index, None, "", &mut quiet);
    (model, changed)
}

/// An interaction with the person without its personal text: the subject becomes a neutral
/// placeholder, content, outcome and next step are cleared. Channel, direction, time, duration
/// and links stay for the statistics.
pub(crate) fn anonymise_interaction(row: &interactions::Model) -> (interactions::ActiveModel, Vec<&'static str>) {
    let mut model: interactions::ActiveModel = row.clone().into();
    let mut changed = Vec::new();
    clear(&mut model.subject, &row.subject, ERASED_SUBJECT.to_owned(), "subject", &mut changed);
    clear(&mut model.content, &row.content, None, "content", &mut changed);
    clear(&mut model.outcome, &row.outcome, None, "outcome", &mut changed);
    clear(&mut model.next_step, &row.next_step, None, "next_step", &mut changed);
    if !changed.is_empty() {
        model.search_text = Set(ERASED_SUBJECT.to_owned());
    }
    (model, changed)
}

/// One text with the erased values replaced, when it held any.
fn scrubbed(value: &str, scrubbing: &[(String, String)], field: &'static str, changed: &mut Vec<&'static str>) -> Option<String> {
    let clean = scrub_text(value, scrubbing);
    if clean.is_some() {
        changed.push(field);
    }
    clean
}

/// A task about the person (a follow-up task names its customer) with the erased values
/// replaced in its title and description, as written and as stored for rendering.
fn scrub_task(row: &tasks::Model, scrubbing: &[(String, String)]) -> (tasks::ActiveModel, Vec<&'static str>) {
    let mut model: tasks::ActiveModel = row.clone().into();
    let mut changed = Vec::new();
    if let Some(title) = scrubbed(&row.title, scrubbing, "title", &mut changed) {
        model.title = Set(title);
    }
    if let Some(text) = row.description.as_deref().and_then(|d| scrubbed(d, scrubbing, "description", &mut changed)) {
        model.description = Set(Some(text));
    }
    let mut quiet = Vec::new();
    if let Some(text) = row.title_message.as_deref().and_then(|m| scrubbed(m, scrubbing, "title", &mut quiet)) {
        model.title_message = Set(Some(text));
    }
    if let Some(text) = row.description_message.as_deref().and_then(|m| scrubbed(m, scrubbing, "description", &mut quiet)) {
        model.description_message = Set(Some(text));
    }
    if let Some(text) = scrubbed(&row.search_text, scrubbing, "search_text", &mut quiet) {
        model.search_text = Set(text);
    }
    for field in quiet {
        if !changed.contains(&field) && field != "search_text" {
            changed.push(field);
        }
    }
    if changed.is_empty() && model.is_changed() {
        // Only the search text held a value: still a change of the row.
        changed.push("search_text");
    }
    (model, changed)
}

/// A portal account that can no longer be used or tell who it was: deactivated, its email
/// replaced by one that cannot receive mail, its password and invitation gone.
fn anonymise_portal_account(row: &portal_accounts::Model) -> (portal_accounts::ActiveModel, Vec<&'static str>) {
    let mut model: portal_accounts::ActiveModel = row.clone().into();
    let mut changed = Vec::new();
    clear(&mut model.email, &row.email, format!("erased-{}@invalid.invalid", row.id.simple()), "email", &mut changed);
    clear(&mut model.active, &row.active, false, "active", &mut changed);
    clear(&mut model.password_hash, &row.password_hash, None, "password", &mut changed);
    clear(&mut model.invitation_hash, &row.invitation_hash, None, "invitation", &mut changed);
    clear(&mut model.invitation_expires_at, &row.invitation_expires_at, None, "invitation_expires_at", &mut changed);
    (model, changed)
}

/// The values to scrub from history: each personal value of the rows about to be anonymised,
/// with what replaces it.
fn replacements(
    customer: Option<&customers::Model>,
    people: &[contacts::Model],
    talks: &[interactions::Model],
    accounts: &[portal_accounts::Model],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |old: Option<&str>, new: &str| {
        if let Some(old) = old.map(str::trim).filter(|old| !old.is_empty() && *old != new) {
            out.push((old.to_owned(), new.to_owned()));
        }
    };
    // A phone is stored in E.164; people write it in texts as dialled at home (138…, 021…).
    let national = |phone: &Option<String>| phone.as_deref().and_then(crate::query::national_phone);
    if let Some(c) = customer {
        push(Some(&c.name), &pseudonym(c.id));
        push(national(&c.phone).as_deref(), ERASED_VALUE);
        for value in [&c.address, &c.phone, &c.email, &c.website, &c.preferences, &c.notes, &c.birthday, &c.id_number, &c.bank_account] {
            push(value.as_deref(), ERASED_VALUE);
        }
        if c.kind == "individual" {
            push(c.credit_code.as_deref(), ERASED_VALUE);
        }
        // Custom field values that are text.
        if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&c.custom_fields) {
            for value in fields.values() {
                push(value.as_str(), ERASED_VALUE);
            }
        }
    }
    for p in people {
        push(Some(&p.name), &pseudonym(p.id));
        push(national(&p.phone).as_deref(), ERASED_VALUE);
        push(national(&p.mobile).as_deref(), ERASED_VALUE);
        for value in
            [&p.title, &p.department, &p.phone, &p.mobile, &p.email, &p.wechat, &p.notes, &p.birthday, &p.id_number, &p.bank_account]
        {
            push(value.as_deref(), ERASED_VALUE);
        }
    }
    for talk in talks {
        push(Some(&talk.subject), ERASED_SUBJECT);
        for value in [&talk.content, &talk.outcome, &talk.next_step] {
            push(value.as_deref(), ERASED_VALUE);
        }
    }
    for account in accounts {
        push(Some(&account.email), ERASED_VALUE);
    }
    out
}

/// Erases one customer (with its contacts) or one contact, or with `dry_run` reports what that
/// would change and writes nothing.
#[tracing::instrument(skip_all)]
pub async fn erase(db: &Db, actor: &Actor, subject_type: SubjectType, subject_id: Uuid, dry_run: bool) -> Result<ErasureReport> {
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let subject = privacy_subject(&txn, actor, subject_type, subject_id, Action::Delete).await?;
    let whole = subject_type == SubjectType::Customer;
    let customer_id = subject.customer_id;
    let write = !dry_run;
    let mut tally = Tally::default();

    let customer = if whole { customers::Entity::find_by_id(customer_id).one(&txn).await? } else { None };
    let people = if whole {
        contacts::Entity::find().filter(contacts::Column::CustomerId.eq(customer_id)).all(&txn).await?
    } else {
        contacts::Entity::find_by_id(subject_id).all(&txn).await?
    };
    let contact_ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let talks = if whole {
        interactions::Entity::find().filter(interactions::Column::CustomerId.eq(customer_id)).all(&txn).await?
    } else {
        interactions::Entity::find().filter(interactions::Column::ContactId.eq(subject_id)).all(&txn).await?
    };
    let accounts = super::rows_where_in::<portal_accounts::Entity>(&txn, portal_accounts::Column::ContactId, &contact_ids).await?;
    // What is scrubbed from texts is the clear values, which the rows hold sealed.
    let opened_customer = customer.as_ref().map(|row| crate::customers::opened_row(row, &sealer)).transpose()?;
    let opened_people = people.iter().map(|row| crate::customers::contacts::opened_row(row, &sealer)).collect::<Result<Vec<_>>>()?;
    let scrubbing = replacements(opened_customer.as_ref(), &opened_people, &talks, &accounts);
    let at = now();
    let mut told: Vec<(&'static str, &'static str, Uuid, Value)> = Vec::new();

    // The person's own records.
    if let Some(row) = &customer {
        let (model, changed) = anonymise_customer(row);
        if !changed.is_empty() {
            tally.add("customer", &changed);
            if write {
                let saved = save_next_version(&txn, model).await?;
                // The pseudonym is what duplicate checks find from now on.
                crate::customers::duplicates::refresh_name_grams(&txn, saved.id).await?;
                let record = crate::customers::to_records(Names::Within(&txn), vec![saved], &sealer).await?.pop().ok_or(Error::NotFound)?;
                told.push((
                    "customer.erased",
                    "customer",
                    row.id,
                    payload_of(&record, None, Some(json!({ "erased": true, "fields": changed }))),
                ));
            }
        }
    }
    for row in &people {
        let (model, changed) = anonymise_contact(row);
        if !changed.is_empty() {
            tally.add("contact", &changed);
            if write {
                let saved = save_next_version(&txn, model).await?;
                let record = crate::customers::contacts::to_records(&txn, vec![saved], &sealer).await?.pop().ok_or(Error::NotFound)?;
                told.push((
                    "contact.erased",
                    "contact",
                    row.id,
                    payload_of(&record, None, Some(json!({ "erased": true, "fields": changed }))),
                ));
            }
        }
    }
    if write {
        crate::customers::refresh_search_text(&txn, customer_id).await?;
    }
    let mut changed_talks = Vec::new();
    for row in &talks {
        let (model, changed) = anonymise_interaction(row);
        if !changed.is_empty() {
            tally.add("interaction", &changed);
            if write {
                changed_talks.push((save_next_version(&txn, model).await?, changed));
            }
        }
    }
    if !changed_talks.is_empty() {
        let fields: Vec<Vec<&str>> = changed_talks.iter().map(|(_, changed)| changed.clone()).collect();
        let records = crate::activities::interactions::to_records(&txn, changed_talks.into_iter().map(|(row, _)| row).collect()).await?;
        for (record, changed) in records.into_iter().zip(fields) {
            told.push((
                "interaction.updated",
                "interaction",
                record.id,
                payload_of(&record, None, Some(json!({ "erased": true, "fields": changed }))),
            ));
        }
    }
    let task_rows = if whole {
        tasks::Entity::find().filter(tasks::Column::CustomerId.eq(customer_id)).all(&txn).await?
    } else {
        tasks::Entity::find()
            .filter(tasks::Column::RelatedType.eq("contact"))
            .filter(tasks::Column::RelatedId.eq(subject_id))
            .all(&txn)
            .await?
    };
    for row in &task_rows {
        let (model, changed) = scrub_task(row, &scrubbing);
        if !changed.is_empty() {
            tally.add("task", &changed);
            if write {
                save_next_version(&txn, model).await?;
            }
        }
    }
    for row in &accounts {
        let (model, changed) = anonymise_portal_account(row);
        if !changed.is_empty() {
            tally.add("portal_account", &changed);
            if write {
                save_next_version(&txn, model).await?;
            }
        }
    }
    let account_ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
    if !account_ids.is_empty() {
        let live = portal_sessions::Entity::find()
            .filter(portal_sessions::Column::AccountId.is_in(account_ids.clone()))
            .filter(portal_sessions::Column::RevokedAt.is_null());
        tally.add_many("portal_session", live.clone().count(&txn).await?);
        if write {
            portal_sessions::Entity::update_many()
                .col_expr(portal_sessions::Column::RevokedAt, Expr::value(at))
                .filter(portal_sessions::Column::AccountId.is_in(account_ids.clone()))
                .filter(portal_sessions::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?;
        }
    }

    // External references of the erased records are dropped.
    let mut own_ids = contact_ids.clone();
    if whole {
        own_ids.push(customer_id);
    }
    let references = super::rows_where_in::<external_refs::Entity>(&txn, external_refs::Column::EntityId, &own_ids)
        .await?
        .into_iter()
        .filter(|r| r.entity_type == "customer" || r.entity_type == "contact")
        .collect::<Vec<_>>();
    tally.add_many("external_reference", references.len() as u64);
    if write && !references.is_empty() {
        external_refs::Entity::delete_many().filter(external_refs::Column::Id.is_in(references.iter().map(|r| r.id))).exec(&txn).await?;
    }

    // History: the timeline of the customer, audit entries and events of every record about them.
    for item in timeline_items::Entity::find().filter(timeline_items::Column::CustomerId.eq(customer_id)).all(&txn).await? {
        let title = scrub_text(&item.title, &scrubbing);
        let mut summary: Value = serde_json::from_str(&item.summary).unwrap_or(Value::Null);
        let summary_changed = scrub(&mut summary, &scrubbing);
        if title.is_some() || summary_changed {
            tally.add_many("timeline_item", 1);
            if write {
                let mut model: timeline_items::ActiveModel = item.clone().into();
                if let Some(title) = title {
                    model.title = Set(title);
                }
                if summary_changed {
                    model.summary = Set(summary.to_string());
                }
                model.update(&txn).await?;
            }
        }
    }
    let about = records_about(&txn, whole, customer_id, subject_id, &own_ids, &talks, &account_ids).await?;
    for entry in super::rows_where_in::<audit_log::Entity>(&txn, audit_log::Column::EntityId, &about).await? {
        let mut changes: Value = serde_json::from_str(&entry.changes).unwrap_or(Value::Null);
        sealer.open_document(&entry.entity_type, entry.entity_id, &mut changes)?;
        if scrub(&mut changes, &scrubbing) {
            tally.add_many("audit_entry", 1);
            if write {
                sealer.seal_document(&entry.entity_type, entry.entity_id, &mut changes);
                audit_log::Entity::update_many()
                    .col_expr(audit_log::Column::Changes, Expr::value(changes.to_string()))
                    .filter(audit_log::Column::Id.eq(entry.id))
                    .exec(&txn)
                    .await?;
            }
        }
    }
    for event in super::rows_where_in::<events::Entity>(&txn, events::Column::EntityId, &about).await? {
        let mut payload: Value = serde_json::from_str(&event.payload).unwrap_or(Value::Null);
        sealer.open_document(&event.entity_type, event.entity_id, &mut payload)?;
        if scrub(&mut payload, &scrubbing) {
            tally.add_many("event", 1);
            if write {
                sealer.seal_document(&event.entity_type, event.entity_id, &mut payload);
                events::Entity::update_many()
                    .col_expr(events::Column::Payload, Expr::value(payload.to_string()))
                    .filter(events::Column::Seq.eq(event.seq))
                    .exec(&txn)
                    .await?;
            }
        }
    }
    // Notifications about their tasks and tickets name them too.
    for note in super::rows_where_in::<notifications::Entity>(&txn, notifications::Column::EntityId, &about).await? {
        let mut ignored = Vec::new();
        let title = scrubbed(&note.title, &scrubbing, "title", &mut ignored);
        let body = note.body.as_deref().and_then(|b| scrubbed(b, &scrubbing, "body", &mut ignored));
        let title_message = note.title_message.as_deref().and_then(|m| scrubbed(m, &scrubbing, "title", &mut ignored));
        let body_message = note.body_message.as_deref().and_then(|m| scrubbed(m, &scrubbing, "body", &mut ignored));
        if ignored.is_empty() {
            continue;
        }
        tally.add_many("notification", 1);
        if write {
            let mut model: notifications::ActiveModel = note.clone().into();
            if let Some(title) = title {
                model.title = Set(title);
            }
            if body.is_some() {
                model.body = Set(body);
            }
            if title_message.is_some() {
                model.title_message = Set(title_message);
            }
            if body_message.is_some() {
                model.body_message = Set(body_message);
            }
            model.update(&txn).await?;
        }
    }
    // Stored responses of idempotent requests that name the records: emptied, not deleted, so
    // that a retry with one of their keys is still recognised as done (409
    // `idempotency.not_replayable`) instead of running again and writing a second order or task.
    // The responses are kept sealed, so each is opened to be searched: they are kept a day at
    // most, and erasures are rare.
    let naming = crate::platform::idempotency::responses_naming(db, &txn, &own_ids).await?;
    tally.add_many("idempotent_response", naming.len() as u64);
    if write && !naming.is_empty() {
        for chunk in naming.chunks(500) {
            idempotency_keys::Entity::update_many()
                .col_expr(idempotency_keys::Column::ResponseBody, Expr::value(Option::<String>::None))
                .filter(idempotency_keys::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
    }

    let report = ErasureReport { subject_type, subject_id, dry_run, pseudonym: pseudonym(subject_id), changes: tally.changes() };
    if dry_run {
        txn.rollback().await?;
        return Ok(report);
    }
    // The register of erasures, and the one audit entry: counts and field names only.
    let mut registered: Vec<(SubjectType, Uuid)> = people.iter().map(|p| (SubjectType::Contact, p.id)).collect();
    if whole {
        registered.push((SubjectType::Customer, customer_id));
    }
    for (kind, id) in registered {
        let known = erasures::Entity::find()
            .filter(erasures::Column::SubjectType.eq(kind.as_str()))
            .filter(erasures::Column::SubjectId.eq(id))
            .count(&txn)
            .await?;
        if known == 0 {
            erasures::ActiveModel {
                id: Set(Uuid::now_v7()),
                subject_type: Set(kind.as_str().to_owned()),
                subject_id: Set(id),
                customer_id: Set(customer_id),
                erased_at: Set(at),
                erased_by: Set(actor.audit_id()),
            }
            .insert(&txn)
            .await?;
        }
    }
    crate::platform::audit::record(&txn, actor, "erase_subject", subject_type.as_str(), subject_id, json!({ "changes": report.changes }))
        .await?;
    for (event_type, entity, id, mut payload) in told {
        sealer.seal_document(entity, id, &mut payload);
        crate::platform::events::row(actor, event_type, entity, id, &payload).insert(&txn).await?;
    }
    txn.commit().await?;
    Ok(report)
}

/// The ids of every record whose history may hold the person's values: their own records,
/// interactions and portal accounts, and the tickets, opportunities, orders, tasks, consents and
/// requests about them.
async fn records_about(
    conn: &impl ConnectionTrait,
    whole: bool,
    customer_id: Uuid,
    subject_id: Uuid,
    own_ids: &[Uuid],
    talks: &[interactions::Model],
    account_ids: &[Uuid],
) -> Result<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = own_ids.iter().chain(account_ids).copied().collect();
    ids.extend(talks.iter().map(|t| t.id));
    if whole {
        ids.extend(ids_of(conn, tickets::Entity, tickets::Column::Id, tickets::Column::CustomerId, customer_id).await?);
        ids.extend(ids_of(conn, opportunities::Entity, opportunities::Column::Id, opportunities::Column::CustomerId, customer_id).await?);
        ids.extend(ids_of(conn, orders::Entity, orders::Column::Id, orders::Column::CustomerId, customer_id).await?);
        ids.extend(ids_of(conn, tasks::Entity, tasks::Column::Id, tasks::Column::CustomerId, customer_id).await?);
    } else {
        ids.extend(ids_of(conn, tickets::Entity, tickets::Column::Id, tickets::Column::ContactId, subject_id).await?);
        ids.extend(ids_of(conn, opportunities::Entity, opportunities::Column::Id, opportunities::Column::ContactId, subject_id).await?);
    }
    ids.extend(ids_of(conn, consents::Entity, consents::Column::Id, consents::Column::CustomerId, customer_id).await?);
    ids.extend(
        ids_of(conn, privacy_requests::Entity, privacy_requests::Column::Id, privacy_requests::Column::CustomerId, customer_id).await?,
    );
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The ids of the rows of `entity` whose `column` is `value`.
async fn ids_of<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    _entity: E,
    id: E::Column,
    column: E::Column,
    value: Uuid,
) -> Result<Vec<Uuid>> {
    use sea_orm::QuerySelect;
    Ok(E::find().select_only().column(id).filter(column.eq(value)).into_tuple::<Uuid>().all(conn).await?)
}
