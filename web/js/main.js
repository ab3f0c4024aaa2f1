// main.js — boot, the page frame (header, search, navigation) and the hash router.
import { api, setUnauthorizedHandler, networkUp, onNetwork } from './api.js';
import { t, tv, loadLang, storedLang, storeLang, getLang } from './i18n.js';
import { h, mount, clear, errorBox } from './dom.js';
import { session, can, homeHash, searchState } from './session.js';
import * as queue from './queue.js';
import * as keep from './keep.js';
import { close as closeLive } from './live.js';

const header = document.getElementById('top');
const main = document.getElementById('main');
const status = document.getElementById('status');

const routes = [
  { re: /^\/today$/, load: () => import('./views/today.js') },
  { re: /^\/household\/(\d+)\/rollcall$/, load: () => import('./views/rollcall.js') },
  { re: /^\/chain$/, load: () => import('./views/chain.js') },
  { re: /^\/dashboard$/, load: () => import('./views/dashboard.js') },
  { re: /^\/alerts$/, load: () => import('./views/alerts.js') },
  { re: /^\/alert\/(\d+)$/, load: () => import('./views/alert.js') },
  { re: /^\/unit\/([^/]+)$/, load: () => import('./views/unit.js') },
  { re: /^\/unit\/([^/]+)\/new-household$/, load: () => import('./views/household-new.js') },
  { re: /^\/household\/(\d+)$/, load: () => import('./views/household.js') },
  { re: /^\/household\/(\d+)\/new-resident$/, load: () => import('./views/resident.js'), mode: 'new' },
  { re: /^\/resident\/(\d+)$/, load: () => import('./views/resident.js'), mode: 'edit' },
  { re: /^\/resident\/(\d+)\/chain$/, load: () => import('./views/transmission.js') },
  { re: /^\/categories$/, load: () => import('./views/categories.js') },
  { re: /^\/categories\/([^/]+)$/, load: () => import('./views/categories.js') },
  { re: /^\/followups$/, load: () => import('./views/followups.js') },
  { re: /^\/lists$/, load: () => import('./views/lists.js') },
  { re: /^\/list\/(\d+)$/, load: () => import('./views/lists.js'), mode: 'list' },
  { re: /^\/tasks$/, load: () => import('./views/tasks.js') },
  { re: /^\/search$/, load: () => import('./views/search.js') },
  { re: /^\/import$/, load: () => import('./views/import.js') },
  { re: /^\/users$/, load: () => import('./views/users.js') },
  { re: /^\/audit$/, load: () => import('./views/audit.js') },
  { re: /^\/account$/, load: () => import('./views/account.js') },
  { re: /^\/gate$/, load: () => import('./views/gate.js') },
  { re: /^\/gate\/(\d+)$/, load: () => import('./views/gate.js') },
  { re: /^\/gates$/, load: () => import('./views/gatesetup.js') },
  { re: /^\/supply$/, load: () => import('./views/supply.js') },
  { re: /^\/supply\/(\d+)$/, load: () => import('./views/supply.js') },
  { re: /^\/supply\/setup$/, load: () => import('./views/supply-setup.js') },
  { re: /^\/errands$/, load: () => import('./views/errands.js') },
  { re: /^\/errands\/(\d+)$/, load: () => import('./views/errands.js') },
  { re: /^\/medicine$/, load: () => import('./views/errands.js'), mode: 'medicine' },
  { re: /^\/aid$/, load: () => import('./views/aid.js') },
  { re: /^\/merchants$/, load: () => import('./views/aid.js'), mode: 'merchants' },
  { re: /^\/requests$/, load: () => import('./views/help.js'), mode: 'requests' },
  { re: /^\/hotline$/, load: () => import('./views/help.js'), mode: 'hotline' },
  { re: /^\/leads$/, load: () => import('./views/help.js'), mode: 'leads' },
  { re: /^\/notices$/, load: () => import('./views/help.js'), mode: 'notices' },
  { re: /^\/staff$/, load: () => import('./views/staff.js') },
  { re: /^\/id-reviews$/, load: () => import('./views/idreview.js') },
  { re: /^\/duty$/, load: () => import('./views/duty.js') },
];

let navSeq = 0;
let networkFailed = false; // the page shown is the error of a request that found no network
let leaving = []; // the shown view's clean-ups (live feeds, timers, charts), run on the next render
let pendingFlash = '';
let loginMessage = '';
let langChosenLoggedOut = false;

