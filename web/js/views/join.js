// join.js — a community's volunteer sign-up page (#/join/TOKEN, no login; docs/api.md
// section 13): name, phone, skills and when one can help.  The server files a pending
// volunteer that the community approves; the token is the link's secret.
import { api } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, field, checkGroup, formError, clearErrors, showError, busy } from '../dom.js';

const SKILLS = ['medical', 'driver', 'language', 'psychology'];

export default async function joinView(ctx, token) {
  ctx.title = t('join.title');
  const name = field({ name: 'name', label: t('join.name'), required: true, maxlength: 40, autocomplete: 'name' });
  const phone = field({ name: 'phone', label: t('join.phone'), required: true, maxlength: 20, type: 'tel', inputmode: 'tel', autocomplete: 'tel' });
  const skills = checkGroup({ name: 'skills', label: t('join.skills'), options: SKILLS.map((k) => [k, tv('skill', k)]), checked: [] });
  const avail = field({ name: 'availability', label: t('join.availability'), maxlength: 200, hint: t('join.availability_hint') });
  const fields = [name, phone, skills, avail];
  const done = h('div', { role: 'status', id: 'join-done' });
  const form = h('form', { class: 'form', id: 'join-form', novalidate: true }, formError(), fields,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('join.submit'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = { token, name: name.input.value.trim(), phone: phone.input.value.trim(), skills: skills.values() };
    if (avail.input.value.trim()) body.availability = avail.input.value.trim();
    try {
      const r = await busy(form, () => api('POST', '/volunteer-signup', body));
      form.hidden = true;
      done.replaceChildren(h('p', { class: 'notice' }, t('join.done', { unit: r.unit_name })));
    } catch (e) {
      showError(form, fields, e);
    }
  });
  return h('section', { class: 'join-page' }, h('h1', { tabindex: '-1' }, t('join.title')), h('p', null, t('join.intro')), form, done);
}
