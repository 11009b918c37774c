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
    /// Identity document numbers: the first character and the last four stay of a long number
    /// (居民身份证), the last two of a short one (passports, permits), so that what is hidden
    /// cannot be guessed by trying an exact lookup for each possibility.
    IdNumber,
    /// Bank account numbers: the last four digits stay, as on a receipt.
    BankAccount,
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
            ("id_number", PersonalKind::IdNumber),
            ("bank_account", PersonalKind::BankAccount),
        ],
        "contact" => &[
            ("phone", PersonalKind::Phone),
            ("mobile", PersonalKind::Phone),
            ("email", PersonalKind::Email),
            ("wechat", PersonalKind::Handle),
            ("birthday", PersonalKind::Birthday),
            ("id_number", PersonalKind::IdNumber),
            ("bank_account", PersonalKind::BankAccount),
        ],
        "portal_account" => &[("email", PersonalKind::Email)],
        _ => &[],
    }
}

/// The personal fields of each kind of record that are stored sealed (AES-256-GCM, see
/// [`super::keys`]) wherever the record is kept: its table's column, and the copies of the record
/// in its events, its audit entries and stored idempotent answers. Chosen by what a stolen
/// database file would cost the person:
///
/// - identity document and bank account numbers, street addresses and birthdays, of customers
///   and contacts alike (the fields of high sensitivity);
/// - a customer's own phone and email, which for an individual customer are a private person's
///   (and for a company cost little to seal: they are found by their blind index either way).
///
/// A contact's phones, email and WeChat id stay in clear at rest (masked in answers): they are
/// the business contact points of people at a company, which the list searches by exact value
/// through ordinary indexes. Exact lookup on a sealed field goes through its blind index.
pub fn sealed_fields(entity_type: &str) -> &'static [&'static str] {
    match entity_type {
        "customer" => &["phone", "email", "address", "birthday", "id_number", "bank_account"],
        "contact" => &["birthday", "id_number", "bank_account"],
        _ => &[],
    }
}

/// The table a kind of record is stored in, whose name with the field's names the key a sealed
/// value is bound to (`customers.address`): the same wherever a copy of the value is kept, so a
/// copy opens as its column does.
pub fn sealed_table(entity_type: &str) -> Option<&'static str> {
    match entity_type {
        "customer" => Some("customers"),
        "contact" => Some("contacts"),
        _ => None,
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
        PersonalKind::IdNumber if value.chars().count() >= 15 => Some(mask_middle(value, 1, 4)),
        PersonalKind::IdNumber => Some(mask_middle(value, 0, 2)),
        PersonalKind::BankAccount => Some(mask_middle(value, 0, 4)),
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
    fn documents_and_accounts_keep_only_their_ends() {
        assert_eq!(mask(PersonalKind::IdNumber, "11010519491231002X").as_deref(), Some("1*************002X"));
        assert_eq!(mask(PersonalKind::IdNumber, "E98765432").as_deref(), Some("*******32"));
        assert_eq!(mask(PersonalKind::BankAccount, "6222021234567890123").as_deref(), Some("***************0123"));
    }

    #[test]
    fn every_kind_with_personal_fields_is_listed_and_sealed_fields_are_personal() {
        assert_eq!(personal_fields("customer").len(), 6);
        assert_eq!(personal_fields("contact").len(), 7);
        assert!(personal_fields("order").is_empty());
        for entity in ["customer", "contact"] {
            assert!(sealed_table(entity).is_some());
            for field in sealed_fields(entity) {
                assert!(personal_fields(entity).iter().any(|(name, _)| name == field), "{entity}.{field}");
            }
        }
        assert!(sealed_fields("order").is_empty() && sealed_table("order").is_none());
    }
}
