/**
 * Which lesson holds which player, for share links opened on the wrong page: a link to a
 * memory player pasted on the tty lesson says which lesson it belongs to and links there,
 * instead of waiting for a player that is not on the page.
 *
 * Built at build time from the lessons' MDX (`<MmSim preset="…">`, `<ProveIt />`), written
 * into each lesson page as a small JSON object (`ShareLinks.astro`), read by `share-link.ts`.
 */

/** The authoring tag of each player and the model id its share links start with: `{ SgSim: 'dma' }` (`WIDGET_TAGS` of the widgets barrel). */
export type PlayerTags = Readonly<Record<string, string>>;

/** Where a player lives: the lesson's slug and title. */
export interface PlayerHome {
  slug: string;
  title: string;
}

/**
 * Key of a player in the index: `<model>:<preset>` for a preset player (`mm:translate`),
 * or `<model>` for the page that opens any configuration of that model (`tty`: the lesson
 * with the Prove-it panel, whose player takes any tty parameters).
 */
export function playerKey(model: string, preset?: string): string {
  return preset ? `${model}:${preset}` : model;
}

/**
 * The index of every player in `lessons` (published lessons only: others have no page),
 * key (see `playerKey`) -> the first lesson that shows it. A lesson with `<ProveIt />` is
 * the home of `tty` (any configuration). A lesson without a body contributes nothing.
 */
export function playerIndex(lessons: readonly { slug: string; title: string; body: string }[], playerTags: PlayerTags): Record<string, PlayerHome> {
  const index: Record<string, PlayerHome> = {};
  const tags = Object.keys(playerTags).join('|');
  const re = new RegExp(`<(${tags})\\b[^>]*?\\bpreset=["']([^"']+)["']`, 'g');
  for (const l of lessons) {
    const home = { slug: l.slug, title: l.title };
    for (const m of l.body.matchAll(re)) {
      const key = playerKey(playerTags[m[1]], m[2]);
      index[key] ??= home;
    }
    if (/<ProveIt\b/.test(l.body)) index[playerKey('tty')] ??= home;
  }
  return index;
}

/**
 * The index as a lesson page carries it (`ShareLinks.astro`): each lesson written once, each
 * player key -> the position of its lesson in `lessons`. `base` is the site's base path
 * (`/`). About a third of the size of the plain index, which names a lesson per player.
 */
export interface PageIndex {
  base: string;
  lessons: PlayerHome[];
  players: Record<string, number>;
}

/** `index` (see `playerIndex`) in the page's form, lessons in first-seen order. */
export function pageIndex(base: string, index: Readonly<Record<string, PlayerHome>>): PageIndex {
  const lessons: PlayerHome[] = [];
  const players: Record<string, number> = {};
  for (const [key, home] of Object.entries(index)) {
    let i = lessons.findIndex((l) => l.slug === home.slug);
    if (i < 0) i = lessons.push({ slug: home.slug, title: home.title }) - 1;
    players[key] = i;
  }
  return { base, lessons, players };
}

/**
 * The lesson holding player `key` in a page index, or null when the index does not name it
 * or is not a page index (a damaged or older page: never throws).
 */
export function homeIn(data: unknown, key: string): PlayerHome | null {
  if (typeof data !== 'object' || data === null) return null;
  const { lessons, players } = data as Partial<PageIndex>;
  if (!Array.isArray(lessons) || typeof players !== 'object' || players === null || !Object.hasOwn(players, key)) return null;
  const home: unknown = lessons[players[key]];
  if (typeof home !== 'object' || home === null) return null;
  const { slug, title } = home as Partial<PlayerHome>;
  return typeof slug === 'string' && typeof title === 'string' ? { slug, title } : null;
}
