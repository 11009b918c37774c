import type { components, paths } from './generated/schema';

/*
 * Types are read off the operations rather than schema names, so the UI does not depend on
 * what the server's OpenAPI document calls its DTOs.
 */
type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A } ? JsonOf<A> : R extends { 201: infer A } ? JsonOf<A> : never
  : never;
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

export type Me = Ok<'/api/v1/auth/me', 'get'>;
/** What a correct password answers: tokens, or a second-factor challenge. */
export type LoginResponse = Ok<'/api/v1/auth/login', 'post'>;
export type TokenResponse = Ok<'/api/v1/auth/login/2fa', 'post'>;
export type TwoFactorChallenge = Exclude<LoginResponse, TokenResponse>;
export type TwoFactorSetup = Ok<'/api/v1/auth/2fa/setup', 'post'>;
export type Customer = Ok<'/api/v1/customers/{id}', 'get'>;
export type CustomerPage = Ok<'/api/v1/customers', 'get'>;
export type CreateCustomer = Body<'/api/v1/customers', 'post'>;
export type UpdateCustomer = Body<'/api/v1/customers/{id}', 'patch'>;
export type LifecycleStage = Customer['lifecycle_stage'];
export type Contact = Ok<'/api/v1/contacts/{id}', 'get'>;
export type CreateContact = Body<'/api/v1/customers/{id}/contacts', 'post'>;
export type UpdateContact = Body<'/api/v1/contacts/{id}', 'patch'>;
export type StageChange = Ok<'/api/v1/customers/{id}/stage-history', 'get'>['data'][number];
export type User = Ok<'/api/v1/users/{id}', 'get'>;
export type CreateUser = Body<'/api/v1/users', 'post'>;
export type UpdateUser = Body<'/api/v1/users/{id}', 'patch'>;
export type Team = Ok<'/api/v1/teams/{id}', 'get'>;
export type Role = Ok<'/api/v1/roles/{id}', 'get'>;
/** One resource's row of the permission matrix: a scope per action. */
export type Permission = NonNullable<Me['permissions']['customers']>;
export type Permissions = Me['permissions'];
export type Scope = Permission['read'];
export type Interaction = Ok<'/api/v1/interactions/{id}', 'get'>;
export type InteractionPage = Ok<'/api/v1/interactions', 'get'>;
export type CreateInteraction = Body<'/api/v1/interactions', 'post'>;
export type UpdateInteraction = Body<'/api/v1/interactions/{id}', 'patch'>;
export type Channel = Interaction['channel'];
export type Direction = Interaction['direction'];
export type Task = Ok<'/api/v1/tasks/{id}', 'get'>;
export type TaskPage = Ok<'/api/v1/tasks', 'get'>;
export type CreateTask = Body<'/api/v1/tasks', 'post'>;
export type UpdateTask = Body<'/api/v1/tasks/{id}', 'patch'>;
export type TaskPriority = Task['priority'];
export type TaskStatus = Task['status'];
export type FollowUpRule = Ok<'/api/v1/follow-up-rules/{id}', 'get'>;
export type ApiKey = Ok<'/api/v1/api-keys/{id}', 'get'>;
export type ApiKeyStatus = ApiKey['status'];
export type IssuedApiKey = Ok<'/api/v1/api-keys', 'post'>;
export type CreateApiKey = Body<'/api/v1/api-keys', 'post'>;
export type UpdateApiKey = Body<'/api/v1/api-keys/{id}', 'patch'>;
export type Webhook = Ok<'/api/v1/webhooks/{id}', 'get'>;
export type WebhookStatus = Webhook['status'];
export type IssuedWebhook = Ok<'/api/v1/webhooks', 'post'>;
export type CreateWebhook = Body<'/api/v1/webhooks', 'post'>;
export type UpdateWebhook = Body<'/api/v1/webhooks/{id}', 'patch'>;
export type WebhookDelivery = Ok<'/api/v1/webhooks/{id}/deliveries', 'get'>['data'][number];
export type WebhookDeliveryStatus = WebhookDelivery['status'];
export type EventType = components['schemas']['EventType'];
export type CreateFollowUpRule = Body<'/api/v1/follow-up-rules', 'post'>;
export type UpdateFollowUpRule = Body<'/api/v1/follow-up-rules/{id}', 'patch'>;
export type Notification = Ok<'/api/v1/notifications/{id}/read', 'post'>;
export type TimelineEntry = Ok<'/api/v1/customers/{id}/timeline', 'get'>['data'][number];
export type Product = Ok<'/api/v1/products/{id}', 'get'>;
export type ProductPage = Ok<'/api/v1/products', 'get'>;
export type CreateProduct = Body<'/api/v1/products', 'post'>;
export type UpdateProduct = Body<'/api/v1/products/{id}', 'patch'>;
export type Money = Product['unit_price'];
export type Pipeline = Ok<'/api/v1/pipelines/{id}', 'get'>;
export type Stage = Pipeline['stages'][number];
export type StageKind = Stage['kind'];
export type CreateStage = Body<'/api/v1/pipelines/{id}/stages', 'post'>;
export type UpdateStage = Body<'/api/v1/pipelines/{id}/stages/{stage_id}', 'patch'>;
/*
 * Written out rather than read off the board operation: the OpenAPI document names both the sales board's and the
 * requirements board's column `BoardColumnDto`, so the generated schema holds only the requirements one.
 */
