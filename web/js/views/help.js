// help.js — help requests (求助), the hotline (热线), leads (线索) and notices (通知):
// docs/api.md section 14.  Four pages:
//   #/hotline   the secretary's screen: type the caller's phone (whole, or its last four
//               digits) and the household is found through the residents' search (its
//               throttle and masking apply), with its people, their categories, its open
//               requests and today's roll-call; a request, a lead or a question answered
//               is entered in seconds, and the day's call count is shown.
//   #/requests  the requests of the user's units (a grid worker's own first), overdue in
//               red, with the next steps as buttons: works on a 360×640 phone.
//   #/leads     leads still open, and their outcome: match, confirm, reject.
//   #/notices   notices to a unit, households reached / total per unit, posters.
import { api, qs } from '../api.js';
import { t, tv, serverText } from '../i18n.js';
import { h, mount, clear, fmtTime, field, formError, clearErrors, showError, busy, errorBox } from '../dom.js';
import { session, rollDay, can } from '../session.js';
import { CATEGORIES, escalationBanner } from '../tiles/help.js';
import { fileList, fileAdder, uploadFile, DOC_TYPES } from '../files.js';
import { subscribe } from '../live.js';

const NEXT = { new: ['accepted', 'referred'], accepted: ['in_progress', 'done', 'referred'], in_progress: ['done', 'referred'] };

function clientId(p) {
  const b = new Uint8Array(10);
  window.crypto.getRandomValues(b);
  return p + '-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function stateBadge(s) {
  return h('span', { class: 'badge hstate-' + s, 'data-state': s }, tv('hstate', s));
}

// One request as a card: what, where, who, the time limit, and its next steps.
export function requestCard(r, onChange) {
  const err = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const note = h('input', { type: 'text', name: 'note', maxlength: 500, placeholder: t('help.note_ph'), 'aria-label': t('help.note') });
  const refTo = h('input', { type: 'text', name: 'referred_to', maxlength: 100, placeholder: t('help.referred_to_ph'), 'aria-label': t('help.referred_to') });
  async function go(state, btn) {
    err.hidden = true;
    const body = { state };
    if (note.value.trim()) body.note = note.value.trim();
    if (state === 'referred') body.referred_to = refTo.value.trim() || undefined;
    btn.disabled = true;
    try {
      const n = await api('POST', '/requests/' + r.id + '/steps', body);
      note.value = refTo.value = ''; // sent with the step: not kept when the list is drawn again
      if (onChange) onChange(n);
    } catch (e) {
      btn.disabled = false;
      if (!e.handled) {
        err.textContent = e.message;
        err.hidden = false;
      }
    }
  }
  // the steps for those who take them (REGISTRY): a command reads the requests, and its 办结
  // answered 你的角色没有这个权限
  const next = can.registry() ? NEXT[r.state] || [] : [];
  return h('li', { class: 'help-card' + (r.overdue ? ' is-overdue' : ''), 'data-request': String(r.id), 'data-state': r.state },
    h('p', { class: 'row-main' },
      h('strong', null, tv('hcat', r.category)), ' ',
      r.urgency === 'urgent' ? h('span', { class: 'badge badge-no' }, tv('hurg', 'urgent')) : null, ' ',
      stateBadge(r.state),
      r.overdue ? [' ', h('span', { class: 'badge badge-no help-overdue' }, t('help.overdue'))] : null),
    h('p', null, r.address, ' · ', r.text),
    h('p', { class: 'row-sub' },
      tv('hchan', r.channel), ' · ', fmtTime(r.created_at),
      r.worker ? ' · ' + t('help.worker', { name: r.worker.name }) : '',
      r.state === 'new' || r.state === 'accepted' || r.state === 'in_progress'
        ? ' · ' + (r.overdue ? t('help.escalated', { name: r.escalated_to ? r.escalated_to.name : '—' }) : t('help.due', { at: fmtTime(r.due_at) }))
        : '',
      r.rating ? ' · ' + t('help.rated', { n: r.rating }) : ''),
    fileList('/requests/' + r.id, r.files),
    can.registry() && r.state !== 'merged'
      ? fileAdder('/requests/' + r.id, { capture: true, onAdded: () => { if (onChange) onChange(); } })
      : null,
    next.length ? h('div', { class: 'help-actions' },
      note, next.indexOf('referred') >= 0 ? refTo : null,
      h('p', { class: 'actions' }, next.map((s) => {
        const b = h('button', { type: 'button', class: 'btn' + (s === 'done' || s === 'accepted' ? ' btn-primary' : ''), 'data-step': s }, tv('hstep', s));
        b.addEventListener('click', () => go(s, b));
        return b;
      })), err) : null);
}

