//! The batched write path for loading many customers at once (the benchmark's data, later large
//! imports). A batch is a list of customers, each with its contacts, interactions, opportunities
//! and orders; one call writes the whole batch in one transaction with one multi-row statement
//! per table (PostgreSQL: `COPY … FROM STDIN`). It writes every column and derived row the normal
//! stores write (search text, the tag table, stage histories, timeline items, a customer's last
//! interaction and purchase figures), so loaded data is indistinguishable from data entered through
//! the API — except that a bulk load is not an audited change: it writes no audit entries and no
//! change-feed events. Values are taken in their stored form (phone numbers already E.164) and are
//! trusted: this path is for operators, not for requests.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, DatabaseBackend};
use serde_json::json;
use uuid::Uuid;

use crm_domain::activities::{InteractionFields, TimelineKind};
use crm_domain::customers::{ContactFields, CustomerFields};
use crm_domain::sales::{Currency, Money, OpportunitySource, OrderStatus, StageKind};

use crate::query::search_text;
use crate::sales::lines::Line;
use crate::{Db, Error, Result};

/// A customer with everything under it, written together.
#[derive(Debug, Clone)]
pub struct CustomerGraph {
    pub customer: BulkCustomer,
    pub contacts: Vec<BulkContact>,
    pub interactions: Vec<BulkInteraction>,
    pub opportunities: Vec<BulkOpportunity>,
    pub orders: Vec<BulkOrder>,
}

/// A customer in stored form: phone in E.164, email lower case, credit code upper case (the
/// values are wrapped with `from_stored`, not parsed again).
#[derive(Debug, Clone)]
pub struct BulkCustomer {
    pub id: Uuid,
    pub fields: CustomerFields,
    pub owner_id: Uuid,
    pub team_id: Option<Uuid>,
    /// Who created it (the actor of its first stage-history entry and timeline item).
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct BulkContact {
    pub id: Uuid,
    pub fields: ContactFields,
    pub created_at: DateTime<Utc>,
}

/// An interaction; its `contact_id`, if any, names one of the graph's contacts.
#[derive(Debug, Clone)]
pub struct BulkInteraction {
    pub id: Uuid,
    pub fields: InteractionFields,
    pub owner_id: Uuid,
    pub team_id: Option<Uuid>,
}

/// A pipeline stage as the timeline shows it.
#[derive(Debug, Clone)]
pub struct BulkStage {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub kind: StageKind,
}

#[derive(Debug, Clone)]
pub struct BulkOpportunity {
    pub id: Uuid,
    pub name: String,
    pub pipeline_id: Uuid,
    /// The stage it was created in (the first open stage) and the one it stands in now.
    pub first_stage: BulkStage,
    pub stage: BulkStage,
    pub amount_minor: i64,
    pub currency: Currency,
    pub expected_close_date: Option<NaiveDate>,
    pub source: Option<OpportunitySource>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// When it entered its current stage (its closing time for won and lost ones).
    pub stage_entered_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct BulkOrder {
    pub id: Uuid,
    /// The server number's integer (`SO-000123` is 123); the order counter is moved past the
    /// largest one loaded.
    pub number: i64,
    pub order_date: NaiveDate,
    pub status: OrderStatus,
    pub currency: Currency,
    /// Priced as the order store prices them (see [`crm_domain::sales::line_total`]).
    pub lines: Vec<Line>,
    pub owner_id: Uuid,
    pub team_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// How many rows a batch wrote, by kind (the bench keeps them in its state file).
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct LoadCounts {
    pub customers: u64,
    pub contacts: u64,
    pub interactions: u64,
    pub opportunities: u64,
    pub orders: u64,
    /// Tags, stage histories, order lines and timeline items.
    pub derived: u64,
}

impl LoadCounts {
    /// Business records (customers, contacts, interactions, opportunities, orders).
    pub fn records(&self) -> u64 {
        self.customers + self.contacts + self.interactions + self.opportunities + self.orders
    }
    pub fn add(&mut self, other: LoadCounts) {
        self.customers += other.customers;
        self.contacts += other.contacts;
        self.interactions += other.interactions;
        self.opportunities += other.opportunities;
        self.orders += other.orders;
        self.derived += other.derived;
    }
}

/// One value of a row, typed as the column stores it.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Text(String),
    Uuid(Uuid),
    Time(DateTime<Utc>),
    Date(NaiveDate),
    I32(i32),
    I64(i64),
    Bool(bool),
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_owned())
    }
}
impl From<Uuid> for Cell {
    fn from(v: Uuid) -> Self {
        Cell::Uuid(v)
    }
}
impl From<DateTime<Utc>> for Cell {
    fn from(v: DateTime<Utc>) -> Self {
        Cell::Time(v)
    }
}
impl From<NaiveDate> for Cell {
    fn from(v: NaiveDate) -> Self {
        Cell::Date(v)
    }
}
impl From<i32> for Cell {
    fn from(v: i32) -> Self {
        Cell::I32(v)
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::I64(v)
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Bool(v)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Cell::Null)
    }
}

