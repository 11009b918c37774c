//! Texts the system writes for people (the follow-up tasks its rules create, the notifications
//! it sends) are stored as a code with parameters and worded when they are read, in the reader's
//! language: a Chinese manager reading a task the scheduler wrote for an English-speaking owner
//! reads Chinese, and a user who switches language reads their old notifications in the new one.

use serde::{Deserialize, Serialize};

use crate::customers::LifecycleStage;
use crate::message::{Lang, Text};
use crate::sales::OrderStatus;
use crate::text;

/// One text the system wrote, as its code (`code`) and parameters (`params`) — the form it is
/// stored in. Codes are stable: a stored row must read the same after an upgrade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", content = "params")]
pub enum SystemText {
    /// The title of a follow-up task a rule created for a customer nobody contacted.
    #[serde(rename = "task.follow_up")]
    FollowUp { customer: String, days: i64 },
    /// Its description: how long, and under which rule.
    #[serde(rename = "task.follow_up.description")]
    FollowUpDescription { customer: String, days: i64, stage: LifecycleStage, silent_days: i32 },
    /// A task was given to the reader.
    #[serde(rename = "notification.task_assigned")]
    TaskAssigned { task: Box<Wording> },
    /// A task's reminder time came.
    #[serde(rename = "notification.task_due")]
    TaskDue { task: Box<Wording> },
    /// A task's due time passed while it was open.
    #[serde(rename = "notification.task_overdue")]
    TaskOverdue { task: Box<Wording> },
    /// A new ticket was assigned to the reader when it was opened.
    #[serde(rename = "notification.ticket_created")]
    TicketCreated { number: String, subject: String },
    /// An existing ticket was assigned to the reader.
    #[serde(rename = "notification.ticket_assigned")]
    TicketAssigned { number: String, subject: String },
    /// A ticket missed one of its SLA deadlines.
    #[serde(rename = "notification.sla_breached")]
    SlaBreached { number: String, subject: String },
    /// Which deadline it missed.
    #[serde(rename = "notification.sla_clock")]
    SlaClock { clock: SlaClock },
    /// A ticket has used most of its resolution time.
    #[serde(rename = "notification.sla_at_risk")]
    SlaAtRisk { number: String, subject: String },
    /// Why a customer's purchase figures (and perhaps its stage) changed: an order moved.
    #[serde(rename = "audit.order_moved")]
    OrderMoved { number: String, status: OrderStatus },
    /// A webhook subscription of the reader's was disabled by the server.
    #[serde(rename = "notification.webhook_disabled")]
    WebhookDisabled { url: String, reason: crate::platform::webhooks::DisabledReason },
}

/// The two deadlines of a ticket's SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaClock {
    FirstResponse,
    Resolution,
}

impl SystemText {
    /// The text in both languages.
    pub fn text(&self) -> Text {
        match self {
            SystemText::FollowUp { customer, days } => {
                text!("Follow up {customer} ({days} days without contact)", "跟进 {customer}（{days} 天未联系）")
            }
            SystemText::FollowUpDescription { customer, days, stage, silent_days } => {
                let stage_zh = stage.label_zh();
                text!(
                    "Follow up {customer}: no interaction for {days} days (rule: {stage} after {silent_days} days).",
                    "跟进 {customer}：已 {days} 天未联系（规则：{stage_zh}超过 {silent_days} 天未联系）。"
                )
            }
            SystemText::TaskAssigned { task } => {
                let (en, zh) = (task.render(Lang::En), task.render(Lang::ZhCn));
                text!("New task: {en}", "新任务：{zh}")
            }
            SystemText::TaskDue { task } => {
                let (en, zh) = (task.render(Lang::En), task.render(Lang::ZhCn));
                text!("Reminder: {en}", "提醒：{zh}")
            }
            SystemText::TaskOverdue { task } => {
                let (en, zh) = (task.render(Lang::En), task.render(Lang::ZhCn));
                text!("Overdue: {en}", "已逾期：{zh}")
            }
            SystemText::TicketCreated { number, subject } => text!("New ticket {number}: {subject}", "新服务请求 {number}：{subject}"),
            SystemText::TicketAssigned { number, subject } => {
                text!("Ticket assigned {number}: {subject}", "分配给您的服务请求 {number}：{subject}")
            }
            SystemText::SlaBreached { number, subject } => text!("SLA breached {number}: {subject}", "SLA 已超时 {number}：{subject}"),
            SystemText::SlaClock { clock: SlaClock::FirstResponse } => text!("first response", "首次响应超时"),
            SystemText::SlaClock { clock: SlaClock::Resolution } => text!("resolution", "解决超时"),
            SystemText::SlaAtRisk { number, subject } => text!("SLA at risk {number}: {subject}", "SLA 即将超时 {number}：{subject}"),
            SystemText::WebhookDisabled { url, reason: crate::platform::webhooks::DisabledReason::Gone } => {
                text!("Webhook disabled: {url} answered 410 Gone", "Webhook 已停用：{url} 回复 410（已不存在）")
            }
            SystemText::WebhookDisabled { url, reason: crate::platform::webhooks::DisabledReason::Failing } => {
                text!("Webhook disabled: deliveries to {url} failed for 5 days", "Webhook 已停用：发往 {url} 的推送已连续失败 5 天")
            }
            SystemText::OrderMoved { number, status } => {
                let status_zh = status.label_zh();
                text!("order {number} {status}", "订单 {number} {status_zh}")
            }
        }
    }

