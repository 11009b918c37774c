import type { KbCategory } from '../../api/types';

/** A top-level category with its sections, in the server's display order. */
export interface CategoryNode {
  category: KbCategory;
  sections: KbCategory[];
}

/**
 * The two-level tree of the flat list `GET /kb/categories` returns. A section whose parent is
 * missing (deleted meanwhile) is shown at the top level rather than lost.
 */
export function categoryTree(categories: readonly KbCategory[]): CategoryNode[] {
  const ids = new Set(categories.map((c) => c.id));
  const top = categories.filter((c) => !c.parent_id || !ids.has(c.parent_id));
  return top.map((category) => ({ category, sections: categories.filter((c) => c.parent_id === category.id) }));
}

/** "Parent / section" for a category id, for lists and pickers. */
export function categoryPath(categories: readonly KbCategory[] | undefined, id: string | null | undefined): string | undefined {
  if (!id || !categories) return undefined;
  const c = categories.find((x) => x.id === id);
  if (!c) return undefined;
  const parent = c.parent_id ? categories.find((x) => x.id === c.parent_id) : undefined;
  return parent ? `${parent.name} / ${c.name}` : c.name;
}

/** Options for a TreeSelect: categories with their sections beneath. */
export function categoryTreeData(categories: readonly KbCategory[]) {
  return categoryTree(categories).map(({ category, sections }) => ({
    value: category.id,
    title: category.name,
    children: sections.map((s) => ({ value: s.id, title: s.name })),
  }));
}
