import { afterEach, describe, expect, it, vi } from 'vitest';
import { storedSession } from './storedSession';

interface T {
  token: string;
}
const store = () => storedSession<T>('test.session', (v) => (typeof v.token === 'string' ? { token: v.token } : null));

afterEach(() => localStorage.clear());

describe('a stored session', () => {
  it('keeps the tokens under its key and reads back only what it accepts', () => {
    const s = store();
    expect(s.get()).toBeNull();
    s.set({ token: 'a' });
    expect(localStorage.getItem('test.session')).toBe('{"token":"a"}');
    expect(store().get()).toEqual({ token: 'a' });
    localStorage.setItem('test.session', '{"token":1}');
    expect(s.get()).toBeNull();
    localStorage.setItem('test.session', 'not json');
    expect(s.get()).toBeNull();
  });

  it('tells its listeners of each change and remembers a refused session until the next sign-in', () => {
    const s = store();
    const heard = vi.fn();
    const stop = s.subscribe(heard);
    s.set({ token: 'a' });
    s.clear('expired');
    expect(heard.mock.calls).toEqual([['changed'], ['expired']]);
    expect(s.expired()).toBe(true);
    expect(s.get()).toBeNull();
    s.set({ token: 'b' });
    expect(s.expired()).toBe(false);
    stop();
    s.clear();
    expect(heard).toHaveBeenCalledTimes(3);
  });
});
