//! The customer portal (客户门户): accounts that staff create for contacts, invitations that let
//! the contact set a password, portal sessions, and the little a customer may do: see and open
//! their own tickets (or their company's, per account), reply publicly, rate, and read public
//! articles. Every function here checks the account itself; a portal actor's role grants nothing,
//! so the staff functions refuse it.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crm_domain::platform::custom_fields::CustomEntity;

use crm_domain::dates::shift;
use crm_domain::identity::{Action, Resource};
use crm_domain::ids::{PortalAccountId, SessionId};
use crm_domain::service::{AccountPatch, AccountSettings, NewAccount, NewTicket, TicketChannel, TicketKind, TicketPriority, TicketStatus};
use crm_domain::text;

use super::tickets::{self, CommentRecord, TicketRecord};
use crate::customers::load_for;
use crate::entities::{contacts, portal_accounts, portal_sessions, tickets as ticket_rows};
use crate::identity::auth::{hash_token, random_token};
use crate::pagination::{Sort, SortValue, fetch_page};
use crate::platform::audit;
use crate::platform::changes::{self, Change, insert_first_version, save_next_version};
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now};

const ENTITY: &str = "portal_account";
/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;
/// How long a portal sign-in lasts; the customer signs in again after.
pub const SESSION_HOURS: i64 = 12;

