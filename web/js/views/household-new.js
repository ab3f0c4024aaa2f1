// household-new.js — register a household (room) at a building or an entrance.
import { api, enc } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, field, formError, clearErrors, showError, busy } from '../dom.js';
import { can } from '../session.js';
import { crumbs, unitHref, OCCUPANCIES } from './common.js';

export default async function householdNew(ctx) {
  const code = ctx.params[0];
  const u = await api('GET', '/units/' + enc(code));
  ctx.title = t('hhnew.title', { name: u.name });
  const head = [crumbs(u.ancestors, { name: u.name, href: unitHref(code) }), h('h1', { tabindex: '-1' }, ctx.title)];
  if (!can.registry()) return h('section', null, head, h('p', { class: 'notice' }, t('common.not_allowed')));
  if (u.kind !== 'building' && u.kind !== 'entrance') {
    return h('section', null, head, h('p', { class: 'notice' }, t('hhnew.not_building', { kind: tv('kind', u.kind) })));
  }
  const room = field({ name: 'room', label: t('hh.room'), required: true, maxlength: 20, hint: t('hhnew.room_hint'), autocomplete: 'off' });
  const occ = field({ name: 'occupancy', label: t('hh.occupancy'), type: 'select', value: 'unknown', options: OCCUPANCIES.map((o) => [o, tv('occ', o)]) });
  const note = field({ name: 'note', label: t('hh.note'), maxlength: 500, autocomplete: 'off' });
  const fields = [room, occ, note];
  const form = h('form', { class: 'form', novalidate: true }, formError(), room, occ, note,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('hhnew.submit')),
      h('a', { class: 'btn', href: unitHref(code) }, t('common.cancel'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const r = room.input.value.trim();
    if (!r) return showError(form, fields, { field: 'room', message: t('hhnew.need_room') });
    const body = { unit_code: code, room: r, occupancy: occ.input.value };
    if (note.input.value.trim()) body.note = note.input.value.trim();
    try {
      const hh = await busy(form, () => api('POST', '/households', body));
      ctx.flash(t('hhnew.done', { room: hh.room }));
      window.location.hash = '#/household/' + hh.id;
    } catch (e) {
      // unit_code errors belong to the page, not a field the user can change
      if (e.field === 'unit_code') e.field = null;
      showError(form, fields, e);
    }
  });
  ctx.focus = room.input;
  return h('section', null, head, form);
}
