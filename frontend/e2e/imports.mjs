// End-to-end in Chinese: an administrator imports customers from an Excel file through the import
// wizard (导入客户) — uploads it, keeps the proposed mapping, reads the dry run (one row without a
// name fails), runs the import — and the imported customers then appear in the customer list; the
// import is in the history, completed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chineseContext, launch } from './browser.mjs';
import { expect } from './expect.mjs';
import { CustomerListPage, SignInPage } from './pages.mjs';
import { ADMIN, serverForFlow } from './server.mjs';
import { writeXlsx } from './xlsx.mjs';

const root = new URL('..', import.meta.url).pathname;
const artifacts = join(root, 'e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

const stamp = Date.now();
const suffix = stamp.toString(36).slice(-5);
const NAMES = [`导入测试甲公司${suffix}`, `导入测试乙公司${suffix}`, `导入测试丙公司${suffix}`];
// mobile numbers of this run only, so no customer already there is taken for a duplicate
const phone = (n) => `139${String((stamp + n) % 100_000_000).padStart(8, '0')}`;
const FILE = `客户导入${suffix}.xlsx`;

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

describe('importing customers (导入客户)', () => {
  test('an Excel file goes through the wizard: mapping kept, dry run with one failed row, run, customers listed', async () => {
    const workbook = writeXlsx(join(artifacts, FILE), [
      ['客户名称', '手机', '所属行业', '城市'],
      [NAMES[0], phone(1), '制造业', '上海市'],
      [NAMES[1], phone(2), '贸易', '北京市'],
      [NAMES[2], phone(3), '', '广州市'],
      ['', phone(4), '制造业', '深圳市'],
    ]);

    const signIn = new SignInPage(page, server.url);
    await signIn.open();
    await signIn.signIn(ADMIN.email, ADMIN.password);
    const list = new CustomerListPage(page, server.url);
    await list.open();

    // 1. 客户 → 导入: choose the file; it is uploaded at once and the mapping step opens
    await page.getByTestId('customer-import').click();
    await expect(page.getByTestId('import-steps')).toContainText('选择文件');
    await page.locator('[data-testid=import-wizard] input[type=file]').setInputFiles(workbook);
    await expect(page).toHaveURL(/\/customers\/import\/[0-9a-f-]{36}$/);
    const mapping = page.getByTestId('import-mapping');
    await expect(mapping).toContainText('4 行数据');
    // the proposed mapping, kept as it is
    await expect(page.getByTestId('import-column-0')).toContainText('客户名称（必填）');
    await expect(page.getByTestId('import-column-1')).toContainText('电话');
    await expect(page.getByTestId('import-column-2')).toContainText('所属行业');
    await expect(page.getByTestId('import-column-0')).toContainText(NAMES[0]);

    // 2. the dry run: three to create, one row (5, no name) to fail, with its reason in Chinese
    await page.getByTestId('import-dry-run').click();
    await expect(page.getByTestId('import-checked')).toContainText('试运行已完成');
    await expect(page.getByTestId('import-check-created')).toContainText('3');
    await expect(page.getByTestId('import-check-failed')).toContainText('1');
    const failed = page.getByTestId('import-failed-rows').locator('tbody tr.ant-table-row');
    await expect(failed).toHaveCount(1);
    await expect(failed.first()).toContainText('5');
    await expect(failed.first()).toContainText('客户名称');
    await page.screenshot({ path: join(artifacts, 'import-dry-run.png'), fullPage: true });
    // nothing was written yet
    await list.open(`?q=${encodeURIComponent(NAMES[0])}`);
    await list.waitIdle();
    await expect(page.getByTestId('customer-table')).toContainText('暂无数据');
    await page.goBack();

    // 3. the run, then its counts
    await page.getByTestId('import-run').click();
    await expect(page.getByTestId('import-completed')).toContainText('导入已完成');
    await expect(page.getByTestId('import-run-created')).toContainText('3');
    await expect(page.getByTestId('import-run-failed')).toContainText('1');
    await expect(page.getByTestId('import-status')).toContainText('已完成');
    await page.screenshot({ path: join(artifacts, 'import-completed.png'), fullPage: true });

    // 4. the customer list shows the imported customers
    await page.getByTestId('import-to-customers').click();
    await page.getByTestId('customer-table').waitFor();
    for (const name of NAMES) {
      await list.search(name);
      await expect(list.row(name)).toHaveCount(1);
    }

    // 5. the history lists the import, completed, and reopens it at its last step
    await page.goto(`${server.url}/customers/imports`);
    const row = page.getByTestId('import-history-row').filter({ hasText: FILE });
    await expect(row).toContainText('已完成');
    await row.getByTestId('import-history-open').click();
    await expect(page.getByTestId('import-run-step')).toContainText('已完成');
    assert.match(page.url(), /\/customers\/import\/[0-9a-f-]{36}$/);
  });
});
