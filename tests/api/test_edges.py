"""test_edges.py — the server's edges behind a reverse proxy under an https public URL.

The server runs with `--trusted-proxy 127.0.0.3 --public-url https://wangge.example.org`
and its access log on.  Requests sent from 127.0.0.3 stand for the proxy (their
X-Forwarded-For names the client); from any other loopback address X-Forwarded-For is
the client's own say and is ignored (Linux routes all of 127.0.0.0/8 to the loopback).
Also: decoded paths escaped in the log, a CSP on the printable QR sheet, the session
cookie Secure, and `q` that is not UTF-8."""
import re
import secrets
import unittest

import harness as H

PROXY = "127.0.0.3"
HID = {}


def setUpModule():
    H.start(serve_args=["--trusted-proxy", PROXY, "--public-url", "https://wangge.example.org"], quiet=False,
            setup=_load)


def _load():
    st, b = H.as_user("gw01", "GET", "/api/v1/households?limit=3")
    assert st == 200, b
    HID["a"], HID["b"] = b["items"][0]["id"], b["items"][1]["id"]


def tearDownModule():
    H.stop()


def issue(hid):
    st, b = H.as_user("gw01", "POST", "/api/v1/households/%d/link" % hid, {})
    if st != 201:
        raise AssertionError("POST /households/%d/link: %s %s" % (hid, st, b))
    return b["token"]


def link_get(token, source=None, xff=None):
    h = {"X-Household-Token": token}
    if xff:
        h["X-Forwarded-For"] = xff
    st, b = H.call("GET", "/api/v1/household-link", headers=h, source=source)
    return st, H.err(b)[0]


def guess_until_blocked(source, xff=None, vary_xff=False):
    """Wrong tokens until 429; returns how many were answered 404 before."""
    for i in range(30):
        st, code = link_get(secrets.token_hex(16), source, "10.9.%d.%d" % (i // 250, i % 250) if vary_xff else xff)
        if st == 429:
            return i
        if (st, code) != (404, "link_not_found"):
            raise AssertionError((st, code))
    raise AssertionError("never throttled")


class HouseholdLinkThrottle(unittest.TestCase):
    def test_a_valid_token_is_never_refused_for_others_bad_guesses(self):
        good = issue(HID["a"])
        self.assertEqual(guess_until_blocked("127.0.0.6"), 20)
        # the same address, a family's good token: admitted
        self.assertEqual(link_get(good, "127.0.0.6")[0], 200)
        self.assertEqual(link_get(secrets.token_hex(16), "127.0.0.6"), (429, "too_many_attempts"))

    def test_behind_the_trusted_proxy_each_client_counts_alone(self):
        good = issue(HID["b"])
        self.assertEqual(guess_until_blocked(PROXY, xff="198.51.100.7, 10.1.1.1"), 20)
        # another client behind the same proxy is not throttled by the first one's guesses
        self.assertEqual(link_get(secrets.token_hex(16), PROXY, "10.1.1.2"), (404, "link_not_found"))
        self.assertEqual(link_get(good, PROXY, "10.1.1.1")[0], 200)

    def test_x_forwarded_for_from_anyone_else_is_ignored(self):
        # a client that names a new address in every request is still one address
        self.assertEqual(guess_until_blocked("127.0.0.7", vary_xff=True), 20)


class LoginBehindTheProxy(unittest.TestCase):
    def test_lockout_and_audit_use_the_forwarded_address(self):
        h = {"X-Forwarded-For": "10.2.2.1"}
        for i in range(5):
            H.call("POST", "/api/v1/session", {"username": "gw02", "password": "wrong-%d" % i}, headers=h,
                   source=PROXY)
        st, b = H.call("POST", "/api/v1/session", {"username": "gw02", "password": H.PASSWORD}, headers=h,
                       source=PROXY)
        self.assertEqual((st, H.err(b)[0]), (423, "account_locked"))
        st, b = H.call("POST", "/api/v1/session", {"username": "gw02", "password": H.PASSWORD},
                       headers={"X-Forwarded-For": "10.2.2.2"}, source=PROXY)
        self.assertEqual(st, 201, b)
        rows = [r for r in H.audit_rows(username="gw02") if r["action"] in ("login", "lockout")]
        self.assertEqual({r["source"] for r in rows}, {"10.2.2.1", "10.2.2.2"})


class Cookie(unittest.TestCase):
    def test_session_cookie_is_secure_under_an_https_public_url(self):
        st, b = H.call("POST", "/api/v1/session", {"username": "cadre01", "password": H.PASSWORD})
        self.assertEqual(st, 201, b)
        ck = H.last_headers["set-cookie"]
        self.assertRegex(ck, r"^wg_session=[0-9a-f]{64}; ")
        for attr in ("HttpOnly", "SameSite=Strict", "Secure"):
            self.assertIn("; " + attr, ck)
        H.call("DELETE", "/api/v1/session", token=b["token"])
        self.assertIn("; Secure", H.last_headers["set-cookie"])


class Log(unittest.TestCase):
    def test_decoded_paths_are_escaped_in_the_log(self):
        st, _ = H.call("GET", "/api/v1/%0aforged%20200%1b[31mred%c2%9b%ff")
        self.assertEqual(st, 404)
        H.call("GET", "/api/v1/health")  # the line before it is complete
        log = H.server_log()
        self.assertNotIn("\x1b", log)
        self.assertNotIn("\x9b", log)
        self.assertFalse(any(line.startswith("forged") for line in log.splitlines()), log[-500:])
        self.assertIn("/api/v1/\\x0aforged 200\\x1b[31mred\\xc2\\x9b\\xff - 404", log)


class Sheet(unittest.TestCase):
    def test_the_qr_sheet_has_a_content_security_policy(self):
        st, b = H.as_user("gw01", "POST", "/api/v1/units/%s/link-sheet" % H.E01, {})
        self.assertEqual(st, 200, st)
        csp = H.last_headers.get("content-security-policy", "")
        self.assertIn("default-src 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn('<link rel="stylesheet" href="/print.css">', b.decode())  # allowed by style-src 'self'


class Query(unittest.TestCase):
    def test_q_that_is_not_utf8_is_refused_naming_q(self):
        for q in ("%ff", "%c3", "a%1bb"):
            st, b = H.as_user("gw01", "GET", "/api/v1/residents?q=" + q)
            self.assertEqual((st, H.err(b)), (400, ("invalid_query", "q")), (q, b))
            self.assertNotIn("40", b["error"]["message"])
        st, b = H.as_user("gw01", "GET", "/api/v1/residents?q=" + "%E5%BC%A0" * 41)
        self.assertEqual((st, H.err(b)), (400, ("invalid_query", "q")))
        self.assertIn("40", b["error"]["message"])


if __name__ == "__main__":
    unittest.main()