impl Cell {
    fn value(&self) -> sea_orm::Value {
        match self {
            Cell::Null => sea_orm::Value::String(None),
            Cell::Text(v) => v.clone().into(),
            Cell::Uuid(v) => (*v).into(),
            Cell::Time(v) => (*v).into(),
            Cell::Date(v) => (*v).into(),
            Cell::I32(v) => (*v).into(),
            Cell::I64(v) => (*v).into(),
            Cell::Bool(v) => (*v).into(),
        }
    }

    /// Appends the value in PostgreSQL's COPY text format.
    fn write_copy(&self, out: &mut String) {
        match self {
            Cell::Null => out.push_str("\\N"),
            Cell::Text(v) => {
                for c in v.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\t' => out.push_str("\\t"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        c => out.push(c),
                    }
                }
            }
            Cell::Uuid(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::Time(v) => out.push_str(&v.to_rfc3339_opts(SecondsFormat::Micros, true)),
            Cell::Date(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::I32(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::I64(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::Bool(v) => out.push(if *v { 't' } else { 'f' }),
        }
    }
}

/// The rows of one table in a batch.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self { table, columns, rows: Vec::new() }
    }
    fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.table);
        self.rows.push(row);
    }
}

const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "name",
    "industry",
    "size_band",
    "province",
    "city",
    "district",
    "address",
    "phone",
    "email",
    "website",
    "credit_code",
    "source_channel",
    "lifecycle_stage",
    "value_tier",
    "tags",
    "custom_fields",
    "gender",
    "birthday",
    "preferences",
    "notes",
    "id_type",
    "id_number",
    "id_number_index",
    "bank_name",
    "bank_account",
    "phone_index",
    "email_index",
    "search_text",
    "owner_id",
    "team_id",
    "created_at",
    "updated_at",
    "version",
    "deleted_at",
    "last_interaction_at",
    "first_order_at",
    "last_order_at",
    "order_count",
    "total_spend_minor",
];
const TAG_COLUMNS: &[&str] = &["customer_id", "tag"];
const STAGE_HISTORY_COLUMNS: &[&str] = &["id", "customer_id", "from_stage", "to_stage", "changed_by", "changed_at"];
const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "customer_id",
    "name",
    "title",
    "department",
    "phone",
    "mobile",
    "email",
    "wechat",
    "is_primary",
    "birthday",
    "notes",
    "id_type",
    "id_number",
    "id_number_index",
    "bank_name",
    "bank_account",
    "created_at",
    "updated_at",
    "version",
    "deleted_at",
];
const INTERACTION_COLUMNS: &[&str] = &[
    "id",
    "customer_id",
    "contact_id",
    "opportunity_id",
    "ticket_id",
    "requirement_id",
    "channel",
    "direction",
    "occurred_at",
    "duration_minutes",
    "subject",
    "content",
    "outcome",
    "next_step",
    "search_text",
    "owner_id",
    "team_id",
    "created_at",
    "updated_at",
    "version",
    "deleted_at",
];
const OPPORTUNITY_COLUMNS: &[&str] = &[
    "id",
    "name",
    "customer_id",
    "contact_id",
    "pipeline_id",
    "stage_id",
    "amount_minor",
    "currency",
    "expected_close_date",
    "probability",
    "source",
    "campaign_id",
    "competitors",
    "loss_reason",
    "description",
    "owner_id",
    "team_id",
    "stage_entered_at",
    "closed_at",
    "search_text",
    "created_at",
    "updated_at",
    "version",
    "deleted_at",
];
const OPPORTUNITY_HISTORY_COLUMNS: &[&str] =
    &["id", "opportunity_id", "from_stage_id", "to_stage_id", "seconds_in_previous", "changed_by", "changed_at"];
