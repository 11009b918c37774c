import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { Markdown } from './Markdown';
import { isExternalLink } from './markdown';

describe('<Markdown>', () => {
  it('renders headings, lists, tables and code', () => {
    const { container } = render(
      <Markdown>{'## 更换硒鼓\n\n1. 打开前盖\n2. **取出**旧硒鼓\n\n| 型号 | 页数 |\n| --- | --- |\n| A1 | 1500 |\n\n`lpstat -p`'}</Markdown>,
    );
    expect(screen.getByRole('heading', { level: 2 })).toHaveTextContent('更换硒鼓');
    expect(container.querySelectorAll('ol > li')).toHaveLength(2);
    expect(container.querySelector('strong')).toHaveTextContent('取出');
    expect(container.querySelector('table td')).toHaveTextContent('A1');
    expect(container.querySelector('code')).toHaveTextContent('lpstat -p');
  });

  it('shows raw HTML as text and never as elements', () => {
    const { container } = render(
      <Markdown>
        {'<script>window.hacked = 1</script>\n\nInline <img src=x onerror="window.hacked=1"> and <b>bold</b>.\n\n<iframe src="https://evil.example"></iframe>'}
      </Markdown>,
    );
    const body = screen.getByTestId('markdown');
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('iframe')).toBeNull();
    // the characters are still there for the reader to see
    expect(body).toHaveTextContent('<script>window.hacked = 1</script>');
    expect(body).toHaveTextContent('<img src=x onerror="window.hacked=1">');
    expect(body).toHaveTextContent('<b>bold</b>');
    expect((window as { hacked?: number }).hacked).toBeUndefined();
  });

  it('drops javascript: links and opens external links in a new tab', () => {
    const { container } = render(<Markdown>{'[click](javascript:alert(1)) [docs](https://docs.example.com/a) [queue](/service/tickets)'}</Markdown>);
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['', 'https://docs.example.com/a', '/service/tickets']);
    expect(links[1]).toHaveAttribute('target', '_blank');
    expect(links[1]?.getAttribute('rel')).toContain('noopener');
    expect(links[2]).not.toHaveAttribute('target');
  });
});

describe('<Markdown> images', () => {
  it('shows an image the page policy refuses as a link to it', () => {
    const { container } = render(<Markdown>{'![打印机背面](https://img.example.com/back.png)'}</Markdown>);
    const img = container.querySelector('img');
    expect(img).toHaveAttribute('referrerpolicy', 'no-referrer');
    // What the browser does when the Content-Security-Policy's img-src leaves the host out.
    fireEvent.error(img!);
    expect(container.querySelector('img')).toBeNull();
    const link = screen.getByTestId('markdown-image-link');
    expect(link).toHaveTextContent('打印机背面');
    expect(link).toHaveAttribute('href', 'https://img.example.com/back.png');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  });
});

describe('isExternalLink', () => {
  it('tells links to other sites from our own', () => {
    expect(isExternalLink('https://example.org/x', 'https://crm.example.com')).toBe(true);
    expect(isExternalLink('https://crm.example.com/portal', 'https://crm.example.com')).toBe(false);
    expect(isExternalLink('/portal/kb', 'https://crm.example.com')).toBe(false);
    expect(isExternalLink('mailto:a@b.c', 'https://crm.example.com')).toBe(false);
    expect(isExternalLink(undefined)).toBe(false);
  });
});
