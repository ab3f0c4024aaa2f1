// tests/web/setup-edit.mjs — a community secretary corrects what she set up, on the qinghe
// demo at 1280×800 (two suppliers, three packages, today's round taking orders):
//   - 保供 → 开团: 编辑 on 武商量贩青山店 fills the supplier form with its values; a phone
//     typed wrong is refused under 联系电话, in Chinese, on screen, the text kept; corrected,
//     保存修改 shows the new phone in the list at once (no reload), the form back to adding;
//   - 编辑 on 蔬菜套餐 (ordered in today's round): a new price is refused under 价格, in
//     Chinese (截单前不能改价格), the price typed kept; the name alone is saved and shows in the
//     list and the round's offer at once; a new package's price is changed (¥12.00 → ¥15.50);
//   - 卡口设置: 编辑 on 西区5号门 fills its name, kinds and hours; hours 25:00-06:00 refused under
//     开放时间, in Chinese; then renamed with hours 06:00-22:00, shown in the list at once, its
//     state and the gates merged into others as they were.
// No English on the Chinese screens' refusals; no page errors.
//
//   node tests/web/setup-edit.mjs      (after `make`; `make webtest` runs it)
//
// Fails on the build before: there was no 编辑 on either screen (and no PATCH route).
import path from 'node:path';
import { DEMO, SHOTS, assert, fieldError, pageReady, webTest } from './harness.mjs';

const DESK = { width: 1280, height: 800 };

// A Chinese refusal: shown in the window, with the words expected and no English.
function chinese(err, words, what) {
  assert(err.text.includes(words) && !/[A-Za-z]/.test(err.text) && err.inView, what + ': ' + JSON.stringify(err));
}

async function suppliers(t, page, call, unit) {
  const sup = (await call('GET', '/supply/suppliers?unit=' + unit)).items.find((s) => s.name === '武商量贩青山店');
  const li = '#ss-suppliers li[data-supplier="' + sup.id + '"]';
  await page.click(li + ' button.ss-edit');
  const form = '#ss-supplier-form';
  await page.waitForSelector(form + '[data-editing="' + sup.id + '"]');
  const filled = await page.evaluate((f) => ['name', 'contact', 'phone', 'note'].map((n) => document.querySelector(f + ' [name=' + n + ']').value), form);
  assert(filled[0] === sup.name && filled[2] === sup.phone && filled[3] === (sup.note || ''), 'the form holds the supplier: ' + filled.join(' | '));
  assert((await page.textContent(form + ' h3')).includes('编辑供应商'), 'the form says it edits');

  await page.fill(form + ' [name=phone]', '027-8600-12x4');
  await page.click(form + ' button[type=submit]');
  chinese(await fieldError(page, form, 'phone'), '电话号码格式不对', 'a bad phone refused under the phone');
  assert(await page.inputValue(form + ' [name=phone]') === '027-8600-12x4', 'the phone typed is kept');
  await page.screenshot({ path: path.join(SHOTS, 'setup-edit-1-phone-refused.png') });

  await page.fill(form + ' [name=phone]', '027-86001235');
  await page.click(form + ' button[type=submit]');
  await page.waitForFunction((s) => document.querySelector(s).textContent.includes('027-86001235'), li);
  assert(!(await page.$(form + '[data-editing]')), 'the form is back to adding');
  assert(await page.inputValue(form + ' [name=name]') === '', 'and empty');
  const stored = (await call('GET', '/supply/suppliers?unit=' + unit)).items.find((s) => s.id === sup.id);
  assert(stored.phone === '027-86001235' && stored.name === sup.name && stored.contact === sup.contact, 'the server has it: ' + JSON.stringify(stored));
  return sup;
}

