"""Login, lockout, sessions, logout, cookie authentication and its CSRF header."""
import re
import threading
import unittest
from concurrent.futures import ThreadPoolExecutor

import harness as H


def setUpModule():
    H.start()


def tearDownModule():
    H.stop()


def login_raw(username, password, source=None):
    return H.call("POST", "/api/v1/session", {"username": username, "password": password}, source=source)


def outcomes(name, action="login"):
    return sorted(r["outcome"] for r in H.audit_rows(username=name) if r["action"] == action)


class Login(unittest.TestCase):
    def test_login_ok(self):
        st, body = login_raw("secretary", H.PASSWORD)
        self.assertEqual(st, 201, body)
        self.assertRegex(body["token"], r"^[0-9a-f]{64}$")  # 256 random bits
        self.assertEqual(body["user"]["username"], "secretary")
        self.assertEqual(body["user"]["role"], "community")
        self.assertEqual(body["user"]["unit_code"], H.COMMUNITY)
        self.assertNotIn("pw_hash", body["user"])
        self.assertEqual(body["idle_timeout_s"], 1800)
        self.assertEqual(body["max_age_s"], 12 * 3600)
        ck = H.last_headers.get("set-cookie", "")
        self.assertTrue(ck.startswith("wg_session=" + body["token"] + ";"), ck)
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(attr, ck)
        self.assertEqual(H.last_headers.get("cache-control"), "no-store")

    def test_wrong_password_and_unknown_user_answer_the_same(self):
        st1, b1 = login_raw("director", "not-the-password")
        st2, b2 = login_raw("nobody-here", "not-the-password")
        self.assertEqual(st1, 401)
        self.assertEqual(st2, 401)
        self.assertEqual(b1["error"]["code"], "invalid_credentials")
        self.assertEqual(b1, b2)  # same code, same message, same (null) field

    def test_login_body_is_validated(self):
        st, b = H.call("POST", "/api/v1/session", {"username": "admin"})
        self.assertEqual((st, H.err(b)), (400, ("required", "password")))
        st, b = H.call("POST", "/api/v1/session", {"username": "admin", "password": "x", "otp": 1})
        self.assertEqual((st, H.err(b)), (400, ("unknown_field", "otp")))
        st, b = H.call("POST", "/api/v1/session", {"username": 7, "password": "x"})
        self.assertEqual((st, H.err(b)), (400, ("wrong_type", "username")))
        st, b = H.call("POST", "/api/v1/session", raw="username=admin", ctype="application/x-www-form-urlencoded")
        self.assertEqual((st, H.err(b)[0]), (415, "unsupported_media_type"))
        st, b = H.call("POST", "/api/v1/session", raw="{" * 5000)
        self.assertEqual((st, H.err(b)[0]), (413, "too_large"))  # login body cap is 4 KB

    def test_session_shows_who_i_am(self):
        tok = H.login("gw01")
        st, me = H.call("GET", "/api/v1/session", token=tok)
        self.assertEqual(st, 200)
        self.assertEqual(me["username"], "gw01")
        self.assertEqual(me["role"], "grid_worker")
        self.assertEqual(me["unit_code"], H.G1)
        self.assertEqual(me["unit_name"], "第一网格")
        self.assertFalse(me["disabled"])

    def test_no_or_bad_token_is_401(self):
        for hdrs in ({}, {"Authorization": "Bearer " + "0" * 64}, {"Authorization": "Bearer short"},
                     {"Authorization": "Basic YWRtaW46eA=="}, {"Cookie": "wg_session=" + "a" * 64}):
            for method, path in (("GET", "/api/v1/session"), ("GET", "/api/v1/households"),
                                 ("GET", "/api/v1/audit"), ("POST", "/api/v1/units")):
                st, b = H.call(method, path, headers=hdrs)
                self.assertEqual(st, 401, (hdrs, path, b))
                self.assertIn(H.err(b)[0], ("unauthenticated", "session_expired"))

    def test_health_needs_no_session(self):
        self.assertEqual(H.call("GET", "/api/v1/health"), (200, {"status": "ok"}))


