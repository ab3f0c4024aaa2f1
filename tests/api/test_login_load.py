"""test_login_load.py — a login stalls nobody else.

argon2id hashing takes tens of milliseconds of a core; done inside an HTTP thread it held
every other connection of that thread.  The server here has ONE HTTP thread, so the
difference is an order, not a timing: while a login is being hashed, check-ins sent after
it are answered before it.  Then, with the usual four threads, check-ins keep coming while
20 logins a second run, and the latencies of both are printed (figures, not assertions)."""
import http.client
import json
import threading
import time
import unittest

import harness as H


def setUpModule():
    H.start(serve_args=["--threads", "1"])


def tearDownModule():
    H.stop()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else float("nan")


class Checkins:
    """Check-ins from n keep-alive connections until stopped: (sent, answered, status)."""

    def __init__(self, token, ids, n=2):
        self.token, self.ids, self.n = token, ids, n
        self.stop = threading.Event()
        self.done = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(k,)) for k in range(n)]

    def run(self, k):
        conn = http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=60)
        i = k
        while not self.stop.is_set():
            body = json.dumps({"resident_id": self.ids[i % len(self.ids)], "temperature": 36.5, "channel": "phone"})
            i += self.n
            t0 = time.monotonic()
            conn.request("POST", "/api/v1/checkins", body=body,
                         headers={"Content-Type": "application/json", "Authorization": "Bearer " + self.token})
            r = conn.getresponse()
            r.read()
            with self.lock:
                self.done.append((t0, time.monotonic(), r.status))
        conn.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