// Who was logged in, kept on the device so that the app opens offline (queue.js keeps
// working); the server still decides on the next request that reaches it.
const ME_KEY = 'wg_me';
function rememberMe(me) {
  try {
    if (me) {
      const { username, display_name, role, unit_code, unit_name, lang } = me;
      window.localStorage.setItem(ME_KEY, JSON.stringify({ username, display_name, role, unit_code, unit_name, lang }));
    } else {
      window.localStorage.removeItem(ME_KEY);
    }
  } catch (e) {
    /* private mode */
  }
}
function rememberedMe() {
  try {
    const me = JSON.parse(window.localStorage.getItem(ME_KEY) || 'null');
    return me && me.username && me.role ? me : null;
  } catch (e) {
    return null;
  }
}

// A message to show after the next page is drawn (e.g. "saved").
export function flash(msg) {
  pendingFlash = msg;
}

function say(msg) {
  clear(status);
  if (msg) status.appendChild(h('p', null, msg));
}

function parseHash() {
  let s = window.location.hash.replace(/^#/, '');
  const qi = s.indexOf('?');
  const query = {};
  if (qi >= 0) {
    for (const part of s.slice(qi + 1).split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      query[k] = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    }
    s = s.slice(0, qi);
  }
  return { path: s || '/', query };
}

// ---- the frame ----

async function toggleLang() {
  const next = getLang() === 'zh' ? 'en' : 'zh';
  await loadLang(next);
  storeLang(next);
  if (session.me) {
    try {
      const u = await api('PATCH', '/users/' + encodeURIComponent(session.me.username), { lang: next });
      if (u && u.lang && session.me) session.me.lang = u.lang;
    } catch (e) {
      if (!e.handled) flash(t('lang.not_saved', { msg: e.message }));
    }
  } else {
    langChosenLoggedOut = true;
  }
  renderHeader();
  render();
}

async function logout() {
  if (queueState.waiting > 0 && !window.confirm(t('queue.logout_confirm', { n: queueState.waiting }))) return;
  try {
    await api('DELETE', '/session', undefined, { quiet401: true });
  } catch (e) {
    /* the cookie may be gone already; leave either way */
  }
  await keep.forget(); // what the phone kept for offline use goes with the session
  session.me = null;
  rememberMe(null);
  searchState.q = '';
  closeLive();
  queue.stop();
  loginMessage = t('login.logged_out');
  renderHeader();
  window.location.hash = '#/';
  render();
}

function navItems() {
  const items = [];
  if (can.today()) items.push(['#/today', t('nav.today'), /^\/(today|household\/\d+\/rollcall)$/]);
  if (can.dashboard()) items.push(['#/dashboard', t('nav.dashboard'), /^\/dashboard$/]);
  if (can.rollcall()) items.push(['#/alerts', t('nav.alerts'), /^\/alerts?(\/\d+)?$/]);
  if (can.categories()) {
    items.push(['#/categories/' + encodeURIComponent(session.me.unit_code), t('nav.categories'), /^\/categories(\/|$)/]);
  }
  if (can.epi()) items.push(['#/followups', t('nav.followups'), /^\/followups$/]);
  if (can.categories()) items.push(['#/tasks', t('nav.tasks'), /^\/tasks$/]);
  if (can.chain()) items.push(['#/chain', t('nav.chain'), /^\/chain$/]);
  if (can.gate()) items.push(['#/gate', t('nav.gate'), /^\/gate(\/\d+)?$/]);
  if (can.gateSetup()) items.push(['#/gates', t('nav.gates'), /^\/gates$/]);
  // the supplies pages (rounds, errands, the medicine register, the fund, merchants) share one
  // item and reach each other by their tabs; a grid worker reaches errands from a household
  if (can.supply()) items.push(['#/supply', t('nav.supply'), /^\/(supply(\/(\d+|setup))?|errands(\/\d+)?|medicine|aid|merchants)$/]);
  if (can.hotline()) items.push(['#/hotline', t('nav.hotline'), /^\/hotline$/]);
  if (can.rollcall()) items.push(['#/requests', t('nav.requests'), /^\/(requests|leads|notices)$/]);
  if (can.staff()) items.push(['#/staff', t('nav.staff'), /^\/staff$/]);
  if (can.duty()) items.push(['#/duty', t('nav.duty'), /^\/duty$/]);
  if (can.people()) {
    items.push(['#/unit/' + encodeURIComponent(session.me.unit_code), t('nav.tree'),
      /^\/(unit\/|household\/\d+$|household\/\d+\/new|resident\/)/]);
  }
  if (can.epi()) items.push(['#/lists', t('nav.lists'), /^\/lists?(\/\d+)?$/]);
  // the duplicate-ID review: reviewers always, others only when something is returned to them
  if (can.registry() && (can.reviewIds() || reviewCount.n > 0)) {
    items.push(['#/id-reviews', h('span', null, t(can.reviewIds() ? 'nav.idreview' : 'nav.idreview_fix'), ' ',
      h('span', {
        class: 'nav-count', id: 'idr-count', hidden: !reviewCount.n,
        'aria-label': t('nav.count_label', { n: reviewCount.n }),
      }, String(reviewCount.n))), /^\/id-reviews$/]);
  }
  if (can.registry() || can.exportResidents()) items.push(['#/import', t(can.registry() ? 'nav.import' : 'nav.export'), /^\/import$/]);
  if (can.users()) items.push(['#/users', t('nav.users'), /^\/users$/]);
  if (can.audit()) items.push(['#/audit', t('nav.audit'), /^\/audit$/]);
  items.push(['#/account', t('nav.account'), /^\/account$/]);
  return items;
}

// Items of the duplicate-ID review waiting for this account (docs/api.md 16): fetched
// after login and after each decision; the header is drawn again when the number changes.
const reviewCount = { n: 0, busy: false };
async function refreshReviewCount() {
  if (!session.me || !can.registry() || reviewCount.busy) return;
  // offline (a morning without network): nothing to ask — the count waits for the network
  // (onNetwork below)
  if (!navigator.onLine || !networkUp()) return;
  reviewCount.busy = true;
  try {
    const mod = await import('./views/idreview.js');
    mod.onCount(refreshReviewCount);
    const n = await mod.reviewCount();
    if (n !== reviewCount.n) {
      reviewCount.n = n;
      renderHeader();
    }
  } catch (e) {
    /* offline or refused: the menu keeps its last count */
  } finally {
    reviewCount.busy = false;
  }
}

function markNav() {
  const path = parseHash().path;
  for (const a of header.querySelectorAll('.nav a')) {
    if (new RegExp(a.getAttribute('data-match')).test(path)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function renderHeader() {
  const me = session.me;
  const other = getLang() === 'zh' ? 'en' : 'zh';
  const langBtn = h('button', {
    type: 'button', class: 'btn btn-quiet', lang: other === 'en' ? 'en' : 'zh-CN',
    'aria-label': t('lang.switch_label'), on: { click: toggleLang },
  }, t('lang.other'));
  const bar = h('div', { class: 'bar' },
    h('a', { class: 'brand', href: me ? homeHash() : '#/' }, t('app.name')),
    h('span', { class: 'spacer' }),
    me ? queueBadge : null,
    langBtn,
    me ? h('button', { type: 'button', class: 'btn btn-quiet', on: { click: logout } }, t('nav.logout')) : null);
  const parts = [bar];
  if (me) {
    parts.push(h('p', { class: 'who' },
      h('strong', null, me.display_name), ' · ', tv('role', me.role), ' · ', me.unit_name));
    if (can.people()) {
      const q = h('input', {
        id: 'q', type: 'search', name: 'q', maxlength: 40, autocomplete: 'off',
        placeholder: t('search.placeholder'), enterkeyhint: 'search',
      });
      q.value = searchState.q;
      const form = h('form', {
        class: 'search', role: 'search',
        on: {
          submit: (ev) => {
            ev.preventDefault();
            searchState.q = q.value.trim();
            searchState.offset = 0;
            if (parseHash().path === '/search') render();
            else window.location.hash = '#/search';
          },
        },
      },
      h('label', { for: 'q', class: 'sr-only' }, t('search.label')),
      q,
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('search.button')));
      parts.push(form);
    }
    parts.push(h('nav', { class: 'nav', 'aria-label': t('nav.label') },
      h('ul', null, navItems().map(([href, label, re]) =>
        h('li', null, h('a', { href, 'data-match': re.source }, label))))));
  }
  mount(header, h('div', { class: 'top-inner' }, parts));
  markNav();
  drawQueueBadge();
}

// ---- what waits to be sent (queue.js) and whether the device is online ----

const queueBadge = h('button', {
  type: 'button', id: 'queue-badge', class: 'btn btn-quiet queue-badge', hidden: true,
  on: { click: () => { queue.flush(); } },
});
let queueState = { waiting: 0, failed: 0 };

function drawQueueBadge() {
  const offline = !networkUp();
  const { waiting, failed } = queueState;
  queueBadge.hidden = !offline && !waiting && !failed;
  queueBadge.classList.toggle('is-offline', offline);
  queueBadge.textContent = waiting || failed
    ? t('queue.badge', { n: waiting }) + (failed ? ' · ' + t('queue.badge_failed', { n: failed }) : '')
    : t('queue.offline');
  queueBadge.setAttribute('aria-label', (offline ? t('queue.offline') + ' · ' : '') + t('queue.badge_label', { n: waiting }));
  queueBadge.setAttribute('data-waiting', String(waiting));
}

queue.onChange((s) => {
  queueState = s;
  drawQueueBadge();
});
queue.onSent((n) => {
  say(t('queue.synced', { n }));
});
onNetwork((up) => {
  drawQueueBadge();
  // the network is back: send what waits, then draw the page that failed again
  if (up && networkFailed) queue.flush().finally(() => render());
});

// ---- routing ----

// "Loading…" in place of the page when its data is slow to come — only while this page is
// still the one asked for: a slower page left behind (the home page still loading when the
// user, or a link, went elsewhere) must not blank the page that replaced it.
function loadingTimer(alive) {
  return window.setTimeout(() => {
    if (alive()) mount(main, h('p', { class: 'loading' }, t('common.loading')));
  }, 250);
}

async function onLogin(me) {
  session.me = me;
  rememberMe(me);
  loginMessage = '';
  queue.start();
  if (langChosenLoggedOut) {
    langChosenLoggedOut = false;
    if (me.lang !== getLang()) {
      api('PATCH', '/users/' + encodeURIComponent(me.username), { lang: getLang() }).then((u) => {
        if (u && session.me) session.me.lang = u.lang;
      }, () => {});
    }
  } else if (me.lang && me.lang !== getLang()) {
    await loadLang(me.lang);
    storeLang(me.lang);
  }
  reviewCount.n = 0;
  renderHeader();
  refreshReviewCount();
  const p = parseHash().path;
  if (p === '/' || p === '/login') window.location.hash = homeHash();
  else render();
}

export async function render() {
  const seq = ++navSeq;
  const drawnFor = window.location.hash; // main's data-page once this page is in
  const { path, query } = parseHash();
  const alive = () => seq === navSeq;
  const showFlash = pendingFlash;
  pendingFlash = '';
  say(showFlash);
  markNav();
  main.setAttribute('aria-busy', 'true');
  const timer = loadingTimer(alive);
  const cleanups = [];
  const mounted = [];
  networkFailed = false;
  const ctx = {
    query, alive, rerender: render, flash, signedOut, title: '',
    wide: false, // the page needs the full width of a desktop (tables, charts)
    startAtMain: false, // on a phone, scroll past the frame to the page (forms)
    onLeave: (fn) => cleanups.push(fn), // when the next page replaces this one
    onMount: (fn) => mounted.push(fn), // once this page is in the document (charts need their size)
  };
  let node;
  try {
    if (/^\/join\/[0-9a-f]{32}$/.test(path)) {
      // a community's volunteer sign-up link: no login (docs/api.md section 13)
      node = await (await import('./views/join.js')).default(ctx, path.slice(6));
    } else if (!session.me) {
      const mod = await import('./views/login.js');
      ctx.title = t('login.title');
      ctx.message = loginMessage;
      ctx.onLogin = onLogin;
      node = await mod.default(ctx);
    } else if (path === '/' || path === '/login') {
      window.clearTimeout(timer);
      window.location.replace(homeHash());
      return;
    } else {
      let found = null;
      let m = null;
      for (const r of routes) {
        m = r.re.exec(path);
        if (m) {
          found = r;
          break;
        }
      }
      if (!found) {
        ctx.title = t('notfound.title');
        node = h('section', null, h('h1', { tabindex: '-1' }, t('notfound.title')),
          h('p', null, h('a', { href: homeHash() }, t('notfound.home'))));
      } else {
        ctx.params = m.slice(1).map(decodeURIComponent);
        ctx.mode = found.mode;
        const mod = await found.load();
        node = await mod.default(ctx);
      }
    }
  } catch (err) {
    if (err && err.handled) {
      window.clearTimeout(timer);
      return;
    }
    if (!alive()) return;
    networkFailed = !!(err && err.status === 0);
    ctx.title = t('common.error');
    node = h('section', null,
      h('h1', { tabindex: '-1' }, t('common.error')),
      errorBox(err),
      h('p', { class: 'actions' },
        h('button', { type: 'button', class: 'btn', on: { click: render } }, t('common.retry')),
        session.me ? h('a', { class: 'btn', href: homeHash() }, t('notfound.home')) : null));
    if (!(err instanceof Error) || !('status' in err)) console.error(err);
  }
  window.clearTimeout(timer);
  if (!alive()) {
    runAll(cleanups);
    return;
  }
  runAll(leaving);
  leaving = cleanups;
  // the page's width: wide tables and charts ask for it (after the last page's clean-ups, so
  // that a page drawn again, e.g. the dashboard on another date, keeps it)
  document.body.classList.toggle('wide-page', !!ctx.wide);
  mount(main, node);
  runAll(mounted);
  // which address the page on screen was drawn for: until it is the address bar's, the page
  // shown is the one leaving (a script, or a person's screen reader, can tell they differ)
  main.setAttribute('data-page', drawnFor);
  main.removeAttribute('aria-busy');
  document.title = (ctx.title ? ctx.title + ' · ' : '') + t('app.name');
  if (!ctx.keepScroll) window.scrollTo(0, 0);
  // a form that starts below the frame on a phone (the roll-call): begin at the page itself
  if (!ctx.keepScroll && ctx.startAtMain && window.matchMedia('(max-width: 47.99em)').matches) {
    window.scrollTo(0, main.getBoundingClientRect().top + window.scrollY);
  }
  const focusTarget = ctx.focus || (seq > 1 ? main.querySelector('h1') : null);
  if (focusTarget) focusTarget.focus(ctx.keepScroll ? { preventScroll: true } : undefined);
}

function runAll(fns) {
  for (const fn of fns.splice(0)) {
    try {
      fn();
    } catch (e) {
      console.error(e);
    }
  }
}

// The session ended (e.g. after a password change): back to the login form with msg.
function signedOut(msg) {
  session.me = null;
  rememberMe(null);
  closeLive();
  searchState.q = '';
  loginMessage = msg;
  renderHeader();
  render();
}

function onUnauthorized(err) {
  if (!session.me) return;
  session.me = null;
  rememberMe(null);
  closeLive();
  loginMessage = err.message;
  renderHeader();
  render();
}

async function boot() {
  await loadLang(storedLang() || 'zh');
  setUnauthorizedHandler(onUnauthorized);
  const skip = document.querySelector('.skip');
  if (skip) {
    skip.textContent = t('common.skip');
    skip.addEventListener('click', (ev) => {
      ev.preventDefault();
      main.focus();
    });
  }
  try {
    session.me = await api('GET', '/session', undefined, { quiet401: true });
    rememberMe(session.me);
  } catch (e) {
    session.me = null;
    if (e.status === 0 && rememberedMe()) session.me = rememberedMe(); // offline: carry on
    else if (e.status !== 401) loginMessage = e.message;
    if (e.status === 401) rememberMe(null);
  }
  if (session.me) {
    const local = storedLang();
    if (local && session.me.lang !== local) {
      api('PATCH', '/users/' + encodeURIComponent(session.me.username), { lang: local }).then((u) => {
        if (u && session.me) session.me.lang = u.lang;
      }, () => {});
    } else if (!local && session.me.lang && session.me.lang !== getLang()) {
      await loadLang(session.me.lang);
      storeLang(session.me.lang);
    }
  }
  renderHeader();
  if (session.me) queue.start();
  if (session.me) refreshReviewCount();
  onNetwork((up) => { if (up && session.me) refreshReviewCount(); });
  keep.forget(true);
  window.addEventListener('hashchange', render);
  // the service worker's downloads wait until the first page is drawn (bad networks)
  render().finally(() => window.setTimeout(registerWorker, 2000));
}

// The app shell for bad networks (sw.js caches the page, styles and scripts, never /api/).
function registerWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
}

boot();
