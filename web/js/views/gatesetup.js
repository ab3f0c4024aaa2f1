// gatesetup.js — 卡口设置: the community's closed compounds as their secretary runs them.
// Each compound with its gates and each gate's state (merged: into which; open: which gates
// are merged into it), the actions the API takes — open, close, merge into an open gate of
// this compound or a neighbour's, each with its reason —, a form for a new gate, and the
// compound's rules (outings per household per so many days, minutes out, a visitor's test).
// What the server refuses is said under the field it names, in the page's language, scrolled
// into view; nothing typed is lost (a form is drawn again only after it was saved).
// The guard's screen (gate.js) reads the gates on every load: a gate closed here is closed
// there at its next load.  Docs: docs/api.md section 12.1.
import { api, enc } from '../api.js';
import { can } from '../session.js';
import { t, tv, getLang } from '../i18n.js';
import { h, mount, clear, fmtTime } from '../dom.js';
import { changed, lockdownBadge, LOCK_LEVELS } from './common.js';

// Natural order of unit codes and names: 150105003008-G2 before -G10; Chinese numerals read
// as numbers, so 一号院 comes before 六号院 and 十一号院 after 十号院 (the server lists by
// path, where ids sort as text).
const CN = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
function cnNumber(s) {
  let n = 0;
  let cur = 0;
  for (const c of s) {
    if (c === '百') {
      n += (cur || 1) * 100;
      cur = 0;
    } else if (c === '十') {
      n += (cur || 1) * 10;
      cur = 0;
    } else {
      cur = CN[c];
    }
  }
  return String(n + cur);
}
function natKey(s) {
  return String(s || '').replace(/[零一二两三四五六七八九十百]+/g, cnNumber);
}
const collator = new Intl.Collator('zh-CN', { numeric: true });
export function natCompare(a, b) {
  return collator.compare(natKey(a), natKey(b));
}

const RULES = [
  ['quota_outings', 0, 50],
  ['quota_days', 1, 30],
  ['outing_minutes', 0, 1440],
  ['test_max_hours', 1, 720],
];

// The server's refusal in the page's language: its Chinese half where it wrote one, else
// said from its code (some checks answer in English only: "quota_days must be between 1 and 30").
function refusal(e) {
  const raw = String((e && e.raw) || '');
  if (raw && (/[\u3400-\u9fff]/.test(raw) || getLang() === 'en')) return e.message;
  if (e.code === 'out_of_range') {
    const m = /between (-?\d+) and (-?\d+)/.exec(raw);
    if (m) return t('gs.err_range', { min: m[1], max: m[2] });
  }
  if (e.code === 'wrong_type') return t('gs.err_integer');
  if (e.code === 'required') return t('gs.err_required');
  if (e.code === 'pick') return t('gs.err_pick');
  if (e.code === 'too_long') return t('gs.err_too_long');
  if (e.code === 'invalid_kinds') return t('gs.err_kinds');
  if (e.code === 'invalid_windows') return t('gs.err_windows');
  return t('gs.err_refused');
}

// A small form's fields with their error lines: f.add(name, label, input) → the field's <p>;
// f.fail(err) says a refusal under the field it names (named), else in the form's box.
function fieldSet(prefix) {
  const inputs = {};
  const errs = {};
  const labels = {};
  const box = h('div', { class: 'form-error', role: 'alert', hidden: true });
  return {
    inputs,
    box,
    add(name, label, input) {
      inputs[name] = input;
      labels[name] = label;
      input.id = input.id || prefix + '-' + name;
      errs[name] = h('span', { class: 'field-error', id: input.id + '-err', role: 'alert', hidden: true });
      input.setAttribute('aria-describedby', input.id + '-err');
      return h('p', { class: 'field', 'data-field': name }, h('label', { for: input.id }, label), input, errs[name]);
    },
    clear() {
      box.hidden = true;
      clear(box);
      for (const k of Object.keys(errs)) {
        errs[k].hidden = true;
        errs[k].textContent = '';
        inputs[k].removeAttribute('aria-invalid');
      }
    },
    fail(e) {
      if (e && e.handled) return;
      const name = e && e.field && errs[e.field] ? e.field : null;
      if (name) {
        errs[name].textContent = t('gate.v_error', { field: labels[name], msg: refusal(e) });
        errs[name].hidden = false;
        inputs[name].setAttribute('aria-invalid', 'true');
        inputs[name].focus({ preventScroll: true });
        errs[name].scrollIntoView({ block: 'center' });
        return;
      }
      box.textContent = e && e.message ? refusal(e) : t('err.unknown');
      box.hidden = false;
      box.scrollIntoView({ block: 'center' });
    },
  };
}

