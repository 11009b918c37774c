//! Customer requirements (客户需求管理): `/requirements` with requesters, the status process,
//! duplicates and merging, feedback, revisions, the board and releases, the requirements
//! document, the report and the score weights.

use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crm_domain::customers::NOTES_MAX;
use crm_domain::requirements::{PriorityWeights, RequirementCategory, RequirementSource, RequirementStatus, SystemReason};
use crm_domain::{Lang, text};
use crm_persistence::requirements as store;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem, current_language};
use crate::http::{Check, PageDto, PageParams, created, double_option, if_match, non_blank, ok_with_etag, parse_list, parse_uuid};

/// A customer requirement (需求).
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementDto {
    pub id: Uuid,
    /// `REQ-000045`.
    pub number: String,
    pub title: String,
    pub description: Option<String>,
    pub category: RequirementCategory,
    pub source_channel: RequirementSource,
    /// 1–5.
    pub importance: i32,
    /// 1–5.
    pub urgency: i32,
    /// 1–5.
    pub effort: i32,
    pub status: RequirementStatus,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub created_by: Uuid,
    pub department: Option<String>,
    pub target_date: Option<NaiveDate>,
    pub release: Option<String>,
    pub tags: Vec<String>,
    /// `10 × (w_i·importance + w_u·urgency + w_d·demand) / effort` under the current weights.
    pub score: f64,
    /// Customers who asked for it.
    pub requester_count: i32,
    pub feedback_count: i32,
    pub feedback_average: Option<f64>,
    pub rejection_reason: Option<String>,
    /// Set when merged into another requirement.
    pub duplicate_of_id: Option<Uuid>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub evaluated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// On create only: open requirements that read alike (possible duplicates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_candidates: Option<Vec<DuplicateCandidateDto>>,
}

impl From<store::RequirementRecord> for RequirementDto {
    fn from(r: store::RequirementRecord) -> Self {
        Self {
            id: r.id,
            number: r.number,
            title: r.title,
            description: r.description,
            category: r.category,
            source_channel: r.source_channel,
            importance: r.importance,
            urgency: r.urgency,
            effort: r.effort,
            status: r.status,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            team_id: r.team_id,
            created_by: r.created_by,
            department: r.department,
            target_date: r.target_date,
            release: r.release,
            tags: r.tags,
            score: r.score,
            requester_count: r.requester_count,
            feedback_count: r.feedback_count,
            feedback_average: r.feedback_average,
            rejection_reason: r.rejection_reason,
            duplicate_of_id: r.duplicate_of_id,
            delivered_at: r.delivered_at,
            evaluated_at: r.evaluated_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
            duplicate_candidates: None,
        }
    }
}

/// A requirement that may be the same need.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateCandidateDto {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub status: RequirementStatus,
    pub requester_count: i32,
    /// 0–1 (character-bigram similarity of titles and descriptions).
    pub similarity: f64,
}

