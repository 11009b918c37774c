//! The knowledge base (知识库): categories, Markdown articles with a revision kept for every edit,
//! reader votes, view counts, search (Chinese included, by substring), and links to the tickets
//! an article helped solve. Staff with service access read every article; writing follows the
//! `service` scope over the article's author and team. The portal reads public, published ones.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crm_domain::identity::{Action, Resource, Scope};
use crm_domain::ids::{ArticleId, PortalAccountId, TicketId};
use crm_domain::service::knowledge::{
    ArticleFields, ArticlePatch, ArticleStatus, ArticleVisibility, CategoryFields, CategoryPatch, article_search_text,
};
use crm_domain::{Text, text};

use crate::entities::{kb_article_revisions, kb_article_tags, kb_article_tickets, kb_article_votes, kb_articles, kb_categories, tickets};
use crate::pagination::{Sort, SortValue, fetch_page, pick_sort};
use crate::platform::audit;
use crate::platform::changes::{self, Change, insert_first_version, move_to_bin, save_next_version, save_next_version_at};
use crate::query::contains_every_word;
use crate::{Actor, Db, Error, Page, PageRequest, Result, check_version, now, stored, stored_json};

const ARTICLE: &str = "kb_article";
const CATEGORY: &str = "kb_category";

// ---------------------------------------------------------------- categories

#[derive(Debug, Clone, Serialize)]
pub struct CategoryRecord {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    pub position: i32,
    /// Articles in the category that the reader can see.
    pub article_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Knowledge-base curators change every service record: they keep the category tree and decide
/// what customers read (publishing a public article).
fn require_curator(actor: &Actor) -> Result<()> {
    match actor.require(Resource::Service, Action::Update)? {
        Scope::All => Ok(()),
        _ => Err(Error::Forbidden(text!(
            "this needs knowledge-base curator rights (service update over all records)",
            "此操作需要知识库管理权限（可修改全部服务记录）"
        ))),
    }
}

/// Whether customers read the article in the portal (published and public): writing such an
/// article, or making one so, is for curators only.
fn customers_read(status: ArticleStatus, visibility: ArticleVisibility) -> bool {
    status == ArticleStatus::Published && visibility == ArticleVisibility::Public
}

/// Categories are two levels deep (category → section): a parent must exist and be top-level,
/// and a category with children cannot move under another.
async fn check_parent(conn: &impl ConnectionTrait, id: Option<Uuid>, parent_id: Option<Uuid>) -> Result<()> {
    let Some(parent_id) = parent_id else { return Ok(()) };
    if Some(parent_id) == id {
        return Err(Error::validation("parent_id", "invalid", text!("a category cannot be its own parent", "分类不能作为自己的上级")));
    }
    let parent = kb_categories::Entity::find_by_id(parent_id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::validation("parent_id", "not_found", no_category()))?;
    if parent.parent_id.is_some() {
        return Err(Error::validation(
            "parent_id",
            "too_deep",
            text!("categories are two levels deep: the parent must be a top-level category", "分类最多两级：上级须为一级分类"),
        ));
    }
    if let Some(id) = id
        && kb_categories::Entity::find().filter(kb_categories::Column::ParentId.eq(id)).count(conn).await? > 0
    {
        return Err(Error::validation(
            "parent_id",
            "too_deep",
            text!("a category with sub-categories stays at the top level", "含有子分类的分类只能是一级分类"),
        ));
    }
    Ok(())
}

async fn category_records(conn: &impl ConnectionTrait, rows: Vec<kb_categories::Model>, portal: bool) -> Result<Vec<CategoryRecord>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut count =
            kb_articles::Entity::find().filter(kb_articles::Column::CategoryId.eq(row.id)).filter(kb_articles::Column::DeletedAt.is_null());
        if portal {
            count = count.filter(portal_visible());
        }
        out.push(CategoryRecord {
            article_count: count.count(conn).await?,
            id: row.id,
            parent_id: row.parent_id,
            name: row.name,
            description: row.description,
            position: row.position,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        });
    }
    Ok(out)
}

/// Every category in display order (a knowledge base has tens, not thousands; one page).
#[tracing::instrument(skip_all)]
pub async fn categories(db: &Db, actor: &Actor) -> Result<Vec<CategoryRecord>> {
    actor.require(Resource::Service, Action::Read)?;
    all_categories(db, false).await
}