// ---- #/requests ----

async function requestsPage(ctx) {
  ctx.title = t('help.requests_title');
  ctx.wide = true; // at a desk the cards side by side (twenty open ones were a page thirty screens long)
  const q = ctx.query || {};
  const mine = session.me.role === 'grid_worker' && q.all === undefined;
  const overdue = q.overdue === '1';
  const list = h('ul', { class: 'list plain help-list help-grid', id: 'help-list' });
  const summary = h('p', { class: 'hint', role: 'status' });
  async function load() {
    const b = await api('GET', '/requests' + qs({ state: 'open', mine: mine ? 1 : undefined, overdue: overdue ? 1 : undefined, limit: 200 }));
    const done = await api('GET', '/requests' + qs({ state: 'done', mine: mine ? 1 : undefined, limit: 20 }));
    // the list is drawn again when a request comes or escalates: what the worker is typing in
    // a card (a note, where it is referred to) stays, and so does the focus
    const typed = new Map();
    let focused = null;
    for (const input of list.querySelectorAll('[data-request] input[name]')) {
      const key = input.closest('[data-request]').getAttribute('data-request') + ':' + input.name;
      if (input.value) typed.set(key, input.value);
      if (input === document.activeElement) focused = key;
    }
    summary.textContent = t('help.open_n', { n: b.total, late: b.items.filter((r) => r.overdue).length });
    mount(list, b.items.length ? b.items.map((r) => requestCard(r, () => load())) : h('li', { class: 'empty' }, t('help.none_open')),
      done.items.length ? h('li', null, h('h2', null, t('help.recent_done'))) : null,
      done.items.map((r) => requestCard(r)));
    for (const input of list.querySelectorAll('[data-request] input[name]')) {
      const key = input.closest('[data-request]').getAttribute('data-request') + ':' + input.name;
      if (typed.has(key)) input.value = typed.get(key);
      if (key === focused) input.focus();
    }
  }
  await load();
  // an escalation the ticker makes while the page is open shows at once, and the list follows
  const banner = escalationBanner(subscribe, ctx.onLeave, () => { if (ctx.alive()) load().catch(() => {}); });
  // so does a new request (the hotline, a household's link page) or missed events: the list
  // is read again, at most once a second
  let timer = 0;
  ctx.onLeave(subscribe((type) => {
    if ((type !== 'help_request' && type !== 'reset') || timer) return;
    timer = window.setTimeout(() => {
      timer = 0;
      if (ctx.alive()) load().catch(() => {});
    }, 1000);
  }));
  ctx.onLeave(() => window.clearTimeout(timer));
  return h('section', { class: 'help-page' },
    h('h1', { tabindex: '-1' }, t('help.requests_title')), banner,
    h('p', { class: 'actions' },
      // mine or all: a grid worker's own requests (no one else is the responsible worker; on
      // the secretary's or command's page 只看我的 led back to the same list)
      session.me.role === 'grid_worker'
        ? h('a', { class: 'btn', href: '#/requests' + (mine ? '?all' : '') }, mine ? t('help.show_all') : t('help.show_mine')) : null,
      h('a', { class: 'btn', href: overdue ? '#/requests' : '#/requests?overdue=1' }, overdue ? t('help.show_open') : t('help.show_overdue')),
      h('a', { class: 'btn', href: '#/leads' }, t('help.leads_title')),
      h('a', { class: 'btn', href: '#/notices' }, t('help.notices_title'))),
    summary, list);
}

