// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';

/**
 * Data Path Lab is a fully static site. `scripts/serve.mjs` serves `dist/` with the
 * same headers a production host must send (see README, "Deploying").
 */
export default defineConfig({
  integrations: [mdx()],
  trailingSlash: 'ignore',
  build: { format: 'directory' },
  devToolbar: { enabled: false },
  vite: {
    worker: { format: 'es' },
    build: { chunkSizeWarningLimit: 6000 },
  },
});