impl From<store::DuplicateCandidate> for DuplicateCandidateDto {
    fn from(c: store::DuplicateCandidate) -> Self {
        Self { id: c.id, number: c.number, title: c.title, status: c.status, requester_count: c.requester_count, similarity: c.similarity }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateCandidateList {
    pub data: Vec<DuplicateCandidateDto>,
}

/// Where a new requirement was heard; that record becomes its first requester.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementOrigin {
    pub customer_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequirement {
    pub title: String,
    pub description: Option<String>,
    /// Default `functional`.
    #[schema(value_type = Option<RequirementCategory>)]
    pub category: Option<String>,
    /// Default `feedback`; `ticket` when created from a ticket.
    #[schema(value_type = Option<RequirementSource>)]
    pub source_channel: Option<String>,
    /// 1–5, default 3.
    pub importance: Option<i32>,
    /// 1–5, default 3.
    pub urgency: Option<i32>,
    /// 1–5, default 3.
    pub effort: Option<i32>,
    pub owner_id: Option<Uuid>,
    pub department: Option<String>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub target_date: Option<NaiveDate>,
    pub release: Option<String>,
    #[serde(default, deserialize_with = "crate::http::bounded_list")]
    pub tags: Vec<String>,
    /// Create it from a customer (and contact), a ticket or an interaction in one step.
    pub origin: Option<RequirementOrigin>,
    /// The requester's note (what exactly they asked for).
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequirement {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[schema(value_type = Option<RequirementCategory>)]
    pub category: Option<String>,
    #[schema(value_type = Option<RequirementSource>)]
    pub source_channel: Option<String>,
    pub importance: Option<i32>,
    pub urgency: Option<i32>,
    pub effort: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub department: Option<Option<String>>,
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::changed")]
    #[schema(value_type = Option<NaiveDate>)]
    pub target_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub release: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::bounded_optional_list")]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequirement {
    #[schema(value_type = RequirementStatus)]
    pub status: String,
    /// Required when rejecting.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequirementListParams {
    /// Words in the number, title, description or tags.
    pub q: Option<String>,
    /// Comma-separated statuses.
    pub status: Option<String>,
    pub category: Option<String>,
    pub source_channel: Option<String>,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub release: Option<String>,
    /// Requested by this customer.
    pub customer_id: Option<String>,
    /// Linked to this ticket through a requester.
    pub ticket_id: Option<String>,
    pub tag: Option<String>,
    /// `-score` (default), `-requester_count`, `-created_at`, `-updated_at`.
    pub sort: Option<String>,
}

impl RequirementListParams {
    fn to_filter(&self) -> Result<store::RequirementFilter, ApiError> {
        Ok(store::RequirementFilter {
            q: crate::http::search_query(&self.q)?,
            statuses: parse_list("status", self.status.as_deref(), RequirementStatus::parse)?,
            categories: parse_list("category", self.category.as_deref(), RequirementCategory::parse)?,
            sources: parse_list("source_channel", self.source_channel.as_deref(), RequirementSource::parse)?,
            owner_id: parse_uuid("owner_id", self.owner_id.as_deref())?,
            team_id: parse_uuid("team_id", self.team_id.as_deref())?,
            release: non_blank(&self.release),
            customer_id: parse_uuid("customer_id", self.customer_id.as_deref())?,
            ticket_id: parse_uuid("ticket_id", self.ticket_id.as_deref())?,
            tag: crate::http::tag_filter(&self.tag)?,
            sort: non_blank(&self.sort),
        })
    }
}

fn check_level(check: &mut Check, field: &str, value: Option<i32>) -> Option<i32> {
    check.range(field, value.unwrap_or(3), 1, 5)
}

/// List requirements, ranked by priority score
#[utoipa::path(tag = "requirements", params(RequirementListParams, PageParams), responses(
    (status = 200, description = "Requirements", body = PageDto<RequirementDto>),
), security(("bearer" = [])))]
#[get("/requirements")]
pub async fn list_requirements(
    state: State,
    principal: Principal,
    params: web::Query<RequirementListParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = store::list(&state.db, &principal, &params.to_filter()?, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, RequirementDto::from)))
}

/// Collect a requirement, from a customer, a ticket or an interaction in one step
///
/// The answer lists open requirements that read alike (`duplicate_candidates`).
#[utoipa::path(tag = "requirements", request_body = CreateRequirement, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, description = "Collected", body = RequirementDto, headers(("Location" = String), ("ETag" = String))),
), security(("bearer" = [])))]
#[post("/requirements")]
pub async fn create_requirement(
    state: State,
    principal: Principal,
    body: crate::http::Json<CreateRequirement>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let title = check.text("title", &body.title, 200);
    let description = check.optional_text("description", body.description.as_deref(), NOTES_MAX);
    let category = check.value("category", body.category.as_deref().unwrap_or("functional"), RequirementCategory::parse);
    let from_ticket = body.origin.as_ref().is_some_and(|o| o.ticket_id.is_some());
    let default_source = if from_ticket { "ticket" } else { "feedback" };
    let source = check.value("source_channel", body.source_channel.as_deref().unwrap_or(default_source), RequirementSource::parse);
    let importance = check_level(&mut check, "importance", body.importance);
    let urgency = check_level(&mut check, "urgency", body.urgency);
    let effort = check_level(&mut check, "effort", body.effort);
    let department = check.optional_text("department", body.department.as_deref(), 100);
    let release = check.optional_text("release", body.release.as_deref(), 50);
    let note = check.optional_text("note", body.note.as_deref(), 2000);
    let tags = check.tags(&body.tags);
    let origin = match body.origin {
        None => None,
        Some(RequirementOrigin { customer_id: Some(customer_id), contact_id, ticket_id: None, interaction_id: None }) => {
            Some(store::Origin::Customer { customer_id, contact_id })
        }
        Some(RequirementOrigin { customer_id: None, contact_id: None, ticket_id: Some(ticket), interaction_id: None }) => {
            Some(store::Origin::Ticket(ticket))
        }
        Some(RequirementOrigin { customer_id: None, contact_id: None, ticket_id: None, interaction_id: Some(interaction) }) => {
            Some(store::Origin::Interaction(interaction))
        }
        Some(_) => {
            check.0.push(crm_domain::FieldError::new(
                "origin",
                "invalid",
                text!(
                    "name one origin: customer_id (with contact_id), ticket_id or interaction_id",
                    "只能指定一个来源：customer_id（可带 contact_id）、ticket_id 或 interaction_id"
                ),
            ));
            None
        }
    };
    let (title, category, source_channel, importance, urgency, effort, tags) =
        check.finish_with((title, category, source, importance, urgency, effort, tags))?;
    let new = store::NewRequirement {
        title,
        description,
        category,
        source_channel,
        importance,
        urgency,
        effort,
        owner_id: body.owner_id,
        department,
        target_date: body.target_date,
        release,
        tags,
        origin,
        note,
    };
    let record = store::create(&state.db, &principal, new).await?;
    let candidates = store::similar(&state.db, &principal, &record.title, record.description.as_deref(), Some(record.id)).await?;
    let mut dto = RequirementDto::from(record.clone());
    dto.duplicate_candidates = Some(candidates.into_iter().map(DuplicateCandidateDto::from).collect());
    Ok(created(&dto, format!("/api/v1/requirements/{}", record.id), record.version))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    pub title: String,
    pub description: Option<String>,
}

