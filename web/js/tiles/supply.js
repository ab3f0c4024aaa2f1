// tiles/supply.js — the supplies (保供, docs/api.md "Supplies") parts that other screens show:
//  * householdSupplyPanel(hh) — on a household's page (grid worker, from the phone call):
//    the open round's packages with − / + steppers, a pickup slot, payment, one tap to order
//    (or change until the cut-off); the household's orders and errands (代购) with their
//    cash ledger, a medicine request form;
//  * supplyTile(code) — the dashboard's tile;
//  * what the supplies screens (views/supply.js, views/errands.js, views/aid.js) share:
//    money in fen, error boxes, the order and errand forms, the cash table.
// Money is in fen (integers) on the wire; "¥12.50" is typed and shown, parsed as text.
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, fmtTime, field, formError, clearErrors, showError, busy } from '../dom.js';
import { can } from '../session.js';

export const STATES = ['ordered', 'paid', 'received', 'disinfected', 'at_door', 'delivered', 'collected', 'cancelled'];
export const NEXT = { ordered: ['paid'], paid: ['received'], received: ['disinfected'], disinfected: ['at_door'], at_door: ['delivered', 'collected'] };

export function yuan(fen) {
  const n = Math.abs(fen);
  return (fen < 0 ? '-' : '') + '¥' + Math.floor(n / 100) + '.' + String(n % 100).padStart(2, '0');
}

