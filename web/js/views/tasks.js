// tasks.js — the response tasks of a unit (#/tasks?unit=CODE&state=open|late|done|all&o=N),
// created when a case is confirmed (docs/api.md 10.6): close contacts to observation,
// disinfection (消杀) of the building's corridors and common areas, the notice and check of
// the building's residents, the lockdown.  Late ones first and in red.  The roles of the
// four categories mark a task done (a disinfection asks for place, team and a description
// of the photo taken), hand it to someone else, or add a note; command reads.
import { api, qs } from '../api.js';
import { t, tv, serverText } from '../i18n.js';
import { h, pager, fmtTime, field, formError, clearErrors, showError, busy } from '../dom.js';
import { session, can } from '../session.js';

const PAGE = 50;
const STATES = ['open', 'late', 'done', 'all'];
let keepNext = false;

// People by their name (the login only when an account has none).
function person(x) {
  if (!x) return '';
  if (typeof x === 'string') return x;
  return x.name || x.username || '';
}

function actionForm(task, ctx, id, fields, label, build, primary) {
  const form = h('form', { class: 'form', id: id + '-' + task.id, novalidate: true }, formError(), fields,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' + (primary ? ' btn-primary' : '') }, label)));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = build(form);
    if (!body) return;
    try {
      await busy(form, () => api('POST', '/tasks/' + task.id, body));
      ctx.flash(t('task.action_done', { action: tv('taskpast', body.action), title: task.title ? serverText(task.title) : tv('task', task.kind) }));
      keepNext = true;
      ctx.rerender();
    } catch (e) {
      showError(form, fields, e);
    }
  });
  return form;
}

function need(form, fields, f) {
  if (f.input.value.trim()) return true;
  showError(form, fields, { field: f.fieldName, message: t('common.required') });
  return false;
}

function doneForm(task, ctx) {
  const fields = [];
  const dis = task.kind === 'disinfection';
  let place;
  let team;
  let photo;
  if (dis) {
    place = field({ name: 'place', label: t('task.place'), required: true, maxlength: 200, autocomplete: 'off', hint: t('task.place_hint'), value: task.place || '' });
    team = field({ name: 'team', label: t('task.team'), required: true, maxlength: 100, autocomplete: 'off' });
    photo = field({ name: 'photo_note', label: t('task.photo_note'), required: true, maxlength: 500, type: 'textarea', rows: 2, hint: t('task.photo_hint') });
    fields.push(place, team, photo);
  }
  const note = field({ name: 'note', label: t('task.note'), maxlength: 500, autocomplete: 'off' });
  fields.push(note);
  return actionForm(task, ctx, 'task-done', fields, t('taskact.done'), (form) => {
    const b = { action: 'done' };
    if (dis) {
      for (const f of [place, team, photo]) if (!need(form, fields, f)) return null;
      b.place = place.input.value.trim();
      b.team = team.input.value.trim();
      b.photo_note = photo.input.value.trim();
    }
    if (note.input.value.trim()) b.note = note.input.value.trim();
    return b;
  }, true);
}

function assignForm(task, ctx) {
  const owner = field({ name: 'owner', label: t('task.owner'), required: true, maxlength: 32, autocomplete: 'off', hint: t('task.owner_hint') });
  owner.input.setAttribute('autocapitalize', 'none');
  const fields = [owner];
  return actionForm(task, ctx, 'task-assign', fields, t('taskact.assign'), (form) => {
    if (!need(form, fields, owner)) return null;
    return { action: 'assign', owner: owner.input.value.trim() };
  });
}

function noteForm(task, ctx) {
  const note = field({ name: 'note', label: t('task.note'), required: true, maxlength: 500, autocomplete: 'off' });
  const fields = [note];
  return actionForm(task, ctx, 'task-note', fields, t('taskact.note'), (form) => {
    if (!need(form, fields, note)) return null;
    return { action: 'note', note: note.input.value.trim() };
  });
}

