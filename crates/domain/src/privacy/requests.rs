//! Subject requests (个人信息主体请求): a person asks to see, export, erase or correct their data,
//! or withdraws consent. PIPL practice answers within 15 days, so each request is due 15 days
//! after it was received, and one still open after that is overdue.

use chrono::{DateTime, Duration, Utc};

use crate::values::string_enum;

string_enum! {
    /// What the person asks for.
    RequestKind {
        /// To be told what is stored about them (查阅).
        Access => "access",
        /// A copy of their data (复制/转移).
        Export => "export",
        /// Erasure of their data (删除).
        Erase => "erase",
        /// Correction of their data (更正).
        Correct => "correct",
        /// Withdrawal of a consent (撤回同意).
        Withdraw => "withdraw",
    }
}

string_enum! {
    /// Where a request stands: received, then completed or refused (with a reason), once.
    RequestStatus {
        /// Open, to be answered by `due_at`.
        Received => "received",
        /// Done.
        Completed => "completed",
        /// Refused, with the reason told to the person.
        Refused => "refused",
    }
}

/// Days within which a request is answered.
pub const DUE_DAYS: i64 = 15;

/// Longest channel, notes and refusal reason.
pub const CHANNEL_MAX: usize = 100;
pub const NOTES_MAX: usize = 4000;
pub const REASON_MAX: usize = 2000;

/// When a request received at `received_at` is due.
pub fn due_at(received_at: DateTime<Utc>) -> DateTime<Utc> {
    received_at + Duration::days(DUE_DAYS)
}

impl RequestStatus {
    /// A request is answered once: only a received one can be completed or refused.
    pub fn can_move_to(self, next: RequestStatus) -> bool {
        self == RequestStatus::Received && next != RequestStatus::Received
    }
}

/// Whether a request is still open after its due time.
pub fn is_overdue(status: RequestStatus, due_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == RequestStatus::Received && due_at < now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_due_fifteen_days_after_it_was_received() {
        let received: DateTime<Utc> = "2026-03-01T08:00:00Z".parse().unwrap();
        assert_eq!(due_at(received), "2026-03-16T08:00:00Z".parse::<DateTime<Utc>>().unwrap());
    }

    #[test]
    fn only_an_open_request_past_its_due_time_is_overdue() {
        let due: DateTime<Utc> = "2026-03-16T08:00:00Z".parse().unwrap();
        let later = due + Duration::minutes(1);
        assert!(is_overdue(RequestStatus::Received, due, later));
        assert!(!is_overdue(RequestStatus::Received, due, due - Duration::minutes(1)));
        assert!(!is_overdue(RequestStatus::Completed, due, later));
    }

    #[test]
    fn a_request_is_answered_once() {
        assert!(RequestStatus::Received.can_move_to(RequestStatus::Completed));
        assert!(RequestStatus::Received.can_move_to(RequestStatus::Refused));
        assert!(!RequestStatus::Completed.can_move_to(RequestStatus::Refused));
        assert!(!RequestStatus::Refused.can_move_to(RequestStatus::Completed));
    }
}
