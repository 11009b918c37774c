//! Turning a request's text into domain values field by field, gathering every field's error so
//! that one answer lists them all. Each context's commands are built with it (see
//! `CustomerFields`, `InteractionFields`); a check that fails answers `None` and remembers why.

use chrono::NaiveDate;

use crate::error::{HasCode, ValidationErrors};
use crate::text::{bounded_text, non_blank};
use crate::values::ValueError;

/// The field errors of one request, gathered while its fields are parsed.
#[derive(Debug, Default)]
pub struct Check(pub ValidationErrors);

impl Check {
    /// Remembers `error` against `field`.
    pub fn fail(&mut self, field: &str, error: impl HasCode) {
        self.0.push(error.field_error(field));
    }

    /// Remembers the errors of a rule over several fields (`CustomerFields::check_consistency`).
    pub fn merge(&mut self, result: Result<(), ValidationErrors>) {
        if let Err(errors) = result {
            self.0.0.extend(errors.0);
        }
    }

    /// Whether every field checked so far is valid (rules across fields run only then).
    pub fn is_clean(&self) -> bool {
        self.0.is_empty()
    }

    /// A required single-line text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        bounded_text(value, max, false).map_err(|e| self.fail(field, e)).ok()
    }

    /// A required multi-line text (a comment, an article body) of at most `max` characters.
    pub fn long_text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        bounded_text(value, max, true).map_err(|e| self.fail(field, e)).ok()
    }

    /// An optional multi-line text; blank means none.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        bounded_text(value.and_then(non_blank)?, max, true).map_err(|e| self.fail(field, e)).ok()
    }

    /// An optional single-line text; blank means none.
    pub fn optional_line(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        bounded_text(value.and_then(non_blank)?, max, false).map_err(|e| self.fail(field, e)).ok()
    }

    /// A required value with its own parser.
    pub fn value<T>(&mut self, field: &str, value: &str, parse: impl Fn(&str) -> Result<T, ValueError>) -> Option<T> {
        parse(value).map_err(|e| self.fail(field, e)).ok()
    }

    /// An optional value with its own parser; blank means none.
    pub fn optional_value<T>(&mut self, field: &str, value: Option<&str>, parse: impl Fn(&str) -> Result<T, ValueError>) -> Option<T> {
        self.value(field, value.and_then(non_blank)?, parse)
    }

    /// An optional calendar date (`YYYY-MM-DD`, 1900–2199); blank means none.
    pub fn optional_date(&mut self, field: &str, value: Option<&str>) -> Option<NaiveDate> {
        crate::dates::parse_date(value.and_then(non_blank)?).map_err(|e| self.fail(field, e)).ok()
    }

    /// A number within `min..=max`.
    pub fn range(&mut self, field: &str, value: i32, min: i32, max: i32) -> Option<i32> {
        if (min..=max).contains(&value) {
            Some(value)
        } else {
            self.fail(field, ValueError::Range(min.into(), max.into()));
            None
        }
    }

    /// A tag list: trimmed, de-duplicated, bounded (each error names its `tags[i]`).
    pub fn tags(&mut self, tags: &[String]) -> Option<Vec<String>> {
        crate::customers::parse_tags(tags).map_err(|errors| self.0.0.extend(errors.0)).ok()
    }

    /// A merge-patch change of a nullable field: absent (`None`) leaves it alone; null or a value
    /// sets it to what `parse` makes of it (blank clears it for the optional checks above).
    pub fn change<T>(
        &mut self,
        value: &Option<Option<String>>,
        parse: impl FnOnce(&mut Self, Option<&str>) -> Option<T>,
    ) -> Option<Option<T>> {
        let inner = value.as_ref()?;
        Some(parse(self, inner.as_deref()))
    }

    /// A merge-patch change of an optional single-line text (null or blank clears it).
    pub fn line_change(&mut self, field: &str, value: &Option<Option<String>>, max: usize) -> Option<Option<String>> {
        self.change(value, |check, value| check.optional_line(field, value, max))
    }

    /// A merge-patch change of an optional multi-line text (null or blank clears it).
    pub fn text_change(&mut self, field: &str, value: &Option<Option<String>>, max: usize) -> Option<Option<String>> {
        self.change(value, |check, value| check.optional_text(field, value, max))
    }

    /// A merge-patch change of an optional value with its own parser (null or blank clears it).
    pub fn value_change<T>(
        &mut self,
        field: &str,
        value: &Option<Option<String>>,
        parse: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Option<Option<T>> {
        self.change(value, |check, value| check.optional_value(field, value, parse))
    }

    /// A merge-patch change of an optional date (null or blank clears it).
    pub fn date_change(&mut self, field: &str, value: &Option<Option<String>>) -> Option<Option<NaiveDate>> {
        self.change(value, |check, value| check.optional_date(field, value))
    }

    /// Every error gathered, or none.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        self.0.into_result()
    }

    /// Every error gathered, or the required values (`Option`s their checks returned), all
    /// present: a required check that answers `None` always records why, so a clean check with a
    /// value missing is a check that forgot to; it is reported against `body` rather than lost.
    pub fn finish_with<P: Present>(self, required: P) -> Result<P::Values, ValidationErrors> {
        self.0.into_result()?;
        required
            .present()
            .ok_or_else(|| ValidationErrors::single("body", "invalid", crate::text!("a required value is missing", "缺少必填的值")))
    }
}

