// dashboard.js — the community / street / district view (#/dashboard?unit=CODE&day=D):
// coverage of the unit and of each child with drill-down, charts drawn with Apache ECharts
// (loaded from /vendor/echarts.min.js on this page only), a live feed of alerts over SSE,
// and the daily report as CSV and XLSX.
//
// The check-in curve: GET /coverage/curve gives residents_reported every ten minutes for
// the day and the day before (kept by the server); while the page is open the live
// check-ins move the curve's last point.
import { api, enc, qs } from '../api.js';
import { helpCountsSection } from '../tiles/help.js';
import { t, tv, getLang } from '../i18n.js';
import { h, mount, fmtTime, errorBox, flagChips } from '../dom.js';
import { session, can, rollDay } from '../session.js';
import { subscribe, onState } from '../live.js';
import { gateTile } from '../tiles/gate.js';
import { coverageStats, placeLabel, pct, fmtTemp, alertStateBadge, ALERT_STATES } from './common.js';
import { dayTitle, dayMinus, beijingMinutes } from '../day.js';
import { loadECharts } from '../charts.js';
import { FOUR, CAT_COLORS, countsTable, catHref } from './epi-common.js';
import { supplyTile } from '../tiles/supply.js';
import { staffTile } from '../tiles/staff.js';

const COLORS = { primary: '#0b4f9c', light: '#9db8d9', ok: '#1a5e20', warn: '#c2410c', danger: '#a4161a', muted: '#7a8594' };
const STATE_COLORS = { open: '#a4161a', acknowledged: '#c2410c', clinic: '#b08800', observation: '#0b4f9c', closed: '#1a5e20' };
const DRILL = { province: 1, city: 1, district: 1, street: 1, community: 1, grid: 1, building: 1 };
const HOUSEHOLD_LEVELS = { grid: 1, building: 1, entrance: 1 };

// ---- the curve (from the server) ----
function curvePoints(points) {
  return (points || []).map((p) => [p.minute, p.residents_reported]);
}
// the live value replaces (or follows) the last point
function liveSample(pts, minute, n) {
  const last = pts[pts.length - 1];
  if (last && last[0] >= minute - 1) last[1] = n;
  else pts.push([minute, n]);
  return pts;
}

function hhmm(m) {
  const hh = Math.floor(m / 60);
  const mm = Math.round(m % 60);
  return String(hh).padStart(2, '0') + ':' + String(mm).padStart(2, '0');
}

// ---- chart options ----
const base = () => ({
  animationDuration: 300,
  textStyle: { fontFamily: 'system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif' },
  tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
  grid: { left: 48, right: 16, top: 36, bottom: 48, containLabel: false },
});

function coverageOption(rep) {
  const kids = rep.children || [];
  return Object.assign(base(), {
    aria: { enabled: true },
    legend: { show: false },
    xAxis: { type: 'category', data: kids.map((c) => c.name), axisLabel: { interval: 0, rotate: kids.length > 8 ? 40 : 0 } },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{
      name: t('dash.coverage_pct'), type: 'bar', barMaxWidth: 36,
      data: kids.map((c) => ({
        value: c.households_total ? Math.round((1000 * c.households_reached) / c.households_total) / 10 : 0,
        itemStyle: { color: c.households_total && c.households_reached >= c.households_total ? COLORS.ok : COLORS.primary },
      })),
      label: { show: kids.length <= 16, position: 'top', formatter: '{c}%', fontSize: 11 },
      labelLayout: { hideOverlap: true }, // a narrow chart drops a label rather than piling two
    }],
    tooltip: {
      trigger: 'axis', renderMode: 'richText', confine: true,
      formatter: (ps) => {
        const c = kids[ps[0].dataIndex];
        return c.name + '\n' + t('dash.tip_households', { r: c.households_reached, n: c.households_total, pct: pct(c.households_reached, c.households_total) })
          + '\n' + t('dash.tip_residents', { r: c.residents_reported, n: c.residents_total }) + '\n' + t('dash.tip_fevers', { n: c.fevers });
      },
    },
  });
}

