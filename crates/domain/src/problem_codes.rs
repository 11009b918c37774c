//! Every `code` a problem+json body can carry, with what it means. Clients branch on these, so
//! the API lists them in its OpenAPI document, and tests keep this list equal to the codes the
//! source raises: a new refusal cannot ship without its entry.

/// The code of a problem kind that has no more specific one, and each specific code, with the
/// sentence the OpenAPI document shows for it.
pub const PROBLEM_CODES: &[(&str, &str)] = &[
    // Kinds: used when no rule-specific code applies.
    ("bad_request", "The request cannot be read: a malformed query parameter, header, path or JSON body."),
    ("validation", "One or more fields are invalid; `errors` lists each with its own code."),
    ("unauthorized", "Credentials are missing or not valid."),
    ("forbidden", "The caller's role does not allow this action."),
    ("not_found", "The record does not exist or the caller cannot see it."),
    ("no_route", "No endpoint at this path."),
    ("method_not_allowed", "The endpoint does not take this method; `Allow` lists those it takes."),
    ("stale_version", "`If-Match` named an old version; `current_version` is the record's version now."),
    ("payload_too_large", "The body is larger than the server accepts."),
    ("unsupported_media_type", "The body is not sent as application/json."),
    ("rate_limited", "Too many attempts; retry after `Retry-After` seconds."),
    ("unavailable", "The database is not reachable right now; retry after `Retry-After` seconds."),
    ("conflict", "The change conflicts with the record's state."),
    ("internal", "Something went wrong on the server; `request_id` identifies the request in its logs."),
    // Storage-level conflicts a client can cause.
    ("conflict.unique", "A value that must be unique is already taken."),
    ("conflict.reference", "A referenced record does not exist or is still in use."),
    // Sign-in and tokens.
    ("auth.required", "No bearer token was sent."),
    ("auth.invalid_credentials", "The email or password is wrong, or the account is deactivated."),
    ("auth.token_expired", "The access token has expired: refresh it."),
    ("auth.token_invalid", "The access token is not valid."),
    ("auth.refresh_invalid", "The refresh token is not valid."),
    ("auth.refresh_reused", "The refresh token was already used; the session is revoked."),
    ("auth.session_ended", "The session was ended (signed out or revoked)."),
    ("auth.session_expired", "The session has expired."),
    ("auth.account_deactivated", "The account is deactivated."),
    ("auth.account_missing", "The account no longer exists."),
    ("auth.no_role", "The account has no role."),
    ("metrics.token_required", "`/metrics` needs the metrics token."),
    // Idempotency.
    ("idempotency.key_reused", "The Idempotency-Key was used with a different request."),
    ("idempotency.not_replayable", "The keyed request was done, but its response carried secrets and is not kept."),
    ("idempotency.in_progress", "Another request with this Idempotency-Key was being processed; retry."),
    // Identity.
    ("role.key_taken", "A role with this key exists (`existing_id`)."),
    ("role.built_in", "Built-in roles cannot be changed or deleted."),
    ("role.in_use", "Users still have this role."),
    ("team.name_taken", "A team with this name exists (`existing_id`)."),
    ("team.in_use", "The team still has members, sub-teams or customers."),
    ("user.email_taken", "A user with this email exists (`existing_id`)."),
    ("user.self_change", "You cannot deactivate yourself or change your own role."),
    // Customers.
    ("customer.credit_code_taken", "Another live customer holds this unified social credit code (`existing_id`)."),
    // Sales.
    ("pipeline.name_taken", "A pipeline with this name exists (`existing_id`)."),
    ("pipeline.no_default", "There is no default pipeline."),
    ("pipeline.stage_key_taken", "The pipeline has a stage with this key (`existing_id`)."),
    ("product.sku_taken", "A product with this SKU exists (`existing_id`)."),
    // Service.
    ("ticket.close_reason_required", "Closing a ticket that was never resolved needs a close reason."),
    ("ticket.invalid_transition", "The ticket cannot move from its status to the one asked for."),
    ("ticket.closed", "The ticket is closed; open a new one."),
    ("ticket.not_resolved", "A ticket is rated after it is resolved."),
    ("ticket.already_rated", "The ticket is already rated; only the customer may change the rating."),
    ("team.no_agent", "The team has no active support agent to assign."),
    ("sla_policy.name_taken", "An SLA policy with this name exists (`existing_id`)."),
    ("sla_policy.in_use", "Tickets still follow this SLA policy."),
    ("sla_policy.no_default", "There is no default SLA policy."),
    ("sla_policy.default_required", "The default policy stays the default until another one is made the default."),
    ("sla_policy.default_not_deletable", "The default SLA policy cannot be deleted."),
    ("kb_category.name_taken", "A knowledge-base category with this name exists at this level (`existing_id`)."),
    ("kb_category.not_empty", "The category still holds articles or sub-categories."),
    ("portal.invitation_invalid", "The portal invitation is not valid or has expired."),
    ("portal.session_ended", "The portal session has ended."),
    ("portal.account_deactivated", "The portal account is deactivated."),
    ("portal.contact_missing", "The portal account's contact no longer exists."),
    ("portal_account.contact_taken", "This contact already has a portal account (`existing_id`)."),
    ("portal_account.inactive", "The portal account is deactivated; activate it first."),
    // Requirements.
    ("requirement.already_requested", "This customer already requests this requirement."),
    ("requirement.closed", "The requirement is closed and takes no more requesters."),
    ("requirement.not_delivered", "Feedback is asked once a requirement is delivered."),
    ("requirement.duplicate_by_merge", "A requirement becomes a duplicate only by merging it."),
    ("requirement.invalid_transition", "The requirement cannot move from its status to the one asked for."),
    // Customers.
    ("customer.invalid_stage_transition", "The customer cannot move from its lifecycle stage to the one asked for."),
    // Activities.
    ("task.invalid_transition", "The task cannot move from its status to the one asked for."),
    // Sales, more.
    ("pipeline.stage_in_use", "Opportunities are in this stage; retire it instead."),
    ("pipeline.last_stage_of_kind", "The pipeline would lose its last open, won or lost stage."),
    ("pipeline.no_open_stage", "The pipeline has no open stage."),
    ("opportunity.won_needs_amount", "An opportunity needs an amount greater than zero to be won."),
    ("opportunity.loss_reason_required", "A lost opportunity needs a loss reason."),
    ("opportunity.closed", "A won or lost opportunity moves only when reopened explicitly."),
    ("opportunity.same_stage", "The opportunity is already in this stage."),
    ("opportunity.not_won", "Only a won opportunity becomes an order."),
    ("opportunity.no_lines", "The opportunity has no lines to copy into an order."),
    ("order.external_id_taken", "The external system already has an order with this external id (`existing_id`)."),
    ("order.invalid_transition", "The order cannot move from its status to the one asked for."),
    ("order.not_editable", "Only a draft order can be edited."),
    ("order.not_deletable", "Only a draft order can be deleted."),
];
