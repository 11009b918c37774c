//! A person's data as one JSON document (PIPL's right to access and to a copy): the record, and
//! everything stored that is about them, read in one transaction together with the audit entry
//! of this sensitive read (`export_subject`), so no export goes unrecorded.
//!
//! Rows that are the person's own (their record, contacts, interactions) come in the shape their
//! `GET` returns; the rest as stored, without the system's internal columns (search text) and
//! without secrets (portal password and invitation hashes). Attachments do not exist yet; the
//! document says so, and will carry them (or a ZIP will) once they do.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crm_domain::identity::Action;
use crm_domain::privacy::SubjectType;

use super::{Subject, privacy_subject, rows_where_in};
use crate::entities::{
    audit_log, contacts, customers, external_refs, interactions, opportunities, order_lines, orders, portal_accounts,
    requirement_requesters, requirements, tasks, ticket_comments, tickets, timeline_items,
};
use crate::identity::names::Names;
use crate::{Actor, Db, Error, Result, now};

/// The version of the document's shape, for whoever reads it later.
pub const FORMAT: &str = "crm.subject_export/1";

/// Columns an export leaves out: the system's search text, and secrets.
const LEFT_OUT: &[&str] = &["search_text", "password_hash", "invitation_hash"];

fn rows_json<M: Serialize>(rows: &[M]) -> Value {
    Value::Array(
        rows.iter()
            .map(|row| {
                let mut value = serde_json::to_value(row).unwrap_or(Value::Null);
                if let Value::Object(fields) = &mut value {
                    for column in LEFT_OUT {
                        fields.remove(*column);
                    }
                }
                value
            })
            .collect(),
    )
}

fn ids<M>(rows: &[M], id: impl Fn(&M) -> Uuid) -> Vec<Uuid> {
    rows.iter().map(id).collect()
}

/// Exports everything stored about one customer (with its contacts) or one contact.
#[tracing::instrument(skip_all)]
pub async fn export(db: &Db, actor: &Actor, subject_type: SubjectType, subject_id: Uuid) -> Result<Value> {
    let txn = db.begin_write().await?;
    let subject = privacy_subject(&txn, actor, subject_type, subject_id, Action::Export).await?;
    // The document holds the person's data in clear: it also takes the right to see it.
    crate::personal_data::require_clear(db, actor, subject.customer_id).await?;
    let sealer = db.sealer().await?;
    let document = document(&txn, &subject, &sealer).await?;
    let sections: Map<String, Value> = document
        .as_object()
        .map(|fields| fields.iter().filter_map(|(key, value)| value.as_array().map(|rows| (key.clone(), json!(rows.len())))).collect())
        .unwrap_or_default();
    crate::platform::audit::record(&txn, actor, "export_subject", subject_type.as_str(), subject_id, json!({ "sections": sections }))
        .await?;
    txn.commit().await?;
    Ok(document)
}