function curveOption(today, yesterday, yFinal, isToday) {
  const series = [{
    name: t('dash.curve_today'), type: 'line', data: today, showSymbol: today.length < 40, symbolSize: 5,
    lineStyle: { width: 3, color: COLORS.primary }, itemStyle: { color: COLORS.primary }, areaStyle: { opacity: 0.08 },
  }];
  if (yesterday.length > 1) {
    series.push({
      name: t('dash.curve_yesterday'), type: 'line', data: yesterday, showSymbol: false,
      lineStyle: { width: 2, type: 'dashed', color: COLORS.muted }, itemStyle: { color: COLORS.muted },
    });
  } else {
    series.push({
      name: t('dash.curve_yesterday_total'), type: 'line', data: [[0, yFinal], [24 * 60, yFinal]], showSymbol: false,
      lineStyle: { width: 2, type: 'dashed', color: COLORS.muted }, itemStyle: { color: COLORS.muted },
    });
  }
  return Object.assign(base(), {
    legend: { top: 0 },
    xAxis: { type: 'value', min: 0, max: 24 * 60, interval: 180, axisLabel: { formatter: (v) => hhmm(v) } },
    yAxis: { type: 'value', minInterval: 1 },
    series,
    tooltip: {
      trigger: 'axis', renderMode: 'richText', confine: true,
      formatter: (ps) => hhmm(ps[0].value[0]) + '\n' + ps.map((p) => p.seriesName + ': ' + p.value[1]).join('\n'),
    },
    // a past day without its curve says so above the plot, clear of the legend and the axis
    grid: Object.assign(base().grid, isToday || today.length > 2 ? {} : { top: 60 }),
    graphic: isToday || today.length > 2 ? [] : [{ type: 'text', left: 'center', top: 28, style: { text: t('dash.curve_past'), fill: COLORS.muted } }],
  });
}

function feversOption(days) {
  return Object.assign(base(), {
    legend: { top: 0 },
    xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)) },
    yAxis: [{ type: 'value', minInterval: 1, name: t('dash.fevers_axis') }],
    series: [
      { name: t('cov.fevers'), type: 'bar', barMaxWidth: 32, data: days.map((d) => d.fevers), itemStyle: { color: COLORS.danger }, label: { show: true, position: 'top' }, labelLayout: { hideOverlap: true } },
      { name: t('dash.symptomatic'), type: 'line', data: days.map((d) => d.symptomatic), itemStyle: { color: COLORS.warn } },
    ],
  });
}

function alertsOption(states) {
  const data = ALERT_STATES.map((s) => ({ name: tv('astate', s), value: states[s] || 0, itemStyle: { color: STATE_COLORS[s] } }));
  const total = data.reduce((a, b) => a + b.value, 0);
  return {
    animationDuration: 300,
    textStyle: base().textStyle,
    tooltip: { trigger: 'item', renderMode: 'richText', formatter: '{b}: {c} ({d}%)' },
    legend: { orient: 'vertical', right: 8, top: 'middle' },
    title: { text: String(total), subtext: t('dash.alerts_total'), left: '34%', top: '40%', textAlign: 'center', textStyle: { fontSize: 26 } },
    series: [{
      type: 'pie', radius: ['45%', '72%'], center: ['35%', '52%'], data,
      label: { show: false }, avoidLabelOverlap: true,
    }],
  };
}

