// import.js — upload a residents CSV (UTF-8 or GBK; the server converts) and show the
// report; the refused rows of a UTF-8 file come back as a table to fix in place and send
// again (the import is idempotent: rows already taken are not duplicated); export links
// for the user's unit.
import { api } from '../api.js';
import { t, serverText } from '../i18n.js';
import { h, formError, clearErrors, showError, busy, uid, clear } from '../dom.js';
import { can, session } from '../session.js';
import { exportLinks } from './common.js';
import { decodeUtf8, parseCsv, writeCsv } from '../csv.js';

const MAX = 64 * 1024 * 1024;
const SHOW_ERRORS = 500;
const EDIT_ROWS = 200; // refused rows drawn as inputs at once; the rest wait their turn
const HEADER = '姓名,性别,出生日期,证件类型,证件号码,联系电话,单位编码,房号,与户主关系,标签';

// The server's column names (src/domain/registry.c): English, Chinese, or "中文/english".
const COLUMNS = [['name', '姓名'], ['sex', '性别'], ['birth_date', '出生日期'], ['id_type', '证件类型'],
  ['id_number', '证件号码'], ['phone', '联系电话'], ['unit_code', '单位编码'], ['room', '房号'],
  ['relation', '与户主关系'], ['flags', '标签'], ['residence', '居住状态']];

// column name → index in the header, the last match winning as on the server
function columnIndex(header) {
  const idx = {};
  for (const [en, zh] of COLUMNS) {
    header.forEach((f, i) => {
      const slash = f.indexOf('/');
      if (f === en || f === zh || (slash >= 0 && f.slice(slash + 1) === en && f.slice(0, slash) === zh)) idx[en] = i;
    });
  }
  return idx;
}

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

function summary(rep, caption) {
  const nums = [['rows', rep.rows], ['created', rep.created], ['updated', rep.updated], ['unchanged', rep.unchanged], ['bad', rep.bad]];
  return h('table', { class: 'table summary' },
    h('caption', { class: 'sr-only' }, caption),
    h('tbody', null, nums.map(([k, n]) => h('tr', { class: k === 'bad' && n ? 'bad' : null, 'data-stat': k },
      h('th', { scope: 'row' }, t('import.' + k)), h('td', null, String(n))))));
}

// The report as a plain table (a GBK file, or rows not found in the file).
function errorTable(errors, caption) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table stack' },
      h('caption', null, caption),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('import.line')), h('th', { scope: 'col' }, t('import.column')),
        h('th', { scope: 'col' }, t('import.code')), h('th', { scope: 'col' }, t('import.reason')))),
      h('tbody', null, errors.slice(0, SHOW_ERRORS).map((e) => h('tr', null,
        h('td', { 'data-label': t('import.line') }, String(e.line)),
        h('td', { 'data-label': t('import.column') }, e.column || '—'),
        h('td', { 'data-label': t('import.code') }, e.code),
        h('td', { 'data-label': t('import.reason') }, serverText(e.reason, true)))))));
}

// The refused rows of the file the browser sent: {header, cols, rows, lost} or null when
// they cannot be edited here (not UTF-8).  rows: [{line, cells, extra, errors}]; lost: the
// errors whose line starts no record of the file as read here.
function refusedRows(bytes, errors) {
  const text = decodeUtf8(bytes);
  if (text === null) return null;
  const recs = parseCsv(text);
  if (!recs.length || recs[0].bad) return null;
  const header = recs[0].fields;
  const byLine = new Map();
  for (const e of errors) {
    if (!byLine.has(e.line)) byLine.set(e.line, []);
    byLine.get(e.line).push(e);
  }
  const rows = [];
  for (let i = 1; i < recs.length; i++) {
    const r = recs[i];
    const errs = byLine.get(r.line);
    if (!errs) continue;
    byLine.delete(r.line);
    const cells = r.fields.slice(0, header.length);
    while (cells.length < header.length) cells.push('');
    rows.push({ line: r.line, cells, extra: r.fields.slice(header.length), errors: errs });
  }
  const lost = [];
  for (const errs of byLine.values()) lost.push(...errs);
  return { header, cols: columnIndex(header), rows, lost };
}

