// Starts the real `crm` binary on a fresh SQLite database with demo data, for end-to-end runs.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const frontend = resolve(new URL('..', import.meta.url).pathname);
export const ADMIN = {
  email: 'admin@example.com',
  // with CRM_E2E_BASE_URL (a server someone else started) the admin password comes from the environment
  password: process.env.CRM_E2E_ADMIN_PASSWORD ?? `e2e-${randomBytes(6).toString('hex')}`,
};
export const DEMO_PASSWORD = 'demo-password-1';

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function waitForHealth(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`crm serve exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}/healthz did not answer within ${timeoutMs} ms`);
}

/**
 * The server a flow runs against: the one at CRM_E2E_BASE_URL when that is set (someone else started
 * it and stops it), else a fresh one of the flow's own.
 */
export async function serverForFlow() {
  if (process.env.CRM_E2E_BASE_URL) {
    return { url: process.env.CRM_E2E_BASE_URL.replace(/\/$/, ''), log: () => '', stop: async () => undefined };
  }
  return startServer();
}

/** Starts `crm serve` with its own database and port; returns its URL and a stop function. */
export async function startServer() {
  const binary = resolve(frontend, process.env.CRM_BIN ?? '../target/debug/crm');
  if (!existsSync(binary)) throw new Error(`${binary} is missing: build the back end first (make)`);
  const dist = join(frontend, 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    console.error('dist/ is missing: building it first');
    const build = spawnSync('npm', ['run', 'build'], { cwd: frontend, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'crm-e2e-'));
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${join(dir, 'e2e.sqlite')}?mode=rwc`,
    CRM_BIND: `127.0.0.1:${port}`,
    CRM_ADMIN_EMAIL: ADMIN.email,
    CRM_ADMIN_PASSWORD: ADMIN.password,
    CRM_JWT_SECRET: randomBytes(32).toString('hex'),
    // the data key (and anything else kept in the data folder) lives with the run's database
    CRM_DATA_DIR: dir,
    CRM_STATIC_DIR: dist,
    // the follow-up rule job runs every 2 s, so a rule-created task shows up while the flows run
    CRM_FOLLOW_UP_INTERVAL_SECS: process.env.CRM_FOLLOW_UP_INTERVAL_SECS ?? '2',
    // the webhook flows subscribe a receiver of their own on 127.0.0.1, a loopback address the
    // server refuses unless told; its worker looks for due deliveries every second besides being woken
    CRM_WEBHOOK_ALLOW_PRIVATE: 'true',
    CRM_WEBHOOK_POLL_INTERVAL_MS: process.env.CRM_WEBHOOK_POLL_INTERVAL_MS ?? '1000',
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  };
  const seed = () => spawnSync(binary, ['seed', '--demo'], { env, encoding: 'utf8', timeout: 120_000 });
  // Seeding first gives serve a ready database; if seed needs the schema serve creates, seed after.
  let seeded = seed();
  const child = spawn(binary, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child);
    if (seeded.status !== 0) {
      seeded = seed();
      if (seeded.status !== 0) throw new Error(`crm seed --demo failed:\n${seeded.stdout}\n${seeded.stderr}`);
    }
  } catch (e) {
    child.kill('SIGTERM');
    console.error(log.slice(-4000));
    throw e;
  }
  return {
    url,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            r();
          });
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
