//! Merging a duplicate customer into its survivor (查重合并). In one transaction:
//! - the survivor takes the chosen values ([`crm_domain::customers::merge::merged_fields`]),
//!   the union of both records' tags, and the other's external ids for systems it has none in;
//! - every record of the other moves to the survivor as its next version, each with its audit
//!   entry and `<kind>.updated` event: contacts, interactions, tasks, opportunities, orders,
//!   tickets; consents, portal accounts, requirement requests and timeline items follow;
//! - the survivor's purchase figures and last interaction are recomputed from what it now has;
//! - the other goes to the recycle bin pointing at the survivor (`merged_into_id`), told as
//!   `customer.deleted`, and the survivor's change as `customer.merged`.
//!
//! A dry run computes the same and writes nothing.

use std::collections::{BTreeMap, HashSet};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::customers::LifecycleStage;
use crm_domain::customers::merge::{MergeSide, check_choices, merged_fields};
use crm_domain::identity::{Action, Resource};
use crm_domain::platform::custom_fields::CustomEntity;
use crm_domain::text;

use super::contacts as contact_store;
use super::store::{self, CustomerRecord, fields_of, load_for, to_record, write_fields};
use crate::entities::{
    consents, contacts, customers, external_refs, interactions, opportunities, orders, portal_accounts, requirement_requesters, tasks,
    tickets, timeline_items,
};
use crate::identity::names::Names;
use crate::identity::teams::primary_team;
use crate::personal_data::Sealer;
use crate::platform::changes::{self, Change, save_next_version};
use crate::platform::custom_fields;
use crate::{Actor, Db, Error, Result, now};

const ENTITY: &str = "customer";

/// Moves the rows of entity module `$entity` whose `$column` is `$from` to `$to`, each as its next
/// version with its audit entry and event (`$change(before, after)`); `$records` reads the rows
/// named `$rows` as the records the feed carries. Evaluates to how many moved.
macro_rules! move_records {
    ($conn:expr, $actor:expr, $entity:ident . $column:ident, $from:expr, $to:expr, |$rows:ident| $records:expr, $change:expr) => {{
        use $entity::Column as C;
        let $rows = $entity::Entity::find().filter(C::$column.eq($from)).all($conn).await?;
        let before = $records;
        let ids = rehome::<$entity::Entity>($conn, C::$column, C::Id, C::Version, C::UpdatedAt, $from, $to).await?;
        let $rows = $entity::Entity::find().filter(C::Id.is_in(ids)).all($conn).await?;
        let after = $records;
        changes::record_all($conn, $actor, moved_changes(&before, &after, |r| r.id, $change)).await?;
        after.len() as u64
    }};
}

/// What a merge asks for.
#[derive(Debug, Clone)]
pub struct MergeRequest {
    pub other_id: Uuid,
    pub choices: BTreeMap<String, MergeSide>,
    pub dry_run: bool,
    /// The survivor's version the caller saw (`If-Match`), so that a merge confirmed after a
    /// preview does not overwrite an edit made in between.
    pub expected_version: Option<i32>,
}

/// What a merge did (or, dry, would do).
#[derive(Debug, Clone, Serialize)]
pub struct MergeOutcome {
    /// The survivor as it is after the merge (as it would be, for a dry run).
    pub survivor: CustomerRecord,
    pub merged_id: Uuid,
    /// How many records of each kind moved (would move) to the survivor.
    pub moved: BTreeMap<&'static str, u64>,
    /// The survivor's fields whose value came from the other record.
    pub taken_from_other: Vec<String>,
    /// The other's external ids left behind because the survivor has one in the same system.
    pub kept_external_ids: BTreeMap<String, String>,
    pub dry_run: bool,
}

fn other_missing() -> Error {
    Error::validation("other_id", "not_found", text!("no customer with this id that you may merge", "没有可合并的此 id 客户"))
}

