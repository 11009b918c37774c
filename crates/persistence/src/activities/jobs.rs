//! Leases that let several server instances share background jobs through the database: a job
//! runs where its lease was won, and a crashed holder's lease simply runs out.

use chrono::{DateTime, Duration, Utc};
use crm_domain::dates::shift;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entities::job_leases;
use crate::{Db, Result};

/// Tries to take the lease `name` for `holder` until `at + ttl`. True when this holder now has it.
#[tracing::instrument(skip_all)]
pub async fn try_lease(db: &Db, name: &str, holder: &str, at: DateTime<Utc>, ttl: Duration) -> Result<bool> {
    // Make sure the row exists; whoever inserts it first does not thereby hold it.
    job_leases::Entity::insert(job_leases::ActiveModel {
        name: Set(name.to_owned()),
        holder: Set(String::new()),
        leased_until: Set(shift(at, Duration::seconds(-1))),
    })
    .on_conflict(OnConflict::column(job_leases::Column::Name).do_nothing().to_owned())
    .exec_without_returning(&db.conn)
    .await?;
    let taken = job_leases::Entity::update_many()
        .col_expr(job_leases::Column::Holder, Expr::value(holder))
        .col_expr(job_leases::Column::LeasedUntil, Expr::value(shift(at, ttl)))
        .filter(job_leases::Column::Name.eq(name))
        .filter(job_leases::Column::LeasedUntil.lt(at).or(job_leases::Column::Holder.eq(holder)))
        .exec(&db.conn)
        .await?;
    Ok(taken.rows_affected == 1)
}
