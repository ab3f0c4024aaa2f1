"""Household self-report links: a secret link per household (the token only in the URL's
#fragment), a no-login page that reads and reports for that household only, revoking and
reissuing, the printable QR sheet per building, and the throttle on wrong tokens.

All requests come from 127.0.0.1, and every wrong token counts against that address (20 in
10 minutes, then 429 for every wrong token; a good one is still admitted): the module counts its own wrong tokens in
WRONG, and the throttle test runs last (class ZThrottle)."""
import datetime
import json
import re
import secrets
import time
import unittest
import urllib.parse

import harness as H

POP = {}
USED = set()
WRONG = [0]  # wrong-token answers (404 link_not_found) this module has caused so far
TODAY = None


def setUpModule():
    H.start(setup=_load)


def tearDownModule():
    H.stop()


def _load():
    global TODAY
    TODAY = H.load_population(POP)


def take(entrance=H.E01, n=None, pred=None):
    """An unused household with living people of the entrance (None: any of grid 1)."""
    for hid in sorted(POP["hh"]):
        h = POP["hh"][hid]
        inside = h["unit_code"].startswith((H.B01, H.B02)) if entrance is None else h["unit_code"] == entrance
        if hid in USED or not inside or not POP["living"][hid]:
            continue
        if (n is None or len(POP["living"][hid]) == n) and (pred is None or pred(hid)):
            USED.add(hid)
            return hid
    raise AssertionError("no household left in %s (n=%s)" % (entrance, n))


def issue(hid, user="gw01"):
    st, b = H.as_user(user, "POST", "/api/v1/households/%d/link" % hid, {})
    if st != 201:
        raise AssertionError("POST /households/%d/link: %s %s" % (hid, st, b))
    return b["token"]


def as_household(token, method, path, body=None, **kw):
    headers = {"X-Household-Token": token} if token is not None else None
    st, b = H.call(method, path, body, headers=headers, **kw)
    if st == 404 and H.err(b)[0] == "link_not_found":
        WRONG[0] += 1
    return st, b


def members(token):
    st, b = as_household(token, "GET", "/api/v1/household-link")
    if st != 200:
        raise AssertionError("GET /household-link: %s %s" % (st, b))
    return b


def checkins(hid, d=None):
    st, b = H.as_user("gw01", "GET", "/api/v1/checkins?household=%d&day=%s" % (hid, d or TODAY))
    assert st == 200, b
    return b["items"]


