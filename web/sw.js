// sw.js — the service worker: keeps the app shell (page, styles, scripts, catalogues) so
// the worker's phone opens the app with no network.  Every script of the app is in SHELL
// (~0.6 MB, fetched once): a page or a menu count that imports a module offline must find
// it (tests/web/run.mjs checks the list against web/js and web/i18n).  Network first (a
// fresh deploy wins), the cached copy when the network fails or is too slow.  Never touches
// /api/ (data and check-ins are the app's business: queue.js and keep.js), nor /vendor/ but
// jsQR (the dashboard's charts are 1 MB and only for a desk; the guard's scanner needs jsQR
// offline in a browser without BarcodeDetector).
const CACHE = 'wangge-shell-v6';
const SHELL = [
  '/index.html', '/style.css', '/favicon.svg', '/manifest.webmanifest',
  '/js/api.js', '/js/charts.js', '/js/csv.js', '/js/day.js', '/js/dom.js', '/js/files.js',
  '/js/i18n.js', '/js/idb.js', '/js/keep.js', '/js/live.js', '/js/main.js', '/js/notice.js',
  '/js/queue.js', '/js/report-help.js', '/js/report-supply.js', '/js/report.js', '/js/session.js',
  '/js/views/account.js', '/js/views/aid.js', '/js/views/alert.js', '/js/views/alerts.js',
  '/js/views/audit.js', '/js/views/categories.js', '/js/views/chain.js', '/js/views/common.js',
  '/js/views/dashboard.js', '/js/views/duty.js', '/js/views/epi-common.js', '/js/views/errands.js',
  '/js/views/followups.js', '/js/views/gate.js', '/js/views/gatesetup.js', '/js/views/help.js', '/js/views/household-new.js',
  '/js/views/household.js', '/js/views/idreview.js', '/js/views/import.js', '/js/views/join.js',
  '/js/views/lists.js', '/js/views/login.js', '/js/views/resident-epi.js', '/js/views/resident.js',
  '/js/views/rollcall.js', '/js/views/search.js', '/js/views/staff.js', '/js/views/supply-setup.js',
  '/js/views/supply.js',
  '/js/views/tasks.js', '/js/views/today.js', '/js/views/transmission.js', '/js/views/unit.js',
  '/js/views/users.js',
  '/js/tiles/gate.js', '/js/tiles/help.js', '/js/tiles/staff.js', '/js/tiles/supply.js',
  '/i18n/en.js', '/i18n/zh.js',
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
