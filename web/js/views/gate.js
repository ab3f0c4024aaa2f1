// gate.js — the checkpoint (卡口) on a guard's phone: pick a gate, find a resident by name,
// pinyin initials or room (the resident search) or type a household pass (出入证) number,
// then one tap on 出 / 进 with the temperature already filled in: the common case in two
// taps.  The answer is shown large — 可以通行 / 不能通行 — with each reason in words the
// guard can say aloud (Chinese, English beside it).  Visitors and couriers are registered
// in a form below.  Without network a passage waits on the phone in the worker app's queue
// (queue.js: same client_id, sent again when the network returns) with the moment it was
// taken down (captured_at): the server checks and logs it as at that moment.
// Essential staff (医护、保供、水电气) show a named pass (通行证, "s" and 32 hex digits) that
// the same field and camera read; the gate list carries the compound's passes, with their
// counts, and for the community the form that issues, prints and revokes them.
// Docs: docs/api.md section 12.
import { api } from '../api.js';
import { session } from '../session.js';
import * as queue from '../queue.js';
import { t, tv, getLang } from '../i18n.js';
import { h, mount, clear, fmtTime } from '../dom.js';
import { householdLabel, fmtTemp } from './common.js';

const GATE_KEY = 'wg_gate';

// jsQR, loaded once, on the first scan of a browser without BarcodeDetector.
let jsQRLoading = null;
function loadJsQR() {
  if (window.jsQR) return Promise.resolve();
  if (!jsQRLoading) {
    jsQRLoading = new Promise((resolve, reject) => {
      const el = document.createElement('script');
      el.src = '/vendor/jsQR.js';
      el.onload = () => (window.jsQR ? resolve() : reject(new Error('jsQR')));
      el.onerror = () => {
        jsQRLoading = null;
        reject(new Error('jsQR'));
      };
      document.head.appendChild(el);
    });
  }
  return jsQRLoading;
}

function storedGate() {
  try {
    return Number(window.localStorage.getItem(GATE_KEY)) || 0;
  } catch (e) {
    return 0;
  }
}
function storeGate(id) {
  try {
    if (id) window.localStorage.setItem(GATE_KEY, String(id));
    else window.localStorage.removeItem(GATE_KEY);
  } catch (e) {
    /* private mode */
  }
}

// A compound today: passages in and out, goods, refusals, and who of the residents is out.
function compoundSummary(c) {
  const k = c.counts || {};
  const sum = (pre) => Object.keys(k).filter((x) => x.indexOf(pre) === 0).reduce((n, x) => n + k[x], 0);
  const people = (c.outside && c.outside.people) || [];
  return h('section', { class: 'gate-compound', 'data-compound': c.unit },
    h('h2', null, c.name),
    h('dl', { class: 'stats gate-stats' },
      h('div', null, h('dt', null, t('gate.n_out')), h('dd', null, String(sum('out:')))),
      h('div', null, h('dt', null, t('gate.n_in')), h('dd', null, String(sum('in:')))),
      h('div', null, h('dt', null, t('gate.n_goods')), h('dd', null, String(k.goods || 0))),
      h('div', { class: k.refused ? 'hot' : null }, h('dt', null, t('gate.n_refused')), h('dd', null, String(k.refused || 0))),
      h('div', { class: c.outside.overdue ? 'hot' : null }, h('dt', null, t('gate.n_outside')),
        h('dd', { 'data-stat': 'outside' }, String(c.outside.count)))),
    people.length ? h('details', { class: 'panel' },
      h('summary', null, t('gate.outside_list', { n: c.outside.count, late: c.outside.overdue })),
      h('ul', { class: 'list plain' }, people.map((p) => h('li', { class: p.overdue ? 'gate-late' : null },
        h('strong', null, p.name), ' ', householdLabel(p), ' · ', t('gate.out_since', { at: fmtTime(p.since), gate: p.gate }),
        p.overdue ? h('span', { class: 'badge badge-no' }, ' ' + t('gate.overdue')) : null)))) : null);
}

