//! Sign-in (`/auth/*`) and the administration of users, teams, roles and API keys.

pub mod api_keys;
pub mod auth;
pub mod roles;
pub mod sessions;
pub mod teams;
pub mod two_factor;
pub mod users;

pub mod passwords;

/// The context's routes, in the order actix matches them.
pub fn routes(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(auth::login)
        .service(auth::login_two_factor)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::me)
        .service(sessions::list_my_sessions)
        .service(sessions::end_my_session)
        .service(sessions::list_user_sessions)
        .service(sessions::end_user_session)
        .service(passwords::change_password)
        .service(two_factor::setup_two_factor)
        .service(two_factor::enable_two_factor)
        .service(two_factor::disable_two_factor)
        .service(two_factor::regenerate_recovery_codes)
        .service(two_factor::reset_two_factor)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::get_user)
        .service(users::update_user)
        .service(teams::list_teams)
        .service(teams::create_team)
        .service(teams::get_team)
        .service(teams::update_team)
        .service(teams::delete_team)
        .service(roles::list_roles)
        .service(roles::create_role)
        .service(roles::get_role)
        .service(roles::update_role)
        .service(roles::delete_role)
        .service(api_keys::list_api_keys)
        .service(api_keys::create_api_key)
        .service(api_keys::get_api_key)
        .service(api_keys::update_api_key)
        .service(api_keys::rotate_api_key)
        .service(api_keys::revoke_api_key);
}
