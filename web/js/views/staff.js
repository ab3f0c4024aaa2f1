// staff.js — staffing the grids (#/staff?unit=CODE; docs/api.md section 13): the counts
// (staff by kind, pairs, vacancies by kind), the vacancies found by the server, each with
// its fill action (assign someone, add to the building's team, pair, put on the shift),
// the teams of locked-down buildings, next week's gate roster, the staff with pending
// volunteer sign-ups to approve, the sign-up link (QR), and the workload per person.
import { api, enc, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, field, formError, clearErrors, showError, busy, fmtTime } from '../dom.js';
import { session } from '../session.js';
import { vacancyCounts } from '../tiles/staff.js';

const KINDS = ['grid_leader', 'grid_worker', 'cadre', 'volunteer', 'building_leader'];
let keepNext = false;

export function canManageStaff() {
  const r = session.me && session.me.role;
  return r === 'admin' || r === 'command' || r === 'community' || r === 'grid_leader';
}

function personLabel(s) {
  const skills = (s.skills || []).map((k) => tv('skill', k)).join('、');
  return s.name + '（' + tv('staffkind', s.kind) + (skills ? '，' + skills : '') + '）';
}

// The people who may fill a vacancy: volunteers first (the community's reserve), then the rest.
function candidates(staff, v) {
  const active = staff.filter((s) => s.state === 'active' && !s.off_duty);
  const free = (s) => !(s.assignments || []).length;
  let pool = active;
  if (v.kind === 'unpaired_cadre') pool = active.filter((s) => s.kind === 'grid_worker');
  else if (v.kind === 'unpaired_worker') pool = active.filter((s) => s.kind === 'cadre');
  else if (v.kind === 'team_incomplete') {
    const m = v.missing || {};
    const want = Object.keys(m).filter((k) => m[k] > 0);
    pool = active.filter((s) => want.indexOf(s.kind) >= 0);
  }
  return pool.slice().sort((a, b) => (b.kind === 'volunteer') - (a.kind === 'volunteer') || free(b) - free(a) || a.id - b.id);
}

function fillRequest(v, person) {
  switch (v.kind) {
    case 'no_leader':
      return ['POST', '/staff/' + person.id + '/assignments', { target: 'grid', unit: v.unit, position: 'grid_leader' }];
    case 'no_worker':
    case 'overloaded':
      return ['POST', '/staff/' + person.id + '/assignments', { target: 'grid', unit: v.unit, position: 'grid_worker' }];
    case 'off_duty':
      if (v.target === 'building') return ['POST', '/teams', { building: v.unit, staff_id: person.id, position: v.position }];
      return ['POST', '/staff/' + person.id + '/assignments', { target: v.target === 'checkpoint' ? 'grid' : v.target, unit: v.unit, position: v.position }];
    case 'team_incomplete': {
      const m = v.missing || {};
      const position = m[person.kind] > 0 ? person.kind : Object.keys(m).find((k) => m[k] > 0);
      return ['POST', '/teams', { building: v.unit, staff_id: person.id, position }];
    }
    case 'unpaired_cadre':
      return ['POST', '/pairs', { cadre_id: v.staff_id, worker_id: person.id }];
    case 'unpaired_worker':
      return ['POST', '/pairs', { cadre_id: person.id, worker_id: v.staff_id }];
    case 'uncovered_shift':
      return ['POST', '/rosters', { shift_id: v.shift_id, staff_id: person.id, day: v.day }];
    default:
      return null;
  }
}

function vacancyText(v) {
  const where = v.unit_name || v.unit || '';
  switch (v.kind) {
    case 'team_incomplete': {
      const m = v.missing || {};
      const lack = Object.keys(m).filter((k) => m[k] > 0).map((k) => t('staff.lack', { n: m[k], kind: tv('staffkind', k) })).join('、');
      return t('vac.team_incomplete', { where, grid: v.grid || '', lack });
    }
    case 'unpaired_cadre':
    case 'unpaired_worker':
      return t('vac.' + v.kind, { name: v.staff_name, where });
    case 'off_duty':
      return t('vac.off_duty', { name: v.staff_name, where, kind: tv('staffkind', v.position), n: v.households }) +
        (v.reason ? '（' + tv('offwhy', v.reason) + '）' : '');
    case 'uncovered_shift':
      return t('vac.uncovered_shift', { shift: v.shift, day: v.day, need: v.need, have: v.have });
    case 'overloaded':
      return t('vac.overloaded', { where, n: v.households, per: v.per_worker, max: v.threshold });
    default:
      return t('vac.' + v.kind, { where, n: v.households });
  }
}

