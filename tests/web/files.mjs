// tests/web/files.mjs — files and escalations in headless chromium (issue 18, second part):
// the secretary sends a notice to building 3 with a PDF letter attached (the notice's card
// lists it, and it downloads as itself); gw02, on a 360×640 phone, opens a request under 求助
// and adds a photo through the camera button (an <input type=file capture>, answered by the
// file chooser) — a small JPEG as it is, and a 2400×1800 photo that is too big for the server
// until the browser makes it smaller — and the thumbnails show; while the secretary's
// dashboard is open, a request passes its time limit and the ticker's `escalated` event
// shows on the help tile at once.
//
//   node tests/web/files.mjs        (after `make` and `npm ci`; `make webtest` runs it)
//
// Its own demo store and server (qinghe, 600 households, seed 7), like hotline.mjs.
// Screenshots: build/screenshots/files-*.png.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, SHOTS, DEMO, assert, signIn, webTest } from './harness.mjs';

// A PNG of noise: it does not compress, so w×h×3 bytes — a phone camera's size.
function noisePng(w, h) {
  const chunk = (kind, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(kind, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < h; y++) rows.push(Buffer.from([0]), crypto.randomBytes(w * 3));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
  'trailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');

webTest('files', DEMO, async (t) => {
  const { db, tmp, base, browser, errors } = t;
  let page = null;
  const letter = path.join(tmp, '致三栋居民的一封信.pdf');
  fs.writeFileSync(letter, PDF);
  const small = path.join(ROOT, 'tests/data/photo.jpg');
  const big = path.join(tmp, 'IMG_0001.png');
  fs.writeFileSync(big, noisePng(2400, 1800));
  assert(fs.statSync(big).size > 5 * 1024 * 1024, 'the big photo is over the server\'s limit as it is');
  const call = await t.api('secretary');
  const watch = (pg) => pg.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  // ---- the secretary: a notice with a PDF letter ----
  const desk = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = t.page = await desk.newPage();
  watch(page);
  await signIn(page, base, 'secretary');
  await page.waitForSelector('.nav a[href="#/hotline"]');
  // the home page drawn first: its hashchange must not land after ours (two renders of the form)
  await page.waitForFunction(() => location.hash.length > 2 && document.querySelector('main').getAttribute('aria-busy') !== 'true');
  await page.goto(base + '/#/notices');
  await page.waitForSelector('.help-page form input[name=title]');
  // whom to, picked by name (the field took a unit code typed by hand: 3栋 was 没有这个单位)
  const toB3 = await page.$eval('.help-page form select[name=unit] option[value="420107003008-B03"]', (o) => o.textContent);
  assert(toB3.includes('第二网格') && toB3.includes('3栋'), 'building 3 offered by name: ' + toB3);
  await page.selectOption('.help-page form select[name=unit]', '420107003008-B03');
  await page.fill('.help-page form input[name=title]', '致三栋居民的一封信');
  await page.fill('.help-page form textarea[name=body]', '请阅读附件中的信。');
  await page.setInputFiles('.help-page form input[name=file]', letter);
  await page.click('.help-page form button[type=submit]');
  await page.waitForSelector('#notice-list li .files li[data-type="application/pdf"]');
  const item = page.locator('#notice-list li', { hasText: '致三栋居民的一封信' }).first();
  const href = await item.locator('.files a[download]').getAttribute('href');
  assert((await item.locator('.files a[download]').textContent()) === '致三栋居民的一封信.pdf', 'the letter keeps its name');
  const got = await page.request.get(base + href);
  assert(got.status() === 200 && got.headers()['content-type'] === 'application/pdf', 'the letter downloads as a PDF');
  assert(got.headers()['x-content-type-options'] === 'nosniff', 'nosniff');
  assert(Buffer.compare(await got.body(), PDF) === 0, 'the same bytes');
  await page.screenshot({ path: path.join(SHOTS, 'files-1-notice.png'), fullPage: true });

  // ---- a family of building 3 on its link page: the notice, its letter saved as itself;
  // the poster's public page offers the same letter ----
  const b3 = (await call('GET', '/households?unit=420107003008-B03&limit=1')).items[0];
  const famLink = await call('POST', '/households/' + b3.id + '/link', {});
  const famCtx = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN', acceptDownloads: true });
  const fam = await famCtx.newPage();
  watch(fam);
  await fam.goto(base + '/report.html#' + famLink.token);
  const famNotice = fam.locator('#notices li', { hasText: '致三栋居民的一封信' }).first();
  await famNotice.locator('button.notice-open').click();
  const fileBtn = famNotice.locator('button.notice-file');
  assert((await fileBtn.textContent()) === '下载附件：致三栋居民的一封信.pdf', 'the letter offered by its name: ' + (await fileBtn.textContent()));
  const [dl] = await Promise.all([fam.waitForEvent('download'), fileBtn.click()]);
  assert(dl.suggestedFilename() === '致三栋居民的一封信.pdf', 'saved under its name: ' + dl.suggestedFilename());
  assert(Buffer.compare(fs.readFileSync(await dl.path()), PDF) === 0, 'the family gets the same bytes');
  await fam.screenshot({ path: path.join(SHOTS, 'files-1b-family.png'), fullPage: true });
  const noticeId = /\/notices\/(\d+)\/files\//.exec(href)[1];
  // the poster carries its link only in its QR code: the token read from the store
  const tq = spawnSync('sqlite3', [db, `SELECT public_token FROM notices WHERE id = ${Number(noticeId)}`], { encoding: 'utf8' });
  const ptoken = tq.stdout.trim();
  assert(/^[0-9a-f]{32}$/.test(ptoken), 'the notice\'s public token: ' + tq.stdout + tq.stderr);
  await fam.goto(base + '/notice.html#' + ptoken);
  const pub = fam.locator('#body a[download]');
  await pub.waitFor();
  assert((await pub.textContent()) === '下载附件：致三栋居民的一封信.pdf', 'the poster page offers the letter');
  const pubGot = await fam.request.get(base + (await pub.getAttribute('href')));
  assert(pubGot.status() === 200 && Buffer.compare(await pubGot.body(), PDF) === 0, 'the same letter from the poster page');
  await famCtx.close();

  // ---- gw02 on a phone: photos on a request, from the camera button ----
  const hh = (await call('GET', '/households?unit=420107003008-B03&limit=50')).items;
  const busy = new Set((await call('GET', '/requests?limit=500')).items.map((r) => r.household_id));
  const hid = hh.find((x) => !busy.has(x.id)).id;
  const req = await call('POST', '/requests', { household_id: hid, category: 'repairs', urgency: 'normal', text: '楼道水管漏水', channel: 'hotline' });
  const phone = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', isMobile: true, hasTouch: true });
  const gw = await phone.newPage();
  watch(gw);
  page = t.page = gw;
  await signIn(gw, base, 'gw02');
  await gw.waitForSelector('.nav a[href="#/requests"]');
  await gw.click('.nav a[href="#/requests"]');
  const card = `.help-card[data-request="${req.id}"]`;
  await gw.waitForSelector(card + ' .file-adder label');
  assert(await gw.getAttribute(card + ' .file-adder input[type=file]', 'capture') === 'environment', 'the camera opens on a phone');
  for (const [i, f] of [small, big].entries()) {
    const [chooser] = await Promise.all([gw.waitForEvent('filechooser'), gw.tap(card + ' .file-adder label')]);
    await chooser.setFiles(f);
    // stored when the card shows it: the card's "已添加" lasts only until the list is drawn
    // again with the photo in it, which a busy machine may do before a poll sees it
    await gw.waitForFunction(([sel, n]) => document.querySelectorAll(sel + ' img.file-thumb').length === n, [card, i + 1]);
  }
  await gw.waitForFunction((sel) => {
    const imgs = document.querySelectorAll(sel + ' img.file-thumb');
    return imgs.length === 2 && Array.from(imgs).every((i) => i.complete && i.naturalWidth > 0);
  }, card);
  const stored = await call('GET', '/requests/' + req.id);
  assert(stored.files.length === 2, 'two photos stored: ' + JSON.stringify(stored.files));
  assert(stored.files[0].type === 'image/jpeg' && stored.files[0].size === fs.statSync(small).size, 'the small JPEG as it was');
  assert(stored.files[1].type === 'image/jpeg' && stored.files[1].size < 5 * 1024 * 1024 && stored.files[1].name === 'IMG_0001.jpg',
    'the big photo made smaller by the phone: ' + JSON.stringify(stored.files[1]));
  assert(stored.files.every((f) => f.by === 'gw02'), 'added by gw02');
  const box = await gw.locator(card).boundingBox();
  assert(box && box.width <= 360, 'the card with its photos fits the phone');
  await gw.screenshot({ path: path.join(SHOTS, 'files-2-phone.png'), fullPage: true });

  // ---- an escalation shows on the dashboard as the ticker makes it ----
  page = t.page = await desk.newPage();
  watch(page);
  await page.goto(base + '/#/dashboard');
  await page.waitForSelector('#dash-help [data-stat="overdue"]');
  // the escalations list fills from the live feed only (tiles/help.js): an escalation the
  // ticker makes before the page's feed is open is never shown, so the feed first
  await page.waitForSelector('.live-open');
  const late = await call('POST', '/requests', { household_id: hh.find((x) => !busy.has(x.id) && x.id !== hid).id, category: 'medical', urgency: 'urgent', text: '老人摔倒需要送医', channel: 'hotline' });
  const now = Math.floor(Date.now() / 1000);
  const sql = spawnSync('sqlite3', [db, `UPDATE help_requests SET created_at = ${now - 1900}, due_at = ${now - 100} WHERE id = ${late.id}`], { encoding: 'utf8' });
  assert(sql.status === 0, 'moving the time limit: ' + sql.stderr);
  await page.waitForSelector(`#dash-help #escalations li[data-escalated="${late.id}"]`, { timeout: 30000 });
  const line = await page.textContent(`#dash-help #escalations li[data-escalated="${late.id}"]`);
  assert(line.includes('就医') && line.includes('已升级'), 'what escalated: ' + line);
  assert(!line.includes('送医') && !/1\d{10}/.test(line), 'no request text or phone in the alert: ' + line);
  await page.screenshot({ path: path.join(SHOTS, 'files-3-escalated.png'), fullPage: true });

  const real = errors.filter((e) => !/401 \(Unauthorized\)/.test(e));
  assert(!real.length, 'console errors: ' + real.join('; '));
  return 'a notice with a PDF letter (saved by a family from its link page, offered on the poster page); two photos from a phone\'s camera button (one made smaller by the phone); an escalation on the dashboard as the ticker makes it';
});