// ---- #/hotline ----

async function hotlinePage(ctx) {
  ctx.title = t('help.hotline_title');
  ctx.wide = true;
  const count = h('p', { class: 'help-count', id: 'call-count', role: 'status' });
  async function drawCount() {
    try {
      const c = await api('GET', '/calls');
      const k = c.by_kind || {};
      count.textContent = t('help.calls_today', { n: c.total, r: k.request || 0, l: k.lead || 0, q: (k.question || 0) + (k.other || 0) });
      count.setAttribute('data-total', String(c.total));
    } catch (e) {
      /* the count waits for the next call */
    }
  }
  await drawCount();
  const phone = field({ name: 'q', label: t('help.phone'), maxlength: 20, hint: t('help.phone_hint'), autocomplete: 'off' });
  const found = h('div', { id: 'hotline-found' });
  const household = h('div', { id: 'hotline-household' });
  const done = h('div', { role: 'status', class: 'help-done', id: 'hotline-done' });
  const sform = h('form', { class: 'form hotline-search', novalidate: true }, phone, formError(),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('help.find'))));

  async function openHousehold(hid, keepMsg) {
    if (!keepMsg) clear(done);
    const [hh, reqs, chk] = await Promise.all([
      api('GET', '/households/' + hid),
      api('GET', '/requests' + qs({ household: hid, state: 'open' })),
      api('GET', '/checkins' + qs({ household: hid, day: rollDay() })).catch(() => ({ items: [] })),
    ]);
    const reported = new Set((chk.items || []).map((c) => c.resident_id));
    const people = (hh.residents || []).filter((r) => !r.moved_out);
    // the request form: a category tap, urgency, a few words
    let cat = '';
    const catBtns = CATEGORIES.map((c) => {
      const b = h('button', { type: 'button', class: 'btn help-cat', 'data-category': c, 'aria-pressed': 'false' }, tv('hcat', c));
      b.addEventListener('click', () => {
        cat = c;
        for (const x of catBtns) x.setAttribute('aria-pressed', x === b ? 'true' : 'false');
      });
      return b;
    });
    const urgent = h('input', { type: 'checkbox', id: 'hl-urgent', name: 'urgent' });
    const text = field({ name: 'text', label: t('help.text'), type: 'textarea', rows: 2, maxlength: 500, required: true });
    const catErr = h('p', { class: 'field-error', hidden: true });
    const catGroup = h('fieldset', { class: 'help-cats' }, h('legend', null, t('help.category')), catBtns, catErr);
    catGroup.input = catBtns[0];
    catGroup.error = catErr;
    catGroup.fieldName = 'category';
    const rform = h('form', { class: 'form hotline-request', novalidate: true, 'aria-label': t('help.new_request') },
      catGroup,
      h('div', { class: 'check' }, urgent, h('label', { for: 'hl-urgent' }, t('help.urgent'))),
      text, formError(),
      h('p', { class: 'actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'request' }, t('help.submit_request')),
        h('button', { type: 'button', class: 'btn', 'data-action': 'lead' }, t('help.submit_lead')),
        h('button', { type: 'button', class: 'btn', 'data-action': 'question' }, t('help.submit_question'))));
    async function after(msg) {
      // the household drawn again (a new, empty form) before the count and the message say the
      // call is logged: what the operator typed next into the form being replaced was lost
      await openHousehold(hid, true);
      await drawCount();
      mount(done, h('p', null, msg));
    }
    rform.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(rform);
      await busy(rform, async () => {
        try {
          const r = await api('POST', '/requests', {
            household_id: hid, category: cat || undefined, urgency: urgent.checked ? 'urgent' : 'normal',
            text: text.input.value.trim() || undefined, channel: 'hotline', client_id: clientId('hl'),
          });
          await after(t('help.request_sent', { id: r.id, name: r.worker ? r.worker.name : '' }));
        } catch (e) {
          showError(rform, [catGroup, text], e);
        }
      });
    });
    rform.querySelector('[data-action=lead]').addEventListener('click', async () => {
      clearErrors(rform);
      await busy(rform, async () => {
        try {
          await api('POST', '/leads', { household_id: hid, text: text.input.value.trim() || undefined, source: 'hotline' });
          await after(t('help.lead_sent'));
        } catch (e) {
          showError(rform, [text], e);
        }
      });
    });
    rform.querySelector('[data-action=question]').addEventListener('click', async () => {
      clearErrors(rform);
      await busy(rform, async () => {
        try {
          await api('POST', '/calls', { kind: 'question', household_id: hid, note: text.input.value.trim() || undefined });
          await after(t('help.question_logged'));
        } catch (e) {
          showError(rform, [text], e);
        }
      });
    });
    mount(household, h('section', { class: 'panel hotline-hh', 'data-household': String(hid) },
      h('h2', null, [hh.building, hh.entrance, hh.room].filter(Boolean).join(' '), ' ',
        h('a', { href: '#/household/' + hid, class: 'btn' }, t('help.open_household')), ' ',
        // an old caller without a smartphone reports the household's temperatures on the call:
        // the roll-call by phone, back to this household on the hotline once saved
        can.checkin() && people.length ? h('a', { href: '#/household/' + hid + '/rollcall' + qs({ channel: 'phone', from: 'hotline' }),
          class: 'btn btn-primary', id: 'hotline-checkin' }, t('help.phone_checkin')) : null),
      h('table', { class: 'table hotline-people' },
        h('thead', null, h('tr', null, h('th', null, t('help.col_name')), h('th', null, t('help.col_phone')),
          h('th', null, t('help.col_category')), h('th', null, t('help.col_today')))),
        h('tbody', null, people.map((p) => h('tr', null,
          h('td', null, p.name, p.age >= 0 ? t('help.age', { n: p.age }) : ''),
          h('td', null, p.phone || '—'),
          h('td', null, p.category ? tv('cat', p.category) : '—'),
          h('td', { 'data-reported': reported.has(p.id) ? '1' : '0' }, reported.has(p.id) ? t('help.reported') : t('help.not_reported')))))),
      h('h3', null, t('help.open_requests', { n: reqs.total })),
      reqs.items.length ? h('ul', { class: 'list plain help-list' }, reqs.items.map((r) => requestCard(r, () => openHousehold(hid))))
        : h('p', { class: 'empty' }, t('help.none_open')),
      h('h3', null, t('help.new_request')), rform));
    text.input.focus();
  }

  sform.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(sform);
    clear(found);
    clear(household);
    // a number: the caller's phone; anything else (a caller on a neighbour's phone or a
    // landline the registry does not have): the name or room the caller gives, as the search reads it
    const typed = phone.input.value.trim();
    const byPhone = !/[^\d\s-]/.test(typed);
    const v = byPhone ? typed.replace(/\D/g, '') : typed;
    await busy(sform, async () => {
      try {
        const b = await api('POST', '/residents/search', { q: v, limit: 200 });
        // the search's four digits match an ID number's tail too: a caller is found by the phone
        // number alone, not by a stranger whose ID number ends in the same digits
        const byHh = new Map();
        for (const r of b.items) {
          if (byPhone && !(r.phone || '').replace(/\D/g, '').endsWith(v)) continue;
          if (!byHh.has(r.household_id)) byHh.set(r.household_id, r);
        }
        if (!byHh.size) {
          mount(found, h('p', { class: 'empty' }, t('help.not_found')));
          return;
        }
        if (byHh.size === 1) {
          await openHousehold(byHh.keys().next().value);
          return;
        }
        mount(found, h('ul', { class: 'list' }, Array.from(byHh.values()).map((r) => h('li', null,
          h('button', { type: 'button', class: 'btn row-link', 'data-household': String(r.household_id),
            on: { click: () => openHousehold(r.household_id) } },
          [r.building, r.entrance, r.room].filter(Boolean).join(' '), ' · ', r.name, ' · ', r.phone || '')))));
      } catch (e) {
        showError(sform, [phone], e);
      }
    });
  });
  // back from the roll-call by phone (#/hotline?household=ID): the caller's household again
  const back = Number(ctx.query.household);
  if (back > 0) await openHousehold(back).catch((e) => { if (e.handled) throw e; });
  else ctx.onMount(() => phone.input.focus());
  return h('section', { class: 'help-page hotline' },
    h('h1', { tabindex: '-1' }, t('help.hotline_title')), escalationBanner(subscribe, ctx.onLeave), count, sform, found, done,
    household);
}