function fillForm(v, staff, ctx) {
  const pool = candidates(staff, v);
  const who = field({ name: 'staff_id', label: t('staff.fill_with'), type: 'select', required: true,
    options: [['', t('staff.pick')]].concat(pool.map((s) => [String(s.id), personLabel(s)])) });
  const fields = [who];
  const form = h('form', { class: 'form form-inline', novalidate: true }, formError(), who,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('staff.fill'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const person = pool.find((s) => String(s.id) === who.input.value);
    if (!person) {
      showError(form, fields, { field: 'staff_id', message: t('common.required') });
      return;
    }
    const [m, p, body] = fillRequest(v, person);
    try {
      await busy(form, () => api(m, p, body));
      ctx.flash(t('staff.filled', { name: person.name }));
      keepNext = true;
      ctx.rerender();
    } catch (e) {
      showError(form, fields, e);
    }
  });
  return form;
}

function countsBox(vac) {
  const by = (vac.staff && vac.staff.by_kind) || {};
  return h('dl', { class: 'stats', id: 'staff-counts' },
    KINDS.map((k) => h('div', { 'data-kind': k }, h('dt', null, tv('staffkind', k)), h('dd', null, String(by[k] || 0)))),
    h('div', null, h('dt', null, t('staff.pairs')), h('dd', { 'data-stat': 'pairs' }, String(vac.staff ? vac.staff.pairs : 0))),
    h('div', { class: vac.total ? 'hot' : null }, h('dt', null, t('staff.vacancies')), h('dd', { 'data-stat': 'vacancies' }, String(vac.total))),
    vac.staff && vac.staff.pending ? h('div', null, h('dt', null, t('staff.pending')), h('dd', null, String(vac.staff.pending))) : null);
}

function teamsBox(teams) {
  if (!teams.length) return h('p', { class: 'empty' }, t('staff.no_locked'));
  return h('ul', { class: 'cards', id: 'staff-teams' }, teams.map((b) => h('li', { class: 'card', 'data-team': b.building, 'data-complete': String(b.complete) },
    h('h3', null, b.name, b.grid ? '（' + b.grid + '）' : '', ' ',
      h('span', { class: 'badge ' + (b.complete ? 'badge-ok' : 'badge-no') }, b.complete ? t('staff.team_complete') : t('staff.team_incomplete'))),
    h('p', null, b.members.map((m) => m.name + '·' + tv('staffkind', m.position)).join('，') || t('staff.nobody')))));
}

function nextMonday() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  const wd = d.getUTCDay();
  d.setUTCDate(d.getUTCDate() + ((8 - wd) % 7 || 7));
  return d.toISOString().slice(0, 10);
}

function rosterForm(shifts, staff, ctx) {
  const active = staff.filter((s) => s.state === 'active' && !s.off_duty);
  const shift = field({ name: 'shift_id', label: t('staff.shift'), type: 'select', required: true,
    options: [['', t('staff.pick')]].concat(shifts.map((s) => [String(s.id), s.name + '（' + s.start + '—' + s.end + '）']) ) });
  const who = field({ name: 'staff_id', label: t('staff.person'), type: 'select', required: true,
    options: [['', t('staff.pick')]].concat(active.map((s) => [String(s.id), personLabel(s)])) });
  const week = field({ name: 'week', label: t('staff.week'), type: 'date', required: true, value: nextMonday(), hint: t('staff.week_hint') });
  const fields = [shift, who, week];
  const form = h('form', { class: 'form', id: 'roster-form', novalidate: true }, formError(), fields,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('staff.roster_make'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    for (const f of fields) {
      if (!f.input.value) {
        showError(form, fields, { field: f.fieldName, message: t('common.required') });
        return;
      }
    }
    try {
      const r = await busy(form, () => api('POST', '/rosters', { shift_id: Number(shift.input.value), staff_id: Number(who.input.value), week: week.input.value }));
      ctx.flash(t('staff.roster_made', { n: r.items.length }));
      keepNext = true;
      ctx.rerender();
    } catch (e) {
      showError(form, fields, e);
    }
  });
  return form;
}

