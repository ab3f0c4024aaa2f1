#!/usr/bin/env python3
"""fault_test.py — a full disk, a failed fsync and failed allocations in the store are
answered with a JSON 5xx, leave no partial rows, and the server carries on by itself once
the fault is gone (docs/SECURITY.md, promise 15).

Runs the test build of wangge (`make faulttest`: -DWANGGE_FAULTS), whose SQLite store goes
through a fault layer (src/db/fault_sqlite.c) switched by the word in WANGGE_FAULT_FILE.
For each fault, while check-ins arrive from several threads: the fault is switched on;
check-ins, a change to a resident and a login are answered 5xx with an error body, and
nothing hangs; reads that write nothing still answer; the fault is switched off and the
same server takes check-ins again.  Then reads fail at random ("read 5": one in twenty of the
store's reads) while the load goes on and residents' categories are changed back and forth:
every answer is whole or a JSON 5xx, and afterwards each resident's history is an
unbroken chain — every change's "from" the "to" before it, one entry per acknowledged
change — which a read error taken for "no category" would break.  At the end: every acknowledged check-in is there,
none answered "disk full" or "out of memory" is, the counters equal a recount, and
PRAGMA integrity_check is ok.  (A failed fsync may leave its transaction whole in the
log, to reappear after a restart: it was not acknowledged, and a retry with its
client_id is answered as a duplicate — so for that fault only "whole or absent".)
Environment: WANGGE_BIN (the fault build)."""
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from crash_test import BIN, COMMUNITY, call, free_port, wait_up  # noqa: E402

FAULTS = ("full", "fsync", "nomem")


def read_faults(port, token, residents, fault, writer, stop, problems):
    """Categories changed back and forth while one in twenty of the store's reads fails."""
    seen, people = set(), []
    for r in residents:  # one a household: the household rule moves only the others
        if r["residence"] in ("living", "temporary") and r["household_id"] not in seen:
            seen.add(r["household_id"])
            people.append(r["id"])
    people = people[40:52]
    stop.clear()
    threads = [threading.Thread(target=writer, args=(10 + i,)) for i in range(3)]
    for t in threads:
        t.start()
    with open(fault, "w") as fh:
        fh.write("read 5")
    acked = {rid: 0 for rid in people}
    refusals = 0
    for rnd in range(6):
        to = "close_contact" if rnd % 2 == 0 else "cleared"
        for rid in people:
            st, res = call(port, "POST", f"/residents/{rid}/status",
                           {"category": to, "reason": "contact_tracing" if to == "close_contact" else "observation_complete"},
                           token=token, timeout=10)
            if st == 201:
                acked[rid] += 1
            elif st >= 500 and isinstance(res.get("error"), dict):
                refusals += 1
            elif st == 409 and res.get("error", {}).get("code") in ("same_category", "invalid_transition"):
                pass  # the change before it was refused: this one is no change, or not allowed
            else:
                problems.append(f"read: a status change answered {st} {res}")
            st, res = call(port, "GET", f"/residents/{rid}/status", token=token, timeout=10)
            if st == 200 and not ("history" in res and "isolation" in res and "category" in res):
                problems.append(f"read: a status read answered 200 without all of it: {sorted(res)}")
            elif st == 200 and res["category"] != (res["history"][-1]["to"] if res["history"] else None):
                problems.append(f"read: a status read answered {res['category']} after {res['history'][-1:]}")
            elif st != 200 and not (st >= 500 and isinstance(res.get("error"), dict)):
                problems.append(f"read: a status read answered {st} {res}")
    os.unlink(fault)
    stop.set()
    for t in threads:
        t.join()
    broken = 0
    for rid in people:
        for _ in range(5):  # a connection may still be taking the fault's end in
            st, res = call(port, "GET", f"/residents/{rid}/status", token=token)
            if st == 200:
                break
            time.sleep(0.2)
        if st != 200:
            problems.append(f"read: after the fault the status of {rid} answered {st} {res}")
            continue
        hist = res.get("history", [])
        prev = None
        for h in hist:
            if h["from"] != prev:
                broken += 1
                problems.append(f"read: resident {rid}: a change from {h['from']} after {prev}")
            prev = h["to"]
        if len(hist) != acked[rid]:
            problems.append(f"read: resident {rid}: {acked[rid]} changes acknowledged, {len(hist)} kept")
    return f"read 5%: {refusals} refused, {sum(acked.values())} changes kept, {broken} broken chains"