// "12.5" / "12.50" / "12" → 1250 fen, without floating point; null when not money.
export function toFen(s) {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(String(s || '').replace('¥', ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

export function clientId(prefix) {
  const b = new Uint8Array(12);
  window.crypto.getRandomValues(b);
  return prefix + '-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function errBox() {
  return h('div', { class: 'form-error', role: 'alert', hidden: true });
}
export function showErr(box, e) {
  if (e && e.handled) return;
  box.textContent = (e && e.message) || t('err.unknown');
  box.hidden = false;
}

export function stateBadge(s) {
  return h('span', { class: 'badge sup-state sup-' + s, 'data-state': s }, tv('sstate', s));
}

export function itemsText(items) {
  return (items || []).map((i) => i.name + '×' + i.qty).join('、');
}

// ---- the order form of one open round (a household's page, or its own link page) ----

export function orderForm(round, existing, send, done) {
  const qty = {};
  for (const p of round.packages) qty[p.id] = 0;
  if (existing) for (const i of existing.items || []) qty[i.package_id] = i.qty;
  const total = h('strong', { class: 'sup-total', 'data-total': '' });
  const err = errBox();
  let cid = clientId('order'); // kept for a retry of the same order; new after an answer
  const draw = () => {
    let fen = 0;
    for (const p of round.packages) fen += p.price_fen * qty[p.id];
    total.textContent = t('sup.total', { amount: yuan(fen) });
    total.setAttribute('data-total', String(fen));
  };
  const rows = round.packages.map((p) => {
    const out = h('output', { class: 'sup-qty', 'data-qty': String(p.id), 'aria-live': 'polite' }, String(qty[p.id]));
    const set = (d) => {
      qty[p.id] = Math.max(0, Math.min(99, qty[p.id] + d));
      out.textContent = String(qty[p.id]);
      draw();
    };
    return h('li', { class: 'sup-pkg', 'data-package': String(p.id) },
      h('span', { class: 'sup-pkg-name' }, h('strong', null, p.name), ' ', h('span', { class: 'sup-price' }, yuan(p.price_fen)),
        p.contents ? h('small', { class: 'sup-contents' }, p.contents) : null),
      h('span', { class: 'sup-stepper' },
        h('button', { type: 'button', class: 'btn sup-minus', 'aria-label': t('sup.less', { name: p.name }), on: { click: () => set(-1) } }, '−'),
        out,
        h('button', { type: 'button', class: 'btn sup-plus', 'aria-label': t('sup.more', { name: p.name }), on: { click: () => set(1) } }, '+')));
  });
  // a pickup slot of the household's building (capacity shown; a full one cannot be chosen,
  // and the server refuses it naming slot_id when it filled meanwhile)
  const slots = round.slots || [];
  const slotErr = h('p', { class: 'field-error', id: 'sup-slot-err-' + round.id, hidden: true });
  const slot = slots.length ? h('select', { name: 'slot_id', class: 'sup-slot', id: 'sup-slot-' + round.id, 'aria-describedby': 'sup-slot-err-' + round.id },
    h('option', { value: '' }, t('sup.slot_none')),
    slots.map((x) => {
      const mine = existing && existing.slot_id === x.id;
      return h('option', { value: String(x.id), selected: mine, disabled: x.full && !mine, 'data-left': String(x.left) },
        slotLabel(x) + ' · ' + (x.full && !mine ? t('sup.slot_full') : t('sup.slot_left', { n: x.left, cap: x.capacity })));
    })) : null;
  const pay = h('select', { name: 'payment', class: 'sup-payment', id: 'sup-pay-' + round.id },
    ['online', 'cash', 'aid'].map((v) => h('option', { value: v, selected: existing ? existing.payment === v : v === 'online' }, tv('spay', v))));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary sup-order' }, existing ? t('sup.change') : t('sup.order'));
  draw();
  return h('form', {
    class: 'sup-form', 'data-round': String(round.id), novalidate: true,
    on: {
      submit: async (ev) => {
        ev.preventDefault();
        err.hidden = true;
        submit.disabled = true;
        try {
          const items = round.packages.map((p) => ({ package_id: p.id, qty: qty[p.id] }));
          const body = { items, payment: pay.value, client_id: cid };
          if (slot && slot.value) body.slot_id = Number(slot.value);
          slotErr.hidden = true;
          if (slot) slot.removeAttribute('aria-invalid');
          const o = await send(body);
          cid = clientId('order');
          done(o);
        } catch (e) {
          if (slot && e && e.field === 'slot_id' && !e.handled) {
            slotErr.textContent = e.message;
            slotErr.hidden = false;
            slot.setAttribute('aria-invalid', 'true');
            slot.focus();
          } else {
            showErr(err, e);
          }
        } finally {
          submit.disabled = false;
        }
      },
    },
  },
  h('h3', null, round.name, ' ', h('small', null, t('sup.cutoff_at', { at: fmtTime(round.cutoff) }))),
  h('ul', { class: 'list plain sup-pkgs' }, rows),
  slot ? h('p', { class: 'field sup-slot-field' }, h('label', { for: 'sup-slot-' + round.id }, t('sup.slot')), slot, slotErr) : null,
  h('p', { class: 'field field-inline' }, h('label', { for: 'sup-pay-' + round.id }, t('sup.payment')), pay),
  err,
  h('p', { class: 'actions sup-bar' }, total, submit));
}

// "12-08 09:00–10:00 3栋"
export function slotLabel(x) {
  return fmtTime(x.starts).slice(5) + '–' + fmtTime(x.ends).slice(11) + ' ' + (x.unit_name || '');
}

// The links between the supplies screens (团购, 代购, the medicine register, the fund, merchants).
export function supplyNav(active) {
  const items = [
    ['supply', '#/supply', can.supply()],
    ['errands', '#/errands', can.errands()],
    ['medicine', '#/medicine', can.medicine()],
    ['aid', '#/aid', can.aid()],
    ['merchants', '#/merchants', can.people()],
  ].filter((x) => x[2]);
  return h('nav', { class: 'tabs sup-nav', 'aria-label': t('sup.nav') }, items.map(([k, href]) =>
    h('a', { href, class: 'tab', 'aria-current': k === active ? 'page' : null, 'data-tab': k }, t('sup.nav_' + k))));
}

// Now in China time, "2026-12-06T15:20:05+08:00": when a step was done on the phone.
export function chinaNow() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 19) + '+08:00';
}

// "损坏 蔬菜套餐×1「鸡蛋碎了」 · 已退款 ¥15.00"
export function aftersaleLine(x) {
  return [h('strong', null, tv('askind', x.kind)), ' ', x.package ? x.package + '×' + x.qty : t('sup.as_whole'),
    x.note ? '「' + x.note + '」' : '', ' · ',
    h('span', { class: 'badge', 'data-as-state': x.state }, tv('asstate', x.state)),
    x.state === 'refunded' ? ' ' + x.refund : '',
    x.refund_from ? h('span', { class: 'sup-as-cash', 'data-refund-from': x.refund_from }, ' · ' + t('sup.as_from_cash', { who: x.refund_from })) : '',
    x.answer ? ' · ' + x.answer : ''];
}

const AFTER = ['at_door', 'delivered', 'collected'];

// An order's row on the household's page: its after-sales and, once the goods arrived, a
// form to report what is missing or damaged.
export function orderSummary(o, reload) {
  const cases = (o.aftersales || []).length
    ? h('ul', { class: 'list plain sup-as-of' }, o.aftersales.map((x) => h('li', { 'data-aftersale': String(x.id) }, aftersaleLine(x))))
    : null;
  let report = null;
  if (reload && AFTER.includes(o.state) && (can.registry() || can.evidence())) {
    const kind = field({ name: 'kind', label: t('sup.as_kind'), type: 'select', value: 'missing',
      options: ['missing', 'damaged', 'wrong', 'other'].map((k) => [k, tv('askind', k)]) });
    const pkg = field({ name: 'package_id', label: t('sup.as_package'), type: 'select', value: '',
      options: [['', t('sup.as_whole')]].concat((o.items || []).map((i) => [String(i.package_id), i.name + '×' + i.qty])) });
    const qty = field({ name: 'qty', label: t('sup.as_qty'), type: 'number', attrs: { min: 1, max: 99 }, inputmode: 'numeric', placeholder: '1' });
    const note = field({ name: 'note', label: t('sup.as_note'), maxlength: 200, autocomplete: 'off' });
    const fields = [kind, pkg, qty, note];
    let cid = clientId('as');
    const form = h('form', {
      class: 'sup-as-form', 'data-order': String(o.id), novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          clearErrors(form);
          const body = { kind: kind.input.value, client_id: cid };
          if (pkg.input.value) body.package_id = Number(pkg.input.value);
          if (qty.input.value) body.qty = Number(qty.input.value);
          if (note.input.value.trim()) body.note = note.input.value.trim();
          try {
            await busy(form, () => api('POST', '/supply/orders/' + o.id + '/aftersales', body));
            cid = clientId('as');
            reload(t('sup.as_reported'));
          } catch (e) {
            showError(form, fields, e);
          }
        },
      },
    }, fields, formError(), h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('sup.as_report'))));
    report = h('details', { class: 'sup-as-panel' }, h('summary', null, t('sup.as_report_q')), form);
  }
  return h('li', { class: 'sup-order-row', 'data-order': String(o.id) },
    stateBadge(o.state), ' ', itemsText(o.items), ' · ', o.total, ' · ', tv('spay', o.payment),
    o.door ? h('span', { class: 'badge badge-door' }, ' ' + t('sup.door')) : null, cases, report);
}