/// Open requirements similar to a title and description (while typing a new one)
#[utoipa::path(tag = "requirements", params(SimilarParams), responses(
    (status = 200, description = "Candidates, most similar first", body = DuplicateCandidateList),
), security(("bearer" = [])))]
#[get("/requirements/duplicates")]
pub async fn similar_requirements(state: State, principal: Principal, params: web::Query<SimilarParams>) -> Result<HttpResponse, ApiError> {
    let title: String = params.title.chars().take(200).collect();
    let description: Option<String> = params.description.as_ref().map(|d| d.chars().take(2000).collect());
    let data = store::similar(&state.db, &principal, &title, description.as_deref(), None).await?;
    Ok(HttpResponse::Ok().json(DuplicateCandidateList { data: data.into_iter().map(DuplicateCandidateDto::from).collect() }))
}

/// One column of the requirements board.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementBoardColumnDto {
    pub status: RequirementStatus,
    pub count: u64,
    pub items: Vec<RequirementDto>,
    /// Continue with `GET /requirements?status=…&sort=-score&cursor=…`.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementBoard {
    pub columns: Vec<RequirementBoardColumnDto>,
}

/// The board: a column per status with counts and the highest-scored cards
#[utoipa::path(tag = "requirements", params(RequirementListParams), responses(
    (status = 200, description = "The board", body = RequirementBoard),
), security(("bearer" = [])))]
#[get("/requirements/board")]
pub async fn requirement_board(
    state: State,
    principal: Principal,
    params: web::Query<RequirementListParams>,
) -> Result<HttpResponse, ApiError> {
    let columns = store::board(&state.db, &principal, &params.to_filter()?, 20).await?;
    Ok(HttpResponse::Ok().json(RequirementBoard {
        columns: columns
            .into_iter()
            .map(|c| RequirementBoardColumnDto {
                status: c.status,
                count: c.count,
                items: c.items.into_iter().map(RequirementDto::from).collect(),
                next_cursor: c.next_cursor,
            })
            .collect(),
    }))
}

/// A release and its requirements.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseDto {
    pub release: String,
    pub total: u64,
    /// Requirements per status.
    pub by_status: std::collections::HashMap<String, u64>,
    pub earliest_target: Option<NaiveDate>,
    pub latest_target: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseList {
    pub data: Vec<ReleaseDto>,
}

/// Releases with their requirements by status
#[utoipa::path(tag = "requirements", responses((status = 200, description = "Releases", body = ReleaseList)), security(("bearer" = [])))]
#[get("/requirements/releases")]
pub async fn requirement_releases(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    let data = store::releases(&state.db, &principal)
        .await?
        .into_iter()
        .map(|r| ReleaseDto {
            release: r.release,
            total: r.total,
            by_status: r.by_status,
            earliest_target: r.earliest_target,
            latest_target: r.latest_target,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ReleaseList { data }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// The requirements this customer requested.
    pub customer_id: Option<String>,
    /// The requirements of this release.
    pub release: Option<String>,
    /// `markdown` (the only format so far).
    pub format: Option<String>,
}

/// The requirements document of a customer or a release, as Markdown
#[utoipa::path(tag = "requirements", params(ExportParams), responses(
    (status = 200, description = "The document", content_type = "text/markdown", body = String, headers(("Content-Disposition" = String))),
    (status = 404, description = "The customer is absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/export")]
pub async fn export_requirements(state: State, principal: Principal, params: web::Query<ExportParams>) -> Result<HttpResponse, ApiError> {
    if !matches!(params.format.as_deref(), None | Some("markdown")) {
        return Err(ApiError::bad_parameter("format", text!("must be markdown", "只能是 markdown")));
    }
    let customer_id = parse_uuid("customer_id", params.customer_id.as_deref())?;
    let release = non_blank(&params.release);
    // A release name is one line: a line break would let the parameter write its own headings
    // into the document.
    if release.as_deref().is_some_and(|r| r.chars().any(char::is_control)) {
        let message = text!("must be one line without control characters", "须为一行，不能包含控制字符");
        return Err(ApiError::bad_parameter_error(crm_domain::FieldError::new("release", "control_character", message)));
    }
    let (subject, filter) = match (customer_id, release) {
        (Some(customer), None) => {
            let record = crm_persistence::customers::get(&state.db, &principal, customer).await?;
            (
                format!("客户 / Customer: {}", inline(record.fields.name.as_str())),
                store::RequirementFilter { customer_id: Some(customer), ..Default::default() },
            )
        }
        (None, Some(release)) => {
            (format!("版本 / Release: {}", inline(&release)), store::RequirementFilter { release: Some(release), ..Default::default() })
        }
        _ => {
            return Err(ApiError::bad_parameter(
                "customer_id",
                text!("name either customer_id or release", "请指定 customer_id 或 release 之一"),
            ));
        }
    };
    let filter = store::RequirementFilter {
        statuses: RequirementStatus::ALL.iter().copied().filter(|s| *s != RequirementStatus::Duplicate).collect(),
        ..filter
    };
    let entries = store::document(&state.db, &principal, &filter).await?;
    let text = markdown_document(&subject, &entries, Utc::now());
    let file = format!("requirements-{}.md", Utc::now().format("%Y%m%d"));
    Ok(HttpResponse::Ok()
        .content_type("text/markdown; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{file}\"")))
        .body(text))
}

