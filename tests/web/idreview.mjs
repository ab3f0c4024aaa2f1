// tests/web/idreview.mjs — the duplicate-ID review (身份证号重复待核实) in headless chromium on a
// 1366×900 desktop.  Through the API: the secretary registers three people in grid 2; the
// grid-1 worker gw01 (who sees ID numbers masked) registers three newcomers with those same
// numbers and gets 201 each, as for any number.  Then in the browser: the secretary's menu
// shows 身份证号重复待核实 with the count 3; the queue shows each new registration beside the
// existing one; she merges the first (the same person moved), returns the second with a note
// (refused first without one, the message by the note), keeps the third with a reason; the
// count goes to 0.  gw01 then sees 证件号待更正 with the count 1, the note, and enters the
// right number; the server has: the merged person in the new household, one registration per
// number, the correction done.
//
//   node tests/web/idreview.mjs        (after `make` and `npm ci`; `make webtest` runs it)
//
// Its own demo store and server.  Screenshots: build/screenshots/idreview-*.png.
import path from 'node:path';
import { SHOTS, PASSWORD, assert, signIn, webTest } from './harness.mjs';

const C = '420107003008';
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function makeId(seq) {
  const first = '420107' + '19650303' + String(seq * 2 + 1).padStart(3, '0');
  const sum = [...first].reduce((s, c, i) => s + Number(c) * W[i], 0);
  return first + '10X98765432'[sum % 11];
}

