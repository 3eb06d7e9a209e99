import { beforeEach, describe, expect, it } from 'vitest';
import { applyImport, exportProgress, importSizeError, loadRecord, MAX_IMPORT_BYTES, mergeRecord, parseProgress, planImport, allRecords, saveRecord, statusOf, undoImport, type ExerciseRecord } from '../../components/exercise/store';

/** Plans and applies an import of `text` as the home page does (default choices), for the given known ids. */
function importText(text: string, known = ['a', 'b']) {
  const parsed = parseProgress(text);
  if (!parsed.ok) return parsed;
  return applyImport(planImport(parsed.exercises, allRecords(), known));
}

/** A Storage with a byte quota, like a browser's localStorage. */
class QuotaStorage {
  private map = new Map<string, string>();
  constructor(private quota = Infinity) {}
  get length() {
    return this.map.size;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    const used = [...this.map].reduce((n, [a, b]) => n + (a === k ? 0 : a.length + b.length), 0);
    if (used + k.length + v.length > this.quota) throw new DOMException('quota', 'QuotaExceededError');
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  clear() {
    this.map.clear();
  }
}

const rec = (code: string, status: 'not-started' | 'attempted' | 'passed' = 'attempted') => ({ code, status, hintsShown: 1, runs: 2, updatedAt: 5 });

describe('store', () => {
  beforeEach(() => {
    Object.defineProperty(globalThis, 'localStorage', { value: new QuotaStorage(), configurable: true });
  });

  it('saves and loads a record; unknown exercises are not started', () => {
    expect(saveRecord('a', rec('x', 'passed'))).toEqual({ ok: true });
    expect(loadRecord('a')).toEqual(rec('x', 'passed'));
    expect(statusOf('a')).toBe('passed');
    expect(statusOf('b')).toBe('not-started');
  });

  it('reports a full quota instead of throwing', () => {
    Object.defineProperty(globalThis, 'localStorage', { value: new QuotaStorage(100), configurable: true });
    const r = saveRecord('a', rec('y'.repeat(500)));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('quota');
      expect(r.message).toContain('full');
    }
  });

  it('round-trips an export through an import', () => {
    saveRecord('a', rec('one'));
    saveRecord('b', rec('two', 'passed'));
    const text = exportProgress(new Date('2026-01-02T03:04:05Z'));
    localStorage.clear();
    expect(importText(text)).toMatchObject({ ok: true, written: ['a', 'b'] });
    expect(loadRecord('b')).toEqual(rec('two', 'passed'));
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['[]', 'not a Data Path Lab progress export'],
    ['{"app":"other","version":1,"exercises":{}}', '"app" field'],
    ['{"app":"data-path-lab","version":2,"exercises":{}}', 'version 2'],
    ['{"app":"data-path-lab","version":1}', '"exercises" field'],
    ['{"app":"data-path-lab","version":1,"exercises":{"Bad Id":{"code":"","status":"passed"}}}', 'not a valid exercise id'],
    ['{"app":"data-path-lab","version":1,"exercises":{"a":{"status":"passed"}}}', 'malformed'],
    ['{"app":"data-path-lab","version":1,"exercises":{"a":{"code":"x","status":"done"}}}', 'malformed'],
  ])('rejects %s with a clear error and changes nothing', (text, message) => {
    saveRecord('a', rec('keep'));
    const r = importText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
    expect(loadRecord('a')).toEqual(rec('keep'));
    expect(localStorage.length).toBe(1);
  });

  it('restores what was there when storage fills up part-way through an import', () => {
    Object.defineProperty(globalThis, 'localStorage', { value: new QuotaStorage(400), configurable: true });
    saveRecord('a', rec('old'));
    const file = JSON.stringify({ app: 'data-path-lab', version: 1, exportedAt: '', exercises: { a: { ...rec('new'), updatedAt: 9 }, b: rec('z'.repeat(300)) } });
    const r = importText(file);
    if (!r.ok) expect(r.error).toContain('nothing was changed');
    expect(r.ok).toBe(false);
    expect(loadRecord('a')).toEqual(rec('old'));
    expect(loadRecord('b')).toBeNull();
  });

  it('parses without writing', () => {
    const r = parseProgress(JSON.stringify({ app: 'data-path-lab', version: 1, exercises: { a: rec('p') } }));
    expect(r).toEqual({ ok: true, exercises: { a: rec('p') } });
    expect(localStorage.length).toBe(0);
  });

  describe('import merge', () => {
    const r = (code: string, updatedAt: number, status: ExerciseRecord['status'] = 'attempted', runs = 1, hintsShown = 0): ExerciseRecord => ({ code, status, hintsShown, runs, updatedAt });

    it('compares each exercise: only in the file, newer in the file, newer here, same', () => {
      const here = { a: r('mine', 200, 'passed'), b: r('same', 50), c: r('old', 10) };
      const file = { a: r('backup', 100), b: r('same', 50), c: r('new', 20), d: r('fresh', 5) };
      const plan = planImport(file, here, ['a', 'b', 'c', 'd']);
      expect(plan.unknown).toEqual([]);
      expect(plan.entries.map((e) => [e.id, e.comparison, e.takeFile])).toEqual([
        ['a', 'newer-here', false],
        ['b', 'same', false],
        ['c', 'newer-in-file', true],
        ['d', 'only-in-file', true],
      ]);
    });

    it('keeps this browser on a tie that differs (same time, different code)', () => {
      const plan = planImport({ a: r('theirs', 7) }, { a: r('mine', 7) }, ['a']);
      expect(plan.entries[0]).toMatchObject({ comparison: 'newer-here', takeFile: false });
    });

    it('lists ids that are not exercises of the site and never plans them', () => {
      const plan = planImport({ a: r('x', 1), 'no-such-exercise': r('y', 2) }, {}, ['a']);
      expect(plan.unknown).toEqual(['no-such-exercise']);
      expect(plan.entries.map((e) => e.id)).toEqual(['a']);
    });

    it('an older backup does not replace newer work or take a pass away by default', () => {
      saveRecord('a', r('passing code', 200, 'passed', 3));
      const text = JSON.stringify({ app: 'data-path-lab', version: 1, exportedAt: '', exercises: { a: r('old code', 100, 'attempted', 1) } });
      const res = importText(text, ['a']);
      expect(res).toMatchObject({ ok: true, written: [] });
      expect(loadRecord('a')).toEqual(r('passing code', 200, 'passed', 3));
    });

    it('taking the file\'s code on request keeps the pass, the runs and the hints', () => {
      expect(mergeRecord(r('mine', 200, 'passed', 3, 2), r('theirs', 100, 'attempted', 1, 1))).toEqual({ code: 'theirs', status: 'passed', runs: 3, hintsShown: 2, updatedAt: 200 });
      expect(mergeRecord(null, r('theirs', 100))).toEqual(r('theirs', 100));
      expect(mergeRecord(r('mine', 1, 'attempted'), r('theirs', 9, 'passed', 4))).toEqual({ code: 'theirs', status: 'passed', runs: 4, hintsShown: 0, updatedAt: 9 });
    });

    it('undo puts back what was replaced and removes what was added', () => {
      saveRecord('a', r('mine', 1));
      const parsed = parseProgress(JSON.stringify({ app: 'data-path-lab', version: 1, exportedAt: '', exercises: { a: r('theirs', 5), b: r('new', 5) } }));
      if (!parsed.ok) throw new Error(parsed.error);
      const res = applyImport(planImport(parsed.exercises, allRecords(), ['a', 'b']));
      if (!res.ok) throw new Error(res.error);
      expect(loadRecord('a')?.code).toBe('theirs');
      expect(loadRecord('b')?.code).toBe('new');
      undoImport(res);
      expect(loadRecord('a')).toEqual(r('mine', 1));
      expect(loadRecord('b')).toBeNull();
    });

    it('a file over the size limit gets its own message, not the storage-full one', () => {
      const msg = importSizeError(20 * 1024 * 1024);
      expect(msg).toContain('20.0 MB');
      expect(msg).toContain(`${MAX_IMPORT_BYTES / (1024 * 1024)}.0 MB`);
      expect(msg).not.toMatch(/full|editor/);
    });
  });
});
