// tests/web/run.mjs — browser tests of the web app: playwright-core driving Debian's
// chromium (headless) against a real wangge server on a demo store.
//
//   node tests/web/run.mjs            (after `make` and `npm ci && npm run build`)
//
// Builds nothing.  Starts `build/wangge demo` (preset qinghe) in a temporary folder and
// `build/wangge serve --web web` on a free port, runs each check in a fresh browser context,
// saves screenshots under build/screenshots/, prints "N passed, M failed" and exits non-zero
// on any failure.  WANGGE_BIN overrides the binary; CHROMIUM the browser; ONLY=substring
// runs the matching checks only (ONLY='a|b': those matching either).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { checkI18n } from './check-i18n.mjs';
import { checkImports } from './check-imports.mjs';
import { checkRoles } from './check-roles.mjs';
import { checkServerText } from './check-servertext.mjs';
import { pageReady } from './harness.mjs';
import { register as issue13 } from './issue13.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.WANGGE_BIN || path.join(ROOT, 'build/wangge');
const BROWSER = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'build/screenshots');
const PASSWORD = 'wangge-demo-2026';
const PHONE = { width: 360, height: 640 };
const DESKTOP = { width: 1366, height: 900 };
const T0 = Date.now();

// ---- a tiny harness ----
const checks = [];
function check(name, fn) {
  checks.push({ name, fn });
}
class Fail extends Error {}
function assert(cond, msg) {
  if (!cond) throw new Fail(msg);
}
function eq(got, want, msg) {
  if (got !== want) throw new Fail(`${msg}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}

// ---- the server ----
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The server's clock runs from 10:00 Beijing time of today (libfaketime, the Debian package
// made for the job, moving the clock by a fixed offset): what the checks see — the roll-call
// window, follow-up slots at 12:00 and 18:00, overdue states — is the same whatever the hour
// the suite runs at, and the calendar day stays the browser's.
// The library is preloaded into the server itself (not through the `faketime` wrapper,
// which would stand between the test and the process it stops).
function clocked(args) {
  const lib = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1']
    .find((f) => fs.existsSync(f));
  assert(lib, 'libfaketime is missing: scripts/deps.sh installs it');
  const bj = Date.now() + 8 * 3600 * 1000;
  const ten = bj - (bj % 86400000) + 10 * 3600 * 1000;
  const off = Math.round((ten - bj) / 1000);
  const env = Object.assign({}, process.env, {
    LD_PRELOAD: lib, FAKETIME: (off >= 0 ? '+' : '') + off, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1',
  });
  return { cmd: BIN, args, env };
}

async function startServer() {
  assert(fs.existsSync(BIN), `no server binary at ${BIN}: run make first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wangge-webtest-'));
  const db = path.join(tmp, 'w.db');
  const d = clocked(['demo', '--db', db, '--preset', 'qinghe', '--seed', '1']);
  const demo = spawnSync(d.cmd, d.args, { encoding: 'utf8', env: d.env });
  assert(demo.status === 0, 'demo failed: ' + demo.stderr + demo.stdout);
  const port = await freePort();
  const sv = clocked(['serve', '--db', db, '--listen', '127.0.0.1:' + port, '--web', path.join(ROOT, 'web'), '--quiet']);
  const proc = spawn(sv.cmd, sv.args, { stdio: ['ignore', 'ignore', 'pipe'], env: sv.env });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const base = 'http://127.0.0.1:' + port;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(base + '/api/v1/health');
      if (r.ok) return { base, proc, tmp, stderr: () => stderr };
    } catch (e) {
      /* not yet */
    }
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGTERM');
  throw new Error('server did not start: ' + stderr);
}

// ---- API helpers (cookie login, X-Wangge on changes) ----
async function apiLogin(browser, base, username) {
  const ctx = await browser.newContext();
  const r = await ctx.request.post(base + '/api/v1/session', { data: { username, password: PASSWORD } });
  assert(r.ok(), 'API login ' + username + ': ' + r.status());
  const call = async (method, p, body) => {
    const res = await ctx.request.fetch(base + '/api/v1' + p, {
      method, data: body, headers: method === 'GET' ? {} : { 'X-Wangge': '1' },
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
    if (!res.ok()) throw new Error(`${method} ${p}: ${res.status()} ${text}`);
    return json;
  };
  return { ctx, call, close: () => ctx.close() };
}

// ---- pages ----
let lastPage = null; // screenshot on failure
async function newPage(browser, viewport, opts) {
  const ctx = await browser.newContext(Object.assign({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }, opts || {}));
  const page = await ctx.newPage();
  lastPage = page;
  page.errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push('console: ' + m.text());
  });
  page.on('pageerror', (e) => page.errors.push('pageerror: ' + e.message));
  return { ctx, page };
}

async function login(page, base, username, password) {
  await page.goto(base + '/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password || PASSWORD);
  await page.click('form.login button[type=submit], section.login button[type=submit]');
}

async function shot(page, name, full) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: !!full });
}

function noErrors(page, what, allow) {
  const errs = page.errors.filter((e) => !(allow || []).some((re) => re.test(e)));
  assert(!errs.length, what + ' has console errors:\n  ' + errs.join('\n  '));
}

async function stat(page, name) {
  const txt = await page.textContent(`#today-cov [data-stat=${name}]`);
  const m = /^(\d+)/.exec(txt.trim());
  return Number(m[1]);
}

// Check-ins of a household today, grouped by resident: {rid: [rows]}.
async function checkinsOf(api, hid, day) {
  const res = await api.call('GET', `/checkins?household=${hid}&day=${day}`);
  const by = {};
  for (const c of res.items) (by[c.resident_id] = by[c.resident_id] || []).push(c);
  return by;
}

// ---- the checks ----

check('catalogues: zh and en have the same keys, every key the scripts use exists', async () => {
  const problems = await checkI18n(path.join(ROOT, 'web'));
  assert(!problems.length, problems.join('\n     '));
});

check('server messages: every bilingual message of src/ is split by serverText (only its Chinese half on a Chinese screen)', async () => {
  const problems = await checkServerText(ROOT);
  assert(!problems.length, problems.join('\n     '));
});

check('roles: session.js offers each role what src/api/routes.c and actor.c\'s role table let it use (no 403, nothing hidden)', async () => {
  const problems = await checkRoles(ROOT);
  assert(!problems.length, problems.join('\n     '));
});

check('modules: no view imports another view (what they share is in views/common.js or outside views/)', async () => {
  const problems = checkImports(path.join(ROOT, 'web'));
  assert(!problems.length, problems.join('\n     '));
});

check('offline shell: every script of the app is in the service worker\'s cache list (an import made offline finds it)', async () => {
  const sw = fs.readFileSync(path.join(ROOT, 'web/sw.js'), 'utf8');
  const listed = new Set(Array.from(/const SHELL = \[([^\]]*)\]/.exec(sw)[1].matchAll(/'([^']+)'/g), (m) => m[1]));
  const want = [];
  for (const dir of ['js', 'js/views', 'js/tiles', 'i18n']) {
    for (const f of fs.readdirSync(path.join(ROOT, 'web', dir))) if (f.endsWith('.js')) want.push('/' + dir + '/' + f);
  }
  const missing = want.filter((f) => !listed.has(f));
  assert(!missing.length, 'not in sw.js SHELL: ' + missing.join(', '));
  const stale = Array.from(listed).filter((f) => !fs.existsSync(path.join(ROOT, 'web', f)));
  assert(!stale.length, 'listed in SHELL but not in web/ (the install would fail): ' + stale.join(', '));
});

check('login: a wrong password shows the server message; the right one shows name, role and unit', async ({ browser, base }) => {
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw05', 'not-the-password');
  const err = page.locator('.login .form-error');
  await err.waitFor({ state: 'visible' });
  const msg = await err.textContent();
  assert(msg.includes('用户名或密码错误'), 'wrong-password message shown: ' + msg);
  await shot(page, '01-login-error');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('section.login button[type=submit]');
  await page.waitForSelector('.who');
  const who = await page.textContent('.who');
  assert(who.includes('网格员') && who.includes('第五网格'), 'name · role · unit shown: ' + who);
  await page.waitForSelector('.today');
  eq(await page.evaluate(() => window.location.hash), '#/today', 'a grid worker lands on Today');
  await ctx.close();
});

