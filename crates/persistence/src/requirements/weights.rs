//! Priority weights: the settings requirement scores are computed with.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crm_domain::requirements::{PriorityWeights, priority_score, score_milli};
use crm_domain::{HasCode, ValidationErrors};

use crate::entities::requirements;
use crate::platform::settings;
use crate::{Actor, Db, Result};

use super::{RequirementSettings, SETTINGS_KEY};

/// Saves new weights and re-scores every requirement in the same transaction, so the ranking is
/// never half old, half new.
#[tracing::instrument(skip_all)]
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
