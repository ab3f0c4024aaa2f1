// rollcall.js — record a household's roll-call in a few taps (#/household/ID/rollcall,
// ?channel=phone|visit|wechat|checkpoint): each person living there with 36.x preset
// buttons, a temperature field with the numeric keypad, symptom toggles and absence
// statuses; "all normal" records everyone not filled in as normal.  One household batch
// POST with a client_id; offline it waits in the queue (queue.js).
import { api, enc, qs, networkUp } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, fmtTime, flagChips, formError } from '../dom.js';
import { can, rollDay } from '../session.js';
import * as queue from '../queue.js';
import { householdLabel, SYMPTOMS, STATUSES, feverLine, fmtTemp, living, parseTemp, missingHousehold } from './common.js';
import { keep, kept, drop, keptAt } from '../keep.js';

const PRESETS = ['36.2', '36.4', '36.5', '36.6', '36.8', '37.0'];
const CHANNELS = ['visit', 'phone', 'wechat', 'checkpoint'];
const households = new Map(); // id -> {hh, at}, for opening it again without a network

function toggle(btn, on) {
  btn.setAttribute('aria-pressed', on ? 'true' : 'false');
}

function personCard(r, current, changed) {
  const st = { touched: false, status: 'reported', symptoms: new Set() };
  const tid = 'temp-' + r.id;
  const temp = h('input', {
    id: tid, class: 'temp', type: 'text', inputmode: 'decimal', autocomplete: 'off', enterkeyhint: 'done',
    maxlength: 5, placeholder: t('rc.temp_placeholder'), 'aria-describedby': 'temp-err-' + r.id,
  });
  const tempErr = h('p', { id: 'temp-err-' + r.id, class: 'field-error', hidden: true });
  const feverNote = h('p', { class: 'fever-note', hidden: true }, t('rc.fever_note', { t: feverLine().toFixed(1) }));
  const card = h('li', { class: 'card person', 'data-resident': String(r.id) });
  const presetBtns = PRESETS.map((v) => h('button', {
    type: 'button', class: 'preset', 'aria-pressed': 'false', 'aria-label': t('rc.preset_label', { name: r.name, t: v }),
    on: { click: () => { temp.value = v; setStatus('reported'); touch(); } },
  }, v));
  const statusBtns = STATUSES.map((s) => h('button', {
    type: 'button', class: 'seg', 'data-status': s, 'aria-pressed': s === 'reported' ? 'true' : 'false',
    on: { click: () => { setStatus(s); touch(); } },
  }, tv('rstatus', s)));
  const symBtns = SYMPTOMS.map((s) => h('button', {
    type: 'button', class: 'sym', 'data-symptom': s, 'aria-pressed': 'false',
    on: {
      click: (ev) => {
        const on = !st.symptoms.has(s);
        if (on) st.symptoms.add(s);
        else st.symptoms.delete(s);
        toggle(ev.currentTarget, on);
        if (on) setStatus('reported');
        touch();
      },
    },
  }, tv('sym', s)));
  const tempRow = h('div', { class: 'temp-row' },
    h('label', { for: tid }, t('rc.temperature')), temp, h('span', { class: 'unit' }, '℃'));
  const absentHides = [tempRow, h('div', { class: 'presets' }, presetBtns), h('div', { class: 'syms', role: 'group', 'aria-label': t('rc.symptoms') }, symBtns)];

  function setStatus(s) {
    st.status = s;
    for (const b of statusBtns) toggle(b, b.getAttribute('data-status') === s);
    const away = s !== 'reported';
    for (const el of absentHides) el.hidden = away;
    if (away) {
      temp.value = '';
      st.symptoms.clear();
      for (const b of symBtns) toggle(b, false);
    }
    card.classList.toggle('is-absent', away);
  }
  function touch() {
    st.touched = true;
    card.classList.add('is-touched');
    check();
    changed();
  }
  function check() {
    const v = parseTemp(temp.value);
    for (const b of presetBtns) toggle(b, v !== null && b.textContent === temp.value.trim());
    const bad = Number.isNaN(v);
    tempErr.hidden = !bad;
    tempErr.textContent = bad ? t('rc.bad_temp') : '';
    if (bad) temp.setAttribute('aria-invalid', 'true');
    else temp.removeAttribute('aria-invalid');
    const fever = (v !== null && !bad && v >= feverLine()) || st.symptoms.has('fever');
    feverNote.hidden = !fever;
    card.classList.toggle('is-fever', fever);
    return !bad;
  }
  temp.addEventListener('input', () => {
    if (temp.value.trim()) setStatus('reported');
    touch();
  });
  temp.addEventListener('blur', () => {
    const v = parseTemp(temp.value);
    if (v !== null && !Number.isNaN(v)) temp.value = v.toFixed(1);
    check();
  });

  const facts = [r.age !== null && r.age !== undefined ? t('res.age', { n: r.age }) : '', r.relation || ''].filter(Boolean).join(' · ');
  const done = current
    ? h('p', { class: 'today-done' }, t('rc.already', {
      what: current.status === 'reported' ? (current.temperature !== null ? fmtTemp(current.temperature) : t('rc.normal')) : tv('rstatus', current.status),
      channel: tv('channel', current.channel), at: fmtTime(current.recorded_at).slice(11),
    }), current.fever ? h('strong', { class: 'hot-text' }, ' ' + t('rc.fever')) : null)
    : null;
  // A fever (or a symptom) already on today's record stays there: a new reading is a
  // re-check.  Only "更正误录" with a reason takes it off (the server keeps both rows).
  let correction = null;
  let dayNote = null;
  if (current && (current.day_fever || (current.day_symptoms || []).length)) {
    const cid = 'corr-' + r.id;
    const on = h('input', { type: 'checkbox', id: cid });
    const reason = h('select', { id: cid + '-reason', 'aria-label': t('rc.corr_reason') },
      h('option', { value: '' }, t('rc.corr_pick')),
      ['typo', 'wrong_person', 'device', 'other'].map((x) => h('option', { value: x }, tv('corr', x))));
    const note = h('input', { type: 'text', id: cid + '-note', maxlength: 200, placeholder: t('rc.corr_note'), 'aria-label': t('rc.corr_note') });
    const more = h('div', { class: 'inline-form corr-more', hidden: true }, reason, note);
    on.addEventListener('change', () => { more.hidden = !on.checked; touch(); });
    correction = { on, reason, note };
    dayNote = h('div', { class: 'notice day-fever' },
      h('p', null, h('strong', { class: 'hot-text' }, t('rc.day_fever')), ' ', t('rc.day_fever_hint')),
      h('div', { class: 'check' }, on, h('label', { for: cid }, t('rc.corr_toggle'))), more);
  }
  mount(card,
    h('h3', null, r.name, facts ? h('span', { class: 'row-aside' }, facts) : null),
    flagChips(r.flags),
    done,
    dayNote,
    h('div', { class: 'segs', role: 'group', 'aria-label': t('rc.status_of', { name: r.name }) }, statusBtns),
    absentHides, tempErr, feverNote);

  // the half-filled form, kept on the phone across a reload (keep.js: draft)
  card.draft = () => (st.touched ? { status: st.status, temp: temp.value, symptoms: Array.from(st.symptoms) } : null);
  card.restore = (d) => {
    setStatus(d.status || 'reported');
    temp.value = d.temp || '';
    for (const b of symBtns) {
      const on = (d.symptoms || []).indexOf(b.getAttribute('data-symptom')) >= 0;
      if (on) st.symptoms.add(b.getAttribute('data-symptom'));
      toggle(b, on);
    }
    st.touched = true;
    card.classList.add('is-touched');
    check();
  };
  card.reading = () => {
    if (!check()) return { error: t('rc.bad_temp_named', { name: r.name }), focus: temp };
    if (!st.touched) return null;
    const out = { resident_id: r.id };
    if (correction && correction.on.checked) {
      const why = correction.reason.value;
      const note = correction.note.value.trim();
      if (!why) return { error: t('rc.corr_need_reason', { name: r.name }), focus: correction.reason };
      if (why === 'other' && !note) return { error: t('rc.corr_need_note', { name: r.name }), focus: correction.note };
      out.correction = note ? { reason: why, note } : { reason: why };
    }
    if (st.status !== 'reported') {
      out.status = st.status;
      return out;
    }
    const v = parseTemp(temp.value);
    if (v !== null) out.temperature = v;
    if (st.symptoms.size) out.symptoms = SYMPTOMS.filter((s) => st.symptoms.has(s));
    return out;
  };
  return card;
}