#[tracing::instrument(skip_all)]
pub async fn merge(db: &Db, actor: &Actor, survivor_id: Uuid, request: MergeRequest) -> Result<MergeOutcome> {
    check_choices(&request.choices)?;
    if request.other_id == survivor_id {
        return Err(Error::validation("other_id", "invalid", text!("a customer cannot be merged into itself", "客户不能合并到自身")));
    }
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    lock_in_order(&txn, survivor_id, request.other_id).await?;
    let survivor = load_for(&txn, actor, Resource::Customers, Action::Update, survivor_id, false).await?;
    crate::check_version(request.expected_version, survivor.version)?;
    let other = load_for(&txn, actor, Resource::Customers, Action::Delete, request.other_id, false).await.map_err(|error| match error {
        Error::NotFound => other_missing(),
        other => other,
    })?;
    let (mine, theirs) = (fields_of(&survivor, &sealer)?, fields_of(&other, &sealer)?);
    if mine.kind != theirs.kind {
        return Err(Error::conflict(
            "customer.merge_kind_mismatch",
            text!("a company and an individual cannot be merged", "企业客户与个人客户不能合并"),
        ));
    }
    let (mut merged, mut taken) = merged_fields(&mine, &theirs, &request.choices);
    let rules = custom_fields::rules(db, CustomEntity::Customers).await?;
    settle_taken(&rules, &mine.custom_fields, &mut merged.custom_fields, &mut taken, &request.choices)?;
    let (owner_id, team_id) = match request.choices.get("owner") {
        Some(MergeSide::Other) => (other.owner_id, other.team_id),
        _ => (survivor.owner_id, survivor.team_id),
    };
    let scope = actor.require(Resource::Customers, Action::Update)?;
    if !actor.reaches(scope, owner_id, team_id) {
        return Err(Error::Forbidden(text!(
            "your role may not hand the customer to that owner or team",
            "您的角色不能把客户转给该负责人或团队"
        )));
    }
    let before = to_record(Names::Within(&txn), survivor.clone(), &sealer).await?;
    let their_refs = crate::external_refs::of_record(&txn, ENTITY, other.id).await?;
    let (moving_refs, kept_refs): (Vec<_>, Vec<_>) = their_refs.iter().partition(|(system, _)| !before.external_ids.contains_key(*system));
    let kept_external_ids: BTreeMap<String, String> = kept_refs.into_iter().map(|(s, id)| (s.clone(), id.clone())).collect();

    if request.dry_run {
        let moved = counts(&txn, other.id).await?;
        let mut preview = before.clone();
        preview.fields = merged;
        preview.owner_id = owner_id;
        preview.team_id = team_id;
        preview.external_ids.extend(moving_refs.into_iter().map(|(s, id)| (s.clone(), id.clone())));
        txn.rollback().await?;
        return Ok(MergeOutcome {
            survivor: preview,
            merged_id: other.id,
            moved,
            taken_from_other: taken,
            kept_external_ids,
            dry_run: true,
        });
    }

    // The other leaves first: its unique values (credit code, external ids) are then free for
    // the survivor to take.
    let other_before = sealer.sealed_record(ENTITY, other.id, &to_record(Names::Within(&txn), other.clone(), &sealer).await?);
    let mut binned: customers::ActiveModel = other.clone().into();
    binned.merged_into_id = Set(Some(survivor_id));
    let binned = changes::move_to_bin(&txn, actor, ENTITY, other.id, binned, &other_before).await?;
    let systems: Vec<String> = moving_refs.iter().map(|(system, _)| (*system).clone()).collect();
    if !systems.is_empty() {
        external_refs::Entity::update_many()
            .col_expr(external_refs::Column::EntityId, Expr::value(survivor_id))
            .filter(external_refs::Column::EntityType.eq(ENTITY))
            .filter(external_refs::Column::EntityId.eq(other.id))
            .filter(external_refs::Column::System.is_in(systems))
            .exec(&txn)
            .await?;
    }
    crate::external_refs::follow_bin(&txn, ENTITY, other.id, binned.deleted_at).await?;
    super::duplicates::refresh_name_grams(&txn, other.id).await?;

    let mut moved = BTreeMap::new();
    moved.insert("contacts", move_contacts(&txn, actor, &sealer, other.id, survivor_id).await?);
    let (from, to) = (other.id, survivor_id);
    use crate::activities::interactions::to_records as interaction_records;
    use crate::activities::tasks::to_records as task_records;
    use crate::sales::opportunities::to_records as opportunity_records;
    use crate::service::tickets::to_records as ticket_records;
    let moved_interactions =
        move_records!(&txn, actor, interactions.CustomerId, from, to, |rows| interaction_records(&txn, rows).await?, |b, a| {
            Change::updated("interaction", a.id, b, a)
        });
    moved.insert("interactions", moved_interactions);
    let moved_tasks =
        move_records!(&txn, actor, tasks.CustomerId, from, to, |rows| task_records(&txn, rows).await?, |b, a| Change::updated(
            "task", a.id, b, a
        ));
    moved.insert("tasks", moved_tasks);
    let moved_opportunities = move_records!(
        &txn,
        actor,
        opportunities.CustomerId,
        from,
        to,
        |rows| opportunity_records(&txn, Names::Within(&txn), rows).await?,
        |b, a| Change::updated("opportunity", a.id, b, a)
    );
    moved.insert("opportunities", moved_opportunities);
    let moved_orders =
        move_records!(&txn, actor, orders.CustomerId, from, to, |rows| order_records(&txn, rows).await?, |b, a| Change::updated(
            "order", a.id, b, a
        ));
    moved.insert("orders", moved_orders);
    let moved_tickets = move_records!(&txn, actor, tickets.CustomerId, from, to, |rows| ticket_records(&txn, rows).await?, |b, a| {
        Change::updated("ticket", a.id, b, a)
    });
    moved.insert("tickets", moved_tickets);
    moved.insert("consents", move_consents(&txn, ENTITY, other.id, survivor_id).await?);
    // The other's contacts' consents (they moved with their contacts) are read under the survivor.
    consents::Entity::update_many()
        .col_expr(consents::Column::CustomerId, Expr::value(survivor_id))
        .filter(consents::Column::CustomerId.eq(other.id))
        .exec(&txn)
        .await?;
    // Tasks about the other customer are about the survivor now (they moved with it).
    tasks::Entity::update_many()
        .col_expr(tasks::Column::RelatedId, Expr::value(survivor_id))
        .filter(tasks::Column::RelatedType.eq(ENTITY))
        .filter(tasks::Column::RelatedId.eq(other.id))
        .exec(&txn)
        .await?;
    moved.insert(
        "portal_accounts",
        follow(&txn, portal_accounts::Entity, portal_accounts::Column::CustomerId, other.id, survivor_id, None).await?,
    );
    moved.insert("requirement_requests", move_requests(&txn, other.id, survivor_id).await?);
    moved.insert(
        "timeline_items",
        follow(&txn, timeline_items::Entity, timeline_items::Column::CustomerId, other.id, survivor_id, None).await?,
    );

    // The survivor: chosen values, tags, figures from what it now has.
    if merged.credit_code != mine.credit_code {
        store::refuse_taken_credit_code(&txn, merged.credit_code.as_ref().map(|c| c.as_str()), survivor_id).await?;
    }
    if merged.id_number != mine.id_number {
        store::refuse_taken_id_number(&txn, &sealer, merged.id_number.as_ref(), survivor_id).await?;
    }
    let figures = crate::sales::orders::purchase_figures(&txn, survivor_id, db.time_zone()).await?;
    // The other's confirmed orders are the survivor's now: it is a customer (成交客户) as a
    // confirmation would have made it, unless the stage was chosen.
    if figures.order_count > 0
        && !request.choices.contains_key("lifecycle_stage")
        && merged.lifecycle_stage != LifecycleStage::Customer
        && merged.lifecycle_stage.can_move_to(LifecycleStage::Customer)
    {
        merged.lifecycle_stage = LifecycleStage::Customer;
    }
    let stage_moved = merged.lifecycle_stage != mine.lifecycle_stage;
    if stage_moved {
        store::record_stage(&txn, actor, survivor_id, Some(mine.lifecycle_stage), merged.lifecycle_stage).await?;
    }
    let mut model: customers::ActiveModel = survivor.clone().into();
    write_fields(&mut model, survivor_id, &merged, &sealer);
    model.owner_id = Set(owner_id);
    model.team_id = Set(if owner_id == survivor.owner_id { team_id } else { team_id.or(primary_team(&txn, owner_id).await?) });
    model.first_order_at = Set(figures.first_order_at);
    model.last_order_at = Set(figures.last_order_at);
    model.order_count = Set(figures.order_count);
    model.total_spend_minor = Set(figures.total_spend_minor);
    save_next_version(&txn, model).await?;
    if merged.tags != mine.tags {
        store::replace_tags(&txn, survivor_id, &merged.tags).await?;
    }
    crate::activities::interactions::refresh_last_interaction(&txn, survivor_id).await?;
    store::refresh_search_text(&txn, survivor_id).await?;
    super::duplicates::refresh_name_grams(&txn, survivor_id).await?;
    let after =
        to_record(Names::Within(&txn), customers::Entity::find_by_id(survivor_id).one(&txn).await?.ok_or(Error::NotFound)?, &sealer)
            .await?;
    let audit = json!({ "merged_id": other.id, "moved": moved, "taken_from_other": taken, "kept_external_ids": kept_external_ids });
    let mut change = Change::told(ENTITY, survivor_id, "merge", "customer.merged", audit.clone(), Some(&before), &after)
        .leaving_out(&["owner_name", "team_name"])
        .detailing(audit)
        .sealed(&sealer);
    if stage_moved {
        change = change.also_told_as("customer.stage_changed");
    }
    let outcome =
        MergeOutcome { survivor: after.clone(), merged_id: other.id, moved, taken_from_other: taken, kept_external_ids, dry_run: false };
    changes::commit(txn, actor, change, outcome).await
}

