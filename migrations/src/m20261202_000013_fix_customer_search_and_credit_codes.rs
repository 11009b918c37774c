//! Customers' search text gets Chinese landlines in the form people dial, and a 统一社会信用代码
//! can belong to one live customer only.
//!
//! **Search text.** The stored text held a `+86` landline as `+862162000999 2162000999`, so the
//! number as people type it, with its trunk `0` (`021-6200 0999` → `02162000999`), found nothing.
//! The application now stores `02162000999` (which still contains `2162000999` and `62000999`);
//! this migration rewrites the texts stored before. It edits the stored text instead of
//! rebuilding it from the customer and its contacts, because that rule lives in persistence,
//! which depends on this crate: after `+86<national>` an old text has the token `<national>`,
//! which becomes `0<national>` unless the number is a mobile (11 digits starting with 1), whose
//! form stays. It walks the customers whose text holds `+86` in id order, 1,000 per batch, so a
//! large table is never read whole, and running it twice changes nothing.
//!
//! **Credit codes.** A partial unique index on live rows (`deleted_at IS NULL AND credit_code IS
//! NOT NULL`) makes the database refuse a second live customer with the same code even when two
//! requests race past the application's check. A database that already holds such duplicates
//! cannot take the index, and the migration must not fail on it nor decide for people which of
//! two records is the real one (merging them is their call): it then leaves the data and skips
//! the index, and the application's check (which refuses every new duplicate, on create, update
//! and restore) is the only guard until a later migration creates the index once the duplicates
//! are merged. Which codes are duplicated is found with the query in [`DUPLICATE_CODES`].

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000013_fix_customer_search_and_credit_codes"
    }
}

const CREDIT_CODE_INDEX: &str = "ux_customers_live_credit_code";

/// Live credit codes held by more than one customer.
pub const DUPLICATE_CODES: &str = "SELECT credit_code FROM customers WHERE deleted_at IS NULL AND credit_code IS NOT NULL \
     GROUP BY credit_code HAVING COUNT(*) > 1";

const BATCH: u64 = 1_000;

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    SearchText,
}

/// Rewrites a search text stored before landlines kept their trunk `0`: the token after each
/// `+86` landline (its national number) becomes `0` + that number. Texts already in the new
/// form, and mobiles, come back unchanged.
pub fn landlines_with_trunk_zero(text: &str) -> String {
    let mut tokens: Vec<String> = text.split(' ').map(str::to_owned).collect();
    for i in 1..tokens.len() {
        let Some(national) = tokens[i - 1].strip_prefix("+86") else { continue };
        let landline =
            !national.is_empty() && national.bytes().all(|b| b.is_ascii_digit()) && !(national.len() == 11 && national.starts_with('1'));
        if landline && tokens[i] == national {
            tokens[i] = format!("0{national}");
        }
    }
    tokens.join(" ")
}

async fn rewrite_search_texts(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let mut after: Option<sea_orm_migration::sea_orm::prelude::Uuid> = None;
    loop {
        let mut select = Query::select();
        select
            .columns([Customers::Id, Customers::SearchText])
            .from(Customers::Table)
            .and_where(Expr::col(Customers::SearchText).like("%+86%"))
            .order_by(Customers::Id, Order::Asc)
            .limit(BATCH);
        if let Some(after) = after {
            select.and_where(Expr::col(Customers::Id).gt(after));
        }
        let rows = db.query_all(&select).await?;
        for row in &rows {
            let id: sea_orm_migration::sea_orm::prelude::Uuid = row.try_get("", "id")?;
            let text: String = row.try_get("", "search_text")?;
            let rewritten = landlines_with_trunk_zero(&text);
            if rewritten != text {
                let update = Query::update()
                    .table(Customers::Table)
                    .value(Customers::SearchText, rewritten)
                    .and_where(Expr::col(Customers::Id).eq(id))
                    .to_owned();
                db.execute(&update).await?;
            }
            after = Some(id);
        }
        if (rows.len() as u64) < BATCH {
            return Ok(());
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        rewrite_search_texts(db).await?;
        let backend = manager.get_database_backend();
        let duplicate = db.query_one_raw(Statement::from_string(backend, format!("{DUPLICATE_CODES} LIMIT 1"))).await?;
        if duplicate.is_none() {
            // Partial, which sea-query's index builder cannot express; both backends take it.
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {CREDIT_CODE_INDEX} ON customers (credit_code) WHERE deleted_at IS NULL AND credit_code IS NOT NULL"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The old search texts are not restored: the new ones find everything the old did.
        // IF EXISTS: `up` skipped the index on a database with duplicates.
        manager.get_connection().execute_unprepared(&format!("DROP INDEX IF EXISTS {CREDIT_CODE_INDEX}")).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_landline_tokens_get_their_trunk_zero_and_mobiles_stay() {
        let old = "上海七宝印刷 +862162000999 2162000999 +8613812345678 13812345678 +861062000999 1062000999 ";
        let new = "上海七宝印刷 +862162000999 02162000999 +8613812345678 13812345678 +861062000999 01062000999 ";
        assert_eq!(landlines_with_trunk_zero(old), new);
        assert_eq!(landlines_with_trunk_zero(new), new);
    }
}
