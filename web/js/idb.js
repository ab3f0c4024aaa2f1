// idb.js — open an IndexedDB database of one version, or null where the browser has none
// (private mode, old browsers): the callers then keep their data in memory for this page.
// upgrade(db) creates the stores on first open.  Used by queue.js and keep.js.
export function openIdb(name, upgrade) {
  return new Promise((resolve) => {
    let req;
    try {
      req = window.indexedDB.open(name, 1);
    } catch (e) {
      resolve(null);
      return;
    }
    req.onupgradeneeded = () => upgrade(req.result);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
}
