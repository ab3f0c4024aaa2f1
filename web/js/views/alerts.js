// alerts.js — fever and symptom alerts of a unit (#/alerts?unit=CODE&state=active&o=N),
// newest first, following the live feed.
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, pager } from '../dom.js';
import { session } from '../session.js';
import { subscribe } from '../live.js';
import { alertRow, ALERT_STATES } from './common.js';

const PAGE = 30;
const FILTERS = ['active'].concat(ALERT_STATES, ['all']);
let keepNext = false;

export default async function alertsView(ctx) {
  const unit = ctx.query.unit || session.me.unit_code;
  const state = FILTERS.indexOf(ctx.query.state) >= 0 ? ctx.query.state : 'active';
  const offset = Math.max(0, parseInt(ctx.query.o, 10) || 0);
  const [u, res] = await Promise.all([
    api('GET', '/units/' + encodeURIComponent(unit)),
    api('GET', '/alerts' + qs({ unit, state: state === 'all' ? '' : state, limit: PAGE, offset })),
  ]);
  ctx.title = t('alerts.title');
  ctx.keepScroll = keepNext;
  keepNext = false;
  const href = (s, o) => '#/alerts' + qs({ unit: ctx.query.unit, state: s === 'active' ? null : s, o: o || null });
  let timer = 0;
  ctx.onLeave(subscribe((type) => {
    if (type !== 'alert' && type !== 'alert_escalated' && type !== 'reset') return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      if (ctx.alive()) {
        keepNext = true;
        ctx.rerender();
      }
    }, 800);
  }));
  ctx.onLeave(() => window.clearTimeout(timer));
  return h('section', null,
    h('h1', { tabindex: '-1' }, ctx.title, ' ', h('span', { class: 'kind' }, u.name)),
    h('nav', { class: 'filters-bar', 'aria-label': t('alerts.filter') }, h('ul', null, FILTERS.map((s) =>
      h('li', null, h('a', { class: 'chip-link', href: href(s), 'aria-current': s === state ? 'page' : null },
        s === 'active' ? t('alerts.active') : s === 'all' ? t('alerts.all') : tv('astate', s)))))),
    h('p', { class: 'facts', role: 'status' }, t('alerts.count', { n: res.total })),
    (res.items || []).length ? h('ul', { class: 'list alerts' }, res.items.map(alertRow)) : h('p', { class: 'empty' }, t('alerts.none')),
    pager(res.total, PAGE, offset, (o) => { window.location.hash = href(state, o); }));
}
