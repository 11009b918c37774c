//! Personal information under PIPL (《个人信息保护法》): which fields of a record are personal and
//! how they are shown to people without the `pii` permission (masking), the keys that seal them at
//! rest, consents to be contacted, the requests people make about their data (access, export,
//! erasure, correction, withdrawal) with their statutory due dates, and the rules of erasure
//! (pseudonyms, what is personal, retention).

pub mod consents;
pub mod erasure;
pub mod keys;
pub mod masking;
pub mod requests;
pub mod sealing;

use crate::values::string_enum;

string_enum! {
    /// The kind of person a privacy record is about: an individual customer or a contact.
    SubjectType {
        /// A customer (its record and, when erased, its contacts).
        Customer => "customer",
        /// One contact of a customer.
        Contact => "contact",
    }
}
