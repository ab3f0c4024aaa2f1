// categories.js — the four categories of a unit (#/categories/CODE?cat=four&o=N): the counts
// of the unit and a row per child unit (GET /categories; drill down by clicking a child),
// 应收尽收 and overdue follow-ups in red while above zero; for the roles that work with
// named people the list behind the counts (GET /categories/people) filtered by category;
// the export of that list, with its purpose (admin, command, community).
import { api, enc, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, pager, fmtTime, formError, field, clearErrors, showError, busy } from '../dom.js';
import { session, can } from '../session.js';
import { placeLabel, lockdownBadge } from './common.js';
import { CATEGORIES, catBadge, isolationText, notAdmitted, download, chips, catHref, countsTable, num } from './epi-common.js';

const PAGE = 50;
const FILTERS = ['four'].concat(CATEGORIES);

function statsOf(total) {
  const iso = total.isolated || {};
  const stat = (k, v, hot) => h('div', { class: hot ? 'hot' : null, 'data-stat': k },
    h('dt', null, t('catcol.' + k)), h('dd', null, String(v)));
  return h('dl', { class: 'stats cov-stats cat-stats' },
    stat('four_categories', num(total, 'four_categories')),
    stat('new_today', num(total, 'new_today')),
    stat('released_today', num(total, 'released_today')),
    stat('overdue_followups', num(total, 'overdue_followups'), num(total, 'overdue_followups') > 0),
    stat('not_admitted', num(total, 'not_admitted'), num(total, 'not_admitted') > 0),
    h('div', { 'data-stat': 'isolated' }, h('dt', null, t('cat.isolated')),
      h('dd', { class: 'small-dd' }, ['home', 'centralised', 'hospital'].map((k, i) => [i ? ' · ' : '', tv('iso', k), ' ', String(iso[k] || 0)]))));
}

function peopleTable(res) {
  const items = res.items || [];
  if (!items.length) return h('p', { class: 'empty' }, t('cat.people_none'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table stack', id: 'cat-people' },
    h('thead', null, h('tr', null, ['name', 'category', 'since', 'place', 'isolation'].map((k) => h('th', { scope: 'col' }, t('catp.' + k))))),
    h('tbody', null, items.map((p) => {
      const bad = notAdmitted(p.category, p.isolation);
      return h('tr', { 'data-resident': String(p.resident_id), 'data-not-admitted': bad ? '1' : null },
        h('th', { scope: 'row', 'data-label': t('catp.name') }, h('a', { href: '#/resident/' + p.resident_id }, p.name)),
        h('td', { 'data-label': t('catp.category') }, catBadge(p.category)),
        h('td', { 'data-label': t('catp.since') }, fmtTime(p.since)),
        h('td', { 'data-label': t('catp.place') }, p.household_id ? h('a', { href: '#/household/' + p.household_id }, placeLabel(p)) : placeLabel(p)),
        h('td', { 'data-label': t('catp.isolation') },
          p.isolation ? isolationText(p.isolation) : h('span', { class: 'muted' }, t('catp.no_isolation')),
          bad ? h('span', { class: 'badge badge-not-admitted' }, t('catp.not_admitted')) : null));
    }))));
}

function exportForm(code, category) {
  const purpose = field({ name: 'purpose', label: t('catx.purpose'), required: true, maxlength: 200, hint: t('catx.purpose_hint'), autocomplete: 'off' });
  const format = field({ name: 'format', label: t('catx.format'), type: 'select', value: 'csv', options: [['csv', 'CSV'], ['xlsx', 'Excel (XLSX)']] });
  const fields = [purpose, format];
  const done = h('p', { class: 'status-ok', role: 'status', hidden: true });
  const form = h('form', { class: 'form', id: 'cat-export', novalidate: true }, formError(),
    h('p', { class: 'hint' }, t('catx.hint', { what: category === 'four' ? t('cat.filter_four') : tv('cat', category) })),
    purpose, format,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('catx.submit'))), done);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    done.hidden = true;
    const p = purpose.input.value.trim();
    if (!p) return showError(form, fields, { field: 'purpose', message: t('catx.need_purpose') });
    const fmt = format.input.value;
    try {
      const name = await busy(form, () => download('/api/v1/exports/categories' + qs({ unit: code, category, purpose: p, format: fmt }),
        'categories-' + code + '.' + fmt));
      done.textContent = t('catx.done', { name });
      done.hidden = false;
    } catch (e) {
      showError(form, fields, { field: e.status === 400 ? 'purpose' : null, message: e.message });
    }
  });
  return h('details', { class: 'panel', id: 'cat-export-panel' }, h('summary', null, t('catx.title')), form);
}

