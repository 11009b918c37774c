// Page objects: test ids and roles only, so the flows read the same in either language.
import { eventually, expect } from './expect.mjs';

/**
 * Clicks a button of a dialog, popconfirm or dropdown once that overlay has finished opening.
 * antd zooms an overlay in from the pointer; a click sent while it is still scaled up from a point
 * can land on the mask instead, which closes a dialog without a word (seen on a loaded CI machine).
 */
export async function clickWhenOpen(locator) {
  await locator.waitFor();
  await eventually(
    () => locator.evaluate((el) => {
      const overlay = el.closest('.ant-modal, .ant-popover, .ant-select-dropdown') ?? el;
      const opening = /-(appear|enter)(-|\s|$)/.test(overlay.className);
      const moving = overlay.getAnimations({ subtree: true }).some((a) => a.effect?.getComputedTiming().iterations !== Infinity);
      return !opening && !moving;
    }),
    () => 'the overlay to finish opening',
  );
  await locator.click();
}

/** Picks an option of an antd Select (opens the select, then clicks the option whose text matches). */
export async function chooseOption(page, selectTestId, optionText) {
  const select = page.getByTestId(selectTestId);
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: optionText }).first();
  // On a loaded CI machine a click can land while the dropdown is still opening and select
  // nothing, so the option is clicked again until the select shows it. The select is clicked only
  // while it is closed: a click on an open select closes it, and the option would never show.
  for (let attempt = 1; ; attempt++) {
    const open = await select.evaluate((el) => (el.closest('.ant-select') ?? el).classList.contains('ant-select-open'));
    if (!open) await select.click();
    try {
      await clickWhenOpen(option);
      await expect(select).toContainText(optionText, 3_000);
      return;
    } catch (e) {
      if (attempt === 3) throw new Error(`option ${optionText} of ${selectTestId} was not selected after ${attempt} tries: ${e.message}`);
    }
  }
}

/** Waits until no dialog is open (closed antd modals stay in the DOM, hidden). */
export async function dialogsClosed(page) {
  await expect(page.locator('.ant-modal-wrap').filter({ visible: true })).toHaveCount(0);
}

/**
 * Waits for the invitation the page is about to send (a new account or a new link) and reads its
 * sign-in email in clear through the API, as the signed-in staff member: the app itself shows it
 * masked (it asks for personal values masked), and portal accounts have no reveal of their own.
 */
export function invitedEmailOf(page) {
  const answered = page.waitForResponse(
    (res) => res.request().method() === 'POST' && /\/api\/v1\/portal-accounts(\/[^/]+\/invitation)?$/.test(new URL(res.url()).pathname) && res.ok(),
  );
  return async () => {
    const { account } = await (await answered).json();
    return page.evaluate(async (id) => {
      const { accessToken } = JSON.parse(localStorage.getItem('crm.session'));
      const res = await fetch(`/api/v1/portal-accounts/${id}`, { headers: { Authorization: `Bearer ${accessToken}` } });
      return (await res.json()).email;
    }, account.id);
  };
}

export class SignInPage {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }
  async open() {
    await this.page.goto(`${this.baseUrl}/login`);
  }
  async attempt(email, password) {
    await this.page.getByTestId('signin-email').fill(email);
    await this.page.getByTestId('signin-password').fill(password);
    await this.page.getByTestId('signin-submit').click();
  }
  async signIn(email, password) {
    await this.attempt(email, password);
    await this.page.getByTestId('user-menu').waitFor();
  }
}

export class Shell {
  constructor(page) {
    this.page = page;
  }
  async go(module) {
    await this.page.getByTestId(`nav-${module}`).click();
  }
  navItem(module) {
    return this.page.getByTestId(`nav-${module}`);
  }
  async switchLanguage(label) {
    await this.page.getByTestId('language-switch').getByText(label, { exact: true }).click();
  }
  async signOut() {
    await this.page.getByTestId('user-menu').click();
    await this.page.getByTestId('signout').click();
    await this.page.getByTestId('signin-email').waitFor();
  }
}

