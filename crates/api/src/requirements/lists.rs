//! Requirement lists, the board by status, releases, similar titles while typing, and the
//! requirements document (Markdown or CSV) with every stored text neutralised.

use std::fmt::Write as _;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crm_domain::requirements::{RequirementCategory, RequirementSource, RequirementStatus, SystemReason};
use crm_domain::{Lang, text};
use crm_persistence::requirements as store;

use crate::auth::{Principal, State};
use crate::error::{ApiError, Problem, current_language};
use crate::http::{non_blank, parse_uuid};

use super::{DuplicateCandidateDto, DuplicateCandidateList, RequirementDto, RequirementListParams};

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
pub(super) fn reason_for_reader(to: RequirementStatus, reason: String) -> String {
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
