// tests/web/issue13.mjs — the checks of issue 13 (a whole morning offline, a phone screen
// that fits, Chinese that reads as Chinese, files and links that work), registered into
// run.mjs's harness: register(h) with h = {check, assert, eq, newPage, login, shot, stat,
// apiLogin, checkinsOf, noErrors, PHONE, ROOT}.

import path from 'node:path';
import { checkZh, zhTextProblems } from './check-zh.mjs';

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


// Boxes of the elements matching sel: {text, x, y, w, h, right, bottom, covered} (covered: the
// point at the box's centre shows another element, e.g. a sticky bar above it).
function boxes(page, sel) {
  return page.$$eval(sel, (els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return {
      text: e.textContent.trim().slice(0, 20), x: r.x, y: r.y, w: r.width, h: r.height, right: r.right, bottom: r.bottom,
      covered: !!at && at !== e && !e.contains(at),
    };
  }));
}

function overlap(a, b) {
  return a.x < b.right - 0.5 && b.x < a.right - 0.5 && a.y < b.bottom - 0.5 && b.y < a.bottom - 0.5;
}

// Every box inside the viewport's width, none on another.
function fits(list, width, what, assert) {
  assert(list.length > 0, what + ': nothing found');
  for (const b of list) assert(b.x >= 0 && b.right <= width + 0.5 && b.w > 0, `${what}: "${b.text}" is off-screen (${Math.round(b.x)}–${Math.round(b.right)} of ${width})`);
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) assert(!overlap(list[i], list[j]), `${what}: "${list[i].text}" overlaps "${list[j].text}"`);
  }
}

function dayPlus(day, n) {
  return new Date(Date.parse(day + 'T00:00:00Z') + n * 86400000).toISOString().slice(0, 10);
}

