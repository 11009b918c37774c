// Launches Debian's Chromium through playwright-core (no browser download).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI === 'true') {
    throw new Error(`${CHROMIUM} is missing on CI: install Debian's chromium package (apt-get install -y chromium)`);
  }
  const script = new URL('../scripts/setup-chromium.sh', import.meta.url).pathname;
  const res = spawnSync('bash', [script], { stdio: 'inherit' });
  if (res.status !== 0 || !existsSync(CHROMIUM)) throw new Error(`could not install Chromium (${script})`);
}

export function launch() {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** A fresh browser profile of a Chinese user (the app must start in zh-CN), on a desktop screen unless told. */
export async function chineseContext(browser, viewport = { width: 1366, height: 860 }) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport });
  context.setDefaultTimeout(15_000);
  return context;
}
