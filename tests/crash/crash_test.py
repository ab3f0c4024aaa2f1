#!/usr/bin/env python3
"""crash_test.py — no acknowledged write is lost when the server is killed.

Sends check-ins from several threads, records every acknowledged client id, kill -9s the
server at random moments, restarts it, and checks that every acknowledged check-in is
there, that the coverage counters equal a recount from the rows, and (SQLite) that
PRAGMA integrity_check is ok.  `make test` runs a short version; bench/crash runs a long
one.  usage: crash_test.py [--kills N] [--threads N] [--seed N] [--power-loss]
--power-loss (SQLite, the test build of `make faulttest`): each kill is a power cut too —
the server runs with WANGGE_POWER_LOSS=1, so what it wrote to the store and its log but
did not sync yet is lost with the process (src/db/fault_sqlite.c); an acknowledgement
given before its sync would show here as a missing check-in.
Environment: WANGGE_BIN (the binary), WANGGE_TEST_PG (a PostgreSQL URL: run on a fresh
database there instead of a SQLite file)."""
import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BIN = os.environ.get("WANGGE_BIN") or os.path.join(os.path.dirname(__file__), "..", "..", "build", "wangge")
COMMUNITY = "420107003008"
SHEET_ROWS = 6000  # the import in flight at SIGTERM: ~0.5 s of work here


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def call(port, method, path, body=None, token=None, timeout=10):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def wait_up(port):
    """Until the server on port answers /health (10 s at most)."""
    for _ in range(200):
        try:
            if call(port, "GET", "/health", timeout=1)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("server did not start")


