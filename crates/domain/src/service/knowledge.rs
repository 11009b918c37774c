//! The knowledge base (知识库): who may read an article, and how search text is matched.

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
pub const ARTICLE_TITLE_MAX: usize = 200;

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
