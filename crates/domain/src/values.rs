//! The value kernel every context shares: `ValueError` (why a value was refused), the
//! `string_enum!` macro for closed sets stored as snake_case text, and the contact values
//! (email, phone, credit code, website) customers, contacts, users and portal accounts all use.
//! Each is built only by `parse`, which normalises what people type (spaces, case, Chinese phone
//! formats) and refuses what cannot be right.

use serde::Serialize;

use serde_json::{Map, Value};

use crate::error::HasCode;
use crate::message::Text;
use crate::text;

/// Why a value could not be parsed; the `code` is what API clients match on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("not a valid email address")]
    Email,
    #[error("not a valid phone number")]
    Phone,
    #[error("not a valid unified social credit code (18 characters with a matching check digit)")]
    CreditCode,
    #[error("not a valid http(s) URL")]
    Url,
    #[error("not a valid identity document number (5–20 letters and digits)")]
    IdNumber,
    #[error("not a valid resident identity card number (18 characters with a matching check digit)")]
    IdCard,
    #[error("not a valid bank account number (8–34 letters and digits)")]
    BankAccount,
    #[error("must be one of: {0}")]
    Choice(String),
    #[error("must not be in the future")]
    InFuture,
    #[error("must be between {0} and {1}")]
    Range(i64, i64),
    #[error(transparent)]
    Text(#[from] crate::text::TextError),
}

impl HasCode for ValueError {
    fn code(&self) -> &'static str {
        match self {
            ValueError::Email => "email",
            ValueError::Phone => "phone",
            ValueError::CreditCode => "credit_code",
            ValueError::Url => "url",
            ValueError::IdNumber => "id_number",
            ValueError::IdCard => "id_card",
            ValueError::BankAccount => "bank_account",
            ValueError::Choice(_) => "choice",
            ValueError::InFuture => "in_future",
            ValueError::Range(..) => "range",
            ValueError::Text(text) => text.code(),
        }
    }

    fn text(&self) -> Text {
        match self {
            ValueError::Email => text!("not a valid email address", "不是有效的电子邮箱地址"),
            ValueError::Phone => text!("not a valid phone number", "不是有效的电话号码"),
            ValueError::CreditCode => text!(
                "not a valid unified social credit code (18 characters with a matching check digit)",
                "不是有效的统一社会信用代码（18 位，校验位须正确）"
            ),
            ValueError::Url => text!("not a valid http(s) URL", "不是有效的 http(s) 网址"),
            ValueError::IdNumber => {
                text!("not a valid identity document number (5–20 letters and digits)", "不是有效的证件号码（5–20 位字母或数字）")
            }
            ValueError::IdCard => text!(
                "not a valid resident identity card number (18 characters with a matching check digit)",
                "不是有效的居民身份证号码（18 位，校验位须正确）"
            ),
            ValueError::BankAccount => {
                text!("not a valid bank account number (8–34 letters and digits)", "不是有效的银行账号（8–34 位字母或数字）")
            }
            ValueError::Choice(allowed) => text!("must be one of: {allowed}", "只能是以下之一：{allowed}"),
            ValueError::InFuture => text!("must not be in the future", "不能晚于今天"),
            ValueError::Range(min, max) => text!("must be between {min} and {max}", "须在 {min} 与 {max} 之间"),
            ValueError::Text(text) => text.text(),
        }
    }

    fn params(&self) -> Map<String, Value> {
        match self {
            ValueError::Choice(allowed) => {
                let allowed: Vec<Value> = allowed.split(", ").map(|choice| Value::from(choice.to_owned())).collect();
                Map::from_iter([("allowed".to_owned(), Value::Array(allowed))])
            }
            ValueError::Range(min, max) => Map::from_iter([("min".to_owned(), Value::from(*min)), ("max".to_owned(), Value::from(*max))]),
            ValueError::Text(text) => text.params(),
            _ => Map::new(),
        }
    }
}

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// A value read back from storage, which only `parse` (or a bulk load of values in
            /// the stored form) writes: taken as it is. Parsing it again would cost time on every
            /// read (a phone's metadata regexes took a quarter of the server's CPU on a 50-row
            /// list), and a rule tightened since it was written would silently drop it — and
            /// the next save of the record would erase it.
            pub fn from_stored(value: &str) -> Self {
                Self(value.to_owned())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// An email address, trimmed and lower-cased so that duplicates compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);
string_newtype!(Email);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim().to_lowercase();
        let (local, domain) = value.split_once('@').ok_or(ValueError::Email)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if local_ok && domain_ok && value.len() <= 254 { Ok(Self(value)) } else { Err(ValueError::Email) }
    }
}

