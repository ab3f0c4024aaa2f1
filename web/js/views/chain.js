// chain.js — paste a WeChat group chain (接龙) (#/chain, ?unit=CODE): the server matches
// each line to a household and its people without saving; matched lines can be left out,
// unmatched lines fixed here (pick the household's people and their readings, or find the
// household by search), then one confirm saves them all, each with its original line.
import { api, enc, qs } from '../api.js';
import { t, tv, serverText } from '../i18n.js';
import { h, mount, clear, formError, field, clearErrors, showError, busy, act } from '../dom.js';
import { session } from '../session.js';
import { placeLabel, householdLabel, fmtTemp, living, parseTemp, feverLine } from './common.js';

let draft = ''; // the pasted text survives leaving the page and coming back (memory only)

// One reading of a matched line as it will be saved: the temperature (正常 without one) and
// the symptoms the line gives the person — a cough at 36.6 is not shown as a normal reading.
function readingText(r) {
  const temp = r.temperature !== undefined && r.temperature !== null ? r.temperature : null;
  const syms = r.symptoms || [];
  const hot = (temp !== null && temp >= feverLine()) || syms.length > 0;
  return h('span', { class: 'chain-reading' + (hot ? ' hot-text' : '') },
    r.name + ' ' + (temp !== null ? fmtTemp(temp) : syms.length ? '' : t('rc.normal')) +
    (syms.length ? (temp !== null ? ' · ' : '') + syms.map((x) => tv('sym', x)).join('、') : ''));
}

// People of a household to tick, each with an optional temperature: the fix of a line.
// Nobody is ticked for the worker, and an empty field shows no number: a placeholder must
// never look like a reading.  What the line itself says (u.temperatures, u.symptoms) is
// offered as "whose is it?" buttons, and readings() refuses until each of it is given to
// someone — the server refuses the same (reading_not_given).
function peoplePicker(people, u, onPick) {
  const lineNo = u.line;
  const lineTemps = u.temperatures || [];
  const lineSyms = u.symptoms || [];
  const rows = people.map((p) => {
    const id = 'fx-' + lineNo + '-' + p.resident_id;
    const box = h('input', { type: 'checkbox', id, checked: false });
    const temp = h('input', {
      type: 'text', class: 'temp temp-small', inputmode: 'decimal', maxlength: 5, placeholder: t('chain.temp_placeholder'), autocomplete: 'off',
      'aria-label': t('chain.temp_of', { name: p.name }),
    });
    const symNote = h('span', { class: 'row-aside sym-given', hidden: true });
    temp.addEventListener('input', () => { if (temp.value.trim()) { box.checked = true; onPick(); } });
    box.addEventListener('change', onPick);
    const row = h('div', { class: 'check pick', 'data-resident': String(p.resident_id) }, box, h('label', { for: id }, p.name), temp, symNote);
    row.person = p;
    row.symptoms = [];
    row.give = (v) => {
      temp.value = Number(v).toFixed(1);
      box.checked = true;
      onPick();
    };
    row.giveSymptoms = () => {
      row.symptoms = lineSyms.slice();
      symNote.textContent = lineSyms.map((x) => tv('sym', x)).join('、');
      symNote.hidden = false;
      box.checked = true;
      onPick();
    };
    row.get = () => {
      if (!box.checked) return null;
      const v = parseTemp(temp.value);
      if (Number.isNaN(v)) return { error: t('rc.bad_temp_named', { name: p.name }), focus: temp };
      const r = { resident_id: p.resident_id };
      if (v !== null) r.temperature = v;
      if (row.symptoms.length) r.symptoms = row.symptoms;
      return r;
    };
    return row;
  });
  // "37.8 ℃ — whose is it?" with one button per person
  const says = [];
  lineTemps.forEach((v, i) => {
    says.push(h('div', { class: 'line-says', 'data-temp': String(v) },
      h('span', { class: v >= feverLine() ? 'hot-text' : null }, t('chain.whose_temp', { t: fmtTemp(v) })),
      rows.map((r) => h('button', {
        type: 'button', class: 'btn btn-small', id: 'give-' + lineNo + '-' + i + '-' + r.person.resident_id,
        on: { click: () => r.give(v) },
      }, r.person.name))));
  });
  if (lineSyms.length) {
    says.push(h('div', { class: 'line-says', 'data-symptoms': lineSyms.join(',') },
      h('span', { class: 'hot-text' }, t('chain.whose_symptoms', { s: lineSyms.map((x) => tv('sym', x)).join('、') })),
      rows.map((r) => h('button', { type: 'button', class: 'btn btn-small', on: { click: () => r.giveSymptoms() } }, r.person.name))));
  }
  const box = h('fieldset', { class: 'checks picker' }, h('legend', null, t('chain.pick_people')), says, rows);
  box.readings = () => {
    const out = [];
    for (const r of rows) {
      const x = r.get();
      if (x && x.error) return x;
      if (x) out.push(x);
    }
    // every reading the line gives must be given to someone
    const given = out.filter((x) => x.temperature !== undefined).map((x) => Math.round(x.temperature * 10));
    for (const v of lineTemps) {
      const k = given.indexOf(Math.round(v * 10));
      if (k < 0) return { error: t('chain.temp_not_given', { line: lineNo, t: fmtTemp(v) }) };
      given.splice(k, 1);
    }
    if (lineSyms.length && !out.some((x) => lineSyms.every((y) => (x.symptoms || []).includes(y)))) {
      return { error: t('chain.symptoms_not_given', { line: lineNo }) };
    }
    return out;
  };
  return box;
}

