//! Customer requirements (客户需求管理): collection from customers, tickets and interactions;
//! requesters; the priority score and its weights; the status process with its history; field
//! revisions; duplicate candidates by character bigrams and merging; feedback and evaluation;
//! the data behind the requirements document and reports.
//!
//! Scope (`requirements`): a requirement belongs to its owner (once named), its creator and its
//! team; `own` reaches what one owns or created, `team` adds the teams one reaches.

mod feedback;
mod history;
mod lists;
mod merging;
mod reports;
mod requesters;
mod weights;

pub use feedback::*;
pub use history::*;
pub use lists::*;
pub use merging::*;
pub use reports::*;
pub use requesters::*;
pub use weights::*;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::activities::TimelineKind;
use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::requirements::{
    NewRequester, NewRequirement, Origin, PriorityWeights, RequirementCategory, RequirementFields, RequirementPatch, RequirementSource,
    RequirementStatus, bigrams, priority_score, score_milli,
};
use crm_domain::{HasCode, text};

use crate::activities::timeline::{self, NewItem};
use crate::customers::load_for;
use crate::entities::{
    contacts, interactions, requirement_feedback, requirement_grams, requirement_history, requirement_requesters, requirement_revisions,
    requirement_tags, requirements, tickets,
};
use crate::platform::changes::{self, Change, insert_first_version, move_to_bin, save_next_version};
use crate::platform::{audit, settings};
use crate::{Actor, Db, Error, Result, check_version, now, stored, stored_json};

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

#[tracing::instrument(skip_all)]
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

/// Records a change of a requirement: `before` is the record as it was (none for a new one). What
/// an action other than an edit did beyond the record (a requester added, feedback given, a
/// duplicate absorbed) is its event's `detail` too.
async fn log(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    before: Option<&RequirementRecord>,
    record: &RequirementRecord,
    action: &str,
    event: &str,
    changes: Value,
) -> Result<()> {
    refresh_timeline(conn, actor, record).await?;
    let mut change = Change::told(ENTITY, record.id, action, event, changes.clone(), before, record);
    if !matches!(action, "create" | "update") {
        change = change.detailing(changes);
    }
    changes::record(conn, actor, change).await
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
#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, new: NewRequirement) -> Result<RequirementRecord> {
    actor.require(Resource::Requirements, Action::Create)?;
    let NewRequirement { fields: new, origin, note } = new;
    let txn = db.begin_write().await?;
    check_owner(&txn, new.owner_id).await?;
    let first = match origin {
        Some(origin) => Some(origin_requester(&txn, actor, origin, note).await?),
        None => None,
    };
    let id = Uuid::now_v7();
    let number = format!("REQ-{:06}", crate::next_in_sequence(&txn, "requirement").await?);
    let at = now();
    let team_id = crate::identity::teams::primary_team(&txn, actor.user_id).await?;
    insert_first_version(
        &txn,
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
            ..Default::default()
        },
        at,
    )
    .await?;
    write_tags(&txn, id, &new.tags).await?;
    write_grams(&txn, id, &new.title, new.description.as_deref()).await?;
    if let Some(first) = first {
        insert_requester(&txn, actor, id, first).await?;
    }
    record_history(&txn, actor, id, None, RequirementStatus::Collected, None).await?;
    let record = to_record(&txn, refresh_figures(&txn, id).await?).await?;
    record_revision(&txn, actor, id, &json!({ "created": without_figures(&record) })).await?;
    log(&txn, actor, None, &record, "create", "requirement.created", json!({ "after": record })).await?;
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

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<RequirementRecord> {
    let row = load(&db.conn, actor, Action::Read, id).await?;
    to_record(&db.conn, row).await
}

/// Changes fields; each change is kept as a revision with its fields old → new.
#[tracing::instrument(skip_all)]
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
    let before_record = to_record(&txn, row.clone()).await?;
    let before = without_figures(&before_record);
    let current = RequirementFields {
        title: row.title.clone(),
        description: row.description.clone(),
        category: stored("requirements.category", row.id, &row.category, RequirementCategory::parse)?,
        source_channel: stored("requirements.source_channel", row.id, &row.source_channel, RequirementSource::parse)?,
        importance: row.importance,
        urgency: row.urgency,
        effort: row.effort,
        owner_id: row.owner_id,
        department: row.department.clone(),
        target_date: row.target_date,
        release: row.release.clone(),
        tags: stored_json("requirements.tags", row.id, &row.tags)?,
    };
    let next = patch.apply(&current);
    let mut model: requirements::ActiveModel = row.clone().into();
    model.title = Set(next.title);
    model.description = Set(next.description);
    model.category = Set(next.category.as_str().to_owned());
    model.source_channel = Set(next.source_channel.as_str().to_owned());
    model.importance = Set(next.importance);
    model.urgency = Set(next.urgency);
    model.effort = Set(next.effort);
    model.owner_id = Set(next.owner_id);
    model.department = Set(next.department);
    model.target_date = Set(next.target_date);
    model.release = Set(next.release);
    model.tags = Set(serde_json::to_string(&next.tags).unwrap_or_else(|_| "[]".into()));
    let preview = to_record(&txn, apply(&row, &model)).await?;
    let after = without_figures(&preview);
    let changes = diff(&before, &after);
    if changes.as_object().is_none_or(|c| c.is_empty()) {
        txn.commit().await?;
        return to_record(&db.conn, row).await;
    }
    model.search_text = Set(search_text(&preview.title, preview.description.as_deref(), &row.number, &preview.tags));
    save_next_version(&txn, model).await?;
    write_tags(&txn, id, &preview.tags).await?;
    write_grams(&txn, id, &preview.title, preview.description.as_deref()).await?;
    let record = to_record(&txn, refresh_figures(&txn, id).await?).await?;
    record_revision(&txn, actor, id, &changes).await?;
    log(&txn, actor, Some(&before_record), &record, "update", "requirement.updated", changes).await?;
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
#[tracing::instrument(skip_all)]
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
    let before = to_record(conn, row.clone()).await?;
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
    let record = to_record(conn, save_next_version(conn, model).await?).await?;
    record_history(conn, actor, id, Some(current), next, reason.clone()).await?;
    let changes = json!({ "status": { "old": current, "new": next }, "reason": reason });
    record_revision(conn, actor, id, &changes).await?;
    log(conn, actor, Some(&before), &record, "update", "requirement.status_changed", changes).await?;
    Ok(record)
}

/// Moves a requirement to the recycle bin.
#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Delete, id).await?;
    check_version(expected_version, row.version)?;
    let before = to_record(&txn, row.clone()).await?;
    move_to_bin(&txn, actor, ENTITY, id, requirements::ActiveModel::from(row), &before).await?;
    let requesters = requirement_requesters::Entity::find().filter(requirement_requesters::Column::RequirementId.eq(id)).all(&txn).await?;
    for requester in requesters {
        timeline::remove(&txn, REQUESTER_ENTITY, requester.id, TimelineKind::Requirement.as_str()).await?;
    }
    txn.commit().await?;
    Ok(())
}