export default async function gateView(ctx) {
  ctx.title = t('gate.title');
  const list = await api('GET', '/gates');
  const gates = list.items || [];
  let gateId = Number(ctx.params && ctx.params[0]) || storedGate();
  let gate = gates.find((g) => g.id === gateId);
  if (!gate) {
    storeGate(0);
    const compounds = [];
    for (const g of gates) if (compounds.indexOf(g.unit) < 0) compounds.push(g.unit);
    const summaries = await Promise.all(compounds.slice(0, 5).map((c) => api('GET', '/compounds/' + encodeURIComponent(c) + '/now').catch(() => null)));
    return h('section', { class: 'gate-page' },
      summaries.filter(Boolean).map(compoundSummary),
      staffPanel(ctx, compounds.map((c) => ({ code: c, name: gates.find((g) => g.unit === c).unit_name }))),
      h('h1', { tabindex: '-1' }, t('gate.pick')),
      gates.length
        ? h('ul', { class: 'list gate-pick' }, gates.map((g) => h('li', null,
          h('a', {
            class: 'row-link', href: '#/gate/' + g.id, 'data-gate': String(g.id),
            on: { click: () => storeGate(g.id) },
          },
          h('span', { class: 'row-main' }, g.name, ' ', h('span', { class: 'badge badge-gate-' + g.state }, tv('gstate', g.state))),
          h('span', { class: 'row-sub' }, g.unit_name, g.merged_into ? ' · ' + t('gate.merged_into', { name: g.merged_into.name }) : '')))))
        : h('p', { class: 'empty' }, t('gate.none')));
  }
  storeGate(gate.id);
  gateId = gate.id;

  // ---- the answer, shown large ----
  const verdict = h('div', { class: 'gate-verdict', id: 'gate-verdict', role: 'status', 'aria-live': 'assertive', hidden: true });
  function showVerdict(p) {
    clear(verdict);
    verdict.hidden = false;
    verdict.className = 'gate-verdict ' + (p.allowed ? 'is-allowed' : 'is-refused');
    verdict.setAttribute('data-allowed', p.allowed ? '1' : '0');
    const sp = p.staff_pass;
    const who = p.person ? p.person.name + ' · ' + householdLabel(p.person)
      : (sp ? t('gate.staff_who', { name: sp.name, kind: tv('spkind', sp.kind), employer: sp.employer || '' })
        : (p.visitor ? p.visitor.name : ''));
    verdict.appendChild(h('p', { class: 'gate-verdict-big' }, p.allowed ? t('gate.allowed') : t('gate.refused')));
    verdict.appendChild(h('p', { class: 'gate-verdict-who' }, who, ' · ', tv('gdir', p.direction), ' · ', fmtTemp(p.temperature)));
    if (p.reasons && p.reasons.length) {
      verdict.appendChild(h('ul', { class: 'gate-reasons' }, p.reasons.map((r) => h('li', { 'data-reason': r.code },
        h('span', { class: 'gate-reason-zh', lang: 'zh-CN' }, r.message),
        h('span', { class: 'gate-reason-en', lang: 'en' }, r.en)))));
    }
    if (p.alert_id) verdict.appendChild(h('p', { class: 'gate-alert' }, t('gate.alert_opened')));
    if (p.duplicate) verdict.appendChild(h('p', { class: 'hint' }, t('gate.duplicate')));
    verdict.scrollIntoView({ block: 'nearest' });
  }

  // ---- today's counters ----
  const counters = h('dl', { class: 'stats gate-stats', id: 'gate-stats' });
  async function drawCounters() {
    try {
      const now = await api('GET', '/gates/' + gateId + '/now');
      const c = now.counts || {};
      const sum = (pre) => Object.keys(c).filter((k) => k.indexOf(pre) === 0).reduce((n, k) => n + c[k], 0);
      mount(counters,
        h('div', null, h('dt', null, t('gate.n_out')), h('dd', { 'data-stat': 'out' }, String(sum('out:')))),
        h('div', null, h('dt', null, t('gate.n_in')), h('dd', { 'data-stat': 'in' }, String(sum('in:')))),
        h('div', null, h('dt', null, t('gate.n_goods')), h('dd', { 'data-stat': 'goods' }, String(c.goods || 0))),
        h('div', { class: c.refused ? 'hot' : null }, h('dt', null, t('gate.n_refused')), h('dd', { 'data-stat': 'refused' }, String(c.refused || 0))),
        h('div', null, h('dt', null, t('gate.n_outside')), h('dd', { 'data-stat': 'outside' }, String(now.outside))));
    } catch (e) {
      /* the counters wait for the next passage */
    }
  }

  // ---- temperature and purpose: filled in, changed only when needed ----
  const temp = h('input', { id: 'gate-temp', name: 'temperature', type: 'number', inputmode: 'decimal', step: '0.1', min: '34', max: '43', value: '36.5' });
  const purpose = h('select', { id: 'gate-purpose', name: 'purpose' },
    ['supplies', 'medical', 'work', 'other'].map((p) => h('option', { value: p }, tv('gpurpose', p))));
  const formError = h('div', { class: 'form-error', role: 'alert', hidden: true });

  async function send(body, label) {
    formError.hidden = true;
    clearVisitorErrors();
    // the answer on screen is of the last tap: a new tap that fails must not leave it standing
    verdict.hidden = true;
    const v = Number(temp.value);
    if (!(v >= 34 && v <= 43)) {
      formError.textContent = t('gate.need_temp');
      formError.hidden = false;
      temp.focus();
      return null;
    }
    body.gate_id = gateId;
    body.temperature = Math.round(v * 10) / 10;
    if (body.direction === 'out') body.purpose = purpose.value;
    body.client_id = queue.newClientId();
    body.captured_at = new Date().toISOString();
    return post(body, label);
  }

  // Sent now, or kept in the phone's queue when the network is down: the same client_id
  // every time, so the server stores it once and answers what it stored.
  async function post(body, label) {
    formError.hidden = true;
    try {
      const res = await queue.submit({ path: '/passages', body, label: t('gate.queue_label', { gate: gate.name, who: label || '' }) });
      if (res.queued) {
        showQueued(label);
        return null;
      }
      if (res.result) {
        showVerdict(res.result);
        drawCounters();
        // a staff pass refused (revoked meanwhile, say): its card on screen says so too
        if (res.result.staff_pass && !res.result.allowed && token.value) scan();
      }
      return res.result;
    } catch (e) {
      if (e.handled) return null;
      // a visitor's field the server refused (visitor.phone …): said under that field of the
      // visitor form, named, where the guard is looking — not at the top of the page
      if (e.field && e.field.indexOf('visitor.') === 0 && showVisitorError(e.field.slice(8), e.message)) return null;
      clear(formError);
      formError.appendChild(document.createTextNode(e.message));
      formError.hidden = false;
      formError.scrollIntoView({ block: 'nearest' });
      return null;
    }
  }
  // No network: the guard decides by the rules on the card; the server checks it on sync.
  function showQueued(label) {
    clear(verdict);
    verdict.hidden = false;
    verdict.className = 'gate-verdict is-queued';
    verdict.setAttribute('data-allowed', 'queued');
    verdict.appendChild(h('p', { class: 'gate-verdict-big' }, t('gate.queued')));
    verdict.appendChild(h('p', { class: 'gate-verdict-who' }, label || ''));
    verdict.appendChild(h('p', { class: 'hint' }, t('gate.queued_hint')));
  }
  const stopSent = queue.onSent(() => drawCounters());
  window.addEventListener('hashchange', stopSent, { once: true });

  function dirButtons(make, label) {
    const who = (dir) => (typeof label === 'function' ? label() : label) + ' · ' + tv('gdir', dir);
    return h('span', { class: 'gate-dir' },
      h('button', { type: 'button', class: 'btn btn-primary gate-out', 'data-dir': 'out', 'aria-label': t('gate.out') + ' ' + label, on: { click: () => send(make('out'), who('out')) } }, t('gate.out')),
      h('button', { type: 'button', class: 'btn gate-in', 'data-dir': 'in', 'aria-label': t('gate.in') + ' ' + label, on: { click: () => send(make('in'), who('in')) } }, t('gate.in')));
  }

  // ---- find a resident ----
  const results = h('div', { id: 'gate-results' });
  const q = h('input', { id: 'gate-q', type: 'search', name: 'q', maxlength: 40, autocomplete: 'off', enterkeyhint: 'search', placeholder: t('gate.find_ph') });
  async function find(ev) {
    ev.preventDefault();
    const term = q.value.trim();
    clear(results);
    if (!term) return;
    let res;
    try {
      // at this gate: the compounds it serves too (a neighbour's gate merged into it)
      res = await api('POST', '/residents/search', { q: term, limit: 10, offset: 0, gate_id: gateId });
    } catch (e) {
      // no network (or the server refused): said here, not swallowed
      if (!e.handled) mount(results, h('p', { class: 'form-error', role: 'alert' }, e.message));
      return;
    }
    const items = res.items || [];
    mount(results, items.length
      ? h('ul', { class: 'list gate-people' }, items.map((r) => h('li', { 'data-resident': String(r.id) },
        h('span', { class: 'gate-person' }, h('strong', null, r.name), ' ', householdLabel(r),
          r.id_number ? h('small', null, ' ' + r.id_number) : null),
        dirButtons((dir) => ({ direction: dir, resident_id: r.id }), r.name))))
      : h('p', { class: 'empty' }, t('search.none')));
  }

  // ---- a household pass ----
  const passOut = h('div', { id: 'gate-pass' });
  const token = h('input', { id: 'gate-token', name: 'token', maxlength: 64, autocomplete: 'off', spellcheck: 'false', placeholder: t('gate.pass_ph') });
  // The phone's camera reads the card's QR code: through the browser's BarcodeDetector
  // where it has one (Chrome on Android), else through jsQR (npm, vendored in
  // web/vendor/jsQR.js, loaded the first time) on frames of the video drawn to a canvas
  // (Safari on an iPhone); the guard can always type the number printed under it.
  const camBox = h('div', { class: 'gate-camera', id: 'gate-camera', hidden: true });
  let camStop = null;
  function stopCamera() {
    if (camStop) camStop();
    camStop = null;
    clear(camBox);
    camBox.hidden = true;
  }
  async function startCamera() {
    stopCamera();
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (e) {
      formError.textContent = t('gate.camera_denied');
      formError.hidden = false;
      return;
    }
    const video = h('video', { class: 'gate-video', playsinline: true, muted: true, autoplay: true });
    video.muted = true;
    video.srcObject = stream;
    let alive = true;
    camStop = () => {
      alive = false;
      for (const tr of stream.getTracks()) tr.stop();
    };
    mount(camBox, video, h('p', { class: 'hint' }, t('gate.camera_hint')),
      h('button', { type: 'button', class: 'btn', id: 'gate-camera-stop', on: { click: stopCamera } }, t('gate.camera_stop')));
    camBox.hidden = false;
    let detect;
    if (typeof window.BarcodeDetector === 'function') {
      const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      detect = () => detector.detect(video);
    } else {
      try {
        await loadJsQR();
      } catch (e) {
        stopCamera();
        formError.textContent = t('gate.camera_denied');
        formError.hidden = false;
        return;
      }
      const canvas = document.createElement('canvas');
      const g2 = canvas.getContext('2d', { willReadFrequently: true });
      detect = async () => {
        const w = video.videoWidth;
        const hh = video.videoHeight;
        if (!w || !hh) return [];
        const scale = Math.min(1, 640 / Math.max(w, hh));
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(hh * scale);
        g2.drawImage(video, 0, 0, canvas.width, canvas.height);
        const img = g2.getImageData(0, 0, canvas.width, canvas.height);
        const code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
        return code ? [{ rawValue: code.data }] : [];
      };
    }
    const look = async () => {
      if (!alive || !ctx.alive()) return stopCamera();
      try {
        const codes = video.readyState >= 2 ? await detect() : [];
        const hit = codes.map((c) => String(c.rawValue || '').replace(/\s+/g, '').toLowerCase()).find((v) => /^s?[0-9a-f]{32}$/.test(v));
        if (hit) {
          stopCamera();
          token.value = hit;
          scan();
          return;
        }
      } catch (e) {
        /* a frame it could not read: the next one */
      }
      window.setTimeout(look, 250);
    };
    look();
  }
  window.addEventListener('hashchange', stopCamera, { once: true });
  const canScan = !!navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === 'function';
  const camButton = canScan
    ? h('button', { type: 'button', class: 'btn', id: 'gate-camera-start', on: { click: startCamera } }, t('gate.camera'))
    : null;

  async function scan(ev) {
    if (ev) ev.preventDefault();
    const tok = token.value.replace(/\s+/g, '').toLowerCase();
    clear(passOut);
    if (!tok) return;
    const s = await api('POST', '/passes/scan', { token: tok, gate_id: gateId });
    if ('staff_pass' in s) return mount(passOut, staffCard(s, tok));
    const head = s.pass
      ? h('p', { class: 'facts' }, householdLabel(s.pass), ' · ', t('gate.pass_valid', { from: s.pass.valid_from, to: s.pass.valid_to }))
      : null;
    mount(passOut, head,
      (s.reasons || []).length ? h('ul', { class: 'gate-reasons is-refused' }, s.reasons.map((r) => h('li', { 'data-reason': r.code },
        h('span', { class: 'gate-reason-zh', lang: 'zh-CN' }, r.message), h('span', { class: 'gate-reason-en', lang: 'en' }, r.en)))) : null,
      h('ul', { class: 'list gate-people' }, (s.people || []).map((p) => h('li', { 'data-resident': String(p.id) },
        h('span', { class: 'gate-person' }, h('strong', null, p.name), ' ',
          h('span', { class: 'badge ' + (p.may_go_out ? 'badge-ok' : 'badge-no') }, p.may_go_out ? t('gate.may_go') : t('gate.may_not_go')),
          p.outside ? h('span', { class: 'badge' }, t('gate.is_outside')) : null,
          (p.reasons || []).length ? h('small', { class: 'gate-person-why' }, ' ' + p.reasons.map((r) => (getLang() === 'en' ? r.en : r.message)).join(' ')) : null),
        dirButtons((dir) => ({ direction: dir, pass_token: tok, resident_id: p.id }), p.name)))));
  }

  // A staff pass scanned: who, for what, until when, valid here or why not — and 进 / 出.
  function staffCard(s, tok) {
    const sp = s.staff_pass;
    const reasons = (s.reasons || []).length
      ? h('ul', { class: 'gate-reasons is-refused' }, s.reasons.map((r) => h('li', { 'data-reason': r.code },
        h('span', { class: 'gate-reason-zh', lang: 'zh-CN' }, r.message), h('span', { class: 'gate-reason-en', lang: 'en' }, r.en))))
      : null;
    if (!sp) return h('div', { class: 'staff-card', id: 'staff-card', 'data-valid': '0' }, reasons);
    return h('div', { class: 'staff-card', id: 'staff-card', 'data-valid': s.valid ? '1' : '0', 'data-pass': String(sp.id) },
      h('p', { class: 'staff-card-head' }, h('strong', null, sp.name), ' ',
        h('span', { class: 'badge ' + (s.valid ? 'badge-ok' : 'badge-no') }, s.valid ? t('gate.staff_valid') : t('gate.staff_invalid'))),
      h('p', { class: 'facts' }, tv('spkind', sp.kind), sp.employer ? ' · ' + sp.employer : '', ' · ', sp.purpose),
      h('p', { class: 'facts' }, t('gate.pass_valid', { from: sp.valid_from, to: sp.valid_to }), ' · ',
        t('gate.staff_scope', { where: sp.scope.map((x) => x.name).join('、') })),
      reasons,
      s.valid ? dirButtons((dir) => ({ direction: dir, pass_token: tok }), sp.name) : null);
  }

  // ---- visitors, couriers, suppliers ----
  const vf = {};
  const vErr = {};
  const vfield = (name, input) => {
    vf[name] = input;
    vErr[name] = h('span', { class: 'field-error', id: input.id + '-err', role: 'alert', hidden: true });
    input.setAttribute('aria-describedby', input.id + '-err');
    return h('p', { class: 'field' }, h('label', { for: input.id }, t('gate.v_' + name)), input, vErr[name]);
  };
  function clearVisitorErrors() {
    for (const k of Object.keys(vErr)) {
      vErr[k].hidden = true;
      vErr[k].textContent = '';
      vf[k].removeAttribute('aria-invalid');
    }
  }
  // false when the form has no such field (the error then goes to the page's error box)
  function showVisitorError(name, message) {
    if (!vErr[name]) return false;
    visitorForm.open = true;
    vErr[name].textContent = t('gate.v_error', { field: t('gate.v_' + name), msg: message });
    vErr[name].hidden = false;
    vf[name].setAttribute('aria-invalid', 'true');
    vf[name].focus();
    vf[name].scrollIntoView({ block: 'center' });
    return true;
  }
  const visitorForm = h('details', { class: 'gate-visitor' },
    h('summary', null, t('gate.visitor')),
    h('form', {
      id: 'gate-visitor-form', novalidate: true,
      on: { submit: (ev) => ev.preventDefault() },
    },
    vfield('kind', h('select', { id: 'gv-kind', name: 'kind' },
      ['courier', 'visitor', 'supplier', 'medical', 'utility'].map((k) => h('option', { value: k }, tv('gvkind', k))))),
    vfield('name', h('input', { id: 'gv-name', name: 'name', maxlength: 50, autocomplete: 'off' })),
    vfield('phone', h('input', { id: 'gv-phone', name: 'phone', type: 'tel', inputmode: 'tel', maxlength: 20 })),
    vfield('id_number', h('input', { id: 'gv-id', name: 'id_number', maxlength: 18, autocomplete: 'off' })),
    vfield('company', h('input', { id: 'gv-company', name: 'company', maxlength: 100 })),
    vfield('plate', h('input', { id: 'gv-plate', name: 'plate', maxlength: 12 })),
    vfield('visiting', h('input', { id: 'gv-visiting', name: 'visiting', maxlength: 100 })),
    vfield('health_code', h('select', { id: 'gv-code', name: 'health_code' },
      ['green', 'yellow', 'red'].map((k) => h('option', { value: k }, tv('gcode', k))))),
    vfield('test_at', h('input', { id: 'gv-test', name: 'test_at', type: 'datetime-local' })),
    vfield('test_result', h('select', { id: 'gv-result', name: 'test_result' },
      ['negative', 'positive'].map((k) => h('option', { value: k }, tv('gresult', k))))),
    h('p', { class: 'toggle' }, (vf.goods_only = h('input', { id: 'gv-goods', type: 'checkbox', name: 'goods_only', checked: true })),
      h('label', { for: 'gv-goods' }, t('gate.v_goods_only'))),
    dirButtons((dir) => {
      const v = { kind: vf.kind.value, name: vf.name.value.trim() };
      for (const k of ['phone', 'id_number', 'company', 'plate', 'visiting']) if (vf[k].value.trim()) v[k] = vf[k].value.trim();
      if (dir === 'in') {
        v.health_code = vf.health_code.value;
        if (vf.test_at.value) {
          v.test_at = vf.test_at.value.slice(0, 16);
          v.test_result = vf.test_result.value;
        }
        v.goods_only = vf.goods_only.checked;
      }
      return { direction: dir, visitor: v };
    }, t('gate.visitor'))));

  drawCounters();
  return h('section', { class: 'gate-page', 'data-gate': String(gateId) },
    h('h1', { tabindex: '-1' }, gate.name,
      h('a', { class: 'btn btn-quiet gate-change', href: '#/gate', on: { click: () => storeGate(0) } }, t('gate.change'))),
    h('p', { class: 'facts' }, gate.unit_name, ' · ', tv('gstate', gate.state), gate.hours ? ' · ' + gate.hours : ''),
    // closed or merged by the community since the guard picked it: said before the first tap
    gate.state !== 'open' ? h('p', { class: 'form-error gate-not-open', role: 'status', 'data-state': gate.state },
      t('gate.not_open', { state: gate.merged_into ? t('gate.merged_into', { name: gate.merged_into.name }) : tv('gstate', gate.state) })) : null,
    counters,
    h('div', { class: 'gate-common' },
      h('p', { class: 'field field-inline' }, h('label', { for: 'gate-temp' }, t('gate.temp')), temp),
      h('p', { class: 'field field-inline' }, h('label', { for: 'gate-purpose' }, t('gate.purpose')), purpose)),
    formError,
    verdict,
    h('form', { class: 'search gate-find', role: 'search', on: { submit: find } },
      h('label', { for: 'gate-q', class: 'sr-only' }, t('gate.find')), q,
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('search.button'))),
    results,
    h('form', { class: 'search gate-scan', on: { submit: scan } },
      h('label', { for: 'gate-token', class: 'sr-only' }, t('gate.pass')), token,
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('gate.pass_check')), camButton),
    camBox,
    passOut,
    visitorForm);
}

