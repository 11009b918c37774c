//! Duplicate customers (查重): candidates for a customer being entered or edited, and the groups
//! of likely duplicates across the database. A candidate has the same phone or email (the
//! customer's own, found through its blind index, or a live contact's), the same 统一社会信用代码,
//! or a very similar name in the same city, found through `customer_name_grams`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::customers::duplicates::{NAME_THRESHOLD, name_grams, name_similarity};
use crm_domain::identity::{Action, Resource};
use crm_domain::values::{CreditCode, Email, Phone};

use super::store::{EMAIL, PHONE, credit_code_holder, in_scope, sealed_holders};
use crate::entities::{contacts, customer_name_grams as grams, customers};
use crate::identity::names::Names;
use crate::pagination::{Cursor, Page, PageRequest, clamp_limit};
use crate::query::in_chunks;
use crate::{Actor, Db, Result};

/// What a customer being entered says about itself.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub name: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub credit_code: Option<CreditCode>,
}

/// A customer that may be the same as the one entered.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub id: Uuid,
    pub name: String,
    pub city: Option<String>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    /// Why: `phone`, `email`, `credit_code`, `name`.
    pub reasons: Vec<&'static str>,
    /// How alike the names read (0–1).
    pub similarity: f64,
}

fn places<'a>(city: Option<&'a str>, province: Option<&'a str>) -> Vec<&'a str> {
    city.into_iter().chain(province).collect()
}

fn city_key(city: Option<&str>) -> String {
    city.map(str::trim).unwrap_or_default().to_owned()
}

/// The gram rows of a customer's name (for its city).
pub(crate) fn gram_rows(customer_id: Uuid, name: &str, city: Option<&str>, province: Option<&str>) -> Vec<grams::ActiveModel> {
    let city_key = city_key(city);
    name_grams(name, &places(city, province))
        .into_iter()
        .map(|gram| grams::ActiveModel { city: Set(city_key.clone()), gram: Set(gram), customer_id: Set(customer_id) })
        .collect()
}

/// Rewrites a customer's name grams from its stored row: none while it is in the recycle bin.
pub(crate) async fn refresh_name_grams(conn: &impl ConnectionTrait, customer_id: Uuid) -> Result<()> {
    grams::Entity::delete_many().filter(grams::Column::CustomerId.eq(customer_id)).exec(conn).await?;
    let Some(row) = customers::Entity::find_by_id(customer_id).filter(customers::Column::DeletedAt.is_null()).one(conn).await? else {
        return Ok(());
    };
    let rows = gram_rows(row.id, &row.name, row.city.as_deref(), row.province.as_deref());
    crate::platform::changes::insert_all(conn, rows).await
}

/// Gives the name grams to live customers that have none (written before the grams existed, or
/// by the bulk loader), in batches; returns how many customers it indexed. The server runs it in
/// the background at start.
pub async fn fill_missing_name_grams(db: &Db) -> Result<u64> {
    let mut after = Uuid::nil();
    let mut filled = 0;
    loop {
        let indexed = Query::select()
            .column(grams::Column::CustomerId)
            .from(grams::Entity)
            .and_where(Expr::col((grams::Entity, grams::Column::CustomerId)).equals((customers::Entity, customers::Column::Id)))
            .take();
        let batch: Vec<(Uuid, String, Option<String>, Option<String>)> = customers::Entity::find()
            .select_only()
            .columns([customers::Column::Id, customers::Column::Name, customers::Column::City, customers::Column::Province])
            .filter(customers::Column::DeletedAt.is_null())
            .filter(customers::Column::Id.gt(after))
            .filter(Expr::exists(indexed).not())
            .order_by_asc(customers::Column::Id)
            .limit(500)
            .into_tuple()
            .all(&db.conn)
            .await?;
        let Some(last) = batch.last() else { return Ok(filled) };
        after = last.0;
        filled += batch.len() as u64;
        let rows: Vec<grams::ActiveModel> =
            batch.iter().flat_map(|(id, name, city, province)| gram_rows(*id, name, city.as_deref(), province.as_deref())).collect();
        let txn = db.begin_write().await?;
        crate::platform::changes::insert_all(&txn, rows).await?;
        txn.commit().await?;
    }
}

