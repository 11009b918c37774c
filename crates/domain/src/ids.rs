//! Typed ids for the places where two or three ids travel together and swapping them would
//! still compile with bare `Uuid`s: a ticket and the article linked to it, a pipeline and one of
//! its stages, a requirement and one of its requesters, an account and its session. Each is a
//! `Uuid` underneath, serialised as one.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

typed_ids! {
    /// A staff user.
    UserId,
    /// A signed-in session of a staff user or a portal account.
    SessionId,
    /// A customer's account on the self-service portal.
    PortalAccountId,
    /// A sales pipeline.
    PipelineId,
    /// A stage of a sales pipeline.
    StageId,
    /// A customer requirement.
    RequirementId,
    /// One customer's request for a requirement.
    RequesterId,
    /// A service ticket.
    TicketId,
    /// A knowledge-base article.
    ArticleId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_id_is_its_uuid_on_the_wire_and_in_text() {
        let uuid = Uuid::now_v7();
        let ticket = TicketId(uuid);
        assert_eq!(serde_json::to_value(ticket).expect("serialises"), serde_json::json!(uuid));
        assert_eq!(ticket.to_string(), uuid.to_string());
        assert_eq!(Uuid::from(ticket), uuid);
        assert_eq!(serde_json::from_value::<TicketId>(serde_json::json!(uuid)).expect("reads"), ticket);
    }
}
