// lists.js — lists from other agencies (police, transport, employers, other cities).
// #/lists?unit=CODE: upload a CSV (POST /lists, text/csv) and see its counts — matched,
// to review, unmatched — and the lists of the unit; #/list/ID?state=open: the rows of a
// list with their candidates, and per open row confirm (this resident), reject (with a
// note) or register (a new resident in a household, then confirmed).  Nothing is lost:
// open rows stay here until someone resolves them.
import { api, enc, qs } from '../api.js';
import { t, tv, serverText } from '../i18n.js';
import { h, mount, pager, fmtTime, field, formError, clearErrors, showError, busy, act as run } from '../dom.js';
import { session } from '../session.js';
import { placeLabel } from './common.js';
import { chips } from './epi-common.js';

const PAGE = 30;
const ROW_STATES = ['open', 'to_review', 'unmatched', 'matched', 'confirmed', 'rejected', 'registered', 'all'];
const LIST_CATEGORIES = ['travel_observation', 'close_contact', 'secondary_contact'];
const COUNT_KEYS = ['rows', 'matched', 'to_review', 'unmatched', 'confirmed', 'rejected', 'registered'];

function countOf(x, k) {
  if (x && x.counts && typeof x.counts[k] === 'number') return x.counts[k];
  return x && typeof x[k] === 'number' ? x[k] : null;
}

function countStats(x, id) {
  const keys = COUNT_KEYS.filter((k) => countOf(x, k) !== null);
  if (x && typeof x.observation_started === 'number') keys.push('observation_started');
  return h('dl', { class: 'stats cov-stats list-stats', id: id || null }, keys.map((k) => h('div', {
    class: (k === 'to_review' || k === 'unmatched') && countOf(x, k) > 0 ? 'warn' : null, 'data-stat': k,
  }, h('dt', null, t('lst.count_' + k)), h('dd', null, String(k === 'observation_started' ? x.observation_started : countOf(x, k))))));
}

// ---- #/lists ----

function uploadForm(ctx, unit) {
  const unitF = field({ name: 'unit', label: t('lst.unit'), required: true, maxlength: 64, value: unit, autocomplete: 'off', hint: t('lst.unit_hint') });
  const source = field({ name: 'source', label: t('lst.source'), required: true, maxlength: 100, autocomplete: 'off', hint: t('lst.source_hint') });
  const category = field({ name: 'category', label: t('lst.category'), type: 'select', value: 'travel_observation', options: LIST_CATEGORIES.map((c) => [c, tv('cat', c)]) });
  const file = field({ name: 'file', label: t('lst.file'), type: 'file', required: true, hint: t('lst.file_hint'), attrs: { accept: '.csv,text/csv' } });
  const fields = [unitF, source, category, file];
  const out = h('div', { id: 'list-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'form', id: 'list-upload', novalidate: true }, formError(), fields,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('lst.upload'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    mount(out);
    const f = file.input.files && file.input.files[0];
    if (!unitF.input.value.trim()) return showError(form, fields, { field: 'unit', message: t('common.required') });
    if (!source.input.value.trim()) return showError(form, fields, { field: 'source', message: t('lst.need_source') });
    if (!f) return showError(form, fields, { field: 'file', message: t('lst.need_file') });
    try {
      const res = await busy(form, () => api('POST', '/lists' + qs({ unit: unitF.input.value.trim(), source: source.input.value.trim(), category: category.input.value }),
        f, { contentType: 'text/csv' }));
      mount(out, h('section', { class: 'card list-done', 'aria-labelledby': 'lr-h' },
        h('h3', { id: 'lr-h', tabindex: '-1' }, t('lst.uploaded', { source: res.source || source.input.value.trim(), n: res.rows })),
        countStats(res, 'list-counts'),
        h('p', { class: 'hint' }, t('lst.sum_hint')),
        h('p', { class: 'actions' },
          h('a', { class: 'btn btn-primary', id: 'list-review-link', href: '#/list/' + res.id }, t('lst.review', { n: (res.to_review || 0) + (res.unmatched || 0) })))));
      out.querySelector('h3').focus();
      form.reset();
      unitF.input.value = unit;
    } catch (e) {
      // the server names query parameters (unit, source) and rows of the file
      showError(form, fields, e.field && !fields.some((x) => x.fieldName === e.field) ? { message: e.message } : e);
    }
  });
  return h('div', null, form, out);
}

