//! Which records a caller may read, for rows that name a record by `(entity_type, entity_id)`:
//! the change feed's events and the customer timeline's items. Each kind of record is read under
//! the same permission and the same scope condition as its own list endpoint, so the feed and the
//! timeline can never show more than `/orders`, `/tickets`, `/users` … would. Kinds not listed
//! here are shown to nobody: a new kind of event stays invisible until it is given its rule.

use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, IntoColumnRef, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::text;

use crate::entities::{
    consents, contacts, customers, imports, interactions, opportunities, orders, portal_accounts, privacy_requests, requirement_requesters,
    requirements, saved_views, tasks, tickets,
};
use crate::{Actor, Error, Result};

/// How a kind of record is reached by a caller whose read scope on its resource is `scope`.
enum Reach {
    /// Organisation-wide records (products, pipelines, roles, articles…): anyone who may read the
    /// resource at all reads every one of them, as their list endpoints do.
    Shared,
    /// Records read only by administrators (organisation settings).
    Administrators,
    /// Records in scope are those whose id the statement selects.
    Scoped(fn(&Actor, Scope) -> SelectStatement),
    /// A user's own records (an import, a saved view), whatever their role reads elsewhere:
    /// those the statement selects, every one for an administrator.
    Owned(fn(&Actor) -> SelectStatement),
}

/// Every kind of record that writes events or timeline items, with the resource it is read under.
const KINDS: &[(&str, Resource, Reach)] = &[
    ("customer", Resource::Customers, Reach::Scoped(customer_ids)),
    ("contact", Resource::Contacts, Reach::Scoped(contact_ids)),
    ("interaction", Resource::Activities, Reach::Scoped(interaction_ids)),
    ("task", Resource::Activities, Reach::Scoped(task_ids)),
    ("follow_up_rule", Resource::Activities, Reach::Shared),
    ("opportunity", Resource::Sales, Reach::Scoped(opportunity_ids)),
    ("order", Resource::Sales, Reach::Scoped(order_ids)),
    ("product", Resource::Sales, Reach::Shared),
    ("pipeline", Resource::Sales, Reach::Shared),
    ("ticket", Resource::Service, Reach::Scoped(ticket_ids)),
    ("kb_article", Resource::Service, Reach::Shared),
    ("kb_category", Resource::Service, Reach::Shared),
    ("sla_policy", Resource::Service, Reach::Shared),
    ("portal_account", Resource::Service, Reach::Scoped(portal_account_ids)),
    ("requirement", Resource::Requirements, Reach::Scoped(requirement_ids)),
    ("requirement_requester", Resource::Requirements, Reach::Scoped(requester_ids)),
    ("user", Resource::Users, Reach::Shared),
    ("team", Resource::Teams, Reach::Shared),
    ("role", Resource::Roles, Reach::Shared),
    ("settings", Resource::Users, Reach::Administrators),
    ("api_key", Resource::Users, Reach::Administrators),
    ("webhook", Resource::Users, Reach::Administrators),
    ("consent", Resource::Customers, Reach::Scoped(consent_ids)),
    ("privacy_request", Resource::Privacy, Reach::Scoped(privacy_request_ids)),
    // Definitions shape the forms and lists of every kind; anyone who reads customers sees them.
    ("custom_field", Resource::Customers, Reach::Shared),
    // An import is its creator's (administrators read every one).
    ("import", Resource::Customers, Reach::Owned(import_ids)),
    // A saved view is its owner's, and its team's when shared.
    ("saved_view", Resource::Customers, Reach::Owned(saved_view_ids)),
];

/// The condition selecting rows whose record (named by the two columns) the caller may read.
/// Kinds the caller reads entirely cost one comparison; scoped kinds add an `IN (…)` over the
/// record's table with the list endpoint's scope condition.
pub(crate) fn readable(actor: &Actor, entity_type: impl IntoColumnRef + Clone, entity_id: impl IntoColumnRef + Clone) -> Condition {
    readable_where(actor, Expr::col(entity_type), Expr::col(entity_id))
}

fn readable_where(actor: &Actor, entity_type: Expr, entity_id: Expr) -> Condition {
    let mut whole_kinds: Vec<&str> = Vec::new();
    let mut condition = Condition::any();
    for (kind, resource, reach) in KINDS {
        let scope = actor.permissions.scope(*resource, Action::Read);
        if let Reach::Owned(ids) = reach {
            if actor.permissions.is_administrator() {
                whole_kinds.push(kind);
            } else {
                condition =
                    condition.add(Condition::all().add(entity_type.clone().eq(*kind)).add(entity_id.clone().in_subquery(ids(actor))));
            }
            continue;
        }
        if scope == Scope::None {
            continue;
        }
        match reach {
            Reach::Shared => whole_kinds.push(kind),
            Reach::Administrators if actor.permissions.is_administrator() => whole_kinds.push(kind),
            Reach::Administrators => {}
            Reach::Scoped(_) if scope == Scope::All => whole_kinds.push(kind),
            Reach::Scoped(ids) => {
                condition = condition
                    .add(Condition::all().add(entity_type.clone().eq(*kind)).add(entity_id.clone().in_subquery(ids(actor, scope))));
            }
            Reach::Owned(_) => {}
        }
    }
    if !whole_kinds.is_empty() {
        condition = condition.add(entity_type.is_in(whole_kinds));
    }
    if condition.is_empty() {
        // `any` of nothing would select everything.
        return Condition::all().add(Expr::val(1).eq(0));
    }
    condition
}