export function errandLine(x) {
  const what = x.kind === 'medicine' ? [x.medicine, x.dose, x.hospital].filter(Boolean).join(' · ') : x.detail;
  return [h('strong', null, tv('ekind', x.kind)), ' ', what || '', ' · ',
    h('span', { class: 'badge', 'data-errand-state': x.state }, tv('estate', x.state)),
    ' · ', t('sup.balance', { amount: x.balance })];
}

// An errand's ledger and, while open, a line to add to it and the close button.
export function ledgerBlock(x, reload) {
  const rows = (x.ledger || []).map((l) => h('li', null, tv('ledger', l.kind), ' ', l.amount,
    l.receipt ? ' · ' + t('sup.receipt_no', { no: l.receipt }) : '', l.note ? ' · ' + l.note : '', ' · ', fmtTime(l.at), l.by ? ' · ' + l.by : ''));
  if (x.state !== 'open' || !(can.registry() || can.evidence())) return h('ul', { class: 'list plain sup-ledger' }, rows);
  const err = errBox();
  const kind = h('select', { name: 'kind', class: 'sup-lkind', 'aria-label': t('sup.ledger_kind') },
    ['received', 'spent', 'returned'].map((k) => h('option', { value: k }, tv('ledger', k))));
  const amount = h('input', { name: 'amount', class: 'sup-amount', inputmode: 'decimal', maxlength: 10, placeholder: '¥', 'aria-label': t('sup.amount') });
  const receipt = h('input', { name: 'receipt', class: 'sup-receipt', maxlength: 40, placeholder: t('sup.receipt'), 'aria-label': t('sup.receipt') });
  const add = async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    const fen = toFen(amount.value);
    if (fen === null || fen <= 0) {
      showErr(err, { message: t('sup.bad_amount') });
      amount.focus();
      return;
    }
    const body = { kind: kind.value, amount_fen: fen };
    if (receipt.value.trim()) body.receipt = receipt.value.trim();
    try {
      await api('POST', '/errands/' + x.id + '/ledger', body);
      reload();
    } catch (e) {
      showErr(err, e);
    }
  };
  const close = async () => {
    err.hidden = true;
    try {
      await api('POST', '/errands/' + x.id + '/close', {});
      reload();
    } catch (e) {
      showErr(err, e);
    }
  };
  return h('div', { class: 'sup-ledger-box' },
    h('ul', { class: 'list plain sup-ledger' }, rows),
    h('form', { class: 'sup-ledger-form', 'data-errand': String(x.id), on: { submit: add } }, kind, amount, receipt,
      h('button', { type: 'submit', class: 'btn' }, t('sup.ledger_add'))),
    can.registry() ? h('p', { class: 'actions' }, h('button', { type: 'button', class: 'btn sup-close-errand', on: { click: close } }, t('sup.errand_close'))) : null,
    err);
}

