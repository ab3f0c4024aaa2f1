// tests/web/merchants.mjs — the price board of 丽园's merchants (liyuan demo) on gw01's
// 360×740 phone: a price entered under a class the community set no maximum markup for
// (青菜 instead of 蔬菜) is not checked against any cap — the board says 未设加价上限, not
// 正常 — and the class field suggests the classes that have a cap (蔬菜 …).
//
//   node tests/web/merchants.mjs      (after `make`; `make webtest` runs it)
//
// Fails on the build before: 大白菜 at ¥2.50 against ¥1.50 (67 % over) typed under 青菜 showed
// 检查 正常, and the class was a bare text field.
import path from 'node:path';
import { SHOTS, assert, noWiderThanPhone, pageReady, webTest } from './harness.mjs';

webTest('merchants', ['--preset', 'liyuan', '--seed', '7'], async (t) => {
  const page = await t.login('gw01', { width: 360, height: 740 });
  await page.goto(t.base + '/#/merchants');
  await pageReady(page, '.mer-card');
  // the demo's board: every class it uses has a cap, so every unflagged row reads 正常
  assert(!(await page.$('[data-nocap]')), 'no row of the demo\'s board without a cap');
  const suggested = await page.$$eval('#mer-classes option', (o) => o.map((x) => x.value));
  assert(suggested.includes('蔬菜'), 'the capped classes suggested: ' + suggested.join(','));

  const card = (await page.$$('.mer-card'))[0];
  const id = await card.getAttribute('data-merchant');
  const sel = `.mer-card[data-merchant="${id}"]`;
  await page.click(sel + ' .mer-price summary');
  assert((await page.getAttribute(sel + ' .mer-price input[name=class]', 'list')) === 'mer-classes', 'the class field offers the capped classes');
  await page.fill(sel + ' .mer-price input[name=product]', '油麦菜（斤）');
  await page.fill(sel + ' .mer-price input[name=class]', '青菜');
  await page.fill(sel + ' .mer-price input[name=price_fen]', '2.50');
  await page.fill(sel + ' .mer-price input[name=reference_fen]', '1.50');
  await page.click(sel + ' .mer-price button[type=submit]');
  await page.waitForSelector(`${sel} tr:has-text("油麦菜")`);
  const row = await page.textContent(`${sel} tr:has-text("油麦菜")`);
  assert(row.includes('未设加价上限') && !row.includes('正常'), 'an uncapped class is not called 正常: ' + row);
  await noWiderThanPhone(page, 'the merchants page');
  await page.screenshot({ path: path.join(SHOTS, 'merchants-1-nocap.png'), fullPage: true });
  return 'a price under a class without a cap says 未设加价上限; the capped classes are suggested';
});