/// Checks the custom field values a merge takes from the other record against today's
/// definitions: a value chosen by the client must fit (422 otherwise); one taken by default (the
/// survivor had none) is carried only when its field is in use and accepts it — a retired
/// field's, a legacy key's or an outdated value stays with the other record.
fn settle_taken(
    rules: &[crm_domain::platform::custom_fields::FieldRule],
    mine: &serde_json::Map<String, Value>,
    merged: &mut serde_json::Map<String, Value>,
    taken: &mut Vec<String>,
    choices: &BTreeMap<String, MergeSide>,
) -> Result<()> {
    let mut chosen = serde_json::Map::new();
    let keys: Vec<String> = merged.keys().filter(|key| mine.get(*key) != merged.get(*key)).cloned().collect();
    for key in keys {
        let name = format!("custom_fields.{key}");
        let value = merged.get(&key).cloned().unwrap_or(Value::Null);
        if choices.contains_key(&name) {
            chosen.insert(key, value);
            continue;
        }
        let fits = rules
            .iter()
            .find(|rule| rule.key == key)
            .is_some_and(|rule| !rule.retired && crm_domain::platform::custom_fields::check_value(rule, &value).is_ok());
        if !fits {
            match mine.get(&key) {
                Some(kept) => merged.insert(key.clone(), kept.clone()),
                None => merged.remove(&key),
            };
            taken.retain(|field| *field != name);
        }
    }
    if !chosen.is_empty() {
        *merged = crm_domain::platform::custom_fields::settle(rules, merged, &chosen, false)?;
    }
    Ok(())
}