/// Stored text as Markdown that shows it literally, on one line: `<`, `>` and `&` become
/// entities, so no HTML reaches the document (`<script>`, `<img onerror>`), and the characters
/// that open links, images, emphasis and code are backslash-escaped, so `[x](javascript:…)` is
/// text and no link target of any scheme comes from stored text; a line break becomes a space.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '~' | '{' | '}' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Stored multi-line text (a description) as literal Markdown: each line as [`inline`], without
/// leading blanks (which would make code blocks) and with a line-opening marker escaped
/// (`-`/`+` list or underline, `=` underline, `1.` list, `|` table; `#`, `>` and `*` are escaped
/// everywhere), so the text cannot add headings or structure to the document.
fn block(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        let line = inline(line.trim());
        // Hard line breaks keep the writer's lines; an empty line stays a paragraph break.
        if !line.is_empty() {
            out.push_str(&escape_line_opening(line));
            out.push_str("  ");
        }
        out.push('\n');
    }
    out
}

/// Escapes the marker a line could open a list, table or heading underline with.
fn escape_line_opening(line: String) -> String {
    let digits = line.find(|c: char| !c.is_ascii_digit()).unwrap_or(line.len());
    let opens_block = match line[digits..].chars().next() {
        Some('.' | ')') => digits > 0,
        Some('-' | '+' | '=' | '|') => digits == 0,
        _ => false,
    };
    if opens_block { format!("{}\\{}", &line[..digits], &line[digits..]) } else { line }
}

/// A table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// A category in both languages, for the document.
fn category_label(category: RequirementCategory) -> &'static str {
    match category {
        RequirementCategory::Functional => "功能 functional",
        RequirementCategory::Performance => "性能 performance",
        RequirementCategory::Ui => "界面 UI",
        RequirementCategory::Service => "服务 service",
        RequirementCategory::Quality => "质量 quality",
        RequirementCategory::Other => "其他 other",
    }
}

/// A source channel in both languages, for the document.
fn source_label(source: RequirementSource) -> &'static str {
    match source {
        RequirementSource::Interview => "访谈 interview",
        RequirementSource::Survey => "问卷 survey",
        RequirementSource::Complaint => "投诉 complaint",
        RequirementSource::Feedback => "反馈 feedback",
        RequirementSource::Ticket => "服务工单 ticket",
        RequirementSource::SalesVisit => "销售拜访 sales visit",
        RequirementSource::Other => "其他 other",
    }
}

/// A stored move reason as the reader reads it: one the system gave, in the request's language;
/// a person's, as they typed it.
fn reason_for_reader(to: RequirementStatus, reason: String) -> String {
    match SystemReason::from_stored(to, &reason) {
        Some(system) => system.text().get(current_language()).to_owned(),
        None => reason,
    }
}

fn status_label(status: RequirementStatus) -> &'static str {
    match status {
        RequirementStatus::Collected => "已收集 collected",
        RequirementStatus::Analyzing => "分析中 analyzing",
        RequirementStatus::Planned => "已计划 planned",
        RequirementStatus::InProgress => "实施中 in progress",
        RequirementStatus::Delivered => "已交付 delivered",
        RequirementStatus::Evaluated => "已评价 evaluated",
        RequirementStatus::Rejected => "已拒绝 rejected",
        RequirementStatus::Duplicate => "重复 duplicate",
    }
}

