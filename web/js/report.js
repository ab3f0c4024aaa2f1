// report.js — the no-login family page behind a household link.  The token is in the
// URL fragment (#…), so it never reaches a server log; it is sent in a header.  Its words
// come from the app's catalogues (web/i18n, keys self.*): Chinese, the residents' language,
// unless this phone chose English in the app; the server's "中文 / English" messages show
// the half of that language.  The supplies part (group buying, errands) is report-supply.js.
import { t, tv, loadLang, storedLang, serverText } from './i18n.js';
import { drawSupply } from './report-supply.js';

const token = location.hash.replace(/^#/, '');
const $ = (id) => document.getElementById(id);
// 发热 first: a family without a thermometer says so here, and the server opens the alert
const SYMPTOMS = ['fever', 'cough', 'fatigue', 'chest_tightness', 'sore_throat', 'diarrhoea', 'loss_of_smell_taste'];

// The answer to a tap, at the top of the page: brought on screen, since the buttons that
// were tapped are far below it on a phone (one screen per person).
function status(text, kind) {
  const s = $('status');
  s.textContent = text;
  s.className = 'status ' + (kind || '');
  const r = s.getBoundingClientRect();
  if (text && (r.top < 0 || r.bottom > window.innerHeight)) s.scrollIntoView({ block: 'center' });
}

// A temperature that cannot be sent: said under the person's field, which takes the focus.
function fieldError(input, text) {
  const err = $('e' + input.dataset.id);
  err.textContent = text;
  err.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

function clearFieldErrors() {
  for (const input of document.querySelectorAll('input[data-id][aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    $('e' + input.dataset.id).hidden = true;
  }
}

async function call(method, path, body) {
  const headers = { 'X-Household-Token': token, Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch('/api/v1' + path, { method, headers, body: body ? JSON.stringify(body) : undefined, cache: 'no-store' });
  } catch (e) {
    throw new Error(t('err.network'));
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const msg = data && data.error && data.error.message;
    throw Object.assign(new Error(msg ? serverText(msg) : t('err.http', { status: res.status })), { field: (data && data.error && data.error.field) || null });
  }
  return data;
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k) e.append(k);
  return e;
}

function memberRow(m) {
  const id = 't' + m.id;
  const input = el('input', { id, type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: t('self.temp_placeholder'), 'data-id': m.id, 'data-name': m.name, 'aria-describedby': 'e' + m.id });
  const err = el('p', { id: 'e' + m.id, class: 'field-err', role: 'alert' });
  err.hidden = true;
  const presets = el('div', { class: 'presets' });
  for (const v of ['36.2', '36.5', '36.8']) {
    const b = el('button', { type: 'button', text: v });
    b.addEventListener('click', () => { input.value = v; });
    presets.append(b);
  }
  const sym = el('div', { class: 'sym', 'data-for': m.id });
  for (const code of SYMPTOMS) {
    const b = el('button', { type: 'button', 'aria-pressed': 'false', 'data-code': code, text: tv('sym', code) });
    b.addEventListener('click', () => b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true'));
    sym.append(b);
  }
  let done = null;
  if (m.today && m.today.day_fever) {
    // a fever stays on the day: a later normal reading is a re-check, not an erasure
    done = el('p', { class: 'done hot', text: t('self.fever_today') });
  } else if (m.today && m.today.status === 'reported') {
    done = el('p', { class: 'done', text: m.today.temperature ? t('self.reported_today_temp', { t: m.today.temperature }) : t('self.reported_today') });
  }
  return el('div', { class: 'row' }, el('h2', { text: m.name }), done,
    el('label', { for: id, text: t('self.temp_label') }), input, err, presets, sym);
}

function readings(allNormal) {
  const out = [];
  for (const input of document.querySelectorAll('input[data-id]')) {
    const id = Number(input.dataset.id);
    const symptoms = [...document.querySelectorAll(`.sym[data-for="${id}"] button[aria-pressed="true"]`)].map((b) => b.dataset.code);
    const v = input.value.trim().replace('，', '.').replace(',', '.');
    if (!v && !symptoms.length) continue;
    const r = { resident_id: id };
    if (v) {
      const temp = Number(v);
      if (!/^\d+(\.\d*)?$/.test(v) || !(temp >= 34 && temp <= 43)) {
        throw Object.assign(new Error(t('self.temp_range_named', { name: input.dataset.name })), { input });
      }
      r.temperature = temp;
    }
    if (symptoms.length) r.symptoms = symptoms;
    out.push(r);
  }
  if (!out.length && !allNormal) throw new Error(t('self.need_temp'));
  return out;
}

async function submit(allNormal) {
  let body = null;
  clearFieldErrors();
  try {
    body = { readings: readings(allNormal), client_id: 'self-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) };
    if (allNormal) body.all_normal = true;
    const res = await call('POST', '/household-link/checkins', body);
    const fever = res.results.some((x) => x.fever && !x.kept);
    const kept = res.results.filter((x) => x.kept).length;
    await load();
    status(t(fever ? 'self.sent_fever' : 'self.sent') + (kept ? t('self.kept', { n: kept }) : ''), fever ? 'err' : 'ok');
  } catch (e) {
    // the server names a reading as readings[i].field: that person's field says it
    const m = /^readings\[(\d+)\]/.exec(e.field || '');
    const r = m && body && body.readings[Number(m[1])];
    const input = e.input || (r && $('t' + r.resident_id));
    if (input) {
      const msg = e.input ? e.message : input.dataset.name + '：' + e.message;
      status(msg, 'err');
      fieldError(input, msg);
    } else {
      status(e.message, 'err');
    }
  }
}

async function load() {
  if (!/^[0-9a-f]{32}$/.test(token)) {
    $('where').textContent = t('self.bad_link');
    return;
  }
  try {
    const h = await call('GET', '/household-link');
    // the city's fever line (its setting), in the words the family reads
    if (h.fever_threshold) $('help').textContent = t('self.help', { t: h.fever_threshold.toFixed(1) });
    $('where').textContent = [h.building, h.entrance, h.room].filter(Boolean).join(' ') + ' · ' + h.day;
    const rows = $('rows');
    rows.replaceChildren(...h.members.map(memberRow));
    // nobody living here (a family away, or back and not registered again): there is no one to
    // report for, and "sent" would say a reading was kept that was not
    if (!h.members.length) rows.replaceChildren(el('p', { class: 'nobody', id: 'nobody', text: t('self.nobody') }));
    $('allnormal').hidden = $('send').hidden = !h.members.length;
    $('form').hidden = false;
    drawSupply($('supply'), call, el);
  } catch (e) {
    $('where').textContent = e.message;
  }
}

// The page's own words (report.html carries the Chinese ones for the first paint).
function words() {
  document.title = t('self.title');
  $('title').textContent = t('self.title');
  $('where').textContent = t('self.opening');
  $('allnormal').textContent = t('self.all_normal');
  $('send').textContent = t('self.submit');
  $('help').textContent = t('self.help', { t: '37.3' });
}

$('form').addEventListener('submit', (ev) => { ev.preventDefault(); submit(false); });
$('allnormal').addEventListener('click', () => submit(true));
loadLang(storedLang() === 'en' ? 'en' : 'zh').then(words, () => {}).then(load);