class IssueAndRead(unittest.TestCase):

    def test_issue_puts_the_token_in_the_fragment_only(self):
        hid = take()
        st, b = H.as_user("gw01", "POST", "/api/v1/households/%d/link" % hid, {})
        self.assertEqual(st, 201, b)
        self.assertEqual(set(b), {"household_id", "url", "token", "svg"})
        self.assertEqual(b["household_id"], hid)
        self.assertRegex(b["token"], r"^[0-9a-f]{32}$")
        u = urllib.parse.urlsplit(b["url"])
        self.assertEqual((u.scheme, u.netloc, u.path, u.query, u.fragment),
                         ("http", "127.0.0.1:%d" % H.state["port"], "/report.html", "", b["token"]))
        self.assertNotIn(b["token"], b["url"].split("#")[0])
        self.assertTrue(b["svg"].lstrip().startswith("<svg") or "<svg" in b["svg"][:200], b["svg"][:100])
        self.assertEqual(H.last_headers.get("cache-control"), "no-store")
        # the server keeps only a hash: the token is in no audit row
        rows = H.audit_rows(limit=50, entity="household_link")
        self.assertTrue(any(r["action"] == "create" and r["entity_id"] == str(hid) for r in rows), rows)
        self.assertNotIn(b["token"], json.dumps(rows))

    def test_reads_only_its_household_without_ids_or_phones(self):
        hid = take(None, pred=lambda h: len(POP["living"][h]) >= 2 and POP["others"][h])
        token = issue(hid)
        # one of them born on 31 December: their exact age is a year short of the age reached
        # this year until that day, which the link must not tell apart
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)
        if (now.month, now.day) != (12, 31):
            first = POP["living"][hid][0]
            birth = "%04d-12-31" % (now.year - 40)
            idnum = H.make_id(birth=birth.replace("-", ""), seq=secrets.randbelow(500), sex=POP["res"][first]["sex"])
            st, r = H.as_user("secretary", "PATCH", "/api/v1/residents/%d" % first,
                              {"birth_date": birth, "id_type": "id_card", "id_number": idnum})
            self.assertEqual(st, 200, r)
            POP["res"][first]["birth_date"] = birth
        b = members(token)
        hh = POP["hh"][hid]
        self.assertEqual((b["household_id"], b["building"], b["entrance"], b["room"], b["day"]),
                         (hid, hh["building"], hh["entrance"], hh["room"], TODAY))
        self.assertEqual([m["id"] for m in b["members"]], POP["living"][hid])  # not the registered-only
        for m in b["members"]:
            self.assertEqual(set(m), {"id", "name", "age"})
            # the age reached this year (the secretary sees the birth date): watching the link
            # on the right day must not tell the birthday
            res = POP["res"][m["id"]]
            this_year = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).year
            self.assertEqual((m["name"], m["age"]), (res["name"], this_year - int(res["birth_date"][:4])))
        text = json.dumps(b, ensure_ascii=False)
        self.assertIsNone(H.ID_RE.search(text))
        self.assertIsNone(H.PHONE_RE.search(text))
        for word in ("id_number", "phone", "flags", "birth_date"):
            self.assertNotIn(word, text)
        rows = H.audit_rows(limit=20, username="household:%d" % hid)
        self.assertEqual([(r["action"], r["entity"], r["entity_id"], r["role"]) for r in rows][:1],
                         [("read", "household", str(hid), "none")])

    def test_no_token_bad_token_and_session_are_refused(self):
        st, b = as_household(None, "GET", "/api/v1/household-link")
        self.assertEqual((st, H.err(b)), (404, ("link_not_found", "token")))
        st, b = as_household("abc", "GET", "/api/v1/household-link")
        self.assertEqual((st, H.err(b)), (404, ("link_not_found", "token")))
        # a staff session is not a household link
        st, b = H.call("GET", "/api/v1/household-link", token=H.login("gw01"))
        self.assertEqual(st, 404, b)
        WRONG[0] += 1
        # and a link token is not a session
        token = issue(take())
        st, b = H.call("GET", "/api/v1/households/1", token=token)
        self.assertEqual(st, 401, b)
        st, b = H.call("GET", "/api/v1/households/1", headers={"X-Household-Token": token})
        self.assertEqual(st, 401, b)

    def test_issuing_roles_and_scope(self):
        hid = take()
        st, b = H.as_user("vol01", "POST", "/api/v1/households/%d/link" % hid, {})
        self.assertEqual((st, H.err(b)[0]), (403, "forbidden"))
        st, b = H.as_user("command", "POST", "/api/v1/households/%d/link" % hid, {})
        self.assertEqual(st, 403, b)
        g2 = take(H.E03)
        st, b = H.as_user("gw01", "POST", "/api/v1/households/%d/link" % g2, {})
        self.assertEqual((st, H.err(b)), (404, ("household_not_found", "household_id")))
        st, b = H.as_user("gw01", "DELETE", "/api/v1/households/%d/link" % g2)
        self.assertEqual((st, H.err(b)), (404, ("household_not_found", "household_id")))
        st, b = H.as_user("gw02", "POST", "/api/v1/households/%d/link" % g2, {})
        self.assertEqual(st, 201, b)