export class CustomerListPage {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }
  async open(query = '') {
    await this.page.goto(`${this.baseUrl}/customers${query}`);
    await this.page.getByTestId('customer-table').waitFor();
  }
  async search(text) {
    const box = this.page.getByTestId('customer-search').locator('input');
    await box.fill(text);
    await box.press('Enter');
    await this.waitIdle();
  }
  async filterStage(label) {
    await chooseOption(this.page, 'filter-stage', label);
    await this.page.keyboard.press('Escape');
    await this.waitIdle();
  }
  async waitIdle() {
    await this.page.locator('[data-testid=customer-table] .ant-spin-spinning').waitFor({ state: 'detached' }).catch(() => undefined);
  }
  rows() {
    return this.page.locator('[data-testid=customer-table] tbody tr.ant-table-row');
  }
  row(name) {
    return this.page.getByTestId('customer-row-link').filter({ hasText: name });
  }
}

export class CustomerFormPage {
  constructor(page) {
    this.page = page;
  }
  async fill(fields) {
    for (const [name, value] of Object.entries(fields)) {
      const input = this.page.getByTestId(`customer-${name}`);
      await input.fill('');
      await input.fill(value);
    }
  }
  async chooseTeam(teamName) {
    await chooseOption(this.page, 'customer-team', teamName);
  }
  /** The list is longer than its dropdown shows (antd renders only what is in view): typing narrows it first. */
  async chooseIndustry(label) {
    await this.page.getByTestId('customer-industry').click();
    await this.page.keyboard.type(label);
    await chooseOption(this.page, 'customer-industry', label);
  }
  /** Picks 省, 市 and 区 one column after another in the region cascader. */
  async chooseRegion(places) {
    await this.page.getByTestId('customer-region').click();
    for (const [column, place] of places.entries()) {
      const item = this.page.locator('.ant-cascader-menu').nth(column).locator('.ant-cascader-menu-item', { hasText: place }).first();
      await clickWhenOpen(item);
    }
    await expect(this.page.getByTestId('customer-region')).toContainText(places.join(' / '));
  }
  async save() {
    await this.page.getByTestId('customer-save').click();
  }
  /** The error text antd shows under a field. */
  fieldError(name) {
    return this.page.locator('.ant-form-item', { has: this.page.getByTestId(`customer-${name}`) }).locator('.ant-form-item-explain-error');
  }
}

export class CustomerShowPage {
  constructor(page) {
    this.page = page;
  }
  title() {
    return this.page.getByTestId('customer-title');
  }
  /**
   * The contacts tab once its contacts and their portal accounts have both loaded: a contact then
   * shows either its invite button or the tag of an invited one (the button waits for both).
   */
  async contactsWithPortalState() {
    await this.page.getByTestId('contacts-table').waitFor();
    await this.page.locator('[data-testid=contact-invite-portal], [data-testid=contact-portal-tag]').first().waitFor();
  }
  async changeStage(label) {
    await chooseOption(this.page, 'stage-select', label);
  }
  stageTag() {
    return this.page.locator('.page-head').getByTestId('stage-tag');
  }
  async openTab(name) {
    await this.page.getByRole('tab', { name }).click();
  }
  async addContact({ name, mobile, title }) {
    await this.page.getByTestId('contact-add').click();
    await this.page.getByTestId('contact-name').fill(name);
    if (title) await this.page.getByTestId('contact-title').fill(title);
    if (mobile) await this.page.getByTestId('contact-mobile').fill(mobile);
    await this.page.getByTestId('contact-save').click();
    await expect(this.page.getByTestId('contacts-table').getByText(name)).toBeVisible();
    await dialogsClosed(this.page);
  }
  async delete() {
    await this.page.getByTestId('customer-delete').click();
    await clickWhenOpen(this.page.getByTestId('confirm-delete'));
  }
}