def main():
    tmp = tempfile.mkdtemp(prefix="wangge-fault-")
    store = os.path.join(tmp, "f.db")
    fault = os.path.join(tmp, "fault")
    subprocess.run([BIN, "demo", "--db", store, "--preset", "qinghe", "--households", "300", "--seed", "5"],
                   check=True, capture_output=True)
    port = free_port()
    env = dict(os.environ, WANGGE_FAULT_FILE=fault)
    log = open(os.path.join(tmp, "server.log"), "w")
    proc = subprocess.Popen([BIN, "serve", "--db", store, "--listen", f"127.0.0.1:{port}", "--quiet"],
                            stdout=log, stderr=log, env=env)
    wait_up(port)
    st, login = call(port, "POST", "/session", {"username": "admin", "password": "wangge-demo-2026"})
    token = login["token"]
    st, page = call(port, "GET", f"/residents?unit={COMMUNITY}&limit=500", token=token)
    ids = [r["id"] for r in page["items"] if r["residence"] in ("living", "temporary")]
    acked, refused, problems = {}, {}, []
    lock = threading.Lock()
    stop = threading.Event()
    seq = [0]
    last_fault = [None]  # the fault switched on last: what a refusal is put down to

    def checkin(rid, tag):
        with lock:
            seq[0] += 1
            cid = f"fault-{tag}-{seq[0]}"
        body = {"resident_id": rid, "temperature": 36.6, "channel": "phone", "client_id": cid}
        try:
            st, res = call(port, "POST", "/checkins", body, token=token, timeout=10)
        except OSError as e:
            with lock:
                problems.append(f"{tag}: no answer ({e})")
            return None
        with lock:
            if st == 201:
                acked[cid] = rid
            elif st >= 500 and isinstance(res.get("error"), dict) and res["error"].get("code"):
                refused[cid] = (rid, last_fault[0], res["error"]["code"])
            else:
                problems.append(f"{tag}: check-in answered {st} {res}")
        return st

    def writer(n):
        k = 0
        while not stop.is_set():
            k += 1
            checkin(ids[(n * 7919 + k * 31) % len(ids)], "load")

    notes = []
    for f in FAULTS:
        stop.clear()
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.4)
        last_fault[0] = f
        with open(fault, "w") as fh:
            fh.write(f)
        time.sleep(0.3)  # batches in flight end
        answers = [checkin(ids[i], f) for i in range(5)]
        if any(a is None or a < 500 for a in answers):
            problems.append(f"{f}: check-ins during the fault answered {answers}")
        st, res = call(port, "PATCH", f"/residents/{ids[0]}", {"note": "故障中 " + f}, token=token)
        if st < 500 or "error" not in res:
            problems.append(f"{f}: a change during the fault answered {st} {res}")
        try:
            st, res = call(port, "POST", "/session", {"username": "admin", "password": "wangge-demo-2026"})
        except OSError as e:
            st = f"no answer ({e})"
            stop.set()
        if not isinstance(st, int) or st < 500:
            problems.append(f"{f}: a login during the fault answered {st}")
        if call(port, "GET", "/health")[0] != 200:
            problems.append(f"{f}: /health failed during the fault")
        os.unlink(fault)
        time.sleep(0.2)
        after = [checkin(ids[i], "after-" + f) for i in range(5, 10)]
        if after != [201] * 5:
            problems.append(f"{f}: after the fault the check-ins answered {after}")
        stop.set()
        for t in threads:
            t.join()
        notes.append(f"{f}: {sum(1 for v in refused.values() if v[1] == f)} refused")
        if proc.poll() is not None:
            problems.append(f"{f}: the server exited ({proc.returncode})")
            break
    notes.append(read_faults(port, token, page["items"], fault, writer, stop, problems))
    # every acknowledged check-in is there; none refused for a full disk or memory is
    present = {}
    for rid in set(acked.values()) | {v[0] for v in refused.values()}:
        st, lst = call(port, "GET", f"/checkins?resident={rid}", token=token)
        for c in lst.get("items", []):
            present[c["client_id"]] = rid
    missing = [c for c in acked if c not in present]
    partial = [c for c, v in refused.items() if c in present and v[1] != "fsync"]
    fsync_kept = sum(1 for c, v in refused.items() if c in present and v[1] == "fsync")
    st, cov = call(port, "GET", f"/coverage?unit={COMMUNITY}", token=token)
    st, rec = call(port, "GET", f"/coverage/recount?unit={COMMUNITY}", token=token)
    keys = ["households_reached", "residents_accounted", "residents_reported", "fevers", "symptomatic"]
    diff = {k: (cov.get(k), rec.get(k)) for k in keys if cov.get(k) != rec.get(k)}
    proc.terminate()
    code = proc.wait(timeout=30)
    integrity = sqlite3.connect(store).execute("PRAGMA integrity_check").fetchone()[0]
    codes = sorted({v[2] for v in refused.values()})
    print(f"faults {', '.join(notes)}; acknowledged {len(acked)}, refused {len(refused)} (codes {codes}), "
          f"missing {len(missing)}, refused yet stored {len(partial)} (after a failed fsync: {fsync_kept}), "
          f"counter differences {diff or 'none'}, "
          f"integrity {integrity}, exit {code}")
    for p in problems[:10]:
        print("  " + p)
    if problems:
        with open(os.path.join(tmp, "server.log")) as fh:
            print("server log (end):\n" + "".join(fh.readlines()[-15:]))
    ok = not problems and not missing and not partial and not diff and integrity == "ok" and code == 0 and acked
    subprocess.run(["rm", "-rf", tmp])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
