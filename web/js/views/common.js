// common.js — pieces several views share: breadcrumbs, household labels, export links.
import { t, tv, serverText } from '../i18n.js';
import { h, fmtTime } from '../dom.js';
import { qs } from '../api.js';
import { session } from '../session.js';

export function unitHref(code) {
  return '#/unit/' + encodeURIComponent(code);
}

// Breadcrumbs: the ancestors the user may see, then the current unit (not a link).
export function crumbs(ancestors, current) {
  const items = (ancestors || []).map((a) => h('li', null, h('a', { href: unitHref(a.code) }, a.name)));
  if (current) items.push(h('li', null, current.href ? h('a', { href: current.href }, current.name) : h('span', { 'aria-current': 'page' }, current.name)));
  if (!items.length) return null;
  return h('nav', { class: 'crumbs', 'aria-label': t('crumbs.label') }, h('ol', null, items));
}

// "3栋 1单元 102" (the words the community uses).
export function householdLabel(hh) {
  return [hh.building, hh.entrance, hh.room].filter(Boolean).join(' ');
}

export function exportLinks(code) {
  const base = '/api/v1/exports/residents';
  return h('p', { class: 'actions' },
    h('a', { class: 'btn', href: base + qs({ unit: code, format: 'csv' }), download: 'residents.csv' }, t('export.csv')),
    h('a', { class: 'btn', href: base + qs({ unit: code, format: 'xlsx' }), download: 'residents.xlsx' }, t('export.xlsx')));
}

// ---- lockdown (docs/api.md 10.6): none, compound 小区封闭, building 楼栋封控, unit 单元封控 ----
export const LOCK_LEVELS = ['none', 'compound', 'building', 'unit'];

// The level of a lockdown value: the server sends {level, since, reason} on units and
// coverage, the bare level on the missing list's items.
export function lockLevel(x) {
  if (!x) return null;
  return typeof x === 'string' ? x : x.level || null;
}

export function lockdownBadge(x) {
  const lv = lockLevel(x);
  if (!lv || lv === 'none') return null;
  return h('span', { class: 'badge badge-lock badge-lock-' + lv, 'data-lockdown': lv }, tv('lock', lv));
}

// The lockdown line under a unit's title: its own level and the locked units below it.
export function lockdownNote(own, below, code) {
  const list = (below || []).filter((x) => lockLevel(x) && lockLevel(x) !== 'none' && (!code || x.unit !== code));
  if (!lockLevel(own) || lockLevel(own) === 'none') {
    if (!list.length) return null;
  }
  const ownLv = lockLevel(own);
  return h('div', { class: 'lockdown-note', role: 'status', id: 'lockdown-note' },
    ownLv && ownLv !== 'none' ? h('p', null, h('strong', null, t('lock.level')), ' ', lockdownBadge(own),
      own.since ? ' ' + t('lock.since', { at: fmtTime(own.since) }) : '', own.reason ? ' · ' + serverText(own.reason) : '') : null,
    list.length ? h('p', null, h('strong', null, t('lock.below', { n: list.length })), ' ',
      list.map((x, i) => [i ? '、' : '', x.name || x.unit || x.unit_code || '', ' ', lockdownBadge(x)])) : null);
}

export function occupancyBadge(occ) {
  return h('span', { class: 'badge badge-' + occ }, tv('occ', occ));
}

// ---- the daily roll-call ----

export const SYMPTOMS = ['fever', 'cough', 'fatigue', 'chest_tightness', 'sore_throat', 'diarrhoea', 'loss_of_smell_taste', 'other'];
export const STATUSES = ['reported', 'away', 'hospital', 'isolated'];
export const CHANNELS = ['visit', 'phone', 'wechat', 'checkpoint', 'self'];
export const ALERT_STATES = ['open', 'acknowledged', 'clinic', 'observation', 'closed'];
// The fever line (℃) a reading is judged by on the screen before the server judges it: the
// city's setting (fever_threshold, 36.0–40.0) as GET /session answers it, 37.3 (its default)
// until then — a copy of the default sent 37.1 ℃ through as normal where the city's line is 37.0.
export function feverLine() {
  return (session.me && session.me.fever_threshold) || 37.3;
}

// 36.5 -> "36.5 ℃"
export function fmtTemp(v) {
  if (v === null || v === undefined || v === '') return '';
  return Number(v).toFixed(1) + ' ℃';
}

// "3栋 1单元 102" from {building, entrance, room}.
export function placeLabel(x) {
  return [x.building, x.entrance, x.room].filter(Boolean).join(' ');
}

