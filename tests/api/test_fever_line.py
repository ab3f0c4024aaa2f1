"""The city's fever line reaches the screens: `fever_threshold` (a setting, 36.0–40.0) is
what the server judges a reading by, and the web app judges it the same way before it is
sent — the roll-call form's fever note, the chain's preview, the family page's words — from
the line the server answers (GET /session, the login's user, GET /household-link), not a
copy of its default.

Its own server, on the qinghe demo with the line set to 37.0 before it starts."""
import unittest

import harness as H


def setUpModule():
    H.start(config={"fever_threshold": "37.0"})


def tearDownModule():
    H.stop()


class FeverLine(unittest.TestCase):
    def test_the_session_and_the_login_say_the_line(self):
        st, me = H.as_user("gw02", "GET", "/api/v1/session")
        self.assertEqual(st, 200, me)
        self.assertEqual(me["fever_threshold"], 37.0)
        st, b = H.call("POST", "/api/v1/session", {"username": "gw01", "password": H.PASSWORD})
        self.assertEqual(st, 201, b)
        self.assertEqual(b["user"]["fever_threshold"], 37.0)

    def test_the_family_page_says_the_line_and_the_server_judges_by_it(self):
        st, hh = H.as_user("gw01", "GET", "/api/v1/households?limit=50")
        self.assertEqual(st, 200, hh)
        hid = next(h["id"] for h in hh["items"] if h["resident_count"] > 0)
        st, link = H.as_user("gw01", "POST", "/api/v1/households/%d/link" % hid, {})
        self.assertEqual(st, 201, link)
        st, page = H.call("GET", "/api/v1/household-link", headers={"X-Household-Token": link["token"]})
        self.assertEqual(st, 200, page)
        self.assertEqual(page["fever_threshold"], 37.0)
        # 37.1: under the default line, over this city's — a fever, as the screens say
        rid = page["members"][0]["id"]
        st, c = H.as_user("gw01", "POST", "/api/v1/checkins",
                          {"resident_id": rid, "temperature": 37.1, "channel": "phone"})
        self.assertEqual(st, 201, c)
        self.assertTrue(c["fever"], c)


if __name__ == "__main__":
    unittest.main()
