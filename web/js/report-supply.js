// report-supply.js — the household link page's supplies (保供): the open rounds' packages
// with − / + and one tap to order (or change until the cut-off), this household's orders
// and where they are, its errands (代购) and a request for medicine, gas, water or meals.
// Chinese only, like the rest of the page; money in fen on the wire, shown as ¥.
const STATE = { ordered: '已下单', paid: '已付款', received: '已到小区卡口', disinfected: '已消杀，静置中', at_door: '已到楼下',
  delivered: '已送到家', collected: '已取走', cancelled: '已取消' };
const KIND = [['medicine', '药品'], ['gas', '燃气充值'], ['water', '饮用水'], ['meal', '餐食'], ['other', '其他']];

function yuan(fen) {
  return '¥' + Math.floor(fen / 100) + '.' + String(fen % 100).padStart(2, '0');
}

function cid(p) {
  return p + '-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
}

const AS_KIND = { missing: '少送了', damaged: '有损坏', wrong: '送错了', other: '其他问题' };
const AS_STATE = { open: '处理中', replaced: '已补发', refunded: '已退款', rejected: '不予处理' };

function aftersaleForm(o, call, el, redraw, box) {
  const kind = el('select', { name: 'kind', id: 'askind' + o.id });
  for (const k of Object.keys(AS_KIND)) kind.append(el('option', { value: k, text: AS_KIND[k] }));
  const pkg = el('select', { name: 'package_id', id: 'aspkg' + o.id });
  pkg.append(el('option', { value: '', text: '整单' }));
  for (const i of o.items) pkg.append(el('option', { value: String(i.package_id), text: i.name + '×' + i.qty }));
  const note = el('input', { name: 'note', id: 'asnote' + o.id, maxlength: '200', autocomplete: 'off' });
  let id = cid('self-as');
  const f = el('form', { class: 'sup aftersale', 'data-order': o.id },
    el('label', { for: 'askind' + o.id, text: '东西少了或坏了？' }), kind,
    el('label', { for: 'aspkg' + o.id, text: '哪一样' }), pkg,
    el('label', { for: 'asnote' + o.id, text: '说明' }), note,
    el('button', { type: 'submit', class: 'big', text: '告诉网格员' }));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { kind: kind.value, client_id: id };
    if (pkg.value) body.package_id = Number(pkg.value);
    if (note.value.trim()) body.note = note.value.trim();
    const say = box.querySelector('#sup-say');
    try {
      await call('POST', '/household-link/supply/orders/' + o.id + '/aftersales', body);
      id = cid('self-as');
      await redraw();
      box.querySelector('#sup-say').textContent = '已告诉网格员，会尽快补发或退款。';
    } catch (e) {
      say.textContent = e.message;
      say.className = 'status err';
      if (e.field === 'note') note.focus();
    }
  });
  const d = el('details', null, el('summary', { text: '报售后' }), f);
  return d;
}

