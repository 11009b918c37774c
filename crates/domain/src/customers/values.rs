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
