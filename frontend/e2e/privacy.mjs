// End-to-end: personal information rights in Chinese — a consent recorded and withdrawn on a
// customer's privacy tab, the customer erased after reading the dry run's list, and an overdue
// subject request completed on the privacy page.
import { after, before, describe, test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chineseContext, launch } from './browser.mjs';
import { eventually, expect } from './expect.mjs';
import { chooseOption, clickWhenOpen, CustomerShowPage, dialogsClosed, SignInPage } from './pages.mjs';
import { ADMIN, serverForFlow } from './server.mjs';

const root = new URL('..', import.meta.url).pathname;
const artifacts = join(root, 'e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

const suffix = Date.now().toString(36).slice(-5);
const PERSON = `隐私测试张三丰${suffix}`;
const CONTACT = `隐私测试李小龙${suffix}`;

let server;
let browser;
let page;
let baseUrl;
let token;
let customerId;

async function apiPost(path, body) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

before(async () => {
  server = await serverForFlow();
  baseUrl = server.url;
  token = (await apiPost('/auth/login', { email: ADMIN.email, password: ADMIN.password })).access_token;
  const customer = await apiPost('/customers', { kind: 'individual', name: PERSON, phone: '13812345678', email: `zsf.${suffix}@example.com` });
  customerId = customer.id;
  const contact = await apiPost(`/customers/${customerId}/contacts`, { name: CONTACT, mobile: '13987654321' });
  const received = new Date(Date.now() - 20 * 86_400_000).toISOString();
  await apiPost('/privacy/requests', { subject_type: 'contact', subject_id: contact.id, kind: 'export', received_at: received, channel: '邮件' });
  browser = await launch();
  const context = await chineseContext(browser);
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('personal information rights (PIPL)', () => {
  test('a consent is recorded and withdrawn on the privacy tab; the customer is erased after its dry run', async () => {
    const signIn = new SignInPage(page, baseUrl);
    await signIn.open();
    await signIn.signIn(ADMIN.email, ADMIN.password);
    await page.goto(`${baseUrl}/customers/${customerId}`);
    const show = new CustomerShowPage(page);
    await expect(show.title()).toContainText(PERSON);
    await page.getByTestId('customer-tab-privacy').click();
    await expect(page.getByTestId('consents-table')).toContainText('暂无同意记录');

    await page.getByTestId('consent-add').click();
    await chooseOption(page, 'consent-purpose', '短信');
    await page.getByTestId('consent-channel').fill('纸质表单');
    await page.getByTestId('consent-evidence').fill('表单编号 F-17');
    await page.getByTestId('consent-save').click();
    await dialogsClosed(page);
    await expect(page.getByTestId('consent-status')).toContainText('已同意');
    await page.getByTestId('consent-withdraw').click();
    await expect(page.getByTestId('consent-status')).toContainText('已撤回');
    await expect(page.getByTestId('consent-withdraw')).toHaveCount(0);

    await page.getByTestId('privacy-erase').click();
    const changes = page.getByTestId('erase-changes');
    await expect(changes).toContainText('客户');
    await expect(changes).toContainText('联系人');
    await expect(changes).toContainText('phone');
    await page.screenshot({ path: join(artifacts, 'privacy-erase-plan.png'), fullPage: true });
    await clickWhenOpen(page.getByTestId('privacy-erase-confirm'));
    await dialogsClosed(page);
    await expect(show.title()).toContainText('已匿名-');
    await expect(show.title()).toNotContainText(PERSON);
    await expect(page.getByTestId('customer-phone')).toContainText('—');
  });

  test('the privacy page lists the overdue request, highlighted, and it is completed', async () => {
    await page.getByTestId('nav-privacy').click();
    await expect(page.getByTestId('nav-privacy')).toContainText('隐私');
    const table = page.getByTestId('requests-table');
    // the request's person was erased with the customer: the list names the pseudonym
    await expect(table).toContainText('已匿名-');
    await expect(table.getByTestId('request-overdue')).toContainText('已逾期');
    await eventually(async () => (await table.locator('tr.task-overdue').count()) === 1, () => 'the overdue row is highlighted');
    await table.getByTestId('request-complete').click();
    await expect(table.getByTestId('request-status')).toContainText('已完成');
    await expect(table.getByTestId('request-overdue')).toHaveCount(0);
    await page.getByTestId('privacy-tab-retention').click();
    await expect(page.getByTestId('retention-setting')).toContainText('保留期限');
    await page.screenshot({ path: join(artifacts, 'privacy-retention.png'), fullPage: true });
  });
});
