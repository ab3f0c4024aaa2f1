// unit.js — one unit of the grid tree: breadcrumbs, counts, children; at a building or
// an entrance its households, a page at a time (#/unit/CODE?o=OFFSET).
import { api, enc, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, fmtTime, pager, formError, field, clearErrors, showError, busy, act } from '../dom.js';
import { can, session } from '../session.js';
import { crumbs, unitHref, exportLinks, occupancyBadge, LOCK_LEVELS, lockLevel, lockdownBadge, lockdownNote } from './common.js';

const PAGE = 50;
let focusToggle = false; // the page is drawn again because the retired toggle changed

// The printable sheet of household QR codes: the server answers HTML, opened in a new
// window from a Blob URL (a form could not send X-Wangge).  The window is opened in the
// click itself so that pop-up blockers let it through.
async function printSheet(u, btn, err) {
  if (!window.confirm(t('unit.sheet_confirm', { name: u.name }))) return;
  const w = window.open('', '_blank');
  const ok = await act(err, btn, async () => {
    let html = await api('POST', '/units/' + enc(u.code) + '/link-sheet', {}, { text: true });
    // a blob: document has no base URL of its own: give the stylesheet its full address
    html = html.replace('href="/print.css"', 'href="' + window.location.origin + '/print.css"');
    const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
    if (w) w.location.href = url;
    else window.location.href = url;
    window.setTimeout(() => URL.revokeObjectURL(url), 120000);
  });
  if (!ok && w) w.close();
}

function holdsHouseholds(kind) {
  return kind === 'building' || kind === 'entrance';
}

// ---- unit administration (admin, command, community: ROLES_TREE) ----

// src/domain/units.c: a compound (小区, the area behind one set of gates) sits under a
// community or a grid, above buildings.
export const KINDS = ['province', 'city', 'district', 'street', 'community', 'grid', 'compound', 'building', 'entrance'];

// The kind a new child most likely has: the next one down (a grid may hold sub-grids or a
// compound, but buildings are the usual case).
function childKind(kind) {
  const i = KINDS.indexOf(kind);
  const next = i >= 0 && i < KINDS.length - 1 ? KINDS[i + 1] : 'entrance';
  return next === 'compound' ? 'building' : next;
}

function adminForm(fields, submitLabel, onSubmit, primary) {
  const form = h('form', { class: 'form', novalidate: true }, formError(), fields,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn' + (primary ? ' btn-primary' : '') }, submitLabel)));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      await onSubmit(form);
    } catch (e) {
      showError(form, fields, e);
    }
  });
  return form;
}

function patchUnit(form, code, body) {
  return busy(form, () => api('PATCH', '/units/' + enc(code), body));
}

function addChildPanel(u, ctx) {
  const at = KINDS.indexOf(u.kind);
  const kinds = KINDS.filter((k, i) => i > at || (k === 'grid' && u.kind === 'grid'));
  const code = field({ name: 'code', label: t('unitadm.code'), required: true, maxlength: 64, hint: t('unitadm.code_hint'), autocomplete: 'off' });
  const name = field({ name: 'name', label: t('unitadm.name'), required: true, maxlength: 100, autocomplete: 'off' });
  const kind = field({ name: 'kind', label: t('unitadm.kind'), type: 'select', value: childKind(u.kind), options: kinds.map((k) => [k, tv('kind', k)]) });
  const fields = [code, name, kind];
  const form = adminForm(fields, t('unitadm.add_submit'), async (f) => {
    const c = code.input.value.trim();
    const n = name.input.value.trim();
    if (!c) return showError(f, fields, { field: 'code', message: t('common.required') });
    if (!n) return showError(f, fields, { field: 'name', message: t('common.required') });
    const made = await busy(f, () => api('POST', '/units', { code: c, parent_code: u.code, kind: kind.input.value, name: n }));
    ctx.flash(t('unitadm.added', { name: (made && made.name) || n }));
    ctx.rerender();
  }, true);
  return h('details', { class: 'panel', id: 'unit-add' }, h('summary', null, t('unitadm.add_title')), form);
}

