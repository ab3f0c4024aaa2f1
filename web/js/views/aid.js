// aid.js — the hardship fund and the merchants (docs/api.md 13.5), on a phone and a desktop:
//  * #/aid — each fund of the user's unit with its budget, what is granted and what is left,
//    and who got what, when (a grant is given from the household's page: tiles/supply.js);
//    the community's secretary opens a fund with its budget;
//  * #/merchants — the merchants with their phone numbers and price board (each price against
//    its reference and the class's maximum markup, breaches flagged), complaints recorded
//    and added, a price recorded, and the printable shop card for elders.
import { api, qs } from '../api.js';
import { t } from '../i18n.js';
import { h, mount, fmtTime, field, formError, clearErrors, showError, busy } from '../dom.js';
import { can, session } from '../session.js';
import { householdLabel } from './common.js';
import { yuan, toFen, supplyNav } from '../tiles/supply.js';

function moneyField(name, label, hint) {
  return field({ name, label, inputmode: 'decimal', maxlength: 12, placeholder: '100.00', autocomplete: 'off', hint });
}

// A form of fields posting body(fields) to path; money fields are checked here first.
function postForm(cls, title, fields, submitLabel, send, done) {
  const form = h('form', {
    class: cls, novalidate: true,
    on: {
      submit: async (ev) => {
        ev.preventDefault();
        clearErrors(form);
        try {
          const r = await busy(form, send);
          done(r);
        } catch (e) {
          showError(form, fields, e);
        }
      },
    },
  }, title ? h('h3', null, title) : null, fields, formError(),
  h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel)));
  return form;
}

function fenOf(f, positive) {
  const fen = toFen(f.input.value);
  if (fen === null || (positive && fen <= 0)) throw Object.assign(new Error(t('sup.bad_amount')), { field: f.fieldName, message: t('sup.bad_amount') });
  return fen;
}

async function aidPage(ctx) {
  const code = ctx.query.unit || session.me.unit_code;
  const aid = await api('GET', '/aid' + qs({ unit: code }));
  ctx.title = t('aid.title');
  const funds = aid.items || [];
  let create = null;
  if (can.tree()) {
    const name = field({ name: 'name', label: t('aid.name'), maxlength: 60, required: true });
    const budget = moneyField('budget_fen', t('aid.budget'));
    create = h('details', { class: 'panel', id: 'aid-new' }, h('summary', null, t('aid.new')),
      postForm('aid-new-form', null, [name, budget], t('aid.create'),
        () => api('POST', '/aid/funds', { unit: code, name: name.input.value.trim(), budget_fen: fenOf(budget, true) }),
        () => ctx.rerender()));
  }
  return h('section', { class: 'sup-page aid-page' },
    supplyNav('aid'),
    h('h1', { tabindex: '-1' }, t('aid.title')),
    h('p', { class: 'hint' }, t('aid.how')),
    funds.length ? funds.map((f) => h('section', { class: 'card aid-fund', 'data-fund': String(f.id) },
      h('h2', null, f.name),
      h('dl', { class: 'stats' },
        h('div', null, h('dt', null, t('aid.budget')), h('dd', { 'data-stat': 'budget' }, yuan(f.budget_fen))),
        h('div', null, h('dt', null, t('aid.granted')), h('dd', { 'data-stat': 'granted' }, yuan(f.granted_fen))),
        h('div', null, h('dt', null, t('aid.left')), h('dd', { 'data-stat': 'left', 'data-fen': String(f.left_fen) }, yuan(f.left_fen))),
        h('div', null, h('dt', null, t('aid.households')), h('dd', { 'data-stat': 'households' }, String(f.households)))),
      h('progress', { max: String(f.budget_fen), value: String(f.granted_fen), 'aria-label': t('aid.granted') }),
      (f.grants || []).length ? h('ul', { class: 'list aid-grants' }, f.grants.map((g) => h('li', { 'data-household': String(g.household_id) },
        h('span', { class: 'row-main' }, can.people() ? h('a', { href: '#/household/' + g.household_id }, householdLabel(g)) : householdLabel(g),
          ' ', h('strong', { class: 'num' }, yuan(g.amount_fen))),
        h('span', { class: 'row-sub' }, g.what, ' · ', fmtTime(g.at)))))
        : h('p', { class: 'empty' }, t('aid.no_grants'))))
      : h('p', { class: 'empty' }, t('aid.none')),
    create);
}

function boardRow(p) {
  return h('tr', { class: p.breach ? 'breach' : null, 'data-breach': p.breach ? '1' : '0' },
    h('th', { scope: 'row' }, p.product, h('small', null, ' ' + p.class)),
    h('td', { class: 'num' }, p.price),
    h('td', { class: 'num' }, yuan(p.reference_fen)),
    h('td', { class: 'num' }, p.max_markup_pct === null ? '—' : p.max_markup_pct + '%'),
    // a class the community set no maximum markup for is not checked: say so, not 正常
    h('td', null, p.breach ? h('span', { class: 'badge badge-warn' }, t('mer.breach'))
      : p.max_markup_pct === null ? h('span', { class: 'badge', 'data-nocap': '1' }, t('mer.no_cap')) : t('mer.ok')));
}

