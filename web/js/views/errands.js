// errands.js — proxy purchase (代购, docs/api.md "Supplies"), on a volunteer's phone and the
// secretary's desktop:
//  * #/errands — the errands of the user's unit (open or closed, by kind), each with its
//    household, what to buy, who holds it and the cash still in hand; below, everyone's cash;
//  * #/errands/ID — one errand and its ledger: cash received, spent (the receipt's number as
//    text), change returned, in fen; a line added from the phone, the errand closed only when
//    the ledger balances (the server's refusal shown on the field it names);
//  * #/medicine — the chronic-medicine register (慢病药登记): who needs which medicine, how
//    often, when it was last bought and when it is next due.
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, fmtTime, field, formError, clearErrors, showError, busy } from '../dom.js';
import { can, session } from '../session.js';
import { householdLabel } from './common.js';
import { yuan, toFen, cashTable, supplyNav } from '../tiles/supply.js';

function whatOf(x) {
  return x.kind === 'medicine' ? [x.medicine, x.dose, x.hospital].filter(Boolean).join(' · ') : x.detail || '';
}

function errandRow(x) {
  return h('li', { 'data-errand': String(x.id), 'data-state': x.state },
    h('a', { class: 'row-link', href: '#/errands/' + x.id },
      h('span', { class: 'row-main' }, householdLabel(x), ' ', h('strong', null, tv('ekind', x.kind)), ' ',
        h('span', { class: 'badge', 'data-errand-state': x.state }, tv('estate', x.state))),
      h('span', { class: 'row-sub' }, whatOf(x),
        x.assignee_name || x.assignee ? ' · ' + t('err2.holder', { who: x.assignee_name || x.assignee }) : '',
        ' · ', h('span', { 'data-balance': String(x.balance_fen) }, t('sup.balance', { amount: x.balance })))));
}

async function errandList(ctx) {
  const code = ctx.query.unit || session.me.unit_code;
  const state = ctx.query.state || 'open';
  const kind = ctx.query.kind || '';
  const [list, cash] = await Promise.all([
    api('GET', '/errands' + qs({ unit: code, state: state === 'all' ? null : state, kind: kind || null, limit: 200 })),
    api('GET', '/errands/cash' + qs({ unit: code })).catch((e) => {
      if (e.handled) throw e;
      return null;
    })]);
  ctx.title = t('err2.title');
  const go = (q) => {
    window.location.hash = '#/errands' + qs(Object.assign({ unit: ctx.query.unit || null, state, kind: kind || null }, q));
  };
  const stateSel = h('select', { id: 'err2-state', name: 'state', on: { change: (ev) => go({ state: ev.target.value }) } },
    [['open', tv('estate', 'open')], ['closed', tv('estate', 'closed')], ['all', t('err2.all')]].map(([v, l]) => h('option', { value: v, selected: v === state }, l)));
  const kindSel = h('select', { id: 'err2-kind', name: 'kind', on: { change: (ev) => go({ kind: ev.target.value || null }) } },
    [['', t('err2.all')]].concat(['medicine', 'gas', 'water', 'meal', 'other'].map((k) => [k, tv('ekind', k)]))
      .map(([v, l]) => h('option', { value: v, selected: v === kind }, l)));
  const items = list.items || [];
  return h('section', { class: 'sup-page err2-page' },
    supplyNav('errands'),
    h('h1', { tabindex: '-1' }, t('err2.title')),
    h('p', { class: 'hint' }, t('err2.how')),
    h('div', { class: 'filters' },
      h('p', { class: 'field field-inline' }, h('label', { for: 'err2-state' }, t('sup.state')), stateSel),
      h('p', { class: 'field field-inline' }, h('label', { for: 'err2-kind' }, t('sup.e_kind')), kindSel)),
    items.length ? h('ul', { class: 'list err2-list' }, items.map(errandRow)) : h('p', { class: 'empty' }, t('sup.no_errands')),
    cash ? cashTable(cash) : null);
}

