import { describe, expect, it } from 'vitest';
import { submitOnce, type IdempotencyHeader } from './idempotency';
import { ProblemError } from './problem';

/** A send whose answers the test releases one by one, recording the keys it was sent with. */
function recorder() {
  const keys: string[] = [];
  const answers: { resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
  const send = (header: IdempotencyHeader) => {
    keys.push(header['Idempotency-Key']);
    return new Promise<string>((resolve, reject) => answers.push({ resolve, reject }));
  };
  return { keys, answers, send };
}

const problem = (status: number) => new ProblemError({ type: '/problems/x', title: 'x', status });

describe('submitOnce', () => {
  it('a second click while the first request is on the wire joins it instead of sending again', async () => {
    const r = recorder();
    const first = submitOnce('/api/v1/customers', { name: 'join' }, r.send);
    const second = submitOnce('/api/v1/customers', { name: 'join' }, r.send);
    expect(r.keys).toHaveLength(1);
    r.answers[0]!.resolve('created');
    await expect(first).resolves.toBe('created');
    await expect(second).resolves.toBe('created');
  });

  it('a retry of the same values after a network error or a 5xx reuses the key', async () => {
    const r = recorder();
    const body = { name: 'retry' };
    const first = submitOnce('/api/v1/customers', body, r.send);
    r.answers[0]!.reject(new TypeError('Failed to fetch'));
    await expect(first).rejects.toThrow('Failed to fetch');
    const second = submitOnce('/api/v1/customers', { name: 'retry' }, r.send);
    r.answers[1]!.reject(problem(503));
    await expect(second).rejects.toBeInstanceOf(ProblemError);
    const third = submitOnce('/api/v1/customers', body, r.send);
    r.answers[2]!.resolve('created');
    await expect(third).resolves.toBe('created');
    expect(new Set(r.keys).size).toBe(1);
  });

  it('changed values, another operation, a later save after success and a resubmission after a 422 get new keys', async () => {
    const r = recorder();
    const failed = submitOnce('/api/v1/customers', { name: 'a' }, r.send);
    r.answers[0]!.reject(new TypeError('Failed to fetch'));
    await expect(failed).rejects.toThrow();
    const changed = submitOnce('/api/v1/customers', { name: 'b' }, r.send);
    r.answers[1]!.resolve('b');
    await changed;
    const elsewhere = submitOnce('/api/v1/tasks', { name: 'a' }, r.send);
    r.answers[2]!.resolve('task');
    await elsewhere;
    const again = submitOnce('/api/v1/customers', { name: 'b' }, r.send);
    r.answers[3]!.reject(problem(422));
    await expect(again).rejects.toBeInstanceOf(ProblemError);
    const afterRefusal = submitOnce('/api/v1/customers', { name: 'b' }, r.send);
    r.answers[4]!.resolve('b2');
    await afterRefusal;
    expect(new Set(r.keys).size).toBe(5);
  });
});