def login_once():
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=60)
    conn.request("POST", "/api/v1/session", body=json.dumps({"username": "gw01", "password": H.PASSWORD}),
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    body = json.loads(r.read())
    conn.close()
    return t0, time.monotonic(), r.status, body


class LoginsStallNobody(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.token = H.login("admin")
        items = H.list_all("admin", "/api/v1/residents?unit=%s" % H.COMMUNITY)
        cls.ids = [r["id"] for r in items if r["residence"] in ("living", "temporary")]

    def test_checkins_are_answered_while_a_login_is_hashed(self):
        logins = []
        with Checkins(self.token, self.ids) as ck:
            time.sleep(0.3)
            for _ in range(20):
                logins.append(login_once())
                time.sleep(0.05)
        for t0, t1, st, body in logins:
            self.assertEqual(st, 201, body)
        self.assertTrue(all(s == 201 for _, _, s in ck.done))
        # a login "overtaken": a check-in sent after it was sent and answered before it was
        overtaken = sum(1 for l0, l1, _, _ in logins if any(c0 > l0 + 0.002 and c1 < l1 for c0, c1, _ in ck.done))
        lat = [(l1 - l0) * 1000 for l0, l1, _, _ in logins]
        print("\n  one HTTP thread: %d of %d logins overtaken by a check-in; login p50 %.0f ms"
              % (overtaken, len(logins), pct(lat, 50)))
        self.assertGreaterEqual(overtaken, len(logins) // 2,
                                "check-ins waited for the logins' hashing on the HTTP thread")

    def test_logout_and_a_failed_login_answer_as_before(self):
        t0, t1, st, body = login_once()
        self.assertEqual(st, 201, body)
        tok = body["token"]
        self.assertEqual(H.call("GET", "/api/v1/session", token=tok)[0], 200)
        st, b = H.call("DELETE", "/api/v1/session", token=tok)
        self.assertEqual(st, 200, b)
        self.assertEqual(H.call("GET", "/api/v1/session", token=tok)[0], 401)
        st, b = H.call("POST", "/api/v1/session", {"username": "gw01", "password": "wrong-password-1"})
        self.assertEqual((st, H.err(b)), (401, ("invalid_credentials", None)))
        st, b = H.call("POST", "/api/v1/session", {"username": "nobody-here", "password": "wrong-password-1"})
        self.assertEqual((st, H.err(b)), (401, ("invalid_credentials", None)))


class OnlyTheWriterCommits(unittest.TestCase):
    """On SQLite a commit by any connection but the writer's throws the writer's page cache
    and memory map away at its next batch (issue 22: on a grown store, thousands of page
    faults a second).  With check-ins streaming, logins (one refused) and logouts and the
    ticker's work (a session's last use, checkpoints) commit nothing outside the writer,
    and the writer never finds its cache stale.  Counts, not timings (GET /health/store)."""

    def test_logins_and_logouts_commit_through_the_writer(self):
        token = H.login("admin")
        ids = [r["id"] for r in H.list_all("admin", "/api/v1/residents?unit=%s" % H.COMMUNITY)
               if r["residence"] in ("living", "temporary")]
        with Checkins(token, ids) as ck:
            time.sleep(0.5)  # a batch or more after anything committed before
            st, before = H.call("GET", "/api/v1/health/store", token=token)
            self.assertEqual(st, 200, before)
            for i in range(6):
                t0, t1, st, body = login_once()
                self.assertEqual(st, 201, body)
                st, b = H.call("DELETE", "/api/v1/session", token=body["token"])
                self.assertEqual(st, 200, b)
            st, b = H.call("POST", "/api/v1/session", {"username": "gw01", "password": "wrong-password-2"})
            self.assertEqual(st, 401, b)
            time.sleep(1.5)  # the ticker's checkpoints and session writes meanwhile
            st, after = H.call("GET", "/api/v1/health/store", token=token)
        self.assertTrue(all(s == 201 for _, _, s in ck.done))
        self.assertEqual(after["other_commits"] - before["other_commits"], 0, (before, after))
        self.assertEqual(after["writer"]["cache_resets"] - before["writer"]["cache_resets"], 0, (before, after))
        self.assertGreater(after["writer"]["jobs"], before["writer"]["jobs"])
        # the route is the administrator's
        st, b = H.call("GET", "/api/v1/health/store", token=H.login("gw01"))
        self.assertEqual(st, 403, b)


class TwentyLoginsASecond(unittest.TestCase):
    """Figures: check-in latency with and without 20 logins a second (one HTTP thread)."""

    def test_print_latencies(self):
        token = H.login("admin")
        ids = [r["id"] for r in H.list_all("admin", "/api/v1/residents?unit=%s" % H.COMMUNITY)
               if r["residence"] in ("living", "temporary")]

        def run(logins_per_s, secs=3):
            lat_login = []
            with Checkins(token, ids) as ck:
                end = time.monotonic() + secs
                nxt = time.monotonic()
                threads = []
                while logins_per_s and time.monotonic() < end:
                    t = threading.Thread(target=lambda: lat_login.append(login_once()))
                    t.start()
                    threads.append(t)
                    nxt += 1.0 / logins_per_s
                    time.sleep(max(0, nxt - time.monotonic()))
                if not logins_per_s:
                    time.sleep(secs)
                for t in threads:
                    t.join()
            c = [(c1 - c0) * 1000 for c0, c1, s in ck.done]
            bad = sum(1 for _, _, s in ck.done if s != 201) + sum(1 for x in lat_login if x[2] != 201)
            lg = [(x[1] - x[0]) * 1000 for x in lat_login]
            return c, lg, bad

        for rate in (0, 20):
            c, lg, bad = run(rate)
            print("\n  %2d logins/s: %d check-ins, p50 %.1f ms, p99 %.1f ms, max %.1f ms; logins %d, p50 %s ms, max %s ms; %d errors"
                  % (rate, len(c), pct(c, 50), pct(c, 99), max(c), len(lg), "%.0f" % pct(lg, 50) if lg else "-",
                     "%.0f" % max(lg) if lg else "-", bad))
            self.assertEqual(bad, 0)


if __name__ == "__main__":
    unittest.main()
