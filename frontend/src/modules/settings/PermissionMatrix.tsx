import { Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ACTIONS, READ_ONLY_RESOURCES, RESOURCES, SCOPES, type Action, type Permission, type Resource, type Scope } from '../../api/types';
import { FullTable } from '../../ui/FullTable';
import { enumOptions } from '../../ui/useOptions';

export type Matrix = Record<string, Permission>;

export const NO_PERMISSION: Permission = { read: 'none', create: 'none', update: 'none', delete: 'none', export: 'none' };

/** A full matrix: every known resource present, missing ones as `none`. */
export function completeMatrix(m: Partial<Record<string, Permission>>): Matrix {
  const out: Matrix = {};
  for (const r of RESOURCES) out[r] = { ...NO_PERMISSION, ...(m[r] ?? {}) };
  for (const [r, p] of Object.entries(m)) if (p && !(r in out)) out[r] = p;
  return out;
}

export function setScope(m: Matrix, resource: string, action: Action, scope: Scope): Matrix {
  return { ...m, [resource]: { ...(m[resource] ?? NO_PERMISSION), [action]: scope } };
}

const readOnlyResource = (resource: string) => (READ_ONLY_RESOURCES as readonly string[]).includes(resource);

/**
 * Resources × actions, each cell a scope none/own/team/all. Personal data (`pii`) has only its read
 * scope (who sees phones, emails… in clear), with a line saying so; its other cells stay empty.
 */
export function PermissionMatrix({ value, onChange, readOnly }: { value: Matrix; onChange?: (m: Matrix) => void; readOnly?: boolean }) {
  const { t } = useTranslation();
  const rows = Object.keys(value).map((resource) => ({ resource }));
  return (
    <FullTable
      rowKey="resource"
      size="small"
      dataSource={rows}
      data-testid="permission-matrix"
      columns={[
        {
          title: t('settings.resource'),
          dataIndex: 'resource',
          render: (r: string) => {
            const name = (RESOURCES as readonly string[]).includes(r) ? t(`resource.${r as Resource}`) : r;
            if (r !== 'pii') return name;
            return (
              <div>
                <div>{name}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="perm-pii-help">
                  {t('settings.piiHelp')}
                </Typography.Text>
              </div>
            );
          },
        },
        ...ACTIONS.map((action) => ({
          title: t(`action.${action}`),
          key: action,
          render: (_: unknown, row: { resource: string }) => {
            if (action !== 'read' && readOnlyResource(row.resource)) {
              return <Typography.Text type="secondary" data-testid={`perm-${row.resource}-${action}`}>—</Typography.Text>;
            }
            const scope = value[row.resource]?.[action] ?? 'none';
            if (readOnly) return <span data-testid={`perm-${row.resource}-${action}`}>{t(`scope.${scope}`)}</span>;
            return (
              <Select<Scope>
                size="small"
                value={scope}
                style={{ width: 96 }}
                onChange={(s) => onChange?.(setScope(value, row.resource, action, s))}
                options={enumOptions(t, SCOPES, 'scope')}
                aria-label={`${row.resource} ${action}`}
                data-testid={`perm-${row.resource}-${action}`}
              />
            );
          },
        })),
      ]}
    />
  );
}
