// household.js — a household: its residents (as masked as the server sends them),
// occupancy evidence with a form to add more, and a small form to change occupancy.
import { api, enc, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, mount, fmtTime, field, formError, clearErrors, showError, busy, act, flagChips } from '../dom.js';
import { can, rollDay } from '../session.js';
import { crumbs, unitHref, householdLabel, occupancyBadge, fmtTemp, OCCUPANCIES } from './common.js';
import { householdSupplyPanel } from '../tiles/supply.js';

export const EVIDENCE_KINDS = ['meter', 'lights', 'neighbour', 'visit', 'census', 'other'];

function isMasked(v) {
  return typeof v === 'string' && v.indexOf('*') >= 0;
}

function residentCard(r) {
  const facts = [tv('sex', r.sex), r.age !== null && r.age !== undefined ? t('res.age', { n: r.age }) : '', r.relation || '']
    .filter(Boolean).join(' · ');
  const rows = [];
  if (r.id_number) rows.push([t('res.id'), tv('idtype', r.id_type) + ' ' + r.id_number]);
  if (r.phone) {
    rows.push([t('res.phone'), isMasked(r.phone) ? r.phone
      : h('a', { href: 'tel:' + r.phone, class: 'tel' }, r.phone)]);
  }
  if (r.birth_date) rows.push([t('res.birth_date'), r.birth_date]);
  if (r.residence && r.residence !== 'living') rows.push([t('res.residence'), tv('residence', r.residence)]);
  if (r.note) rows.push([t('res.note'), r.note]);
  return h('li', { class: 'card resident' },
    h('h3', null, r.name),
    facts ? h('p', { class: 'facts' }, facts) : null,
    flagChips(r.flags),
    rows.length ? h('dl', { class: 'kv' }, rows.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))) : null,
    can.registry() ? h('p', { class: 'actions' },
      h('a', { class: 'btn', href: '#/resident/' + r.id, 'aria-label': t('res.edit_named', { name: r.name }) }, t('res.edit'))) : null);
}

function evidenceForm(hh, ctx) {
  const kind = field({
    name: 'kind', label: t('ev.kind'), type: 'select', required: true, value: 'visit',
    options: EVIDENCE_KINDS.map((k) => [k, tv('ev', k)]),
  });
  const note = field({ name: 'note', label: t('ev.note'), maxlength: 500 });
  const fields = [kind, note];
  const form = h('form', { class: 'form', novalidate: true }, formError(), kind, note,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('ev.add'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = { kind: kind.input.value };
    if (note.input.value.trim()) body.note = note.input.value.trim();
    try {
      await busy(form, () => api('POST', '/households/' + hh.id + '/evidence', body));
      ctx.flash(t('ev.added'));
      ctx.rerender();
    } catch (e) {
      showError(form, fields, e);
    }
  });
  return form;
}

function editForm(hh, ctx) {
  const occ = field({
    name: 'occupancy', label: t('hh.occupancy'), type: 'select', value: hh.occupancy,
    options: OCCUPANCIES.map((o) => [o, tv('occ', o)]),
  });
  const note = field({ name: 'note', label: t('hh.note'), maxlength: 500, value: hh.note || '' });
  const fields = [occ, note];
  const form = h('form', { class: 'form', novalidate: true }, formError(), occ, note,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = {};
    if (occ.input.value !== hh.occupancy) body.occupancy = occ.input.value;
    const n = note.input.value.trim();
    if (n !== (hh.note || '')) body.note = n;
    if (!Object.keys(body).length) {
      ctx.flash(t('common.no_changes'));
      ctx.rerender();
      return;
    }
    try {
      await busy(form, () => api('PATCH', '/households/' + hh.id, body));
      ctx.flash(t('common.saved'));
      ctx.rerender();
    } catch (e) {
      showError(form, fields, e);
    }
  });
  return h('details', { class: 'panel' }, h('summary', null, t('hh.edit')), form);
}

