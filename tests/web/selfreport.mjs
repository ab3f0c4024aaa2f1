// tests/web/selfreport.mjs — the family's link page (report.html) on a phone, and what its
// requests do on the staff's screens, in headless chromium:
//  - a temperature that cannot be sent is said under that person's field (named, the field
//    focused and on screen), not only at the top of a page the family has scrolled away from;
//    the "sent" answer after 提交 is brought on screen too;
//  - a help request asks for its category (none is chosen for the family) and, sent, reaches,
//    without a reload, gw02's open 求助 page on a 360 px phone (what gw02 is typing in another
//    card stays; a note sent with a step is not offered again) and the count of the secretary's dashboard panel (the live feed's help_request);
//  - the link of a flat where nobody is registered as living says so, and offers no "everyone
//    normal" whose "sent" would keep nothing.
//
//   node tests/web/selfreport.mjs     (after `make` and `npm ci && npm run build`; `make webtest` runs it)
//
// Its own demo store and server (qinghe, 600 households, seed 7).
// Screenshots: build/screenshots/selfreport-*.png.
import path from 'node:path';
import { SHOTS, DEMO, PHONE, assert, pageReady, webTest } from './harness.mjs';

// The element's box is inside the window (the phone shows it without scrolling).
async function onScreen(page, sel) {
  return page.evaluate((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
  }, sel);
}