function rosterTable(rosters) {
  if (!rosters.length) return h('p', { class: 'empty' }, t('staff.no_roster'));
  return h('table', { class: 'table', id: 'roster-table' },
    h('thead', null, h('tr', null, [t('staff.day'), t('staff.shift'), t('staff.person'), t('staff.duty')].map((x) => h('th', null, x)))),
    h('tbody', null, rosters.map((r) => h('tr', { 'data-roster': String(r.id) },
      h('td', null, r.day), h('td', null, r.shift), h('td', null, r.staff_name, r.off_duty ? ' · ' + t('staff.off_duty') : ''),
      h('td', null, r.checked_out_at ? t('staff.duty_done') : r.checked_in_at ? t('staff.duty_on') : '')))));
}

function approveButton(s, ctx) {
  return h('button', { type: 'button', class: 'btn', 'data-approve': String(s.id), on: { click: async () => {
    await api('PATCH', '/staff/' + s.id, { state: 'active' });
    ctx.flash(t('staff.approved', { name: s.name }));
    keepNext = true;
    ctx.rerender();
  } } }, t('staff.approve'));
}

function staffTable(staff, ctx, manage) {
  return h('table', { class: 'table', id: 'staff-table' },
    h('thead', null, h('tr', null, [t('staff.name'), t('staff.kind'), t('staff.phone'), t('staff.skills'), t('staff.posts'), t('staff.state')].map((x) => h('th', null, x)))),
    h('tbody', null, staff.map((s) => h('tr', { 'data-staff': String(s.id), 'data-kind': s.kind },
      h('td', null, s.name, s.party_member ? ' ' + t('staff.party') : ''),
      h('td', null, tv('staffkind', s.kind), s.employer ? '（' + s.employer + '）' : ''),
      h('td', null, s.phone || ''),
      h('td', null, (s.skills || []).map((k) => tv('skill', k)).join('、')),
      h('td', null, (s.assignments || []).map((a) => tv('staffkind', a.position) + '@' + (a.gate || a.unit_name)).join('，')),
      h('td', null, s.off_duty ? t('staff.off_duty') : tv('staffstate', s.state),
        manage && s.state === 'pending' ? [' ', approveButton(s, ctx)] : null)))));
}

function linkBox(unit) {
  const out = h('div', { id: 'vlink-out' });
  const btn = h('button', { type: 'button', class: 'btn', id: 'vlink-make', on: { click: async () => {
    const r = await api('POST', '/units/' + enc(unit) + '/volunteer-link', {});
    out.replaceChildren(
      h('p', null, t('staff.link_made'), ' ', h('code', { id: 'vlink-url' }, r.url)),
      r.svg ? h('img', { alt: t('staff.link_qr'), width: 240, height: 240, src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(r.svg) }) : null);
  } } }, t('staff.link_make'));
  return h('div', null, h('p', { class: 'hint' }, t('staff.link_hint')), btn, out);
}

// Who must report their own temperature today and has not (the duty check-in).
function unreportedBox(un) {
  const hint = h('p', { class: 'hint' }, t('staff.unreported_hint', { reported: un.reported, fevers: un.fevers, time: un.report_by }));
  if (!un.items.length) return [hint, h('p', { class: 'empty', id: 'unreported-none' }, t('staff.unreported_none'))];
  return [hint, h('ul', { class: 'plain', id: 'unreported-list' }, un.items.map((s) => h('li', { 'data-staff': String(s.staff_id) },
    s.name + '·' + tv('staffkind', s.kind) + '·' + s.unit_name + (s.phone ? '·' + s.phone : '') +
      (s.off_reason ? '（' + tv('offwhy', s.off_reason) + '）' : ''))))];
}

