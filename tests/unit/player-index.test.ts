/** Which lesson holds which player (components/player/player-index.ts), from the real lessons. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeIn, pageIndex, playerIndex, playerKey } from '../../components/player/player-index.ts';
import { WIDGET_TAGS } from '../../components/widgets/tags.ts';
import { MM_PRESETS } from '../../sims/mm/index.ts';

const root = path.resolve(__dirname, '../../content/lessons');
const lessons = readdirSync(root)
  .map((slug) => ({ slug, text: readFileSync(path.join(root, slug, 'index.mdx'), 'utf8') }))
  .filter((l) => /^status:\s*published/m.test(l.text))
  .map((l) => ({ slug: l.slug, title: /^title:\s*"?(.*?)"?\s*$/m.exec(l.text)![1], body: l.text }));

describe('playerIndex', () => {
  it('finds every memory preset the lessons use, and the Prove-it lesson for any tty run', () => {
    const index = playerIndex(lessons, WIDGET_TAGS);
    expect(index[playerKey('mm', 'translate')]?.slug).toBe('pinning-user-pages');
    expect(index[playerKey('tty', 'kernel-blocking')]?.slug).toBe('tty-write-atomicity');
    expect(index[playerKey('tty')]?.slug).toBe('tty-write-atomicity');
    expect(index[playerKey('dma', 'map-iommu')]?.slug).toBe('scatter-gather-iommu');
    const used = Object.keys(MM_PRESETS).filter((k) => lessons.some((l) => l.body.includes(`preset="${k}"`)));
    for (const k of used) expect(index[playerKey('mm', k)], k).toBeDefined();
  });
  it('reads attributes in any order and either quote; a lesson without players adds nothing', () => {
    const index = playerIndex([
      { slug: 'a', title: 'A', body: "<UioSim headingLevel={4} preset='mmap-offsets' />" },
      { slug: 'b', title: 'B', body: 'no players here' },
      { slug: 'c', title: 'C', body: '<UioSim preset="mmap-offsets" />' },
    ], WIDGET_TAGS);
    expect(index).toEqual({ 'uio:mmap-offsets': { slug: 'a', title: 'A' } });
  });
  it('in the page form, names each lesson once and finds every player’s lesson; a damaged index finds nothing', () => {
    const index = playerIndex(lessons, WIDGET_TAGS);
    const page = pageIndex('/', index);
    expect(new Set(page.lessons.map((l) => l.slug)).size).toBe(page.lessons.length);
    for (const [key, home] of Object.entries(index)) expect(homeIn(JSON.parse(JSON.stringify(page)), key), key).toEqual(home);
    expect(JSON.stringify(page).length).toBeLessThan(JSON.stringify(index).length / 2);
    expect(homeIn(page, 'mm:no-such-preset')).toBeNull();
    expect(homeIn(page, 'toString')).toBeNull();
    for (const bad of [null, 3, {}, { lessons: [], players: { 'mm:translate': 0 } }, { lessons: [{ slug: 1 }], players: { 'mm:translate': 0 } }]) expect(homeIn(bad, 'mm:translate')).toBeNull();
  });
});
