/**
 * The content schema: one documented module for lessons and exercises.
 *
 * A frontmatter error fails `astro build` with Astro's InvalidContentEntryDataError, which
 * names the collection, the entry (the file) and each failing field with its message.
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

/** A kernel source a lesson cites: a file and function, or a Documentation/ path. */
const source = z.union([
  z.object({
    /** Path in the kernel tree, e.g. `drivers/tty/tty_io.c`. */
    file: z.string().regex(/^[\w.-]+(\/[\w.-]+)+$/, 'a kernel tree path such as drivers/tty/tty_io.c'),
    /** Function, macro or struct within the file. */
    fn: z.string().min(1),
  }),
  z.object({
    /** A path under Documentation/, e.g. `Documentation/core-api/pin_user_pages.rst`. */
    doc: z.string().regex(/^Documentation\//, 'a path that starts with Documentation/'),
  }),
]);

const lessons = defineCollection({
  loader: glob({ pattern: '*/index.{md,mdx}', base: './content/lessons', generateId: ({ entry }) => entry.split('/')[0] }),
  schema: z
    .object({
      /** Lesson title as shown in the curriculum and the page heading. */
      title: z.string().min(3),
      /** One or two sentences for the curriculum card and the meta description. */
      summary: z.string().min(10).max(300),
      /** Position in the curriculum, from 1. */
      order: z.number().int().min(1),
      /** What the learner can do after the lesson (at least one when published). */
      objectives: z.array(z.string().min(3)).default([]),
      /** Slugs of lessons to take first. */
      prerequisites: z.array(z.string()).default([]),
      /** Kernel version whose behaviour the lesson teaches, e.g. "6.12". */
      kernel: z.string().regex(/^\d+\.\d+(\.\d+)?$/, 'a kernel version such as 6.12'),
      /** Kernel sources the lesson is checked against. */
      sources: z.array(source).default([]),
      /** `published` lessons get a page; `coming` ones are listed as coming in the curriculum. */
      status: z.enum(['published', 'draft', 'coming']),
    })
    .refine((l) => l.status !== 'published' || l.objectives.length > 0, {
      message: 'a published lesson needs at least one objective',
      path: ['objectives'],
    }),
});

const exercises = defineCollection({
  loader: glob({ pattern: '*/exercise.md', base: './content/exercises', generateId: ({ entry }) => entry.split('/')[0] }),
  schema: z.object({
    /** Short title, e.g. "CIRC_SPACE_TO_END and uart_write". */
    title: z.string().min(3),
    /** Slug of the lesson that embeds the exercise. */
    lesson: z.string().min(1),
    /** Hints, unlocked one at a time, in order. */
    hints: z.array(z.string().min(3)).min(1),
  }),
});

export const collections = { lessons, exercises };