// The household's QR link for self-report: issue (replaces the old one) or revoke.  The
// server keeps only a hash of the link, so the code is shown once, when it is issued.
function linkPanel(hh) {
  const out = h('div', { class: 'qr-out', 'aria-live': 'polite' });
  const err = formError();
  const issue = h('button', { type: 'button', class: 'btn btn-primary', id: 'link-issue' }, t('link.issue'));
  const revoke = h('button', { type: 'button', class: 'btn btn-danger', id: 'link-revoke' }, t('link.revoke'));
  issue.addEventListener('click', () => act(err, issue, async () => {
    const res = await api('POST', '/households/' + hh.id + '/link', {});
    const url = h('input', { type: 'text', readOnly: true, class: 'mono', id: 'link-url', value: res.url, 'aria-label': t('link.url') });
    url.addEventListener('focus', () => url.select());
    mount(out,
      svgImage(res.svg, t('link.qr_alt', { place: householdLabel(hh) })),
      h('label', { for: 'link-url' }, t('link.url')), url,
      h('p', { class: 'hint' }, t('link.issued_hint')));
  }));
  revoke.addEventListener('click', () => {
    if (!window.confirm(t('link.confirm_revoke'))) return;
    act(err, null, async () => {
      await api('DELETE', '/households/' + hh.id + '/link');
      mount(out, h('p', { class: 'status-ok', role: 'status' }, t('link.revoked')));
    });
  });
  return h('details', { class: 'panel', id: 'link-panel' },
    h('summary', null, t('link.title')),
    h('p', { class: 'hint' }, t('link.hint')),
    err,
    h('p', { class: 'actions' }, issue, revoke),
    out);
}

// The household's pass (出入证) for a closed compound's gate: issued here (a new card voids
// the old one), shown once with its QR code and number, printable as an A6 card.  The
// server keeps only a hash of the number.
function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
}
function groups(token) {
  return token.replace(/(.{4})(?=.)/g, '$1 ');
}
function printPass(hh, res, qr) {
  const w = window.open('', '_blank');
  const html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>' + esc(t('pass.card_title')) +
    '</title><link rel="stylesheet" href="' + window.location.origin + '/print.css"></head><body class="pass-print">' +
    '<div class="pass-card"><h1>' + esc(t('pass.card_title')) + '</h1><p class="pass-where">' + esc(householdLabel(hh)) + '</p>' +
    '<img class="pass-qr" alt="" src="' + qr.src + '"><p class="pass-token">' + esc(groups(res.token)) + '</p>' +
    '<p>' + esc(t('pass.valid', { from: res.valid_from, to: res.valid_to })) + '</p>' +
    '<p class="pass-rule">' + esc(t('pass.card_rule')) + '</p></div></body></html>';
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
  if (w) w.location.href = url;
  else window.location.href = url;
  window.setTimeout(() => URL.revokeObjectURL(url), 120000);
}
function passPanel(hh) {
  const out = h('div', { class: 'qr-out', 'aria-live': 'polite' });
  const err = formError();
  const issue = h('button', { type: 'button', class: 'btn btn-primary', id: 'pass-issue' }, t('pass.issue'));
  issue.addEventListener('click', () => act(err, issue, async () => {
    const res = await api('POST', '/households/' + hh.id + '/pass', {});
    const qr = svgImage(res.svg, t('pass.qr_alt', { place: householdLabel(hh) }));
    const revoke = h('button', { type: 'button', class: 'btn btn-danger', id: 'pass-revoke' }, t('pass.revoke'));
    revoke.addEventListener('click', () => {
      if (!window.confirm(t('pass.confirm_revoke'))) return;
      act(err, null, async () => {
        await api('DELETE', '/passes/' + res.id);
        mount(out, h('p', { class: 'status-ok', role: 'status' }, t('pass.revoked')));
      });
    });
    mount(out,
      h('div', { class: 'pass-card', id: 'pass-card', 'data-pass': String(res.id) },
        h('p', { class: 'pass-where' }, householdLabel(hh)),
        qr,
        h('p', { class: 'mono pass-token', id: 'pass-token' }, groups(res.token)),
        h('p', null, t('pass.valid', { from: res.valid_from, to: res.valid_to }))),
      h('p', { class: 'actions' },
        h('button', { type: 'button', class: 'btn', id: 'pass-print', on: { click: () => printPass(hh, res, qr) } }, t('pass.print')),
        revoke),
      h('p', { class: 'hint' }, t('pass.issued_hint')));
  }));
  return h('details', { class: 'panel', id: 'pass-panel' },
    h('summary', null, t('pass.title')),
    h('p', { class: 'hint' }, t('pass.hint')),
    err,
    h('p', { class: 'actions' }, issue),
    out);
}

// The server's SVG as an <img> (data: URL): no markup of it enters the page.
export function svgImage(svg, alt) {
  const bytes = new TextEncoder().encode(svg || '');
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return h('img', { class: 'qr-img', alt, width: 240, height: 240, src: 'data:image/svg+xml;base64,' + window.btoa(bin) });
}