export type StageSum = components['schemas']['StageSumDto'];
export interface BoardColumn {
  stage: Stage;
  count: number;
  sums: StageSum[];
  cards: Opportunity[];
  next_cursor?: string | null;
}
export interface Board {
  pipeline_id: string;
  columns: BoardColumn[];
}
export type Opportunity = Ok<'/api/v1/opportunities/{id}', 'get'>;
export type OpportunityPage = Ok<'/api/v1/opportunities', 'get'>;
export type CreateOpportunity = Body<'/api/v1/opportunities', 'post'>;
export type UpdateOpportunity = Body<'/api/v1/opportunities/{id}', 'patch'>;
export type MoveOpportunity = Body<'/api/v1/opportunities/{id}/stage', 'post'>;
export type StageMove = Ok<'/api/v1/opportunities/{id}/stage-history', 'get'>['data'][number];
export type Competitor = Opportunity['competitors'][number];
export type OpportunitySource = NonNullable<Opportunity['source']>;
export type Line = Opportunity['lines'][number];
export type LineInput = NonNullable<CreateOpportunity['lines']>[number];
export type Order = Ok<'/api/v1/orders/{id}', 'get'>;
export type OrderPage = Ok<'/api/v1/orders', 'get'>;
export type CreateOrder = Body<'/api/v1/orders', 'post'>;
export type UpdateOrder = Body<'/api/v1/orders/{id}', 'patch'>;
export type OrderStatus = Order['status'];
export type SalesReport = Ok<'/api/v1/reports/sales', 'get'>;
export type ReportRow = SalesReport['rows'][number];
export type Measures = SalesReport['total'];
export type GroupBy = SalesReport['group_by'];
export type Period = NonNullable<SalesReport['period']>;
export type FunnelStep = Ok<'/api/v1/reports/funnel', 'get'>[number];
export type ForecastRow = Ok<'/api/v1/reports/forecast', 'get'>[number];
export type CustomField = Ok<'/api/v1/custom-fields/{id}', 'get'>;
export type CreateCustomField = Body<'/api/v1/custom-fields', 'post'>;
export type UpdateCustomField = Body<'/api/v1/custom-fields/{id}', 'patch'>;
export type CustomEntity = CustomField['entity'];
export type FieldType = CustomField['field_type'];
export type FieldOption = CustomField['options'][number];
/** The kinds of record that have custom fields, in the order the settings offer them. */
export const CUSTOM_ENTITIES = ['customers', 'contacts', 'opportunities', 'orders', 'tickets', 'products'] as const satisfies readonly CustomEntity[];
export const FIELD_TYPES = ['text', 'number', 'money', 'date', 'bool', 'select', 'multiselect', 'user'] as const satisfies readonly FieldType[];

