// Personal data in the browser, in Chinese: the app asks for personal values masked, so even the
// administrator, whose role reaches every customer's personal data, reads them masked with an eye;
// the eye shows the record in clear in place and the audit log has exactly one reveal for it. An edit
// form does not take a masked value blind. Someone whose role does not reach the personal data gets
// the server's refusal from the same eye. A fragment of a phone finds nothing, the whole number
// finds the customer. On a server of its own (or CRM_E2E_BASE_URL).
import { after, before, describe, test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chineseContext, launch } from './browser.mjs';
import { expect } from './expect.mjs';
import { CustomerListPage, CustomerShowPage, SignInPage } from './pages.mjs';
import { ADMIN, serverForFlow } from './server.mjs';

const root = new URL('..', import.meta.url).pathname;
const artifacts = join(root, 'e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

const suffix = Date.now().toString(36).slice(-5);
const digits = String(Date.now()).slice(-8);
/** A mobile number no demo customer has, as stored and as the app reads it. */
const PHONE = `139${digits}`;
const PHONE_MASKED = `139****${digits.slice(-4)}`;
const PHONE_SHOWN = `139 ${digits.slice(0, 4)} ${digits.slice(4)}`;
const EMAIL = `wang.li.${suffix}@lianhua.cn`;
const CUSTOMER = `王丽${suffix}`;
const CONTACT_MOBILE = `137${digits}`;
const ROLE_KEY = `pii_e2e_${suffix}`;
const ROLE = `客户查看员${suffix}`;
const USER = { email: `pii.${suffix}@example.com`, password: `pii-${suffix}-password` };
const REFUSED = '您的角色无权查看个人信息';
const EYE_TIP = '查看完整信息（将记录审计）';

let server;
let browser;
let baseUrl;
let adminToken;
let customerId;
let userPage;
let adminPage;

/** Calls the API from outside the browser as the administrator. */
async function api(method, path, body, headers = {}) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(adminToken ? { Authorization: `Bearer ${adminToken}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return parsed;
}

const none = { read: 'none', create: 'none', update: 'none', delete: 'none', export: 'none' };
const readAll = { ...none, read: 'all' };
/** Reads customers, their contacts and activities everywhere; personal data as `pii` says. */
const permissions = (pii) => ({ customers: readAll, contacts: readAll, activities: readAll, pii });

async function shot(p, name) {
  await p.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

function test(name, fn) {
  return nodeTest(name, async () => {
    try {
      await fn();
    } catch (e) {
      for (const [who, p] of [['user', userPage], ['admin', adminPage]]) {
        if (p) await shot(p, `pii-failed-${who}`).catch(() => undefined);
      }
      throw e;
    }
  });
}

async function signedIn(email, password) {
  const context = await chineseContext(browser);
  const p = await context.newPage();
  p.on('pageerror', (e) => console.error('[page error]', e.message));
  const signIn = new SignInPage(p, baseUrl);
  await signIn.open();
  await signIn.signIn(email, password);
  return p;
}

/** The open tooltip saying `text`, once the pointer rests on `target`. */
async function tooltipOf(p, target, text) {
  await target.hover();
  await expect(p.locator('.ant-tooltip:not(.ant-tooltip-hidden)').filter({ hasText: text })).toBeVisible();
  await p.mouse.move(0, 0);
}

before(async () => {
  server = await serverForFlow();
  baseUrl = server.url;
  adminToken = (await api('POST', '/auth/login', { email: ADMIN.email, password: ADMIN.password })).access_token;
  const role = await api('POST', '/roles', { key: ROLE_KEY, name: ROLE, description: '', permissions: permissions(none) });
  await api('POST', '/users', { email: USER.email, display_name: `个人信息检查${suffix}`, password: USER.password, role_id: role.id, locale: 'zh-CN' });
  const customer = await api('POST', '/customers', {
    kind: 'individual', name: CUSTOMER, phone: PHONE, email: EMAIL, address: '上海市浦东新区世纪大道 100 号', birthday: '1988-08-08',
  });
  customerId = customer.id;
  await api('POST', `/customers/${customerId}/contacts`, { name: `王先生${suffix}`, mobile: CONTACT_MOBILE, wechat: `wxid_wang${suffix}` });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('personal data: masked for everyone, revealed on demand and audited, refused without the right', () => {
  test('the customer list finds the customer by its whole phone only, masked with an eye even for the administrator', async () => {
    adminPage = await signedIn(ADMIN.email, ADMIN.password);
    const list = new CustomerListPage(adminPage, baseUrl);
    await list.open();
    // the search box says how phones and emails are found
    const search = adminPage.getByTestId('customer-search').locator('input');
    assert.equal(await search.getAttribute('placeholder'), '按名称搜索，或输入完整手机号/邮箱');
    await list.search(PHONE.slice(0, 7));
    await expect(adminPage).toHaveURL(new RegExp(`q=${PHONE.slice(0, 7)}$`));
    await expect(adminPage.getByTestId('customer-table').locator('.ant-empty')).toBeVisible();
    await list.search(PHONE);
    await expect(adminPage).toHaveURL(new RegExp(`q=${PHONE}$`));
    const row = list.rows();
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('customer-row-link')).toContainText(CUSTOMER);
    await expect(row.getByTestId('customer-row-phone')).toContainText(PHONE_MASKED);
    await expect(row.getByTestId('customer-row-phone').getByTestId('personal-reveal')).toBeVisible();
    await shot(adminPage, 'pii-list-masked');
  });

  test('on the customer page the values are masked with an eye; the eye shows the whole record in clear, in place', async () => {
    await adminPage.goto(`${baseUrl}/customers/${customerId}`);
    const show = new CustomerShowPage(adminPage);
    await expect(show.title()).toContainText(CUSTOMER);
    const phone = adminPage.getByTestId('customer-phone');
    await expect(phone).toContainText(PHONE_MASKED);
    await expect(adminPage.getByTestId('customer-email')).toContainText('w***@lianhua.cn');
    await expect(adminPage.getByTestId('customer-birthday')).toContainText('已隐藏');
    await expect(adminPage.getByTestId('customer-address')).toContainText('****');
    await expect(adminPage.getByTestId('customer-profile').getByTestId('personal-reveal')).toHaveCount(4);
    const eye = phone.getByTestId('personal-reveal');
    await tooltipOf(adminPage, eye, EYE_TIP);
    await shot(adminPage, 'pii-masked');
    await eye.click();
    await expect(phone).toContainText(PHONE_SHOWN);
    await expect(adminPage.getByTestId('customer-email')).toContainText(EMAIL);
    await expect(adminPage.getByTestId('customer-address')).toContainText('世纪大道 100 号');
    await expect(adminPage.getByTestId('customer-birthday')).toContainText('1988');
    await expect(adminPage.getByTestId('customer-profile').getByTestId('personal-reveal')).toHaveCount(0);
    await shot(adminPage, 'pii-revealed');

    // a contact is a record of its own: still masked, with its own eye
    await show.openTab('联系人');
    const contacts = adminPage.getByTestId('contacts-table');
    await expect(contacts.getByTestId('contact-wechat-value')).toContainText('***');
    await expect(contacts.getByTestId('contact-mobile-value').getByTestId('personal-reveal')).toBeVisible();

    // its edit dialog takes no masked value blind: the eye there reveals the contact and fills it in
    await contacts.getByTestId('contact-edit').click();
    const mobile = adminPage.getByTestId('contact-mobile');
    await expect(mobile).toBeDisabled();
    assert.equal(await mobile.inputValue(), `137****${digits.slice(-4)}`);
    await adminPage.getByTestId('reveal-mobile').click();
    await expect(mobile).toBeEnabled();
    assert.equal(await mobile.inputValue(), `137 ${digits.slice(0, 4)} ${digits.slice(4)}`);
    assert.equal(await adminPage.getByTestId('contact-wechat').inputValue(), `wxid_wang${suffix}`);
    await shot(adminPage, 'pii-contact-revealed');
    await adminPage.keyboard.press('Escape');
    await expect(adminPage.getByTestId('contact-form')).toBeHidden();
  });

  test('the edit form shows masked fields disabled with the eye, not to be edited blind', async () => {
    // a new page: the reveal above is not kept once its page is gone
    await adminPage.goto(`${baseUrl}/customers/${customerId}/edit`);
    const phone = adminPage.getByTestId('customer-phone');
    await expect(phone).toBeDisabled();
    assert.equal(await phone.inputValue(), PHONE_MASKED);
    await expect(adminPage.getByTestId('customer-email')).toBeDisabled();
    await expect(adminPage.getByTestId('masked-field-phone')).toContainText('已脱敏：查看完整信息（将记录审计）后才能修改');
    await expect(adminPage.getByTestId('reveal-phone')).toBeVisible();
    await expect(adminPage.getByTestId('customer-name')).toBeEnabled();
    await shot(adminPage, 'pii-edit-masked');
    // left without revealing: nothing read in clear, nothing audited
  });

  test("someone whose role does not reach the personal data: the same eye is refused in the server's words", async () => {
    userPage = await signedIn(USER.email, USER.password);
    await userPage.goto(`${baseUrl}/customers/${customerId}`);
    const show = new CustomerShowPage(userPage);
    await expect(show.title()).toContainText(CUSTOMER);
    const phone = userPage.getByTestId('customer-phone');
    await expect(phone).toContainText(PHONE_MASKED);
    const eye = phone.getByTestId('personal-reveal');
    await tooltipOf(userPage, eye, EYE_TIP);
    await eye.click();
    await expect(userPage.locator('.ant-message-notice').filter({ hasText: REFUSED })).toBeVisible();
    await expect(phone).toContainText(PHONE_MASKED);
    await expect(userPage.getByTestId('customer-profile').getByTestId('personal-reveal')).toHaveCount(4);
    await shot(userPage, 'pii-refused');
  });

  test('the audit log has exactly one reveal of the customer: the administrator\'s, naming fields, never values', async () => {
    const logged = await api('GET', `/audit?entity_type=customer&entity_id=${customerId}&action=reveal`);
    assert.equal(logged.data.length, 1, JSON.stringify(logged.data));
    await adminPage.goto(`${baseUrl}/settings/roles`);
    await adminPage.getByTestId(`role-item-${ROLE_KEY}`).click();
    await expect(adminPage.getByTestId('permission-matrix').getByTestId('perm-pii-help')).toContainText('决定手机号、邮箱、微信、地址、生日、证件号码、银行账号是否明文显示');

    await adminPage.goto(`${baseUrl}/settings/audit?entity_type=customer&action=reveal`);
    await expect(adminPage.getByTestId('audit-filter-action')).toContainText('查看个人信息');
    const rows = adminPage.getByTestId('audit-table').locator('tr.ant-table-row');
    // the refused eye and the edit form wrote nothing: one reveal
    await expect(rows).toHaveCount(1);
    await expect(rows.first().getByTestId('audit-action')).toContainText('查看个人信息');
    await rows.first().locator('.ant-table-row-expand-icon').click();
    const fields = adminPage.getByTestId('audit-revealed-fields');
    await expect(fields).toContainText('明文查看的字段');
    for (const name of ['电话', '邮箱', '地址', '生日']) await expect(fields).toContainText(name);
    assert.ok(!(await adminPage.getByTestId('audit-table').innerText()).includes(digits), 'the entry names fields, never values');
    await shot(adminPage, 'pii-audit');
  });
});
