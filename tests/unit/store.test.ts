import { beforeEach, describe, expect, it } from 'vitest';
import { exportProgress, importProgress, loadRecord, parseProgress, saveRecord, statusOf } from '../../components/exercise/store';

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
    expect(importProgress(text)).toEqual({ ok: true, count: 2 });
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
    const r = importProgress(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
    expect(loadRecord('a')).toEqual(rec('keep'));
    expect(localStorage.length).toBe(1);
  });

  it('restores what was there when storage fills up part-way through an import', () => {
    Object.defineProperty(globalThis, 'localStorage', { value: new QuotaStorage(400), configurable: true });
    saveRecord('a', rec('old'));
    const file = JSON.stringify({ app: 'data-path-lab', version: 1, exportedAt: '', exercises: { a: rec('new'), b: rec('z'.repeat(300)) } });
    const r = importProgress(file);
    expect(r.ok).toBe(false);
    expect(loadRecord('a')).toEqual(rec('old'));
    expect(loadRecord('b')).toBeNull();
  });

  it('parses without writing', () => {
    const r = parseProgress(JSON.stringify({ app: 'data-path-lab', version: 1, exercises: { a: rec('p') } }));
    expect(r).toEqual({ ok: true, exercises: { a: rec('p') } });
    expect(localStorage.length).toBe(0);
  });
});