check('worker on 360×640: Today lists the grid, a household is recorded in a few taps, coverage goes up', async ({ browser, base, state }) => {
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw02');
  await page.waitForSelector('.today .missing a.row-link');
  const before = { hh: await stat(page, 'households'), res: await stat(page, 'residents'), fev: await stat(page, 'fevers') };
  await shot(page, '02-today-phone');
  // the call list has one-tap tel: links
  await page.click('#tab-calls');
  const tel = await page.getAttribute('#panel-calls a[href^="tel:"] >> nth=0', 'href');
  assert(/^tel:\d{11}$/.test(tel), 'call list has tel: links: ' + tel);
  await shot(page, '03-today-calls');
  await page.click('#tab-missing');
  // the first household with at least three people not reported
  const rows = page.locator('.missing li[data-household]');
  let target = null;
  for (let i = 0; i < (await rows.count()); i++) {
    const txt = await rows.nth(i).locator('.row-aside').textContent();
    const m = /^(\d+)\/(\d+)/.exec(txt);
    if (m && Number(m[1]) >= 3 && m[1] === m[2]) { target = rows.nth(i); break; }
  }
  assert(target, 'a household of three or more on the missing list');
  const hid = Number(await target.getAttribute('data-household'));
  await target.locator('a').click();
  await page.waitForSelector('.rollcall .person');
  const cards = page.locator('.person');
  const n = await cards.count();
  assert(n >= 3, 'roll-call shows each living person');
  assert(await page.getAttribute('.person input.temp >> nth=0', 'inputmode') === 'decimal', 'numeric keypad for temperatures');
  await cards.nth(0).locator('.preset', { hasText: '36.5' }).click();
  await cards.nth(1).locator('input.temp').fill('378');  // "37.8" typed without the dot
  await cards.nth(1).locator('.sym[data-symptom=cough]').click();
  await cards.nth(2).locator('.seg[data-status=away]').click();
  assert(await cards.nth(1).evaluate((el) => el.classList.contains('is-fever')), 'a fever reading is flagged before saving');
  await shot(page, '04-rollcall-phone');
  await page.click('#all-normal');
  await page.waitForSelector('.today #today-cov');
  const flash = await page.textContent('#status');
  assert(flash.includes('已保存') && flash.includes('发热'), 'saved, with the fever said: ' + flash);
  const after = { hh: await stat(page, 'households'), res: await stat(page, 'residents'), fev: await stat(page, 'fevers') };
  eq(after.hh, before.hh + 1, 'households reached goes up by one');
  eq(after.res, before.res + n - 1, 'residents reported goes up by those at home');
  eq(after.fev, before.fev + 1, 'fevers go up by one');
  assert(!(await page.locator(`.missing li[data-household="${hid}"]`).count()), 'the household left the missing list');
  await shot(page, '05-today-after-save');
  // what the server stored
  const api = await apiLogin(browser, base, 'gw02');
  const cov = await api.call('GET', '/coverage');
  state.day = cov.day;
  const by = await checkinsOf(api, hid, cov.day);
  eq(Object.keys(by).length, n, 'one check-in per living person');
  const rows2 = Object.values(by).map((x) => x[0]);
  assert(rows2.some((c) => c.temperature === 37.8 && c.fever && c.symptoms.includes('cough')), 'the 37.8 with cough is stored');
  assert(rows2.some((c) => c.status === 'away'), 'the absence is stored');
  assert(rows2.every((c) => c.channel === 'visit'), 'channel visit');
  const alerts = await api.call('GET', '/alerts?state=open');
  assert(alerts.items.some((a) => a.household_id === hid), 'the fever opened an alert');
  state.alertHousehold = hid;
  await api.close();
  noErrors(page, 'worker flow', [/401 \(Unauthorized\)/]);
  await ctx.close();
});

check('household page: QR self-report link issued (SVG shown as an image), revoked', async ({ browser, base }) => {
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw02');
  await page.waitForSelector('.today');
  await page.goto(base + '/#/household/560');
  await page.waitForSelector('#link-panel');
  await page.click('#link-panel summary');
  await page.click('#link-issue');
  await page.waitForSelector('.qr-img');
  const w = await page.evaluate(() => { const i = document.querySelector('.qr-img'); return i.complete ? i.naturalWidth : -1; });
  assert(w > 100, 'the QR image renders: ' + w);
  const url = await page.inputValue('#link-url');
  assert(/\/report\.html#[0-9a-f]{32}$/.test(url), 'the link is shown: ' + url);
  await page.locator('.qr-img').scrollIntoViewIfNeeded();
  await shot(page, '06-household-qr');
  page.once('dialog', (d) => d.accept());
  await page.click('#link-revoke');
  await page.waitForSelector('.qr-out .status-ok');
  const res = await fetch(base + '/api/v1/household-link', { headers: { 'X-Household-Token': url.split('#')[1] } });
  eq(res.status, 404, 'a revoked link no longer opens');
  noErrors(page, 'household page', [/401 \(Unauthorized\)/]);
  await ctx.close();
});

check('building page: the printable QR sheet opens in a new window', async ({ browser, base }) => {
  const { ctx, page } = await newPage(browser, DESKTOP);
  await login(page, base, 'gw02');
  await page.waitForSelector('.today');
  await page.goto(base + '/#/unit/420107003008-B04');
  await page.waitForSelector('#print-sheet');
  page.once('dialog', (d) => d.accept());
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#print-sheet')]);
  await popup.waitForSelector('figure.qr svg');
  const n = await popup.locator('figure.qr').count();
  assert(n > 100, 'one QR per household of building 4: ' + n);
  eq(await popup.evaluate(() => getComputedStyle(document.querySelector('.sheet')).display), 'flex', 'print.css applies');
  await shot(popup, '07-qr-sheet');
  await ctx.close();
});

check('self-report page: a household link, "everyone normal", check-ins stored with channel self', async ({ browser, base, state }) => {
  const api = await apiLogin(browser, base, 'gw02');
  const hid = 570;
  const link = await api.call('POST', `/households/${hid}/link`, {});
  const { ctx, page } = await newPage(browser, PHONE);
  await page.goto(base + '/report.html#' + link.token);
  await page.waitForSelector('#form:not([hidden]) .row');
  const members = await page.locator('.row').count();
  await shot(page, '08-self-report');
  await page.click('#allnormal');
  await page.waitForSelector('#status.ok');
  const day = state.day || (await api.call('GET', '/coverage')).day;
  const by = await checkinsOf(api, hid, day);
  eq(Object.keys(by).length, members, 'each family member has a check-in');
  assert(Object.values(by).every((x) => x.length === 1 && x[0].channel === 'self' && x[0].status === 'reported'), 'channel self, reported');
  await shot(page, '09-self-report-sent');
  noErrors(page, 'self-report page');
  await api.close();
  await ctx.close();
});

check('offline: check-ins wait in IndexedDB with a visible count, sync once when the network returns', async ({ browser, base, state }) => {
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw03');
  await page.waitForSelector('.today .missing li[data-household]');
  // the service worker took over (app shell), and never caches the API
  await page.evaluate(() => navigator.serviceWorker && navigator.serviceWorker.ready);
  const rows = page.locator('.missing li[data-household]');
  const h1 = Number(await rows.nth(0).getAttribute('data-household'));
  const h2 = Number(await rows.nth(1).getAttribute('data-household'));
  const before = await stat(page, 'households');
  await ctx.setOffline(true);
  // household 1: all normal
  await rows.nth(0).locator('a').click();
  await page.waitForSelector('.rollcall .person');
  const n1 = await page.locator('.person').count();
  await page.click('#all-normal');
  await page.waitForSelector('.today .offline-note');
  assert((await page.textContent('#status')).includes('本机'), 'told it is kept on the phone');
  // household 2: a reading for the first person only
  await page.click(`.missing li[data-household="${h2}"] a`);
  await page.waitForSelector('.rollcall .person');
  await page.locator('.person').nth(0).locator('.preset', { hasText: '36.6' }).click();
  await page.click('#save');
  await page.waitForSelector('.today .offline-note');
  await page.waitForSelector('#queue-badge[data-waiting="2"]');
  assert(await page.isVisible('#queue-badge'), 'the waiting count is visible');
  assert((await page.textContent('#queue-badge')).includes('2'), 'badge says 2');
  assert((await page.textContent('#queue-panel')).includes('2'), 'the Today panel lists what waits');
  const stored = await page.evaluate(() => new Promise((resolve) => {
    const r = indexedDB.open('wangge');
    r.onsuccess = () => {
      const q = r.result.transaction('outbox').objectStore('outbox').getAll();
      q.onsuccess = () => resolve(q.result.map((x) => x.body.client_id));
    };
  }));
  eq(stored.length, 2, 'two items in IndexedDB');
  assert(stored.every((c) => /^w-[0-9a-f]{32}$/.test(c)), 'each keeps its client_id');
  await shot(page, '10-offline-queue');
  // the queue survives a reload while offline (served by the service worker)
  await page.reload();
  await page.waitForSelector('#queue-badge[data-waiting="2"]');
  // back online: the online event syncs
  await ctx.setOffline(false);
  await page.waitForSelector('#queue-badge[data-waiting="0"]', { state: 'attached' });
  await page.waitForFunction(() => document.getElementById('queue-badge').hidden);
  const api = await apiLogin(browser, base, 'gw03');
  const day = state.day || (await api.call('GET', '/coverage')).day;
  const by1 = await checkinsOf(api, h1, day);
  const by2 = await checkinsOf(api, h2, day);
  eq(Object.keys(by1).length, n1, 'household 1: everyone has a check-in');
  assert(Object.values(by1).every((x) => x.length === 1), 'household 1: exactly one check-in each');
  eq(Object.keys(by2).length, 1, 'household 2: the one reading');
  eq(Object.values(by2)[0].length, 1, 'household 2: exactly one check-in');
  eq(Object.values(by2)[0][0].temperature, 36.6, 'household 2: 36.6 stored');
  // replaying a synced body (same client_id) is a no-op on the server
  const replay = await api.call('POST', '/checkins', { household_id: h1, day, channel: 'visit', all_normal: true, client_id: stored[0] });
  assert(replay.results.every((r) => r.duplicate), 'a repeated sync is answered as a duplicate');
  const again = await checkinsOf(api, h1, day);
  assert(Object.values(again).every((x) => x.length === 1), 'still exactly one check-in each');
  await page.waitForFunction((b) => {
    const el = document.querySelector('#today-cov [data-stat=households]');
    return el && parseInt(el.textContent, 10) > b;
  }, before);
  await shot(page, '11-after-sync');
  // the service worker keeps the app shell and nothing of the API
  const cached = await page.evaluate(async () => {
    const out = [];
    for (const k of await caches.keys()) for (const r of await (await caches.open(k)).keys()) out.push(new URL(r.url).pathname);
    return out;
  });
  assert(cached.includes('/index.html') && cached.includes('/js/views/rollcall.js'), 'the shell is cached: ' + cached.join(' '));
  assert(!cached.some((p) => p.startsWith('/api/')), 'no API answer is cached');
  await api.close();
  noErrors(page, 'offline flow', [/401 \(Unauthorized\)/, /ERR_INTERNET_DISCONNECTED/, /Failed to fetch/]);
  await ctx.close();
});

check('a check-in whose answer is lost is queued and synced without a duplicate', async ({ browser, base, state }) => {
  // no service worker here, so that the test can cut the answer of a request the server got
  const { ctx, page } = await newPage(browser, PHONE, { serviceWorkers: 'block' });
  await login(page, base, 'gw04');
  await page.waitForSelector('.today .missing li[data-household]');
  const row = page.locator('.missing li[data-household]').nth(0);
  const hid = Number(await row.getAttribute('data-household'));
  await row.locator('a').click();
  await page.waitForSelector('.rollcall .person');
  let cut = 0;
  await page.route('**/api/v1/checkins', async (route) => {
    if (route.request().method() === 'POST' && cut === 0) {
      cut++;
      await route.fetch(); // the server stores it …
      await route.abort('connectionreset'); // … and the phone never hears back
      return;
    }
    await route.continue();
  });
  await page.click('#all-normal');
  await page.waitForSelector('.today');
  eq(cut, 1, 'the first answer was cut');
  // the next answer from the server (Today's lists) shows the network is back: it is sent again
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('已同步'));
  eq(await page.getAttribute('#queue-badge', 'data-waiting'), '0', 'nothing left waiting');
  const api = await apiLogin(browser, base, 'gw04');
  const day = state.day || (await api.call('GET', '/coverage')).day;
  const by = await checkinsOf(api, hid, day);
  assert(Object.keys(by).length > 0 && Object.values(by).every((x) => x.length === 1), 'exactly one check-in each after the retry');
  await api.close();
  await ctx.close();
});

