// tests/web/harness.mjs — what the area browser tests (gate, hotline, supply, staff …) share:
// where the binary, the browser and the screenshots are, the demo password, a check that
// throws, a free port for the test's own server, and webTest(): one test from its demo store
// to its cleanup, with a phone logged in as a user and an API caller a call away.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

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

// The field error of form's field name: its text, shown, and inside the window.
export async function fieldError(page, form, name) {
  const sel = form + ' [name=' + name + '] ~ .field-error';
  await page.waitForSelector(sel + ':not([hidden])');
  return page.$eval(sel, (e) => {
    const r = e.getBoundingClientRect();
    return { text: e.textContent, inView: r.top >= 0 && r.bottom <= window.innerHeight };
  });
}

// The width of the phones the tests are held on (a cheap Android phone's CSS pixels).
export const PHONE = { width: 360, height: 640 };

// The page does not scroll sideways on the phone.
export async function noWiderThanPhone(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(w <= PHONE.width, what + ' is ' + w + ' px wide on a ' + PHONE.width + ' px phone');
}

// China time "YYYY-MM-DD HH:MM", hours from now (the forms' format).
export function chinaTime(hours) {
  return new Date(Date.now() + (8 + hours) * 3600e3).toISOString().slice(0, 16).replace('T', ' ');
}

// Signs page in as user through the login form at base (until the header names who is in).
export async function signIn(page, base, user) {
  await page.goto(base + '/');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('section.login button[type=submit]');
  await page.waitForSelector('p.who');
}

// The demo most tests run on: the 清和 community at 600 households.
export const DEMO = ['--preset', 'qinghe', '--households', '600', '--seed', '7'];

// One browser test, start to end: `wangge demo DEMOARGS` into a temporary folder, the test's
// own server on it, a browser; then body(t) with
//   t.tmp, t.db, t.base, t.browser;
//   t.errors     page errors and console errors of every page t.login opened ("user: …");
//   t.login(user, viewport)  a new page (a phone unless viewport says otherwise) logged in
//                as user through the login form; it becomes t.page;
//   t.api(user)  an API caller with its own session: (method, path, body, ok = true) → JSON,
//                asserting a 2xx unless ok is false;
//   t.page       the page a failure is photographed from (build/screenshots/NAME-FAIL.png).
// body returns what was shown, printed after "ok   NAME: "; a throw prints "FAIL NAME: …"
// and sets the exit status.  The browser, the server and the folder go in every case.
// opts.config: settings written with `wangge config set` before the server starts.
export async function webTest(name, demoArgs, body, opts = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wangge-' + name + '-'));
  const db = path.join(tmp, 'w.db');
  const demo = spawnSync(BIN, ['demo', '--db', db, ...demoArgs], { encoding: 'utf8' });
  if (demo.status !== 0) {
    console.log('FAIL ' + name + ': demo failed: ' + demo.stderr);
    process.exitCode = 1;
    fs.rmSync(tmp, { recursive: true, force: true });
    return;
  }
  for (const [k, v] of Object.entries(opts.config || {})) {
    const c = spawnSync(BIN, ['config', 'set', k, String(v), '--db', db], { encoding: 'utf8' });
    if (c.status !== 0) {
      console.log('FAIL ' + name + ': config set ' + k + ' failed: ' + c.stderr);
      process.exitCode = 1;
      fs.rmSync(tmp, { recursive: true, force: true });
      return;
    }
  }
  const { proc, base } = await serve(db);
  const t = { tmp, db, base, browser: null, errors: [], page: null };
  t.login = async (user, viewport) => {
    const ctx = await t.browser.newContext({ viewport: viewport || PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => t.errors.push(user + ': ' + e.message));
    page.on('console', (m) => { if (m.type() === 'error') t.errors.push(user + ': ' + m.text()); });
    page.on('dialog', (d) => d.accept());
    t.page = page;
    await signIn(page, base, user);
    return page;
  };
  t.api = async (user) => {
    const c = await t.browser.newContext();
    const r = await c.request.post(base + '/api/v1/session', { data: { username: user, password: PASSWORD } });
    assert(r.ok(), 'login ' + user + ': ' + r.status());
    return async (method, p, data, ok = true) => {
      const res = await c.request.fetch(base + '/api/v1' + p, { method, data, headers: method === 'GET' ? {} : { 'X-Wangge': '1' } });
      if (ok) assert(res.ok(), user + ' ' + method + ' ' + p + ': ' + res.status() + ' ' + (await res.text()));
      return res.json();
    };
  };
  try {
    await waitUp(base);
    t.browser = await chromium.launch({ executablePath: BROWSER, args: ['--no-sandbox'] });
    console.log('ok   ' + name + ': ' + (await body(t)));
  } catch (e) {
    if (t.page) await t.page.screenshot({ path: path.join(SHOTS, name + '-FAIL.png'), fullPage: true }).catch(() => {});
    console.log('FAIL ' + name + ': ' + (e && e.stack ? e.stack : e));
    process.exitCode = 1;
  } finally {
    if (t.browser) await t.browser.close();
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
