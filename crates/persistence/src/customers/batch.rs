//! The set-based path of `POST /customers/batch`: the items of a batch that create customers
//! (with their contacts) or upsert customers that have not changed are checked with a few
//! queries for all of them and written with one multi-row statement per table, instead of some
//! thirty statements each. They write exactly the rows a single request writes (the customer, its
//! tags, stage history, timeline items, contacts, external references, audit entries and
//! events), in one transaction.
//!
//! Anything this path cannot decide on its own — a reference or credit code another record
//! holds, an upsert that changes its record, a key two items of the batch share, a role that
//! does not reach the owner — it leaves to be written one by one through the single request's
//! code ([`Outcome::OneByOne`]), which gives the exact answer a single request would. Since no
//! item it writes shares a key with any other item of the batch, writing those first gives the
//! same result as writing every item in order.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, TryIntoModel};
use serde_json::Map;
use uuid::Uuid;

use crm_domain::customers::{ContactFields, ContactPatch, CustomerFields, CustomerPatch};
use crm_domain::external::{ExternalIds, ExternalIdsPatch, ExternalRef};
use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::platform::custom_fields::CustomEntity;

use super::contacts::{self as contact_store, ContactRecord};
use super::store::{self, CustomerRecord, Ownership};
use crate::activities::timeline;
use crate::entities::{contacts, customer_stage_history, customer_tags, customers, external_refs, teams, users};
use crate::identity::teams::primary_team_row;
use crate::platform::changes::{Change, insert_all, record_all};
use crate::platform::custom_fields;
use crate::query::{in_chunks, one_of};
use crate::{Actor, Db, Result, now};

/// The kinds of record this path writes, as the audit log and the feed name them: the stores'
/// own (a unit test holds them equal).
const CUSTOMER: &str = "customer";
const CONTACT: &str = "contact";

/// A customer as a create body gives it.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub fields: CustomerFields,
    pub ownership: Ownership,
    pub refs: ExternalIdsPatch,
}

/// A change of a customer as a merge-patch body gives it.
#[derive(Debug, Clone)]
pub struct CustomerChange {
    pub patch: CustomerPatch,
    pub ownership: Ownership,
    pub refs: ExternalIdsPatch,
}

/// A contact sent with its customer: upserted by `reference` when it has one, created
/// otherwise. `create` and `change` are its body read as a create and as a merge patch, `None`
/// where the body is not one (the single request's code then gives the error).
#[derive(Debug, Clone)]
pub struct ContactItem {
    pub reference: Option<ExternalRef>,
    pub create: Option<(ContactFields, ExternalIdsPatch)>,
    pub change: Option<(ContactPatch, ExternalIdsPatch)>,
}

/// One item of a customers batch, parsed: a create (`reference` absent) or an upsert by
/// `reference`, whose body is read as a create when nothing holds the reference and as a merge
/// patch of the holder otherwise. The references of an upsert's bodies include `reference`.
#[derive(Debug, Clone)]
pub struct CustomerItem {
    pub reference: Option<ExternalRef>,
    /// The customer an update (by id) changes; it is written one by one.
    pub id: Option<Uuid>,
    pub if_match: Option<i32>,
    pub create: Option<NewCustomer>,
    pub change: Option<CustomerChange>,
    pub contacts: Vec<ContactItem>,
    /// An item to be written one by one whatever (an update by id, a body that does not parse):
    /// it is given for the keys it claims, which the items written here may not share.
    pub one_by_one: bool,
}

/// What became of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Created, with its contacts (their ids in the item's order), each at version 1.
    Created { id: Uuid, contacts: Vec<Uuid> },
    /// An upsert that found its customer and its contacts as the item describes them: nothing
    /// written, as a single request would write nothing.
    Unchanged { id: Uuid, version: i32, contacts: Vec<(Uuid, i32)> },
    /// Left to the single request's code.
    OneByOne,
}