const ORDER_COLUMNS: &[&str] = &[
    "id",
    "number",
    "customer_id",
    "opportunity_id",
    "external_system",
    "external_id",
    "order_date",
    "status",
    "currency",
    "subtotal_minor",
    "discount_minor",
    "total_minor",
    "notes",
    "owner_id",
    "team_id",
    "confirmed_at",
    "created_at",
    "updated_at",
    "version",
    "deleted_at",
];
const ORDER_LINE_COLUMNS: &[&str] =
    &["id", "order_id", "product_id", "sku", "product_name", "quantity", "unit_price_minor", "discount_bp", "line_total_minor", "position"];
const TIMELINE_COLUMNS: &[&str] = &["id", "customer_id", "kind", "occurred_at", "entity_type", "entity_id", "title", "summary", "actor_id"];

/// A derived row's id: time-ordered like the application's, from the record it derives from
/// (deterministic, so a seeded load gives the same database twice).
fn derived_id(from: Uuid, salt: u8, at: DateTime<Utc>) -> Uuid {
    let mut random = [0u8; 10];
    random.copy_from_slice(&from.as_bytes()[6..16]);
    random[9] ^= salt;
    random[8] = random[8].wrapping_add(salt.wrapping_mul(31));
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

fn money(amount_minor: i64, currency: &Currency) -> Money {
    Money { amount_minor, currency: currency.clone() }
}

fn title(text: &str) -> String {
    text.chars().take(300).collect()
}

/// The timeline item the stores write when a record under a customer is created: about
/// `entity` (its type and id), at the record's time, by `actor`. Its id derives from the
/// record's with a salt per kind, so that a seeded load writes the same ids every time.
fn timeline_row(
    customer_id: Uuid,
    kind: TimelineKind,
    entity: (&str, Uuid),
    at: DateTime<Utc>,
    text: &str,
    summary: &serde_json::Value,
    actor: Option<Uuid>,
) -> Vec<Cell> {
    let salt = match kind {
        TimelineKind::StageChange => 2,
        TimelineKind::Contact => 3,
        TimelineKind::Interaction => 4,
        _ => 7,
    };
    let (entity_type, entity_id) = entity;
    vec![
        derived_id(entity_id, salt, at).into(),
        customer_id.into(),
        kind.as_str().into(),
        at.into(),
        entity_type.into(),
        entity_id.into(),
        title(text).into(),
        summary.to_string().into(),
        actor.into(),
    ]
}

/// All the rows of a batch, table by table, in an order that satisfies the foreign keys.
fn rows_of(graphs: &[CustomerGraph], time_zone: chrono_tz::Tz, sealer: &crate::personal_data::Sealer) -> (Vec<Rows>, LoadCounts, i64) {
    let mut customers = Rows::new("customers", CUSTOMER_COLUMNS);
    let mut tags = Rows::new("customer_tags", TAG_COLUMNS);
    let mut stage_history = Rows::new("customer_stage_history", STAGE_HISTORY_COLUMNS);
    let mut contacts = Rows::new("contacts", CONTACT_COLUMNS);
    let mut interactions = Rows::new("interactions", INTERACTION_COLUMNS);
    let mut opportunities = Rows::new("opportunities", OPPORTUNITY_COLUMNS);
    let mut opportunity_history = Rows::new("opportunity_stage_history", OPPORTUNITY_HISTORY_COLUMNS);
    let mut orders = Rows::new("orders", ORDER_COLUMNS);
    let mut order_lines = Rows::new("order_lines", ORDER_LINE_COLUMNS);
    let mut timeline = Rows::new("timeline_items", TIMELINE_COLUMNS);
    let mut counts = LoadCounts::default();
    let mut max_number = 0i64;

    for graph in graphs {
        let (c, f) = (&graph.customer, &graph.customer.fields);
        // Search text as the application writes it: the customer's name and credit code, then
        // its contacts' names (phones and emails are found whole, never through it).
        let mut parts: Vec<Option<&str>> = vec![Some(&f.name), f.credit_code.as_ref().map(|v| v.as_str())];
        parts.extend(graph.contacts.iter().map(|p| Some(p.fields.name.as_str())));
        let search = search_text(parts);
        let last_interaction = graph.interactions.iter().map(|i| i.fields.occurred_at).max();
        let revenue: Vec<&BulkOrder> = graph.orders.iter().filter(|o| o.status.is_revenue()).collect();
        let first_order = crate::sales::orders::order_time(revenue.iter().map(|o| o.order_date).min(), time_zone);
        let last_order = crate::sales::orders::order_time(revenue.iter().map(|o| o.order_date).max(), time_zone);
        let spend: i64 = revenue.iter().map(|o| o.lines.iter().map(|l| l.line_total_minor).sum::<i64>()).sum();
        let order_count = i32::try_from(revenue.len()).unwrap_or(i32::MAX);
        let (phone, email) = (f.phone.as_ref().map(|v| v.as_str()), f.email.as_ref().map(|v| v.as_str()));
        let id_number = f.id_number.as_ref().map(|v| v.as_str());
        let birthday = f.birthday.map(|day| day.format("%Y-%m-%d").to_string());
        customers.push(vec![
            c.id.into(),
            f.kind.as_str().into(),
            f.name.clone().into(),
            f.industry.clone().into(),
            f.size_band.map(|v| v.as_str()).into(),
            f.province.clone().into(),
            f.city.clone().into(),
            f.district.clone().into(),
            sealer.seal("customers.address", c.id, f.address.as_deref()).into(),
            sealer.seal("customers.phone", c.id, phone).into(),
            sealer.seal("customers.email", c.id, email).into(),
            f.website.as_ref().map(|v| v.as_str()).into(),
            f.credit_code.as_ref().map(|v| v.as_str()).into(),
            f.source_channel.map(|v| v.as_str()).into(),
            f.lifecycle_stage.as_str().into(),
            f.value_tier.map(|v| v.as_str()).into(),
            serde_json::to_string(&f.tags).unwrap_or_else(|_| "[]".into()).into(),
            serde_json::to_string(&f.custom_fields).unwrap_or_else(|_| "{}".into()).into(),
            f.gender.map(|v| v.as_str()).into(),
            sealer.seal("customers.birthday", c.id, birthday.as_deref()).into(),
            f.preferences.clone().into(),
            f.notes.clone().into(),
            f.id_type.map(|v| v.as_str()).into(),
            sealer.seal("customers.id_number", c.id, id_number).into(),
            sealer.index("customers.id_number", id_number).into(),
            f.bank_name.clone().into(),
            sealer.seal("customers.bank_account", c.id, f.bank_account.as_ref().map(|v| v.as_str())).into(),
            sealer.index("customers.phone", phone).into(),
            sealer.index("customers.email", email).into(),
            search.into(),
            c.owner_id.into(),
            c.team_id.into(),
            c.created_at.into(),
            c.created_at.into(),
            1i32.into(),
            Cell::Null,
            last_interaction.into(),
            first_order.into(),
            last_order.into(),
            order_count.into(),
            spend.into(),
        ]);
        counts.customers += 1;
        let mut seen_tags: Vec<&String> = Vec::new();
        for tag in &f.tags {
            if !seen_tags.contains(&tag) {
                seen_tags.push(tag);
                tags.push(vec![c.id.into(), tag.clone().into()]);
                counts.derived += 1;
            }
        }
        let history_id = derived_id(c.id, 1, c.created_at);
        stage_history.push(vec![
            history_id.into(),
            c.id.into(),
            Cell::Null,
            f.lifecycle_stage.as_str().into(),
            c.created_by.into(),
            c.created_at.into(),
        ]);
        let summary = json!({ "from_stage": null, "to_stage": f.lifecycle_stage });
        let stage = f.lifecycle_stage.as_str();
        timeline.push(timeline_row(c.id, TimelineKind::StageChange, ("customer", c.id), c.created_at, stage, &summary, c.created_by));
        counts.derived += 2;

        for contact in &graph.contacts {
            let person = &contact.fields;
            contacts.push(vec![
                contact.id.into(),
                c.id.into(),
                person.name.clone().into(),
                person.title.clone().into(),
                person.department.clone().into(),
                person.phone.as_ref().map(|v| v.as_str()).into(),
                person.mobile.as_ref().map(|v| v.as_str()).into(),
                person.email.as_ref().map(|v| v.as_str()).into(),
                person.wechat.clone().into(),
                person.is_primary.into(),
                sealer
                    .seal("contacts.birthday", contact.id, person.birthday.map(|day| day.format("%Y-%m-%d").to_string()).as_deref())
                    .into(),
                person.notes.clone().into(),
                person.id_type.map(|v| v.as_str()).into(),
                sealer.seal("contacts.id_number", contact.id, person.id_number.as_ref().map(|v| v.as_str())).into(),
                sealer.index("contacts.id_number", person.id_number.as_ref().map(|v| v.as_str())).into(),
                person.bank_name.clone().into(),
                sealer.seal("contacts.bank_account", contact.id, person.bank_account.as_ref().map(|v| v.as_str())).into(),
                contact.created_at.into(),
                contact.created_at.into(),
                1i32.into(),
                Cell::Null,
            ]);
            let summary = json!({ "action": "created", "name": person.name, "title": person.title, "is_primary": person.is_primary });
            let about = ("contact", contact.id);
            timeline.push(timeline_row(c.id, TimelineKind::Contact, about, contact.created_at, &person.name, &summary, c.created_by));
            counts.contacts += 1;
            counts.derived += 1;
        }

        for interaction in &graph.interactions {
            let (id, i) = (interaction.id, &interaction.fields);
            let contact = i.contact_id.and_then(|contact_id| graph.contacts.iter().find(|p| p.id == contact_id));
            let text = [Some(i.subject.as_str()), i.content.as_deref(), i.outcome.as_deref(), i.next_step.as_deref()];
            let search = text.iter().flatten().map(|t| t.to_lowercase()).collect::<Vec<_>>().join(" ");
            interactions.push(vec![
                id.into(),
                c.id.into(),
                contact.map(|p| p.id).into(),
                i.opportunity_id.into(),
                i.ticket_id.into(),
                i.requirement_id.into(),
                i.channel.as_str().into(),
                i.direction.as_str().into(),
                i.occurred_at.into(),
                i.duration_minutes.into(),
                i.subject.clone().into(),
                i.content.clone().into(),
                i.outcome.clone().into(),
                i.next_step.clone().into(),
                search.into(),
                interaction.owner_id.into(),
                interaction.team_id.into(),
                i.occurred_at.into(),
                i.occurred_at.into(),
                1i32.into(),
                Cell::Null,
            ]);
            let summary = json!({ "channel": i.channel, "direction": i.direction, "outcome": i.outcome, "next_step": i.next_step,
                "duration_minutes": i.duration_minutes, "contact_id": contact.map(|p| p.id), "contact_name": contact.map(|p| &p.fields.name) });
            let (about, owner) = (("interaction", id), Some(interaction.owner_id));
            timeline.push(timeline_row(c.id, TimelineKind::Interaction, about, i.occurred_at, &i.subject, &summary, owner));
            counts.interactions += 1;
            counts.derived += 1;
        }

        for o in &graph.opportunities {
            let closed = o.stage.kind != StageKind::Open;
            opportunities.push(vec![
                o.id.into(),
                o.name.clone().into(),
                c.id.into(),
                Option::<Uuid>::None.into(),
                o.pipeline_id.into(),
                o.stage.id.into(),
                o.amount_minor.into(),
                o.currency.as_str().into(),
                o.expected_close_date.into(),
                Option::<i32>::None.into(),
                o.source.map(|s| s.as_str()).into(),
                Option::<Uuid>::None.into(),
                "[]".into(),
                (o.stage.kind == StageKind::Lost).then(|| "价格因素".to_owned()).into(),
                Cell::Null,
                o.owner_id.into(),
                o.team_id.into(),
                o.stage_entered_at.into(),
                closed.then_some(o.stage_entered_at).into(),
                format!("{} ", o.name.to_lowercase()).into(),
                o.created_at.into(),
                o.stage_entered_at.into(),
                if o.stage.id == o.first_stage.id { 1i32 } else { 2i32 }.into(),
                Cell::Null,
            ]);
            opportunity_history.push(vec![
                derived_id(o.id, 5, o.created_at).into(),
                o.id.into(),
                Option::<Uuid>::None.into(),
                o.first_stage.id.into(),
                Option::<i64>::None.into(),
                o.owner_id.into(),
                o.created_at.into(),
            ]);
            counts.derived += 1;
            if o.stage.id != o.first_stage.id {
                opportunity_history.push(vec![
                    derived_id(o.id, 6, o.stage_entered_at).into(),
                    o.id.into(),
                    o.first_stage.id.into(),
                    o.stage.id.into(),
                    (o.stage_entered_at - o.created_at).num_seconds().into(),
                    o.owner_id.into(),
                    o.stage_entered_at.into(),
                ]);
                counts.derived += 1;
            }
            let summary = json!({ "stage_key": o.stage.key, "stage_name": o.stage.name, "stage_kind": o.stage.kind,
                "amount": money(o.amount_minor, &o.currency), "expected_close_date": o.expected_close_date, "owner_name": o.owner_name });
            let (about, owner) = (("opportunity", o.id), Some(o.owner_id));
            timeline.push(timeline_row(c.id, TimelineKind::Opportunity, about, o.created_at, &o.name, &summary, owner));
            counts.opportunities += 1;
            counts.derived += 1;
        }

        for o in &graph.orders {
            let subtotal: i64 = o.lines.iter().map(|l| l.quantity * l.unit_price_minor).sum();
            let total: i64 = o.lines.iter().map(|l| l.line_total_minor).sum();
            let number = format!("SO-{:06}", o.number);
            max_number = max_number.max(o.number);
            let updated = o.confirmed_at.unwrap_or(o.created_at).max(o.created_at);
            orders.push(vec![
                o.id.into(),
                number.clone().into(),
                c.id.into(),
                Option::<Uuid>::None.into(),
                Cell::Null,
                Cell::Null,
                o.order_date.into(),
                o.status.as_str().into(),
                o.currency.as_str().into(),
                subtotal.into(),
                (subtotal - total).into(),
                total.into(),
                Cell::Null,
                o.owner_id.into(),
                o.team_id.into(),
                o.confirmed_at.into(),
                o.created_at.into(),
                updated.into(),
                if o.status == OrderStatus::Draft { 1i32 } else { 2i32 }.into(),
                Cell::Null,
            ]);
            for (position, line) in o.lines.iter().enumerate() {
                let salt = 8u8.wrapping_add(u8::try_from(position).unwrap_or(0));
                order_lines.push(vec![
                    derived_id(o.id, salt, o.created_at).into(),
                    o.id.into(),
                    line.product_id.into(),
                    line.sku.clone().into(),
                    line.product_name.clone().into(),
                    line.quantity.into(),
                    line.unit_price_minor.into(),
                    line.discount_bp.into(),
                    line.line_total_minor.into(),
                    i32::try_from(position).unwrap_or(i32::MAX).into(),
                ]);
                counts.derived += 1;
            }
            let summary =
                json!({ "status": o.status, "total": money(total, &o.currency), "order_date": o.order_date, "lines": o.lines.len() });
            let (about, owner) = (("order", o.id), Some(o.owner_id));
            timeline.push(timeline_row(c.id, TimelineKind::Order, about, o.created_at, &number, &summary, owner));
            counts.orders += 1;
            counts.derived += 1;
        }
    }
    let tables =
        vec![customers, tags, stage_history, contacts, interactions, opportunities, opportunity_history, orders, order_lines, timeline];
    (tables, counts, max_number)
}

/// Writes a batch of customers with everything under them in one transaction.
#[tracing::instrument(skip_all)]
pub async fn load(db: &Db, graphs: &[CustomerGraph]) -> Result<LoadCounts> {
    let (tables, counts, max_number) = rows_of(graphs, db.time_zone(), &db.sealer().await?);
    match db.backend() {
        DatabaseBackend::Postgres => copy_postgres(db, &tables, max_number).await?,
        _ => insert_rows(db, &tables, max_number).await?,
    }
    Ok(counts)
}

/// The order counter moves past the largest number loaded, so the next order the API creates
/// gets a fresh number.
fn counter_statement(max_number: i64) -> sea_orm::sea_query::UpdateStatement {
    use sea_orm::sea_query::{Expr, ExprTrait};
    Query::update()
        .table(Alias::new("counters"))
        .value(Alias::new("value"), max_number)
        .and_where(Expr::col(Alias::new("name")).eq("order"))
        .and_where(Expr::col(Alias::new("value")).lt(max_number))
        .take()
}

/// Multi-row INSERTs, each under SQLite's limit of bound parameters.
async fn insert_rows(db: &Db, tables: &[Rows], max_number: i64) -> Result<()> {
    const MAX_PARAMETERS: usize = 30_000;
    let txn = db.begin_write().await?;
    for table in tables {
        let per_statement = (MAX_PARAMETERS / table.columns.len()).max(1);
        for chunk in table.rows.chunks(per_statement) {
            let mut insert = Query::insert();
            insert.into_table(Alias::new(table.table)).columns(table.columns.iter().map(|c| Alias::new(*c)));
            for row in chunk {
                insert
                    .values(row.iter().map(|cell| cell.value().into()))
                    .map_err(|e| Error::unexpected(sea_orm::DbErr::Custom(e.to_string())))?;
            }
            txn.execute(&insert).await?;
        }
    }
    if max_number > 0 {
        txn.execute(&counter_statement(max_number)).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// `COPY … FROM STDIN` per table, all in one transaction.
async fn copy_postgres(db: &Db, tables: &[Rows], max_number: i64) -> Result<()> {
    use sea_orm::sqlx::Acquire;
    let unexpected = |e: sea_orm::sqlx::Error| Error::unexpected(sea_orm::DbErr::Custom(e.to_string()));
    let pool = db.conn.get_postgres_connection_pool();
    let mut txn = pool.begin().await.map_err(unexpected)?;
    // The batch is consistent by construction (children follow their parents in the same
    // transaction), so where the role may, the load skips the per-row foreign-key triggers,
    // which otherwise take most of the time of a COPY.
    let superuser: String =
        sea_orm::sqlx::query_scalar("SELECT current_setting('is_superuser')").fetch_one(&mut *txn).await.map_err(unexpected)?;
    if superuser == "on" {
        sea_orm::sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *txn).await.map_err(unexpected)?;
    }
    for table in tables {
        if table.rows.is_empty() {
            continue;
        }
        let statement = format!("COPY {} ({}) FROM STDIN", table.table, table.columns.join(", "));
        let conn = txn.acquire().await.map_err(unexpected)?;
        let mut copy = conn.copy_in_raw(&statement).await.map_err(unexpected)?;
        let mut buffer = String::with_capacity(1 << 20);
        for row in &table.rows {
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    buffer.push('\t');
                }
                cell.write_copy(&mut buffer);
            }
            buffer.push('\n');
            if buffer.len() > (1 << 20) {
                copy.send(buffer.as_bytes()).await.map_err(unexpected)?;
                buffer.clear();
            }
        }
        if !buffer.is_empty() {
            copy.send(buffer.as_bytes()).await.map_err(unexpected)?;
        }
        copy.finish().await.map_err(unexpected)?;
    }
    if max_number > 0 {
        sea_orm::sqlx::query("UPDATE counters SET value = $1 WHERE name = 'order' AND value < $1")
            .bind(max_number)
            .execute(&mut *txn)
            .await
            .map_err(unexpected)?;
    }
    txn.commit().await.map_err(unexpected)?;
    Ok(())
}