// The four categories per child unit, stacked (GET /categories).
function categoriesOption(c) {
  const kids = c.children || [];
  return Object.assign(base(), {
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 64, bottom: 48, containLabel: false },
    xAxis: { type: 'category', data: kids.map((k) => k.name), axisLabel: { interval: 0, rotate: kids.length > 8 ? 40 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: FOUR.map((cat) => ({
      name: tv('cat', cat), type: 'bar', stack: 'four', barMaxWidth: 36,
      itemStyle: { color: CAT_COLORS[cat] },
      data: kids.map((k) => (k.counts && k.counts[cat]) || 0),
    })),
    tooltip: {
      trigger: 'axis', renderMode: 'richText', confine: true,
      formatter: (ps) => {
        const k = kids[ps[0].dataIndex];
        return k.name + '\n' + ps.map((p) => p.seriesName + ': ' + p.value).join('\n')
          + '\n' + t('catcol.not_admitted') + ': ' + (k.not_admitted || 0) + '\n' + t('catcol.overdue_followups') + ': ' + (k.overdue_followups || 0);
      },
    },
  });
}

function categoriesSection(c) {
  if (!c) return null;
  return h('section', { 'aria-labelledby': 'dcat-h', id: 'dash-categories' },
    h('h2', { id: 'dcat-h' }, t('dash.categories_title'), ' ', h('a', { class: 'btn btn-small', href: catHref(c.unit) }, t('dash.categories_open'))),
    countsTable(c, (k) => (k.kind === 'entrance' ? null : '#/dashboard' + qs({ unit: k.unit })), 'dash-cat-table'));
}

// ---- the page ----

// Breadcrumbs up the tree, each to its own dashboard.
function dashCrumbs(ancestors, day) {
  if (!ancestors || !ancestors.length) return null;
  return h('nav', { class: 'crumbs', 'aria-label': t('crumbs.label') }, h('ol', null, ancestors.map((a) =>
    h('li', null, h('a', { href: '#/dashboard' + qs({ unit: a.code, day }) }, a.name)))));
}

function childTable(rep, day) {
  const kids = rep.children || [];
  if (!kids.length) return null;
  const cols = ['name', 'households', 'pct', 'residents', 'fevers', 'alerts'];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table stack kids', id: 'kids-table' },
    h('caption', null, t('dash.children', { n: kids.length })),
    h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, t('dash.col_' + c))))),
    h('tbody', null, kids.map((c) => {
      const a = c.alerts || {};
      const active = (a.open || 0) + (a.acknowledged || 0) + (a.clinic || 0) + (a.observation || 0);
      const bar = h('progress', { max: String(c.households_total || 1), value: String(c.households_reached) });
      bar.setAttribute('aria-hidden', 'true');
      return h('tr', { 'data-unit': c.unit, class: c.households_total && c.households_reached >= c.households_total ? 'done' : null },
        h('th', { scope: 'row', 'data-label': t('dash.col_name') },
          DRILL[c.kind] ? h('a', { href: '#/dashboard' + qs({ unit: c.unit, day }) }, c.name) : c.name,
          ' ', h('span', { class: 'kind' }, tv('kind', c.kind))),
        h('td', { 'data-label': t('dash.col_households') }, c.households_reached + ' / ' + c.households_total),
        h('td', { 'data-label': t('dash.col_pct') }, bar, ' ', pct(c.households_reached, c.households_total)),
        h('td', { 'data-label': t('dash.col_residents') }, c.residents_reported + ' / ' + c.residents_total),
        h('td', { 'data-label': t('dash.col_fevers'), class: c.fevers ? 'hot-text' : null }, String(c.fevers)),
        h('td', { 'data-label': t('dash.col_alerts'), class: a.open ? 'hot-text' : null }, t('dash.alerts_cell', { open: a.open || 0, active })));
    }))));
}

async function missingSection(code, day) {
  const res = await api('GET', '/coverage/missing' + qs({ unit: code, day, limit: 50 }));
  const items = res.items || [];
  return h('section', { 'aria-labelledby': 'miss-h' },
    h('h2', { id: 'miss-h' }, t('dash.missing', { n: res.total })),
    items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stack' },
      h('thead', null, h('tr', null, ['place', 'people', 'staff'].map((c) => h('th', { scope: 'col' }, t('dash.mcol_' + c))))),
      h('tbody', null, items.map((x) => h('tr', null,
        h('th', { scope: 'row', 'data-label': t('dash.mcol_place') }, h('a', { href: '#/household/' + x.household_id }, placeLabel(x))),
        h('td', { 'data-label': t('dash.mcol_people') }, (x.people_missing || []).map((p) => p.name).join('、'),
          ' (' + (x.people_missing || []).length + '/' + x.living + ')'),
        h('td', { 'data-label': t('dash.mcol_staff') }, (x.responsible || []).map((s, i) => [i ? ' · ' : '', s.name + ' ' + tv('role', s.role) + ' ',
          s.phone && s.phone.indexOf('*') < 0 ? h('a', { class: 'tel', href: 'tel:' + s.phone }, s.phone) : (s.phone || '')])))))))
      : h('p', { class: 'done-all' }, t('today.all_reached')),
    res.total > items.length ? h('p', { class: 'hint' }, t('dash.missing_more', { n: res.total - items.length })) : null);
}

