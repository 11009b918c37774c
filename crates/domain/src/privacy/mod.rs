//! Personal information (PIPL): which fields of a record are personal and how they are shown to
//! people without the `pii` permission.

pub mod keys;
pub mod masking;