async function packages(t, page, call, unit, sup) {
  const pkgs = (await call('GET', '/supply/packages?unit=' + unit)).items;
  const veg = pkgs.find((p) => p.name === '蔬菜套餐');
  const form = '#ss-package-form';
  const li = (p) => '#ss-packages li[data-package="' + p.id + '"]';
  await page.click(li(veg) + ' button.ss-edit');
  await page.waitForSelector(form + '[data-editing="' + veg.id + '"]');
  assert(await page.inputValue(form + ' [name=price_fen]') === (veg.price_fen / 100).toFixed(2), 'the price is filled in');
  assert(await page.inputValue(form + ' [name=contents]') === veg.contents, 'the contents are filled in');
  assert(await page.inputValue(form + ' [name=supplier_id]') === String(veg.supplier_id), 'the supplier is chosen');

  await page.fill(form + ' [name=price_fen]', '45.00');
  await page.click(form + ' button[type=submit]');
  chinese(await fieldError(page, form, 'price_fen'), '截单前不能改价格', 'the price of an ordered package refused under the price');
  assert(await page.inputValue(form + ' [name=price_fen]') === '45.00', 'the price typed is kept');
  assert((await call('GET', '/supply/packages?unit=' + unit)).items.find((p) => p.id === veg.id).price_fen === veg.price_fen, 'the price is unchanged');
  await page.screenshot({ path: path.join(SHOTS, 'setup-edit-2-price-refused.png') });

  await page.fill(form + ' [name=price_fen]', (veg.price_fen / 100).toFixed(2));
  await page.fill(form + ' [name=name]', '蔬菜套餐（家常）');
  await page.click(form + ' button[type=submit]');
  await page.waitForFunction((s) => document.querySelector(s).textContent.includes('蔬菜套餐（家常）'), li(veg));
  assert((await page.textContent('label[for="ss-offer-' + veg.id + '"]')).includes('蔬菜套餐（家常）'), 'the round form offers it by its new name');
  assert((await call('GET', '/supply/packages?unit=' + unit)).items.find((p) => p.id === veg.id).name === '蔬菜套餐（家常）', 'the server has the name');

  // a package nobody ordered: its price changes
  await page.selectOption(form + ' [name=supplier_id]', String(sup.id));
  await page.fill(form + ' [name=name]', '鸡蛋套餐');
  await page.fill(form + ' [name=price_fen]', '12.00');
  await page.click(form + ' button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#ss-packages').textContent.includes('鸡蛋套餐'));
  const egg = (await call('GET', '/supply/packages?unit=' + unit)).items.find((p) => p.name === '鸡蛋套餐');
  await page.click(li(egg) + ' button.ss-edit');
  await page.fill(form + ' [name=price_fen]', '15.50');
  await page.click(form + ' button[type=submit]');
  await page.waitForFunction((s) => document.querySelector(s).textContent.includes('¥15.50'), li(egg));
  assert((await call('GET', '/supply/packages?unit=' + unit)).items.find((p) => p.id === egg.id).price_fen === 1550, 'the server has ¥15.50');
  await page.screenshot({ path: path.join(SHOTS, 'setup-edit-3-packages.png') });
}

async function gates(t, page, call) {
  const before = (await call('GET', '/gates')).items;
  const west = before.find((g) => g.name === '西区5号门');
  const row = '.gs-gate[data-gate="' + west.id + '"]';
  await page.click('nav a[href="#/gates"]');
  await pageReady(page, '.gs-page');
  await page.click(row + ' button[data-action=edit]');
  const form = row + ' .gs-edit-form';
  await page.waitForSelector(form);
  assert(await page.inputValue(form + ' [name=name]') === west.name, 'the gate form holds its name');
  const kinds = await page.$$eval(form + ' [name=kinds]:checked', (bs) => bs.map((b) => b.value));
  assert(kinds.join() === west.kinds.join(), 'and its kinds: ' + kinds.join());

  await page.fill(form + ' [name=hours]', '25:00-06:00');
  await page.click(form + ' button[type=submit]');
  chinese(await fieldError(page, form, 'hours'), '开放时间', 'bad hours refused under the hours');
  await page.screenshot({ path: path.join(SHOTS, 'setup-edit-4-hours-refused.png') });

  await page.fill(form + ' [name=name]', '西区5号门（主卡口）');
  await page.fill(form + ' [name=hours]', '06:00-22:00');
  await page.click(form + ' button[type=submit]');
  await page.waitForFunction((s) => {
    const el = document.querySelector(s + ' .gs-name');
    return el && el.textContent === '西区5号门（主卡口）';
  }, row);
  assert((await page.textContent(row)).includes('06:00-22:00'), 'the new hours shown: ' + (await page.textContent(row)));
  const after = (await call('GET', '/gates')).items;
  const w = after.find((g) => g.id === west.id);
  assert(w.name === '西区5号门（主卡口）' && w.hours === '06:00-22:00' && w.state === west.state, 'the server has it: ' + JSON.stringify(w));
  const merges = (gs) => gs.map((g) => g.id + ':' + g.state + ':' + (g.merged_into ? g.merged_into.id : '')).join();
  assert(merges(after) === merges(before), 'states and merges as they were');
  await page.screenshot({ path: path.join(SHOTS, 'setup-edit-5-gate.png') });
}

webTest('setup-edit', DEMO, async (t) => {
  const call = await t.api('secretary');
  const unit = (await call('GET', '/session')).unit_code;
  const page = await t.login('secretary', DESK);
  await page.goto(t.base + '/#/supply/setup');
  await pageReady(page, '#ss-round-form');
  const sup = await suppliers(t, page, call, unit);
  await packages(t, page, call, unit, sup);
  await gates(t, page, call);
  assert(!t.errors.filter((e) => !/Failed to load resource/.test(e)).length, 'no page errors: ' + t.errors.join(' | '));
  return 'a supplier\'s phone refused then corrected, an ordered package\'s price refused and its name saved, a new package repriced, a gate renamed with new hours — all shown at once';
});
