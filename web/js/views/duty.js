// duty.js — my duty (#/duty; docs/api.md section 15): a grid worker's, cadre's or volunteer's
// own daily temperature from the phone, and their posts.  A fever takes them off duty at
// once (the server frees their posts and tells the community); the page says so and what
// was handed back.
import { api, qs } from '../api.js';
import { t, tv } from '../i18n.js';
import { h, field, formError, clearErrors, showError, busy, fmtTime } from '../dom.js';

let lastResult = null;

function resultBox(r) {
  if (!r) return null;
  const posts = (r.posts || []).map((a) => tv('staffkind', a.position) + '@' + (a.gate || a.unit_name)).join('，');
  return h('div', { class: r.fever ? 'card hot' : 'card', id: 'duty-result', role: 'status' },
    h('p', null, r.fever ? t('duty.fever') : t('duty.ok')),
    r.fever && posts ? h('p', null, t('duty.freed', { posts, n: r.households_freed })) : null);
}

function reportForm(ctx) {
  const temp = field({ name: 'temperature', label: t('duty.temp'), type: 'number', required: true, inputmode: 'decimal',
    step: '0.1', min: '34', max: '43', value: '' });
  const fields = [temp];
  const form = h('form', { class: 'form', id: 'duty-form', novalidate: true }, formError(), temp,
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('duty.submit'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const v = Number(temp.input.value);
    if (!temp.input.value || Number.isNaN(v)) {
      showError(form, fields, { field: 'temperature', message: t('common.required') });
      return;
    }
    try {
      lastResult = await busy(form, () => api('POST', '/staff/me/health', { temperature: v }));
      ctx.rerender();
    } catch (e) {
      showError(form, fields, e);
    }
  });
  return form;
}

// My shifts (排班) from now to a day ahead, and the one not yet checked out: 到岗 from an hour
// before the start, 离岗 once on duty (POST /rosters/{id}/duty) — what the secretary's roster
// shows in its 到岗 column.  The day before too: a night shift ends the next morning.
function chinaDay(offsetDays) {
  return new Date(Date.now() + 8 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
}
async function shiftsSection(ctx, me) {
  let res;
  try {
    res = await api('GET', '/rosters' + qs({ from: chinaDay(-1), to: chinaDay(1) }));
  } catch (e) {
    if (e.handled) throw e;
    return null; // a role that reads no roster: no section
  }
  const now = Date.now();
  const mine = (res.items || []).filter((r) => r.staff_id === me.id
    && ((r.checked_in_at && !r.checked_out_at) || (Date.parse(r.ends_at) > now && Date.parse(r.starts_at) < now + 86400e3)))
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  return [h('h2', null, t('duty.shifts_h')),
    mine.length ? h('ul', { class: 'list plain', id: 'duty-shifts' }, mine.map((r) => {
      const err = formError();
      const action = r.checked_out_at ? null : r.checked_in_at ? 'out' : 'in';
      const btn = action ? h('button', {
        type: 'button', class: 'btn ' + (action === 'in' ? 'btn-primary' : ''), 'data-duty': action,
        on: { click: async () => {
          clearErrors(li);
          try {
            await busy(li, () => api('POST', '/rosters/' + r.id + '/duty', { action }));
            ctx.flash(t(action === 'in' ? 'duty.in_done' : 'duty.out_done', { shift: r.shift }));
            ctx.rerender();
          } catch (e) {
            showError(li, [], e);
          }
        } },
      }, t(action === 'in' ? 'duty.check_in' : 'duty.check_out')) : null;
      const li = h('li', { 'data-roster': String(r.id) },
        h('strong', null, r.shift), ' ', fmtTime(r.starts_at).slice(5), '–', fmtTime(r.ends_at).slice(11),
        r.checked_in_at ? h('span', { class: 'hint' }, ' · ' + t('duty.in_at', { at: fmtTime(r.checked_in_at).slice(11) })) : null,
        r.checked_out_at ? h('span', { class: 'hint' }, ' · ' + t('duty.out_at', { at: fmtTime(r.checked_out_at).slice(11) })) : null,
        btn ? h('p', { class: 'actions' }, btn) : null, err);
      return li;
    })) : h('p', { class: 'empty' }, t('duty.no_shift'))];
}

export default async function dutyView(ctx) {
  ctx.title = t('duty.title');
  let me;
  try {
    me = await api('GET', '/staff/me');
  } catch (e) {
    if (e.status !== 404) throw e;
    return h('section', { class: 'duty-page' }, h('h1', { tabindex: '-1' }, t('duty.title')), h('p', { class: 'empty' }, t('duty.none')));
  }
  const result = lastResult;
  lastResult = null;
  const rep = me.report_today;
  return h('section', { class: 'duty-page' },
    h('h1', { tabindex: '-1' }, t('duty.title'), ' ', h('span', { class: 'kind' }, me.name + '·' + tv('staffkind', me.kind))),
    me.off_duty ? h('p', { class: 'card hot', id: 'duty-off' }, t('duty.off', { why: tv('offwhy', me.off_reason || 'category') })) : null,
    resultBox(result),
    h('h2', null, t('duty.report_h')),
    !me.must_report ? h('p', { class: 'empty' }, t('duty.not_needed'))
      : [rep ? h('p', { id: 'duty-reported' }, t('duty.reported', { temp: rep.temperature == null ? '—' : rep.temperature.toFixed(1), at: fmtTime(rep.at) }))
        : h('p', { class: 'hint' }, t('duty.report_by', { time: me.report_by })),
      reportForm(ctx)],
    await shiftsSection(ctx, me),
    h('h2', null, t('duty.posts_h')),
    h('ul', { class: 'plain', id: 'duty-posts' }, (me.assignments || []).map((a) => h('li', null, tv('staffkind', a.position) + '@' + (a.gate || a.unit_name)))));
}
