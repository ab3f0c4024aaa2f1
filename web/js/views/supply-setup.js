// supply-setup.js — setting up group buying (团购保供, docs/api.md 13.1) for the tree's roles
// (admin, command, community: POST /supply/suppliers, /supply/packages, /supply/rounds are
// ROLES_TREE): #/supply/setup lists the suppliers and the packages of the unit and adds them,
// and makes a round (name, unit, ordering window, resting time, packages offered, pickup
// slots); the new round opens on its own page (#/supply/ID), where orders, picking and
// delivery go on.  Each supplier and package has 编辑: the form above the list fills with
// it and saves it (PATCH, only the fields changed); a package ordered in a round still
// taking orders keeps its price and contents (the server's refusal says so under the field).
// Each form keeps what was typed when the server refuses it, and shows the
// refusal under the field it names (scrolled into view); adding or saving a supplier or a
// package redraws the lists in place, so a round half filled in below is kept.
import { api, qs } from '../api.js';
import { t, getLang } from '../i18n.js';
import { h, mount, field, formError, clearErrors, showError, busy } from '../dom.js';
import { can, session } from '../session.js';
import { supplyNav, toFen } from '../tiles/supply.js';
import { changed } from './common.js';

const CJK = /[\u3400-\u9fff]/;
// the server's refusals written in English only (the JSON checks: too long, out of range …)
const CODES = ['too_long', 'out_of_range', 'wrong_type', 'required'];
// a pickup slot's own fields are refused by name; they belong to the slots of the form
const SLOT_FIELDS = ['starts', 'ends', 'capacity', 'slots'];

// Show a refusal (the server's, or the page's own {field, message}) under its field, in the
// language of the screen, scrolled into view.
function refuse(form, fields, e) {
  if (e && e.handled) return;
  let err = e;
  if (e && e.field) {
    const name = SLOT_FIELDS.includes(e.field) && fields.some((f) => f.fieldName === 'slots') ? 'slots' : e.field;
    let message = e.message;
    if (getLang() === 'zh' && !CJK.test(message || '')) message = t(CODES.includes(e.code) ? 'ss.bad_' + e.code : 'ss.bad_value');
    err = { field: name, message };
  }
  showError(form, fields, err);
  const f = err && err.field ? fields.find((x) => x.fieldName === err.field) : null;
  const shown = f ? f.error : form.querySelector('.form-error:not([hidden])');
  if (shown && !shown.hidden) shown.scrollIntoView({ block: 'center' });
}

// A set-up form that adds, or edits one item in place: enter(item, values) fills its fields
// from the item and turns its heading and button to saving it, with 取消 beside; leave()
// (saved, or cancelled) empties it for adding again.  m.item: the item being edited, or null.
function addOrEdit(form, fields, editTitle, hint) {
  const title = form.querySelector('h3');
  const send = form.querySelector('button[type=submit]');
  const [addTitle, addSend] = [title.textContent, send.textContent];
  const note = h('p', { class: 'hint wide ss-edit-hint', hidden: true }, hint || '');
  const cancel = h('button', { type: 'button', class: 'btn', 'data-cancel': '', hidden: true, on: { click: () => m.leave() } }, t('ss.cancel'));
  title.after(note);
  send.after(' ', cancel);
  const m = {
    item: null,
    enter(item, values) {
      clearErrors(form);
      m.item = item;
      for (const f of fields) f.input.value = values[f.fieldName] === null || values[f.fieldName] === undefined ? '' : String(values[f.fieldName]);
      title.textContent = t(editTitle, { name: item.name });
      send.textContent = t('ss.save');
      note.hidden = !hint;
      cancel.hidden = false;
      form.dataset.editing = String(item.id);
      form.scrollIntoView({ block: 'center' });
      fields[0].input.focus({ preventScroll: true });
    },
    leave() {
      clearErrors(form);
      m.item = null;
      for (const f of fields) f.input.value = '';
      title.textContent = addTitle;
      send.textContent = addSend;
      note.hidden = true;
      cancel.hidden = true;
      delete form.dataset.editing;
    },
  };
  return m;
}

