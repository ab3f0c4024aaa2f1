// notice.js — a notice opened from a poster's QR code (issue 18): the token in the URL
// fragment names it; a notice is public, so no login and no receipt (receipts come from
// households' own link pages).
const token = location.hash.replace(/^#/, '');
const $ = (id) => document.getElementById(id);

async function load() {
  if (!/^[0-9a-f]{32}$/.test(token)) {
    $('from').textContent = '链接不完整，请重新扫码';
    return;
  }
  try {
    const res = await fetch('/api/v1/public-notices/' + token, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    const n = await res.json();
    if (!res.ok) throw new Error('没有这条通知');
    document.title = n.title;
    $('title').textContent = n.title;
    $('from').textContent = n.unit_name + ' ' + String(n.created_at).replace('T', ' ').slice(0, 16);
    $('body').replaceChildren(...String(n.body).split('\n').map((line) => {
      const p = document.createElement('p');
      p.textContent = line;
      return p;
    }));
    // the attachments: an image shown, a PDF letter to open or save
    for (const f of n.files || []) {
      const href = '/api/v1/public-notices/' + token + '/files/' + f.id;
      const p = document.createElement('p');
      if (/^image\//.test(f.type)) {
        const img = document.createElement('img');
        img.src = href;
        img.alt = f.name;
        img.className = 'notice-image';
        p.append(img);
      } else {
        const a = document.createElement('a');
        a.href = href;
        a.download = f.name;
        a.textContent = '下载附件：' + f.name;
        p.append(a);
      }
      $('body').append(p);
    }
  } catch (e) {
    $('from').textContent = e.message;
  }
}
load();