// The medicine / gas / water / meal request form.
export function errandForm(send, done) {
  const err = errBox();
  const kind = h('select', { name: 'kind', id: 'sup-ekind' }, ['medicine', 'gas', 'water', 'meal', 'other'].map((k) => h('option', { value: k }, tv('ekind', k))));
  const input = (name, max) => h('input', { name, id: 'sup-e-' + name, maxlength: max, autocomplete: 'off' });
  const f = { medicine: input('medicine', 60), dose: input('dose', 60), hospital: input('hospital', 60), detail: input('detail', 200) };
  const lab = (name) => h('p', { class: 'field', 'data-for': name }, h('label', { for: 'sup-e-' + name }, t('sup.e_' + name)), f[name]);
  const medRows = [lab('medicine'), lab('dose'), lab('hospital')];
  const detailRow = lab('detail');
  const every = h('select', { name: 'every_days', id: 'sup-e-every' }, [0, 7, 14, 30].map((d) => h('option', { value: String(d) }, d ? t('sup.every', { n: d }) : t('sup.once'))));
  const toggle = () => {
    const med = kind.value === 'medicine';
    for (const r of medRows) r.hidden = !med;
    detailRow.hidden = med;
  };
  kind.addEventListener('change', toggle);
  toggle();
  let cid = clientId('errand');
  return h('form', {
    class: 'sup-errand-form', novalidate: true,
    on: {
      submit: async (ev) => {
        ev.preventDefault();
        err.hidden = true;
        const body = { kind: kind.value, client_id: cid };
        for (const k of Object.keys(f)) if (!f[k].closest('p').hidden && f[k].value.trim()) body[k] = f[k].value.trim();
        if (kind.value === 'medicine' && Number(every.value)) body.every_days = Number(every.value);
        try {
          const x = await send(body);
          cid = clientId('errand');
          done(x);
        } catch (e) {
          showErr(err, e);
          const bad = e && e.field && f[e.field];
          if (bad) bad.focus();
        }
      },
    },
  },
  h('p', { class: 'field' }, h('label', { for: 'sup-ekind' }, t('sup.e_kind')), kind),
  medRows, detailRow,
  h('p', { class: 'field', 'data-for': 'every' }, h('label', { for: 'sup-e-every' }, t('sup.e_every')), every),
  err,
  h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary sup-errand-send' }, t('sup.errand_send'))));
}

// ---- a grant of the hardship fund, from the household's page (loaded when opened) ----

function aidGrant(hh, after) {
  const box = h('div', { class: 'aid-grant-box' });
  const panel = h('details', { class: 'panel', id: 'sup-aid-panel' }, h('summary', null, t('aid.grant_new')), box);
  let loaded = false;
  panel.addEventListener('toggle', async () => {
    if (!panel.open || loaded) return;
    loaded = true;
    let aid;
    try {
      aid = await api('GET', '/aid');
    } catch (e) {
      mount(box, h('p', { class: 'empty' }, e.message));
      return;
    }
    const funds = (aid.items || []).filter((f) => f.left_fen > 0);
    if (!funds.length) {
      mount(box, h('p', { class: 'empty' }, t('aid.none_left')));
      return;
    }
    const fund = field({ name: 'fund_id', label: t('aid.fund'), type: 'select',
      options: funds.map((f) => [String(f.id), f.name + '（' + t('aid.left_is', { amount: yuan(f.left_fen) }) + '）']) });
    const amount = field({ name: 'amount_fen', label: t('sup.amount'), inputmode: 'decimal', maxlength: 12, placeholder: '200.00', autocomplete: 'off' });
    const what = field({ name: 'what', label: t('aid.what'), maxlength: 100, required: true, hint: t('aid.what_hint') });
    const fields = [fund, amount, what];
    const form = h('form', {
      class: 'aid-grant-form', novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          clearErrors(form);
          const fen = toFen(amount.input.value);
          if (fen === null || fen <= 0) {
            showError(form, fields, { field: 'amount_fen', message: t('sup.bad_amount') });
            return;
          }
          try {
            await busy(form, () => api('POST', '/aid/funds/' + fund.input.value + '/grants',
              { household_id: hh.id, amount_fen: fen, what: what.input.value.trim() }));
            after(t('aid.granted_to', { amount: yuan(fen) }));
          } catch (e) {
            showError(form, fields, e);
          }
        },
      },
    }, fields, formError(), h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('aid.grant'))));
    mount(box, form);
  });
  return panel;
}

