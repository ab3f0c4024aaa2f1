// users.js — accounts at or below a unit (#/users?unit=CODE&o=OFFSET): list, disable or
// enable, and add an account.
import { api, enc, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, field, formError, clearErrors, showError, busy, act, pager } from '../dom.js';
import { can, session } from '../session.js';
import { unitHref } from './common.js';

const PAGE = 50;

function usersHash(unit, o) {
  return '#/users' + qs({ unit, o: o || null });
}

function addForm(unit, ctx) {
  const f = {
    username: field({ name: 'username', label: t('users.username'), required: true, maxlength: 32, autocomplete: 'off', hint: t('users.username_hint') }),
    display_name: field({ name: 'display_name', label: t('users.display_name'), maxlength: 50, autocomplete: 'off' }),
    password: field({ name: 'password', label: t('users.password'), type: 'password', required: true, autocomplete: 'new-password', hint: t('users.password_hint'), maxlength: 256 }),
    role: field({ name: 'role', label: t('users.role'), type: 'select', required: true, value: 'grid_worker', options: can.grantable().map((r) => [r, tv('role', r)]) }),
    unit_code: field({ name: 'unit_code', label: t('users.unit_code'), required: true, maxlength: 64, value: unit, autocomplete: 'off', hint: t('users.unit_hint') }),
    phone: field({ name: 'phone', label: t('users.phone'), type: 'tel', maxlength: 24, autocomplete: 'off', inputmode: 'tel' }),
  };
  f.username.input.setAttribute('autocapitalize', 'none');
  f.username.input.setAttribute('spellcheck', 'false');
  const fields = Object.keys(f).map((k) => f[k]);
  const form = h('form', { class: 'form grid-form', novalidate: true }, formError(), fields,
    h('p', { class: 'actions wide' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('users.add'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = {};
    for (const k of Object.keys(f)) {
      const v = k === 'password' ? f[k].input.value : f[k].input.value.trim();
      if (v) body[k] = v;
    }
    for (const k of ['username', 'password', 'unit_code']) {
      if (!body[k]) return showError(form, fields, { field: k, message: t('common.required') });
    }
    try {
      const u = await busy(form, () => api('POST', '/users', body));
      ctx.flash(t('users.added', { name: u.display_name, username: u.username }));
      ctx.rerender();
    } catch (e) {
      showError(form, fields, e);
    }
  });
  return form;
}

async function setDisabled(u, disabled, ctx, btn, err) {
  if (disabled && !window.confirm(t('users.confirm_disable', { name: u.display_name, username: u.username }))) return;
  await act(err, btn, async () => {
    await api('PATCH', '/users/' + enc(u.username), { disabled });
    ctx.flash(t(disabled ? 'users.disabled_done' : 'users.enabled_done', { username: u.username }));
    ctx.rerender();
  });
}

export default async function usersView(ctx) {
  ctx.title = t('users.title');
  if (!can.users()) return h('section', null, h('h1', { tabindex: '-1' }, ctx.title), h('p', { class: 'notice' }, t('common.not_allowed')));
  const unit = ctx.query.unit || session.me.unit_code;
  const offset = Math.max(0, parseInt(ctx.query.o, 10) || 0);
  const [list, u] = await Promise.all([
    api('GET', '/users' + qs({ unit, limit: PAGE, offset })),
    api('GET', '/units/' + enc(unit)),
  ]);
  const items = list.items || [];
  const listErr = formError();
  const rows = items.map((x) => {
    const self = x.username === session.me.username;
    const btn = h('button', { type: 'button', class: 'btn btn-small' + (x.disabled ? '' : ' btn-danger') },
      x.disabled ? t('users.enable') : t('users.disable'));
    btn.setAttribute('aria-label', t(x.disabled ? 'users.enable_named' : 'users.disable_named', { username: x.username }));
    btn.addEventListener('click', () => setDisabled(x, !x.disabled, ctx, btn, listErr));
    return h('tr', { class: x.disabled ? 'off' : null },
      h('td', { 'data-label': t('users.display_name') }, h('strong', null, x.display_name), h('br'), h('span', { class: 'mono' }, x.username)),
      h('td', { 'data-label': t('users.role') }, tv('role', x.role)),
      h('td', { 'data-label': t('users.unit') }, x.unit_name),
      h('td', { 'data-label': t('users.phone') }, x.phone || '—'),
      h('td', { 'data-label': t('users.status') }, x.disabled ? t('users.is_disabled') : t('users.is_active')),
      h('td', { 'data-label': t('users.actions') }, self ? t('users.you') : btn));
  });
  return h('section', null,
    h('h1', { tabindex: '-1' }, ctx.title),
    h('p', null, t('users.at', { name: u.name }), ' ', h('a', { href: unitHref(u.code) }, t('users.open_unit'))),
    h('details', { class: 'panel' }, h('summary', null, t('users.add_title')), addForm(u.code, ctx)),
    listErr,
    items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stack' },
      h('caption', null, t('users.count', { n: list.total })),
      h('thead', null, h('tr', null, ['display_name', 'role', 'unit', 'phone', 'status', 'actions'].map((k) =>
        h('th', { scope: 'col' }, t('users.' + k))))),
      h('tbody', null, rows))) : h('p', { class: 'empty' }, t('users.none')),
    pager(list.total, PAGE, offset, (o) => {
      window.location.hash = usersHash(ctx.query.unit || null, o);
    }));
}