/// Locks both customers' rows in id order (PostgreSQL; SQLite's write transaction is already
/// alone): two merges of the same customers wait for each other instead of reading figures the
/// other is about to change, and never deadlock.
async fn lock_in_order(conn: &impl ConnectionTrait, a: Uuid, b: Uuid) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        customers::Entity::find()
            .select_only()
            .column(customers::Column::Id)
            .filter(customers::Column::Id.is_in([a, b]))
            .order_by_asc(customers::Column::Id)
            .lock_exclusive()
            .into_tuple::<Uuid>()
            .all(conn)
            .await?;
    }
    Ok(())
}

/// How many records of each kind the other customer has (a dry run's answer).
async fn counts(conn: &impl ConnectionTrait, other: Uuid) -> Result<BTreeMap<&'static str, u64>> {
    let mut counts = BTreeMap::new();
    counts.insert("contacts", contacts::Entity::find().filter(contacts::Column::CustomerId.eq(other)).count(conn).await?);
    counts.insert("interactions", interactions::Entity::find().filter(interactions::Column::CustomerId.eq(other)).count(conn).await?);
    counts.insert("tasks", tasks::Entity::find().filter(tasks::Column::CustomerId.eq(other)).count(conn).await?);
    counts.insert("opportunities", opportunities::Entity::find().filter(opportunities::Column::CustomerId.eq(other)).count(conn).await?);
    counts.insert("orders", orders::Entity::find().filter(orders::Column::CustomerId.eq(other)).count(conn).await?);
    counts.insert("tickets", tickets::Entity::find().filter(tickets::Column::CustomerId.eq(other)).count(conn).await?);
    counts.insert(
        "consents",
        consents::Entity::find()
            .filter(consents::Column::SubjectType.eq(ENTITY))
            .filter(consents::Column::SubjectId.eq(other))
            .count(conn)
            .await?,
    );
    counts.insert(
        "portal_accounts",
        portal_accounts::Entity::find().filter(portal_accounts::Column::CustomerId.eq(other)).count(conn).await?,
    );
    counts.insert(
        "requirement_requests",
        requirement_requesters::Entity::find().filter(requirement_requesters::Column::CustomerId.eq(other)).count(conn).await?,
    );
    counts.insert("timeline_items", timeline_items::Entity::find().filter(timeline_items::Column::CustomerId.eq(other)).count(conn).await?);
    Ok(counts)
}

