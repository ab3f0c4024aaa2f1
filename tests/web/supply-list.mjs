// tests/web/supply-list.mjs — the round page's delivery list shows 300 households at most; with
// more in the state chosen (yesterday's round of a 1,000-household qinghe demo: 400-odd
// 已送达) it says how many are not shown and how to see them, and a building shows its own.
//
//   node tests/web/supply-list.mjs      (after `make`; `make webtest` runs it)
//
// Fails on the build before: the list stopped at 300 without a word.
import path from 'node:path';
import { SHOTS, assert, pageReady, webTest } from './harness.mjs';

webTest('supply-list', ['--preset', 'qinghe', '--households', '1000', '--seed', '7'], async (t) => {
  const call = await t.api('secretary');
  const past = (await call('GET', '/supply/rounds?unit=420107003008')).items.find((r) => r.name.includes('第1批'));
  const all = (await call('GET', '/supply/rounds/' + past.id + '/orders?state=delivered')).items;
  assert(all.length > 300, 'more than 300 delivered: ' + all.length);
  const page = await t.login('secretary', { width: 1280, height: 800 });
  await page.goto(t.base + '/#/supply/' + past.id + '?state=delivered');
  await pageReady(page, '#sup-deliveries li[data-order]');
  const shown = await page.$$eval('#sup-deliveries li[data-order]', (x) => x.length);
  assert(shown === 300, 'the first 300 listed: ' + shown);
  const cut = await page.textContent('#sup-list-cut');
  assert(cut.includes('300') && cut.includes(String(all.length)) && cut.includes('楼栋'), 'the cut is said: ' + cut);
  await page.screenshot({ path: path.join(SHOTS, 'supply-list-1-cut.png') });
  // a building: all of its own, no cut
  const b = all[0];
  const unit = (await call('GET', '/supply/rounds/' + past.id + '/picking')).buildings.find((x) => x.name === b.building).unit;
  await page.selectOption('#sup-building', unit);
  await page.waitForFunction(() => !document.querySelector('#sup-list-cut'));
  const mine = all.filter((o) => o.building === b.building).length;
  await page.waitForFunction((n) => document.querySelectorAll('#sup-deliveries li[data-order]').length === n, Math.min(mine, 300));
  return all.length + ' delivered: 300 listed and the rest said; a building lists its ' + mine;
});
