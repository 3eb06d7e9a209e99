/**
 * Local persistence of learner work: code, status, hints and runs per exercise.
 *
 * Everything lives in localStorage under `dpl:v1:ex:<exercise-id>`. Writes can fail (quota
 * full, storage disabled): every write returns a `SaveResult` so the caller can tell the
 * learner, and nothing already in the editor is ever discarded because a save failed.
 */

/** Exercise status shown in lessons and on the home page. */
export type ExerciseStatus = 'not-started' | 'attempted' | 'passed';

/** What is kept for one exercise. */
export interface ExerciseRecord {
  /** The learner's code, exactly as typed. */
  code: string;
  status: ExerciseStatus;
  /** How many hints are unlocked (0 = none). */
  hintsShown: number;
  /** Number of test runs so far (the solution can be revealed after one). */
  runs: number;
  /** Milliseconds since the epoch of the last change. */
  updatedAt: number;
}

/** The export file: `{ app, version, exportedAt, exercises: { [id]: ExerciseRecord } }`. */
export interface ProgressFile {
  app: 'data-path-lab';
  version: 1;
  exportedAt: string;
  exercises: Record<string, ExerciseRecord>;
}

export type SaveResult = { ok: true } | { ok: false; reason: 'quota' | 'unavailable'; message: string };

const PREFIX = 'dpl:v1:ex:';

/** A storage that may be missing (privacy modes) or throw (quota). */
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function isQuotaError(e: unknown): boolean {
  return (
    e instanceof DOMException &&
    (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED' || e.code === 22)
  );
}

/** Validates an unknown value as an ExerciseRecord; returns null when it is not one. */
export function parseRecord(v: unknown): ExerciseRecord | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  if (typeof r.code !== 'string') return null;
  if (r.status !== 'not-started' && r.status !== 'attempted' && r.status !== 'passed') return null;
  const hintsShown = Number.isInteger(r.hintsShown) && (r.hintsShown as number) >= 0 ? (r.hintsShown as number) : 0;
  const runs = Number.isInteger(r.runs) && (r.runs as number) >= 0 ? (r.runs as number) : 0;
  const updatedAt = typeof r.updatedAt === 'number' && Number.isFinite(r.updatedAt) ? r.updatedAt : 0;
  return { code: r.code, status: r.status, hintsShown, runs, updatedAt };
}

/** Loads the record of exercise `id`, or null when none is stored (or it is unreadable). */
export function loadRecord(id: string): ExerciseRecord | null {
  const s = storage();
  if (!s) return null;
  try {
    const raw = s.getItem(PREFIX + id);
    return raw ? parseRecord(JSON.parse(raw)) : null;
  } catch {
    return null;
  }
}

