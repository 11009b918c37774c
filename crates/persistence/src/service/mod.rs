//! Service: tickets with SLA clocks and assignment.

pub mod tickets;
