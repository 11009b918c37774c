// A few polling assertions on playwright-core locators (playwright-core has no `expect`).
import assert from 'node:assert/strict';

// Generous: a state the server makes true can take seconds on a loaded 2-core CI machine (the
// debug build, the suites beside it); a wait for a state costs nothing when it comes at once.
const TIMEOUT = 20_000;

async function poll(check, describe, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last.ok) return;
    } catch (e) {
      last = { ok: false, actual: String(e) };
    }
    if (Date.now() > deadline) assert.fail(`${describe()} (last seen: ${last?.actual})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `check` (async, truthy when done) until it holds; for conditions the server makes true later. */
export async function eventually(check, describe, timeout = TIMEOUT) {
  await poll(async () => {
    const ok = await check();
    return { ok: Boolean(ok), actual: ok };
  }, describe, timeout);
}

export function expect(locatorOrPage) {
  const l = locatorOrPage;
  return {
    async toBeVisible(timeout) {
      await l.waitFor({ state: 'visible', timeout: timeout ?? TIMEOUT });
    },
    async toBeHidden(timeout) {
      await l.waitFor({ state: 'hidden', timeout: timeout ?? TIMEOUT });
    },
    async toHaveCount(n, timeout) {
      await poll(async () => {
        const c = await l.count();
        return { ok: c === n, actual: c };
      }, () => `expected ${n} elements`, timeout);
    },
    async toContainText(text, timeout) {
      await poll(async () => {
        const t = await l.first().innerText();
        return { ok: t.includes(text), actual: t };
      }, () => `expected text containing ${JSON.stringify(text)}`, timeout);
    },
    async toNotContainText(text, timeout) {
      await poll(async () => {
        const t = await l.first().innerText();
        return { ok: !t.includes(text), actual: t };
      }, () => `expected text without ${JSON.stringify(text)}`, timeout);
    },
    /** An input or button that cannot be used (a masked field of an edit form). */
    async toBeDisabled(timeout) {
      await poll(async () => {
        const disabled = await l.first().isDisabled();
        return { ok: disabled, actual: disabled ? 'disabled' : 'enabled' };
      }, () => 'expected a disabled element', timeout);
    },
    async toBeEnabled(timeout) {
      await poll(async () => {
        const enabled = await l.first().isEnabled();
        return { ok: enabled, actual: enabled ? 'enabled' : 'disabled' };
      }, () => 'expected an enabled element', timeout);
    },
    async toHaveURL(re, timeout) {
      await poll(async () => ({ ok: re.test(l.url()), actual: l.url() }), () => `expected URL ${re}`, timeout);
    },
  };
}
