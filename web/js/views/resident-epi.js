// resident-epi.js — the epidemic part of a resident's page (#/resident/ID), for the roles
// that work with named people (docs/api.md section 10): the current category and its
// history (oldest first), a form to change it (category + reason from the fixed list +
// note), starting an isolation, the active isolation with extend / transfer / assign /
// notice / release, the contacts recorded for this person with a form to add one, and the
// link to the transmission chain.  Loaded by resident.js only for those roles.
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, field, checkGroup, formError, clearErrors, showError, busy, fmtTime } from '../dom.js';
import { session, rollDay } from '../session.js';
import { placeLabel } from './common.js';
import {
  CATEGORIES, REASONS, ISO_KINDS, CONTACT_KINDS, OBSERVATION, nextCategories, catBadge, catLabel, isolationText,
} from './epi-common.js';

let keepNext = false;

function today() {
  return rollDay();
}

// A small form: fields, a submit button, the server's field errors next to the fields.
function epiForm(id, fields, submitLabel, onSubmit, extra) {
  const form = h('form', { class: 'form', id, novalidate: true }, formError(), fields, extra || null,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel)));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      await onSubmit(form);
    } catch (e) {
      showError(form, fields.filter((f) => f && f.fieldName), e);
    }
  });
  return form;
}

function text(f) {
  return f.input.value.trim();
}

// ---- the category ----

function statusForm(r, current, ctx) {
  const allowed = nextCategories(current);
  const others = CATEGORIES.filter((c) => c !== current && allowed.indexOf(c) < 0);
  const category = field({
    name: 'category', label: t('epi.new_category'), type: 'select', required: true, value: '',
    options: [['', t('epi.choose')]].concat(allowed.map((c) => [c, tv('cat', c)]),
      others.map((c) => [c, t('epi.needs_correction', { cat: tv('cat', c) })])),
    hint: t('epi.allowed', { list: allowed.map((c) => tv('cat', c)).join('、') || '—' }),
  });
  const reason = field({
    name: 'reason', label: t('epi.reason'), type: 'select', required: true, value: '',
    options: [['', t('epi.choose')]].concat(REASONS.map((x) => [x, tv('reason', x)])),
  });
  const note = field({ name: 'note', label: t('epi.note'), type: 'textarea', rows: 2, maxlength: 500, hint: t('epi.note_hint') });
  const fields = [category, reason, note];
  return epiForm('status-form', fields, t('epi.status_submit'), async (form) => {
    const body = { category: category.input.value, reason: reason.input.value };
    if (!body.category) return showError(form, fields, { field: 'category', message: t('epi.need_category') });
    if (!body.reason) return showError(form, fields, { field: 'reason', message: t('epi.need_reason') });
    if (text(note)) body.note = text(note);
    const res = await busy(form, () => api('POST', '/residents/' + r.id + '/status', body));
    let msg = t('epi.status_saved', { name: r.name, cat: catLabel(res.category) });
    if ((res.household_observed || []).length) msg += ' ' + t('epi.household_observed', { n: res.household_observed.length });
    if ((res.tasks || []).length) msg += ' ' + t('epi.tasks_created', { n: res.tasks.length });
    ctx.flash(msg);
    keepNext = true;
    ctx.rerender();
  });
}

// "alert:12", "list:3", "household:260", "contact:7": where an automatic change came from.
function sourceLink(src) {
  const m = /^(alert|list|household|contact):(\d+)$/.exec(src || '');
  if (!m) return src;
  const label = t('epih.src_' + m[1], { id: m[2] });
  if (m[1] === 'alert') return h('a', { href: '#/alert/' + m[2] }, label);
  if (m[1] === 'list') return h('a', { href: '#/list/' + m[2] }, label);
  if (m[1] === 'household') return h('a', { href: '#/resident/' + m[2] }, label);
  return label;
}