// The call list of a grid or building (REGISTRY): the people without a smartphone or living
// alone who have not reported today — the secretary phones them from the desk as the grid
// worker does from the phone (it was on the grid worker's 今日 only), and records the answer
// by phone, back here.
async function callSection(code, back) {
  const res = await api('GET', '/calllist' + qs({ unit: code, limit: 50 }));
  const items = res.items || [];
  return h('section', { 'aria-labelledby': 'calls-h', id: 'dash-calls' },
    h('h2', { id: 'calls-h' }, t('dash.calls', { n: res.total })),
    h('p', { class: 'hint' }, t('dash.calls_hint')),
    items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stack' },
      h('thead', null, h('tr', null, ['who', 'place', 'phone', 'do'].map((c) => h('th', { scope: 'col' }, t('dash.ccol_' + c))))),
      h('tbody', null, items.map((p) => h('tr', { 'data-resident': String(p.id) },
        h('th', { scope: 'row', 'data-label': t('dash.ccol_who') }, p.name,
          p.age !== null && p.age !== undefined ? ' ' + t('res.age', { n: p.age }) : '', ' ', flagChips(p.flags)),
        h('td', { 'data-label': t('dash.ccol_place') }, h('a', { href: '#/household/' + p.household_id }, placeLabel(p))),
        h('td', { 'data-label': t('dash.ccol_phone') }, p.phone && p.phone.indexOf('*') < 0
          ? h('a', { class: 'tel', href: 'tel:' + p.phone }, p.phone) : (p.phone || t('today.no_phone'))),
        h('td', { 'data-label': t('dash.ccol_do') }, h('a', { class: 'btn btn-small', 'data-record': String(p.household_id),
          href: '#/household/' + p.household_id + '/rollcall' + qs({ channel: 'phone', back }) }, t('today.record'))))))))
      : h('p', { class: 'done-all' }, t('today.no_calls')),
    res.total > items.length ? h('p', { class: 'hint' }, t('dash.calls_more', { n: res.total - items.length })) : null);
}

function feedItem(type, a) {
  const li = h('li', { class: 'feed-item feed-' + type, 'data-alert': a.id ? String(a.id) : null },
    h('span', { class: 'feed-at' }, fmtTime(a.updated_at || a.opened_at || a.raised_at || '').slice(11) || hhmm(beijingMinutes())), ' ');
  if (type === 'reminder') {
    li.appendChild(h('span', null, t('dash.feed_reminder', { name: a.name, n: a.households_missing })));
    return li;
  }
  li.appendChild(h('a', { href: '#/alert/' + a.id }, a.resident_name));
  li.appendChild(document.createTextNode(' · ' + placeLabel(a) + ' · ' + [a.temperature !== null && a.temperature !== undefined ? fmtTemp(a.temperature) : '',
    (a.symptoms || []).map((s) => tv('sym', s)).join('、')].filter(Boolean).join(' ') + ' '));
  li.appendChild(alertStateBadge(a.state));
  if (type === 'alert_escalated' || a.level > 0) li.appendChild(h('span', { class: 'badge badge-escalated' }, t('alert.escalated_badge', { n: a.level })));
  return li;
}

