#!/usr/bin/env python3
"""tailprobe.py — what the server's writer does, second by second, during a soak.

Run beside bench/soak.sh (its first line gives the server's pid and its store):
  python3 bench/tailprobe.py --pid PID --port PORT --db STORE --secs S [--rate 20]
Every second it samples /proc: the writer thread's time running and runnable-but-waiting
(schedstat; the writer is the thread at nice -5, or pass --tid), the process's major and
minor page faults, its disk reads, the store's pages resident in the kernel's cache
(mincore through fincore), and it sends check-ins from its own process (no GIL shared
with soak.py) at RATE/s on one connection, timed from when each was due.  Every 30 s a
line of per-second figures: p50 / max of each, the probe's p50 / p99 / max."""
import argparse
import http.client
import json
import os
import random
import subprocess
import threading
import time


def writer_tid(pid):
    for t in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/stat" % (pid, t)) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        if int(fields[16]) == -5:  # nice
            return int(t)
    return None


def rd(path):
    with open(path) as f:
        return f.read()


def sample(pid, tid):
    run, wait, _ = (int(x) for x in rd("/proc/%d/task/%d/schedstat" % (pid, tid)).split())
    st = rd("/proc/%d/stat" % pid).rsplit(")", 1)[1].split()
    io = dict(line.split(": ") for line in rd("/proc/%d/io" % pid).splitlines())
    return run, wait, int(st[7]), int(st[9]), int(io["read_bytes"])


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--secs", type=float, required=True)
    ap.add_argument("--rate", type=float, default=20)
    ap.add_argument("--tid", type=int)
    a = ap.parse_args()
    tid = a.tid or writer_tid(a.pid)
    c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
    c.request("POST", "/api/v1/session", body=json.dumps({"username": "admin", "password": "wangge-demo-2026"}),
              headers={"Content-Type": "application/json"})
    token = json.loads(c.getresponse().read())["token"]
    lat, lock, stop = [], threading.Lock(), threading.Event()

    def prober():
        due = time.monotonic()
        while not stop.is_set():
            due += 1 / a.rate
            d = due - time.monotonic()
            if d > 0:
                time.sleep(d)
            rid = random.randint(1, 1000000)
            c.request("POST", "/api/v1/checkins", headers={"Authorization": "Bearer " + token,
                                                          "Content-Type": "application/json"},
                      body=json.dumps({"resident_id": rid, "temperature": 36.5, "channel": "phone",
                                       "client_id": "probe-%d-%d" % (rid, random.getrandbits(40))}))
            c.getresponse().read()
            with lock:
                lat.append((time.monotonic() - due) * 1000)

    threading.Thread(target=prober, daemon=True).start()
    print("writer tid %s; per second: writer run/wait ms, majflt, minflt, disk read KB; store cached MB;"
          " probe ms" % tid, flush=True)
    start = time.monotonic()
    prev = sample(a.pid, tid)
    per = []
    nxt = start + 30
    while time.monotonic() - start < a.secs:
        time.sleep(1)
        cur = sample(a.pid, tid)
        per.append([(x - y) for x, y in zip(cur, prev)])
        prev = cur
        if time.monotonic() >= nxt:
            nxt += 30
            cached = subprocess.run(["fincore", "-b", "-n", "-o", "RES", a.db], capture_output=True,
                                    text=True).stdout.strip()
            size = os.path.getsize(a.db)
            with lock:
                l, lat[:] = lat[:], []
            cols = list(zip(*per))
            per = []

            def f(i, div):
                return "%d/%d" % (pct(cols[i], 50) / div, max(cols[i]) / div)
            print("%5d run %s wait %s majflt %s minflt %s readKB %s | store %d MB cached %s MB |"
                  " probe p50 %.1f p99 %.1f max %.1f" % (
                      time.monotonic() - start, f(0, 1e6), f(1, 1e6), f(2, 1), f(3, 1), f(4, 1024),
                      size >> 20, int(cached or 0) >> 20, pct(l, 50), pct(l, 99), max(l) if l else 0), flush=True)
    stop.set()


if __name__ == "__main__":
    main()
