//! Keyset pagination: a page is "the next `limit` rows after this (sort key, id)", so paging
//! stays fast at any depth and stable while rows are added. Cursors are opaque to clients.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crm_domain::{FieldError, ValidationErrors, text};

use crate::Error;

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;
/// Rows per page when an export walks a whole list (the API lets clients ask for at most
/// [`MAX_LIMIT`]; an export reads larger pages for fewer round trips, one page in memory at a time).
pub const EXPORT_PAGE_ROWS: u64 = 500;

/// What a list request asks for: how many rows, after which cursor, and whether to count.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: u64,
    pub cursor: Option<String>,
    pub include_total: bool,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: Option<u64>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { data: self.data.into_iter().map(f).collect(), next_cursor: self.next_cursor, total: self.total }
    }

    /// [`Page::map`] with a conversion that can fail (a stored value that does not parse).
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page { data: self.data.into_iter().map(f).collect::<Result<_, E>>()?, next_cursor: self.next_cursor, total: self.total })
    }
}

/// The position after which the next page starts: the last row's sort value and id, tagged with
/// the sort it belongs to so a cursor cannot be replayed against another order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "v")]
    pub value: Value,
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Decodes a client's cursor for the given sort; anything else is a 400-class validation error.
    pub fn decode(text: &str, sort: &str) -> Result<Self, Error> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| invalid_cursor())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid_cursor())?;
        if cursor.sort != sort { Err(invalid_cursor()) } else { Ok(cursor) }
    }

    /// The cursor's value as a time in the range clients may use: a forged cursor must not carry
    /// a time the database or chrono cannot handle.
    pub(crate) fn time(&self) -> Result<chrono::DateTime<chrono::Utc>, Error> {
        let time = serde_json::from_value::<chrono::DateTime<chrono::Utc>>(self.value.clone()).map_err(|_| invalid_cursor())?;
        crm_domain::dates::check_time(time).map_err(|_| invalid_cursor())
    }
}

/// Clamps a requested limit into 1–500 (the API validates clients' 1–200 before this; exports
/// read [`EXPORT_PAGE_ROWS`]; storage stays safe).
pub fn clamp_limit(limit: u64) -> u64 {
    if limit == 0 { DEFAULT_LIMIT } else { limit.min(EXPORT_PAGE_ROWS) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_is_bound_to_its_sort() {
        let cursor = Cursor { sort: "-created_at".into(), value: Value::String("2026-01-01T00:00:00Z".into()), id: Uuid::now_v7() };
        let text = cursor.encode();
        assert_eq!(Cursor::decode(&text, "-created_at").unwrap(), cursor);
        assert!(Cursor::decode(&text, "name").is_err());
        assert!(Cursor::decode("not-base64!", "name").is_err());
        assert!(Cursor::decode("bm90IGpzb24", "name").is_err());
    }
}

/// How a sort column's cursor value is read back.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SortValue {
    Time,
    Text,
    /// Counters (views, votes).
    Int,
}

/// One allowed sort of a list: the public key (`-created_at`), the column, and its direction.
pub(crate) struct Sort<C> {
    pub key: &'static str,
    pub column: C,
    pub descending: bool,
    pub value: SortValue,
}

