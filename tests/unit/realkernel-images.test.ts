/**
 * The committed in-page kernel images (public/realkernel/, built by
 * scripts/kernel-image/build.sh): checksums, recorded sources, sizes, and an initramfs that
 * is not stale. Fast: no rebuild, no emulator.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const folder = path.join(root, 'public/realkernel');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const sums = readFileSync(path.join(folder, 'SHA256SUMS'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => {
    const m = /^([0-9a-f]{64}) [ *](\S+)$/.exec(l);
    if (!m) throw new Error(`SHA256SUMS: unreadable line ${JSON.stringify(l)}`);
    return { hash: m[1], file: m[2] };
  });

/** Names of the files in an uncompressed "newc" cpio archive (the format gen_init_cpio writes). */
function cpioNames(buf: Buffer): string[] {
  const names: string[] = [];
  let off = 0;
  const align4 = (n: number) => (n + 3) & ~3;
  while (off + 110 <= buf.length) {
    const magic = buf.toString('latin1', off, off + 6);
    if (magic !== '070701' && magic !== '070702') throw new Error(`cpio: bad magic at ${off}`);
    const field = (i: number) => parseInt(buf.toString('latin1', off + 6 + i * 8, off + 14 + i * 8), 16);
    const fileSize = field(6);
    const nameSize = field(11);
    const name = buf.toString('latin1', off + 110, off + 110 + nameSize - 1);
    if (name === 'TRAILER!!!') break;
    names.push(name);
    off = align4(align4(off + 110 + nameSize) + fileSize);
  }
  return names;
}

describe('in-page kernel images', () => {
  it('lists the kernel, the initramfs, the BIOS and the config in SHA256SUMS', () => {
    expect(sums.map((s) => s.file).sort()).toEqual(['bios.bin', 'bzImage', 'initramfs.cpio', 'kernel.config']);
  });

  for (const { hash, file } of sums) {
    it(`${file} matches its SHA-256`, () => {
      expect(sha256(path.join(folder, file))).toBe(hash);
    });
  }

  it('records the exact Debian source versions', () => {
    const src = readFileSync(path.join(folder, 'SOURCES'), 'utf8');
    expect(src).toMatch(/^kernel-source: Debian package linux-source-6\.12 6\.12\.\d+-\S+ /m);
    expect(src).toMatch(/^kernel-version: 6\.12\.\d+$/m);
    expect(src).toMatch(/^bios: Debian package seabios \S+ /m);
    expect(src).toMatch(/^initramfs-compiler: i386-linux-musl-gcc from Debian musl-dev:i386 \S+/m);
    expect(src).toMatch(/^kernel-build-metadata: KBUILD_BUILD_TIMESTAMP=/m);
  });

  it('keeps the images small (kernel about 1.2 MB, initramfs under 1 MB)', () => {
    const size = (f: string) => readFileSync(path.join(folder, f)).length;
    expect(size('bzImage')).toBeLessThan(1_600_000);
    expect(size('initramfs.cpio')).toBeLessThan(1_000_000);
    expect(size('bios.bin')).toBeLessThanOrEqual(256 * 1024);
  });

  it('has a config with the fragment applied (i386, LZ4, pty, 8250 console, PCI, UIO)', () => {
    const cfg = readFileSync(path.join(folder, 'kernel.config'), 'utf8');
    for (const line of ['CONFIG_X86_32=y', 'CONFIG_KERNEL_LZ4=y', 'CONFIG_UNIX98_PTYS=y', 'CONFIG_SERIAL_8250_CONSOLE=y', 'CONFIG_PCI=y', 'CONFIG_UIO_PCI_GENERIC=y']) {
      expect(cfg).toContain(`${line}\n`);
    }
  });

  it('has an initramfs built from the current sources (rebuild: scripts/kernel-image/build.sh initramfs)', () => {
    const inputs = readFileSync(path.join(folder, 'initramfs.inputs'), 'utf8').trim().split('\n');
    const recorded = new Map(inputs.map((l) => [l.slice(66), l.slice(0, 64)]));
    const vm = readdirSync(path.join(root, 'kernel-checks'))
      .filter((f) => f.endsWith('.c') && /^\s*\/\/\s*vm:\s*yes\s*$/m.test(readFileSync(path.join(root, 'kernel-checks', f), 'utf8')))
      .map((f) => `kernel-checks/${f}`)
      .sort();
    expect([...recorded.keys()].filter((k) => k.startsWith('kernel-checks/')).sort()).toEqual(vm);
    for (const [file, hash] of recorded) {
      expect(existsSync(path.join(root, file)), file).toBe(true);
      expect(sha256(path.join(root, file)), `${file} changed since the initramfs was built`).toBe(hash);
    }
    const names = cpioNames(readFileSync(path.join(folder, 'initramfs.cpio')));
    expect(names).toContain('init');
    for (const f of vm) expect(names).toContain(`checks/${path.basename(f, '.c')}`);
  });

  it('ships the licence notices beside the binaries', () => {
    const notice = readFileSync(path.join(folder, 'LICENSES.md'), 'utf8');
    for (const s of ['GPL-2.0', 'LGPL-3.0', 'MIT', 'BSD-2-Clause', 'Written offer']) expect(notice).toContain(s);
    // The written offer names the exact kernel source version the image was built from.
    const version = /^kernel-source: Debian package linux-source-6\.12 (\S+) /m.exec(readFileSync(path.join(folder, 'SOURCES'), 'utf8'))![1];
    expect(notice.replace(/\s+/g, " ")).toContain(`version ${version}`);
    for (const f of ['GPL-2.0.txt', 'GPL-3.0.txt', 'LGPL-3.0.txt', 'musl-copyright.txt', 'seabios-copyright.txt', 'v86-LICENSE.txt']) {
      expect(existsSync(path.join(folder, 'licenses', f)), f).toBe(true);
    }
  });
});
