// transmission.js — the transmission chain of a case (#/resident/ID/chain?depth=3): the
// people linked through recorded contacts (GET /residents/{id}/chain), drawn as an ECharts
// graph with a force layout — nodes coloured by category, labelled with the name and the
// building and room, edges labelled with the day and the place — and the same as a list.
import { api, enc, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h } from '../dom.js';
import { loadECharts } from '../charts.js';
import { CATEGORIES, CAT_COLORS, catBadge, catLabel } from './epi-common.js';

const DEPTHS = ['1', '2', '3', '4', '5'];

// a person outside the caller's units is shown only as the chain continuing there
function nodeName(n) {
  return n.outside_scope ? t('tc.outside') : n.name;
}

function where(n) {
  return [n.building, n.room].filter(Boolean).join(' ');
}

function edgeLabel(e) {
  return [e.day ? e.day.slice(5) : '', e.place || ''].filter(Boolean).join(' ');
}

export function chainOption(data) {
  const nodes = data.nodes || [];
  const ids = new Set(nodes.map((n) => n.id));
  // the categories of the people shown (legend and colours), in the usual order
  const cats = CATEGORIES.concat(['none']).filter((c) => nodes.some((n) => (n.category || 'none') === c));
  const deg = {};
  for (const e of data.edges || []) {
    deg[e.from] = (deg[e.from] || 0) + 1;
    deg[e.to] = (deg[e.to] || 0) + 1;
  }
  return {
    animationDuration: 300,
    textStyle: { fontFamily: 'system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif' },
    aria: { enabled: true },
    tooltip: {
      renderMode: 'richText', confine: true,
      formatter: (p) => {
        if (p.dataType === 'edge') {
          const e = p.data.raw;
          return [e.day, e.place, tv('conkind', e.kind)].filter(Boolean).join(' · ');
        }
        const n = p.data.raw;
        return nodeName(n) + '\n' + catLabel(n.category) + (where(n) ? '\n' + where(n) : '');
      },
    },
    legend: [{ top: 0, data: cats.map((c) => catLabel(c === 'none' ? null : c)), selectedMode: false }],
    series: [{
      type: 'graph',
      layout: 'force',
      roam: true,
      draggable: true,
      force: { repulsion: 900, edgeLength: [110, 190], gravity: 0.05, layoutAnimation: true },
      categories: cats.map((c) => ({ name: catLabel(c === 'none' ? null : c), itemStyle: { color: CAT_COLORS[c] } })),
      edgeSymbol: ['none', 'arrow'],
      edgeSymbolSize: 8,
      label: { show: true, position: 'right', formatter: (p) => nodeName(p.data.raw) + (where(p.data.raw) ? '\n' + where(p.data.raw) : ''), fontSize: 13 },
      edgeLabel: { show: true, formatter: (p) => edgeLabel(p.data.raw), fontSize: 11, color: '#4d5562' },
      lineStyle: { color: '#7a8594', width: 1.5, curveness: 0.1 },
      emphasis: { focus: 'adjacency', lineStyle: { width: 3 } },
      data: nodes.map((n) => ({
        id: String(n.id),
        name: String(n.id),
        raw: n,
        category: cats.indexOf(n.category || 'none') >= 0 ? cats.indexOf(n.category || 'none') : cats.length - 1,
        symbolSize: n.root ? 40 : 22 + Math.min(12, 2 * (deg[n.id] || 0)),
        itemStyle: n.root ? { borderColor: '#1b1b1b', borderWidth: 3 } : undefined,
      })),
      edges: (data.edges || []).filter((e) => ids.has(e.from) && ids.has(e.to)).map((e) => ({
        source: String(e.from), target: String(e.to), raw: e,
      })),
    }],
  };
}

