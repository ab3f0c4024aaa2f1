// tests/web/harness.mjs — what the area browser tests (gate, hotline, supply, staff) share:
// where the binary, the browser and the screenshots are, the demo password, a check that
// throws, and a free port for the test's own server.
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.WANGGE_BIN || path.join(ROOT, 'build/wangge');
export const BROWSER = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, 'build/screenshots');
export const PASSWORD = 'wangge-demo-2026';

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The test's own server on a free port, on the store at db: { proc, base } (kill proc at the end).
export async function serve(db) {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:' + port, '--web', path.join(ROOT, 'web'), '--quiet'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  return { proc, base: 'http://127.0.0.1:' + port };
}

// Until the server at base answers /health (ten seconds at most).
export async function waitUp(base) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base + '/api/v1/health')).ok) return;
    } catch (e) {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Until the page on screen is the one drawn for the address now in the address bar, and no
// other is loading: main.js marks main with data-page (the address it was drawn for) and
// aria-busy (while the next page loads, the last one stays on screen).  After a click or a goto
// that changes the hash, the hash changes at once but the page only later: reading the page
// then reads the page that is leaving.  sel, when given, must be inside the new page.
export async function pageReady(page, sel, opts) {
  await page.waitForFunction((s) => {
    const m = document.querySelector('main');
    return !!m && m.getAttribute('data-page') === window.location.hash && !m.hasAttribute('aria-busy')
      && (!s || !!m.querySelector(s));
  }, sel || null, opts);
}