class Lockout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        H.add_user("lockme", "volunteer", H.G1, password="lockme-password-1")

    def test_five_failures_lock_the_account(self):
        codes = []
        for i in range(5):
            st, b = login_raw("lockme", "wrong-password-%d" % i)
            codes.append((st, H.err(b)[0]))
        self.assertEqual(codes[:4], [(401, "invalid_credentials")] * 4)
        self.assertEqual(codes[4], (423, "account_locked"))
        # now even the right password is refused, for the locked name only
        st, b = login_raw("lockme", "lockme-password-1")
        self.assertEqual((st, H.err(b)[0]), (423, "account_locked"))
        self.assertIn("15", b["error"]["message"])
        st, b = login_raw("vol01", H.PASSWORD)
        self.assertEqual(st, 201, b)

    def test_unknown_username_locks_too(self):
        name = "no-such-user-locktest"
        res = [login_raw(name, "x%d" % i) for i in range(6)]
        self.assertEqual([s for s, _ in res[:4]], [401] * 4)
        self.assertEqual([(s, H.err(b)[0]) for s, b in res[4:]], [(423, "account_locked")] * 2)

    def test_failed_and_locked_logins_are_audited(self):
        name = "audited-attempts"
        for i in range(6):
            login_raw(name, "wrong-%d" % i)
        rows = [r for r in H.audit_rows(username=name) if r["action"] == "login"]
        self.assertEqual(sorted(r["outcome"] for r in rows), ["failed"] * 5 + ["locked"])
        for r in rows:
            self.assertEqual(r["entity"], "session")
            self.assertIsNone(r["fields"])  # never the password typed
            self.assertEqual(r["source"], "127.0.0.1")


class LockoutHolds(unittest.TestCase):
    """The count is reserved atomically before the password is checked (both stores), per
    name and address, with a much higher count per name from every address."""

    def test_parallel_wrong_passwords_check_five_only(self):
        H.add_user("lockpar", "volunteer", H.G1, password="lockpar-password-1")
        # 40 at a time: more from one address would meet its connection cap (128)
        with ThreadPoolExecutor(max_workers=40) as pool:
            res = list(pool.map(lambda i: login_raw("lockpar", "wrong-%d" % i), range(100)))
        codes = [(st, H.err(b)[0]) for st, b in res]
        self.assertEqual(codes.count((401, "invalid_credentials")), 4, codes)
        self.assertEqual(codes.count((423, "account_locked")), 96, codes)
        # five passwords were checked (audited "failed"), the other 95 refused unchecked
        self.assertEqual(outcomes("lockpar"), ["failed"] * 5 + ["locked"] * 95)
        self.assertEqual(outcomes("lockpar", "lockout"), ["locked"])
        st, b = login_raw("lockpar", "lockpar-password-1")
        self.assertEqual((st, H.err(b)[0]), (423, "account_locked"))

    def test_right_password_amid_parallel_wrong_ones_is_refused(self):
        H.add_user("lockpar2", "volunteer", H.G1, password="lockpar2-password-1")
        answered = threading.Semaphore(0)

        def wrong(i):
            r = login_raw("lockpar2", "wrong-%d" % i)
            answered.release()
            return r

        def right():
            for _ in range(19):  # sent once 19 wrong ones were answered, 40 still in flight
                answered.acquire()
            return login_raw("lockpar2", "lockpar2-password-1")

        with ThreadPoolExecutor(max_workers=40) as pool:
            fut = pool.submit(right)
            wrongs = [pool.submit(wrong, i) for i in range(59)]
            st, b = fut.result()
            checked = sum(1 for f in wrongs if f.result()[0] == 401)
        self.assertEqual((st, H.err(b)[0]), (423, "account_locked"), b)
        self.assertEqual(checked, 4)

    def test_a_stranger_cannot_lock_the_staff_out(self):
        H.add_user("lockaddr", "grid_worker", H.G1, password="lockaddr-password-1")
        for i in range(6):  # from "elsewhere"
            login_raw("lockaddr", "guess-%d" % i, source="127.0.0.2")
        st, b = login_raw("lockaddr", "lockaddr-password-1", source="127.0.0.2")
        self.assertEqual((st, H.err(b)[0]), (423, "account_locked"))
        # the worker's own address is not locked; a success starts its own count over
        st, b = login_raw("lockaddr", "lockaddr-password-1", source="127.0.0.3")
        self.assertEqual(st, 201, b)
        rows = [r for r in H.audit_rows(username="lockaddr") if r["action"] == "lockout"]
        self.assertEqual([(r["fields"], r["source"], r["outcome"]) for r in rows],
                         [("address", "127.0.0.2", "locked")])

    def test_many_addresses_meet_the_account_wide_limit(self):
        H.add_user("lockall", "grid_worker", H.G1, password="lockall-password-1")
        srcs = ["127.0.1.%d" % i for i in range(1, 11)]  # 10 addresses × 5 = 50 failures

        def guesses(src):
            return [login_raw("lockall", "guess-%d" % i, source=src)[0] for i in range(5)]

        with ThreadPoolExecutor(max_workers=4) as pool:
            res = list(pool.map(guesses, srcs))
        self.assertEqual(sum(r.count(401) for r in res), 40, res)
        # the name is locked everywhere now, the right password from a fresh address too
        st, b = login_raw("lockall", "lockall-password-1", source="127.0.1.99")
        self.assertEqual((st, H.err(b)[0]), (423, "account_locked"))
        rows = [r for r in H.audit_rows(username="lockall") if r["action"] == "lockout"]
        self.assertEqual(sorted(r["fields"] for r in rows), ["account"] + ["address"] * 9)
        # and another name is untouched
        self.assertEqual(login_raw("gw02", H.PASSWORD, source="127.0.1.99")[0], 201)


