//! The closed sets of values a customer record holds.

use crate::values::string_enum;

string_enum! {
    /// Whether the customer is an organisation or a private person.
    CustomerKind { Company => "company", Individual => "individual" }
}

string_enum! {
    /// Headcount band of a company customer.
    SizeBand { Micro => "micro", Small => "small", Medium => "medium", Large => "large", Enterprise => "enterprise" }
}

string_enum! {
    /// The customer's value class (A is the most valuable).
    ValueTier { A => "a", B => "b", C => "c" }
}

string_enum! {
    /// Gender of an individual customer.
    Gender { Male => "male", Female => "female", Other => "other" }
}

string_enum! {
    /// The kind of identity document a person's `id_number` belongs to.
    IdType {
        /// 居民身份证: its number is checked (18 characters, GB 11643 check digit).
        IdCard => "id_card",
        /// 护照.
        Passport => "passport",
        /// Any other permit (港澳居民来往内地通行证, 台湾居民来往大陆通行证, 外国人永久居留身份证…).
        Other => "other",
    }
}

string_enum! {
    /// How the customer first came to us.
    SourceChannel {
        Website => "website", Referral => "referral", Exhibition => "exhibition", ColdCall => "cold_call",
        Partner => "partner", Campaign => "campaign", Advertising => "advertising", Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::ValueError;

    #[test]
    fn enums_round_trip_their_text() {
        for tier in ValueTier::ALL {
            assert_eq!(ValueTier::parse(tier.as_str()), Ok(*tier));
        }
        assert_eq!(SourceChannel::parse("cold_call"), Ok(SourceChannel::ColdCall));
        assert!(matches!(SizeBand::parse("huge"), Err(ValueError::Choice(_))));
    }
}
