// today.js — the grid worker's home (#/today, #/today?unit=CODE): my grid's coverage for
// today, the households not reached yet by building and room (tap one to record it), the
// call list with one-tap tel: links, the alerts in my grid, and what waits to be synced.
// Offline it shows the last answers it had, marked as such.
import { api, qs } from '../api.js';
import { t } from '../i18n.js';
import { h, clear, mount, fmtTime, flagChips, formError, act } from '../dom.js';
import { session, can } from '../session.js';
import * as queue from '../queue.js';
import { subscribe } from '../live.js';
import { keep, keepMany, kept, keptAt } from '../keep.js';
import { dayTitle, beijingTime } from '../day.js';
import { coverageStats, alertRow, placeLabel, unitHref, lockdownBadge, lockdownNote, sawMissing } from './common.js';

const PAGE = 30;
const cache = new Map(); // unit code -> {at, cov, alerts, missing, calls, reminders}
let tab = 'missing';
let keepNext = false; // redrawn after a sync or a live update: stay where the user was

function isNetwork(e) {
  return e && e.status === 0;
}

async function load(unit) {
  const [cov, alerts, missing, calls, reminders] = await Promise.all([
    api('GET', '/coverage' + qs({ unit })),
    api('GET', '/alerts' + qs({ unit, state: 'active', limit: 50 })),
    api('GET', '/coverage/missing' + qs({ unit, limit: PAGE })),
    can.callList() ? api('GET', '/calllist' + qs({ unit, limit: PAGE })) : null,
    api('GET', '/reminders' + qs({ unit })).catch(() => null),
  ]);
  session.day = cov.day;
  const data = { at: new Date(), cov, alerts, missing, calls, reminders };
  cache.set(unit, data);
  keep('today:' + unit, { cov, alerts, missing, calls, reminders });
  return data;
}

// The last answers kept on the phone (keep.js) when the page was reloaded offline: Today's,
// with the whole missing and call lists of the last grid sync when that one is newer.
async function keptToday(unit) {
  const k = await kept('today:' + unit);
  if (!k) return null;
  const data = Object.assign({ at: new Date(k.at) }, k.data);
  const lists = await kept('lists:' + unit);
  if (lists && lists.at >= k.at) {
    data.missing = lists.data.missing;
    if (data.calls && lists.data.calls) data.calls = lists.data.calls;
  }
  return data;
}

// All pages of a list (limit 500 each).
async function everything(path, query) {
  let items = [];
  for (let offset = 0; ; offset += 500) {
    const res = await api('GET', path + qs(Object.assign({}, query, { limit: 500, offset })), undefined, { timeout: 30000 });
    items = items.concat(res.items || []);
    if (!res.items || !res.items.length || items.length >= res.total) return { items, total: res.total };
  }
}

// The grid for a morning without network: every household with its people (what the
// roll-call page needs), the whole missing list and call list.  In the background after
// Today is drawn, at most every SYNC_MS.
const SYNC_MS = 20 * 60 * 1000;
let syncing = null;
export function syncGrid(unit, force) {
  if (syncing) return syncing;
  syncing = (async () => {
    const last = await kept('grid:' + unit);
    if (!force && last && Date.now() - last.at < SYNC_MS) return false;
    const [hhs, res, missing, calls] = await Promise.all([
      everything('/households', { unit }),
      everything('/residents', { unit }),
      everything('/coverage/missing', { unit }),
      can.callList() ? everything('/calllist', { unit }) : null,
    ]);
    const by = new Map();
    for (const x of hhs.items) by.set(x.id, Object.assign({}, x, { residents: [] }));
    for (const r of res.items) if (by.has(r.household_id)) by.get(r.household_id).residents.push(r);
    const entries = [];
    for (const [id, x] of by) entries.push(['hh:' + id, x]);
    entries.push(['lists:' + unit, { missing, calls }]);
    entries.push(['grid:' + unit, { households: by.size }]);
    await keepMany(entries);
    return true;
  })().catch(() => false).finally(() => { syncing = null; });
  return syncing;
}

function groupKey(x) {
  return [x.building, x.entrance].filter(Boolean).join(' ');
}

