// api.js — fetch against /api/v1 with the session cookie.  Every change carries
// X-Wangge: 1 (the server's guard for cookie-authenticated changes); errors become
// ApiError with the server's {code, message, field}.
import { t, serverText } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, message, field, raw) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.raw = raw || message;
    this.handled = false;
  }
}

let onUnauthorized = null;

// Whether the server was reachable at the last try (navigator.onLine is only a hint: a phone
// on a LAN without internet may say offline, and a dead Wi-Fi may say online).
let netUp = true;
const netListeners = new Set();
export function networkUp() {
  return netUp;
}
export function onNetwork(fn) {
  netListeners.add(fn);
  return () => netListeners.delete(fn);
}
function setNet(up) {
  if (up === netUp) return;
  netUp = up;
  for (const fn of netListeners) fn(up);
}
window.addEventListener('offline', () => setNet(false));
window.addEventListener('online', () => setNet(true));

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// api('GET', '/units/X'); api('POST', '/residents', {...});
// opts.contentType sends body as is (a File for CSV imports); opts.quiet401 leaves a 401
// to the caller (the login form and the first session check); opts.text answers the body
// as text (the printable QR sheet is HTML); opts.timeout (ms) gives up on a request that
// hangs (a bad network) as a network error; opts.headers adds headers (a file's X-File-Name).
export async function api(method, path, body, opts) {
  opts = opts || {};
  const headers = Object.assign({ Accept: 'application/json' }, opts.headers || {});
  let payload;
  if (method !== 'GET' && method !== 'HEAD') headers['X-Wangge'] = '1';
  if (body !== undefined) {
    if (opts.contentType) {
      headers['Content-Type'] = opts.contentType;
      payload = body;
    } else {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  let res;
  const ctl = opts.timeout && typeof AbortController === 'function' ? new AbortController() : null;
  const timer = ctl ? window.setTimeout(() => ctl.abort(), opts.timeout) : 0;
  let text = '';
  try {
    try {
      res = await fetch('/api/v1' + path, {
        method, headers, body: payload, credentials: 'same-origin', cache: 'no-store', signal: ctl ? ctl.signal : undefined,
      });
      text = await res.text();
    } catch (e) {
      setNet(false);
      throw new ApiError(0, 'network', t('err.network'));
    }
  } finally {
    window.clearTimeout(timer);
  }
  setNet(true);
  let data = null;
  if (opts.text && res.ok) return text;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) {
    const er = (data && data.error) || {};
    const msg = er.message ? serverText(er.message) : t('err.http', { status: res.status });
    const err = new ApiError(res.status, er.code || 'http_' + res.status, msg, er.field, er.message);
    if (res.status === 401 && !opts.quiet401 && onUnauthorized) {
      err.handled = true;
      onUnauthorized(err);
    }
    throw err;
  }
  return data;
}

export const enc = encodeURIComponent;

// Query string from an object, skipping empty values.
export function qs(o) {
  const parts = [];
  for (const k in o) {
    if (o[k] === null || o[k] === undefined || o[k] === '') continue;
    parts.push(enc(k) + '=' + enc(o[k]));
  }
  return parts.length ? '?' + parts.join('&') : '';
}
