// report-help.js — the household link page's help side (issue 18): the notices sent to the
// household's units (reading one records the household's receipt), asking for help, the
// state of the household's requests with confirming and rating the outcome, and a lead
// (线索), anonymous if the family wishes.  Chinese only, like report.js; the token stays in
// the URL fragment and travels in a header.
const token = location.hash.replace(/^#/, '');
const $ = (id) => document.getElementById(id);
const CATS = [['medical', '就医'], ['medicine', '买药'], ['supplies', '生活物资'], ['repairs', '维修'],
  ['counselling', '心理疏导'], ['transport', '送医转运'], ['other', '其他']];
const STATES = { new: '已登记，等待网格员接单', accepted: '网格员已接单', in_progress: '正在办理', done: '已办结',
  referred: '已转交', merged: '已合并到另一条' };

function zh(msg) {
  const i = msg.indexOf(' / ');
  const s = i > 0 && /[\u3400-\u9fff]/.test(msg.slice(0, i)) ? msg.slice(0, i) : msg;
  const full = { ',': '，', ':': '：', ';': '；', '?': '？', '!': '！' };
  return s.replace(/([\u3400-\u9fff])\s*([,:;?!])\s*/g, (m, c, p) => c + full[p]);
}

async function call(method, path, body) {
  const headers = { 'X-Household-Token': token, Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  const res = await fetch('/api/v1' + path, { method, headers, body: body ? JSON.stringify(body) : undefined, cache: 'no-store' });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(zh((data && data.error && data.error.message) || '网络错误，请稍后再试'));
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

function say(id, text, kind) {
  const s = $(id);
  s.textContent = text;
  s.className = 'status ' + (kind || '');
}

function fmt(t) {
  return t ? String(t).replace('T', ' ').slice(5, 16) : '';
}

// A notice's attachments: the link's token travels in a header, so a file is fetched and
// shown from its bytes — an image drawn as a data: URL (the page's CSP allows no other
// source), a PDF saved under its own name.
async function fileBlob(noticeId, f) {
  const res = await fetch('/api/v1/household-link/notices/' + noticeId + '/files/' + f.id,
    { headers: { 'X-Household-Token': token }, cache: 'no-store' });
  if (!res.ok) throw new Error('附件打不开，请稍后再试');
  return res.blob();
}

function attachments(n) {
  const files = n.files || [];
  if (!files.length) return null;
  const box = el('div', { class: 'notice-files' });
  for (const f of files) {
    const isImg = /^image\//.test(f.type);
    const b = el('button', { type: 'button', class: 'notice-file', 'data-file': String(f.id),
      text: (isImg ? '查看图片：' : '下载附件：') + f.name });
    const err = el('span', { class: 'status err' });
    b.addEventListener('click', async () => {
      err.textContent = '';
      try {
        const blob = await fileBlob(n.id, f);
        if (isImg) {
          const url = await new Promise((resolve, reject) => {
            const r = new FileReader();
            r.onload = () => resolve(r.result);
            r.onerror = () => reject(new Error('附件打不开'));
            r.readAsDataURL(blob);
          });
          b.replaceWith(el('img', { src: url, alt: f.name, class: 'notice-image' }));
        } else {
          const url = URL.createObjectURL(blob);
          const a = el('a', { href: url, download: f.name });
          document.body.append(a);
          a.click();
          a.remove();
          window.setTimeout(() => URL.revokeObjectURL(url), 10000);
        }
      } catch (e) {
        err.textContent = e.message;
      }
    });
    box.append(el('p', null, b, err));
  }
  return box;
}

async function loadNotices() {
  const b = await call('GET', '/household-link/notices');
  const list = $('notices');
  list.replaceChildren(...b.items.map((n) => {
    const body = el('div', { class: 'notice-body' }, el('p', { text: n.body }), attachments(n));
    body.hidden = true;
    const open = el('button', { type: 'button', class: 'notice-open', 'data-notice': String(n.id),
      text: (n.read_at ? '' : '【未读】') + n.title });
    open.addEventListener('click', async () => {
      body.hidden = !body.hidden;
      if (!n.read_at) {
        try {
          const r = await call('POST', '/household-link/notices/' + n.id + '/read');
          n.read_at = r.read ? 'now' : null;
          open.textContent = n.title;
          open.parentNode.className = 'read';
        } catch (e) {
          /* shown again as unread next time */
        }
      }
    });
    return el('li', { class: n.read_at ? 'read' : 'unread' }, open, el('span', { class: 'from', text: n.from + ' ' + fmt(n.created_at) }), body);
  }));
  $('notices-box').hidden = !b.items.length;
}

function requestItem(r) {
  const li = el('li', { 'data-request': String(r.id), 'data-state': r.state },
    el('strong', { text: (CATS.find((c) => c[0] === r.category) || [0, r.category])[1] + '：' }), r.text,
    el('p', { class: 'state', text: STATES[r.state] + (r.worker_name ? '（网格员 ' + r.worker_name + '）' : '') +
      (r.rating ? '，您的评价：' + '★'.repeat(r.rating) : '') }));
  if (r.can_rate) {
    const stars = el('div', { class: 'stars', role: 'group', 'aria-label': '评价' });
    const note = el('input', { type: 'text', maxlength: '300', placeholder: '说几句（可不填）', 'aria-label': '评价说明' });
    for (let i = 5; i >= 1; i--) {
      const b = el('button', { type: 'button', 'data-rate': String(i), text: '★'.repeat(i) });
      b.addEventListener('click', () => rate(r.id, i, note.value.trim(), true));
      stars.append(b);
    }
    const notSolved = el('button', { type: 'button', class: 'not-solved', text: '问题没有解决' });
    notSolved.addEventListener('click', () => rate(r.id, 1, note.value.trim(), false));
    li.append(el('p', { text: '问题解决了吗？请评价：' }), stars, note, notSolved);
  }
  return li;
}

async function rate(id, rating, note, resolved) {
  try {
    const body = { rating, resolved };
    if (note) body.note = note;
    await call('POST', '/household-link/requests/' + id + '/rating', body);
    say('help-status', resolved ? '谢谢您的评价！' : '已告诉网格员问题没有解决，会继续办理。', 'ok');
    loadRequests();
  } catch (e) {
    say('help-status', e.message, 'err');
  }
}

async function loadRequests() {
  const b = await call('GET', '/household-link/requests');
  $('requests').replaceChildren(...b.items.map(requestItem));
}

function setup() {
  const sel = $('help-category');
  // no category chosen for the family: a request left on the first one (就医) was counted and
  // timed as a medical one whatever it asked for
  sel.replaceChildren(el('option', { value: '', text: '请选择' }), ...CATS.map(([v, l]) => el('option', { value: v, text: l })));
  $('help-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = $('help-text').value.trim();
    if (!sel.value) {
      say('help-status', '请选择需要什么帮助（就医、买药、生活物资……）', 'err');
      sel.focus();
      return;
    }
    if (!text) {
      say('help-status', '请写一下需要什么帮助', 'err');
      $('help-text').focus();
      return;
    }
    try {
      await call('POST', '/household-link/requests', { category: sel.value, urgency: $('help-urgent').checked ? 'urgent' : 'normal',
        text, client_id: 'self-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) });
      $('help-text').value = '';
      sel.value = '';
      $('help-urgent').checked = false;
      say('help-status', '已发送，网格员会尽快联系您。', 'ok');
      loadRequests();
    } catch (e) {
      say('help-status', e.message, 'err');
    }
  });
  $('lead-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = $('lead-text').value.trim();
    if (!text) {
      say('lead-status', '请写一下情况', 'err');
      return;
    }
    try {
      const body = { text, anonymous: $('lead-anon').checked };
      const who = $('lead-who').value.trim();
      if (who) body.described = who;
      await call('POST', '/household-link/leads', body);
      $('lead-text').value = '';
      $('lead-who').value = '';
      say('lead-status', body.anonymous ? '已匿名提交，谢谢！' : '已提交，谢谢！', 'ok');
    } catch (e) {
      say('lead-status', e.message, 'err');
    }
  });
}

if (/^[0-9a-f]{32}$/.test(token)) {
  setup();
  Promise.all([loadNotices(), loadRequests()]).then(() => { $('help-side').hidden = false; }, () => {});
}
