//! Communication records (`/interactions`), tasks (`/tasks`), follow-up rules
//! (`/follow-up-rules`), notifications (`/notifications`) and the customer timeline.

pub mod interactions;
pub mod notifications;
pub mod rules;
pub mod tasks;
pub mod timeline;

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(timeline::customer_timeline)
        .service(interactions::batch_interactions)
        .service(interactions::list_interactions)
        .service(interactions::export_interactions)
        .service(interactions::create_interaction)
        .service(interactions::get_interaction)
        .service(interactions::update_interaction)
        .service(interactions::delete_interaction)
        .service(interactions::restore_interaction)
        .service(tasks::batch_tasks)
        .service(tasks::list_tasks)
        .service(tasks::export_tasks)
        .service(tasks::create_task)
        .service(tasks::get_task)
        .service(tasks::update_task)
        .service(tasks::delete_task)
        .service(tasks::complete_task)
        .service(tasks::cancel_task)
        .service(tasks::reopen_task)
        .service(rules::list_rules)
        .service(rules::create_rule)
        .service(rules::get_rule)
        .service(rules::update_rule)
        .service(rules::delete_rule)
        .service(notifications::unread_notifications)
        .service(notifications::read_all_notifications)
        .service(notifications::list_notifications)
        .service(notifications::read_notification);
}
