// A webhook receiver of the flows' own on 127.0.0.1: it keeps every request the server under test
// sends and answers 200, and checks a request's Standard Webhooks signature against a secret.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { eventually } from './expect.mjs';

/**
 * Starts the receiver on a free port of 127.0.0.1; `answer` is the body of every reply (shown in the
 * CRM as the attempt's response). Returns its URL, what it received, and a stop function.
 */
export async function startReceiver({ answer = '' } = {}) {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json = null;
      try {
        json = JSON.parse(body);
      } catch {
        // kept as text: the test says what it expected
      }
      received.push({ method: req.method, path: req.url, headers: req.headers, body, json });
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(answer);
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    received,
    /** The requests of one event type to one path, in the order they came. */
    of(path, type) {
      return received.filter((r) => r.path === path && r.json?.type === type);
    },
    /** Waits until a request of `type` reached `path` and returns the first one. */
    async waitFor(path, type, timeout = 30_000) {
      await eventually(() => received.some((r) => r.path === path && r.json?.type === type), () => `a ${type} delivery at ${url}${path} (received: ${received.map((r) => `${r.path} ${r.json?.type}`).join(', ') || 'nothing'})`, timeout);
      return this.of(path, type)[0];
    },
    stop: () => new Promise((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    }),
  };
}

/**
 * Whether one of the request's `webhook-signature` values (`v1,<base64>`, space-separated) is the
 * HMAC-SHA256 of `id.timestamp.body` under `secret` (`whsec_<base64 key>`): the specification's check.
 */
export function signedWith(request, secret) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
  return String(request.headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'))
    .some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
}
