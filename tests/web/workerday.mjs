// tests/web/workerday.mjs — details of the grid worker's day on a 360×640 phone, in headless
// chromium:
//  - the WeChat chain preview shows each reading as it will be saved: a line's symptoms with
//    the temperature (a cough at 36.6 is not shown as a plain reading) and such a reading in red;
//  - a new fever alert tells the worker which button to tap first by the label that button has;
//  - its health record marks a fever the day's correction took off as corrected (更正), also when
//    a re-check came between them;
//  - Today follows the live feed: a household the family reported through its link leaves the
//    list of households not reached (and its count), a person checked in by phone elsewhere
//    leaves the call list.
//
//   node tests/web/workerday.mjs      (after `make` and `npm ci && npm run build`; `make webtest` runs it)
//
// Its own demo store and server (qinghe, 600 households, seed 7).
// Screenshots: build/screenshots/workerday-*.png.
import path from 'node:path';
import { SHOTS, DEMO, assert, pageReady, webTest } from './harness.mjs';

webTest('workerday', DEMO, async (t) => {
  const { base, errors } = t;
  const gw = await t.api('gw02');
  const hhs = (await gw('GET', '/coverage/missing?unit=420107003008-G02&limit=200')).items;
  const [a, b] = hhs.filter((x) => x.accounted === 0 && x.entrance);
  assert(a && b, 'two households of grid 2 not reached yet');
  const pa = a.people_missing[0];
  const page = await t.login('gw02');

  // ---- the chain preview: the cough is shown, in red ----
  await page.goto(base + '/#/chain');
  await pageReady(page, 'textarea[name=text]');
  await page.fill('textarea[name=text]', `${a.building}${a.entrance}${a.room} ${pa.name} 36.6 咳嗽`);
  await page.click('#chain-preview');
  await page.waitForSelector('.chain-line.matched .arrow');
  const arrow = await page.textContent('.chain-line.matched .arrow');
  assert(arrow.includes(pa.name) && arrow.includes('36.6') && arrow.includes('咳嗽'), 'the preview shows the cough: ' + arrow);
  assert(await page.$('.chain-line.matched .arrow .hot-text'), 'a reading with a symptom is shown in red');
  await page.screenshot({ path: path.join(SHOTS, 'workerday-1-chain.png'), fullPage: true });

  // ---- a fever's alert: the hint names the button the worker sees ----
  const pb = b.people_missing[0];
  const res = await gw('POST', '/checkins', { resident_id: pb.id, temperature: 38.1, channel: 'phone' });
  assert(res.alert_id, 'a fever opens an alert');
  await page.goto(base + '/#/alert/' + res.alert_id);
  await pageReady(page, '#step-ack');
  const label = (await page.textContent('#step-ack')).trim();
  const hint = await page.textContent('#outcome-after-ack');
  assert(hint.includes('“' + label + '”'), `the hint "${hint}" names the button "${label}"`);
  await page.screenshot({ path: path.join(SHOTS, 'workerday-2-alert.png'), fullPage: true });

  // ---- the health record: a fever re-checked, then the day corrected, is marked corrected ----
  await gw('POST', '/checkins', { resident_id: pb.id, temperature: 36.6, channel: 'phone' });
  await gw('POST', '/checkins', { resident_id: pb.id, temperature: 36.5, channel: 'visit', correction: { reason: 'wrong_person' } });
  await page.goto(base + '/#/alerts');
  await pageReady(page);
  await page.goto(base + '/#/alert/' + res.alert_id);
  await pageReady(page, `tr[data-checkin="${res.checkin_id}"]`);
  const row = await page.textContent(`tr[data-checkin="${res.checkin_id}"]`);
  assert(row.includes('38.1') && row.includes('已更正') && !row.includes('已复测'), 'the fever is shown corrected: ' + row);

  // ---- Today follows the feed: who reports elsewhere leaves the lists on the screen ----
  await page.goto(base + '/#/today');
  await pageReady(page, '#panel-missing li[data-household]');
  const count = async (tab) => Number(await page.textContent(`#tab-${tab} .tab-count`));
  const missing0 = await count('missing');
  // a household on the first page of the list, reported by the family through its link
  const shownIds = await page.$$eval('#panel-missing li[data-household]', (els) => els.map((e) => Number(e.dataset.household)));
  const fam = hhs.find((x) => x !== a && x !== b && shownIds.includes(x.household_id) && x.accounted === 0);
  assert(fam, 'a household shown on Today');
  const tok = (await gw('POST', '/households/' + fam.household_id + '/link', {})).token;
  const sent = await t.browser.newContext();
  const r = await sent.request.post(base + '/api/v1/household-link/checkins',
    { data: { all_normal: true }, headers: { 'X-Household-Token': tok } });
  assert(r.ok(), 'the family reports: ' + r.status());
  await page.waitForSelector(`#panel-missing li[data-household="${fam.household_id}"]`, { state: 'detached', timeout: 10000 });
  await page.waitForFunction((n) => Number(document.querySelector('#tab-missing .tab-count').textContent) === n, missing0 - 1, { timeout: 10000 });
  // someone of the call list, checked in by phone from another account
  const calls0 = await count('calls');
  const who = Number(await page.getAttribute('#panel-calls li[data-resident]', 'data-resident'));
  const sec = await t.api('secretary');
  await sec('POST', '/checkins', { resident_id: who, temperature: 36.4, channel: 'phone' });
  await page.waitForSelector(`#panel-calls li[data-resident="${who}"]`, { state: 'detached', timeout: 10000 });
  assert(await count('calls') === calls0 - 1, 'the call list\'s count follows: ' + calls0 + ' -> ' + await count('calls'));
  await page.screenshot({ path: path.join(SHOTS, 'workerday-3-today.png'), fullPage: true });

  const real = errors.filter((e) => !/401 \(Unauthorized\)/.test(e));
  assert(!real.length, 'console errors: ' + real.join('; '));
  return 'the chain preview shows a line\'s cough in red; the alert\'s hint names its own button; a corrected fever says so; Today drops who reported elsewhere';
});