export default async function rollcallView(ctx) {
  const id = Number(ctx.params[0]);
  let hh;
  let offline = false;
  let keptSince = Date.now();
  try {
    hh = await api('GET', '/households/' + enc(id), undefined, { timeout: 15000 });
    households.set(id, { hh, at: keptSince });
    keep('hh:' + id, hh);
  } catch (e) {
    if (e.status !== 0) throw e;
    // offline: this page's copy, else the phone's (keep.js), else the row of the missing list
    const k = households.get(id) || await kept('hh:' + id);
    if (k) {
      hh = k.hh || k.data;
      keptSince = k.at;
    } else {
      hh = missingHousehold(id);
    }
    if (!hh) throw e;
    offline = true;
  }
  const day = rollDay();
  const draftKey = 'draft:' + id;
  const draft = await kept(draftKey);
  let current = {};
  if (can.rollcall() && !offline && networkUp()) {
    try {
      const res = await api('GET', '/checkins' + qs({ household: id, day }));
      for (const c of res.items || []) if (c.current) current[c.resident_id] = c;
    } catch (e) {
      if (e.handled) throw e;
      current = {};
    }
  }
  const label = householdLabel(hh);
  ctx.title = t('rc.title', { place: label });
  ctx.startAtMain = true; // on a phone the form starts on screen, its first field above the save bar
  const people = (hh.residents || []).filter(living);
  const others = (hh.residents || []).filter((r) => !living(r));
  // where the roll-call was opened from: the hotline (the caller's household again), a page of
  // the app named by ?back= (the dashboard's call list), else the grid worker's 今日 or the household
  const back = ctx.query.from === 'hotline' ? '#/hotline?household=' + id
    : /^#\/[a-z]/.test(ctx.query.back || '') ? ctx.query.back : can.today() ? '#/today' : '#/household/' + id;

  let channel = CHANNELS.indexOf(ctx.query.channel) >= 0 ? ctx.query.channel : 'visit';
  let cards = [];
  let restoring = false;
  // every change is kept, so a reload (or a phone that drops the page) keeps the form
  function saveDraft() {
    if (restoring) return;
    const people0 = {};
    let any = false;
    for (const c of cards) {
      const d = c.draft();
      if (d) {
        people0[c.getAttribute('data-resident')] = d;
        any = true;
      }
    }
    if (any) keep(draftKey, { day, channel, people: people0 });
    else drop(draftKey);
  }
  const chanBtns = CHANNELS.map((c) => h('button', {
    type: 'button', class: 'seg', 'data-channel': c, 'aria-pressed': c === channel ? 'true' : 'false',
    on: {
      click: () => {
        channel = c;
        for (const b of chanBtns) toggle(b, b.getAttribute('data-channel') === c);
        saveDraft();
      },
    },
  }, tv('channel', c)));

  cards = people.map((r) => personCard(r, current[r.id], saveDraft));
  let restored = false;
  if (draft && draft.data.day === day) {
    restoring = true;
    for (const c of cards) {
      const d = draft.data.people[c.getAttribute('data-resident')];
      if (d) {
        c.restore(d);
        restored = true;
      }
    }
    if (!ctx.query.channel && CHANNELS.indexOf(draft.data.channel) >= 0) {
      channel = draft.data.channel;
      for (const b of chanBtns) toggle(b, b.getAttribute('data-channel') === channel);
    }
    restoring = false;
  }
  const err = formError();
  const allBtn = h('button', { type: 'button', class: 'btn btn-ok btn-big', id: 'all-normal' }, t('rc.all_normal'));
  const saveBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-big', id: 'save' }, t('rc.save'));
  const form = h('form', { class: 'rollcall', novalidate: true },
    err,
    h('fieldset', { class: 'channel' }, h('legend', null, t('rc.channel')), h('div', { class: 'segs' }, chanBtns)),
    people.length ? h('ul', { class: 'cards people' }, cards) : h('p', { class: 'empty' }, t('rc.nobody')),
    others.length ? h('p', { class: 'hint' }, t('rc.not_living', { names: others.map((r) => r.name + '(' + (r.moved_out ? t('rc.moved_out') : tv('residence', r.residence)) + ')').join('、') })) : null,
    people.length ? h('div', { class: 'savebar' }, allBtn, saveBtn) : null);

  function showErr(msg, focus) {
    err.textContent = msg;
    err.hidden = false;
    if (focus) focus.focus();
    else {
      err.setAttribute('tabindex', '-1');
      err.focus();
    }
  }

  async function save(allNormal) {
    err.hidden = true;
    const readings = [];
    for (const c of cards) {
      const r = c.reading();
      if (r && r.error) return showErr(r.error, r.focus);
      if (r) readings.push(r);
    }
    if (!allNormal && !readings.length) return showErr(t('rc.nothing'));
    const body = { household_id: id, day, channel };
    if (allNormal) body.all_normal = true;
    if (readings.length) body.readings = readings;
    const n = allNormal ? people.length : readings.length;
    allBtn.disabled = saveBtn.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const res = await queue.submit({ path: '/checkins', body, label: t('rc.queue_label', { place: label, n }), household_id: id });
      await drop(draftKey);
      // taken on the hotline: the call is one of the day's calls, as a request or a lead taken by phone is
      if (ctx.query.from === 'hotline' && !res.queued) {
        await api('POST', '/calls', { kind: 'other', household_id: id, note: t('help.checkin_call_note'), client_id: 'rc-' + id + '-' + day + '-' + Date.now() })
          .catch((e) => { if (e.handled) throw e; });
      }
      if (res.queued) {
        ctx.flash(t('rc.queued', { place: label, n }));
      } else if (!res.result) {
        ctx.flash(t('rc.saved', { place: label, n }));
      } else {
        const results = res.result.results || [];
        const fresh = results.filter((x) => !x.kept);
        const kept = results.length - fresh.length;
        const fevers = fresh.filter((x) => x.fever).length;
        ctx.flash(t('rc.saved', { place: label, n: fresh.length }) + (fevers ? ' ' + t('rc.saved_fever', { n: fevers }) : '') +
          (kept ? ' ' + t('rc.saved_kept', { n: kept }) : ''));
      }
      window.location.hash = back;
    } catch (e) {
      if (e.handled) return;
      let msg = e.message;
      const m = /^readings\[(\d+)\]/.exec(e.field || '');
      if (m && readings[Number(m[1])]) {
        const p = people.find((x) => x.id === readings[Number(m[1])].resident_id);
        if (p) msg = p.name + ': ' + msg;
      }
      showErr(msg);
    } finally {
      allBtn.disabled = saveBtn.disabled = false;
      form.removeAttribute('aria-busy');
    }
  }
  allBtn.addEventListener('click', () => save(true));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save(false);
  });

  return h('section', { class: 'rollcall-page' },
    h('p', { class: 'back' }, h('a', { href: back }, '‹ ', ctx.query.from === 'hotline' ? t('help.hotline_title') : can.today() ? t('today.title') : t('common.back'))),
    h('h1', { tabindex: '-1' }, label),
    h('p', { class: 'facts' }, t('rc.living', { n: people.length }), ' · ', day, ' · ',
      h('a', { href: '#/household/' + id }, t('rc.details'))),
    offline ? h('p', { class: 'notice offline-note', role: 'status' }, t('rc.offline', { at: keptAt(keptSince) })) : null,
    restored ? h('p', { class: 'notice draft-note', role: 'status' }, t('rc.draft_restored')) : null,
    form);
}
