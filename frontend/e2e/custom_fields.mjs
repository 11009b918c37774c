// Custom fields in the browser: an administrator defines a select field on customers in Settings,
// creates a customer choosing one of its options, sees it on the detail page, and filters the
// customer list by it (kept in the URL). In Chinese, on a server of its own like the other flows.
import { after, before, describe, test } from 'node:test';
import { chineseContext, launch } from './browser.mjs';
import { expect } from './expect.mjs';
import { chooseOption, CustomerListPage, dialogsClosed, SignInPage } from './pages.mjs';
import { ADMIN, serverForFlow } from './server.mjs';

const suffix = Date.now().toString(36).slice(-5);
const KEY = `level_${suffix}`;
const LABEL = `客户级别${suffix}`;
const CUSTOMER = `自定义字段测试有限公司${suffix}`;
const OTHER = `未分级客户有限公司${suffix}`;

let server;
let browser;
let page;

before(async () => {
  server = await serverForFlow();
  browser = await launch();
  page = await (await chineseContext(browser)).newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Creates a customer from the form, choosing `level` (an option's Chinese label) when given; returns its page's URL. */
async function createCustomer(name, level) {
  await page.goto(`${server.url}/customers/new`);
  await page.getByTestId('customer-name').fill(name);
  if (level) await chooseOption(page, `cf-${KEY}`, level);
  await page.getByTestId('customer-save').click();
  await expect(page.getByTestId('customer-title')).toContainText(name);
  return page.url();
}

describe('custom fields', () => {
  test('an administrator defines a select field, a customer gets an option, the list filters by it', async () => {
    const signIn = new SignInPage(page, server.url);
    await signIn.open();
    await signIn.signIn(ADMIN.email, ADMIN.password);

    // 1. Settings → 自定义字段: a single-choice field on customers with two options
    await page.goto(`${server.url}/settings/custom-fields`);
    await expect(page.getByTestId('custom-field-entity')).toContainText('客户');
    await page.getByTestId('custom-field-new').click();
    await page.getByTestId('cf-def-label_zh').fill(LABEL);
    await page.getByTestId('cf-def-label_en').fill(`Customer level ${suffix}`);
    await page.getByTestId('cf-def-key').fill(KEY);
    await chooseOption(page, 'cf-def-type', '单选');
    for (const [i, [value, zh, en]] of [['gold', '金牌', 'Gold'], ['silver', '银牌', 'Silver']].entries()) {
      await page.getByTestId('cf-option-add').click();
      await page.getByTestId(`cf-option-value-${i}`).fill(value);
      await page.getByTestId(`cf-option-label_zh-${i}`).fill(zh);
      await page.getByTestId(`cf-option-label_en-${i}`).fill(en);
    }
    await page.getByTestId('custom-field-save').click();
    await dialogsClosed(page);
    const row = page.locator(`[data-field-key="${KEY}"]`);
    await expect(row).toContainText(LABEL);
    await expect(row).toContainText('单选');
    await expect(row).toContainText('金牌');

    // 2. a customer with 金牌, and one without a level
    const url = await createCustomer(CUSTOMER, '金牌');
    await expect(page.getByTestId(`cf-value-${KEY}`)).toContainText('金牌');
    await createCustomer(OTHER);
    await expect(page.getByTestId(`cf-value-${KEY}`)).toContainText('—');

    // 3. the list filtered by the field: only the customer with 金牌, and the filter is in the URL
    const list = new CustomerListPage(page, server.url);
    await list.open();
    await chooseOption(page, `filter-cf-${KEY}`, '金牌');
    await page.keyboard.press('Escape');
    await expect(page).toHaveURL(new RegExp(`cf\\.${KEY}=gold`));
    await list.waitIdle();
    await expect(list.rows()).toHaveCount(1);
    await expect(list.rows().first()).toContainText(CUSTOMER);

    // a reload keeps the filter; the row leads to the customer
    await page.reload();
    await page.getByTestId('customer-table').waitFor();
    await expect(list.rows()).toHaveCount(1);
    await list.rows().first().getByTestId('customer-row-link').click();
    await expect(page).toHaveURL(new RegExp(url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await expect(page.getByTestId(`cf-value-${KEY}`)).toContainText('金牌');
  });
});