/// Points the rows of `entity` at the survivor without a version of their own: records that
/// hang off the customer and are told through it (consents by subject, portal accounts, the
/// timeline).
async fn follow<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    _entity: E,
    column: E::Column,
    from: Uuid,
    to: Uuid,
    kind: Option<(E::Column, &str)>,
) -> Result<u64> {
    let mut update = E::update_many().col_expr(column, Expr::value(to)).filter(column.eq(from));
    if let Some((kind_column, kind)) = kind {
        update = update.filter(kind_column.eq(kind));
    }
    Ok(update.exec(conn).await?.rows_affected)
}

/// Moves the consents of subject `from` (a customer or contact) to `to`, except those in force
/// for a purpose `to` already has in force (one consent in force per subject and purpose): they
/// stay with the merged record. Returns how many moved.
async fn move_consents(conn: &impl ConnectionTrait, subject_type: &str, from: Uuid, to: Uuid) -> Result<u64> {
    use consents::Column as C;
    let held: Vec<String> = consents::Entity::find()
        .select_only()
        .column(C::Purpose)
        .filter(C::SubjectType.eq(subject_type))
        .filter(C::SubjectId.eq(to))
        .filter(C::Status.eq("given"))
        .into_tuple()
        .all(conn)
        .await?;
    let mut update = consents::Entity::update_many()
        .col_expr(C::SubjectId, Expr::value(to))
        .filter(C::SubjectType.eq(subject_type))
        .filter(C::SubjectId.eq(from));
    if !held.is_empty() {
        update = update.filter(sea_orm::Condition::any().add(C::Status.ne("given")).add(C::Purpose.is_not_in(held)));
    }
    Ok(update.exec(conn).await?.rows_affected)
}

