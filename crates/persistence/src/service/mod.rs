//! Service: tickets with SLA clocks and assignment, the knowledge base, and the customer portal.

pub mod knowledge;
pub mod portal;
pub mod sla_policies;
pub mod tickets;