webTest('idreview', ['--preset', 'qinghe', '--households', '600', '--seed', '3'], async (t) => {
  const { base, browser, errors } = t;
  let page = null;
  const as = async (user) => {
    const c = await browser.newContext();
    const r = await c.request.post(base + '/api/v1/session', { data: { username: user, password: PASSWORD }, timeout: 120000 });
    assert(r.ok(), 'login ' + user);
    return async (method, p, body, ok = true) => {
      const x = await c.request.fetch(base + '/api/v1' + p, { method, data: body, headers: method === 'GET' ? {} : { 'X-Wangge': '1' }, timeout: 120000 });
      if (ok) assert(x.ok(), method + ' ' + p + ': ' + x.status() + ' ' + (await x.text()));
      return x.json();
    };
  };
  const sec = await as('secretary');
  const gw = await as('gw01');
  const hh = async (call, unit, room) => (await call('POST', '/households', { unit_code: unit, room })).id;
  const g2 = await hh(sec, C + '-B03-U1', '8800');
  const g1 = await hh(gw, C + '-B01-U1', '8801');
  const names = ['甲迁来', '乙错号', '丙重号'];
  const existing = [];
  const held = [];
  for (let k = 0; k < 3; k++) {
    const idn = makeId(40 + k);
    existing.push((await sec('POST', '/residents', { household_id: g2, name: names[k], id_number: idn })).id);
    const r = await gw('POST', '/residents', { household_id: g1, name: names[k], id_number: idn, phone: '1360000000' + k });
    assert(/^\d{6}\*{8}[\dX]{4}$/.test(r.id_number), 'the worker sees the number masked, as for any: ' + r.id_number);
    held.push(r.id);
  }

  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = t.page = await ctx.newPage();
  page.setDefaultTimeout(90000); // a shared machine: logins (argon2id) can take a while
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('dialog', (d) => d.accept());
  await signIn(page, base, 'secretary');
  const nav = 'nav a[href="#/id-reviews"]';
  await page.waitForSelector(nav + ' #idr-count:not([hidden])');
  assert((await page.textContent(nav)).includes('身份证号重复待核实'), 'the menu names the queue: ' + await page.textContent(nav));
  assert((await page.textContent('#idr-count')).trim() === '3', 'the count: ' + await page.textContent('#idr-count'));
  await page.click(nav);
  await page.waitForSelector('#idr-list li[data-state=open]');
  const item = (rid) => `#idr-list li:has(.idr-held[data-resident="${rid}"])`;
  for (let k = 0; k < 3; k++) {
    assert(await page.isVisible(`${item(held[k])} .idr-existing[data-resident="${existing[k]}"]`), 'side by side: ' + names[k]);
  }
  const first = await page.textContent(item(held[0]));
  assert(first.includes('新登记') && first.includes('已有登记') && first.includes(makeId(40)), 'both registrations with the full number: ' + first);
  const box = await page.locator(item(held[0]) + ' .idr-compare').boundingBox();
  const sides = await page.locator(item(held[0]) + ' .idr-side').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
  assert(box && sides.length === 2 && Math.abs(sides[0] - sides[1]) < 2, 'the two side by side on a desktop');
  await page.screenshot({ path: path.join(SHOTS, 'idreview-1-queue.png'), fullPage: true });

  // merge the first
  await page.click(`${item(held[0])} button[data-action=merge]`);
  await page.waitForSelector(item(held[0]), { state: 'detached' });
  // return the second: without a note refused by the page, with one done
  await page.click(`${item(held[1])} button[data-action=return]`);
  await page.waitForSelector(`${item(held[1])} .form-error:not([hidden])`);
  assert((await page.textContent(`${item(held[1])} .form-error`)).includes('退回须写明'), 'a note is asked for');
  await page.fill(`${item(held[1])} textarea`, '请核对身份证原件第十五位');
  await page.click(`${item(held[1])} button[data-action=return]`);
  await page.waitForSelector(item(held[1]), { state: 'detached' });
  // keep the third, with a reason
  await page.fill(`${item(held[2])} textarea`, '公安确认重号');
  await page.click(`${item(held[2])} button[data-action=keep]`);
  await page.waitForSelector('#idr-empty');
  await page.waitForSelector(nav + ' #idr-count[hidden]', { state: 'attached' });
  await page.click('.filters-bar a[data-value=all]');
  await page.waitForSelector('#idr-list li[data-state=kept]');
  await page.screenshot({ path: path.join(SHOTS, 'idreview-2-done.png'), fullPage: true });

  // the worker: one returned to correct, with the note; never the other registration
  await page.click('button:has-text("退出")');
  await signIn(page, base, 'gw01');
  await page.waitForSelector(nav + ' #idr-count:not([hidden])');
  assert((await page.textContent(nav)).includes('证件号待更正'), 'the worker\'s menu: ' + await page.textContent(nav));
  await page.click(nav);
  await page.waitForSelector('#idr-list li[data-state=returned]');
  const mine = await page.textContent('#idr-list');
  assert(mine.includes('请核对身份证原件第十五位'), 'the note shown');
  assert(!(await page.isVisible('.idr-existing')), 'the other registration is not shown to the worker');
  await page.fill('#idr-list input.idr-fix', makeId(60));
  await page.click('#idr-list button[type=submit]');
  await page.waitForSelector('#idr-empty');
  await page.screenshot({ path: path.join(SHOTS, 'idreview-3-corrected.png'), fullPage: true });

  // on the server
  const merged = await sec('GET', '/residents/' + existing[0]);
  assert(merged.household_id === g1 && merged.id_number === makeId(40), 'merged into the new household');
  const retired = await sec('GET', '/residents/' + held[0]);
  assert(retired.moved_out && retired.merged_into === existing[0], 'the duplicate retired with a link');
  const fixed = await sec('GET', '/residents/' + held[1]);
  assert(fixed.id_number === makeId(60), 'corrected: ' + fixed.id_number);
  const all = await sec('GET', '/id-reviews?state=all&limit=50');
  const states = all.items.filter((x) => held.includes(x.resident_id)).map((x) => x.state).sort();
  assert(JSON.stringify(states) === JSON.stringify(['corrected', 'kept', 'merged']), 'states: ' + states);
  const real = errors.filter((e) => !/401 \(Unauthorized\)/.test(e));
  assert(!real.length, 'console errors: ' + real.join('; '));
  return 'the secretary merges, returns and keeps held duplicates side by side; the worker corrects the returned number';
});