export function register(h) {
  const { check, assert, eq, newPage, login, shot, apiLogin, checkinsOf, noErrors, pageReady, PHONE } = h;
  const WIDE = { width: 1440, height: 900 };

  check('offline morning: reload offline shows the kept Today, opens any household of the grid, a half-filled form survives, check-ins sync as today', async ({ browser, base }) => {
    const { ctx, page } = await newPage(browser, PHONE);
    await login(page, base, 'gw10');
    await page.waitForSelector('.today .missing li[data-household]');
    await page.evaluate(() => navigator.serviceWorker && navigator.serviceWorker.ready);
    // the grid is kept in the background once Today is drawn (its households and the grid in
    // one transaction): the page watches its own IndexedDB, and the test waits for the page
    // however long a busy machine takes (a 20 s loop of sleeps was too short for one)
    await page.evaluate(() => {
      window.__gridKept = false;
      const look = () => {
        const r = indexedDB.open('wangge-kept');
        r.onsuccess = () => {
          const db = r.result;
          if (db.objectStoreNames.contains('kept')) {
            const q = db.transaction('kept').objectStore('kept').getAllKeys();
            q.onsuccess = () => {
              window.__gridKept = q.result.some((k) => /^gw10\|grid:/.test(k));
              if (!window.__gridKept) window.setTimeout(look, 200);
            };
          } else {
            window.setTimeout(look, 200);
          }
          db.close();
        };
        r.onerror = () => window.setTimeout(look, 200);
      };
      look();
    });
    await page.waitForFunction(() => window.__gridKept === true);
    const keys = await keptKeys(page);
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
    await page.waitForSelector('.today .offline-note');
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
    // the form is kept by an IndexedDB write per change: a reload in the same instant (the
    // test's, not a worker's) would come before the last one is stored
    await page.waitForFunction(async (hid) => {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open('wangge-kept');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const recs = await new Promise((res) => {
        const q = db.transaction('kept', 'readonly').objectStore('kept').getAll();
        q.onsuccess = () => res(q.result);
        q.onerror = () => res([]);
      });
      db.close();
      return recs.some((x) => x.key.endsWith('|draft:' + hid) &&
        Object.values(x.data.people).some((d) => (d.symptoms || []).indexOf('cough') >= 0));
    }, half.household_id);
    await page.reload();
    await page.waitForSelector('.rollcall .person');
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
    await page.waitForSelector('#queue-badge[data-waiting="0"]', { state: 'attached', timeout: 40000 } /* the online event, else the 15 s retry */);
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

  check('phone 360×640: every menu item on screen, the first temperature field above the save bar, tiles and tables fit', async ({ browser, base }) => {
    const { ctx, page } = await newPage(browser, PHONE);
    await login(page, base, 'gw11');
    await page.waitForSelector('.today .missing li[data-household]');
    const nav = await boxes(page, '.nav a');
    eq(nav.length, 12, 'a grid worker has twelve menu items (求助 since issue 18, 我的上岗 since issue 19)');
    fits(nav, PHONE.width, 'menu', assert);
    assert(nav.every((b) => b.bottom <= PHONE.height && !b.covered), 'every menu item visible without scrolling');
    await shot(page, '29-phone-menu');
    // the roll-call form: the first temperature field is not under the sticky save bar
    await page.click('.missing li[data-household] a');
    await page.waitForSelector('.rollcall .person input.temp');
    const [temp] = await boxes(page, '.person input.temp');
    const [bar] = await boxes(page, '.savebar');
    assert(temp.bottom <= bar.y && !temp.covered, `the first temperature field (${Math.round(temp.y)}–${Math.round(temp.bottom)}) is clear of the save bar (from ${Math.round(bar.y)})`);
    assert(temp.y >= 0, 'the field is on screen');
    await shot(page, '30-phone-rollcall');
    // the four categories: tiles keep their words on a line or two, nothing wider than the phone
    await page.click('.nav a[href^="#/categories/"]');
    await page.waitForSelector('.cat-stats');
    const tiles = await boxes(page, '.cat-stats > div');
    fits(tiles, PHONE.width, 'category tiles', assert);
    const lines = await page.$$eval('.cat-stats dt', (els) => els.map((e) => {
      const lh = parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.5;
      return { text: e.textContent, lines: Math.round(e.getBoundingClientRect().height / lh) };
    }));
    for (const l of lines) assert(l.lines <= 2, `tile "${l.text}" takes ${l.lines} lines`);
    const cells = await boxes(page, '#cat-table tbody td, #cat-table tbody th, #cat-table tfoot td, #cat-table tfoot th');
    for (const c of cells) assert(c.x >= 0 && c.right <= PHONE.width + 0.5, `table cell "${c.text}" off-screen`);
    eq(await page.evaluate(() => document.documentElement.scrollWidth), PHONE.width, 'nothing wider than the phone');
    await page.evaluate(() => document.querySelector('.cat-stats').scrollIntoView());
    await shot(page, '31-phone-categories');
    noErrors(page, 'phone screens', [/401 \(Unauthorized\)/]);
    await ctx.close();
  });

  check('desktop 1440×900: menu, the categories table to its last column after a drill-down, the dashboard at full width on another day, no future day, the report named', async ({ browser, base }) => {
    const { ctx, page } = await newPage(browser, WIDE, { acceptDownloads: true });
    await login(page, base, 'secretary');
    await page.waitForSelector('.dashboard .chart canvas');
    fits(await boxes(page, '.nav a'), WIDE.width, 'menu', assert);
    const day = await page.inputValue('#dash-day');
    // the report downloads named by unit and day
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#dl-csv')]);
    eq(dl.suggestedFilename(), `日报-青和居社区-${day}.csv`, 'the daily report file name');
    // another day: the page is drawn again at full width, charts laid out for it
    const yesterday = dayPlus(day, -1);
    await page.fill('#dash-day', yesterday);
    await page.dispatchEvent('#dash-day', 'change');
    await page.waitForFunction((d) => location.hash.includes(d), yesterday);
    // the new page is in: today's page stays on screen (aria-busy) while yesterday's loads, and
    // measuring it would measure the page about to leave
    await page.waitForFunction((d) => {
      const m = document.querySelector('main');
      const input = document.getElementById('dash-day');
      return m && !m.hasAttribute('aria-busy') && input && input.value === d;
    }, yesterday);
    // the page drawn again: every chart of the new page has its ECharts instance
    await page.waitForFunction(() => {
      const els = Array.from(document.querySelectorAll('.dashboard .chart'));
      return els.length >= 4 && window.echarts && els.every((el) => window.echarts.getInstanceByDom(el) && el.querySelector('canvas'));
    });
    const [mainBox] = await boxes(page, 'main');
    assert(mainBox.w > 1300, 'the dashboard keeps the full width on another day: ' + Math.round(mainBox.w));
    // measured once the page is still: a live event may draw the dashboard again meanwhile
    const measure = () => Array.from(document.querySelectorAll('.dashboard .chart')).map((el) => {
      const c = window.echarts && window.echarts.getInstanceByDom(el);
      return { id: el.id, el: el.clientWidth, chart: c ? c.getWidth() : -1 };
    });
    await page.waitForFunction(new Function('return (' + measure.toString() + ')().every((x) => x.chart === x.el && x.el > 400)'),
      null).catch(() => {});
    const sizes = await page.evaluate(measure);
    for (const x of sizes) assert(x.chart === x.el && x.el > 400, `chart ${x.id} drawn for ${x.chart} px in ${x.el} px`);
    fits(await boxes(page, '.chart-card'), WIDE.width, 'chart cards', assert);
    // the charts' labels (ECharts text on the canvas, horizontal ones): inside the chart, none on another
    const labelsOf = () => Array.from(document.querySelectorAll('.dashboard .chart')).map((el) => {
      const c = window.echarts.getInstanceByDom(el);
      const out = [];
      c.getZr().storage.getDisplayList().forEach((d) => {
        if (!d.style || typeof d.style.text !== 'string' || !d.style.text.trim() || d.invisible || d.ignore) return;
        const m = d.getComputedTransform();
        if (m && Math.abs(m[1]) > 1e-6) return; // rotated axis labels: their boxes overlap by design
        const r = d.getBoundingRect().clone();
        if (m) r.applyTransform(m);
        out.push({ t: String(d.style.text).slice(0, 16), x: r.x, y: r.y, right: r.x + r.width, bottom: r.y + r.height });
      });
      return { id: el.id, w: c.getWidth(), h: c.getHeight(), labels: out };
    });
    // measured once the charts are still (bars and their labels grow in for 300 ms, longer on a
    // busy machine): the same labels on two reads 250 ms apart, waited for in the page (a loop
    // of twenty sleeps gave up after 5 s and measured labels still moving)
    await page.waitForFunction(new Function(`const now = JSON.stringify((${labelsOf.toString()})());
      const same = window.__lastLabels === now;
      window.__lastLabels = now;
      return same;`), null, { polling: 250 });
    const labels = await page.evaluate(new Function('return (' + labelsOf.toString() + ')()'));
    for (const ch of labels) {
      assert(ch.labels.length > 0, ch.id + ': labels drawn');
      for (const l of ch.labels) assert(l.x >= -1 && l.right <= ch.w + 1 && l.y >= -1 && l.bottom <= ch.h + 1, `${ch.id}: label "${l.t}" cut off`);
      for (let i = 0; i < ch.labels.length; i++) {
        for (let j = i + 1; j < ch.labels.length; j++) {
          const p = ch.labels[i];
          const q = ch.labels[j];
          assert(!(p.x < q.right - 1 && q.x < p.right - 1 && p.y < q.bottom - 1 && q.y < p.bottom - 1), `${ch.id}: "${p.t}" overlaps "${q.t}"`);
        }
      }
    }
    await shot(page, '32-desktop-dashboard-yesterday');
    // a future day: refused in the field, and in the address
    const tomorrow = dayPlus(day, 1);
    const hash = await page.evaluate(() => location.hash);
    await page.fill('#dash-day', tomorrow);
    await page.dispatchEvent('#dash-day', 'change');
    await page.waitForSelector('#dash-day-err:not([hidden])');
    eq(await page.evaluate(() => location.hash), hash, 'a future day is not opened');
    await page.goto(base + '/#/dashboard?day=' + tomorrow);
    await page.waitForFunction(() => !location.hash.includes('day='));
    // today's page in: until then yesterday's is on screen, 历史数据 and all, and the status
    // still empty
    await pageReady(page, '.dashboard h1');
    assert((await page.textContent('#status')).includes(tomorrow), 'says why the future day is not shown');
    assert(!(await page.textContent('.dashboard .dash-head')).includes('历史数据'), 'today, not zeros labelled as history');
    // the four categories: every column of the table on screen, after a drill-down too
    await page.click('.nav a[href^="#/categories/"]');
    await page.waitForSelector('#cat-table');
    const checkTable = async (what) => {
      const ths = await boxes(page, '#cat-table thead th');
      fits(ths, WIDE.width, what, assert);
      const wrap = await page.$eval('#cat-table', (t) => { const r = t.parentElement.getBoundingClientRect(); return { x: r.x, right: r.right }; });
      for (const b of ths) assert(b.right <= wrap.right + 0.5, `${what}: column "${b.text}" cut off by the table's box`);
      assert(ths.some((b) => b.text.includes('未收治')), what + ': the 未收治(应收尽收) column');
    };
    await checkTable('categories table');
    await shot(page, '33-desktop-categories');
    await page.click('#cat-table tbody a');
    await page.waitForFunction(() => /#\/categories\/.+-G/.test(location.hash));
    // the grid's table, not the community's still on screen while the grid's loads
    await pageReady(page, '#cat-table');
    await checkTable('categories table of a grid');
    noErrors(page, 'desktop screens', [/401 \(Unauthorized\)/]);
    await ctx.close();
  });

  check('Chinese that reads as Chinese: the zh catalogue and the Chinese screens have no English words and full-width punctuation; people by name', async ({ browser, base }) => {
    const cat = await checkZh(path.join(h.ROOT, 'web'));
    assert(!cat.length, 'the zh catalogue:\n  ' + cat.join('\n  '));
    const api = await apiLogin(browser, base, 'gw13');
    const cov = await api.call('GET', '/coverage');
    const me = await api.call('GET', '/session');
    const miss = (await api.call('GET', '/coverage/missing?limit=100')).items.filter((x) => x.living >= 2);
    // a fever with a cough (an alert), a confirmed case (tasks), its disinfection done
    const feverHh = miss[0];
    const fr = await api.call('POST', '/checkins', {
      household_id: feverHh.household_id, day: cov.day, channel: 'visit',
      readings: [{ resident_id: feverHh.people_missing[0].id, temperature: 38.2, symptoms: ['cough'] }],
    });
    const alertId = fr.results[0].alert_id;
    assert(alertId, 'the fever opened an alert');
    const caseHh = miss[miss.length - 1];
    await api.call('POST', `/residents/${caseHh.people_missing[0].id}/status`, { category: 'confirmed', reason: 'test_positive', note: '核酸阳性' });
    const task = (await api.call('GET', '/tasks?state=open&limit=50')).items.find((x) => x.kind === 'disinfection');
    await api.call('POST', '/tasks/' + task.id, { action: 'done', team: '街道消杀一队', place: '楼道、电梯', photo_note: '照片 4 张' });
    const link = await api.call('POST', `/households/${miss[1].household_id}/link`, {});

    const { ctx, page } = await newPage(browser, PHONE);
    const screen = async (what) => {
      const text = await page.evaluate(() => [document.querySelector('header'), document.getElementById('status'), document.querySelector('main')]
        .filter(Boolean).map((e) => e.innerText).join('\n'));
      const bad = zhTextProblems(text);
      assert(!bad.length, what + ':\n  ' + bad.join('\n  '));
      return text;
    };
    await login(page, base, 'gw13');
    await page.waitForSelector('.today .missing li[data-household]');
    await screen('Today');
    await page.click('#tab-calls');
    await screen('the call list');
    await page.click('#tab-missing');
    // a household saved: "已保存 …，共 n 人。", never "102:4 人"
    await page.click(`.missing li[data-household="${miss[2].household_id}"] a`);
    await page.waitForSelector('.rollcall .person');
    await screen('a household');
    await page.click('#all-normal');
    await page.waitForSelector('.today #today-cov');
    await page.waitForFunction(() => document.getElementById('status').textContent.includes('已保存'));
    const flash = await screen('Today after saving');
    assert(/已保存 .+，共 \d+ 人。/.test(flash) && !/\d:\d+ 人/.test(flash), 'the saved message: ' + flash.split('\n').find((l) => l.includes('已保存')));
    // the alert: the reading in words (咳嗽), not ["cough"]
    await page.goto(base + '/#/alert/' + alertId);
    await page.waitForSelector('.alert-page .steps li');
    const alertText = await screen('the alert');
    const opened = await page.textContent('.alert-page .steps li[data-step=opened]');
    assert(opened.includes('咳嗽') && opened.includes('38.2') && !opened.includes('cough'), 'the alert history in words: ' + opened);
    assert(!alertText.includes('["'), 'no raw JSON on the alert page');
    // the finished task names the person, not the login
    await page.goto(base + '/#/tasks?state=done');
    await page.waitForSelector(`li.task[data-task="${task.id}"]`);
    const taskText = await page.textContent(`li.task[data-task="${task.id}"]`);
    assert(taskText.includes(me.display_name) && !taskText.includes('gw13'), 'the task names ' + me.display_name + ': ' + taskText);
    await screen('the tasks');
    await page.goto(base + '/#/categories/' + me.unit_code);
    await pageReady(page, '#cat-table');
    await screen('the four categories');
    await page.goto(base + '/#/resident/' + caseHh.people_missing[0].id);
    await pageReady(page, '.epi'); // the categories page has a main h1 too
    await screen('the case');
    await shot(page, '34-zh-resident');
    // the resident's self-report page
    await page.goto(base + '/report.html#' + link.token);
    await page.waitForSelector('#form:not([hidden])');
    const selfText = await page.evaluate(() => document.body.innerText);
    const bad = zhTextProblems(selfText).concat(/[A-Za-z]{3,}/.test(selfText.replace(/\d/g, '')) ? ['English on the page: ' + selfText.match(/[A-Za-z]{3,}/)[0]] : []);
    assert(!bad.length, 'the self-report page:\n  ' + bad.join('\n  '));
    const title = await page.title();
    assert(!/[A-Za-z]/.test(title), 'the self-report title: ' + title);
    await shot(page, '35-zh-self-report');
    await api.close();
    noErrors(page, 'Chinese screens', [/401 \(Unauthorized\)/]);
    await ctx.close();
  });
}
