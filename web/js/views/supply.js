// supply.js — keeping closed homes supplied (保供, docs/api.md "Supplies"):
//  * on a household's page (grid worker, from the phone call): the open round's packages
//    with − / + steppers, payment, one tap to order (or change until the cut-off); the
//    household's orders and errands (代购) with their cash ledger, a medicine request form;
//  * #/supply — the rounds of the user's unit; #/supply/ID — one round: households ordered
//    of the total, the cut-off, orders by state, close at the cut-off, the picking list per
//    building (printable, XLSX), the delivery list with one tap for the next state, moving a
//    building's orders on in one step, and the cash in hand per person;
//  * supplyTile(code) — the dashboard's tile.
// Money is in fen (integers) on the wire; "¥12.50" is typed and shown, parsed as text.
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, fmtTime } from '../dom.js';
import { can, session } from '../session.js';
import { householdLabel } from './common.js';

export const STATES = ['ordered', 'paid', 'received', 'disinfected', 'at_door', 'delivered', 'collected', 'cancelled'];
const NEXT = { ordered: ['paid'], paid: ['received'], received: ['disinfected'], disinfected: ['at_door'], at_door: ['delivered', 'collected'] };

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

function clientId(prefix) {
  const b = new Uint8Array(12);
  window.crypto.getRandomValues(b);
  return prefix + '-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function errBox() {
  return h('div', { class: 'form-error', role: 'alert', hidden: true });
}
function showErr(box, e) {
  if (e && e.handled) return;
  box.textContent = (e && e.message) || t('err.unknown');
  box.hidden = false;
}

function stateBadge(s) {
  return h('span', { class: 'badge sup-state sup-' + s, 'data-state': s }, tv('sstate', s));
}

function itemsText(items) {
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
          const o = await send({ items, payment: pay.value, client_id: cid });
          cid = clientId('order');
          done(o);
        } catch (e) {
          showErr(err, e);
        } finally {
          submit.disabled = false;
        }
      },
    },
  },
  h('h3', null, round.name, ' ', h('small', null, t('sup.cutoff_at', { at: fmtTime(round.cutoff) }))),
  h('ul', { class: 'list plain sup-pkgs' }, rows),
  h('p', { class: 'field field-inline' }, h('label', { for: 'sup-pay-' + round.id }, t('sup.payment')), pay),
  err,
  h('p', { class: 'actions sup-bar' }, total, submit));
}

export function orderSummary(o) {
  return h('li', { class: 'sup-order-row', 'data-order': String(o.id) },
    stateBadge(o.state), ' ', itemsText(o.items), ' · ', o.total, ' · ', tv('spay', o.payment),
    o.door ? h('span', { class: 'badge badge-door' }, ' ' + t('sup.door')) : null);
}

function errandLine(x) {
  const what = x.kind === 'medicine' ? [x.medicine, x.dose, x.hospital].filter(Boolean).join(' · ') : x.detail;
  return [h('strong', null, tv('ekind', x.kind)), ' ', what || '', ' · ',
    h('span', { class: 'badge', 'data-errand-state': x.state }, tv('estate', x.state)),
    ' · ', t('sup.balance', { amount: x.balance })];
}

// An errand's ledger and, while open, a line to add to it and the close button.
function ledgerBlock(x, reload) {
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
      (s.orders || []).length ? h('div', null, h('h3', null, t('sup.orders')), h('ul', { class: 'list plain sup-orders' }, s.orders.map(orderSummary))) : null,
      h('h3', null, t('sup.errands')),
      (s.errands || []).length ? h('ul', { class: 'list sup-errands' }, s.errands.map((x) => h('li', { 'data-errand': String(x.id) },
        h('p', null, errandLine(x)), ledgerBlock(x, load)))) : h('p', { class: 'empty' }, t('sup.no_errands')),
      can.registry() ? h('details', { class: 'panel', id: 'sup-errand-panel' }, h('summary', null, t('sup.errand_new')),
        errandForm((body) => api('POST', '/errands', Object.assign({ household_id: hh.id }, body)), () => load())) : null);
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
  const figs = await Promise.all(latest.map((r) => api('GET', '/supply/rounds/' + r.id + qs({ unit: code })).catch(() => null)));
  return h('section', { class: 'card sup-tile', id: 'sup-tile', 'aria-labelledby': 'sup-tile-h' },
    h('h2', { id: 'sup-tile-h' }, h('a', { href: '#/supply' }, t('sup.tile'))),
    figs.filter(Boolean).map((r) => h('div', { class: 'sup-tile-round', 'data-round': String(r.id) },
      h('h3', null, h('a', { href: '#/supply/' + r.id }, r.name), ' ', h('small', null, tv('rstatus', r.status))),
      h('dl', { class: 'stats' },
        h('div', null, h('dt', null, t('sup.households_ordered')),
          h('dd', { 'data-stat': 'ordered' }, String(r.figures.ordered), h('small', null, ' / ' + r.figures.households))),
        h('div', null, h('dt', null, t('sup.cutoff')), h('dd', null, fmtTime(r.cutoff).slice(5))),
        ['paid', 'at_door', 'delivered', 'collected'].map((s) => h('div', null, h('dt', null, tv('sstate', s)),
          h('dd', { 'data-stat': s }, String(r.figures.by_state[s] || 0))))))),
    h('p', { class: 'sup-cash' }, t('sup.cash_total', { amount: cash.in_hand }), ' ',
      h('a', { href: '#/supply' }, t('sup.cash_who'))));
}

