//! Retention: contacts of customers that churned (流失) long enough ago are proposed for
//! erasure, on a list a person decides from. Nothing is erased by itself.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::ValidationErrors;
use crm_domain::customers::LifecycleStage;
use crm_domain::identity::{Action, Resource};
use crm_domain::privacy::SubjectType;
use crm_domain::privacy::erasure::{RETENTION_YEARS_MAX, RETENTION_YEARS_MIN, RetentionSettings};
use crm_domain::text;

use crate::entities::{contacts, customer_stage_history, customers, erasures};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::settings::{self, Stored};
use crate::{Actor, Db, Error, Page, PageRequest, Result, now};

/// The settings area of privacy.
pub const SETTINGS_KEY: &str = "privacy";

/// The retention settings (anyone with `privacy` read).
#[tracing::instrument(skip_all)]
pub async fn get_settings(db: &Db, actor: &Actor) -> Result<Stored<RetentionSettings>> {
    actor.require(Resource::Privacy, Action::Read)?;
    settings::get(db, SETTINGS_KEY).await
}

/// Changes the retention settings (administrators).
#[tracing::instrument(skip_all)]
pub async fn save_settings(
    db: &Db,
    actor: &Actor,
    expected_version: Option<i32>,
    value: RetentionSettings,
) -> Result<Stored<RetentionSettings>> {
    actor.require_admin()?;
    if let Some(years) = value.erase_contacts_of_churned_after_years
        && !(RETENTION_YEARS_MIN..=RETENTION_YEARS_MAX).contains(&years)
    {
        return Err(ValidationErrors::single(
            "erase_contacts_of_churned_after_years",
            "range",
            text!("must be between 1 and 50 years", "须在 1 到 50 年之间"),
        )
        .into());
    }
    settings::save(db, actor, SETTINGS_KEY, expected_version, &value).await
}

/// A contact proposed for erasure.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionCandidate {
    pub contact_id: Uuid,
    pub contact_name: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    /// When the customer last became churned.
    pub churned_at: Option<DateTime<Utc>>,
    pub contact_created_at: DateTime<Utc>,
}

/// Contacts (live or binned, not yet erased) of customers in the caller's `privacy` scope that
/// are churned and became so before the retention period; oldest contacts first. Empty while
/// the setting is off.
#[tracing::instrument(skip_all)]
pub async fn candidates(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<RetentionCandidate>> {
    let scope = actor.require(Resource::Privacy, Action::Read)?;
    let stored: Stored<RetentionSettings> = settings::get(db, SETTINGS_KEY).await?;
    let Some(years) = stored.value.erase_contacts_of_churned_after_years else {
        return Ok(Page { data: Vec::new(), next_cursor: None, total: page.include_total.then_some(0) });
    };
    let cutoff = now() - Duration::days(365 * i64::from(years));
    let churned_long_ago = Query::select()
        .column(customer_stage_history::Column::CustomerId)
        .from(customer_stage_history::Entity)
        .and_where(customer_stage_history::Column::ToStage.eq(LifecycleStage::Churned.as_str()))
        .group_by_col(customer_stage_history::Column::CustomerId)
        .and_having(Expr::col(customer_stage_history::Column::ChangedAt).max().lt(cutoff))
        .take();
    let churned_in_scope = Query::select()
        .column(customers::Column::Id)
        .from(customers::Entity)
        .and_where(customers::Column::LifecycleStage.eq(LifecycleStage::Churned.as_str()))
        .cond_where(crate::customers::in_scope(actor, scope))
        .take();
    let erased = Query::select()
        .column(erasures::Column::SubjectId)
        .from(erasures::Entity)
        .and_where(erasures::Column::SubjectType.eq(SubjectType::Contact.as_str()))
        .take();
    let select = contacts::Entity::find()
        .filter(contacts::Column::CustomerId.in_subquery(churned_long_ago))
        .filter(contacts::Column::CustomerId.in_subquery(churned_in_scope))
        .filter(contacts::Column::Id.not_in_subquery(erased));
    let sort = Sort { key: "created_at", column: contacts::Column::CreatedAt, descending: false, value: SortValue::Time };
    let page = fetch_page(&db.conn, select, &sort, contacts::Column::Id, page, |row| (json!(row.created_at), row.id)).await?;
    let customer_ids: Vec<Uuid> = page.data.iter().map(|c| c.customer_id).collect();
    let names = crate::platform::audit::customer_names(&db.conn, &customer_ids).await?;
    let churned = churned_at(&db.conn, &customer_ids).await?;
    Ok(page.map(|row| RetentionCandidate {
        customer_name: names.get(&row.customer_id).cloned().unwrap_or_default(),
        churned_at: churned.get(&row.customer_id).copied(),
        contact_id: row.id,
        contact_name: row.name,
        customer_id: row.customer_id,
        contact_created_at: row.created_at,
    }))
}

/// When each customer last became churned.
async fn churned_at(conn: &impl ConnectionTrait, customer_ids: &[Uuid]) -> Result<std::collections::HashMap<Uuid, DateTime<Utc>>> {
    if customer_ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(Uuid, DateTime<Utc>)> = customer_stage_history::Entity::find()
        .select_only()
        .column(customer_stage_history::Column::CustomerId)
        .column_as(customer_stage_history::Column::ChangedAt.max(), "churned_at")
        .filter(customer_stage_history::Column::CustomerId.is_in(customer_ids.to_vec()))
        .filter(customer_stage_history::Column::ToStage.eq(LifecycleStage::Churned.as_str()))
        .group_by(customer_stage_history::Column::CustomerId)
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::from)?;
    Ok(rows.into_iter().collect())
}
