import { useState, type ComponentProps } from 'react';
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
  img: ({ node: _node, ...rest }) => <MarkdownImage {...rest} />,
};

/**
 * An image in Markdown. Images from other sites load only where the server's
 * Content-Security-Policy allows them (`CRM_MARKDOWN_REMOTE_IMAGES`, off by default): an image in an
 * article would tell its host who read it, and when. The browser then refuses the image before any
 * request, and the reader gets a link to it instead of a broken picture.
 */
function MarkdownImage({ alt, src, ...rest }: ComponentProps<'img'>) {
  const [blocked, setBlocked] = useState(false);
  if (blocked) {
    return (
      <a href={src} target="_blank" rel="noopener noreferrer nofollow" data-testid="markdown-image-link">
        {alt || src}
      </a>
    );
  }
  return <img {...rest} src={src} alt={alt ?? ''} loading="lazy" referrerPolicy="no-referrer" onError={() => setBlocked(true)} />;
}

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