// ---- #/supply and #/supply/ID ----

function cashTable(cash) {
  return h('section', { 'aria-labelledby': 'sup-cash-h', id: 'sup-cash' },
    h('h2', { id: 'sup-cash-h' }, t('sup.cash_title', { amount: cash.in_hand })),
    (cash.items || []).length ? h('table', { class: 'table' },
      h('thead', null, h('tr', null, ['sup.c_who', 'sup.c_received', 'sup.c_spent', 'sup.c_returned', 'sup.c_hand'].map((k) => h('th', null, t(k))))),
      h('tbody', null, cash.items.map((p) => h('tr', { 'data-user': p.user || '' },
        h('td', null, p.name || p.user || '—'), h('td', { class: 'num' }, yuan(p.received_fen)), h('td', { class: 'num' }, yuan(p.spent_fen)),
        h('td', { class: 'num' }, yuan(p.returned_fen)), h('td', { class: 'num', 'data-hand': String(p.in_hand_fen) }, yuan(p.in_hand_fen))))))
      : h('p', { class: 'empty' }, t('sup.cash_none')));
}

async function roundList(ctx) {
  const code = ctx.query.unit || session.me.unit_code;
  const [rounds, cash] = await Promise.all([api('GET', '/supply/rounds' + qs({ unit: code })),
    api('GET', '/errands/cash' + qs({ unit: code })).catch((e) => {
      if (e.handled) throw e;
      return null;
    })]);
  ctx.title = t('sup.title');
  return h('section', { class: 'sup-page' },
    h('h1', { tabindex: '-1' }, t('sup.title')),
    (rounds.items || []).length ? h('ul', { class: 'list sup-rounds' }, rounds.items.map((r) => h('li', null,
      h('a', { class: 'row-link', href: '#/supply/' + r.id, 'data-round': String(r.id) },
        h('span', { class: 'row-main' }, r.name, ' ', h('span', { class: 'badge' }, tv('rstatus', r.status))),
        h('span', { class: 'row-sub' }, r.unit_name, ' · ', t('sup.cutoff_at', { at: fmtTime(r.cutoff) }))))))
      : h('p', { class: 'empty' }, t('sup.no_rounds')),
    cash ? cashTable(cash) : null);
}