function taskCard(task, ctx) {
  const late = !!task.late || task.state === 'late';
  const done = task.state === 'done';
  const facts = [
    [t('task.building'), [task.building, task.unit_code && !task.building ? task.unit_code : ''].filter(Boolean).join(' ')],
    [t('task.owner'), person(task.owner)],
    [t('task.due'), h('span', { class: late ? 'hot-text' : null }, fmtTime(task.due_at), late ? ' · ' + t('task.late') : '')],
    task.case_id ? [t('task.case'), h('a', { href: '#/resident/' + task.case_id }, t('task.case_link', { id: task.case_id }))] : null,
    done ? [t('task.done_at'), fmtTime(task.done_at) + (task.done_by ? ' · ' + (task.done_by_name || task.done_by) : '')] : null,
    task.place && task.kind === 'disinfection' ? [t('task.place'), task.place] : null,
    task.team ? [t('task.team'), task.team] : null,
    task.photo_note ? [t('task.photo_note'), task.photo_note] : null,
    task.note ? [t('task.note'), task.note] : null,
    [t('task.created'), fmtTime(task.created_at)],
  ].filter((x) => x && x[1] !== '' && x[1] !== null && x[1] !== undefined);
  return h('li', { class: 'card task' + (late ? ' is-late' : '') + (done ? ' is-done' : ''), 'data-task': String(task.id), 'data-kind': task.kind, 'data-state': task.state },
    h('h3', null, (task.title ? serverText(task.title) : tv('task', task.kind)), ' ',
      h('span', { class: 'badge badge-task-' + (late ? 'late' : task.state) }, late ? t('task.late') : tv('taskstate', task.state))),
    h('dl', { class: 'kv' }, facts.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))),
    can.epi() && !done ? [
      h('details', { class: 'panel', 'data-action': 'done' }, h('summary', null, t('taskact.done')), doneForm(task, ctx)),
      h('details', { class: 'panel', 'data-action': 'assign' }, h('summary', null, t('taskact.assign')), assignForm(task, ctx)),
    ] : null,
    can.epi() ? h('details', { class: 'panel', 'data-action': 'note' }, h('summary', null, t('taskact.note')), noteForm(task, ctx)) : null);
}

export default async function tasksView(ctx) {
  const unit = ctx.query.unit || session.me.unit_code;
  const state = STATES.indexOf(ctx.query.state) >= 0 ? ctx.query.state : 'open';
  const offset = Math.max(0, parseInt(ctx.query.o, 10) || 0);
  const res = await api('GET', '/tasks' + qs({ unit, state, limit: PAGE, offset }));
  // the answer counts the late ones beside the page (else ask for them)
  const late = typeof res.late === 'number' ? { total: res.late } : state === 'late' ? null
    : await api('GET', '/tasks' + qs({ unit, state: 'late', limit: 1 })).catch((e) => {
      if (e.handled) throw e;
      return null;
    });
  ctx.title = t('task.title');
  ctx.keepScroll = keepNext;
  keepNext = false;
  const href = (s, o) => '#/tasks' + qs({ unit: ctx.query.unit, state: s === 'open' ? null : s, o: o || null });
  const nLate = state === 'late' ? res.total : late ? late.total : 0;
  const items = res.items || [];
  return h('section', { class: 'tasks-page' },
    h('h1', { tabindex: '-1' }, t('task.title'), ' ', h('span', { class: 'kind' }, unit === session.me.unit_code ? session.me.unit_name : unit)),
    nLate ? h('p', { class: 'notice hot-notice', role: 'status', id: 'tasks-late' }, t('task.late_n', { n: nLate })) : null,
    h('nav', { class: 'filters-bar', 'aria-label': t('task.filter') }, h('ul', null, STATES.map((s) =>
      h('li', null, h('a', { class: 'chip-link', href: href(s), 'aria-current': s === state ? 'page' : null }, t('task.state_' + s)))))),
    h('p', { class: 'facts' }, t('task.count', { n: res.total })),
    items.length ? h('ul', { class: 'cards tasks', id: 'task-list' }, items.map((x) => taskCard(x, ctx)))
      : h('p', { class: 'empty' }, t('task.none')),
    pager(res.total, PAGE, offset, (o) => { window.location.hash = href(state, o); }));
}