function listsTable(res) {
  const items = res.items || [];
  if (!items.length) return h('p', { class: 'empty' }, t('lst.none'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table stack', id: 'lists-table' },
    h('thead', null, h('tr', null, ['source', 'at', 'rows', 'matched', 'open', 'done'].map((k) => h('th', { scope: 'col' }, t('lst.col_' + k))))),
    h('tbody', null, items.map((x) => {
      const open = (countOf(x, 'to_review') || 0) + (countOf(x, 'unmatched') || 0);
      const done = (countOf(x, 'confirmed') || 0) + (countOf(x, 'rejected') || 0) + (countOf(x, 'registered') || 0);
      return h('tr', { 'data-list': String(x.id) },
        h('th', { scope: 'row', 'data-label': t('lst.col_source') }, h('a', { href: '#/list/' + x.id }, x.source ? serverText(x.source) : '#' + x.id),
          x.category ? h('span', { class: 'row-aside' }, tv('cat', x.category)) : null),
        h('td', { 'data-label': t('lst.col_at') }, fmtTime(x.created_at || x.at), x.created_by || x.by ? ' · ' + (x.created_by_name || x.created_by || x.by) : ''),
        h('td', { 'data-label': t('lst.col_rows') }, String(countOf(x, 'rows') || 0)),
        h('td', { 'data-label': t('lst.col_matched') }, String(countOf(x, 'matched') || 0)),
        h('td', { 'data-label': t('lst.col_open'), class: open ? 'hot-text' : null }, String(open)),
        h('td', { 'data-label': t('lst.col_done') }, String(done)));
    }))));
}

async function listsPage(ctx) {
  const unit = ctx.query.unit || session.me.unit_code;
  const res = await api('GET', '/lists' + qs({ unit, limit: 50 }));
  ctx.title = t('lst.title');
  return h('section', { class: 'lists-page' },
    h('h1', { tabindex: '-1' }, t('lst.title')),
    h('p', { class: 'hint' }, t('lst.intro')),
    h('details', { class: 'panel', id: 'list-upload-panel', open: true }, h('summary', null, t('lst.upload_title')),
      h('p', { class: 'hint' }, t('lst.columns')), uploadForm(ctx, unit)),
    h('section', { 'aria-labelledby': 'lists-h' },
      h('h2', { id: 'lists-h' }, t('lst.lists', { n: res.total || (res.items || []).length })),
      listsTable(res)));
}

// ---- #/list/ID ----

function rowFacts(r) {
  return [
    [t('lst.f_id_number'), r.id_number],
    [t('lst.f_phone'), r.phone],
    [t('lst.f_address'), r.address],
    [t('lst.f_arrival'), r.arrival_day],
    [t('lst.f_match'), r.match ? tv('match', r.match) : null],
    [t('lst.f_note'), r.note ? tv('lstnote', r.note) : null],
    [t('lst.f_resolved'), r.resolved_at ? fmtTime(r.resolved_at) + (r.resolved_by ? ' · ' + r.resolved_by : '') : null],
  ].filter(([, v]) => v !== null && v !== undefined && v !== '');
}

