import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { isExternalLink, remarkEscapeHtml } from './markdown';

const PLUGINS = [remarkGfm, remarkEscapeHtml];

const COMPONENTS: Components = {
  a: ({ node: _node, href, children, ...rest }) =>
    isExternalLink(href) ? (
      <a {...rest} href={href} target="_blank" rel="noopener noreferrer nofollow">{children}</a>
    ) : (
      <a {...rest} href={href}>{children}</a>
    ),
  img: ({ node: _node, alt, ...rest }) => <img {...rest} alt={alt ?? ''} loading="lazy" referrerPolicy="no-referrer" />,
};

/**
 * Renders an article's Markdown (GitHub flavour: tables, task lists, strikethrough) as React elements.
 * Raw HTML is shown as text and unsafe URLs (`javascript:` …) are dropped by react-markdown's default
 * URL check: nothing in an article can run script in the reader's page.
 */
export function Markdown({ children, testId = 'markdown' }: { children: string; testId?: string }) {
  return (
    <div className="markdown-body" data-testid={testId}>
      <ReactMarkdown remarkPlugins={PLUGINS} components={COMPONENTS}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
