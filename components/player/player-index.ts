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
