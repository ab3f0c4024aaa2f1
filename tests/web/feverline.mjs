// tests/web/feverline.mjs — the city's fever line on the screens (360×640): with
// fever_threshold set to 37.0, gw02's roll-call form flags 37.1 as a fever before it is
// saved and its note names 37.0; the family page says 37.0 ℃ in its words, and its 发热
// button (a family without a thermometer) sends a fever that opens the alert.
//
//   node tests/web/feverline.mjs      (after `make`; `make webtest` runs it)
//
// Fails on the build before: the app judged readings by a copy of the default, 37.3, so
// 37.1 went through the form unflagged where the server opened an alert for it.
import { DEMO, assert, pageReady, webTest } from './harness.mjs';

webTest('feverline', DEMO, async (t) => {
  const gw = await t.api('gw02');
  const missing = await gw('GET', '/coverage/missing?limit=50');
  const hh = (missing.items || []).find((h) => h.people_missing.length > 0);
  assert(hh, 'a household on gw02\'s missing list');
  const page = await t.login('gw02');
  await page.goto(t.base + '/#/household/' + hh.household_id + '/rollcall');
  await pageReady(page, '.rollcall .person');
  const card = page.locator('.person').nth(0);
  await card.locator('input.temp').fill('37.1');
  await page.waitForFunction(() => document.querySelector('.person')?.classList.contains('is-fever'), null, { timeout: 5000 });
  const note = await card.locator('.fever-note').textContent();
  assert(note.includes('37'), 'the fever note: ' + note);
  assert(note.includes('37.0'), 'the note names the city\'s line: ' + note);
  await card.locator('input.temp').fill('36.9');
  assert(!(await card.evaluate((el) => el.classList.contains('is-fever'))), '36.9 is not a fever');

  const link = await gw('POST', '/households/' + hh.household_id + '/link', {});
  const fam = await t.browser.newPage({ viewport: { width: 360, height: 640 } });
  await fam.goto(t.base + '/report.html#' + link.token);
  await fam.waitForFunction(() => (document.getElementById('help')?.textContent || '').includes('37.0'), null, { timeout: 10000 });
  // a family without a thermometer: 发热 for the first person, sent — a fever, the alert opened
  const who = hh.people_missing[0];
  await fam.click(`.sym[data-for="${who.id}"] button[data-code=fever]`);
  await fam.click('#send');
  await fam.waitForFunction(() => (document.getElementById('status')?.textContent || '').includes('发热'), null, { timeout: 10000 });
  const alerts = await gw('GET', '/alerts?state=open&limit=200');
  assert((alerts.items || []).some((a) => a.resident_id === who.id), 'the 发热 tap opened an alert for ' + who.name);
  assert(!t.errors.filter((e) => !/Failed to load resource/.test(e)).length, 'no page errors: ' + t.errors.join(' | '));
  return '37.1 flagged on the form against a line of 37.0, its note and the family page say 37.0; the family\'s 发热 opens an alert';
}, { config: { fever_threshold: '37.0' } });
