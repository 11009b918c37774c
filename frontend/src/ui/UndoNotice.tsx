import { App, Button } from 'antd';
import { useTranslation } from 'react-i18next';

export interface UndoNotice {
  /** Identifies the notice, so "undo" can take it away (one per deleted record). */
  key: string;
  /** What was done ("Contact deleted"). */
  text: string;
  /** Puts it back. */
  onUndo: () => void;
  'data-testid'?: string;
}

/** Says a deletion is done, with an "undo" link beside it for six seconds. */
export function useUndoNotice(): (notice: UndoNotice) => void {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return ({ key, text, onUndo, ...rest }) =>
    void message.success({
      key,
      duration: 6,
      content: (
        <span>
          {text}{' '}
          <Button
            size="small"
            type="link"
            data-testid={rest['data-testid']}
            onClick={() => {
              message.destroy(key);
              onUndo();
            }}
          >
            {t('common.undo')}
          </Button>
        </span>
      ),
    });
}
