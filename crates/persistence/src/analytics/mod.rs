//! Analytics: sales reports, the funnel and the forecast, computed from the records the caller
//! may see.

pub mod organisation_days;
pub mod sales_reports;
