// account.js — who I am, and a password change (which ends my sessions: log in again).
import { api, enc } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, field, formError, clearErrors, showError, busy } from '../dom.js';
import { session } from '../session.js';

export default async function accountView(ctx) {
  const me = session.me;
  ctx.title = t('account.title');
  const cur = field({ name: 'current_password', label: t('account.current'), type: 'password', required: true, autocomplete: 'current-password', maxlength: 256 });
  const pw = field({ name: 'password', label: t('account.new'), type: 'password', required: true, autocomplete: 'new-password', hint: t('users.password_hint'), maxlength: 256 });
  const pw2 = field({ name: 'password2', label: t('account.again'), type: 'password', required: true, autocomplete: 'new-password', maxlength: 256 });
  const fields = [cur, pw, pw2];
  const form = h('form', { class: 'form', novalidate: true }, formError(), cur, pw, pw2,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('account.change'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!cur.input.value) return showError(form, fields, { field: 'current_password', message: t('common.required') });
    if (!pw.input.value) return showError(form, fields, { field: 'password', message: t('common.required') });
    if (pw.input.value !== pw2.input.value) return showError(form, fields, { field: 'password2', message: t('account.mismatch') });
    try {
      await busy(form, () => api('PATCH', '/users/' + enc(me.username), { password: pw.input.value, current_password: cur.input.value }));
      cur.input.value = pw.input.value = pw2.input.value = '';
      // The server ends every session of the account on a new password.
      try {
        await api('GET', '/session', undefined, { quiet401: true });
        ctx.flash(t('account.changed'));
        ctx.rerender();
      } catch (e) {
        if (e.status === 401) ctx.signedOut(t('account.changed_relogin'));
        else throw e;
      }
    } catch (e) {
      showError(form, fields, e);
    }
  });
  const rows = [
    [t('users.display_name'), me.display_name], [t('users.username'), me.username], [t('users.role'), tv('role', me.role)],
    [t('users.unit'), me.unit_name + ' (' + me.unit_code + ')'], [t('users.phone'), me.phone || '—'],
  ];
  return h('section', null,
    h('h1', { tabindex: '-1' }, ctx.title),
    h('dl', { class: 'kv card' }, rows.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))),
    h('section', { 'aria-labelledby': 'pw-h' }, h('h2', { id: 'pw-h' }, t('account.pw_title')), form));
}