def fresh_pg_db(base):
    """A new database on the PostgreSQL server of base; returns its URL."""
    name = "crash_%d" % os.getpid()
    host = base.split("@")[1].split("/")[0]
    h, p = host.split(":")
    subprocess.run(["psql", "-h", h, "-p", p, "-U", "wangge", "-d", "wangge", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
    subprocess.run(["psql", "-h", h, "-p", p, "-U", "wangge", "-d", "wangge", "-qc", f"CREATE DATABASE {name}"], check=True)
    return base.rsplit("/", 1)[0] + "/" + name


def sheet(port, token, rows):
    """A residents sheet of new people in rooms of the community's first entrance."""
    st, page = call(port, "GET", f"/residents?unit={COMMUNITY}&limit=1", token=token)
    unit = page["items"][0]["unit_code"]
    lines = ["姓名,性别,出生日期,证件类型,证件号码,联系电话,单位编码,房号,与户主关系,标签"]
    for i in range(rows):
        lines.append(f"停机{i},男,1980-01-01,身份证,,1390000{i:04d},{unit},{9000 + i // 3},,")
    return "\n".join(lines) + "\n"


def sigterm_under_load(port, token, ids, proc, writer, stop, nthreads):
    """Check-ins from every thread and a 6,000-row import in flight when SIGTERM comes."""
    body = sheet(port, token, SHEET_ROWS).encode()
    answer = {}

    def importer():
        answer["sent"] = time.time()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/imports/residents", method="POST", data=body)
        req.add_header("Content-Type", "text/csv")
        req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                answer["status"], answer["body"] = r.status, json.loads(r.read())
                answer["at"] = time.time()
        except urllib.error.HTTPError as e:
            answer["status"], answer["body"] = e.code, json.loads(e.read() or b"{}")
        except OSError as e:
            answer["status"], answer["body"] = None, str(e)

    stop.clear()
    threads = [threading.Thread(target=writer, args=(900 + i,)) for i in range(nthreads)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    imp = threading.Thread(target=importer)
    imp.start()
    time.sleep(0.1)  # the sheet is being sent, read and written
    term_at = time.time()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = "no exit within 30 s"
    imp.join()
    stop.set()
    for t in threads:
        t.join()
    b = answer.get("body")
    created = b.get("created") if isinstance(b, dict) else None
    # in flight: answered after the signal (else the sheet was too small to test anything)
    late = answer.get("at", 0) - term_at
    ok = code == 0 and answer.get("status") == 200 and created == SHEET_ROWS and late > 0
    return ok, (f"exit status {code}, the import in flight answered {answer.get('status')} ({created} created) "
                f"{late * 1000:.0f} ms after the signal, {(answer.get('at', 0) - answer['sent']) * 1000:.0f} ms after it was sent"
                + ("" if ok else f"; answer: {str(b)[:300]}"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--threads", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--power-loss", action="store_true")
    # batches of this many jobs on hold their counters in memory (stats.c; a rush's are
    # ~30, more than these threads make): kills then find counters not yet written
    ap.add_argument("--defer-batch", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="wangge-crash-")
    pg = os.environ.get("WANGGE_TEST_PG")
    store = fresh_pg_db(pg) if pg else os.path.join(tmp, "crash.db")
    subprocess.run([BIN, "demo", "--db", store, "--preset", "qinghe", "--households", "600", "--seed", "3"],
                   check=True, capture_output=True)
    port = free_port()
    proc = None

    def start():
        nonlocal proc
        env = dict(os.environ)
        if a.power_loss:
            env["WANGGE_POWER_LOSS"] = "1"
        if a.defer_batch:
            env["WANGGE_DEFER_BATCH"] = str(a.defer_batch)
        proc = subprocess.Popen([BIN, "serve", "--db", store, "--listen", f"127.0.0.1:{port}", "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_up(port)

    start()
    st, login = call(port, "POST", "/session", {"username": "admin", "password": "wangge-demo-2026"})
    token = login["token"]
    ids = []
    for off in range(0, 2000, 500):
        st, page = call(port, "GET", f"/residents?unit={COMMUNITY}&limit=500&offset={off}", token=token)
        ids += [r["id"] for r in page["items"] if r["residence"] in ("living", "temporary")]
    acked = {}  # client_id -> resident
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n):
        r = random.Random(a.seed * 100 + n)
        k = 0
        while not stop.is_set():
            k += 1
            rid = r.choice(ids)
            cid = f"crash-{n}-{k}-{r.randrange(1 << 30)}"
            body = {"resident_id": rid, "temperature": round(r.uniform(35.8, 38.2), 1), "channel": "phone", "client_id": cid}
            try:
                st, res = call(port, "POST", "/checkins", body, token=token, timeout=5)
            except (OSError, ValueError):
                time.sleep(0.02)
                continue
            if st == 201 and res.get("checkin_id"):
                with lock:
                    acked[cid] = rid

    for kill in range(a.kills):
        stop.clear()
        threads = [threading.Thread(target=writer, args=(kill * 100 + i,)) for i in range(a.threads)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
        start()
    # SIGTERM under load: the requests in flight are answered (a residents import among
    # them), the server stops by itself with status 0, nothing acknowledged is lost
    term_ok, term_note = sigterm_under_load(port, token, ids, proc, writer, stop, a.threads)
    start()
    # every acknowledged check-in is there
    by_res = {}
    for cid, rid in acked.items():
        by_res.setdefault(rid, set()).add(cid)
    missing = 0
    for rid, cids in by_res.items():
        st, lst = call(port, "GET", f"/checkins?resident={rid}", token=token)
        have = {c["client_id"] for c in lst["items"]}
        missing += len(cids - have)
    st, imported = call(port, "GET", f"/residents?unit={COMMUNITY}&q=%E5%81%9C%E6%9C%BA&limit=1", token=token)
    if imported.get("total") != SHEET_ROWS:  # 停机…: the sheet imported while SIGTERM came
        term_ok, term_note = False, term_note + f"; but {imported.get('total')} of its {SHEET_ROWS} people are in the store"
    st, cov = call(port, "GET", f"/coverage?unit={COMMUNITY}", token=token)
    st, rec = call(port, "GET", f"/coverage/recount?unit={COMMUNITY}", token=token)
    keys = ["households_total", "households_reached", "residents_total", "residents_accounted", "residents_reported",
            "fevers", "symptomatic"]
    diff = {k: (cov[k], rec[k]) for k in keys if cov[k] != rec[k]}
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    integrity = "n/a (PostgreSQL)"
    deferred = 0  # check-ins whose counters the writer held in memory (a rush's batches, stats.c)
    if not pg:
        con = sqlite3.connect(store)
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        deferred = con.execute("SELECT count(*) FROM checkins WHERE deferred IS NOT NULL").fetchone()[0]
        con.close()
    print(f"{'power cuts' if a.power_loss else 'kills'}: {a.kills}, acknowledged check-ins: {len(acked)}, missing after restarts: {missing}, "
          f"counter differences: {diff or 'none'}, integrity: {integrity}, counters held in memory for {deferred}; "
          f"SIGTERM under load: {term_note}")
    ok = missing == 0 and not diff and integrity in ("ok", "n/a (PostgreSQL)") and len(acked) > 0 and term_ok
    # with enough clients the batches are a rush's, whose counters wait in memory: a kill
    # then loses them unless the start adds them again — which is what this run tests
    if not pg and a.defer_batch and deferred == 0:
        print("no batch held its counters in memory: the run did not test them")
        ok = False
    subprocess.run(["rm", "-rf", tmp])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
