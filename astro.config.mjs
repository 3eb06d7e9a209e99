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
 * The token colours of the two code themes that lessons use, as classes (`src/styles/global.css`,
 * "Shiki code blocks") instead of a `style` attribute on every token: about 15 KB of a lesson
 * page with code (the lesson HTML budget, about 150 KB). A token in the block's own colour
 * drops its style (it inherits the block's variables); a colour pair not listed here keeps its
 * inline style, so a new theme colour is still drawn right.
 * @returns {import('shiki').ShikiTransformer}
 */
function shikiTokenClasses() {
  /** `--shiki-light:…;--shiki-dark:…` -> class name ('' = the block's own colours). @type {Record<string, string>} */
  const CLASSES = {
    '--shiki-light:#0E1116;--shiki-dark:#F0F3F6': '',
    '--shiki-light:#A0111F;--shiki-dark:#FF9492': 'sk1',
    '--shiki-light:#023B95;--shiki-dark:#91CBFF': 'sk2',
    '--shiki-light:#622CBC;--shiki-dark:#DBB7FF': 'sk3',
    '--shiki-light:#702C00;--shiki-dark:#FFB757': 'sk4',
    '--shiki-light:#66707B;--shiki-dark:#BDC4CC': 'sk5',
    '--shiki-light:#032563;--shiki-dark:#ADDCFF': 'sk6',
  };
  return {
    name: 'data-path-lab:shiki-token-classes',
    span(node) {
      const style = node.properties.style;
      if (typeof style !== 'string' || !Object.hasOwn(CLASSES, style)) return;
      delete node.properties.style;
      if (CLASSES[style]) this.addClassToHast(node, CLASSES[style]);
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
    shikiConfig: { themes: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' }, defaultColor: false, transformers: [shikiTokenClasses()] },
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
      // A component's <script> (Astro names its chunk `…astro_type_script…`) is a file, never
      // inlined: the same few KB (the Predict element) would otherwise be written into every
      // lesson page instead of cached once. Everything else keeps Vite's default (undefined:
      // inlined under 4 KB), so workers and other assets are built as before.
      assetsInlineLimit: (file) => (/astro_type_script/.test(file) ? false : undefined),
    },
  },
});
