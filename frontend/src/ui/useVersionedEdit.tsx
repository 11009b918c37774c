import { useState, type ReactNode } from 'react';
import { Alert, App, Button, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { isStale, useProblemText } from './problemText';

/** What {@link VersionedEdit.save} resolves to when the server refused the write as stale (412). */
export const STALE = Symbol('stale');

/** What {@link VersionedEdit.saveChanges} did. */
export type SaveOutcome = 'saved' | 'unchanged' | 'stale';

export interface VersionedEditOptions<R, V, P extends object> {
  /** The record as first read; null while the form creates a new one. */
  record: R | null;
  /** Reads the latest version of the record after a 412 (undefined: it is gone). */
  latest: (base: R) => Promise<R | undefined>;
  /** The form the user edits; without it a reload only moves the base (the caller keeps its own state). */
  form?: FormInstance<V>;
  /** How a record fills the form. */
  toForm?: (record: R) => V;
  /** What the user changed against a base, as the merge patch the form sends. */
  changes?: (base: R, values: V) => P;
  /** How to put the user's changes on top of the latest version, when it is not field for field. */
  reapply?: (base: R, latest: R, mine: V) => V;
}

export interface VersionedEdit<R, V, P extends object> {
  /** The version the user's edits are based on; `If-Match` carries its version. */
  base: R | null;
  stale: boolean;
  /** The stale-edit notice with its reload button, to show above the form; null while not stale. */
  notice: ReactNode;
  /** Starts over from this record (a dialog opened again, or a save the page stays on). */
  reset: (record: R | null) => void;
  /**
   * Moves the base to another reading of the record (the latest version, or the same one revealed in
   * clear): the form shows it, with the user's own changes against the old base kept on top.
   */
  adopt: (record: R) => void;
  /** Sends a write based on the base; a 412 shows the notice and resolves to {@link STALE}, any other failure rejects. */
  save: <T>(send: (base: R) => Promise<T>) => Promise<T | typeof STALE>;
  /** Sends only what the user changed ({@link VersionedEditOptions.changes}); nothing changed sends nothing. */
  saveChanges: (values: V, send: (base: R, patch: P) => Promise<unknown>) => Promise<SaveOutcome>;
  /** A form that edits or creates: {@link saveChanges} while there is a base, else `create`. */
  saveOrCreate: (values: V, update: (base: R, patch: P) => Promise<unknown>, create: () => Promise<unknown>) => Promise<SaveOutcome | 'created'>;
}

/**
 * Editing a versioned record. Keeps the version the edits are based on; when a save answers 412
 * (someone else changed the record meanwhile) it shows the notice, and its button loads the latest
 * version and puts the user's own changes back on top of it, so they review and save again.
 */
export function useVersionedEdit<R, V = never, P extends object = object>(options: VersionedEditOptions<R, V, P>): VersionedEdit<R, V, P> {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemText = useProblemText();
  const { form, toForm, changes, reapply } = options;
  const [base, setBase] = useState<R | null>(options.record);
  const [stale, setStale] = useState(false);
  const [reloading, setReloading] = useState(false);

  const reset = (record: R | null) => {
    setBase(record);
    setStale(false);
  };

  /** The latest version with the user's changes (against the base) put back on top. */
  const reapplied = (from: R, latest: R): V | null => {
    if (!form || !toForm) return null;
    const mine = form.getFieldsValue(true) as V;
    if (reapply) return reapply(from, latest, mine);
    const values = toForm(latest) as Record<string, unknown>;
    const current = mine as Record<string, unknown>;
    for (const key of Object.keys(changes ? changes(from, mine) : {})) {
      if (key in current) values[key] = current[key];
    }
    return values as V;
  };

  const adopt = (record: R) => {
    const values = base === null ? (toForm ? toForm(record) : null) : reapplied(base, record);
    setBase(record);
    setStale(false);
    if (values !== null) form?.setFieldsValue(values as Parameters<FormInstance<V>['setFieldsValue']>[0]);
  };

  const reload = async () => {
    if (base === null) return;
    setReloading(true);
    try {
      const latest = await options.latest(base);
      if (latest === undefined) return;
      adopt(latest);
      void message.info(t('stale.reapplied'));
    } catch (e) {
      void message.error(problemText(e));
    } finally {
      setReloading(false);
    }
  };

  const save = async <T,>(send: (base: R) => Promise<T>): Promise<T | typeof STALE> => {
    if (base === null) throw new Error('useVersionedEdit: nothing to save against');
    try {
      return await send(base);
    } catch (e) {
      if (!isStale(e)) throw e;
      setStale(true);
      return STALE;
    }
  };

  const saveChanges = async (values: V, send: (base: R, patch: P) => Promise<unknown>): Promise<SaveOutcome> => {
    if (base === null || !changes) throw new Error('useVersionedEdit: saveChanges needs a base and `changes`');
    const patch = changes(base, values);
    if (Object.keys(patch).length === 0) return 'unchanged';
    const result = await save((b) => send(b, patch));
    return result === STALE ? 'stale' : 'saved';
  };

  const saveOrCreate = async (
    values: V,
    update: (base: R, patch: P) => Promise<unknown>,
    create: () => Promise<unknown>,
  ): Promise<SaveOutcome | 'created'> => {
    if (base !== null) return saveChanges(values, update);
    await create();
    return 'created';
  };

  const notice = stale ? (
    <Alert
      type="warning"
      showIcon
      data-testid="stale-notice"
      style={{ marginBottom: 16 }}
      title={t('stale.title')}
      description={t('stale.description')}
      action={
        <Button size="small" loading={reloading} onClick={() => void reload()} data-testid="stale-reload">
          {t('stale.reload')}
        </Button>
      }
    />
  ) : null;

  return { base, stale, notice, reset, adopt, save, saveChanges, saveOrCreate };
}

/**
 * What a page does when a one-click write fails (delete, move, restore): a stale one says the record
 * changed and offers to reload it; any other shows why in the language shown now.
 */
export function useWriteFailed(reload?: () => void): (error: unknown) => void {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const problemText = useProblemText();
  return (error) => {
    if (isStale(error)) {
      modal.warning({ title: t('stale.title'), content: t('stale.descriptionShort'), ...(reload ? { okText: t('stale.reload'), onOk: reload } : {}) });
      return;
    }
    void message.error(problemText(error));
  };
}