// A gate's own fields (name, kinds, hours) in fieldSet f, filled from g (a new gate: people
// only, all day): the new-gate form and a gate's edit form share them.  body() reads them
// back as the API takes them (hours "": all day).
function gateFields(f, prefix, g) {
  const name = h('input', { name: 'name', maxlength: 40, autocomplete: 'off', value: g.name || '' });
  const hours = h('input', { name: 'hours', maxlength: 11, placeholder: '06:00-22:00', autocomplete: 'off', value: g.hours || '' });
  const kindBoxes = ['people', 'vehicles', 'goods'].map((k) => h('input', { type: 'checkbox', name: 'kinds', value: k, checked: (g.kinds || ['people']).includes(k) }));
  const kinds = h('span', { class: 'gs-kinds', tabindex: '-1' }, kindBoxes.map((b, i) => {
    b.id = prefix + '-k' + i;
    return h('span', { class: 'check' }, b, h('label', { for: b.id }, tv('gkind', b.value)));
  }));
  return {
    name,
    hours,
    rows: [f.add('name', t('gs.f_name'), name), f.add('kinds', t('gs.f_kinds'), kinds), f.add('hours', t('gs.f_hours'), hours)],
    body: () => ({ name: name.value.trim(), kinds: kindBoxes.filter((b) => b.checked).map((b) => b.value), hours: hours.value.trim() }),
  };
}