// ---- #/leads ----

// A lead that names no household (an anonymous one, a person described): its person found by
// name, pinyin, room or the last four digits (POST /residents/search, the search's own rules
// and masking), then picked — not an internal resident number the secretary cannot know.
function residentFinder() {
  const q = h('input', { type: 'search', maxlength: 40, class: 'lead-find', enterkeyhint: 'search',
    placeholder: t('help.find_resident_ph'), 'aria-label': t('help.find_resident_ph') });
  const pick = h('select', { class: 'lead-pick', 'aria-label': t('help.resident'), hidden: true });
  const say = h('span', { class: 'hint', role: 'status' });
  async function find() {
    const term = q.value.trim();
    if (!term) return;
    say.textContent = '';
    try {
      const res = await api('POST', '/residents/search', { q: term, limit: 20, offset: 0 });
      const items = res.items || [];
      mount(pick, h('option', { value: '' }, t('help.pick_resident')), items.map((r) => h('option', { value: String(r.id) },
        r.name + ' · ' + [r.building, r.entrance, r.room].filter(Boolean).join(' '))));
      if (items.length === 1) pick.value = String(items[0].id);
      pick.hidden = !items.length;
      say.textContent = items.length ? '' : t('help.no_one_found');
    } catch (e) {
      if (!e.handled) say.textContent = e.message;
    }
  }
  q.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      find();
    }
  });
  const el = h('span', { class: 'lead-finder' }, q,
    h('button', { type: 'button', class: 'btn btn-small', on: { click: find } }, t('help.find')), pick, say);
  return { el, get value() { return pick.hidden ? '' : pick.value; } };
}