/// The requirements document (需求文档): a summary table, then each requirement with its
/// description, priority, status, requesters, history and feedback.
pub fn markdown_document(subject: &str, entries: &[store::DocumentEntry], at: DateTime<Utc>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# 需求文档 / Requirements document\n\n{subject}  \n生成于 / Generated {}\n", at.format("%Y-%m-%d %H:%M UTC"));
    let _ = writeln!(out, "## 概览 / Summary\n\n共 {0} 条需求 / {0} requirement(s).\n", entries.len());
    let _ = writeln!(out, "| 编号 No. | 标题 Title | 状态 Status | 优先级 Score | 需求客户 Requesters | 目标日期 Target | 版本 Release |");
    let _ = writeln!(out, "|---|---|---|---:|---:|---|---|");
    for e in entries {
        let r = &e.requirement;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.2} | {} | {} | {} |",
            r.number,
            cell(&r.title),
            status_label(r.status),
            r.score,
            r.requester_count,
            r.target_date.map(|d| d.to_string()).unwrap_or_default(),
            cell(r.release.as_deref().unwrap_or_default())
        );
    }
    for e in entries {
        let r = &e.requirement;
        let _ = writeln!(out, "\n## {} {}\n", r.number, inline(&r.title));
        let _ = writeln!(out, "- 状态 Status: {}", status_label(r.status));
        if let Some(reason) = &r.rejection_reason {
            let _ = writeln!(out, "- 拒绝原因 Rejection reason: {}", inline(reason));
        }
        let _ = writeln!(out, "- 类别 Category: {} · 来源 Source: {}", category_label(r.category), source_label(r.source_channel));
        let _ = writeln!(
            out,
            "- 优先级 Priority: 得分 score {:.2} · 重要性 importance {} · 紧急度 urgency {} · 工作量 effort {} · 需求客户 requesters {}",
            r.score, r.importance, r.urgency, r.effort, r.requester_count
        );
        let _ = writeln!(
            out,
            "- 负责人 Owner: {} · 目标日期 Target: {} · 版本 Release: {}",
            r.owner_name.as_deref().map(inline).unwrap_or_else(|| "—".into()),
            r.target_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            r.release.as_deref().map(inline).unwrap_or_else(|| "—".into())
        );
        if !r.tags.is_empty() {
            let _ = writeln!(out, "- 标签 Tags: {}", r.tags.iter().map(|t| inline(t)).collect::<Vec<_>>().join(", "));
        }
        let _ = writeln!(out, "\n### 描述 Description\n\n{}", r.description.as_deref().map(block).unwrap_or_else(|| "—".into()));
        let _ = writeln!(out, "\n### 需求客户 Requesters\n");
        if e.requesters.is_empty() {
            let _ = writeln!(out, "—");
        }
        for q in &e.requesters {
            let customer = q.customer_name.as_deref().map(inline).unwrap_or_else(|| "?".into());
            let mut line = format!("- {} · {customer}", q.requested_at.format("%Y-%m-%d"));
            if let Some(contact) = &q.contact_name {
                let _ = write!(line, " ({})", inline(contact));
            }
            if let Some(note) = &q.note {
                let _ = write!(line, ": {}", inline(note));
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out, "\n### 历史 History\n");
        for h in &e.history {
            let from = h.from_status.map(status_label).unwrap_or("—");
            let mut line = format!(
                "- {} {} → {} · {}",
                h.changed_at.format("%Y-%m-%d %H:%M"),
                from,
                status_label(h.to_status),
                h.actor_name.as_deref().map(inline).unwrap_or_else(|| "系统 system".into())
            );
            if let Some(reason) = &h.reason {
                let reason = match SystemReason::from_stored(h.to_status, reason) {
                    Some(system) => {
                        let text = system.text();
                        format!("{} / {}", text.get(Lang::ZhCn), text.get(Lang::En))
                    }
                    None => reason.clone(),
                };
                let _ = write!(line, " ({})", inline(&reason));
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out, "\n### 反馈 Feedback\n");
        match r.feedback_average {
            None => {
                let _ = writeln!(out, "—");
            }
            Some(average) => {
                let count = r.feedback_count;
                let _ = writeln!(out, "平均 {average:.1} / 5 分，共 {count} 条评价 / Average {average:.1} / 5 from {count} response(s).\n");
            }
        }
        for f in &e.feedback {
            let comment = f.comment.as_deref().map(|c| format!(": {}", inline(c))).unwrap_or_default();
            let _ = writeln!(
                out,
                "- {} {} ★{}{}",
                f.created_at.format("%Y-%m-%d"),
                f.customer_name.as_deref().map(inline).unwrap_or_else(|| "?".into()),
                f.rating,
                comment
            );
        }
    }
    out
}

/// Get a requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The requirement", body = RequirementDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}")]
pub async fn get_requirement(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let record = store::get(&state.db, &principal, id.into_inner()).await?;
    Ok(ok_with_etag(&RequirementDto::from(record.clone()), record.version))
}

/// Change a requirement; every change is kept as a revision
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = UpdateRequirement, responses(
    (status = 200, description = "Changed", body = RequirementDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/requirements/{id}")]
pub async fn update_requirement(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<UpdateRequirement>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let patch = store::RequirementPatch {
        title: body.title.as_deref().and_then(|t| check.text("title", t, 200)),
        description: body.description.map(|d| check.optional_text("description", d.as_deref(), NOTES_MAX)),
        category: body.category.as_deref().and_then(|v| check.value("category", v, RequirementCategory::parse)),
        source_channel: body.source_channel.as_deref().and_then(|v| check.value("source_channel", v, RequirementSource::parse)),
        importance: body.importance.and_then(|v| check.range("importance", v, 1, 5)),
        urgency: body.urgency.and_then(|v| check.range("urgency", v, 1, 5)),
        effort: body.effort.and_then(|v| check.range("effort", v, 1, 5)),
        owner_id: body.owner_id,
        department: body.department.map(|d| check.optional_text("department", d.as_deref(), 100)),
        target_date: body.target_date,
        release: body.release.map(|r| check.optional_text("release", r.as_deref(), 50)),
        tags: body.tags.as_deref().and_then(|t| check.tags(t)),
    };
    check.finish()?;
    let record = store::update(&state.db, &principal, id.into_inner(), if_match(&req)?, patch).await?;
    Ok(ok_with_etag(&RequirementDto::from(record.clone()), record.version))
}

/// Move a requirement to the recycle bin
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), responses(
    (status = 204, description = "Deleted"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/requirements/{id}")]
pub async fn delete_requirement(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    store::delete(&state.db, &principal, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Move a requirement: collected → analyzing → planned → in_progress → delivered → evaluated, or rejected
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = MoveRequirement, responses(
    (status = 200, description = "Moved", body = RequirementDto, headers(("ETag" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`requirement.invalid_transition`: not a valid transition; `requirement.duplicate_by_merge`: duplicates come from merging", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/requirements/{id}/status")]
pub async fn move_requirement(
    state: State,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::Json<MoveRequirement>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let status = check.value("status", &body.status, RequirementStatus::parse);
    let reason = check.optional_text("reason", body.reason.as_deref(), 2000);
    let status = check.finish_with(status)?;
    let record = store::transition(&state.db, &principal, id.into_inner(), if_match(&req)?, status, reason).await?;
    Ok(ok_with_etag(&RequirementDto::from(record.clone()), record.version))
}

/// A customer who asked for a requirement.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequesterDto {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub note: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub feedback_rating: Option<i32>,
}

impl From<store::RequesterRecord> for RequesterDto {
    fn from(r: store::RequesterRecord) -> Self {
        Self {
            id: r.id,
            requirement_id: r.requirement_id,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            contact_id: r.contact_id,
            contact_name: r.contact_name,
            ticket_id: r.ticket_id,
            interaction_id: r.interaction_id,
            note: r.note,
            requested_at: r.requested_at,
            feedback_rating: r.feedback_rating,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRequester {
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub note: Option<String>,
    /// When they asked; now by default.
    /// Between 1900-01-01 and 2199-12-31.
    #[serde(default, deserialize_with = "crate::http::client_dates::optional")]
    pub requested_at: Option<DateTime<Utc>>,
}

/// The customers who asked for a requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Requesters, first first", body = PageDto<RequesterDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/requesters")]
pub async fn list_requesters(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = store::requesters(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, RequesterDto::from)))
}

/// Record that another customer asks for the same requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), request_body = AddRequester, responses(
    (status = 201, description = "Added; the score follows the demand", body = RequesterDto, headers(("Location" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`requirement.already_requested`: already a requester (`existing_id`); `requirement.closed`: the requirement is closed", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/requirements/{id}/requesters")]
pub async fn add_requester(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<AddRequester>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut check = Check::default();
    let note = check.optional_text("note", body.note.as_deref(), 2000);
    check.finish()?;
    let id = id.into_inner();
    let new = store::NewRequester {
        customer_id: body.customer_id,
        contact_id: body.contact_id,
        ticket_id: body.ticket_id,
        interaction_id: body.interaction_id,
        note,
        requested_at: body.requested_at,
    };
    let record = store::add_requester(&state.db, &principal, id, new).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/requirements/{id}/requesters")))
        .json(RequesterDto::from(record)))
}

/// Remove a requester
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), ("requester_id" = Uuid, Path)), responses(
    (status = 204, description = "Removed"),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/requirements/{id}/requesters/{requester_id}")]
pub async fn remove_requester(state: State, principal: Principal, path: web::Path<(Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (id, requester_id) = path.into_inner();
    store::remove_requester(&state.db, &principal, id, requester_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Possible duplicates of a requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Candidates, most similar first", body = DuplicateCandidateList),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/duplicates")]
pub async fn requirement_duplicates(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let data = store::duplicates_of(&state.db, &principal, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(DuplicateCandidateList { data: data.into_iter().map(DuplicateCandidateDto::from).collect() }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequirement {
    /// The requirement that becomes `duplicate`; this one survives.
    pub duplicate_id: Uuid,
}

/// What a merge moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    pub survivor: RequirementDto,
    pub moved_requesters: u64,
    /// Requesters of a customer who had asked for both, folded into one.
    pub folded_requesters: u64,
    pub moved_feedback: u64,
}

/// Merge a duplicate into this requirement: requesters, links and feedback move here
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), request_body = MergeRequirement, responses(
    (status = 200, description = "Merged", body = MergeResult),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`requirement.closed`: one of them is closed", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/requirements/{id}/merge")]
pub async fn merge_requirement(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<MergeRequirement>,
) -> Result<HttpResponse, ApiError> {
    let outcome = store::merge(&state.db, &principal, id.into_inner(), body.duplicate_id).await?;
    Ok(HttpResponse::Ok().json(MergeResult {
        survivor: outcome.survivor.into(),
        moved_requesters: outcome.moved_requesters,
        folded_requesters: outcome.folded_requesters,
        moved_feedback: outcome.moved_feedback,
    }))
}

/// A requester's evaluation of a delivered requirement.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackDto {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub contact_id: Option<Uuid>,
    /// 1–5.
    pub rating: i32,
    pub comment: Option<String>,
    /// The staff member who recorded it.
    pub recorded_by: Option<Uuid>,
    pub recorded_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<store::FeedbackRecord> for FeedbackDto {
    fn from(f: store::FeedbackRecord) -> Self {
        Self {
            id: f.id,
            requirement_id: f.requirement_id,
            customer_id: f.customer_id,
            customer_name: f.customer_name,
            contact_id: f.contact_id,
            rating: f.rating,
            comment: f.comment,
            recorded_by: f.recorded_by,
            recorded_by_name: f.recorded_by_name,
            created_at: f.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiveFeedback {
    /// A requesting customer.
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    /// 1–5.
    pub rating: i32,
    pub comment: Option<String>,
}

/// The feedback and the requirement after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackResult {
    pub feedback: FeedbackDto,
    /// `evaluated` once every requester has answered.
    pub requirement: RequirementDto,
}

/// Feedback on a requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Feedback", body = PageDto<FeedbackDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/feedback")]
pub async fn list_feedback(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = store::feedback(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, FeedbackDto::from)))
}

/// Record a requester's feedback on a delivered requirement
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), request_body = GiveFeedback, responses(
    (status = 201, description = "Recorded", body = FeedbackResult, headers(("Location" = String))),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`requirement.not_delivered`: not delivered", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/requirements/{id}/feedback")]
pub async fn give_feedback(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    body: crate::http::Json<GiveFeedback>,
) -> Result<HttpResponse, ApiError> {
    let mut check = Check::default();
    let rating = check.range("rating", body.rating, 1, 5);
    let comment = check.optional_text("comment", body.comment.as_deref(), 2000);
    let rating = check.finish_with(rating)?;
    let id = id.into_inner();
    let (feedback, requirement) =
        store::give_feedback(&state.db, &principal, id, body.customer_id, body.contact_id, rating, comment).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/requirements/{id}/feedback")))
        .json(FeedbackResult { feedback: feedback.into(), requirement: requirement.into() }))
}

/// One status change.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChangeDto {
    pub id: Uuid,
    pub from_status: Option<RequirementStatus>,
    pub to_status: RequirementStatus,
    pub reason: Option<String>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusHistory {
    pub data: Vec<StatusChangeDto>,
}

/// Status changes with who and when, oldest first
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "History", body = StatusHistory),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/history")]
pub async fn requirement_history(state: State, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let data = store::history(&state.db, &principal, id.into_inner())
        .await?
        .into_iter()
        .map(|h| StatusChangeDto {
            id: h.id,
            from_status: h.from_status,
            to_status: h.to_status,
            reason: h.reason.map(|reason| reason_for_reader(h.to_status, reason)),
            actor_id: h.actor_id,
            actor_name: h.actor_name,
            changed_at: h.changed_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(StatusHistory { data }))
}

/// One kept change.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementRevisionDto {
    pub revision: i32,
    /// `{field: {old, new}}`, or what creation or a merge did.
    #[schema(value_type = Object)]
    pub changes: Value,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A revision's changes with a move's system reason (`"reason"` beside `"status": {old, new}`)
/// in the request's language.
fn reasons_for_reader(mut changes: Value) -> Value {
    let to = changes.pointer("/status/new").and_then(Value::as_str).and_then(|s| RequirementStatus::parse(s).ok());
    if let (Some(to), Some(Value::String(reason))) = (to, changes.get_mut("reason")) {
        *reason = reason_for_reader(to, std::mem::take(reason));
    }
    changes
}

/// Every change of a requirement (who, when, fields old → new), newest first
#[utoipa::path(tag = "requirements", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Revisions", body = PageDto<RequirementRevisionDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/requirements/{id}/revisions")]
pub async fn requirement_revisions(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = store::revisions(&state.db, &principal, id.into_inner(), &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, |r| RequirementRevisionDto {
        revision: r.revision,
        changes: reasons_for_reader(r.changes),
        actor_id: r.actor_id,
        actor_name: r.actor_name,
        created_at: r.created_at,
    })))
}

/// The requirements linked to a ticket
#[utoipa::path(tag = "tickets", params(("id" = Uuid, Path), PageParams), responses(
    (status = 200, description = "Requirements", body = PageDto<RequirementDto>),
    (status = 404, description = "Absent or out of scope", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/tickets/{id}/requirements")]
pub async fn ticket_requirements(
    state: State,
    principal: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    crm_persistence::service::tickets::get(&state.db, &principal, id).await?;
    let filter = store::RequirementFilter { ticket_id: Some(id), ..Default::default() };
    let page = store::list(&state.db, &principal, &filter, &page.to_request()?).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, RequirementDto::from)))
}

/// A count per key.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyCountDto {
    pub key: String,
    pub count: u64,
}

