/**
 * Serves each kernel-checks/<name>.c as /kernel-checks/<name>.c, so a reader can download a
 * check program from a "Run it on Linux 6.12" panel and run it on their own machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIRoute, GetStaticPaths } from 'astro';

const dir = path.join(process.cwd(), 'kernel-checks');

export const getStaticPaths: GetStaticPaths = () =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.c'))
    .map((f) => ({ params: { name: f.slice(0, -2) } }));

export const GET: APIRoute = ({ params }) =>
  new Response(readFileSync(path.join(dir, `${params.name}.c`), 'utf8'), { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