export default async function dashboardView(ctx) {
  const code = ctx.query.unit || session.me.unit_code;
  const askedDay = /^\d{4}-\d\d-\d\d$/.test(ctx.query.day || '') ? ctx.query.day : '';
  // a day after today has no data (the server refuses it): today's page, saying why
  if (askedDay && askedDay > rollDay()) {
    ctx.flash(t('dash.future_day', { day: askedDay }));
    window.location.replace('#/dashboard' + qs({ unit: ctx.query.unit }));
    return h('section', null);
  }
  const [u, rep, active, cats] = await Promise.all([
    api('GET', '/units/' + enc(code)),
    api('GET', '/reports/daily' + qs({ unit: code, day: askedDay, format: 'json' })),
    api('GET', '/alerts' + qs({ unit: code, state: 'active', limit: 20 })),
    // the four categories (today's counts; a page that cannot have them still draws)
    can.categories() ? api('GET', '/categories' + qs({ unit: code })).catch((e) => {
      if (e.handled) throw e;
      return null;
    }) : null,
  ]);
  const day = rep.day;
  const serverToday = askedDay ? (await api('GET', '/coverage' + qs({ unit: code }))).day : day;
  session.day = serverToday;
  const isToday = day === serverToday;
  ctx.title = t('dash.title', { name: u.name });
  // the supply rounds and the cash in hand (docs/api.md "Supplies")
  let supplyBox = isToday && can.supply() ? await supplyTile(code) : null;

  // a wide page on desktops
  ctx.wide = true;

  const activeCount = (s) => (s.open || 0) + (s.acknowledged || 0) + (s.clinic || 0) + (s.observation || 0);
  const statsBox = h('div', { id: 'dash-stats' }, coverageStats(rep, activeCount(rep.alerts || {})));
  const kidsBox = h('div', { id: 'dash-kids' }, childTable(rep, askedDay));
  const liveBadge = h('span', { class: 'live-state', role: 'status' });
  if (isToday) {
    ctx.onLeave(onState((s) => {
      liveBadge.textContent = t('live.' + s);
      liveBadge.className = 'live-state live-' + s;
    }));
  }

  // charts
  const chartEls = {
    coverage: h('div', { class: 'chart', id: 'chart-coverage', role: 'img', 'aria-label': t('dash.chart_coverage') }),
    curve: h('div', { class: 'chart', id: 'chart-curve', role: 'img', 'aria-label': t('dash.chart_curve') }),
    fevers: h('div', { class: 'chart', id: 'chart-fevers', role: 'img', 'aria-label': t('dash.chart_fevers') }),
    alerts: h('div', { class: 'chart', id: 'chart-alerts', role: 'img', 'aria-label': t('dash.chart_alerts') }),
  };
  if (cats) chartEls.categories = h('div', { class: 'chart', id: 'chart-categories', role: 'img', 'aria-label': t('dash.chart_categories') });
  const catBox = h('div', { id: 'dash-cat-box' }, categoriesSection(cats));
  const chartNote = h('p', { class: 'hint', hidden: true });
  const panel = (key, title, note) => h('figure', { class: 'chart-card' },
    h('figcaption', null, title, note ? h('span', { class: 'hint' }, note) : null), chartEls[key]);

  let yFinal = 0;
  let yCurve = [];
  let days = [];
  const charts = {};
  let curve = [];

  const draw = () => {
    if (!charts.coverage) return;
    charts.coverage.setOption(coverageOption(rep), true);
    const pts = [[0, 0]].concat(curve.filter((p) => p[0] > 0));
    charts.curve.setOption(curveOption(pts, yCurve.length ? [[0, 0]].concat(yCurve) : [], yFinal, isToday), true);
    charts.fevers.setOption(feversOption(days), true);
    charts.alerts.setOption(alertsOption(rep.alerts || {}), true);
    if (charts.categories && cats) charts.categories.setOption(categoriesOption(cats), true);
  };

  // data behind the charts: yesterday's total and the last 7 days, then ECharts
  const mounted = new Promise((resolve) => ctx.onMount(resolve));
  const setup = (async () => {
    const seven = await Promise.all([6, 5, 4, 3, 2, 1].map((n) => api('GET', '/coverage' + qs({ unit: code, day: dayMinus(day, n) }))));
    days = seven.map((c) => ({ day: c.day, fevers: c.fevers, symptomatic: c.symptomatic, reported: c.residents_reported }))
      .concat([{ day, fevers: rep.fevers, symptomatic: rep.symptomatic, reported: rep.residents_reported }]);
    yFinal = seven[5].residents_reported;
    const cv = await api('GET', '/coverage/curve' + qs({ unit: code, day })).catch(() => null);
    yCurve = curvePoints(cv && cv.previous_points);
    curve = curvePoints(cv && cv.points);
    if (isToday) curve = liveSample(curve, beijingMinutes(), rep.residents_reported);
    let echarts;
    try {
      echarts = await loadECharts();
    } catch (e) {
      chartNote.textContent = t('dash.no_echarts');
      chartNote.hidden = false;
      return;
    }
    await mounted; // ECharts takes the size of its element: it must be in the page
    if (!ctx.alive()) return;
    for (const k in chartEls) charts[k] = echarts.init(chartEls[k], null, { renderer: 'canvas', locale: getLang() === 'en' ? 'EN' : 'ZH' });
    draw();
    // a chart follows its element's size (the window, the page's width), so its labels are
    // laid out for the width they are drawn at
    // at once, not animated: labels never travel across each other from the old layout
    const onResize = () => { for (const k in charts) if (!charts[k].isDisposed()) charts[k].resize({ animation: { duration: 0 } }); };
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(onResize) : null;
    if (ro) for (const k in chartEls) ro.observe(chartEls[k]);
    window.addEventListener('resize', onResize);
    ctx.onLeave(() => {
      if (ro) ro.disconnect();
      window.removeEventListener('resize', onResize);
      for (const k in charts) charts[k].dispose();
    });
  })();
  setup.catch((e) => {
    if (e && e.handled) return;
    chartNote.textContent = (e && e.message) || String(e);
    chartNote.hidden = false;
  });

  // the live feed: active alerts first, then whatever arrives
  const feed = h('ul', { class: 'feed', id: 'feed', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions' },
    (active.items || []).map((a) => feedItem('alert', a)));
  const feedEmpty = h('p', { class: 'empty', hidden: (active.items || []).length > 0 }, t('dash.feed_empty'));
  const checkinCount = h('span', { id: 'live-checkins' }, '0');
  let nCheckins = 0;
  let refreshTimer = 0;
  const refresh = async () => {
    refreshTimer = 0;
    try {
      const r = await api('GET', '/reports/daily' + qs({ unit: code, format: 'json' }));
      if (!ctx.alive()) return;
      Object.assign(rep, r);
      if (cats) {
        const c = await api('GET', '/categories' + qs({ unit: code })).catch(() => null);
        if (!ctx.alive()) return;
        if (c) {
          Object.assign(cats, c);
          mount(catBox, categoriesSection(cats));
        }
      }
      mount(statsBox, coverageStats(rep, activeCount(rep.alerts || {})));
      mount(kidsBox, childTable(rep, askedDay));
      if (isToday) curve = liveSample(curve, beijingMinutes(), rep.residents_reported);
      if (days.length) {
        days[days.length - 1].fevers = rep.fevers;
        days[days.length - 1].symptomatic = rep.symptomatic;
      }
      draw();
    } catch (e) {
      /* the next event or the minute timer tries again */
    }
  };
  const soon = (ms) => {
    if (!refreshTimer) refreshTimer = window.setTimeout(refresh, ms);
  };
  // the supplies tile, drawn again after a `supply` event (at most once a second)
  let supplyTimer = 0;
  const refreshSupply = async () => {
    supplyTimer = 0;
    const fresh = await supplyTile(code).catch(() => null);
    if (!ctx.alive() || !fresh || !supplyBox) return;
    supplyBox.replaceWith(fresh);
    supplyBox = fresh;
  };
  if (isToday) {
    ctx.onLeave(subscribe((type, data) => {
      if (type === 'reset') { // events were missed: the feed and the numbers load again
        if (ctx.alive()) ctx.rerender();
        return;
      }
      if (type === 'supply') { // a round's orders, states or cash changed: its tile reads them again
        if (supplyBox && !supplyTimer) supplyTimer = window.setTimeout(refreshSupply, 1000);
        return;
      }
      if (type === 'checkin') {
        nCheckins += 1;
        checkinCount.textContent = String(nCheckins);
        soon(2000);
        return;
      }
      if (type === 'alert' || type === 'alert_escalated') {
        const old = feed.querySelector('[data-alert="' + Number(data.id) + '"]');
        if (old) old.remove();
        feed.insertBefore(feedItem(type, data), feed.firstChild);
        feedEmpty.hidden = true;
        soon(500);
      } else if (type === 'reminder') {
        feed.insertBefore(feedItem(type, data), feed.firstChild);
        feedEmpty.hidden = true;
      }
      while (feed.children.length > 50) feed.lastChild.remove();
    }));
    const minute = window.setInterval(() => soon(0), 60000);
    ctx.onLeave(() => {
      window.clearInterval(minute);
      window.clearTimeout(refreshTimer);
      window.clearTimeout(supplyTimer);
    });
  }

  // day and downloads
  const dayInput = h('input', { type: 'date', id: 'dash-day', value: day, max: serverToday, min: dayMinus(serverToday, 30) });
  const dayErr = h('span', { class: 'field-error', id: 'dash-day-err', hidden: true });
  dayInput.setAttribute('aria-describedby', 'dash-day-err');
  dayInput.addEventListener('change', () => {
    const future = dayInput.value > serverToday;
    dayErr.hidden = !future;
    dayErr.textContent = future ? t('dash.future_day', { day: dayInput.value }) : '';
    if (future) dayInput.setAttribute('aria-invalid', 'true');
    else dayInput.removeAttribute('aria-invalid');
    if (!future && /^\d{4}-\d\d-\d\d$/.test(dayInput.value)) {
      window.location.hash = '#/dashboard' + qs({ unit: ctx.query.unit, day: dayInput.value === serverToday ? null : dayInput.value });
    }
  });
  const dl = (fmt) => h('a', {
    class: 'btn', id: 'dl-' + fmt, download: t('dash.report_file', { name: u.name, day }) + '.' + fmt, // as the server names it
    href: '/api/v1/reports/daily' + qs({ unit: code, day, format: fmt }),
  }, t('dash.download_' + fmt));

  // the help panel (issue 18) is fetched beside the missing list, not before it
  const helpP = can.rollcall() ? helpCountsSection(code, askedDay, isToday ? { subscribe, onLeave: ctx.onLeave } : null) : null;
  if (helpP) helpP.catch(() => null); // observed here too, should the missing list fail first
  const low = HOUSEHOLD_LEVELS[u.kind];
  const missing = low ? await missingSection(code, day).catch((e) => {
    if (e.handled) throw e;
    return errorBox(e);
  }) : null;
  const calls = low && isToday && can.callList() ? await callSection(code, '#/dashboard' + qs({ unit: ctx.query.unit })).catch((e) => {
    if (e.handled) throw e;
    return errorBox(e);
  }) : null;
  const helpBox = await helpP;

  return h('section', { class: 'dashboard' },
    dashCrumbs(u.ancestors, askedDay),
    h('div', { class: 'dash-head' },
      h('h1', { tabindex: '-1' }, u.name, ' ', h('span', { class: 'kind' }, tv('kind', u.kind)), ' ',
        h('span', { class: 'kind' }, dayTitle(day))),
      isToday ? liveBadge : h('span', { class: 'live-state' }, t('dash.past_day'))),
    h('div', { class: 'dash-tools' },
      h('label', { for: 'dash-day' }, t('dash.day')), dayInput, dayErr,
      h('span', { class: 'spacer' }),
      dl('csv'), dl('xlsx'),
      h('a', { class: 'btn', href: '#/alerts' + qs({ unit: ctx.query.unit }) }, t('dash.all_alerts')),
      h('a', { class: 'btn', href: '#/unit/' + enc(code) }, t('dash.open_unit'))),
    statsBox,
    supplyBox,
    chartNote,
    h('div', { class: 'dash-grid' },
      h('div', { class: 'dash-charts' },
        (rep.children || []).length ? panel('coverage', t('dash.chart_coverage')) : panel('coverage', t('dash.chart_coverage_none')),
        panel('curve', t('dash.chart_curve'), t('dash.curve_note')),
        panel('fevers', t('dash.chart_fevers')),
        panel('alerts', t('dash.chart_alerts')),
        cats ? panel('categories', t('dash.chart_categories'), t('dash.categories_day', { day: cats.day || '' })) : null),
      h('aside', { class: 'dash-feed card', 'aria-labelledby': 'feed-h' },
        h('h2', { id: 'feed-h' }, t('dash.feed')),
        isToday ? h('p', { class: 'hint' }, t('dash.feed_checkins'), ' ', checkinCount) : null,
        feedEmpty, feed)),
    h('section', { 'aria-labelledby': 'kids-h' },
      h('h2', { id: 'kids-h' }, t('dash.children_title')), kidsBox),
    catBox,
    helpBox,
    await staffTile(code),
    isToday ? gateTile(ctx, code, subscribe) : null,
    missing, calls);
}