function renamePanel(u, ctx) {
  const name = field({ name: 'name', label: t('unitadm.new_name'), required: true, maxlength: 100, value: u.name, autocomplete: 'off' });
  const fields = [name];
  const form = adminForm(fields, t('unitadm.rename_submit'), async (f) => {
    const n = name.input.value.trim();
    if (!n) return showError(f, fields, { field: 'name', message: t('common.required') });
    if (n === u.name) return showError(f, fields, { field: 'name', message: t('common.no_changes') });
    await patchUnit(f, u.code, { name: n });
    ctx.flash(t('unitadm.renamed', { name: n }));
    ctx.rerender();
  });
  return h('details', { class: 'panel', id: 'unit-rename' }, h('summary', null, t('unitadm.rename_title')), form);
}

function movePanel(u, ctx) {
  const parent = field({ name: 'parent_code', label: t('unitadm.parent_code'), required: true, maxlength: 64,
    value: u.parent_code || '', hint: t('unitadm.parent_hint'), autocomplete: 'off' });
  const fields = [parent];
  const form = adminForm(fields, t('unitadm.move_submit'), async (f) => {
    const p = parent.input.value.trim();
    if (!p) return showError(f, fields, { field: 'parent_code', message: t('common.required') });
    if (p === u.parent_code) return showError(f, fields, { field: 'parent_code', message: t('common.no_changes') });
    await patchUnit(f, u.code, { parent_code: p });
    ctx.flash(t('unitadm.moved', { parent: p }));
    ctx.rerender();
  });
  return h('details', { class: 'panel', id: 'unit-move' }, h('summary', null, t('unitadm.move_title')), form);
}

// Restore a retired child from the children list: the same PATCH as the restore panel.
async function restoreChild(c, btn, ctx, err) {
  if (!window.confirm(t('unitadm.restore_confirm', { name: c.name }))) return;
  await act(err, btn, async () => {
    await api('PATCH', '/units/' + enc(c.code), { retired: false });
    ctx.flash(t('unitadm.restored_done', { name: c.name }));
    ctx.rerender();
  });
}

function retirePanel(u, ctx) {
  const retire = !u.retired;
  const form = adminForm([], retire ? t('unitadm.retire_submit') : t('unitadm.restore_submit'), async (f) => {
    if (!window.confirm(t(retire ? 'unitadm.retire_confirm' : 'unitadm.restore_confirm', { name: u.name }))) return;
    await patchUnit(f, u.code, { retired: retire });
    ctx.flash(t(retire ? 'unitadm.retired_done' : 'unitadm.restored_done', { name: u.name }));
    ctx.rerender();
  });
  form.insertBefore(h('p', { class: 'hint' }, t(retire ? 'unitadm.retire_hint' : 'unitadm.restore_hint')), form.lastChild);
  return h('details', { class: 'panel', id: 'unit-retire' },
    h('summary', null, t(retire ? 'unitadm.retire_title' : 'unitadm.restore_title')), form);
}

// The lockdown level of the unit (EPI roles and command): none, compound, building, unit.
function lockdownPanel(u, ctx) {
  if (!can.lockdown() || u.retired) return null;
  const level = field({
    name: 'level', label: t('lock.new_level'), type: 'select', required: true, value: lockLevel(u.lockdown) || 'none',
    options: LOCK_LEVELS.map((l) => [l, tv('lock', l)]),
  });
  const reason = field({ name: 'reason', label: t('lock.reason'), required: true, maxlength: 200, autocomplete: 'off' });
  const fields = [level, reason];
  const form = adminForm(fields, t('lock.submit'), async (f) => {
    const r = reason.input.value.trim();
    if (!r) return showError(f, fields, { field: 'reason', message: t('common.required') });
    await busy(f, () => api('POST', '/units/' + enc(u.code) + '/lockdown', { level: level.input.value, reason: r }));
    ctx.flash(t('lock.saved', { name: u.name, level: tv('lock', level.input.value) }));
    ctx.rerender();
  });
  return h('details', { class: 'panel', id: 'unit-lockdown' }, h('summary', null, t('lock.title')), form);
}

