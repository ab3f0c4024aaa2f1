// import.js — upload a residents CSV (UTF-8 or GBK; the server converts) and show the
// report; export links for the user's unit.
import { api } from '../api.js';
import { t, serverText } from '../i18n.js';
import { h, formError, clearErrors, showError, busy, uid } from '../dom.js';
import { can, session } from '../session.js';
import { exportLinks } from './common.js';

const MAX = 64 * 1024 * 1024;
const SHOW_ERRORS = 500;
const HEADER = '姓名,性别,出生日期,证件类型,证件号码,联系电话,单位编码,房号,与户主关系,标签';

function templateButton() {
  return h('button', {
    type: 'button', class: 'btn',
    on: {
      click: () => {
        const blob = new Blob(['\ufeff' + HEADER + '\r\n'], { type: 'text/csv;charset=utf-8' });
        const url = URL.createObjectURL(blob);
        const a = h('a', { href: url, download: 'residents-template.csv', hidden: true });
        document.body.appendChild(a);
        a.click();
        document.body.removeChild(a);
        window.setTimeout(() => URL.revokeObjectURL(url), 1000);
      },
    },
  }, t('import.template'));
}

function report(rep) {
  const nums = [['rows', rep.rows], ['created', rep.created], ['updated', rep.updated], ['unchanged', rep.unchanged], ['bad', rep.bad]];
  const errors = rep.errors || [];
  return h('section', { 'aria-labelledby': 'rep-h', class: 'report' },
    h('h2', { id: 'rep-h', tabindex: '-1' }, t('import.report')),
    h('table', { class: 'table summary' },
      h('caption', { class: 'sr-only' }, t('import.report')),
      h('tbody', null, nums.map(([k, n]) => h('tr', { class: k === 'bad' && n ? 'bad' : null },
        h('th', { scope: 'row' }, t('import.' + k)), h('td', null, String(n)))))),
    rep.converted_from_gbk ? h('p', { class: 'hint' }, t('import.gbk')) : null,
    errors.length ? h('div', { class: 'table-wrap' },
      h('table', { class: 'table stack' },
        h('caption', null, t('import.errors', { n: rep.bad })),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('import.line')), h('th', { scope: 'col' }, t('import.column')),
          h('th', { scope: 'col' }, t('import.code')), h('th', { scope: 'col' }, t('import.reason')))),
        h('tbody', null, errors.slice(0, SHOW_ERRORS).map((e) => h('tr', null,
          h('td', { 'data-label': t('import.line') }, String(e.line)),
          h('td', { 'data-label': t('import.column') }, e.column || '—'),
          h('td', { 'data-label': t('import.code') }, e.code),
          h('td', { 'data-label': t('import.reason') }, serverText(e.reason, true))))))) : null,
    errors.length > SHOW_ERRORS ? h('p', { class: 'hint' }, t('import.more_errors', { shown: SHOW_ERRORS, n: errors.length })) : null,
    rep.bad > errors.length ? h('p', { class: 'notice' }, t('import.missing_reasons', { n: rep.bad - errors.length })) : null);
}

export default async function importView(ctx) {
  ctx.title = can.registry() ? t('import.title') : t('export.title');
  const parts = [h('h1', { tabindex: '-1' }, ctx.title)];
  if (can.registry()) {
    const id = uid('file');
    const file = h('input', { id, type: 'file', name: 'file', accept: '.csv,text/csv', required: true, 'aria-describedby': id + '-err' });
    const ferr = h('p', { id: id + '-err', class: 'field-error', hidden: true });
    const wrap = h('div', { class: 'field' }, h('label', { for: id }, t('import.file')), file, ferr);
    wrap.input = file;
    wrap.error = ferr;
    wrap.fieldName = 'file';
    const out = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'form', novalidate: true }, formError(), wrap,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('import.submit'))));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      out.textContent = '';
      const fl = file.files && file.files[0];
      if (!fl) return showError(form, [wrap], { field: 'file', message: t('import.need_file') });
      if (fl.size > MAX) return showError(form, [wrap], { field: 'file', message: t('import.too_big') });
      out.appendChild(h('p', { class: 'loading' }, t('import.uploading', { name: fl.name })));
      try {
        const rep = await busy(form, () => api('POST', '/imports/residents', fl, { contentType: 'text/csv' }));
        out.textContent = '';
        const node = report(rep);
        out.appendChild(node);
        node.querySelector('h2').focus();
      } catch (e) {
        out.textContent = '';
        showError(form, [wrap], e);
      }
    });
    parts.push(
      h('p', null, t('import.intro')),
      h('p', { class: 'hint' }, t('import.columns')),
      h('pre', { class: 'code' }, HEADER),
      h('p', { class: 'hint' }, t('import.rules')),
      h('p', { class: 'actions' }, templateButton()),
      form, out);
  }
  if (can.exportResidents()) {
    parts.push(h('section', { 'aria-labelledby': 'exp-h' },
      h('h2', { id: 'exp-h' }, t('export.title')),
      h('p', { class: 'hint' }, t('export.hint', { name: session.me.unit_name })),
      exportLinks(session.me.unit_code)));
  }
  if (parts.length === 1) parts.push(h('p', { class: 'notice' }, t('common.not_allowed')));
  return h('section', null, parts);
}
