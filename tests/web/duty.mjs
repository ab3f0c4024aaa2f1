// tests/web/duty.mjs — a guard's own shift on the phone (我的上岗 → 我的班次, 360×740): the
// secretary puts the checkpoint account on a shift at 西区5号门 starting now; the guard sees it
// with 到岗, taps it (the roster's checked_in_at set, as the secretary's 到岗 column reads it),
// then 离岗 at the end of the shift.
//
//   node tests/web/duty.mjs      (after `make`; `make webtest` runs it)
//
// Fails on the build before: the app had no way to check in to a shift (POST
// /rosters/{id}/duty had no screen), so the roster's 到岗 column stayed empty.
// Real clock: the shift starts at the minute the test runs (China time) and lasts two hours.
import path from 'node:path';
import { SHOTS, DEMO, assert, noWiderThanPhone, pageReady, webTest } from './harness.mjs';

webTest('duty', DEMO, async (t) => {
  const sec = await t.api('secretary');
  const west = (await sec('GET', '/gates')).items.find((g) => g.name === '西区5号门');
  const guardApi = await t.api('checkpoint');
  const me = await guardApi('GET', '/staff/me', undefined, false);
  let staffId = me && me.id;
  if (!staffId) {
    const session = await guardApi('GET', '/session');
    staffId = (await sec('POST', '/staff', { unit: session.unit_code, kind: 'volunteer', name: session.display_name, username: 'checkpoint' })).id;
  }
  const china = (ms) => new Date(ms + 8 * 3600e3).toISOString();
  const now = Date.now();
  const shift = await sec('POST', '/shifts', {
    kind: 'checkpoint', gate_id: west.id, name: '测试班', start: china(now).slice(11, 16), end: china(now + 2 * 3600e3).slice(11, 16),
  });
  const entry = (await sec('POST', '/rosters', { shift_id: shift.id, staff_id: staffId, day: china(now).slice(0, 10) })).items[0];

  const page = await t.login('checkpoint', { width: 360, height: 740 });
  await page.goto(t.base + '/#/duty');
  await pageReady(page, `#duty-shifts li[data-roster="${entry.id}"]`);
  const li = `#duty-shifts li[data-roster="${entry.id}"]`;
  assert((await page.textContent(li)).includes('测试班'), 'the shift is listed');
  await noWiderThanPhone(page, 'my duty with a shift');
  await page.screenshot({ path: path.join(SHOTS, 'duty-1-shift.png') });
  await page.click(li + ' button[data-duty=in]');
  await pageReady(page, li + ' button[data-duty=out]');
  const after = (await sec('GET', '/rosters?from=' + entry.day + '&to=' + entry.day)).items.find((r) => r.id === entry.id);
  assert(after.checked_in_at, 'the roster has the guard on duty');
  assert((await page.textContent(li)).includes('到岗'), 'the time on duty is shown');
  await page.click(li + ' button[data-duty=out]');
  await pageReady(page, li + ':not(:has(button))');
  const done = (await sec('GET', '/rosters?from=' + entry.day + '&to=' + entry.day)).items.find((r) => r.id === entry.id);
  assert(done.checked_out_at, 'the roster has the guard off duty');
  await page.screenshot({ path: path.join(SHOTS, 'duty-2-done.png') });
  assert(!t.errors.filter((e) => !/Failed to load resource/.test(e)).length, 'no page errors: ' + t.errors.join(' | '));
  return 'the guard sees the shift on 我的上岗, taps 到岗 and 离岗; the roster has both';
});