check('WeChat chain: preview, fix an unmatched line by picking people, confirm', async ({ browser, base, state }) => {
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw01');
  await page.waitForSelector('.today');
  const api = await apiLogin(browser, base, 'gw01');
  // two households of grid 1 and their people
  const miss = await api.call('GET', '/coverage/missing?limit=20');
  const two = miss.items.filter((x) => x.living === 2 && x.accounted === 0).slice(0, 2);
  const one = miss.items.find((x) => x.living === 1 && x.accounted === 0);
  assert(two.length === 2 && one, 'demo households to paste');
  const room = (x) => `${x.building}${x.entrance || ''}${x.room}`;
  const text = [
    `1. ${room(two[0])} 两人 36.5 36.8`,
    `2. ${room(one)}，一人，体温正常`,
    `3. ${room(two[1])} 三口人正常`, // wrong head count: unmatched, with the household's people
    '4. 99栋9999 正常', // no such household
  ].join('\n');
  await page.goto(base + '/#/chain');
  await page.fill('textarea[name=text]', text);
  await page.click('#chain-preview');
  await page.waitForSelector('#chain-confirm');
  eq(await page.locator('.chain-line.matched').count(), 2, 'two lines matched');
  eq(await page.locator('.chain-line.unmatched').count(), 2, 'two lines to fix');
  const fix = page.locator('.chain-line.unmatched[data-line="3"]');
  eq(await fix.locator('.pick').count(), 2, "the household's people offered");
  eq(await fix.locator('.pick input[type=checkbox]:checked').count(), 0, 'nobody ticked for the worker');
  assert(!(await fix.locator('input[id^=inc-]').isChecked()), 'an unmatched line is not pre-selected for saving');
  await fix.locator('.pick input.temp').nth(0).fill('36.4');
  await fix.locator('.pick input[type=checkbox]').nth(1).check();
  await shot(page, '12-chain-preview', true);
  await page.click('#chain-confirm');
  await page.waitForSelector('.today');
  assert((await page.textContent('#status')).includes('接龙已保存'), 'chain saved message');
  const day = state.day || (await api.call('GET', '/coverage')).day;
  const a = await checkinsOf(api, two[0].household_id, day);
  const b = await checkinsOf(api, two[1].household_id, day);
  const c = await checkinsOf(api, one.household_id, day);
  eq(Object.keys(a).length, 2, 'line 1 stored for two people');
  assert(Object.values(a).every((x) => x[0].channel === 'wechat' && x[0].source_line && x[0].source_line.includes('36.5')), 'the original line is kept');
  eq(Object.keys(b).length, 2, 'the fixed line stored for the people picked');
  assert(Object.values(b).some((x) => x[0].temperature === 36.4), 'the fixed reading stored');
  eq(Object.keys(c).length, 1, 'line 2 stored');
  await api.close();
  noErrors(page, 'chain', [/401 \(Unauthorized\)/]);
  await ctx.close();
});

check('a fever is never lost through the screens: chain line, 全部正常 on a reopened household, re-check, alert outcome, health record', async ({ browser, base, state }) => {
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw01');
  await page.waitForSelector('.today');
  page.errors.length = 0;
  const api = await apiLogin(browser, base, 'gw01');
  const day = state.day || (await api.call('GET', '/coverage')).day;
  const threes = (await householdsWith(api, 3)).filter((x) => x.living === 3);
  assert(threes.length >= 2, 'two households of three in grid 1');
  const [hh, hh2] = threes;
  const fevers0 = (await api.call('GET', '/coverage')).fevers;
  // 1. "4栋1808 一人 37.8" where three live: nobody pre-ticked, no number-like placeholder,
  //    the line not pre-selected, and it cannot be saved until the 37.8 is given to someone
  await page.goto(base + '/#/chain');
  await page.fill('textarea[name=text]', `${hh.building}${hh.entrance || ''}${hh.room} 一人 37.8`);
  await page.click('#chain-preview');
  await page.waitForSelector('#chain-confirm');
  const line = page.locator('.chain-line.unmatched').first();
  eq(await line.locator('.pick').count(), 3, 'the three people offered');
  eq(await line.locator('.pick input[type=checkbox]:checked').count(), 0, 'nobody ticked for the worker');
  assert(!(await line.locator('input[id^=inc-]').isChecked()), 'the line is not pre-selected');
  for (const ph of await line.locator('.pick input.temp').evaluateAll((els) => els.map((e) => e.placeholder))) {
    assert(!/\d/.test(ph), 'a placeholder that looks like a reading: ' + ph);
  }
  assert((await line.textContent()).includes('37.8'), 'the line says its reading');
  for (let i = 0; i < 3; i++) await line.locator('.pick input[type=checkbox]').nth(i).check();
  await line.locator('input[id^=inc-]').check();
  await page.click('#chain-confirm');
  await page.waitForSelector('.chain .form-error:not([hidden]), .chain [role=alert]:not([hidden])');
  assert((await page.textContent('.chain')).includes('37.8'), 'the refusal names the reading');
  eq(Object.keys(await checkinsOf(api, hh.household_id, day)).length, 0, 'nothing saved without the reading');
  const who = hh.people_missing[1];
  await line.locator('.line-says').getByRole('button', { name: who.name, exact: true }).click();
  for (const i of [0, 2]) await line.locator('.pick input[type=checkbox]').nth(i).uncheck();
  await shot(page, '13-chain-fever-given', true);
  await page.click('#chain-confirm');
  await page.waitForSelector('.today');
  let rows = await checkinsOf(api, hh.household_id, day);
  eq(JSON.stringify(Object.keys(rows).map(Number)), JSON.stringify([who.id]), 'the reading given to the person it belongs to');
  eq(rows[who.id][0].temperature, 37.8, 'the 37.8 stored');
  eq((await api.call('GET', '/coverage')).fevers, fevers0 + 1, 'the fever counted');
  // 2. the household reopened and 全部正常 tapped: the others recorded, the fever kept
  await page.goto(base + '/#/household/' + hh.household_id + '/rollcall');
  await page.waitForSelector('#all-normal');
  assert((await page.textContent(`.person[data-resident="${who.id}"]`)).includes('发热'), 'the card says the fever is on the record');
  await page.click('#all-normal');
  await page.waitForSelector('.today');
  rows = await checkinsOf(api, hh.household_id, day);
  eq(Object.keys(rows).length, 3, 'the others recorded');
  eq(rows[who.id].filter((c) => c.current)[0].temperature, 37.8, 'the fever is still the current reading');
  eq((await api.call('GET', '/coverage')).fevers, fevers0 + 1, 'the fever still counted');
  // 3. a normal re-check on the worker's form keeps the fever on the day
  const p2 = hh2.people_missing[0];
  const hot = await api.call('POST', '/checkins', { resident_id: p2.id, channel: 'visit', temperature: 38.2, symptoms: ['cough'] });
  await page.goto(base + '/#/household/' + hh2.household_id + '/rollcall');
  await page.waitForSelector(`#temp-${p2.id}`);
  await page.fill(`#temp-${p2.id}`, '36.6');
  await page.click('#save');
  await page.waitForSelector('.today');
  eq((await api.call('GET', '/coverage')).fevers, fevers0 + 2, 'a re-check does not erase the fever');
  // 4. the alert: no outcome before it is acknowledged, none chosen by default, 排除 needs a note
  await page.goto(base + '/#/alert/' + hot.alert_id);
  await page.waitForSelector('#step-ack');
  eq(await page.locator('#step-outcome').count(), 0, 'no outcome before acknowledgement');
  await page.click('#step-ack');
  await page.waitForSelector('#step-outcome');
  eq(await page.inputValue('#step-outcome'), '', 'no outcome chosen by default');
  await page.click('#step-outcome-btn');
  await page.waitForSelector('.workflow .form-error:not([hidden])');
  await page.selectOption('#step-outcome', 'excluded');
  await page.click('#step-outcome-btn');
  assert((await page.textContent('.workflow .form-error')).includes('排除'), 'excluding asks for a note');
  eq((await api.call('GET', '/alerts/' + hot.alert_id)).state, 'acknowledged', 'the alert is not closed');
  // 5. the health record shows every reading: the 38.2 beside the 36.6, no "—"
  const hr = page.locator('[aria-labelledby=hr-h] tbody');
  await hr.waitFor();
  const txt = await hr.textContent();
  assert(txt.includes('38.2') && txt.includes('36.6') && txt.includes('咳嗽'), 'both readings in the health record: ' + txt);
  assert(!txt.includes('—'), 'no dash beside a reading: ' + txt);
  await shot(page, '14-alert-health-record', true);
  await api.close();
  noErrors(page, 'fever screens', [/40[09] \((Bad Request|Conflict)\)/]);
  await ctx.close();
});

