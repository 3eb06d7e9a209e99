// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { simsDtsPlugin } from './scripts/sims-dts.mjs';

/**
 * Monaco's ESM modules import their CSS, which Astro would hoist into every page that
 * can reach the (lazily loaded) editor as render-blocking stylesheets (~175 KB). We blank
 * those imports; components/editor/monaco.ts links Monaco's single prebuilt stylesheet
 * when the editor actually loads.
 * @returns {import('vite').Plugin}
 */
function dropMonacoCss() {
  return {
    name: 'data-path-lab:drop-monaco-css',
    enforce: 'pre',
    load(id) {
      if (/[\\/]monaco-editor[\\/]esm[\\/].*\.css$/.test(id.split('?')[0])) return '';
      return null;
    },
  };
}

/**
 * Data Path Lab is a fully static site. `scripts/serve.mjs` serves `dist/` with the
 * same headers a production host must send (see README, "Deploying").
 */
export default defineConfig({
  integrations: [mdx()],
  markdown: {
    // High-contrast themes keep code comments above WCAG AA contrast; colours switch with
    // the site theme through the --shiki-light / --shiki-dark variables (src/styles/global.css).
    shikiConfig: { themes: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' }, defaultColor: false },
  },
  trailingSlash: 'ignore',
  build: { format: 'directory', inlineStylesheets: 'auto' },
  // Scoped styles mark their elements with a class (` astro-xxxxxxxx`) rather than an
  // attribute (` data-astro-cid-xxxxxxxx`): the same specificity, about half the bytes on the
  // thousands of marked elements of a lesson page (the lesson HTML budget, about 150 KB).
  scopedStyleStrategy: 'class',
  devToolbar: { enabled: false },
  vite: {
    plugins: [dropMonacoCss(), simsDtsPlugin()],
    // Every Worker script lands in /_astro/workers/, which is served with a strict
    // Content-Security-Policy (no network): see scripts/serve.mjs and public/_headers.
    worker: {
      format: 'es',
      rolldownOptions: { output: { entryFileNames: '_astro/workers/[name]-[hash].js', chunkFileNames: '_astro/workers/[name]-[hash].js' } },
    },
    build: {
      chunkSizeWarningLimit: 6000,
      // A page's scripts are files, never inlined: the same few KB (the Predict element) would
      // otherwise be written into every lesson page instead of cached once. Other assets keep
      // Vite's default (undefined: inlined under 4 KB).
      assetsInlineLimit: (file) => (file.endsWith('.js') ? false : undefined),
    },
  },
});
