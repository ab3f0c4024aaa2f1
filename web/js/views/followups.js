// followups.js — the follow-ups of isolated people (#/followups?who=me|unit&state=&day=&unit=&o=):
// the worker's own (worker=me) or, for leaders, the whole unit; the day's slots (today, or
// the day picked) plus every overdue one, overdue first and in red; each open slot has a quick form — temperature
// with the numeric keypad and 36.x preset buttons as on the roll-call, symptoms, needs —
// saved in place (POST /followups/{id}).
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, pager, fmtTime, act, showError } from '../dom.js';
import { session, rollDay } from '../session.js';
import { SYMPTOMS, feverLine, fmtTemp, placeLabel, parseTemp } from './common.js';

const PAGE = 50;
const PRESETS = ['36.2', '36.4', '36.5', '36.6', '36.8', '37.0'];
const STATES = ['', 'due', 'overdue', 'done'];
const LEADERS = ['admin', 'community', 'grid_leader'];

function toggle(btn, on) {
  btn.setAttribute('aria-pressed', on ? 'true' : 'false');
}

function slotText(f) {
  return t('fu.slot', { day: f.day || '', n: f.slot || '', at: fmtTime(f.due_at).slice(11) });
}

function stateBadge(state) {
  return h('span', { class: 'badge badge-fu-' + state, 'data-state': state }, tv('fustate', state));
}

function doneFacts(f) {
  return h('p', { class: 'fu-done' + (f.fever ? ' hot-text' : '') },
    t('fu.recorded', { temp: fmtTemp(f.temperature) }),
    (f.symptoms || []).length ? ' · ' + f.symptoms.map((s) => tv('sym', s)).join('、') : '',
    f.needs ? ' · ' + t('fu.needs_is', { needs: f.needs }) : '',
    f.done_at ? ' · ' + fmtTime(f.done_at).slice(11) : '',
    f.done_by ? ' · ' + (f.done_by.name || f.done_by.username || f.done_by) : '');
}

// The quick form of one open slot; onDone(answer) when the server took it.
function quickForm(f, onDone) {
  const tid = 'fu-temp-' + f.id;
  const sym = new Set();
  const temp = h('input', {
    id: tid, class: 'temp', type: 'text', inputmode: 'decimal', autocomplete: 'off', enterkeyhint: 'done',
    maxlength: 5, placeholder: '36.5', 'aria-describedby': 'fu-err-' + f.id,
  });
  const err = h('p', { id: 'fu-err-' + f.id, class: 'field-error', hidden: true });
  const feverNote = h('p', { class: 'fever-note', hidden: true }, t('rc.fever_note', { t: feverLine().toFixed(1) }));
  const presets = PRESETS.map((v) => h('button', {
    type: 'button', class: 'preset', 'aria-pressed': 'false', 'aria-label': t('rc.preset_label', { name: f.name, t: v }),
    on: { click: () => { temp.value = v; check(); } },
  }, v));
  const syms = SYMPTOMS.map((s) => h('button', {
    type: 'button', class: 'sym', 'data-symptom': s, 'aria-pressed': 'false',
    on: {
      click: (ev) => {
        if (sym.has(s)) sym.delete(s);
        else sym.add(s);
        toggle(ev.currentTarget, sym.has(s));
        check();
      },
    },
  }, tv('sym', s)));
  const needsId = 'fu-needs-' + f.id;
  const needs = h('input', { id: needsId, name: 'needs', type: 'text', maxlength: 500, autocomplete: 'off', placeholder: t('fu.needs_placeholder') });
  const save = h('button', { type: 'submit', class: 'btn btn-primary fu-save' }, t('fu.save'));
  function check() {
    const v = parseTemp(temp.value);
    for (const b of presets) toggle(b, v !== null && b.textContent === temp.value.trim());
    const bad = Number.isNaN(v);
    err.hidden = !bad;
    err.textContent = bad ? t('rc.bad_temp') : '';
    if (bad) temp.setAttribute('aria-invalid', 'true');
    else temp.removeAttribute('aria-invalid');
    feverNote.hidden = !((v !== null && !bad && v >= feverLine()) || sym.size > 0);
    return !bad;
  }
  temp.addEventListener('input', check);
  temp.addEventListener('blur', () => {
    const v = parseTemp(temp.value);
    if (v !== null && !Number.isNaN(v)) temp.value = v.toFixed(1);
    check();
  });
  const form = h('form', { class: 'fu-form', novalidate: true },
    h('div', { class: 'temp-row' }, h('label', { for: tid }, t('rc.temperature')), temp, h('span', { class: 'unit' }, '℃')),
    h('div', { class: 'presets' }, presets),
    h('details', { class: 'fu-more' }, h('summary', null, t('fu.more')),
      h('div', { class: 'syms', role: 'group', 'aria-label': t('rc.symptoms') }, syms),
      h('div', { class: 'field' }, h('label', { for: needsId }, t('fu.needs')), needs)),
    err, feverNote,
    h('p', { class: 'actions' }, save));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!check()) return temp.focus();
    const v = parseTemp(temp.value);
    // one error line under the temperature: the page's check and the server's answer alike
    const fields = [{ fieldName: 'temperature', input: temp, error: err }];
    if (v === null) return showError(err, fields, { field: 'temperature', message: t('fu.need_temp') });
    const body = { temperature: v };
    if (sym.size) body.symptoms = SYMPTOMS.filter((s) => sym.has(s));
    if (needs.value.trim()) body.needs = needs.value.trim();
    await act(err, save, async () => {
      const res = await api('POST', '/followups/' + f.id, body);
      onDone(Object.assign({}, f, res || {}, { state: (res && res.state) || 'done' }));
    }, fields);
  });
  return form;
}

