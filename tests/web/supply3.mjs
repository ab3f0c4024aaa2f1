// tests/web/supply3.mjs — the round's cash handed over to the supplier (issue 17, fourth round),
// in headless chromium on the secretary's desktop and a grid worker's 360×640 phone:
//  * a round with three orders paid in cash, two marked paid by gw01 (his cash) and one by
//    vol01; the round page's 团购现金交付供应商 shows each person's part of the round's cash;
//  * the secretary records a handover of more than gw01 took: refused under the amount field
//    with the server's message, nothing stored; then part of it with the supplier's receipt:
//    stored, listed, gw01's cash of the round and the round's figures go down by exactly that;
//  * the same receipt again refused under the receipt field; gw01's 明细 in the cash table
//    names the handover (交付#), and on his phone the round page shows what he still holds;
//  * the dashboard's 团购保供 tile counts a delivery marked elsewhere without a reload (live).
//
//   node tests/web/supply3.mjs        (after `make` and `npm ci && npm run build`; `make webtest` runs it)
//
// Its own demo store and server (qinghe, 600 households).  Screenshots: build/screenshots/supply3-*.png.
import path from 'node:path';
import { SHOTS, DEMO, assert, chinaTime, noWiderThanPhone, pageReady, webTest } from './harness.mjs';

const yuan = (fen) => '¥' + Math.floor(fen / 100) + '.' + String(fen % 100).padStart(2, '0');

