// files.js — files on a record (docs/api.md section 14: a notice's letter or poster, a help
// request's photos): the list as links, photos as thumbnails, and an upload — on a phone the
// camera, through <input type=file capture>.  A photo larger than it needs to be is made
// smaller in the browser first (at most 1600 px, JPEG), so that it goes over a bad network in
// seconds and stays under the server's 5 MB; the server judges what it gets by its bytes.
import { api, enc } from './api.js';
import { t } from './i18n.js';
import { h } from './dom.js';

export const PHOTO_TYPES = 'image/jpeg,image/png';
export const DOC_TYPES = 'application/pdf,image/jpeg,image/png';
const MAX_SIDE = 1600;

// A photo at most MAX_SIDE on its longer side, as a JPEG Blob with its name; anything else
// (a PDF, a small image, a browser without createImageBitmap) as it is.
async function shrink(file) {
  if (!/^image\/(jpeg|png)$/.test(file.type) || file.size < 400 * 1024 || typeof window.createImageBitmap !== 'function') return file;
  try {
    const bmp = await window.createImageBitmap(file);
    const k = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
    const c = document.createElement('canvas');
    c.width = Math.round(bmp.width * k);
    c.height = Math.round(bmp.height * k);
    c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
    const blob = await new Promise((res) => c.toBlob(res, 'image/jpeg', 0.85));
    if (!blob || blob.size >= file.size) return file;
    blob.name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
    return blob;
  } catch (e) {
    return file;
  }
}

// POST base + '/files' (base: '/notices/12', '/requests/7'): the file's JSON.
export async function uploadFile(base, file) {
  const f = await shrink(file);
  return api('POST', base + '/files', f, {
    contentType: 'application/octet-stream', headers: { 'X-File-Name': enc(f.name || file.name || '') },
  });
}

// The files of a record as a list: a thumbnail for a photo (it opens full size), a link
// for each; null when there are none.
export function fileList(base, files) {
  if (!files || !files.length) return null;
  return h('ul', { class: 'files' }, files.map((f) => {
    const url = '/api/v1' + base + '/files/' + f.id;
    return h('li', { 'data-file': String(f.id), 'data-type': f.type },
      f.type.indexOf('image/') === 0
        ? h('a', { href: url, target: '_blank', rel: 'noopener' }, h('img', { class: 'file-thumb', src: url, alt: f.name, loading: 'lazy' }))
        : null,
      h('a', { href: url, download: f.name }, f.name), ' ',
      h('span', { class: 'hint' }, t('files.size_kb', { n: Math.max(1, Math.round(f.size / 1024)) })));
  }));
}

// A button that opens the camera or the file picker and uploads what is chosen to base;
// onAdded(file JSON) after it is stored, errors shown beside it.
export function fileAdder(base, opts) {
  const id = 'file-' + base.replace(/\W/g, '-') + '-' + Math.random().toString(36).slice(2, 7);
  const input = h('input', { type: 'file', id, class: 'file-input', accept: opts.accept || PHOTO_TYPES, name: 'file' });
  if (opts.capture) input.setAttribute('capture', 'environment');
  const status = h('span', { class: 'hint', role: 'status' });
  const err = h('p', { class: 'field-error', role: 'alert', hidden: true });
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    err.hidden = true;
    status.textContent = t('files.uploading');
    try {
      const f = await uploadFile(base, file);
      status.textContent = t('files.added', { name: f.name });
      if (opts.onAdded) opts.onAdded(f);
    } catch (e) {
      status.textContent = '';
      if (!e.handled) {
        err.textContent = e.message;
        err.hidden = false;
      }
    }
    input.value = '';
  });
  return h('div', { class: 'file-adder' },
    h('label', { for: id, class: 'btn' }, opts.label || t('files.add_photo')), input, ' ', status, err);
}
