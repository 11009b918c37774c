//! Customer requirements (客户需求管理): collection from customers, tickets and interactions;
//! requesters; the priority score and its weights; the status process with its history; field
//! revisions; duplicate candidates by character bigrams and merging; feedback and evaluation;
//! the data behind the requirements document and reports.
//!
//! Scope (`requirements`): a requirement belongs to its owner (once named), its creator and its
//! team; `own` reaches what one owns or created, `team` adds the teams one reaches.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::activities::TimelineKind;
use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::requirements::{
    DUPLICATE_THRESHOLD, PriorityWeights, RequirementCategory, RequirementSource, RequirementStatus, SystemReason, bigrams, priority_score,
    requirement_similarity, score_milli,
};
use crm_domain::{HasCode, ValidationErrors, text};

use crate::activities::timeline::{self, NewItem};
use crate::customers::load_for;
use crate::entities::{
    contacts, interactions, requirement_feedback, requirement_grams, requirement_history, requirement_requesters, requirement_revisions,
    requirement_tags, requirements, tickets,
};
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::platform::{audit, events, settings};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored, stored_json};

const ENTITY: &str = "requirement";
/// Timeline items are per requesting customer, so they hang off the requester row.
const REQUESTER_ENTITY: &str = "requirement_requester";
pub const SETTINGS_KEY: &str = "requirements";

