// idreview.js — the duplicate-ID review (身份证号重复待核实, docs/api.md section 16).
// #/id-reviews?state=open|returned|merged|corrected|kept|all&o=N
// A community account (the reviewer) sees each held registration beside the one that
// already holds its number and decides: merge (the same person moved), return to the worker
// with a note (a wrong number), or keep both with a reason.  Any other registry role sees
// only what was returned to it, with the reviewer's note, and enters the corrected number.
import { api, enc, qs } from '../api.js';
import { t, tv, serverText } from '../i18n.js';
import { h, mount, pager, fmtTime, formError, act as run } from '../dom.js';
import { session } from '../session.js';
import { placeLabel } from './common.js';
import { chips } from './epi-common.js';

const PAGE = 20;
const STATES = ['open', 'returned', 'merged', 'corrected', 'kept', 'all'];

export function isReviewer() {
  return !!session.me && session.me.role === 'community';
}

function facts(rows) {
  return h('dl', { class: 'kv' }, rows.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))));
}

// One registration as a column of the comparison.
function person(x, title, cls) {
  if (!x) return h('div', { class: 'idr-side ' + cls }, h('h3', null, title), h('p', { class: 'muted' }, t('idr.gone')));
  const where = x.outside_scope
    ? [x.district, x.street, x.community].filter(Boolean).join(' · ') + ' ' + t('idr.outside')
    : placeLabel(x);
  return h('div', { class: 'idr-side ' + cls, 'data-resident': String(x.id) },
    h('h3', null, title),
    facts([
      [t('idr.f_name'), x.outside_scope ? x.name : h('a', { href: '#/resident/' + x.id }, x.name)],
      [t('idr.f_id_number'), x.id_number],
      [t('idr.f_sex'), x.sex ? tv('sex', x.sex) : null],
      [t('idr.f_birth'), x.birth_date || (typeof x.age === 'number' ? t('idr.age', { n: x.age }) : null)],
      [t('idr.f_phone'), x.phone],
      [t('idr.f_relation'), x.relation],
      [t('idr.f_where'), where],
      [t('idr.f_residence'), x.residence ? tv('residence', x.residence) : null],
      [t('idr.f_moved_out'), x.moved_out ? t('idr.yes') : null],
      [t('idr.f_since'), x.registered_at ? fmtTime(x.registered_at) : null],
    ]));
}

function decideForms(item, ctx, err) {
  const note = h('textarea', { rows: 2, maxlength: 500, class: 'idr-note', id: 'idr-note-' + item.id, 'aria-label': t('idr.note') });
  const act = async (action, btn) => {
    const body = { action };
    const v = note.value.trim();
    if (action !== 'merge' && !v) {
      err.textContent = action === 'keep' ? t('idr.need_reason') : t('idr.need_note');
      err.hidden = false;
      note.focus();
      return;
    }
    if (v) body.note = v;
    if (action === 'merge' && !window.confirm(t('idr.merge_confirm'))) return;
    await run(err, btn, async () => {
      await api('POST', '/id-reviews/' + item.id, body);
      ctx.flash(t('idr.done_' + action, { name: item.held ? item.held.name : '#' + item.id }));
      refreshCount();
      ctx.rerender();
    });
  };
  const mk = (action, cls) => {
    const b = h('button', { type: 'button', class: 'btn ' + cls, 'data-action': action }, t('idr.act_' + action));
    b.addEventListener('click', () => act(action, b));
    return b;
  };
  return h('div', { class: 'idr-actions' },
    h('label', { for: 'idr-note-' + item.id }, t('idr.note')),
    h('p', { class: 'hint' }, t('idr.note_hint')),
    note,
    h('p', { class: 'actions' }, mk('merge', 'btn-primary'), ' ', mk('return', ''), ' ', mk('keep', '')),
    h('p', { class: 'hint' }, t('idr.actions_hint')));
}