// byPerson (may be null): each missing person's id -> {li, x} of the household row, so that a
// check-in arriving on the live feed can take the person (or the household) off the list
function missingRows(items, queued, lastKey, byPerson) {
  const out = [];
  let key = lastKey;
  for (const x of items) {
    sawMissing(x);
    const k = groupKey(x);
    if (k !== key) {
      out.push(h('li', { class: 'group', role: 'presentation' }, h('h3', null, k || '—', ' ', lockdownBadge(x.lockdown))));
      key = k;
    }
    const names = (x.people_missing || []).map((p) => p.name).join('、');
    const flags = [];
    for (const p of x.people_missing || []) for (const f of p.flags || []) if (flags.indexOf(f) < 0 && f !== 'elderly') flags.push(f);
    const li = h('li', { 'data-household': String(x.household_id) },
      h('a', { class: 'row-link', href: '#/household/' + x.household_id + '/rollcall' },
        h('span', { class: 'row-main' }, x.room,
          h('span', { class: 'row-aside' }, t('today.missing_people', { n: (x.people_missing || []).length, living: x.living })),
          queued.has(x.household_id) ? h('span', { class: 'badge badge-queued' }, t('queue.waiting_badge')) : null,
          x.isolation ? h('span', { class: 'badge badge-isolated' }, t('today.isolated_household')) : null),
        h('span', { class: 'row-sub' }, names),
        flagChips(flags)));
    out.push(li);
    if (byPerson) for (const p of x.people_missing || []) byPerson.set(p.id, { li, x });
  }
  return { rows: out, key };
}

function callRows(items) {
  return items.map((p) => h('li', { class: 'call', 'data-resident': String(p.id) },
    h('div', { class: 'call-who' },
      h('span', { class: 'row-main' }, p.name,
        p.age !== null && p.age !== undefined ? h('span', { class: 'row-aside' }, t('res.age', { n: p.age })) : null),
      h('span', { class: 'row-sub' }, placeLabel(p)),
      flagChips(p.flags)),
    h('div', { class: 'call-do' },
      p.phone && p.phone.indexOf('*') < 0
        ? h('a', { class: 'btn btn-primary btn-call', href: 'tel:' + p.phone, 'aria-label': t('today.call_named', { name: p.name, phone: p.phone }) },
          t('today.call'), h('span', { class: 'tel-no' }, p.phone))
        : h('span', { class: 'muted' }, p.phone || t('today.no_phone')),
      h('a', { class: 'btn', href: '#/household/' + p.household_id + '/rollcall?channel=phone' }, t('today.record')))));
}

function queuePanel(qs0, ctx) {
  const box = h('section', { class: 'queue-panel', 'aria-labelledby': 'q-h', id: 'queue-panel' });
  function draw(s) {
    if (!s.waiting && !s.failed) {
      box.hidden = true;
      clear(box);
      return;
    }
    box.hidden = false;
    mount(box,
      h('h2', { id: 'q-h' }, t('queue.title')),
      h('p', { class: 'queue-count', role: 'status' }, t('queue.waiting', { n: s.waiting }),
        ' ' + t('queue.when_online')),
      s.waiting ? h('p', { class: 'actions' }, h('button', {
        type: 'button', class: 'btn btn-primary',
        on: { click: () => queue.flush() },
      }, t('queue.sync_now'))) : null,
      h('ul', { class: 'list plain' }, s.items.map((it) => h('li', { class: it.failed ? 'bad' : null },
        h('strong', null, it.label || it.path), ' · ', beijingTime(it.created_at),
        it.failed ? h('span', { class: 'field-error' }, t('queue.refused', { msg: it.error })) : null,
        it.failed ? h('button', {
          type: 'button', class: 'btn btn-small btn-danger',
          on: { click: () => queue.remove(it.seq) },
        }, t('queue.discard')) : null))));
  }
  draw(qs0);
  ctx.onLeave(queue.onChange(draw));
  return box;
}

