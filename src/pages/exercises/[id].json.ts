/**
 * `/exercises/<id>.json`: what the browser grader fetches when the learner runs tests or
 * reveals the solution (kept out of the page so the first load stays small).
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { getCollection } from 'astro:content';
import { exerciseFiles } from '../../lib/exercises';

export const getStaticPaths: GetStaticPaths = async () => {
  const all = await getCollection('exercises');
  return all.map((e) => ({ params: { id: e.id } }));
};

export const GET: APIRoute = ({ params }) => {
  const f = exerciseFiles(String(params.id));
  return new Response(JSON.stringify({ id: f.id, testFile: f.testFile, testSource: f.testSource, solution: f.solution }), {
    headers: { 'Content-Type': 'application/json' },
  });
};