function historyList(st) {
  const rows = st.history || [];
  if (!rows.length) return h('p', { class: 'empty' }, t('epi.no_history'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table stack', id: 'status-history' },
    h('thead', null, h('tr', null, ['at', 'change', 'reason', 'by'].map((k) => h('th', { scope: 'col' }, t('epih.' + k))))),
    h('tbody', null, rows.map((x) => h('tr', { 'data-to': x.to || '' },
      h('td', { 'data-label': t('epih.at') }, fmtTime(x.at)),
      h('td', { 'data-label': t('epih.change') }, catBadge(x.from), ' → ', catBadge(x.to)),
      h('td', { 'data-label': t('epih.reason') }, tv('reason', x.reason),
        x.note ? h('span', { class: 'ev-note' }, x.note) : null,
        x.source ? h('span', { class: 'ev-note muted' }, t('epih.source_label'), ' ', sourceLink(x.source)) : null),
      h('td', { 'data-label': t('epih.by') }, x.by_name || x.by || ''))))));
}

// ---- isolation ----

function kindField(name, value) {
  return field({ name, label: t('iso.kind'), type: 'select', required: true, value: value || 'home', options: ISO_KINDS.map((k) => [k, tv('iso', k)]) });
}

function siteField() {
  return field({ name: 'site', label: t('iso.site'), maxlength: 100, hint: t('iso.site_hint'), autocomplete: 'off' });
}

function startForm(r, st, ctx) {
  const kind = kindField('kind');
  const site = siteField();
  const days = field({ name: 'days', label: t('iso.days'), type: 'number', inputmode: 'numeric', hint: t('iso.days_hint'), attrs: { min: 1, max: 60, step: 1 } });
  const start = field({ name: 'start_day', label: t('iso.start_day'), type: 'date', value: today(), attrs: { max: today() } });
  const worker = field({ name: 'worker', label: t('iso.worker'), maxlength: 32, hint: t('iso.worker_hint'), autocomplete: 'off' });
  worker.input.setAttribute('autocapitalize', 'none');
  const household = field({
    name: 'include_household', label: t('iso.household'), type: 'select', value: '',
    options: [['', t('iso.household_rule')], ['yes', t('iso.household_yes')], ['no', t('iso.household_no')]],
    hint: t('iso.household_hint'),
  });
  const notice = checkGroup({ name: 'notice_signed', label: t('iso.notice'), options: [['1', t('iso.notice_signed')]], checked: [] });
  const note = field({ name: 'note', label: t('epi.note'), maxlength: 500, autocomplete: 'off' });
  const fields = [kind, site, days, start, worker, household, notice, note];
  const me = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => { worker.input.value = session.me.username; } } }, t('iso.worker_me'));
  worker.appendChild(me);
  return epiForm('isolation-form', fields, t('iso.start_submit'), async (form) => {
    const body = { resident_id: r.id, kind: kind.input.value };
    if (text(site)) body.site = text(site);
    if (body.kind !== 'home' && !body.site) return showError(form, fields, { field: 'site', message: t('iso.need_site') });
    if (text(days)) {
      const n = Number(text(days));
      if (!Number.isInteger(n) || n < 1 || n > 60) return showError(form, fields, { field: 'days', message: t('iso.bad_days') });
      body.days = n;
    }
    if (start.input.value && start.input.value !== today()) body.start_day = start.input.value;
    if (text(worker)) body.worker = text(worker);
    if (household.input.value) body.include_household = household.input.value === 'yes';
    body.notice_signed = notice.values().length > 0;
    if (text(note)) body.note = text(note);
    const res = await busy(form, () => api('POST', '/isolations', body));
    let msg = t('iso.started', { name: r.name, kind: tv('iso', res.kind), end: res.end_day });
    if ((res.household || []).length) msg += ' ' + t('iso.household_started', { n: res.household.length });
    ctx.flash(msg);
    keepNext = true;
    ctx.rerender();
  });
}

function isoAction(iso, ctx, id, title, fields, label, build, open) {
  const form = epiForm(id, fields, label, async (f) => {
    const body = build(f);
    if (!body) return;
    await busy(f, () => api('POST', '/isolations/' + iso.id, body));
    ctx.flash(t('iso.action_done', { action: tv('isoact', body.action) }));
    keepNext = true;
    ctx.rerender();
  });
  return h('details', { class: 'panel', id: id + '-panel', open: !!open }, h('summary', null, title), form);
}