class Report(unittest.TestCase):

    def test_all_normal_recorded_as_self(self):
        hid = take(n=2)
        token = issue(hid)
        st, b = as_household(token, "POST", "/api/v1/household-link/checkins", {"all_normal": True})
        self.assertEqual(st, 201, b)
        self.assertEqual((b["household_id"], b["day"], b["household_reached"]), (hid, TODAY, True))
        self.assertEqual([r["resident_id"] for r in b["results"]], POP["living"][hid])
        rows = checkins(hid)
        self.assertEqual([(c["resident_id"], c["channel"], c["status"], c["recorded_by"], c["current"])
                          for c in rows], [(r, "self", "reported", None, True) for r in POP["living"][hid]])
        b = members(token)
        self.assertEqual([m.get("today") for m in b["members"]],
                         [{"status": "reported", "temperature": None, "day_fever": False}] * 2)
        rows = H.audit_rows(limit=20, username="household:%d" % hid)
        self.assertIn(("checkin", "household", str(hid)), [(r["action"], r["entity"], r["entity_id"]) for r in rows])

    def test_readings_and_fever(self):
        hid = take(n=3)
        a, b_, c = POP["living"][hid]
        token = issue(hid)
        st, r = as_household(token, "POST", "/api/v1/household-link/checkins",
                             {"all_normal": True, "readings": [{"resident_id": a, "temperature": 37.9},
                                                               {"resident_id": b_, "status": "away"}]})
        self.assertEqual(st, 201, r)
        res = {x["resident_id"]: x for x in r["results"]}
        self.assertEqual(set(res), {a, b_, c})
        self.assertTrue(res[a]["fever"])
        self.assertIsInstance(res[a]["alert_id"], int)
        st, al = H.as_user("gw01", "GET", "/api/v1/alerts/%d" % res[a]["alert_id"])
        self.assertEqual((st, al["resident_id"], al["state"], al["steps"][0]["by"]), (200, a, "open", None))
        m = {x["id"]: x.get("today") for x in members(token)["members"]}
        self.assertEqual(m[a], {"status": "reported", "temperature": 37.9, "day_fever": True})
        self.assertEqual(m[b_], {"status": "away", "temperature": None, "day_fever": False})

    def test_feeling_feverish_without_a_thermometer(self):
        # the family page's 发热 button: a reading with the symptom and no temperature is a
        # fever, and opens the alert
        hid = take(n=1)
        (a,) = POP["living"][hid]
        token = issue(hid)
        st, r = as_household(token, "POST", "/api/v1/household-link/checkins",
                             {"readings": [{"resident_id": a, "symptoms": ["fever"]}]})
        self.assertEqual(st, 201, r)
        res = {x["resident_id"]: x for x in r["results"]}
        self.assertTrue(res[a]["fever"], r)
        self.assertIsInstance(res[a]["alert_id"], int)

    def test_everyone_normal_never_erases_a_fever(self):
        """One tap on 全家体温正常 after a 37.6 must not take the fever off the day."""
        hid = take(n=2)
        a, b_ = POP["living"][hid]
        token = issue(hid)
        st, r = as_household(token, "POST", "/api/v1/household-link/checkins",
                             {"readings": [{"resident_id": a, "temperature": 37.6}]})
        self.assertEqual(st, 201, r)
        st, r = as_household(token, "POST", "/api/v1/household-link/checkins", {"all_normal": True})
        self.assertEqual(st, 201, r)
        res = {x["resident_id"]: x for x in r["results"]}
        self.assertEqual((res[a]["kept"], res[a]["fever"], res[a]["day_fever"]), (True, True, True))
        self.assertEqual((res[b_]["kept"], res[b_]["fever"]), (False, False))
        cur = [c for c in checkins(hid) if c["current"]]
        self.assertEqual(sorted((c["resident_id"], c["temperature"]) for c in cur), sorted([(a, 37.6), (b_, None)]))
        # a normal reading given by the family is a re-check: the day keeps the fever
        st, r = as_household(token, "POST", "/api/v1/household-link/checkins",
                             {"readings": [{"resident_id": a, "temperature": 36.5}]})
        self.assertEqual((st, r["results"][0]["fever"], r["results"][0]["day_fever"]), (201, False, True), r)
        self.assertTrue({x["id"]: x["today"] for x in members(token)["members"]}[a]["day_fever"])
        # and only staff may call a reading a mistake
        st, r = as_household(token, "POST", "/api/v1/household-link/checkins",
                             {"readings": [{"resident_id": a, "temperature": 36.5,
                                            "correction": {"reason": "typo"}}]})
        self.assertEqual((st, H.err(r)), (403, ("correction_not_allowed", "readings[0].correction")))

    def test_cannot_write_for_another_household(self):
        hid, other = take(n=2), take(n=1)
        token = issue(hid)
        o = POP["living"][other][0]
        st, b = as_household(token, "POST", "/api/v1/household-link/checkins",
                             {"readings": [{"resident_id": POP["living"][hid][0]}, {"resident_id": o}]})
        self.assertEqual((st, H.err(b)), (400, ("not_in_household", "readings[1].resident_id")))
        self.assertEqual(checkins(hid), [])
        self.assertEqual(checkins(other), [])
        # the household cannot be swapped, nor the channel or day chosen
        for extra in ({"household_id": other}, {"channel": "visit"}, {"day": TODAY}, {"resident_id": o}):
            body = {"all_normal": True}
            body.update(extra)
            st, b = as_household(token, "POST", "/api/v1/household-link/checkins", body)
            key = list(extra)[0]
            self.assertEqual((st, H.err(b)), (400, ("unknown_field", key)), extra)
        self.assertEqual(checkins(other), [])
        self.assertEqual(checkins(hid), [])

    def test_cannot_write_outside_its_building(self):
        hid = take(n=1)
        token = issue(hid)
        far = POP["living"][take(H.E03, n=1)][0]   # grid 2
        st, b = as_household(token, "POST", "/api/v1/household-link/checkins",
                             {"readings": [{"resident_id": far, "temperature": 36.5}]})
        self.assertEqual(st, 404, b)
        self.assertEqual(H.err(b), ("resident_not_found", "readings[0].resident_id"))
        st, c = H.as_user("secretary", "GET", "/api/v1/checkins?resident=%d" % far)
        self.assertEqual(c["items"], [])
        self.assertEqual(checkins(hid), [])

    def test_retry_with_client_id(self):
        hid = take(n=2)
        token = issue(hid)
        one = as_household(token, "POST", "/api/v1/household-link/checkins",
                           {"all_normal": True, "client_id": "fam-%d-1" % hid})
        two = as_household(token, "POST", "/api/v1/household-link/checkins",
                           {"all_normal": True, "client_id": "fam-%d-1" % hid})
        self.assertEqual((one[0], two[0]), (201, 201))
        self.assertEqual([r["duplicate"] for r in two[1]["results"]], [True, True])
        self.assertEqual([r["checkin_id"] for r in two[1]["results"]], [r["checkin_id"] for r in one[1]["results"]])
        self.assertEqual(len(checkins(hid)), 2)

    def test_validation(self):
        token = issue(take(n=1))
        st, b = as_household(token, "POST", "/api/v1/household-link/checkins", {})
        self.assertEqual((st, H.err(b)), (400, ("required", "readings")))
        st, b = as_household(token, "POST", "/api/v1/household-link/checkins", raw="x" * 9000)
        self.assertEqual(st, 413, b)