function card(f, showWorker, onSaved) {
  const li = h('li', { class: 'card followup is-' + f.state, 'data-followup': String(f.id), 'data-state': f.state });
  const draw = (x) => {
    li.className = 'card followup is-' + x.state;
    li.setAttribute('data-state', x.state);
    mount(li,
      h('h3', null, x.resident_id ? h('a', { href: '#/resident/' + x.resident_id }, x.name) : x.name, ' ', stateBadge(x.state)),
      h('p', { class: 'row-sub' }, placeLabel(x), ' · ', tv('iso', x.kind), ' · ', slotText(x),
        showWorker && x.worker ? ' · ' + t('fu.worker', { name: x.worker.name || x.worker.username }) : ''),
      x.state === 'done' ? doneFacts(x) : x.state === 'cancelled' ? null
        // a later day's slot is the plan: its reading is taken on its day
        : x.day > rollDay() ? h('p', { class: 'fu-planned facts' }, t('fu.planned', { day: x.day }))
        : quickForm(x, (res) => {
          draw(res);
          onSaved(res);
        }));
  };
  draw(f);
  return li;
}

export default async function followupsView(ctx) {
  const unit = ctx.query.unit || '';
  const leader = LEADERS.indexOf(session.me.role) >= 0;
  const who = ctx.query.who === 'me' || ctx.query.who === 'unit' ? ctx.query.who : leader ? 'unit' : 'me';
  const state = STATES.indexOf(ctx.query.state || '') >= 0 ? ctx.query.state || '' : '';
  const offset = Math.max(0, parseInt(ctx.query.o, 10) || 0);
  const day = /^\d{4}-\d\d-\d\d$/.test(ctx.query.day || '') ? ctx.query.day : '';
  const res = await api('GET', '/followups' + qs({
    unit, worker: who === 'me' ? 'me' : null, state, day, limit: PAGE, offset,
  }));
  ctx.title = t('fu.title');
  const href = (o) => '#/followups' + qs(Object.assign({ unit: unit || null, who: ctx.query.who || null, state: state || null, day: day || null, o: null }, o));
  const dayInput = h('input', { type: 'date', id: 'fu-day', value: res.day || day || rollDay() });
  dayInput.addEventListener('change', () => {
    if (/^\d{4}-\d\d-\d\d$/.test(dayInput.value)) window.location.hash = href({ day: dayInput.value === rollDay() ? null : dayInput.value });
  });
  const items = res.items || [];
  const status = h('p', { class: 'facts', role: 'status', id: 'fu-count' });
  let overdue = typeof res.overdue === 'number' ? res.overdue : items.filter((x) => x.state === 'overdue').length;
  const drawCount = () => {
    mount(status, t('fu.count', { n: res.total }), overdue ? h('strong', { class: 'hot-text' }, ' · ' + t('fu.overdue_n', { n: overdue })) : '');
  };
  drawCount();
  const onSaved = (x) => {
    if (x.state === 'done') overdue = Math.max(0, overdue - (x.was === 'overdue' ? 1 : 0));
    const msg = t('fu.saved', { name: x.name, temp: fmtTemp(x.temperature) }) + (x.fever ? ' ' + t('fu.saved_fever') : '');
    const st = document.getElementById('status');
    if (st) mount(st, h('p', null, msg));
    drawCount();
  };
  const list = items.length
    ? h('ul', { class: 'cards followups', id: 'fu-list' }, items.map((f) => card(Object.assign({ was: f.state }, f), who === 'unit', onSaved)))
    : h('p', { class: 'done-all' }, state === '' && !day ? t('fu.none_today') : t('fu.none'));

  return h('section', { class: 'followups-page' },
    h('h1', { tabindex: '-1' }, t('fu.title'), ' ', h('span', { class: 'kind' }, unit && unit !== session.me.unit_code ? unit : session.me.unit_name)),
    h('nav', { class: 'filters-bar', 'aria-label': t('fu.whose') }, h('ul', null, ['me', 'unit'].map((w) =>
      h('li', null, h('a', { class: 'chip-link', id: 'fu-who-' + w, href: href({ who: w }), 'aria-current': w === who ? 'page' : null }, t('fu.who_' + w)))))),
    h('nav', { class: 'filters-bar', 'aria-label': t('fu.filter') }, h('ul', null, STATES.map((s) =>
      h('li', null, h('a', { class: 'chip-link', href: href({ state: s || null }), 'aria-current': s === state ? 'page' : null }, t('fu.state_' + (s || 'default'))))))),
    h('div', { class: 'dash-tools' }, h('label', { for: 'fu-day' }, t('fu.day')), dayInput),
    status,
    list,
    pager(res.total, PAGE, offset, (o) => { window.location.hash = href({ o }); }));
}