// The refused rows as inputs, each error by its cell; "re-submit" posts the header and
// these rows (as edited) to the same import, keeps the rows refused again with their new
// errors and drops the ones taken.
function fixer(fix) {
  const box = h('section', { 'aria-labelledby': 'fix-h', id: 'fix' });
  const result = h('div', { id: 'fix-result', 'aria-live': 'polite' });
  let round = 0;

  const label = (col) => (col in fix.cols ? fix.header[fix.cols[col]] : col);
  const errText = (e) => (e.column ? label(e.column) + t('import.colon') : '') + serverText(e.reason, true);

  function readInputs() {
    for (const r of fix.rows) {
      if (!r.inputs) continue;
      r.cells = r.inputs.map((x) => x.value);
    }
  }

  function rowEl(r) {
    const errId = uid('fix-err');
    const badCols = new Set(r.errors.map((e) => (e.column && e.column in fix.cols ? fix.cols[e.column] : -1)));
    const wholeRow = badCols.has(-1);
    r.inputs = [];
    const orig = r.cells.slice();
    const tds = fix.header.map((name, i) => {
      const v = r.cells[i];
      const attrs = {
        'aria-label': t('import.cell_label', { line: r.line, col: name || String(i + 1) }),
        'aria-invalid': badCols.has(i) ? 'true' : null,
        'aria-describedby': badCols.has(i) ? errId : null,
        autocomplete: 'off', spellcheck: 'false',
      };
      // a value with a line break (a quoted field) needs a textarea to keep it
      const input = /[\r\n]/.test(v)
        ? h('textarea', Object.assign({ rows: 2, cols: 16 }, attrs))
        : h('input', Object.assign({ type: 'text', size: String(Math.min(24, Math.max(6, v.length + 2))) }, attrs));
      input.value = v;
      r.inputs.push(input);
      const td = h('td', { 'data-label': name || String(i + 1), 'data-col': COLUMNS.map((c) => c[0]).find((c) => fix.cols[c] === i) || null,
        class: badCols.has(i) ? 'cell-bad' : null }, input);
      input.addEventListener('input', () => td.classList.toggle('edited', input.value !== orig[i]));
      return td;
    });
    const leave = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('import.leave_out_label', { line: r.line }) }, t('import.leave_out'));
    // the errors on a row of their own above the cells, so that they show at the left of a
    // table wider than the screen
    const group = h('tbody', { class: 'fix-rec' },
      h('tr', { class: 'fix-msg' }, h('td', { colspan: String(fix.header.length + 1) }, h('div', { class: 'fix-msg-in' },
        h('span', { class: 'fix-reason', id: errId },
          r.errors.map((e) => h('span', { class: 'fix-error', 'data-code': e.code }, errText(e)))),
        leave))),
      h('tr', { class: 'fix-row' + (wholeRow ? ' row-bad' : ''), 'data-line': String(r.line) },
        h('th', { scope: 'row', 'data-label': t('import.line') }, String(r.line)),
        tds));
    leave.addEventListener('click', () => {
      readInputs();
      fix.rows = fix.rows.filter((x) => x !== r);
      draw(null);
      box.querySelector('h2').focus();
    });
    return group;
  }

  async function resubmit() {
    readInputs();
    const send = fix.rows.slice();
    if (!send.length) return;
    const { text, lines } = writeCsv([fix.header].concat(send.map((r) => r.cells.concat(r.extra))));
    const at = new Map(send.map((r, i) => [lines[i + 1], r]));
    clearErrors(box);
    clear(result);
    result.appendChild(h('p', { class: 'loading' }, t('import.resubmitting')));
    let rep;
    try {
      rep = await busy(box, () => api('POST', '/imports/residents', new Blob([text], { type: 'text/csv' }), { contentType: 'text/csv' }));
    } catch (e) {
      clear(result);
      showError(box, [], e);
      return;
    }
    round += 1;
    // line numbers of this report count in the file just sent: back to the rows
    const still = new Map();
    const lost = [];
    for (const e of rep.errors || []) {
      const r = at.get(e.line);
      if (!r) {
        lost.push(e);
        continue;
      }
      if (!still.has(r)) still.set(r, []);
      still.get(r).push(e);
    }
    for (const [r, errs] of still) r.errors = errs;
    fix.rows = send.filter((r) => still.has(r));
    fix.lost = fix.lost.concat(lost);
    draw(rep);
    const head = result.querySelector('h3');
    if (head) head.focus();
  }

  function draw(rep) {
    clear(box);
    const rows = fix.rows;
    box.appendChild(h('h2', { id: 'fix-h', tabindex: '-1' }, t('import.fix_title')));
    box.appendChild(formError());
    if (rep) {
      clear(result);
      const taken = rep.rows - rep.bad;
      result.appendChild(h('h3', { tabindex: '-1', id: 'fix-result-h' }, t('import.resubmit_report', { n: round })));
      result.appendChild(summary(rep, t('import.resubmit_report', { n: round })));
      result.appendChild(h('p', { class: rows.length ? 'notice' : 'hint', id: 'fix-outcome' },
        rows.length ? t('import.still_bad', { taken, n: rows.length }) : t('import.all_fixed', { taken })));
    }
    box.appendChild(result);
    if (rows.length) {
      box.appendChild(h('p', { class: 'hint' }, t('import.fix_intro')));
      box.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'table stack fix-table', id: 'fix-table' },
        h('caption', null, t('import.errors', { n: rows.length })),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('import.line')),
          fix.header.map((name, i) => h('th', { scope: 'col' }, name || String(i + 1))))),
        rows.slice(0, EDIT_ROWS).map(rowEl))));
      for (const r of rows.slice(EDIT_ROWS)) r.inputs = null;
      if (rows.length > EDIT_ROWS) box.appendChild(h('p', { class: 'hint' }, t('import.more_rows', { shown: EDIT_ROWS, n: rows.length })));
    } else if (!rep && !result.firstChild) {
      box.appendChild(h('p', { class: 'hint' }, t('import.none_left')));
    }
    if (fix.lost.length) box.appendChild(errorTable(fix.lost, t('import.lost', { n: fix.lost.length })));
    if (rows.length) {
      const btn = h('button', { type: 'button', class: 'btn btn-primary', id: 'fix-resubmit' }, t('import.resubmit', { n: rows.length }));
      btn.addEventListener('click', resubmit);
      box.appendChild(h('p', { class: 'actions' }, btn));
    }
  }

  draw(null);
  return box;
}