/// Settings of the requirements process.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RequirementSettings {
    pub weights: PriorityWeights,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementRecord {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub description: Option<String>,
    pub category: RequirementCategory,
    pub source_channel: RequirementSource,
    pub importance: i32,
    pub urgency: i32,
    pub effort: i32,
    pub status: RequirementStatus,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub created_by: Uuid,
    pub department: Option<String>,
    pub target_date: Option<NaiveDate>,
    pub release: Option<String>,
    pub tags: Vec<String>,
    /// The priority score under the current weights.
    pub score: f64,
    pub requester_count: i32,
    pub feedback_count: i32,
    /// The average feedback rating (1–5), once there is feedback.
    pub feedback_average: Option<f64>,
    pub rejection_reason: Option<String>,
    pub duplicate_of_id: Option<Uuid>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub evaluated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// The record a requirement starts from: it becomes the first requester.
#[derive(Debug, Clone, Copy)]
pub enum Origin {
    Customer { customer_id: Uuid, contact_id: Option<Uuid> },
    Ticket(Uuid),
    Interaction(Uuid),
}

#[derive(Debug, Clone)]
pub struct NewRequirement {
    pub title: String,
    pub description: Option<String>,
    pub category: RequirementCategory,
    pub source_channel: RequirementSource,
    pub importance: i32,
    pub urgency: i32,
    pub effort: i32,
    pub owner_id: Option<Uuid>,
    pub department: Option<String>,
    pub target_date: Option<NaiveDate>,
    pub release: Option<String>,
    pub tags: Vec<String>,
    pub origin: Option<Origin>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RequirementPatch {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub category: Option<RequirementCategory>,
    pub source_channel: Option<RequirementSource>,
    pub importance: Option<i32>,
    pub urgency: Option<i32>,
    pub effort: Option<i32>,
    pub owner_id: Option<Option<Uuid>>,
    pub department: Option<Option<String>>,
    pub target_date: Option<Option<NaiveDate>>,
    pub release: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

fn record_of(r: requirements::Model, owner_name: Option<String>) -> Result<RequirementRecord> {
    Ok(RequirementRecord {
        id: r.id,
        number: r.number,
        title: r.title,
        description: r.description,
        category: stored("requirements.category", r.id, &r.category, RequirementCategory::parse)?,
        source_channel: stored("requirements.source_channel", r.id, &r.source_channel, RequirementSource::parse)?,
        importance: r.importance,
        urgency: r.urgency,
        effort: r.effort,
        status: stored("requirements.status", r.id, &r.status, RequirementStatus::parse)?,
        owner_id: r.owner_id,
        owner_name,
        team_id: r.team_id,
        created_by: r.created_by,
        department: r.department,
        target_date: r.target_date,
        release: r.release,
        tags: stored_json("requirements.tags", r.id, &r.tags)?,
        score: r.score_milli as f64 / 1000.0,
        requester_count: r.requester_count,
        feedback_count: r.feedback_count,
        feedback_average: (r.feedback_count > 0).then(|| f64::from(r.feedback_sum) / f64::from(r.feedback_count)),
        rejection_reason: r.rejection_reason,
        duplicate_of_id: r.duplicate_of_id,
        delivered_at: r.delivered_at,
        evaluated_at: r.evaluated_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    })
}

async fn to_records(conn: &impl ConnectionTrait, rows: Vec<requirements::Model>) -> Result<Vec<RequirementRecord>> {
    let owners: Vec<Uuid> = rows.iter().filter_map(|r| r.owner_id).collect();
    let names = audit::user_names(conn, &owners).await?;
    rows.into_iter()
        .map(|r| {
            let name = r.owner_id.and_then(|o| names.get(&o).cloned());
            record_of(r, name)
        })
        .collect()
}

async fn to_record(conn: &impl ConnectionTrait, row: requirements::Model) -> Result<RequirementRecord> {
    to_records(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// Requirements the scope reaches: owned or created by the caller, or (team) in a team they reach.
pub(crate) fn scope_condition(actor: &Actor, scope: Scope) -> Condition {
    use requirements::Column as C;
    let mine = Condition::any().add(C::OwnerId.eq(actor.user_id)).add(C::CreatedBy.eq(actor.user_id));
    match scope {
        Scope::All => Condition::all(),
        Scope::Team => mine.add(C::TeamId.is_in(actor.reach_team_ids.clone())),
        Scope::Own => mine,
        Scope::None => Condition::all().add(Expr::val(1).eq(0)),
    }
}

fn reaches(actor: &Actor, scope: Scope, row: &requirements::Model) -> bool {
    match scope {
        Scope::All => true,
        Scope::Team => {
            row.owner_id == Some(actor.user_id)
                || row.created_by == actor.user_id
                || row.team_id.is_some_and(|t| actor.reach_team_ids.contains(&t))
        }
        Scope::Own => row.owner_id == Some(actor.user_id) || row.created_by == actor.user_id,
        Scope::None => false,
    }
}

async fn load(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid) -> Result<requirements::Model> {
    let read = actor.require(Resource::Requirements, Action::Read)?;
    let row = requirements::Entity::find_by_id(id)
        .filter(requirements::Column::DeletedAt.is_null())
        .filter(scope_condition(actor, read))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if action != Action::Read {
        let scope = actor.require(Resource::Requirements, action)?;
        if !reaches(actor, scope, &row) {
            return Err(Error::Forbidden(text!("your role may not change this requirement", "您的角色无权修改此需求")));
        }
    }
    Ok(row)
}

pub async fn weights(conn: &impl ConnectionTrait) -> Result<PriorityWeights> {
    Ok(settings::read::<RequirementSettings>(conn, SETTINGS_KEY).await?.value.weights)
}

fn search_text(title: &str, description: Option<&str>, number: &str, tags: &[String]) -> String {
    format!(
        "{} {} {} {}",
        number.to_lowercase(),
        title.to_lowercase(),
        description.unwrap_or_default().to_lowercase(),
        tags.join(" ").to_lowercase()
    )
}

async fn write_grams(conn: &impl ConnectionTrait, id: Uuid, title: &str, description: Option<&str>) -> Result<()> {
    requirement_grams::Entity::delete_many().filter(requirement_grams::Column::RequirementId.eq(id)).exec(conn).await?;
    let grams: BTreeSet<String> = bigrams(&format!("{title} {}", description.unwrap_or_default()));
    if grams.is_empty() {
        return Ok(());
    }
    // Chunked so that long descriptions stay under the databases' parameter limits.
    let all: Vec<String> = grams.into_iter().collect();
    for chunk in all.chunks(400) {
        requirement_grams::Entity::insert_many(
            chunk.iter().map(|g| requirement_grams::ActiveModel { requirement_id: Set(id), gram: Set(g.clone()) }),
        )
        .on_conflict(
            OnConflict::columns([requirement_grams::Column::Gram, requirement_grams::Column::RequirementId]).do_nothing().to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

async fn write_tags(conn: &impl ConnectionTrait, id: Uuid, tags: &[String]) -> Result<()> {
    requirement_tags::Entity::delete_many().filter(requirement_tags::Column::RequirementId.eq(id)).exec(conn).await?;
    if !tags.is_empty() {
        requirement_tags::Entity::insert_many(
            tags.iter().map(|t| requirement_tags::ActiveModel { requirement_id: Set(id), tag: Set(t.to_lowercase()) }),
        )
        .on_conflict(OnConflict::columns([requirement_tags::Column::Tag, requirement_tags::Column::RequirementId]).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// Recounts requesters and feedback and recomputes the score under the current weights.
async fn refresh_figures(conn: &impl ConnectionTrait, id: Uuid) -> Result<requirements::Model> {
    let row = requirements::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)?;
    let requesters =
        requirement_requesters::Entity::find().filter(requirement_requesters::Column::RequirementId.eq(id)).count(conn).await?;
    let feedback = requirement_feedback::Entity::find().filter(requirement_feedback::Column::RequirementId.eq(id)).all(conn).await?;
    let requesters = u32::try_from(requesters).unwrap_or(u32::MAX);
    let weights = weights(conn).await?;
    let score = score_milli(priority_score(row.importance, row.urgency, row.effort, requesters, &weights));
    let feedback_sum: i32 = feedback.iter().map(|f| f.rating).sum();
    requirements::Entity::update_many()
        .col_expr(requirements::Column::RequesterCount, Expr::value(i32::try_from(requesters).unwrap_or(i32::MAX)))
        .col_expr(requirements::Column::FeedbackCount, Expr::value(i32::try_from(feedback.len()).unwrap_or(i32::MAX)))
        .col_expr(requirements::Column::FeedbackSum, Expr::value(feedback_sum))
        .col_expr(requirements::Column::ScoreMilli, Expr::value(score))
        .filter(requirements::Column::Id.eq(id))
        .exec(conn)
        .await?;
    requirements::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)
}

/// Puts the requirement on each requesting customer's timeline (or refreshes it there).
async fn refresh_timeline(conn: &impl ConnectionTrait, actor: &Actor, record: &RequirementRecord) -> Result<()> {
    let requesters =
        requirement_requesters::Entity::find().filter(requirement_requesters::Column::RequirementId.eq(record.id)).all(conn).await?;
    for requester in requesters {
        timeline::upsert(
            conn,
            actor,
            NewItem {
                customer_id: requester.customer_id,
                kind: TimelineKind::Requirement.as_str(),
                occurred_at: requester.requested_at,
                entity_type: REQUESTER_ENTITY,
                entity_id: requester.id,
                title: &format!("{} {}", record.number, record.title),
                summary: json!({ "requirement_id": record.id, "number": record.number, "status": record.status, "score": record.score,
                    "category": record.category, "requester_count": record.requester_count }),
            },
        )
        .await?;
    }
    Ok(())
}

async fn record_history(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    from: Option<RequirementStatus>,
    to: RequirementStatus,
    reason: Option<String>,
) -> Result<()> {
    requirement_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        requirement_id: Set(id),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        reason: Set(reason),
        actor_id: Set(actor.audit_id()),
        changed_at: Set(now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Keeps a revision: the changed fields, old → new.
async fn record_revision(conn: &impl ConnectionTrait, actor: &Actor, id: Uuid, changes: &Value) -> Result<()> {
    let last: Option<i32> = requirement_revisions::Entity::find()
        .select_only()
        .column_as(requirement_revisions::Column::Revision.max(), "max")
        .filter(requirement_revisions::Column::RequirementId.eq(id))
        .into_tuple::<Option<i32>>()
        .one(conn)
        .await?
        .flatten();
    requirement_revisions::ActiveModel {
        id: Set(Uuid::now_v7()),
        requirement_id: Set(id),
        revision: Set(last.unwrap_or(0) + 1),
        changes: Set(changes.to_string()),
        actor_id: Set(actor.audit_id()),
        created_at: Set(now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

async fn log(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    record: &RequirementRecord,
    action: &str,
    event: &str,
    changes: Value,
) -> Result<()> {
    refresh_timeline(conn, actor, record).await?;
    audit::record(conn, actor, action, ENTITY, record.id, changes).await?;
    events::append(conn, actor, event, ENTITY, record.id, serde_json::to_value(record).unwrap_or(Value::Null)).await
}

async fn check_owner(conn: &impl ConnectionTrait, owner: Option<Uuid>) -> Result<()> {
    if let Some(owner) = owner {
        match crate::entities::users::Entity::find_by_id(owner).one(conn).await? {
            Some(u) if u.active => {}
            _ => return Err(Error::validation("owner_id", "not_found", text!("no active user with this id", "没有此 id 的在职用户"))),
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewRequester {
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub note: Option<String>,
    pub requested_at: Option<DateTime<Utc>>,
}

/// Resolves where a requirement came from into its first requester, checking the caller may see it.
async fn origin_requester(conn: &impl ConnectionTrait, actor: &Actor, origin: Origin, note: Option<String>) -> Result<NewRequester> {
    let not_found =
        |field: &str| Error::validation(field, "not_found", text!("no such record in your scope", "记录不存在，或不在您的权限范围内"));
    match origin {
        Origin::Customer { customer_id, contact_id } => {
            Ok(NewRequester { customer_id, contact_id, ticket_id: None, interaction_id: None, note, requested_at: None })
        }
        Origin::Ticket(ticket_id) => {
            let ticket = super::service::tickets::get_in(conn, actor, ticket_id).await.map_err(|_| not_found("ticket_id"))?;
            Ok(NewRequester {
                customer_id: ticket.customer_id,
                contact_id: ticket.contact_id,
                ticket_id: Some(ticket_id),
                interaction_id: None,
                note,
                requested_at: None,
            })
        }
        Origin::Interaction(interaction_id) => {
            let interaction = interactions::Entity::find_by_id(interaction_id)
                .filter(interactions::Column::DeletedAt.is_null())
                .one(conn)
                .await?
                .ok_or_else(|| not_found("interaction_id"))?;
            load_for(conn, actor, Resource::Activities, Action::Read, interaction.customer_id, false)
                .await
                .map_err(|_| not_found("interaction_id"))?;
            Ok(NewRequester {
                customer_id: interaction.customer_id,
                contact_id: interaction.contact_id,
                ticket_id: interaction.ticket_id,
                interaction_id: Some(interaction_id),
                note,
                requested_at: Some(interaction.occurred_at),
            })
        }
    }
}

/// Inserts a requester after checking the customer (readable), the contact (of that customer) and
/// the linked ticket and interaction (of that customer). One row per customer and requirement.
async fn insert_requester(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    requirement_id: Uuid,
    new: NewRequester,
) -> Result<requirement_requesters::Model> {
    load_for(conn, actor, Resource::Customers, Action::Read, new.customer_id, false).await.map_err(|_| {
        Error::validation("customer_id", "not_found", text!("no customer with this id in your scope", "您的权限范围内没有此 id 的客户"))
    })?;
    if let Some(contact) = new.contact_id {
        let found = contacts::Entity::find_by_id(contact).filter(contacts::Column::DeletedAt.is_null()).one(conn).await?;
        if found.is_none_or(|c| c.customer_id != new.customer_id) {
            return Err(Error::validation(
                "contact_id",
                "not_found",
                text!("no contact of this customer with this id", "该客户没有此 id 的联系人"),
            ));
        }
    }
    if let Some(ticket) = new.ticket_id {
        let found = tickets::Entity::find_by_id(ticket).one(conn).await?;
        if found.is_none_or(|t| t.customer_id != new.customer_id) {
            return Err(Error::validation(
                "ticket_id",
                "not_found",
                text!("no ticket of this customer with this id", "该客户没有此 id 的服务请求"),
            ));
        }
    }
    if let Some(interaction) = new.interaction_id {
        let found = interactions::Entity::find_by_id(interaction).one(conn).await?;
        if found.is_none_or(|i| i.customer_id != new.customer_id) {
            return Err(Error::validation(
                "interaction_id",
                "not_found",
                text!("no interaction of this customer with this id", "该客户没有此 id 的跟进记录"),
            ));
        }
    }
    let exists = requirement_requesters::Entity::find()
        .filter(requirement_requesters::Column::RequirementId.eq(requirement_id))
        .filter(requirement_requesters::Column::CustomerId.eq(new.customer_id))
        .one(conn)
        .await?;
    if let Some(existing) = exists {
        return Err(Error::Taken {
            code: "requirement.already_requested",
            message: text!("this customer already requests this requirement", "该客户已是此需求的提出客户"),
            existing_id: existing.id,
        });
    }
    Ok(requirement_requesters::ActiveModel {
        id: Set(Uuid::now_v7()),
        requirement_id: Set(requirement_id),
        customer_id: Set(new.customer_id),
        contact_id: Set(new.contact_id),
        ticket_id: Set(new.ticket_id),
        interaction_id: Set(new.interaction_id),
        note: Set(new.note),
        requested_at: Set(new.requested_at.unwrap_or_else(now)),
        created_by: Set(actor.audit_id()),
    }
    .insert(conn)
    .await?)
}

/// Collects a requirement; when it comes from a customer, ticket or interaction, that source
/// becomes its first requester in the same step.
pub async fn create(db: &Db, actor: &Actor, new: NewRequirement) -> Result<RequirementRecord> {
    actor.require(Resource::Requirements, Action::Create)?;
    let txn = db.begin_write().await?;
    check_owner(&txn, new.owner_id).await?;
    let first = match new.origin {
        Some(origin) => Some(origin_requester(&txn, actor, origin, new.note.clone()).await?),
        None => None,
    };
    let id = Uuid::now_v7();
    let number = format!("REQ-{:06}", crate::next_in_sequence(&txn, "requirement").await?);
    let at = now();
    let team_id = crate::identity::teams::primary_team(&txn, actor.user_id).await?;
    requirements::ActiveModel {
        id: Set(id),
        search_text: Set(search_text(&new.title, new.description.as_deref(), &number, &new.tags)),
        number: Set(number),
        title: Set(new.title.clone()),
        description: Set(new.description.clone()),
        category: Set(new.category.as_str().to_owned()),
        source_channel: Set(new.source_channel.as_str().to_owned()),
        importance: Set(new.importance),
        urgency: Set(new.urgency),
        effort: Set(new.effort),
        status: Set(RequirementStatus::Collected.as_str().to_owned()),
        owner_id: Set(new.owner_id),
        team_id: Set(team_id),
        created_by: Set(actor.user_id),
        department: Set(new.department),
        target_date: Set(new.target_date),
        release: Set(new.release),
        tags: Set(serde_json::to_string(&new.tags).unwrap_or_else(|_| "[]".into())),
        score_milli: Set(0),
        requester_count: Set(0),
        feedback_count: Set(0),
        feedback_sum: Set(0),
        rejection_reason: Set(None),
        duplicate_of_id: Set(None),
        delivered_at: Set(None),
        evaluated_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        deleted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    write_tags(&txn, id, &new.tags).await?;
    write_grams(&txn, id, &new.title, new.description.as_deref()).await?;
    if let Some(first) = first {
        insert_requester(&txn, actor, id, first).await?;
    }
    record_history(&txn, actor, id, None, RequirementStatus::Collected, None).await?;
    let record = to_record(&txn, refresh_figures(&txn, id).await?).await?;
    record_revision(&txn, actor, id, &json!({ "created": without_figures(&record) })).await?;
    log(&txn, actor, &record, "create", "requirement.created", json!({ "after": record })).await?;
    txn.commit().await?;
    Ok(record)
}

fn without_figures(record: &RequirementRecord) -> Value {
    let mut value = serde_json::to_value(record).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        for key in ["score", "requester_count", "feedback_count", "feedback_average", "owner_name", "created_at", "updated_at", "version"] {
            map.remove(key);
        }
    }
    value
}

pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<RequirementRecord> {
    let row = load(&db.conn, actor, Action::Read, id).await?;
    to_record(&db.conn, row).await
}

/// Changes fields; each change is kept as a revision with its fields old → new.
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: RequirementPatch) -> Result<RequirementRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    if let Some(owner) = patch.owner_id {
        check_owner(&txn, owner).await?;
    }
    let status = stored("requirements.status", row.id, &row.status, RequirementStatus::parse)?;
    if matches!(status, RequirementStatus::Planned | RequirementStatus::InProgress) {
        if patch.owner_id == Some(None) {
            return Err(Error::validation("owner_id", "required", text!("a planned requirement keeps an owner", "已计划的需求须有负责人")));
        }
        if patch.target_date == Some(None) {
            return Err(Error::validation(
                "target_date",
                "required",
                text!("a planned requirement keeps a target date", "已计划的需求须有目标日期"),
            ));
        }
    }
    let before = without_figures(&to_record(&txn, row.clone()).await?);
    let mut model: requirements::ActiveModel = row.clone().into();
    if let Some(v) = patch.title {
        model.title = Set(v);
    }
    if let Some(v) = patch.description {
        model.description = Set(v);
    }
    if let Some(v) = patch.category {
        model.category = Set(v.as_str().to_owned());
    }
    if let Some(v) = patch.source_channel {
        model.source_channel = Set(v.as_str().to_owned());
    }
    if let Some(v) = patch.importance {
        model.importance = Set(v);
    }
    if let Some(v) = patch.urgency {
        model.urgency = Set(v);
    }
    if let Some(v) = patch.effort {
        model.effort = Set(v);
    }
    if let Some(v) = patch.owner_id {
        model.owner_id = Set(v);
    }
    if let Some(v) = patch.department {
        model.department = Set(v);
    }
    if let Some(v) = patch.target_date {
        model.target_date = Set(v);
    }
    if let Some(v) = patch.release {
        model.release = Set(v);
    }
    if let Some(v) = &patch.tags {
        model.tags = Set(serde_json::to_string(v).unwrap_or_else(|_| "[]".into()));
    }
    let preview = to_record(&txn, apply(&row, &model)).await?;
    let after = without_figures(&preview);
    let changes = diff(&before, &after);
    if changes.as_object().is_none_or(|c| c.is_empty()) {
        txn.commit().await?;
        return to_record(&db.conn, row).await;
    }
    model.search_text = Set(search_text(&preview.title, preview.description.as_deref(), &row.number, &preview.tags));
    model.updated_at = Set(now());
    model.version = Set(row.version + 1);
    model.update(&txn).await?;
    write_tags(&txn, id, &preview.tags).await?;
    write_grams(&txn, id, &preview.title, preview.description.as_deref()).await?;
    let record = to_record(&txn, refresh_figures(&txn, id).await?).await?;
    record_revision(&txn, actor, id, &changes).await?;
    log(&txn, actor, &record, "update", "requirement.updated", changes).await?;
    txn.commit().await?;
    Ok(record)
}

/// The model as it will be after an update, for previewing its record.
fn apply(row: &requirements::Model, model: &requirements::ActiveModel) -> requirements::Model {
    let mut next = row.clone();
    macro_rules! take {
        ($($field:ident),+) => { $( if let sea_orm::ActiveValue::Set(v) = &model.$field { next.$field = v.clone(); } )+ };
    }
    take!(title, description, category, source_channel, importance, urgency, effort, owner_id, department, target_date, release, tags);
    next
}

/// The fields that differ, as `{field: {old, new}}`.
fn diff(before: &Value, after: &Value) -> Value {
    let mut changes = serde_json::Map::new();
    if let (Some(old), Some(new)) = (before.as_object(), after.as_object()) {
        for (key, new_value) in new {
            let old_value = old.get(key).cloned().unwrap_or(Value::Null);
            if &old_value != new_value {
                changes.insert(key.clone(), json!({ "old": old_value, "new": new_value }));
            }
        }
    }
    Value::Object(changes)
}

/// Moves a requirement through the process: `planned` needs an owner and a target date,
/// `rejected` a reason; `duplicate` comes only from merging.
pub async fn transition(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    next: RequirementStatus,
    reason: Option<String>,
) -> Result<RequirementRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    let record = move_row(&txn, actor, row, next, reason).await?;
    txn.commit().await?;
    Ok(record)
}

async fn move_row(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    row: requirements::Model,
    next: RequirementStatus,
    reason: Option<String>,
) -> Result<RequirementRecord> {
    let current = stored("requirements.status", row.id, &row.status, RequirementStatus::parse)?;
    current.check_move(next).map_err(|refusal| Error::conflict(refusal.code(), refusal.text()))?;
    if next == RequirementStatus::Planned {
        let mut errors = crm_domain::ValidationErrors::new();
        if row.owner_id.is_none() {
            errors.push(crm_domain::FieldError::new("owner_id", "required", text!("name an owner before planning", "计划前请指定负责人")));
        }
        if row.target_date.is_none() {
            errors.push(crm_domain::FieldError::new(
                "target_date",
                "required",
                text!("set a target date before planning", "计划前请设定目标日期"),
            ));
        }
        errors.into_result().map_err(Error::Validation)?;
    }
    if next == RequirementStatus::Rejected && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::validation("reason", "required", text!("say why the requirement is rejected", "请说明拒绝的原因")));
    }
    let id = row.id;
    let mut model: requirements::ActiveModel = row.clone().into();
    model.status = Set(next.as_str().to_owned());
    match next {
        RequirementStatus::Rejected => model.rejection_reason = Set(reason.clone()),
        RequirementStatus::Collected => model.rejection_reason = Set(None),
        RequirementStatus::Delivered => model.delivered_at = Set(Some(now())),
        RequirementStatus::Evaluated => model.evaluated_at = Set(Some(now())),
        RequirementStatus::InProgress if current == RequirementStatus::Delivered => model.delivered_at = Set(None),
        _ => {}
    }
    model.updated_at = Set(now());
    model.version = Set(row.version + 1);
    let record = to_record(conn, model.update(conn).await?).await?;
    record_history(conn, actor, id, Some(current), next, reason.clone()).await?;
    let changes = json!({ "status": { "old": current, "new": next }, "reason": reason });
    record_revision(conn, actor, id, &changes).await?;
    log(conn, actor, &record, "update", "requirement.status_changed", changes).await?;
    Ok(record)
}

/// Moves a requirement to the recycle bin.
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Delete, id).await?;
    check_version(expected_version, row.version)?;
    let mut model: requirements::ActiveModel = row.clone().into();
    model.deleted_at = Set(Some(now()));
    model.version = Set(row.version + 1);
    model.update(&txn).await?;
    let requesters = requirement_requesters::Entity::find().filter(requirement_requesters::Column::RequirementId.eq(id)).all(&txn).await?;
    for requester in requesters {
        timeline::remove(&txn, REQUESTER_ENTITY, requester.id, TimelineKind::Requirement.as_str()).await?;
    }
    audit::record(&txn, actor, "delete", ENTITY, id, json!({ "number": row.number })).await?;
    events::append(&txn, actor, "requirement.deleted", ENTITY, id, json!({ "id": id, "number": row.number })).await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- requesters

#[derive(Debug, Clone, Serialize)]
pub struct RequesterRecord {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub note: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// The requester's feedback after delivery.
    pub feedback_rating: Option<i32>,
}

async fn requester_records(conn: &impl ConnectionTrait, rows: Vec<requirement_requesters::Model>) -> Result<Vec<RequesterRecord>> {
    let customers = audit::customer_names(conn, &rows.iter().map(|r| r.customer_id).collect::<Vec<_>>()).await?;
    let contact_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.contact_id).collect();
    let contact_names: HashMap<Uuid, String> = if contact_ids.is_empty() {
        HashMap::new()
    } else {
        contacts::Entity::find()
            .filter(contacts::Column::Id.is_in(contact_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    };
    let requirement_ids: Vec<Uuid> = rows.iter().map(|r| r.requirement_id).collect();
    let feedback: HashMap<(Uuid, Uuid), i32> = if requirement_ids.is_empty() {
        HashMap::new()
    } else {
        requirement_feedback::Entity::find()
            .filter(requirement_feedback::Column::RequirementId.is_in(requirement_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|f| ((f.requirement_id, f.customer_id), f.rating))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| RequesterRecord {
            id: r.id,
            requirement_id: r.requirement_id,
            customer_name: customers.get(&r.customer_id).cloned(),
            contact_name: r.contact_id.and_then(|c| contact_names.get(&c).cloned()),
            feedback_rating: feedback.get(&(r.requirement_id, r.customer_id)).copied(),
            customer_id: r.customer_id,
            contact_id: r.contact_id,
            ticket_id: r.ticket_id,
            interaction_id: r.interaction_id,
            note: r.note,
            requested_at: r.requested_at,
        })
        .collect())
}

pub async fn add_requester(db: &Db, actor: &Actor, id: Uuid, new: NewRequester) -> Result<RequesterRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Read, id).await?;
    actor.require(Resource::Requirements, Action::Create)?;
    let status = stored("requirements.status", row.id, &row.status, RequirementStatus::parse)?;
    if !status.is_open() {
        let (number, label) = (&row.number, status.label_zh());
        return Err(Error::conflict(
            "requirement.closed",
            text!("requirement {number} is {status}; it takes no more requesters", "需求 {number} 已是“{label}”，不能再添加提出客户"),
        ));
    }
    let requester = insert_requester(&txn, actor, id, new).await?;
    let record = to_record(&txn, refresh_figures(&txn, id).await?).await?;
    let out = requester_records(&txn, vec![requester.clone()]).await?.pop().ok_or(Error::NotFound)?;
    log(
        &txn,
        actor,
        &record,
        "add_requester",
        "requirement.requested",
        json!({ "requester_id": requester.id, "customer_id": requester.customer_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

pub async fn remove_requester(db: &Db, actor: &Actor, id: Uuid, requester_id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    load(&txn, actor, Action::Update, id).await?;
    let requester = requirement_requesters::Entity::find_by_id(requester_id)
        .filter(requirement_requesters::Column::RequirementId.eq(id))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound)?;
    requirement_requesters::Entity::delete_by_id(requester_id).exec(&txn).await?;
    timeline::remove(&txn, REQUESTER_ENTITY, requester_id, TimelineKind::Requirement.as_str()).await?;
    let record = to_record(&txn, refresh_figures(&txn, id).await?).await?;
    log(
        &txn,
        actor,
        &record,
        "remove_requester",
        "requirement.unrequested",
        json!({ "requester_id": requester_id, "customer_id": requester.customer_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn requesters(db: &Db, actor: &Actor, id: Uuid, page: &PageRequest) -> Result<Page<RequesterRecord>> {
    load(&db.conn, actor, Action::Read, id).await?;
    let sort = Sort { key: "requested_at", column: requirement_requesters::Column::RequestedAt, descending: false, value: SortValue::Time };
    let page = fetch_page(
        &db.conn,
        requirement_requesters::Entity::find().filter(requirement_requesters::Column::RequirementId.eq(id)),
        &sort,
        requirement_requesters::Column::Id,
        page,
        |r| (json!(r.requested_at), r.id),
    )
    .await?;
    Ok(Page { data: requester_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

// ---------------------------------------------------------------- duplicates and merging

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateCandidate {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub status: RequirementStatus,
    pub requester_count: i32,
    /// 0–1.
    pub similarity: f64,
}

/// Open requirements that read like this title and description, most similar first. Candidates
/// are the ones sharing most character bigrams (an indexed lookup on both databases); their
/// similarity is then computed exactly.
pub async fn similar(
    db: &Db,
    actor: &Actor,
    title: &str,
    description: Option<&str>,
    exclude: Option<Uuid>,
) -> Result<Vec<DuplicateCandidate>> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let grams: Vec<String> = bigrams(&format!("{title} {}", description.unwrap_or_default())).into_iter().take(300).collect();
    if grams.is_empty() {
        return Ok(vec![]);
    }
    let shared: Vec<(Uuid, i64)> = requirement_grams::Entity::find()
        .select_only()
        .column(requirement_grams::Column::RequirementId)
        .column_as(requirement_grams::Column::Gram.count(), "shared")
        .filter(requirement_grams::Column::Gram.is_in(grams))
        .group_by(requirement_grams::Column::RequirementId)
        .order_by_desc(Expr::cust("shared"))
        .limit(50)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let ids: Vec<Uuid> = shared.into_iter().map(|(id, _)| id).filter(|id| Some(*id) != exclude).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let open = [RequirementStatus::Evaluated, RequirementStatus::Rejected, RequirementStatus::Duplicate].map(|s| s.as_str());
    let rows = requirements::Entity::find()
        .filter(requirements::Column::Id.is_in(ids))
        .filter(requirements::Column::DeletedAt.is_null())
        .filter(requirements::Column::Status.is_not_in(open))
        .filter(scope_condition(actor, scope))
        .all(&db.conn)
        .await?;
    let mut candidates: Vec<DuplicateCandidate> = rows
        .into_iter()
        .map(|r| {
            Ok(DuplicateCandidate {
                similarity: (requirement_similarity(
                    title,
                    description.unwrap_or_default(),
                    &r.title,
                    r.description.as_deref().unwrap_or_default(),
                ) * 1000.0)
                    .round()
                    / 1000.0,
                id: r.id,
                status: stored("requirements.status", r.id, &r.status, RequirementStatus::parse)?,
                number: r.number,
                title: r.title,
                requester_count: r.requester_count,
            })
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|c| c.similarity >= DUPLICATE_THRESHOLD)
        .collect();
    candidates.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then_with(|| a.number.cmp(&b.number)));
    candidates.truncate(10);
    Ok(candidates)
}

/// Duplicate candidates of a stored requirement.
pub async fn duplicates_of(db: &Db, actor: &Actor, id: Uuid) -> Result<Vec<DuplicateCandidate>> {
    let row = load(&db.conn, actor, Action::Read, id).await?;
    similar(db, actor, &row.title, row.description.as_deref(), Some(id)).await
}

/// What a merge moved.
#[derive(Debug, Clone, Serialize)]
pub struct MergeOutcome {
    pub survivor: RequirementRecord,
    pub moved_requesters: u64,
    /// Requesters whose customer already requested the survivor: their links and notes were
    /// folded into the survivor's row for that customer.
    pub folded_requesters: u64,
    pub moved_feedback: u64,
}

/// Merges `duplicate_id` into `survivor_id`: its requesters (with their ticket and interaction
/// links), feedback and timeline items move to the survivor exactly once, the survivor is
/// re-scored, and the duplicate becomes `duplicate`, pointing at the survivor.
pub async fn merge(db: &Db, actor: &Actor, survivor_id: Uuid, duplicate_id: Uuid) -> Result<MergeOutcome> {
    if survivor_id == duplicate_id {
        return Err(Error::validation(
            "duplicate_id",
            "invalid",
            text!("a requirement cannot be merged into itself", "需求不能合并到自身"),
        ));
    }
    let txn = db.begin_write().await?;
    let survivor = load(&txn, actor, Action::Update, survivor_id).await?;
    let duplicate = load(&txn, actor, Action::Update, duplicate_id).await.map_err(|e| {
        if matches!(e, Error::NotFound) {
            Error::validation("duplicate_id", "not_found", text!("no requirement with this id", "没有此 id 的需求"))
        } else {
            e
        }
    })?;
    for row in [&survivor, &duplicate] {
        let status = stored("requirements.status", row.id, &row.status, RequirementStatus::parse)?;
        if !status.is_open() {
            let (number, label) = (&row.number, status.label_zh());
            return Err(Error::conflict(
                "requirement.closed",
                text!("requirement {number} is {status} and cannot take part in a merge", "需求 {number} 已是“{label}”，不能参与合并"),
            ));
        }
    }
    let kept: HashMap<Uuid, requirement_requesters::Model> = requirement_requesters::Entity::find()
        .filter(requirement_requesters::Column::RequirementId.eq(survivor_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.customer_id, r))
        .collect();
    let moving =
        requirement_requesters::Entity::find().filter(requirement_requesters::Column::RequirementId.eq(duplicate_id)).all(&txn).await?;
    let (mut moved, mut folded) = (0, 0);
    for requester in moving {
        timeline::remove(&txn, REQUESTER_ENTITY, requester.id, TimelineKind::Requirement.as_str()).await?;
        match kept.get(&requester.customer_id) {
            None => {
                let mut model: requirement_requesters::ActiveModel = requester.into();
                model.requirement_id = Set(survivor_id);
                model.update(&txn).await?;
                moved += 1;
            }
            Some(existing) => {
                // The customer asked for both: one requester row, keeping every link and note.
                let mut model: requirement_requesters::ActiveModel = existing.clone().into();
                model.contact_id = Set(existing.contact_id.or(requester.contact_id));
                model.ticket_id = Set(existing.ticket_id.or(requester.ticket_id));
                model.interaction_id = Set(existing.interaction_id.or(requester.interaction_id));
                model.note = Set(match (&existing.note, &requester.note) {
                    (Some(a), Some(b)) if a != b => Some(format!("{a}\n{b}")),
                    (a, b) => a.clone().or_else(|| b.clone()),
                });
                model.requested_at = Set(std::cmp::min(existing.requested_at, requester.requested_at));
                model.update(&txn).await?;
                requirement_requesters::Entity::delete_by_id(requester.id).exec(&txn).await?;
                folded += 1;
            }
        }
    }
    let survivor_feedback: BTreeSet<Uuid> = requirement_feedback::Entity::find()
        .filter(requirement_feedback::Column::RequirementId.eq(survivor_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|f| f.customer_id)
        .collect();
    let mut moved_feedback = 0;
    for feedback in
        requirement_feedback::Entity::find().filter(requirement_feedback::Column::RequirementId.eq(duplicate_id)).all(&txn).await?
    {
        if survivor_feedback.contains(&feedback.customer_id) {
            continue;
        }
        let mut model: requirement_feedback::ActiveModel = feedback.into();
        model.requirement_id = Set(survivor_id);
        model.update(&txn).await?;
        moved_feedback += 1;
    }
    // The duplicate keeps its own history and revisions, and gains the merge.
    let mut model: requirements::ActiveModel = duplicate.clone().into();
    model.status = Set(RequirementStatus::Duplicate.as_str().to_owned());
    model.duplicate_of_id = Set(Some(survivor_id));
    model.updated_at = Set(now());
    model.version = Set(duplicate.version + 1);
    model.update(&txn).await?;
    let from = stored("requirements.status", duplicate.id, &duplicate.status, RequirementStatus::parse)?;
    let reason = SystemReason::MergedInto(survivor.number.clone()).key();
    record_history(&txn, actor, duplicate_id, Some(from), RequirementStatus::Duplicate, Some(reason)).await?;
    let merged = json!({ "merged_into": { "id": survivor_id, "number": survivor.number }, "status": { "old": duplicate.status, "new": "duplicate" } });
    record_revision(&txn, actor, duplicate_id, &merged).await?;
    let duplicate_record = to_record(&txn, refresh_figures(&txn, duplicate_id).await?).await?;
    audit::record(&txn, actor, "merge", ENTITY, duplicate_id, merged.clone()).await?;
    events::append(
        &txn,
        actor,
        "requirement.status_changed",
        ENTITY,
        duplicate_id,
        serde_json::to_value(&duplicate_record).unwrap_or_default(),
    )
    .await?;
    let mut survivor_model: requirements::ActiveModel = survivor.clone().into();
    survivor_model.updated_at = Set(now());
    survivor_model.version = Set(survivor.version + 1);
    survivor_model.update(&txn).await?;
    let record = to_record(&txn, refresh_figures(&txn, survivor_id).await?).await?;
    let absorbed = json!({ "absorbed": { "id": duplicate_id, "number": duplicate.number }, "moved_requesters": moved,
        "folded_requesters": folded, "moved_feedback": moved_feedback, "requester_count": { "old": survivor.requester_count, "new": record.requester_count } });
    record_revision(&txn, actor, survivor_id, &absorbed).await?;
    log(&txn, actor, &record, "merge", "requirement.merged", absorbed).await?;
    txn.commit().await?;
    Ok(MergeOutcome { survivor: record, moved_requesters: moved, folded_requesters: folded, moved_feedback })
}

// ---------------------------------------------------------------- feedback

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackRecord {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    pub rating: i32,
    pub comment: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

async fn feedback_records(conn: &impl ConnectionTrait, rows: Vec<requirement_feedback::Model>) -> Result<Vec<FeedbackRecord>> {
    let customers = audit::customer_names(conn, &rows.iter().map(|r| r.customer_id).collect::<Vec<_>>()).await?;
    let users = audit::user_names(conn, &rows.iter().filter_map(|r| r.recorded_by).collect::<Vec<_>>()).await?;
    Ok(rows
        .into_iter()
        .map(|f| FeedbackRecord {
            id: f.id,
            requirement_id: f.requirement_id,
            customer_name: customers.get(&f.customer_id).cloned(),
            recorded_by_name: f.recorded_by.and_then(|u| users.get(&u).cloned()),
            customer_id: f.customer_id,
            contact_id: f.contact_id,
            rating: f.rating,
            comment: f.comment,
            recorded_by: f.recorded_by,
            created_at: f.created_at,
        })
        .collect())
}

/// Records a requester's feedback on a delivered requirement (one per requesting customer,
/// replaced when given again). When every requester has answered, the requirement is evaluated.
pub async fn give_feedback(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    customer_id: Uuid,
    contact_id: Option<Uuid>,
    rating: i32,
    comment: Option<String>,
) -> Result<(FeedbackRecord, RequirementRecord)> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Read, id).await?;
    actor.require(Resource::Requirements, Action::Create)?;
    let status = stored("requirements.status", row.id, &row.status, RequirementStatus::parse)?;
    if status != RequirementStatus::Delivered {
        let (number, label) = (&row.number, status.label_zh());
        return Err(Error::conflict(
            "requirement.not_delivered",
            text!(
                "feedback is asked once a requirement is delivered; {number} is {status}",
                "需求交付后才能记录评价；{number} 当前为“{label}”"
            ),
        ));
    }
    let requester = requirement_requesters::Entity::find()
        .filter(requirement_requesters::Column::RequirementId.eq(id))
        .filter(requirement_requesters::Column::CustomerId.eq(customer_id))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            Error::validation(
                "customer_id",
                "not_a_requester",
                text!("this customer did not request the requirement", "该客户不是此需求的提出客户"),
            )
        })?;
    requirement_feedback::Entity::delete_many()
        .filter(requirement_feedback::Column::RequirementId.eq(id))
        .filter(requirement_feedback::Column::CustomerId.eq(customer_id))
        .exec(&txn)
        .await?;
    let feedback = requirement_feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        requirement_id: Set(id),
        customer_id: Set(customer_id),
        contact_id: Set(contact_id.or(requester.contact_id)),
        rating: Set(rating),
        comment: Set(comment),
        recorded_by: Set(actor.audit_id()),
        created_at: Set(now()),
    }
    .insert(&txn)
    .await?;
    let refreshed = refresh_figures(&txn, id).await?;
    let mut record = to_record(&txn, refreshed.clone()).await?;
    log(&txn, actor, &record, "feedback", "requirement.feedback_given", json!({ "customer_id": customer_id, "rating": rating })).await?;
    if refreshed.feedback_count >= refreshed.requester_count {
        let reason = SystemReason::AllRequestersAnswered.key();
        record = move_row(&txn, actor, refreshed, RequirementStatus::Evaluated, Some(reason)).await?;
    }
    let out = feedback_records(&txn, vec![feedback]).await?.pop().ok_or(Error::NotFound)?;
    txn.commit().await?;
    Ok((out, record))
}

pub async fn feedback(db: &Db, actor: &Actor, id: Uuid, page: &PageRequest) -> Result<Page<FeedbackRecord>> {
    load(&db.conn, actor, Action::Read, id).await?;
    let sort = Sort { key: "created_at", column: requirement_feedback::Column::CreatedAt, descending: false, value: SortValue::Time };
    let page = fetch_page(
        &db.conn,
        requirement_feedback::Entity::find().filter(requirement_feedback::Column::RequirementId.eq(id)),
        &sort,
        requirement_feedback::Column::Id,
        page,
        |f| (json!(f.created_at), f.id),
    )
    .await?;
    Ok(Page { data: feedback_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

// ---------------------------------------------------------------- history and revisions

#[derive(Debug, Clone, Serialize)]
pub struct HistoryRecord {
    pub id: Uuid,
    pub from_status: Option<RequirementStatus>,
    pub to_status: RequirementStatus,
    pub reason: Option<String>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

pub async fn history(db: &Db, actor: &Actor, id: Uuid) -> Result<Vec<HistoryRecord>> {
    load(&db.conn, actor, Action::Read, id).await?;
    history_of(&db.conn, &[id]).await.map(|mut h| h.remove(&id).unwrap_or_default())
}

async fn history_of(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<HistoryRecord>>> {
    let rows = requirement_history::Entity::find()
        .filter(requirement_history::Column::RequirementId.is_in(ids.to_vec()))
        .order_by_asc(requirement_history::Column::ChangedAt)
        .order_by_asc(requirement_history::Column::Id)
        .all(conn)
        .await?;
    let names = audit::user_names(conn, &rows.iter().filter_map(|r| r.actor_id).collect::<Vec<_>>()).await?;
    let mut out: HashMap<Uuid, Vec<HistoryRecord>> = HashMap::new();
    for h in rows {
        out.entry(h.requirement_id).or_default().push(HistoryRecord {
            id: h.id,
            from_status: h
                .from_status
                .as_deref()
                .map(|s| stored("requirement_history.from_status", h.id, s, RequirementStatus::parse))
                .transpose()?,
            to_status: stored("requirement_history.to_status", h.id, &h.to_status, RequirementStatus::parse)?,
            reason: h.reason,
            actor_name: h.actor_id.and_then(|a| names.get(&a).cloned()),
            actor_id: h.actor_id,
            changed_at: h.changed_at,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionRecord {
    pub revision: i32,
    /// `{field: {old, new}}`, or what a merge or creation did.
    pub changes: Value,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Every change of a requirement, newest first.
pub async fn revisions(db: &Db, actor: &Actor, id: Uuid, page: &PageRequest) -> Result<Page<RevisionRecord>> {
    load(&db.conn, actor, Action::Read, id).await?;
    let sort = Sort { key: "-created_at", column: requirement_revisions::Column::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(
        &db.conn,
        requirement_revisions::Entity::find().filter(requirement_revisions::Column::RequirementId.eq(id)),
        &sort,
        requirement_revisions::Column::Id,
        page,
        |r| (json!(r.created_at), r.id),
    )
    .await?;
    let names = audit::user_names(&db.conn, &page.data.iter().filter_map(|r| r.actor_id).collect::<Vec<_>>()).await?;
    page.try_map(|r| {
        Ok(RevisionRecord {
            revision: r.revision,
            changes: stored_json("requirement_revisions.changes", r.id, &r.changes)?,
            actor_name: r.actor_id.and_then(|a| names.get(&a).cloned()),
            actor_id: r.actor_id,
            created_at: r.created_at,
        })
    })
}

// ---------------------------------------------------------------- lists, board, releases

#[derive(Debug, Clone, Default)]
pub struct RequirementFilter {
    pub q: Option<String>,
    pub statuses: Vec<RequirementStatus>,
    pub categories: Vec<RequirementCategory>,
    pub sources: Vec<RequirementSource>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub release: Option<String>,
    pub customer_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub tag: Option<String>,
    pub sort: Option<String>,
}

const SORTS: [Sort<requirements::Column>; 4] = [
    Sort { key: "-score", column: requirements::Column::ScoreMilli, descending: true, value: SortValue::Int },
    Sort { key: "-requester_count", column: requirements::Column::RequesterCount, descending: true, value: SortValue::Int },
    Sort { key: "-created_at", column: requirements::Column::CreatedAt, descending: true, value: SortValue::Time },
    Sort { key: "-updated_at", column: requirements::Column::UpdatedAt, descending: true, value: SortValue::Time },
];

fn filtered(actor: &Actor, scope: Scope, filter: &RequirementFilter) -> sea_orm::Select<requirements::Entity> {
    use requirements::Column as C;
    let mut select = requirements::Entity::find().filter(C::DeletedAt.is_null()).filter(scope_condition(actor, scope));
    if !filter.statuses.is_empty() {
        select = select.filter(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if !filter.categories.is_empty() {
        select = select.filter(C::Category.is_in(filter.categories.iter().map(|s| s.as_str())));
    }
    if !filter.sources.is_empty() {
        select = select.filter(C::SourceChannel.is_in(filter.sources.iter().map(|s| s.as_str())));
    }
    if let Some(v) = filter.owner_id {
        select = select.filter(C::OwnerId.eq(v));
    }
    if let Some(v) = filter.team_id {
        select = select.filter(C::TeamId.eq(v));
    }
    if let Some(v) = &filter.release {
        select = select.filter(C::Release.eq(v.clone()));
    }
    if filter.customer_id.is_some() || filter.ticket_id.is_some() {
        let mut requested =
            Query::select().column(requirement_requesters::Column::RequirementId).from(requirement_requesters::Entity).take();
        if let Some(customer) = filter.customer_id {
            requested.and_where(requirement_requesters::Column::CustomerId.eq(customer));
        }
        if let Some(ticket) = filter.ticket_id {
            requested.and_where(requirement_requesters::Column::TicketId.eq(ticket));
        }
        select = select.filter(C::Id.in_subquery(requested));
    }
    if let Some(tag) = filter.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let tagged = Query::select()
            .column(requirement_tags::Column::RequirementId)
            .from(requirement_tags::Entity)
            .and_where(requirement_tags::Column::Tag.eq(tag.to_lowercase()))
            .take();
        select = select.filter(C::Id.in_subquery(tagged));
    }
    select.filter(crate::query::contains_every_word(C::SearchText, filter.q.as_deref()))
}

pub async fn list(db: &Db, actor: &Actor, filter: &RequirementFilter, page: &PageRequest) -> Result<Page<RequirementRecord>> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let sort = pick_sort(&SORTS, filter.sort.as_deref())?;
    let page = fetch_page(&db.conn, filtered(actor, scope, filter), sort, requirements::Column::Id, page, |r| {
        let value = match sort.key {
            "-score" => json!(r.score_milli),
            "-requester_count" => json!(r.requester_count),
            "-created_at" => json!(r.created_at),
            _ => json!(r.updated_at),
        };
        (value, r.id)
    })
    .await?;
    Ok(Page { data: to_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

/// Every matching requirement, highest score first (for documents), with a ceiling.
pub async fn all_matching(db: &Db, actor: &Actor, filter: &RequirementFilter, ceiling: u64) -> Result<Vec<RequirementRecord>> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let rows = filtered(actor, scope, filter)
        .order_by_desc(requirements::Column::ScoreMilli)
        .order_by_asc(requirements::Column::Id)
        .limit(ceiling)
        .all(&db.conn)
        .await?;
    to_records(&db.conn, rows).await
}

/// One column of the board.
#[derive(Debug, Clone, Serialize)]
pub struct BoardColumn {
    pub status: RequirementStatus,
    pub count: u64,
    /// The first cards by score; more through `GET /requirements?status=…&sort=-score`.
    pub items: Vec<RequirementRecord>,
    pub next_cursor: Option<String>,
}

pub async fn board(db: &Db, actor: &Actor, filter: &RequirementFilter, per_column: u64) -> Result<Vec<BoardColumn>> {
    let mut columns = Vec::new();
    for status in RequirementStatus::ALL.iter().copied().filter(|s| *s != RequirementStatus::Duplicate) {
        let column_filter = RequirementFilter { statuses: vec![status], sort: Some("-score".into()), ..filter.clone() };
        let page = list(db, actor, &column_filter, &PageRequest { limit: per_column, cursor: None, include_total: true }).await?;
        columns.push(BoardColumn { status, count: page.total.unwrap_or_default(), items: page.data, next_cursor: page.next_cursor });
    }
    Ok(columns)
}

/// A release and its requirements by status.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseSummary {
    pub release: String,
    pub total: u64,
    pub by_status: HashMap<String, u64>,
    pub earliest_target: Option<NaiveDate>,
    pub latest_target: Option<NaiveDate>,
}

/// Release, status, count, earliest and latest target date.
type ReleaseRow = (Option<String>, String, i64, Option<NaiveDate>, Option<NaiveDate>);

pub async fn releases(db: &Db, actor: &Actor) -> Result<Vec<ReleaseSummary>> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let rows: Vec<ReleaseRow> = filtered(actor, scope, &RequirementFilter::default())
        .select_only()
        .column(requirements::Column::Release)
        .column(requirements::Column::Status)
        .column_as(requirements::Column::Id.count(), "n")
        .column_as(requirements::Column::TargetDate.min(), "earliest")
        .column_as(requirements::Column::TargetDate.max(), "latest")
        .filter(requirements::Column::Release.is_not_null())
        .group_by(requirements::Column::Release)
        .group_by(requirements::Column::Status)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let mut out: Vec<ReleaseSummary> = Vec::new();
    for (release, status, n, earliest, latest) in rows {
        let Some(release) = release else { continue };
        let n = u64::try_from(n).unwrap_or_default();
        let entry = match out.iter_mut().position(|r| r.release == release) {
            Some(i) => &mut out[i],
            None => {
                out.push(ReleaseSummary {
                    release: release.clone(),
                    total: 0,
                    by_status: HashMap::new(),
                    earliest_target: None,
                    latest_target: None,
                });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        entry.total += n;
        *entry.by_status.entry(status).or_default() += n;
        entry.earliest_target = match (entry.earliest_target, earliest) {
            (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
            (a, b) => a.or(b),
        };
        entry.latest_target = match (entry.latest_target, latest) {
            (Some(a), Some(b)) => Some(std::cmp::max(a, b)),
            (a, b) => a.or(b),
        };
    }
    out.sort_by(|a, b| a.release.cmp(&b.release));
    Ok(out)
}

// ---------------------------------------------------------------- documents and reports

/// Everything the requirements document shows about one requirement.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentEntry {
    pub requirement: RequirementRecord,
    pub requesters: Vec<RequesterRecord>,
    pub history: Vec<HistoryRecord>,
    pub feedback: Vec<FeedbackRecord>,
}

/// The requirements of a customer or a release with their requesters, history and feedback.
pub async fn document(db: &Db, actor: &Actor, filter: &RequirementFilter) -> Result<Vec<DocumentEntry>> {
    let records = all_matching(db, actor, filter, 2000).await?;
    let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut requesters: HashMap<Uuid, Vec<RequesterRecord>> = HashMap::new();
    let rows = requirement_requesters::Entity::find()
        .filter(requirement_requesters::Column::RequirementId.is_in(ids.clone()))
        .order_by_asc(requirement_requesters::Column::RequestedAt)
        .all(&db.conn)
        .await?;
    for r in requester_records(&db.conn, rows).await? {
        requesters.entry(r.requirement_id).or_default().push(r);
    }
    let mut feedback: HashMap<Uuid, Vec<FeedbackRecord>> = HashMap::new();
    let rows = requirement_feedback::Entity::find()
        .filter(requirement_feedback::Column::RequirementId.is_in(ids.clone()))
        .order_by_asc(requirement_feedback::Column::CreatedAt)
        .all(&db.conn)
        .await?;
    for f in feedback_records(&db.conn, rows).await? {
        feedback.entry(f.requirement_id).or_default().push(f);
    }
    let mut history = history_of(&db.conn, &ids).await?;
    Ok(records
        .into_iter()
        .map(|r| DocumentEntry {
            requesters: requesters.remove(&r.id).unwrap_or_default(),
            feedback: feedback.remove(&r.id).unwrap_or_default(),
            history: history.remove(&r.id).unwrap_or_default(),
            requirement: r,
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementsReport {
    pub total: u64,
    pub by_status: Vec<(String, u64)>,
    pub by_category: Vec<(String, u64)>,
    pub by_source: Vec<(String, u64)>,
    /// Average days from collection to delivery over delivered and evaluated requirements.
    pub average_days_to_delivery: Option<f64>,
    pub delivered_count: u64,
    pub top_by_demand: Vec<RequirementRecord>,
    pub top_by_score: Vec<RequirementRecord>,
}

pub async fn report(db: &Db, actor: &Actor) -> Result<RequirementsReport> {
    let scope = actor.require(Resource::Requirements, Action::Read)?;
    let base = RequirementFilter::default();
    let group = |column: requirements::Column| {
        filtered(actor, scope, &base)
            .select_only()
            .column(column)
            .column_as(requirements::Column::Id.count(), "n")
            .group_by(column)
            .order_by_asc(column)
            .into_tuple::<(String, i64)>()
    };
    let count = |rows: Vec<(String, i64)>| rows.into_iter().map(|(k, n)| (k, u64::try_from(n).unwrap_or_default())).collect::<Vec<_>>();
    let by_status = count(group(requirements::Column::Status).all(&db.conn).await?);
    let by_category = count(group(requirements::Column::Category).all(&db.conn).await?);
    let by_source = count(group(requirements::Column::SourceChannel).all(&db.conn).await?);
    let total = by_status.iter().map(|(_, n)| n).sum();
    // Durations are computed here rather than in SQL, whose date arithmetic differs per backend.
    let delivered: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = filtered(actor, scope, &base)
        .select_only()
        .column(requirements::Column::CreatedAt)
        .column(requirements::Column::DeliveredAt)
        .filter(requirements::Column::DeliveredAt.is_not_null())
        .into_tuple()
        .all(&db.conn)
        .await?;
    let days: Vec<f64> = delivered.iter().filter_map(|(c, d)| d.map(|d| (d - *c).num_seconds() as f64 / 86_400.0)).collect();
    let average_days_to_delivery = (!days.is_empty()).then(|| (days.iter().sum::<f64>() / days.len() as f64 * 100.0).round() / 100.0);
    let open = |sort: &str| RequirementFilter {
        statuses: RequirementStatus::ALL.iter().copied().filter(|s| s.is_open()).collect(),
        sort: Some(sort.into()),
        ..RequirementFilter::default()
    };
    let top = |filter: RequirementFilter| async move {
        list(db, actor, &filter, &PageRequest { limit: 10, cursor: None, include_total: false }).await
    };
    Ok(RequirementsReport {
        total,
        by_status,
        by_category,
        by_source,
        average_days_to_delivery,
        delivered_count: days.len() as u64,
        top_by_demand: top(open("-requester_count")).await?.data,
        top_by_score: top(open("-score")).await?.data,
    })
}

// ---------------------------------------------------------------- settings

/// Saves new weights and re-scores every requirement in the same transaction, so the ranking is
/// never half old, half new.
pub async fn save_weights(
    db: &Db,
    actor: &Actor,
    expected_version: Option<i32>,
    weights: PriorityWeights,
) -> Result<settings::Stored<RequirementSettings>> {
    actor.require_admin()?;
    weights.check().map_err(|refusal| ValidationErrors(vec![refusal.field_error("weights")]))?;
    let txn = db.begin_write().await?;
    let stored = settings::write(&txn, actor, SETTINGS_KEY, expected_version, &RequirementSettings { weights }).await?;
    let rows: Vec<(Uuid, i32, i32, i32, i32, i64)> = requirements::Entity::find()
        .select_only()
        .column(requirements::Column::Id)
        .column(requirements::Column::Importance)
        .column(requirements::Column::Urgency)
        .column(requirements::Column::Effort)
        .column(requirements::Column::RequesterCount)
        .column(requirements::Column::ScoreMilli)
        .into_tuple()
        .all(&txn)
        .await?;
    for (id, importance, urgency, effort, requesters, old) in rows {
        let score = score_milli(priority_score(importance, urgency, effort, u32::try_from(requesters).unwrap_or_default(), &weights));
        if score != old {
            requirements::Entity::update_many()
                .col_expr(requirements::Column::ScoreMilli, Expr::value(score))
                .filter(requirements::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(stored)
}