// call(method, path, body) and el(tag, attrs, ...kids) are the page's own (report.js).
export async function drawSupply(box, call, el) {
  let s;
  try {
    s = await call('GET', '/household-link/supply');
  } catch (e) {
    box.replaceChildren(el('p', { class: 'status err', text: e.message }));
    return;
  }
  const redraw = () => drawSupply(box, call, el);
  const say = el('p', { class: 'status', role: 'status', id: 'sup-say' });
  const kids = [el('h2', { text: '团购买菜' }), say];
  if (s.door_reason) kids.push(el('p', { class: 'help', text: '您家的东西会送到家门口。' }));
  for (const r of s.rounds) {
    const mine = s.orders.find((o) => o.round_id === r.id && o.state !== 'cancelled');
    if (mine && mine.state !== 'ordered') continue;
    const qty = {};
    for (const p of r.packages) qty[p.id] = 0;
    if (mine) for (const i of mine.items) qty[i.package_id] = i.qty;
    const total = el('p', { class: 'total' });
    const sum = () => {
      total.textContent = '合计 ' + yuan(r.packages.reduce((n, p) => n + p.price_fen * qty[p.id], 0));
    };
    const form = el('form', { class: 'sup', 'data-round': r.id },
      el('h3', { text: r.name + '（' + r.cutoff.slice(5, 16).replace('T', ' ') + ' 截单）' }));
    for (const p of r.packages) {
      const n = el('output', { class: 'qty', 'data-qty': p.id, text: String(qty[p.id]) });
      const step = (d) => {
        qty[p.id] = Math.max(0, Math.min(99, qty[p.id] + d));
        n.textContent = String(qty[p.id]);
        sum();
      };
      const minus = el('button', { type: 'button', class: 'step', 'aria-label': p.name + '减一份', text: '−' });
      const plus = el('button', { type: 'button', class: 'step plus', 'aria-label': p.name + '加一份', text: '+' });
      minus.addEventListener('click', () => step(-1));
      plus.addEventListener('click', () => step(1));
      form.append(el('div', { class: 'pkg', 'data-package': p.id },
        el('p', { class: 'pkg-name', text: p.name + ' ' + yuan(p.price_fen) }),
        p.contents ? el('p', { class: 'help', text: p.contents }) : null,
        el('div', { class: 'stepper' }, minus, n, plus)));
    }
    const pay = el('select', { name: 'payment', id: 'pay' + r.id });
    for (const [v, l] of [['online', '线上付款'], ['cash', '现金交给网格员']]) pay.append(el('option', { value: v, text: l }));
    if (mine) pay.value = mine.payment === 'cash' ? 'cash' : 'online';
    // a pickup slot of the building, so that households come in batches (full ones greyed out)
    let slot = null;
    if ((r.slots || []).length) {
      slot = el('select', { name: 'slot', id: 'slot' + r.id });
      slot.append(el('option', { value: '', text: '不选，送到楼下' }));
      for (const x of r.slots) {
        const own = mine && mine.slot_id === x.id;
        const o = el('option', { value: String(x.id),
          text: x.starts.slice(5, 16).replace('T', ' ') + '–' + x.ends.slice(11, 16) + ' ' + x.unit_name + ' · ' + (x.full && !own ? '已满' : '还剩' + x.left + '户') });
        if (x.full && !own) o.disabled = true;
        slot.append(o);
      }
      if (mine && mine.slot_id) slot.value = String(mine.slot_id);
      form.append(el('label', { for: 'slot' + r.id, text: '取货时段' }), slot);
    }
    let id = cid('self-order');
    form.append(el('label', { for: 'pay' + r.id, text: '付款方式' }), pay, total,
      el('button', { type: 'submit', class: 'big', text: mine ? '保存修改' : '下单' }));
    sum();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const body = { items: r.packages.map((p) => ({ package_id: p.id, qty: qty[p.id] })), payment: pay.value, client_id: id };
        if (slot && slot.value) body.slot_id = Number(slot.value);
        const o = await call('POST', '/household-link/supply/rounds/' + r.id + '/orders', body);
        id = cid('self-order');
        await redraw();
        box.querySelector('#sup-say').textContent = o.state === 'cancelled' ? '已取消订单。' : '已下单，合计 ' + o.total + '。';
      } catch (e) {
        say.textContent = e.message;
        say.className = 'status err';
        if (slot && e.field === 'slot_id') {
          slot.setAttribute('aria-invalid', 'true');
          slot.focus();
        }
      }
    });
    kids.push(form);
  }
  if (!s.rounds.length) kids.push(el('p', { class: 'help', text: '现在没有正在接单的团购。' }));
  if (s.orders.length) {
    const ul = el('ul', { class: 'orders' });
    for (const o of s.orders) {
      const li = el('li', { 'data-order': o.id },
        el('p', { text: o.items.map((i) => i.name + '×' + i.qty).join('、') + ' · ' + o.total + ' · ' + (STATE[o.state] || o.state) }));
      for (const x of o.aftersales || []) {
        li.append(el('p', { class: 'help', 'data-aftersale': x.id,
          text: '售后：' + (AS_KIND[x.kind] || x.kind) + (x.package ? ' ' + x.package + '×' + x.qty : '') + ' · ' + (AS_STATE[x.state] || x.state) +
            (x.state === 'refunded' ? ' ' + x.refund : '') + (x.answer ? '（' + x.answer + '）' : '') }));
      }
      // what arrived missing or damaged: told to the grid from here
      if (['at_door', 'delivered', 'collected'].includes(o.state)) li.append(aftersaleForm(o, call, el, redraw, box));
      ul.append(li);
    }
    kids.push(el('h3', { text: '我家的订单' }), ul);
  }
  kids.push(el('h2', { text: '代买药品和生活用品' }));
  if (s.errands.length) {
    const ul = el('ul', { class: 'orders' });
    for (const x of s.errands) {
      const what = x.kind === 'medicine' ? [x.medicine, x.dose].filter(Boolean).join(' ') : x.detail;
      ul.append(el('li', { 'data-errand': x.id, text: what + ' · ' + (x.state === 'open' ? '办理中' : '已办完') +
        (x.ledger.length ? ' · 收 ' + yuan(x.ledger.filter((l) => l.kind === 'received').reduce((n, l) => n + l.amount_fen, 0)) +
          '，花 ' + yuan(x.ledger.filter((l) => l.kind === 'spent').reduce((n, l) => n + l.amount_fen, 0)) +
          '，退 ' + yuan(x.ledger.filter((l) => l.kind === 'returned').reduce((n, l) => n + l.amount_fen, 0)) : '') }));
    }
    kids.push(ul);
  }
  const kind = el('select', { id: 'ekind', name: 'kind' });
  for (const [v, l] of KIND) kind.append(el('option', { value: v, text: l }));
  const med = el('input', { id: 'emed', name: 'medicine', maxlength: '60', autocomplete: 'off' });
  const dose = el('input', { id: 'edose', name: 'dose', maxlength: '60', autocomplete: 'off' });
  const detail = el('input', { id: 'edetail', name: 'detail', maxlength: '200', autocomplete: 'off' });
  const medBox = el('div', null, el('label', { for: 'emed', text: '药名' }), med, el('label', { for: 'edose', text: '剂量用法' }), dose);
  const detBox = el('div', { hidden: '' }, el('label', { for: 'edetail', text: '要买什么' }), detail);
  kind.addEventListener('change', () => {
    medBox.hidden = kind.value !== 'medicine';
    detBox.hidden = kind.value === 'medicine';
  });
  let eid = cid('self-errand');
  const eform = el('form', { class: 'sup errand' }, el('label', { for: 'ekind', text: '要代买什么' }), kind, medBox, detBox,
    el('button', { type: 'submit', class: 'big', text: '请网格员代买' }));
  eform.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { kind: kind.value, client_id: eid };
    if (kind.value === 'medicine') {
      if (med.value.trim()) body.medicine = med.value.trim();
      if (dose.value.trim()) body.dose = dose.value.trim();
    } else if (detail.value.trim()) {
      body.detail = detail.value.trim();
    }
    try {
      await call('POST', '/household-link/errands', body);
      eid = cid('self-errand');
      await redraw();
      box.querySelector('#sup-say').textContent = '已告诉网格员，会有人联系您收钱代买。';
    } catch (e) {
      say.textContent = e.message;
      say.className = 'status err';
    }
  });
  kids.push(eform);
  box.replaceChildren(...kids);
  box.hidden = false;
}