/// What an item is, once the references are looked up.
enum Plan<'a> {
    Create(&'a NewCustomer),
    Unchanged(Uuid, &'a CustomerChange),
    OneByOne,
}

/// The keys an item claims: its references and its credit code. Two items claiming one key are
/// left to run one by one, in order.
fn claimed_keys(item: &CustomerItem) -> Vec<String> {
    let mut keys = Vec::new();
    let mut refs = |entity: &str, patch: &ExternalIdsPatch| {
        // A removal (`null`) names no id; the record it is removed from is claimed as touched.
        for (system, id) in patch.0.iter().filter_map(|(system, id)| id.as_ref().map(|id| (system, id))) {
            keys.push(format!("{entity}\u{1f}{}\u{1f}{}", system.as_str(), id.as_str()));
        }
    };
    if let Some(new) = &item.create {
        refs(CUSTOMER, &new.refs);
    }
    if let Some(change) = &item.change {
        refs(CUSTOMER, &change.refs);
    }
    for person in &item.contacts {
        if let Some((_, patch)) = &person.create {
            refs(CONTACT, patch);
        }
        if let Some((_, patch)) = &person.change {
            refs(CONTACT, patch);
        }
        if let Some(reference) = &person.reference {
            refs(CONTACT, &ExternalIdsPatch::setting(reference));
        }
    }
    if let Some(reference) = &item.reference {
        refs(CUSTOMER, &ExternalIdsPatch::setting(reference));
    }
    let credit_codes = [
        item.create.as_ref().and_then(|new| new.fields.credit_code.as_ref()),
        item.change.as_ref().and_then(|change| change.patch.credit_code.as_ref().and_then(Option::as_ref)),
    ];
    keys.extend(credit_codes.into_iter().flatten().map(|code| format!("credit\u{1f}{}", code.as_str())));
    keys.sort();
    keys.dedup();
    keys
}

/// The live holders of the references (system, id) among records of kind `entity`.
async fn holders(
    conn: &impl sea_orm::ConnectionTrait,
    entity: &str,
    wanted: &HashSet<(String, String)>,
) -> Result<HashMap<(String, String), Uuid>> {
    use crate::entities::external_refs::Column as C;
    let ids: Vec<String> = wanted.iter().map(|(_, id)| id.clone()).collect::<HashSet<_>>().into_iter().collect();
    // The systems (a few) bound the lookup by all three columns of the live-reference index:
    // without them PostgreSQL compared every reference of the kind with the whole list (a batch's
    // lookup grew from 3 to 460 ms as the table filled, measured in W8).
    let systems: Vec<&str> = wanted.iter().map(|(system, _)| system.as_str()).collect::<HashSet<_>>().into_iter().collect();
    let rows: Vec<(Uuid, String, String)> = in_chunks(&ids, |chunk| {
        external_refs::Entity::find()
            .select_only()
            .columns([C::EntityId, C::System, C::ExternalId])
            .filter(C::EntityType.eq(entity))
            .filter(C::System.is_in(systems.iter().copied()))
            .filter(one_of(conn.get_database_backend(), (external_refs::Entity, C::ExternalId), chunk.to_vec(), "text"))
            .filter(C::RecordDeletedAt.is_null())
            .into_tuple()
            .all(conn)
    })
    .await?;
    Ok(rows.into_iter().map(|(holder, system, id)| ((system, id), holder)).filter(|(key, _)| wanted.contains(key)).collect())
}

fn uuids(ids: &[Uuid]) -> Vec<String> {
    ids.iter().map(Uuid::to_string).collect()
}

fn pair(reference: &ExternalRef) -> (String, String) {
    (reference.system.as_str().to_owned(), reference.id.as_str().to_owned())
}

fn pairs(patch: &ExternalIdsPatch) -> impl Iterator<Item = (String, String)> + '_ {
    patch.0.iter().filter_map(|(system, id)| id.as_ref().map(|id| (system.as_str().to_owned(), id.as_str().to_owned())))
}

/// The scope the actor has for `action` on `resource`, or `None` when it has none.
fn scope_of(actor: &Actor, resource: Resource, action: Action) -> Option<Scope> {
    actor.require(resource, action).ok()
}

fn reaches(actor: &Actor, scope: Option<Scope>, owner_id: Uuid, team_id: Option<Uuid>) -> bool {
    scope.is_some_and(|scope| actor.reaches(scope, owner_id, team_id))
}

