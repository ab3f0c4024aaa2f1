// tests/web/supply-setup.mjs — a community secretary sets up group buying in the web app: on a
// fresh 丽园 demo (no supplier, package or round) `secretary` opens 保供 → 开团 on a desktop,
// adds a supplier and a package (with its contents and price), fills in a round with a pickup
// slot and a cut-off before its opening — refused under 截单时间 in Chinese, on screen, with
// everything typed still there — then a good cut-off opens the round on its own page (its
// package and slot stored); on a phone the page fits, and a supplier's name used already is
// refused under the name.
//
//   node tests/web/supply-setup.mjs      (after `make`; `make webtest` runs it)
//
// Fails on the build before: 保供 had no way to add a supplier, a package or a round.
import path from 'node:path';
import { SHOTS, assert, chinaTime, fieldError, noWiderThanPhone, pageReady, webTest } from './harness.mjs';

const local = (hours) => chinaTime(hours).replace(' ', 'T'); // a datetime-local value

webTest('supply-setup', ['--preset', 'liyuan'], async (t) => {
  const call = await t.api('secretary');
  const unit = (await call('GET', '/session')).unit_code;
  assert(!(await call('GET', '/supply/rounds?unit=' + unit)).items.length, 'the liyuan demo starts without a round');

  const page = await t.login('secretary', { width: 1280, height: 800 });
  await page.goto(t.base + '/#/supply');
  await pageReady(page, '#sup-setup');
  await page.click('#sup-setup');
  await pageReady(page, '#ss-round-form');

  // a supplier
  await page.fill('#ss-supplier-form [name=name]', '丽园蔬菜配送');
  await page.fill('#ss-supplier-form [name=contact]', '马建国');
  await page.fill('#ss-supplier-form [name=phone]', '13899012345');
  await page.click('#ss-supplier-form button[type=submit]');
  await page.waitForSelector('#ss-suppliers li[data-supplier]');
  const sup = (await call('GET', '/supply/suppliers?unit=' + unit)).items.find((s) => s.name === '丽园蔬菜配送');
  assert(sup && sup.phone === '13899012345', 'the supplier is stored: ' + JSON.stringify(sup));

  // a package of that supplier (chosen already: the one just added)
  assert(await page.$eval('#ss-package-form [name=supplier_id]', (s) => s.value) === String(sup.id), 'the new supplier is chosen');
  await page.fill('#ss-package-form [name=name]', '蔬菜套餐');
  await page.fill('#ss-package-form [name=price_fen]', '39.50');
  await page.fill('#ss-package-form [name=contents]', '胡萝卜3斤、白菜1棵、土豆2斤');
  await page.click('#ss-package-form button[type=submit]');
  await page.waitForSelector('#ss-packages li[data-package]');
  const pkg = (await call('GET', '/supply/packages?unit=' + unit)).items.find((p) => p.name === '蔬菜套餐');
  assert(pkg && pkg.price_fen === 3950 && pkg.supplier_id === sup.id, 'the package is stored: ' + JSON.stringify(pkg));
  assert(await page.isChecked('#ss-offer-' + pkg.id), 'the new package is offered in the round');

  // a round with a pickup slot, its cut-off before its opening: refused under the cut-off
  const gridCode = (await call('GET', '/units/' + unit + '/children')).items[0].code;
  await page.fill('#ss-round-form [name=name]', '丽园第1批');
  await page.fill('#ss-round-form [name=opens]', local(2));
  await page.fill('#ss-round-form [name=cutoff]', local(1));
  await page.fill('#ss-round-form [name=rest_minutes]', '90');
  await page.click('#ss-slot-add');
  await page.selectOption('.ss-slot select', gridCode);
  await page.fill('.ss-slot [name=starts]', local(28));
  await page.fill('.ss-slot [name=ends]', local(30));
  await page.fill('.ss-slot [name=capacity]', '50');
  await page.click('#ss-round-send');
  const bad = await fieldError(page, '#ss-round-form', 'cutoff');
  assert(bad.text.includes('截单时间') && !/[A-Za-z]/.test(bad.text), 'the cut-off refused in Chinese: ' + bad.text);
  assert(bad.inView, 'the refusal is scrolled into view');
  assert(/#\/supply\/setup$/.test(page.url()), 'still on the form: ' + page.url());
  await page.screenshot({ path: path.join(SHOTS, 'supply-setup-1-refused.png') });
  const kept = await page.evaluate(() => ({
    name: document.querySelector('#ss-round-form [name=name]').value,
    rest: document.querySelector('#ss-round-form [name=rest_minutes]').value,
    cap: document.querySelector('.ss-slot [name=capacity]').value,
    ticked: document.querySelectorAll('#ss-offer input:checked').length,
  }));
  assert(kept.name === '丽园第1批' && kept.rest === '90' && kept.cap === '50' && kept.ticked === 1, 'nothing typed is lost: ' + JSON.stringify(kept));
  assert(!(await call('GET', '/supply/rounds?unit=' + unit)).items.length, 'no round made by the refused form');

  // a good cut-off: the round opens on its own page
  await page.fill('#ss-round-form [name=cutoff]', local(26));
  await page.click('#ss-round-send');
  await page.waitForURL(/#\/supply\/\d+$/);
  await pageReady(page, '#sup-figures');
  const id = Number(/#\/supply\/(\d+)$/.exec(page.url())[1]);
  const h1 = await page.textContent('h1');
  assert(h1.includes('丽园第1批'), 'the round page: ' + h1);
  const r = await call('GET', '/supply/rounds/' + id);
  assert(r.packages.length === 1 && r.packages[0].id === pkg.id, 'the round offers the package');
  assert(r.rest_minutes === 90 && r.slots.length === 1 && r.slots[0].unit === gridCode && r.slots[0].capacity === 50, 'the round and its slot: ' + JSON.stringify(r.slots));
  assert(r.cutoff.slice(0, 16).replace('T', ' ') === chinaTime(26).slice(0, 16) || r.cutoff.slice(0, 16) === local(26), 'cut-off as typed: ' + r.cutoff);
  await page.screenshot({ path: path.join(SHOTS, 'supply-setup-2-round.png') });

  // on a phone: the page fits; a supplier's name used already is refused under the name
  const phone = await t.login('secretary', { width: 360, height: 740 });
  await phone.goto(t.base + '/#/supply/setup');
  await pageReady(phone, '#ss-round-form');
  await noWiderThanPhone(phone, 'the set-up page');
  await phone.fill('#ss-supplier-form [name=name]', '丽园蔬菜配送');
  await phone.fill('#ss-supplier-form [name=note]', '第二个');
  await phone.click('#ss-supplier-form button[type=submit]');
  const dup = await fieldError(phone, '#ss-supplier-form', 'name');
  assert(dup.text.includes('同名') && !/[A-Za-z]/.test(dup.text) && dup.inView, 'the name refused on the phone: ' + JSON.stringify(dup));
  assert(await phone.inputValue('#ss-supplier-form [name=note]') === '第二个', 'the note is kept');
  await phone.screenshot({ path: path.join(SHOTS, 'supply-setup-3-phone.png'), fullPage: true });
  assert(!t.errors.filter((e) => !/Failed to load resource/.test(e)).length, 'no page errors: ' + t.errors.join(' | '));
  return 'supplier, package ¥39.50, a cut-off before the opening refused under 截单时间, round #' + id + ' with its slot on its page; on a phone a name used already refused';
});