// How each vacancy was filled: who, when, from the volunteer list or the sign-up link.
function historyBox(hist) {
  if (!hist.items.length) return h('p', { class: 'empty', id: 'fill-none' }, t('staff.history_none'));
  return h('ul', { class: 'plain', id: 'fill-history' }, hist.items.map((x) => h('li', { 'data-fill': x.kind, 'data-unit': x.unit },
    t('staff.history_row', { at: fmtTime(x.at), unit: x.unit_name, kind: tv('vkind', x.kind), name: x.staff_name,
      from: tv('fillfrom', x.from), via: tv('fillvia', x.via), by: x.by || '—' }))));
}

function workloadTable(w) {
  return h('table', { class: 'table', id: 'workload-table' },
    h('thead', null, h('tr', null, [t('staff.name'), t('staff.kind'), t('staff.households'), t('staff.followups'), t('staff.requests'), t('staff.tasks'), t('staff.hours')].map((x) => h('th', null, x)))),
    h('tbody', null, w.items.filter((x) => x.households || x.open_followups || x.open_requests || x.open_tasks || x.hours_planned).map((x) => h('tr', { class: x.overloaded || x.off_duty ? 'hot' : null },
      h('td', null, x.name), h('td', null, tv('staffkind', x.kind)), h('td', null, String(x.households)),
      h('td', null, String(x.open_followups)), h('td', null, String(x.open_requests || 0)), h('td', null, String(x.open_tasks || 0)),
      h('td', null, t('staff.hours_v', { on: x.hours_on_duty.toFixed(1), planned: x.hours_planned.toFixed(1) }))))));
}

export default async function staffView(ctx) {
  const unit = ctx.query.unit || session.me.unit_code;
  const manage = canManageStaff() && session.me.role !== 'command';
  const week = nextMonday();
  const weekEnd = (() => {
    const d = new Date(week + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + 6);
    return d.toISOString().slice(0, 10);
  })();
  const [vac, staffRes, teams, shifts, rosters, work, unrep, hist] = await Promise.all([
    api('GET', '/vacancies' + qs({ unit, limit: 200 })),
    api('GET', '/staff' + qs({ unit, limit: 500 })),
    api('GET', '/teams' + qs({ unit })),
    api('GET', '/shifts' + qs({ unit })),
    api('GET', '/rosters' + qs({ unit, from: week, to: weekEnd })),
    api('GET', '/workload' + qs({ unit })),
    api('GET', '/staff/unreported' + qs({ unit, limit: 300 })),
    api('GET', '/vacancies/history' + qs({ unit, limit: 50 })),
  ]);
  ctx.title = t('staff.title');
  ctx.wide = true;
  ctx.keepScroll = keepNext;
  keepNext = false;
  const staff = staffRes.items || [];
  return h('section', { class: 'staff-page' },
    h('h1', { tabindex: '-1' }, t('staff.title'), ' ', h('span', { class: 'kind' }, vac.unit_name)),
    countsBox(vac),
    h('h2', null, t('staff.vacancies_h')),
    vacancyCounts(vac),
    vac.items.length ? h('ul', { class: 'cards', id: 'vacancy-list' }, vac.items.map((v) => h('li', {
      class: 'card vacancy', 'data-vkind': v.kind, 'data-unit': v.unit || '' },
    h('p', null, h('span', { class: 'badge badge-no' }, tv('vkind', v.kind)), ' ', vacancyText(v)),
    manage ? h('details', { class: 'panel' }, h('summary', null, t('staff.fill')), fillForm(v, staff, ctx)) : null)))
      : h('p', { class: 'empty', id: 'vacancy-none' }, t('staff.no_vacancies')),
    h('h2', null, t('staff.unreported_h', { n: unrep.total })),
    unreportedBox(unrep),
    h('h2', null, t('staff.history_h')),
    historyBox(hist),
    h('h2', null, t('staff.teams_h')),
    teamsBox(teams.items || []),
    h('h2', null, t('staff.roster_h', { from: week, to: weekEnd })),
    manage && (shifts.items || []).length ? rosterForm(shifts.items, staff, ctx) : null,
    rosterTable(rosters.items || []),
    h('h2', null, t('staff.workload_h')),
    workloadTable(work),
    h('h2', null, t('staff.list_h')),
    staffTable(staff, ctx, manage),
    manage && session.me.role === 'community' ? [h('h2', null, t('staff.link_h')), linkBox(unit)] : null);
}
