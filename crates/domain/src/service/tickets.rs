//! Moving a ticket through the service process, and why a ticket was closed without being
//! resolved. A help desk reports on closures: a queue full of spam or duplicates is noise, a queue
//! full of unreachable customers is lost contact, and neither should count as resolved work. So a
//! ticket that never reached 已解决 is closed only with a reason; one that was resolved may carry
//! one but need not (the customer confirmed, or simply went quiet after the fix).

use uuid::Uuid;

// The macro as the service module imports it.
use super::{TicketStatus, string_enum};
use serde_json::{Map, Value};

use crate::error::{FieldError, HasCode, ValidationErrors};
use crate::message::Text;
use crate::text;
use crate::text::{bounded_text, non_blank};

string_enum! {
    /// 关闭原因: why a ticket was closed before (or instead of) being resolved.
    CloseReason {
        /// 垃圾信息: not a real request (advertising, a wrong number, a test).
        Spam => "spam",
        /// 重复工单: the same request as another ticket, which `duplicate_of` may name.
        Duplicate => "duplicate",
        /// 客户无响应: the customer did not answer while we needed them.
        CustomerUnreachable => "customer_unreachable",
        /// 客户撤回: the customer no longer needs help.
        WithdrawnByCustomer => "withdrawn_by_customer",
        /// 其他: explained in the note, which is then required.
        Other => "other",
    }
}

/// The longest close note, in characters.
pub const CLOSE_NOTE_MAX: usize = 1000;

/// Why a ticket is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub reason: CloseReason,
    /// A few words for colleagues; required with [`CloseReason::Other`].
    pub note: Option<String>,
    /// The ticket this one repeats; only with [`CloseReason::Duplicate`], and never the ticket itself.
    pub duplicate_of: Option<Uuid>,
}

impl Closure {
    /// The rule that needs the closed ticket's id: a ticket cannot be a duplicate of itself.
    /// (That the other ticket exists and the caller may read it is the store's to check.)
    pub fn check_for(&self, ticket: Uuid) -> Result<(), ValidationErrors> {
        if self.duplicate_of == Some(ticket) {
            return Err(ValidationErrors::single(
                "duplicate_of",
                "self",
                text!("a ticket cannot be a duplicate of itself", "服务请求不能与自身重复"),
            ));
        }
        Ok(())
    }
}

/// A requested move: the status to go to and, for a close, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMove {
    pub to: TicketStatus,
    pub closure: Option<Closure>,
}

/// A move as a client sends it, before parsing.
#[derive(Debug, Clone, Copy, Default)]
pub struct MoveInput<'a> {
    pub status: &'a str,
    pub close_reason: Option<&'a str>,
    pub close_note: Option<&'a str>,
    pub duplicate_of: Option<Uuid>,
}

impl TicketMove {
    /// A move that carries nothing but its target (every move but a close).
    pub fn to(status: TicketStatus) -> Self {
        Self { to: status, closure: None }
    }

    /// A close with a reason.
    pub fn close(closure: Closure) -> Self {
        Self { to: TicketStatus::Closed, closure: Some(closure) }
    }