check('dashboard (desktop): four ECharts canvases, drill-down, live alert feed, report links, no console errors', async ({ browser, base }) => {
  assert(fs.existsSync(path.join(ROOT, 'web/vendor/echarts.min.js')), 'web/vendor/echarts.min.js is missing: run npm ci && npm run build');
  const { ctx, page } = await newPage(browser, DESKTOP);
  await login(page, base, 'secretary');
  await page.waitForSelector('.dashboard');
  page.errors.length = 0; // the logged-out session check before login answers 401 by design
  for (const id of ['coverage', 'curve', 'fevers', 'alerts']) await page.waitForSelector(`#chart-${id} canvas`);
  eq(await page.locator('#kids-table tbody tr').count(), 16, 'a row per grid');
  const csv = await page.getAttribute('#dl-csv', 'href');
  const xlsx = await page.getAttribute('#dl-xlsx', 'href');
  assert(csv.includes('format=csv') && xlsx.includes('format=xlsx'), 'report links');
  const got = await page.evaluate(async (u) => {
    const r = await fetch(u);
    return [r.status, r.headers.get('content-type'), (await r.text()).slice(0, 40)];
  }, csv);
  assert(got[0] === 200 && got[1].includes('text/csv') && got[2].includes('日报'), 'CSV report downloads: ' + got.join(' '));
  // tooltips (drawn in the canvas: no inline styles for the CSP to refuse)
  for (const id of ['coverage', 'curve', 'fevers', 'alerts']) {
    const box = await page.locator('#chart-' + id).boundingBox();
    await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.55);
    await page.waitForTimeout(150);
  }
  await page.waitForTimeout(400);
  await shot(page, '13-dashboard', true);
  // live: a fever recorded elsewhere appears without reloading
  await page.waitForSelector('.live-open');
  const api = await apiLogin(browser, base, 'gw06');
  const miss = await api.call('GET', '/coverage/missing?limit=1');
  const rid = miss.items[0].people_missing[0].id;
  const name = miss.items[0].people_missing[0].name;
  await api.call('POST', '/checkins', { resident_id: rid, temperature: 38.4, channel: 'phone' });
  await page.waitForFunction((nm) => (document.getElementById('feed')?.textContent || '').includes(nm), name);
  await page.waitForFunction(() => Number(document.getElementById('live-checkins')?.textContent) > 0);
  await shot(page, '14-dashboard-live');
  // drill down to a grid, then a building with its missing households
  await page.click('#kids-table a >> text=第六网格');
  await page.waitForSelector('.dashboard h1 >> text=第六网格');
  await page.waitForSelector('#chart-coverage canvas');
  await page.click('#kids-table tbody a >> nth=0');
  // the building's page: the grid's has a missing list (#miss-h) too, and is replaced by the
  // loading line 250 ms into the building's load
  await pageReady(page, '#miss-h');
  assert(await page.locator('.dashboard table a[href^="#/household/"]').count() > 0, 'households listed at building level');
  const building = page.url();
  // the alert: acknowledge, outcome home observation, door checker, door reading
  await page.click(`#feed a >> text=${name}`);
  await page.waitForSelector('.workflow');
  await page.click('#step-ack');
  await page.waitForSelector('[data-step=acknowledged]');
  await page.selectOption('#step-outcome', 'home_observation');
  await page.click('#step-outcome-btn');
  await page.waitForSelector('[data-step=outcome]');
  await page.fill('#door-checker', 'gw06');
  await page.click('#step-assign');
  await page.waitForSelector('[data-step=assign]');
  await page.fill('#door-temp', '37.1');
  await page.click('#step-door');
  await page.waitForSelector('[data-step=door_reading]');
  await shot(page, '15-alert-detail', true);
  const alerts = await api.call('GET', '/alerts?state=observation');
  assert(alerts.items.some((x) => x.resident_id === rid && x.door_checker && x.door_checker.username === 'gw06'), 'alert workflow stored');
  // the building's call list (no smartphone or living alone, not reported): the secretary phones
  // one from the desk, records the answer by phone and is back on the list, one fewer (the call
  // list was on the grid worker's 今日 only)
  await page.goto(building);
  await pageReady(page, '#dash-calls');
  const callsN = async () => Number(/\d+/.exec(await page.textContent('#calls-h'))[0]);
  const n0 = await callsN();
  assert(n0 > 0 && await page.locator('#dash-calls a[data-record]').count() > 0, 'people to phone on the building\'s dashboard');
  const hhRec = await page.getAttribute('#dash-calls a[data-record] >> nth=0', 'data-record');
  await page.click('#dash-calls a[data-record] >> nth=0');
  await pageReady(page, '#all-normal');
  eq(await page.getAttribute('.channel [data-channel="phone"]', 'aria-pressed'), 'true', 'the roll-call is by phone');
  await page.click('#all-normal');
  await pageReady(page, '#dash-calls');
  eq(page.url(), building, 'back on the building\'s dashboard');
  assert(await callsN() < n0, 'the household left the call list: ' + n0 + ' → ' + await callsN());
  assert(!(await page.locator(`#dash-calls a[data-record="${hhRec}"]`).count()), 'the household recorded is off the list');
  await api.close();
  noErrors(page, 'dashboard');
  await ctx.close();
});

check('language: switching to English and back, remembered across a reload', async ({ browser, base }) => {
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw07');
  await page.waitForSelector('.today');
  const langBtn = page.locator('header .bar button[lang]');
  eq((await langBtn.textContent()).trim(), 'English', 'the switch offers English');
  await langBtn.click();
  await page.waitForSelector('#tab-missing >> text=Not reached');
  eq(await page.evaluate(() => document.documentElement.lang), 'en', 'html lang en');
  assert(/grid worker/i.test(await page.textContent('.who')), 'role in English');
  await shot(page, '16-today-english');
  await page.reload();
  await page.waitForSelector('#tab-missing >> text=Not reached');
  const api = await apiLogin(browser, base, 'gw07');
  const me = await api.call('GET', '/session');
  eq(me.lang, 'en', 'the choice is saved to the account');
  await api.close();
  await page.locator('header .bar button[lang]').click();
  await page.waitForSelector('#tab-missing >> text=未报户');
  eq(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'back to Chinese');
  noErrors(page, 'language', [/401 \(Unauthorized\)/]);
  await ctx.close();
});

// ---- the four categories (docs/api.md section 10) ----

// Households of the caller's grid not reached today with at least `min` people, from the missing list.
async function householdsWith(api, min, unit) {
  const res = await api.call('GET', '/coverage/missing?limit=100' + (unit ? '&unit=' + unit : ''));
  return res.items.filter((x) => x.living >= min && x.accounted === 0);
}

// A confirmed case in the caller's grid (made through the API): its resident id and household.
async function confirmedCase(api, state) {
  if (state.caseId) return state.caseId;
  const hh = (await householdsWith(api, 2)).slice(-1)[0];
  assert(hh, 'a household of two for the case');
  const rid = hh.people_missing[0].id;
  await api.call('POST', `/residents/${rid}/status`, { category: 'confirmed', reason: 'test_positive', note: '核酸阳性' });
  state.caseId = rid;
  return rid;
}

