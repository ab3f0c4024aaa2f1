// alert.js — one alert (#/alert/ID): the reading that raised it, its steps (who, when,
// note), the workflow (acknowledge → clinic check → outcome; door readings twice a day and
// a named door checker during home observation; close), and the resident's health record.
import { api, enc, qs } from '../api.js';
import { t, tv, serverText } from '../i18n.js';
import { h, fmtTime, formError, act } from '../dom.js';
import { session, can } from '../session.js';
import { subscribe } from '../live.js';
import { alertStateBadge, fmtTemp, placeLabel, parseTemp } from './common.js';

const OUTCOMES = ['excluded', 'home_observation', 'hospital'];
let keepNext = false;

function reading(a) {
  const txt = [a.temperature !== null && a.temperature !== undefined ? fmtTemp(a.temperature) : '',
    (a.symptoms || []).map((s) => tv('sym', s)).join('、')].filter(Boolean).join(' · ');
  if (txt) return txt;
  return a.status === 'reported' ? t('hr.normal_no_temp') : '—';
}

// A reading as the server stores it on a step, '38.2 ["cough"]', in words: 38.2 ℃ 咳嗽.
export function readingText(v) {
  const m = /^\s*(\d+(?:\.\d+)?)?\s*(\[.*\])?\s*$/.exec(v);
  if (!m) return v;
  let syms = [];
  try {
    syms = m[2] ? JSON.parse(m[2]) : [];
  } catch (e) {
    return v;
  }
  return [m[1] ? fmtTemp(Number(m[1])) : '', syms.map((x) => tv('sym', x)).join('、')].filter(Boolean).join(' ');
}

function stepValue(s) {
  if (!s.value) return '';
  if (s.step === 'outcome') return tv('outcome', s.value);
  if (s.step === 'door_reading') return fmtTemp(s.value);
  if (s.step === 'opened' || s.step === 'reading') return readingText(s.value);
  return s.value;
}