export default async function gateSetupView(ctx) {
  ctx.title = t('gs.title');
  ctx.wide = true;
  // the compound's shape is the tree's roles' work (ROLES_TREE); a guard or a grid worker who
  // types the address is told so, not shown buttons the server would refuse
  if (!can.gateSetup()) return h('section', null, h('h1', { tabindex: '-1' }, ctx.title), h('p', { class: 'notice' }, t('common.not_allowed')));
  const list = await api('GET', '/gates');
  let gates = list.items || [];

  // the compounds: those with gates, and the compounds (or grids) right under the caller's unit
  const compounds = new Map();
  for (const g of gates) if (!compounds.has(g.unit)) compounds.set(g.unit, { code: g.unit, name: g.unit_name });
  try {
    const ch = await api('GET', '/units/' + enc(list.unit) + '/children');
    for (const c of ch.items || []) {
      if ((c.kind === 'compound' || c.kind === 'grid') && !compounds.has(c.code)) compounds.set(c.code, { code: c.code, name: c.name });
    }
  } catch (e) {
    /* the gates' compounds are enough */
  }
  const order = Array.from(compounds.values()).sort((a, b) => natCompare(a.code, b.code) || natCompare(a.name, b.name));
  const nows = await Promise.all(order.map((c) => api('GET', '/compounds/' + enc(c.code) + '/now?people=0').catch(() => null)));
  order.forEach((c, i) => {
    c.rules = nows[i] ? nows[i].rules : null;
    c.lockdown = nows[i] ? nows[i].lockdown_level : 0;
  });

  const summary = h('p', { class: 'facts', id: 'gs-summary' });
  // what was just done, for a screen reader (the change itself is on screen where it was made;
  // ctx.flash would show it on the next page drawn, not this one)
  const done = h('p', { class: 'sr-only', id: 'gs-done', role: 'status', 'aria-live': 'polite' });
  const say = (msg) => { done.textContent = msg; };
  const lists = new Map(); // compound code -> its gates' <ul> holder
  const sortedGates = () => gates.slice().sort((a, b) =>
    natCompare(a.unit, b.unit) || (a.id - b.id));

  function drawSummary() {
    const open = gates.filter((g) => g.state === 'open').length;
    const merged = gates.filter((g) => g.state === 'merged').length;
    summary.textContent = t('gs.summary', { compounds: order.length, gates: gates.length, open, merged });
  }

  async function reload() {
    const l = await api('GET', '/gates');
    gates = l.items || [];
    drawSummary();
    for (const c of order) drawGates(c);
  }

  // ---- a gate: its state, where it is merged, what is merged into it; its actions ----
  function gateRow(c, g) {
    const into = gates.filter((x) => x.merged_into && x.merged_into.id === g.id).sort((a, b) => natCompare(a.unit, b.unit) || a.id - b.id);
    const act = h('div', { class: 'gs-act', hidden: true });
    const hist = h('div', { class: 'gs-history', hidden: true });
    const li = h('li', { class: 'gs-gate', 'data-gate': String(g.id), 'data-state': g.state },
      h('span', { class: 'row-main' }, h('strong', { class: 'gs-name' }, g.name), ' ',
        h('span', { class: 'badge badge-gate-' + g.state, 'data-badge': g.state }, tv('gstate', g.state)),
        g.merged_into ? h('span', { class: 'gs-into' }, ' ' + t('gate.merged_into', { name: g.merged_into.name })) : null),
      h('span', { class: 'row-sub' },
        (g.kinds || []).map((k) => tv('gkind', k)).join('、'),
        ' · ', g.hours ? t('gs.hours', { hours: g.hours }) : t('gs.all_day'),
        into.length ? h('span', { class: 'gs-from' }, ' · ' + t('gs.merged_from', { names: into.map((x) => x.name).join('、') })) : null),
      h('span', { class: 'gs-buttons' },
        g.state !== 'open' ? h('button', { type: 'button', class: 'btn', 'data-action': 'open', on: { click: () => openAct('open') } }, t('gs.do_open')) : null,
        g.state !== 'closed' ? h('button', { type: 'button', class: 'btn btn-danger', 'data-action': 'closed', on: { click: () => openAct('closed') } }, t('gs.do_close')) : null,
        g.state !== 'merged' ? h('button', { type: 'button', class: 'btn', 'data-action': 'merged', on: { click: () => openAct('merged') } }, t('gs.do_merge')) : null,
        g.state === 'merged' ? h('button', { type: 'button', class: 'btn', 'data-action': 'merged', on: { click: () => openAct('merged') } }, t('gs.do_remerge')) : null,
        h('button', { type: 'button', class: 'btn', 'data-action': 'edit', on: { click: openEdit } }, t('gs.do_edit')),
        h('button', { type: 'button', class: 'btn', 'data-action': 'history', 'aria-expanded': 'false', on: { click: (ev) => toggleHistory(ev.currentTarget) } }, t('gs.history'))),
      act,
      hist);

    // who changed the gate, when and why (newest first: GET /gates/{id}/now)
    async function toggleHistory(btn) {
      if (!hist.hidden) {
        hist.hidden = true;
        btn.setAttribute('aria-expanded', 'false');
        return;
      }
      btn.disabled = true;
      try {
        const now = await api('GET', '/gates/' + g.id + '/now');
        const items = (now.history || []).slice(0, 20);
        mount(hist, items.length
          ? h('ol', { class: 'list plain gs-history-list' }, items.map((x) => h('li', null,
            fmtTime(x.at), ' · ', x.merged_into ? t('gate.merged_into', { name: x.merged_into }) : tv('gstate', x.state),
            x.reason ? ' · ' + x.reason : '', x.by_name || x.by ? ' · ' + (x.by_name || x.by) : '')))
          : h('p', { class: 'empty' }, t('gs.history_none')));
      } catch (e) {
        mount(hist, h('p', { class: 'form-error', role: 'alert' }, e.message));
      } finally {
        btn.disabled = false;
      }
      hist.hidden = false;
      btn.setAttribute('aria-expanded', 'true');
    }

    // A form in the gate's action area: f's fields (rows) under a title, 确定 (or 保存) and 取消.
    // On submit send() makes the call and returns what to say once done (a refusal it throws,
    // the server's or its own {field, code}, is said by f); then the gates are drawn again.
    function actForm(attrs, f, title, rows, confirm, send) {
      const form = h('form', Object.assign({
        novalidate: true,
        on: {
          submit: async (ev) => {
            ev.preventDefault();
            f.clear();
            const btns = form.querySelectorAll('button');
            for (const b of btns) b.disabled = true;
            let said;
            try {
              said = await send();
            } catch (e) {
              for (const b of btns) b.disabled = false;
              // the gate's state itself refused (others are merged into it): said by the buttons
              return f.fail(e);
            }
            say(said);
            await reload();
          },
        },
      }, attrs),
      h('p', { class: 'gs-act-title' }, title),
      rows,
      f.box,
      h('p', { class: 'actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-confirm': confirm }, confirm === 'edit' ? t('gs.save') : t('gs.confirm')),
        h('button', { type: 'button', class: 'btn', 'data-cancel': '', on: { click: () => { clear(act); act.hidden = true; } } }, t('gs.cancel'))));
      mount(act, form);
      act.hidden = false;
    }

    // the gate's name, kinds and hours, filled in as they are (PATCH /gates/{id}); its state,
    // merges and passages stay as they were
    function openEdit() {
      const f = fieldSet('ge-' + g.id);
      const own = gateFields(f, 'ge-' + g.id, g);
      actForm({ class: 'gs-edit-form' }, f, t('gs.act_edit', { name: g.name }),
        [own.rows, h('p', { class: 'hint' }, t('gs.edit_hint'))], 'edit', async () => {
          const body = own.body();
          body.hours = body.hours || null;
          await api('PATCH', '/gates/' + g.id, changed(g, body));
          return t('gs.edited', { name: body.name });
        });
      own.name.focus();
    }

    function openAct(state) {
      const f = fieldSet('gs-' + g.id);
      const targets = gates.filter((x) => x.id !== g.id && x.state === 'open')
        .sort((a, b) => (a.unit === g.unit ? -1 : 0) - (b.unit === g.unit ? -1 : 0) || natCompare(a.unit, b.unit) || a.id - b.id);
      const reason = h('input', { name: 'reason', maxlength: 200, autocomplete: 'off', placeholder: t('gs.reason_ph') });
      const intoSel = state === 'merged'
        ? h('select', { name: 'into' }, h('option', { value: '' }, t('gs.pick_into')),
          targets.map((x) => h('option', { value: String(x.id) }, x.unit === g.unit ? x.name : x.name + '（' + x.unit_name + '）')))
        : null;
      actForm({ class: 'gs-state-form', 'data-state': state }, f, t('gs.act_' + state, { name: g.name }),
        [intoSel ? f.add('into', t('gs.f_into'), intoSel) : null, f.add('reason', t('gs.f_reason'), reason)], state, async () => {
          const body = { state, reason: reason.value.trim() };
          if (intoSel) {
            if (!intoSel.value) throw Object.assign(new Error(''), { field: 'into', code: 'pick', raw: '' });
            body.into = Number(intoSel.value);
          }
          await api('POST', '/gates/' + g.id + '/state', body);
          return t('gs.done_' + state, { name: g.name });
        });
      (intoSel || reason).focus();
    }
    return li;
  }

  function drawGates(c) {
    const holder = lists.get(c.code);
    const mine = sortedGates().filter((g) => g.unit === c.code);
    mount(holder, mine.length
      ? h('ul', { class: 'list gs-gates' }, mine.map((g) => gateRow(c, g)))
      : h('p', { class: 'empty' }, t('gs.no_gates')));
  }

  // ---- the compound's rules ----
  function rulesForm(c) {
    const f = fieldSet('gr-' + c.code);
    const r = c.rules || { quota_outings: 0, quota_days: 1, outing_minutes: 0, test_max_hours: 48 };
    const line = h('p', { class: 'facts gs-rules-line' });
    const drawLine = () => {
      line.textContent = (r.quota_outings ? t('gs.rules_quota', { n: r.quota_outings, days: r.quota_days }) : t('gs.rules_no_quota')) +
        ' · ' + (r.outing_minutes ? t('gs.rules_minutes', { n: r.outing_minutes }) : t('gs.rules_no_minutes')) +
        ' · ' + t('gs.rules_test', { n: r.test_max_hours });
    };
    drawLine();
    const num = (name, min, max) => h('input', { name, type: 'number', inputmode: 'numeric', step: '1', min: String(min), max: String(max), value: String(r[name]) });
    const form = h('form', {
      class: 'gs-rules-form', novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          f.clear();
          const body = {};
          for (const [name] of RULES) {
            const v = f.inputs[name].value.trim();
            if (v === '') return f.fail({ field: name, code: 'required', raw: '', message: '' });
            // as typed: the server says what it takes (a fraction or a word is refused there)
            body[name] = /^-?\d+$/.test(v) ? Number(v) : Number(v) || v;
          }
          const btn = form.querySelector('button[type=submit]');
          btn.disabled = true;
          let res;
          try {
            res = await api('POST', '/compounds/' + enc(c.code) + '/rules', body);
          } catch (e) {
            return f.fail(e);
          } finally {
            btn.disabled = false;
          }
          Object.assign(r, res.rules);
          c.rules = r;
          drawLine();
          saved.hidden = false;
          say(t('gs.rules_saved', { name: c.name }));
        },
      },
    },
    h('div', { class: 'gs-rules-grid' },
      RULES.map(([name, min, max]) => f.add(name, t('gs.f_' + name), num(name, min, max)))),
    h('p', { class: 'hint' }, t('gs.rules_hint')),
    f.box,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('gs.rules_save'))));
    const saved = h('p', { class: 'hint gs-saved', role: 'status', hidden: true }, t('gs.saved'));
    form.appendChild(saved);
    for (const i of form.querySelectorAll('input')) i.addEventListener('input', () => { saved.hidden = true; });
    return { line, form };
  }

  // ---- a new gate ----
  function newGateForm(c) {
    const f = fieldSet('gn-' + c.code);
    const own = gateFields(f, 'gn-' + c.code, {});
    const reason = h('input', { name: 'reason', maxlength: 200, autocomplete: 'off' });
    const form = h('form', {
      class: 'gs-new-form', novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          f.clear();
          const body = Object.assign({ unit: c.code }, own.body());
          if (!body.hours) delete body.hours;
          if (reason.value.trim()) body.reason = reason.value.trim();
          const btn = form.querySelector('button[type=submit]');
          btn.disabled = true;
          try {
            await api('POST', '/gates', body);
          } catch (e) {
            return f.fail(e);
          } finally {
            btn.disabled = false;
          }
          say(t('gs.created', { name: body.name }));
          own.name.value = '';
          own.hours.value = '';
          reason.value = '';
          await reload();
        },
      },
    },
    own.rows,
    f.add('reason', t('gs.f_new_reason'), reason),
    f.box,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('gs.create'))));
    return h('details', { class: 'panel gs-new' }, h('summary', null, t('gs.new_gate')), form);
  }

  // ---- a building's going-out windows (丽园's 08:00-10:00、15:00-17:00): read when the
  // building is picked, replaced as a whole on save (an empty list lifts them) ----
  function windowsPanel(c) {
    const f = fieldSet('gw-' + c.code);
    const building = h('select', { name: 'building' }, h('option', { value: '' }, t('gs.pick_building')));
    const windows = h('input', { name: 'windows', autocomplete: 'off', placeholder: '08:00-10:00、15:00-17:00', disabled: true });
    const now = h('p', { class: 'facts gs-windows-now', 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', disabled: true }, t('gs.windows_save'));
    const saved = h('p', { class: 'hint gs-saved', role: 'status', hidden: true }, t('gs.saved'));
    const show = (w) => {
      now.textContent = w.windows.length ? t('gs.windows_now', { name: w.name, windows: w.windows.join('、') }) : t('gs.windows_none', { name: w.name });
    };
    let loaded = false;
    const panel = h('details', { class: 'panel gs-windows' }, h('summary', null, t('gs.windows')));
    panel.addEventListener('toggle', async () => {
      if (!panel.open || loaded) return;
      loaded = true;
      try {
        const ch = await api('GET', '/units/' + enc(c.code) + '/children?limit=200');
        const bs = (ch.items || []).filter((u) => u.kind === 'building').sort((a, b) => natCompare(a.name, b.name) || natCompare(a.code, b.code));
        for (const b of bs) building.appendChild(h('option', { value: b.code }, b.name));
        if (!bs.length) now.textContent = t('gs.no_buildings');
      } catch (e) {
        loaded = false;
        f.fail(e);
      }
    });
    building.addEventListener('change', async () => {
      f.clear();
      saved.hidden = true;
      windows.disabled = true;
      save.disabled = true;
      now.textContent = '';
      if (!building.value) return;
      try {
        const w = await api('GET', '/buildings/' + enc(building.value) + '/windows');
        windows.value = w.windows.join('、');
        show(w);
        windows.disabled = false;
        save.disabled = false;
      } catch (e) {
        f.fail(e);
      }
    });
    windows.addEventListener('input', () => { saved.hidden = true; });
    const form = h('form', {
      class: 'gs-windows-form', novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          f.clear();
          if (!building.value) return;
          const list = windows.value.split(/[、,，;；\s]+/).map((x) => x.trim()).filter(Boolean).sort();
          save.disabled = true;
          try {
            const w = await api('POST', '/buildings/' + enc(building.value) + '/windows', { windows: list });
            show(w);
            windows.value = w.windows.join('、');
            saved.hidden = false;
          } catch (e) {
            // windows[1] is the second window typed: said under the field, which one named
            const m = /^windows\[(\d+)\]$/.exec(e.field || '');
            if (m) {
              e.field = 'windows';
              e.message = t('gs.window_n', { n: Number(m[1]) + 1, text: list[Number(m[1])] || '', msg: refusal(e) });
              e.raw = e.message;
            }
            f.fail(e);
          } finally {
            save.disabled = false;
          }
        },
      },
    },
    f.add('building', t('gs.f_building'), building),
    now,
    f.add('windows', t('gs.f_windows'), windows),
    h('p', { class: 'hint' }, t('gs.windows_hint')),
    f.box,
    h('p', { class: 'actions' }, save),
    saved);
    panel.appendChild(form);
    return panel;
  }

  const sections = order.map((c) => {
    lists.set(c.code, h('div', { class: 'gs-gate-list' }));
    drawGates(c);
    const rf = rulesForm(c);
    return h('section', { class: 'gs-compound', 'data-compound': c.code },
      h('h2', null, c.name, c.lockdown ? [' ', lockdownBadge(LOCK_LEVELS[c.lockdown])] : null),
      rf.line,
      h('div', { class: 'gs-cols' },
        h('div', null, h('h3', null, t('gs.gates')), lists.get(c.code), newGateForm(c)),
        h('div', null,
          // rules that could not be read are not offered for change: a form of defaults would
          // overwrite the rules in force
          c.rules ? h('details', { class: 'panel gs-rules' }, h('summary', null, t('gs.rules')), rf.form)
            : h('p', { class: 'form-error', role: 'alert' }, t('gs.rules_unread')),
          windowsPanel(c))));
  });
  drawSummary();

  return h('section', { class: 'gs-page' },
    h('h1', { tabindex: '-1' }, t('gs.title')),
    summary,
    done,
    h('p', { class: 'hint' }, t('gs.intro')),
    h('nav', { class: 'gs-jump', 'aria-label': t('gs.jump') },
      order.map((c) => h('a', { href: '#/gates', 'data-jump': c.code, on: { click: (ev) => {
        ev.preventDefault();
        const s = document.querySelector('.gs-compound[data-compound="' + c.code + '"]');
        if (s) s.scrollIntoView({ block: 'start' });
      } } }, c.name))),
    order.length ? sections : h('p', { class: 'empty' }, t('gate.none')));
}
