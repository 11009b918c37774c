//! Service: tickets with SLA clocks and assignment.

pub mod sla_policies;
pub mod tickets;
