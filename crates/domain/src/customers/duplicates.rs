//! Telling when two customers are likely the same (查重): the same phone, email or 统一社会信用代码,
//! or a very similar name in the same city. Names are compared by the character bigrams of
//! their distinctive part: the legal form (有限公司, Co., Ltd.) and the city or province they open
//! with say nothing about which company it is, so they are left out.

use std::collections::BTreeSet;

use crate::requirements::{bigrams, containment, similarity};

/// How alike two names must read to be offered as duplicates (0–1).
pub const NAME_THRESHOLD: f64 = 0.6;

/// Legal forms and generic words a company name ends with, longest first.
const LEGAL_FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "集团",
    "公司",
    "co., ltd.",
    "co.,ltd.",
    "co., ltd",
    "co.,ltd",
    "company limited",
    "limited",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "corporation",
    "corp.",
    "corp",
    "llc",
    "gmbh",
];

/// Administrative suffixes of a place name (上海市 → 上海).
const PLACE_SUFFIXES: &[&str] = &["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "省", "市", "区", "县"];

/// A place's short name: 上海市 → 上海, 广西壮族自治区 → 广西.
fn short_place(place: &str) -> &str {
    let place = place.trim();
    PLACE_SUFFIXES.iter().find_map(|suffix| place.strip_suffix(suffix).filter(|s| s.chars().count() >= 2)).unwrap_or(place)
}

/// The distinctive part of a name: lower case, the legal form dropped from the end (repeatedly:
/// 集团有限公司), and the city or province it opens with dropped from the start.
pub fn name_key(name: &str, places: &[&str]) -> String {
    let mut key = name.trim().to_lowercase();
    loop {
        let trimmed =
            key.trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == '.' || c == '(' || c == ')' || c == '（' || c == '）');
        let shorter = LEGAL_FORMS.iter().find_map(|form| trimmed.strip_suffix(form)).filter(|rest| !rest.trim().is_empty());
        match shorter {
            Some(rest) => key = rest.to_owned(),
            None => {
                key = trimmed.to_owned();
                break;
            }
        }
    }
    for place in places {
        for form in [place.trim(), short_place(place)] {
            if form.chars().count() >= 2
                && let Some(rest) = key.strip_prefix(form)
                && rest.chars().count() >= 2
            {
                key = rest.to_owned();
            }
        }
    }
    key
}

/// The bigrams a name is found by (see [`name_key`]).
pub fn name_grams(name: &str, places: &[&str]) -> BTreeSet<String> {
    bigrams(&name_key(name, places))
}

/// How alike two names read (0–1): their bigrams mostly agree (Dice), or the shorter one's are
/// nearly all in the longer one (浦江机械 in 浦江精密机械), weighted a little lower.
pub fn name_similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    similarity(a, b).max(0.9 * containment(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_legal_form_and_opening_place() {
        assert_eq!(name_key("上海浦江机械有限公司", &["上海市"]), "浦江机械");
        assert_eq!(name_key("浦江机械集团有限公司", &["上海市"]), "浦江机械");
        assert_eq!(name_key("Pujiang Machinery Co., Ltd.", &[]), "pujiang machinery");
        assert_eq!(name_key("上海公司", &["上海市"]), "上海", "a name that is only a place keeps it");
        assert_eq!(name_key("广西南宁糖业股份有限公司", &["广西壮族自治区", "南宁市"]), "糖业");
    }

    #[test]
    fn similar_names_score_above_the_threshold_and_different_ones_below() {
        let grams = |name: &str| name_grams(name, &["上海市"]);
        assert!(name_similarity(&grams("上海浦江机械有限公司"), &grams("浦江机械")) >= NAME_THRESHOLD);
        assert!(name_similarity(&grams("浦江精密机械有限公司"), &grams("上海浦江机械有限公司")) >= NAME_THRESHOLD);
        assert!(name_similarity(&grams("上海浦江机械有限公司"), &grams("上海七宝印刷有限公司")) < NAME_THRESHOLD);
        assert!(name_similarity(&grams("华为技术有限公司"), &grams("华润万家有限公司")) < NAME_THRESHOLD);
    }
}
