// epi-common.js — what the views of the four categories share (docs/api.md section 10):
// the categories and their colours, the fixed reason list, isolation kinds, contact kinds,
// task kinds, and small pieces (a category badge, an isolation line, a download that shows
// the server's error instead of saving it as a file).  Loaded only by those views.
import { t, tv } from '../i18n.js';
import { h } from '../dom.js';
import { enc, qs } from '../api.js';

// In the order of the counts table: the four categories first.
export const CATEGORIES = ['confirmed', 'suspected', 'fever_unexcluded', 'close_contact',
  'secondary_contact', 'travel_observation', 'recovered_observation', 'cleared'];
export const FOUR = ['confirmed', 'suspected', 'fever_unexcluded', 'close_contact'];
export const REASONS = ['fever_alert', 'clinic_excluded', 'test_positive', 'test_negative', 'hospital_diagnosis',
  'contact_tracing', 'agency_list', 'travel_history', 'symptoms', 'discharged', 'observation_complete', 'correction', 'other'];
export const NOTE_REASONS = ['correction', 'other'];
export const ISO_KINDS = ['home', 'centralised', 'hospital'];
export const CONTACT_KINDS = ['household', 'work', 'meal', 'transport', 'medical', 'social', 'other'];
export const TASK_KINDS = ['contacts_observation', 'disinfection', 'building_notice', 'lockdown'];
export const OBSERVATION = ['close_contact', 'secondary_contact', 'travel_observation', 'recovered_observation', 'fever_unexcluded'];

// The transition table of 10.1 (a `correction` allows any change).
const NEXT = {
  '': ['confirmed', 'suspected', 'fever_unexcluded', 'close_contact', 'secondary_contact', 'travel_observation'],
  cleared: ['confirmed', 'suspected', 'fever_unexcluded', 'close_contact', 'secondary_contact', 'travel_observation'],
  travel_observation: ['confirmed', 'suspected', 'fever_unexcluded', 'close_contact', 'secondary_contact', 'cleared'],
  secondary_contact: ['confirmed', 'suspected', 'fever_unexcluded', 'close_contact', 'cleared'],
  close_contact: ['confirmed', 'suspected', 'fever_unexcluded', 'cleared'],
  fever_unexcluded: ['confirmed', 'suspected', 'close_contact', 'cleared'],
  suspected: ['confirmed', 'close_contact', 'cleared'],
  confirmed: ['recovered_observation'],
  recovered_observation: ['confirmed', 'cleared'],
};
export function nextCategories(current) {
  return NEXT[current || ''] || CATEGORIES.slice();
}

// Colours of the categories in charts and the chain graph (badges use style.css).
export const CAT_COLORS = {
  confirmed: '#a4161a', suspected: '#d9480f', fever_unexcluded: '#b7791f', close_contact: '#6741d9',
  secondary_contact: '#9c7ae0', travel_observation: '#1864ab', recovered_observation: '#2b8a3e', cleared: '#868e96',
  none: '#adb5bd',
};

export function catLabel(c) {
  return c ? tv('cat', c) : t('cat.none');
}

export function catBadge(c) {
  return h('span', { class: 'badge badge-cat badge-cat-' + (c || 'none'), 'data-category': c || '' }, catLabel(c));
}

// "居家隔离 · 至 2026-12-10" (and the site of a centralised or hospital isolation).
export function isolationText(iso) {
  if (!iso) return '';
  return [tv('iso', iso.kind), iso.site || '', iso.end_day ? t('iso.until', { day: iso.end_day }) : ''].filter(Boolean).join(' · ');
}

// A person of the four categories not admitted anywhere (应收尽收).
export function notAdmitted(category, iso) {
  return FOUR.indexOf(category) >= 0 && !(iso && (iso.kind === 'centralised' || iso.kind === 'hospital'));
}

// A file from the API (an export): fetched first, so that a refusal shows its message on
// the page; saved through a Blob URL.  Answers null or throws {message}.
export async function download(url, filename) {
  let res;
  try {
    res = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new Error(t('err.network'));
  }
  if (!res.ok) {
    let msg = t('err.http', { status: res.status });
    try {
      const j = await res.json();
      if (j && j.error && j.error.message) msg = j.error.message;
    } catch (e) {
      /* not JSON */
    }
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  const cd = res.headers.get('content-disposition') || '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
  const name = m ? decodeURIComponent(m[1]) : filename;
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = h('a', { href, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 60000);
  return name;
}

// Filter chips as links (the alerts page's style).
export function chips(label, values, current, href, text) {
  return h('nav', { class: 'filters-bar', 'aria-label': label }, h('ul', null, values.map((v) =>
    h('li', null, h('a', { class: 'chip-link', href: href(v), 'aria-current': v === current ? 'page' : null, 'data-value': v }, text(v))))));
}

// ---- the counts table of a categories answer (the categories page and the dashboard) ----

const NUMS = ['four_categories', 'new_today', 'released_today', 'overdue_followups', 'not_admitted'];
const HOT = { overdue_followups: 1, not_admitted: 1 };

export function catHref(code, extra) {
  return '#/categories/' + enc(code) + qs(extra || {});
}

export function num(row, k) {
  const v = row[k];
  return typeof v === 'number' ? v : 0;
}

// One row of the counts table (th: the unit; td: each category, then the totals).
function countRow(row, link, isTotal) {
  const counts = row.counts || {};
  const cells = CATEGORIES.map((c) => h('td', {
    'data-label': t('catshort.' + c), class: 'num' + (counts[c] ? ' has' : ''), 'data-col': c,
  }, String(counts[c] || 0)));
  const tail = NUMS.map((k) => h('td', {
    'data-label': t('catcol.' + k), 'data-col': k,
    class: 'num' + (HOT[k] && num(row, k) > 0 ? ' hot-text' : '') + (k === 'four_categories' && num(row, k) > 0 ? ' strong' : ''),
  }, String(num(row, k))));
  return h('tr', { 'data-unit': row.unit, class: isTotal ? 'total' : null },
    h('th', { scope: 'row', 'data-label': t('catcol.unit') },
      link ? h('a', { href: link }, row.name) : row.name, ' ',
      row.kind ? h('span', { class: 'kind' }, tv('kind', row.kind)) : null),
    cells, tail);
}

// The counts table of a categories answer (also drawn on the dashboard).
export function countsTable(c, hrefOf, id) {
  const kids = c.children || [];
  const head = h('tr', null, h('th', { scope: 'col' }, t('catcol.unit')),
    CATEGORIES.map((k) => h('th', { scope: 'col', class: 'num', title: tv('cat', k) }, t('catshort.' + k))),
    NUMS.map((k) => h('th', { scope: 'col', class: 'num' }, t('catcol.' + k))));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table stack cat-table', id: id || 'cat-table' },
    h('caption', null, t('cat.table_caption', { n: kids.length })),
    h('thead', null, head),
    h('tbody', null, kids.length ? kids.map((k) => countRow(k, hrefOf(k))) : h('tr', null, h('td', { colspan: String(CATEGORIES.length + NUMS.length + 1) }, t('cat.no_children')))),
    c.total ? h('tfoot', null, countRow(Object.assign({}, c.total, { name: t('cat.total_row', { name: c.total.name || c.name }), kind: null }), null, true)) : null));
}