async function roundPage(ctx, id) {
  const code = ctx.query.unit || null;
  const r = await api('GET', '/supply/rounds/' + id + qs({ unit: code }));
  ctx.title = r.name;
  const f = r.figures;
  const unit = f.unit;
  const err = errBox();
  const reload = () => ctx.rerender();
  const closeBtn = can.tree() && r.status !== 'closed'
    ? h('button', {
      type: 'button', class: 'btn btn-primary', id: 'sup-close',
      on: {
        click: async () => {
          if (!window.confirm(t('sup.close_confirm'))) return;
          try {
            await api('POST', '/supply/rounds/' + id + '/close', {});
            reload();
          } catch (e) {
            showErr(err, e);
          }
        },
      },
    }, t('sup.close')) : null;

  // moving a whole unit's orders one step on (goods arrived, disinfected, at the building)
  const advance = (to) => h('button', {
    type: 'button', class: 'btn sup-advance', 'data-to': to,
    on: {
      click: async () => {
        err.hidden = true;
        try {
          const a = await api('POST', '/supply/rounds/' + id + '/advance', { unit, to });
          ctx.flash(t('sup.advanced', { n: a.moved, state: tv('sstate', to), resting: a.resting }));
          reload();
        } catch (e) {
          showErr(err, e);
        }
      },
    },
  }, t('sup.advance_to', { state: tv('sstate', to) }));

  let pick = null;
  try {
    pick = await api('GET', '/supply/rounds/' + id + '/picking' + qs({ unit }));
  } catch (e) {
    if (e.handled) throw e;
  }
  const pkgs = pick ? pick.packages : r.packages;
  const base = '/api/v1/supply/rounds/' + id;
  const printLinks = (u) => h('span', { class: 'sup-print' },
    h('a', { class: 'btn', target: '_blank', rel: 'noopener', href: base + '/picking' + qs({ unit: u, format: 'html' }), 'data-print': u }, t('sup.print')),
    h('a', { class: 'btn', href: base + '/picking' + qs({ unit: u, format: 'xlsx' }), download: 'picking-' + u + '.xlsx' }, 'XLSX'));
  const pickTable = pick ? h('table', { class: 'table sup-picking' },
    h('thead', null, h('tr', null, h('th', null, t('sup.p_building')), h('th', null, t('sup.p_households')),
      pkgs.map((p) => h('th', null, p.name)), h('th', null, ''))),
    h('tbody', null, pick.buildings.map((b) => h('tr', { 'data-unit': b.unit },
      h('th', { scope: 'row' }, b.name), h('td', { class: 'num' }, String(b.households)),
      pkgs.map((p) => h('td', { class: 'num', 'data-package': String(p.id) }, String(b.totals[p.id] || 0))),
      h('td', null, printLinks(b.unit)))),
    h('tr', { class: 'total-row' }, h('th', { scope: 'row' }, t('sup.p_total')), h('td', { class: 'num' }, String(pick.total.households)),
      pkgs.map((p) => h('td', { class: 'num' }, String(pick.total.totals[p.id] || 0))), h('td', null, printLinks(unit))))) : null;

  // the delivery list: one tap moves an order to its next state
  const stateSel = h('select', { id: 'sup-state', name: 'state' }, STATES.map((s) => h('option', { value: s, selected: s === (ctx.query.state || 'at_door') }, tv('sstate', s))));
  const buildingSel = h('select', { id: 'sup-building', name: 'unit' },
    h('option', { value: unit }, f.unit_name),
    (pick ? pick.buildings : []).map((b) => h('option', { value: b.unit, selected: b.unit === ctx.query.b }, b.name)));
  const listBox = h('div', { id: 'sup-deliveries' });
  const drawList = async () => {
    const res = await api('GET', '/supply/rounds/' + id + '/orders' + qs({ unit: buildingSel.value, state: stateSel.value }));
    const items = res.items || [];
    mount(listBox, items.length ? h('ul', { class: 'list sup-delivery' }, items.slice(0, 300).map((o) => {
      const rowErr = errBox();
      const li = h('li', { 'data-order': String(o.id) },
        h('span', { class: 'row-main' }, householdLabel(o), ' ', stateBadge(o.state),
          o.door ? h('span', { class: 'badge badge-door' }, t('sup.door')) : null),
        h('span', { class: 'row-sub' }, itemsText(o.items), ' · ', o.total, ' · ', tv('spay', o.payment)),
        h('span', { class: 'sup-steps' }, (NEXT[o.state] || []).map((to) => h('button', {
          type: 'button', class: 'btn btn-primary sup-step', 'data-to': to,
          on: {
            click: async (ev) => {
              ev.target.disabled = true;
              try {
                const n = await api('POST', '/supply/orders/' + o.id + '/state', { to });
                li.replaceWith(h('li', { 'data-order': String(o.id), class: 'sup-done' }, householdLabel(o), ' ', stateBadge(n.state)));
              } catch (e) {
                ev.target.disabled = false;
                showErr(rowErr, e);
              }
            },
          },
        }, tv('sstep', to)))), rowErr);
      return li;
    })) : h('p', { class: 'empty' }, t('sup.none_in_state')));
  };
  stateSel.addEventListener('change', drawList);
  buildingSel.addEventListener('change', drawList);
  await drawList();

  let cash = null;
  try {
    cash = await api('GET', '/errands/cash' + qs({ unit }));
  } catch (e) {
    if (e.handled) throw e;
  }
  return h('section', { class: 'sup-page', 'data-round': String(id) },
    h('p', null, h('a', { href: '#/supply' }, t('sup.all_rounds'))),
    h('h1', { tabindex: '-1' }, r.name, ' ', h('span', { class: 'badge', id: 'sup-status', 'data-status': r.status }, tv('rstatus', r.status))),
    h('p', { class: 'facts' }, f.unit_name, ' · ', t('sup.cutoff_at', { at: fmtTime(r.cutoff) }), ' · ', t('sup.rest', { n: r.rest_minutes })),
    h('dl', { class: 'stats', id: 'sup-figures' },
      h('div', null, h('dt', null, t('sup.households_ordered')),
        h('dd', { 'data-stat': 'ordered' }, String(f.ordered), h('small', null, ' / ' + f.households))),
      STATES.filter((s) => s !== 'cancelled').map((s) => h('div', null, h('dt', null, tv('sstate', s)),
        h('dd', { 'data-stat': s }, String(f.by_state[s] || 0))))),
    err,
    closeBtn ? h('p', { class: 'actions' }, closeBtn) : null,
    h('section', { 'aria-labelledby': 'sup-pick-h' },
      h('h2', { id: 'sup-pick-h' }, t('sup.picking')),
      h('div', { class: 'table-wrap' }, pickTable)),
    can.checkin() ? h('section', { 'aria-labelledby': 'sup-del-h' },
      h('h2', { id: 'sup-del-h' }, t('sup.deliveries')),
      h('p', { class: 'actions sup-advances' }, ['received', 'disinfected', 'at_door'].map(advance)),
      h('p', { class: 'field field-inline' }, h('label', { for: 'sup-building' }, t('sup.where')), buildingSel),
      h('p', { class: 'field field-inline' }, h('label', { for: 'sup-state' }, t('sup.state')), stateSel),
      listBox) : null,
    cash ? cashTable(cash) : null);
}

export default async function supplyView(ctx) {
  const id = ctx.params && ctx.params[0] ? Number(ctx.params[0]) : 0;
  return id ? roundPage(ctx, id) : roundList(ctx);
}

