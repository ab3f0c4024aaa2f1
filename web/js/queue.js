// queue.js — check-ins that could not reach the server wait here (IndexedDB, "outbox")
// and are sent again when the network returns (the online event, a retry timer, the page
// coming back into view).  Every item keeps the client_id it was made with, so the server
// stores it once however often it is sent.  Items belong to the account that made them and
// are sent only while that account is logged in.
import { api, onNetwork } from './api.js';
import { session } from './session.js';
import { openIdb } from './idb.js';

const DB_NAME = 'wangge';
const STORE = 'outbox';
const RETRY_MS = 15000;
const SEND_TIMEOUT_MS = 10000; // a check-in that hangs longer than this waits in the queue

let dbPromise = null;
let memory = null; // when IndexedDB is not available (old or private browsers): this page only
let memSeq = 0;
const listeners = new Set();
let flushing = null;
let timer = 0;
let started = false;

function openDb() {
  if (dbPromise) return dbPromise;
  dbPromise = openIdb(DB_NAME, (db) => {
    if (!db.objectStoreNames.contains(STORE)) {
      const st = db.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
      st.createIndex('client_id', 'client_id', { unique: true });
    }
  });
  return dbPromise.then((db) => {
    if (!db && !memory) memory = [];
    return db;
  });
}

function tx(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const st = t.objectStore(STORE);
    let out;
    const r = fn(st);
    if (r) r.onsuccess = () => { out = r.result; };
    t.oncomplete = () => resolve(out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

// A new client id: 'w-' and 32 hex digits (crypto.randomUUID needs HTTPS; this does not).
export function newClientId() {
  const b = new Uint8Array(16);
  window.crypto.getRandomValues(b);
  return 'w-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export async function all() {
  const db = await openDb();
  if (!db) return memory.slice();
  return (await tx(db, 'readonly', (st) => st.getAll())) || [];
}

async function put(item) {
  const db = await openDb();
  if (!db) {
    if (item.seq === undefined) {
      item.seq = ++memSeq;
      memory.push(item);
    } else {
      const i = memory.findIndex((x) => x.seq === item.seq);
      if (i >= 0) memory[i] = item;
    }
    return item.seq;
  }
  return tx(db, 'readwrite', (st) => st.put(item));
}

export async function remove(seq) {
  const db = await openDb();
  if (!db) {
    memory = memory.filter((x) => x.seq !== seq);
  } else {
    await tx(db, 'readwrite', (st) => st.delete(seq));
  }
  notify();
}

// What is waiting for the logged-in account: {waiting, failed, items}.
export async function state() {
  const me = session.me ? session.me.username : '';
  const items = (await all()).filter((x) => x.username === me);
  return {
    items,
    waiting: items.filter((x) => !x.failed).length,
    failed: items.filter((x) => x.failed).length,
  };
}

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function notify() {
  let s;
  try {
    s = await state();
  } catch (e) {
    return;
  }
  for (const fn of listeners) {
    try {
      fn(s);
    } catch (e) {
      console.error(e);
    }
  }
  schedule(s.waiting);
}

function schedule(waiting) {
  window.clearTimeout(timer);
  timer = 0;
  if (waiting > 0 && started) timer = window.setTimeout(() => flush(), RETRY_MS);
}

function isNetwork(e) {
  return e && (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504);
}

// Send a change now, or queue it when the network is down.  item: {path, body, label,
// household_id}.  body.client_id is filled in when missing.  Answers {queued: true} or
// {queued: false, result} (result null when it went out behind others that were waiting).
// A refusal by the server (4xx) is thrown as usual.
export async function submit(item) {
  if (!item.body.client_id) item.body.client_id = newClientId();
  const rec = {
    path: item.path, body: item.body, label: item.label || '', household_id: item.household_id || null,
    username: session.me ? session.me.username : '', created_at: Date.now(), attempts: 0, failed: false, error: '',
  };
  const ahead = (await state()).waiting;
  if (ahead === 0) {
    try {
      const result = await api('POST', item.path, item.body, { timeout: SEND_TIMEOUT_MS });
      return { queued: false, result };
    } catch (e) {
      if (!isNetwork(e)) throw e;
    }
  }
  // Offline, or others are waiting already (keep the order: a later reading corrects an earlier one).
  await put(rec);
  notify();
  if (ahead > 0) {
    // others were waiting: send them all in order, then say whether this one went too
    await flush();
    const mine = (await all()).find((x) => x.body.client_id === rec.body.client_id);
    if (!mine) return { queued: false, result: null };
    if (mine.failed) {
      // refused by the server: the user is still on the form, so say it there
      await remove(mine.seq);
      throw Object.assign(new Error(mine.error), { status: 400 });
    }
  }
  return { queued: true };
}

// Send what is waiting, oldest first; stop at the first network failure.
export function flush() {
  if (flushing) return flushing;
  flushing = (async () => {
    let sent = 0;
    try {
      const { items } = await state();
      for (const it of items.sort((a, b) => a.seq - b.seq)) {
        if (it.failed) continue;
        it.attempts += 1;
        try {
          await api('POST', it.path, it.body, { quiet401: true, timeout: SEND_TIMEOUT_MS });
          await remove(it.seq);
          sent += 1;
        } catch (e) {
          if (isNetwork(e) || e.status === 401 || e.status === 429 || e.status >= 500) {
            await put(it);
            break; // try again later (after logging in again for a 401)
          }
          it.failed = true; // refused by the server: kept for the user to see and discard
          it.error = e.message;
          await put(it);
        }
      }
    } finally {
      flushing = null;
    }
    sentTotal += sent;
    await notify();
    if (sent) for (const fn of sentListeners) fn(sent);
    return sent;
  })();
  return flushing;
}

const sentListeners = new Set();
let sentTotal = 0;
// How many queued items reached the server since the page loaded (a view that loaded its
// data while a sync ran compares this before and after).
export function sentSoFar() {
  return sentTotal;
}
// fn(n) after n queued items reached the server.
export function onSent(fn) {
  sentListeners.add(fn);
  return () => sentListeners.delete(fn);
}

// Start retrying (after login): the online event, the page coming back, a timer.
export function start() {
  if (!started) {
    started = true;
    // a phone says "online" before its connection carries a request: try now, and again soon
    window.addEventListener('online', () => {
      flush();
      window.setTimeout(() => flush(), 3000);
    });
    onNetwork((up) => { if (up) flush(); });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') flush();
    });
  }
  notify();
  flush();
}

export function stop() {
  window.clearTimeout(timer);
  timer = 0;
  notify();
}