export const LIFECYCLE_STAGES = ['potential', 'prospect', 'customer', 'churned'] as const satisfies readonly LifecycleStage[];
export const VALUE_TIERS = ['a', 'b', 'c'] as const;
export const SIZE_BANDS = ['micro', 'small', 'medium', 'large', 'enterprise'] as const;
export const SOURCE_CHANNELS = ['website', 'referral', 'exhibition', 'cold_call', 'partner', 'campaign', 'advertising', 'other'] as const;
export const GENDERS = ['male', 'female', 'other'] as const;
export type IdType = NonNullable<Customer['id_type']>;
/** The identity documents a person's `id_number` may belong to, in the order a form offers them. */
export const ID_TYPES = ['id_card', 'passport', 'other'] as const satisfies readonly IdType[];
export const CHANNELS = ['phone', 'email', 'visit', 'meeting', 'wechat', 'sms', 'chat', 'note'] as const satisfies readonly Channel[];
export const DIRECTIONS = ['outbound', 'inbound'] as const satisfies readonly Direction[];
export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly TaskPriority[];
export const TASK_STATUSES = ['open', 'done', 'cancelled'] as const satisfies readonly TaskStatus[];
export const TASK_VIEWS = ['overdue', 'today', 'upcoming', 'all'] as const;
export type TaskView = (typeof TASK_VIEWS)[number];
/** The timeline kinds this version knows; later issues add more, shown generically. */
export const TIMELINE_KINDS = ['interaction', 'task', 'stage_change', 'contact', 'opportunity', 'order', 'ticket'] as const;
export const OPPORTUNITY_SOURCES = ['campaign', 'referral', 'website', 'exhibition', 'cold_call', 'partner', 'other'] as const satisfies readonly OpportunitySource[];
export const STAGE_KINDS = ['open', 'won', 'lost'] as const satisfies readonly StageKind[];
export const ORDER_STATUSES = ['draft', 'confirmed', 'fulfilled', 'cancelled', 'refunded'] as const satisfies readonly OrderStatus[];
export const GROUP_BYS = ['period', 'region', 'industry', 'owner', 'team', 'product'] as const satisfies readonly GroupBy[];
export const PERIODS = ['day', 'week', 'month', 'quarter', 'year'] as const satisfies readonly Period[];
/** Currencies offered by money inputs; CNY is the default. */
export const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP'] as const;
export const NOTIFICATION_KINDS = ['task_assigned', 'task_due', 'task_overdue', 'ticket_assigned', 'sla_at_risk', 'sla_breached', 'webhook_disabled'] as const;
export const RESOURCES = [
  'customers', 'contacts', 'activities', 'sales', 'service', 'requirements', 'marketing', 'analytics', 'users', 'teams', 'roles', 'audit', 'pii',
  'privacy',
] as const;
/** Resources of the matrix whose only meaningful action is `read` (`pii`: who sees personal data in clear). */
export const READ_ONLY_RESOURCES: readonly Resource[] = ['pii'];
export const ACTIONS = ['read', 'create', 'update', 'delete', 'export'] as const;
export const SCOPES = ['none', 'own', 'team', 'all'] as const satisfies readonly Scope[];
export type Resource = (typeof RESOURCES)[number];
export type Action = (typeof ACTIONS)[number];
export type Ticket = Ok<'/api/v1/tickets/{id}', 'get'>;
export type TicketPage = Ok<'/api/v1/tickets', 'get'>;
export type CreateTicket = Body<'/api/v1/tickets', 'post'>;
export type AssignTicket = Body<'/api/v1/tickets/{id}/assign', 'post'>;
export type TicketStatus = Ticket['status'];
export type TicketPriority = Ticket['priority'];
export type TicketKind = Ticket['kind'];
export type TicketChannel = Ticket['channel'];
export type CloseReason = NonNullable<Ticket['close_reason']>;
export type MoveTicket = Body<'/api/v1/tickets/{id}/status', 'post'>;
export type TicketComment = Ok<'/api/v1/tickets/{id}/comments', 'get'>['data'][number];
export type CreateTicketComment = Body<'/api/v1/tickets/{id}/comments', 'post'>;
export type SlaPolicy = Ok<'/api/v1/sla-policies/{id}', 'get'>;
export type CreateSlaPolicy = Body<'/api/v1/sla-policies', 'post'>;
export type UpdateSlaPolicy = Body<'/api/v1/sla-policies/{id}', 'patch'>;
export type CalendarSpec = SlaPolicy['calendar'];
export type SlaTargets = SlaPolicy['targets'];