// ---- named essential-staff passes (通行证): the list of a compound with its counts; the
// community (or street) issues one here — shown once with its QR code, printable as a card
// — and revokes it, which holds at the gate at once ----
function esc(x) {
  return String(x).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
}
function svgSrc(svg) {
  const bytes = new TextEncoder().encode(svg || '');
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return 'data:image/svg+xml;base64,' + window.btoa(bin);
}
function printStaffPass(p) {
  const w = window.open('', '_blank');
  const html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>' + esc(t('sp.card_title')) +
    '</title><link rel="stylesheet" href="' + window.location.origin + '/print.css"></head><body class="pass-print">' +
    '<div class="pass-card"><h1>' + esc(t('sp.card_title')) + '</h1><p class="pass-where">' + esc(p.name) + ' · ' +
    esc(tv('spkind', p.kind)) + (p.employer ? ' · ' + esc(p.employer) : '') + '</p>' +
    '<img class="pass-qr" alt="" src="' + svgSrc(p.svg) + '"><p class="pass-token">' + esc(p.token.replace(/(.{4})(?=.)/g, '$1 ')) + '</p>' +
    '<p>' + esc(t('gate.pass_valid', { from: p.valid_from, to: p.valid_to })) + '</p>' +
    '<p>' + esc(t('gate.staff_scope', { where: p.scope.map((x) => x.name).join('、') })) + ' · ' + esc(p.purpose) + '</p>' +
    '<p class="pass-rule">' + esc(t('sp.card_rule')) + '</p></div></body></html>';
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
  if (w) w.location.href = url;
  else window.location.href = url;
  window.setTimeout(() => URL.revokeObjectURL(url), 120000);
}