// Percent as the community writes it: "62.5%" (0 when nothing is due).
export function pct(n, d) {
  if (!d) return '0%';
  const v = (100 * n) / d;
  if (n > 0 && v < 0.1) return '<0.1%';
  return (v >= 99.95 && n < d ? 99.9 : Math.round(v * 10) / 10) + '%';
}

// The coverage numbers of a unit as large figures with a progress bar.
export function coverageStats(cov, alertsActive) {
  const bar = h('progress', { class: 'cov-bar', max: String(cov.households_total || 1), value: String(cov.households_reached) });
  bar.setAttribute('aria-label', t('cov.households_bar', { pct: pct(cov.households_reached, cov.households_total) }));
  return h('div', { class: 'cov', 'data-unit': cov.unit },
    h('dl', { class: 'stats cov-stats' },
      h('div', null, h('dt', null, t('cov.households')),
        h('dd', { 'data-stat': 'households' }, String(cov.households_reached), h('small', null, ' / ' + cov.households_total))),
      h('div', null, h('dt', null, t('cov.residents')),
        h('dd', { 'data-stat': 'residents' }, String(cov.residents_reported), h('small', null, ' / ' + cov.residents_total))),
      h('div', { class: cov.fevers ? 'hot' : null }, h('dt', null, t('cov.fevers')),
        h('dd', { 'data-stat': 'fevers' }, String(cov.fevers))),
      alertsActive === undefined ? null : h('div', { class: alertsActive ? 'hot' : null }, h('dt', null, t('cov.alerts')),
        h('dd', { 'data-stat': 'alerts' }, String(alertsActive)))),
    bar,
    h('p', { class: 'cov-pct' }, t('cov.pct', { pct: pct(cov.households_reached, cov.households_total) })));
}

export function alertStateBadge(state) {
  return h('span', { class: 'badge badge-alert-' + state }, tv('astate', state));
}

// One alert as a row linking to its page.
export function alertRow(a) {
  const reading = [a.temperature !== null && a.temperature !== undefined ? fmtTemp(a.temperature) : '',
    (a.symptoms || []).map((s) => tv('sym', s)).join('、')].filter(Boolean).join(' · ');
  return h('li', { 'data-alert': String(a.id) }, h('a', { class: 'row-link', href: '#/alert/' + a.id },
    h('span', { class: 'row-main' }, a.resident_name, ' ', alertStateBadge(a.state),
      a.level > 0 ? h('span', { class: 'badge badge-escalated' }, t('alert.escalated_badge', { n: a.level })) : null),
    h('span', { class: 'row-sub' }, placeLabel(a), reading ? ' · ' + reading : '', ' · ', fmtTime(a.opened_at))));
}

// ---- what views share instead of importing each other (tests/web/check-imports.mjs) ----

export const OCCUPANCIES = ['occupied', 'vacant', 'unknown'];

export function living(r) {
  return !r.moved_out && (r.residence === 'living' || r.residence === 'temporary');
}

// "36,5" "36。5" "365" -> 36.5; '' -> null; NaN when it is not a temperature.
export function parseTemp(s) {
  let v = String(s || '').trim().replace(/[,，。．]/g, '.');
  if (!v) return null;
  if (/^\d{3}$/.test(v)) v = v.slice(0, 2) + '.' + v.slice(2);
  if (!/^\d{2}(\.\d)?\d*$/.test(v)) return NaN;
  const n = Math.round(Number(v) * 10) / 10;
  return n >= 34 && n <= 43 ? n : NaN;
}

// The Today page notes each row of its missing list, for the roll-call page.
const seen = new Map(); // household id -> its row of the missing list
export function sawMissing(x) {
  seen.set(x.household_id, x);
}

// A household as the missing list showed it (its people not yet reported), for recording it
// with no network; null when it was not on a list this page saw.
export function missingHousehold(id) {
  const x = seen.get(Number(id));
  if (!x) return null;
  return {
    id: x.household_id, unit_code: x.unit_code, building: x.building, entrance: x.entrance, room: x.room,
    residents: (x.people_missing || []).map((p) => ({
      id: p.id, name: p.name, age: p.age, flags: p.flags, residence: 'living', moved_out: false,
    })),
  };
}

// The fields of now whose value differs from was's (null and absent alike; arrays by their
// items): what an edit form sends, so that an update names only what the user changed.
export function changed(was, now) {
  const same = (a, b) => JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);
  return Object.fromEntries(Object.entries(now).filter(([k, v]) => !same(was[k], v)));
}