class Logout(unittest.TestCase):
    def test_logout_kills_the_token(self):
        tok = H.login("cadre01", fresh=True)
        self.assertEqual(H.call("GET", "/api/v1/session", token=tok)[0], 200)
        st, b = H.call("DELETE", "/api/v1/session", token=tok)
        self.assertEqual((st, b), (200, {"logged_out": True}))
        self.assertIn("Max-Age=0", H.last_headers.get("set-cookie", ""))
        for path in ("/api/v1/session", "/api/v1/households"):
            st, b = H.call("GET", path, token=tok)
            self.assertEqual(st, 401, b)
        # another session of the same user lives on
        other = H.login("cadre01", fresh=True)
        self.assertEqual(H.call("GET", "/api/v1/session", token=other)[0], 200)

    def test_logout_without_session_is_harmless(self):
        self.assertEqual(H.call("DELETE", "/api/v1/session"), (200, {"logged_out": True}))


class CookieAuth(unittest.TestCase):
    def test_cookie_reads_and_csrf_header_for_changes(self):
        st, b = login_raw("cadre02", H.PASSWORD)
        self.assertEqual(st, 201)
        cookie = re.match(r"(wg_session=[0-9a-f]{64})", H.last_headers["set-cookie"]).group(1)
        ck = {"Cookie": cookie}
        st, me = H.call("GET", "/api/v1/session", headers=ck)
        self.assertEqual((st, me["username"]), (200, "cadre02"))
        body = {"unit_code": H.E03, "room": "8801"}
        st, b = H.call("POST", "/api/v1/households", body, headers=ck)
        self.assertEqual((st, H.err(b)[0]), (403, "csrf"))
        st, b = H.call("POST", "/api/v1/households", body, headers=dict(ck, **{"X-Wangge": "0"}))
        self.assertEqual((st, H.err(b)[0]), (403, "csrf"))
        # nothing was created by the refused requests
        st, b = H.call("POST", "/api/v1/households", body, headers=dict(ck, **{"X-Wangge": "1"}))
        self.assertEqual(st, 201, b)
        self.assertEqual(b["room"], "8801")


if __name__ == "__main__":
    unittest.main()
