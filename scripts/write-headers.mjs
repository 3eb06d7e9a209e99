/** Writes dist/_headers (for Netlify / Cloudflare Pages) after `astro build`. */
import { writeFileSync } from 'node:fs';
import { headersFile } from './headers.mjs';
writeFileSync(new URL('../dist/_headers', import.meta.url), headersFile());