async function leadsPage(ctx) {
  ctx.title = t('help.leads_title');
  const q = ctx.query || {};
  const state = q.state || 'unresolved';
  const b = await api('GET', '/leads' + qs({ state, limit: 200 }));
  // the people of the households the open leads name, to match one by name
  const hids = [...new Set(b.items.filter((l) => l.open && l.household_id).map((l) => l.household_id))].slice(0, 30);
  const members = {};
  await Promise.all(hids.map((id) => api('GET', '/households/' + id).then((x) => {
    members[id] = (x.residents || []).filter((r) => !r.moved_out);
  }, () => {})));
  const list = h('ul', { class: 'list plain help-list', id: 'lead-list' }, b.items.map((l) => {
    const err = h('div', { class: 'form-error', role: 'alert', hidden: true });
    const note = h('input', { type: 'text', maxlength: 500, placeholder: t('help.note_ph'), 'aria-label': t('help.note') });
    const people = l.household_id ? members[l.household_id] : null;
    const rid = people && people.length
      ? h('select', { 'aria-label': t('help.resident') }, h('option', { value: '' }, t('help.pick_resident')),
        people.map((p) => h('option', { value: String(p.id), selected: l.resident && l.resident.id === p.id }, p.name)))
      : residentFinder();
    const cat = h('select', { 'aria-label': t('help.observe_as') },
      ['travel_observation', 'fever_unexcluded', 'secondary_contact', 'close_contact', 'suspected'].map((c) => h('option', { value: c, selected: l.category === c }, tv('cat', c))));
    async function act(action) {
      err.hidden = true;
      const body = { action };
      if (rid.value) body.resident_id = Number(rid.value);
      if (action === 'confirm') body.category = cat.value;
      if (note.value.trim()) body.note = note.value.trim();
      try {
        await api('POST', '/leads/' + l.id, body);
        ctx.rerender();
      } catch (e) {
        if (!e.handled) {
          err.textContent = e.message;
          err.hidden = false;
        }
      }
    }
    return h('li', { class: 'help-card', 'data-lead': String(l.id) },
      h('p', { class: 'row-main' }, h('strong', null, l.room ? l.unit_name + ' ' + l.room : l.unit_name), ' ',
        h('span', { class: 'badge' }, tv('lstate', l.state)), ' ', tv('lsource', l.source)),
      h('p', null, l.described ? l.described + ' · ' : '', l.text),
      h('p', { class: 'row-sub' }, fmtTime(l.created_at), l.resident ? ' · ' + l.resident.name : '', l.outcome ? ' · ' + serverText(l.outcome) : ''),
      l.open ? h('div', { class: 'help-actions' }, rid.el || rid, cat, note,
        h('p', { class: 'actions' },
          h('button', { type: 'button', class: 'btn', on: { click: () => act('match') } }, t('help.lead_match')),
          h('button', { type: 'button', class: 'btn btn-primary', on: { click: () => act('confirm') } }, t('help.lead_confirm')),
          h('button', { type: 'button', class: 'btn', on: { click: () => act('reject') } }, t('help.lead_reject'))), err) : null);
  }));
  return h('section', { class: 'help-page' },
    h('h1', { tabindex: '-1' }, t('help.leads_title')),
    h('p', { class: 'actions' }, ['unresolved', 'confirmed', 'rejected', 'registered'].map((s) =>
      h('a', { class: 'btn', href: '#/leads?state=' + s, 'aria-current': s === state ? 'page' : null }, tv('lstate', s)))),
    h('p', { class: 'hint' }, t('help.leads_n', { n: b.total })),
    b.items.length ? list : h('p', { class: 'empty' }, t('help.none_leads')));
}

