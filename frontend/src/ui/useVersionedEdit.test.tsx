import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderHook } from '@testing-library/react';
import { App as AntApp } from 'antd';
import { mergePatch } from './mergePatch';
import { useVersionedEdit } from './useVersionedEdit';

interface Rec {
  id: string;
  name: string;
}

const wrapper = ({ children }: { children: ReactNode }) => <AntApp>{children}</AntApp>;
const edit = (record: Rec | null) =>
  renderHook(
    () =>
      useVersionedEdit<Rec, { name: string }, Partial<{ name: string }>>({
        record,
        latest: async () => undefined,
        changes: (base, values) => mergePatch({ name: base.name }, values),
      }),
    { wrapper },
  ).result.current;

describe('useVersionedEdit: saveOrCreate', () => {
  it('creates while there is no record', async () => {
    const update = vi.fn(async () => undefined);
    const create = vi.fn(async () => undefined);
    expect(await edit(null).saveOrCreate({ name: 'new' }, update, create)).toBe('created');
    expect(create).toHaveBeenCalledOnce();
    expect(update).not.toHaveBeenCalled();
  });

  it('sends only what changed against the record, and nothing when nothing did', async () => {
    const update = vi.fn(async () => undefined);
    const create = vi.fn(async () => undefined);
    const record = { id: '1', name: 'old' };
    expect(await edit(record).saveOrCreate({ name: 'old' }, update, create)).toBe('unchanged');
    expect(update).not.toHaveBeenCalled();
    expect(await edit(record).saveOrCreate({ name: 'new' }, update, create)).toBe('saved');
    expect(update).toHaveBeenCalledWith(record, { name: 'new' });
    expect(create).not.toHaveBeenCalled();
  });
});