/// Writes the items of a customers batch that can be written set-based (see the module's
/// comment) in one transaction, and says for each what became of it.
#[tracing::instrument(skip_all)]
pub async fn write_many(db: &Db, actor: &Actor, items: &[CustomerItem]) -> Result<Vec<Outcome>> {
    let mut claims: HashMap<String, usize> = HashMap::new();
    let keys: Vec<Vec<String>> = items.iter().map(claimed_keys).collect();
    for key in keys.iter().flatten() {
        *claims.entry(key.clone()).or_default() += 1;
    }
    let shared = |index: usize| keys[index].iter().any(|key| claims.get(key).is_some_and(|n| *n > 1));

    let txn = db.begin_write().await?;
    let mut customer_refs = HashSet::new();
    let mut contact_refs = HashSet::new();
    for item in items {
        customer_refs.extend(item.reference.iter().map(pair));
        customer_refs.extend(item.create.iter().flat_map(|new| pairs(&new.refs)));
        customer_refs.extend(item.change.iter().flat_map(|change| pairs(&change.refs)));
        for person in &item.contacts {
            contact_refs.extend(person.reference.iter().map(pair));
            contact_refs.extend(person.create.iter().flat_map(|(_, refs)| pairs(refs)));
            contact_refs.extend(person.change.iter().flat_map(|(_, refs)| pairs(refs)));
        }
    }
    let customer_holders = holders(&txn, CUSTOMER, &customer_refs).await?;
    let contact_holders = holders(&txn, CONTACT, &contact_refs).await?;

    // The stored records each item changes or upserts: an update's customer, and the holders of
    // the references it and its contacts are upserted by. An upsert is found unchanged ahead of
    // the others only when no other item touches its customer or its contacts: an earlier one
    // might change them first.
    let touched: Vec<HashSet<Uuid>> = items
        .iter()
        .map(|item| {
            let customer = item.reference.as_ref().and_then(|reference| customer_holders.get(&pair(reference)).copied());
            let people =
                item.contacts.iter().filter_map(|person| person.reference.as_ref().and_then(|r| contact_holders.get(&pair(r)).copied()));
            item.id.into_iter().chain(customer).chain(people).collect()
        })
        .collect();
    let mut touches: HashMap<Uuid, usize> = HashMap::new();
    for id in touched.iter().flatten() {
        *touches.entry(*id).or_default() += 1;
    }
    let alone = |index: usize| touched[index].iter().all(|id| touches.get(id).is_some_and(|n| *n == 1));

    let plans: Vec<Plan> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            if item.one_by_one || shared(index) {
                return Plan::OneByOne;
            }
            let holder = item.reference.as_ref().and_then(|reference| customer_holders.get(&pair(reference)).copied());
            match (holder, &item.create, &item.change) {
                (Some(id), _, Some(change)) if alone(index) => Plan::Unchanged(id, change),
                (None, Some(new), _) if item.if_match.is_none() => Plan::Create(new),
                _ => Plan::OneByOne,
            }
        })
        .collect();

    let mut outcomes = vec![Outcome::OneByOne; items.len()];
    let unchanged = find_unchanged(&txn, db, actor, items, &plans, &contact_holders).await?;
    for (index, outcome) in unchanged {
        outcomes[index] = outcome;
    }
    let creates: Vec<(usize, &NewCustomer)> = plans
        .iter()
        .enumerate()
        .filter_map(|(index, plan)| if let Plan::Create(new) = plan { Some((index, *new)) } else { None })
        .collect();
    let created = create_all(&txn, db, actor, items, creates, &customer_holders, &contact_holders).await?;
    for (index, outcome) in created {
        outcomes[index] = outcome;
    }
    txn.commit().await?;
    Ok(outcomes)
}