// ---- the household page's panel ----

export async function householdSupplyPanel(hh) {
  const box = h('section', { id: 'supply-panel', 'data-household': String(hh.id), 'aria-labelledby': 'sup-h' });
  const load = async () => {
    let s;
    try {
      s = await api('GET', '/supply/households/' + hh.id);
    } catch (e) {
      if (e.handled) throw e;
      mount(box, h('h2', { id: 'sup-h' }, t('sup.panel')), h('p', { class: 'empty' }, e.message));
      return;
    }
    const flash = h('p', { class: 'hint sup-flash', role: 'status' });
    const orderOf = (rid) => (s.orders || []).find((o) => o.round_id === rid && o.state !== 'cancelled') || null;
    const forms = can.registry() ? (s.rounds || []).map((r) => {
      const ex = orderOf(r.id);
      if (ex && ex.state !== 'ordered') return null;
      return orderForm(r, ex, (body) => api('POST', '/supply/rounds/' + r.id + '/orders', Object.assign({ household_id: hh.id }, body)),
        (o) => load().then(() => { box.querySelector('.sup-flash').textContent = t('sup.ordered', { amount: o.total }); }));
    }) : [];
    mount(box,
      h('h2', { id: 'sup-h' }, t('sup.panel')),
      s.door_reason ? h('p', { class: 'note sup-door' }, t('sup.door_why', { why: s.door_reason.split(',').map((x) => tv('sdoor', x)).join('、') })) : null,
      flash,
      (s.rounds || []).length ? forms : h('p', { class: 'empty' }, t('sup.no_open_round')),
      (s.orders || []).length ? h('div', null, h('h3', null, t('sup.orders')), h('ul', { class: 'list plain sup-orders' },
        s.orders.map((o) => orderSummary(o, (msg) => load().then(() => { box.querySelector('.sup-flash').textContent = msg; }))))) : null,
      h('h3', null, t('sup.errands'), can.errands() ? [' ', h('small', null, h('a', { href: '#/errands', class: 'sup-all-errands' }, t('sup.all_errands')))] : null),
      (s.errands || []).length ? h('ul', { class: 'list sup-errands' }, s.errands.map((x) => h('li', { 'data-errand': String(x.id) },
        h('p', null, errandLine(x)), ledgerBlock(x, load)))) : h('p', { class: 'empty' }, t('sup.no_errands')),
      can.registry() ? h('details', { class: 'panel', id: 'sup-errand-panel' }, h('summary', null, t('sup.errand_new')),
        errandForm((body) => api('POST', '/errands', Object.assign({ household_id: hh.id }, body)), () => load())) : null,
      can.registry() ? aidGrant(hh, (msg) => load().then(() => { box.querySelector('.sup-flash').textContent = msg; })) : null);
  };
  await load();
  return box;
}

