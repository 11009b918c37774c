//! Personal information rights (PIPL): consents, subject requests, a subject's export and
//! erasure, and the retention list. A person is a customer or a contact (a [`Subject`]); who may
//! act on them follows the customer they belong to: consents through the customers and contacts
//! permissions (they are part of the record), requests, exports and erasure through `privacy`.

pub mod consents;
pub mod erasure;
pub mod export;
pub mod requests;
pub mod retention;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crm_domain::identity::{Action, Resource};
use crm_domain::privacy::SubjectType;

use crate::entities::{contacts, customers};
use crate::{Actor, Error, Result};

/// One person as privacy records name them.
#[derive(Debug, Clone)]
pub struct Subject {
    pub subject_type: SubjectType,
    pub subject_id: Uuid,
    /// The customer the person is, or whose contact they are.
    pub customer_id: Uuid,
    /// The person's name as stored now (a pseudonym once erased).
    pub name: String,
}

/// The live customer or contact the caller may act on with `action` through the customers or
/// contacts permission (a contact through the scope of its customer), as consents need. Out of
/// scope or absent: 404.
pub(crate) async fn record_subject(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    subject_type: SubjectType,
    id: Uuid,
    action: Action,
) -> Result<Subject> {
    match subject_type {
        SubjectType::Customer => {
            let row = crate::customers::load_for(conn, actor, Resource::Customers, action, id, false).await?;
            Ok(Subject { subject_type, subject_id: id, customer_id: row.id, name: row.name })
        }
        SubjectType::Contact => {
            let row =
                contacts::Entity::find_by_id(id).filter(contacts::Column::DeletedAt.is_null()).one(conn).await?.ok_or(Error::NotFound)?;
            crate::customers::load_for(conn, actor, Resource::Contacts, action, row.customer_id, false).await?;
            Ok(Subject { subject_type, subject_id: id, customer_id: row.customer_id, name: row.name })
        }
    }
}

/// The customer or contact (live or in the recycle bin: a binned record still holds personal
/// data) whose customer lies in the caller's `privacy` scope for `action`. Absent or out of
/// scope: 404; no `privacy` permission for `action`: 403.
pub(crate) async fn privacy_subject(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    subject_type: SubjectType,
    id: Uuid,
    action: Action,
) -> Result<Subject> {
    let scope = actor.require(Resource::Privacy, action)?;
    let (customer_id, name) = match subject_type {
        SubjectType::Customer => (id, None),
        SubjectType::Contact => {
            let row = contacts::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)?;
            (row.customer_id, Some(row.name))
        }
    };
    let customer = customers::Entity::find_by_id(customer_id)
        .filter(crate::customers::in_scope(actor, scope))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Subject { subject_type, subject_id: id, customer_id, name: name.unwrap_or(customer.name) })
}

/// The names of subjects, for lists of requests: customers' and contacts' names as stored now.
pub(crate) async fn subject_names(
    conn: &impl ConnectionTrait,
    subjects: &[(SubjectType, Uuid)],
) -> Result<std::collections::HashMap<Uuid, String>> {
    let customer_ids: Vec<Uuid> = subjects.iter().filter(|(t, _)| *t == SubjectType::Customer).map(|(_, id)| *id).collect();
    let contact_ids: Vec<Uuid> = subjects.iter().filter(|(t, _)| *t == SubjectType::Contact).map(|(_, id)| *id).collect();
    let mut names = crate::platform::audit::customer_names(conn, &customer_ids).await?;
    names.extend(crate::platform::audit::contact_names(conn, &contact_ids).await?);
    Ok(names)
}

/// A stored subject type (written by this crate from the enum).
pub(crate) fn stored_subject_type(column: &str, id: Uuid, value: &str) -> Result<SubjectType> {
    crate::stored(column, id, value, SubjectType::parse)
}

/// Reads the rows of `E` whose `column` is one of `ids`, in chunks.
pub(crate) async fn rows_where_in<E>(conn: &impl ConnectionTrait, column: E::Column, ids: &[Uuid]) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::query::in_chunks(ids, |chunk| E::find().filter(column.is_in(chunk.to_vec())).all(conn)).await
}