check('categories (secretary): counts per grid, drill-down, the named list by category, export with a purpose, no console errors', async ({ browser, base }) => {
  const api = await apiLogin(browser, base, 'secretary');
  const hh = await householdsWith(api, 1, '420107003008-G05');
  assert(hh.length >= 2, 'households of grid 5');
  const sus = hh[0].people_missing[0];
  const trav = hh[1].people_missing[0];
  await api.call('POST', `/residents/${sus.id}/status`, { category: 'suspected', reason: 'symptoms', note: '发热门诊留观' });
  await api.call('POST', `/residents/${trav.id}/status`, { category: 'travel_observation', reason: 'travel_history' });
  const { ctx, page } = await newPage(browser, DESKTOP);
  await login(page, base, 'secretary');
  await page.waitForSelector('.dashboard');
  page.errors.length = 0; // the logged-out session check before login answers 401 by design
  await page.click('.nav a >> text=四类人员');
  await page.waitForSelector('#cat-table');
  eq(await page.locator('#cat-table tbody tr').count(), 16, 'a row per grid');
  const g5 = page.locator('#cat-table tbody tr[data-unit="420107003008-G05"]');
  eq((await g5.locator('td[data-col=suspected]').textContent()).trim(), '1', 'grid 5: one suspected');
  eq((await g5.locator('td[data-col=travel_observation]').textContent()).trim(), '1', 'grid 5: one travel observation');
  assert(Number(await g5.locator('td[data-col=not_admitted]').textContent()) >= 1, 'grid 5: the suspected person is not admitted');
  assert(await g5.locator('td[data-col=not_admitted]').evaluate((el) => el.classList.contains('hot-text')), 'not admitted > 0 is red');
  const zero = page.locator('#cat-table tbody tr[data-unit="420107003008-G16"] td[data-col=not_admitted]');
  assert(!(await zero.evaluate((el) => el.classList.contains('hot-text'))), 'zero is not red');
  assert(await page.locator('#cat-table tfoot tr').count() === 1, 'a total row');
  // the named list behind the counts: the four categories, then by category
  await page.waitForSelector(`#cat-people tr[data-resident="${sus.id}"]`);
  assert(!(await page.locator(`#cat-people tr[data-resident="${trav.id}"]`).count()), 'travel observation is not one of the four');
  await page.click('#cat-people-section a.chip-link[data-value=travel_observation]');
  await page.waitForSelector(`#cat-people tr[data-resident="${trav.id}"]`);
  await shot(page, '17-categories', true);
  // drill down: grid 5 and its buildings
  await page.click('#cat-table tbody a >> text=第五网格');
  await page.waitForSelector('.categories h1 >> text=第五网格');
  await page.waitForSelector('#cat-table tbody tr');
  assert(await page.locator('#cat-table tbody tr').count() >= 1, 'the buildings of grid 5');
  // the export asks for its purpose
  await page.click('#cat-export-panel summary');
  await page.click('#cat-export button[type=submit]');
  await page.waitForSelector('#cat-export .field-error:not([hidden])');
  await page.fill('#cat-export input[name=purpose]', '报街道指挥部核对');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#cat-export button[type=submit]')]);
  const file = await dl.path();
  const text = fs.readFileSync(file, 'utf8');
  assert(text.includes(sus.name), 'the export holds the list: ' + text.slice(0, 80));
  await page.waitForSelector('#cat-export .status-ok:not([hidden])');
  await api.close();
  noErrors(page, 'categories');
  await ctx.close();
});

check('worker on 360×640: sets a resident category and starts an isolation on the resident page, sees and records the follow-up', async ({ browser, base }) => {
  const api = await apiLogin(browser, base, 'gw08');
  const hh = (await householdsWith(api, 2))[0];
  assert(hh, 'a household of two or more in grid 8');
  const person = hh.people_missing[0];
  const others = hh.people_missing.slice(1);
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw08');
  await page.waitForSelector('.today');
  page.errors.length = 0;
  await page.goto(base + '/#/resident/' + person.id);
  await page.waitForSelector('#status-form');
  eq((await page.textContent('.epi-current')).includes('未分类'), true, 'no category yet');
  // the server's field error: the reason "other" needs a note
  await page.selectOption('#status-form select[name=category]', 'suspected');
  await page.selectOption('#status-form select[name=reason]', 'other');
  await page.click('#status-form button[type=submit]');
  await page.waitForSelector('#status-form textarea[name=note][aria-invalid=true]');
  const fieldErr = await page.locator('#status-form .field-error:not([hidden])').textContent();
  assert(fieldErr.trim().length > 0, 'the server message is shown by the note field: ' + fieldErr);
  await page.selectOption('#status-form select[name=reason]', 'symptoms');
  await page.fill('#status-form textarea[name=note]', '发热门诊留观');
  await page.click('#status-form button[type=submit]');
  await page.waitForSelector('#isolation-form');
  assert((await page.textContent('#status')).includes('疑似病例'), 'the new category is said');
  await page.waitForSelector('#status-history tr[data-to=suspected]');
  // start a home isolation with the signed health notice (the household rule puts the others under observation)
  await page.selectOption('#isolation-form select[name=kind]', 'home');
  await page.check('#isolation-form input[name=notice_signed]');
  await page.click('#isolation-form button[type=submit]');
  await page.waitForSelector('#isolation-active');
  const flash = await page.textContent('#status');
  assert(flash.includes('居家隔离'), 'the isolation is said: ' + flash);
  await shot(page, '18-resident-category', true);
  const st = await api.call('GET', `/residents/${person.id}/status`);
  eq(st.category, 'suspected', 'stored category');
  assert(st.isolation && st.isolation.id, 'an active isolation');
  const iso = await api.call('GET', '/isolations/' + st.isolation.id);
  assert(iso.notice_signed_at, 'the signed notice is recorded');
  eq(iso.worker.username, 'gw08', 'the grid worker follows up');
  for (const o of others) {
    const s2 = await api.call('GET', `/residents/${o.id}/status`);
    eq(s2.category, 'close_contact', 'a household member becomes a close contact');
  }
  // Today marks the household as isolated
  await page.click('.nav a >> text=今日点名');
  await page.waitForSelector(`.missing li[data-household="${hh.household_id}"] .badge-isolated`);
  // the follow-up list: the worker's own, with a quick form per slot
  await page.click('.nav a >> text=随访');
  await page.waitForSelector('.followups-page');
  // the server's clock says 10:00: today's 12:00 and 18:00 slots are due
  const card = page.locator(`li.followup[data-state=due]:has(h3 a[href="#/resident/${person.id}"])`).first();
  assert(await card.count(), 'a due follow-up of the person');
  assert(await card.locator('input.temp').getAttribute('inputmode') === 'decimal', 'numeric keypad');
  const fid = await card.getAttribute('data-followup');
  await shot(page, '19-followups');
  await card.locator('.preset', { hasText: '36.6' }).click();
  await card.locator('.fu-save').click();
  await page.waitForSelector(`li.followup[data-followup="${fid}"][data-state=done]`);
  assert((await page.textContent('#status')).includes('36.6'), 'the reading is said');
  const after = await api.call('GET', '/isolations/' + st.isolation.id);
  const slot = after.followups_list.find((f) => String(f.id) === fid);
  eq(slot.state, 'done', 'the follow-up is stored done');
  eq(slot.temperature, 36.6, 'with its temperature');
  // tomorrow is the plan: listed, but nothing to record before the day
  const tomorrow = after.followups_list.find((f) => f.day > slot.day);
  assert(tomorrow, 'slots on the following days');
  await page.fill('#fu-day', tomorrow.day); // the change event moves to that day
  const planned = page.locator(`li.followup[data-followup="${tomorrow.id}"]`);
  await planned.locator('.fu-planned').waitFor();
  eq(await planned.locator('input.temp').count(), 0, 'no form for a later day');
  await api.close();
  noErrors(page, 'category and isolation', [/400 \(Bad Request\)/]); // the refused "other" without a note
  await ctx.close();
});

check('transmission chain: contacts recorded on the case page, drawn as an ECharts graph (canvas)', async ({ browser, base, state }) => {
  const api = await apiLogin(browser, base, 'gw09');
  const caseId = await confirmedCase(api, state);
  const other = (await householdsWith(api, 1)).find((x) => !x.people_missing.some((p) => p.id === caseId));
  assert(other, 'another household in grid 9');
  const contact = other.people_missing[0];
  const { ctx, page } = await newPage(browser, DESKTOP);
  await login(page, base, 'gw09');
  await page.waitForSelector('.today');
  page.errors.length = 0;
  await page.goto(base + '/#/resident/' + caseId);
  await page.waitForSelector('#contact-panel');
  // a registered contact found by name
  await page.click('#contact-panel summary');
  await page.fill('#con-find', `${other.building}${other.entrance || ''}${other.room}`); // found by room
  await page.click('#con-find-btn');
  await page.click(`#contact-form [data-pick="${contact.id}"]`);
  await page.fill('#contact-form input[name=place]', '菜市场');
  await page.selectOption('#contact-form select[name=kind]', 'meal');
  await page.click('#contact-form button[type=submit]');
  await page.waitForSelector(`#contact-list a[href="#/resident/${contact.id}"]`);
  // someone not registered
  await page.click('#contact-panel summary');
  await page.fill('#contact-form input[name=name]', '外来人员王某');
  await page.fill('#contact-form input[name=place]', '小区门口');
  await page.selectOption('#contact-form select[name=kind]', 'social');
  await page.click('#contact-form button[type=submit]');
  // the page is drawn again with the contact: while it loads there is no #contact-list at all
  await page.waitForFunction(() => (document.getElementById('contact-list')?.textContent || '').includes('外来人员王某'));
  const s2 = await api.call('GET', `/residents/${contact.id}/status`);
  eq(s2.category, 'close_contact', 'the linked contact is followed as a close contact');
  await page.click('#chain-link');
  await page.waitForSelector('#chart-chain canvas');
  const size = await page.evaluate(() => { const c = document.querySelector('#chart-chain canvas'); return [c.width, c.height]; });
  assert(size[0] > 200 && size[1] > 200, 'the graph has a size: ' + size);
  const chain = await api.call('GET', `/residents/${caseId}/chain`);
  eq(await page.locator('#chain-edges tbody tr').count(), chain.edges.length, 'an edge per contact listed');
  assert(chain.edges.length >= 2, 'the two contacts are in the chain');
  await page.waitForTimeout(1200); // the force layout settles
  await shot(page, '20-transmission-chain');
  await api.close();
  noErrors(page, 'transmission chain');
  await ctx.close();
});

