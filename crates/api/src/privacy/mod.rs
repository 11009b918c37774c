//! Personal information rights (PIPL): consents of customers and contacts, subject requests,
//! a person's export and erasure, and the retention list.

pub mod consents;
pub mod requests;
pub mod retention;
pub mod subjects;

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(consents::list_customer_consents)
        .service(consents::give_customer_consent)
        .service(consents::list_contact_consents)
        .service(consents::give_contact_consent)
        .service(consents::withdraw_consent)
        .service(requests::list_privacy_requests)
        .service(requests::create_privacy_request)
        .service(requests::get_privacy_request)
        .service(requests::complete_privacy_request)
        .service(requests::refuse_privacy_request)
        .service(subjects::export_subject)
        .service(subjects::erase_subject)
        .service(retention::get_privacy_settings)
        .service(retention::put_privacy_settings)
        .service(retention::list_retention_candidates);
}
