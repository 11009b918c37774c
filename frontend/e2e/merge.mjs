// End-to-end in Chinese: an administrator merges a duplicate customer (查重合并) into another through
// the wizard — picks it, keeps the duplicate's notes, reads the dry run — and the survivor then
// shows the duplicate's contact and the values chosen; the duplicate is in the recycle bin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chineseContext, launch } from './browser.mjs';
import { expect } from './expect.mjs';
import { clickWhenOpen, CustomerShowPage, dialogsClosed, SignInPage } from './pages.mjs';
import { ADMIN, serverForFlow } from './server.mjs';

const root = new URL('..', import.meta.url).pathname;
const artifacts = join(root, 'e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

const suffix = Date.now().toString(36).slice(-5);
const SURVIVOR = `查重合并测试有限公司${suffix}`;
const DUPLICATE = `查重合并测试公司重复${suffix}`;
const CONTACT = `合并联系人王芳${suffix}`;
const SURVIVOR_NOTES = `原始录入的备注${suffix}`;
const DUPLICATE_NOTES = `重复录入的备注${suffix}`;
const WEBSITE = `https://dup-${suffix}.example.cn`;

let server;
let browser;
let page;
let baseUrl;
let token;
let survivorId;
let duplicateId;

async function api(method, path, body) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res;
}

async function apiPost(path, body) {
  const res = await api('POST', path, body);
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

before(async () => {
  server = await serverForFlow();
  baseUrl = server.url;
  token = (await apiPost('/auth/login', { email: ADMIN.email, password: ADMIN.password })).access_token;
  survivorId = (await apiPost('/customers', { kind: 'company', name: SURVIVOR, notes: SURVIVOR_NOTES })).id;
  duplicateId = (await apiPost('/customers', { kind: 'company', name: DUPLICATE, notes: DUPLICATE_NOTES, website: WEBSITE })).id;
  await apiPost(`/customers/${duplicateId}/contacts`, { name: CONTACT, mobile: '13700137000' });
  browser = await launch();
  const context = await chineseContext(browser);
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('merging duplicate customers (查重合并)', () => {
  test("the wizard merges the duplicate: the survivor shows its contact and the values chosen", async () => {
    const signIn = new SignInPage(page, baseUrl);
    await signIn.open();
    await signIn.signIn(ADMIN.email, ADMIN.password);
    await page.goto(`${baseUrl}/customers/${survivorId}`);
    const show = new CustomerShowPage(page);
    await expect(show.title()).toContainText(SURVIVOR);

    await page.getByTestId('customer-merge').click();
    const wizard = page.getByTestId('merge-wizard');
    await expect(wizard).toContainText('选择重复客户');
    // the picker searches by name: type part of it, pick the duplicate
    await page.getByTestId('merge-other').click();
    await page.getByTestId('merge-other').locator('input').fill(DUPLICATE);
    await clickWhenOpen(page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: DUPLICATE }).first());
    await expect(page.getByTestId('merge-next')).toBeEnabled();
    await page.getByTestId('merge-next').click();

    // the survivor has no website: the duplicate's is preselected; its notes are chosen by hand
    await expect(page.getByTestId('merge-compare')).toContainText('保留（本客户）');
    assert.equal(await page.getByTestId('merge-pick-website-other').isChecked(), true);
    assert.equal(await page.getByTestId('merge-pick-notes-survivor').isChecked(), true);
    await page.getByTestId('merge-pick-notes-other').check();
    await page.getByTestId('merge-preview').click();

    await expect(page.getByTestId('merge-moved-contacts')).toContainText('1');
    await expect(page.getByTestId('merge-moved')).toContainText('联系人');
    await expect(page.getByTestId('merge-survivor-after')).toContainText(DUPLICATE_NOTES);
    await page.screenshot({ path: join(artifacts, 'merge-preview.png'), fullPage: true });
    await clickWhenOpen(page.getByTestId('merge-confirm'));
    await dialogsClosed(page);

    await expect(page.locator('.ant-message')).toContainText('共转移 1 条记录');
    await expect(page.getByTestId('customer-profile')).toContainText(DUPLICATE_NOTES);
    await expect(page.getByTestId('customer-profile')).toContainText(WEBSITE);
    await show.openTab('联系人');
    await expect(page.getByTestId('contacts-table')).toContainText(CONTACT);
    // the duplicate went to the recycle bin
    assert.equal((await api('GET', `/customers/${duplicateId}`)).status, 404);
  });
});