// The 编辑 button of a listed supplier or package.
function editButton(item, onClick) {
  return h('button', { type: 'button', class: 'btn ss-edit', 'aria-label': t('ss.edit_label', { name: item.name }), on: { click: onClick } }, t('ss.edit'));
}

// A field's text as an update takes it: "" is no value (null clears it on the server).
const text = (f) => f.input.value.trim() || null;

// "2026-12-07T20:00" (an <input type=datetime-local>) → the server's China time, or null
function when(input) {
  const v = input.value.trim();
  return v ? v.replace('T', ' ').slice(0, 16) : null;
}

// Tomorrow 20:00 in China time, as a datetime-local value (the usual cut-off).
function tomorrowEvening() {
  return new Date(Date.now() + (8 + 24) * 3600e3).toISOString().slice(0, 10) + 'T20:00';
}

export default async function supplySetup(ctx) {
  ctx.title = t('ss.title');
  const head = [supplyNav('supply'), h('p', null, h('a', { href: '#/supply' }, t('sup.all_rounds'))), h('h1', { tabindex: '-1' }, t('ss.title'))];
  if (!can.tree()) return h('section', { class: 'sup-page' }, head, h('p', { class: 'notice' }, t('common.not_allowed')));
  const code = ctx.query.unit || session.me.unit_code;
  const [sups, pkgs, home, kids] = await Promise.all([
    api('GET', '/supply/suppliers' + qs({ unit: code })),
    api('GET', '/supply/packages' + qs({ unit: code })),
    api('GET', '/units/' + encodeURIComponent(code)),
    api('GET', '/units/' + encodeURIComponent(code) + '/children'),
  ]);
  let suppliers = sups.items || [];
  let packages = pkgs.items || [];

  // ---- suppliers ----
  const supList = h('div', { id: 'ss-suppliers' });
  const drawSuppliers = () => mount(supList, suppliers.length
    ? h('ul', { class: 'list plain ss-list' }, suppliers.map((s) => h('li', { 'data-supplier': String(s.id) },
      h('strong', null, s.name), [s.contact, s.phone].filter(Boolean).length ? ' · ' + [s.contact, s.phone].filter(Boolean).join(' ') : '',
      s.note ? h('span', { class: 'row-sub' }, ' · ' + s.note) : null, ' ',
      editButton(s, () => sEdit.enter(s, s)))))
    : h('p', { class: 'empty' }, t('ss.no_suppliers')));
  const sName = field({ name: 'name', label: t('ss.s_name'), required: true, maxlength: 40, autocomplete: 'off' });
  const sContact = field({ name: 'contact', label: t('ss.s_contact'), maxlength: 40, autocomplete: 'off' });
  const sPhone = field({ name: 'phone', label: t('ss.s_phone'), type: 'tel', inputmode: 'tel', maxlength: 20, autocomplete: 'off' });
  const sNote = field({ name: 'note', label: t('ss.s_note'), maxlength: 200, autocomplete: 'off' });
  const sFields = [sName, sContact, sPhone, sNote];
  const sDone = h('p', { class: 'ss-done wide', role: 'status', id: 'ss-supplier-done' });
  const supForm = h('form', {
    class: 'form grid-form', id: 'ss-supplier-form', novalidate: true,
    on: {
      submit: async (ev) => {
        ev.preventDefault();
        clearErrors(supForm);
        mount(sDone);
        const now = { name: sName.input.value.trim(), contact: text(sContact), phone: text(sPhone), note: text(sNote) };
        const was = sEdit.item;
        try {
          if (was) {
            const body = changed(was, now);
            const s = Object.keys(body).length ? await busy(supForm, () => api('PATCH', '/supply/suppliers/' + was.id, body)) : was;
            suppliers = suppliers.map((x) => (x.id === s.id ? s : x));
            packages = packages.map((p) => (p.supplier_id === s.id ? Object.assign({}, p, { supplier: s.name }) : p));
            sEdit.leave();
            drawSuppliers();
            drawSupplierOptions('');
            drawPackages();
            mount(sDone, t('ss.s_saved', { name: s.name }));
            return;
          }
          const body = Object.fromEntries(Object.entries(Object.assign({ unit: code }, now)).filter(([, v]) => v !== null));
          const s = await busy(supForm, () => api('POST', '/supply/suppliers', body));
          suppliers = suppliers.concat([s]);
          for (const f of sFields) f.input.value = '';
          drawSuppliers();
          drawSupplierOptions(String(s.id));
          mount(sDone, t('ss.s_done', { name: s.name }));
        } catch (e) {
          refuse(supForm, sFields, e);
        }
      },
    },
  }, h('h3', { class: 'wide' }, t('ss.s_new')), sFields, formError(), sDone,
  h('p', { class: 'actions wide' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('ss.s_add'))));
  const sEdit = addOrEdit(supForm, sFields, 'ss.s_edit');

  // ---- packages ----
  const pkgList = h('div', { id: 'ss-packages' });
  const drawPackages = () => mount(pkgList, packages.length
    ? h('ul', { class: 'list plain ss-list' }, packages.map((p) => h('li', { 'data-package': String(p.id) },
      h('strong', null, p.name), ' ', h('span', { class: 'sup-price' }, p.price), ' · ', p.supplier,
      p.contents ? h('span', { class: 'sup-contents' }, p.contents) : null, ' ',
      editButton(p, () => pEdit.enter(p, Object.assign({}, p, { price_fen: (p.price_fen / 100).toFixed(2) }))))))
    : h('p', { class: 'empty' }, t('ss.no_packages')));
  const pSupplier = field({ name: 'supplier_id', label: t('ss.p_supplier'), type: 'select', required: true, options: [] });
  const drawSupplierOptions = (pick) => {
    const keep = pick || pSupplier.input.value;
    mount(pSupplier.input, h('option', { value: '' }, suppliers.length ? t('ss.p_pick') : t('ss.p_no_supplier')),
      suppliers.map((s) => h('option', { value: String(s.id), selected: String(s.id) === keep }, s.name)));
  };
  const pName = field({ name: 'name', label: t('ss.p_name'), required: true, maxlength: 40, autocomplete: 'off', placeholder: t('ss.p_name_ph') });
  const pPrice = field({ name: 'price_fen', label: t('ss.p_price'), required: true, inputmode: 'decimal', maxlength: 10, autocomplete: 'off', placeholder: '39.00' });
  const pContents = field({ name: 'contents', label: t('ss.p_contents'), type: 'textarea', maxlength: 400, wide: true, hint: t('ss.p_contents_hint') });
  const pFields = [pSupplier, pName, pPrice, pContents];
  const pDone = h('p', { class: 'ss-done wide', role: 'status', id: 'ss-package-done' });
  const pkgForm = h('form', {
    class: 'form grid-form', id: 'ss-package-form', novalidate: true,
    on: {
      submit: async (ev) => {
        ev.preventDefault();
        clearErrors(pkgForm);
        mount(pDone);
        if (!pSupplier.input.value) {
          refuse(pkgForm, pFields, { field: 'supplier_id', message: t('ss.p_pick_first') });
          return;
        }
        const fen = toFen(pPrice.input.value);
        if (fen === null || fen <= 0) {
          refuse(pkgForm, pFields, { field: 'price_fen', message: t('sup.bad_amount') });
          return;
        }
        const now = { supplier_id: Number(pSupplier.input.value), name: pName.input.value.trim(), price_fen: fen, contents: text(pContents) };
        const was = pEdit.item;
        try {
          if (was) {
            const body = changed(was, now);
            const p = Object.keys(body).length ? await busy(pkgForm, () => api('PATCH', '/supply/packages/' + was.id, body)) : was;
            packages = packages.map((x) => (x.id === p.id ? p : x));
            pEdit.leave();
            drawPackages();
            drawOffer();
            mount(pDone, t('ss.p_saved', { name: p.name, price: p.price }));
            return;
          }
          const body = Object.assign({ unit: code }, now);
          if (!body.contents) delete body.contents;
          const p = await busy(pkgForm, () => api('POST', '/supply/packages', body));
          packages = packages.concat([p]);
          for (const f of [pName, pPrice, pContents]) f.input.value = '';
          drawPackages();
          drawOffer([String(p.id)]);
          mount(pDone, t('ss.p_done', { name: p.name, price: p.price }));
        } catch (e) {
          refuse(pkgForm, pFields, e);
        }
      },
    },
  }, h('h3', { class: 'wide' }, t('ss.p_new')), pFields, formError(), pDone,
  h('p', { class: 'actions wide' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('ss.p_add'))));
  const pEdit = addOrEdit(pkgForm, [pName, pSupplier, pPrice, pContents], 'ss.p_edit', t('ss.p_edit_hint'));

  // ---- the round ----
  const units = [[home.code, home.name]].concat((kids.items || []).filter((u) => !u.retired).map((u) => [u.code, u.name]));
  const rName = field({ name: 'name', label: t('ss.r_name'), required: true, maxlength: 60, autocomplete: 'off', placeholder: t('ss.r_name_ph') });
  const rUnit = field({ name: 'unit', label: t('ss.r_unit'), type: 'select', required: true, value: home.code, options: units, hint: t('ss.r_unit_hint') });
  const rOpens = field({ name: 'opens', label: t('ss.r_opens'), type: 'datetime-local', hint: t('ss.r_opens_hint') });
  const rCutoff = field({ name: 'cutoff', label: t('ss.r_cutoff'), type: 'datetime-local', required: true, value: tomorrowEvening(), hint: t('ss.china_time') });
  const rRest = field({ name: 'rest_minutes', label: t('ss.r_rest'), type: 'number', value: '120', inputmode: 'numeric', hint: t('ss.r_rest_hint'), attrs: { min: '0', max: '1440', step: '1' } });

  // the packages offered: checkboxes redrawn when a package is added, keeping the ticks
  const offerErr = h('p', { class: 'field-error', id: 'ss-offer-err', hidden: true });
  const offerBoxes = h('div', { class: 'ss-offer' });
  const offer = h('fieldset', { class: 'checks wide', id: 'ss-offer', tabindex: '-1', 'aria-describedby': 'ss-offer-err' },
    h('legend', null, t('ss.r_packages'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), offerBoxes, offerErr);
  const ticked = () => Array.from(offerBoxes.querySelectorAll('input:checked'), (b) => b.value);
  const drawOffer = (add) => {
    const on = new Set(ticked().concat(add || []));
    mount(offerBoxes, packages.length ? packages.map((p) => {
      const id = 'ss-offer-' + p.id;
      return h('div', { class: 'check' }, h('input', { type: 'checkbox', id, name: 'packages', value: String(p.id), checked: on.has(String(p.id)) }),
        h('label', { for: id }, p.name, ' ', p.price));
    }) : h('p', { class: 'hint' }, t('ss.r_no_packages')));
  };
  const offerField = { fieldName: 'packages', input: offer, error: offerErr };

  // the pickup slots (取货时段): a unit of the round (a building, or the whole), a time, places
  const slotErr = h('p', { class: 'field-error', id: 'ss-slots-err', hidden: true });
  const slotRows = h('ol', { class: 'list plain ss-slots' });
  let slotUnits = units;
  const slotUnitOptions = (sel) => {
    const keep = sel.value;
    mount(sel, slotUnits.map(([c, n], i) => h('option', { value: c, selected: c === keep || (!keep && i === 0) }, i === 0 ? t('ss.sl_whole', { name: n }) : n)));
  };
  const addSlot = () => {
    const n = slotRows.children.length + 1;
    const unitSel = h('select', { name: 'slot_unit', 'aria-label': t('ss.sl_unit_n', { n }) });
    slotUnitOptions(unitSel);
    const starts = h('input', { type: 'datetime-local', name: 'starts', 'aria-label': t('ss.sl_starts_n', { n }) });
    const ends = h('input', { type: 'datetime-local', name: 'ends', 'aria-label': t('ss.sl_ends_n', { n }) });
    const cap = h('input', { type: 'number', name: 'capacity', min: '1', max: '100000', inputmode: 'numeric', 'aria-label': t('ss.sl_cap_n', { n }) });
    const row = h('li', { class: 'ss-slot' },
      h('label', null, h('span', null, t('ss.sl_unit')), unitSel),
      h('label', null, h('span', null, t('ss.sl_starts')), starts),
      h('label', null, h('span', null, t('ss.sl_ends')), ends),
      h('label', null, h('span', null, t('ss.sl_cap')), cap),
      h('button', { type: 'button', class: 'btn ss-slot-remove', on: { click: () => row.remove() } }, t('ss.sl_remove')));
    row.read = () => ({ unit: unitSel.value, starts: when(starts), ends: when(ends), capacity: cap.value.trim() });
    row.unitSel = unitSel;
    slotRows.appendChild(row);
    starts.focus();
  };
  const addSlotBtn = h('button', { type: 'button', class: 'btn', id: 'ss-slot-add', on: { click: addSlot } }, t('ss.sl_add'));
  const slots = h('fieldset', { class: 'checks wide ss-slot-set', id: 'ss-slots', tabindex: '-1', 'aria-describedby': 'ss-slots-err' },
    h('legend', null, t('ss.sl_title')), h('p', { class: 'hint' }, t('ss.sl_hint')), slotRows, slotErr, h('p', { class: 'actions' }, addSlotBtn));
  const slotField = { fieldName: 'slots', input: slots, error: slotErr };
  // a round of a grid or compound: its pickup slots are of its own units
  rUnit.input.addEventListener('change', async () => {
    const c = rUnit.input.value;
    try {
      const [u, below] = await Promise.all([api('GET', '/units/' + encodeURIComponent(c)), api('GET', '/units/' + encodeURIComponent(c) + '/children')]);
      if (rUnit.input.value !== c) return;
      slotUnits = [[u.code, u.name]].concat((below.items || []).filter((x) => !x.retired).map((x) => [x.code, x.name]));
      for (const row of slotRows.children) slotUnitOptions(row.unitSel);
    } catch (e) {
      refuse(roundForm, rFields, e);
    }
  });

  const rFields = [rName, rUnit, rOpens, rCutoff, rRest, offerField, slotField];
  const roundForm = h('form', {
    class: 'form grid-form', id: 'ss-round-form', novalidate: true,
    on: {
      submit: async (ev) => {
        ev.preventDefault();
        clearErrors(roundForm);
        const body = { unit: rUnit.input.value, name: rName.input.value.trim(), packages: ticked().map(Number) };
        if (when(rOpens.input)) body.opens = when(rOpens.input);
        if (when(rCutoff.input)) body.cutoff = when(rCutoff.input);
        const rest = rRest.input.value.trim();
        if (rest) {
          if (!/^\d{1,4}$/.test(rest)) {
            refuse(roundForm, rFields, { field: 'rest_minutes', message: t('ss.r_rest_bad') });
            return;
          }
          body.rest_minutes = Number(rest);
        }
        const list = Array.from(slotRows.children, (row) => row.read());
        if (list.some((s) => !s.starts || !s.ends || !/^\d{1,6}$/.test(s.capacity))) {
          refuse(roundForm, rFields, { field: 'slots', message: t('ss.sl_incomplete') });
          return;
        }
        if (list.length) body.slots = list.map((s) => Object.assign(s, { capacity: Number(s.capacity) }));
        try {
          const r = await busy(roundForm, () => api('POST', '/supply/rounds', body));
          ctx.flash(t('ss.r_done', { name: r.name }));
          window.location.hash = '#/supply/' + r.id;
        } catch (e) {
          refuse(roundForm, rFields, e);
        }
      },
    },
  }, rName, rUnit, rOpens, rCutoff, rRest, offer, slots, formError(),
  h('p', { class: 'actions wide' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'ss-round-send' }, t('ss.r_send'))));

  drawSuppliers();
  drawSupplierOptions('');
  drawPackages();
  drawOffer();
  return h('section', { class: 'sup-page ss-page' }, head,
    h('p', { class: 'facts' }, t('ss.intro', { unit: home.name })),
    h('section', { 'aria-labelledby': 'ss-sup-h', id: 'ss-sup' }, h('h2', { id: 'ss-sup-h' }, t('ss.suppliers')), supList, supForm),
    h('section', { 'aria-labelledby': 'ss-pkg-h', id: 'ss-pkg' }, h('h2', { id: 'ss-pkg-h' }, t('ss.packages')), pkgList, pkgForm),
    h('section', { 'aria-labelledby': 'ss-round-h', id: 'ss-round' }, h('h2', { id: 'ss-round-h' }, t('ss.round')), roundForm));
}
