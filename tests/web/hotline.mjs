// tests/web/hotline.mjs — the hotline (热线) and help requests (求助) in headless chromium:
// the secretary, on a desktop, types a caller's phone number on the hotline screen, sees the
// household (its people, today's roll-call, its open requests), registers a request in a
// few taps, logs a question answered and a lead, and the day's call count follows; on the
// leads page she matches the lead to the caller and confirms it (observation starts); gw02, on a 360×640
// phone, finds the request under 求助, accepts it and marks it done; the family rates it on
// its own link page, and reads a notice there (its receipt counted in the notice's reach).
//
//   node tests/web/hotline.mjs        (after `make` and `npm ci && npm run build`; `make webtest` runs it)
//
// Its own demo store and server (qinghe, 600 households, seed 7), like gate.mjs.
// Screenshots: build/screenshots/hotline-*.png.
import path from 'node:path';
import { SHOTS, DEMO, assert, signIn, webTest, pageReady } from './harness.mjs';

const eq0 = (n, msg) => assert(n === 0, msg + ': ' + n);

webTest('hotline', DEMO, async (t) => {
  const { base, browser, errors } = t;
  let page = null;
  const call = await t.api('secretary');
  // a caller in building 3 (gw02's grid) whose phone number is the only one of its kind,
  // in a household with no request yet
  const busy = new Set((await call('GET', '/requests?limit=500')).items.map((r) => r.household_id));
  const res = (await call('GET', '/residents?unit=420107003008-B03&limit=500')).items;
  const n = {};
  for (const r of res) if (r.phone) n[r.phone] = (n[r.phone] || 0) + 1;
  const caller = res.find((r) => r.phone && n[r.phone] === 1 && r.residence === 'living' && !busy.has(r.household_id));
  assert(caller, 'a caller in building 3');
  const hid = caller.household_id;
  const before = await call('GET', '/calls');

  // ---- the secretary on the hotline screen (desktop) ----
  const desk = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = t.page = await desk.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(page, base, 'secretary');
  await page.waitForSelector('.nav a[href="#/hotline"]');
  // at a desk the open requests two or more abreast (twenty cards one under another were a page
  // thirty screens long)
  await page.goto(base + '/#/requests');
  await pageReady(page, '#help-list .help-card + .help-card');
  const tops = await page.$$eval('#help-list .help-card', (c) => c.slice(0, 2).map((x) => Math.round(x.getBoundingClientRect().top)));
  assert(tops[0] === tops[1], 'the first two cards side by side: ' + tops);
  // an overdue request's badges stand apart (已接单已超时 read as one word: no space between)
  await page.goto(base + '/#/requests?overdue=1');
  await pageReady(page, '.help-card .help-overdue');
  const gap = await page.$eval('.help-card .help-overdue', (b) => b.getBoundingClientRect().left - b.previousElementSibling.getBoundingClientRect().right);
  assert(gap >= 2, 'a gap between the state and 已超时: ' + gap);
  eq0(await page.locator('a.btn >> text=只看我的').count(), 'no 只看我的 for the secretary (it led back to the same list)');
  // the street's command reads the requests: no steps it may not take (办结 answered 你的角色没有这个权限)
  const cmdCtx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const street = await cmdCtx.newPage();
  street.on('console', (m) => { if (m.type() === 'error' && !/401/.test(m.text())) errors.push('street: ' + m.text()); });
  await signIn(street, base, 'street');
  await street.goto(base + '/#/requests');
  await street.waitForSelector('.help-card[data-request]');
  eq0(await street.locator('.help-card button[data-step]').count(), 'no step buttons for the command');
  eq0(await street.locator('a.btn >> text=只看我的').count(), 'no 只看我的 for the command');
  await cmdCtx.close();
  await page.click('.nav a[href="#/hotline"]');
  await page.waitForSelector('#call-count[data-total]');
  assert(Number(await page.getAttribute('#call-count', 'data-total')) === before.total, 'the day\'s call count on the screen');
  // four digits that end an ID number and no phone: the hotline finds callers by their phone
  // (the search's tail matches ID numbers too — it opened a stranger's household as the caller's)
  let idTail = null;
  for (const r of res) {
    const tail = (r.id_number || '').slice(-4);
    if (!/^\d{4}$/.test(tail)) continue;
    const m = (await call('POST', '/residents/search', { q: tail, limit: 200 })).items;
    if (m.length && !m.some((x) => (x.phone || '').endsWith(tail))) {
      idTail = tail;
      break;
    }
  }
  assert(idTail, 'an ID number\'s tail that ends no phone');
  await page.fill('.hotline-search input[name=q]', idTail);
  await page.press('.hotline-search input[name=q]', 'Enter');
  await page.waitForSelector('#hotline-found .empty');
  assert(!(await page.$('.hotline-hh')) && !(await page.$('#hotline-found button')), 'no household opened for an ID number\'s tail');
  // a caller on a number the registry does not have (a neighbour's phone, a landline): found by
  // the room given (the digits of "3栋1504" were searched as a phone number, and nothing found)
  await page.fill('.hotline-search input[name=q]', caller.building + caller.room);
  await page.press('.hotline-search input[name=q]', 'Enter');
  await page.waitForSelector(`.hotline-hh[data-household="${hid}"], #hotline-found button[data-household="${hid}"]`);
  if (await page.$(`#hotline-found button[data-household="${hid}"]`)) await page.click(`#hotline-found button[data-household="${hid}"]`);
  await page.waitForSelector(`.hotline-hh[data-household="${hid}"]`);
  await page.fill('.hotline-search input[name=q]', caller.phone);
  await page.press('.hotline-search input[name=q]', 'Enter');
  await page.waitForSelector(`.hotline-hh[data-household="${hid}"]`);
  const people = await page.textContent('.hotline-people');
  assert(people.includes(caller.name), 'the caller is among the household\'s people');
  assert(/已报|未报/.test(people), 'today\'s roll-call per person');
  // the old caller reports the household's temperatures on the call: the roll-call by phone,
  // and back on the hotline with the household open, everyone reported
  await page.click('#hotline-checkin');
  await page.waitForSelector('#all-normal');
  assert((await page.getAttribute('.channel [data-channel="phone"]', 'aria-pressed')) === 'true', 'the roll-call is by phone');
  const rcDay = /\d{4}-\d\d-\d\d/.exec(await page.textContent('.rollcall-page .facts'))[0];
  await page.click('#all-normal');
  await page.waitForSelector(`.hotline-hh[data-household="${hid}"]`);
  assert(await page.$$eval('.hotline-people td[data-reported]', (c) => c.length > 0 && c.every((x) => x.getAttribute('data-reported') === '1')),
    'back on the hotline, the household reported today');
  await page.waitForFunction((n) => Number(document.querySelector('#call-count')?.getAttribute('data-total')) === n, before.total + 1);
  const rc = (await call('GET', '/checkins?household=' + hid + '&day=' + rcDay)).items.filter((c) => c.current);
  assert(rc.length && rc.every((c) => c.channel === 'phone'), 'checked in by phone: ' + JSON.stringify(rc.map((c) => c.channel)));
  await page.click('.hotline-request [data-category="medicine"]');
  await page.fill('.hotline-request textarea[name=text]', '老人的降压药快吃完了，需要代买');
  await page.click('.hotline-request button[data-action="request"]');
  await page.waitForSelector('#hotline-done p');
  const done = await page.textContent('#hotline-done');
  assert(done.includes('已派给'), 'the request is registered and sent: ' + done);
  await page.waitForSelector('.hotline-hh .help-card[data-state="new"]');
  await page.screenshot({ path: path.join(SHOTS, 'hotline-1-request.png'), fullPage: true });
  // a question answered is a call too
  await page.fill('.hotline-request textarea[name=text]', '问明天几点做核酸');
  await page.click('.hotline-request button[data-action="question"]');
  // logged once the page says so: the count and the message come after the household's form
  // is drawn again, and the next note goes into the new form
  await page.waitForFunction(() => (document.getElementById('hotline-done')?.textContent || '').includes('已记一次来电'));
  await page.waitForFunction((n) => Number(document.querySelector('#call-count')?.getAttribute('data-total')) === n, before.total + 3);
  // and a lead: the neighbour came back from outside
  await page.fill('.hotline-request textarea[name=text]', '家里有人刚从外地回来，还没有报备');
  await page.click('.hotline-request button[data-action="lead"]');
  await page.waitForFunction(() => (document.getElementById('hotline-done')?.textContent || '').includes('已记为线索'));
  await page.waitForFunction((n) => Number(document.querySelector('#call-count')?.getAttribute('data-total')) === n, before.total + 4);
  const leads = (await call('GET', '/leads?state=open')).items.filter((l) => l.household_id === hid);
  assert(leads.length === 1 && leads[0].source === 'hotline', 'the lead is stored, from the hotline');
  // the secretary confirms it on the leads page: the caller starts observation
  await page.goto(base + '/#/leads');
  const lc = `.help-card[data-lead="${leads[0].id}"]`;
  await page.waitForSelector(lc + ' select');
  await page.selectOption(lc + ' select[aria-label="居民"]', String(caller.id));
  await page.selectOption(lc + ' select[aria-label="观察类别"]', 'travel_observation');
  await page.click(lc + ' button.btn-primary');
  await page.waitForSelector(lc, { state: 'detached' });
  const lead = (await call('GET', '/leads?state=confirmed')).items.find((l) => l.id === leads[0].id);
  assert(lead && lead.resident.id === caller.id, 'the lead is confirmed for the caller');
  const status = await call('GET', '/residents/' + caller.id + '/status');
  assert(status.category === 'travel_observation', 'the caller is under travel observation: ' + status.category);
  // a lead naming no household (a neighbour described someone): the secretary finds the person
  // by name on the leads page and matches it — no internal resident number to know
  const anon = await call('POST', '/leads', { unit: '420107003008', described: '5楼一个年轻人', text: '好像刚从外地回来', source: 'worker' });
  await page.goto(base + '/#/leads?state=unresolved'); // another address than the page on screen: drawn again
  const ac = `.help-card[data-lead="${anon.id}"]`;
  await page.waitForSelector(ac + ' .lead-find');
  await page.fill(ac + ' .lead-find', caller.name);
  await page.click(ac + ' .lead-finder button');
  await page.waitForSelector(ac + ' .lead-pick:not([hidden])');
  await page.selectOption(ac + ' .lead-pick', String(caller.id));
  await page.click(ac + ' button:has-text("匹配居民")');
  // matched, still open: the card drawn again names the person
  await page.waitForFunction(([sel, name]) => (document.querySelector(sel + ' .row-sub')?.textContent || '').includes(name), [ac, caller.name]);
  const matched = (await call('GET', '/leads?state=unresolved')).items.find((l) => l.id === anon.id);
  assert(matched && matched.resident && matched.resident.id === caller.id, 'the described lead is matched to the person found by name: ' + JSON.stringify(matched));
  const open = await call('GET', '/requests?household=' + hid + '&state=open');
  assert(open.total === 1, 'one open request for the household');
  const req = open.items[0];
  assert(req.channel === 'hotline' && req.category === 'medicine' && req.worker.username === 'gw02', 'hotline, medicine, gw02');
  const after = await call('GET', '/calls');
  assert(after.total === before.total + 4 && (after.by_kind.question || 0) === (before.by_kind.question || 0) + 1 &&
    (after.by_kind.lead || 0) === (before.by_kind.lead || 0) + 1 && (after.by_kind.other || 0) === (before.by_kind.other || 0) + 1,
  'four calls logged: a roll-call by phone, a request, a question, a lead');

  // ---- gw02 on a phone: the request under 求助, accepted and done ----
  const phone = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', isMobile: true, hasTouch: true });
  const gw = await phone.newPage();
  gw.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page = t.page = gw;
  await signIn(gw, base, 'gw02');
  await gw.waitForSelector('.nav a[href="#/requests"]');
  await gw.click('.nav a[href="#/requests"]');
  const card = `.help-card[data-request="${req.id}"]`;
  await gw.waitForSelector(card);
  assert((await gw.textContent(card)).includes('降压药'), 'the request reached gw02\'s phone');
  const box = await gw.locator(card).boundingBox();
  assert(box && box.width <= 360, 'the card fits the phone: ' + JSON.stringify(box));
  await gw.screenshot({ path: path.join(SHOTS, 'hotline-2-phone.png'), fullPage: true });
  await gw.click(card + ' button[data-step="accepted"]');
  await gw.waitForSelector(card + '[data-state="accepted"]');
  await gw.fill(card + ' input[name=note]', '药已买到，送到门口');
  await gw.click(card + ' button[data-step="done"]');
  await gw.waitForSelector(card + '[data-state="done"]');
  await gw.screenshot({ path: path.join(SHOTS, 'hotline-3-done.png'), fullPage: true });
  const stored = await call('GET', '/requests/' + req.id);
  assert(stored.state === 'done' && stored.steps.map((s) => s.state).join(',') === 'new,accepted,done', 'stored done: ' + stored.steps.map((s) => s.state));
  assert(stored.steps[2].by === 'gw02' && stored.steps[2].note === '药已买到，送到门口', 'who and the note');

  // ---- the family rates it on its own link page, and reads a notice ----
  const notice = await call('POST', '/notices', { unit: '420107003008-B03', title: '3栋明早核酸', body: '明早 7:30 在 3 栋楼下' });
  const link = await call('POST', '/households/' + hid + '/link', {});
  const fam = await (await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN' })).newPage();
  page = t.page = fam;
  fam.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await fam.goto(base + '/report.html#' + link.token);
  await fam.waitForSelector(`#requests li[data-request="${req.id}"] button[data-rate="5"]`);
  await fam.click(`#requests li[data-request="${req.id}"] button[data-rate="5"]`);
  await fam.waitForSelector(`#requests li[data-request="${req.id}"]:not(:has(button[data-rate]))`);
  assert((await fam.textContent('#help-status')).includes('谢谢'), 'thanked');
  await fam.click(`button[data-notice="${notice.id}"]`);
  await fam.waitForSelector(`.notices li.read button[data-notice="${notice.id}"]`);
  await fam.screenshot({ path: path.join(SHOTS, 'hotline-4-family.png'), fullPage: true });
  const rated = await call('GET', '/requests/' + req.id);
  assert(rated.rating === 5, 'rated 5 on the server');
  const reach = await call('GET', '/notices/' + notice.id + '/reach?unit=420107003008-B03');
  assert(reach.reached === 1 && !reach.unread.some((u) => u.household_id === hid), 'the receipt is counted');

  // the logged-out session check before the login answers 401 by design
  const real = errors.filter((e) => !/401 \(Unauthorized\)/.test(e));
  assert(!real.length, 'console errors: ' + real.join('; '));
  return 'the secretary takes three calls (a request, a question, a lead confirmed into observation; the count follows), finds a described lead\'s person by name, gw02 marks it done on a phone, the family rates it and reads a notice';
});