/** The "log an interaction" dialog opened from a customer page. */
export class InteractionDialog {
  constructor(page) {
    this.page = page;
  }
  async openFromCustomer() {
    await this.page.getByTestId('log-interaction').click();
    await this.page.getByTestId('interaction-subject').waitFor();
  }
  async fill({ subject, content, outcome, nextStep, contact }) {
    if (contact) await chooseOption(this.page, 'interaction-contact', contact);
    if (subject !== undefined) await this.page.getByTestId('interaction-subject').fill(subject);
    if (content !== undefined) await this.page.getByTestId('interaction-content').fill(content);
    if (outcome !== undefined) await this.page.getByTestId('interaction-outcome').fill(outcome);
    if (nextStep !== undefined) await this.page.getByTestId('interaction-next-step').fill(nextStep);
  }
  async save() {
    await this.page.getByTestId('interaction-save').click();
    await dialogsClosed(this.page);
  }
}

/** The timeline tab of a customer page. */
export class TimelinePanel {
  constructor(page) {
    this.page = page;
  }
  items() {
    return this.page.getByTestId('timeline-item');
  }
  item(text) {
    return this.items().filter({ hasText: text });
  }
  async onlyKind(kind) {
    await this.page.getByTestId(`timeline-kind-${kind}`).click();
  }
  async allKinds() {
    await this.page.getByTestId('timeline-kind-all').click();
  }
}

/** My tasks (activities module). */
export class TasksPage {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }
  async open(query = '') {
    await this.page.goto(`${this.baseUrl}/activities/tasks${query}`);
    await this.page.getByTestId('task-table').waitFor();
    await this.waitIdle();
  }
  async view(name) {
    await this.page.getByTestId(`task-view-${name}`).click();
    await this.waitIdle();
  }
  async waitIdle() {
    await this.page.locator('[data-testid=task-table] .ant-spin-spinning').waitFor({ state: 'detached' }).catch(() => undefined);
  }
  rows() {
    return this.page.locator('[data-testid=task-table] tbody tr.ant-table-row');
  }
  row(text) {
    return this.rows().filter({ hasText: text });
  }
  /** Tasks a follow-up rule created. */
  ruleRows() {
    return this.page.locator('[data-testid=task-table] tbody tr.ant-table-row[data-source=rule]');
  }
  byId(id) {
    return this.page.locator(`[data-testid=task-table] tbody tr.ant-table-row[data-row-key="${id}"]`);
  }
  async complete(text) {
    await this.row(text).first().getByTestId('task-complete').click();
  }
}

/** The notification bell in the header. */
export class NotificationBell {
  constructor(page) {
    this.page = page;
  }
  count() {
    return this.page.locator('[data-testid=notification-count] .ant-badge-count');
  }
  async open() {
    await this.page.getByTestId('notification-bell').click();
    await this.page.getByTestId('notification-panel').waitFor();
  }
  items() {
    return this.page.getByTestId('notification-item');
  }
  /** Notifications about a task (assigned, due, overdue). */
  taskItems() {
    return this.page.locator('[data-testid=notification-item][data-entity=task]');
  }
}

/** The sales board (`/sales`): a column per stage, cards dragged between them. */
export class BoardPage {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }
  async open(query = '') {
    await this.page.goto(`${this.baseUrl}/sales${query}`);
    await this.page.getByTestId('board').waitFor();
  }
  column(stageKey) {
    return this.page.locator(`[data-testid=board-column][data-stage-key="${stageKey}"]`);
  }
  card(name) {
    return this.page.locator(`[data-testid=board-card][data-name="${name}"]`);
  }
  cardIn(stageKey, name) {
    return this.column(stageKey).locator(`[data-testid=board-card][data-name="${name}"]`);
  }
  /** A column head's CNY amount and weighted sums in fen, read off the formatted text. */
  async columnSums(stageKey) {
    const cny = this.column(stageKey).locator('[data-currency=CNY]');
    if ((await cny.count()) === 0) return { amount: 0, weighted: 0 };
    const fen = async (id) => Number((await cny.getByTestId(id).innerText()).replace(/[^0-9]/g, ''));
    return { amount: await fen('column-amount'), weighted: await fen('column-weighted') };
  }
  /** Drags a card by its lower half (not its link) with the mouse, in small steps as a person would. */
  async drag(name, stageKey) {
    const card = this.card(name).first();
    await card.scrollIntoViewIfNeeded();
    const from = await card.boundingBox();
    const to = await this.column(stageKey).boundingBox();
    const x = from.x + from.width / 2;
    const y = from.y + from.height * 0.75;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + 12, y + 4, { steps: 4 });
    await this.page.mouse.move(to.x + to.width / 2, to.y + 70, { steps: 20 });
    await this.page.waitForTimeout(150);
    await this.page.mouse.up();
  }
}

