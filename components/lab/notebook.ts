/**
 * Lab notebooks as data: Markdown import/export (fenced ```ts cells, prose between them kept
 * as the notebook's notes), share links (the notebook deflated with CompressionStream
 * `deflate-raw`, base64url, in `#nb=`), and local storage (one key per notebook plus an index).
 * Everything that reads outside data (a file, a link, storage) validates it and returns an
 * error message instead of a partial notebook, so bad input changes nothing.
 */

/** One cell: its id (stable while the page is open) and TypeScript source. */
export interface Cell {
  id: string;
  source: string;
}

/** A notebook: title, the prose before the first cell (the question to explore), and cells. */
export interface Notebook {
  id: string;
  title: string;
  intro: string;
  cells: Cell[];
  /** Last change, ms since the epoch. */
  updated: number;
}

/** Limits on imported notebooks: file size in characters, cell count. */
export const NOTEBOOK_LIMITS = { chars: 1_000_000, cells: 200 } as const;
/** Longest share link hash (characters after `#nb=`) we produce or accept. */
export const MAX_LINK_CHARS = 8000;

let seq = 0;
/** A fresh id for a cell or notebook. */
export function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The notebook as Markdown: `# title`, the intro, then each cell as a fenced ts block. */
export function toMarkdown(nb: Notebook): string {
  const fence = (s: string) => {
    let f = '```';
    while (s.includes(f)) f += '`';
    return f;
  };
  const cells = nb.cells.map((c) => `${fence(c.source)}ts\n${c.source.replace(/\n+$/, '')}\n${fence(c.source)}`).join('\n\n');
  return `# ${nb.title}\n\n${nb.intro.trim() ? `${nb.intro.trim()}\n\n` : ''}${cells}\n`;
}

/** Parse result: a notebook or why not. */
export type ParseResult = { ok: true; notebook: Notebook } | { ok: false; error: string };

/**
 * Reads a notebook from Markdown: the first `# ` heading is the title, prose before the first
 * fence is the intro, each fenced block tagged `ts` or `typescript` is a cell (other fences and
 * prose between cells are ignored). Fails, with the reason, on a non-string, an oversized text,
 * an unclosed fence or a text without any ts cell.
 */
export function fromMarkdown(text: unknown, id = newId('nb')): ParseResult {
  if (typeof text !== 'string') return { ok: false, error: 'This is not a text file.' };
  if (text.length > NOTEBOOK_LIMITS.chars) return { ok: false, error: `This file is too large for a notebook (${text.length} characters; at most ${NOTEBOOK_LIMITS.chars}).` };
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let title = '';
  const intro: string[] = [];
  const cells: Cell[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)\s*$/.exec(lines[i]);
    if (open) {
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && lines[j].trim() !== open[1]) body.push(lines[j++]);
      if (j >= lines.length) return { ok: false, error: `The code block opened on line ${i + 1} is never closed.` };
      if (/^(ts|typescript)$/i.test(open[2])) cells.push({ id: newId('c'), source: body.join('\n') });
      i = j;
      continue;
    }
    if (!title && /^# /.test(lines[i])) { title = lines[i].slice(2).trim(); continue; }
    if (!cells.length) intro.push(lines[i]);
  }
  if (!cells.length) return { ok: false, error: 'No ```ts code blocks were found, so there are no cells to open.' };
  if (cells.length > NOTEBOOK_LIMITS.cells) return { ok: false, error: `Too many cells (${cells.length}; at most ${NOTEBOOK_LIMITS.cells}).` };
  return { ok: true, notebook: { id, title: title || 'Untitled notebook', intro: intro.join('\n').trim(), cells, updated: Date.now() } };
}

// ---------------------------------------------------------------------------------------
// Share links

function toB64url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream as unknown as TransformStream<Uint8Array, Uint8Array>));
  return new Uint8Array(await out.arrayBuffer());
}

/** Encode result: the hash text (without `#nb=`) or why the notebook cannot travel in a link. */
export type LinkResult = { ok: true; text: string } | { ok: false; error: string };

