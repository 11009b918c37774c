//! SLA policies: targets per priority on a 24×7 or business-hours schedule. Exactly one is the
//! default, which new tickets follow; administrators manage them.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};
use crm_domain::service::{PolicyFields, PolicyPatch};
use crm_domain::text;

use crate::entities::{sla_policies, tickets};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored_json};

const ENTITY: &str = "sla_policy";

#[derive(Debug, Clone, Serialize)]
pub struct PolicyRecord {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: PolicyFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl TryFrom<sla_policies::Model> for PolicyRecord {
    type Error = Error;
    fn try_from(p: sla_policies::Model) -> Result<Self> {
        Ok(Self {
            id: p.id,
            fields: PolicyFields {
                calendar: stored_json("sla_policies.calendar", p.id, &p.calendar)?,
                targets: stored_json("sla_policies.targets", p.id, &p.targets)?,
                name: p.name,
                is_default: p.is_default,
                business_hours: p.business_hours,
            },
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        })
    }
}

fn write(model: &mut sla_policies::ActiveModel, f: &PolicyFields) {
    model.name = Set(f.name.clone());
    model.is_default = Set(f.is_default);
    model.business_hours = Set(f.business_hours);
    model.calendar = Set(serde_json::to_string(&f.calendar).unwrap_or_default());
    model.targets = Set(serde_json::to_string(&f.targets).unwrap_or_default());
}

/// Refuses a name another policy holds, naming that policy.
async fn refuse_taken_name(conn: &impl sea_orm::ConnectionTrait, name: &str, except: Option<Uuid>) -> Result<()> {
    let mut holder = sla_policies::Entity::find().filter(sla_policies::Column::Name.eq(name));
    if let Some(id) = except {
        holder = holder.filter(sla_policies::Column::Id.ne(id));
    }
    match holder.one(conn).await? {
        Some(existing) => Err(Error::Taken {
            code: "sla_policy.name_taken",
            message: text!("an SLA policy with this name exists", "已有同名的 SLA 策略"),
            existing_id: existing.id,
        }),
        None => Ok(()),
    }
}

async fn clear_other_defaults(conn: &impl sea_orm::ConnectionTrait, keep: Uuid) -> Result<()> {
    sla_policies::Entity::update_many()
        .col_expr(sla_policies::Column::IsDefault, Expr::value(false))
        .filter(sla_policies::Column::Id.ne(keep))
        .exec(conn)
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<PolicyRecord>> {
    actor.require(Resource::Service, Action::Read)?;
    let sort = Sort { key: "name", column: sla_policies::Column::Name, descending: false, value: SortValue::Text };
    let page = fetch_page(&db.conn, sla_policies::Entity::find(), &sort, sla_policies::Column::Id, page, |p| (json!(p.name), p.id)).await?;
    let data = page.data.into_iter().map(PolicyRecord::try_from).collect::<Result<Vec<_>>>()?;
    Ok(Page { data, next_cursor: page.next_cursor, total: page.total })
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<PolicyRecord> {
    actor.require(Resource::Service, Action::Read)?;
    sla_policies::Entity::find_by_id(id).one(&db.conn).await?.ok_or(Error::NotFound)?.try_into()
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, fields: PolicyFields) -> Result<PolicyRecord> {
    actor.require_admin()?;
    fields.check()?;
    let txn = db.begin_write().await?;
    refuse_taken_name(&txn, &fields.name, None).await?;
    let at = now();
    let id = Uuid::now_v7();
    let mut model = sla_policies::ActiveModel { id: Set(id), ..Default::default() };
    write(&mut model, &fields);
    let record = PolicyRecord::try_from(insert_first_version(&txn, model, at).await?)?;
    if fields.is_default {
        clear_other_defaults(&txn, id).await?;
    }
    changes::commit(txn, actor, Change::created(ENTITY, id, &record), record).await
}

/// Changes a policy; tickets keep the due times they were given (they move only when paused).
#[tracing::instrument(skip_all)]
pub async fn update(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: PolicyPatch) -> Result<PolicyRecord> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = sla_policies::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    let before = PolicyRecord::try_from(row.clone())?;
    if patch.is_default == Some(false) && before.fields.is_default {
        return Err(Error::conflict(
            "sla_policy.default_required",
            text!("make another policy the default instead", "不能直接取消默认策略，请将另一条策略设为默认"),
        ));
    }
    let next = patch.apply(&before.fields);
    next.check()?;
    if next.name != before.fields.name {
        refuse_taken_name(&txn, &next.name, Some(id)).await?;
    }
    let mut model: sla_policies::ActiveModel = row.clone().into();
    write(&mut model, &next);
    let after = PolicyRecord::try_from(save_next_version(&txn, model).await?)?;
    if next.is_default {
        clear_other_defaults(&txn, id).await?;
    }
    changes::commit(txn, actor, Change::updated(ENTITY, id, &before, &after), after).await
}

/// Deletes a policy no ticket follows; the default cannot be deleted.
#[tracing::instrument(skip_all)]
pub async fn delete(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = sla_policies::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    if row.is_default {
        return Err(Error::conflict("sla_policy.default_not_deletable", text!("the default policy cannot be deleted", "默认策略不能删除")));
    }
    let used = tickets::Entity::find().filter(tickets::Column::SlaPolicyId.eq(id)).count(&txn).await?;
    if used > 0 {
        return Err(Error::conflict("sla_policy.in_use", text!("{used} tickets follow this policy", "有 {used} 个服务请求采用此策略")));
    }
    let before = PolicyRecord::try_from(row)?;
    sla_policies::Entity::delete_by_id(id).exec(&txn).await?;
    changes::record(&txn, actor, Change::removed(ENTITY, id, &before)).await?;
    txn.commit().await?;
    Ok(())
}