/// A tuple of `Option`s that are all `Some` when every check passed.
pub trait Present {
    type Values;
    fn present(self) -> Option<Self::Values>;
}

impl<A> Present for Option<A> {
    type Values = A;
    fn present(self) -> Option<A> {
        self
    }
}

macro_rules! present_tuple {
    ($($name:ident),+) => {
        impl<$($name),+> Present for ($(Option<$name>,)+) {
            type Values = ($($name,)+);
            #[allow(non_snake_case)]
            fn present(self) -> Option<Self::Values> {
                let ($($name,)+) = self;
                Some(($($name?,)+))
            }
        }
    };
}

present_tuple!(A);
present_tuple!(A, B);
present_tuple!(A, B, C);
present_tuple!(A, B, C, D);
present_tuple!(A, B, C, D, E);
present_tuple!(A, B, C, D, E, F);
present_tuple!(A, B, C, D, E, F, G);
present_tuple!(A, B, C, D, E, F, G, H);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn every_field_error_is_gathered_before_the_answer() {
        let mut check = Check::default();
        let name = check.text("name", "  ", 10);
        let size = check.range("size", 11, 0, 10);
        let note = check.optional_text("note", Some(" "), 5);
        assert_eq!(note, None, "blank means none, not an error");
        let errors = check.finish_with((name, size)).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "size"]);
    }

    #[test]
    fn a_clean_check_hands_over_its_values() {
        let mut check = Check::default();
        let name = check.text("name", " 王 ", 10);
        let day = check.optional_date("day", Some("2026-12-03"));
        assert_eq!(check.finish_with((name, day)).unwrap(), ("王".to_owned(), NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()));
    }

    #[test]
    fn a_merge_patch_change_is_absent_null_or_a_value() {
        let mut check = Check::default();
        assert_eq!(check.change(&None, |c, v| c.optional_line("city", v, 10)), None);
        assert_eq!(check.change(&Some(None), |c, v| c.optional_line("city", v, 10)), Some(None));
        assert_eq!(check.change(&Some(Some("上海".into())), |c, v| c.optional_line("city", v, 10)), Some(Some("上海".into())));
    }

    #[test]
    fn a_clean_check_missing_a_value_says_so_instead_of_failing_later() {
        let check = Check::default();
        assert_eq!(check.finish_with((Some(1), None::<u8>)).unwrap_err().0[0].field, "body");
    }
}