    /// The text in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        self.text().get(lang).to_owned()
    }

    /// Whether `words` are this text as someone read it, in either language: a client that
    /// sends back what it was shown has not rewritten it.
    pub fn reads_as(&self, words: &str) -> bool {
        [Lang::En, Lang::ZhCn].into_iter().any(|lang| self.text().get(lang) == words)
    }

    /// The form it is stored in: `{"code": …, "params": {…}}`.
    pub fn to_stored(&self) -> String {
        self.to_value().to_string()
    }

    /// The stored form as a JSON value, for a field of a larger document (an audit entry).
    pub fn to_value(&self) -> serde_json::Value {
        // A plain enum of strings and numbers always serialises.
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// A text as stored: the system's (worded per reader) or a person's (shown as they wrote it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Wording {
    System(SystemText),
    Person(String),
}

impl Wording {
    /// The text as `lang` reads it.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Wording::System(text) => text.render(lang),
            Wording::Person(words) => words.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_text_is_stored_as_code_and_parameters_and_worded_per_reader() {
        let title = SystemText::FollowUp { customer: "唐明辉".into(), days: 20 };
        assert_eq!(title.to_stored(), r#"{"code":"task.follow_up","params":{"customer":"唐明辉","days":20}}"#);
        let read: SystemText = serde_json::from_str(&title.to_stored()).expect("reads back");
        assert_eq!(read, title);
        assert_eq!(read.render(Lang::ZhCn), "跟进 唐明辉（20 天未联系）");
        assert_eq!(read.render(Lang::En), "Follow up 唐明辉 (20 days without contact)");
    }

    #[test]
    fn a_notification_about_a_task_words_the_task_as_the_reader_reads_it() {
        let by_rule =
            SystemText::TaskOverdue { task: Box::new(Wording::System(SystemText::FollowUp { customer: "上海申通".into(), days: 31 })) };
        assert_eq!(by_rule.render(Lang::ZhCn), "已逾期：跟进 上海申通（31 天未联系）");
        assert_eq!(by_rule.render(Lang::En), "Overdue: Follow up 上海申通 (31 days without contact)");
        let by_person = SystemText::TaskDue { task: Box::new(Wording::Person("给王总回电话".into())) };
        assert_eq!(by_person.render(Lang::ZhCn), "提醒：给王总回电话");
        let stored = by_rule.to_stored();
        assert_eq!(serde_json::from_str::<SystemText>(&stored).expect("reads back"), by_rule);
    }

    #[test]
    fn the_description_names_the_stage_in_the_readers_language() {
        let description =
            SystemText::FollowUpDescription { customer: "甲".into(), days: 40, stage: LifecycleStage::Potential, silent_days: 30 };
        assert_eq!(description.render(Lang::ZhCn), "跟进 甲：已 40 天未联系（规则：潜在客户超过 30 天未联系）。");
        assert_eq!(description.render(Lang::En), "Follow up 甲: no interaction for 40 days (rule: potential after 30 days).");
    }

    #[test]
    fn an_order_move_names_the_status_in_the_readers_language() {
        let reason = SystemText::OrderMoved { number: "SO-000007".into(), status: OrderStatus::Confirmed };
        assert_eq!(
            reason.to_value(),
            serde_json::json!({ "code": "audit.order_moved", "params": { "number": "SO-000007", "status": "confirmed" } })
        );
        assert_eq!(reason.render(Lang::En), "order SO-000007 confirmed");
        assert_eq!(reason.render(Lang::ZhCn), format!("订单 SO-000007 {}", OrderStatus::Confirmed.label_zh()));
    }

    #[test]
    fn a_text_reads_as_itself_in_either_language_and_as_nothing_else() {
        let title = SystemText::FollowUp { customer: "甲".into(), days: 3 };
        assert!(title.reads_as("跟进 甲（3 天未联系）"));
        assert!(title.reads_as("Follow up 甲 (3 days without contact)"));
        assert!(!title.reads_as("跟进 甲（4 天未联系）"));
    }

    #[test]
    fn an_unknown_code_does_not_read_as_a_system_text() {
        assert!(serde_json::from_str::<SystemText>(r#"{"code":"nothing.like.this","params":{}}"#).is_err());
    }
}