// ---- #/notices ----

// The units a notice can be sent to from the notices page: the unit, its children and their
// children (a community's grids and buildings; a district's streets and communities), entrances
// left out — [[code, label], …] in the tree's order.
async function noticeTargets(code) {
  const kids = async (c) => ((await api('GET', '/units/' + encodeURIComponent(c) + '/children')).items || [])
    .filter((u) => !u.retired && u.kind !== 'entrance');
  const [top, below] = await Promise.all([api('GET', '/units/' + encodeURIComponent(code)), kids(code)]);
  const deeper = below.length <= 60 ? await Promise.all(below.map((u) => kids(u.code))) : below.map(() => []);
  const out = [[top.code, top.name]];
  below.forEach((u, i) => {
    out.push([u.code, '\u3000' + u.name]);
    for (const v of deeper[i]) out.push([v.code, '\u3000\u3000' + u.name + ' · ' + v.name]);
  });
  return out;
}

async function noticesPage(ctx) {
  ctx.title = t('help.notices_title');
  ctx.wide = true;
  const unit = (ctx.query && ctx.query.unit) || session.me.unit_code;
  const b = await api('GET', '/notices' + qs({ unit }));
  const reach = h('div', { id: 'notice-reach' });
  async function showReach(n) {
    try {
      const r = await api('GET', '/notices/' + n.id + '/reach' + qs({ unit }));
      mount(reach, h('section', { class: 'panel', 'data-notice': String(n.id) },
        h('h2', null, r.title, ' · ', t('help.reach', { r: r.reached, n: r.total })),
        h('table', { class: 'table' },
          h('thead', null, h('tr', null, h('th', null, t('help.col_unit')), h('th', null, t('help.col_reach')), h('th', null, t('help.col_poster')))),
          h('tbody', null, r.units.map((u) => h('tr', { 'data-unit': u.unit },
            h('td', null, u.name), h('td', null, u.reached + ' / ' + u.total),
            h('td', null, h('a', { class: 'btn', target: '_blank', rel: 'noopener', href: '/api/v1/notices/' + n.id + '/poster' + qs({ unit: u.unit }) }, t('help.poster'))))))),
        r.unread.length ? h('details', null, h('summary', null, t('help.unread', { n: r.unread.length })),
          h('ul', { class: 'list plain' }, r.unread.map((x) => h('li', null, h('a', { href: '#/household/' + x.household_id }, x.address))))) : null));
    } catch (e) {
      mount(reach, errorBox(e));
    }
  }
  const title = field({ name: 'title', label: t('help.notice_title'), maxlength: 60, required: true });
  const body = field({ name: 'body', label: t('help.notice_body'), type: 'textarea', rows: 4, maxlength: 4000, required: true });
  // whom to: the unit itself, its grids and their buildings, by name — a secretary knows 3栋,
  // not 420107003008-B03 (the field took a unit code typed by hand)
  const to = field({ name: 'unit', label: t('help.notice_unit'), type: 'select', options: await noticeTargets(unit), value: unit,
    required: true, hint: t('help.notice_unit_hint') });
  const attach = field({ name: 'file', label: t('files.attach'), type: 'file', attrs: { accept: DOC_TYPES } });
  const form = h('form', { class: 'form', novalidate: true }, to, title, body, attach, formError(),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('help.notice_send'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    await busy(form, async () => {
      try {
        const n = await api('POST', '/notices', { unit: to.input.value.trim() || undefined, title: title.input.value.trim() || undefined, body: body.input.value.trim() || undefined });
        const file = attach.input.files && attach.input.files[0];
        if (file) {
          try {
            await uploadFile('/notices/' + n.id, file);
          } catch (e) { // the notice is sent; the file is added from its card
            ctx.flash(t('help.notice_sent') + ' ' + e.message);
            ctx.rerender();
            return;
          }
        }
        ctx.flash(t('help.notice_sent'));
        ctx.rerender();
      } catch (e) {
        showError(form, [to, title, body], e);
      }
    });
  });
  return h('section', { class: 'help-page' },
    h('h1', { tabindex: '-1' }, t('help.notices_title')),
    h('ul', { class: 'list plain', id: 'notice-list' }, b.items.map((n) => h('li', { class: 'help-card', 'data-notice': String(n.id) },
      h('p', { class: 'row-main' }, h('strong', null, n.title), ' · ', n.unit_name, ' · ', t('help.reach', { r: n.reached, n: n.total })),
      h('p', null, n.body),
      fileList('/notices/' + n.id, n.files),
      n.by === session.me.username // the sender adds the letter or the poster image
        ? fileAdder('/notices/' + n.id, { accept: DOC_TYPES, label: t('files.add_file'), onAdded: () => ctx.rerender() }) : null,
      h('p', { class: 'row-sub' }, fmtTime(n.created_at), ' ',
        h('button', { type: 'button', class: 'btn', on: { click: () => showReach(n) } }, t('help.show_reach')))))),
    reach,
    h('h2', null, t('help.notice_new')), form);
}

export default async function helpView(ctx) {
  const mode = ctx.mode || 'requests';
  if (mode === 'hotline') return hotlinePage(ctx);
  if (mode === 'leads') return leadsPage(ctx);
  if (mode === 'notices') return noticesPage(ctx);
  return requestsPage(ctx);
}