// The ledger with its sums; the balance is the "field" a refused close names (ledger).
function ledgerTable(x) {
  const sum = (k) => (x.ledger || []).filter((l) => l.kind === k).reduce((n, l) => n + l.amount_fen, 0);
  const rec = sum('received');
  const spent = sum('spent');
  const ret = sum('returned');
  return h('div', { class: 'err2-ledger' },
    (x.ledger || []).length ? h('ul', { class: 'list plain sup-ledger' }, x.ledger.map((l) => h('li', { 'data-kind': l.kind },
      h('span', { class: 'row-main' }, h('strong', null, tv('ledger', l.kind)), ' ', h('span', { class: 'num' }, l.amount),
        l.receipt ? ' · ' + t('sup.receipt_no', { no: l.receipt }) : ''),
      h('span', { class: 'row-sub' }, fmtTime(l.at), l.by ? ' · ' + l.by : '', l.note ? ' · ' + l.note : ''))))
      : h('p', { class: 'empty' }, t('err2.no_lines')),
    h('dl', { class: 'stats err2-sums' },
      h('div', null, h('dt', null, t('sup.c_received')), h('dd', { 'data-sum': 'received' }, yuan(rec))),
      h('div', null, h('dt', null, t('sup.c_spent')), h('dd', { 'data-sum': 'spent' }, yuan(spent))),
      h('div', null, h('dt', null, t('sup.c_returned')), h('dd', { 'data-sum': 'returned' }, yuan(ret))),
      h('div', null, h('dt', null, t('err2.balance')), h('dd', { 'data-sum': 'balance', 'data-fen': String(x.balance_fen), tabindex: '-1' }, x.balance))));
}

async function errandPage(ctx, id) {
  const x = await api('GET', '/errands/' + id);
  ctx.title = t('err2.one', { kind: tv('ekind', x.kind) });
  const open = x.state === 'open';
  const ledger = ledgerTable(x);
  let form = null;
  if (open) {
    const kind = field({ name: 'kind', label: t('sup.ledger_kind'), type: 'select', value: 'received',
      options: ['received', 'spent', 'returned'].map((k) => [k, tv('ledger', k)]) });
    const amount = field({ name: 'amount_fen', label: t('sup.amount'), inputmode: 'decimal', maxlength: 10, placeholder: '12.50', autocomplete: 'off' });
    const receipt = field({ name: 'receipt', label: t('err2.receipt'), maxlength: 40, autocomplete: 'off', hint: t('err2.receipt_hint') });
    const note = field({ name: 'note', label: t('err2.note'), maxlength: 200, autocomplete: 'off' });
    const fields = [kind, amount, receipt, note];
    form = h('form', {
      class: 'err2-ledger-form', 'data-errand': String(id), novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          clearErrors(form);
          const fen = toFen(amount.input.value);
          if (fen === null || fen <= 0) {
            showError(form, fields, { field: 'amount_fen', message: t('sup.bad_amount') });
            return;
          }
          const body = { kind: kind.input.value, amount_fen: fen };
          if (receipt.input.value.trim()) body.receipt = receipt.input.value.trim();
          if (note.input.value.trim()) body.note = note.input.value.trim();
          try {
            await busy(form, () => api('POST', '/errands/' + id + '/ledger', body));
            ctx.flash(t('err2.added', { kind: tv('ledger', body.kind), amount: yuan(fen) }));
            ctx.rerender();
          } catch (e) {
            showError(form, fields, e);
          }
        },
      },
    },
    h('h2', null, t('sup.ledger_add')), fields, formError(),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary err2-add' }, t('sup.ledger_add'))));
  }
  // closing: refused while cash is in hand, the reason under the balance
  const closeErr = h('p', { class: 'field-error', id: 'err2-close-err', hidden: true });
  const balance = ledger.querySelector('[data-sum=balance]');
  balance.setAttribute('aria-describedby', 'err2-close-err');
  const closeField = { fieldName: 'ledger', input: balance, error: closeErr };
  const closeBox = h('div', { class: 'err2-close' }, closeErr, formError());
  const closeBtn = open && can.registry() ? h('button', {
    type: 'button', class: 'btn err2-close-btn',
    on: {
      click: async (ev) => {
        clearErrors(closeBox);
        ev.target.disabled = true;
        try {
          await api('POST', '/errands/' + id + '/close', {});
          ctx.flash(t('err2.closed'));
          ctx.rerender();
        } catch (e) {
          ev.target.disabled = false;
          showError(closeBox, [closeField], e);
        }
      },
    },
  }, t('sup.errand_close')) : null;
  return h('section', { class: 'sup-page err2-one', 'data-errand': String(id), 'data-state': x.state },
    h('p', null, h('a', { href: '#/errands' }, t('err2.all_errands'))),
    h('h1', { tabindex: '-1' }, tv('ekind', x.kind), ' ', h('span', { class: 'badge', id: 'err2-state', 'data-errand-state': x.state }, tv('estate', x.state))),
    h('dl', { class: 'facts err2-facts' },
      h('div', null, h('dt', null, t('err2.household')), h('dd', null, can.people() ? h('a', { href: '#/household/' + x.household_id }, householdLabel(x)) : householdLabel(x))),
      x.kind === 'medicine' ? [
        h('div', null, h('dt', null, t('sup.e_medicine')), h('dd', null, x.medicine || '—')),
        h('div', null, h('dt', null, t('sup.e_dose')), h('dd', null, x.dose || '—')),
        h('div', null, h('dt', null, t('sup.e_hospital')), h('dd', null, x.hospital || '—'))]
        : h('div', null, h('dt', null, t('sup.e_detail')), h('dd', null, x.detail || '—')),
      x.every_days ? h('div', null, h('dt', null, t('sup.e_every')), h('dd', null, t('sup.every', { n: x.every_days }))) : null,
      h('div', null, h('dt', null, t('err2.holder_label')), h('dd', null, x.assignee_name || x.assignee || t('err2.nobody'))),
      h('div', null, h('dt', null, t('err2.created')), h('dd', null, fmtTime(x.created_at))),
      x.closed_at ? h('div', null, h('dt', null, t('err2.closed_at')), h('dd', null, fmtTime(x.closed_at))) : null),
    h('section', { 'aria-labelledby': 'err2-ledger-h' }, h('h2', { id: 'err2-ledger-h' }, t('err2.ledger')), ledger, closeBox,
      closeBtn ? h('p', { class: 'actions' }, closeBtn) : null),
    form);
}

