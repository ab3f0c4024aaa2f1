// login.js — username and password; the server sets the HttpOnly session cookie.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, field, formError, clearErrors, showError, busy } from '../dom.js';

export default async function login(ctx) {
  const user = field({ name: 'username', label: t('login.username'), required: true, autocomplete: 'username', maxlength: 64 });
  user.input.setAttribute('autocapitalize', 'none');
  user.input.setAttribute('spellcheck', 'false');
  const pw = field({ name: 'password', label: t('login.password'), type: 'password', required: true, autocomplete: 'current-password', maxlength: 256 });
  const fields = [user, pw];
  const err = formError();
  const form = h('form', { class: 'card form', novalidate: true },
    err, user, pw,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, t('login.submit'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const username = user.input.value.trim();
    const password = pw.input.value;
    if (!username) return showError(form, fields, { field: 'username', message: t('login.need_username') });
    if (!password) return showError(form, fields, { field: 'password', message: t('login.need_password') });
    try {
      const res = await busy(form, () => api('POST', '/session', { username, password }, { quiet401: true }));
      pw.input.value = '';
      // The cookie is the session; the token in the answer is not kept.
      await ctx.onLogin(res.user);
    } catch (e) {
      pw.input.value = '';
      // Wrong password / locked account come without a field: show them above the form.
      showError(form, fields, { message: e.message });
    }
  });
  const section = h('section', { class: 'login' },
    h('h1', { tabindex: '-1' }, t('login.title')),
    ctx.message ? h('p', { class: 'notice', role: 'status' }, ctx.message) : null,
    form);
  ctx.focus = user.input;
  return section;
}
