//! Follow-up rules: "a customer in this stage with no interaction for N days gets a task for its
//! owner, due in M days", and the job that applies them.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::activities::{RelatedType, RuleFields, RulePatch, TaskFields, TaskPriority, rule_task_due};
use crm_domain::customers::LifecycleStage;
use crm_domain::identity::{Action, Resource};
use crm_domain::written::SystemText;

use super::notifications::language_of;
use super::tasks::{RuleTask, insert};
use crate::entities::{customers, follow_up_rules, tasks};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored};

const ENTITY: &str = "follow_up_rule";

#[derive(Debug, Clone, Serialize)]
pub struct RuleRecord {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: RuleFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl TryFrom<follow_up_rules::Model> for RuleRecord {
    type Error = Error;

    fn try_from(r: follow_up_rules::Model) -> Result<Self> {
        Ok(Self {
            id: r.id,
            fields: RuleFields {
                lifecycle_stage: stored("follow_up_rules.lifecycle_stage", r.id, &r.lifecycle_stage, LifecycleStage::parse)?,
                silent_days: r.silent_days,
                due_in_days: r.due_in_days,
                priority: stored("follow_up_rules.priority", r.id, &r.priority, TaskPriority::parse)?,
                active: r.active,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        })
    }
}

fn write(model: &mut follow_up_rules::ActiveModel, f: &RuleFields) {
    model.lifecycle_stage = Set(f.lifecycle_stage.as_str().to_owned());
    model.silent_days = Set(f.silent_days);
    model.due_in_days = Set(f.due_in_days);
    model.priority = Set(f.priority.as_str().to_owned());
    model.active = Set(f.active);
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<RuleRecord>> {
    actor.require(Resource::Activities, Action::Read)?;
    let sort = Sort { key: "created_at", column: follow_up_rules::Column::CreatedAt, descending: false, value: SortValue::Time };
    let page =
        fetch_page(&db.conn, follow_up_rules::Entity::find(), &sort, follow_up_rules::Column::Id, page, |r| (json!(r.created_at), r.id))
            .await?;
    page.try_map(RuleRecord::try_from)
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<RuleRecord> {
    actor.require(Resource::Activities, Action::Read)?;
    follow_up_rules::Entity::find_by_id(id).one(&db.conn).await?.ok_or(Error::NotFound).and_then(RuleRecord::try_from)
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, fields: RuleFields) -> Result<RuleRecord> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let at = now();
    let id = Uuid::now_v7();
    let mut model = follow_up_rules::ActiveModel { id: Set(id), ..Default::default() };
    write(&mut model, &fields);
    let record = RuleRecord::try_from(insert_first_version(&txn, model, at).await?)?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: RulePatch) -> Result<RuleRecord> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = follow_up_rules::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    let before = RuleRecord::try_from(row.clone())?;
    let next = patch.apply(&before.fields);
    if next == before.fields {
        txn.commit().await?;
        return Ok(before);
    }
    let mut model: follow_up_rules::ActiveModel = row.clone().into();
    write(&mut model, &next);
    let after = RuleRecord::try_from(save_next_version(&txn, model).await?)?;
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after), after).await
}

#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = follow_up_rules::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    follow_up_rules::Entity::delete_by_id(id).exec(&txn).await?;
    changes::record(&txn, actor, Change::removed(ENTITY, id, &RuleRecord::try_from(row)?)).await?;
    txn.commit().await?;
    Ok(())
}

/// How many silent customers one run handles per rule; the next run takes the rest.
const BATCH: u64 = 1000;

/// Applies every active rule as of `at`: each customer silent for the rule's days gets one task
/// for its owner. A silence is identified by when it began (the last interaction, or the
/// customer's creation), so a new silence after a new interaction gets a new task, and the same
/// silence never gets two, even with schedulers racing on one database (a unique key decides).
#[tracing::instrument(skip_all)]
pub async fn run_follow_up_rules(db: &Db, at: DateTime<Utc>) -> Result<u64> {
    let system = Actor::system();
    let rules = follow_up_rules::Entity::find().filter(follow_up_rules::Column::Active.eq(true)).all(&db.conn).await?;
    let mut created = 0;
    for rule in rules {
        let silent_since = || -> Expr {
            Func::coalesce([
                Expr::col((customers::Entity, customers::Column::LastInteractionAt)),
                Expr::col((customers::Entity, customers::Column::CreatedAt)),
            ])
            .into()
        };
        let already_tasked = Query::select()
            .expr(Expr::val(1))
            .from(tasks::Entity)
            .and_where(Expr::col((tasks::Entity, tasks::Column::RuleId)).eq(rule.id))
            .and_where(Expr::col((tasks::Entity, tasks::Column::CustomerId)).equals((customers::Entity, customers::Column::Id)))
            .and_where(Expr::col((tasks::Entity, tasks::Column::CreatedAt)).gte(silent_since()))
            .take();
        let candidates = customers::Entity::find()
            .filter(customers::Column::DeletedAt.is_null())
            .filter(customers::Column::LifecycleStage.eq(rule.lifecycle_stage.clone()))
            .filter(Expr::expr(silent_since()).lte(crm_domain::dates::shift(at, Duration::days(-i64::from(rule.silent_days)))))
            .filter(Expr::exists(already_tasked).not())
            .limit(BATCH)
            .all(&db.conn)
            .await?;
        let rule = RuleRecord::try_from(rule)?;
        let RuleFields { lifecycle_stage: stage, silent_days, due_in_days, priority, .. } = rule.fields;
        for customer in candidates {
            let since = customer.last_interaction_at.unwrap_or(customer.created_at);
            let days = (at - since).num_days();
            // Stored as the system's words, worded per reader; the plain title and description
            // are the owner's reading, for search.
            let lang = language_of(&db.conn, customer.owner_id).await?;
            let customer_name = customer.name.clone();
            let title = SystemText::FollowUp { customer: customer_name.clone(), days };
            let description = SystemText::FollowUpDescription { customer: customer_name, days, stage, silent_days };
            let fields = TaskFields {
                title: title.render(lang),
                description: Some(description.render(lang)),
                due_at: Some(rule_task_due(at, due_in_days)),
                remind_at: None,
                priority,
                assignee_id: customer.owner_id,
                customer_id: Some(customer.id),
                related_type: Some(RelatedType::Customer),
                related_id: Some(customer.id),
            };
            let dedupe_key = format!("rule:{}:{}:{}", rule.id, customer.id, since.timestamp_micros());
            let by_rule = RuleTask { rule_id: rule.id, dedupe_key, title, description };
            let txn = db.begin_write().await?;
            if insert(&txn, &system, &fields, Some(by_rule)).await?.is_some() {
                created += 1;
            }
            txn.commit().await?;
        }
    }
    Ok(created)
}