webTest('selfreport', DEMO, async (t) => {
  const { base, browser, errors } = t;
  const gw = await t.api('gw02');
  // a household of grid 2 with four people or more living there, none checked in today
  const hhs = (await gw('GET', '/coverage/missing?unit=420107003008-G02&limit=200')).items;
  const hh = hhs.find((x) => x.living >= 3 && x.accounted === 0);
  assert(hh, 'a household of three or more in grid 2');
  const link = await gw('POST', '/households/' + hh.household_id + '/link', {});
  const first = hh.people_missing[0];
  const last = hh.people_missing[hh.people_missing.length - 1];

  // ---- the staff's screens, open before the family writes ----
  const worker = await t.login('gw02');
  await worker.click('.nav a[href="#/requests"]');
  await pageReady(worker, '#help-list');
  const desk = await t.login('secretary', { width: 1366, height: 900 });
  await pageReady(desk, '#dash-help [data-stat="requests"]');
  const before = Number(await desk.textContent('#dash-help [data-stat="requests"]'));

  // ---- the family, on its phone ----
  const fam = await (await browser.newContext({ viewport: PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
  fam.on('pageerror', (e) => errors.push('family: ' + e.message));
  fam.on('console', (m) => { if (m.type() === 'error') errors.push('family: ' + m.text()); });
  t.page = fam;
  await fam.goto(base + '/report.html#' + link.token);
  await fam.waitForSelector('#t' + last.id);
  await fam.fill('#t' + first.id, '36.5');
  await fam.fill('#t' + last.id, '365'); // the dot forgotten
  await fam.click('#send');
  await fam.waitForSelector('#e' + last.id + ':not([hidden])');
  const said = await fam.textContent('#e' + last.id);
  assert(said.includes(last.name) && said.includes('34'), 'the error names the person: ' + said);
  assert(await fam.getAttribute('#t' + last.id, 'aria-invalid') === 'true', 'the field is marked');
  assert(await fam.evaluate((id) => document.activeElement && document.activeElement.id === 't' + id, last.id), 'the field has the focus');
  assert(await onScreen(fam, '#e' + last.id), 'the error is on screen after the tap');
  await fam.screenshot({ path: path.join(SHOTS, 'selfreport-1-error.png') });
  const { day } = await gw('GET', '/coverage');
  const none = (await gw('GET', '/checkins?household=' + hh.household_id + '&day=' + day)).items;
  assert(!none.length, 'nothing was sent with the bad temperature');
  await fam.fill('#t' + last.id, '36.6');
  await fam.click('#send');
  await fam.waitForFunction(() => (document.getElementById('status').textContent || '').includes('已提交'));
  assert(await onScreen(fam, '#status'), 'the answer is on screen after the tap');
  assert(!(await fam.$('#e' + last.id + ':not([hidden])')), 'the error is gone');

  // ---- a help request from the family reaches the staff's open screens ----
  // gw02 is typing a note on another request meanwhile: the list drawn again keeps it
  const other = await worker.$eval('.help-card[data-request]:has(input[name=note])', (e) => e.getAttribute('data-request'));
  assert(other, 'an open request on gw02\'s page');
  await worker.fill(`.help-card[data-request="${other}"] input[name=note]`, '已电话联系，下午送到');
  await fam.waitForSelector('#help-category option', { state: 'attached' });
  const before2 = (await gw('GET', '/requests?household=' + hh.household_id)).total;
  await fam.fill('#help-text', '降压药快吃完了，请帮忙代买一盒硝苯地平');
  await fam.check('#help-urgent');
  await fam.click('#help-form button[type=submit]'); // no category chosen: asked for, nothing sent
  await fam.waitForFunction(() => (document.getElementById('help-status').textContent || '').includes('请选择'));
  assert(await fam.evaluate(() => document.activeElement && document.activeElement.id === 'help-category'), 'the category has the focus');
  assert((await gw('GET', '/requests?household=' + hh.household_id)).total === before2, 'nothing sent without a category');
  await fam.selectOption('#help-category', 'medicine');
  await fam.click('#help-form button[type=submit]');
  await fam.waitForFunction(() => (document.getElementById('help-status').textContent || '').includes('已发送'));
  const req = (await gw('GET', '/requests?household=' + hh.household_id + '&state=open')).items[0];
  assert(req && req.text.includes('硝苯地平') && req.category === 'medicine' && req.urgency === 'urgent', 'the request is stored');
  assert(!(await fam.isChecked('#help-urgent')) && (await fam.inputValue('#help-category')) === '', 'the form is ready for the next one');
  await worker.waitForSelector(`.help-card[data-request="${req.id}"]`, { timeout: 10000 });
  assert(await worker.inputValue(`.help-card[data-request="${other}"] input[name=note]`) === '已电话联系，下午送到',
    'the note being typed survives the new request');
  assert(await worker.evaluate((id) => document.activeElement && document.activeElement.closest('[data-request]')?.getAttribute('data-request') === id, other),
    'and keeps the focus');
  // a step sent with its note: the note is not offered again
  await worker.click(`.help-card[data-request="${req.id}"] input[name=note]`);
  await worker.fill(`.help-card[data-request="${req.id}"] input[name=note]`, '马上去买');
  await worker.click(`.help-card[data-request="${req.id}"] button[data-step="accepted"]`);
  await worker.waitForSelector(`.help-card[data-request="${req.id}"][data-state="accepted"]`);
  assert(await worker.inputValue(`.help-card[data-request="${req.id}"] input[name=note]`) === '', 'the sent note is not kept');
  await worker.screenshot({ path: path.join(SHOTS, 'selfreport-2-worker.png'), fullPage: true });
  await desk.waitForFunction((n) => Number(document.querySelector('#dash-help [data-stat="requests"]').textContent) === n,
    before + 1, { timeout: 10000 });

  // ---- a flat where nobody is registered as living: no "sent" for a report that keeps nothing ----
  const all = (await gw('GET', '/households?unit=420107003008-G02&limit=500')).items;
  const vacant = all.find((x) => x.occupancy === 'vacant');
  assert(vacant, 'a vacant flat in grid 2');
  const vt = (await gw('POST', '/households/' + vacant.id + '/link', {})).token;
  const away = await (await browser.newContext({ viewport: PHONE, locale: 'zh-CN' })).newPage();
  t.page = away;
  await away.goto(base + '/report.html#' + vt);
  await away.waitForSelector('#nobody');
  assert((await away.textContent('#nobody')).includes('网格员'), 'the page says whom to tell');
  assert(!(await away.isVisible('#allnormal')) && !(await away.isVisible('#send')), 'no button that would report nobody');
  await away.screenshot({ path: path.join(SHOTS, 'selfreport-3-vacant.png') });

  const real = errors.filter((e) => !/401 \(Unauthorized\)/.test(e));
  assert(!real.length, 'console errors: ' + real.join('; '));
  return 'the family is told on screen, under the person, which temperature is wrong; its request shows at once on gw02\'s 求助 and the secretary\'s panel; a vacant flat\'s link reports nobody';
});
