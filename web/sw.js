// sw.js — the service worker: keeps the app shell (page, styles, scripts, catalogues) so
// the worker's phone opens the app with no network.  Network first (a fresh deploy wins),
// the cached copy when the network fails or is too slow.  Never touches /api/ (data and
// check-ins are the app's business: queue.js and keep.js), nor /vendor/ but jsQR (the
// dashboard's charts are 1 MB and only for a desk).  The shell holds what a phone needs to
// reload offline: the volunteer's delivery screen (views/supply.js and the supplies parts in
// tiles/supply.js, which the household page imports too) and the guard's scanner
// (views/gate.js with /vendor/jsQR.js, for a browser without BarcodeDetector).
const CACHE = 'wangge-shell-v5';
const SHELL = [
  '/index.html', '/style.css', '/favicon.svg', '/manifest.webmanifest',
  '/js/main.js', '/js/api.js', '/js/i18n.js', '/js/dom.js', '/js/session.js', '/js/queue.js', '/js/live.js', '/js/keep.js', '/js/idb.js', '/js/day.js',
  '/i18n/zh.js', '/i18n/en.js',
  '/js/views/common.js', '/js/views/login.js', '/js/views/today.js', '/js/views/rollcall.js',
  '/js/views/household.js', '/js/views/unit.js', '/js/views/chain.js', '/js/views/search.js',
  '/js/views/alerts.js', '/js/views/alert.js', '/js/views/account.js', '/js/views/gate.js',
  '/js/views/supply.js', '/js/views/errands.js', '/js/tiles/supply.js',
];
// kept when there (web/vendor/ is built by `make web`): a server without it still installs the shell
const VENDOR = ['/vendor/jsQR.js'];
const SLOW_MS = 4000;

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE)
    .then((c) => c.addAll(SHELL).then(() => Promise.all(VENDOR.map((p) => c.add(p).catch(() => {})))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('wangge-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function shellPath(url) {
  if (url.pathname === '/' || url.pathname === '/app' || url.pathname.startsWith('/app/')) return '/index.html';
  return url.pathname;
}

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;
  if (url.pathname.startsWith('/vendor/') && !VENDOR.includes(url.pathname)) return;
  if (url.pathname === '/sw.js') return;
  const key = shellPath(url);
  ev.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const net = fetch(req).then((res) => {
      if (res.ok && res.type === 'basic') cache.put(key, res.clone());
      return res;
    });
    net.catch(() => {}); // answered from the cache meanwhile: the late failure is no news
    const cached = cache.match(key);
    let timer;
    const slow = new Promise((resolve) => { timer = setTimeout(resolve, SLOW_MS); });
    try {
      const first = await Promise.race([net, slow.then(() => cached)]);
      if (first) return first;
      return await net;
    } catch (e) {
      const c = await cached;
      if (c) return c;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  })());
});