check('response tasks and lockdown: the building of a confirmed case shows locked on Today, its disinfection is marked done', async ({ browser, base, state }) => {
  const api = await apiLogin(browser, base, 'gw09');
  const caseId = await confirmedCase(api, state);
  const r = await api.call('GET', '/residents/' + caseId);
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw09');
  await page.waitForSelector('.today');
  page.errors.length = 0;
  await page.waitForSelector('#today-lockdown .badge-lock-building');
  assert((await page.textContent('#today-lockdown')).includes(r.building), 'the locked building is named on Today');
  await page.click('.nav a >> text=处置任务');
  await page.waitForSelector('.tasks-page');
  const task = page.locator('li.task[data-kind=disinfection]').first();
  await task.waitFor();
  const tid = await task.getAttribute('data-task');
  await task.locator('details[data-action=done] summary').click();
  await task.locator('details[data-action=done] button[type=submit]').click();
  await task.locator('.field-error:not([hidden])').first().waitFor();
  await task.locator('input[name=team]').fill('街道消杀一队');
  await task.locator('textarea[name=photo_note]').fill('楼道、电梯喷洒消毒后的照片');
  await task.locator('details[data-action=done] button[type=submit]').click();
  // stored when the open list is drawn again without it (the 已完成 of the status lasts only
  // until the next page is drawn)
  await page.waitForSelector(`li.task[data-task="${tid}"]`, { state: 'detached' });
  await pageReady(page);
  assert((await page.textContent('#status')).includes('已完成'), 'the task is said done');
  await shot(page, '21-tasks', true);
  const done = await api.call('GET', '/tasks?state=done&limit=50');
  const t = done.items.find((x) => String(x.id) === tid);
  assert(t && t.team === '街道消杀一队' && t.photo_note && t.place, 'the disinfection is stored with place, team and photo note');
  await api.close();
  noErrors(page, 'tasks');
  await ctx.close();
});