async fn all_categories(db: &Db, portal: bool) -> Result<Vec<CategoryRecord>> {
    let rows = kb_categories::Entity::find()
        .order_by_asc(kb_categories::Column::Position)
        .order_by_asc(kb_categories::Column::Id)
        .all(&db.conn)
        .await?;
    category_records(&db.conn, rows, portal).await
}

/// The categories the portal shows: those holding public, published articles (and their parents).
#[tracing::instrument(skip_all)]
pub async fn portal_categories(db: &Db) -> Result<Vec<CategoryRecord>> {
    let all = all_categories(db, true).await?;
    let used_parents: Vec<Uuid> = all.iter().filter(|c| c.article_count > 0).filter_map(|c| c.parent_id).collect();
    Ok(all.into_iter().filter(|c| c.article_count > 0 || used_parents.contains(&c.id)).collect())
}

#[tracing::instrument(skip_all)]
pub async fn create_category(db: &Db, actor: &Actor, fields: CategoryFields) -> Result<CategoryRecord> {
    require_curator(actor)?;
    let txn = db.begin_write().await?;
    check_parent(&txn, None, fields.parent_id).await?;
    refuse_taken_name(&txn, fields.parent_id, &fields.name, None).await?;
    let at = now();
    let row = insert_first_version(
        &txn,
        kb_categories::ActiveModel {
            id: Set(Uuid::now_v7()),
            parent_id: Set(fields.parent_id),
            name: Set(fields.name),
            description: Set(fields.description),
            position: Set(fields.position),
            ..Default::default()
        },
        at,
    )
    .await?;
    let record = category_records(&txn, vec![row], false).await?.remove(0);
    changes::record(&txn, actor, Change::created(CATEGORY, record.id, &record)).await?;
    txn.commit().await?;
    Ok(record)
}

fn no_category() -> Text {
    text!("no category with this id", "没有此 id 的分类")
}

/// Refuses a name another category under the same parent (or at the top level) holds, naming
/// that category, so two entries never look alike in the tree.
async fn refuse_taken_name(conn: &impl ConnectionTrait, parent_id: Option<Uuid>, name: &str, except: Option<Uuid>) -> Result<()> {
    let mut holder = kb_categories::Entity::find().filter(kb_categories::Column::Name.eq(name));
    holder = match parent_id {
        Some(parent) => holder.filter(kb_categories::Column::ParentId.eq(parent)),
        None => holder.filter(kb_categories::Column::ParentId.is_null()),
    };
    if let Some(id) = except {
        holder = holder.filter(kb_categories::Column::Id.ne(id));
    }
    match holder.one(conn).await? {
        Some(existing) => Err(Error::Taken {
            code: "kb_category.name_taken",
            message: text!("a category with this name already exists at this level", "同一级下已有同名分类"),
            existing_id: existing.id,
        }),
        None => Ok(()),
    }
}

#[tracing::instrument(skip_all)]
pub async fn update_category(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: CategoryPatch,
) -> Result<CategoryRecord> {
    require_curator(actor)?;
    let txn = db.begin_write().await?;
    let row = kb_categories::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    if let Some(parent) = patch.parent_id {
        check_parent(&txn, Some(id), parent).await?;
    }
    let (parent_id, name) = (patch.parent_id.unwrap_or(row.parent_id), patch.name.as_deref().unwrap_or(&row.name));
    if (parent_id, name) != (row.parent_id, row.name.as_str()) {
        refuse_taken_name(&txn, parent_id, name, Some(id)).await?;
    }
    let before = category_records(&txn, vec![row.clone()], false).await?.remove(0);
    let current =
        CategoryFields { parent_id: row.parent_id, name: row.name.clone(), description: row.description.clone(), position: row.position };
    let next = patch.apply(&current);
    let mut model: kb_categories::ActiveModel = row.clone().into();
    model.parent_id = Set(next.parent_id);
    model.name = Set(next.name);
    model.description = Set(next.description);
    model.position = Set(next.position);
    let updated = save_next_version(&txn, model).await?;
    let record = category_records(&txn, vec![updated], false).await?.remove(0);
    changes::record(&txn, actor, Change::updated(CATEGORY, id, &before, &record)).await?;
    txn.commit().await?;
    Ok(record)
}

