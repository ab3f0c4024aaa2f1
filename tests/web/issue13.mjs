// tests/web/issue13.mjs — the checks of issue 13 (a whole morning offline, a phone screen
// that fits, Chinese that reads as Chinese, files and links that work), registered into
// run.mjs's harness: register(h) with h = {check, assert, eq, newPage, login, shot, stat,
// apiLogin, checkinsOf, noErrors, PHONE, ROOT}.

// IndexedDB keys kept on the phone for offline use (keep.js).
function keptKeys(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const r = indexedDB.open('wangge-kept');
    r.onsuccess = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains('kept')) return resolve([]);
      const q = db.transaction('kept').objectStore('kept').getAllKeys();
      q.onsuccess = () => resolve(q.result);
    };
    r.onerror = () => resolve([]);
  }));
}

export function register(h) {
  const { check, assert, eq, newPage, login, shot, apiLogin, checkinsOf, noErrors, PHONE } = h;

  check('offline morning: reload offline shows the kept Today, opens any household of the grid, a half-filled form survives, check-ins sync as today', async ({ browser, base }) => {
    const { ctx, page } = await newPage(browser, PHONE);
    await login(page, base, 'gw10');
    await page.waitForSelector('.today .missing li[data-household]');
    await page.evaluate(() => navigator.serviceWorker && navigator.serviceWorker.ready);
    // the grid is kept in the background once Today is drawn
    let keys = [];
    for (let i = 0; i < 40 && !keys.some((k) => /^gw10\|grid:/.test(k)); i++) {
      await page.waitForTimeout(500);
      keys = await keptKeys(page);
    }
    const api = await apiLogin(browser, base, 'gw10');
    const cov = await api.call('GET', '/coverage');
    const missing = await api.call('GET', '/coverage/missing?limit=500');
    assert(missing.total > 30, 'the grid has more households to reach than one page: ' + missing.total);
    const hhs = await api.call('GET', '/households?limit=500');
    const kept = keys.filter((k) => /^gw10\|hh:/.test(k)).length;
    eq(kept, hhs.total, 'every household of the grid is kept on the phone');
    // the last household to reach: not on the first page Today showed
    const last = missing.items[missing.items.length - 1];
    const shownIds = await page.$$eval('.missing li[data-household]', (els) => els.map((e) => Number(e.getAttribute('data-household'))));
    assert(shownIds.indexOf(last.household_id) < 0, 'the last household was not shown before going offline');
    // another household: half-filled, then the page reloads
    const half = missing.items[1];

    await ctx.setOffline(true);
    await page.reload();
    await page.waitForSelector('.today .offline-note', { timeout: 15000 });
    const note = await page.textContent('.today .offline-note');
    assert(/本机保存/.test(note) && /\d\d:\d\d/.test(note), 'Today says it is the phone\'s copy and when it was fetched: ' + note);
    eq(await page.locator('.missing li[data-household]').count(), missing.total, 'the whole missing list offline');
    assert(await page.isVisible('#tab-calls'), 'the call list is there');
    await page.click('#tab-calls');
    assert(await page.locator('#panel-calls li.call').count() > 0, 'call list rows offline');
    await page.click('#tab-missing');
    await shot(page, '28-offline-reload');

    // a half-filled household form survives a reload
    await page.click(`.missing li[data-household="${half.household_id}"] a`);
    await page.waitForSelector('.rollcall .person');
    const firstTemp = page.locator('.person input.temp').first();
    await firstTemp.fill('37.9');
    await page.locator('.person').first().locator('.sym[data-symptom=cough]').click();
    await page.reload();
    await page.waitForSelector('.rollcall .person', { timeout: 15000 });
    eq(await page.locator('.person input.temp').first().inputValue(), '37.9', 'the typed temperature is back after the reload');
    eq(await page.locator('.person').first().locator('.sym[data-symptom=cough]').getAttribute('aria-pressed'), 'true', 'the symptom is back');
    assert(await page.isVisible('.draft-note'), 'the page says the form was restored');
    assert(await page.isVisible('.offline-note'), 'the page says it is offline');
    await page.click('#save');
    await page.waitForSelector('.today .offline-note');

    // the last household of the list, opened offline from the kept grid
    await page.click(`.missing li[data-household="${last.household_id}"] a`);
    await page.waitForSelector('.rollcall .person');
    const note2 = await page.textContent('.rollcall-page .offline-note');
    assert(/\d\d:\d\d/.test(note2), 'the household says when it was fetched: ' + note2);
    const n = await page.locator('.person').count();
    await page.click('#all-normal');
    await page.waitForSelector('#queue-badge[data-waiting="2"]');

    await ctx.setOffline(false);
    await page.waitForSelector('#queue-badge[data-waiting="0"]', { state: 'attached', timeout: 15000 });
    const a = await checkinsOf(api, half.household_id, cov.day);
    const b = await checkinsOf(api, last.household_id, cov.day);
    const first = Object.values(a).map((x) => x[0]).find((x) => x.temperature === 37.9);
    assert(first && first.fever && (first.symptoms || []).indexOf('cough') >= 0, 'the restored reading is stored as today\'s: ' + JSON.stringify(a));
    eq(Object.keys(b).length, n, 'the household opened offline: everyone stored today');
    // logout leaves nothing kept on the phone
    page.on('dialog', (d) => d.accept());
    await page.click('button:has-text("退出")');
    await page.waitForSelector('input[name=username]');
    eq((await keptKeys(page)).length, 0, 'nothing kept after logout');
    await api.close();
    noErrors(page, 'offline morning', [/401 \(Unauthorized\)/, /ERR_INTERNET_DISCONNECTED/, /Failed to fetch/]);
    await ctx.close();
  });
}