// ---- the chronic-medicine register ----

async function medicinePage(ctx) {
  const code = ctx.query.unit || session.me.unit_code;
  const reg = await api('GET', '/errands/medicine' + qs({ unit: code }));
  ctx.title = t('med.title');
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10); // China's day
  const items = (reg.items || []).slice().sort((a, b) => (a.next_due || '9999').localeCompare(b.next_due || '9999'));
  const due = items.filter((x) => x.next_due && x.next_due <= today).length;
  return h('section', { class: 'sup-page med-page' },
    supplyNav('medicine'),
    h('h1', { tabindex: '-1' }, t('med.title')),
    h('p', { class: 'facts' }, t('med.count', { n: items.length, due })),
    items.length ? h('ul', { class: 'list med-list' }, items.map((x) => {
      const late = x.next_due && x.next_due <= today;
      return h('li', { 'data-household': String(x.household_id), class: late ? 'med-due' : null },
        h('span', { class: 'row-main' }, can.people() ? h('a', { href: '#/household/' + x.household_id }, householdLabel(x)) : householdLabel(x),
          ' ', h('strong', null, x.medicine || ''), x.dose ? ' ' + x.dose : ''),
        h('span', { class: 'row-sub' },
          x.every_days ? t('sup.every', { n: x.every_days }) : t('sup.once'), ' · ',
          t('med.last', { at: fmtTime(x.last).slice(0, 10) }), ' · ',
          x.next_due ? h('span', { class: late ? 'badge badge-warn' : 'badge', 'data-due': x.next_due }, t('med.next', { at: x.next_due })) : t('med.no_next'),
          x.hospital ? ' · ' + x.hospital : '', ' · ', t('med.times', { n: x.times })));
    })) : h('p', { class: 'empty' }, t('med.none')));
}

export default async function errandsView(ctx) {
  if (ctx.mode === 'medicine') return medicinePage(ctx);
  const id = ctx.params && ctx.params[0] ? Number(ctx.params[0]) : 0;
  return id ? errandPage(ctx, id) : errandList(ctx);
}
