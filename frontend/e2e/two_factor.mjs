// Two-factor sign-in in the browser: the administrator enrols from the user menu with a code
// computed here (RFC 6238 with node's crypto, as an authenticator app does), keeps the recovery
// codes, signs out, and signs in again with password and a code.
import { after, before, describe, test } from 'node:test';
import { createHmac } from 'node:crypto';
import { chineseContext, launch } from './browser.mjs';
import { expect } from './expect.mjs';
import { SignInPage, Shell } from './pages.mjs';
import { ADMIN, serverForFlow } from './server.mjs';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Bytes(text) {
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) bits += BASE32.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The TOTP code (HMAC-SHA-1, 6 digits, 30 s steps) for `secret` at `offsetSeconds` from now. */
function totp(secret, offsetSeconds = 0) {
  const step = Math.floor((Date.now() / 1000 + offsetSeconds) / 30);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Bytes(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const number = ((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3];
  return String(number % 1_000_000).padStart(6, '0');
}

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

describe('two-factor sign-in', () => {
  test('enrols from the user menu, signs out, and signs in again with a code', async () => {
    const signIn = new SignInPage(page, server.url);
    await signIn.open();
    await signIn.signIn(ADMIN.email, ADMIN.password);

    await page.getByTestId('user-menu').click();
    await page.getByTestId('my-two-factor').click();
    await expect(page.getByRole('heading', { name: '两步验证' })).toBeVisible();
    await page.getByTestId('two-factor-start').click();
    await expect(page.getByTestId('two-factor-qr')).toBeVisible();
    const secret = (await page.getByTestId('two-factor-secret').innerText()).trim();
    await page.getByTestId('two-factor-code').fill(totp(secret));
    await page.getByTestId('two-factor-confirm').click();
    await expect(page.getByTestId('recovery-code')).toHaveCount(10);
    await expect(page.getByTestId('two-factor-status')).toContainText('已开启');
    await page.getByTestId('recovery-codes-done').click();

    await new Shell(page).signOut();
    await signIn.attempt(ADMIN.email, ADMIN.password);
    await expect(page.getByTestId('signin-code')).toBeVisible();
    // the enrolling code's time step is used up: the next step's code (within the allowed drift)
    await page.getByTestId('signin-code').fill(totp(secret, 30));
    await page.getByTestId('signin-code-submit').click();
    await page.getByTestId('user-menu').waitFor();
  });
});
