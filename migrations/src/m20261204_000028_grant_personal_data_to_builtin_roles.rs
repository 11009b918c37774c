//! Personal data (`pii`) is a resource of the permission matrix from now on: whoever's role does
//! not grant it reads phones, emails, addresses and birthdays masked. Custom roles get nothing
//! (a missing resource means no access), so their users see masked values until an administrator
//! grants it; the built-in roles get what their descriptions imply.
//!
//! Search stops finding customers by fragments of phone numbers and emails, which would let
//! someone who sees them masked learn them digit by digit: the stored search texts are rewritten
//! to names and credit codes only, and whole numbers and addresses are looked up exactly (the
//! contacts' landline column gets the index its mobile and email columns already have).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::sea_orm::prelude::Uuid;

use crate::columns::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000028_grant_personal_data_to_builtin_roles"
    }
}

const READ_ALL: &str = r#"{"read":"all","create":"none","update":"none","delete":"none","export":"none"}"#;
const READ_TEAM: &str = r#"{"read":"team","create":"none","update":"none","delete":"none","export":"none"}"#;
const READ_OWN: &str = r#"{"read":"own","create":"none","update":"none","delete":"none","export":"none"}"#;
const NOTHING: &str = r#"{"read":"none","create":"none","update":"none","delete":"none","export":"none"}"#;

/// Each built-in role's `pii` scopes (the administrator's matrix is `all` everywhere).
const GRANTS: [(&str, &str); 7] = [
    ("admin", r#"{"read":"all","create":"all","update":"all","delete":"all","export":"all"}"#),
    ("manager", READ_TEAM),
    ("sales", READ_OWN),
    ("marketing", NOTHING),
    ("support", READ_ALL),
    ("viewer", NOTHING),
    ("integration", READ_ALL),
];

fn entry(scopes: &str) -> String {
    format!(r#","pii":{scopes}"#)
}

/// A built-in role's permissions after this migration, given them as stored before it (for the
/// test that keeps the stored roles in step with the domain).
pub fn builtin_permissions_after(key: &str, stored: &str) -> String {
    let stored = crate::m20261203_000021_create_api_keys::builtin_permissions_after(key, stored);
    match GRANTS.iter().find(|(role, _)| *role == key) {
        Some((_, scopes)) => match stored.strip_suffix('}') {
            Some(open) => format!("{open}{}}}", entry(scopes)),
            None => stored,
        },
        None => stored,
    }
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    Name,
    CreditCode,
    SearchText,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    CustomerId,
    Name,
    DeletedAt,
}

const BATCH: u64 = 1_000;

/// The search text the application now writes: each part lower-cased and followed by a space
/// (the customer's name and credit code, then its live contacts' names).
fn search_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().map(|part| format!("{} ", part.to_lowercase())).collect()
}

async fn rewrite_search_texts(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let mut after: Option<Uuid> = None;
    loop {
        let mut select = Query::select();
        select
            .columns([Customers::Id, Customers::Name, Customers::CreditCode])
            .from(Customers::Table)
            .order_by(Customers::Id, Order::Asc)
            .limit(BATCH);
        if let Some(after) = after {
            select.and_where(Expr::col(Customers::Id).gt(after));
        }
        let rows = db.query_all(&select).await?;
        let mut customers = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: Uuid = row.try_get("", "id")?;
            let name: String = row.try_get("", "name")?;
            let credit_code: Option<String> = row.try_get("", "credit_code")?;
            customers.push((id, name, credit_code));
        }
        let ids: Vec<Uuid> = customers.iter().map(|(id, _, _)| *id).collect();
        let mut people: std::collections::HashMap<Uuid, Vec<String>> = std::collections::HashMap::new();
        if !ids.is_empty() {
            let contacts = Query::select()
                .columns([Contacts::CustomerId, Contacts::Name])
                .from(Contacts::Table)
                .and_where(Expr::col(Contacts::CustomerId).is_in(ids))
                .and_where(Expr::col(Contacts::DeletedAt).is_null())
                .to_owned();
            for row in db.query_all(&contacts).await? {
                let customer_id: Uuid = row.try_get("", "customer_id")?;
                people.entry(customer_id).or_default().push(row.try_get("", "name")?);
            }
        }
        for (id, name, credit_code) in &customers {
            let mut parts = vec![name.as_str()];
            parts.extend(credit_code.as_deref());
            parts.extend(people.get(id).into_iter().flatten().map(String::as_str));
            let update = Query::update()
                .table(Customers::Table)
                .value(Customers::SearchText, search_text(parts))
                .and_where(Expr::col(Customers::Id).eq(*id))
                .to_owned();
            db.execute(&update).await?;
            after = Some(*id);
        }
        if (rows.len() as u64) < BATCH {
            return Ok(());
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index(Alias::new("contacts"), "ix_contacts_phone", &["phone"])).await?;
        rewrite_search_texts(manager.get_connection()).await?;
        let connection = manager.get_connection();
        for (key, scopes) in GRANTS {
            // The stored matrix is one JSON object: the new resource goes before its closing brace.
            connection
                .execute_unprepared(&format!(
                    "UPDATE roles SET permissions = SUBSTR(permissions, 1, LENGTH(permissions) - 1) || '{}}}' \
                     WHERE key = '{key}' AND builtin = true AND permissions NOT LIKE '%\"pii\"%'",
                    entry(scopes)
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The search texts stay without phones and emails: the application before this
        // migration still finds customers by name, and rewrites a customer's text on its next
        // change.
        manager.drop_index(Index::drop().name("ix_contacts_phone").table(Alias::new("contacts")).to_owned()).await?;
        let connection = manager.get_connection();
        for (key, scopes) in GRANTS {
            connection
                .execute_unprepared(&format!(
                    "UPDATE roles SET permissions = REPLACE(permissions, '{}', '') WHERE key = '{key}' AND builtin = true",
                    entry(scopes)
                ))
                .await?;
        }
        Ok(())
    }
}
