// tests/web/staff.mjs — staffing the grids (人员) in headless chromium on a 1366×900 desktop:
// the secretary of 青和居 (the demo at its own size) opens 人员, sees that grid 7 has no
// leader and that building 3's five-person team lacks a volunteer, fills both from the
// volunteer list, builds next week's roster for the gate's first shift (a second try for
// the same person is refused with the server's message by the field), and the server has
// it: no vacancy left, the team complete, seven roster entries.  Then a volunteer on grid 7
// reports a fever on a phone (我的上岗): she is taken off duty at once, and the secretary's
// 人员 page shows her post vacant with the households it frees and why, and the fill
// history of the two gaps filled; the dashboard shows the staff counts.
//
//   node tests/web/staff.mjs          (after `make` and `npm ci && npm run build`; `make webtest` runs it)
//
// Its own demo store and server.  Screenshots: build/screenshots/staff-*.png.
import path from 'node:path';
import { SHOTS, assert, signIn, webTest } from './harness.mjs';

const C = '420107003008';

webTest('staff', ['--preset', 'qinghe', '--seed', '1'], async (t) => {
  const { base, browser, errors } = t;
  let page = null;
  const call = await t.api('secretary');

  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = t.page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(page, base, 'secretary');
  await page.waitForSelector('nav a[href="#/staff"]');
  await page.click('nav a[href="#/staff"]');
  const g7 = `#vacancy-list li[data-vkind=no_leader][data-unit="${C}-G07"]`;
  const b3 = `#vacancy-list li[data-vkind=team_incomplete][data-unit="${C}-B03"]`;
  await page.waitForSelector(g7);
  assert((await page.textContent(g7)).includes('第七网格没有网格长'), 'grid 7 has no leader: ' + await page.textContent(g7));
  assert((await page.textContent(b3)).includes('缺1名志愿者'), 'building 3 lacks a volunteer: ' + await page.textContent(b3));
  assert(await page.isVisible(`#staff-teams li[data-team="${C}-B03"][data-complete=false]`), 'the team shown incomplete');
  await page.screenshot({ path: path.join(SHOTS, 'staff-1-vacancies.png'), fullPage: true });

  // fill grid 7's leader from the volunteer list (volunteers are offered first)
  await page.click(g7 + ' summary');
  const opt = await page.$$eval(g7 + ' select[name=staff_id] option', (o) => o.map((x) => x.textContent));
  assert(opt[1] && opt[1].includes('志愿者'), 'a volunteer offered first: ' + opt[1]);
  await page.selectOption(g7 + ' select[name=staff_id]', { index: 1 });
  await page.click(g7 + ' button[type=submit]');
  await page.waitForSelector(g7, { state: 'detached' });
  // and building 3's missing volunteer
  await page.click(b3 + ' summary');
  const opt3 = await page.$$eval(b3 + ' select[name=staff_id] option', (o) => o.map((x) => x.textContent));
  assert(opt3.slice(1).every((x) => x.includes('志愿者')), 'only volunteers offered for the team: ' + opt3.join(' | '));
  await page.selectOption(b3 + ' select[name=staff_id]', { index: 1 });
  await page.click(b3 + ' button[type=submit]');
  await page.waitForSelector(b3, { state: 'detached' });
  await page.waitForSelector(`#staff-teams li[data-team="${C}-B03"][data-complete=true]`);
  await page.waitForSelector('#vacancy-none');

  // next week's gate roster: the first shift of 西区5号门, a volunteer, seven days
  const shiftOpts = await page.$$eval('#roster-form select[name=shift_id] option', (o) => o.map((x) => [x.value, x.textContent]));
  const gate = shiftOpts.find((o) => o[1].includes('西区5号门'));
  assert(gate, 'the gate\'s shifts offered');
  await page.selectOption('#roster-form select[name=shift_id]', gate[0]);
  const people = await page.$$eval('#roster-form select[name=staff_id] option', (o) => o.map((x) => [x.value, x.textContent]));
  const vol = people.find((o) => o[1].includes('志愿者'));
  await page.selectOption('#roster-form select[name=staff_id]', vol[0]);
  const week = await page.inputValue('#roster-form input[name=week]');
  await page.click('#roster-form button[type=submit]');
  await page.waitForFunction((id) => document.querySelectorAll('#roster-table tbody tr').length >= 7, vol[0]);
  await page.screenshot({ path: path.join(SHOTS, 'staff-2-roster.png'), fullPage: true });
  // the same again: refused, the server's message by the person field
  await page.selectOption('#roster-form select[name=shift_id]', gate[0]);
  await page.selectOption('#roster-form select[name=staff_id]', vol[0]);
  await page.click('#roster-form button[type=submit]');
  await page.waitForSelector('#roster-form select[name=staff_id][aria-invalid=true]');
  const msg = await page.textContent('#roster-form .field-error:not([hidden])');
  assert(msg.includes('同一时间不能在两处'), 'the conflict shown: ' + msg);

  // on the server
  const v = await call('GET', '/vacancies?unit=' + C);
  assert(v.total === 0, 'no vacancy left: ' + JSON.stringify(v.counts));
  const end = new Date(week + 'T00:00:00Z');
  end.setUTCDate(end.getUTCDate() + 6);
  const r = await call('GET', `/rosters?unit=${C}&from=${week}&to=${end.toISOString().slice(0, 10)}`);
  assert(r.items.filter((x) => String(x.staff_id) === vol[0] && x.shift_id === Number(gate[0])).length === 7, 'seven entries');
  const team = (await call('GET', '/teams?unit=' + C)).items.find((x) => x.building === C + '-B03');
  assert(team.complete && team.members.length === 5, 'building 3\'s five');

  // a volunteer with a grid post reports a fever on her phone
  const me = (await call('GET', '/staff?unit=' + C + '&kind=volunteer&limit=500')).items.find((x) => x.username === 'vol02');
  await call('POST', '/staff/' + me.id + '/assignments', { target: 'grid', unit: C + '-G07', position: 'grid_worker' });
  const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const phone = await phoneCtx.newPage();
  phone.on('pageerror', (e) => errors.push('phone: ' + e.message));
  await signIn(phone, base, 'vol02');
  await phone.waitForSelector('header');
  await phone.goto(base + '/#/duty');
  await phone.waitForSelector('#duty-form');
  await phone.fill('#duty-form input[name=temperature]', '38.7');
  await phone.click('#duty-form button[type=submit]');
  await phone.waitForSelector('#duty-result');
  const said = await phone.textContent('#duty-result');
  assert(said.includes('暂停上岗') && said.includes('户'), 'the phone says she is off duty and what she handed back: ' + said);
  await phone.waitForSelector('#duty-off');
  await phone.screenshot({ path: path.join(SHOTS, 'staff-3-phone-fever.png'), fullPage: true });
  await phoneCtx.close();
  // the secretary sees the freed households at once
  await page.click('nav a[href="#/dashboard"]');
  await page.click('nav a[href="#/staff"]');
  const off = `#vacancy-list li[data-vkind=off_duty][data-unit="${C}-G07"]`;
  await page.waitForSelector(off);
  const offText = await page.textContent(off);
  assert(offText.includes(me.name) && /（\d+户）/.test(offText) && offText.includes('自报发热'), 'the freed post with its households: ' + offText);
  const hist = await page.textContent('#fill-history');
  assert(hist.includes('志愿者名单') && hist.includes('无网格长') && hist.includes('楼栋小组不全'), 'how the gaps were filled: ' + hist);
  await page.screenshot({ path: path.join(SHOTS, 'staff-4-freed.png'), fullPage: true });

  // the dashboard's counts
  await page.goto(base + '/#/dashboard');
  await page.waitForSelector('#dash-staff tr[data-vkind=no_leader]');
  const real = errors.filter((e) => !/401 \(Unauthorized\)|409 \(Conflict\)/.test(e));
  assert(!real.length, 'console errors: ' + real.join('; '));
  return 'the secretary fills grid 7\'s leader and building 3\'s volunteer from the volunteer list and rosters next week at the gate';
});
