//! Activities: communication records, tasks with follow-up rules and reminders, notifications,
//! and the customer timeline they all write to.

pub mod interactions;
pub mod jobs;
pub mod notifications;
pub mod rules;
pub mod tasks;
pub mod timeline;