/// A phone number in E.164 (`+8613812345678`). Input without a country code is read as Chinese,
/// so `138 1234 5678`, `021-6234 5678` and `(010)88886666` are all accepted as people type them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Phone(String);
string_newtype!(Phone);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > 32 {
            return Err(ValueError::Phone);
        }
        // A leading 00 is the international prefix dialled from China.
        let normalised = match trimmed.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => trimmed.to_owned(),
        };
        let number = phonenumber::parse(Some(phonenumber::country::Id::CN), &normalised).map_err(|_| ValueError::Phone)?;
        if !phonenumber::is_valid(&number) {
            return Err(ValueError::Phone);
        }
        Ok(Self(number.format().mode(phonenumber::Mode::E164).to_string()))
    }
}

/// Keeps the first `head` and last `tail` characters and stars the rest.
pub fn mask_middle(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - head - tail;
    chars[..head].iter().collect::<String>() + &"*".repeat(hidden) + &chars[chars.len() - tail..].iter().collect::<String>()
}

/// 统一社会信用代码: 18 characters from a 31-letter alphabet, the last a check digit over the
/// first 17 (GB 32100-2015).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CreditCode(String);
string_newtype!(CreditCode);

const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value: String = input.trim().to_uppercase();
        let digits: Vec<u32> =
            value.chars().map(|c| CREDIT_ALPHABET.find(c).map(|i| i as u32)).collect::<Option<Vec<u32>>>().ok_or(ValueError::CreditCode)?;
        if digits.len() != 18 {
            return Err(ValueError::CreditCode);
        }
        let sum: u32 = digits.iter().zip(CREDIT_WEIGHTS).map(|(d, w)| d * w).sum();
        let check = (31 - sum % 31) % 31;
        if digits[17] == check { Ok(Self(value)) } else { Err(ValueError::CreditCode) }
    }
}

/// What people type into a document or account number, as stored: spaces and hyphens dropped,
/// letters upper-cased; `None` when anything but letters and digits remains or the length is
/// outside `min..=max`.
fn document_characters(input: &str, min: usize, max: usize) -> Option<String> {
    let value: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_uppercase();
    let length_ok = (min..=max).contains(&value.len());
    (length_ok && value.chars().all(|c| c.is_ascii_alphanumeric())).then_some(value)
}

/// The number of a person's identity document (居民身份证, passport, other permit): 5–20 letters
/// and digits. Whether it must also be a valid resident identity card number depends on the
/// document type beside it (see [`IdNumber::is_resident_id_card`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct IdNumber(String);
string_newtype!(IdNumber);

const ID_CARD_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CARD_CHECKS: &[u8; 11] = b"10X98765432";

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        document_characters(input, 5, 20).map(Self).ok_or(ValueError::IdNumber)
    }

    /// Whether this is an 18-character resident identity card number whose last character is the
    /// check digit over the first 17 (GB 11643-1999, ISO 7064 MOD 11-2).
    pub fn is_resident_id_card(&self) -> bool {
        let bytes = self.0.as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return false;
        }
        let sum: u32 = bytes[..17].iter().zip(ID_CARD_WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
        bytes[17] == ID_CARD_CHECKS[(sum % 11) as usize]
    }
}

/// A bank account number (Chinese card and account numbers, or an IBAN): 8–34 letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct BankAccount(String);
string_newtype!(BankAccount);

impl BankAccount {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        document_characters(input, 8, 34).map(Self).ok_or(ValueError::BankAccount)
    }
}

/// A web address; `example.cn` is read as `https://example.cn`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct WebsiteUrl(String);
string_newtype!(WebsiteUrl);

impl WebsiteUrl {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > 2048 || trimmed.chars().any(char::is_whitespace) {
            return Err(ValueError::Url);
        }
        let candidate = if trimmed.contains("://") { trimmed.to_owned() } else { format!("https://{trimmed}") };
        let url = url::Url::parse(&candidate).map_err(|_| ValueError::Url)?;
        let host_ok = url.host_str().is_some_and(|host| host.contains('.') || host == "localhost");
        if matches!(url.scheme(), "http" | "https") && host_ok { Ok(Self(url.to_string())) } else { Err(ValueError::Url) }
    }
}