    /// Parses a requested move, reporting every invalid field at once. Blank reasons and notes
    /// count as absent. The close fields belong to a move to `closed`; a note explains a reason
    /// and `duplicate_of` names the ticket a duplicate repeats, so neither comes without one.
    /// Whether the ticket needs a reason at all depends on where it stands: see
    /// [`TicketStatus::check_move`].
    pub fn parse(input: MoveInput<'_>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let to = errors.check("status", TicketStatus::parse(input.status));
        let reason = match input.close_reason.and_then(non_blank) {
            Some(text) => errors.check("close_reason", CloseReason::parse(text)).map(Some),
            None => Some(None),
        };
        let note = match input.close_note.and_then(non_blank) {
            Some(text) => errors.check("close_note", bounded_text(text, CLOSE_NOTE_MAX, true)).map(Some),
            None => Some(None),
        };
        let (Some(to), Some(reason), Some(note)) = (to, reason, note) else {
            return Err(errors);
        };
        let duplicate_of = input.duplicate_of;
        if to != TicketStatus::Closed {
            let sent = [("close_reason", reason.is_some()), ("close_note", note.is_some()), ("duplicate_of", duplicate_of.is_some())];
            for (field, _) in sent.iter().filter(|(_, sent)| *sent) {
                errors.push(FieldError::new(
                    *field,
                    "not_allowed",
                    text!("only a move to closed says why the ticket is closed", "只有关闭服务请求时才填写关闭原因"),
                ));
            }
            return errors.into_result().map(|()| Self::to(to));
        }
        let Some(reason) = reason else {
            for (field, sent) in [("close_note", note.is_some()), ("duplicate_of", duplicate_of.is_some())] {
                if sent {
                    errors.push(FieldError::new(field, "not_allowed", text!("choose a close reason first", "请先选择关闭原因")));
                }
            }
            return errors.into_result().map(|()| Self::to(to));
        };
        if reason == CloseReason::Other && note.is_none() {
            errors.push(FieldError::new(
                "close_note",
                "required",
                text!("say in a note why the ticket is closed", "请在备注中说明关闭原因"),
            ));
        }
        if reason != CloseReason::Duplicate && duplicate_of.is_some() {
            errors.push(FieldError::new(
                "duplicate_of",
                "not_allowed",
                text!("only a duplicate names the ticket it repeats", "只有“重复工单”才需指明与哪个服务请求重复"),
            ));
        }
        errors.into_result().map(|()| Self::close(Closure { reason, note, duplicate_of }))
    }
}

/// Why a ticket cannot make a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("a ticket that is {from} cannot become {to}")]
    NotAllowed { from: TicketStatus, to: TicketStatus },
    #[error("a ticket closed before it is resolved needs a close reason (spam, duplicate, …)")]
    CloseReasonRequired,
}

impl HasCode for MoveError {
    /// The stable code clients branch on.
    fn code(&self) -> &'static str {
        match self {
            MoveError::NotAllowed { .. } => "ticket.invalid_transition",
            MoveError::CloseReasonRequired => "ticket.close_reason_required",
        }
    }

    fn text(&self) -> Text {
        match self {
            MoveError::NotAllowed { from, to } => {
                let (from_zh, to_zh) = (from.label_zh(), to.label_zh());
                text!("a ticket that is {from} cannot become {to}", "服务请求当前为“{from_zh}”，不能改为“{to_zh}”")
            }
            MoveError::CloseReasonRequired => text!(
                "a ticket closed before it is resolved needs a close reason (spam, duplicate, …)",
                "尚未解决的服务请求关闭时须选择关闭原因（垃圾信息、重复工单等）"
            ),
        }
    }

    fn params(&self) -> Map<String, Value> {
        match self {
            MoveError::NotAllowed { from, to } => {
                Map::from_iter([("from".to_owned(), Value::from(from.as_str())), ("to".to_owned(), Value::from(to.as_str()))])
            }
            MoveError::CloseReasonRequired => Map::new(),
        }
    }
}