export default async function todayView(ctx) {
  const unit = ctx.query.unit || session.me.unit_code;
  let data;
  let stale = false;
  const sentBefore = queue.sentSoFar();
  try {
    data = await load(unit);
  } catch (e) {
    if (!isNetwork(e)) throw e;
    data = cache.get(unit) || await keptToday(unit);
    if (!data) throw e;
    stale = true;
  }
  const { cov, alerts, missing, calls, reminders } = data;
  ctx.title = t('today.title');
  ctx.keepScroll = keepNext;
  keepNext = false;
  const qstate = await queue.state();
  const queued = new Set(qstate.items.map((x) => x.household_id).filter(Boolean));

  // coverage, redrawn live; the lockdown level of the unit and of the locked units below
  const covBox = h('div', { id: 'today-cov' }, coverageStats(cov, alerts.total));
  const lockBox = h('div', { id: 'today-lockdown' }, lockdownNote(cov.lockdown, cov.lockdowns, cov.unit));

  // tabs: not reached / call list / alerts
  const panels = {};
  const tabs = {};
  function select(name, focus) {
    tab = name;
    for (const k in panels) {
      panels[k].hidden = k !== name;
      tabs[k].setAttribute('aria-selected', k === name ? 'true' : 'false');
      tabs[k].tabIndex = k === name ? 0 : -1;
    }
    if (focus) tabs[name].focus();
  }
  const names = ['missing'].concat(calls ? ['calls'] : [], ['alerts']);
  const counts = { missing: missing.total, calls: calls ? calls.total : 0, alerts: alerts.total };
  if (names.indexOf(tab) < 0) tab = 'missing';
  for (const n of names) {
    tabs[n] = h('button', {
      type: 'button', role: 'tab', id: 'tab-' + n, class: 'tab', 'aria-controls': 'panel-' + n,
      on: {
        click: () => select(n),
        keydown: (ev) => {
          const i = names.indexOf(n);
          if (ev.key === 'ArrowRight') select(names[(i + 1) % names.length], true);
          else if (ev.key === 'ArrowLeft') select(names[(i + names.length - 1) % names.length], true);
        },
      },
    }, t('today.tab_' + n), h('span', { class: 'tab-count' }, String(counts[n])));
  }

  // not reached, by building and room, a page at a time
  const missList = h('ul', { class: 'list missing' });
  let lastKey = null;
  let shown = 0;
  const byPerson = new Map();
  function addMissing(res) {
    const r = missingRows(res.items || [], queued, lastKey, byPerson);
    lastKey = r.key;
    for (const li of r.rows) missList.appendChild(li);
    shown += (res.items || []).length;
  }
  addMissing(missing);
  const moreMissing = h('button', { type: 'button', class: 'btn btn-wide', hidden: shown >= missing.total }, t('today.more'));
  const missErr = formError();
  moreMissing.addEventListener('click', () => act(missErr, moreMissing, async () => {
    const res = await api('GET', '/coverage/missing' + qs({ unit, limit: PAGE, offset: shown }));
    addMissing(res);
    moreMissing.hidden = shown >= res.total;
  }));
  panels.missing = h('section', { role: 'tabpanel', id: 'panel-missing', 'aria-labelledby': 'tab-missing' },
    missing.total ? h('p', { class: 'hint' }, t('today.missing_hint')) : h('p', { class: 'done-all' }, t('today.all_reached')),
    missList, missErr, moreMissing);

  // a check-in from anywhere (a colleague, the family's link, a chain) takes the person off
  // the lists on the screen: nobody is phoned or visited who has just reported
  let callList = null;
  let callShown = 0;
  function reported(rid, reachedNow) {
    const m = byPerson.get(rid);
    if (m) {
      byPerson.delete(rid);
      m.x.people_missing = (m.x.people_missing || []).filter((p) => p.id !== rid);
      if (reachedNow || !m.x.people_missing.length) {
        for (const p of m.x.people_missing) byPerson.delete(p.id);
        if (m.li.isConnected) {
          m.li.remove();
          shown -= 1; // the server's list is one shorter: the next page starts one earlier
        }
      } else {
        const aside = m.li.querySelector('.row-aside');
        if (aside) aside.textContent = t('today.missing_people', { n: m.x.people_missing.length, living: m.x.living });
        const sub = m.li.querySelector('.row-sub');
        if (sub) sub.textContent = m.x.people_missing.map((p) => p.name).join('、');
      }
    }
    const c = callList && callList.querySelector('li[data-resident="' + Number(rid) + '"]');
    if (c) {
      c.remove();
      callShown -= 1;
      const n = tabs.calls && tabs.calls.lastChild;
      if (n) n.textContent = String(Math.max(0, Number(n.textContent) - 1));
    }
  }

  if (calls) {
    callList = h('ul', { class: 'list calls' }, callRows(calls.items || []));
    callShown = (calls.items || []).length;
    const moreCalls = h('button', { type: 'button', class: 'btn btn-wide', hidden: callShown >= calls.total }, t('today.more'));
    const callErr = formError();
    moreCalls.addEventListener('click', () => act(callErr, moreCalls, async () => {
      const res = await api('GET', '/calllist' + qs({ unit, limit: PAGE, offset: callShown }));
      for (const li of callRows(res.items || [])) callList.appendChild(li);
      callShown += (res.items || []).length;
      moreCalls.hidden = callShown >= res.total;
    }));
    panels.calls = h('section', { role: 'tabpanel', id: 'panel-calls', 'aria-labelledby': 'tab-calls' },
      h('p', { class: 'hint' }, t('today.calls_hint')),
      calls.total ? callList : h('p', { class: 'empty' }, t('today.no_calls')), callErr, moreCalls);
  }

  const alertList = h('ul', { class: 'list' }, (alerts.items || []).map(alertRow));
  panels.alerts = h('section', { role: 'tabpanel', id: 'panel-alerts', 'aria-labelledby': 'tab-alerts' },
    alerts.total ? alertList : h('p', { class: 'empty' }, t('today.no_alerts')),
    h('p', null, h('a', { href: '#/alerts' + qs({ unit: ctx.query.unit }) }, t('today.all_alerts'))));
  select(tab);

  // live: coverage and alerts follow the feed (not when showing an offline copy)
  if (!stale) {
    let pending = 0;
    const refresh = () => {
      pending = 0;
      Promise.all([api('GET', '/coverage' + qs({ unit })), api('GET', '/alerts' + qs({ unit, state: 'active', limit: 50 }))])
        .then(([c, a]) => {
          if (!ctx.alive()) return;
          mount(covBox, coverageStats(c, a.total));
          mount(lockBox, lockdownNote(c.lockdown, c.lockdowns, c.unit));
          mount(alertList, (a.items || []).map(alertRow));
          tabs.alerts.lastChild.textContent = String(a.total);
          tabs.missing.lastChild.textContent = String(Math.max(0, c.households_total - c.households_reached));
        }, () => {});
    };
    ctx.onLeave(subscribe((type, data) => {
      if (type === 'checkin' && data && data.day === cov.day) reported(data.resident_id, data.household_reached);
      if (type === 'checkin' || type === 'alert' || type === 'alert_escalated' || type === 'reset') {
        if (!pending) pending = window.setTimeout(refresh, type === 'reset' ? 0 : 1500);
      }
    }));
    ctx.onLeave(() => window.clearTimeout(pending));
  }
  // queued items reached the server: draw again from fresh answers
  if (!stale && queue.sentSoFar() !== sentBefore) {
    // queued check-ins reached the server while the lists loaded: load them again
    const n = queue.sentSoFar() - sentBefore;
    window.setTimeout(() => {
      if (!ctx.alive()) return;
      ctx.flash(t('queue.synced', { n })); // the page drawn again would clear the status line
      keepNext = true;
      ctx.rerender();
    }, 0);
  }
  // the grid for offline use, once Today is on the screen (not while it loads)
  if (!stale) {
    const later = window.setTimeout(() => syncGrid(unit), 3000);
    ctx.onLeave(() => window.clearTimeout(later));
  }
  ctx.onLeave(queue.onSent((n) => {
    if (!ctx.alive()) return;
    ctx.flash(t('queue.synced', { n }));
    keepNext = true;
    ctx.rerender();
  }));

  const rem = reminders && reminders.items && reminders.items.length
    ? h('div', { class: 'notice', role: 'status' }, reminders.items.map((r) =>
      h('p', null, t('today.reminder', { name: r.name, n: r.households_missing_now, at: fmtTime(r.raised_at) }))))
    : null;

  // my follow-ups of isolated people: the link, with the overdue count once it is known
  let fuLink = null;
  if (can.epi()) {
    const n = h('span', { class: 'tab-count', hidden: true });
    fuLink = h('a', { class: 'btn', id: 'today-followups', href: '#/followups' }, t('today.followups'), n);
    if (!stale) {
      api('GET', '/followups' + qs({ worker: 'me', state: 'overdue', limit: 1 })).then((r) => {
        if (r && r.total) {
          n.textContent = t('today.followups_overdue', { n: r.total });
          n.hidden = false;
          fuLink.classList.add('btn-hot');
        }
      }, () => {});
    }
  }

  return h('section', { class: 'today' },
    h('h1', { tabindex: '-1' }, cov.name, ' ', h('span', { class: 'kind' }, dayTitle(cov.day)), ' ', lockdownBadge(cov.lockdown)),
    stale ? h('p', { class: 'notice offline-note', role: 'status' }, t('today.stale', { at: keptAt(data.at.getTime()) })) : null,
    covBox,
    lockBox,
    queuePanel(qstate, ctx),
    rem,
    h('p', { class: 'actions quick' },
      can.chain() ? h('a', { class: 'btn', href: '#/chain' + qs({ unit: ctx.query.unit }) }, t('today.paste_chain')) : null,
      fuLink,
      h('a', { class: 'btn', href: unitHref(unit) }, t('today.tree'))),
    h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('today.lists') }, names.map((n) => tabs[n])),
    names.map((n) => panels[n]));
}