// ---- the dashboard's tile ----

export async function supplyTile(code) {
  let rounds;
  let cash;
  try {
    [rounds, cash] = await Promise.all([api('GET', '/supply/rounds' + qs({ unit: code })), api('GET', '/errands/cash' + qs({ unit: code }))]);
  } catch (e) {
    if (e.handled) throw e;
    return null;
  }
  const latest = (rounds.items || []).slice(0, 2);
  // a round's figures for the unit on screen when the round covers it (the community's round on
  // its own dashboard or a grid's); a round of a unit below it (a community's, on a street's or
  // district's dashboard) is shown for its own unit — asked for the district it was refused
  // (unit_outside_round) and the command saw no round at all
  let within = new Set([code]);
  if (latest.some((r) => r.unit !== code)) {
    try {
      within = new Set([code].concat(((await api('GET', '/units/' + encodeURIComponent(code))).ancestors || []).map((a) => a.code)));
    } catch (e) {
      if (e.handled) throw e;
    }
  }
  const figs = await Promise.all(latest.map((r) => api('GET', '/supply/rounds/' + r.id + qs({ unit: within.has(r.unit) ? code : null }))
    .catch(() => null)));
  return h('section', { class: 'card sup-tile', id: 'sup-tile', 'aria-labelledby': 'sup-tile-h' },
    h('h2', { id: 'sup-tile-h' }, h('a', { href: '#/supply' }, t('sup.tile'))),
    figs.filter(Boolean).map((r) => h('div', { class: 'sup-tile-round', 'data-round': String(r.id) },
      h('h3', null, h('a', { href: '#/supply/' + r.id }, r.name), ' ', h('small', null, tv('rstatus', r.status)),
        r.figures.unit !== code ? h('small', { class: 'sup-tile-unit' }, ' · ' + r.figures.unit_name) : null),
      h('dl', { class: 'stats' },
        h('div', null, h('dt', null, t('sup.households_ordered')),
          h('dd', { 'data-stat': 'ordered' }, String(r.figures.ordered), h('small', null, ' / ' + r.figures.households))),
        h('div', null, h('dt', null, t('sup.cutoff')), h('dd', null, fmtTime(r.cutoff).slice(5))),
        ['paid', 'at_door', 'delivered', 'collected'].map((s) => h('div', null, h('dt', null, tv('sstate', s)),
          h('dd', { 'data-stat': s }, String(r.figures.by_state[s] || 0)))),
        // orders past their pickup slot, not delivered: the round's delivery list of them
        h('div', null, h('dt', null, t('sup.late')),
          h('dd', { 'data-stat': 'late', class: r.figures.late ? 'sup-late' : null },
            r.figures.late ? h('a', { href: '#/supply/' + r.id + qs({ state: 'late' }) }, String(r.figures.late)) : '0')),
        r.figures.aftersales && r.figures.aftersales.open ? h('div', null, h('dt', null, t('sup.as_open')),
          h('dd', { 'data-stat': 'aftersales' }, String(r.figures.aftersales.open))) : null))),
    h('p', { class: 'sup-cash' }, t('sup.cash_total', { amount: cash.in_hand }), ' ',
      h('a', { href: '#/supply' }, t('sup.cash_who'))));
}