/// The tables a bulk load writes.
const LOADED_TABLES: &[&str] = &[
    "customers",
    "customer_tags",
    "customer_stage_history",
    "contacts",
    "interactions",
    "opportunities",
    "opportunity_stage_history",
    "orders",
    "order_lines",
    "timeline_items",
];

/// Secondary indexes set aside for an initial load (see [`defer_indexes`]).
#[derive(Debug, Default)]
pub struct DeferredIndexes {
    definitions: Vec<DeferredIndex>,
}

/// One index set aside: its name, its table, and the `CREATE INDEX` statement that rebuilds it.
#[derive(Debug)]
struct DeferredIndex {
    name: String,
    table: String,
    definition: String,
}

impl DeferredIndexes {
    pub fn len(&self) -> usize {
        self.definitions.len()
    }
    pub fn is_empty(&self) -> bool {
        self.definitions.is_empty()
    }
}

/// For an initial load into empty tables on PostgreSQL: drops the secondary indexes of the
/// loaded tables (not primary keys or unique constraints), to be rebuilt by [`rebuild_indexes`]
/// with the very definitions read here. PostgreSQL builds an index from sorted data many times
/// faster than it maintains it row by row. Elsewhere, and on tables that hold rows, nothing is
/// deferred.
#[tracing::instrument(skip_all)]
pub async fn defer_indexes(db: &Db) -> Result<DeferredIndexes> {
    if db.backend() != DatabaseBackend::Postgres {
        return Ok(DeferredIndexes::default());
    }
    let backend = DatabaseBackend::Postgres;
    let any_rows = db.conn.query_one_raw(sea_orm::Statement::from_string(backend, "SELECT 1 AS x FROM customers LIMIT 1")).await?;
    if any_rows.is_some() {
        return Ok(DeferredIndexes::default());
    }
    let tables = LOADED_TABLES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename IN ({tables}) \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname"
    );
    let rows = db.conn.query_all_raw(sea_orm::Statement::from_string(backend, sql)).await?;
    let mut definitions = Vec::with_capacity(rows.len());
    for row in rows {
        definitions.push(DeferredIndex {
            name: row.try_get("", "indexname")?,
            table: row.try_get("", "tablename")?,
            definition: row.try_get("", "indexdef")?,
        });
    }
    for index in &definitions {
        db.conn.execute_unprepared(&format!("DROP INDEX \"{}\"", index.name)).await?;
    }
    Ok(DeferredIndexes { definitions })
}

