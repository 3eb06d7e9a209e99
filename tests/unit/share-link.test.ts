/** The page side of share links: reading the hash and building the URL (no DOM needed). */
import { describe, expect, it } from 'vitest';
import { parseShareHead } from '../../sims/core/share.ts';
import { shareTextOf, shareUrl } from '../../components/player/share-link.ts';

describe('share-link helpers', () => {
  it('reads only #sim= hashes, undoing percent-encoding', () => {
    expect(shareTextOf('#sim=tty.1.BCAgBAMEAgKAiA4.aab.3')).toBe('tty.1.BCAgBAMEAgKAiA4.aab.3');
    expect(shareTextOf('sim=tty.1.x..0')).toBe('tty.1.x..0');
    expect(shareTextOf('#sim=tty%2E1%2EBCAgBAMEAgKAiA4.aab.3')).toBe('tty.1.BCAgBAMEAgKAiA4.aab.3');
    expect(shareTextOf('#the-question')).toBeNull();
    expect(shareTextOf('')).toBeNull();
    // Broken percent-encoding is passed on as it is, for the decoder to call damaged.
    const broken = shareTextOf('#sim=%E0%A4%A');
    expect(broken).toBe('%E0%A4%A');
    expect(parseShareHead(broken)).toMatchObject({ ok: false, kind: 'malformed' });
  });
  it('builds the page URL with the fragment', () => {
    expect(shareUrl({ origin: 'http://192.168.1.20:4321', pathname: '/lessons/tty-write-atomicity/' }, 'tty.1.A..0')).toBe(
      'http://192.168.1.20:4321/lessons/tty-write-atomicity/#sim=tty.1.A..0',
    );
  });
});
