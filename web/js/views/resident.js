// resident.js — add a resident to a household (#/household/ID/new-resident) or edit one
// (#/resident/ID).  An edit sends only the fields that changed; ID numbers and phones the
// role sees masked are shown read-only (the server refuses to overwrite them).  For the
// roles of the four categories the page starts with the person's category, isolation and
// contacts (resident-epi.js, loaded only for them).
import { api, enc } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, field, checkGroup, formError, clearErrors, showError, busy, fmtTime } from '../dom.js';
import { can } from '../session.js';
import { householdLabel } from './common.js';
import { beijingDay } from '../day.js';

export const FLAGS = ['lives_alone', 'disabled', 'chronic', 'no_smartphone', 'pregnant', 'regular_medicine'];
const RESIDENCES = ['living', 'registered_only', 'temporary', 'away'];
const ID_TYPES = ['id_card', 'passport', 'other'];

function relationList(id) {
  const words = t('res.relations').split(/[,，]/);
  return h('datalist', { id }, words.map((w) => h('option', { value: w })));
}

function masked(v) {
  return typeof v === 'string' && v.indexOf('*') >= 0;
}

export default async function residentView(ctx) {
  const editing = ctx.mode === 'edit';
  let r = null;
  let hh;
  if (editing) {
    r = await api('GET', '/residents/' + enc(ctx.params[0]));
    hh = { id: r.household_id, building: r.building, entrance: r.entrance, room: r.room };
  } else {
    hh = await api('GET', '/households/' + enc(ctx.params[0]));
  }
  const back = '#/household/' + hh.id;
  const where = householdLabel(hh);
  ctx.title = editing ? t('res.edit_title', { name: r.name }) : t('res.add_title');

  if (!can.registry()) {
    return h('section', null, h('h1', { tabindex: '-1' }, ctx.title),
      h('p', { class: 'notice' }, t('common.not_allowed')), h('p', null, h('a', { href: back }, t('common.back'))));
  }

  const v = r || {};
  const idLocked = editing && (!can.fullId() || masked(v.id_number));
  const phoneLocked = editing && (!can.fullPhone() || masked(v.phone));
  // the birth date is shown only beside a full ID number (the mask hides exactly it)
  const birthLocked = editing && !can.fullId();
  const listId = 'rel-list-' + Date.now();
  const f = {
    name: field({ name: 'name', label: t('res.name'), required: true, maxlength: 50, value: v.name, autocomplete: 'off' }),
    id_type: field({ name: 'id_type', label: t('res.id_type'), type: 'select', value: v.id_type || 'id_card', options: ID_TYPES.map((x) => [x, tv('idtype', x)]) }),
    id_number: field({
      name: 'id_number', label: t('res.id_number'), maxlength: 20, value: v.id_number, autocomplete: 'off',
      readonly: idLocked, hint: idLocked ? t('res.locked_id') : t('res.id_hint'),
    }),
    sex: field({ name: 'sex', label: t('res.sex'), type: 'select', value: v.sex || '', options: [['', t('res.sex_unset')], ['M', tv('sex', 'M')], ['F', tv('sex', 'F')]] }),
    birth_date: field({ name: 'birth_date', label: t('res.birth_date'), type: 'date', value: v.birth_date, readonly: birthLocked, hint: birthLocked ? t('res.locked_birth') : t('res.birth_hint'), attrs: { max: beijingDay(), min: '1900-01-01' } }),
    phone: field({
      name: 'phone', label: t('res.phone'), type: 'tel', maxlength: 24, value: v.phone, autocomplete: 'off', inputmode: 'tel',
      readonly: phoneLocked, hint: phoneLocked ? t('res.locked_phone') : null,
    }),
    relation: field({ name: 'relation', label: t('res.relation'), maxlength: 20, value: v.relation, list: listId, autocomplete: 'off' }),
    residence: field({ name: 'residence', label: t('res.residence'), type: 'select', value: v.residence || 'living', options: RESIDENCES.map((x) => [x, tv('residence', x)]) }),
    flags: checkGroup({
      name: 'flags', label: t('res.flags'),
      options: FLAGS.map((x) => [x, tv('flag', x)]),
      checked: (v.flags || []).map((x) => (x === 'elderly_alone' ? 'lives_alone' : x)),
    }),
    note: field({ name: 'note', label: t('res.note'), maxlength: 500, value: v.note, autocomplete: 'off' }),
  };
  f.id_number.input.setAttribute('autocapitalize', 'characters');
  f.id_number.input.setAttribute('spellcheck', 'false');
  let movedOut = null;
  if (editing) {
    movedOut = checkGroup({ name: 'moved_out', label: t('res.status'), options: [['1', t('res.moved_out')]], checked: v.moved_out ? ['1'] : [] });
  }
  const fields = Object.keys(f).map((k) => f[k]).concat(movedOut ? [movedOut] : []);
  const err = formError();
  const form = h('form', { class: 'form grid-form', novalidate: true },
    err,
    f.name, f.id_type, f.id_number, f.sex, f.birth_date, f.phone, f.relation, relationList(listId), f.residence,
    f.flags, f.note, movedOut,
    h('p', { class: 'actions wide' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, editing ? t('common.save') : t('res.add')),
      h('a', { class: 'btn', href: back }, t('common.cancel'))));

  function body() {
    const b = {};
    const text = (k) => f[k].input.value.trim();
    const keys = ['name', 'id_type', 'id_number', 'sex', 'birth_date', 'phone', 'relation', 'residence', 'note'];
    for (const k of keys) {
      if (k === 'id_number' && idLocked) continue;
      if (k === 'phone' && phoneLocked) continue;
      if (k === 'birth_date' && birthLocked) continue;
      const val = text(k);
      if (!editing) {
        if (val) b[k] = val;
        continue;
      }
      const old = v[k] === null || v[k] === undefined ? '' : String(v[k]);
      if (val !== old) b[k] = val;
    }
    const flags = f.flags.values();
    if (!editing) {
      if (flags.length) b.flags = flags;
    } else {
      const oldFlags = (v.flags || []).map((x) => (x === 'elderly_alone' ? 'lives_alone' : x)).filter((x) => x !== 'elderly').sort();
      if (flags.slice().sort().join(',') !== oldFlags.join(',')) b.flags = flags;
      const mo = movedOut.values().length > 0;
      if (mo !== !!v.moved_out) b.moved_out = mo;
    }
    return b;
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!f.name.input.value.trim()) return showError(form, fields, { field: 'name', message: t('res.need_name') });
    const b = body();
    try {
      if (editing) {
        if (!Object.keys(b).length) {
          ctx.flash(t('common.no_changes'));
          window.location.hash = back;
          return;
        }
        await busy(form, () => api('PATCH', '/residents/' + r.id, b));
        ctx.flash(t('res.saved', { name: f.name.input.value.trim() }));
      } else {
        b.household_id = Number(hh.id);
        await busy(form, () => api('POST', '/residents', b));
        ctx.flash(t('res.added', { name: b.name }));
      }
      window.location.hash = back;
    } catch (e) {
      showError(form, fields, e);
    }
  });

  // the four categories: the person's category, isolation and contacts (EPI roles only)
  let epi = null;
  if (editing && can.epi()) {
    const mod = await import('./resident-epi.js');
    epi = await mod.default(r, ctx);
  }

  const moves = editing && r.moves && r.moves.length
    ? h('details', { class: 'history' }, h('summary', null, t('res.moves')),
      h('ul', null, r.moves.map((m) => h('li', null, fmtTime(m.at), ' · ', tv('move', m.note), m.by ? ' · ' + m.by : '')))) : null;

  return h('section', null,
    h('p', { class: 'back' }, h('a', { href: back }, '‹ ', where)),
    h('h1', { tabindex: '-1' }, ctx.title),
    epi,
    epi ? h('h2', null, t('res.details_title')) : null,
    h('p', { class: 'hint' }, t('common.required_hint')),
    form, moves);
}