function workflow(a, ctx) {
  const err = formError();
  const note = h('textarea', { id: 'step-note', rows: 2, maxlength: 500 });
  const open = a.state !== 'closed';
  async function step(body, btn) {
    const n = note.value.trim();
    if (n) body.note = n;
    await act(err, btn, async () => {
      await api('POST', '/alerts/' + a.id + '/steps', body);
      ctx.flash(t('alert.step_done', { step: tv('step', body.step) }));
      keepNext = true;
      ctx.rerender();
    });
  }
  const btn = (label, body, cls, id) => {
    const b = h('button', { type: 'button', class: 'btn ' + (cls || ''), id });
    b.textContent = label;
    b.addEventListener('click', () => step(Object.assign({}, body), b));
    return b;
  };
  const parts = [];
  const quick = [];
  if (a.state === 'open') quick.push(btn(t('alert.do_ack'), { step: 'acknowledged' }, 'btn-primary', 'step-ack'));
  if (a.state === 'open' || a.state === 'acknowledged') quick.push(btn(t('alert.do_clinic'), { step: 'clinic_check' }, '', 'step-clinic'));
  if (a.state === 'observation') quick.push(btn(t('alert.do_close'), { step: 'close' }, '', 'step-close'));
  if (quick.length) parts.push(h('p', { class: 'actions' }, quick));

  if (open && a.state === 'open') {
    // the workflow's order: somebody takes the alert before it gets an outcome
    parts.push(h('p', { class: 'hint', id: 'outcome-after-ack' }, t('alert.ack_first')));
  } else if (open) {
    // no outcome is chosen for the worker: one stray tap must not close an alert
    const sel = h('select', { id: 'step-outcome' }, h('option', { value: '' }, t('alert.outcome_pick')),
      OUTCOMES.map((o) => h('option', { value: o }, tv('outcome', o))));
    const ob = h('button', { type: 'button', class: 'btn', id: 'step-outcome-btn' }, t('alert.do_outcome'));
    ob.addEventListener('click', () => {
      if (!sel.value) {
        err.textContent = t('alert.need_outcome');
        err.hidden = false;
        sel.focus();
        return;
      }
      if (sel.value === 'excluded' && !note.value.trim()) {
        err.textContent = t('alert.need_exclude_note');
        err.hidden = false;
        note.focus();
        return;
      }
      step({ step: 'outcome', outcome: sel.value }, ob);
    });
    parts.push(h('div', { class: 'inline-form' }, h('label', { for: 'step-outcome' }, t('alert.outcome')), sel, ob));
  }
  if (open) {

    const temp = h('input', { id: 'door-temp', type: 'text', inputmode: 'decimal', class: 'temp temp-small', maxlength: 5, placeholder: '36.5', autocomplete: 'off' });
    const db = h('button', { type: 'button', class: 'btn', id: 'step-door' }, t('alert.do_door'));
    db.addEventListener('click', () => {
      const v = parseTemp(temp.value);
      if (v === null || Number.isNaN(v)) {
        err.textContent = t('rc.bad_temp');
        err.hidden = false;
        temp.focus();
        return;
      }
      step({ step: 'door_reading', temperature: v }, db);
    });
    parts.push(h('div', { class: 'inline-form' }, h('label', { for: 'door-temp' }, t('alert.door_reading')), temp, db));

    const who = h('input', { id: 'door-checker', type: 'text', maxlength: 32, autocomplete: 'off', list: 'checker-list', value: a.door_checker ? a.door_checker.username : '' });
    who.setAttribute('autocapitalize', 'none');
    const list = h('datalist', { id: 'checker-list' });
    if (can.users()) {
      api('GET', '/users' + qs({ limit: 200 })).then((r) => {
        for (const u of r.items || []) if (!u.disabled) list.appendChild(h('option', { value: u.username }, u.display_name + ' · ' + tv('role', u.role)));
      }, () => {});
    }
    const ab = h('button', { type: 'button', class: 'btn', id: 'step-assign' }, t('alert.do_assign'));
    ab.addEventListener('click', () => {
      const v = who.value.trim();
      if (!v) {
        err.textContent = t('alert.need_checker');
        err.hidden = false;
        who.focus();
        return;
      }
      step({ step: 'assign', door_checker: v }, ab);
    });
    const me = h('button', { type: 'button', class: 'btn btn-small' }, t('alert.assign_me'));
    me.addEventListener('click', () => { who.value = session.me.username; });
    parts.push(h('div', { class: 'inline-form' }, h('label', { for: 'door-checker' }, t('alert.door_checker')), who, list, ab, me));
  }
  const nb = h('button', { type: 'button', class: 'btn', id: 'step-note-btn' }, t('alert.do_note'));
  nb.addEventListener('click', () => {
    if (!note.value.trim()) {
      err.textContent = t('alert.need_note');
      err.hidden = false;
      note.focus();
      return;
    }
    step({ step: 'note' }, nb);
  });
  return h('section', { class: 'card workflow', 'aria-labelledby': 'wf-h' },
    h('h2', { id: 'wf-h' }, t('alert.workflow')),
    err,
    h('div', { class: 'field' }, h('label', { for: 'step-note' }, t('alert.note')), h('p', { class: 'hint' }, t('alert.note_hint')), note),
    parts,
    h('p', { class: 'actions' }, nb));
}

