/** The pages of the built site (from dist/), for the benchmark and the audit. */
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

/** URL paths of every HTML page in dist/, home first. */
export function sitePages(dist: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.isDirectory()) walk(path.join(dir, d.name), `${rel}${d.name}/`);
      else if (d.name === 'index.html') out.push(rel || '/');
    }
  };
  if (!existsSync(dist)) throw new Error('dist/ is missing: run `npm run build` first.');
  walk(dist, '/');
  return out.sort((a, b) => (a === '/' ? -1 : b === '/' ? 1 : a.localeCompare(b)));
}