class Revoke(unittest.TestCase):

    def test_revoke_then_old_token_is_gone(self):
        hid = take()
        token = issue(hid)
        self.assertEqual(members(token)["household_id"], hid)
        st, b = H.as_user("gw01", "DELETE", "/api/v1/households/%d/link" % hid)
        self.assertEqual((st, b), (200, {"household_id": hid, "revoked": True}))
        st, b = as_household(token, "GET", "/api/v1/household-link")
        self.assertEqual((st, H.err(b)), (404, ("link_not_found", "token")))
        st, b = as_household(token, "POST", "/api/v1/household-link/checkins", {"all_normal": True})
        self.assertEqual(st, 404, b)
        self.assertEqual(checkins(hid), [])
        st, b = H.as_user("vol01", "DELETE", "/api/v1/households/%d/link" % hid)
        self.assertEqual(st, 403, b)

    def test_reissue_invalidates_the_old_token(self):
        hid = take()
        t1 = issue(hid)
        t2 = issue(hid, user="secretary")
        self.assertNotEqual(t1, t2)
        st, b = as_household(t1, "GET", "/api/v1/household-link")
        self.assertEqual(st, 404, b)
        self.assertEqual(members(t2)["household_id"], hid)


class Sheet(unittest.TestCase):

    def test_one_qr_per_household_and_old_links_replaced(self):
        hh = H.list_all("gw01", "/api/v1/households?unit=%s" % H.B01)
        old = issue(take())
        t0 = time.time()
        st, html = H.as_user("gw01", "POST", "/api/v1/units/%s/link-sheet" % H.B01, {})
        took = time.time() - t0
        self.assertEqual(st, 200, html)
        self.assertTrue(H.last_headers["content-type"].startswith("text/html"))
        text = html.decode("utf-8")
        self.assertTrue(text.startswith("<!doctype html>"))
        self.assertIn("住户自报二维码", text)
        self.assertEqual(text.count("<svg"), len(hh))
        self.assertEqual(text.count("<figure"), len(hh))
        labels = re.findall(r"<figcaption>(.*?)</figcaption>", text)
        expect = ["%s %s %s" % (h["building"], h["entrance"], h["room"]) if h["entrance"] else
                  "%s %s" % (h["building"], h["room"]) for h in hh]
        self.assertEqual(labels, expect)
        self.assertIsNone(H.ID_RE.search(text))
        self.assertIsNone(H.PHONE_RE.search(text))
        self.assertLess(took, 20)
        st, b = as_household(old, "GET", "/api/v1/household-link")
        self.assertEqual((st, H.err(b)[0]), (404, "link_not_found"))
        rows = H.audit_rows(limit=20, entity="household_link")
        self.assertIn("sheet households:%d" % len(hh), [r["fields"] for r in rows])

    def test_scope_and_roles(self):
        st, b = H.as_user("gw01", "POST", "/api/v1/units/%s/link-sheet" % H.B03, {})
        self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"))
        st, b = H.as_user("vol01", "POST", "/api/v1/units/%s/link-sheet" % H.B01, {})
        self.assertEqual(st, 403, b)