// One unmatched line: its reason and the way to fix it.  el.fixed() -> null (skipped) or
// {household_id, readings} or {error}.
function unmatchedItem(u) {
  const li = h('li', { class: 'card chain-line unmatched', 'data-line': String(u.line) });
  const include = h('input', { type: 'checkbox', id: 'inc-' + u.line, checked: false });
  const fixArea = h('div', { class: 'fix' });
  let hid = u.household_id || null;
  let picker = null;

  function usePeople(householdId, people, label) {
    hid = householdId;
    // the line is saved once the worker has said whose it is, not before
    picker = peoplePicker(people, u, () => { include.checked = true; });
    mount(fixArea, label ? h('p', { class: 'fix-where' }, t('chain.fix_household', { place: label })) : null, picker);
  }

  if (u.household_id && u.people && u.people.length) {
    usePeople(u.household_id, u.people, placeLabel(u));
  } else {
    const q = field({ name: 'q', label: t('chain.find_household'), maxlength: 40, autocomplete: 'off', placeholder: t('chain.find_placeholder') });
    const b = u.building && /^\d+$/.test(u.building) ? u.building + '栋' : u.building; // as the search reads rooms: 3栋1504
    q.input.value = [b, u.room].filter(Boolean).join('') || '';
    const found = h('ul', { class: 'list plain found' });
    const go = h('button', { type: 'button', class: 'btn' }, t('search.button'));
    const search = async () => {
      const term = q.input.value.trim();
      if (!term) return;
      go.disabled = true;
      try {
        const res = await api('POST', '/residents/search', { q: term, limit: 30 });
        const seen = new Map();
        for (const r of res.items || []) if (!seen.has(r.household_id)) seen.set(r.household_id, r);
        mount(found, seen.size ? [...seen.values()].map((r) => h('li', null, h('button', {
          type: 'button', class: 'btn btn-small',
          on: {
            click: async () => {
              const hh = await api('GET', '/households/' + enc(r.household_id));
              const people = (hh.residents || []).filter(living).map((p) => ({ resident_id: p.id, name: p.name }));
              usePeople(hh.id, people, householdLabel(hh));
            },
          },
        }, householdLabel(r)))) : h('li', { class: 'empty' }, t('search.none')));
      } catch (e) {
        if (!e.handled) mount(found, h('li', { class: 'field-error' }, e.message));
      } finally {
        go.disabled = false;
      }
    };
    go.addEventListener('click', search);
    q.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        search();
      }
    });
    mount(fixArea, h('div', { class: 'find' }, q, go), found);
  }
  mount(li,
    h('p', { class: 'line-text' }, h('span', { class: 'line-no' }, String(u.line)), u.text),
    h('p', { class: 'reason' }, serverText(u.reason)),
    fixArea,
    h('div', { class: 'check' }, include, h('label', { for: 'inc-' + u.line }, t('chain.include_fixed'))));
  li.fixed = () => {
    if (!include.checked) return null;
    if (!hid || !picker) return { error: t('chain.need_household', { line: u.line }) };
    const rd = picker.readings();
    if (rd.error) return rd;
    if (!rd.length) return { error: t('chain.need_people', { line: u.line }) };
    return { line: u.line, text: u.text, household_id: hid, readings: rd };
  };
  return li;
}