async fn document(conn: &impl ConnectionTrait, subject: &Subject, sealer: &crate::personal_data::Sealer) -> Result<Value> {
    let customer_row = customers::Entity::find_by_id(subject.customer_id).one(conn).await?.ok_or(Error::NotFound)?;
    let customer = crate::customers::to_records(Names::Within(conn), vec![customer_row], sealer).await?.pop().ok_or(Error::NotFound)?;
    let mut doc = Map::new();
    doc.insert("format".into(), json!(FORMAT));
    doc.insert("exported_at".into(), json!(now()));
    doc.insert("subject".into(), json!({ "type": subject.subject_type, "id": subject.subject_id, "customer_id": subject.customer_id }));
    let whole_customer = subject.subject_type == SubjectType::Customer;

    // The person's own record and, for a customer, its contacts.
    let contact_rows = if whole_customer {
        contacts::Entity::find().filter(contacts::Column::CustomerId.eq(subject.customer_id)).all(conn).await?
    } else {
        contacts::Entity::find_by_id(subject.subject_id).all(conn).await?
    };
    let contact_ids = ids(&contact_rows, |c| c.id);
    let contact_records = crate::customers::contacts::to_records(conn, contact_rows, sealer).await?;
    if whole_customer {
        doc.insert("record".into(), json!(customer));
        doc.insert("contacts".into(), json!(contact_records));
    } else {
        doc.insert("record".into(), contact_records.first().map(|c| json!(c)).unwrap_or(Value::Null));
        doc.insert("customer".into(), json!({ "id": customer.id, "name": customer.fields.name }));
    }

    let interaction_rows = if whole_customer {
        interactions::Entity::find().filter(interactions::Column::CustomerId.eq(subject.customer_id)).all(conn).await?
    } else {
        interactions::Entity::find().filter(interactions::Column::ContactId.eq(subject.subject_id)).all(conn).await?
    };
    let interaction_ids = ids(&interaction_rows, |i| i.id);
    doc.insert("interactions".into(), json!(crate::activities::interactions::to_records(conn, interaction_rows).await?));

    let task_rows = if whole_customer {
        tasks::Entity::find().filter(tasks::Column::CustomerId.eq(subject.customer_id)).all(conn).await?
    } else {
        tasks::Entity::find()
            .filter(tasks::Column::RelatedType.eq("contact"))
            .filter(tasks::Column::RelatedId.eq(subject.subject_id))
            .all(conn)
            .await?
    };
    doc.insert("tasks".into(), rows_json(&task_rows));

    let ticket_rows = if whole_customer {
        tickets::Entity::find().filter(tickets::Column::CustomerId.eq(subject.customer_id)).all(conn).await?
    } else {
        tickets::Entity::find().filter(tickets::Column::ContactId.eq(subject.subject_id)).all(conn).await?
    };
    let comments = rows_where_in::<ticket_comments::Entity>(conn, ticket_comments::Column::TicketId, &ids(&ticket_rows, |t| t.id)).await?;
    doc.insert("tickets".into(), rows_json(&ticket_rows));
    doc.insert("ticket_comments".into(), rows_json(&comments));

    // Orders belong to the customer, not to one of its contacts.
    let order_rows = if whole_customer {
        orders::Entity::find().filter(orders::Column::CustomerId.eq(subject.customer_id)).all(conn).await?
    } else {
        Vec::new()
    };
    let lines = rows_where_in::<order_lines::Entity>(conn, order_lines::Column::OrderId, &ids(&order_rows, |o| o.id)).await?;
    doc.insert("orders".into(), rows_json(&order_rows));
    doc.insert("order_lines".into(), rows_json(&lines));

    let opportunity_rows = if whole_customer {
        opportunities::Entity::find().filter(opportunities::Column::CustomerId.eq(subject.customer_id)).all(conn).await?
    } else {
        opportunities::Entity::find().filter(opportunities::Column::ContactId.eq(subject.subject_id)).all(conn).await?
    };
    doc.insert("opportunities".into(), rows_json(&opportunity_rows));

    let requests = if whole_customer {
        requirement_requesters::Entity::find().filter(requirement_requesters::Column::CustomerId.eq(subject.customer_id)).all(conn).await?
    } else {
        requirement_requesters::Entity::find().filter(requirement_requesters::Column::ContactId.eq(subject.subject_id)).all(conn).await?
    };
    let requirement_rows =
        rows_where_in::<requirements::Entity>(conn, requirements::Column::Id, &ids(&requests, |r| r.requirement_id)).await?;
    let requested: Vec<Value> =
        requirement_rows.iter().map(|r| json!({ "id": r.id, "number": r.number, "title": r.title, "status": r.status })).collect();
    doc.insert("requirements".into(), Value::Array(requested));
    doc.insert("requirement_requests".into(), rows_json(&requests));

    let consents: Vec<_> = super::consents::of_customer(conn, subject.customer_id)
        .await?
        .into_iter()
        .filter(|c| whole_customer || c.subject_id == subject.subject_id)
        .collect();
    let consent_ids = ids(&consents, |c| c.id);
    doc.insert("consents".into(), json!(consents));

    let accounts = rows_where_in::<portal_accounts::Entity>(conn, portal_accounts::Column::ContactId, &contact_ids).await?;
    doc.insert("portal_accounts".into(), rows_json(&accounts));

    let timeline = if whole_customer {
        timeline_items::Entity::find().filter(timeline_items::Column::CustomerId.eq(subject.customer_id)).all(conn).await?
    } else {
        let about: Vec<Uuid> = contact_ids.iter().chain(&interaction_ids).copied().collect();
        rows_where_in::<timeline_items::Entity>(conn, timeline_items::Column::EntityId, &about).await?
    };
    doc.insert("timeline".into(), rows_json(&timeline));

    let mut own_ids: Vec<Uuid> = contact_ids.clone();
    if whole_customer {
        own_ids.push(subject.customer_id);
    }
    let references = rows_where_in::<external_refs::Entity>(conn, external_refs::Column::EntityId, &own_ids).await?;
    let references: Vec<_> = references.into_iter().filter(|r| r.entity_type == "customer" || r.entity_type == "contact").collect();
    doc.insert("external_references".into(), rows_json(&references));

    let about: Vec<Uuid> = own_ids.iter().chain(&interaction_ids).chain(&consent_ids).copied().collect();
    let entries = rows_where_in::<audit_log::Entity>(conn, audit_log::Column::EntityId, &about).await?;
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let mut changes = serde_json::from_str::<Value>(&e.changes).unwrap_or(Value::Null);
            sealer.open_document(&e.entity_type, e.entity_id, &mut changes)?;
            Ok(json!({ "id": e.id, "actor_id": e.actor_id, "action": e.action, "entity_type": e.entity_type, "entity_id": e.entity_id,
                "changes": changes, "request_id": e.request_id, "ip": e.ip, "created_at": e.created_at }))
        })
        .collect::<Result<_>>()?;
    doc.insert("audit_entries".into(), Value::Array(entries));

    let requests: Vec<_> = super::requests::of_customer(conn, subject.customer_id)
        .await?
        .into_iter()
        .filter(|r| whole_customer || r.subject_id == subject.subject_id)
        .collect();
    doc.insert("privacy_requests".into(), json!(requests));
    doc.insert(
        "attachments".into(),
        json!({ "included": false, "note": "The CRM stores no attachments yet; when it does, they come with this document." }),
    );
    Ok(Value::Object(doc))
}