/// Deletes an empty category: one that holds no article (archived ones included) and no sub-category.
#[tracing::instrument(skip_all)]
pub async fn delete_category(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    require_curator(actor)?;
    let txn = db.begin_write().await?;
    let row = kb_categories::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    check_version(expected_version, row.version)?;
    let articles = kb_articles::Entity::find().filter(kb_articles::Column::CategoryId.eq(id)).count(&txn).await?;
    let children = kb_categories::Entity::find().filter(kb_categories::Column::ParentId.eq(id)).count(&txn).await?;
    if articles + children > 0 {
        return Err(Error::conflict(
            "kb_category.not_empty",
            text!(
                "the category still holds {articles} article(s) and {children} sub-categor(ies); move them first",
                "该分类下还有 {articles} 篇文章和 {children} 个子分类，请先移走"
            ),
        ));
    }
    let before = category_records(&txn, vec![row], false).await?.remove(0);
    kb_categories::Entity::delete_by_id(id).exec(&txn).await?;
    changes::record(&txn, actor, Change::removed(CATEGORY, id, &before)).await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- articles

#[derive(Debug, Clone, Serialize)]
pub struct ArticleRecord {
    pub id: Uuid,
    pub category_id: Option<Uuid>,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub visibility: ArticleVisibility,
    pub status: ArticleStatus,
    pub tags: Vec<String>,
    pub owner_id: Uuid,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    /// The number of the current revision (1 when created).
    pub revision: i32,
    pub view_count: i64,
    pub helpful_count: i64,
    pub not_helpful_count: i64,
    /// Tickets this article was used to solve.
    pub ticket_count: i64,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub q: Option<String>,
    pub category_id: Option<Uuid>,
    pub statuses: Vec<ArticleStatus>,
    pub visibility: Option<ArticleVisibility>,
    pub tag: Option<String>,
    pub owner_id: Option<Uuid>,
    pub updated: crate::query::UpdatedWindow,
    pub sort: Option<String>,
}

async fn article_records(conn: &impl ConnectionTrait, rows: Vec<kb_articles::Model>) -> Result<Vec<ArticleRecord>> {
    let owners: Vec<Uuid> = rows.iter().map(|r| r.owner_id).collect();
    let names = audit::user_names(conn, &owners).await?;
    rows.into_iter()
        .map(|a| {
            Ok(ArticleRecord {
                id: a.id,
                category_id: a.category_id,
                tags: stored_json("kb_articles.tags", a.id, &a.tags)?,
                visibility: stored("kb_articles.visibility", a.id, &a.visibility, ArticleVisibility::parse)?,
                status: stored("kb_articles.status", a.id, &a.status, ArticleStatus::parse)?,
                owner_name: names.get(&a.owner_id).cloned(),
                owner_id: a.owner_id,
                team_id: a.team_id,
                title: a.title,
                body: a.body,
                revision: a.revision,
                view_count: a.view_count,
                helpful_count: a.helpful_count,
                not_helpful_count: a.not_helpful_count,
                ticket_count: a.ticket_count,
                published_at: a.published_at,
                created_at: a.created_at,
                updated_at: a.updated_at,
                version: a.version,
            })
        })
        .collect()
}

async fn article_record(conn: &impl ConnectionTrait, row: kb_articles::Model) -> Result<ArticleRecord> {
    article_records(conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

async fn check_category(conn: &impl ConnectionTrait, category_id: Option<Uuid>) -> Result<()> {
    if let Some(id) = category_id
        && kb_categories::Entity::find_by_id(id).one(conn).await?.is_none()
    {
        return Err(Error::validation("category_id", "not_found", no_category()));
    }
    Ok(())
}

async fn replace_tags(conn: &impl ConnectionTrait, article_id: Uuid, tags: &[String]) -> Result<()> {
    kb_article_tags::Entity::delete_many().filter(kb_article_tags::Column::ArticleId.eq(article_id)).exec(conn).await?;
    if !tags.is_empty() {
        kb_article_tags::Entity::insert_many(
            tags.iter().map(|t| kb_article_tags::ActiveModel { article_id: Set(article_id), tag: Set(t.to_lowercase()) }),
        )
        .on_conflict(OnConflict::columns([kb_article_tags::Column::Tag, kb_article_tags::Column::ArticleId]).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

async fn keep_revision(conn: &impl ConnectionTrait, actor: &Actor, row: &kb_articles::Model, note: Option<String>) -> Result<()> {
    kb_article_revisions::ActiveModel {
        id: Set(Uuid::now_v7()),
        article_id: Set(row.id),
        revision: Set(row.revision),
        title: Set(row.title.clone()),
        body: Set(row.body.clone()),
        category_id: Set(row.category_id),
        visibility: Set(row.visibility.clone()),
        status: Set(row.status.clone()),
        tags: Set(row.tags.clone()),
        note: Set(note),
        author_id: Set(actor.audit_id()),
        created_at: Set(row.updated_at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn create_article(db: &Db, actor: &Actor, fields: ArticleFields) -> Result<ArticleRecord> {
    actor.require(Resource::Service, Action::Create)?;
    if customers_read(fields.status, fields.visibility) {
        require_curator(actor)?;
    }
    let txn = db.begin_write().await?;
    check_category(&txn, fields.category_id).await?;
    let at = now();
    let id = Uuid::now_v7();
    let team_id = crate::identity::teams::primary_team(&txn, actor.user_id).await?;
    let row = insert_first_version(
        &txn,
        kb_articles::ActiveModel {
            id: Set(id),
            category_id: Set(fields.category_id),
            search_text: Set(article_search_text(&fields.title, &fields.tags, &fields.body)),
            title: Set(fields.title),
            body: Set(fields.body),
            visibility: Set(fields.visibility.as_str().to_owned()),
            status: Set(fields.status.as_str().to_owned()),
            tags: Set(serde_json::to_string(&fields.tags).unwrap_or_else(|_| "[]".into())),
            owner_id: Set(actor.user_id),
            team_id: Set(team_id),
            revision: Set(1),
            view_count: Set(0),
            helpful_count: Set(0),
            not_helpful_count: Set(0),
            ticket_count: Set(0),
            published_at: Set((fields.status == ArticleStatus::Published).then_some(at)),
            ..Default::default()
        },
        at,
    )
    .await?;
    replace_tags(&txn, id, &fields.tags).await?;
    keep_revision(&txn, actor, &row, None).await?;
    let record = article_record(&txn, row).await?;
    changes::record(&txn, actor, Change::created(ARTICLE, id, &record)).await?;
    txn.commit().await?;
    Ok(record)
}

/// Audit entries and events carry an article's fields but not its body, which the revision keeps.
fn without_body(record: &ArticleRecord) -> serde_json::Value {
    let mut value = serde_json::to_value(record).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.remove("body");
    }
    value
}

async fn load_article(conn: &impl ConnectionTrait, actor: &Actor, action: Action, id: Uuid) -> Result<kb_articles::Model> {
    actor.require(Resource::Service, Action::Read)?;
    let row =
        kb_articles::Entity::find_by_id(id).filter(kb_articles::Column::DeletedAt.is_null()).one(conn).await?.ok_or(Error::NotFound)?;
    actor.require_reach_to_change(Resource::Service, action, row.owner_id, row.team_id, || {
        text!("your role may not change this article", "您的角色无权修改此文章")
    })?;
    Ok(row)
}

/// Counts a view without touching the article's version or `updated_at` (reading is not an edit).
async fn count_view(conn: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    kb_articles::Entity::update_many()
        .col_expr(kb_articles::Column::ViewCount, Expr::col(kb_articles::Column::ViewCount).add(1))
        .filter(kb_articles::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Reads an article; `count_view` adds one to its view count (the web app does so when a person
/// opens it, not when it refetches).
#[tracing::instrument(skip_all)]
pub async fn get_article(db: &Db, actor: &Actor, id: Uuid, view: bool) -> Result<ArticleRecord> {
    let mut row = load_article(&db.conn, actor, Action::Read, id).await?;
    if view {
        count_view(&db.conn, id).await?;
        row.view_count += 1;
    }
    article_record(&db.conn, row).await
}

/// Changes an article and keeps the new state as its next revision. A change that changes
/// nothing keeps the version and adds no revision.
#[tracing::instrument(skip_all)]
pub async fn update_article(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut patch: ArticlePatch,
) -> Result<ArticleRecord> {
    let txn = db.begin_write().await?;
    let row = load_article(&txn, actor, Action::Update, id).await?;
    check_version(expected_version, row.version)?;
    if let Some(category) = patch.category_id {
        check_category(&txn, category).await?;
    }
    let before = article_record(&txn, row.clone()).await?;
    // The note is not a field: it is kept with the revision this change makes.
    let note = patch.note.take();
    let current = ArticleFields {
        category_id: row.category_id,
        title: row.title.clone(),
        body: row.body.clone(),
        visibility: before.visibility,
        status: before.status,
        tags: before.tags.clone(),
    };
    let next = patch.apply(&current);
    if next == current {
        txn.commit().await?;
        return Ok(before);
    }
    let ArticleFields { category_id, title, body, visibility, status, tags } = next;
    if customers_read(status, visibility) {
        require_curator(actor)?;
    }
    let at = now();
    let mut model: kb_articles::ActiveModel = row.clone().into();
    model.search_text = Set(article_search_text(&title, &tags, &body));
    model.title = Set(title);
    model.body = Set(body);
    model.tags = Set(serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into()));
    model.status = Set(status.as_str().to_owned());
    model.visibility = Set(visibility.as_str().to_owned());
    model.category_id = Set(category_id);
    if status == ArticleStatus::Published && row.published_at.is_none() {
        model.published_at = Set(Some(at));
    }
    model.revision = Set(row.revision + 1);
    let updated = save_next_version_at(&txn, model, at).await?;
    replace_tags(&txn, id, &tags).await?;
    keep_revision(&txn, actor, &updated, note).await?;
    let record = article_record(&txn, updated).await?;
    let mut changes = serde_json::Map::new();
    let (old, new) = (without_body(&before), without_body(&record));
    for key in ["title", "category_id", "visibility", "status", "tags"] {
        if old.get(key) != new.get(key) {
            changes.insert(key.into(), json!({ "old": old.get(key), "new": new.get(key) }));
        }
    }
    if before.body != record.body {
        changes.insert("body".into(), json!({ "revision": record.revision }));
    }
    let event = if status != before.status && status == ArticleStatus::Published { "kb_article.published" } else { "kb_article.updated" };
    let change = Change::told(ARTICLE, id, "update", event, serde_json::Value::Object(changes), Some(&before), &record);
    changes::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(record)
}

/// Moves an article to the recycle bin; links and revisions stay for a restore.
#[tracing::instrument(skip_all)]
pub async fn delete_article(db: &Db, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let txn = db.begin_write().await?;
    let row = load_article(&txn, actor, Action::Delete, id).await?;
    check_version(expected_version, row.version)?;
    let before = article_record(&txn, row.clone()).await?;
    move_to_bin(&txn, actor, ARTICLE, id, kb_articles::ActiveModel::from(row), &before).await?;
    txn.commit().await?;
    Ok(())
}

const ARTICLE_SORTS: [Sort<kb_articles::Column>; 4] = [
    Sort { key: "-updated_at", column: kb_articles::Column::UpdatedAt, descending: true, value: SortValue::Time },
    Sort { key: "-view_count", column: kb_articles::Column::ViewCount, descending: true, value: SortValue::Int },
    Sort { key: "-helpful_count", column: kb_articles::Column::HelpfulCount, descending: true, value: SortValue::Int },
    Sort { key: "updated_at", column: kb_articles::Column::UpdatedAt, descending: false, value: SortValue::Time },
];

fn cursor_of(sort: &Sort<kb_articles::Column>, a: &kb_articles::Model) -> (serde_json::Value, Uuid) {
    let value = match sort.value {
        SortValue::Int if sort.key == "-view_count" => json!(a.view_count),
        SortValue::Int => json!(a.helpful_count),
        _ => json!(a.updated_at),
    };
    (value, a.id)
}

fn portal_visible() -> Condition {
    Condition::all()
        .add(kb_articles::Column::Visibility.eq(ArticleVisibility::Public.as_str()))
        .add(kb_articles::Column::Status.eq(ArticleStatus::Published.as_str()))
}

async fn search(db: &Db, base: Condition, filter: &ArticleFilter, page: &PageRequest) -> Result<Page<ArticleRecord>> {
    use kb_articles::Column as C;
    let sort = pick_sort(&ARTICLE_SORTS, filter.sort.as_deref())?;
    let mut select = kb_articles::Entity::find().filter(C::DeletedAt.is_null()).filter(base).filter(filter.updated.on(C::UpdatedAt));
    select = select.filter(contains_every_word(C::SearchText, filter.q.as_deref()));
    if let Some(category) = filter.category_id {
        // A top-level category also lists its sections' articles.
        let sections = Query::select()
            .column(kb_categories::Column::Id)
            .from(kb_categories::Entity)
            .and_where(kb_categories::Column::ParentId.eq(category))
            .take();
        select = select.filter(Condition::any().add(C::CategoryId.eq(category)).add(C::CategoryId.in_subquery(sections)));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(v) = filter.visibility {
        select = select.filter(C::Visibility.eq(v.as_str()));
    }
    if let Some(owner) = filter.owner_id {
        select = select.filter(C::OwnerId.eq(owner));
    }
    if let Some(tag) = filter.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let tagged = Query::select()
            .column(kb_article_tags::Column::ArticleId)
            .from(kb_article_tags::Entity)
            .and_where(kb_article_tags::Column::Tag.eq(tag.to_lowercase()))
            .take();
        select = select.filter(C::Id.in_subquery(tagged));
    }
    let page = fetch_page(&db.conn, select, sort, C::Id, page, |a| cursor_of(sort, a)).await?;
    Ok(Page { data: article_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

/// Staff search over every article.
#[tracing::instrument(skip_all)]
pub async fn list_articles(db: &Db, actor: &Actor, filter: &ArticleFilter, page: &PageRequest) -> Result<Page<ArticleRecord>> {
    actor.require(Resource::Service, Action::Read)?;
    search(db, Condition::all(), filter, page).await
}

/// The portal's search: public, published articles only, whatever the filter asks.
#[tracing::instrument(skip_all)]
pub async fn list_portal_articles(db: &Db, filter: &ArticleFilter, page: &PageRequest) -> Result<Page<ArticleRecord>> {
    let filter = ArticleFilter { statuses: vec![], visibility: None, owner_id: None, ..filter.clone() };
    search(db, portal_visible(), &filter, page).await
}

/// One public, published article for the portal; `count_view` adds one to its view count (the
/// portal asks for it when a person opens the article, not on every read).
#[tracing::instrument(skip_all)]
pub async fn get_portal_article(db: &Db, id: Uuid, view: bool) -> Result<ArticleRecord> {
    let mut row = kb_articles::Entity::find_by_id(id)
        .filter(kb_articles::Column::DeletedAt.is_null())
        .filter(portal_visible())
        .one(&db.conn)
        .await?
        .ok_or(Error::NotFound)?;
    if view {
        count_view(&db.conn, id).await?;
        row.view_count += 1;
    }
    article_record(&db.conn, row).await
}

/// Records whether an article helped its reader: one vote per reader (`user:…` or `portal:…`),
/// which they may change; the counts are recounted from the votes, so they stay exact.
async fn vote(txn: &impl ConnectionTrait, id: Uuid, voter: String, helpful: bool) -> Result<()> {
    kb_article_votes::Entity::insert(kb_article_votes::ActiveModel {
        article_id: Set(id),
        voter: Set(voter),
        helpful: Set(helpful),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([kb_article_votes::Column::ArticleId, kb_article_votes::Column::Voter])
            .update_columns([kb_article_votes::Column::Helpful, kb_article_votes::Column::CreatedAt])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    let count = |helpful: bool| {
        kb_article_votes::Entity::find()
            .filter(kb_article_votes::Column::ArticleId.eq(id))
            .filter(kb_article_votes::Column::Helpful.eq(helpful))
    };
    let (yes, no) = (count(true).count(txn).await?, count(false).count(txn).await?);
    kb_articles::Entity::update_many()
        .col_expr(kb_articles::Column::HelpfulCount, Expr::value(i64::try_from(yes).unwrap_or(i64::MAX)))
        .col_expr(kb_articles::Column::NotHelpfulCount, Expr::value(i64::try_from(no).unwrap_or(i64::MAX)))
        .filter(kb_articles::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn vote_as_staff(db: &Db, actor: &Actor, id: Uuid, helpful: bool) -> Result<ArticleRecord> {
    // A vote changes the article's counts: read-only roles read, they do not vote.
    actor.require(Resource::Service, Action::Create)?;
    load_article(&db.conn, actor, Action::Read, id).await?;
    let txn = db.begin_write().await?;
    vote(&txn, id, format!("user:{}", actor.user_id), helpful).await?;
    // Read in the transaction: a request with an Idempotency-Key holds its commit until the
    // response is stored, so another connection would not see the vote yet.
    let record = article_record(&txn, load_article(&txn, actor, Action::Read, id).await?).await?;
    txn.commit().await?;
    Ok(record)
}

#[tracing::instrument(skip_all)]
pub async fn vote_from_portal(db: &Db, account_id: PortalAccountId, id: ArticleId, helpful: bool) -> Result<ArticleRecord> {
    let (account_id, id) = (account_id.0, id.0);
    kb_articles::Entity::find_by_id(id)
        .filter(kb_articles::Column::DeletedAt.is_null())
        .filter(portal_visible())
        .one(&db.conn)
        .await?
        .ok_or(Error::NotFound)?;
    let txn = db.begin_write().await?;
    vote(&txn, id, format!("portal:{account_id}"), helpful).await?;
    // Read in the transaction (see `vote_as_staff`).
    let row = kb_articles::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    let record = article_record(&txn, row).await?;
    txn.commit().await?;
    Ok(record)
}

// ---------------------------------------------------------------- revisions

#[derive(Debug, Clone, Serialize)]
pub struct RevisionRecord {
    pub revision: i32,
    pub title: String,
    pub body: String,
    pub category_id: Option<Uuid>,
    pub visibility: ArticleVisibility,
    pub status: ArticleStatus,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

async fn revision_records(conn: &impl ConnectionTrait, rows: Vec<kb_article_revisions::Model>) -> Result<Vec<RevisionRecord>> {
    let authors: Vec<Uuid> = rows.iter().filter_map(|r| r.author_id).collect();
    let names = audit::user_names(conn, &authors).await?;
    rows.into_iter()
        .map(|r| {
            Ok(RevisionRecord {
                revision: r.revision,
                visibility: stored("kb_article_revisions.visibility", r.id, &r.visibility, ArticleVisibility::parse)?,
                status: stored("kb_article_revisions.status", r.id, &r.status, ArticleStatus::parse)?,
                tags: stored_json("kb_article_revisions.tags", r.id, &r.tags)?,
                author_name: r.author_id.and_then(|a| names.get(&a).cloned()),
                author_id: r.author_id,
                title: r.title,
                body: r.body,
                category_id: r.category_id,
                note: r.note,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// An article's revisions, newest first.
#[tracing::instrument(skip_all)]
pub async fn revisions(db: &Db, actor: &Actor, id: Uuid, page: &PageRequest) -> Result<Page<RevisionRecord>> {
    load_article(&db.conn, actor, Action::Read, id).await?;
    let sort = Sort { key: "-created_at", column: kb_article_revisions::Column::CreatedAt, descending: true, value: SortValue::Time };
    let page = fetch_page(
        &db.conn,
        kb_article_revisions::Entity::find().filter(kb_article_revisions::Column::ArticleId.eq(id)),
        &sort,
        kb_article_revisions::Column::Id,
        page,
        |r| (json!(r.created_at), r.id),
    )
    .await?;
    Ok(Page { data: revision_records(&db.conn, page.data).await?, next_cursor: page.next_cursor, total: page.total })
}

#[tracing::instrument(skip_all)]
pub async fn revision(db: &Db, actor: &Actor, id: Uuid, number: i32) -> Result<RevisionRecord> {
    load_article(&db.conn, actor, Action::Read, id).await?;
    let row = kb_article_revisions::Entity::find()
        .filter(kb_article_revisions::Column::ArticleId.eq(id))
        .filter(kb_article_revisions::Column::Revision.eq(number))
        .one(&db.conn)
        .await?
        .ok_or(Error::NotFound)?;
    revision_records(&db.conn, vec![row]).await?.pop().ok_or(Error::NotFound)
}

// ---------------------------------------------------------------- articles used on tickets

async fn recount_tickets(conn: &impl ConnectionTrait, article_id: Uuid) -> Result<()> {
    let count = kb_article_tickets::Entity::find().filter(kb_article_tickets::Column::ArticleId.eq(article_id)).count(conn).await?;
    kb_articles::Entity::update_many()
        .col_expr(kb_articles::Column::TicketCount, Expr::value(i64::try_from(count).unwrap_or(i64::MAX)))
        .filter(kb_articles::Column::Id.eq(article_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records that an article was used to solve a ticket (linking twice is harmless).
#[tracing::instrument(skip_all)]
pub async fn link_ticket(db: &Db, actor: &Actor, ticket_id: TicketId, article_id: ArticleId) -> Result<ArticleRecord> {
    let (ticket_id, article_id) = (ticket_id.0, article_id.0);
    let txn = db.begin_write().await?;
    super::tickets::load_for_update(&txn, actor, ticket_id).await?;
    let article = load_article(&txn, actor, Action::Read, article_id).await.map_err(|e| {
        if matches!(e, Error::NotFound) {
            Error::validation("article_id", "not_found", text!("no article with this id", "没有此 id 的文章"))
        } else {
            e
        }
    })?;
    let inserted = kb_article_tickets::Entity::insert(kb_article_tickets::ActiveModel {
        article_id: Set(article_id),
        ticket_id: Set(ticket_id),
        linked_by: Set(actor.audit_id()),
        created_at: Set(now()),
    })
    .on_conflict(OnConflict::columns([kb_article_tickets::Column::TicketId, kb_article_tickets::Column::ArticleId]).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    if inserted > 0 {
        recount_tickets(&txn, article_id).await?;
        let audit = json!({ "article_id": article_id, "title": article.title });
        // The ticket itself does not change; what it gained is the event's detail.
        let ticket = super::tickets::get_in(&txn, actor, ticket_id).await?;
        let change = Change::told("ticket", ticket_id, "link_article", "ticket.article_linked", audit.clone(), Some(&ticket), &ticket);
        changes::record(&txn, actor, change.detailing(audit)).await?;
    }
    let row = kb_articles::Entity::find_by_id(article_id).one(&txn).await?.ok_or(Error::NotFound)?;
    let record = article_record(&txn, row).await?;
    txn.commit().await?;
    Ok(record)
}

#[tracing::instrument(skip_all)]
pub async fn unlink_ticket(db: &Db, actor: &Actor, ticket_id: TicketId, article_id: ArticleId) -> Result<()> {
    let (ticket_id, article_id) = (ticket_id.0, article_id.0);
    let txn = db.begin_write().await?;
    super::tickets::load_for_update(&txn, actor, ticket_id).await?;
    let removed = kb_article_tickets::Entity::delete_many()
        .filter(kb_article_tickets::Column::TicketId.eq(ticket_id))
        .filter(kb_article_tickets::Column::ArticleId.eq(article_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    recount_tickets(&txn, article_id).await?;
    let audit = json!({ "article_id": article_id });
    let ticket = super::tickets::get_in(&txn, actor, ticket_id).await?;
    let change = Change::told("ticket", ticket_id, "unlink_article", "ticket.article_unlinked", audit.clone(), Some(&ticket), &ticket);
    changes::record(&txn, actor, change.detailing(audit)).await?;
    txn.commit().await?;
    Ok(())
}

/// The articles used on a ticket, in the order they were linked.
#[tracing::instrument(skip_all)]
pub async fn ticket_articles(db: &Db, actor: &Actor, ticket_id: Uuid) -> Result<Vec<ArticleRecord>> {
    super::tickets::get(db, actor, ticket_id).await?;
    let linked = Query::select()
        .column(kb_article_tickets::Column::ArticleId)
        .from(kb_article_tickets::Entity)
        .and_where(kb_article_tickets::Column::TicketId.eq(ticket_id))
        .take();
    let rows = kb_articles::Entity::find()
        .filter(kb_articles::Column::Id.in_subquery(linked))
        .filter(kb_articles::Column::DeletedAt.is_null())
        .order_by_asc(kb_articles::Column::Title)
        .all(&db.conn)
        .await?;
    article_records(&db.conn, rows).await
}

/// The condition selecting tickets an article was used on (for `GET /tickets?article_id=`).
pub(crate) fn tickets_using(article_id: Uuid) -> Condition {
    let linked = Query::select()
        .column(kb_article_tickets::Column::TicketId)
        .from(kb_article_tickets::Entity)
        .and_where(kb_article_tickets::Column::ArticleId.eq(article_id))
        .take();
    Condition::all().add(tickets::Column::Id.in_subquery(linked))
}
