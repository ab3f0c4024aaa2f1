// tests/web/gate-setup.mjs — the community secretary runs the closed compounds' gates from
// the web app (卡口设置, #/gates), on 前进巷 (`demo --preset qianjinxiang`: 11 compounds, 17
// gates into 8 checkpoints) at 1280×800:
//   - the compounds in order (一号院 first, 十一号院 last — the server lists 六号院 first),
//     the merged gates said as such (二号院东门 已并入一号院北门; 一号院北门 并入此门：二号院东门);
//   - 七号院大门 closed with a reason (a reason left empty is refused under 原因, named; its 记录
//     then says who closed it and why); the guard kk07 opening that gate next sees it closed;
//     then opened again;
//   - 一号院北门 cannot be closed while 二号院东门 is merged into it: the server's reason shown;
//   - 十一号院大门 merged into its neighbour's 十号院大门, shown on both;
//   - 三号院's rules: 外出天数 0 refused under that field, named, in Chinese, on screen, with
//     every typed value kept; corrected and saved (the server has it);
//   - 三号院 9栋's going-out windows: none yet; a bad second window refused under 外出时段,
//     named (第2段), the text kept; then two windows saved (the server reads them back);
// the Chinese screen has no English in it, and in English the same refusal is English; the same
// page on a 360×740 phone does not scroll sideways; a grid worker has no such menu.
//
//   node tests/web/gate-setup.mjs      (after `make`; `make webtest` runs it)
//
// Fails on the build before: there was no 卡口设置 screen (only curl could do any of this).
import path from 'node:path';
import { SHOTS, assert, pageReady, webTest } from './harness.mjs';
import { zhTextProblems } from './check-zh.mjs';

const DESK = { width: 1280, height: 800 };

async function onScreen(page, sel) {
  return page.evaluate((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
  }, sel);
}