function matchedItem(m) {
  const include = h('input', { type: 'checkbox', id: 'm-' + m.line, checked: true });
  const li = h('li', { class: 'card chain-line matched', 'data-line': String(m.line) },
    h('div', { class: 'check' }, include, h('label', { for: 'm-' + m.line },
      h('span', { class: 'line-no' }, String(m.line)), m.text)),
    h('p', { class: 'arrow' }, '→ ', h('strong', null, placeLabel(m)), ' · ', (m.readings || []).flatMap((r, i) => (i ? ['、', readingText(r)] : [readingText(r)]))));
  li.fixed = () => (include.checked ? {
    line: m.line, text: m.text, household_id: m.household_id,
    readings: (m.readings || []).map((r) => {
      const o = { resident_id: r.resident_id };
      if (r.temperature !== undefined && r.temperature !== null) o.temperature = r.temperature;
      if (r.symptoms && r.symptoms.length) o.symptoms = r.symptoms;
      return o;
    }),
  } : null);
  return li;
}

export default async function chainView(ctx) {
  ctx.title = t('chain.title');
  const unit = ctx.query.unit || session.me.unit_code;
  const text = field({ name: 'text', label: t('chain.text'), type: 'textarea', rows: 8, hint: t('chain.hint') });
  text.input.value = draft;
  text.input.addEventListener('input', () => { draft = text.input.value; });
  const err = formError();
  const out = h('div', { id: 'chain-out', 'aria-live': 'polite' });
  const previewBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-wide', id: 'chain-preview' }, t('chain.preview'));
  const form = h('form', { class: 'form', novalidate: true }, err, text, h('p', { class: 'actions' }, previewBtn));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    clear(out);
    if (!text.input.value.trim()) return showError(form, [text], { field: 'text', message: t('chain.need_text') });
    let res;
    try {
      res = await busy(form, () => api('POST', '/checkins/chain', { unit, text: text.input.value }));
    } catch (e) {
      return showError(form, [text], e);
    }
    session.day = res.day || session.day;
    const matched = (res.matched || []).map(matchedItem);
    const unmatched = (res.unmatched || []).map(unmatchedItem);
    const cerr = formError();
    const confirmBtn = h('button', { type: 'button', class: 'btn btn-primary btn-big', id: 'chain-confirm' }, t('chain.confirm'));
    confirmBtn.addEventListener('click', async () => {
      cerr.hidden = true;
      const lines = [];
      for (const li of matched.concat(unmatched)) {
        const x = li.fixed();
        if (x && x.error) {
          cerr.textContent = x.error;
          cerr.hidden = false;
          if (x.focus) x.focus.focus();
          return;
        }
        if (x) lines.push(x);
      }
      if (!lines.length) {
        cerr.textContent = t('chain.nothing');
        cerr.hidden = false;
        return;
      }
      await act(cerr, confirmBtn, async () => {
        const r = await api('POST', '/checkins/chain/confirm', { day: res.day, lines });
        const fevers = (r.results || []).filter((x) => x.fever).length;
        draft = '';
        ctx.flash(t('chain.saved', { lines: lines.length, n: r.saved }) + (fevers ? ' ' + t('rc.saved_fever', { n: fevers }) : ''));
        window.location.hash = '#/today' + qs({ unit: ctx.query.unit });
      });
    });
    mount(out,
      h('p', { class: 'facts', role: 'status' }, t('chain.summary', { n: matched.length + unmatched.length, ok: matched.length, bad: unmatched.length })),
      unmatched.length ? h('section', { 'aria-labelledby': 'um-h' },
        h('h2', { id: 'um-h' }, t('chain.unmatched', { n: unmatched.length })),
        h('ul', { class: 'cards chain-list' }, unmatched)) : null,
      matched.length ? h('section', { 'aria-labelledby': 'mt-h' },
        h('h2', { id: 'mt-h' }, t('chain.matched', { n: matched.length })),
        h('ul', { class: 'cards chain-list' }, matched)) : null,
      cerr,
      h('p', { class: 'savebar' }, confirmBtn));
    const first = out.querySelector('h2');
    if (first) {
      first.setAttribute('tabindex', '-1');
      first.focus();
    }
  });
  ctx.focus = text.input;
  return h('section', { class: 'chain' },
    h('h1', { tabindex: '-1' }, ctx.title),
    form, out);
}
