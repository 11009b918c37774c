//! The knowledge base (知识库): `/kb/categories`, `/kb/articles` with revisions and votes, and the
//! articles used on a ticket (`/tickets/{id}/articles`).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::ids::{ArticleId, TicketId};
use crm_domain::service::knowledge::{
    ARTICLE_BODY_MAX, ARTICLE_TITLE_MAX, ArticleFields, ArticlePatch, ArticleStatus, ArticleVisibility, CATEGORY_DESCRIPTION_MAX,
    CATEGORY_NAME_MAX, CATEGORY_POSITION_MAX, CategoryFields, CategoryPatch, DEFAULT_ARTICLE_STATUS, DEFAULT_VISIBILITY, REVISION_NOTE_MAX,
};
use crm_domain::{HasCode, ValidationErrors};
use crm_persistence::service::knowledge as kb;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem};
use crate::http::{Check, PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag, parse_list, parse_uuid};

/// A knowledge-base category (two levels: category → section).
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDto {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    pub position: i32,
    /// Articles filed directly in this category.
    pub article_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<kb::CategoryRecord> for CategoryDto {
    fn from(c: kb::CategoryRecord) -> Self {
        Self {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name,
            description: c.description,
            position: c.position,
            article_count: c.article_count,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// All categories in display order.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryList {
    pub data: Vec<CategoryDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategory {
    pub name: String,
    /// A top-level category, to make this one a section of it.
    pub parent_id: Option<Uuid>,
    pub description: Option<String>,
    /// Display order (ascending); default 0.
    #[serde(default)]
    pub position: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategory {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub position: Option<i32>,
}

/// A knowledge-base article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleDto {
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
    /// The owner's team: whose members a team scope lets edit it.
    pub team_id: Option<Uuid>,
    /// The current revision's number.
    pub revision: i32,
    pub view_count: i64,
    pub helpful_count: i64,
    pub not_helpful_count: i64,
    /// Tickets it was used to solve.
    pub ticket_count: i64,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<kb::ArticleRecord> for ArticleDto {
    fn from(a: kb::ArticleRecord) -> Self {
        Self {
            id: a.id,
            category_id: a.category_id,
            title: a.title,
            body: a.body,
            visibility: a.visibility,
            status: a.status,
            tags: a.tags,
            owner_id: a.owner_id,
            owner_name: a.owner_name,
            team_id: a.team_id,
            revision: a.revision,
            view_count: a.view_count,
            helpful_count: a.helpful_count,
            not_helpful_count: a.not_helpful_count,
            ticket_count: a.ticket_count,
            published_at: a.published_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }
}

/// An article in a list: its fields and the start of its text instead of the whole body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummaryDto {
    pub id: Uuid,
    pub category_id: Option<Uuid>,
    pub title: String,
    /// The first 200 characters of the body as plain text.
    pub excerpt: String,
    pub visibility: ArticleVisibility,
    pub status: ArticleStatus,
    pub tags: Vec<String>,
    pub owner_name: Option<String>,
    pub revision: i32,
    pub view_count: i64,
    pub helpful_count: i64,
    pub not_helpful_count: i64,
    pub ticket_count: i64,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// The beginning of a Markdown text without its markup, for lists and search results.
pub fn excerpt(markdown: &str) -> String {
    let plain: String =
        markdown.chars().map(|c| if matches!(c, '*' | '_' | '`' | '#' | '>' | '[' | ']' | '|' | '\n' | '\r') { ' ' } else { c }).collect();
    let collapsed = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut text: String = collapsed.chars().take(200).collect();
    if collapsed.chars().count() > 200 {
        text.push('…');
    }
    text
}

impl From<kb::ArticleRecord> for ArticleSummaryDto {
    fn from(a: kb::ArticleRecord) -> Self {
        Self {
            excerpt: excerpt(&a.body),
            id: a.id,
            category_id: a.category_id,
            title: a.title,
            visibility: a.visibility,
            status: a.status,
            tags: a.tags,
            owner_name: a.owner_name,
            revision: a.revision,
            view_count: a.view_count,
            helpful_count: a.helpful_count,
            not_helpful_count: a.not_helpful_count,
            ticket_count: a.ticket_count,
            published_at: a.published_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArticle {
    pub title: String,
    /// Markdown, up to 100,000 characters.
    pub body: String,
    pub category_id: Option<Uuid>,
    /// Default `internal`.
    #[schema(value_type = Option<ArticleVisibility>)]
    pub visibility: Option<String>,
    /// Default `draft`.
    #[schema(value_type = Option<ArticleStatus>)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "crate::http::bounded_list")]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticle {
    pub title: Option<String>,
    pub body: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub category_id: Option<Option<Uuid>>,
    #[schema(value_type = Option<ArticleVisibility>)]
    pub visibility: Option<String>,
    #[schema(value_type = Option<ArticleStatus>)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub tags: Option<Vec<String>>,
    /// What changed and why, kept with the new revision.
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// Words that must all occur in the title, tags or body (Chinese matched as written).
    pub q: Option<String>,
    /// A category; a top-level one includes its sections.
    pub category_id: Option<String>,
    /// Comma-separated statuses.
    pub status: Option<String>,
    pub visibility: Option<String>,
    pub tag: Option<String>,
    pub owner_id: Option<String>,
    /// `-updated_at` (default), `updated_at`, `-view_count` or `-helpful_count`.
    pub sort: Option<String>,
}

impl ArticleListParams {
    pub fn to_filter(&self) -> Result<kb::ArticleFilter, ApiError> {
        Ok(kb::ArticleFilter {
            q: crate::http::search_query(&self.q)?,
            category_id: parse_uuid("category_id", self.category_id.as_deref())?,
            statuses: parse_list("status", self.status.as_deref(), ArticleStatus::parse)?,
            visibility: match non_blank(&self.visibility) {
                Some(v) => Some(ArticleVisibility::parse(&v).map_err(|e| ApiError::bad_parameter_error(e.field_error("visibility")))?),
                None => None,
            },
            tag: crate::http::tag_filter(&self.tag)?,
            owner_id: parse_uuid("owner_id", self.owner_id.as_deref())?,
            updated: Default::default(),
            sort: non_blank(&self.sort),
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GetArticleParams {
    /// Count this read as a view (the web app sets it when a person opens the article).
    pub count_view: Option<bool>,
}

/// Whether an article helped.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleVote {
    pub helpful: bool,
}

/// A kept state of an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDto {
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

impl From<kb::RevisionRecord> for RevisionDto {
    fn from(r: kb::RevisionRecord) -> Self {
        Self {
            revision: r.revision,
            title: r.title,
            body: r.body,
            category_id: r.category_id,
            visibility: r.visibility,
            status: r.status,
            tags: r.tags,
            note: r.note,
            author_id: r.author_id,
            author_name: r.author_name,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkArticle {
    pub article_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummaryList {
    pub data: Vec<ArticleSummaryDto>,
}

// ---------------------------------------------------------------- categories

/// Knowledge-base categories in display order
#[utoipa::path(tag = "knowledge-base", responses((status = 200, description = "Categories", body = CategoryList)), security(("bearer" = [])))]
#[get("/kb/categories")]
pub async fn list_categories(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    let data = kb::categories(&state.db, &principal).await?.into_iter().map(CategoryDto::from).collect();
    Ok(HttpResponse::Ok().json(CategoryList { data }))
}

impl TryFrom<CreateCategory> for CategoryFields {
    type Error = ValidationErrors;

    fn try_from(body: CreateCategory) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let name = check.text("name", &body.name, CATEGORY_NAME_MAX);
        let description = check.optional_text("description", body.description.as_deref(), CATEGORY_DESCRIPTION_MAX);
        let position = check.range("position", body.position, -CATEGORY_POSITION_MAX, CATEGORY_POSITION_MAX);
        let (name, position) = check.finish_with((name, position))?;
        Ok(Self { parent_id: body.parent_id, name, description, position })
    }
}

impl TryFrom<UpdateCategory> for CategoryPatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateCategory) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let name = body.name.as_deref().and_then(|n| check.text("name", n, CATEGORY_NAME_MAX));
        let description = body.description.map(|d| check.optional_text("description", d.as_deref(), CATEGORY_DESCRIPTION_MAX));
        let position = body.position.and_then(|p| check.range("position", p, -CATEGORY_POSITION_MAX, CATEGORY_POSITION_MAX));
        check.finish()?;
        Ok(Self { parent_id: body.parent_id, name, description, position })
    }
}

/// Create a category (service rights over all records)
#[utoipa::path(tag = "knowledge-base", request_body = CreateCategory, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created", body = CategoryDto, headers(("Location" = String), ("ETag" = String))),
    (status = 409, description = "`kb_category.name_taken`: a category at this level has the name (`existing_id`)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/kb/categories")]
pub async fn create_category(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateCategory>,
) -> Result<HttpResponse, ApiError> {
    let fields = CategoryFields::try_from(body.into_inner())?;
    let record = kb::create_category(&state.db, &principal, fields).await?;
    Ok(created(&CategoryDto::from(record.clone()), format!("/api/v1/kb/categories/{}", record.id), record.version))
}

/// Change a category
#[utoipa::path(tag = "knowledge-base", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateCategory, responses(
    (status = 200, description = "Changed", body = CategoryDto, headers(("ETag" = String))),
    (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`kb_category.name_taken`: a category at this level has the name (`existing_id`)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/kb/categories/{id}")]
pub async fn update_category(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateCategory>,
) -> Result<HttpResponse, ApiError> {
    let patch = CategoryPatch::try_from(body.into_inner())?;
    let record = kb::update_category(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&CategoryDto::from(record.clone()), record.version))
}

/// Delete an empty category
#[utoipa::path(tag = "knowledge-base", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`kb_category.not_empty`: still holds articles or sections", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/kb/categories/{id}")]
pub async fn delete_category(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    kb::delete_category(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------- articles

/// Search and list articles
#[utoipa::path(tag = "knowledge-base", params(ArticleListParams, crate::http::UpdatedAtParams, PageParams), responses(
    (status = 200, description = "Articles", body = PageDto<ArticleSummaryDto>),
), security(("bearer" = [])))]
#[get("/kb/articles")]
pub async fn list_articles(
    state: State,
    principal: Principal,
    params: web::Query<ArticleListParams>,
    updated: web::Query<crate::http::UpdatedAtParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = kb::ArticleFilter { updated: updated.to_window(state.time_zone)?, ..params.to_filter()? };
    let page = kb::list_articles(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, ArticleSummaryDto::from)))
}

impl TryFrom<CreateArticle> for ArticleFields {
    type Error = ValidationErrors;

    fn try_from(body: CreateArticle) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let title = check.text("title", &body.title, ARTICLE_TITLE_MAX);
        let text = check.long_text("body", &body.body, ARTICLE_BODY_MAX);
        let visibility = match body.visibility.as_deref() {
            Some(visibility) => check.value("visibility", visibility, ArticleVisibility::parse),
            None => Some(DEFAULT_VISIBILITY),
        };
        let status = match body.status.as_deref() {
            Some(status) => check.value("status", status, ArticleStatus::parse),
            None => Some(DEFAULT_ARTICLE_STATUS),
        };
        let tags = check.tags(&body.tags);
        let (title, text, visibility, status, tags) = check.finish_with((title, text, visibility, status, tags))?;
        Ok(Self { category_id: body.category_id, title, body: text, visibility, status, tags })
    }
}

impl TryFrom<UpdateArticle> for ArticlePatch {
    type Error = ValidationErrors;

    fn try_from(body: UpdateArticle) -> Result<Self, ValidationErrors> {
        let mut check = Check::default();
        let title = body.title.as_deref().and_then(|t| check.text("title", t, ARTICLE_TITLE_MAX));
        let text = body.body.as_deref().and_then(|b| check.long_text("body", b, ARTICLE_BODY_MAX));
        let visibility = body.visibility.as_deref().and_then(|v| check.value("visibility", v, ArticleVisibility::parse));
        let status = body.status.as_deref().and_then(|v| check.value("status", v, ArticleStatus::parse));
        let tags = body.tags.as_deref().and_then(|t| check.tags(t));
        let note = check.optional_text("note", body.note.as_deref(), REVISION_NOTE_MAX);
        check.finish()?;
        Ok(Self { category_id: body.category_id, title, body: text, visibility, status, tags, note })
    }
}

/// Write an article (revision 1)
#[utoipa::path(tag = "knowledge-base", request_body = CreateArticle, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Created", body = ArticleDto, headers(("Location" = String), ("ETag" = String))),
), security(("bearer" = [])))]
#[post("/kb/articles")]
pub async fn create_article(state: State, principal: Principal, body: crate::http::Json<CreateArticle>) -> Result<HttpResponse, ApiError> {
    let fields = ArticleFields::try_from(body.into_inner())?;
    let record = kb::create_article(&state.db, &principal, fields).await?;
    Ok(created(&ArticleDto::from(record.clone()), format!("/api/v1/kb/articles/{}", record.id), record.version))
}

/// Read an article
#[utoipa::path(tag = "knowledge-base", params(("id" = Uuid, Path), GetArticleParams), responses(
    (status = 200, description = "The article", body = ArticleDto, headers(("ETag" = String))),
    (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/kb/articles/{id}")]
pub async fn get_article(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    params: web::Query<GetArticleParams>,
) -> Result<HttpResponse, ApiError> {
    let record = kb::get_article(&state.db, &principal, id.into_inner(), params.count_view.unwrap_or(false)).await?;
    Ok(ok_with_etag(&ArticleDto::from(record.clone()), record.version))
}

/// Edit an article; the new state is kept as the next revision
#[utoipa::path(tag = "knowledge-base", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateArticle, responses(
    (status = 200, description = "Changed", body = ArticleDto, headers(("ETag" = String))),
    (status = 403, description = "Outside the caller's scope for changes", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/kb/articles/{id}")]
pub async fn update_article(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateArticle>,
) -> Result<HttpResponse, ApiError> {
    let patch = ArticlePatch::try_from(body.into_inner())?;
    let record = kb::update_article(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&ArticleDto::from(record.clone()), record.version))
}

/// Move an article to the recycle bin
#[utoipa::path(tag = "knowledge-base", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Outside the caller's scope for deletion", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/kb/articles/{id}")]
pub async fn delete_article(state: State, principal: Principal, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    kb::delete_article(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Say whether an article helped (one vote per reader, changeable)
#[utoipa::path(tag = "knowledge-base", params(("id" = Uuid, Path)), request_body = ArticleVote, responses(
    (status = 200, description = "Counted", body = ArticleDto, headers(("ETag" = String))),
    (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/kb/articles/{id}/votes")]
pub async fn vote_article(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<ArticleVote>,
) -> Result<HttpResponse, ApiError> {
    let record = kb::vote_as_staff(&state.db, &principal, id.into_inner(), body.helpful).await?;
    Ok(ok_with_etag(&ArticleDto::from(record.clone()), record.version))
}

/// An article's revisions, newest first
#[utoipa::path(tag = "knowledge-base", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Revisions", body = PageDto<RevisionDto>),
    (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/kb/articles/{id}/revisions")]
pub async fn list_revisions(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = kb::revisions(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, RevisionDto::from)))
}

/// One revision of an article
#[utoipa::path(tag = "knowledge-base", params(("id" = Uuid, Path), ("revision" = i32, Path)), responses(
    (status = 200, description = "The revision", body = RevisionDto),
    (status = 404, description = "No such article or revision", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/kb/articles/{id}/revisions/{revision}")]
pub async fn get_revision(state: State, principal: Principal, path: web::Path<(Uuid, i32)>) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let record = kb::revision(&state.db, &principal, id, number).await?;
    Ok(HttpResponse::Ok().json(RevisionDto::from(record)))
}

// ---------------------------------------------------------------- articles used on tickets

/// The articles used to solve a ticket
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Linked articles", body = ArticleSummaryList),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/tickets/{id}/articles")]
pub async fn list_ticket_articles(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let data = kb::ticket_articles(&state.db, &principal, id.into_inner()).await?.into_iter().map(ArticleSummaryDto::from).collect();
    Ok(HttpResponse::Ok().json(ArticleSummaryList { data }))
}

/// Record that an article was used to solve a ticket (linking twice is harmless)
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path)), request_body = LinkArticle, responses(
    (status = 200, description = "Linked; the article with its new ticket count", body = ArticleDto, headers(("ETag" = String))),
    (status = 404, description = "Ticket absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/tickets/{id}/articles")]
pub async fn link_ticket_article(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<LinkArticle>,
) -> Result<HttpResponse, ApiError> {
    let record = kb::link_ticket(&state.db, &principal, TicketId(id.into_inner()), ArticleId(body.article_id)).await?;
    Ok(ok_with_etag(&ArticleDto::from(record.clone()), record.version))
}

/// Remove an article from a ticket
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path), ("article_id" = Uuid, Path)), responses(
    (status = 204, description = "Unlinked"),
    (status = 404, description = "Not linked, or the ticket is absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/tickets/{id}/articles/{article_id}")]
pub async fn unlink_ticket_article(state: State, principal: Principal, path: web::Path<(Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (id, article_id) = path.into_inner();
    kb::unlink_ticket(&state.db, &principal, TicketId(id), ArticleId(article_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_are_plain_and_bounded() {
        assert_eq!(excerpt("## 步骤\n\n**取出**纸盒"), "步骤 取出 纸盒");
        let long = "字".repeat(300);
        let text = excerpt(&long);
        assert_eq!(text.chars().count(), 201);
        assert!(text.ends_with('…'));
    }
}