/** The opportunity create/edit form. */
export class OpportunityFormPage {
  constructor(page) {
    this.page = page;
  }
  async fill({ name, customer, amount, contact, probability }) {
    if (name !== undefined) await this.page.getByTestId('opportunity-name').fill(name);
    if (customer !== undefined) {
      await this.page.getByTestId('opportunity-customer').click();
      await this.page.getByTestId('opportunity-customer').locator('input').fill(customer);
      const option = this.page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: customer });
      await option.first().click();
    }
    if (contact !== undefined) await chooseOption(this.page, 'opportunity-contact', contact);
    if (amount !== undefined) await this.page.getByTestId('opportunity-amount').fill(amount);
    if (probability !== undefined) await this.page.getByTestId('opportunity-probability').fill(String(probability));
  }
  /** Adds a product line: the product is found by typing (part of) its SKU or name. */
  async addLine({ product, quantity }) {
    await this.page.getByTestId('line-add').click();
    const picker = this.page.getByTestId('line-product').last();
    await picker.click();
    await picker.locator('input').fill(product);
    const option = this.page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: product });
    await option.first().click();
    if (quantity !== undefined) {
      // antd puts the test id on the input itself or on its wrapper, depending on the version
      await this.page.locator('input[data-testid=line-quantity], [data-testid=line-quantity] input').last().fill(String(quantity));
    }
  }
  async save() {
    await this.page.getByTestId('opportunity-save').click();
  }
}

/** The ticket queue (`/service/tickets`): views, filters in the URL, an SLA badge per row. */
export class TicketQueuePage {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }
  async open(query = '') {
    await this.page.goto(`${this.baseUrl}/service/tickets${query}`);
    await this.page.getByTestId('ticket-table').waitFor();
    await this.waitIdle();
  }
  async view(name) {
    await this.page.getByTestId(`ticket-view-${name}`).click();
    await this.waitIdle();
  }
  async search(text) {
    const box = this.page.getByTestId('ticket-search').locator('input');
    await box.fill(text);
    await box.press('Enter');
    await this.waitIdle();
  }
  async waitIdle() {
    await this.page.locator('[data-testid=ticket-table] .ant-spin-spinning').waitFor({ state: 'detached' }).catch(() => undefined);
  }
  rows() {
    return this.page.locator('[data-testid=ticket-table] tbody tr.ant-table-row');
  }
  row(text) {
    return this.rows().filter({ hasText: text });
  }
}

/** The new-ticket form. */
export class TicketFormPage {
  constructor(page) {
    this.page = page;
  }
  async fill({ customer, subject, description, kind, priority, team }) {
    if (customer !== undefined) {
      await this.page.getByTestId('ticket-customer').click();
      await this.page.getByTestId('ticket-customer').locator('input').fill(customer);
      const option = this.page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: customer });
      await option.first().click();
    }
    if (subject !== undefined) await this.page.getByTestId('ticket-subject').fill(subject);
    if (description !== undefined) await this.page.getByTestId('ticket-description').fill(description);
    if (kind !== undefined) await chooseOption(this.page, 'ticket-kind', kind);
    if (priority !== undefined) await chooseOption(this.page, 'ticket-priority', priority);
    if (team !== undefined) await chooseOption(this.page, 'ticket-team', team);
  }
  async save() {
    await this.page.getByTestId('ticket-save').click();
  }
}

