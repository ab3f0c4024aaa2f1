// supply.js — keeping closed homes supplied (保供, docs/api.md "Supplies"):
//  * #/supply — the rounds of the user's unit; #/supply/ID — one round: households ordered
//    of the total, the cut-off, orders by state, close at the cut-off, the picking list per
//    building (printable, XLSX), the delivery list with one tap for the next state, moving a
//    building's orders on in one step (a tap with no network waits in the phone's queue,
//    queue.js, with the time it was done), the orders past their slot (迟送), after-sales
//    (售后) answered replaced / refunded / rejected, and the cash in hand per person.
// The household page's panel and the dashboard's tile are in ../tiles/supply.js.
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, fmtTime, field, formError, clearErrors, showError, busy } from '../dom.js';
import * as queue from '../queue.js';
import { can, session } from '../session.js';
import { householdLabel } from './common.js';
import { STATES, NEXT, errBox, showErr, stateBadge, itemsText, cashTable, supplyNav, toFen, chinaNow, aftersaleLine, yuan } from '../tiles/supply.js';

async function roundList(ctx) {
  const code = ctx.query.unit || session.me.unit_code;
  const [rounds, cash] = await Promise.all([api('GET', '/supply/rounds' + qs({ unit: code })),
    api('GET', '/errands/cash' + qs({ unit: code })).catch((e) => {
      if (e.handled) throw e;
      return null;
    })]);
  ctx.title = t('sup.title');
  return h('section', { class: 'sup-page' },
    supplyNav('supply'),
    h('h1', { tabindex: '-1' }, t('sup.title')),
    // the tree's roles set up suppliers, packages and rounds (supply-setup.js)
    can.tree() ? h('p', { class: 'actions' }, h('a', { class: 'btn btn-primary', id: 'sup-setup', href: '#/supply/setup' }, t('sup.setup'))) : null,
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
    h('thead', null, h('tr', null, h('th', null, t('sup.p_building')), h('th', { class: 'num' }, t('sup.p_households')),
      pkgs.map((p) => h('th', { class: 'num' }, p.name)), h('th', null, ''))),
    h('tbody', null, pick.buildings.map((b) => h('tr', { 'data-unit': b.unit },
      h('th', { scope: 'row' }, b.name), h('td', { class: 'num' }, String(b.households)),
      pkgs.map((p) => h('td', { class: 'num', 'data-package': String(p.id) }, String(b.totals[p.id] || 0))),
      h('td', null, printLinks(b.unit)))),
    h('tr', { class: 'total-row' }, h('th', { scope: 'row' }, t('sup.p_total')), h('td', { class: 'num' }, String(pick.total.households)),
      pkgs.map((p) => h('td', { class: 'num' }, String(pick.total.totals[p.id] || 0))), h('td', null, printLinks(unit))))) : null;

  // the delivery list: one tap moves an order to its next state
  const stateSel = h('select', { id: 'sup-state', name: 'state' }, STATES.concat(['late']).map((s) => h('option', { value: s, selected: s === (ctx.query.state || 'at_door') }, tv('sstate', s))));
  const buildingSel = h('select', { id: 'sup-building', name: 'unit' },
    h('option', { value: unit }, f.unit_name),
    (pick ? pick.buildings : []).map((b) => h('option', { value: b.unit, selected: b.unit === ctx.query.b }, b.name)));
  const listBox = h('div', { id: 'sup-deliveries' });
  const drawList = async () => {
    let res;
    try {
      res = await api('GET', '/supply/rounds/' + id + '/orders' + qs({ unit: buildingSel.value, state: stateSel.value }));
    } catch (e) {
      // a city-sized community's whole list is refused with its size: pick a building
      if (e.handled) throw e;
      mount(listBox, h('p', { class: 'form-error', role: 'alert', 'data-error': e.code || '' }, e.message));
      return;
    }
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
              const at = chinaNow();
              try {
                // with no network the step waits on the phone (queue.js) and is sent with the
                // time it was done; its client_id makes a replay harmless
                const res = await queue.submit({ path: '/supply/orders/' + o.id + '/state', body: { to, at },
                  label: t('sup.queue_label', { who: householdLabel(o), state: tv('sstep', to) }) });
                li.replaceWith(res.queued
                  ? h('li', { 'data-order': String(o.id), class: 'sup-done sup-queued', 'data-queued': to }, householdLabel(o), ' ', stateBadge(to), ' ',
                    h('small', null, t('sup.queued', { at: at.slice(11, 16) })))
                  : h('li', { 'data-order': String(o.id), class: 'sup-done' }, householdLabel(o), ' ', stateBadge(res.result ? res.result.state : to)));
              } catch (e) {
                ev.target.disabled = false;
                showErr(rowErr, e);
              }
            },
          },
        }, tv('sstep', to)))), rowErr);
      return li;
    })) : h('p', { class: 'empty' }, t('sup.none_in_state')),
    // the list shows 300 at most: say so, and how to see the rest
    items.length > 300 ? h('p', { class: 'hint', id: 'sup-list-cut' }, t('sup.list_cut', { shown: 300, n: items.length })) : null);
  };
  stateSel.addEventListener('change', drawList);
  buildingSel.addEventListener('change', drawList);
  await drawList();

  let cash = null;
  let hand = null;
  try {
    cash = await api('GET', '/errands/cash' + qs({ unit }));
    hand = await api('GET', '/supply/rounds/' + id + '/handovers' + qs({ unit }));
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
        h('dd', { 'data-stat': s }, String(f.by_state[s] || 0)))),
      h('div', null, h('dt', null, t('sup.late')), h('dd', { 'data-stat': 'late', class: f.late ? 'sup-late' : null }, String(f.late || 0))),
      f.aftersales ? h('div', null, h('dt', null, t('sup.as_open')), h('dd', { 'data-stat': 'aftersales' }, String(f.aftersales.open))) : null,
      f.aftersales ? h('div', null, h('dt', null, t('sup.as_refunded')), h('dd', { 'data-stat': 'refunded' }, f.aftersales.refunded_total)) : null,
      f.cash ? h('div', null, h('dt', null, t('sup.round_cash')), h('dd', { 'data-stat': 'cash', 'data-fen': String(f.cash.in_hand_fen) }, f.cash.in_hand,
        h('small', null, ' ' + t('sup.round_cash_sub', { in: yuan(f.cash.received_fen), back: yuan(f.cash.returned_fen), handed: yuan(f.cash.handed_fen || 0) })))) : null),
    err,
    closeBtn ? h('p', { class: 'actions' }, closeBtn) : null,
    h('section', { 'aria-labelledby': 'sup-pick-h' },
      h('h2', { id: 'sup-pick-h' }, t('sup.picking')),
      h('div', { class: 'table-wrap' }, pickTable)),
    can.checkin() ? await aftersalesSection(ctx, id, unit) : null,
    can.checkin() ? h('section', { 'aria-labelledby': 'sup-del-h' },
      h('h2', { id: 'sup-del-h' }, t('sup.deliveries')),
      h('p', { class: 'actions sup-advances' }, ['received', 'disinfected', 'at_door'].map(advance)),
      h('p', { class: 'field field-inline' }, h('label', { for: 'sup-building' }, t('sup.where')), buildingSel),
      h('p', { class: 'field field-inline' }, h('label', { for: 'sup-state' }, t('sup.state')), stateSel),
      listBox) : null,
    hand ? handoverSection(ctx, id, r, hand) : null,
    cash ? cashTable(cash) : null);
}