#[derive(Debug, Clone, Serialize)]
pub struct AccountRecord {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub contact_name: Option<String>,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub email: String,
    /// Whether the account sees every ticket of its company, not only its contact's own.
    pub sees_company_tickets: bool,
    pub active: bool,
    /// The contact has accepted an invitation and set a password.
    pub activated: bool,
    pub invitation_expires_at: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// An account with the invitation token that was just issued (shown once, stored hashed).
#[derive(Debug, Clone)]
pub struct Invited {
    pub account: AccountRecord,
    pub invitation_token: String,
}

/// Display names of portal accounts (their contacts' names), for comment authors.
pub(crate) async fn account_names(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let accounts = portal_accounts::Entity::find().filter(portal_accounts::Column::Id.is_in(ids.to_vec())).all(conn).await?;
    let contact_ids: Vec<Uuid> = accounts.iter().map(|a| a.contact_id).collect();
    let names = audit::contact_names(conn, &contact_ids).await?;
    Ok(accounts.into_iter().filter_map(|a| names.get(&a.contact_id).map(|n| (a.id, n.clone()))).collect())
}

async fn records(conn: &impl ConnectionTrait, rows: Vec<portal_accounts::Model>) -> Result<Vec<AccountRecord>> {
    let contact_ids: Vec<Uuid> = rows.iter().map(|a| a.contact_id).collect();
    let contact_names = audit::contact_names(conn, &contact_ids).await?;
    let customer_names = audit::customer_names(conn, &rows.iter().map(|a| a.customer_id).collect::<Vec<_>>()).await?;
    Ok(rows
        .into_iter()
        .map(|a| AccountRecord {
            id: a.id,
            contact_id: a.contact_id,
            contact_name: contact_names.get(&a.contact_id).cloned(),
            customer_id: a.customer_id,
            customer_name: customer_names.get(&a.customer_id).cloned(),
            email: a.email,
            sees_company_tickets: a.sees_company_tickets,
            active: a.active,
            activated: a.password_hash.is_some(),
            invitation_expires_at: a.invitation_expires_at,
            last_login_at: a.last_login_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        })
        .collect())
}

async fn record(conn: &impl ConnectionTrait, row: portal_accounts::Model) -> Result<AccountRecord> {
    records(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// Loads an account whose customer the caller serves (`service` scope over the customer).
async fn load(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid) -> Result<portal_accounts::Model> {
    let row = portal_accounts::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)?;
    load_for(conn, actor, Resource::Service, Action::Read, row.customer_id, false).await?;
    if action != Action::Read {
        load_for(conn, actor, Resource::Service, action, row.customer_id, false).await?;
    }
    Ok(row)
}

fn no_contact() -> Error {
    Error::validation("contact_id", "not_found", text!("no contact with this id", "没有此 id 的联系人"))
}

/// Creates a portal account for a contact and issues its invitation.
#[tracing::instrument(skip_all)]
pub async fn create_account(db: &Db, actor: &Actor, new: NewAccount) -> Result<Invited> {
    actor.require(Resource::Service, Action::Create)?;
    let txn = db.begin_write().await?;
    let contact = contacts::Entity::find_by_id(new.contact_id)
        .filter(contacts::Column::DeletedAt.is_null())
        .one(&txn)
        .await?
        .ok_or_else(no_contact)?;
    load_for(&txn, actor, Resource::Service, Action::Update, contact.customer_id, false)
        .await
        .map_err(|e| if matches!(e, Error::NotFound) { no_contact() } else { e })?;
    let email = match new.email.or(contact.email) {
        Some(email) => email.trim().to_lowercase(),
        None => {
            let message = text!("the contact has no email; give the account one", "该联系人没有邮箱，请为账号填写一个");
            return Err(Error::validation("email", "required", message));
        }
    };
    if let Some(existing) = portal_accounts::Entity::find().filter(portal_accounts::Column::ContactId.eq(contact.id)).one(&txn).await? {
        return Err(Error::Taken {
            code: "portal_account.contact_taken",
            message: text!("this contact already has a portal account", "该联系人已有门户账号"),
            existing_id: existing.id,
        });
    }
    if portal_accounts::Entity::find().filter(portal_accounts::Column::Email.eq(email.clone())).one(&txn).await?.is_some() {
        let message = text!("another portal account signs in with this email", "已有其他门户账号使用此邮箱登录");
        return Err(Error::validation("email", "taken", message));
    }
    let token = random_token("inv_");
    let at = now();
    let row = insert_first_version(
        &txn,
        portal_accounts::ActiveModel {
            id: Set(Uuid::now_v7()),
            contact_id: Set(contact.id),
            customer_id: Set(contact.customer_id),
            email: Set(email),
            password_hash: Set(None),
            sees_company_tickets: Set(new.sees_company_tickets),
            active: Set(true),
            invitation_hash: Set(Some(hash_token(&token))),
            invitation_expires_at: Set(Some(shift(at, Duration::days(INVITATION_DAYS)))),
            last_login_at: Set(None),
            created_by: Set(actor.audit_id()),
            ..Default::default()
        },
        at,
    )
    .await?;
    let account = record(&txn, row).await?;
    changes::record(&txn, actor, Change::created(ENTITY, account.id, &account)).await?;
    txn.commit().await?;
    Ok(Invited { account, invitation_token: token })
}

/// Issues a new invitation (the old one stops working); accepting it sets a new password, which
/// is also how a customer who forgot theirs gets back in.
#[tracing::instrument(skip_all)]
pub async fn reinvite(db: &Db, actor: &Actor, id: Uuid) -> Result<Invited> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    if !row.active {
        return Err(Error::conflict(
            "portal_account.inactive",
            text!("the account is deactivated; activate it first", "该门户账号已停用，请先启用"),
        ));
    }
    let token = random_token("inv_");
    let before = record(&txn, row.clone()).await?;
    let mut model: portal_accounts::ActiveModel = row.clone().into();
    model.invitation_hash = Set(Some(hash_token(&token)));
    model.invitation_expires_at = Set(Some(shift(now(), Duration::days(INVITATION_DAYS))));
    let account = record(&txn, save_next_version(&txn, model).await?).await?;
    let audit = json!({ "invitation_expires_at": account.invitation_expires_at });
    changes::record(&txn, actor, Change::told(ENTITY, id, "invite", "portal_account.invited", audit, Some(&before), &account)).await?;
    txn.commit().await?;
    Ok(Invited { account, invitation_token: token })
}

#[tracing::instrument(skip_all)]
pub async fn update_account(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>, patch: AccountPatch) -> Result<AccountRecord> {
    let txn = db.begin_write().await?;
    let row = load(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    let before = record(&txn, row.clone()).await?;
    // Asking to deactivate ends every portal session and voids a pending invitation at once,
    // even on an account already inactive.
    let deactivating = patch.active == Some(false);
    let next = patch.apply(&AccountSettings { sees_company_tickets: before.sees_company_tickets, active: before.active });
    let mut model: portal_accounts::ActiveModel = row.clone().into();
    model.sees_company_tickets = Set(next.sees_company_tickets);
    model.active = Set(next.active);
    if deactivating {
        model.invitation_hash = Set(None);
        model.invitation_expires_at = Set(None);
        revoke_sessions(&txn, id).await?;
    }
    let account = record(&txn, save_next_version(&txn, model).await?).await?;
    let mut changes = serde_json::Map::new();
    if before.sees_company_tickets != account.sees_company_tickets {
        changes.insert("sees_company_tickets".into(), json!({ "old": before.sees_company_tickets, "new": account.sees_company_tickets }));
    }
    if before.active != account.active {
        changes.insert("active".into(), json!({ "old": before.active, "new": account.active }));
    }
    changes::record(
        &txn,
        actor,
        Change::told(ENTITY, id, "update", "portal_account.updated", Value::Object(changes), Some(&before), &account),
    )
    .await?;
    txn.commit().await?;
    Ok(account)
}

#[tracing::instrument(skip_all)]
pub async fn get_account(db: &Db, actor: &Actor, id: Uuid) -> Result<AccountRecord> {
    let row = load(&db.conn, actor, Action::Read, id).await?;
    record(&db.conn, row).await
}

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub customer_id: Option<Uuid>,
    pub q: Option<String>,
}

/// Portal accounts of the customers the caller serves, newest first.
#[tracing::instrument(skip_all)]
pub async fn list_accounts(db: &Db, actor: &Actor, filter: &AccountFilter, page: &PageRequest) -> Result<Page<AccountRecord>> {
    use portal_accounts::Column as C;
    let scope = actor.require(Resource::Service, Action::Read)?;
    let reachable = sea_orm::sea_query::Query::select()
        .column(crate::entities::customers::Column::Id)
        .from(crate::entities::customers::Entity)
        .and_where(crate::entities::customers::Column::DeletedAt.is_null())
        .cond_where(crate::customers::in_scope(actor, scope))
        .take();
    let mut select = portal_accounts::Entity::find().filter(C::CustomerId.in_subquery(reachable));
    if let Some(customer) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(customer));
    }
    // An email is personal data: found only whole, never by fragment (see `ExactTerm`); other
    // terms find nothing rather than probe it.
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        select = match crate::query::ExactTerm::parse(q) {
            Some(crate::query::ExactTerm::Email(email)) => select.filter(C::Email.eq(email.as_str())),
            _ => select.filter(sea_orm::sea_query::ExprTrait::eq(sea_orm::sea_query::Expr::val(1), 0)),
        };
    }
    let sort = Sort { key: "-created_at", column: C::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(&db.conn, select, &sort, C::Id, page, |a| (json!(a.created_at), a.id)).await?;
    Ok(Page { data: records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

// ---------------------------------------------------------------- signing in

/// What signing in to the portal needs to know about an account.
#[derive(Debug, Clone)]
pub struct PortalLogin {
    pub account_id: Uuid,
    pub password_hash: Option<String>,
    pub active: bool,
}

#[tracing::instrument(skip_all)]
pub async fn find_login(db: &Db, email: &str) -> Result<Option<PortalLogin>> {
    Ok(portal_accounts::Entity::find()
        .filter(portal_accounts::Column::Email.eq(email.trim().to_lowercase()))
        .one(&db.conn)
        .await?
        .map(|a| PortalLogin { account_id: a.id, password_hash: a.password_hash, active: a.active }))
}

/// Sets the password of the account an unexpired invitation belongs to and spends the invitation.
#[tracing::instrument(skip_all)]
pub async fn accept_invitation(db: &Db, token: &str, password_hash: String) -> Result<Uuid> {
    let txn = db.begin_write().await?;
    let row = portal_accounts::Entity::find()
        .filter(portal_accounts::Column::InvitationHash.eq(hash_token(token)))
        .one(&txn)
        .await?
        .filter(|a| a.active && a.invitation_expires_at.is_some_and(|t| t > now()))
        .ok_or_else(|| Error::Unauthorized {
            code: "portal.invitation_invalid",
            message: text!("the invitation is not valid or has expired; ask for a new one", "邀请无效或已过期，请联系我们重新邀请"),
        })?;
    let id = row.id;
    let before = record(&txn, row.clone()).await?;
    let mut model: portal_accounts::ActiveModel = row.clone().into();
    model.password_hash = Set(Some(password_hash));
    model.invitation_hash = Set(None);
    model.invitation_expires_at = Set(None);
    let after = record(&txn, save_next_version(&txn, model).await?).await?;
    // A new password ends the sessions opened with the old one.
    revoke_sessions(&txn, id).await?;
    let actor = portal_actor(&txn, &row, None, None).await?;
    let change = Change::told(ENTITY, id, "accept_invitation", "portal_account.activated", json!({}), Some(&before), &after);
    changes::record(&txn, &actor, change).await?;
    txn.commit().await?;
    Ok(id)
}

async fn revoke_sessions(conn: &impl ConnectionTrait, account_id: Uuid) -> Result<()> {
    portal_sessions::Entity::update_many()
        .col_expr(portal_sessions::Column::RevokedAt, Expr::value(now()))
        .filter(portal_sessions::Column::AccountId.eq(account_id))
        .filter(portal_sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Opens a portal session; its id travels in the portal token.
#[tracing::instrument(skip_all)]
pub async fn open_session(db: &Db, account_id: Uuid, ip: Option<&str>) -> Result<(Uuid, DateTime<Utc>)> {
    let txn = db.begin_write().await?;
    let at = now();
    let id = Uuid::now_v7();
    let expires_at = shift(at, Duration::hours(SESSION_HOURS));
    portal_sessions::ActiveModel {
        id: Set(id),
        account_id: Set(account_id),
        created_at: Set(at),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        ip: Set(ip.map(str::to_owned)),
    }
    .insert(&txn)
    .await?;
    portal_accounts::Entity::update_many()
        .col_expr(portal_accounts::Column::LastLoginAt, Expr::value(at))
        .filter(portal_accounts::Column::Id.eq(account_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok((id, expires_at))
}

#[tracing::instrument(skip_all)]
pub async fn end_session(db: &Db, session_id: Uuid) -> Result<()> {
    portal_sessions::Entity::update_many()
        .col_expr(portal_sessions::Column::RevokedAt, Expr::value(now()))
        .filter(portal_sessions::Column::Id.eq(session_id))
        .filter(portal_sessions::Column::RevokedAt.is_null())
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// The customer behind a portal token, read fresh on every request.
#[derive(Debug, Clone, Serialize)]
pub struct PortalCustomer {
    pub account_id: Uuid,
    pub contact_id: Uuid,
    pub contact_name: String,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub email: String,
    pub sees_company_tickets: bool,
}

async fn portal_actor(
    conn: &impl ConnectionTrait,
    row: &portal_accounts::Model,
    request_id: Option<String>,
    ip: Option<String>,
) -> Result<Actor> {
    let name = account_names(conn, &[row.id]).await?.remove(&row.id).unwrap_or_else(|| row.email.clone());
    Ok(Actor::portal(row.id, name, request_id, ip))
}

/// Loads the customer of a portal session; ended, expired or deactivated means signed out.
#[tracing::instrument(skip_all)]
pub async fn load_customer(db: &Db, account_id: PortalAccountId, session_id: SessionId) -> Result<PortalCustomer> {
    let (account_id, session_id) = (account_id.0, session_id.0);
    let session = portal_sessions::Entity::find_by_id(session_id).one(&db.conn).await?;
    match session {
        Some(s) if s.account_id == account_id && s.revoked_at.is_none() && s.expires_at > now() => {}
        _ => {
            return Err(Error::Unauthorized {
                code: "portal.session_ended",
                message: text!("the portal session has ended; sign in again", "登录已失效，请重新登录"),
            });
        }
    }
    let account = portal_accounts::Entity::find_by_id(account_id).one(&db.conn).await?;
    let Some(account) = account.filter(|a| a.active) else {
        return Err(Error::Unauthorized {
            code: "portal.account_deactivated",
            message: text!("the portal account is deactivated", "该门户账号已停用"),
        });
    };
    let contact = contacts::Entity::find_by_id(account.contact_id).filter(contacts::Column::DeletedAt.is_null()).one(&db.conn).await?;
    let Some(contact) = contact else {
        return Err(Error::Unauthorized {
            code: "portal.contact_missing",
            message: text!("the portal account's contact no longer exists", "该门户账号对应的联系人已不存在"),
        });
    };
    let customer_name = audit::customer_names(&db.conn, &[account.customer_id]).await?.remove(&account.customer_id);
    Ok(PortalCustomer {
        account_id: account.id,
        contact_id: account.contact_id,
        contact_name: contact.name,
        customer_id: account.customer_id,
        customer_name,
        email: account.email,
        sees_company_tickets: account.sees_company_tickets,
    })
}

impl PortalCustomer {
    pub fn actor(&self, request_id: Option<String>, ip: Option<String>) -> Actor {
        Actor::portal(self.account_id, self.contact_name.clone(), request_id, ip)
    }

    /// The tickets this customer sees: their own, or their company's when the account allows.
    fn tickets(&self) -> Condition {
        let mut condition =
            Condition::all().add(ticket_rows::Column::CustomerId.eq(self.customer_id)).add(ticket_rows::Column::DeletedAt.is_null());
        if !self.sees_company_tickets {
            condition = condition.add(ticket_rows::Column::ContactId.eq(self.contact_id));
        }
        condition
    }
}

// ---------------------------------------------------------------- the customer's tickets

#[derive(Debug, Clone)]
pub struct PortalTicket {
    pub subject: String,
    pub description: Option<String>,
    pub kind: TicketKind,
    pub priority: TicketPriority,
}

#[tracing::instrument(skip_all)]
pub async fn list_tickets(db: &Db, customer: &PortalCustomer, statuses: &[TicketStatus], page: &PageRequest) -> Result<Page<TicketRecord>> {
    let mut select = ticket_rows::Entity::find().filter(customer.tickets());
    if !statuses.is_empty() {
        select = select.filter(ticket_rows::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
    }
    let sort = Sort { key: "-created_at", column: ticket_rows::Column::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(&db.conn, select, &sort, ticket_rows::Column::Id, page, |t| (json!(t.created_at), t.id)).await?;
    Ok(Page { data: tickets::to_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

async fn load_ticket(conn: &impl ConnectionTrait, customer: &PortalCustomer, id: Uuid) -> Result<ticket_rows::Model> {
    ticket_rows::Entity::find_by_id(id).filter(customer.tickets()).one(conn).await?.ok_or(Error::NotFound)
}

#[tracing::instrument(skip_all)]
pub async fn get_ticket(db: &Db, customer: &PortalCustomer, id: Uuid) -> Result<TicketRecord> {
    let row = load_ticket(&db.conn, customer, id).await?;
    tickets::to_records(&db.conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

/// Opens a ticket for the customer's own contact, through the portal channel; it is assigned
/// like any ticket without a team (the service settings' default team, round-robin).
#[tracing::instrument(skip_all)]
pub async fn open_ticket(db: &Db, customer: &PortalCustomer, actor: &Actor, new: PortalTicket) -> Result<TicketRecord> {
    let txn = db.begin_write().await?;
    let record = tickets::insert_ticket(
        &txn,
        actor,
        NewTicket {
            customer_id: customer.customer_id,
            contact_id: Some(customer.contact_id),
            subject: new.subject,
            description: new.description,
            kind: new.kind,
            channel: TicketChannel::Portal,
            priority: new.priority,
            assignee_id: None,
            team_id: None,
            // A customer fills no staff fields: the ticket gets the defaults, and staff complete
            // required ones when they handle it.
            custom_fields: crate::platform::custom_fields::defaults(db, CustomEntity::Tickets).await?,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(record)
}

/// The public conversation of one of the customer's tickets.
#[tracing::instrument(skip_all)]
pub async fn comments(db: &Db, customer: &PortalCustomer, id: Uuid, page: &PageRequest) -> Result<Page<CommentRecord>> {
    load_ticket(&db.conn, customer, id).await?;
    tickets::comment_page(db, id, true, page).await
}

/// A public reply from the customer; a closed ticket takes no more replies.
#[tracing::instrument(skip_all)]
pub async fn reply(db: &Db, customer: &PortalCustomer, actor: &Actor, id: Uuid, body: String) -> Result<CommentRecord> {
    let txn = db.begin_write().await?;
    let row = load_ticket(&txn, customer, id).await?;
    if row.status == TicketStatus::Closed.as_str() {
        return Err(Error::conflict("ticket.closed", text!("the ticket is closed; open a new one", "该服务请求已关闭，请新建一个")));
    }
    let comment = tickets::add_comment(&txn, actor, row, body, true, Some(customer.account_id)).await?;
    txn.commit().await?;
    Ok(comment)
}

#[tracing::instrument(skip_all)]
pub async fn rate(
    db: &Db,
    customer: &PortalCustomer,
    actor: &Actor,
    id: Uuid,
    rating: i32,
    remark: Option<String>,
) -> Result<TicketRecord> {
    let txn = db.begin_write().await?;
    let row = load_ticket(&txn, customer, id).await?;
    let record = tickets::rate_row(&txn, actor, row, rating, remark).await?;
    txn.commit().await?;
    Ok(record)
}