function staffPanel(ctx, compounds) {
  const role = session.me && session.me.role;
  const issuer = ['community', 'command', 'admin'].indexOf(role) >= 0;
  const box = h('div', { id: 'sp-list' });
  const err = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const fail = (e) => {
    if (e.handled) return;
    err.textContent = e.message;
    err.hidden = false;
  };
  const unitSel = h('select', { id: 'sp-unit', name: 'unit' },
    h('option', { value: '' }, t('sp.all')), compounds.map((c) => h('option', { value: c.code }, c.name)));
  async function draw() {
    err.hidden = true;
    let res;
    try {
      res = await api('GET', '/staff-passes?limit=100' + (unitSel.value ? '&unit=' + encodeURIComponent(unitSel.value) : ''));
    } catch (e) {
      return fail(e);
    }
    const c = res.counts;
    mount(box,
      h('dl', { class: 'stats gate-stats', id: 'sp-counts' },
        ['active', 'pending', 'expired', 'revoked'].map((k) => h('div', null, h('dt', null, tv('spstate', k)), h('dd', { 'data-stat': k }, String(c[k]))))),
      h('p', { class: 'facts' }, Object.keys(res.active_by_kind).map((k) => tv('spkind', k) + ' ' + res.active_by_kind[k]).join(' · ')),
      res.items.length
        ? h('ul', { class: 'list sp-items' }, res.items.map((p) => h('li', { 'data-pass': String(p.id), 'data-state': p.state },
          h('span', { class: 'row-main' }, h('strong', null, p.name), ' ', tv('spkind', p.kind), p.employer ? ' · ' + p.employer : '', ' ',
            h('span', { class: 'badge ' + (p.state === 'active' ? 'badge-ok' : 'badge-no') }, tv('spstate', p.state))),
          h('span', { class: 'row-sub' }, t('gate.pass_valid', { from: p.valid_from, to: p.valid_to }), ' · ',
            t('gate.staff_scope', { where: p.scope.map((x) => x.name).join('、') }), ' · ', t('sp.uses', { n: p.uses }),
            p.phone ? ' · ' + p.phone : ''),
          issuer && p.state !== 'revoked' ? h('button', {
            type: 'button', class: 'btn btn-danger sp-revoke',
            on: {
              click: async () => {
                const why = window.prompt(t('sp.revoke_why'), '');
                if (why === null) return;
                try {
                  await api('DELETE', '/staff-passes/' + p.id + (why ? '?reason=' + encodeURIComponent(why) : ''));
                } catch (e) {
                  return fail(e);
                }
                draw();
              },
            },
          }, t('sp.revoke')) : null)))
        : h('p', { class: 'empty' }, t('sp.none')));
  }
  unitSel.addEventListener('change', draw);
  let form = null;
  if (issuer) {
    const f = {};
    const fErr = {};
    const field = (name, input) => {
      f[name] = input;
      fErr[name] = h('span', { class: 'field-error', id: input.id + '-err', role: 'alert', hidden: true });
      input.setAttribute('aria-describedby', input.id + '-err');
      return h('p', { class: 'field' }, h('label', { for: input.id }, t('sp.f_' + name)), input, fErr[name]);
    };
    const formErr = h('div', { class: 'form-error', id: 'sp-form-error', role: 'alert', hidden: true });
    // the server's refusal under the field it names (compounds[0] is the compound's), named;
    // else in the form's own error box — next to the button tapped, not at the panel's top
    const issueFail = (e) => {
      if (e.handled) return;
      const name = /^compounds\[/.test(e.field || '') ? 'compound' : e.field;
      if (name && fErr[name]) {
        fErr[name].textContent = t('gate.v_error', { field: t('sp.f_' + name), msg: e.message });
        fErr[name].hidden = false;
        f[name].setAttribute('aria-invalid', 'true');
        f[name].focus();
        f[name].scrollIntoView({ block: 'center' });
        return;
      }
      formErr.textContent = e.message;
      formErr.hidden = false;
      formErr.scrollIntoView({ block: 'nearest' });
    };
    const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
    const out = h('div', { id: 'sp-issued', 'aria-live': 'polite' });
    form = h('details', { class: 'panel', id: 'sp-issue' },
      h('summary', null, t('sp.issue')),
      h('form', {
        id: 'sp-form', novalidate: true,
        on: {
          submit: async (ev) => {
            ev.preventDefault();
            err.hidden = true;
            formErr.hidden = true;
            for (const k of Object.keys(fErr)) {
              fErr[k].hidden = true;
              f[k].removeAttribute('aria-invalid');
            }
            const body = {
              kind: f.kind.value, name: f.name.value.trim(), employer: f.employer.value.trim(), phone: f.phone.value.trim(),
              purpose: f.purpose.value.trim(), valid_from: f.valid_from.value || today, valid_to: f.valid_to.value,
              compounds: f.compound.value ? [f.compound.value] : compounds.map((c) => c.code),
            };
            let p;
            try {
              p = await api('POST', '/staff-passes', body);
            } catch (e) {
              return issueFail(e);
            }
            mount(out, h('div', { class: 'pass-card', id: 'sp-card', 'data-pass': String(p.id) },
              h('p', { class: 'pass-where' }, p.name, ' · ', tv('spkind', p.kind)),
              h('img', { class: 'qr-img', alt: t('sp.qr_alt', { name: p.name }), width: 240, height: 240, src: svgSrc(p.svg) }),
              h('p', { class: 'mono pass-token', id: 'sp-token' }, p.token),
              h('p', null, t('gate.pass_valid', { from: p.valid_from, to: p.valid_to }))),
            h('p', { class: 'actions' }, h('button', { type: 'button', class: 'btn', id: 'sp-print', on: { click: () => printStaffPass(p) } }, t('pass.print'))),
            h('p', { class: 'hint' }, t('sp.issued_hint')));
            draw();
          },
        },
      },
      field('kind', h('select', { id: 'sp-kind', name: 'kind' }, ['medical', 'supply', 'utility', 'other'].map((k) => h('option', { value: k }, tv('spkind', k))))),
      field('name', h('input', { id: 'sp-name', name: 'name', maxlength: 50, autocomplete: 'off' })),
      field('employer', h('input', { id: 'sp-employer', name: 'employer', maxlength: 100 })),
      field('phone', h('input', { id: 'sp-phone', name: 'phone', type: 'tel', inputmode: 'tel', maxlength: 20 })),
      field('purpose', h('input', { id: 'sp-purpose', name: 'purpose', maxlength: 100 })),
      field('compound', h('select', { id: 'sp-compound', name: 'compound' },
        h('option', { value: '' }, t('sp.all')), compounds.map((c) => h('option', { value: c.code }, c.name)))),
      field('valid_from', h('input', { id: 'sp-from', name: 'valid_from', type: 'date', value: today })),
      field('valid_to', h('input', { id: 'sp-to', name: 'valid_to', type: 'date' })),
      formErr,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'sp-submit' }, t('sp.issue_button')))),
      out);
  }
  if (ctx.alive()) draw();
  return h('details', { class: 'panel', id: 'sp-panel' },
    h('summary', null, t('sp.title')),
    h('p', { class: 'field field-inline' }, h('label', { for: 'sp-unit' }, t('sp.unit')), unitSel),
    err, box, form);
}
