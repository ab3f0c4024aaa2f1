// bench/page-weight.mjs — bytes transferred when a grid worker opens "Today" for the first
// time (empty browser cache), on a 360×640 phone viewport.  Target: under 200 KB.
//
//   node bench/page-weight.mjs         (after `make`; WANGGE_BIN, CHROMIUM override)
//
// Starts `build/wangge demo` + `serve` on a free port, logs gw02 in through the API (the
// session cookie lands in the browser context), opens /#/today and counts, from Chromium's
// own network accounting, the bytes on the wire (headers and bodies) of every response the page
// loaded until the page is drawn and the network is idle (headers and bodies as sent; the
// server does not compress), static files and API answers apart.  The service worker's precache downloads happen in the background after that and
// are printed on their own line.  The logged-out first load (login form) is printed too.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.WANGGE_BIN || path.join(ROOT, 'build/wangge');
const BROWSER = process.env.CHROMIUM || '/usr/bin/chromium';
const TARGET = 200 * 1024;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const kb = (n) => (n / 1024).toFixed(1) + ' KB';

// Load url in a fresh context and count what came over the network.
async function measure(browser, base, url, opts) {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN' });
  if (opts.login) {
    const r = await ctx.request.post(base + '/api/v1/session', { data: { username: opts.login, password: 'wangge-demo-2026' } });
    if (!r.ok()) throw new Error('login failed: ' + r.status());
  }
  const page = await ctx.newPage();
  const rows = [];
  const swBytes = { n: 0, bytes: 0 };
  const pending = [];
  // bytes on the wire of each finished response: headers + body as sent (Chromium's sizes)
  ctx.on('requestfinished', (req) => {
    pending.push((async () => {
      const s = await req.sizes().catch(() => null);
      const resp = await req.response().catch(() => null);
      if (!s || !resp || req.url().startsWith('data:')) return;
      const bytes = s.responseBodySize + s.responseHeadersSize;
      if (req.serviceWorker()) {
        swBytes.n += 1;
        swBytes.bytes += bytes;
      } else if (!resp.fromServiceWorker()) {
        rows.push({ url: req.url(), status: resp.status(), bytes });
      }
    })());
  });
  await page.goto(base + url);
  await page.waitForSelector(opts.ready, { timeout: 20000 });
  await page.waitForLoadState('networkidle');
  await Promise.all(pending.splice(0));
  const pageRows = rows.slice();
  await page.waitForTimeout(4000); // the service worker installs (2 s after drawing) and precaches
  await Promise.all(pending.splice(0));
  // the grid kept for a morning offline (keep.js, 3 s after Today is drawn): wait for its lists
  let kept = [];
  if (opts.login) {
    for (let i = 0; i < 60 && !kept.some((r) => r.url.includes('/calllist?') && r.url.includes('limit=500')); i++) {
      await page.waitForTimeout(250);
      await Promise.all(pending.splice(0));
      kept = rows.slice(pageRows.length).filter((r) => /limit=500/.test(r.url));
    }
  }
  const isApi = (r) => new URL(r.url).pathname.startsWith('/api/');
  const sum = (list) => list.reduce((a, r) => a + r.bytes, 0);
  await ctx.close();
  return { rows: pageRows, total: sum(pageRows), api: sum(pageRows.filter(isApi)), static: sum(pageRows.filter((r) => !isApi(r))), sw: swBytes, kept: { n: kept.length, bytes: sum(kept) } };
}

async function main() {
  if (!fs.existsSync(BIN)) throw new Error('no server binary at ' + BIN + ': run make first');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wangge-weight-'));
  const db = path.join(tmp, 'w.db');
  const demo = spawnSync(BIN, ['demo', '--db', db, '--preset', 'qinghe', '--seed', '1'], { encoding: 'utf8' });
  if (demo.status !== 0) throw new Error('demo failed: ' + demo.stderr);
  const port = await freePort();
  const base = 'http://127.0.0.1:' + port;
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:' + port, '--web', path.join(ROOT, 'web'), '--quiet'], { stdio: 'ignore' });
  let browser;
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(base + '/api/v1/health')).ok) break;
      } catch (e) {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    browser = await chromium.launch({
      executablePath: BROWSER,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const today = await measure(browser, base, '/#/today', { login: 'gw02', ready: '.today .missing li' });
    const loginPage = await measure(browser, base, '/', { ready: 'section.login input[name=username]' });
    console.log('worker Today page, first load (360x640, empty cache, gw02 on the qinghe demo):');
    for (const r of today.rows.sort((a, b) => b.bytes - a.bytes)) {
      const u = new URL(r.url);
      console.log('  ' + kb(r.bytes).padStart(9) + '  ' + u.pathname + u.search);
    }
    console.log(`  static files ${kb(today.static)} + API answers ${kb(today.api)} in ${today.rows.length} responses`);
    console.log(`first load of the worker's Today page: ${today.total} bytes (${kb(today.total)}) transferred; target < ${kb(TARGET)}: ${today.total < TARGET ? 'met' : 'NOT met'}`);
    console.log(`then in the background: the service worker precaches the app shell, ${today.sw.n} responses, ${kb(today.sw.bytes)} (files loaded already come from the HTTP cache)`);
    console.log(`then the grid kept on the phone for offline use (every household with its people, the whole missing and call lists): ${today.kept.n} responses, ${kb(today.kept.bytes)}`);
    console.log(`login page, first load (logged out): ${loginPage.total} bytes (${kb(loginPage.total)})`);
  } finally {
    if (browser) await browser.close();
    proc.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
