// @vitest-environment jsdom
/**
 * The offline state line and the update prompt (register.ts) against a stand-in
 * navigator.serviceWorker: first install -> "saving" then "Available offline"; a new build
 * waiting while the page is controlled -> the prompt; its button posts SKIP_WAITING and the
 * page reloads once the new worker takes control (and not on the first install's claim).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initOffline } from './register';

class FakeWorker extends EventTarget {
  state = 'installing';
  posted: unknown[] = [];
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  set(s: string) {
    this.state = s;
    this.dispatchEvent(new Event('statechange'));
  }
}

function fakeContainer(reg: object, controller: FakeWorker | null) {
  let resolveReady!: () => void;
  const c = Object.assign(new EventTarget(), {
    controller,
    ready: new Promise<void>((r) => (resolveReady = r)),
    register: vi.fn(async () => reg),
  });
  return { c, resolveReady };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('initOffline', () => {
  let reload: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    document.body.innerHTML = '<p id="offline-status"></p>';
    vi.stubEnv('PROD', true);
    Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });
    reload = vi.fn();
    Object.defineProperty(window, 'location', { value: { ...window.location, reload }, configurable: true });
  });
  afterEach(() => vi.unstubAllEnvs());

  it('first visit: saving, then available offline; the first claim does not reload', async () => {
    const installing = new FakeWorker();
    const reg = Object.assign(new EventTarget(), { installing, waiting: null, active: null });
    const { c, resolveReady } = fakeContainer(reg, null);
    Object.defineProperty(navigator, 'serviceWorker', { value: c, configurable: true });
    initOffline('/');
    await flush();
    expect(c.register).toHaveBeenCalledWith('/sw.js', { scope: '/' });
    const box = document.getElementById('offline-status')!;
    expect(box.dataset.state).toBe('saving');
    installing.set('installed');
    expect(box.dataset.state).toBe('saving'); // no controller yet: not an update
    resolveReady();
    await flush();
    expect(box.dataset.state).toBe('ready');
    expect(box.textContent).toBe('Available offline');
    c.dispatchEvent(new Event('controllerchange'));
    expect(reload).not.toHaveBeenCalled();
  });

  it('a new build: prompt, SKIP_WAITING, reload when it takes control', async () => {
    const active = new FakeWorker();
    active.state = 'activated';
    const reg = Object.assign(new EventTarget(), { installing: null as FakeWorker | null, waiting: null, active });
    const { c, resolveReady } = fakeContainer(reg, active);
    Object.defineProperty(navigator, 'serviceWorker', { value: c, configurable: true });
    initOffline('/');
    resolveReady();
    await flush();
    const box = document.getElementById('offline-status')!;
    expect(box.dataset.state).toBe('ready');
    const next = new FakeWorker();
    reg.installing = next;
    reg.dispatchEvent(new Event('updatefound'));
    next.set('installed');
    expect(box.dataset.state).toBe('update');
    const btn = box.querySelector('button')!;
    expect(btn.textContent).toBe('Reload to update');
    btn.click();
    expect(next.posted).toEqual([{ type: 'SKIP_WAITING' }]);
    c.dispatchEvent(new Event('controllerchange'));
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('no service worker support: says so', () => {
    Object.defineProperty(navigator, 'serviceWorker', { value: undefined, configurable: true });
    initOffline('/');
    expect(document.getElementById('offline-status')!.dataset.state).toBe('unsupported');
  });
});