class ZThrottle(unittest.TestCase):
    """Runs last: it blocks wrong tokens from 127.0.0.1 for 10 minutes."""

    def test_wrong_tokens_from_one_address(self):
        good = issue(take())
        self.assertEqual(members(good)["household_id"] > 0, True)
        statuses = []
        for _ in range(25):
            st, b = as_household(secrets.token_hex(16), "GET", "/api/v1/household-link")
            statuses.append((st, H.err(b)[0]))
            if st == 429:
                break
        blocked_after = len(statuses) - 1
        self.assertEqual(statuses[-1], (429, "too_many_attempts"), statuses)
        self.assertEqual(set(statuses[:-1]), {(404, "link_not_found")})
        # the module's 21st wrong token is refused: the 20 before it (earlier tests' too) counted
        self.assertEqual(WRONG[0], 20, (WRONG[0], blocked_after))
        # a good token is still admitted from this address: nobody's bad guesses (a
        # neighbour behind the same NAT) refuse a family its link …
        st, b = as_household(good, "GET", "/api/v1/household-link")
        self.assertEqual(st, 200, b)
        st, b = as_household(good, "POST", "/api/v1/household-link/checkins", {"all_normal": True})
        self.assertEqual(st, 201, b)
        # … while wrong ones, of any shape, are answered 429
        for tok in (secrets.token_hex(16), "short"):
            st, b = as_household(tok, "GET", "/api/v1/household-link")
            self.assertEqual((st, H.err(b)[0]), (429, "too_many_attempts"))
        # … while staff sessions are not affected
        st, b = H.as_user("gw01", "GET", "/api/v1/coverage")
        self.assertEqual(st, 200, b)


if __name__ == "__main__":
    unittest.main()