async function healthRecord(a) {
  let hr;
  try {
    hr = await api('GET', '/residents/' + a.resident_id + '/health');
  } catch (e) {
    if (e.handled) throw e;
    return null;
  }
  // every reading, re-checks and corrections included: a fever is never hidden behind a
  // later normal one ("—" beside an alert that says 38.2)
  const rows = hr.readings || [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const mark = (r) => {
    if (r.current) return r.correction ? t('hr.current') + ' · ' + t('hr.correction', { reason: tv('corr', r.correction.reason) }) : t('hr.current');
    // a correction takes off every earlier reading of the day, not only the one just before
    // it: 38.2, re-checked 36.6, then corrected (记错了人) — the 38.2 is corrected too
    for (let next = byId.get(r.superseded_by), n = 0; next && n < rows.length; next = byId.get(next.superseded_by), n++) {
      if (next.correction) return t('hr.corrected');
    }
    return t('hr.rechecked');
  };
  return h('section', { 'aria-labelledby': 'hr-h' },
    h('h2', { id: 'hr-h' }, t('alert.health', { name: a.resident_name })),
    rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stack' },
      h('thead', null, h('tr', null, ['day', 'reading', 'status', 'channel', 'at'].map((c) => h('th', { scope: 'col' }, t('hr.' + c))))),
      h('tbody', null, rows.map((r) => h('tr', { class: [r.fever ? 'bad' : '', r.current ? '' : 'superseded'].join(' ').trim() || null, 'data-checkin': String(r.id) },
        h('td', { 'data-label': t('hr.day') }, r.day),
        h('td', { 'data-label': t('hr.reading') }, reading(r), h('span', { class: 'row-aside' }, mark(r))),
        h('td', { 'data-label': t('hr.status') }, tv('rstatus', r.status)),
        h('td', { 'data-label': t('hr.channel') }, tv('channel', r.channel)),
        h('td', { 'data-label': t('hr.at') }, fmtTime(r.recorded_at))))))) : h('p', { class: 'empty' }, t('hr.none')),
    (hr.alerts || []).length > 1 ? h('p', null, t('hr.alerts', { n: hr.alerts.length }), ' ',
      hr.alerts.filter((x) => x.id !== a.id).map((x) => h('a', { class: 'chip-link', href: '#/alert/' + x.id }, x.day + ' ' + tv('astate', x.state)))) : null);
}

export default async function alertView(ctx) {
  const id = ctx.params[0];
  const a = await api('GET', '/alerts/' + enc(id));
  ctx.title = t('alert.title', { name: a.resident_name });
  ctx.keepScroll = keepNext;
  keepNext = false;
  const hr = await healthRecord(a);
  ctx.onLeave(subscribe((type, data) => {
    if (type === 'reset' && ctx.alive()) { // events were missed: this alert may have changed
      keepNext = true;
      ctx.rerender();
      return;
    }
    if ((type === 'alert' || type === 'alert_escalated') && data && String(data.id) === String(a.id) && ctx.alive()) {
      if (data.updated_at !== a.updated_at || data.state !== a.state || data.level !== a.level) {
        keepNext = true;
        ctx.rerender();
      }
    }
  }));
  const facts = [
    [t('alert.reading'), reading(a)],
    [t('alert.state'), h('span', null, alertStateBadge(a.state), a.level > 0 ? h('span', { class: 'badge badge-escalated' }, t('alert.escalated_badge', { n: a.level })) : null)],
    [t('alert.place'), h('a', { href: '#/household/' + a.household_id }, placeLabel(a))],
    [t('alert.day'), a.day],
    [t('alert.opened_at'), fmtTime(a.opened_at)],
    a.outcome ? [t('alert.outcome'), tv('outcome', a.outcome)] : null,
    a.door_checker ? [t('alert.door_checker'), a.door_checker.name || a.door_checker.username] : null, // people by name
    a.recheck_day ? [t('alert.recheck_day'), a.recheck_day] : null,
    a.closed_at ? [t('alert.closed_at'), fmtTime(a.closed_at)] : null,
  ].filter(Boolean);
  return h('section', { class: 'alert-page' },
    h('p', { class: 'back' }, h('a', { href: '#/alerts' }, '‹ ', t('alerts.title'))),
    h('h1', { tabindex: '-1' }, ctx.title),
    h('dl', { class: 'kv card' }, facts.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))),
    can.rollcall() ? workflow(a, ctx) : null,
    h('section', { 'aria-labelledby': 'steps-h' },
      h('h2', { id: 'steps-h' }, t('alert.steps')),
      h('ol', { class: 'steps' }, (a.steps || []).map((s) => h('li', { 'data-step': s.step },
        h('span', { class: 'step-at' }, fmtTime(s.at)), ' ',
        h('strong', null, tv('step', s.step)), stepValue(s) ? ' · ' + stepValue(s) : '',
        s.by_name || s.by ? ' · ' + (s.by_name || s.by) : '',
        s.note ? h('span', { class: 'ev-note' }, s.step === 'escalated' ? serverText(s.note) : s.note) : null)))),
    hr);
}
