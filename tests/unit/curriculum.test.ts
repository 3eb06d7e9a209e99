import { describe, expect, it } from 'vitest';
import { curriculum, neighbours, tableOfContents } from '../../src/lib/curriculum';

const lessons = [
  { slug: 'b', title: 'B', order: 2, status: 'coming' as const },
  { slug: 'a', title: 'A', order: 1, status: 'published' as const },
  { slug: 'd', title: 'D', order: 4, status: 'draft' as const },
  { slug: 'c', title: 'C', order: 3, status: 'published' as const },
];

describe('curriculum', () => {
  it('orders lessons and leaves drafts out', () => {
    expect(curriculum(lessons).map((l) => l.slug)).toEqual(['a', 'b', 'c']);
  });
  it('rejects two lessons with the same order, naming both', () => {
    expect(() => curriculum([...lessons, { slug: 'x', title: 'X', order: 2, status: 'published' }])).toThrow(/"b" and "x" both have order 2/);
  });
  it('gives neighbours, marking coming lessons unavailable', () => {
    const n = neighbours(lessons, 'a');
    expect(n.prev).toBeNull();
    expect(n.next).toEqual({ slug: 'b', title: 'B', available: false });
    expect(n.index).toBe(0);
    expect(n.total).toBe(3);
    expect(neighbours(lessons, 'c').next).toBeNull();
  });
  it('throws for an unknown lesson', () => {
    expect(() => neighbours(lessons, 'zz')).toThrow(/not in the curriculum/);
  });
  it('nests ### headings under their ## heading and ignores others', () => {
    const toc = tableOfContents([
      { depth: 3, slug: 'orphan', text: 'Orphan' },
      { depth: 2, slug: 'one', text: 'One' },
      { depth: 3, slug: 'one-a', text: 'One A' },
      { depth: 4, slug: 'deep', text: 'Deep' },
      { depth: 2, slug: 'two', text: 'Two' },
    ]);
    expect(toc).toEqual([
      { slug: 'one', text: 'One', children: [{ slug: 'one-a', text: 'One A' }] },
      { slug: 'two', text: 'Two', children: [] },
    ]);
  });
});
