//! Sentences for people in the two languages the CRM speaks. Every message a person may read
//! (a refusal, a field error, a task the system writes) is built in both zh-CN and English where
//! it is raised, next to the rule that raises it, and the language is chosen only when the
//! answer is written: `Accept-Language` for an HTTP answer, the reader's own language for a
//! stored text. Machines branch on the stable `code` that travels with every message, never on
//! its wording.

use std::borrow::Cow;

/// A language the CRM answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, for integrations and for anyone who does not ask for Chinese.
    #[default]
    En,
    /// 简体中文.
    ZhCn,
}

impl Lang {
    /// The tag a response names in `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language an `Accept-Language` header prefers among the two we speak: the highest
    /// `q` wins, the earlier entry on a tie; any `zh` (zh-CN, zh-Hans, zh-TW, zh) is Chinese,
    /// `*` and everything else we do not speak are skipped, and nothing usable means English.
    pub fn negotiate(header: &str) -> Lang {
        let mut best: Option<(Lang, f32)> = None;
        for entry in header.split(',').take(32) {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .filter(|q| q.is_finite() && (0.0..=1.0).contains(q))
                .unwrap_or(1.0);
            let lang = match tag.split('-').next().unwrap_or_default() {
                "zh" => Lang::ZhCn,
                "en" => Lang::En,
                _ => continue,
            };
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((lang, quality));
            }
        }
        best.map(|(lang, _)| lang).unwrap_or_default()
    }

    /// A language stored as its tag (`zh-CN`, `en`); anything else is English.
    pub fn from_tag(tag: &str) -> Lang {
        Lang::negotiate(tag)
    }
}

/// One sentence in both languages. Build it with [`text!`](crate::text!) so both are written
/// side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    en: Cow<'static, str>,
    zh: Cow<'static, str>,
}

impl Text {
    pub fn new(en: impl Into<Cow<'static, str>>, zh: impl Into<Cow<'static, str>>) -> Self {
        Self { en: en.into(), zh: zh.into() }
    }

    /// The sentence in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        }
    }
}

/// Logs and `Display` (which only operators read) show the English sentence.
impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// A [`Text`] from an English and a Chinese format string; both may name variables in scope
/// (`text!("{count} open tickets", "{count} 个未关闭的工单")`).
#[macro_export]
macro_rules! text {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::message::Text::new(format!($en), format!($zh))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_language_we_speak() {
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9,en;q=0.8"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("en-US,en;q=0.9,zh-CN;q=0.8"), Lang::En);
        assert_eq!(Lang::negotiate("fr-FR, zh-TW;q=0.5, en;q=0.4"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("en;q=0.2, zh-Hans;q=0.7"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("zh;q=0, en"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
        assert_eq!(Lang::negotiate("*"), Lang::En);
        assert_eq!(Lang::negotiate("zh;q=abc"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("de, ;;;, q=,,"), Lang::En);
    }

    #[test]
    fn text_keeps_both_sentences() {
        let count = 2;
        let text = text!("{count} members", "{count} 名成员");
        assert_eq!(text.get(Lang::En), "2 members");
        assert_eq!(text.get(Lang::ZhCn), "2 名成员");
        assert_eq!(text.to_string(), "2 members");
    }
}