function activeIsolation(iso, r, ctx) {
  const fu = iso.followups || {};
  const facts = [
    [t('iso.kind'), tv('iso', iso.kind) + (iso.site ? ' · ' + iso.site : '')],
    [t('iso.period'), t('iso.period_value', { start: iso.start_day || '', end: iso.end_day || '' })],
    [t('iso.state'), tv('isostate', iso.state || 'active')],
    iso.worker ? [t('iso.worker'), iso.worker.name || iso.worker.username || ''] : null, // people by name
    [t('iso.notice'), iso.notice_signed_at ? t('iso.notice_at', { at: fmtTime(iso.notice_signed_at) }) : h('span', { class: 'hot-text' }, t('iso.notice_missing'))],
    iso.source ? [t('iso.source'), iso.source] : null,
    iso.followups ? [t('iso.followups'), h('span', null, t('iso.fu_counts', { done: fu.done || 0, due: fu.due || 0, total: fu.total || 0 }),
      fu.overdue ? h('strong', { class: 'hot-text' }, ' ' + t('iso.fu_overdue', { n: fu.overdue })) : null)] : null,
  ].filter(Boolean);

  const actions = [];
  if (iso.state !== 'released') {
    const days = field({ name: 'days', label: t('iso.extend_days'), type: 'number', inputmode: 'numeric', required: true, value: '7', attrs: { min: 1, max: 30, step: 1 } });
    const reason = field({ name: 'reason', label: t('iso.extend_reason'), required: true, maxlength: 200, autocomplete: 'off' });
    actions.push(isoAction(iso, ctx, 'iso-extend', t('isoact.extend'), [days, reason], t('isoact.extend'), (f) => {
      const n = Number(text(days));
      if (!Number.isInteger(n) || n < 1 || n > 30) return showError(f, [days, reason], { field: 'days', message: t('iso.bad_extend') }) && null;
      if (!text(reason)) return showError(f, [days, reason], { field: 'reason', message: t('common.required') }) && null;
      return { action: 'extend', days: n, reason: text(reason) };
    }));
    const kind = kindField('kind', iso.kind === 'home' ? 'hospital' : iso.kind);
    const site = siteField();
    actions.push(isoAction(iso, ctx, 'iso-transfer', t('isoact.transfer'), [kind, site], t('isoact.transfer'), (f) => {
      const b = { action: 'transfer', kind: kind.input.value };
      if (text(site)) b.site = text(site);
      if (b.kind !== 'home' && !b.site) return showError(f, [kind, site], { field: 'site', message: t('iso.need_site') }) && null;
      return b;
    }));
    const worker = field({ name: 'worker', label: t('iso.worker'), required: true, maxlength: 32, autocomplete: 'off', value: iso.worker ? iso.worker.username : '' });
    worker.input.setAttribute('autocapitalize', 'none');
    actions.push(isoAction(iso, ctx, 'iso-assign', t('isoact.assign'), [worker], t('isoact.assign'), (f) => {
      if (!text(worker)) return showError(f, [worker], { field: 'worker', message: t('common.required') }) && null;
      return { action: 'assign', worker: text(worker) };
    }));
  }
  if (!iso.notice_signed_at) {
    const note = field({ name: 'note', label: t('epi.note'), maxlength: 500, autocomplete: 'off' });
    actions.push(isoAction(iso, ctx, 'iso-notice', t('isoact.notice'), [note], t('isoact.notice'), () => {
      const b = { action: 'notice' };
      if (text(note)) b.note = text(note);
      return b;
    }));
  }
  if (iso.state !== 'released') {
    const note = field({ name: 'note', label: t('iso.release_note'), type: 'textarea', rows: 2, maxlength: 500, hint: t('iso.release_hint') });
    const rel = isoAction(iso, ctx, 'iso-release', t('isoact.release'), [note], t('isoact.release'), () => {
      if (!window.confirm(t('iso.release_confirm', { name: r.name }))) return null;
      const b = { action: 'release' };
      if (text(note)) b.note = text(note);
      return b;
    });
    if (OBSERVATION.indexOf(iso.category || r.category) >= 0) rel.querySelector('form').insertBefore(h('p', { class: 'hint' }, t('iso.release_clears')), rel.querySelector('form').firstChild.nextSibling);
    actions.push(rel);
  }

  const events = iso.events || [];
  return h('div', { class: 'card isolation', id: 'isolation-active', 'data-isolation': String(iso.id) },
    h('h3', null, t('iso.active_title'), ' ', h('span', { class: 'badge badge-iso badge-iso-' + iso.kind }, tv('iso', iso.kind))),
    h('dl', { class: 'kv' }, facts.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))),
    actions,
    events.length ? h('details', { class: 'history' }, h('summary', null, t('iso.events', { n: events.length })),
      h('ul', null, events.map((e) => h('li', null, fmtTime(e.at), ' · ', tv('isoev', e.event), e.value ? ' · ' + (tv('iso', e.value) || e.value) : '',
        e.note ? ' · ' + e.note : '', e.by ? ' · ' + e.by : ''))) ) : null,
    h('p', null, h('a', { href: '#/followups' + qs({ who: 'unit' }) }, t('iso.to_followups'))));
}