webTest('supply3', DEMO, async (t) => {
  const { base, errors } = t;
  let page = null;
  const sec = await t.api('secretary');
  const gw = await t.api('gw01');
  const vol = await t.api('vol01');
  const pk = (await sec('GET', '/supply/packages?unit=420107003008')).items;
  const hh = (await sec('GET', '/households?unit=420107003008-G01&limit=50')).items;
  const round = await sec('POST', '/supply/rounds', { unit: '420107003008', name: '交付供应商测试', opens: chinaTime(-1),
    cutoff: chinaTime(10), rest_minutes: 0, packages: pk.map((p) => p.id) });
  const orders = [];
  for (const [i, payer] of [[0, gw], [1, gw], [2, vol]]) {
    const o = await gw('POST', '/supply/rounds/' + round.id + '/orders', { household_id: hh[i].id, payment: 'cash',
      items: pk.map((p, k) => ({ package_id: p.id, qty: k === 1 ? 1 + i : 1 })) });
    await payer('POST', '/supply/orders/' + o.id + '/state', { to: 'paid' });
    orders.push(o);
  }
  const gwCash = orders[0].total_fen + orders[1].total_fen;
  const total = gwCash + orders[2].total_fen;

  // ---- the secretary's round page: each person's part of the round's cash ----
  page = await t.login('secretary', { width: 1366, height: 900 });
  await page.goto(base + '/#/supply/' + round.id);
  await pageReady(page, '#sup-handover');
  assert(await page.getAttribute('#sup-hand-sum', 'data-hand') === String(total), 'the round\'s cash in hand is all of it');
  assert(await page.getAttribute('#sup-handover tr[data-user=gw01] td[data-hand]', 'data-hand') === String(gwCash), 'gw01 holds his part');
  assert(await page.getAttribute('#sup-handover tr[data-user=vol01] td[data-hand]', 'data-hand') === String(orders[2].total_fen), 'vol01 holds hers');
  // each column's heading sits over its figures (numbers right, so are their headings): the
  // picking list's 蔬菜 7 stood under the next column's heading, as if it were its figure
  const misaligned = await page.evaluate(() => {
    const out = [];
    for (const table of document.querySelectorAll('.sup-picking, .sup-holders, .sup-page table')) {
      const heads = table.querySelectorAll('thead th');
      const row = table.querySelector('tbody tr');
      if (!row) continue;
      heads.forEach((th, i) => {
        const td = row.children[i];
        if (th.textContent && td && getComputedStyle(th).textAlign !== getComputedStyle(td).textAlign) out.push(th.textContent);
      });
    }
    return out;
  });
  assert(!misaligned.length, 'headings aligned as their columns: ' + misaligned.join(', '));
  const h2 = await page.textContent('#sup-hand-h');
  assert(h2 === '团购现金交付供应商', 'the section in Chinese: ' + h2);

  // more than gw01 took is refused under the amount, with the server's message; nothing stored
  const form = '#sup-handover-form';
  await page.selectOption(form + ' select[name=holder]', 'gw01');
  await page.fill(form + ' input[name=amount_fen]', (gwCash / 100 + 0.01).toFixed(2));
  await page.fill(form + ' input[name=receipt]', 'WS-2026-001');
  await page.fill(form + ' input[name=received_by]', '武商 王师傅');
  await page.click(form + ' button[type=submit]');
  await page.waitForSelector(form + ' input[name=amount_fen][aria-invalid=true]');
  const why = await page.textContent(form + ' input[name=amount_fen] ~ .field-error');
  assert(why.includes('只有' + yuan(gwCash)) && why.includes('不能交付'), 'the over-handover reason: ' + why);
  assert((await sec('GET', '/supply/rounds/' + round.id + '/handovers')).items.length === 0, 'nothing stored');
  await page.screenshot({ path: path.join(SHOTS, 'supply3-over.png'), fullPage: true });

  // part of it (all but ¥10.00) with the supplier's receipt: stored and listed
  const part = gwCash - 1000;
  await page.fill(form + ' input[name=amount_fen]', (part / 100).toFixed(2));
  await page.click(form + ' button[type=submit]');
  await pageReady(page, '#sup-handover li[data-handover]');
  await page.waitForFunction((n) => document.querySelector('#sup-hand-sum')?.getAttribute('data-hand') === n, String(total - part));
  const line = await page.textContent('#sup-handover li[data-handover]');
  assert(line.includes('WS-2026-001') && line.includes(yuan(part)) && line.includes('王师傅'), 'the handover listed: ' + line);
  assert(await page.getAttribute('#sup-handover tr[data-user=gw01] td[data-hand]', 'data-hand') === '1000', 'gw01 still holds ¥10.00');
  assert(await page.getAttribute('#sup-figures dd[data-stat=cash]', 'data-fen') === String(total - part), 'the round\'s figures say what is left');
  const v = await sec('GET', '/supply/rounds/' + round.id + '/handovers');
  assert(v.items.length === 1 && v.items[0].amount_fen === part && v.items[0].holder === 'gw01' && v.items[0].receipt === 'WS-2026-001'
    && v.items[0].supplier_id === pk[0].supplier_id && v.cash.in_hand_fen === total - part, 'stored: ' + JSON.stringify(v));
  await page.screenshot({ path: path.join(SHOTS, 'supply3-handed.png'), fullPage: true });

  // the same receipt again: refused under the receipt field
  await page.selectOption(form + ' select[name=holder]', 'gw01');
  await page.fill(form + ' input[name=amount_fen]', '1.00');
  await page.fill(form + ' input[name=receipt]', 'WS-2026-001');
  await page.click(form + ' button[type=submit]');
  await page.waitForSelector(form + ' input[name=receipt][aria-invalid=true]');
  const dup = await page.textContent(form + ' input[name=receipt] ~ .field-error');
  assert(dup.includes('已经登记过') && !/recorded already/.test(dup), 'a receipt twice, in Chinese only: ' + dup);
  assert((await sec('GET', '/supply/rounds/' + round.id + '/handovers')).items.length === 1, 'still one handover');

  // the cash table's 明细 for gw01 names the handover among his entries
  await page.click('#sup-cash tr[data-user=gw01] button.sup-cash-show');
  await page.waitForSelector('#sup-cash-entries ul[data-user=gw01] li[data-kind=spent]');
  const spent = await page.$$eval('#sup-cash-entries ul[data-user=gw01] li[data-kind=spent]', (xs) => xs.map((x) => x.textContent));
  assert(spent.some((x) => x.includes('交付#' + v.items[0].id) && x.includes('WS-2026-001')), 'gw01\'s entries name the handover: ' + spent.join(' | '));

  // gw01's phone: the round page shows what he still holds of the round's cash, no form
  const phone = await t.login('gw01');
  await phone.goto(base + '/#/supply/' + round.id);
  await pageReady(phone, '#sup-handover');
  assert(await phone.getAttribute('#sup-handover tr[data-user=gw01] td[data-hand]', 'data-hand') === '1000', 'gw01 sees ¥10.00 in his hand');
  assert(!(await phone.$('#sup-handover-form')), 'a grid worker records no handover');
  await noWiderThanPhone(phone, 'the round page');
  await phone.screenshot({ path: path.join(SHOTS, 'supply3-phone.png'), fullPage: true });

  // the dashboard's 团购保供 tile follows the round live: a delivery marked elsewhere shows
  // without a reload (the live feed's `supply` event), as does the round's cash
  t.page = page;
  await page.goto(base + '/#/dashboard');
  await pageReady(page, `#sup-tile [data-round="${round.id}"]`);
  await page.waitForSelector('.live-state.live-open');
  const before = Number(await page.textContent(`#sup-tile [data-round="${round.id}"] dd[data-stat=delivered]`));
  for (const to of ['received', 'disinfected', 'at_door', 'delivered']) await vol('POST', '/supply/orders/' + orders[2].id + '/state', { to });
  await page.waitForFunction(([rid, n]) => document.querySelector(`#sup-tile [data-round="${rid}"] dd[data-stat=delivered]`)?.textContent === String(n),
    [round.id, before + 1]);
  assert(await page.evaluate(() => !!document.querySelector('main[data-page="#/dashboard"]')), 'still the same dashboard, not reloaded');

  const real = errors.filter((e) => !/40[19] \((Unauthorized|Conflict)\)|422 \(|400 \(Bad Request\)/.test(e));
  assert(!real.length, 'console errors: ' + real.join('; '));
  return 'the round\'s cash handed over to the supplier — over the cash refused on the amount, a receipt twice refused, stored, in the figures and the ledger, the dashboard tile live';
});