function merchantCard(ctx, m) {
  const forms = [];
  if (can.evidence()) {
    const note = field({ name: 'note', label: t('mer.complaint'), type: 'textarea', maxlength: 400, required: true });
    forms.push(h('details', { class: 'panel mer-complain' }, h('summary', null, t('mer.complain')),
      postForm('mer-complaint-form', null, [note], t('mer.complain_send'),
        () => api('POST', '/merchants/' + m.id + '/complaints', { note: note.input.value.trim() }),
        () => { ctx.flash(t('mer.complained')); ctx.rerender(); })));
  }
  if (can.registry()) {
    const product = field({ name: 'product', label: t('mer.product'), maxlength: 40, required: true });
    // the classes with a maximum markup offered as the field's suggestions (another class is
    // taken but not checked against any cap)
    const cls = field({ name: 'class', label: t('mer.class'), maxlength: 20, required: true, hint: t('mer.class_hint'), list: 'mer-classes' });
    const price = moneyField('price_fen', t('mer.price'));
    const ref = moneyField('reference_fen', t('mer.reference'), t('mer.reference_hint'));
    forms.push(h('details', { class: 'panel mer-price' }, h('summary', null, t('mer.price_new')),
      postForm('mer-price-form', null, [product, cls, price, ref], t('mer.price_send'),
        () => api('POST', '/merchants/' + m.id + '/prices', { product: product.input.value.trim(), class: cls.input.value.trim(),
          price_fen: fenOf(price, true), reference_fen: fenOf(ref, true) }),
        () => ctx.rerender())));
  }
  return h('section', { class: 'card mer-card' + (m.breaches ? ' mer-breaches' : ''), 'data-merchant': String(m.id) },
    h('h2', null, m.name, ' ', m.breaches ? h('span', { class: 'badge badge-warn', 'data-breaches': String(m.breaches) }, t('mer.breaches', { n: m.breaches })) : null),
    h('p', { class: 'facts' }, h('a', { href: 'tel:' + m.phone }, m.phone), m.address ? ' · ' + m.address : '',
      ' · ', m.inside ? t('mer.inside') : t('mer.outside')),
    (m.board || []).length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table mer-board' },
      h('thead', null, h('tr', null, ['mer.product', 'mer.price', 'mer.reference', 'mer.cap', 'mer.check'].map((k) => h('th', null, t(k))))),
      h('tbody', null, m.board.map(boardRow)))) : h('p', { class: 'empty' }, t('mer.no_prices')),
    (m.complaints || []).length ? h('div', null, h('h3', null, t('mer.complaints', { n: m.complaints.length })),
      h('ul', { class: 'list plain mer-complaints' }, m.complaints.map((c) => h('li', null, c.note, h('small', null, ' · ' + fmtTime(c.at))))))
      : null,
    forms);
}

async function merchantsPage(ctx) {
  const code = ctx.query.unit || session.me.unit_code;
  const list = await api('GET', '/merchants' + qs({ unit: code }));
  ctx.title = t('mer.title');
  const items = (list.items || []).slice().sort((a, b) => b.breaches - a.breaches);
  const only = ctx.query.breaches === '1';
  const shown = only ? items.filter((m) => m.breaches) : items;
  const box = h('div', { id: 'mer-list' });
  const capped = [];
  for (const m of items) for (const p of m.board || []) if (p.max_markup_pct !== null && capped.indexOf(p.class) < 0) capped.push(p.class);
  const classes = h('datalist', { id: 'mer-classes' }, capped.map((c) => h('option', { value: c })));
  mount(box, shown.length ? shown.map((m) => merchantCard(ctx, m)) : h('p', { class: 'empty' }, t('mer.none')));
  return h('section', { class: 'sup-page mer-page' },
    supplyNav('merchants'),
    h('h1', { tabindex: '-1' }, t('mer.title')),
    h('p', { class: 'facts', id: 'mer-sum' }, t('mer.count', { n: items.length, breaches: list.breaches }), ' ',
      h('a', { href: '#/merchants' + qs({ unit: ctx.query.unit, breaches: only ? null : '1' }) }, only ? t('mer.show_all') : t('mer.show_breaches'))),
    classes,
    h('p', { class: 'actions' }, h('a', { class: 'btn', target: '_blank', rel: 'noopener', href: '/api/v1/merchants/card' + qs({ unit: code }) }, t('mer.card'))),
    box);
}

export default async function aidView(ctx) {
  return ctx.mode === 'merchants' ? merchantsPage(ctx) : aidPage(ctx);
}
