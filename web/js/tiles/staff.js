// tiles/staff.js — the dashboard's staff tile (issue 19): staff by kind, pairs and vacancies
// by kind of the unit, linking to 人员 (#/staff).  Outside views/ so that the dashboard and the
// staff view share it without one view importing another (tests/web/check-imports.mjs).
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h } from '../dom.js';
import { can } from '../session.js';

export const VKINDS = ['no_leader', 'no_worker', 'overloaded', 'unpaired_cadre', 'unpaired_worker', 'team_incomplete',
  'off_duty', 'uncovered_shift'];

// The table of vacancies by kind (the dashboard's tile and the 人员 page).
export function vacancyCounts(vac) {
  return h('table', { class: 'table staff-vac-counts' },
    h('thead', null, h('tr', null, h('th', null, t('staff.vac_kind')), h('th', null, t('staff.count')))),
    h('tbody', null, VKINDS.map((k) => h('tr', { 'data-vkind': k, class: vac.counts[k] ? 'hot' : null },
      h('td', null, tv('vkind', k)), h('td', null, String(vac.counts[k] || 0))))));
}

// The tile, or null for a role that does not read staff (or when the read is refused).
export async function staffTile(code) {
  if (!can.staff()) return null;
  const vac = await api('GET', '/vacancies' + qs({ unit: code, limit: 1 })).catch((e) => {
    if (e.handled) throw e;
    return null;
  });
  if (!vac) return null;
  const by = vac.staff.by_kind || {};
  return h('section', { 'aria-labelledby': 'staff-h', id: 'dash-staff' },
    h('h2', { id: 'staff-h' }, h('a', { href: '#/staff' + qs({ unit: code }) }, t('dash.staff'))),
    h('dl', { class: 'stats' },
      ['grid_leader', 'grid_worker', 'cadre', 'volunteer'].map((k) => h('div', null, h('dt', null, tv('staffkind', k)), h('dd', null, String(by[k] || 0)))),
      h('div', null, h('dt', null, t('staff.pairs')), h('dd', null, String(vac.staff.pairs))),
      h('div', { class: vac.total ? 'hot' : null }, h('dt', null, t('staff.vacancies')), h('dd', null, String(vac.total)))),
    vacancyCounts(vac));
}