/// The upserts among `plans` whose customer (and every contact sent with it) the body leaves as
/// it is, for a caller who may change them: a single request would answer 200 and write nothing.
async fn find_unchanged(
    conn: &impl sea_orm::ConnectionTrait,
    db: &Db,
    actor: &Actor,
    items: &[CustomerItem],
    plans: &[Plan<'_>],
    contact_holders: &HashMap<(String, String), Uuid>,
) -> Result<Vec<(usize, Outcome)>> {
    let ids: Vec<Uuid> = plans.iter().filter_map(|plan| if let Plan::Unchanged(id, _) = plan { Some(*id) } else { None }).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let rows: HashMap<Uuid, customers::Model> = in_chunks(&ids, |chunk| {
        customers::Entity::find()
            .filter(one_of(backend, (customers::Entity, customers::Column::Id), uuids(chunk), "uuid"))
            .filter(customers::Column::DeletedAt.is_null())
            .all(conn)
    })
    .await?
    .into_iter()
    .map(|row| (row.id, row))
    .collect();
    let mut refs = crate::external_refs::of_records(conn, CUSTOMER, &ids).await?;
    let people_ids: Vec<Uuid> = contact_holders.values().copied().collect();
    let people: HashMap<Uuid, contacts::Model> = in_chunks(&people_ids, |chunk| {
        contacts::Entity::find()
            .filter(one_of(backend, (contacts::Entity, contacts::Column::Id), uuids(chunk), "uuid"))
            .filter(contacts::Column::DeletedAt.is_null())
            .all(conn)
    })
    .await?
    .into_iter()
    .map(|row| (row.id, row))
    .collect();
    let mut people_refs = crate::external_refs::of_records(conn, CONTACT, &people_ids).await?;
    let (read, update) = (scope_of(actor, Resource::Customers, Action::Read), scope_of(actor, Resource::Customers, Action::Update));
    let (read_people, update_people) =
        (scope_of(actor, Resource::Contacts, Action::Read), scope_of(actor, Resource::Contacts, Action::Update));
    let today = db.today();
    let sealer = db.sealer().await?;
    let customer_rules = custom_fields::rules(db, CustomEntity::Customers).await?;
    let contact_rules = custom_fields::rules(db, CustomEntity::Contacts).await?;

    let mut found = Vec::new();
    for (index, plan) in plans.iter().enumerate() {
        let Plan::Unchanged(id, change) = plan else { continue };
        let Some(row) = rows.get(id) else { continue };
        if !reaches(actor, read, row.owner_id, row.team_id) || !reaches(actor, update, row.owner_id, row.team_id) {
            continue;
        }
        if items[index].if_match.is_some_and(|version| version != row.version) {
            continue;
        }
        let Ok(current) = store::fields_of(row, &sealer) else { continue };
        let mut patch = change.patch.clone();
        if let Some(incoming) = &patch.custom_fields {
            let Some(custom) = custom_fields::settle_offline(&customer_rules, &current.custom_fields, incoming, false) else { continue };
            patch.custom_fields = Some(custom);
        }
        let next = patch.apply(&current);
        let owner_kept = change.ownership.owner_id.is_none_or(|owner| owner == row.owner_id);
        let team_kept = change.ownership.team_id.is_none_or(|team| team == row.team_id);
        let current_refs = refs.remove(id).unwrap_or_default();
        if next != current || !owner_kept || !team_kept || change.refs.apply(&current_refs) != current_refs {
            continue;
        }
        if next.check_consistency(today).is_err() {
            continue;
        }
        let mut kept_people = Vec::with_capacity(items[index].contacts.len());
        for person in &items[index].contacts {
            let holder = person.reference.as_ref().and_then(|reference| contact_holders.get(&pair(reference)));
            let (Some(holder), Some((patch, patch_refs))) = (holder, &person.change) else { break };
            let Some(contact) = people.get(holder).filter(|contact| contact.customer_id == *id) else { break };
            if !reaches(actor, read_people, row.owner_id, row.team_id) || !reaches(actor, update_people, row.owner_id, row.team_id) {
                break;
            }
            let Ok(before) = ContactRecord::of_row(contact.clone(), &sealer).map(|record| record.fields) else { break };
            let contact_refs = people_refs.remove(holder).unwrap_or_default();
            let mut patch = patch.clone();
            if let Some(incoming) = &patch.custom_fields {
                let Some(custom) = custom_fields::settle_offline(&contact_rules, &before.custom_fields, incoming, false) else { break };
                patch.custom_fields = Some(custom);
            }
            if patch.apply(&before) != before || patch_refs.apply(&contact_refs) != contact_refs {
                break;
            }
            people_refs.insert(*holder, contact_refs);
            kept_people.push((contact.id, contact.version));
        }
        if kept_people.len() == items[index].contacts.len() {
            found.push((index, Outcome::Unchanged { id: *id, version: row.version, contacts: kept_people }));
        }
    }
    Ok(found)
}

/// Who is to own a new customer, and its team, as a single create decides them.
struct Owners {
    users: HashMap<Uuid, Option<users::Model>>,
    teams: HashMap<Uuid, Option<teams::Model>>,
    primary_teams: HashMap<Uuid, Option<teams::Model>>,
}

impl Owners {
    async fn load(conn: &impl sea_orm::ConnectionTrait, actor: &Actor, creates: &[(usize, &NewCustomer)]) -> Result<Self> {
        let mut owners = Self { users: HashMap::new(), teams: HashMap::new(), primary_teams: HashMap::new() };
        for (_, new) in creates {
            let owner_id = new.ownership.owner_id.unwrap_or(actor.user_id);
            if let std::collections::hash_map::Entry::Vacant(slot) = owners.users.entry(owner_id) {
                slot.insert(users::Entity::find_by_id(owner_id).one(conn).await?.filter(|user| user.active));
            }
            match new.ownership.team_id {
                Some(Some(team_id)) if !owners.teams.contains_key(&team_id) => {
                    owners.teams.insert(team_id, teams::Entity::find_by_id(team_id).one(conn).await?);
                }
                None if !owners.primary_teams.contains_key(&owner_id) => {
                    owners.primary_teams.insert(owner_id, primary_team_row(conn, owner_id).await?);
                }
                _ => {}
            }
        }
        Ok(owners)
    }

    /// The owner and the team of a new customer, or `None` when a single create would refuse
    /// them (an owner who is not an active user, a team that does not exist).
    fn of(&self, actor: &Actor, ownership: &Ownership) -> Option<(&users::Model, Option<&teams::Model>)> {
        let owner_id = ownership.owner_id.unwrap_or(actor.user_id);
        let owner = self.users.get(&owner_id)?.as_ref()?;
        let team = match ownership.team_id {
            Some(Some(team_id)) => Some(self.teams.get(&team_id)?.as_ref()?),
            Some(None) => None,
            None => self.primary_teams.get(&owner_id)?.as_ref(),
        };
        Some((owner, team))
    }
}

/// The live customers holding any of these credit codes.
async fn taken_credit_codes(conn: &impl sea_orm::ConnectionTrait, codes: Vec<String>) -> Result<HashSet<String>> {
    let found: Vec<Option<String>> = in_chunks(&codes, |chunk| {
        customers::Entity::find()
            .select_only()
            .column(customers::Column::CreditCode)
            .filter(one_of(conn.get_database_backend(), (customers::Entity, customers::Column::CreditCode), chunk.to_vec(), "text"))
            .filter(customers::Column::DeletedAt.is_null())
            .into_tuple()
            .all(conn)
    })
    .await?;
    Ok(found.into_iter().flatten().collect())
}

/// The rows a batch of new customers writes, table by table.
#[derive(Default)]
struct NewRows<'a> {
    customers: Vec<customers::ActiveModel>,
    tags: Vec<customer_tags::ActiveModel>,
    stages: Vec<customer_stage_history::ActiveModel>,
    contacts: Vec<contacts::ActiveModel>,
    refs: Vec<external_refs::ActiveModel>,
    timeline: Vec<crate::entities::timeline_items::ActiveModel>,
    grams: Vec<crate::entities::customer_name_grams::ActiveModel>,
    changes: Vec<Change<'a>>,
}