export default async function categoriesView(ctx) {
  const code = ctx.params[0] || session.me.unit_code;
  const cat = FILTERS.indexOf(ctx.query.cat) >= 0 ? ctx.query.cat : 'four';
  const offset = Math.max(0, parseInt(ctx.query.o, 10) || 0);
  const [u, c, people] = await Promise.all([
    api('GET', '/units/' + enc(code)),
    api('GET', '/categories' + qs({ unit: code })),
    can.epi() ? api('GET', '/categories/people' + qs({ unit: code, category: cat, limit: PAGE, offset })) : null,
  ]);
  ctx.title = t('cat.title_of', { name: u.name });
  // a wide table on desktops
  ctx.wide = true;
  const total = c.total || {};
  const drill = (k) => (k.kind === 'entrance' ? null : catHref(k.unit));
  const href = (v, o) => catHref(code, { cat: v === 'four' ? null : v, o: o || null });

  let list = null;
  if (people) {
    const head = h('h2', { id: 'catp-h', tabindex: '-1' }, t('cat.people_title', { n: people.total }));
    if (offset > 0 || ctx.query.cat) ctx.focus = head;
    list = h('section', { 'aria-labelledby': 'catp-h', id: 'cat-people-section' },
      head,
      chips(t('cat.filter'), FILTERS, cat, (v) => href(v), (v) => (v === 'four' ? t('cat.filter_four') : tv('cat', v))),
      peopleTable(people),
      pager(people.total, PAGE, offset, (o) => { window.location.hash = href(cat, o); }));
  }

  const links = [];
  if (can.epi()) {
    links.push(h('a', { class: 'btn', href: '#/followups' + qs({ unit: code === session.me.unit_code ? null : code, who: 'unit' }) }, t('nav.followups')));
    links.push(h('a', { class: 'btn', href: '#/lists' + qs({ unit: code === session.me.unit_code ? null : code }) }, t('nav.lists')));
  }
  links.push(h('a', { class: 'btn', href: '#/tasks' + qs({ unit: code === session.me.unit_code ? null : code }) }, t('nav.tasks')));
  if (can.dashboard()) links.push(h('a', { class: 'btn', href: '#/dashboard' + qs({ unit: code }) }, t('unit.dashboard')));
  links.push(h('a', { class: 'btn', href: '#/unit/' + enc(code) }, t('dash.open_unit')));

  return h('section', { class: 'categories' },
    (u.ancestors || []).length ? h('nav', { class: 'crumbs', 'aria-label': t('crumbs.label') },
      h('ol', null, u.ancestors.map((a) => h('li', null, h('a', { href: catHref(a.code) }, a.name))))) : null,
    h('h1', { tabindex: '-1' }, t('cat.title'), ' ', h('span', { class: 'kind' }, u.name), ' ', lockdownBadge(u.lockdown)),
    h('p', { class: 'facts' }, t('cat.day', { day: c.day || '' }), ' · ', t('cat.counts_only_hint')),
    statsOf(total),
    num(total, 'not_admitted') > 0 ? h('p', { class: 'notice hot-notice', role: 'status' }, t('cat.not_admitted_note', { n: num(total, 'not_admitted') })) : null,
    h('p', { class: 'actions' }, links),
    h('section', { 'aria-labelledby': 'catt-h' },
      h('h2', { id: 'catt-h' }, t('cat.table_title')),
      countsTable(c, drill)),
    list,
    can.exportCategories() ? exportForm(code, cat) : null);
}