/** A ticket's page: header with status and SLA, the conversation and its reply box. */
export class TicketPage {
  constructor(page) {
    this.page = page;
  }
  title() {
    return this.page.getByTestId('ticket-title');
  }
  status() {
    return this.page.locator('.page-head').getByTestId('ticket-status');
  }
  /** The header's SLA badge, or one clock's (`first_response`, `resolution`). */
  sla(clock) {
    return clock
      ? this.page.locator(`[data-testid=ticket-profile] [data-testid=sla-badge][data-clock=${clock}]`)
      : this.page.locator('.page-head').getByTestId('sla-badge');
  }
  comments() {
    return this.page.getByTestId('ticket-comment');
  }
  comment(text) {
    return this.comments().filter({ hasText: text });
  }
  /** Adds an internal note, or a public reply with `{ public: true }`. */
  async reply(text, { public: isPublic = false } = {}) {
    await this.page.getByTestId(isPublic ? 'reply-public' : 'reply-internal').click();
    await this.page.getByTestId('reply-body').fill(text);
    await this.page.getByTestId('reply-send').click();
    await expect(this.comment(text)).toBeVisible();
  }
  moves() {
    return this.page.locator('[data-testid=ticket-actions] [data-testid^=ticket-move-]');
  }
  async move(status) {
    await this.page.getByTestId(`ticket-move-${status}`).click();
  }
}

/** A requirement's page: number, status, actions, requesters, duplicates, feedback. */
export class RequirementPage {
  constructor(page) {
    this.page = page;
  }
  number() {
    return this.page.getByTestId('requirement-number');
  }
  status() {
    return this.page.locator('.page-head').getByTestId('requirement-status');
  }
  async move(status) {
    await this.page.getByTestId(`requirement-move-${status}`).click();
  }
  requesterRows() {
    return this.page.locator('[data-testid=requesters-table] tbody tr.ant-table-row');
  }
  /** Answers the planning dialog (open after a move to planned) with an owner and a target date, and saves. */
  async plan(owner, targetDate) {
    await chooseOption(this.page, 'status-owner', owner);
    const date = this.page.locator('input[data-testid=status-target-date], [data-testid=status-target-date] input').first();
    await date.click();
    await date.fill(targetDate);
    await date.press('Enter');
    await this.page.getByTestId('status-move-save').click();
    await dialogsClosed(this.page);
  }
  duplicate(number) {
    return this.page.locator(`[data-testid=duplicate-candidate][data-number="${number}"]`);
  }
  /** Records a requester's rating (1–5) through the feedback dialog. */
  async giveFeedback(customer, stars, comment) {
    await this.requesterRows().filter({ hasText: customer }).getByTestId('requester-give-feedback').click();
    const dialog = this.page.locator('.ant-modal', { has: this.page.getByTestId('feedback-form') });
    await dialog.locator('.ant-rate-star').nth(stars - 1).click();
    if (comment) await this.page.getByTestId('feedback-comment').fill(comment);
    await this.page.getByTestId('feedback-save').click();
    await dialogsClosed(this.page);
  }
}

/** The article editor (`/service/kb/new`, `…/:id/edit`): Markdown with its live preview. */
export class KbArticleFormPage {
  constructor(page) {
    this.page = page;
  }
  async fill({ title, body, category, tags = [], visibility, status, note }) {
    if (title !== undefined) await this.page.getByTestId('article-title-input').fill(title);
    if (category !== undefined) {
      await this.page.getByTestId('article-category').click();
      await this.page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree-title', { hasText: category }).first().click();
    }
    for (const tag of tags) {
      const input = this.page.getByTestId('article-tags').locator('input');
      await input.fill(tag);
      await input.press('Enter');
    }
    if (visibility !== undefined) await this.page.getByTestId(`article-visibility-${visibility}`).click();
    if (status !== undefined) await this.page.getByTestId(`article-status-${status}`).click();
    if (body !== undefined) await this.page.getByTestId('article-body-editor-input').fill(body);
    if (note !== undefined) await this.page.getByTestId('article-note').fill(note);
  }
  preview() {
    return this.page.getByTestId('article-body-editor-preview');
  }
  async save() {
    await this.page.getByTestId('article-save').click();
  }
}

