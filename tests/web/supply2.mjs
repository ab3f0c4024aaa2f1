// tests/web/supply2.mjs — the supplies screens of issue 17's second round, in headless
// chromium on a 360×640 phone (and the secretary's desktop):
//  * a pickup slot chosen on the worker's order form (capacity shown; a slot filled meanwhile
//    refused under the slot field; a full one cannot be chosen) and on the household link page;
//  * the errands list and a volunteer's errand with its ledger: a spending over the cash in
//    hand and one without a receipt refused on their fields, closing an unbalanced ledger
//    refused on the balance, balanced and closed;
//  * the chronic-medicine register; the hardship fund (a grant from the household's page, over
//    the budget refused on the amount, the fund page's figures); the merchants (a breach
//    flagged, a complaint recorded);
//  * after-sales from the household's page and its link page, answered (refunded ¥15,
//    replaced) on the round page and in its figures;
//  * late deliveries on the dashboard tile and the round's list of them; a delivery marked on
//    the volunteer's phone with no network, sent when it returns with the time it was done;
//    the app reloaded offline on that phone (the delivery screen's scripts from the service
//    worker) and on a guard's phone that never opened the scanner online (jsQR offline).
//
//   node tests/web/supply2.mjs        (after `make` and `npm ci && npm run build`; `make webtest` runs it)
//
// Its own demo store and server (qinghe, 600 households).  Screenshots: build/screenshots/supply2-*.png.
import path from 'node:path';
import { SHOTS, DEMO, assert, chinaTime, noWiderThanPhone, pageReady, webTest } from './harness.mjs';