/** Saves the record of exercise `id`. Never throws. */
export function saveRecord(id: string, rec: ExerciseRecord): SaveResult {
  const s = storage();
  if (!s) return { ok: false, reason: 'unavailable', message: 'This browser is not letting the site store anything, so your code will not survive a reload. Export your progress or copy your code.' };
  try {
    s.setItem(PREFIX + id, JSON.stringify(rec));
    return { ok: true };
  } catch (e) {
    if (isQuotaError(e)) {
      return { ok: false, reason: 'quota', message: 'Could not save: the browser storage for this site is full. Your code is still in the editor; export your progress or free some space.' };
    }
    return { ok: false, reason: 'unavailable', message: `Could not save: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Removes the record of exercise `id` (used by Reset). */
export function clearRecord(id: string): void {
  try {
    storage()?.removeItem(PREFIX + id);
  } catch {
    /* nothing to clear */
  }
}

/** The words of each status, as every badge shows them. */
export const STATUS_TEXT: Readonly<Record<ExerciseStatus, string>> = { 'not-started': 'Not started', attempted: 'Attempted', passed: 'Passed' };

/**
 * Paints every status badge (`[data-exercise-status="<id>"]`) under `root` with its status
 * (`status(id)`, default: the stored one): `data-status` and the words. Returns each id's
 * status, so a page can count what passed.
 */
export function paintBadges(root: ParentNode = document, status: (id: string) => ExerciseStatus = statusOf): Map<string, ExerciseStatus> {
  const seen = new Map<string, ExerciseStatus>();
  root.querySelectorAll<HTMLElement>('[data-exercise-status]').forEach((b) => {
    const id = b.dataset.exerciseStatus ?? '';
    if (!seen.has(id)) seen.set(id, status(id));
    const s = seen.get(id)!;
    b.dataset.status = s;
    b.textContent = STATUS_TEXT[s];
  });
  return seen;
}

/** The status of exercise `id` ('not-started' when nothing is stored). */
export function statusOf(id: string): ExerciseStatus {
  return loadRecord(id)?.status ?? 'not-started';
}

/** Every stored exercise record, keyed by exercise id. */
export function allRecords(): Record<string, ExerciseRecord> {
  const out: Record<string, ExerciseRecord> = {};
  const s = storage();
  if (!s) return out;
  for (let i = 0; i < s.length; i++) {
    const key = s.key(i);
    if (!key || !key.startsWith(PREFIX)) continue;
    const rec = loadRecord(key.slice(PREFIX.length));
    if (rec) out[key.slice(PREFIX.length)] = rec;
  }
  return out;
}

/** Builds the JSON text of a progress export. */
export function exportProgress(now = new Date()): string {
  const file: ProgressFile = { app: 'data-path-lab', version: 1, exportedAt: now.toISOString(), exercises: allRecords() };
  return JSON.stringify(file, null, 2);
}

/**
 * Parses a progress file. Pure: returns the records, or an error message naming what is
 * wrong; nothing is written.
 */
export function parseProgress(text: string): { ok: true; exercises: Record<string, ExerciseRecord> } | { ok: false; error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `This file is not valid JSON (${e instanceof Error ? e.message : String(e)}).` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { ok: false, error: 'This file is not a Data Path Lab progress export (expected a JSON object).' };
  const d = data as Record<string, unknown>;
  if (d.app !== 'data-path-lab') return { ok: false, error: 'This file is not a Data Path Lab progress export (the "app" field is missing or different).' };
  if (d.version !== 1) return { ok: false, error: `This progress file has version ${JSON.stringify(d.version)}; this site reads version 1.` };
  if (!d.exercises || typeof d.exercises !== 'object' || Array.isArray(d.exercises)) return { ok: false, error: 'The "exercises" field is missing or is not an object.' };
  const exercises: Record<string, ExerciseRecord> = {};
  for (const [id, v] of Object.entries(d.exercises as Record<string, unknown>)) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) return { ok: false, error: `"${id}" is not a valid exercise id.` };
    const rec = parseRecord(v);
    if (!rec) return { ok: false, error: `The entry for "${id}" is malformed (it needs a "code" string and a "status" of not-started, attempted or passed).` };
    exercises[id] = rec;
  }
  return { ok: true, exercises };
}

/** Largest progress file accepted, in bytes (the code of every exercise fits in a few KB). */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/** The message for a file over MAX_IMPORT_BYTES (`bytes`: its size). */
export function importSizeError(bytes: number): string {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(n < 1024 * 1024 ? 2 : 1)} MB`;
  return `This file is ${mb(bytes)}; a progress file is at most ${mb(MAX_IMPORT_BYTES)} (an export of every exercise is a few KB), so it is probably not one. Nothing was changed.`;
}

/**
 * How one exercise in a progress file compares with what this browser has:
 * - `only-in-file`: nothing is stored here;
 * - `newer-in-file`: the file's record was changed later (`updatedAt`) than the one here;
 * - `newer-here`: the record here was changed later, or at the same time but differs;
 * - `same`: both records are identical.
 */
export type ImportComparison = 'only-in-file' | 'newer-in-file' | 'newer-here' | 'same';

/** One exercise of an import plan. */
export interface ImportEntry {
  id: string;
  comparison: ImportComparison;
  here: ExerciseRecord | null;
  file: ExerciseRecord;
  /** The default choice: take the file's code (true) or keep this browser's (false). */
  takeFile: boolean;
}

/** What an import would do, computed without writing anything. */
export interface ImportPlan {
  /** Known exercises of the file, in the file's order. */
  entries: ImportEntry[];
  /** Ids in the file that are not exercises of this site; they are never imported. */
  unknown: string[];
}

function sameRecord(a: ExerciseRecord, b: ExerciseRecord): boolean {
  return a.code === b.code && a.status === b.status && a.hintsShown === b.hintsShown && a.runs === b.runs && a.updatedAt === b.updatedAt;
}

/**
 * Compares the records of a parsed progress file with `current` (this browser's records,
 * as from allRecords()). Only ids in `known` (the site's exercise ids) are planned; the
 * newer record is taken by default (ties keep this browser's). Pure.
 */
export function planImport(file: Record<string, ExerciseRecord>, current: Record<string, ExerciseRecord>, known: Iterable<string>): ImportPlan {
  const knownSet = new Set(known);
  const entries: ImportEntry[] = [];
  const unknown: string[] = [];
  for (const [id, rec] of Object.entries(file)) {
    if (!knownSet.has(id)) {
      unknown.push(id);
      continue;
    }
    const here = current[id] ?? null;
    const comparison: ImportComparison = !here ? 'only-in-file' : sameRecord(here, rec) ? 'same' : rec.updatedAt > here.updatedAt ? 'newer-in-file' : 'newer-here';
    entries.push({ id, comparison, here, file: rec, takeFile: comparison === 'only-in-file' || comparison === 'newer-in-file' });
  }
  return { entries, unknown };
}

const RANK: Record<ExerciseStatus, number> = { 'not-started': 0, attempted: 1, passed: 2 };

/**
 * The record to store when the file's code is taken over `here`: the file's code and time,
 * and the better of the two for what the learner has earned (a pass is never lost, hints
 * and runs never go down). With no record here, the file's record as is. Pure.
 */
export function mergeRecord(here: ExerciseRecord | null, file: ExerciseRecord): ExerciseRecord {
  if (!here) return { ...file };
  return {
    code: file.code,
    updatedAt: Math.max(file.updatedAt, here.updatedAt),
    status: RANK[here.status] > RANK[file.status] ? here.status : file.status,
    hintsShown: Math.max(here.hintsShown, file.hintsShown),
    runs: Math.max(here.runs, file.runs),
  };
}

/** What applyImport did: the ids written, and what was there before (null: nothing), for undo. */
export interface ImportResult {
  written: string[];
  before: Record<string, ExerciseRecord | null>;
}

/**
 * Writes the entries of `plan` whose `takeFile` is true (merged with mergeRecord). All or
 * nothing: on a storage failure part-way, restores what was there and returns the error
 * (for a full storage: says so, and that nothing was changed).
 */
export function applyImport(plan: ImportPlan): ({ ok: true } & ImportResult) | { ok: false; error: string } {
  const before: Record<string, ExerciseRecord | null> = {};
  const written: string[] = [];
  for (const e of plan.entries) {
    if (!e.takeFile) continue;
    before[e.id] = loadRecord(e.id);
    const r = saveRecord(e.id, mergeRecord(before[e.id], e.file));
    if (!r.ok) {
      undoImport({ written, before });
      return { ok: false, error: r.reason === 'quota' ? 'The browser storage for this site is full, so the import stopped; nothing was changed. Free some space and try again.' : r.message };
    }
    written.push(e.id);
  }
  return { ok: true, written, before };
}

/** Puts back what applyImport replaced. */
export function undoImport(result: ImportResult): void {
  for (const id of result.written) {
    const prev = result.before[id];
    if (prev) saveRecord(id, prev);
    else clearRecord(id);
  }
}