/// Runs `select` as one keyset page: counts when asked, continues after the cursor, orders by
/// the sort column then id, and fetches one row more than the limit to know whether a next page
/// exists. `cursor_value` gives a row's sort value as JSON.
pub(crate) async fn fetch_page<E, C>(
    conn: &impl sea_orm::ConnectionTrait,
    select: sea_orm::Select<E>,
    sort: &Sort<E::Column>,
    id_column: E::Column,
    page: &PageRequest,
    cursor_value: impl Fn(&E::Model) -> (Value, Uuid),
) -> Result<Page<E::Model>, Error>
where
    E: sea_orm::EntityTrait<Column = C>,
    C: sea_orm::ColumnTrait,
    E::Model: Send + Sync,
{
    use sea_orm::sea_query::Condition;
    use sea_orm::{PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

    let total = if page.include_total { Some(select.clone().count(conn).await?) } else { None };
    let mut select = select;
    if let Some(text) = &page.cursor {
        let cursor = Cursor::decode(text, sort.key)?;
        let value: sea_orm::Value = match sort.value {
            SortValue::Time => cursor.time()?.into(),
            SortValue::Text => cursor.value.as_str().ok_or_else(invalid_cursor)?.to_owned().into(),
            SortValue::Int => cursor.value.as_i64().ok_or_else(invalid_cursor)?.into(),
        };
        // `bound` repeats what the OR implies so that an index on (…, sort column, id) can start
        // at the cursor instead of filtering every row before it: deep pages stay as fast as
        // the first.
        let (bound, beyond, id_beyond) = if sort.descending {
            (sort.column.lte(value.clone()), sort.column.lt(value.clone()), id_column.lt(cursor.id))
        } else {
            (sort.column.gte(value.clone()), sort.column.gt(value.clone()), id_column.gt(cursor.id))
        };
        select = select.filter(bound).filter(Condition::any().add(beyond).add(Condition::all().add(sort.column.eq(value)).add(id_beyond)));
    }
    let order = if sort.descending { sea_orm::Order::Desc } else { sea_orm::Order::Asc };
    let limit = clamp_limit(page.limit);
    let mut rows = select.order_by(sort.column, order.clone()).order_by(id_column, order).limit(limit + 1).all(conn).await?;
    let next_cursor = end_page(&mut rows, limit, sort.key, &cursor_value);
    Ok(Page { data: rows, next_cursor, total })
}

/// Cuts the one row fetched beyond `limit` off a page and gives the cursor after the page's last
/// row, or `None` when nothing follows.
fn end_page<M>(rows: &mut Vec<M>, limit: u64, sort_key: &str, cursor_value: impl Fn(&M) -> (Value, Uuid)) -> Option<String> {
    if rows.len() as u64 <= limit {
        return None;
    }
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    rows.last().map(|last| {
        let (value, id) = cursor_value(last);
        Cursor { sort: sort_key.to_owned(), value, id }.encode()
    })
}

/// How many lists [`fetch_first_pages`] reads with one statement.
const LISTS_PER_STATEMENT: usize = 100;

/// The first keyset page of each of several lists at once (the columns of a board), as
/// [`fetch_page`] would give each: one `UNION ALL` of every list's first `limit + 1` rows in sort
/// order, so a board of six columns costs one statement instead of six. `list_of` tells which
/// list a row belongs to; the lists must not overlap. Pages come back in the order of `lists`.
pub(crate) async fn fetch_first_pages<E, C, K>(
    conn: &impl sea_orm::ConnectionTrait,
    lists: Vec<(K, sea_orm::Select<E>)>,
    sort: &Sort<E::Column>,
    id_column: E::Column,
    limit: u64,
    list_of: impl Fn(&E::Model) -> K,
    cursor_value: impl Fn(&E::Model) -> (Value, Uuid),
) -> Result<Vec<(K, Page<E::Model>)>, Error>
where
    K: PartialEq,
    E: sea_orm::EntityTrait<Column = C>,
    C: sea_orm::ColumnTrait,
    E::Model: Send + Sync,
{
    use sea_orm::sea_query::{Alias, Asterisk, Query, SelectStatement, UnionType};
    use sea_orm::{FromQueryResult, QueryOrder, QuerySelect, QueryTrait};

    let order = if sort.descending { sea_orm::Order::Desc } else { sea_orm::Order::Asc };
    let limit = clamp_limit(limit);
    let mut rows = Vec::new();
    // SQLite takes at most 500 members in one compound SELECT; a pipeline may have more stages.
    for (chunk_number, chunk) in lists.chunks(LISTS_PER_STATEMENT).enumerate() {
        let mut union: Option<SelectStatement> = None;
        for (position, (_, select)) in chunk.iter().enumerate() {
            let first_page =
                select.clone().order_by(sort.column, order.clone()).order_by(id_column, order.clone()).limit(limit + 1).into_query();
            // Each page is wrapped as a subquery: SQLite allows ORDER BY and LIMIT only on a
            // whole compound SELECT, not on its members.
            let alias = Alias::new(format!("list{}", chunk_number * LISTS_PER_STATEMENT + position));
            let member = Query::select().column(Asterisk).from_subquery(first_page, alias).take();
            union = Some(match union {
                None => member,
                Some(mut union) => {
                    union.union(UnionType::All, member);
                    union
                }
            });
        }
        let Some(mut statement) = union else { continue };
        // A union's rows come in no promised order; ordered as a whole, each list's rows keep theirs.
        statement.order_by(sort.column, order.clone()).order_by(id_column, order.clone());
        for row in conn.query_all(&statement).await? {
            rows.push(E::Model::from_query_result(&row, "")?);
        }
    }
    let mut pages = Vec::with_capacity(lists.len());
    for (key, _) in lists {
        let (mut data, rest): (Vec<_>, Vec<_>) = rows.into_iter().partition(|row| list_of(row) == key);
        rows = rest;
        let next_cursor = end_page(&mut data, limit, sort.key, &cursor_value);
        pages.push((key, Page { data, next_cursor, total: None }));
    }
    Ok(pages)
}

/// A cursor that was not issued for this list and sort (or not by us at all).
pub(crate) fn invalid_cursor() -> Error {
    Error::validation("cursor", "invalid", text!("the cursor is not valid for this list and sort", "分页游标对此列表或排序方式无效"))
}

/// Picks the sort named by a client from an allow-list; an unknown key is a validation error.
pub(crate) fn pick_sort<'a, C>(sorts: &'a [Sort<C>], requested: Option<&str>) -> Result<&'a Sort<C>, Error> {
    let wanted = requested.map(str::trim).filter(|s| !s.is_empty());
    match wanted {
        None => sorts.first().ok_or_else(|| Error::validation("sort", "invalid", text!("no sort", "此列表没有可用的排序方式"))),
        Some(key) => sorts.iter().find(|s| s.key == key).ok_or_else(|| {
            let allowed: Vec<&str> = sorts.iter().map(|s| s.key).collect();
            let allowed_list = allowed.join(", ");
            Error::Validation(ValidationErrors(vec![
                FieldError::new("sort", "choice", text!("sort must be one of: {allowed_list}", "排序方式只能是以下之一：{allowed_list}"))
                    .with_param("allowed", allowed),
            ]))
        }),
    }
}