check('agency list: a CSV uploaded, matched / to review / unmatched add up, open rows confirmed and rejected', async ({ browser, base }) => {
  const api = await apiLogin(browser, base, 'secretary');
  const people = (await api.call('GET', '/residents?unit=420107003008-G10&limit=40')).items;
  const exact = people.find((p) => p.id_type === 'id_card' && p.id_number && !p.id_number.includes('*'));
  const review = people.find((p) => p !== exact && p.phone && !p.phone.includes('*'));
  assert(exact && review, 'residents with an ID number and a phone');
  const csv = ['姓名,身份证号,手机号,地址,抵达日期,来源',
    `${exact.name},${exact.id_number},,,,铁路`,
    `${review.name},,${review.phone},,,铁路`,
    '不存在的人,,,,,铁路'].join('\n') + '\n';
  const { ctx, page } = await newPage(browser, DESKTOP);
  await login(page, base, 'secretary');
  await page.waitForSelector('.dashboard');
  page.errors.length = 0;
  await page.click('.nav a >> text=外部名单');
  await page.waitForSelector('#list-upload');
  await page.fill('#list-upload input[name=source]', '铁路站点推送');
  await page.setInputFiles('#list-upload input[name=file]', { name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('#list-upload button[type=submit]');
  await page.waitForSelector('#list-counts');
  const num = async (k) => Number(await page.textContent(`#list-counts [data-stat=${k}] dd`));
  eq(await num('rows'), 3, 'three rows');
  eq(await num('matched'), 1, 'one exact match');
  eq(await num('to_review'), 1, 'one to review');
  eq(await num('unmatched'), 1, 'one unmatched');
  await shot(page, '22-agency-list');
  await page.click('#list-review-link');
  await page.waitForSelector('#list-rows');
  eq(await page.locator('#list-rows li.list-row').count(), 2, 'the two open rows');
  const rev = page.locator('#list-rows li.list-row[data-state=to_review]');
  await rev.locator(`[data-confirm="${review.id}"]`).click();
  await page.waitForSelector('#list-rows li.list-row[data-state=confirmed]');
  const un = page.locator('#list-rows li.list-row[data-state=unmatched]');
  await un.locator('details.row-more summary').click();
  await un.locator('input.reject-note').fill('查无此人,已电话核实');
  await un.locator('[data-reject]').click();
  await page.waitForSelector('#list-rows li.list-row[data-state=rejected]');
  await shot(page, '23-agency-review', true);
  const id = (await page.evaluate(() => window.location.hash)).match(/\/list\/(\d+)/)[1];
  const list = await api.call('GET', '/lists/' + id);
  eq(list.confirmed, 1, 'stored: one confirmed');
  eq(list.rejected, 1, 'stored: one rejected');
  const s = await api.call('GET', `/residents/${review.id}/status`);
  eq(s.category, 'travel_observation', 'the confirmed person is under observation');
  await api.close();
  noErrors(page, 'agency list');
  await ctx.close();
});

check('command and dashboard: command sees counts and tasks only; the dashboard charts the four categories per grid', async ({ browser, base }) => {
  const { ctx, page } = await newPage(browser, DESKTOP);
  await login(page, base, 'command');
  await page.waitForSelector('.dashboard');
  page.errors.length = 0;
  const nav = await page.textContent('.nav');
  assert(nav.includes('四类人员') && nav.includes('处置任务'), 'counts and tasks in the navigation: ' + nav);
  assert(!nav.includes('随访') && !nav.includes('外部名单'), 'no named lists for command: ' + nav);
  await page.click('.nav a >> text=四类人员');
  await page.waitForSelector('#cat-table tbody tr');
  assert(!(await page.locator('#cat-people-section').count()), 'no named list for command');
  noErrors(page, 'command categories');
  await ctx.close();
  const s = await newPage(browser, DESKTOP);
  await login(s.page, base, 'secretary');
  await s.page.waitForSelector('.dashboard');
  s.page.errors.length = 0;
  await s.page.waitForSelector('#chart-categories canvas');
  eq(await s.page.locator('#dash-cat-table tbody tr').count(), 16, 'the categories table has a row per grid');
  await s.page.waitForTimeout(400);
  await shot(s.page, '24-dashboard-categories', true);
  noErrors(s.page, 'dashboard categories');
  await s.ctx.close();
});

// The import page reads the refused rows out of the file it sent: its line numbers must be
// the server's.  Every data row of this file is refused (an unknown unit, or malformed), so
// the report names each record's line, which the browser's reader must find.
check('CSV reader: the records and line numbers the browser reads are those the server reports', async ({ browser, base }) => {
  const { parseCsv, decodeUtf8, writeCsv } = await import(path.join(ROOT, 'web/js/csv.js'));
  const csv = '\ufeff姓名,单位编码,房号,与户主关系\r\n'
    + '甲,NOPE-1,101,"户主,退休"\r\n'
    + '\r\n'
    + '"乙\n二行",NOPE-1,102,"说 ""好"""\r\n'
    + '丙,NOPE-1,103,x\r'
    + '丁 ,  NOPE-1 ,104,\n'
    + '"戊,NOPE-1,105\n'
    + '己,NOPE-1,1"06\n'
    + '"庚"x,NOPE-1,107\n'
    + '辛,NOPE-1,"1\r\n08"\n'
    + '\n\n'
    + '"癸,NOPE-1,110\n'
    + '壬,NOPE-1,109';
  const recs = parseCsv(decodeUtf8(Buffer.from(csv)));
  eq(JSON.stringify(recs[0].fields), JSON.stringify(['姓名', '单位编码', '房号', '与户主关系']), 'BOM skipped, header read');
  eq(JSON.stringify(recs[1].fields), JSON.stringify(['甲', 'NOPE-1', '101', '户主,退休']), 'a quoted comma');
  eq(JSON.stringify(recs[2].fields), JSON.stringify(['乙\n二行', 'NOPE-1', '102', '说 "好"']), 'a line break and doubled quotes in quotes');
  eq(JSON.stringify(recs[4].fields), JSON.stringify(['丁', 'NOPE-1', '104', '']), 'blanks trimmed');
  eq(JSON.stringify(recs.map((r) => r.bad ? r.line : 0)), '[0,0,0,0,0,8,10,0,15,0]',
    'the malformed records: a quote closed on the next line then text, text after a quote, an unterminated quote');
  const api = await apiLogin(browser, base, 'secretary');
  const res = await api.ctx.request.post(base + '/api/v1/imports/residents', {
    headers: { 'X-Wangge': '1', 'Content-Type': 'text/csv' }, data: Buffer.from(csv),
  });
  const rep = await res.json();
  eq(rep.created + rep.updated + rep.unchanged, 0, 'every row refused');
  eq(JSON.stringify(rep.errors.map((e) => e.line)), JSON.stringify(recs.slice(1).map((r) => r.line)), 'the same line numbers');
  eq(JSON.stringify(rep.errors.map((e) => e.code === 'bad_csv')), JSON.stringify(recs.slice(1).map((r) => r.bad)), 'the same malformed records');
  // what the page writes back reads as it was meant
  const out = writeCsv(recs.filter((r) => !r.bad).map((r) => r.fields));
  const again = parseCsv(out.text);
  eq(JSON.stringify(again.map((r) => r.fields)), JSON.stringify(recs.filter((r) => !r.bad).map((r) => r.fields)), 'written and read back the same');
  eq(JSON.stringify(again.map((r) => r.line)), JSON.stringify(out.lines), 'the writer knows where each record starts');
  const res2 = await api.ctx.request.post(base + '/api/v1/imports/residents', {
    headers: { 'X-Wangge': '1', 'Content-Type': 'text/csv' }, data: Buffer.from(out.text),
  });
  eq(JSON.stringify((await res2.json()).errors.map((e) => e.line)), JSON.stringify(out.lines.slice(1)), 'the server agrees on the written file');
  await api.close();
});

check('import: the refused rows are fixed in place and re-submitted; the rows taken leave the table', async ({ browser, base }) => {
  const U = '420107003008-B19-U2';
  const csv = '\ufeff姓名,性别,出生日期,证件类型,证件号码,联系电话,单位编码,房号,与户主关系,标签\r\n'
    + `导入甲,男,1961-02-03,,,13900000001,${U},9901,户主,chronic\r\n`
    + `导入乙,X,1965-04-05,,,,${U},9901,配偶,\r\n` // line 3: sex
    + '\r\n'
    + `导入丙,女,1990-13-45,,,,${U},9901,"女儿,长女",\r\n` // line 5: birth date
    + `导入丁,男,1992-06-07,,,13900000002,${U},9902,户主,\r\n`
    + `导入戊,男,1970-01-01,,,,NOPE-UNIT,9903,户主,\r\n` // line 7: unit, left as it is
    + `导入己,女,1995-08-09,,,,${U},9902,配偶,\r\n`;
  const { ctx, page } = await newPage(browser, DESKTOP);
  await login(page, base, 'secretary');
  await page.waitForSelector('.dashboard');
  page.errors.length = 0;
  await page.click('.nav a[href="#/import"]');
  await page.waitForSelector('main input[type=file][name=file]');
  await page.setInputFiles('main input[type=file][name=file]', { name: 'residents.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('main form button[type=submit]');
  await page.waitForSelector('#fix-table');
  const stat = async (sel, k) => Number(await page.textContent(`${sel} [data-stat=${k}] td`));
  eq(await stat('.report', 'rows'), 6, 'six rows');
  eq(await stat('.report', 'created'), 3, 'three created');
  eq(await stat('.report', 'bad'), 3, 'three refused');
  const rows = page.locator('#fix-table tr.fix-row');
  eq(await rows.count(), 3, 'three rows to fix');
  eq(JSON.stringify(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-line')))), '["3","5","7"]', 'the lines of the file');
  eq(await page.locator('#fix-table tr.fix-row input').count(), 30, 'every cell editable');
  for (const [line, col] of [[3, 'sex'], [5, 'birth_date'], [7, 'unit_code']]) {
    const td = page.locator(`#fix-table tr[data-line="${line}"] td.cell-bad`);
    eq(await td.count(), 1, `line ${line}: one cell marked`);
    eq(await td.getAttribute('data-col'), col, `line ${line}: the cell of the column named`);
    eq(await td.locator('input').getAttribute('aria-invalid'), 'true', `line ${line}: aria-invalid`);
  }
  eq(await page.inputValue('#fix-table tr[data-line="5"] td[data-col=relation] input'), '女儿,长女', 'a quoted comma read from the file');
  // the reasons in Chinese, with the value the English half named (they read
  // "没有这个楼栋或单元 / no building or entrance NOPE-UNIT" on a Chinese screen)
  const why = await page.$$eval('#fix-table .fix-error', (es) => es.map((e) => e.textContent));
  assert(why.length === 3 && why.every((x) => !/[a-z]{3,}/.test(x)), 'no English in the reasons: ' + JSON.stringify(why));
  assert(why.some((x) => x.includes('没有这个楼栋或单元') && x.includes('NOPE-UNIT')), 'the unit code named: ' + JSON.stringify(why));
  await page.fill('#fix-table tr[data-line="3"] td[data-col=sex] input', '女');
  await page.fill('#fix-table tr[data-line="5"] td[data-col=birth_date] input', '1990-03-15');
  await shot(page, '25-import-fix', true);
  await page.click('#fix-resubmit');
  await page.waitForSelector('#fix-result [data-stat=bad]');
  eq(await stat('#fix-result', 'rows'), 3, 'the three rows sent again');
  eq(await stat('#fix-result', 'created'), 2, 'the two fixed rows taken');
  eq(await stat('#fix-result', 'bad'), 1, 'one still refused');
  eq(await rows.count(), 1, 'one row left in the table');
  eq(await rows.first().getAttribute('data-line'), '7', 'the unfixed row, under its line in the file');
  eq(await page.getAttribute('#fix-table td.cell-bad', 'data-col'), 'unit_code', 'with its new error on its cell');
  await shot(page, '26-import-fixed', true);
  const api = await apiLogin(browser, base, 'secretary');
  const found = (await api.call('POST', '/residents/search', { q: '导入', unit: U, limit: 50 })).items;
  const by = Object.fromEntries(found.map((r) => [r.name, r]));
  eq(found.length, 5, 'five residents: three at once, two fixed, no duplicate');
  eq(by['导入乙'] && by['导入乙'].sex, 'F', 'the fixed sex stored');
  eq(by['导入丙'] && by['导入丙'].birth_date, '1990-03-15', 'the fixed birth date stored');
  eq(by['导入丙'].relation, '女儿,长女', 'the quoted comma sent back intact');
  assert(!by['导入戊'], 'the unfixed row not stored');
  // a row that cannot be fixed here is left out
  await page.click('#fix-table tr.fix-msg button');
  await page.waitForSelector('#fix-table', { state: 'detached' });
  eq(await page.locator('#fix-resubmit').count(), 0, 'nothing left to send');
  // a GBK file: the server converts it, the page says its rows cannot be edited here
  const gbk = Buffer.concat([Buffer.from('name,unit_code,room\n'), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(',NOPE-UNIT,101\n')]);
  await page.setInputFiles('main input[type=file][name=file]', { name: 'gbk.csv', mimeType: 'text/csv', buffer: gbk });
  await page.click('main form button[type=submit]');
  await page.waitForSelector('#fix-not-editable');
  assert(!(await page.locator('#fix-table').count()), 'no editable table for a GBK file');
  assert((await page.textContent('.report')).includes('unit_code'), 'its errors still listed');
  await api.close();
  noErrors(page, 'import');
  await ctx.close();
});

check('units: a retired unit leaves the children list, "show retired units" shows it greyed, restore brings it back', async ({ browser, base }) => {
  const G = '420107003008-G16';
  const B = '420107003008-B99';
  const api = await apiLogin(browser, base, 'secretary');
  await api.call('POST', '/units', { code: B, parent_code: G, kind: 'building', name: '99栋' });
  const { ctx, page } = await newPage(browser, DESKTOP);
  page.on('dialog', (d) => d.accept());
  await login(page, base, 'secretary');
  await page.waitForSelector('.dashboard');
  page.errors.length = 0;
  await page.goto(base + '/#/unit/' + G);
  await page.waitForSelector(`#kids-list li[data-unit="${B}"]`);
  eq(await page.isChecked('#show-retired'), false, 'the toggle is off by default');
  // retire it from its own page (the unit administration)
  await page.click(`#kids-list li[data-unit="${B}"] a`);
  // the building's own page: the grid's, still on screen while it loads, has a 撤销 panel too
  await pageReady(page, '#unit-retire');
  assert((await page.textContent('main h1')).includes('99栋'), 'the building\'s page: ' + (await page.textContent('main h1')));
  await page.click('#unit-retire summary');
  await page.click('#unit-retire button[type=submit]');
  await page.waitForSelector('main .notice');
  eq((await api.call('GET', '/units/' + B)).retired, true, 'retired on the server');
  await page.goto(base + '/#/unit/' + G);
  await pageReady(page, '#kids-list li[data-unit]'); // the grid's list, not the building's page leaving
  eq(await page.locator(`#kids-list li[data-unit="${B}"]`).count(), 0, 'gone from the children list');
  const asked = page.waitForRequest((r) => /\/units\/[^/]+\/children\?retired=1$/.test(r.url()));
  await page.check('#show-retired');
  await asked;
  const li = page.locator(`#kids-list li[data-unit="${B}"]`);
  await li.waitFor();
  assert(await li.evaluate((el) => el.classList.contains('retired')), 'shown as retired');
  eq((await li.locator('.badge-retired').textContent()).trim(), '已撤销', 'with its badge');
  const grey = await li.locator('.row-main').evaluate((el) => getComputedStyle(el).color);
  const live = await page.locator('#kids-list li:not(.retired) .row-main').first().evaluate((el) => getComputedStyle(el).color);
  assert(grey !== live, `greyed: ${grey} against ${live}`);
  eq(await page.evaluate(() => document.activeElement && document.activeElement.id), 'show-retired', 'the focus stays on the toggle');
  await shot(page, '27-unit-retired', true);
  await li.locator('button', { hasText: '恢复' }).click();
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('已恢复'));
  await page.waitForSelector(`#kids-list li[data-unit="${B}"]:not(.retired)`);
  eq((await api.call('GET', '/units/' + B)).retired, false, 'restored on the server');
  await page.uncheck('#show-retired');
  await page.waitForFunction(() => !window.location.hash.includes('retired'));
  await pageReady(page); // the list without the retired ones, not the one leaving
  await page.waitForSelector(`#kids-list li[data-unit="${B}"]:not(.retired)`);
  // a grid worker sees the toggle and the retired units, without the restore action
  await api.call('PATCH', '/units/' + B, { retired: true });
  const w = await newPage(browser, PHONE);
  await login(w.page, base, 'gw16');
  await w.page.waitForSelector('.today');
  w.page.errors.length = 0;
  await w.page.goto(base + '/#/unit/' + G + '?retired=1');
  await w.page.waitForSelector(`#kids-list li.retired[data-unit="${B}"]`);
  eq(await w.page.locator(`#kids-list li[data-unit="${B}"] button`).count(), 0, 'no restore for a grid worker');
  noErrors(w.page, 'unit page (worker)');
  await w.ctx.close();
  await api.call('PATCH', '/units/' + B, { retired: false });
  await api.close();
  noErrors(page, 'unit page');
  await ctx.close();
});

check('live feed: a `reset` from the server (events were missed) makes the page load what it shows again', async ({ browser, base }) => {
  const { ctx, page } = await newPage(browser, DESKTOP);
  // the server's answer to a connection that fell behind: a reset first (retry far away,
  // so the browser does not come back during the check)
  let resets = 0;
  let armed = false;
  await page.route('**/api/v1/events', (route) => {
    if (!armed) return route.continue();
    resets += 1;
    return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' },
      body: 'retry: 600000\n: connected\n\nid: 41\nevent: reset\ndata: {"missed":9,"from":42}\n\n' });
  });
  let loads = 0;
  // the second load of the list, whenever it comes (a sleep-poll with its own deadline was
  // shorter than a busy machine needs)
  const reloaded = page.waitForRequest((r) => /\/api\/v1\/alerts\?/.test(r.url()) && ++loads >= 2);
  reloaded.catch(() => {}); // awaited below; a check that fails earlier must not leave it unhandled
  // straight to the alerts page: the first view to open the live feed
  await page.goto(base + '/#/alerts');
  await page.waitForSelector('input[name=username]');
  armed = true;
  await page.fill('input[name=username]', 'secretary');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('section.login button[type=submit]');
  await page.waitForSelector('h1 >> text=预警');
  await reloaded;
  assert(resets >= 1, 'the page opened the live feed');
  assert(loads >= 2, `the alerts list loaded again after the reset (${loads} loads)`);
  noErrors(page, 'the alerts page after a reset', [/401/]);
  await ctx.close();
});

check('a slow page left behind does not blank the page that replaced it (its "loading" timer)', async ({ browser, base }) => {
  const { ctx, page } = await newPage(browser, DESKTOP);
  await page.clock.install();
  await login(page, base, 'secretary');
  await pageReady(page, 'h1');
  // the dashboard's report is held until the alerts page is on screen
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/api/v1/reports/daily*', async (route) => { await held; await route.continue(); });
  // the page's clock stands still: the dashboard's "loading" timer (250 ms) cannot fire before
  // the alerts page is drawn, whatever the machine's speed
  await page.clock.pauseAt(Date.now() + 60000);
  const asked = page.waitForRequest('**/api/v1/reports/daily*');
  await page.goto(base + '/#/dashboard');
  await asked;
  await page.goto(base + '/#/alerts');
  await pageReady(page, 'h1', { polling: 100 });
  const title = await page.textContent('main h1');
  // now the left-behind dashboard's timer fires, and its report comes back
  await page.clock.runFor(1000);
  const answered = page.waitForResponse('**/api/v1/reports/daily*');
  release();
  await answered;
  await page.clock.runFor(1000);
  await page.clock.resume();
  await pageReady(page, null, { polling: 100 });
  eq(await page.locator('main h1').count(), 1, 'the alerts page is still on screen (its heading)');
  eq(await page.textContent('main h1'), title, 'the alerts page is still on screen');
  eq(await page.locator('main p.loading').count(), 0, 'no "loading" over the page');
  noErrors(page, 'a page left behind', [/401/]);
  await ctx.close();
});

// ---- run ----
issue13({ check, assert, eq, newPage, login, shot, stat, apiLogin, checkinsOf, noErrors, pageReady, PHONE, DESKTOP, ROOT });

check('Beijing day: at 07:30 in Beijing (still yesterday in UTC) the resident form takes a birth date of today', async ({ browser, base }) => {
  const api = await apiLogin(browser, base, 'gw06');
  const day = (await api.call('GET', '/coverage')).day;
  const hh = (await householdsWith(api, 1))[0];
  assert(hh, 'a household in grid 6');
  await api.close();
  const { ctx, page } = await newPage(browser, PHONE);
  await page.clock.setFixedTime(new Date(day + 'T07:30:00+08:00'));
  await login(page, base, 'gw06');
  await page.waitForSelector('.today');
  await page.goto(base + '/#/resident/' + hh.people_missing[0].id);
  await page.waitForSelector('input[name=birth_date]');
  // the web app's one Beijing day (web/js/day.js); the form used the UTC date, a day behind until 08:00
  eq(await page.getAttribute('input[name=birth_date]', 'max'), day, 'the latest birth date is the Beijing day');
  noErrors(page, 'resident page at 07:30', [/401 \(Unauthorized\)/]);
  await ctx.close();
});

check('errors: one display: the server message of a failed "more" shown in the panel (no dialog), a field error by its field', async ({ browser, base }) => {
  const { ctx, page } = await newPage(browser, PHONE);
  await login(page, base, 'gw04');
  await page.waitForSelector('.today #panel-missing');
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  // the next page of the missing list answers the server's JSON error (dom.js act/showError)
  await page.route(/\/api\/v1\/coverage\/missing\?.*offset=/, (r) => r.fulfill({
    status: 503, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'busy', message: '服务器繁忙，请稍后再试 / Server busy', field: null } }),
  }));
  await page.click('#panel-missing button.btn-wide');
  const box = page.locator('#panel-missing .form-error[role=alert]');
  await box.waitFor({ state: 'visible' });
  assert((await box.textContent()).includes('服务器繁忙'), 'the server message shown in the panel: ' + (await box.textContent()));
  eq(dialogs.length, 0, 'no window.alert');
  // the chain's "required" is the text field's, shown under it (as the server's field "text" would be)
  await page.goto(base + '/#/chain');
  await page.click('#chain-preview');
  await page.waitForSelector('textarea[name=text][aria-invalid=true]');
  const ferr = await page.locator('textarea[name=text] ~ .field-error').textContent();
  assert(ferr.trim().length > 0, 'the message under the text field: ' + ferr);
  noErrors(page, 'error display', [/401 \(Unauthorized\)/, /503/]);
  await ctx.close();
});