impl TicketStatus {
    /// Whether a ticket standing here may make `request`: the process allows the step, and a
    /// ticket closed without having been resolved says why.
    pub fn check_move(self, request: &TicketMove) -> Result<(), MoveError> {
        if !self.can_move_to(request.to) {
            return Err(MoveError::NotAllowed { from: self, to: request.to });
        }
        if request.to == TicketStatus::Closed && self != TicketStatus::Resolved && request.closure.is_none() {
            return Err(MoveError::CloseReasonRequired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(status: &str) -> MoveInput<'_> {
        MoveInput { status, ..MoveInput::default() }
    }

    fn fields(result: Result<TicketMove, ValidationErrors>) -> Vec<(String, String)> {
        result.unwrap_err().0.into_iter().map(|e| (e.field, e.code)).collect()
    }

    fn pair(field: &str, code: &str) -> (String, String) {
        (field.to_owned(), code.to_owned())
    }

    #[test]
    fn a_ticket_never_resolved_is_closed_only_with_a_reason() {
        use TicketStatus::*;
        let bare = TicketMove::to(Closed);
        let spam = TicketMove::close(Closure { reason: CloseReason::Spam, note: None, duplicate_of: None });
        for from in [New, InProgress, WaitingCustomer] {
            assert_eq!(from.check_move(&bare), Err(MoveError::CloseReasonRequired), "{from}");
            assert_eq!(from.check_move(&spam), Ok(()), "{from}");
        }
        assert_eq!(Resolved.check_move(&bare), Ok(()), "the reason is optional after resolution");
        assert_eq!(Resolved.check_move(&spam), Ok(()));
        assert_eq!(Closed.check_move(&spam), Err(MoveError::NotAllowed { from: Closed, to: Closed }));
        assert_eq!(MoveError::CloseReasonRequired.code(), "ticket.close_reason_required");
    }

    #[test]
    fn close_fields_parse_with_their_rules() {
        let closed = TicketMove::parse(MoveInput { close_reason: Some(" duplicate "), close_note: Some("  "), ..input("closed") }).unwrap();
        assert_eq!(closed.closure, Some(Closure { reason: CloseReason::Duplicate, note: None, duplicate_of: None }));
        assert_eq!(
            TicketMove::parse(MoveInput { close_reason: Some(""), ..input("closed") }).unwrap(),
            TicketMove::to(TicketStatus::Closed)
        );
        let other = MoveInput { close_reason: Some("other"), ..input("closed") };
        assert_eq!(fields(TicketMove::parse(other)), [pair("close_note", "required")]);
        let explained = TicketMove::parse(MoveInput { close_note: Some("客户公司已注销"), ..other }).unwrap();
        assert_eq!(explained.closure.and_then(|c| c.note).as_deref(), Some("客户公司已注销"));
        let elsewhere = Uuid::now_v7();
        let misnamed = MoveInput { close_reason: Some("spam"), duplicate_of: Some(elsewhere), ..input("closed") };
        assert_eq!(fields(TicketMove::parse(misnamed)), [pair("duplicate_of", "not_allowed")]);
        let unexplained = MoveInput { close_note: Some("why"), duplicate_of: Some(elsewhere), ..input("closed") };
        assert_eq!(fields(TicketMove::parse(unexplained)), [pair("close_note", "not_allowed"), pair("duplicate_of", "not_allowed")]);
        let bad = MoveInput { status: "shut", close_reason: Some("bored"), close_note: Some(&"x".repeat(CLOSE_NOTE_MAX + 1)), ..input("") };
        assert_eq!(
            fields(TicketMove::parse(bad)),
            [pair("status", "choice"), pair("close_reason", "choice"), pair("close_note", "too_long")]
        );
    }

    #[test]
    fn only_a_close_says_why() {
        let reopen = MoveInput { close_reason: Some("spam"), ..input("in_progress") };
        assert_eq!(fields(TicketMove::parse(reopen)), [pair("close_reason", "not_allowed")]);
        assert_eq!(TicketMove::parse(input("resolved")).unwrap(), TicketMove::to(TicketStatus::Resolved));
    }

    #[test]
    fn a_duplicate_names_another_ticket() {
        let ticket = Uuid::now_v7();
        let closure = |duplicate_of| Closure { reason: CloseReason::Duplicate, note: None, duplicate_of: Some(duplicate_of) };
        assert!(closure(Uuid::now_v7()).check_for(ticket).is_ok());
        assert_eq!(closure(ticket).check_for(ticket).unwrap_err().0[0].code, "self");
    }
}
