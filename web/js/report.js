// report.js — the no-login family page behind a household link.  The token is in the
// URL fragment (#…), so it never reaches a server log; it is sent in a header.  Chinese only
// (residents of the household read it); the server's "中文 / English" messages show their
// Chinese half.  The supplies part (group buying, errands) is report-supply.js.
import { drawSupply } from './report-supply.js';

const token = location.hash.replace(/^#/, '');
const $ = (id) => document.getElementById(id);
const SYMPTOMS = [['cough', '咳嗽'], ['fatigue', '乏力'], ['chest_tightness', '胸闷'], ['sore_throat', '咽痛'],
  ['diarrhoea', '腹泻'], ['loss_of_smell_taste', '嗅觉味觉减退']];

function status(text, kind) {
  const s = $('status');
  s.textContent = text;
  s.className = 'status ' + (kind || '');
}

async function call(method, path, body) {
  const headers = { 'X-Household-Token': token, Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  const res = await fetch('/api/v1' + path, { method, headers, body: body ? JSON.stringify(body) : undefined, cache: 'no-store' });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(zh((data && data.error && data.error.message) || '网络错误，请稍后再试'));
  return data;
}

// The Chinese half of "中文 / English", with full-width punctuation next to Chinese.
function zh(msg) {
  const i = msg.indexOf(' / ');
  const s = i > 0 && /[\u3400-\u9fff]/.test(msg.slice(0, i)) ? msg.slice(0, i) : msg;
  const full = { ',': '，', ':': '：', ';': '；', '?': '？', '!': '！' };
  return s.replace(/([\u3400-\u9fff])\s*([,:;?!])\s*/g, (m, c, p) => c + full[p]);
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
  const input = el('input', { id, type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '填体温', 'data-id': m.id });
  const presets = el('div', { class: 'presets' });
  for (const v of ['36.2', '36.5', '36.8']) {
    const b = el('button', { type: 'button', text: v });
    b.addEventListener('click', () => { input.value = v; });
    presets.append(b);
  }
  const sym = el('div', { class: 'sym', 'data-for': m.id });
  for (const [code, zh] of SYMPTOMS) {
    const b = el('button', { type: 'button', 'aria-pressed': 'false', 'data-code': code, text: zh });
    b.addEventListener('click', () => b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true'));
    sym.append(b);
  }
  let done = null;
  if (m.today && m.today.day_fever) {
    // a fever stays on the day: a later normal reading is a re-check, not an erasure
    done = el('p', { class: 'done hot', text: '今天报过发热，网格员会跟进。再量一次请填上新的体温。' });
  } else if (m.today && m.today.status === 'reported') {
    done = el('p', { class: 'done', text: '今天已报' + (m.today.temperature ? '：' + m.today.temperature + ' ℃' : '') });
  }
  return el('div', { class: 'row' }, el('h2', { text: m.name }), done,
    el('label', { for: id, text: '体温（℃）' }), input, presets, sym);
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
      const t = Number(v);
      if (!(t >= 34 && t <= 43)) throw new Error('体温应在 34–43 ℃ 之间');
      r.temperature = t;
    }
    if (symptoms.length) r.symptoms = symptoms;
    out.push(r);
  }
  if (!out.length && !allNormal) throw new Error('请填写体温，或点“全家体温正常”');
  return out;
}

async function submit(allNormal) {
  try {
    const body = { readings: readings(allNormal), client_id: 'self-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) };
    if (allNormal) body.all_normal = true;
    const res = await call('POST', '/household-link/checkins', body);
    const fever = res.results.some((x) => x.fever && !x.kept);
    const kept = res.results.filter((x) => x.kept).length;
    status((fever ? '已提交。有人发热，网格员会马上联系您。' : '已提交，谢谢！') +
      (kept ? '今天已报过的 ' + kept + ' 人保留原记录。' : ''), fever ? 'err' : 'ok');
    load();
  } catch (e) {
    status(e.message, 'err');
  }
}

async function load() {
  if (!/^[0-9a-f]{32}$/.test(token)) {
    $('where').textContent = '链接不完整，请重新扫码';
    return;
  }
  try {
    const h = await call('GET', '/household-link');
    $('where').textContent = [h.building, h.entrance, h.room].filter(Boolean).join(' ') + ' · ' + h.day;
    const rows = $('rows');
    rows.replaceChildren(...h.members.map(memberRow));
    $('form').hidden = false;
    drawSupply($('supply'), call, el);
  } catch (e) {
    $('where').textContent = e.message;
  }
}

$('form').addEventListener('submit', (ev) => { ev.preventDefault(); submit(false); });
$('allnormal').addEventListener('click', () => submit(true));
load();