check('self-report page through the catalogues: Chinese first, English on a phone set to English, the server message in that language', async ({ browser, base }) => {
  const api = await apiLogin(browser, base, 'gw02');
  const link = await api.call('POST', '/households/571/link', {});
  await api.close();
  const zh = (await import(path.join(ROOT, 'web/i18n/zh.js'))).default;
  const en = (await import(path.join(ROOT, 'web/i18n/en.js'))).default;
  let { ctx, page } = await newPage(browser, PHONE);
  await page.goto(base + '/report.html#' + link.token);
  await page.waitForSelector('#form:not([hidden]) .row');
  eq(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'Chinese first');
  eq(await page.textContent('#allnormal'), zh['self.all_normal'], 'the button from zh.js');
  eq(await page.textContent('.row label'), zh['self.temp_label'], 'the label from zh.js');
  eq(await page.textContent('.sym button[data-code=cough]'), zh['sym.cough'], 'symptoms named as in the app');
  noErrors(page, 'self-report page (zh)');
  await ctx.close();
  ({ ctx, page } = await newPage(browser, PHONE));
  await ctx.addInitScript(() => window.localStorage.setItem('wg_lang', 'en'));
  await page.goto(base + '/report.html#' + link.token);
  await page.waitForSelector('#form:not([hidden]) .row');
  eq(await page.evaluate(() => document.documentElement.lang), 'en', 'English on a phone that chose it');
  eq(await page.title(), en['self.title'], 'the title from en.js');
  eq(await page.textContent('#allnormal'), en['self.all_normal'], 'the button from en.js');
  eq(await page.textContent('.sym button[data-code=cough]'), en['sym.cough'], 'symptoms in English');
  // an unknown link: the server's "中文 / English" message shows its English half
  const other = await ctx.newPage();
  await other.goto(base + '/report.html#' + '0'.repeat(32));
  await other.waitForFunction(() => !['Opening…', '正在打开…'].includes(document.getElementById('where').textContent));
  const where = await other.textContent('#where');
  assert(where && !/[\u3400-\u9fff]/.test(where), 'the server message in English: ' + where);
  await ctx.close();
});

async function main() {
  const only = process.env.ONLY || '';
  let server;
  let browser;
  let passed = 0;
  let failed = 0;
  const state = {};
  try {
    server = await startServer();
    browser = await chromium.launch({
      executablePath: BROWSER,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    for (const c of checks) {
      if (only && !only.split('|').some((o) => c.name.includes(o))) continue;
      const t0 = Date.now();
      try {
        await c.fn({ browser, base: server.base, state });
        passed++;
        console.log(`ok   ${c.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${c.name}\n     ${(e && e.stack) || e}`);
        if (lastPage && !lastPage.isClosed()) {
          await shot(lastPage, 'FAIL-' + failed, true).catch(() => {});
          if (lastPage.errors.length) console.log('     page errors:\n       ' + lastPage.errors.join('\n       '));
          await lastPage.context().close().catch(() => {});
        }
      }
    }
  } catch (e) {
    failed++;
    console.log('FAIL setup: ' + ((e && e.stack) || e));
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) {
      server.proc.kill('SIGTERM');
      fs.rmSync(server.tmp, { recursive: true, force: true });
    }
  }
  console.log(`screenshots: ${path.relative(process.cwd(), SHOTS) || SHOTS}  time: ${((Date.now() - T0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