/// Index builds run at once: one per core of the machine the bench targets (each build is
/// single-threaded and CPU-bound once the table is cached).
const PARALLEL_INDEX_BUILDS: usize = 2;

/// A trigram GIN index over a table takes about as long to build as this many B-tree indexes
/// over it (1 M customers: ~120 s alone against 2–4 s for each B-tree).
const GIN_BUILD_WEIGHT: i64 = 25;

/// Rebuilds the indexes [`defer_indexes`] set aside, with room to sort in memory, several at a
/// time on separate connections (each takes the next index when it finishes one). The longest
/// builds go first: taken in name order, the customers' trigram index (half the work) started
/// last and one connection built it alone while the other sat idle.
#[tracing::instrument(skip_all)]
pub async fn rebuild_indexes(db: &Db, deferred: DeferredIndexes) -> Result<()> {
    if deferred.definitions.is_empty() {
        return Ok(());
    }
    let sizes: std::collections::HashMap<String, i64> = db
        .conn
        .query_all_raw(sea_orm::Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT c.relname, pg_relation_size(c.oid) AS bytes FROM pg_class c \
             WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace",
        ))
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get::<String>("", "relname")?, row.try_get::<i64>("", "bytes")?)))
        .collect::<Result<_>>()?;
    let cost = |index: &DeferredIndex| {
        let bytes = sizes.get(&index.table).copied().unwrap_or(0);
        if index.definition.contains(" USING gin ") { bytes.saturating_mul(GIN_BUILD_WEIGHT) } else { bytes }
    };
    let mut definitions = deferred.definitions;
    // The queue is taken from its end: cheapest first here, so the dearest is built first.
    definitions.sort_by_cached_key(cost);
    let queue = std::sync::Mutex::new(definitions.into_iter().map(|index| index.definition).collect::<Vec<_>>());
    let next = || queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
    let builder = || async {
        let txn = db.begin_write().await?;
        txn.execute_unprepared("SET LOCAL maintenance_work_mem = '512MB'").await?;
        while let Some(definition) = next() {
            txn.execute_unprepared(&definition).await?;
        }
        txn.commit().await?;
        Ok::<(), crate::Error>(())
    };
    futures_util::future::try_join_all((0..PARALLEL_INDEX_BUILDS).map(|_| builder())).await?;
    Ok(())
}

/// Runs `ANALYZE` after a load so that the planner knows the new sizes (PostgreSQL; SQLite's
/// `ANALYZE` fills `sqlite_stat1` likewise).
#[tracing::instrument(skip_all)]
pub async fn analyze(db: &Db) -> Result<()> {
    db.conn.execute_unprepared("ANALYZE").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_separators_and_marks_nulls() {
        let mut out = String::new();
        Cell::Text("a\tb\\c\nd".into()).write_copy(&mut out);
        out.push('|');
        Cell::Null.write_copy(&mut out);
        out.push('|');
        Cell::Bool(true).write_copy(&mut out);
        assert_eq!(out, "a\\tb\\\\c\\nd|\\N|t");
    }
}