// ---- contacts ----

function contactList(res) {
  const items = res ? (Array.isArray(res) ? res : res.items || []) : [];
  if (!items.length) return h('p', { class: 'empty' }, t('con.none'));
  // a contact outside the caller's units says only that the chain continues there
  return h('ul', { class: 'list plain', id: 'contact-list' }, items.map((c) => h('li', { 'data-contact': c.id === null ? 'outside' : String(c.id) },
    c.outside_scope ? h('strong', null, t('con.outside'))
      : c.resident_id ? h('a', { href: '#/resident/' + c.resident_id }, h('strong', null, c.name)) : h('strong', null, c.name),
    c.resident_id || c.outside_scope ? null : h('span', { class: 'badge badge-unregistered' }, t('con.unregistered')),
    ' · ', c.day || '', c.place ? ' · ' + c.place : '', ' · ', tv('conkind', c.kind),
    c.category_set ? ' · ' + t('con.category_set', { cat: tv('cat', c.category_set === true ? 'close_contact' : c.category_set) }) : '',
    c.note ? h('span', { class: 'ev-note' }, c.note) : null)));
}

function contactForm(r, ctx) {
  let picked = null;
  const find = h('input', { id: 'con-find', type: 'search', maxlength: 40, autocomplete: 'off', placeholder: t('search.placeholder') });
  const found = h('div', { class: 'found', 'aria-live': 'polite' });
  const chosen = h('p', { class: 'chosen', id: 'con-chosen', hidden: true });
  const findBtn = h('button', { type: 'button', class: 'btn', id: 'con-find-btn' }, t('search.button'));
  const name = field({ name: 'name', label: t('con.name'), maxlength: 50, hint: t('con.name_hint'), autocomplete: 'off' });
  const phone = field({ name: 'phone', label: t('con.phone'), type: 'tel', inputmode: 'tel', maxlength: 24, autocomplete: 'off' });
  const day = field({ name: 'day', label: t('con.day'), type: 'date', required: true, value: today(), attrs: { max: today() } });
  const place = field({ name: 'place', label: t('con.place'), maxlength: 100, autocomplete: 'off' });
  const kind = field({ name: 'kind', label: t('con.kind'), type: 'select', required: true, value: 'household', options: CONTACT_KINDS.map((k) => [k, tv('conkind', k)]) });
  const note = field({ name: 'note', label: t('epi.note'), maxlength: 500, autocomplete: 'off' });
  const follow = checkGroup({ name: 'follow', label: t('con.follow_label'), options: [['1', t('con.follow')]], checked: ['1'] });
  const fields = [name, phone, day, place, kind, note, follow];
  const pick = (p) => {
    picked = p;
    chosen.hidden = !p;
    mount(chosen, p ? [t('con.chosen', { name: p.name, place: placeLabel(p) }), ' ',
      h('button', { type: 'button', class: 'btn btn-small', on: { click: () => pick(null) } }, t('con.unpick'))] : []);
    name.hidden = phone.hidden = !!p;
  };
  const search = async () => {
    const q = find.value.trim();
    if (!q) return;
    findBtn.disabled = true;
    try {
      const res = await api('POST', '/residents/search', { q, limit: 8 });
      const items = (res.items || []).filter((x) => x.id !== r.id);
      mount(found, items.length ? h('ul', { class: 'list plain' }, items.map((x) => h('li', null,
        h('button', { type: 'button', class: 'btn btn-small', 'data-pick': String(x.id), on: { click: () => { pick(x); mount(found); } } }, t('con.pick')),
        ' ', x.name, ' · ', placeLabel(x), x.age !== null && x.age !== undefined ? ' · ' + t('res.age', { n: x.age }) : '')))
        : h('p', { class: 'empty' }, t('search.none')));
    } catch (e) {
      if (!e.handled) mount(found, h('p', { class: 'field-error' }, e.message));
    } finally {
      findBtn.disabled = false;
    }
  };
  findBtn.addEventListener('click', search);
  find.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      search();
    }
  });
  const finder = h('div', { class: 'field' },
    h('label', { for: 'con-find' }, t('con.find')), h('p', { class: 'hint' }, t('con.find_hint')),
    h('div', { class: 'find-row' }, find, findBtn), found, chosen);
  const form = epiForm('contact-form', fields, t('con.submit'), async (f) => {
    const body = { day: day.input.value, kind: kind.input.value };
    if (picked) body.resident_id = picked.id;
    else {
      if (!text(name)) return showError(f, fields, { field: 'name', message: t('con.need_name') });
      body.name = text(name);
      if (text(phone)) body.phone = text(phone);
    }
    if (!body.day) return showError(f, fields, { field: 'day', message: t('common.required') });
    if (text(place)) body.place = text(place);
    if (text(note)) body.note = text(note);
    body.follow = follow.values().length > 0;
    const res = await busy(f, () => api('POST', '/residents/' + r.id + '/contacts', body));
    let msg = t('con.saved', { name: res.name || (picked ? picked.name : body.name) });
    if (res.category_set) msg += ' ' + t('con.saved_followed');
    ctx.flash(msg);
    keepNext = true;
    ctx.rerender();
  });
  form.insertBefore(finder, form.firstChild.nextSibling);
  return form;
}