/** The customer portal (`/portal`): its own sign-in, tickets, help centre. */
export class PortalPage {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }
  async acceptInvitation(link, password, mismatch) {
    await this.page.goto(link);
    if (mismatch) {
      await this.page.getByTestId('portal-accept-password').fill(password);
      await this.page.getByTestId('portal-accept-confirm').fill(mismatch);
      await this.page.getByTestId('portal-accept-submit').click();
      await this.page.locator('.ant-form-item-explain-error').first().waitFor();
    }
    await this.page.getByTestId('portal-accept-password').fill(password);
    await this.page.getByTestId('portal-accept-confirm').fill(password);
    await this.page.getByTestId('portal-accept-submit').click();
    await this.page.getByTestId('portal-layout').waitFor();
  }
  async signIn(email, password) {
    await this.page.goto(`${this.baseUrl}/portal/login`);
    await this.page.getByTestId('portal-signin-email').fill(email);
    await this.page.getByTestId('portal-signin-password').fill(password);
    await this.page.getByTestId('portal-signin-submit').click();
    await this.page.getByTestId('portal-layout').waitFor();
  }
  async searchHelp(text) {
    await this.page.getByTestId('portal-nav-kb').click();
    const box = this.page.getByTestId('portal-kb-search').locator('input');
    await box.fill(text);
    await box.press('Enter');
  }
  helpResult(title) {
    return this.page.getByTestId('portal-kb-result').filter({ hasText: title });
  }
  async openTicket({ subject, description }) {
    await this.page.getByTestId('portal-nav-tickets').click();
    await this.page.getByTestId('portal-new-ticket').click();
    await this.page.getByTestId('portal-ticket-subject').fill(subject);
    if (description) await this.page.getByTestId('portal-ticket-description').fill(description);
    await this.page.getByTestId('portal-ticket-submit').click();
    await this.page.getByTestId('portal-ticket-created').waitFor();
  }
  status() {
    return this.page.getByTestId('portal-ticket-status').first();
  }
  message(text) {
    return this.page.getByTestId('portal-message').filter({ hasText: text });
  }
  async reply(text) {
    await this.page.getByTestId('portal-reply-body').fill(text);
    await this.page.getByTestId('portal-reply-send').click();
    await expect(this.message(text)).toBeVisible();
  }
  async rate(stars, comment) {
    await this.page.locator('[data-testid=rating-stars] li').nth(stars - 1).click();
    if (comment) await this.page.getByTestId('rating-comment').fill(comment);
    await this.page.getByTestId('rating-submit').click();
    await this.page.getByTestId('portal-rating-done').waitFor();
  }
}