/// The requirements report.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementsReportDto {
    pub total: u64,
    pub by_status: Vec<KeyCountDto>,
    pub by_category: Vec<KeyCountDto>,
    pub by_source: Vec<KeyCountDto>,
    /// Average days from collected to delivered.
    pub average_days_to_delivery: Option<f64>,
    pub delivered_count: u64,
    /// Open requirements most customers asked for.
    pub top_by_demand: Vec<RequirementDto>,
    /// Open requirements with the highest scores.
    pub top_by_score: Vec<RequirementDto>,
}

/// Requirements by status, category and source; time to delivery; the top requirements
#[utoipa::path(tag = "reports", responses((status = 200, description = "The report", body = RequirementsReportDto)), security(("bearer" = [])))]
#[get("/reports/requirements")]
pub async fn requirements_report(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    let r = store::report(&state.db, &principal).await?;
    let counts = |rows: Vec<(String, u64)>| rows.into_iter().map(|(key, count)| KeyCountDto { key, count }).collect();
    Ok(HttpResponse::Ok().json(RequirementsReportDto {
        total: r.total,
        by_status: counts(r.by_status),
        by_category: counts(r.by_category),
        by_source: counts(r.by_source),
        average_days_to_delivery: r.average_days_to_delivery,
        delivered_count: r.delivered_count,
        top_by_demand: r.top_by_demand.into_iter().map(RequirementDto::from).collect(),
        top_by_score: r.top_by_score.into_iter().map(RequirementDto::from).collect(),
    }))
}

