import { act, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useTranslation } from 'react-i18next';
import i18n from '../i18n';
import { composeTitle, TitleSuffixProvider, useDocumentTitle } from './documentTitle';

function CustomerPage({ name }: { name: string }) {
  const { t } = useTranslation();
  useDocumentTitle(name, t('nav.customers'));
  return null;
}

function Layout({ withPage }: { withPage: boolean }) {
  const { t } = useTranslation();
  useDocumentTitle(t('nav.customers'));
  return withPage ? <CustomerPage name="上海七宝印刷" /> : null;
}

afterEach(async () => {
  await act(() => i18n.changeLanguage('zh-CN'));
});

describe('the browser tab title', () => {
  it('joins the parts, most specific first, and leaves out empty ones', () => {
    expect(composeTitle(['客户'], 'CRM')).toBe('客户 · CRM');
    expect(composeTitle(['', undefined, 'x', null, '  '], 'CRM')).toBe('x · CRM');
    expect(composeTitle([], 'CRM')).toBe('CRM');
  });

  it('names the page in the current language and follows a language switch', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    render(<Layout withPage={false} />);
    expect(document.title).toBe('客户 · CRM');
    await act(() => i18n.changeLanguage('en'));
    expect(document.title).toBe('Customers · CRM');
  });

  it('prefers the page inside the layout, also after a language switch, and falls back when it goes', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    const view = render(<Layout withPage />);
    expect(document.title).toBe('上海七宝印刷 · 客户 · CRM');
    await act(() => i18n.changeLanguage('en'));
    expect(document.title).toBe('上海七宝印刷 · Customers · CRM');
    view.rerender(<Layout withPage={false} />);
    expect(document.title).toBe('Customers · CRM');
  });

  it('ends with the brand of the app around it', async () => {
    await act(() => i18n.changeLanguage('zh-CN'));
    render(
      <TitleSuffixProvider suffix="客户服务中心">
        <Layout withPage={false} />
      </TitleSuffixProvider>,
    );
    expect(document.title).toBe('客户 · 客户服务中心');
  });
});