/// A customer asks for a requirement once: where both did, the survivor's request stays and the
/// other's stays with the merged record.
async fn move_requests(conn: &impl ConnectionTrait, from: Uuid, to: Uuid) -> Result<u64> {
    use requirement_requesters::Column as C;
    let theirs: HashSet<Uuid> = requirement_requesters::Entity::find()
        .select_only()
        .column(C::RequirementId)
        .filter(C::CustomerId.eq(to))
        .into_tuple()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut update = requirement_requesters::Entity::update_many().col_expr(C::CustomerId, Expr::value(to)).filter(C::CustomerId.eq(from));
    if !theirs.is_empty() {
        update = update.filter(C::RequirementId.is_not_in(theirs));
    }
    Ok(update.exec(conn).await?.rows_affected)
}

/// The ids of `entity`'s rows of customer `from`, then the same rows pointed at `to` as their next
/// version (every such record is versioned).
async fn rehome<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    customer: E::Column,
    id: E::Column,
    version: E::Column,
    updated_at: E::Column,
    from: Uuid,
    to: Uuid,
) -> Result<Vec<Uuid>> {
    let ids: Vec<Uuid> = E::find().select_only().column(id).filter(customer.eq(from)).into_tuple().all(conn).await?;
    if !ids.is_empty() {
        E::update_many()
            .col_expr(customer, Expr::value(to))
            .col_expr(version, Expr::col(version).add(1))
            .col_expr(updated_at, Expr::value(now()))
            .filter(customer.eq(from))
            .exec(conn)
            .await?;
    }
    Ok(ids)
}

/// The change of each moved record (`change(before, after)`), matching its states by id.
fn moved_changes<'a, R>(
    before: &'a [R],
    after: &'a [R],
    id: impl Fn(&R) -> Uuid,
    change: impl Fn(&'a R, &'a R) -> Change<'a>,
) -> Vec<Change<'a>> {
    let before: std::collections::HashMap<Uuid, &R> = before.iter().map(|r| (id(r), r)).collect();
    after.iter().filter_map(|a| before.get(&id(a)).map(|b| change(b, a))).collect()
}

async fn move_contacts(conn: &impl ConnectionTrait, actor: &Actor, sealer: &Sealer, from: Uuid, to: Uuid) -> Result<u64> {
    use contacts::Column as C;
    let rows = contacts::Entity::find().filter(C::CustomerId.eq(from)).all(conn).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let before = contact_store::to_records(conn, rows, sealer).await?;
    let ids = rehome::<contacts::Entity>(conn, C::CustomerId, C::Id, C::Version, C::UpdatedAt, from, to).await?;
    // One primary contact per customer: the survivor's stays.
    let survivor_has_primary = contacts::Entity::find()
        .filter(C::CustomerId.eq(to))
        .filter(C::IsPrimary.eq(true))
        .filter(C::Id.is_not_in(ids.clone()))
        .filter(C::DeletedAt.is_null())
        .count(conn)
        .await?
        > 0;
    if survivor_has_primary {
        contacts::Entity::update_many().col_expr(C::IsPrimary, Expr::value(false)).filter(C::Id.is_in(ids.clone())).exec(conn).await?;
    }
    let after = contact_store::to_records(conn, contacts::Entity::find().filter(C::Id.is_in(ids)).all(conn).await?, sealer).await?;
    let changes = moved_changes(&before, &after, |r| r.id, |b, a| Change::updated("contact", a.id, b, a).sealed(sealer));
    changes::record_all(conn, actor, changes).await?;
    Ok(after.len() as u64)
}

/// The orders of `rows` as records (one by one: an order reads its lines and names).
async fn order_records(conn: &impl ConnectionTrait, rows: Vec<orders::Model>) -> Result<Vec<crate::sales::orders::OrderRecord>> {
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        records.push(crate::sales::orders::to_record(conn, row).await?);
    }
    Ok(records)
}