/// The customers that share most name grams with `grams` in `city`, most first.
async fn sharing_grams(conn: &impl ConnectionTrait, city: &str, wanted: &BTreeSet<String>) -> Result<Vec<Uuid>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let shared: Vec<(Uuid, i64)> = grams::Entity::find()
        .select_only()
        .column(grams::Column::CustomerId)
        .column_as(grams::Column::Gram.count(), "shared")
        .filter(grams::Column::City.eq(city))
        .filter(grams::Column::Gram.is_in(wanted.iter().take(200).cloned()))
        .group_by(grams::Column::CustomerId)
        .order_by_desc(Expr::cust("shared"))
        .limit(50)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(shared.into_iter().map(|(id, _)| id).collect())
}

/// Customers the caller may read that may be the one `probe` describes, most likely first (at
/// most 20), leaving out `exclude` (the customer being edited).
#[tracing::instrument(skip_all)]
pub async fn candidates(db: &Db, actor: &Actor, probe: &Probe, exclude: Option<Uuid>) -> Result<Vec<Candidate>> {
    let scope = actor.require(Resource::Customers, Action::Read)?;
    let sealer = db.sealer().await?;
    let mut reasons: BTreeMap<Uuid, Vec<&'static str>> = BTreeMap::new();
    let mut add = |ids: Vec<Uuid>, reason: &'static str| {
        for id in ids {
            let found = reasons.entry(id).or_default();
            if !found.contains(&reason) {
                found.push(reason);
            }
        }
    };
    if let Some(phone) = &probe.phone {
        add(sealed_holders(&db.conn, &sealer, PHONE, phone.as_str(), None).await?, "phone");
        add(
            contact_holders(&db.conn, contacts::Column::Phone.eq(phone.as_str()).or(contacts::Column::Mobile.eq(phone.as_str()))).await?,
            "phone",
        );
    }
    if let Some(email) = &probe.email {
        add(sealed_holders(&db.conn, &sealer, EMAIL, email.as_str(), None).await?, "email");
        add(contact_holders(&db.conn, contacts::Column::Email.eq(email.as_str())).await?, "email");
    }
    if let Some(code) = &probe.credit_code
        && let Some(holder) = credit_code_holder(&db.conn, code.as_str(), Uuid::nil()).await?
    {
        add(vec![holder], "credit_code");
    }
    let probe_grams = probe.name.as_deref().map(|name| name_grams(name, &places(probe.city.as_deref(), probe.province.as_deref())));
    let named = match &probe_grams {
        Some(wanted) => sharing_grams(&db.conn, &city_key(probe.city.as_deref()), wanted).await?,
        None => Vec::new(),
    };
    let mut ids: Vec<Uuid> = reasons.keys().copied().chain(named.iter().copied()).filter(|id| Some(*id) != exclude).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = customers::Entity::find()
        .filter(customers::Column::Id.is_in(ids))
        .filter(customers::Column::DeletedAt.is_null())
        .filter(in_scope(actor, scope))
        .all(&db.conn)
        .await?;
    let owners = Names::cached(db).users(&rows.iter().map(|r| r.owner_id).collect::<Vec<_>>()).await?;
    let mut found: Vec<Candidate> = rows
        .into_iter()
        .filter_map(|row| {
            let similarity = probe_grams
                .as_ref()
                .map(|wanted| name_similarity(wanted, &name_grams(&row.name, &places(row.city.as_deref(), row.province.as_deref()))))
                .unwrap_or(0.0);
            let mut why = reasons.get(&row.id).cloned().unwrap_or_default();
            if similarity >= NAME_THRESHOLD && city_key(row.city.as_deref()) == city_key(probe.city.as_deref()) {
                why.push("name");
            }
            (!why.is_empty()).then(|| Candidate {
                id: row.id,
                owner_name: owners.get(&row.owner_id).cloned(),
                name: row.name,
                city: row.city,
                owner_id: row.owner_id,
                reasons: why,
                similarity: (similarity * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    // Exact matches first (a phone, an email, a credit code), then by how alike the names read.
    found.sort_by(|a, b| {
        let exact = |c: &Candidate| c.reasons.iter().any(|r| *r != "name");
        exact(b).cmp(&exact(a)).then(b.similarity.total_cmp(&a.similarity)).then(a.id.cmp(&b.id))
    });
    found.truncate(20);
    Ok(found)
}

/// The live customers with a live contact matching `condition`.
async fn contact_holders(conn: &impl ConnectionTrait, condition: sea_orm::sea_query::SimpleExpr) -> Result<Vec<Uuid>> {
    Ok(contacts::Entity::find()
        .select_only()
        .column(contacts::Column::CustomerId)
        .filter(contacts::Column::DeletedAt.is_null())
        .filter(condition)
        .limit(50)
        .into_tuple()
        .all(conn)
        .await?)
}

/// Duplicate candidates of a stored customer.
#[tracing::instrument(skip_all)]
pub async fn of_customer(db: &Db, actor: &Actor, id: Uuid) -> Result<Vec<Candidate>> {
    let record = super::get(db, actor, id).await?;
    let f = record.fields;
    let probe =
        Probe { name: Some(f.name), province: f.province, city: f.city, phone: f.phone, email: f.email, credit_code: f.credit_code };
    candidates(db, actor, &probe, Some(id)).await
}

/// One group of customers that are likely the same.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateGroup {
    /// 1 for a shared phone, email or credit code; otherwise how alike the names read.
    pub score: f64,
    pub reasons: Vec<&'static str>,
    pub members: Vec<Candidate>,
}

/// How many pairs of similar names a scan of the database considers.
const NAME_PAIRS_CONSIDERED: u64 = 5_000;
/// A name gram held by more customers of a city than this says nothing about which one it is.
const COMMON_GRAM: i64 = 50;

/// Groups of likely duplicates among the customers the caller may read, ranked: shared phones and
/// emails (blind indexes), then very similar names in the same city (pairs sharing rare name
/// grams). Keyset-paginated over the ranking (score, then the group's first id).
#[tracing::instrument(skip_all)]
pub async fn groups(db: &Db, actor: &Actor, page: &PageRequest) -> Result<Page<DuplicateGroup>> {
    let scope = actor.require(Resource::Customers, Action::Read)?;
    let sealer = db.sealer().await?;
    let mut edges: Vec<(Uuid, Uuid, &'static str, f64)> = Vec::new();
    for (field, index, column, reason) in [(PHONE.0, PHONE.1, PHONE.2, "phone"), (EMAIL.0, EMAIL.1, EMAIL.2, "email")] {
        let shared: Vec<String> = customers::Entity::find()
            .select_only()
            .column(index)
            .filter(customers::Column::DeletedAt.is_null())
            .filter(index.is_not_null())
            .group_by(index)
            .having(Expr::cust("COUNT(*) > 1"))
            .limit(2_000)
            .into_tuple()
            .all(&db.conn)
            .await?;
        let holders: Vec<(Uuid, Option<String>)> = in_chunks(&shared, |chunk| {
            customers::Entity::find()
                .select_only()
                .column(customers::Column::Id)
                .column(column)
                .filter(index.is_in(chunk.to_vec()))
                .filter(customers::Column::DeletedAt.is_null())
                .into_tuple()
                .all(&db.conn)
        })
        .await?;
        // The blind index is truncated on purpose: customers sharing it are grouped by the value
        // itself once opened.
        let mut by_value: HashMap<String, Vec<Uuid>> = HashMap::new();
        for (id, stored) in holders {
            if let Some(value) = sealer.open(field, id, stored.as_deref())? {
                by_value.entry(value).or_default().push(id);
            }
        }
        // Every pair is linked (a few customers share a value), so that the members the caller
        // may read stay one group when one in between is out of the caller's scope.
        for ids in by_value.into_values().filter(|ids| ids.len() > 1) {
            let ids = &ids[..ids.len().min(50)];
            for (index, first) in ids.iter().enumerate() {
                for second in &ids[index + 1..] {
                    edges.push((*first, *second, reason, 1.0));
                }
            }
        }
    }
    let backend = db.conn.get_database_backend();
    let sql = format!(
        "SELECT a.customer_id AS first, b.customer_id AS second FROM customer_name_grams a \
         JOIN customer_name_grams b ON a.city = b.city AND a.gram = b.gram AND a.customer_id < b.customer_id \
         WHERE (a.city, a.gram) IN (SELECT city, gram FROM customer_name_grams GROUP BY city, gram HAVING COUNT(*) BETWEEN 2 AND {COMMON_GRAM}) \
         GROUP BY a.customer_id, b.customer_id HAVING COUNT(*) >= 2 ORDER BY COUNT(*) DESC LIMIT {NAME_PAIRS_CONSIDERED}"
    );
    let pairs: Vec<(Uuid, Uuid)> = db
        .conn
        .query_all_raw(Statement::from_string(backend, sql))
        .await?
        .into_iter()
        .filter_map(|row| Some((row.try_get::<Uuid>("", "first").ok()?, row.try_get::<Uuid>("", "second").ok()?)))
        .collect();

    // Every customer named, if the caller may read it.
    let mut ids: Vec<Uuid> = edges.iter().flat_map(|(a, b, _, _)| [*a, *b]).chain(pairs.iter().flat_map(|(a, b)| [*a, *b])).collect();
    ids.sort();
    ids.dedup();
    let rows: HashMap<Uuid, customers::Model> = in_chunks(&ids, |chunk| {
        customers::Entity::find()
            .filter(customers::Column::Id.is_in(chunk.to_vec()))
            .filter(customers::Column::DeletedAt.is_null())
            .filter(in_scope(actor, scope))
            .all(&db.conn)
    })
    .await?
    .into_iter()
    .map(|row| (row.id, row))
    .collect();
    for (a, b) in pairs {
        let (Some(x), Some(y)) = (rows.get(&a), rows.get(&b)) else { continue };
        let similarity = name_similarity(
            &name_grams(&x.name, &places(x.city.as_deref(), x.province.as_deref())),
            &name_grams(&y.name, &places(y.city.as_deref(), y.province.as_deref())),
        );
        if similarity >= NAME_THRESHOLD {
            edges.push((a, b, "name", similarity));
        }
    }
    edges.retain(|(a, b, _, _)| rows.contains_key(a) && rows.contains_key(b));

    // Groups: the connected customers, each group scored by its strongest link.
    let mut parent: HashMap<Uuid, Uuid> = HashMap::new();
    fn root(parent: &mut HashMap<Uuid, Uuid>, id: Uuid) -> Uuid {
        let mut at = id;
        while let Some(&up) = parent.get(&at) {
            if up == at {
                break;
            }
            at = up;
        }
        parent.insert(id, at);
        at
    }
    for (a, b, _, _) in &edges {
        parent.entry(*a).or_insert(*a);
        parent.entry(*b).or_insert(*b);
        let (ra, rb) = (root(&mut parent, *a), root(&mut parent, *b));
        if ra != rb {
            parent.insert(Ord::max(ra, rb), Ord::min(ra, rb));
        }
    }
    let mut grouped: BTreeMap<Uuid, (f64, BTreeSet<&'static str>, BTreeSet<Uuid>)> = BTreeMap::new();
    for (a, b, reason, score) in &edges {
        let group = root(&mut parent, *a);
        let entry = grouped.entry(group).or_insert((0.0, BTreeSet::new(), BTreeSet::new()));
        entry.0 = entry.0.max(*score);
        entry.1.insert(reason);
        entry.2.extend([*a, *b]);
    }
    let mut ranked: Vec<(f64, Uuid, BTreeSet<&'static str>, BTreeSet<Uuid>)> = grouped
        .into_values()
        .map(|(score, reasons, members)| {
            ((score * 1000.0).round() / 1000.0, members.first().copied().unwrap_or_default(), reasons, members)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));

    // Keyset over the ranking.
    const SORT: &str = "-score";
    if let Some(text) = &page.cursor {
        let cursor = Cursor::decode(text, SORT)?;
        let score = cursor.value.as_f64().ok_or_else(crate::pagination::invalid_cursor)?;
        ranked.retain(|(s, first, _, _)| *s < score || (*s == score && *first > cursor.id));
    }
    let total = page.include_total.then_some(ranked.len() as u64);
    let limit = usize::try_from(clamp_limit(page.limit)).unwrap_or(usize::MAX);
    let next_cursor = (ranked.len() > limit).then(|| {
        let (score, first, _, _) = &ranked[limit - 1];
        Cursor { sort: SORT.to_owned(), value: json!(score), id: *first }.encode()
    });
    ranked.truncate(limit);
    let owners = Names::cached(db).users(&rows.values().map(|r| r.owner_id).collect::<Vec<_>>()).await?;
    let data = ranked
        .into_iter()
        .map(|(score, _, reasons, members)| DuplicateGroup {
            score,
            reasons: reasons.into_iter().collect(),
            members: members
                .into_iter()
                .filter_map(|id| rows.get(&id))
                .map(|row| Candidate {
                    id: row.id,
                    name: row.name.clone(),
                    city: row.city.clone(),
                    owner_id: row.owner_id,
                    owner_name: owners.get(&row.owner_id).cloned(),
                    reasons: Vec::new(),
                    similarity: score,
                })
                .collect(),
        })
        .collect();
    Ok(Page { data, next_cursor, total })
}