export const TICKET_STATUSES = ['new', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const satisfies readonly TicketStatus[];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly TicketPriority[];
export const TICKET_KINDS = ['complaint', 'inquiry', 'request', 'incident'] as const satisfies readonly TicketKind[];
export const TICKET_CHANNELS = ['phone', 'email', 'web', 'wechat', 'portal', 'chat', 'other'] as const satisfies readonly TicketChannel[];
/** Why a ticket is closed before it is resolved, in the order the close dialog offers them. */
export const CLOSE_REASONS = ['spam', 'duplicate', 'customer_unreachable', 'withdrawn_by_customer', 'other'] as const satisfies readonly CloseReason[];
/** The longest close note the server takes (`crm_domain::service::tickets::CLOSE_NOTE_MAX`). */
export const CLOSE_NOTE_MAX = 1000;
/** The queue's views: `my_queue` and `unassigned` are the API's `view`; `all` sends none. */
export const TICKET_VIEWS = ['my_queue', 'unassigned', 'all'] as const;
export type TicketView = (typeof TICKET_VIEWS)[number];
/** SLA policy calendars name weekdays like this (`CalendarSpec.weekdays`). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type KbCategory = Ok<'/api/v1/kb/categories', 'get'>['data'][number];
export type CreateKbCategory = Body<'/api/v1/kb/categories', 'post'>;
export type UpdateKbCategory = Body<'/api/v1/kb/categories/{id}', 'patch'>;
export type Article = Ok<'/api/v1/kb/articles/{id}', 'get'>;
export type ArticlePage = Ok<'/api/v1/kb/articles', 'get'>;
export type ArticleSummary = ArticlePage['data'][number];
export type CreateArticle = Body<'/api/v1/kb/articles', 'post'>;
export type UpdateArticle = Body<'/api/v1/kb/articles/{id}', 'patch'>;
export type ArticleRevision = Ok<'/api/v1/kb/articles/{id}/revisions/{revision}', 'get'>;
export type ArticleStatus = Article['status'];
export type ArticleVisibility = Article['visibility'];
export type PortalAccount = Ok<'/api/v1/portal-accounts/{id}', 'get'>;
export type CreatePortalAccount = Body<'/api/v1/portal-accounts', 'post'>;
export type UpdatePortalAccount = Body<'/api/v1/portal-accounts/{id}', 'patch'>;
export type PortalInvitation = Ok<'/api/v1/portal-accounts', 'post'>;
export type ServiceSettings = Ok<'/api/v1/settings/service', 'get'>;
export type PortalSession = Ok<'/api/v1/portal/auth/login', 'post'>;
export type PortalMe = Ok<'/api/v1/portal/me', 'get'>;
export type PortalTicket = Ok<'/api/v1/portal/tickets/{id}', 'get'>;
export type PortalTicketPage = Ok<'/api/v1/portal/tickets', 'get'>;
export type PortalCreateTicket = Body<'/api/v1/portal/tickets', 'post'>;
export type PortalComment = Ok<'/api/v1/portal/tickets/{id}/comments', 'get'>['data'][number];
export type PortalRating = Body<'/api/v1/portal/tickets/{id}/rating', 'post'>;
export type PortalArticle = Ok<'/api/v1/portal/kb/articles/{id}', 'get'>;

export const ARTICLE_STATUSES = ['draft', 'published', 'archived'] as const satisfies readonly ArticleStatus[];
export const ARTICLE_VISIBILITIES = ['internal', 'public'] as const satisfies readonly ArticleVisibility[];
/** The article list's orders (`sort`): the API's default `-updated_at` first. */
export const ARTICLE_SORTS = ['-updated_at', '-view_count', '-helpful_count'] as const;
export type ArticleSort = (typeof ARTICLE_SORTS)[number];

export type Requirement = Ok<'/api/v1/requirements/{id}', 'get'>;
export type RequirementPage = Ok<'/api/v1/requirements', 'get'>;
export type CreateRequirement = Body<'/api/v1/requirements', 'post'>;
export type UpdateRequirement = Body<'/api/v1/requirements/{id}', 'patch'>;
export type RequirementStatus = Requirement['status'];
export type RequirementCategory = Requirement['category'];
export type RequirementSource = Requirement['source_channel'];
export type RequirementOrigin = NonNullable<CreateRequirement['origin']>;
export type DuplicateCandidate = Ok<'/api/v1/requirements/duplicates', 'get'>['data'][number];
export type RequirementBoard = Ok<'/api/v1/requirements/board', 'get'>;
export type RequirementBoardColumn = RequirementBoard['columns'][number];
export type Release = Ok<'/api/v1/requirements/releases', 'get'>['data'][number];
export type Requester = Ok<'/api/v1/requirements/{id}/requesters', 'get'>['data'][number];
export type AddRequester = Body<'/api/v1/requirements/{id}/requesters', 'post'>;
export type MergeResult = Ok<'/api/v1/requirements/{id}/merge', 'post'>;
export type RequirementFeedback = Ok<'/api/v1/requirements/{id}/feedback', 'get'>['data'][number];
export type GiveFeedback = Body<'/api/v1/requirements/{id}/feedback', 'post'>;
export type RequirementStatusChange = Ok<'/api/v1/requirements/{id}/history', 'get'>['data'][number];
export type RequirementRevision = Ok<'/api/v1/requirements/{id}/revisions', 'get'>['data'][number];
export type RequirementsReport = Ok<'/api/v1/reports/requirements', 'get'>;
export type RequirementSettings = Ok<'/api/v1/settings/requirements', 'get'>;
export type PriorityWeights = RequirementSettings['weights'];

export const REQUIREMENT_STATUSES = [
  'collected', 'analyzing', 'planned', 'in_progress', 'delivered', 'evaluated', 'rejected', 'duplicate',
] as const satisfies readonly RequirementStatus[];
export const REQUIREMENT_CATEGORIES = ['functional', 'performance', 'ui', 'service', 'quality', 'other'] as const satisfies readonly RequirementCategory[];
export const REQUIREMENT_SOURCES = ['interview', 'survey', 'complaint', 'feedback', 'ticket', 'sales_visit', 'other'] as const satisfies readonly RequirementSource[];
/** The list's orders (`sort`): the API's default `-score` first. */
export const REQUIREMENT_SORTS = ['-score', '-requester_count', '-created_at', '-updated_at'] as const;
export type RequirementSort = (typeof REQUIREMENT_SORTS)[number];

/**
 * The event types a webhook may subscribe to: every `EventType` but the test event. A record
 * rather than a list, so the type check fails when the server writes a type this does not name.
 */
const SUBSCRIBABLE: Record<Exclude<EventType, 'webhook.tested'>, true> = {
  'customer.created': true, 'customer.updated': true, 'customer.stage_changed': true, 'customer.deleted': true,
  'customer.restored': true, 'customer.merged': true, 'ticket.updated': true, 'contact.created': true, 'contact.updated': true, 'contact.deleted': true, 'contact.restored': true, 'contact.merged': true,
  'interaction.created': true, 'interaction.updated': true, 'interaction.deleted': true, 'interaction.restored': true,
  'task.created': true, 'task.updated': true, 'task.completed': true, 'task.cancelled': true, 'task.reopened': true,
  'task.deleted': true, 'follow_up_rule.created': true, 'follow_up_rule.updated': true, 'follow_up_rule.deleted': true,
  'product.created': true, 'product.updated': true, 'product.deleted': true, 'pipeline.created': true, 'pipeline.updated': true,
  'opportunity.created': true, 'opportunity.updated': true, 'opportunity.stage_changed': true, 'opportunity.won': true,
  'opportunity.lost': true, 'opportunity.reopened': true, 'opportunity.deleted': true, 'order.created': true,
  'order.updated': true, 'order.confirmed': true, 'order.fulfilled': true, 'order.cancelled': true, 'order.refunded': true,
  'order.deleted': true, 'ticket.created': true, 'ticket.status_changed': true, 'ticket.assigned': true,
  'ticket.commented': true, 'ticket.resolved': true, 'ticket.rated': true, 'ticket.sla_breached': true,
  'ticket.article_linked': true, 'ticket.article_unlinked': true, 'kb_category.created': true, 'kb_category.updated': true,
  'kb_category.deleted': true, 'kb_article.created': true, 'kb_article.updated': true, 'kb_article.published': true,
  'kb_article.deleted': true, 'sla_policy.created': true, 'sla_policy.updated': true, 'sla_policy.deleted': true,
  'portal_account.created': true, 'portal_account.invited': true, 'portal_account.activated': true,
  'portal_account.updated': true, 'requirement.created': true, 'requirement.updated': true, 'requirement.status_changed': true,
  'requirement.requested': true, 'requirement.unrequested': true, 'requirement.merged': true, 'requirement.feedback_given': true,
  'requirement.deleted': true, 'user.created': true, 'user.updated': true, 'user.deactivated': true, 'team.created': true,
  'team.updated': true, 'team.deleted': true, 'role.created': true, 'role.updated': true, 'role.deleted': true,
  'settings.changed': true, 'api_key.created': true, 'api_key.updated': true, 'api_key.rotated': true, 'api_key.revoked': true,
  'webhook.created': true, 'webhook.updated': true, 'webhook.deleted': true, 'webhook.secret_rotated': true,
  'webhook.disabled': true, 'customer.erased': true, 'contact.erased': true, 'consent.given': true, 'consent.withdrawn': true,
  'privacy_request.created': true, 'privacy_request.completed': true, 'privacy_request.refused': true,
  'custom_field.created': true, 'custom_field.updated': true, 'custom_field.retired': true, 'custom_field.restored': true,
  'import.created': true, 'import.updated': true, 'import.completed': true, 'import.reverted': true,
  'saved_view.created': true, 'saved_view.updated': true, 'saved_view.deleted': true,
};
export const WEBHOOK_EVENT_TYPES = Object.keys(SUBSCRIBABLE) as Exclude<EventType, 'webhook.tested'>[];

export type AuditEntry = Ok<'/api/v1/audit', 'get'>['data'][number];
export type Session = Ok<'/api/v1/auth/sessions', 'get'>['data'][number];

/**
 * The actions the audit log writes (`audit::record` and the `Change`s in the back end's
 * persistence): the action filter offers them, the table names them. One the list does not know
 * is shown as it is written.
 */
export const AUDIT_ACTIONS = [
  'create', 'update', 'delete', 'restore', 'use', 'end_session', 'enable_two_factor', 'disable_two_factor', 'reset_two_factor', 'regenerate_recovery_codes', 'redeliver', 'test', 'invite', 'accept_invitation', 'comment',
  'link_article', 'unlink_article', 'merge', 'add_requester', 'remove_requester', 'feedback', 'reveal', 'withdraw', 'complete', 'refuse',
  'export', 'export_subject', 'erase_subject', 'retire',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
/** The kinds of record the audit log names (`entity_type`); another is shown as it is written. */
export const AUDIT_ENTITY_TYPES = [
  'customer', 'contact', 'opportunity', 'order', 'product', 'interaction', 'task', 'ticket', 'kb_article', 'kb_category', 'requirement',
  'user', 'team', 'role', 'api_key', 'webhook', 'pipeline', 'follow_up_rule', 'sla_policy', 'portal_account', 'settings', 'consent',
  'privacy_request', 'custom_field',
] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

export type Consent = Ok<'/api/v1/consents/{id}/withdraw', 'post'>;
export type GiveConsent = Body<'/api/v1/customers/{id}/consents', 'post'>;
export type ConsentPurpose = Consent['purpose'];
export type SubjectType = Consent['subject_type'];
export const CONSENT_PURPOSES = ['marketing_email', 'sms', 'phone', 'data_sharing'] as const satisfies readonly ConsentPurpose[];
export type PrivacyRequest = Ok<'/api/v1/privacy/requests/{id}', 'get'>;
export type CreatePrivacyRequest = Body<'/api/v1/privacy/requests', 'post'>;
export type PrivacyRequestKind = PrivacyRequest['kind'];
export type PrivacyRequestStatus = PrivacyRequest['status'];
export const PRIVACY_REQUEST_KINDS = ['access', 'export', 'erase', 'correct', 'withdraw'] as const satisfies readonly PrivacyRequestKind[];
export const PRIVACY_REQUEST_STATUSES = ['received', 'completed', 'refused'] as const satisfies readonly PrivacyRequestStatus[];
export type ErasureReport = Ok<'/api/v1/privacy/subjects/{subject_type}/{id}/erase', 'post'>;
/** The kinds of record an erasure report counts (`changes[].kind`); another is shown as it is written. */
export const ERASURE_KINDS = [
  'customer', 'contact', 'interaction', 'task', 'portal_account', 'portal_session', 'timeline_item', 'external_reference', 'audit_entry',
  'event', 'notification', 'idempotent_response',
] as const;
export type PrivacySettings = Ok<'/api/v1/settings/privacy', 'get'>;
export type RetentionCandidate = Ok<'/api/v1/privacy/retention/candidates', 'get'>['data'][number];