/// Settings of the requirements process.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementSettingsDto {
    /// Weights of importance, urgency and demand in the priority score (each 0–10).
    pub weights: PriorityWeights,
}

/// Requirements settings (the score weights)
#[utoipa::path(tag = "settings", responses((status = 200, description = "The settings; the ETag is their version", body = RequirementSettingsDto, headers(("ETag" = String)))), security(("bearer" = [])))]
#[get("/settings/requirements")]
pub async fn get_requirement_settings(state: State, principal: Principal) -> Result<HttpResponse, ApiError> {
    principal.require(crm_domain::identity::Resource::Requirements, crm_domain::identity::Action::Read)?;
    let stored = crm_persistence::platform::settings::get::<store::RequirementSettings>(&state.db, store::SETTINGS_KEY).await?;
    Ok(ok_with_etag(&RequirementSettingsDto { weights: stored.value.weights }, stored.version))
}

/// Change the score weights (administrators); every requirement is re-scored at once
#[utoipa::path(tag = "settings", params(("If-Match" = Option<String>, Header)), request_body = RequirementSettingsDto, responses(
    (status = 200, description = "Saved and re-ranked", body = RequirementSettingsDto, headers(("ETag" = String))),
    (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/settings/requirements")]
pub async fn put_requirement_settings(
    state: State,
    principal: Principal,
    req: HttpRequest,
    body: crate::http::Json<RequirementSettingsDto>,
) -> Result<HttpResponse, ApiError> {
    let stored = store::save_weights(&state.db, &principal, if_match(&req)?, body.weights).await?;
    Ok(ok_with_etag(&RequirementSettingsDto { weights: stored.value.weights }, stored.version))
}

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(similar_requirements)
        .service(requirement_board)
        .service(requirement_releases)
        .service(export_requirements)
        .service(list_requirements)
        .service(create_requirement)
        .service(get_requirement)
        .service(update_requirement)
        .service(delete_requirement)
        .service(move_requirement)
        .service(list_requesters)
        .service(add_requester)
        .service(remove_requester)
        .service(requirement_duplicates)
        .service(merge_requirement)
        .service(list_feedback)
        .service(give_feedback)
        .service(requirement_history)
        .service(requirement_revisions)
        .service(ticket_requirements)
        .service(requirements_report)
        .service(get_requirement_settings)
        .service(put_requirement_settings);
}