// The round's cash handed over to the supplier (交付供应商): each person's part of the round's
// cash (received for orders paid in cash, refunds, handed over, still in hand), the handovers
// with the supplier's receipt, and for the tree's roles a form to record one — more than the
// holder has of the round's cash is refused by the server under the amount.
function handoverSection(ctx, id, r, hand) {
  const c = hand.cash;
  const suppliers = [];
  for (const p of r.packages || []) {
    if (!suppliers.some(([sid]) => sid === String(p.supplier_id))) suppliers.push([String(p.supplier_id), p.supplier]);
  }
  const holding = (hand.holders || []).filter((p) => p.user && p.in_hand_fen > 0);
  let form = null;
  if (can.tree() && holding.length) {
    const who = field({ name: 'holder', label: t('sup.h_holder'), type: 'select', required: true,
      options: holding.map((p) => [p.user, (p.name || p.user) + '（' + p.in_hand + '）']) });
    const sup = field({ name: 'supplier_id', label: t('sup.h_supplier'), type: 'select', required: true, options: suppliers });
    const amount = field({ name: 'amount_fen', label: t('sup.amount'), required: true, inputmode: 'decimal', maxlength: 12, placeholder: '1000.00', autocomplete: 'off' });
    const receipt = field({ name: 'receipt', label: t('sup.h_receipt'), required: true, maxlength: 40, autocomplete: 'off' });
    const by = field({ name: 'received_by', label: t('sup.h_received_by'), maxlength: 40, autocomplete: 'off' });
    const fields = [who, sup, amount, receipt, by];
    form = h('form', {
      id: 'sup-handover-form', novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          clearErrors(form);
          const fen = toFen(amount.input.value);
          if (fen === null || fen <= 0) {
            showError(form, fields, { field: 'amount_fen', message: t('sup.bad_amount') });
            return;
          }
          const body = { holder: who.input.value, supplier_id: Number(sup.input.value), amount_fen: fen, receipt: receipt.input.value.trim() };
          if (by.input.value.trim()) body.received_by = by.input.value.trim();
          try {
            const done = await busy(form, () => api('POST', '/supply/rounds/' + id + '/handovers', body));
            const p = holding.find((x) => x.user === body.holder);
            ctx.flash(t('sup.h_done', { who: p ? p.name || p.user : body.holder, amount: yuan(fen), left: done.holder_in_hand }));
            ctx.keepScroll = true;
            ctx.rerender();
          } catch (e) {
            showError(form, fields, e);
          }
        },
      },
    }, h('h3', null, t('sup.h_new')), fields, formError(),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('sup.h_send'))));
  }
  const items = hand.items || [];
  return h('section', { 'aria-labelledby': 'sup-hand-h', id: 'sup-handover' },
    h('h2', { id: 'sup-hand-h' }, t('sup.h_title')),
    h('p', { class: 'facts', id: 'sup-hand-sum', 'data-hand': String(c.in_hand_fen), 'data-handed': String(c.handed_fen) },
      t('sup.h_sum', { in: yuan(c.received_fen), back: yuan(c.returned_fen), handed: c.handed, hand: c.in_hand })),
    (hand.holders || []).length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table sup-holders' },
      h('thead', null, h('tr', null, ['sup.h_holder', 'sup.h_received', 'sup.h_refunded', 'sup.h_handed', 'sup.h_hand'].map((k, i) => h('th', { class: i ? 'num' : null }, t(k))))),
      h('tbody', null, hand.holders.map((p) => h('tr', { 'data-user': p.user || '' },
        h('td', null, p.name || p.user || '—'),
        h('td', { class: 'num' }, yuan(p.received_fen)),
        h('td', { class: 'num' }, yuan(p.returned_fen)),
        h('td', { class: 'num', 'data-handed': String(p.handed_fen) }, p.handed),
        h('td', { class: 'num', 'data-hand': String(p.in_hand_fen) }, p.in_hand))))))
      : h('p', { class: 'empty' }, t('sup.h_nothing')),
    form,
    items.length ? h('ul', { class: 'list plain sup-handovers' }, items.map((x) => h('li', { 'data-handover': String(x.id), 'data-fen': String(x.amount_fen) },
      fmtTime(x.at), ' · ', x.holder_name || x.holder, ' → ', x.supplier, ' ', h('strong', null, x.amount), ' · ',
      t('sup.h_receipt_no', { no: x.receipt }), x.received_by ? ' · ' + t('sup.h_signed', { who: x.received_by }) : '')))
      : h('p', { class: 'empty' }, t('sup.h_none')));
}

