/**
 * The C programs of kernel-checks/ (and fd-table.cases), copied into the built site at
 * /kernel-checks/<file> so a lesson's "Try it on your own Linux" block can offer them for
 * download. Read from kernel-checks/ at build time: one copy of each program in the repo.
 */
import type { APIRoute, GetStaticPaths } from 'astro';

const files = import.meta.glob('../../../kernel-checks/{*.c,fd-table.cases}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export const getStaticPaths: GetStaticPaths = () =>
  Object.entries(files).map(([p, text]) => ({ params: { file: p.split('/').pop()! }, props: { text } }));

export const GET: APIRoute = ({ props }) =>
  new Response((props as { text: string }).text, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