function rowCard(list, r, onChange) {
  const li = h('li', { class: 'card list-row', 'data-row': String(r.row), 'data-state': r.state });
  const open = r.state === 'to_review' || r.state === 'unmatched';
  const err = formError();
  async function act(body, btn) {
    await run(err, btn, async () => {
      const res = await api('POST', '/lists/' + list.id + '/rows/' + r.row, body);
      onChange(li, Object.assign({}, r, res || {}), body.action);
    });
  }
  const parts = [
    h('h3', null, h('span', { class: 'line-no' }, String(r.line || r.row)), r.name, ' ',
      h('span', { class: 'badge badge-row-' + r.state }, tv('rowstate', r.state))),
    h('dl', { class: 'kv' }, rowFacts(r).map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))),
    r.resident_id ? h('p', null, h('a', { href: '#/resident/' + r.resident_id }, t('lst.resident_link'))) : null,
  ];
  if (open) {
    const cands = r.candidates || [];
    parts.push(err);
    if (cands.length) {
      parts.push(h('p', { class: 'cand-h' }, t('lst.candidates', { n: cands.length })));
      parts.push(h('ul', { class: 'list plain candidates' }, cands.map((c) => {
        const b = h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-confirm': String(c.resident_id) }, t('lst.confirm'));
        b.addEventListener('click', () => act({ action: 'confirm', resident_id: c.resident_id }, b));
        return h('li', null, b, ' ', h('a', { href: '#/resident/' + c.resident_id }, c.name), ' · ', placeLabel(c));
      })));
    } else {
      parts.push(h('p', { class: 'muted' }, t('lst.no_candidates')));
    }
    // find someone else: a resident (confirm) or a household (register)
    const q = h('input', { type: 'search', maxlength: 40, autocomplete: 'off', placeholder: t('search.placeholder'), 'aria-label': t('lst.find') });
    const found = h('div', { class: 'found', 'aria-live': 'polite' });
    const hhInput = h('input', { type: 'number', inputmode: 'numeric', min: 1, class: 'hh-id', 'aria-label': t('lst.household_id'), placeholder: t('lst.household_id') });
    const findBtn = h('button', { type: 'button', class: 'btn btn-small' }, t('search.button'));
    const search = async () => {
      const term = q.value.trim();
      if (!term) return;
      findBtn.disabled = true;
      try {
        const res = await api('POST', '/residents/search', { q: term, limit: 8 });
        mount(found, (res.items || []).length ? h('ul', { class: 'list plain' }, res.items.map((x) => {
          const cb = h('button', { type: 'button', class: 'btn btn-small' }, t('lst.confirm_this'));
          cb.addEventListener('click', () => act({ action: 'confirm', resident_id: x.id }, cb));
          const hb = h('button', { type: 'button', class: 'btn btn-small' }, t('lst.use_household'));
          hb.addEventListener('click', () => { hhInput.value = String(x.household_id); hhInput.focus(); });
          return h('li', null, x.name, ' · ', placeLabel(x), ' ', cb, ' ', hb);
        })) : h('p', { class: 'empty' }, t('search.none')));
      } catch (e) {
        if (!e.handled) mount(found, h('p', { class: 'field-error' }, e.message));
      } finally {
        findBtn.disabled = false;
      }
    };
    findBtn.addEventListener('click', search);
    q.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); search(); } });
    const regBtn = h('button', { type: 'button', class: 'btn btn-small', 'data-register': '1' }, t('lst.register'));
    regBtn.addEventListener('click', () => {
      const n = Number(hhInput.value);
      if (!Number.isInteger(n) || n < 1) {
        err.textContent = t('lst.need_household');
        err.hidden = false;
        hhInput.focus();
        return;
      }
      act({ action: 'register', household_id: n }, regBtn);
    });
    const note = h('input', { type: 'text', maxlength: 500, autocomplete: 'off', class: 'reject-note', 'aria-label': t('lst.reject_note'), placeholder: t('lst.reject_note') });
    const rejBtn = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-reject': '1' }, t('lst.reject'));
    rejBtn.addEventListener('click', () => {
      if (!note.value.trim()) {
        err.textContent = t('lst.need_note');
        err.hidden = false;
        note.focus();
        return;
      }
      act({ action: 'reject', note: note.value.trim() }, rejBtn);
    });
    parts.push(h('details', { class: 'row-more' }, h('summary', null, t('lst.other_actions')),
      h('div', { class: 'inline-form' }, q, findBtn), found,
      h('div', { class: 'inline-form' }, hhInput, regBtn),
      h('div', { class: 'inline-form' }, note, rejBtn)));
  }
  mount(li, parts);
  return li;
}

async function listPage(ctx) {
  const id = ctx.params[0];
  const state = ROW_STATES.indexOf(ctx.query.state) >= 0 ? ctx.query.state : 'open';
  const offset = Math.max(0, parseInt(ctx.query.o, 10) || 0);
  const [list, rows] = await Promise.all([
    api('GET', '/lists/' + enc(id)),
    api('GET', '/lists/' + enc(id) + '/rows' + qs({ state: state === 'all' ? null : state, limit: PAGE, offset })),
  ]);
  ctx.title = t('lst.list_title', { source: list.source ? serverText(list.source) : '#' + list.id });
  const href = (s, o) => '#/list/' + enc(id) + qs({ state: s === 'open' ? null : s, o: o || null });
  const statusBox = h('p', { class: 'facts', role: 'status', id: 'rows-status' }, t('lst.rows_shown', { n: rows.total }));
  const onChange = (li, row, action) => {
    const fresh = rowCard(list, row, onChange);
    li.replaceWith(fresh);
    mount(statusBox, t('lst.resolved', { name: row.name, action: tv('lstact', action), state: tv('rowstate', row.state) }));
  };
  const items = rows.items || [];
  return h('section', { class: 'list-page' },
    h('p', { class: 'back' }, h('a', { href: '#/lists' + qs({ unit: list.unit && list.unit !== session.me.unit_code ? list.unit : null }) }, '‹ ', t('lst.title'))),
    h('h1', { tabindex: '-1' }, ctx.title),
    h('p', { class: 'facts' }, [list.unit, list.category ? tv('cat', list.category) : '', fmtTime(list.created_at)].filter(Boolean).join(' · ')),
    countStats(list, 'list-counts'),
    chips(t('lst.filter'), ROW_STATES, state, (s) => href(s), (s) => tv('rowstate', s)),
    statusBox,
    items.length ? h('ul', { class: 'cards list-rows', id: 'list-rows' }, items.map((r) => rowCard(list, r, onChange)))
      : h('p', { class: state === 'open' ? 'done-all' : 'empty' }, state === 'open' ? t('lst.all_resolved') : t('lst.no_rows')),
    pager(rows.total, PAGE, offset, (o) => { window.location.hash = href(state, o); }));
}

export default async function listsView(ctx) {
  return ctx.mode === 'list' ? listPage(ctx) : listsPage(ctx);
}
