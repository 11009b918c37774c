//! The knowledge base (知识库): who may read an article, and how search text is matched.

use serde::Serialize;
use uuid::Uuid;

use crate::patch::merge_patch;
use crate::values::string_enum;

string_enum! {
    /// Internal articles are for staff; public ones are also shown in the customer portal.
    ArticleVisibility { Internal => "internal", Public => "public" }
}

string_enum! {
    /// 草稿 → 已发布 → 已归档; an archived article can be published again.
    ArticleStatus { Draft => "draft", Published => "published", Archived => "archived" }
}

/// The longest Markdown body an article may have, in characters.
pub const ARTICLE_BODY_MAX: usize = 100_000;
/// The longest article title, in characters.
pub const ARTICLE_TITLE_MAX: usize = 200;
/// The longest note on an article's revision, in characters.
pub const REVISION_NOTE_MAX: usize = 500;
/// The visibility of an article that names none: staff only until someone decides otherwise.
pub const DEFAULT_VISIBILITY: ArticleVisibility = ArticleVisibility::Internal;
/// The status of an article that names none.
pub const DEFAULT_ARTICLE_STATUS: ArticleStatus = ArticleStatus::Draft;
/// The longest category name, in characters.
pub const CATEGORY_NAME_MAX: usize = 100;
/// The longest category description, in characters.
pub const CATEGORY_DESCRIPTION_MAX: usize = 1000;
/// Categories sort by position, `-CATEGORY_POSITION_MAX..=CATEGORY_POSITION_MAX`.
pub const CATEGORY_POSITION_MAX: i32 = 100_000;

/// Every field of a category, each already valid; the two-level tree is checked when stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryFields {
    /// The category a section belongs to; `None` for a top-level category.
    pub parent_id: Option<Uuid>,
    /// Unique among its siblings.
    pub name: String,
    /// What belongs in it.
    pub description: Option<String>,
    /// Where it sorts among its siblings.
    pub position: i32,
}

merge_patch! {
    /// A change to some fields of a category (JSON merge patch).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct CategoryPatch applies to CategoryFields {
        parent_id: Option<Uuid>,
        name: String,
        description: Option<String>,
        position: i32,
    }
}

/// Every field a writer sets on an article, each already valid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleFields {
    /// The category or section it is filed under.
    pub category_id: Option<Uuid>,
    /// What it answers.
    pub title: String,
    /// Markdown.
    pub body: String,
    /// Staff only, or the customer portal too.
    pub visibility: ArticleVisibility,
    /// Draft, published or archived.
    pub status: ArticleStatus,
    /// Trimmed and de-duplicated.
    pub tags: Vec<String>,
}

merge_patch! {
    /// A change to some fields of an article (JSON merge patch); it becomes the next revision.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ArticlePatch applies to ArticleFields {
        category_id: Option<Uuid>,
        title: String,
        body: String,
        visibility: ArticleVisibility,
        status: ArticleStatus,
        tags: Vec<String>,
    }
    and carries {
        /// Why the article changed, kept with the revision.
        note: Option<String>,
    }
}

impl ArticleVisibility {
    /// Whether a customer in the portal may read an article with this visibility and status.
    pub fn shown_in_portal(self, status: ArticleStatus) -> bool {
        self == ArticleVisibility::Public && status == ArticleStatus::Published
    }
}

/// The text an article is searched in: title, tags and body, lower-cased, without Markdown
/// emphasis (so `**取出**纸盒` is found by `取出纸盒`, Chinese having no spaces to fall back on)
/// and with structural markup (headings, quotes, links, tables) turned into spaces.
pub fn article_search_text(title: &str, tags: &[String], body: &str) -> String {
    let mut text = String::with_capacity(title.len() + body.len() + 16);
    for part in [title, &tags.join(" "), body] {
        for c in part.chars() {
            match c {
                '*' | '_' | '`' | '~' => {}
                '#' | '>' | '[' | ']' | '(' | ')' | '|' => text.push(' '),
                _ => text.extend(c.to_lowercase()),
            }
        }
        text.push('\n');
    }
    text
}

/// The terms of a search: lower-cased words split at white space (ASCII or full-width), at most
/// eight; every term must occur. Chinese needs no word splitting: a term is matched as a substring.
pub fn search_terms(q: &str) -> Vec<String> {
    q.split(|c: char| c.is_whitespace() || c == '\u{3000}').filter(|t| !t.is_empty()).map(str::to_lowercase).take(8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_patch_publishes_and_files_the_article_elsewhere() {
        let current = ArticleFields {
            category_id: Some(Uuid::nil()),
            title: "更换墨盒".into(),
            body: "步骤".into(),
            visibility: DEFAULT_VISIBILITY,
            status: DEFAULT_ARTICLE_STATUS,
            tags: vec!["打印机".into()],
        };
        let patch = ArticlePatch {
            status: Some(ArticleStatus::Published),
            category_id: Some(None),
            note: Some("校对".into()),
            ..Default::default()
        };
        assert_eq!(patch.apply(&current), ArticleFields { status: ArticleStatus::Published, category_id: None, ..current });
    }

    #[test]
    fn a_category_patch_moves_a_section_to_the_top_level() {
        let current = CategoryFields { parent_id: Some(Uuid::nil()), name: "打印机".into(), description: None, position: 3 };
        let next = CategoryPatch { parent_id: Some(None), position: Some(0), ..Default::default() }.apply(&current);
        assert_eq!(next, CategoryFields { parent_id: None, position: 0, ..current });
    }

    #[test]
    fn search_text_drops_markdown_and_lowercases() {
        let text = article_search_text("打印机 Paper Jam", &["硬件".into()], "## 步骤\n**取出**纸盒");
        assert!(text.contains("打印机 paper jam"));
        assert!(text.contains("硬件"));
        assert!(text.contains("取出纸盒"), "{text}");
        assert!(!text.contains('*'));
    }

    #[test]
    fn search_terms_split_on_ascii_and_full_width_spaces() {
        assert_eq!(search_terms("  打印机\u{3000}卡纸  Jam "), vec!["打印机", "卡纸", "jam"]);
        assert!(search_terms("   ").is_empty());
        assert_eq!(search_terms("a b c d e f g h i j").len(), 8);
    }

    #[test]
    fn only_public_published_articles_reach_the_portal() {
        assert!(ArticleVisibility::Public.shown_in_portal(ArticleStatus::Published));
        assert!(!ArticleVisibility::Public.shown_in_portal(ArticleStatus::Draft));
        assert!(!ArticleVisibility::Public.shown_in_portal(ArticleStatus::Archived));
        assert!(!ArticleVisibility::Internal.shown_in_portal(ArticleStatus::Published));
    }
}
