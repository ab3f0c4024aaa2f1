// search.js — results of the header's search box: name, pinyin initials (lxq), last 4
// digits of a phone or ID number, a full number, or a room such as 3栋1504.  The term goes
// in a POST body (never in the URL) and is kept in memory only.
import { api } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, pager, flagChips } from '../dom.js';
import { searchState } from '../session.js';
import { householdLabel } from './common.js';

const PAGE = 30;

export default async function searchView(ctx) {
  ctx.title = t('search.title');
  const q = searchState.q;
  const input = document.getElementById('q');
  const head = h('h1', { tabindex: '-1' }, t('search.title'));
  if (!q) {
    if (input) ctx.focus = input;
    return h('section', null, head,
      h('p', null, t('search.intro')),
      h('ul', { class: 'examples' }, t('search.examples').split('|').map((x) => h('li', null, x))));
  }
  const res = await api('POST', '/residents/search', { q, limit: PAGE, offset: searchState.offset });
  const items = res.items || [];
  return h('section', null, head,
    h('p', { class: 'facts', role: 'status' }, t('search.found', { q, n: res.total }),
      res.matched_by ? ' (' + tv('matched', res.matched_by) + ')' : ''),
    items.length
      ? h('ul', { class: 'list' }, items.map((r) => h('li', null,
        h('a', { class: 'row-link', href: '#/household/' + r.household_id },
          h('span', { class: 'row-main' }, r.name,
            h('span', { class: 'row-aside' }, [tv('sex', r.sex), r.age !== null && r.age !== undefined ? t('res.age', { n: r.age }) : ''].filter(Boolean).join(' · '))),
          h('span', { class: 'row-sub' }, householdLabel(r), r.relation ? ' · ' + r.relation : '',
            r.phone ? ' · ' + r.phone : ''),
          flagChips(r.flags)))))
      : h('p', { class: 'empty' }, t('search.none')),
    pager(res.total, PAGE, searchState.offset, (o) => {
      searchState.offset = o;
      ctx.rerender();
    }));
}