// Today's check-ins of the household (the roll-call roles).
async function todayPanel(hh) {
  let res;
  try {
    res = await api('GET', '/checkins' + qs({ household: hh.id, day: rollDay() }));
  } catch (e) {
    if (e.handled) throw e;
    return null;
  }
  const cur = (res.items || []).filter((c) => c.current);
  const names = {};
  for (const r of hh.residents || []) names[r.id] = r.name;
  return h('section', { 'aria-labelledby': 'today-h' },
    h('h2', { id: 'today-h' }, t('hh.today', { n: cur.length })),
    cur.length ? h('ul', { class: 'list plain' }, cur.map((c) => h('li', { class: c.fever || c.day_fever ? 'hot-row' : null },
      h('strong', null, names[c.resident_id] || '#' + c.resident_id), ' · ',
      c.status === 'reported' ? (c.temperature !== null ? fmtTemp(c.temperature) : t('rc.normal')) : tv('rstatus', c.status),
      (c.symptoms || []).length ? ' · ' + c.symptoms.map((x) => tv('sym', x)).join('、') : '',
      c.day_fever && !c.fever ? h('strong', { class: 'hot-text' }, ' · ' + t('rc.day_fever')) : null,
      ' · ', tv('channel', c.channel), ' · ', fmtTime(c.recorded_at).slice(11),
      c.recorded_by_name || c.recorded_by ? ' · ' + (c.recorded_by_name || c.recorded_by) : '')))
      : h('p', { class: 'empty' }, t('hh.today_none')));
}

export default async function householdView(ctx) {
  const id = ctx.params[0];
  const hh = await api('GET', '/households/' + enc(id));
  let unit = null;
  try {
    unit = await api('GET', '/units/' + enc(hh.unit_code));
  } catch (e) {
    if (e.handled) throw e;
  }
  const label = householdLabel(hh);
  ctx.title = label;
  const residents = hh.residents || [];
  const evidence = hh.evidence || [];
  const today = can.rollcall() && !hh.retired ? await todayPanel(hh) : null;
  const supply = (can.registry() || can.evidence()) && !hh.retired ? await householdSupplyPanel(hh) : null;

  return h('section', null,
    unit ? crumbs(unit.ancestors, { name: unit.name, href: unitHref(unit.code) }) : null,
    h('h1', { tabindex: '-1' }, label),
    h('p', { class: 'facts' }, occupancyBadge(hh.occupancy), ' ', t('hh.count', { n: residents.length }),
      hh.retired ? ' · ' + t('hh.retired') : ''),
    hh.note ? h('p', { class: 'note' }, hh.note) : null,
    (can.checkin() || can.registry()) && !hh.retired ? h('p', { class: 'actions' },
      can.checkin() ? h('a', { class: 'btn btn-primary', id: 'rollcall-link', href: '#/household/' + hh.id + '/rollcall' }, t('hh.rollcall')) : null,
      can.registry() ? h('a', { class: 'btn', href: '#/household/' + hh.id + '/new-resident' }, t('res.add')) : null) : null,
    today,
    supply,
    can.links() && !hh.retired ? linkPanel(hh) : null,
    can.links() && !hh.retired ? passPanel(hh) : null,
    h('section', { 'aria-labelledby': 'res-h' },
      h('h2', { id: 'res-h' }, t('hh.residents', { n: residents.length })),
      residents.length ? h('ul', { class: 'cards' }, residents.map(residentCard)) : h('p', { class: 'empty' }, t('hh.no_residents'))),
    h('section', { 'aria-labelledby': 'ev-h' },
      h('h2', { id: 'ev-h' }, t('ev.title', { n: evidence.length })),
      evidence.length
        ? h('ul', { class: 'list plain' }, evidence.map((e) => h('li', null,
          h('strong', null, tv('ev', e.kind)), ' · ', fmtTime(e.recorded_at),
          e.recorded_by_name || e.recorded_by ? ' · ' + (e.recorded_by_name || e.recorded_by) : '',
          e.note ? h('span', { class: 'ev-note' }, e.note) : null)))
        : h('p', { class: 'empty' }, t('ev.none')),
      can.evidence() && !hh.retired ? h('details', { class: 'panel' }, h('summary', null, t('ev.add_title')), evidenceForm(hh, ctx)) : null),
    can.registry() && !hh.retired ? editForm(hh, ctx) : null);
}