fn ref_rows(entity: &str, id: Uuid, patch: &ExternalIdsPatch, at: chrono::DateTime<chrono::Utc>) -> Vec<external_refs::ActiveModel> {
    pairs(patch)
        .map(|(system, external_id)| external_refs::ActiveModel {
            id: Set(Uuid::now_v7()),
            entity_type: Set(entity.to_owned()),
            entity_id: Set(id),
            system: Set(system),
            external_id: Set(external_id),
            created_at: Set(at),
            record_deleted_at: Set(None),
        })
        .collect()
}

/// Creates the customers of `creates` that a single create would accept, with their contacts.
async fn create_all(
    conn: &impl sea_orm::ConnectionTrait,
    db: &Db,
    actor: &Actor,
    items: &[CustomerItem],
    creates: Vec<(usize, &NewCustomer)>,
    customer_holders: &HashMap<(String, String), Uuid>,
    contact_holders: &HashMap<(String, String), Uuid>,
) -> Result<Vec<(usize, Outcome)>> {
    if creates.is_empty() {
        return Ok(Vec::new());
    }
    let scope = scope_of(actor, Resource::Customers, Action::Create);
    let (read_people, create_people) =
        (scope_of(actor, Resource::Contacts, Action::Read), scope_of(actor, Resource::Contacts, Action::Create));
    let owners = Owners::load(conn, actor, &creates).await?;
    let codes = creates.iter().filter_map(|(_, new)| new.fields.credit_code.as_ref().map(|code| code.as_str().to_owned())).collect();
    let taken_codes = taken_credit_codes(conn, codes).await?;
    let today = db.today();
    let at = now();
    let sealer = db.sealer().await?;
    let customer_rules = custom_fields::rules(db, CustomEntity::Customers).await?;
    let contact_rules = custom_fields::rules(db, CustomEntity::Contacts).await?;

    let mut rows = NewRows::default();
    let mut outcomes = Vec::with_capacity(creates.len());
    for (index, new) in creates {
        let item = &items[index];
        let Some((owner, team)) = owners.of(actor, &new.ownership) else { continue };
        let team_id = team.map(|team| team.id);
        if !reaches(actor, scope, owner.id, team_id) || new.fields.check_consistency(today).is_err() {
            continue;
        }
        let Some(custom) = custom_fields::settle_offline(&customer_rules, &Map::new(), &new.fields.custom_fields, true) else { continue };
        // Defaults given: the values as a single create would store them.
        let settled;
        let new = if custom == new.fields.custom_fields {
            new
        } else {
            settled = NewCustomer { fields: CustomerFields { custom_fields: custom, ..new.fields.clone() }, ..new.clone() };
            &settled
        };
        // An identity document number is checked against the others through its blind index,
        // one by one: such items take the single request's path.
        if new.fields.id_number.is_some()
            || new.fields.credit_code.as_ref().is_some_and(|code| taken_codes.contains(code.as_str()))
            || pairs(&new.refs).any(|key| customer_holders.contains_key(&key))
        {
            continue;
        }
        // Contacts: each created (one with a reference nobody holds is created with it), at most
        // one of them primary (a single request's later primary demotes the earlier ones, in
        // statements a set-based write does not repeat).
        let mut people: Vec<(Cow<'_, ContactFields>, ExternalIdsPatch)> = Vec::with_capacity(item.contacts.len());
        let mut item_refs = HashSet::new();
        for person in &item.contacts {
            let Some((fields, refs)) = &person.create else { break };
            let refs = match &person.reference {
                Some(reference) if refs.contradicts(reference) => break,
                Some(reference) => refs.clone().with(reference),
                None => refs.clone(),
            };
            // A reference another contact holds, or one an earlier contact of this item takes
            // (the single request's code updates that contact with this one's fields).
            if pairs(&refs).any(|key| contact_holders.contains_key(&key) || !item_refs.insert(key)) {
                break;
            }
            let Some(custom) = custom_fields::settle_offline(&contact_rules, &Map::new(), &fields.custom_fields, true) else { break };
            let fields = if custom == fields.custom_fields {
                Cow::Borrowed(fields)
            } else {
                Cow::Owned(ContactFields { custom_fields: custom, ..fields.clone() })
            };
            people.push((fields, refs));
        }
        let primaries = people.iter().filter(|(fields, _)| fields.is_primary).count();
        if people.len() < item.contacts.len() || primaries > 1 {
            continue;
        }
        let people_reached = reaches(actor, read_people, owner.id, team_id) && reaches(actor, create_people, owner.id, team_id);
        if !people.is_empty() && !people_reached {
            continue;
        }

        let id = Uuid::now_v7();
        let mut contact_rows = Vec::with_capacity(people.len());
        for (fields, _) in &people {
            let contact_id = Uuid::now_v7();
            let mut model = contacts::ActiveModel {
                id: Set(contact_id),
                customer_id: Set(id),
                deleted_at: Set(None),
                merged_into_id: Set(None),
                ..Default::default()
            };
            contact_store::write_fields(&mut model, contact_id, fields, &sealer);
            crate::platform::changes::Versioned::stamp_first_version(&mut model, at);
            contact_rows.push(model);
        }
        // Every column is set above; one left unset (a column added later) would send every
        // item one by one, which the warning makes visible.
        let Ok(contact_models) =
            contact_rows.iter().map(|model| model.clone().try_into_model()).collect::<Result<Vec<contacts::Model>, _>>()
        else {
            tracing::warn!("a new contact's row leaves a column unset: the batch item is written one by one");
            continue;
        };
        let own_text = [Some(new.fields.name.as_str()), new.fields.credit_code.as_ref().map(|c| c.as_str())];
        let mut model = customers::ActiveModel {
            id: Set(id),
            search_text: Set(store::customer_search_text(own_text, &contact_models)),
            owner_id: Set(owner.id),
            team_id: Set(team_id),
            deleted_at: Set(None),
            merged_into_id: Set(None),
            last_interaction_at: Set(None),
            first_order_at: Set(None),
            last_order_at: Set(None),
            order_count: Set(0),
            total_spend_minor: Set(0),
            ..Default::default()
        };
        store::write_fields(&mut model, id, &new.fields, &sealer);
        crate::platform::changes::Versioned::stamp_first_version(&mut model, at);
        let Ok(row) = model.clone().try_into_model() else {
            tracing::warn!("a new customer's row leaves a column unset: the batch item is written one by one");
            continue;
        };
        let record: CustomerRecord = store::record_of(
            row,
            Some(owner.display_name.clone()),
            team.map(|team| team.name.clone()),
            new.refs.apply(&ExternalIds::new()),
            &sealer,
        )?;

        rows.grams.extend(super::duplicates::gram_rows(id, &new.fields.name, new.fields.city.as_deref(), new.fields.province.as_deref()));
        rows.customers.push(model);
        rows.tags.extend(new.fields.tags.iter().map(|tag| customer_tags::ActiveModel { customer_id: Set(id), tag: Set(tag.clone()) }));
        rows.refs.extend(ref_rows(CUSTOMER, id, &new.refs, at));
        rows.stages.push(customer_stage_history::ActiveModel {
            id: Set(Uuid::now_v7()),
            customer_id: Set(id),
            from_stage: Set(None),
            to_stage: Set(new.fields.lifecycle_stage.as_str().to_owned()),
            changed_by: Set(actor.audit_id()),
            changed_at: Set(at),
        });
        rows.timeline.push(timeline::row(actor, store::stage_item(id, None, new.fields.lifecycle_stage, at)));
        rows.changes.push(Change::created(CUSTOMER, id, &record).sealed(&sealer));
        let mut contact_ids = Vec::with_capacity(people.len());
        for (contact, (_, refs)) in contact_models.into_iter().zip(&people) {
            let record = ContactRecord { external_ids: refs.apply(&ExternalIds::new()), ..ContactRecord::of_row(contact, &sealer)? };
            rows.refs.extend(ref_rows(CONTACT, record.id, refs, at));
            rows.timeline.push(timeline::row(actor, contact_store::timeline_item(&record, "created")));
            rows.changes.push(Change::created(CONTACT, record.id, &record).sealed(&sealer));
            contact_ids.push(record.id);
        }
        rows.contacts.extend(contact_rows);
        outcomes.push((index, Outcome::Created { id, contacts: contact_ids }));
    }

    insert_all(conn, rows.customers).await?;
    insert_all(conn, rows.tags).await?;
    insert_all(conn, rows.stages).await?;
    insert_all(conn, rows.contacts).await?;
    insert_all(conn, rows.refs).await?;
    insert_all(conn, rows.timeline).await?;
    insert_all(conn, rows.grams).await?;
    record_all(conn, actor, rows.changes).await?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_kinds_written_are_the_stores_own() {
        assert_eq!(super::CUSTOMER, super::store::ENTITY);
        assert_eq!(super::CONTACT, super::contact_store::ENTITY);
    }
}