/** Settings → API keys: make a key (its secret shown once), rotate it, revoke it. */
export class ApiKeysPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await new Shell(this.page).go('settings');
    await this.page.getByTestId('settings-tab-api-keys').click();
    await this.page.getByTestId('api-keys-table').waitFor();
  }
  rows() {
    return this.page.locator('[data-testid=api-keys-table] tbody tr.ant-table-row');
  }
  /** The row of a key, by its prefix (a rotated key keeps its name, not its prefix). */
  row(prefix) {
    return this.rows().filter({ hasText: prefix });
  }
  /** Fills the new-key dialog and creates the key; the dialog of its secret is then open. */
  async create({ name, role, expiresAt }) {
    await this.page.getByTestId('api-key-new').click();
    await this.page.getByTestId('api-key-name').fill(name);
    await chooseOption(this.page, 'api-key-role', role);
    if (expiresAt) {
      // antd puts the test id on the input itself or on its wrapper, depending on the version
      const date = this.page.locator('input[data-testid=api-key-expires-at], [data-testid=api-key-expires-at] input').first();
      await date.click();
      await date.fill(expiresAt);
      await date.press('Enter');
      await eventually(async () => (await date.inputValue()) === expiresAt, () => `the expiry reads ${expiresAt}`);
      await expect(this.page.locator('.ant-picker-dropdown').filter({ visible: true })).toHaveCount(0);
    }
    await clickWhenOpen(this.page.getByTestId('api-key-save'));
    await this.secret().waitFor();
  }
  /** The secret in the dialog that shows it once. */
  secret() {
    return this.page.getByTestId('api-key-secret');
  }
  async closeSecret() {
    await clickWhenOpen(this.page.getByTestId('api-key-issued-done'));
    await dialogsClosed(this.page);
    await expect(this.secret()).toHaveCount(0);
  }
  /** Rotates the key of this prefix with the default overlap; the dialog of the new secret is then open. */
  async rotate(prefix) {
    await this.row(prefix).getByTestId('api-key-rotate').click();
    await clickWhenOpen(this.page.getByTestId('api-key-rotate-confirm'));
    await this.secret().waitFor();
  }
  async revoke(prefix) {
    await this.row(prefix).getByTestId('api-key-revoke').click();
    await clickWhenOpen(this.page.getByTestId('api-key-revoke-confirm').filter({ visible: true }));
  }
}

/** Settings → Webhooks: subscribe a URL (its secret shown once), test it, follow its deliveries. */
export class WebhooksPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await new Shell(this.page).go('settings');
    await this.page.getByTestId('settings-tab-webhooks').click();
    await this.page.getByTestId('webhooks-table').waitFor();
  }
  rows() {
    return this.page.locator('[data-testid=webhooks-table] tbody tr.ant-table-row');
  }
  row(url) {
    return this.rows().filter({ hasText: url });
  }
  /** Fills the new-webhook dialog and creates it; the dialog of its secret is then open. */
  async create({ url, eventTypes, description }) {
    await this.page.getByTestId('webhook-new').click();
    await this.page.getByTestId('webhook-url').fill(url);
    for (const type of eventTypes) {
      // the list is longer than its dropdown shows: typing narrows it first
      const search = this.page.getByTestId('webhook-event-types').locator('input');
      await this.page.getByTestId('webhook-event-types').click();
      await search.fill(type);
      await chooseOption(this.page, 'webhook-event-types', type);
    }
    await this.page.keyboard.press('Escape');
    await expect(this.page.locator('.ant-select-dropdown').filter({ visible: true })).toHaveCount(0);
    if (description) await this.page.getByTestId('webhook-description').fill(description);
    await clickWhenOpen(this.page.getByTestId('webhook-save'));
    await this.secret().waitFor();
  }
  secret() {
    return this.page.getByTestId('webhook-secret');
  }
  async closeSecret() {
    await clickWhenOpen(this.page.getByTestId('webhook-issued-done'));
    await dialogsClosed(this.page);
    await expect(this.secret()).toHaveCount(0);
  }
  status(url) {
    return this.row(url).getByTestId('webhook-status');
  }
  /** The open deliveries drawer's rows. */
  deliveries() {
    return this.page.locator('.ant-drawer-open [data-testid=webhook-deliveries-table] tbody tr.ant-table-row');
  }
  /** Shows the attempts of a delivery (its row's expand button) and returns their table. */
  async attemptsOf(delivery) {
    const attempts = this.page.locator('.ant-drawer-open [data-testid=webhook-attempts]');
    if ((await attempts.count()) === 0) await delivery.locator('.ant-table-row-expand-icon').click();
    await attempts.first().waitFor();
    return attempts.first();
  }
  async closeDeliveries() {
    await this.page.locator('.ant-drawer-open .ant-drawer-close').click();
    await expect(this.page.locator('.ant-drawer-open')).toHaveCount(0);
  }
  async delete(url) {
    await this.row(url).getByTestId('webhook-delete').click();
    await clickWhenOpen(this.page.getByTestId('webhook-delete-confirm').filter({ visible: true }));
  }
}