// The round's after-sales: open cases first, each answered replaced, refunded (¥) or rejected.
async function aftersalesSection(ctx, id, unit) {
  let list;
  try {
    list = await api('GET', '/supply/rounds/' + id + '/aftersales' + qs({ unit }));
  } catch (e) {
    if (e.handled) throw e;
    return null;
  }
  const items = (list.items || []).slice().sort((a, b) => (a.state === 'open' ? 0 : 1) - (b.state === 'open' ? 0 : 1) || b.id - a.id);
  const answer = (x) => {
    const res = field({ name: 'resolution', label: t('sup.as_resolution'), type: 'select', value: 'replaced',
      options: ['replaced', 'refunded', 'rejected'].map((k) => [k, tv('asstate', k)]) });
    const refund = field({ name: 'refund_fen', label: t('sup.as_refund'), inputmode: 'decimal', maxlength: 10, placeholder: '15.00', autocomplete: 'off' });
    const ans = field({ name: 'answer', label: t('sup.as_answer'), maxlength: 200, autocomplete: 'off' });
    const fields = [res, refund, ans];
    const sync = () => { refund.hidden = res.input.value !== 'refunded'; };
    res.input.addEventListener('change', sync);
    sync();
    const form = h('form', {
      class: 'sup-as-answer', 'data-aftersale': String(x.id), novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          clearErrors(form);
          const body = { resolution: res.input.value };
          if (body.resolution === 'refunded') {
            const fen = toFen(refund.input.value);
            if (fen === null || fen <= 0) {
              showError(form, fields, { field: 'refund_fen', message: t('sup.bad_amount') });
              return;
            }
            body.refund_fen = fen;
          }
          if (ans.input.value.trim()) body.answer = ans.input.value.trim();
          try {
            const done = await busy(form, () => api('POST', '/supply/aftersales/' + x.id + '/resolve', body));
            // a refund says where the money came from: the cash someone holds, or back online
            ctx.flash(done && done.refund_from ? t('sup.as_done_cash', { amount: done.refund, who: done.refund_from })
              : done && done.state === 'refunded' ? t('sup.as_done_online', { amount: done.refund }) : t('sup.as_done'));
            ctx.keepScroll = true;
            ctx.rerender();
          } catch (e) {
            showError(form, fields, e);
          }
        },
      },
    }, fields, formError(), h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('sup.as_send'))));
    return form;
  };
  return h('section', { 'aria-labelledby': 'sup-as-h', id: 'sup-aftersales' },
    h('h2', { id: 'sup-as-h' }, t('sup.aftersales')),
    items.length ? h('ul', { class: 'list sup-as-list' }, items.map((x) => h('li', { 'data-aftersale': String(x.id), 'data-state': x.state },
      h('p', { class: 'row-main' }, [x.building, x.entrance, x.room].filter(Boolean).join(' '), ' · ', aftersaleLine(x)),
      h('p', { class: 'row-sub' }, fmtTime(x.created_at), x.by ? ' · ' + x.by : '', x.via === 'link' ? ' · ' + t('sup.as_via_link') : ''),
      x.state === 'open' && can.registry() ? answer(x) : null)))
      : h('p', { class: 'empty' }, t('sup.as_none')));
}

export default async function supplyView(ctx) {
  const id = ctx.params && ctx.params[0] ? Number(ctx.params[0]) : 0;
  return id ? roundPage(ctx, id) : roundList(ctx);
}

