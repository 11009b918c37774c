//! Pipelines and their ordered stages. Administrators shape them; a stage that opportunities use
//! cannot be deleted, only retired (no new opportunities enter it).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};
use crm_domain::ids::{PipelineId, StageId};
use crm_domain::sales::{NewStage, StageFields, StageKind, StagePatch, check_stage_set};
use crm_domain::text;

use crate::entities::{opportunities, pipeline_stages, pipelines};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored};

const ENTITY: &str = "pipeline";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRecord {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub position: i32,
    pub probability: i32,
    pub kind: StageKind,
    pub retired: bool,
}

impl TryFrom<pipeline_stages::Model> for StageRecord {
    type Error = Error;

    fn try_from(s: pipeline_stages::Model) -> Result<Self> {
        Ok(Self {
            id: s.id,
            kind: stored("pipeline_stages.kind", s.id, &s.kind, StageKind::parse)?,
            key: s.key,
            name: s.name,
            position: s.position,
            probability: s.probability,
            retired: s.retired,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PipelineRecord {
    pub id: Uuid,
    pub name: String,
    pub is_default: bool,
    pub stages: Vec<StageRecord>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

pub(crate) async fn stages_of(conn: &impl sea_orm::ConnectionTrait, pipeline_id: Uuid) -> Result<Vec<StageRecord>> {
    pipeline_stages::Entity::find()
        .filter(pipeline_stages::Column::PipelineId.eq(pipeline_id))
        .order_by_asc(pipeline_stages::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(StageRecord::try_from)
        .collect()
}

async fn record(conn: &impl sea_orm::ConnectionTrait, row: pipelines::Model) -> Result<PipelineRecord> {
    let stages = stages_of(conn, row.id).await?;
    Ok(PipelineRecord {
        id: row.id,
        name: row.name,
        is_default: row.is_default,
        stages,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<PipelineRecord>> {
    actor.require(Resource::Sales, Action::Read)?;
    let sort = Sort { key: "name", column: pipelines::Column::Name, descending: false, value: SortValue::Text };
    let page = fetch_page(&db.conn, pipelines::Entity::find(), &sort, pipelines::Column::Id, page, |p| (json!(p.name), p.id)).await?;
    let mut data = Vec::with_capacity(page.data.len());
    for row in page.data {
        data.push(record(&db.conn, row).await?);
    }
    Ok(Page { data, next_cursor: page.next_cursor, total: page.total })
}

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db, actor: &Actor, id: Uuid) -> Result<PipelineRecord> {
    actor.require(Resource::Sales, Action::Read)?;
    let row = pipelines::Entity::find_by_id(id).one(&db.conn).await?.ok_or(Error::NotFound)?;
    record(&db.conn, row).await
}

/// The pipeline new opportunities go to when none is named.
pub(crate) async fn default_pipeline(conn: &impl sea_orm::ConnectionTrait) -> Result<pipelines::Model> {
    pipelines::Entity::find()
        .filter(pipelines::Column::IsDefault.eq(true))
        .one(conn)
        .await?
        .ok_or_else(|| Error::conflict("pipeline.no_default", text!("no default pipeline is set", "尚未设置默认销售流程")))
}

/// Pipeline names are unique: the refusal names the pipeline that has the name.
fn name_taken(existing_id: Uuid) -> Error {
    Error::Taken {
        code: "pipeline.name_taken", message: text!("a pipeline with this name exists", "已有同名的销售流程"), existing_id
    }
}

async fn insert_stage(conn: &impl sea_orm::ConnectionTrait, pipeline_id: Uuid, stage: &NewStage, position: i32) -> Result<StageRecord> {
    let at = now();
    pipeline_stages::ActiveModel {
        id: Set(Uuid::now_v7()),
        pipeline_id: Set(pipeline_id),
        key: Set(stage.key.clone()),
        name: Set(stage.name.clone()),
        position: Set(position),
        probability: Set(stage.probability),
        kind: Set(stage.kind.as_str().to_owned()),
        retired: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(conn)
    .await?
    .try_into()
}

#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, actor: &Actor, name: String, stages: Vec<NewStage>) -> Result<PipelineRecord> {
    actor.require_admin()?;
    check_stage_set(&stages)?;
    let txn = db.begin_write().await?;
    if let Some(holder) = pipelines::Entity::find().filter(pipelines::Column::Name.eq(name.clone())).one(&txn).await? {
        return Err(name_taken(holder.id));
    }
    let at = now();
    let id = Uuid::now_v7();
    let row = insert_first_version(
        &txn,
        pipelines::ActiveModel { id: Set(id), name: Set(name), is_default: Set(false), ..Default::default() },
        at,
    )
    .await?;
    for (position, stage) in stages.iter().enumerate() {
        insert_stage(&txn, id, stage, i32::try_from(position).unwrap_or(i32::MAX)).await?;
    }
    let created = record(&txn, row).await?;
    changes::commit(txn, actor, Change::created(ENTITY, id, &created), created).await
}

/// Bumps the pipeline's version and writes the change, for every edit of it or its stages.
async fn touch(
    conn: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    row: pipelines::Model,
    name: Option<String>,
    changes: Value,
) -> Result<PipelineRecord> {
    // Stages are written before this bump, so `before` is the pipeline as it was read with the
    // stages as they are now; `changed` then tells the name, and `changes` (the audit entry) the
    // stage edit.
    let before = record(conn, row.clone()).await?;
    let mut model: pipelines::ActiveModel = row.clone().into();
    if let Some(name) = name {
        model.name = Set(name);
    }
    let updated = record(conn, save_next_version(conn, model).await?).await?;
    let change = Change::told(ENTITY, updated.id, "update", "pipeline.updated", changes.clone(), Some(&before), &updated);
    changes::record(conn, actor, change.detailing(changes)).await?;
    Ok(updated)
}

async fn load(conn: &impl sea_orm::ConnectionTrait, id: Uuid, expected_version: Option<i32>) -> Result<pipelines::Model> {
    let row = pipelines::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    Ok(row)
}

/// A stage of the pipeline `pipeline_id`; a stage of another pipeline is not found.
async fn load_stage(conn: &impl sea_orm::ConnectionTrait, pipeline_id: Uuid, stage_id: Uuid) -> Result<pipeline_stages::Model> {
    let stage = pipeline_stages::Entity::find_by_id(stage_id).filter(pipeline_stages::Column::PipelineId.eq(pipeline_id)).one(conn).await?;
    stage.ok_or(Error::NotFound)
}

#[tracing::instrument(skip_all)]
pub async fn rename(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, name: String) -> Result<PipelineRecord> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = load(&txn, id, expected_version).await?;
    if let Some(holder) =
        pipelines::Entity::find().filter(pipelines::Column::Name.eq(name.clone())).filter(pipelines::Column::Id.ne(id)).one(&txn).await?
    {
        return Err(name_taken(holder.id));
    }
    let changes = json!({ "name": { "old": row.name, "new": name } });
    let updated = touch(&txn, actor, row, Some(name), changes).await?;
    txn.commit().await?;
    Ok(updated)
}

#[tracing::instrument(skip_all)]
pub async fn add_stage(db: &Db, actor: &Actor, id: Uuid, stage: NewStage) -> Result<PipelineRecord> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = load(&txn, id, None).await?;
    let stages = stages_of(&txn, id).await?;
    if let Some(holder) = stages.iter().find(|s| s.key == stage.key) {
        let key = &stage.key;
        return Err(Error::Taken {
            code: "pipeline.stage_key_taken",
            message: text!("the pipeline already has a stage {key}", "该销售流程已有标识为 {key} 的阶段"),
            existing_id: holder.id,
        });
    }
    let position = stages.iter().map(|s| s.position).max().unwrap_or(-1) + 1;
    let added = insert_stage(&txn, id, &stage, position).await?;
    let updated = touch(&txn, actor, row, None, json!({ "stage_added": added })).await?;
    txn.commit().await?;
    Ok(updated)
}

#[tracing::instrument(skip_all)]
pub async fn update_stage(db: &Db, actor: &Actor, id: PipelineId, stage_id: StageId, patch: StagePatch) -> Result<PipelineRecord> {
    let (id, stage_id) = (id.0, stage_id.0);
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = load(&txn, id, None).await?;
    let stage = load_stage(&txn, id, stage_id).await?;
    let before = StageRecord::try_from(stage.clone())?;
    let current = StageFields { name: before.name.clone(), probability: before.probability, retired: before.retired };
    let next = patch.apply(&current);
    let mut model: pipeline_stages::ActiveModel = stage.into();
    model.name = Set(next.name);
    model.probability = Set(next.probability);
    model.retired = Set(next.retired);
    model.updated_at = Set(now());
    let after = StageRecord::try_from(model.update(&txn).await?)?;
    let updated = touch(&txn, actor, row, None, json!({ "stage": changes::changed_fields(&before, &after), "stage_id": stage_id })).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes an unused stage. One that any opportunity is or was in answers 409 with the count:
/// retire it instead.
#[tracing::instrument(skip_all)]
pub async fn delete_stage(db: &Db, actor: &Actor, id: PipelineId, stage_id: StageId) -> Result<PipelineRecord> {
    let (id, stage_id) = (id.0, stage_id.0);
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = load(&txn, id, None).await?;
    let stage = load_stage(&txn, id, stage_id).await?;
    let in_use = opportunities::Entity::find().filter(opportunities::Column::StageId.eq(stage_id)).count(&txn).await?;
    if in_use > 0 {
        return Err(Error::conflict(
            "pipeline.stage_in_use",
            text!("{in_use} opportunities are in this stage; retire it instead", "该阶段中有 {in_use} 个销售机会，请改为停用"),
        ));
    }
    let remaining: Vec<NewStage> = stages_of(&txn, id)
        .await?
        .into_iter()
        .filter(|s| s.id != stage_id && !s.retired)
        .map(|s| NewStage { key: s.key, name: s.name, probability: s.probability, kind: s.kind })
        .collect();
    check_stage_set(&remaining).map_err(|_| {
        Error::conflict(
            "pipeline.last_stage_of_kind",
            text!("the pipeline would lose its last open, won or lost stage", "不能删除销售流程中最后一个进行中、赢单或输单阶段"),
        )
    })?;
    pipeline_stages::Entity::delete_by_id(stage_id).exec(&txn).await?;
    let updated = touch(&txn, actor, row, None, json!({ "stage_deleted": StageRecord::try_from(stage)? })).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Puts the stages in the given order, which must name every stage of the pipeline once.
#[tracing::instrument(skip_all)]
pub async fn reorder(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, order: Vec<Uuid>) -> Result<PipelineRecord> {
    actor.require_admin()?;
    let txn = db.begin_write().await?;
    let row = load(&txn, id, expected_version).await?;
    let stages = stages_of(&txn, id).await?;
    let mut given = order.clone();
    given.sort();
    let mut existing: Vec<Uuid> = stages.iter().map(|s| s.id).collect();
    existing.sort();
    if given != existing {
        return Err(Error::validation(
            "stage_ids",
            "permutation",
            text!("name every stage of the pipeline exactly once", "须列出该销售流程的每个阶段，且每个只列一次"),
        ));
    }
    for (position, stage_id) in order.iter().enumerate() {
        pipeline_stages::ActiveModel {
            id: Set(*stage_id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            ..Default::default()
        }
        .update(&txn)
        .await?;
    }
    let updated = touch(&txn, actor, row, None, json!({ "stage_order": order })).await?;
    txn.commit().await?;
    Ok(updated)
}
