//! Service: tickets with their SLAs, the knowledge base and the customer portal.

pub mod knowledge;
pub mod portal;
pub mod tickets;

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(tickets::list_tickets)
        .service(tickets::create_ticket)
        .service(tickets::get_ticket)
        .service(tickets::move_ticket)
        .service(tickets::assign_ticket)
        .service(tickets::list_ticket_comments)
        .service(tickets::create_ticket_comment)
        .service(tickets::rate_ticket)
        .service(tickets::list_sla_policies)
        .service(tickets::create_sla_policy)
        .service(tickets::get_sla_policy)
        .service(tickets::update_sla_policy)
        .service(tickets::delete_sla_policy)
        .service(knowledge::list_ticket_articles)
        .service(knowledge::link_ticket_article)
        .service(knowledge::unlink_ticket_article)
        .service(knowledge::list_categories)
        .service(knowledge::create_category)
        .service(knowledge::update_category)
        .service(knowledge::delete_category)
        .service(knowledge::list_articles)
        .service(knowledge::create_article)
        .service(knowledge::get_article)
        .service(knowledge::update_article)
        .service(knowledge::delete_article)
        .service(knowledge::vote_article)
        .service(knowledge::list_revisions)
        .service(knowledge::get_revision)
        .service(portal::list_accounts)
        .service(portal::create_account)
        .service(portal::get_account)
        .service(portal::update_account)
        .service(portal::reinvite)
        .service(portal::get_service_settings)
        .service(portal::put_service_settings)
        .service(portal::portal_login)
        .service(portal::portal_accept_invitation)
        .service(portal::portal_logout)
        .service(portal::portal_me)
        .service(portal::portal_list_tickets)
        .service(portal::portal_create_ticket)
        .service(portal::portal_get_ticket)
        .service(portal::portal_list_comments)
        .service(portal::portal_reply)
        .service(portal::portal_rate)
        .service(portal::portal_list_categories)
        .service(portal::portal_list_articles)
        .service(portal::portal_get_article)
        .service(portal::portal_vote_article);
}
