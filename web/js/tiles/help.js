// tiles/help.js — the dashboard's tile of help requests (issue 18), outside views/ so that
// the dashboard and the help pages both use it without one view importing another
// (tests/web/check-imports.mjs): the day's requests by category and state, overdue ones,
// median minutes to accept and to close, calls, leads and notices' reach (GET /help/counts);
// and, while the page shows today, each escalation as the ticker makes it (the live feed's
// `escalated` event: a request past its time limit, sent one level up).
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, fmtTime } from '../dom.js';

export const CATEGORIES = ['medical', 'medicine', 'supplies', 'repairs', 'counselling', 'transport', 'other'];

// One escalation event as a line: what, where, since when, to whom.
export function escalationItem(d) {
  return h('li', { class: 'feed-item feed-escalated', 'data-escalated': String(d.id) },
    h('span', { class: 'badge badge-escalated' }, t('help.escalated_badge')), ' ',
    h('a', { href: '#/requests?overdue=1' }, tv('hcat', d.category), d.urgency === 'urgent' ? ' · ' + tv('hurg', 'urgent') : '',
      ' · ', d.address || d.unit),
    ' ', h('span', { class: 'feed-at' }, t('help.escalated_at', { at: fmtTime(d.due_at), name: d.to && d.to.name ? d.to.name : '—' })));
}

// A list that fills with the escalations the live feed brings while it is shown (the
// hotline screen and the requests page carry one too).  subscribe: live.js's; onLeave: the
// view's clean-up; onEvent (may be null) runs after each one.
export function escalationBanner(subscribe, onLeave, onEvent) {
  const list = h('ul', { class: 'feed escalations', id: 'escalations', role: 'log', 'aria-live': 'assertive' });
  const box = h('section', { class: 'panel panel-alert', hidden: true, 'aria-label': t('help.escalations') },
    h('h2', null, t('help.escalations')), list);
  onLeave(subscribe((type, data) => {
    if (type !== 'escalated' || !data) return;
    const old = list.querySelector('[data-escalated="' + Number(data.id) + '"]');
    if (old) old.remove();
    list.insertBefore(escalationItem(data), list.firstChild);
    box.hidden = false;
    if (onEvent) onEvent(data);
  }));
  return box;
}

// The dashboard's help panel (GET /help/counts): the day's requests by category and state,
// overdue ones, median minutes to accept and to close, calls, leads and notices' reach.
// live: {subscribe, onLeave} for today's page (null for a past day).
export async function helpCountsSection(code, day, live) {
  const get = () => api('GET', '/help/counts' + qs({ unit: code, day: day || undefined }));
  let c;
  try {
    c = await get();
  } catch (e) {
    if (e.handled) throw e;
    return null;
  }
  const body = h('div', { class: 'help-counts' });
  const overdueOf = () => body.querySelector('[data-stat="overdue"]');
  const banner = live ? escalationBanner(live.subscribe, live.onLeave, () => {
    const overdue = overdueOf();
    if (overdue) overdue.textContent = String(Number(overdue.textContent) + 1); // an escalated request is an overdue one
  }) : null;
  mount(body, helpCounts(c));
  if (live) {
    // a request made (the hotline, a household's link, a worker) or missed events: the
    // numbers are read again, at most once a second
    let timer = 0;
    live.onLeave(live.subscribe((type) => {
      if ((type !== 'help_request' && type !== 'reset') || timer) return;
      timer = window.setTimeout(async () => {
        timer = 0;
        try {
          const fresh = await get();
          if (body.isConnected) mount(body, helpCounts(fresh));
        } catch (e) {
          /* the next event tries again */
        }
      }, 1000);
    }));
    live.onLeave(() => window.clearTimeout(timer));
  }
  return h('section', { 'aria-labelledby': 'dhelp-h', id: 'dash-help' },
    h('h2', { id: 'dhelp-h' }, t('help.dash_title')),
    banner, body);
}

// The panel's figures, from GET /help/counts.
function helpCounts(c) {
  const r = c.requests;
  const states = ['new', 'accepted', 'in_progress', 'done', 'referred', 'merged'];
  const cats = Object.keys(r.by_category).sort((a, b) => CATEGORIES.indexOf(a) - CATEGORIES.indexOf(b));
  const n = (o, k) => (o && o[k]) || 0;
  return [
    h('dl', { class: 'stats' },
      h('div', null, h('dt', null, t('help.dash_requests')), h('dd', { 'data-stat': 'requests' }, String(r.total))),
      h('div', { class: r.overdue_open ? 'hot' : null }, h('dt', null, t('help.dash_overdue')), h('dd', { 'data-stat': 'overdue' }, String(r.overdue_open))),
      h('div', null, h('dt', null, t('help.dash_accept')), h('dd', null, r.median_accept_minutes === null ? '—' : t('help.minutes', { n: r.median_accept_minutes }))),
      h('div', null, h('dt', null, t('help.dash_close')), h('dd', null, r.median_close_minutes === null ? '—' : t('help.minutes', { n: r.median_close_minutes }))),
      h('div', null, h('dt', null, t('help.dash_calls')), h('dd', { 'data-stat': 'calls' }, String(c.calls.total))),
      h('div', { class: c.leads.unresolved ? 'hot' : null }, h('dt', null, t('help.dash_leads')), h('dd', { 'data-stat': 'leads' }, String(c.leads.unresolved)))),
    cats.length ? h('table', { class: 'table' },
      h('thead', null, h('tr', null, h('th', null, t('help.category')), states.map((s) => h('th', null, tv('hstate', s))))),
      h('tbody', null, cats.map((k) => h('tr', null, h('th', null, tv('hcat', k)), states.map((s) => h('td', null, String(n(r.by_category[k], s)))))))) : null,
    c.notices.length ? h('ul', { class: 'list plain' }, c.notices.slice(0, 5).map((x) => h('li', null,
      h('a', { href: '#/notices' }, x.title), ' · ', t('help.reach', { r: x.reached, n: x.total })))) : null,
  ];
}