/** The notebook's share text: its Markdown, deflated (`deflate-raw`), base64url. */
export async function encodeLink(nb: Notebook): Promise<LinkResult> {
  const raw = new TextEncoder().encode(toMarkdown(nb));
  const text = toB64url(await pipe(raw, new CompressionStream('deflate-raw')));
  if (text.length > MAX_LINK_CHARS) return { ok: false, error: `This notebook is too large for a link (${text.length} characters compressed; at most ${MAX_LINK_CHARS}). Export it as a Markdown file instead.` };
  return { ok: true, text };
}

/** Reads a share text back into a notebook, or says why it cannot (damaged, too large, not a notebook). */
export async function decodeLink(text: string): Promise<ParseResult> {
  if (text.length > MAX_LINK_CHARS * 2) return { ok: false, error: 'This link is too long to be a Lab notebook link.' };
  const bytes = fromB64url(text);
  if (!bytes || !bytes.length) return { ok: false, error: 'This link is damaged: it is not base64url text.' };
  let md: string;
  try {
    const out = await pipe(bytes, new DecompressionStream('deflate-raw'));
    if (out.length > NOTEBOOK_LIMITS.chars) return { ok: false, error: 'This link holds more than a notebook may.' };
    md = new TextDecoder('utf-8', { fatal: true }).decode(out);
  } catch {
    return { ok: false, error: 'This link is damaged: it does not decompress (was it cut short?).' };
  }
  return fromMarkdown(md);
}

// ---------------------------------------------------------------------------------------
// Local storage

/** The part of `Storage` the store uses (tests pass a fake). */
export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const INDEX_KEY = 'dpl:lab:index';
const NB_KEY = (id: string) => `dpl:lab:nb:${id}`;

/** An entry of the notebook list. */
export interface NotebookEntry {
  id: string;
  title: string;
  updated: number;
}

function isNotebook(x: unknown): x is Notebook {
  const n = x as Notebook;
  return !!n && typeof n === 'object' && typeof n.id === 'string' && typeof n.title === 'string' && typeof n.intro === 'string' && Array.isArray(n.cells) && n.cells.every((c) => c && typeof c.id === 'string' && typeof c.source === 'string');
}

/** Saved notebooks in `storage`. Every method throws an Error with a readable message when storage fails. */
export class NotebookStore {
  private readonly storage: StorageLike;
  constructor(storage: StorageLike) {
    this.storage = storage;
  }

  /** The saved notebooks, newest first. Unreadable entries are skipped. */
  list(): NotebookEntry[] {
    let raw: string | null;
    try {
      raw = this.storage.getItem(INDEX_KEY);
    } catch (e) {
      throw new Error(`Saved notebooks cannot be read (${e instanceof Error ? e.message : String(e)}).`);
    }
    try {
      const list = JSON.parse(raw ?? '[]') as NotebookEntry[];
      return Array.isArray(list) ? list.filter((e) => e && typeof e.id === 'string' && typeof e.title === 'string').sort((a, b) => b.updated - a.updated) : [];
    } catch {
      return [];
    }
  }

  /** The notebook `id`, or null when it is not saved or cannot be read. */
  load(id: string): Notebook | null {
    try {
      const x = JSON.parse(this.storage.getItem(NB_KEY(id)) ?? 'null') as unknown;
      return isNotebook(x) ? x : null;
    } catch {
      return null;
    }
  }

  /** Saves `nb` and its list entry. Throws (storage full, disabled) with a readable message. */
  save(nb: Notebook): void {
    try {
      this.storage.setItem(NB_KEY(nb.id), JSON.stringify(nb));
      const list = this.list().filter((e) => e.id !== nb.id);
      list.push({ id: nb.id, title: nb.title, updated: nb.updated });
      this.storage.setItem(INDEX_KEY, JSON.stringify(list));
    } catch (e) {
      throw new Error(`The notebook could not be saved in this browser (${e instanceof Error ? e.message : String(e)}). Export it to keep your work.`);
    }
  }

  /** Deletes the notebook `id`. */
  remove(id: string): void {
    try {
      this.storage.removeItem(NB_KEY(id));
      this.storage.setItem(INDEX_KEY, JSON.stringify(this.list().filter((e) => e.id !== id)));
    } catch (e) {
      throw new Error(`The notebook could not be deleted (${e instanceof Error ? e.message : String(e)}).`);
    }
  }
}