webTest('supply2', DEMO, async (t) => {
  const { base, browser, errors } = t;
  let page = null;
  const call = await t.api('secretary');
  const pk = (await call('GET', '/supply/packages?unit=420107003008')).items;
  const hh = (await call('GET', '/households?unit=420107003008-G01&limit=200')).items;
  // three households of one building of grid 1
  const bcode = hh[0].unit_code.replace(/-U\d+$/, '');
  const same = hh.filter((x) => x.unit_code.startsWith(bcode + '-') || x.unit_code === bcode);
  assert(same.length >= 3, 'three households in ' + bcode);
  const [A, B, C] = same;

  // ---- 1. pickup slots: a round with two one-household slots and a roomier one ----
  const round = await call('POST', '/supply/rounds', {
    unit: '420107003008', name: '取货时段测试批次', cutoff: chinaTime(5), packages: pk.map((p) => p.id),
    slots: [{ unit: bcode, starts: chinaTime(24), ends: chinaTime(25), capacity: 1 },
      { unit: bcode, starts: chinaTime(25), ends: chinaTime(26), capacity: 1 },
      { unit: bcode, starts: chinaTime(26), ends: chinaTime(27), capacity: 5 }],
  });
  const [s1, s2, s3] = round.slots.map((x) => x.id);
  page = await t.login('gw01');
  await page.goto(base + '/#/household/' + A.id);
  const form = `#supply-panel form[data-round="${round.id}"]`;
  await page.waitForSelector(`${form} select.sup-slot`);
  const opt = await page.textContent(`${form} select.sup-slot option[value="${s1}"]`);
  assert(opt.includes('还剩 1 户') && opt.includes('共 1 户'), 'the slot shows its capacity: ' + opt);
  // meanwhile, household B takes slot 1
  await call('POST', '/supply/rounds/' + round.id + '/orders', { household_id: B.id, items: [{ package_id: pk[0].id, qty: 1 }], payment: 'online', slot_id: s1 });
  await page.click(`${form} li[data-package="${pk[1].id}"] .sup-plus`);
  await page.selectOption(`${form} select.sup-slot`, String(s1));
  await page.click(`${form} .sup-order`);
  await page.waitForSelector(`${form} .sup-slot-field .field-error:not([hidden])`);
  const full = await page.textContent(`${form} .sup-slot-field .field-error`);
  assert(full.includes('已满'), 'the full slot is refused under the slot field: ' + full);
  assert(await page.getAttribute(`${form} select.sup-slot`, 'aria-invalid') === 'true', 'the slot field is marked invalid');
  await page.screenshot({ path: path.join(SHOTS, 'supply2-1-slot-full.png'), fullPage: true });
  await page.selectOption(`${form} select.sup-slot`, String(s2));
  await page.click(`${form} .sup-order`);
  await page.waitForFunction(() => (document.querySelector('#supply-panel .sup-flash')?.textContent || '').includes('已下单'));
  let got = (await call('GET', '/supply/households/' + A.id)).orders.find((o) => o.round_id === round.id);
  assert(got && got.slot_id === s2, 'the order keeps its slot: ' + JSON.stringify(got));
  await noWiderThanPhone(page, 'the household page with slots');
  // on the household link page: the two full slots cannot be chosen, the third is taken
  const link = await call('POST', '/households/' + C.id + '/link', {});
  const res = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN' });
  const rp = await res.newPage();
  rp.on('pageerror', (e) => errors.push('report: ' + e.message));
  await rp.goto(base + '/report.html#' + link.token);
  const rform = `#supply form[data-round="${round.id}"]`;
  await rp.waitForSelector(`${rform} select[name=slot]`);
  assert(await rp.isDisabled(`${rform} select[name=slot] option[value="${s1}"]`), 'a full slot cannot be chosen on the link page');
  await rp.click(`${rform} [data-package="${pk[2].id}"] .plus`);
  await rp.selectOption(`${rform} select[name=slot]`, String(s3));
  await rp.click(`${rform} button[type=submit]`);
  await rp.waitForFunction(() => (document.querySelector('#sup-say')?.textContent || '').includes('已下单'));
  got = (await call('GET', '/supply/households/' + C.id)).orders.find((o) => o.round_id === round.id);
  assert(got && got.slot_id === s3, 'the link page\'s order keeps its slot: ' + JSON.stringify(got));
  await noWiderThanPhone(rp, 'the link page with slots');
  await rp.screenshot({ path: path.join(SHOTS, 'supply2-2-link-slot.png'), fullPage: true });

  // ---- 2. an errand and its ledger on the volunteer's phone ----
  const x = await call('POST', '/errands', { household_id: A.id, kind: 'medicine', medicine: '二甲双胍片', dose: '每日3次，每次1片', hospital: '青山区中医院', every_days: 30, assignee: 'vol01' });
  const vol = await t.login('vol01');
  await vol.goto(base + '/#/errands');
  await vol.waitForSelector(`.err2-list li[data-errand="${x.id}"]`);
  await noWiderThanPhone(vol, 'the errands list');
  await vol.screenshot({ path: path.join(SHOTS, 'supply2-3-errands.png'), fullPage: true });
  await vol.click(`.err2-list li[data-errand="${x.id}"] a`);
  await vol.waitForSelector(`.err2-one[data-errand="${x.id}"] form.err2-ledger-form`);
  const line = async (kind, amount, receipt) => {
    await vol.selectOption('form.err2-ledger-form select[name=kind]', kind);
    await vol.fill('form.err2-ledger-form input[name=amount_fen]', amount);
    await vol.fill('form.err2-ledger-form input[name=receipt]', receipt || '');
    await vol.click('form.err2-ledger-form .err2-add');
  };
  await line('received', '50', '');
  await vol.waitForSelector('.sup-ledger li[data-kind=received]');
  await line('spent', '60', 'R-1');
  await vol.waitForSelector('form.err2-ledger-form input[name=amount_fen][aria-invalid=true]');
  let why = await vol.textContent('form.err2-ledger-form input[name=amount_fen] ~ .field-error');
  assert(why.includes('50.00'), 'a spending over the cash in hand is refused on the amount: ' + why);
  await line('spent', '42.50', '');
  await vol.waitForSelector('form.err2-ledger-form input[name=receipt][aria-invalid=true]');
  why = await vol.textContent('form.err2-ledger-form input[name=receipt] ~ .field-error');
  assert(why.includes('小票'), 'a spending without its receipt is refused on the receipt: ' + why);
  await line('spent', '42.50', 'YF-20261206-7');
  await vol.waitForSelector('.sup-ledger li[data-kind=spent]');
  assert((await vol.getAttribute('[data-sum=balance]', 'data-fen')) === '750', 'the balance on the screen is ¥7.50');
  await noWiderThanPhone(vol, 'the errand page');
  await vol.screenshot({ path: path.join(SHOTS, 'supply2-4-ledger.png'), fullPage: true });
  // the grid worker closes: refused on the balance while ¥7.50 is in hand, then balanced
  await page.goto(base + '/#/errands/' + x.id);
  await page.waitForSelector('.err2-close-btn');
  await page.click('.err2-close-btn');
  await page.waitForSelector('#err2-close-err:not([hidden])');
  why = await page.textContent('#err2-close-err');
  assert(why.includes('7.50') && (await page.getAttribute('[data-sum=balance]', 'aria-invalid')) === 'true', 'closing an unbalanced ledger refused on the balance: ' + why);
  await page.selectOption('form.err2-ledger-form select[name=kind]', 'returned');
  await page.fill('form.err2-ledger-form input[name=amount_fen]', '7.5');
  await page.click('form.err2-ledger-form .err2-add');
  await page.waitForSelector('.sup-ledger li[data-kind=returned]');
  await page.click('.err2-close-btn');
  await page.waitForSelector('#err2-state[data-errand-state=closed]');
  const closed = await call('GET', '/errands/' + x.id);
  assert(closed.state === 'closed' && closed.balance_fen === 0 && closed.ledger.length === 3, 'closed and balanced on the server');
  assert(closed.ledger[1].receipt === 'YF-20261206-7', 'the receipt\'s number kept as text');

  // ---- 3. the chronic-medicine register on the secretary's desktop ----
  const desk = await t.login('secretary', { width: 1366, height: 900 });
  await desk.goto(base + '/#/medicine');
  await pageReady(desk, '.med-list li');
  const reg = await call('GET', '/errands/medicine?unit=420107003008');
  const shown = await desk.$$eval('.med-list li', (l) => l.map((x) => x.dataset.household));
  const want = reg.items.map((x) => String(x.household_id));
  assert(shown.length === want.length, 'every register line on the screen: ' + shown.length + ' shown, ' + want.length
    + ' on the server; only shown: ' + shown.filter((x) => !want.includes(x)).join(',') + '; only on the server: '
    + want.filter((x) => !shown.includes(x)).join(',') + '; page ' + (await desk.getAttribute('main', 'data-page')) + ' at ' + desk.url() + ' h1 ' + (await desk.textContent('main h1')));
  // (a household's lines: one per medicine, the demo's among them)
  const mine = (await desk.$$eval(`.med-list li[data-household="${A.id}"]`, (l) => l.map((x) => x.textContent))).join(' | ');
  assert(/二甲双胍片[^|]*每 30 天/.test(mine), 'the new medicine with how often: ' + mine);
  await desk.screenshot({ path: path.join(SHOTS, 'supply2-5-medicine.png') });

  // ---- 4. the hardship fund: a grant from the household's page, the fund's page ----
  const fund = await call('POST', '/aid/funds', { unit: '420107003008', name: '困难群众救助金', budget_fen: 50000 });
  await page.goto(base + '/#/household/' + A.id);
  await page.waitForSelector('#sup-aid-panel summary');
  await page.click('#sup-aid-panel summary');
  await page.waitForSelector('form.aid-grant-form');
  await page.fill('form.aid-grant-form input[name=amount_fen]', '600');
  await page.fill('form.aid-grant-form input[name=what]', '米面油一套');
  await page.click('form.aid-grant-form button[type=submit]');
  await page.waitForSelector('form.aid-grant-form input[name=amount_fen][aria-invalid=true]');
  why = await page.textContent('form.aid-grant-form input[name=amount_fen] ~ .field-error');
  assert(why.includes('预算'), 'over the budget refused on the amount: ' + why);
  await page.fill('form.aid-grant-form input[name=amount_fen]', '200');
  await page.click('form.aid-grant-form button[type=submit]');
  await page.waitForFunction(() => (document.querySelector('#supply-panel .sup-flash')?.textContent || '').includes('200.00'));
  await desk.goto(base + '/#/aid');
  await desk.waitForSelector(`.aid-fund[data-fund="${fund.id}"] .aid-grants li[data-household="${A.id}"]`);
  assert((await desk.textContent(`.aid-fund[data-fund="${fund.id}"] [data-stat=left]`)) === '¥300.00', 'the fund\'s balance after the grant');
  await desk.screenshot({ path: path.join(SHOTS, 'supply2-6-aid.png') });

  // ---- 5. merchants: a price over the cap flagged, a complaint from the phone ----
  await call('POST', '/merchants/caps', { unit: '420107003008', class: '蔬菜', max_markup_pct: 20 });
  const m = await call('POST', '/merchants', { unit: '420107003008', name: '青和生鲜店', phone: '13900001111' });
  await call('POST', '/merchants/' + m.id + '/prices', { product: '胡萝卜（3斤）', class: '蔬菜', price_fen: 1200, reference_fen: 900 });
  await vol.goto(base + '/#/merchants');
  await vol.waitForSelector(`.mer-card[data-merchant="${m.id}"] tr[data-breach="1"]`);
  await vol.click(`.mer-card[data-merchant="${m.id}"] .mer-complain summary`);
  await vol.fill(`.mer-card[data-merchant="${m.id}"] textarea[name=note]`, '胡萝卜卖12元3斤，超过限价');
  await vol.click(`.mer-card[data-merchant="${m.id}"] .mer-complaint-form button[type=submit]`);
  await vol.waitForSelector(`.mer-card[data-merchant="${m.id}"] .mer-complaints li`);
  await noWiderThanPhone(vol, 'the merchants page');
  await vol.screenshot({ path: path.join(SHOTS, 'supply2-7-merchants.png'), fullPage: true });
  const ml = (await call('GET', '/merchants?unit=420107003008')).items.find((y) => y.id === m.id);
  assert(ml.breaches === 1 && ml.complaints.length === 1, 'the breach and the complaint on the server');

  // ---- 6. after-sales: the worker from a household's page, the family on its link page,
  //      answered on the secretary's round page and counted in its figures ----
  const past = (await call('GET', '/supply/rounds?unit=420107003008')).items.find((r) => r.name.includes('第1批'));
  const delivered = (await call('GET', '/supply/rounds/' + past.id + '/orders?unit=420107003008-G01&state=delivered')).items;
  assert(delivered.length >= 2, 'delivered orders of grid 1 in yesterday\'s round');
  // the first paid in cash to its grid worker: its refund is handed back from gw01's cash
  const d1 = delivered.find((o) => o.payment === 'cash');
  const d2 = delivered.find((o) => o !== d1);
  assert(d1, 'a delivered order of grid 1 paid in cash');
  await page.goto(base + '/#/household/' + d1.household_id);
  const row = `#supply-panel li.sup-order-row[data-order="${d1.id}"]`;
  await page.waitForSelector(`${row} .sup-as-panel summary`);
  await page.click(`${row} .sup-as-panel summary`);
  await page.selectOption(`${row} select[name=kind]`, 'damaged');
  await page.selectOption(`${row} select[name=package_id]`, String(d1.items[0].package_id));
  await page.fill(`${row} input[name=note]`, '鸡蛋碎了两个');
  await page.click(`${row} .sup-as-form button[type=submit]`);
  await page.waitForSelector(`#supply-panel li.sup-order-row[data-order="${d1.id}"] [data-as-state=open]`);
  await noWiderThanPhone(page, 'the household page with after-sales');
  await page.screenshot({ path: path.join(SHOTS, 'supply2-8-aftersale.png'), fullPage: true });
  const link2 = await call('POST', '/households/' + d2.household_id + '/link', {});
  await rp.goto(base + '/report.html#' + link2.token);
  await rp.reload();
  const lrow = `#supply li[data-order="${d2.id}"]`;
  await rp.waitForSelector(`${lrow} details summary`);
  await rp.click(`${lrow} details summary`);
  await rp.selectOption(`${lrow} select[name=kind]`, 'missing');
  await rp.fill(`${lrow} input[name=note]`, '少了一袋胡萝卜');
  await rp.click(`${lrow} form.aftersale button[type=submit]`);
  await rp.waitForFunction(() => (document.querySelector('#sup-say')?.textContent || '').includes('售后') || (document.querySelector('#sup-say')?.textContent || '').includes('补发'));
  await rp.waitForSelector(`#supply li[data-order="${d2.id}"] [data-aftersale]`);
  await noWiderThanPhone(rp, 'the link page with after-sales');
  const cases = (await call('GET', '/supply/rounds/' + past.id + '/aftersales')).items;
  assert(cases.length === 2 && cases.some((x) => x.via === 'link' && x.order_id === d2.id) && cases.some((x) => x.via === 'worker' && x.note === '鸡蛋碎了两个'),
    'both cases on the server: ' + JSON.stringify(cases));
  await desk.goto(base + '/#/supply/' + past.id);
  const c1 = cases.find((x) => x.order_id === d1.id);
  const c2 = cases.find((x) => x.order_id === d2.id);
  await desk.waitForSelector(`#sup-aftersales form[data-aftersale="${c1.id}"]`);
  assert((await desk.textContent('#sup-figures [data-stat=aftersales]')) === '2', 'two open cases in the figures');
  const handOf = async (u) => (await call('GET', '/errands/cash?unit=420107003008')).items.find((p) => p.user === u).in_hand_fen;
  const hand0 = await handOf('gw01');
  await desk.selectOption(`#sup-aftersales form[data-aftersale="${c1.id}"] select[name=resolution]`, 'refunded');
  await desk.fill(`#sup-aftersales form[data-aftersale="${c1.id}"] input[name=refund_fen]`, '15');
  await desk.click(`#sup-aftersales form[data-aftersale="${c1.id}"] button[type=submit]`);
  await desk.waitForSelector(`#sup-aftersales li[data-aftersale="${c1.id}"][data-state=refunded]`);
  // the answer says whose cash it came from; the cash table has it, to the fen, and the entry names the case
  await desk.waitForSelector(`#sup-aftersales li[data-aftersale="${c1.id}"] [data-refund-from=gw01]`);
  assert((await desk.textContent('#status')).includes('gw01手中的现金退还'), 'the answer says the cash came back from gw01: ' + await desk.textContent('#status'));
  assert(await handOf('gw01') === hand0 - 1500, 'gw01 holds ¥15.00 less');
  await desk.waitForSelector(`#sup-cash tr[data-user=gw01] [data-hand="${hand0 - 1500}"]`);
  await desk.click('#sup-cash tr[data-user=gw01] .sup-cash-show');
  await desk.waitForSelector('#sup-cash-entries li[data-kind=returned]');
  assert((await desk.textContent('#sup-cash-entries')).includes('售后#' + c1.id), 'the entry names the case');
  await desk.selectOption(`#sup-aftersales form[data-aftersale="${c2.id}"] select[name=resolution]`, 'replaced');
  await desk.fill(`#sup-aftersales form[data-aftersale="${c2.id}"] input[name=answer]`, '明天补送');
  await desk.click(`#sup-aftersales form[data-aftersale="${c2.id}"] button[type=submit]`);
  await desk.waitForSelector(`#sup-aftersales li[data-aftersale="${c2.id}"][data-state=replaced]`);
  assert((await desk.textContent('#sup-figures [data-stat=refunded]')) === '¥15.00', 'the refund in the round\'s figures');
  await desk.screenshot({ path: path.join(SHOTS, 'supply2-9-aftersales.png'), fullPage: true });

  // ---- 7. late deliveries on the dashboard tile; a delivery marked offline on the phone ----
  const lateRound = await call('POST', '/supply/rounds', {
    unit: '420107003008', name: '迟送测试批次', cutoff: chinaTime(5), rest_minutes: 0, packages: pk.map((p) => p.id),
    slots: [{ unit: bcode, starts: chinaTime(-3), ends: chinaTime(-2), capacity: 10 }],
  });
  const [L1, L2] = same.slice(3, 5);
  const lo = [];
  for (const x of [L1, L2]) {
    lo.push(await call('POST', '/supply/rounds/' + lateRound.id + '/orders',
      { household_id: x.id, items: [{ package_id: pk[1].id, qty: 1 }], payment: 'online', slot_id: lateRound.slots[0].id }));
  }
  for (const o of lo) for (const to of ['paid', 'received', 'disinfected', 'at_door']) await call('POST', '/supply/orders/' + o.id + '/state', { to });
  await desk.goto(base + '/#/dashboard');
  await desk.waitForSelector(`#sup-tile .sup-tile-round[data-round="${lateRound.id}"] [data-stat=late] a`);
  assert((await desk.textContent(`#sup-tile .sup-tile-round[data-round="${lateRound.id}"] [data-stat=late]`)) === '2', 'two late on the tile');
  await desk.click(`#sup-tile .sup-tile-round[data-round="${lateRound.id}"] [data-stat=late] a`);
  await desk.waitForSelector(`#sup-deliveries li[data-order="${lo[0].id}"]`);
  assert(await desk.$eval('#sup-state', (e) => e.value) === 'late', 'the round page lists the late ones');
  // the volunteer, on the building's doorstep with no network
  await vol.goto(base + '/#/supply/' + lateRound.id + '?state=at_door');
  await vol.waitForSelector(`#sup-deliveries li[data-order="${lo[0].id}"] .sup-step[data-to=delivered]`);
  await vol.context().setOffline(true);
  const tapped = Date.now();
  await vol.click(`#sup-deliveries li[data-order="${lo[0].id}"] .sup-step[data-to=delivered]`);
  await vol.waitForSelector(`#sup-deliveries li[data-order="${lo[0].id}"][data-queued=delivered]`);
  await noWiderThanPhone(vol, 'the delivery list offline');
  await vol.screenshot({ path: path.join(SHOTS, 'supply2-10-offline.png'), fullPage: true });
  let og = await call('GET', '/supply/orders/' + lo[0].id);
  assert(og.state === 'at_door', 'nothing reached the server while offline');
  // still offline, the phone reloads the app: the shell and the delivery screen's scripts
  // come from the service worker's cache (sw.js), the delivery still waits in the queue,
  // and the page says it cannot reach the server (no console error but the network's)
  await vol.reload();
  await vol.waitForSelector('#queue-badge[data-waiting="1"]', { timeout: 15000 });
  await vol.waitForSelector('#main h1, main h1', { timeout: 15000 });
  const offlineFetch = (p) => vol.evaluate((u) => fetch(u).then((r) => r.ok, () => false), p);
  for (const p of ['/js/views/supply.js', '/js/tiles/supply.js', '/vendor/jsQR.js']) assert(await offlineFetch(p), p + ' is served offline');
  await vol.screenshot({ path: path.join(SHOTS, 'supply2-11-offline-reload.png'), fullPage: true });
  // a guard who never opened the scanner online reloads the gate screen offline and has the QR decoder
  const guard = await t.login('checkpoint');
  await guard.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller, null, { timeout: 15000 });
  await guard.evaluate(() => navigator.serviceWorker.ready);
  await guard.context().setOffline(true);
  await guard.reload();
  await guard.waitForSelector('#main h1', { timeout: 15000 });
  const decoder = await guard.evaluate(() => new Promise((resolve) => {
    const el = document.createElement('script');
    el.src = '/vendor/jsQR.js';
    el.onload = () => resolve(typeof window.jsQR);
    el.onerror = () => resolve('failed');
    document.head.appendChild(el);
  }));
  assert(decoder === 'function', 'jsQR loads offline on the gate screen: ' + decoder);
  await guard.context().close();
  await new Promise((r) => setTimeout(r, 1500));
  await vol.context().setOffline(false);
  for (let i = 0; i < 100 && og.state !== 'delivered'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    og = await call('GET', '/supply/orders/' + lo[0].id);
  }
  assert(og.state === 'delivered', 'the queued delivery reached the server: ' + og.state);
  const last = og.history[og.history.length - 1];
  const atMs = Date.parse(last.at);
  assert(atMs <= tapped + 1000 && atMs >= tapped - 61000 && Date.parse(last.recorded) > atMs, 'the delivery keeps the time it was done: ' + JSON.stringify(last));
  const lf = (await call('GET', '/supply/rounds/' + lateRound.id)).figures;
  assert(lf.late === 1 && lf.by_state.delivered === 1, 'one late left: ' + JSON.stringify(lf));

  const real = errors.filter((e) => !/40[19] \((Unauthorized|Conflict)\)|422 \(|400 \(Bad Request\)|ERR_INTERNET_DISCONNECTED/.test(e));
  assert(!real.length, 'console errors: ' + real.join('; '));
  return 'pickup slots (worker and link page), the errand ledger on a volunteer\'s phone, the medicine register, the hardship fund, the merchants, after-sales, late deliveries, an offline delivery';
});
