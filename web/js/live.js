// live.js — the server's live feed (GET /api/v1/events, Server-Sent Events) shared by the
// views that want it.  The session cookie goes with the request (same origin).  Event types:
// checkin, alert, alert_escalated, reminder, passage (a gate's; views/gate.js), help_request (a
// request made; the requests page and tiles/help.js), escalated (a help request past its time
// limit; tiles/help.js), supply; each data is JSON.  `reset` ({missed, from})
// says events were missed (the connection fell behind, or came back after the server
// restarted): every subscriber must then load again what it shows from the API.
const TYPES = ['checkin', 'alert', 'alert_escalated', 'reminder', 'passage', 'help_request', 'escalated', 'supply', 'reset'];
let es = null;
let state = 'closed';
const subs = new Set();
const stateSubs = new Set();

function setState(s) {
  state = s;
  for (const fn of stateSubs) fn(s);
}

function open() {
  if (es || typeof window.EventSource !== 'function') return;
  es = new window.EventSource('/api/v1/events');
  setState('connecting');
  es.onopen = () => setState('open');
  es.onerror = () => {
    // The browser reconnects by itself unless the server refused (then readyState is CLOSED).
    if (es && es.readyState === window.EventSource.CLOSED) {
      es = null;
      setState('closed');
      if (subs.size) window.setTimeout(() => { if (subs.size && !es) open(); }, 10000);
    } else {
      setState('connecting');
    }
  };
  for (const type of TYPES) {
    es.addEventListener(type, (ev) => {
      let data = null;
      try {
        data = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      for (const s of subs) {
        try {
          s(type, data, ev.lastEventId);
        } catch (e) {
          console.error(e);
        }
      }
    });
  }
}

// fn(type, data, id) for every event; returns the function that unsubscribes.
export function subscribe(fn) {
  subs.add(fn);
  open();
  return () => {
    subs.delete(fn);
    if (!subs.size) close();
  };
}

// fn('connecting' | 'open' | 'closed') now and on every change.
export function onState(fn) {
  stateSubs.add(fn);
  fn(state);
  return () => stateSubs.delete(fn);
}

export function close() {
  if (es) es.close();
  es = null;
  setState('closed');
}
