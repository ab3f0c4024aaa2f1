// supply.js — keeping closed homes supplied (保供, docs/api.md "Supplies"):
//  * #/supply — the rounds of the user's unit; #/supply/ID — one round: households ordered
//    of the total, the cut-off, orders by state, close at the cut-off, the picking list per
//    building (printable, XLSX), the delivery list with one tap for the next state, moving a
//    building's orders on in one step, and the cash in hand per person.
// The household page's panel and the dashboard's tile are in ../tiles/supply.js.
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, fmtTime } from '../dom.js';
import { can, session } from '../session.js';
import { householdLabel } from './common.js';
import { STATES, NEXT, errBox, showErr, stateBadge, itemsText, cashTable, supplyNav } from '../tiles/supply.js';

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

