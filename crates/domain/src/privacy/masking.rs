//! How personal values are shown to someone whose `pii` scope does not reach the record: enough
//! to recognise a number one already knows (`138****5678`), never enough to contact the person.

use crate::values::{Phone, mask_middle};

/// A kind of personal value, which decides how it is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalKind {
    Phone,
    Email,
    /// WeChat ids and other handles.
    Handle,
    /// Street addresses: the administrative area stays, the street goes.
    Address,
    /// Dates of birth: hidden entirely (a date with stars is not a date).
    Birthday,
}

/// The personal fields of each kind of record that carries them, by their name in the record's
/// JSON (its `GET` shape, which the feed, webhooks and the audit log carry too).
pub fn personal_fields(entity_type: &str) -> &'static [(&'static str, PersonalKind)] {
    match entity_type {
        "customer" => &[
            ("phone", PersonalKind::Phone),
            ("email", PersonalKind::Email),
            ("address", PersonalKind::Address),
            ("birthday", PersonalKind::Birthday),
        ],
        "contact" => &[
            ("phone", PersonalKind::Phone),
            ("mobile", PersonalKind::Phone),
            ("email", PersonalKind::Email),
            ("wechat", PersonalKind::Handle),
            ("birthday", PersonalKind::Birthday),
        ],
        "portal_account" => &[("email", PersonalKind::Email)],
        _ => &[],
    }
}

/// The value as shown without the right to see it; `None` for kinds that are hidden entirely.
pub fn mask(kind: PersonalKind, value: &str) -> Option<String> {
    match kind {
        PersonalKind::Phone => Some(mask_phone(value)),
        PersonalKind::Email => Some(mask_email(value)),
        PersonalKind::Handle => Some(mask_handle(value)),
        PersonalKind::Address => Some(mask_address(value)),
        PersonalKind::Birthday => None,
    }
}

/// `+8613812345678` → `138****5678`; other numbers keep their country code's first digits and
/// the last four.
pub fn mask_phone(value: &str) -> String {
    match Phone::parse(value) {
        Ok(phone) => match phone.as_str().strip_prefix("+86") {
            Some(national) if national.len() == 11 => format!("{}****{}", &national[..3], &national[7..]),
            _ => mask_middle(phone.as_str(), 4, 4),
        },
        Err(_) => mask_middle(value, 2, 2),
    }
}

/// `zhang.san@example.com` → `z***@example.com`: the domain says which company, not who.
pub fn mask_email(value: &str) -> String {
    match value.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => mask_middle(value, 1, 0),
    }
}

/// `wxid_zhangsan88` → `w***8`.
pub fn mask_handle(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    match chars.as_slice() {
        [] => String::new(),
        [only] => format!("{only}***"),
        [first, .., last] => format!("{first}***{last}"),
    }
}

/// `上海市浦东新区张江路 100 号` → `上海市浦东新区****`: the address up to its last administrative
/// division (省, 市, 区, 县, 旗, 州, 盟, 镇 within the first twelve characters, and before any
/// digit or street word, so `解放路12号院3区` keeps nothing of its street) stays, the rest is
/// starred. Addresses without one (`221B Baker Street`) keep only their first two characters.
pub fn mask_address(value: &str) -> String {
    const DIVISIONS: [char; 8] = ['省', '市', '区', '县', '旗', '州', '盟', '镇'];
    const STREET: [char; 8] = ['路', '街', '道', '号', '巷', '弄', '村', '院'];
    let chars: Vec<char> = value.trim().chars().collect();
    let street_start = chars.iter().position(|c| c.is_ascii_digit() || STREET.contains(c)).unwrap_or(chars.len());
    let area_end = chars.iter().take(12.min(street_start)).rposition(|c| DIVISIONS.contains(c)).map(|i| i + 1);
    let keep = match area_end {
        Some(end) if end < chars.len() => end,
        // Nothing but the area (or no area at all): the first two characters say little.
        _ => chars.len().min(2),
    };
    chars[..keep].iter().collect::<String>() + "****"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_their_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("+8613812345678"), "138****5678");
        assert_eq!(mask_phone("138 1234 5678"), "138****5678");
        assert_eq!(mask_phone("+14155552671"), "+141****2671");
        assert!(!mask_phone("+862162345678").contains("6234"));
    }

    #[test]
    fn emails_keep_their_first_letter_and_domain() {
        assert_eq!(mask_email("zhang.san@example.com"), "z***@example.com");
        assert_eq!(mask_email("张三@例子.中国"), "张***@例子.中国");
    }

    #[test]
    fn addresses_keep_their_administrative_area() {
        assert_eq!(mask_address("上海市浦东新区张江路100号"), "上海市浦东新区****");
        assert_eq!(mask_address("北京市朝阳区建国路 88 号 SOHO 现代城"), "北京市朝阳区****");
        assert_eq!(mask_address("221B Baker Street"), "22****");
        assert_eq!(mask_address("上海市"), "上海****");
        assert_eq!(mask_address("解放路12号院3区1栋"), "解放****", "nothing of the street, even before a later 区");
        assert_eq!(mask_address("广东省深圳市南山区科技园 8 栋"), "广东省深圳市南山区****");
    }

    #[test]
    fn handles_keep_their_ends() {
        assert_eq!(mask_handle("wxid_zhangsan88"), "w***8");
        assert_eq!(mask_handle("a"), "a***");
    }

    #[test]
    fn birthdays_are_hidden_entirely() {
        assert_eq!(mask(PersonalKind::Birthday, "1990-05-01"), None);
    }

    #[test]
    fn every_kind_with_personal_fields_is_listed() {
        assert_eq!(personal_fields("customer").len(), 4);
        assert_eq!(personal_fields("contact").len(), 5);
        assert!(personal_fields("order").is_empty());
    }
}