// ---- the cash in hand per person ----

// Errands' and round orders' cash per person (received − spent − returned, to the fen; the
// round orders' part under each sum) and, on a tap, one person's entries, each naming its
// errand, order or after-sales case.
export function cashTable(cash) {
  const entries = h('div', { id: 'sup-cash-entries', 'aria-live': 'polite' });
  const show = async (p) => {
    let res;
    try {
      res = await api('GET', '/errands/cash' + qs({ unit: cash.unit, user: p.user }));
    } catch (e) {
      if (e.handled) throw e;
      mount(entries, h('p', { class: 'form-error', role: 'alert' }, e.message));
      return;
    }
    const what = (x) => [x.errand_id ? h('a', { href: '#/errands/' + x.errand_id }, t('sup.c_errand', { id: x.errand_id })) : null,
      x.order_id ? t('sup.c_order', { id: x.order_id }) : null, x.aftersale_id ? ' · ' + t('sup.c_case', { id: x.aftersale_id }) : null,
      x.handover_id ? t('sup.c_handover', { id: x.handover_id }) : null];
    mount(entries, h('h3', null, t('sup.c_entries', { who: p.name || p.user })),
      (res.entries || []).length ? h('ul', { class: 'list plain sup-cash-lines', 'data-user': p.user },
        res.entries.map((x) => h('li', { 'data-kind': x.kind, 'data-fen': String(x.kind === 'received' ? x.amount_fen : -x.amount_fen) },
          fmtTime(x.at), ' · ', h('strong', null, tv('ledger', x.kind)), ' ', x.amount, ' · ', what(x),
          x.receipt ? ' · ' + t('sup.receipt_no', { no: x.receipt }) : '', x.note ? ' · ' + x.note : '')))
        : h('p', { class: 'empty' }, t('sup.c_none')));
  };
  const part = (fen, key) => (fen ? h('small', { class: 'sup-cash-part' }, t(key, { amount: yuan(fen) })) : null);
  return h('section', { 'aria-labelledby': 'sup-cash-h', id: 'sup-cash' },
    h('h2', { id: 'sup-cash-h' }, t('sup.cash_title', { amount: cash.in_hand })),
    (cash.items || []).length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', null, h('tr', null, ['sup.c_who', 'sup.c_received', 'sup.c_spent', 'sup.c_returned', 'sup.c_hand'].map((k, i) => h('th', { class: i ? 'num' : null }, t(k))))),
      h('tbody', null, cash.items.map((p) => h('tr', { 'data-user': p.user || '' },
        h('td', null, p.name || p.user || '—', p.user ? [' ', h('button', { type: 'button', class: 'btn btn-small sup-cash-show', on: { click: () => show(p) } }, t('sup.c_show'))] : null),
        h('td', { class: 'num', 'data-received': String(p.received_fen) }, yuan(p.received_fen), part(p.orders_received_fen, 'sup.c_orders')),
        h('td', { class: 'num', 'data-spent': String(p.spent_fen) }, yuan(p.spent_fen), part(p.handed_fen, 'sup.c_handed')),
        h('td', { class: 'num', 'data-returned': String(p.returned_fen) }, yuan(p.returned_fen), part(p.refunded_fen, 'sup.c_refunds')),
        h('td', { class: 'num', 'data-hand': String(p.in_hand_fen) }, yuan(p.in_hand_fen)))))))
      : h('p', { class: 'empty' }, t('sup.cash_none')),
    entries);
}