function report(rep, bytes) {
  const errors = rep.errors || [];
  let fix = null;
  let why = null;
  if (errors.length) {
    if (rep.converted_from_gbk) why = t('import.not_editable');
    else if (bytes) { // else the file could not be read again: the plain report
      try {
        fix = refusedRows(bytes, errors);
      } catch (e) {
        console.error(e);
      }
      if (!fix) why = t('import.not_editable');
    }
  }
  return h('section', { 'aria-labelledby': 'rep-h', class: 'report' },
    h('h2', { id: 'rep-h', tabindex: '-1' }, t('import.report')),
    summary(rep, t('import.report')),
    rep.converted_from_gbk ? h('p', { class: 'hint' }, t('import.gbk')) : null,
    why ? h('p', { class: 'notice', id: 'fix-not-editable' }, why) : null,
    errors.length && !fix ? errorTable(errors, t('import.errors', { n: rep.bad })) : null,
    errors.length > SHOW_ERRORS && !fix ? h('p', { class: 'hint' }, t('import.more_errors', { shown: SHOW_ERRORS, n: errors.length })) : null,
    rep.bad > errors.length ? h('p', { class: 'notice' }, t('import.missing_reasons', { n: rep.bad - errors.length })) : null,
    fix ? fixer(fix) : null);
}

export default async function importView(ctx) {
  ctx.title = can.registry() ? t('import.title') : t('export.title');
  ctx.wide = true; // the refused rows are a sheet of ten columns: on a desk, all of them in view
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
      const line = h('p', { class: 'loading', id: 'import-progress' }, t('import.uploading', { name: fl.name }));
      out.appendChild(line);
      // the server says how far it has read the sheet: asked every second while it works
      const pid = 'imp-' + Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
      let polling = true;
      const poll = async () => {
        while (polling) {
          await new Promise((r) => window.setTimeout(r, 1000));
          if (!polling) break;
          const p = await api('GET', '/progress/' + pid).catch(() => null);
          if (polling && p && p.state === 'running') {
            line.textContent = t('import.progress', { name: fl.name, rows: p.rows.toLocaleString(), pct: Math.floor(p.share * 100) });
          }
        }
      };
      try {
        // the bytes sent, kept to find the refused rows in (the input may change meanwhile)
        const bytes = fl.arrayBuffer().catch(() => null);
        poll();
        const rep = await busy(form, () => api('POST', '/imports/residents', fl, { contentType: 'text/csv', headers: { 'X-Progress-Id': pid } }))
          .finally(() => { polling = false; });
        const node = report(rep, (rep.errors || []).length ? await bytes : null);
        out.textContent = '';
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
