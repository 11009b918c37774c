/**
 * Markdown rendering rules shared by the staff app and the portal. Articles are written by staff
 * but read by customers, so raw HTML in them is never rendered: it is shown as the text it is.
 */

/** The part of an mdast node these rules look at (the tree react-markdown's remark builds). */
interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
}

/** Parents whose children are blocks: an HTML block there becomes a paragraph of text. */
const BLOCK_PARENTS = new Set(['root', 'blockquote', 'listItem', 'footnoteDefinition']);

/**
 * A remark plugin turning every raw HTML node (`<script>`, `<img onerror>`, `<b>`) into plain text,
 * so it reaches the page escaped, as characters, and never as markup.
 */
export function remarkEscapeHtml() {
  return (tree: MdNode) => {
    const walk = (node: MdNode) => {
      if (!node.children) return;
      node.children = node.children.map((child) => {
        if (child.type === 'html') {
          const text: MdNode = { type: 'text', value: child.value ?? '' };
          return BLOCK_PARENTS.has(node.type) ? { type: 'paragraph', children: [text] } : text;
        }
        walk(child);
        return child;
      });
    };
    walk(tree);
  };
}

/** Links leaving the CRM open in a new tab without handing it this page (`window.opener`). */
export function isExternalLink(href: string | undefined, origin = typeof location === 'undefined' ? '' : location.origin): boolean {
  if (!href) return false;
  if (!/^https?:\/\//i.test(href)) return false;
  return !origin || !href.startsWith(`${origin}/`);
}