// ---- the section ----

export default async function epiSection(r, ctx) {
  ctx.keepScroll = keepNext;
  keepNext = false;
  const [st, contacts] = await Promise.all([
    api('GET', '/residents/' + r.id + '/status'),
    api('GET', '/residents/' + r.id + '/contacts').catch((e) => {
      if (e.handled) throw e;
      return null;
    }),
  ]);
  let iso = st.isolation && st.isolation.state !== 'released' ? st.isolation : null;
  if (iso && iso.id) {
    try {
      iso = Object.assign({}, iso, await api('GET', '/isolations/' + iso.id));
    } catch (e) {
      if (e.handled) throw e;
    }
  }
  if (iso && iso.state === 'released') iso = null;
  const current = st.category || null;
  const canIsolate = current && current !== 'cleared' && !iso;

  return h('section', { class: 'epi', 'aria-labelledby': 'epi-h', id: 'epi' },
    h('h2', { id: 'epi-h' }, t('epi.title')),
    h('div', { class: 'card epi-now' },
      h('p', { class: 'epi-current' }, t('epi.current'), ' ', catBadge(current),
        st.since ? h('span', { class: 'muted' }, ' ' + t('epi.since', { at: fmtTime(st.since) })) : null),
      iso ? h('p', { class: 'muted' }, isolationText(iso)) : current && current !== 'cleared' ? h('p', { class: 'hot-text' }, t('epi.not_isolated')) : null,
      h('p', { class: 'actions' },
        h('a', { class: 'btn', id: 'chain-link', href: '#/resident/' + r.id + '/chain' }, t('epi.chain')))),
    h('details', { class: 'panel', id: 'status-panel', open: !current },
      h('summary', null, t('epi.change_title')), statusForm(r, current, ctx)),
    iso ? activeIsolation(iso, r, ctx) : null,
    canIsolate ? h('details', { class: 'panel', id: 'isolation-panel', open: true },
      h('summary', null, t('iso.start_title')), startForm(r, st, ctx)) : null,
    h('h3', null, t('epi.history')),
    historyList(st),
    h('h3', null, t('con.title')),
    contactList(contacts),
    h('details', { class: 'panel', id: 'contact-panel' }, h('summary', null, t('con.add_title')), contactForm(r, ctx)));
}