webTest('gate-setup', ['--preset', 'qianjinxiang'], async (t) => {
  const call = await t.api('secretary');
  const gates = (await call('GET', '/gates')).items;
  const byName = (n) => gates.find((g) => g.name === n);
  const seven = byName('七号院大门');
  const ten = byName('十号院大门');
  const eleven = byName('十一号院大门');
  const north = byName('一号院北门');

  const page = await t.login('secretary', DESK);
  await page.click('nav a[href="#/gates"]');
  await pageReady(page, '.gs-page');

  // the compounds, in their order; the merged gates said as such
  const names = await page.$$eval('.gs-compound h2', (hs) => hs.map((x) => x.textContent));
  assert(names.length === 11, '11 compounds: ' + names.join(' '));
  assert(names[0].startsWith('一号院') && names[1].startsWith('二号院') && names[10].startsWith('十一号院'),
    'the compounds in natural order: ' + names.join(' '));
  const east2 = await page.textContent('.gs-gate[data-gate="' + byName('二号院东门').id + '"]');
  assert(east2.includes('已并入一号院北门'), '二号院东门 says where it is merged: ' + east2);
  const n1 = await page.textContent('.gs-gate[data-gate="' + north.id + '"]');
  assert(n1.includes('并入此门：二号院东门'), '一号院北门 says which gate is merged into it: ' + n1);
  await page.screenshot({ path: path.join(SHOTS, 'gate-setup-1-desk.png') });

  // close 七号院大门: without a reason refused under 原因; with one, closed
  const g7 = '.gs-gate[data-gate="' + seven.id + '"]';
  await page.click(g7 + ' button[data-action=closed]');
  await page.click(g7 + ' button[data-confirm=closed]');
  await page.waitForSelector(g7 + ' [data-field=reason] .field-error:not([hidden])');
  const rErr = await page.textContent(g7 + ' [data-field=reason] .field-error');
  assert(rErr.includes('原因') && /[\u3400-\u9fff]/.test(rErr) && !/required/.test(rErr), 'the empty reason is refused, named, in Chinese: ' + rErr);
  await page.fill(g7 + ' input[name=reason]', '封闭管理，七号院暂停通行');
  await page.click(g7 + ' button[data-confirm=closed]');
  await page.waitForSelector(g7 + '[data-state=closed]');
  assert((await page.textContent('#gs-done')) === '七号院大门已关闭', 'said to a screen reader on this page');
  assert((await call('GET', '/gates')).items.find((g) => g.id === seven.id).state === 'closed', 'the server has 七号院大门 closed');
  assert(await page.isVisible(g7 + ' button[data-action=history]') && (await page.evaluate((sel) => {
    const b = document.querySelector(sel);
    return getComputedStyle(b).color !== getComputedStyle(b.parentElement).backgroundColor && getComputedStyle(b).color !== 'rgb(255, 255, 255)';
  }, g7 + ' button[data-action=history]')), 'the 记录 button can be read');
  await page.click(g7 + ' button[data-action=history]');
  await page.waitForSelector(g7 + ' .gs-history-list li');
  const hist = await page.textContent(g7 + ' .gs-history-list li');
  assert(hist.includes('关闭') && hist.includes('封闭管理，七号院暂停通行') && hist.includes('萧静'), 'the gate\'s history says who closed it and why: ' + hist);

  // the guard at that gate sees it closed on the next load
  const guard = await t.login('kk07', { width: 360, height: 740 });
  await guard.goto(t.base + '/#/gate/' + seven.id);
  await pageReady(guard, '.gate-page[data-gate="' + seven.id + '"]');
  const facts = await guard.textContent('.gate-page');
  assert(facts.includes('关闭') && (await guard.isVisible('.gate-not-open[data-state=closed]')), 'the guard\'s screen says the gate is closed');
  await guard.screenshot({ path: path.join(SHOTS, 'gate-setup-2-guard.png') });

  // open it again
  await page.click(g7 + ' button[data-action=open]');
  await page.fill(g7 + ' input[name=reason]', '恢复通行');
  await page.click(g7 + ' button[data-confirm=open]');
  await page.waitForSelector(g7 + '[data-state=open]');
  assert((await call('GET', '/gates')).items.find((g) => g.id === seven.id).state === 'open', 'the server has 七号院大门 open again');

  // 一号院北门 has 二号院东门 merged into it: closing it is refused with the server's reason
  const gn = '.gs-gate[data-gate="' + north.id + '"]';
  await page.click(gn + ' button[data-action=closed]');
  await page.fill(gn + ' input[name=reason]', '试关');
  await page.click(gn + ' button[data-confirm=closed]');
  await page.waitForSelector(gn + ' .form-error:not([hidden])');
  const hasMerged = await page.textContent(gn + ' .form-error');
  assert(hasMerged.includes('并入了此门'), 'closing a gate others are merged into is refused, said: ' + hasMerged);
  assert((await page.inputValue(gn + ' input[name=reason]')) === '试关', 'the reason typed is kept');
  await page.click(gn + ' .gs-act button[data-cancel]');
  assert(await page.isHidden(gn + ' .gs-act'), 'cancel puts the form away');

  // merge 十一号院大门 into the neighbour's 十号院大门
  const g11 = '.gs-gate[data-gate="' + eleven.id + '"]';
  await page.click(g11 + ' button[data-action=merged]');
  await page.selectOption(g11 + ' select[name=into]', String(ten.id));
  await page.fill(g11 + ' input[name=reason]', '十一号院并入十号院卡口');
  await page.click(g11 + ' button[data-confirm=merged]');
  await page.waitForSelector(g11 + '[data-state=merged]');
  const m11 = await page.textContent(g11);
  assert(m11.includes('已并入十号院大门'), '十一号院大门 says it is merged into 十号院大门: ' + m11);
  const m10 = await page.textContent('.gs-gate[data-gate="' + ten.id + '"]');
  assert(m10.includes('并入此门：十一号院大门'), '十号院大门 says 十一号院大门 is merged into it: ' + m10);
  const srv11 = (await call('GET', '/gates')).items.find((g) => g.id === eleven.id);
  assert(srv11.state === 'merged' && srv11.merged_into.id === ten.id, 'the server has the merge: ' + JSON.stringify(srv11.merged_into));

  // 三号院's rules: a bad value refused under its field, named, on screen, nothing typed lost
  const c3 = '.gs-compound[data-compound="150105003008-G03"]';
  await page.click(c3 + ' .gs-rules > summary');
  await page.fill(c3 + ' input[name=quota_outings]', '2');
  await page.fill(c3 + ' input[name=outing_minutes]', '90');
  await page.fill(c3 + ' input[name=quota_days]', '0');
  await page.click(c3 + ' .gs-rules-form button[type=submit]');
  const qErrSel = c3 + ' [data-field=quota_days] .field-error';
  await page.waitForSelector(qErrSel + ':not([hidden])');
  const qErr = await page.textContent(qErrSel);
  assert(qErr.includes('几天') && qErr.includes('1至30') && !/between|must/.test(qErr), 'the refusal names the field, in Chinese: ' + qErr);
  assert(await onScreen(page, qErrSel), 'the refusal is on screen');
  assert((await page.inputValue(c3 + ' input[name=quota_outings]')) === '2' && (await page.inputValue(c3 + ' input[name=outing_minutes]')) === '90'
    && (await page.inputValue(c3 + ' input[name=quota_days]')) === '0', 'what was typed is kept');
  await page.screenshot({ path: path.join(SHOTS, 'gate-setup-3-refused.png') });
  let rules = (await call('GET', '/compounds/150105003008-G03/now?people=0')).rules;
  assert(rules.quota_outings === 1 && rules.quota_days === 2, 'nothing saved on a refusal: ' + JSON.stringify(rules));
  await page.fill(c3 + ' input[name=quota_days]', '3');
  await page.click(c3 + ' .gs-rules-form button[type=submit]');
  await page.waitForSelector(c3 + ' .gs-saved:not([hidden])');
  assert(await page.isHidden(qErrSel), 'the error is gone once saved');
  rules = (await call('GET', '/compounds/150105003008-G03/now?people=0')).rules;
  assert(rules.quota_outings === 2 && rules.quota_days === 3 && rules.outing_minutes === 90, 'the server has the rules: ' + JSON.stringify(rules));
  const line = await page.textContent(c3 + ' .gs-rules-line');
  assert(line.includes('每户每3天外出2次') && line.includes('90分钟'), 'the compound\'s rules line follows: ' + line);

  // 三号院's building 9: no windows yet; a bad second window refused under 外出时段, named; then set
  await page.click(c3 + ' .gs-windows > summary');
  await page.waitForSelector(c3 + ' .gs-windows select[name=building] option[value="150105003008-B09"]', { state: 'attached' });
  await page.selectOption(c3 + ' .gs-windows select[name=building]', '150105003008-B09');
  await page.waitForSelector(c3 + ' .gs-windows input[name=windows]:not([disabled])');
  const none = await page.textContent(c3 + ' .gs-windows-now');
  assert(none.includes('9栋没有设外出时段'), 'building 9 has no windows yet: ' + none);
  await page.fill(c3 + ' .gs-windows input[name=windows]', '08:00-10:00、25:00-26:00');
  await page.click(c3 + ' .gs-windows-form button[type=submit]');
  const wErrSel = c3 + ' [data-field=windows] .field-error';
  await page.waitForSelector(wErrSel + ':not([hidden])');
  const wErr = await page.textContent(wErrSel);
  assert(wErr.includes('外出时段') && wErr.includes('第2段') && wErr.includes('25:00-26:00') && !/looks like/.test(wErr), 'the bad window is named: ' + wErr);
  assert(await onScreen(page, wErrSel), 'the windows\' refusal is on screen');
  assert((await page.inputValue(c3 + ' .gs-windows input[name=windows]')) === '08:00-10:00、25:00-26:00', 'the windows typed are kept');
  await page.fill(c3 + ' .gs-windows input[name=windows]', '15:00-17:00、08:00-10:00');
  await page.click(c3 + ' .gs-windows-form button[type=submit]');
  await page.waitForSelector(c3 + ' .gs-windows .gs-saved:not([hidden])');
  const win = await call('GET', '/buildings/150105003008-B09/windows');
  assert(JSON.stringify(win.windows) === JSON.stringify(['08:00-10:00', '15:00-17:00']), 'the server has the windows: ' + JSON.stringify(win.windows));
  await page.screenshot({ path: path.join(SHOTS, 'gate-setup-4-windows.png') });
  const zhProblems = zhTextProblems(await page.innerText('main'));
  assert(zhProblems.length === 0, 'the Chinese screen reads as Chinese: ' + zhProblems.join('; '));

  // leaving the page: no notice of a change made there is shown on the next one
  await page.click('nav a[href="#/dashboard"]');
  await pageReady(page);
  const status = await page.textContent('#status');
  assert(!/saved|is open|is closed|merged|已保存|已开放|已关闭|已并入/.test(status), 'no stale notice on the next page: ' + status);

  // in English: the same refusal in English
  await page.click('header button:has-text("English")');
  await page.waitForSelector('nav a[href="#/gates"]:has-text("Gates")');
  await page.click('nav a[href="#/gates"]');
  await pageReady(page, '.gs-page');
  await page.click(c3 + ' .gs-rules > summary');
  await page.fill(c3 + ' input[name=quota_days]', '31');
  await page.click(c3 + ' .gs-rules-form button[type=submit]');
  await page.waitForSelector(qErrSel + ':not([hidden])');
  const enErr = await page.textContent(qErrSel);
  assert(enErr.includes('Counted over days') && enErr.includes('between 1 and 30'), 'in English the refusal is English: ' + enErr);

  // on a phone: the same page, no sideways scrolling
  const phone = await t.login('secretary', { width: 360, height: 740 });
  await phone.goto(t.base + '/#/gates');
  await pageReady(phone, '.gs-page');
  const w = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert(w <= 360, 'the page is ' + w + ' px wide on a 360 px phone');
  await phone.screenshot({ path: path.join(SHOTS, 'gate-setup-5-phone.png') });

  // a grid worker is not offered the screen
  const gw = await t.login('gw02', { width: 360, height: 740 });
  assert((await gw.$('nav a[href="#/gates"]')) === null, 'a grid worker has no 卡口设置 in the menu');
  await gw.goto(t.base + '/#/gates');
  await pageReady(gw);
  assert((await gw.$('.gs-gate button')) === null && (await gw.textContent('main')).includes('不能使用此功能'), 'nor the screen by its address');

  const pageErrors = t.errors.filter((e) => !/Failed to load resource/.test(e));
  assert(pageErrors.length === 0, 'no page errors: ' + pageErrors.join(' | '));
  return 'gates in order with their merges; close, open and merge with reasons; a rule refused under its field, then saved';
});
