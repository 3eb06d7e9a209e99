/**
 * The kernel-checks programs on the HOST kernel: every kernel-checks/*.c must compile with
 * the system compiler (`cc -Wall -Werror`), and every program tagged `// host: yes` (needs no
 * privileges and no emulated device) must run and print `RESULT <name> ok ...`, exiting 0.
 * A claim the host kernel disagrees with fails this test. The same programs run inside the
 * page on Linux 6.12 (tests/e2e/real-kernel.spec.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResult } from '../../components/realkernel/vm-core.ts';

const dir = path.resolve(import.meta.dirname, '../../kernel-checks');
const sources = readdirSync(dir).filter((f) => f.endsWith('.c')).sort();
const tagged = (src: string, tag: string) => new RegExp(`^\\s*//\\s*${tag}:\\s*yes\\s*$`, 'm').test(src);
const out = mkdtempSync(path.join(tmpdir(), 'kernel-checks-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('kernel-checks on the host kernel', () => {
  it('has the pty, pipe and uio programs', () => {
    for (const name of ['pty-blocking-writers', 'pty-nonblock-partial', 'pty-signal-partial', 'pipe-small-atomic', 'pipe-large-interleave', 'uio-pci-generic']) {
      expect(sources).toContain(`${name}.c`);
    }
  });

  for (const file of sources) {
    const name = file.replace(/\.c$/, '');
    const src = readFileSync(path.join(dir, file), 'utf8');
    const host = tagged(src, 'host');
    it(`${name}: compiles with cc -Wall -Werror${host ? ' and agrees with the lesson' : ''}`, { timeout: 60_000 }, () => {
      const exe = path.join(out, name);
      execFileSync('cc', ['-Wall', '-Werror', '-O2', '-o', exe, path.join(dir, file)], { stdio: 'pipe' });
      if (!host) return;
      const run = spawnSync(exe, [], { encoding: 'utf8', timeout: 30_000 });
      const lines = run.stdout.split('\n').filter((l) => l.startsWith('RESULT '));
      expect(lines, `${name} printed: ${run.stdout}${run.stderr}`).toHaveLength(1);
      const r = parseResult(lines[0]);
      expect(r?.name).toBe(name);
      expect(r?.ok, lines[0]).toBe(true);
      expect(run.status, lines[0]).toBe(0);
    });
  }
});
