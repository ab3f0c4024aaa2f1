"""Login, lockout, sessions, logout, cookie authentication and its CSRF header."""
import re
import unittest

import harness as H


def setUpModule():
    H.start()


def tearDownModule():
    H.stop()


def login_raw(username, password):
    return H.call("POST", "/api/v1/session", {"username": username, "password": password})


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
