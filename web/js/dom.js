// dom.js — a tiny element builder and form helpers.  Text always goes in as text nodes
// (never innerHTML), so names and notes from the server cannot inject markup.
import { t, tv, serverText } from './i18n.js';

const PROPS = { hidden: 1, disabled: 1, checked: 1, required: 1, value: 1, selected: 1, multiple: 1, readOnly: 1 };

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const k in attrs) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === 'on') {
        for (const ev in v) el.addEventListener(ev, v[ev]);
      } else if (k === 'class') {
        el.className = v;
      } else if (k === 'for') {
        el.htmlFor = v;
      } else if (PROPS[k]) {
        el[k] = v;
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false || c === '') continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function mount(el, ...children) {
  clear(el);
  return append(el, children);
}

let seq = 0;
export function uid(prefix) {
  seq += 1;
  return (prefix || 'f') + '-' + seq;
}

// "2026-11-27T12:50:05+08:00" -> "2026-11-27 12:50"
export function fmtTime(s) {
  if (!s) return '';
  return String(s).replace('T', ' ').slice(0, 16);
}

// ---- forms ----

// A labelled field.  spec: {name, label, type, value, required, options:[[value,label]],
// hint, maxlength, autocomplete, inputmode, readonly, list, attrs}.  Returns a wrapper
// element carrying .input and .error for showFieldError.
export function field(spec) {
  const id = uid('f-' + spec.name);
  const errId = id + '-err';
  const hintId = spec.hint ? id + '-hint' : null;
  let input;
  const common = {
    id, name: spec.name, required: !!spec.required,
    'aria-describedby': [hintId, errId].filter(Boolean).join(' '),
    autocomplete: spec.autocomplete || null,
    inputmode: spec.inputmode || null,
    maxlength: spec.maxlength || null,
    placeholder: spec.placeholder || null,
  };
  if (spec.type === 'select') {
    input = h('select', common, (spec.options || []).map(([v, l]) =>
      h('option', { value: v, selected: String(spec.value === null || spec.value === undefined ? '' : spec.value) === String(v) }, l)));
  } else if (spec.type === 'textarea') {
    input = h('textarea', Object.assign({ rows: spec.rows || 3 }, common));
    input.value = spec.value || '';
  } else {
    input = h('input', Object.assign({ type: spec.type || 'text', list: spec.list || null }, common, spec.attrs || {}));
    if (spec.value !== null && spec.value !== undefined) input.value = spec.value;
    if (spec.readonly) input.readOnly = true;
  }
  if (spec.readonly && spec.type === 'select') input.disabled = true;
  const err = h('p', { id: errId, class: 'field-error', hidden: true });
  const wrap = h('div', { class: 'field' + (spec.wide ? ' wide' : '') },
    h('label', { for: id }, spec.label, spec.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    spec.hint ? h('p', { id: hintId, class: 'hint' }, spec.hint) : null,
    input, err);
  wrap.input = input;
  wrap.error = err;
  wrap.fieldName = spec.name;
  return wrap;
}

// A group of checkboxes in a fieldset.  options: [[value,label]], checked: array of values.
export function checkGroup(spec) {
  const boxes = [];
  const errId = uid('e-' + spec.name);
  const fs = h('fieldset', { class: 'checks', 'aria-describedby': errId },
    h('legend', null, spec.label),
    spec.options.map(([v, l]) => {
      const id = uid('c-' + spec.name);
      const box = h('input', { type: 'checkbox', id, name: spec.name, value: v, checked: spec.checked.indexOf(v) >= 0 });
      boxes.push(box);
      return h('div', { class: 'check' }, box, h('label', { for: id }, l));
    }),
    h('p', { id: errId, class: 'field-error', hidden: true }));
  fs.input = boxes[0];
  fs.error = fs.lastChild;
  fs.fieldName = spec.name;
  fs.values = () => boxes.filter((b) => b.checked).map((b) => b.value);
  return fs;
}

// The form-level error area (role=alert so screen readers hear it).
export function formError() {
  return h('div', { class: 'form-error', role: 'alert', hidden: true });
}

export function clearErrors(form) {
  const boxes = Array.from(form.querySelectorAll('.field-error, .form-error'));
  if (form.matches('.field-error, .form-error')) boxes.push(form);
  for (const e of boxes) {
    e.hidden = true;
    clear(e);
  }
  for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
}

// Show an ApiError (the server's JSON error: message and field) or a check of the page's
// own ({field, message}): next to the field it names when one of fields is it, else in the
// error area of form (any element: its .form-error, or itself when it is an error area).
// fields: array of field wrappers from field()/checkGroup(), or {fieldName, input, error}.
// The one error display of the app: every form and action goes through here.
export function showError(form, fields, err) {
  if (err && err.handled) return;
  const msg = (err && err.message) || t('err.unknown');
  const f = err && err.field ? (fields || []).find((x) => x.fieldName === err.field) : null;
  if (f) {
    f.error.textContent = msg;
    f.error.hidden = false;
    if (f.input) {
      f.input.setAttribute('aria-invalid', 'true');
      f.input.focus();
    }
    return;
  }
  const box = form.matches('.form-error, .field-error') ? form : form.querySelector('.form-error');
  if (box) {
    box.textContent = msg;
    box.hidden = false;
    if (!box.hasAttribute('tabindex')) box.setAttribute('tabindex', '-1');
    box.focus();
  }
}

// An action outside a form's submit (a button that calls the API): the errors of scope are
// cleared, btn disabled while fn runs, and a failure shown by showError(scope, fields).
// Resolves to true when fn succeeded.
export async function act(scope, btn, fn, fields) {
  clearErrors(scope);
  if (btn) btn.disabled = true;
  try {
    await fn();
    return true;
  } catch (e) {
    showError(scope, fields, e);
    return false;
  } finally {
    if (btn) btn.disabled = false;
  }
}

// Disable a form's submit buttons while a request runs.
export async function busy(form, fn) {
  const btns = form.querySelectorAll('button');
  for (const b of btns) b.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    for (const b of btns) b.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

export function errorBox(err) {
  return h('div', { class: 'form-error', role: 'alert' }, err && err.message ? err.message : serverText(String(err)));
}

export function link(href, ...children) {
  return h('a', { href }, ...children);
}

// A previous/next pager. onPage(newOffset) is called on click.
export function pager(total, limit, offset, onPage) {
  if (total <= limit && offset === 0) return null;
  const from = total ? offset + 1 : 0;
  const to = Math.min(offset + limit, total);
  return h('nav', { class: 'pager', 'aria-label': t('pager.label') },
    h('button', { type: 'button', class: 'btn', disabled: offset <= 0, on: { click: () => onPage(Math.max(0, offset - limit)) } }, t('pager.prev')),
    h('span', { class: 'pager-info' }, t('pager.info', { from, to, total })),
    h('button', { type: 'button', class: 'btn', disabled: offset + limit >= total, on: { click: () => onPage(offset + limit) } }, t('pager.next')));
}

// Chips for resident flags.
export function flagChips(flags) {
  if (!flags || !flags.length) return null;
  const shown = flags.indexOf('elderly_alone') >= 0 ? flags.filter((f) => f !== 'lives_alone') : flags;
  return h('ul', { class: 'chips', 'aria-label': t('res.flags') },
    shown.map((f) => h('li', { class: 'chip chip-' + f }, tv('flag', f))));
}