export default async function transmissionView(ctx) {
  const id = ctx.params[0];
  const depth = DEPTHS.indexOf(ctx.query.depth) >= 0 ? ctx.query.depth : '3';
  const [r, data] = await Promise.all([
    api('GET', '/residents/' + enc(id)),
    api('GET', '/residents/' + enc(id) + '/chain' + qs({ depth })),
  ]);
  ctx.title = t('tc.title', { name: r.name });
  const nodes = data.nodes || [];
  const edges = data.edges || [];
  const byId = {};
  for (const n of nodes) byId[n.id] = n;

  ctx.wide = true;

  const chartEl = h('div', { class: 'chart chart-chain', id: 'chart-chain', role: 'img', 'aria-label': t('tc.chart_label', { n: nodes.length, e: edges.length }) });
  const note = h('p', { class: 'form-error', hidden: true });
  let chart = null;
  let onResize = null;
  if (nodes.length) {
    ctx.onMount(() => {
      loadECharts().then((echarts) => {
        if (!ctx.alive() || !chartEl.isConnected) return;
        chart = echarts.init(chartEl, null, { renderer: 'canvas' });
        chart.setOption(chainOption(data));
        chart.on('dblclick', (p) => {
          if (p.dataType === 'node' && p.data.raw.resident_id) window.location.hash = '#/resident/' + p.data.raw.resident_id;
        });
        onResize = () => chart && chart.resize();
        window.addEventListener('resize', onResize);
      }, () => {
        note.textContent = t('dash.no_echarts');
        note.hidden = false;
      });
    });
    ctx.onLeave(() => {
      if (onResize) window.removeEventListener('resize', onResize);
      if (chart) chart.dispose();
      chart = null;
    });
  }

  const depthNav = h('nav', { class: 'filters-bar', 'aria-label': t('tc.depth') }, h('ul', null,
    h('li', { class: 'filters-label' }, t('tc.depth')),
    DEPTHS.map((d) => h('li', null, h('a', { class: 'chip-link', href: '#/resident/' + enc(id) + '/chain' + qs({ depth: d === '3' ? null : d }), 'aria-current': d === depth ? 'page' : null }, d)))));

  const table = edges.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stack', id: 'chain-edges' },
    h('thead', null, h('tr', null, ['from', 'to', 'day', 'place', 'kind'].map((k) => h('th', { scope: 'col' }, t('tc.col_' + k))))),
    h('tbody', null, edges.map((e) => {
      const who = (nid) => {
        const n = byId[nid];
        if (!n) return nid;
        return h('span', null, n.resident_id ? h('a', { href: '#/resident/' + n.resident_id }, n.name) : nodeName(n), ' ', catBadge(n.category),
          where(n) ? h('span', { class: 'row-aside' }, where(n)) : null);
      };
      return h('tr', null,
        h('td', { 'data-label': t('tc.col_from') }, who(e.from)),
        h('td', { 'data-label': t('tc.col_to') }, who(e.to)),
        h('td', { 'data-label': t('tc.col_day') }, e.day || ''),
        h('td', { 'data-label': t('tc.col_place') }, e.place || ''),
        h('td', { 'data-label': t('tc.col_kind') }, tv('conkind', e.kind)));
    })))) : null;

  return h('section', { class: 'chain-page' },
    h('p', { class: 'back' }, h('a', { href: '#/resident/' + enc(id) }, '‹ ', r.name)),
    h('h1', { tabindex: '-1' }, ctx.title, ' ', catBadge(r.category)),
    h('p', { class: 'facts', id: 'chain-facts' }, t('tc.facts', { n: nodes.length, e: edges.length, hh: data.households || 0, b: data.buildings || 0 })),
    depthNav,
    note,
    nodes.length > 1 ? h('figure', { class: 'chart-card chain-card' },
      h('figcaption', null, t('tc.graph'), h('span', { class: 'hint' }, t('tc.graph_hint'))), chartEl)
      : h('p', { class: 'empty' }, t('tc.none')),
    table ? h('section', { 'aria-labelledby': 'tc-h' }, h('h2', { id: 'tc-h' }, t('tc.edges', { n: edges.length })), table) : null);
}
