import { createContext, useContext, type CSSProperties, type HTMLAttributes, type Key, type ReactNode } from 'react';
import { Empty, Listy, Spin, theme } from 'antd';

/**
 * A plain list of rows: antd's `List` is deprecated (antd 6.6 warns on every use and points to
 * `Listy`, which renders rows only). This keeps the parts the screens used, on top of `Listy`:
 * loading, a sentence when empty, and rows with actions, an extra column and a title/description.
 */
export interface ItemListProps<T> {
  dataSource: readonly T[];
  renderItem: (item: T, index: number) => ReactNode;
  /** A field of the item or a function; by default the item's `id`, else its position. */
  rowKey?: keyof T | ((item: T) => Key);
  loading?: boolean;
  size?: 'small' | 'default';
  /** `vertical` puts the actions under the content and the extra column on the right. */
  itemLayout?: 'horizontal' | 'vertical';
  locale?: { emptyText?: ReactNode };
  'data-testid'?: string;
  style?: CSSProperties;
}

type Layout = Pick<ItemListProps<unknown>, 'size' | 'itemLayout'>;

export function ItemList<T>({ dataSource, renderItem, rowKey, loading = false, size = 'default', itemLayout = 'horizontal', locale, style, ...rest }: ItemListProps<T>) {
  const items = dataSource.map((item, index) => ({ item, index }));
  const key = (row: { item: T; index: number }): Key => {
    if (typeof rowKey === 'function') return rowKey(row.item);
    if (rowKey !== undefined) return row.item[rowKey] as Key;
    const id = (row.item as { id?: unknown } | null)?.id;
    return typeof id === 'string' || typeof id === 'number' ? id : row.index;
  };
  return (
    <Spin spinning={loading}>
      <div data-testid={rest['data-testid']} data-size={size} data-layout={itemLayout} style={style}>
        {items.length === 0 ? (
          loading ? <div style={{ minHeight: 48 }} /> : (locale?.emptyText ?? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />)
        ) : (
          <Layouts.Provider value={{ size, itemLayout }}>
            <Listy items={items} rowKey={key} itemRender={(row) => renderItem(row.item, row.index)} />
          </Layouts.Provider>
        )}
      </div>
    </Spin>
  );
}

const Layouts = createContext<Layout>({ size: 'default', itemLayout: 'horizontal' });

export interface ItemProps extends HTMLAttributes<HTMLDivElement> {
  actions?: ReactNode[];
  extra?: ReactNode;
}

function Item({ actions, extra, children, style, ...div }: ItemProps) {
  const { token } = theme.useToken();
  const { size, itemLayout } = useContext(Layouts);
  const vertical = itemLayout === 'vertical';
  const padding = size === 'small' ? `${token.paddingXS}px 0` : `${token.paddingSM}px 0`;
  const actionBar = actions && actions.length > 0 && (
    <div style={{ display: 'flex', gap: token.marginXS, flexWrap: 'wrap', marginTop: vertical ? token.marginXS : 0 }}>{actions}</div>
  );
  return (
    <div
      {...div}
      style={{ display: 'flex', alignItems: vertical ? 'flex-start' : 'center', gap: token.marginSM, padding, borderBottom: `1px solid ${token.colorSplit}`, ...style }}
    >
      <div style={{ flex: 1, minWidth: 0 }}>
        {children}
        {vertical && actionBar}
      </div>
      {!vertical && actionBar}
      {extra !== undefined && extra !== null && <div style={{ flex: 'none' }}>{extra}</div>}
    </div>
  );
}

function Meta({ title, description }: { title?: ReactNode; description?: ReactNode }) {
  const { token } = theme.useToken();
  return (
    <div>
      {title && <div style={{ fontWeight: token.fontWeightStrong, marginBottom: description ? token.marginXXS : 0 }}>{title}</div>}
      {description && <div style={{ color: token.colorTextDescription }}>{description}</div>}
    </div>
  );
}

Item.Meta = Meta;
ItemList.Item = Item;