/// Defines a closed set of values stored and sent as snake_case strings.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(input: &str) -> Result<Self, $crate::values::ValueError> {
                match input.trim() {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::values::ValueError::Choice([$($text),+].join(", "))),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_lowercased_and_checked() {
        assert_eq!(Email::parse("  Li.Lei@Example.COM ").unwrap().as_str(), "li.lei@example.com");
        for bad in ["", "plain", "a@b", "@example.com", "a@@example.com", "a b@example.com", "a@-x.com", "a..b@x.com", "a@x.c0m"] {
            assert_eq!(Email::parse(bad), Err(ValueError::Email), "{bad}");
        }
    }

    #[test]
    fn phone_accepts_chinese_mobiles_and_landlines_as_typed() {
        let e164 = |s: &str| Phone::parse(s).map(|p| p.into_string());
        assert_eq!(e164("13812345678"), Ok("+8613812345678".into()));
        assert_eq!(e164("138 1234 5678"), Ok("+8613812345678".into()));
        assert_eq!(e164("+86 138-1234-5678"), Ok("+8613812345678".into()));
        assert_eq!(e164("008613812345678"), Ok("+8613812345678".into()));
        assert_eq!(e164("021-62345678"), Ok("+862162345678".into()));
        assert_eq!(e164("(010) 8888 6666"), Ok("+861088886666".into()));
        assert_eq!(e164("+1 650 253 0000"), Ok("+16502530000".into()));
        for bad in ["", "12345", "1381234567", "abc", "138123456789999", "+86 000"] {
            assert_eq!(Phone::parse(bad), Err(ValueError::Phone), "{bad}");
        }
    }

    #[test]
    fn mask_middle_stars_short_values_entirely() {
        assert_eq!(mask_middle("abc", 2, 2), "***");
        assert_eq!(mask_middle("+16502530000", 4, 4), "+165****0000");
    }

    #[test]
    fn a_stored_phone_reads_back_as_the_parsed_one() {
        for typed in ["138 1234 5678", "021-62345678", "+1 650 253 0000"] {
            let parsed = Phone::parse(typed).unwrap();
            let stored = Phone::from_stored(parsed.as_str());
            assert_eq!(stored.as_str(), parsed.as_str());
        }
    }

    #[test]
    fn credit_code_checks_its_check_digit() {
        assert_eq!(CreditCode::parse("91350100M000100Y43").unwrap().as_str(), "91350100M000100Y43");
        assert_eq!(CreditCode::parse(" 91350100m000100y43 ").unwrap().as_str(), "91350100M000100Y43");
        assert_eq!(CreditCode::parse("91350100M000100Y44"), Err(ValueError::CreditCode));
        assert_eq!(CreditCode::parse("91350100M000100Y4"), Err(ValueError::CreditCode));
        assert_eq!(CreditCode::parse("91350100I000100Y43"), Err(ValueError::CreditCode));
    }

    #[test]
    fn id_numbers_are_normalised_and_id_cards_check_their_last_character() {
        let card = IdNumber::parse(" 11010519491231002x ").unwrap();
        assert_eq!(card.as_str(), "11010519491231002X");
        assert!(card.is_resident_id_card());
        assert!(!IdNumber::parse("110105194912310021").unwrap().is_resident_id_card(), "wrong check digit");
        assert!(!IdNumber::parse("E12345678").unwrap().is_resident_id_card(), "a passport number");
        assert_eq!(IdNumber::parse("E1234-5678").unwrap().as_str(), "E12345678");
        for bad in ["", "1234", "E12345678#", "123456789012345678901"] {
            assert_eq!(IdNumber::parse(bad), Err(ValueError::IdNumber), "{bad}");
        }
    }

    #[test]
    fn bank_accounts_keep_letters_and_digits_only() {
        assert_eq!(BankAccount::parse("6222 0212 3456 7890 123").unwrap().as_str(), "6222021234567890123");
        assert_eq!(BankAccount::parse("gb82 west 1234 5698 7654 32").unwrap().as_str(), "GB82WEST12345698765432");
        for bad in ["1234567", "6222.0212.3456", "1234567890123456789012345678901234567"] {
            assert_eq!(BankAccount::parse(bad), Err(ValueError::BankAccount), "{bad}");
        }
    }

    #[test]
    fn website_gets_a_scheme_and_needs_a_real_host() {
        assert_eq!(WebsiteUrl::parse("example.cn").unwrap().as_str(), "https://example.cn/");
        assert_eq!(WebsiteUrl::parse("http://shop.example.com/a?b=1").unwrap().as_str(), "http://shop.example.com/a?b=1");
        for bad in ["", "ftp://example.com", "http://", "not a url", "javascript:alert(1)", "intranet"] {
            assert_eq!(WebsiteUrl::parse(bad), Err(ValueError::Url), "{bad}");
        }
    }
}
