// keep.js — what the worker's phone keeps for a morning without network: the last answers
// of Today (coverage, missing list, call list, alerts), the grid's households with their
// people, and half-filled roll-call forms, each with the time it was fetched.  IndexedDB
// (its own database, "wangge-kept", so the outbox's schema never moves), per account;
// everything is dropped at logout or when the session ends.  A morning's data only: what
// is older than KEEP_DAYS is not shown and is dropped on the next save.
import { session } from './session.js';
import { openIdb } from './idb.js';
import { beijingDay, beijingTime } from './day.js';

const DB_NAME = 'wangge-kept';
const STORE = 'kept';
const KEEP_MS = 2 * 24 * 3600 * 1000;

let dbPromise = null;
let memory = null; // no IndexedDB (private mode): this page only

function openDb() {
  if (dbPromise) return dbPromise;
  dbPromise = openIdb(DB_NAME, (db) => {
    if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'key' });
  }).then((db) => {
    if (!db && !memory) memory = new Map();
    return db;
  });
  return dbPromise;
}

function run(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    let out;
    const r = fn(t.objectStore(STORE));
    if (r) r.onsuccess = () => { out = r.result; };
    t.oncomplete = () => resolve(out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

function who() {
  return session.me ? session.me.username : '';
}

// Keep data under name (for the logged-in account), stamped with now; entries: [[name, data], …].
export async function keepMany(entries) {
  const user = who();
  if (!user) return;
  const at = Date.now();
  const recs = entries.map(([name, data]) => ({ key: user + '|' + name, user, at, data }));
  try {
    const db = await openDb();
    if (!db) {
      for (const r of recs) memory.set(r.key, r);
      return;
    }
    await run(db, 'readwrite', (st) => {
      for (const r of recs) st.put(r);
    });
  } catch (e) {
    /* full or refused: the phone keeps less, the page still works online */
  }
}

export function keep(name, data) {
  return keepMany([[name, data]]);
}

// {at (ms), data} kept under name for the logged-in account, or null.
export async function kept(name) {
  const user = who();
  if (!user) return null;
  try {
    const db = await openDb();
    const r = db ? await run(db, 'readonly', (st) => st.get(user + '|' + name)) : memory.get(user + '|' + name);
    if (!r || Date.now() - r.at > KEEP_MS) return null;
    return { at: r.at, data: r.data };
  } catch (e) {
    return null;
  }
}

export async function drop(name) {
  const user = who();
  if (!user) return;
  try {
    const db = await openDb();
    if (!db) memory.delete(user + '|' + name);
    else await run(db, 'readwrite', (st) => st.delete(user + '|' + name));
  } catch (e) {
    /* nothing to drop */
  }
}

// Drop everything kept (logout: personal data does not stay on a shared phone), or, with
// stale=true, only what is too old to be shown.
export async function forget(stale) {
  try {
    const db = await openDb();
    if (!db) {
      if (!stale) memory.clear();
      return;
    }
    const now = Date.now();
    await run(db, 'readwrite', (st) => {
      if (!stale) return st.clear();
      const c = st.openCursor();
      c.onsuccess = () => {
        const cur = c.result;
        if (!cur) return;
        if (now - cur.value.at > KEEP_MS) cur.delete();
        cur.continue();
      };
      return null;
    });
  } catch (e) {
    /* nothing kept */
  }
}

// How long ago something was fetched, for the "kept on this phone" notes: Beijing time
// "08:12", or "12-05 08:12" when it is from another day.
export function keptAt(at) {
  const bj = beijingTime(at);
  return bj.slice(0, 10) === beijingDay() ? bj.slice(11) : bj.slice(5);
}
