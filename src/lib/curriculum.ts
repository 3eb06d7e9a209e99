/**
 * Navigation computed from plain data (unit-tested in tests/unit/curriculum.test.ts);
 * pages and layouts only read the results.
 */

export interface LessonInfo {
  slug: string;
  title: string;
  order: number;
  status: 'published' | 'draft' | 'coming';
}

export interface Neighbour {
  slug: string;
  title: string;
  /** False for lessons that are listed but not written yet. */
  available: boolean;
}

/** Lessons in curriculum order; drafts are left out. Throws on duplicate `order` values. */
export function curriculum<T extends LessonInfo>(lessons: T[]): T[] {
  const listed = lessons.filter((l) => l.status !== 'draft').sort((a, b) => a.order - b.order);
  for (let i = 1; i < listed.length; i++) {
    if (listed[i].order === listed[i - 1].order) {
      throw new Error(`lessons "${listed[i - 1].slug}" and "${listed[i].slug}" both have order ${listed[i].order}`);
    }
  }
  return listed;
}

/** The lessons before and after `slug` in the curriculum (null at the ends). */
export function neighbours(lessons: LessonInfo[], slug: string): { prev: Neighbour | null; next: Neighbour | null; index: number; total: number } {
  const list = curriculum(lessons);
  const i = list.findIndex((l) => l.slug === slug);
  if (i < 0) throw new Error(`lesson "${slug}" is not in the curriculum`);
  const wrap = (l: LessonInfo | undefined): Neighbour | null => (l ? { slug: l.slug, title: l.title, available: l.status === 'published' } : null);
  return { prev: wrap(list[i - 1]), next: wrap(list[i + 1]), index: i, total: list.length };
}

export interface Heading {
  depth: number;
  slug: string;
  text: string;
}

/** Table-of-contents entries: `##` headings with their `###` children. */
export function tableOfContents(headings: Heading[]): { slug: string; text: string; children: { slug: string; text: string }[] }[] {
  const out: { slug: string; text: string; children: { slug: string; text: string }[] }[] = [];
  for (const h of headings) {
    if (h.depth === 2) out.push({ slug: h.slug, text: h.text, children: [] });
    else if (h.depth === 3 && out.length) out[out.length - 1].children.push({ slug: h.slug, text: h.text });
  }
  return out;
}
