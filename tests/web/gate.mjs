// tests/web/gate.mjs — the checkpoint view (卡口) in headless chromium on a 360×640 phone:
// the guard logs in, lands on the gate list, picks 西区5号门, finds a resident by name and
// lets them out with one tap (the temperature filled in), turns back a resident with a fever
// (the reason shown large, an alert opened on the server) and a red-code courier, lets one
// out on a pass the secretary issued on the household page (typed, and read by the camera); a passage whose answer was lost
// and one taken down with the phone offline wait in the phone's queue and reach the server
// once each when the network returns; and sees the compound's day and who is outside, as the
// secretary's dashboard does live (the gates' tile, over SSE); the secretary issues a named
// staff pass (通行证) on the gate list, the guard's camera reads it and lets the nurse in,
// and the secretary's revocation refuses the very next tap.
//
//   node tests/web/gate.mjs           (after `make` and `npm ci && npm run build`; `make webtest` runs it)
//
// Its own demo store and server (qinghe, 600 households), like run.mjs; the gates are open
// all day, so no clock is moved.  Screenshots: build/screenshots/gate-*.png.
import path from 'node:path';
import { SHOTS, DEMO, assert, noWiderThanPhone, signIn, webTest } from './harness.mjs';

webTest('gate', DEMO, async (t) => {
  const { base, browser, errors } = t;
  let page = null;
  // the secretary's API session: two residents of different households with unique names
  const call = await t.api('secretary');
  const res = (await call('GET', '/residents?unit=420107003008&limit=200')).items;
  const count = {};
  for (const r of res) count[r.name] = (count[r.name] || 0) + 1;
  const picks = [];
  for (const r of res) {
    if (r.residence === 'living' && count[r.name] === 1 && !picks.some((p) => p.household_id === r.household_id)) picks.push(r);
    if (picks.length === 5) break;
  }
  assert(picks.length === 5, 'five residents to let through');
  const west = (await call('GET', '/gates')).items.find((g) => g.name === '西区5号门');

  const ctx = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  // the phone's camera and the browser's BarcodeDetector, stood in for: a canvas stream,
  // and a detector that reads what the test puts in window.__qr (headless chromium has
  // neither a camera nor BarcodeDetector on Linux)
  await ctx.addInitScript(() => {
    window.BarcodeDetector = class {
      async detect() { return window.__qr ? [{ rawValue: window.__qr, format: 'qr_code' }] : []; }
    };
    navigator.mediaDevices.getUserMedia = async () => {
      const c = document.createElement('canvas');
      c.width = 64;
      c.height = 64;
      c.getContext('2d').fillRect(0, 0, 64, 64);
      return c.captureStream(5);
    };
  });
  page = t.page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(page, base, 'checkpoint');
  await page.waitForSelector('.gate-pick');
  assert((await page.evaluate(() => window.location.hash)) === '#/gate', 'the guard lands on the gate list');
  await page.screenshot({ path: path.join(SHOTS, 'gate-1-pick.png') });
  await page.click(`.gate-pick a[data-gate="${west.id}"]`);
  await page.waitForSelector('#gate-q');

  // two taps: the person, then 出 (the temperature is already 36.5)
  await page.fill('#gate-q', picks[0].name);
  await page.press('#gate-q', 'Enter');
  await page.click(`li[data-resident="${picks[0].id}"] .gate-out`);
  await page.waitForSelector('#gate-verdict[data-allowed="1"]');
  const ok = await page.textContent('#gate-verdict');
  assert(ok.includes('可以通行') && ok.includes(picks[0].name), 'allowed shown large: ' + ok);
  await page.waitForFunction(() => document.querySelector('#gate-stats [data-stat=out]')?.textContent === '1');
  await page.screenshot({ path: path.join(SHOTS, 'gate-2-allowed.png') });

  // a fever coming in: refused, the reason in Chinese with English beside it
  await page.fill('#gate-temp', '38.2');
  await page.fill('#gate-q', picks[1].name);
  await page.press('#gate-q', 'Enter');
  await page.click(`li[data-resident="${picks[1].id}"] .gate-in`);
  await page.waitForSelector('#gate-verdict[data-allowed="0"] [data-reason=fever]');
  const no = await page.textContent('#gate-verdict');
  assert(no.includes('不能通行') && no.includes('38.2') && no.includes('wait here'), 'refused with its reason: ' + no);
  await page.screenshot({ path: path.join(SHOTS, 'gate-3-fever.png') });

  // a red-code courier
  await page.fill('#gate-temp', '36.6');
  await page.click('.gate-visitor summary');
  await page.fill('#gv-name', '刘师傅');
  await page.fill('#gv-phone', '13907130001');
  await page.selectOption('#gv-code', 'red');
  await page.click('#gate-visitor-form .gate-in');
  await page.waitForSelector('#gate-verdict[data-allowed="0"] [data-reason=code_red]');
  await page.screenshot({ path: path.join(SHOTS, 'gate-4-courier.png'), fullPage: true });

  // the secretary issues the household's pass on its page; the guard types its number
  const secPage = await (await browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'zh-CN' })).newPage();
  await signIn(secPage, base, 'secretary');
  await secPage.waitForSelector('.who');
  await secPage.goto(base + '/#/household/' + picks[2].household_id);
  await secPage.click('#pass-panel summary');
  await secPage.click('#pass-issue');
  await secPage.waitForSelector('#pass-card img.qr-img');
  const number = (await secPage.textContent('#pass-token')).trim();
  assert(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/.test(number), 'the pass number shown in groups: ' + number);
  await secPage.screenshot({ path: path.join(SHOTS, 'gate-5-pass-issued.png') });
  await page.fill('#gate-token', number);
  await page.press('#gate-token', 'Enter');
  const row = `#gate-pass li[data-resident="${picks[2].id}"]`;
  await page.waitForSelector(row);
  assert((await page.textContent(row)).includes('可外出'), 'the pass shows who may go out');
  await page.click(row + ' .gate-out');
  await page.waitForSelector('#gate-verdict[data-allowed="1"]');
  await page.screenshot({ path: path.join(SHOTS, 'gate-6-pass.png') });
  // the same card through the camera: 扫码, the code read, the household shown
  await page.fill('#gate-token', '');
  await page.evaluate(() => { document.querySelector('#gate-pass').replaceChildren(); });
  await page.click('#gate-camera-start');
  await page.waitForSelector('#gate-camera video');
  await page.evaluate((n) => { window.__qr = n.replace(/ /g, ''); }, number);
  await page.waitForSelector(row);
  assert(await page.isHidden('#gate-camera'), 'the camera closes once the code is read');
  assert((await page.inputValue('#gate-token')) === number.replace(/ /g, ''), 'the number read fills the field');

  // the secretary's dashboard has the gates' live tile: who is outside now
  await secPage.goto(base + '/#/dashboard');
  await secPage.waitForSelector('#gate-tile [data-stat=outside]');
  const outBefore = Number(await secPage.textContent('#gate-tile [data-stat=outside]'));
  assert(outBefore === 2, 'the tile shows the two residents outside: ' + outBefore);
  // the tile is drawn again on the live feed's passage events only: the feed open before
  // the passages below are made, or their events go to nobody
  await secPage.waitForSelector('.live-open');

  // the answer is lost on the way back: the passage waits in the phone's queue with its
  // client_id and capture time, and is stored once when it is sent again
  await page.route('**/api/v1/passages', async (route) => {
    await route.fetch();
    await route.abort('internetdisconnected');
  });
  await page.fill('#gate-q', picks[3].name);
  await page.press('#gate-q', 'Enter');
  await page.click(`li[data-resident="${picks[3].id}"] .gate-out`);
  await page.waitForSelector('#gate-verdict[data-allowed="queued"]');
  await page.screenshot({ path: path.join(SHOTS, 'gate-7-queued.png') });
  await page.unroute('**/api/v1/passages');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForSelector('#queue-badge[data-waiting="0"]', { state: 'attached' });

  // the phone offline: found while online, let out offline, synced when it is back
  await page.fill('#gate-q', picks[4].name);
  await page.press('#gate-q', 'Enter');
  await page.waitForSelector(`li[data-resident="${picks[4].id}"] .gate-out`);
  await ctx.setOffline(true);
  await page.click(`li[data-resident="${picks[4].id}"] .gate-out`);
  await page.waitForSelector('#gate-verdict[data-allowed="queued"]');
  // the badge is counted from the phone's queue after the verdict is drawn: waited for
  await page.waitForSelector('#queue-badge[data-waiting="1"]', { state: 'attached' });
  await ctx.setOffline(false);
  await page.waitForSelector('#queue-badge[data-waiting="0"]', { state: 'attached' });
  await page.waitForFunction(() => document.querySelector('#gate-stats [data-stat=out]')?.textContent === '4');

  // the tile followed the passages live (SSE), without a reload
  await secPage.waitForFunction(() => document.querySelector('#gate-tile [data-stat=outside]')?.textContent === '4');
  await secPage.waitForSelector(`#gate-tile tr[data-gate="${west.id}"] [data-stat=out]`);
  assert((await secPage.textContent(`#gate-tile tr[data-gate="${west.id}"] [data-stat=out]`)) === '4', 'four out at 西区5号门');
  await secPage.screenshot({ path: path.join(SHOTS, 'gate-9-dashboard-tile.png'), fullPage: true });

  // the compound today on the gate list: who is out
  await page.click('.gate-change');
  await page.waitForSelector('.gate-compound [data-stat=outside]');
  assert((await page.textContent('.gate-compound [data-stat=outside]')).trim() === '4', 'four residents outside');
  await page.screenshot({ path: path.join(SHOTS, 'gate-8-compound.png'), fullPage: true });

  // on the server: six passages at the gate, the fever opened an alert
  const log = await call('GET', '/passages?gate=' + west.id);
  assert(log.total === 6, 'six passages recorded (the queued ones once each): ' + log.total);
  assert(log.items[4].person.id === picks[3].id && log.items[5].person.id === picks[4].id, 'the queued two, in order');
  assert(log.items[5].at <= log.items[5].recorded_at, 'the offline one carries its capture time');
  assert(log.items[0].allowed && !log.items[1].allowed && !log.items[2].allowed && log.items[3].allowed, 'allowed, refused, refused, allowed');
  assert(log.items[3].pass_id && log.items[3].person.id === picks[2].id, 'the last came through on the pass');
  assert(log.items[1].alert_id, 'the fever opened an alert');
  const alert = await call('GET', '/alerts/' + log.items[1].alert_id);
  assert(alert.resident_id === picks[1].id && alert.state === 'open', 'the alert is the resident\'s, open');
  // a named staff pass (通行证): the secretary issues it on the gate list and prints it;
  // the guard's camera reads it, the card says valid, one tap lets the nurse in; the
  // secretary revokes it while the guard still has the card on screen: the next tap is
  // refused at once, with the reason read aloud
  await secPage.goto(base + '/#/gate');
  await secPage.click('#sp-panel > summary');
  await secPage.click('#sp-issue > summary');
  await secPage.selectOption('#sp-kind', 'medical');
  await secPage.fill('#sp-name', '钱护士');
  await secPage.fill('#sp-employer', '青山区社区卫生服务中心');
  await secPage.fill('#sp-phone', '13907130002');
  await secPage.fill('#sp-purpose', '上门送药');
  const until = new Date(Date.now() + (8 + 24 * 10) * 3600000).toISOString().slice(0, 10);
  await secPage.fill('#sp-to', until);
  await secPage.click('#sp-submit');
  await secPage.waitForSelector('#sp-card img.qr-img');
  const staffToken = (await secPage.textContent('#sp-token')).trim();
  assert(/^s[0-9a-f]{32}$/.test(staffToken), 'the staff pass number: ' + staffToken);
  const staffId = await secPage.getAttribute('#sp-card', 'data-pass');
  await secPage.waitForSelector(`.sp-items li[data-pass="${staffId}"][data-state=active]`);
  await secPage.screenshot({ path: path.join(SHOTS, 'gate-10-staff-issued.png'), fullPage: true });

  await page.click(`.gate-pick a[data-gate="${west.id}"]`);
  await page.waitForSelector('#gate-camera-start');
  await page.evaluate((n) => { window.__qr = n; }, staffToken);
  await page.click('#gate-camera-start');
  await page.waitForSelector('#staff-card[data-valid="1"]');
  const card = await page.textContent('#staff-card');
  assert(card.includes('钱护士') && card.includes('医护') && card.includes('通行证有效'), 'the staff card: ' + card);
  await noWiderThanPhone(page, 'the staff card');
  await page.screenshot({ path: path.join(SHOTS, 'gate-11-staff-card.png'), fullPage: true });
  await page.click('#staff-card .gate-in');
  await page.waitForSelector('#gate-verdict[data-allowed="1"]');
  assert((await page.textContent('#gate-verdict')).includes('钱护士'), 'the verdict names the holder');
  // the card is still on the guard's screen; the secretary revokes the pass
  secPage.once('dialog', (d) => d.accept('离岗'));
  await secPage.click(`.sp-items li[data-pass="${staffId}"] .sp-revoke`);
  await secPage.waitForSelector(`.sp-items li[data-pass="${staffId}"][data-state=revoked]`);
  await page.click('#staff-card .gate-out');
  await page.waitForSelector('#gate-verdict[data-allowed="0"] [data-reason=staff_pass_revoked]');
  const revoked = await page.textContent('#gate-verdict');
  assert(revoked.includes('不能通行') && revoked.includes('通行证已作废（离岗）'), 'refused at once: ' + revoked);
  await page.screenshot({ path: path.join(SHOTS, 'gate-12-staff-revoked.png'), fullPage: true });
  // the card on screen follows: not valid, why, and no buttons; scanned again the same
  await page.waitForSelector('#staff-card[data-valid="0"] [data-reason=staff_pass_revoked]');
  assert(!(await page.$('#staff-card .gate-in')), 'a revoked pass offers no 进 / 出');
  await page.fill('#gate-token', staffToken);
  await page.press('#gate-token', 'Enter');
  await page.waitForSelector('#staff-card[data-valid="0"] [data-reason=staff_pass_revoked]');
  assert(!(await page.$('#staff-card .gate-in')), 'a revoked pass offers no 进 / 出');
  // a phone whose browser has no BarcodeDetector (Safari on an iPhone): the camera's
  // frames go through jsQR — here a stream of a canvas showing the printed card's QR
  // code, which jsQR must really read
  const qrSrc = await secPage.getAttribute('#sp-card img.qr-img', 'src');
  const ctx2 = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await ctx2.addInitScript((src) => {
    delete window.BarcodeDetector;
    navigator.mediaDevices.getUserMedia = async () => {
      const c = document.createElement('canvas');
      c.width = 480;
      c.height = 480;
      const g = c.getContext('2d');
      const img = new Image();
      img.src = src;
      await img.decode();
      const draw = () => {
        g.fillStyle = '#fff';
        g.fillRect(0, 0, 480, 480);
        g.drawImage(img, 60, 60, 360, 360);
      };
      draw();
      window.setInterval(draw, 100);
      return c.captureStream(10);
    };
  }, qrSrc);
  const iphone = await ctx2.newPage();
  iphone.on('pageerror', (e) => errors.push(e.message));
  await signIn(iphone, base, 'checkpoint');
  await iphone.click(`.gate-pick a[data-gate="${west.id}"]`);
  await iphone.waitForSelector('#gate-camera-start');
  assert(!(await iphone.evaluate(() => 'BarcodeDetector' in window)), 'this phone has no BarcodeDetector');
  await iphone.click('#gate-camera-start');
  await iphone.waitForSelector('#staff-card[data-valid="0"] [data-reason=staff_pass_revoked]');
  assert((await iphone.inputValue('#gate-token')) === staffToken, 'jsQR read the card: ' + (await iphone.inputValue('#gate-token')));
  assert(await iphone.evaluate(() => typeof window.jsQR === 'function'), 'jsQR loaded on demand');
  await iphone.screenshot({ path: path.join(SHOTS, 'gate-14-jsqr.png'), fullPage: true });
  await ctx2.close();

  // the guard's list of the compound's passes, with counts (no phone for the guard)
  await page.click('.gate-change');
  await page.click('#sp-panel > summary');
  await page.waitForSelector('#sp-counts [data-stat=revoked]');
  assert((await page.textContent('#sp-counts [data-stat=revoked]')).trim() === '1', 'one revoked pass counted');
  assert(!(await page.textContent('.sp-items')).includes('13907130002'), 'the guard sees no phone');
  assert(!(await page.$('.sp-items .sp-revoke')), 'the guard cannot revoke');
  await noWiderThanPhone(page, 'the staff pass list');
  await page.screenshot({ path: path.join(SHOTS, 'gate-13-staff-list.png'), fullPage: true });
  const staffLog = (await call('GET', '/passages?gate=' + west.id)).items.filter((x) => x.staff_pass);
  assert(staffLog.length === 2 && staffLog[0].allowed && !staffLog[1].allowed, 'both staff passages logged');

  // the logged-out session check before the login answers 401 by design
  // (and the answer cut on purpose above)
  const real = errors.filter((e) => !/401 \(Unauthorized\)|ERR_INTERNET_DISCONNECTED|Failed to fetch|net::ERR/.test(e));
  assert(!real.length, 'console errors: ' + real.join('; '));
  return 'a guard lets a resident out in two taps, turns back a fever and a red code, lets one out on a pass the secretary issued, a nurse in on a staff pass refused once revoked';
});