/// What a contact merge did (or, dry, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ContactMergeOutcome {
    pub survivor: contact_store::ContactRecord,
    pub merged_id: Uuid,
    pub moved: BTreeMap<&'static str, u64>,
    pub taken_from_other: Vec<String>,
    pub kept_external_ids: BTreeMap<String, String>,
    pub dry_run: bool,
}

/// Merges a duplicate contact into its survivor, both of the same customer: the survivor takes
/// the chosen values (and is the primary contact if either was); interactions, opportunities
/// and tickets naming the other move to it as their next versions (audited, told as
/// `<kind>.updated`), with its consents, its portal account (when the survivor has none) and its
/// external ids in systems the survivor has none in; the other goes to the recycle bin pointing
/// at the survivor (`contact.deleted`), and the survivor's change is `contact.merged`.
#[tracing::instrument(skip_all)]
pub async fn merge_contacts(db: &Db, actor: &Actor, survivor_id: Uuid, request: MergeRequest) -> Result<ContactMergeOutcome> {
    use crm_domain::customers::merge::{check_contact_choices, merged_contact_fields};
    const CONTACT: &str = "contact";
    check_contact_choices(&request.choices)?;
    if request.other_id == survivor_id {
        return Err(Error::validation("other_id", "invalid", text!("a contact cannot be merged into itself", "联系人不能合并到自身")));
    }
    let sealer = db.sealer().await?;
    let txn = db.begin_write().await?;
    let survivor = contact_store::load(&txn, actor, Action::Update, survivor_id, false).await?;
    crate::check_version(request.expected_version, survivor.version)?;
    let other = contact_store::load(&txn, actor, Action::Delete, request.other_id, false).await.map_err(|error| match error {
        Error::NotFound => {
            Error::validation("other_id", "not_found", text!("no contact with this id that you may merge", "没有可合并的此 id 联系人"))
        }
        other => other,
    })?;
    if other.customer_id != survivor.customer_id {
        return Err(Error::conflict(
            "contact.merge_other_customer",
            text!("only contacts of the same customer can be merged; merge the customers first", "只能合并同一客户的联系人，请先合并客户"),
        ));
    }
    let before = contact_store::to_record(&txn, survivor.clone(), &sealer).await?;
    let theirs = contact_store::to_record(&txn, other.clone(), &sealer).await?;
    let (mut merged, mut taken) = merged_contact_fields(&before.fields, &theirs.fields, &request.choices);
    let rules = custom_fields::rules(db, CustomEntity::Contacts).await?;
    settle_taken(&rules, &before.fields.custom_fields, &mut merged.custom_fields, &mut taken, &request.choices)?;
    merged.check_consistency()?;
    let (moving_refs, kept_refs): (Vec<_>, Vec<_>) =
        theirs.external_ids.iter().partition(|(system, _)| !before.external_ids.contains_key(*system));
    let kept_external_ids: BTreeMap<String, String> = kept_refs.into_iter().map(|(s, id)| (s.clone(), id.clone())).collect();
    let survivor_portal = portal_accounts::Entity::find().filter(portal_accounts::Column::ContactId.eq(survivor_id)).count(&txn).await? > 0;

    if request.dry_run {
        let mut moved = BTreeMap::new();
        moved.insert("interactions", interactions::Entity::find().filter(interactions::Column::ContactId.eq(other.id)).count(&txn).await?);
        moved.insert(
            "opportunities",
            opportunities::Entity::find().filter(opportunities::Column::ContactId.eq(other.id)).count(&txn).await?,
        );
        moved.insert("tickets", tickets::Entity::find().filter(tickets::Column::ContactId.eq(other.id)).count(&txn).await?);
        moved.insert(
            "consents",
            consents::Entity::find()
                .filter(consents::Column::SubjectType.eq(CONTACT))
                .filter(consents::Column::SubjectId.eq(other.id))
                .count(&txn)
                .await?,
        );
        let portal = if survivor_portal {
            0
        } else {
            portal_accounts::Entity::find().filter(portal_accounts::Column::ContactId.eq(other.id)).count(&txn).await?
        };
        moved.insert("portal_accounts", portal);
        let mut preview = before.clone();
        preview.fields = merged;
        preview.external_ids.extend(moving_refs.into_iter().map(|(s, id)| (s.clone(), id.clone())));
        txn.rollback().await?;
        return Ok(ContactMergeOutcome {
            survivor: preview,
            merged_id: other.id,
            moved,
            taken_from_other: taken,
            kept_external_ids,
            dry_run: true,
        });
    }

    let other_before = sealer.sealed_record(CONTACT, other.id, &theirs);
    let mut binned: contacts::ActiveModel = other.clone().into();
    binned.merged_into_id = Set(Some(survivor_id));
    binned.is_primary = Set(false);
    let binned = changes::move_to_bin(&txn, actor, CONTACT, other.id, binned, &other_before).await?;
    let systems: Vec<String> = moving_refs.iter().map(|(system, _)| (*system).clone()).collect();
    if !systems.is_empty() {
        external_refs::Entity::update_many()
            .col_expr(external_refs::Column::EntityId, Expr::value(survivor_id))
            .filter(external_refs::Column::EntityType.eq(CONTACT))
            .filter(external_refs::Column::EntityId.eq(other.id))
            .filter(external_refs::Column::System.is_in(systems))
            .exec(&txn)
            .await?;
    }
    crate::external_refs::follow_bin(&txn, CONTACT, other.id, binned.deleted_at).await?;

    let mut moved = BTreeMap::new();
    let (from, to) = (other.id, survivor_id);
    use crate::activities::interactions::to_records as interaction_records;
    use crate::sales::opportunities::to_records as opportunity_records;
    use crate::service::tickets::to_records as ticket_records;
    let moved_interactions =
        move_records!(&txn, actor, interactions.ContactId, from, to, |rows| interaction_records(&txn, rows).await?, |b, a| {
            Change::updated("interaction", a.id, b, a)
        });
    moved.insert("interactions", moved_interactions);
    let moved_opportunities = move_records!(
        &txn,
        actor,
        opportunities.ContactId,
        from,
        to,
        |rows| opportunity_records(&txn, Names::Within(&txn), rows).await?,
        |b, a| Change::updated("opportunity", a.id, b, a)
    );
    moved.insert("opportunities", moved_opportunities);
    let moved_tickets = move_records!(&txn, actor, tickets.ContactId, from, to, |rows| ticket_records(&txn, rows).await?, |b, a| {
        Change::updated("ticket", a.id, b, a)
    });
    moved.insert("tickets", moved_tickets);
    moved.insert("consents", move_consents(&txn, CONTACT, other.id, survivor_id).await?);
    // A person signs in to the portal with one account: the other's moves only when the survivor
    // has none.
    let portal = if survivor_portal {
        0
    } else {
        follow(&txn, portal_accounts::Entity, portal_accounts::Column::ContactId, other.id, survivor_id, None).await?
    };
    moved.insert("portal_accounts", portal);

    let mut model: contacts::ActiveModel = survivor.clone().into();
    contact_store::write_fields(&mut model, survivor_id, &merged, &sealer);
    save_next_version(&txn, model).await?;
    store::refresh_search_text(&txn, survivor.customer_id).await?;
    let after =
        contact_store::to_record(&txn, contacts::Entity::find_by_id(survivor_id).one(&txn).await?.ok_or(Error::NotFound)?, &sealer).await?;
    let audit = json!({ "merged_id": other.id, "moved": moved, "taken_from_other": taken, "kept_external_ids": kept_external_ids });
    let change = Change::told(CONTACT, survivor_id, "merge", "contact.merged", audit.clone(), Some(&before), &after)
        .detailing(audit)
        .sealed(&sealer);
    let outcome = ContactMergeOutcome {
        survivor: after.clone(),
        merged_id: other.id,
        moved,
        taken_from_other: taken,
        kept_external_ids,
        dry_run: false,
    };
    changes::commit(txn, actor, change, outcome).await
}