/// Checks a reference that a write names (an interaction's opportunity, a task's related record):
/// the record must exist, be live, be readable by the caller and, when `customer_id` is given,
/// belong to that customer. Each failure gives the same 422 on `field`, so an out-of-scope id
/// cannot be told from one that does not exist.
pub(crate) async fn check_reference(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    kind: &str,
    field: &str,
    id: Uuid,
    customer_id: Option<Uuid>,
) -> Result<()> {
    let (table, customer_column, noun): (&str, Option<&str>, &str) = match kind {
        "customer" => ("customers", Some("id"), "客户"),
        "contact" => ("contacts", Some("customer_id"), "联系人"),
        "interaction" => ("interactions", Some("customer_id"), "沟通记录"),
        "opportunity" => ("opportunities", Some("customer_id"), "销售机会"),
        "ticket" => ("tickets", Some("customer_id"), "服务请求"),
        // A requirement is asked for by many customers; it need only be readable.
        "requirement" => ("requirements", None, "需求"),
        _ => return Err(Error::validation(field, "not_found", text!("no such {kind}", "找不到该记录"))),
    };
    let table = Alias::new(table);
    let mut query = Query::select();
    query
        .column((table.clone(), Alias::new("id")))
        .from(table.clone())
        .and_where(Expr::col((table.clone(), Alias::new("id"))).eq(id))
        .and_where(Expr::col((table.clone(), Alias::new("deleted_at"))).is_null())
        .cond_where(readable_where(actor, Expr::val(kind), Expr::col((table.clone(), Alias::new("id")))));
    if let (Some(customer_id), Some(column)) = (customer_id, customer_column) {
        query.and_where(Expr::col((table, Alias::new(column))).eq(customer_id));
    }
    let found = conn.query_one_raw(conn.get_database_backend().build(&query)).await?;
    match found {
        Some(_) => Ok(()),
        None if customer_id.is_some() && customer_column.is_some() => {
            Err(Error::validation(field, "not_found", text!("no such {kind} at this customer", "该客户下没有这个{noun}")))
        }
        None => Err(Error::validation(field, "not_found", text!("no such {kind}", "找不到该{noun}"))),
    }
}

/// The ids of `entity`'s rows that meet `condition`.
fn ids_where<E: EntityTrait + Copy>(entity: E, id: E::Column, condition: Condition) -> SelectStatement {
    Query::select().column((entity, id)).from(entity).cond_where(condition).take()
}

/// The condition on rows that hang off a customer: their customer is in scope.
fn of_customers_in(customer_id: impl ColumnTrait, actor: &Actor, scope: Scope) -> Condition {
    Condition::all().add(customer_id.in_subquery(customers_in(actor, scope)))
}

fn customers_in(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(customers::Entity, customers::Column::Id, crate::customers::in_scope(actor, scope))
}

fn customer_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    customers_in(actor, scope)
}

fn contact_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(contacts::Entity, contacts::Column::Id, of_customers_in(contacts::Column::CustomerId, actor, scope))
}

fn interaction_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(interactions::Entity, interactions::Column::Id, of_customers_in(interactions::Column::CustomerId, actor, scope))
}

fn task_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(tasks::Entity, tasks::Column::Id, crate::activities::tasks::read_condition(actor, scope))
}

fn opportunity_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(opportunities::Entity, opportunities::Column::Id, crate::sales::opportunities::in_scope(actor, scope))
}

fn order_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    let condition = actor.scope_condition(scope, (orders::Entity, orders::Column::OwnerId), (orders::Entity, orders::Column::TeamId));
    ids_where(orders::Entity, orders::Column::Id, condition)
}

fn ticket_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(tickets::Entity, tickets::Column::Id, crate::service::tickets::visible(actor, scope))
}

fn portal_account_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(portal_accounts::Entity, portal_accounts::Column::Id, of_customers_in(portal_accounts::Column::CustomerId, actor, scope))
}

fn requirement_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(requirements::Entity, requirements::Column::Id, crate::requirements::scope_condition(actor, scope))
}

fn requester_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    let of_readable = Condition::all().add(requirement_requesters::Column::RequirementId.in_subquery(requirement_ids(actor, scope)));
    ids_where(requirement_requesters::Entity, requirement_requesters::Column::Id, of_readable)
}

/// Consents are read with their customer (their own contacts' included).
fn consent_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(consents::Entity, consents::Column::Id, of_customers_in(consents::Column::CustomerId, actor, scope))
}

/// The imports a caller reads in the feed: those they made, as `GET /imports` lists them.
fn import_ids(actor: &Actor) -> SelectStatement {
    ids_where(imports::Entity, imports::Column::Id, Condition::all().add(imports::Column::CreatedBy.eq(actor.user_id)))
}

/// The saved views a caller reads in the feed: their own and those shared with their teams.
fn saved_view_ids(actor: &Actor) -> SelectStatement {
    let mut seen = Condition::any().add(saved_views::Column::OwnerId.eq(actor.user_id));
    if !actor.team_ids.is_empty() {
        seen = seen.add(saved_views::Column::TeamId.is_in(actor.team_ids.clone()));
    }
    ids_where(saved_views::Entity, saved_views::Column::Id, seen)
}

/// Subject requests are read with the `privacy` scope over the person's customer.
fn privacy_request_ids(actor: &Actor, scope: Scope) -> SelectStatement {
    ids_where(privacy_requests::Entity, privacy_requests::Column::Id, of_customers_in(privacy_requests::Column::CustomerId, actor, scope))
}