function correctForm(item, ctx, err) {
  const input = h('input', { type: 'text', maxlength: 20, autocomplete: 'off', id: 'idr-fix-' + item.id, class: 'idr-fix', inputmode: 'text' });
  const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('idr.correct'));
  const form = h('form', { class: 'inline-form', novalidate: true },
    h('label', { for: 'idr-fix-' + item.id }, t('idr.new_number')), input, btn);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!input.value.trim()) {
      err.textContent = t('common.required');
      err.hidden = false;
      input.focus();
      return;
    }
    await run(err, btn, async () => {
      await api('POST', '/id-reviews/' + item.id + '/correction', { id_number: input.value.trim() });
      ctx.flash(t('idr.corrected', { name: item.held ? item.held.name : '#' + item.id }));
      refreshCount();
      ctx.rerender();
    });
  });
  return form;
}

function card(item, ctx) {
  const err = formError();
  const reviewer = isReviewer();
  const head = h('h2', null, item.held ? item.held.name : '#' + item.id, ' ',
    h('span', { class: 'badge badge-idr-' + item.state }, tv('idrstate', item.state)));
  const meta = h('p', { class: 'facts' }, [
    t('idr.by', { who: item.created_by || '—', at: fmtTime(item.created_at) }),
    tv('idrsource', item.source),
    item.decided_at ? t('idr.decided', { who: item.decided_by || '—', at: fmtTime(item.decided_at) }) : '',
  ].filter(Boolean).join(' · '));
  const parts = [head, meta];
  if (item.note) parts.push(h('p', { class: 'idr-note-text' }, h('strong', null, t('idr.note_label')), ' ', serverText(item.note)));
  if (reviewer) {
    parts.push(h('div', { class: 'idr-compare' },
      person(item.held, t('idr.held'), 'idr-held'),
      person(item.existing, t('idr.existing'), 'idr-existing')));
  } else {
    parts.push(h('div', { class: 'idr-compare' }, person(item.held, t('idr.held'), 'idr-held')));
  }
  parts.push(err);
  if (reviewer && item.state === 'open') parts.push(decideForms(item, ctx, err));
  if (!reviewer && item.state === 'returned') parts.push(correctForm(item, ctx, err));
  return h('li', { class: 'card idr-item', 'data-review': String(item.id), 'data-state': item.state }, parts);
}

// The number of items waiting for this account (open ones for reviewers, returned ones for
// the others), drawn into the menu's count.
export async function reviewCount() {
  const res = await api('GET', '/id-reviews' + qs({ state: isReviewer() ? 'open' : 'returned', limit: 1 }));
  return res && typeof res.total === 'number' ? res.total : 0;
}

let countHook = () => {};
export function onCount(fn) {
  countHook = fn;
}
function refreshCount() {
  countHook();
}

export default async function idReviewView(ctx) {
  const reviewer = isReviewer();
  const fallback = reviewer ? 'open' : 'returned';
  const state = reviewer && STATES.indexOf(ctx.query.state) >= 0 ? ctx.query.state : fallback;
  const offset = Math.max(0, parseInt(ctx.query.o, 10) || 0);
  const list = await api('GET', '/id-reviews' + qs({ state, limit: PAGE, offset }));
  // each item beside the registration holding its number (reviewers only)
  const items = reviewer
    ? await Promise.all((list.items || []).map((x) => api('GET', '/id-reviews/' + enc(String(x.id)))))
    : list.items || [];
  ctx.title = reviewer ? t('idr.title') : t('idr.title_fix');
  ctx.wide = true;
  const href = (s, o) => '#/id-reviews' + qs({ state: s === fallback ? null : s, o: o || null });
  return h('section', { class: 'idr-page' },
    h('h1', { tabindex: '-1' }, ctx.title),
    h('p', { class: 'hint' }, reviewer ? t('idr.intro') : t('idr.intro_fix')),
    reviewer ? chips(t('idr.filter'), STATES, state, (s) => href(s), (s) => tv('idrstate', s)) : null,
    h('p', { class: 'facts', role: 'status', id: 'idr-status' }, t('idr.shown', { n: list.total })),
    items.length ? h('ul', { class: 'cards idr-list', id: 'idr-list' }, items.map((x) => card(x, ctx)))
      : h('p', { class: 'empty', id: 'idr-empty' }, state === fallback ? t('idr.none_waiting') : t('idr.none')),
    pager(list.total, PAGE, offset, (o) => { window.location.hash = href(state, o); }));
}
