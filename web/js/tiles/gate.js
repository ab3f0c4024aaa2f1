// tiles/gate.js — the dashboard's gates tile, outside views/ so that the dashboard does not
// import the checkpoint view (issue 15: no view imports another).  Docs: docs/api.md section 12.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, mount } from '../dom.js';

// The live tile of a dashboard (a community's, a street's): per gate of the compounds in
// the unit, today's passages in and out and refusals, and the residents outside now; drawn
// again (at most every 2 s) when a passage arrives on the live feed.  Counts only: no
// person is listed here (the checkpoint view lists who is outside).
export function gateTile(ctx, code, subscribe) {
  const box = h('section', { class: 'card gate-tile', id: 'gate-tile', hidden: true, 'aria-labelledby': 'gate-tile-h' });
  let compounds = [];
  let timer = 0;
  const sum = (k, pre) => Object.keys(k).filter((x) => x.indexOf(pre) === 0).reduce((n, x) => n + k[x], 0);
  async function draw() {
    timer = 0;
    let rows;
    try {
      rows = await Promise.all(compounds.map((c) => api('GET', '/compounds/' + encodeURIComponent(c) + '/now?people=0')));
    } catch (e) {
      return; /* the next passage tries again */
    }
    if (!ctx.alive()) return;
    const outside = rows.reduce((n, c) => n + c.outside.count, 0);
    const refused = rows.reduce((n, c) => n + ((c.counts || {}).refused || 0), 0);
    mount(box,
      h('h2', { id: 'gate-tile-h' }, t('gate.tile')),
      h('dl', { class: 'stats gate-stats' },
        h('div', null, h('dt', null, t('gate.n_outside')), h('dd', { 'data-stat': 'outside' }, String(outside))),
        h('div', { class: refused ? 'hot' : null }, h('dt', null, t('gate.n_refused')), h('dd', { 'data-stat': 'refused' }, String(refused)))),
      h('table', { class: 'gate-tile-table' },
        h('thead', null, h('tr', null, h('th', null, t('gate.tile_gate')), h('th', null, t('gate.n_in')), h('th', null, t('gate.n_out')),
          h('th', null, t('gate.n_refused')))),
        h('tbody', null, rows.flatMap((c) => c.gates.filter((g) => g.state === 'open').map((g) => {
          const k = g.counts || {};
          return h('tr', { 'data-gate': String(g.id) },
            h('th', { scope: 'row' }, g.name, rows.length > 1 ? h('small', null, ' ' + c.name) : null),
            h('td', { 'data-stat': 'in' }, String(sum(k, 'in:'))),
            h('td', { 'data-stat': 'out' }, String(sum(k, 'out:'))),
            h('td', { 'data-stat': 'refused', class: k.refused ? 'hot' : null }, String(k.refused || 0)));
        })))));
    box.hidden = false;
  }
  (async () => {
    let list;
    try {
      list = await api('GET', '/gates?unit=' + encodeURIComponent(code));
    } catch (e) {
      return; /* no gates here, or not this role's to see */
    }
    for (const g of list.items || []) if (compounds.indexOf(g.unit) < 0) compounds.push(g.unit);
    compounds = compounds.slice(0, 20);
    if (!compounds.length || !ctx.alive()) return;
    await draw();
    ctx.onLeave(subscribe((type) => {
      if ((type === 'passage' || type === 'reset') && !timer) timer = window.setTimeout(draw, type === 'reset' ? 0 : 2000);
    }));
    ctx.onLeave(() => window.clearTimeout(timer));
  })();
  return box;
}