function adminSection(u, ctx) {
  if (!can.tree()) return null;
  return h('section', { 'aria-labelledby': 'adm-h', class: 'unit-admin' },
    h('h2', { id: 'adm-h' }, t('unitadm.title')),
    !u.retired && u.kind !== 'entrance' ? addChildPanel(u, ctx) : null,
    renamePanel(u, ctx),
    u.parent_code && u.code !== session.me.unit_code ? movePanel(u, ctx) : null,
    retirePanel(u, ctx));
}

export default async function unitView(ctx) {
  const code = ctx.params[0];
  const offset = Math.max(0, parseInt(ctx.query.o, 10) || 0);
  const showRetired = ctx.query.retired === '1';
  const fromToggle = focusToggle;
  focusToggle = false;
  const [u, kids, cov] = await Promise.all([
    api('GET', '/units/' + enc(code)),
    api('GET', '/units/' + enc(code) + '/children' + qs({ retired: showRetired ? '1' : null })),
    // for the lockdown levels below this unit (coverage carries them)
    can.people() ? api('GET', '/coverage' + qs({ unit: code })).catch((e) => {
      if (e.handled) throw e;
      return null;
    }) : null,
  ]);
  let hh = null;
  if (holdsHouseholds(u.kind)) hh = await api('GET', '/households' + qs({ unit: code, limit: PAGE, offset }));
  ctx.title = u.name;

  const stats = h('dl', { class: 'stats' },
    h('div', null, h('dt', null, t('unit.households')), h('dd', null, String(u.households))),
    h('div', null, h('dt', null, t('unit.residents')), h('dd', null, String(u.residents))),
    h('div', null, h('dt', null, t('unit.units_below')), h('dd', null, String(u.units_below))));

  const actions = [];
  if (can.registry() && holdsHouseholds(u.kind) && !u.retired)
    actions.push(h('a', { class: 'btn btn-primary', href: unitHref(code) + '/new-household' }, t('unit.add_household')));
  if (can.users()) actions.push(h('a', { class: 'btn', href: '#/users' + qs({ unit: code }) }, t('unit.accounts')));
  if (can.categories()) actions.push(h('a', { class: 'btn', href: '#/categories/' + enc(code) }, t('unit.categories')));
  if (can.dashboard()) actions.push(h('a', { class: 'btn', href: '#/dashboard' + qs({ unit: code }) }, t('unit.dashboard')));
  else if (can.today()) actions.push(h('a', { class: 'btn', href: '#/today' + qs({ unit: code }) }, t('unit.today')));
  const sheetErr = formError();
  if (can.links() && holdsHouseholds(u.kind) && !u.retired) {
    const b = h('button', { type: 'button', class: 'btn', id: 'print-sheet' }, t('unit.print_sheet'));
    b.addEventListener('click', () => printSheet(u, b, sheetErr));
    actions.push(b);
  }

  const children = kids.items || [];
  const active = children.filter((c) => !c.retired).length;
  const kidsErr = formError();
  const childList = children.length
    ? h('ul', { class: 'list', id: 'kids-list' }, children.map((c) => {
      const link = h('a', { class: 'row-link', href: unitHref(c.code) },
        h('span', { class: 'row-main' }, c.name, c.retired ? h('span', { class: 'badge badge-retired' }, t('unit.retired')) : null),
        h('span', { class: 'row-sub' }, tv('kind', c.kind), c.retired && c.retired_at ? ' · ' + fmtTime(c.retired_at) : ''));
      if (!c.retired) return h('li', { 'data-unit': c.code }, link);
      let restore = null;
      if (can.tree() && !u.retired) {
        restore = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('unit.restore_label', { name: c.name }) }, t('unit.restore'));
        restore.addEventListener('click', () => restoreChild(c, restore, ctx, kidsErr));
      }
      return h('li', { class: 'retired', 'data-unit': c.code, 'data-retired': '' }, link, restore);
    }))
    : null;
  // "show retired units": ?retired=1 in the page's address, so that it outlives a restore
  const toggle = u.kind === 'entrance' && !showRetired ? null : h('input', { type: 'checkbox', id: 'show-retired', checked: showRetired });
  if (toggle) {
    toggle.addEventListener('change', () => {
      focusToggle = true;
      window.location.hash = unitHref(code) + qs({ retired: toggle.checked ? '1' : null, o: offset || null });
    });
  }
  // Shown where units usually are below, or where there are some; at a building without
  // entrances the toggle alone.
  const kidsFull = !!(childList || showRetired || (toggle && !holdsHouseholds(u.kind)));
  const kidsSection = kidsFull
    ? h('section', { 'aria-labelledby': 'kids-h', id: 'kids' },
      h('h2', { id: 'kids-h' }, t('unit.children', { n: active }),
        showRetired && children.length > active ? h('span', { class: 'kind' }, t('unit.retired_below', { n: children.length - active })) : null),
      toggle ? h('p', { class: 'toggle' }, toggle, h('label', { for: 'show-retired' }, t('unit.show_retired'))) : null,
      kidsErr,
      childList || h('p', { class: 'empty' }, t('unit.empty')))
    : toggle ? h('p', { class: 'toggle', id: 'kids' }, toggle, h('label', { for: 'show-retired' }, t('unit.show_retired'))) : null;

  let households = null;
  if (hh) {
    const items = hh.items || [];
    const hhHead = h('h2', { id: 'hh-h', tabindex: '-1' }, t('unit.household_list', { n: hh.total }));
    if (offset > 0) ctx.focus = hhHead; // paging: land on the list, not the top
    households = h('section', { 'aria-labelledby': 'hh-h' },
      hhHead,
      items.length
        ? h('ul', { class: 'list' }, items.map((x) =>
          h('li', null, h('a', { class: 'row-link', href: '#/household/' + x.id },
            h('span', { class: 'row-main' }, u.kind === 'building' && x.entrance ? x.entrance + ' ' + x.room : x.room),
            h('span', { class: 'row-sub' }, occupancyBadge(x.occupancy), ' ', t('hh.count', { n: x.resident_count }),
              x.note ? ' · ' + x.note : '')))))
        : h('p', { class: 'empty' }, t('unit.no_households')),
      pager(hh.total, PAGE, offset, (o) => {
        window.location.hash = unitHref(code) + qs({ retired: showRetired ? '1' : null, o: o || null });
      }));
  }

  const hist = (u.history || []).length
    ? h('details', { class: 'history' },
      h('summary', null, t('unit.history')),
      h('ul', null, u.history.map((x) => h('li', null,
        fmtTime(x.at), ' · ', tv('hist', x.action),
        x.old ? ' · ' + x.old + ' → ' : ' · ', x.new || '',
        x.by ? ' · ' + x.by : ''))))
    : null;

  if (fromToggle && toggle) { // stay where the user was, on the toggle
    ctx.keepScroll = true;
    ctx.focus = toggle;
  }
  return h('section', null,
    crumbs(u.ancestors, null),
    h('h1', { tabindex: '-1' }, u.name, ' ', h('span', { class: 'kind' }, tv('kind', u.kind)), ' ', lockdownBadge(u.lockdown || (cov && cov.lockdown))),
    u.retired ? h('p', { class: 'notice' }, t('unit.retired_at', { at: fmtTime(u.retired_at) })) : null,
    stats,
    lockdownNote(u.lockdown || (cov && cov.lockdown), cov ? cov.lockdowns : null, u.code),
    actions.length ? h('p', { class: 'actions' }, actions) : null,
    sheetErr,
    kidsSection,
    households,
    !kidsFull && !hh ? h('p', { class: 'empty' }, t('unit.empty')) : null,
    can.exportResidents() ? h('section', { 'aria-labelledby': 'exp-h' },
      h('h2', { id: 'exp-h' }, t('export.title')), h('p', { class: 'hint' }, t('export.hint', { name: u.name })), exportLinks(code)) : null,
    lockdownPanel(u, ctx),
    adminSection(u, ctx),
    hist);
}
