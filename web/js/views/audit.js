// audit.js — the audit log for the auditor (#/audit?o=OFFSET&username=&entity=).
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, fmtTime, pager, field } from '../dom.js';
import { can } from '../session.js';

const PAGE = 50;
const ENTITIES = ['', 'session', 'unit', 'household', 'resident', 'occupancy_evidence', 'user', 'audit', 'route'];

export default async function auditView(ctx) {
  ctx.title = t('audit.title');
  if (!can.audit()) return h('section', null, h('h1', { tabindex: '-1' }, ctx.title), h('p', { class: 'notice' }, t('common.not_allowed')));
  const offset = Math.max(0, parseInt(ctx.query.o, 10) || 0);
  const username = ctx.query.username || '';
  const entity = ctx.query.entity || '';
  const res = await api('GET', '/audit' + qs({ limit: PAGE, offset, username, entity }));
  const items = res.items || [];

  const fu = field({ name: 'username', label: t('audit.username'), value: username, maxlength: 64, autocomplete: 'off' });
  const fe = field({ name: 'entity', label: t('audit.entity'), type: 'select', value: entity, options: ENTITIES.map((e) => [e, e ? tv('entity', e) : t('audit.all')]) });
  const filter = h('form', { class: 'form filters', role: 'search', 'aria-label': t('audit.filter') }, fu, fe,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('audit.apply'))));
  const filterPanel = h('details', { class: 'panel', open: !!(username || entity) },
    h('summary', null, t('audit.filter'), username || entity ? ': ' + [username, entity ? tv('entity', entity) : ''].filter(Boolean).join(', ') : ''),
    filter);
  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    window.location.hash = '#/audit' + qs({ username: fu.input.value.trim(), entity: fe.input.value });
  });
  const cols = ['at', 'username', 'role', 'action', 'entity', 'entity_id', 'fields', 'source', 'outcome'];
  return h('section', null,
    h('h1', { tabindex: '-1' }, ctx.title),
    filterPanel,
    items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stack audit' },
      h('caption', null, t('audit.count', { n: res.total })),
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, t('audit.' + c))))),
      h('tbody', null, items.map((x) => h('tr', { class: x.outcome !== 'ok' ? 'bad' : null },
        cols.map((c) => {
          let v = x[c];
          if (c === 'at') v = fmtTime(v);
          else if (c === 'role') v = v ? tv('role', v) : '';
          else if (c === 'action') v = tv('action', v);
          else if (c === 'entity') v = v ? tv('entity', v) : '';
          else if (c === 'outcome') v = tv('outcome', v);
          return h('td', { 'data-label': t('audit.' + c) }, v === null || v === undefined || v === '' ? '—' : String(v));
        })))))) : h('p', { class: 'empty' }, t('audit.none')),
    pager(res.total, PAGE, offset, (o) => {
      window.location.hash = '#/audit' + qs({ username, entity, o: o || null });
    }));
}
