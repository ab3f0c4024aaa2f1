"""A mask cannot be undone from what else the role sees (issue 14, item 1).

For every role: fetch everything the role can read about one person — the resident, the
household, searches, lists, exports (CSV and XLSX), the call list, the missing list, the
categories and their export, isolations, follow-ups, status, contacts and chain — join it
all, and try to rebuild each masked value from the join.  Then try the searches an
attacker would: a full number the role sees masked is refused (no oracle), and an account
searching without end is cut off after SEARCH_LIMIT searches, with an audit row.
"""
import datetime
import io
import re
import unittest
import zipfile

import harness as H

# role → (ID number, phone, birth date) as the role is shown them: "full", "masked" or None
VIEW = {
    "admin": ("masked", "masked", None),
    "command": ("masked", "masked", None),
    "community": ("full", "full", "full"),
    "grid_leader": ("full", "full", "full"),
    "grid_worker": ("masked", "full", None),
    "cadre": ("masked", "full", None),
    "volunteer": (None, "masked", None),
    "checkpoint": ("masked", None, None),
}
ROLE_USER = {"admin": "admin", "command": "command", "community": "secretary",
             "grid_leader": "leader01", "grid_worker": "gw01", "cadre": "cadre01",
             "volunteer": "vol01", "checkpoint": "checkpoint"}
SEARCH_LIMIT = 300  # src/domain/actor.h

P = {}


def setUpModule():
    H.start(setup=_setup)


def tearDownModule():
    H.stop()


def _setup():
    st, hh = H.as_user("secretary", "POST", "/api/v1/households", {"unit_code": H.E01, "room": "7701"})
    assert st == 201, hh
    P["id_number"] = H.make_id(region="420107", birth="19580611", seq=321, sex="M")
    P["phone"] = "14312346463"
    P["birth"] = "1958-06-11"
    st, r = H.as_user("secretary", "POST", "/api/v1/residents",
                      {"household_id": hh["id"], "name": "面具测试", "id_number": P["id_number"],
                       "phone": P["phone"], "flags": ["lives_alone"]})
    assert st == 201, r
    P["hh"], P["res"] = hh, r
    # in a category and isolated, so the epidemic lists name the person too
    st, b = H.as_user("secretary", "POST", "/api/v1/residents/%d/status" % r["id"],
                      {"category": "close_contact", "reason": "contact_tracing"})
    assert st == 201, b
    st, b = H.as_user("secretary", "POST", "/api/v1/isolations", {"resident_id": r["id"], "kind": "home"})
    assert st == 201, b
    H.add_user("brute01", "grid_worker", H.G1, by="secretary")
    H.add_user("brute02", "volunteer", H.G1, by="secretary")


def texts(x, out):
    """Every string and number in a JSON answer (or the cells of CSV/XLSX bytes)."""
    if isinstance(x, dict):
        for k, v in x.items():
            texts(v, out)
    elif isinstance(x, list):
        for v in x:
            texts(v, out)
    elif isinstance(x, (bytes, bytearray)):
        if x[:2] == b"PK":  # XLSX: every text node of every part
            with zipfile.ZipFile(io.BytesIO(x)) as z:
                for n in z.namelist():
                    if n.endswith(".xml"):
                        out.extend(re.findall(r">([^<]+)<", z.read(n).decode("utf-8")))
        else:
            for line in x.decode("utf-8-sig").splitlines():
                out.extend(line.split(","))
    elif x is not None:
        out.append(str(x))
    return out


def everything(user):
    """All the role can read about the person, as one list of strings."""
    rid, hid = P["res"]["id"], P["hh"]["id"]
    paths = [
        ("GET", "/api/v1/residents/%d" % rid, None),
        ("GET", "/api/v1/households/%d" % hid, None),
        ("GET", "/api/v1/households?unit=%s&limit=500" % H.E01, None),
        ("POST", "/api/v1/residents/search", {"q": "面具测试"}),
        ("POST", "/api/v1/residents/search", {"q": "mjcs"}),
        ("POST", "/api/v1/residents/search", {"q": P["phone"][-4:]}),
        ("POST", "/api/v1/residents/search", {"q": P["id_number"][-4:]}),
        ("POST", "/api/v1/residents/search", {"q": "1栋7701"}),
        ("GET", "/api/v1/residents?unit=%s&limit=500" % H.E01, None),
        ("GET", "/api/v1/exports/residents?unit=%s&format=csv" % H.E01, None),
        ("GET", "/api/v1/exports/residents?unit=%s&format=xlsx" % H.E01, None),
        ("GET", "/api/v1/calllist?unit=%s&limit=500" % H.E01, None),
        ("GET", "/api/v1/coverage/missing?unit=%s&limit=500" % H.E01, None),
        ("GET", "/api/v1/categories/people?unit=%s&limit=500" % H.G1, None),
        ("GET", "/api/v1/exports/categories?unit=%s&purpose=test&format=csv" % H.G1, None),
        ("GET", "/api/v1/exports/categories?unit=%s&purpose=test&format=xlsx" % H.G1, None),
        ("GET", "/api/v1/isolations?unit=%s&limit=500" % H.G1, None),
        ("GET", "/api/v1/followups?unit=%s&limit=500" % H.G1, None),
        ("GET", "/api/v1/residents/%d/status" % rid, None),
        ("GET", "/api/v1/residents/%d/health" % rid, None),
        ("GET", "/api/v1/residents/%d/contacts" % rid, None),
        ("GET", "/api/v1/residents/%d/chain" % rid, None),
    ]
    out, read = [], 0
    for method, path, body in paths:
        st, b = H.as_user(user, method, path, body)
        if st == 200:
            read += 1
            texts(b, out)
        else:
            assert st == 403, (user, path, st, b)  # a route the role may not use
    return out, read


def china_today():
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date()


def id_candidates(region, tail, year):
    """Valid ID numbers with this region and last four of a holder born in `year`."""
    out = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        first = region + day.isoformat().replace("-", "") + tail[:3]
        if H.id_check(first) == tail[3]:
            out.append(first + tail[3])
        day += datetime.timedelta(days=1)
    return out


MASKED_ID = re.compile(r"^(\d{6})\*{8}(\d{3}[\dX])$")
DATE = re.compile(r"(19|20)\d\d-?[01]\d-?[0-3]\d")


class NoMaskUndone(unittest.TestCase):
    def test_every_role_joined(self):
        today = china_today()
        for role, user in ROLE_USER.items():
            idv, phv, bdv = VIEW[role]
            got, read = everything(user)
            self.assertGreaterEqual(read, 6, role)
            blob = "\n".join(got)
            self.assertIn("面具测试", blob, role)
            # the full values only to the roles shown them in full
            self.assertEqual(P["id_number"] in blob, idv == "full", role)
            self.assertEqual(P["phone"] in blob, phv == "full", role)
            self.assertEqual(P["birth"] in blob or P["birth"].replace("-", "") in blob, bdv == "full", role)
            if idv == "masked":
                masks = {m.groups() for m in map(MASKED_ID.match, got) if m}
                self.assertIn((P["id_number"][:6], P["id_number"][-4:]), masks, role)
                # join the mask with every date the role was shown anywhere
                dates = {re.sub(r"-", "", m.group(0)) for t in got for m in DATE.finditer(t)}
                for region, tail in masks:
                    for d in dates:
                        cand = region + d + tail
                        self.assertNotEqual(cand, P["id_number"], "%s rebuilt the ID number from %s" % (role, d))
                # the age (reached this year) gives the birth year: many numbers possible
                st, r = H.as_user(user, "GET", "/api/v1/residents/%d" % P["res"]["id"])
                self.assertIsNone(r["birth_date"], role)
                cands = id_candidates(P["id_number"][:6], P["id_number"][-4:], today.year - r["age"])
                self.assertIn(P["id_number"], cands, role)
                self.assertGreaterEqual(len(cands), 10, role)
            if phv == "masked":
                # a masked phone shows its last four digits and nothing more, wherever it appears
                shown = [t for t in got if "*" in t and t.endswith(P["phone"][-4:])]
                self.assertTrue(shown, role)
                for t in shown:
                    self.assertLessEqual(sum(c.isdigit() for c in t), 4, (role, t))
                self.assertNotIn(P["phone"][:3] + "*", blob, role)

    def test_full_number_search_is_refused_to_masked_roles(self):
        for role, user in ROLE_USER.items():
            idv, phv, _ = VIEW[role]
            for q, view in ((P["id_number"], idv), (P["phone"], phv)):
                st, b = H.as_user(user, "POST", "/api/v1/residents/search", {"q": q})
                if view == "full":
                    self.assertEqual((st, [x["id"] for x in b["items"]]), (200, [P["res"]["id"]]), role)
                else:  # neither a hit nor a miss: no oracle
                    self.assertEqual((st, H.err(b)), (403, ("forbidden", "q")), (role, q))
                # the same through GET /residents?q=
                st, b = H.as_user(user, "GET", "/api/v1/residents?q=" + q)
                self.assertEqual(st, 200 if view == "full" else 403, (role, q))
        rows = [r for r in H.audit_rows(username="vol01") if r["action"] == "search"]
        self.assertIn("denied", {r["outcome"] for r in rows})

    def test_age_does_not_tell_the_birthday(self):
        """An age that turned on the birthday would, watched day by day (or one export a
        day), give the birth date and with it the ID number: to a role shown the age only
        it is the age reached this year, the same all year."""
        st, r = H.as_user("secretary", "POST", "/api/v1/residents",
                          {"household_id": P["hh"]["id"], "name": "年末生日",
                           "id_number": H.make_id(region="420107", birth="19801231", seq=7, sex="F")})
        self.assertEqual(st, 201, r)
        today = china_today()
        exact = today.year - 1980 - (0 if (today.month, today.day) >= (12, 31) else 1)
        for role, user in ROLE_USER.items():
            st, x = H.as_user(user, "GET", "/api/v1/residents/%d" % r["id"])
            self.assertEqual(x["age"], exact if VIEW[role][2] == "full" else today.year - 1980, role)

    def test_registering_a_known_number_is_audited(self):
        """A number registered in the caller's own scope (docs/api.md 1.8): 409
        duplicate_id_number naming the person it sees anyway, audited for the auditor.  (One
        registered outside its scope answers like a fresh number: test_idreview.py.)"""
        st, b = H.as_user("cadre01", "POST", "/api/v1/residents",
                          {"household_id": P["hh"]["id"], "name": "重复登记", "id_number": P["id_number"]})
        self.assertEqual((st, H.err(b)), (409, ("duplicate_id_number", "id_number")))
        rows = [r for r in H.audit_rows(username="cadre01") if r["entity"] == "resident" and r["action"] == "create"]
        self.assertEqual((rows[0]["outcome"], rows[0]["fields"]), ("failed", "id_number:duplicate"))

    def test_masked_role_cannot_probe_the_birth_date_by_writing_it(self):
        # a mismatch with the ID number would answer 400, a match 200: refused before either
        for user in ("gw01", "cadre01", "admin"):
            st, b = H.as_user(user, "PATCH", "/api/v1/residents/%d" % P["res"]["id"], {"birth_date": P["birth"]})
            self.assertEqual((st, H.err(b)), (403, ("forbidden", "birth_date")), user)
            st, b = H.as_user(user, "PATCH", "/api/v1/residents/%d" % P["res"]["id"], {"birth_date": "1958-06-12"})
            self.assertEqual((st, H.err(b)), (403, ("forbidden", "birth_date")), user)
        st, b = H.as_user("secretary", "PATCH", "/api/v1/residents/%d" % P["res"]["id"], {"birth_date": P["birth"]})
        self.assertEqual(st, 200, b)


class BruteForce(unittest.TestCase):
    def test_phone_middles_cut_off(self):
        """10,000 middles of a phone tried one by one: a full-phone role is cut off after
        SEARCH_LIMIT searches (429, audited); a masked role is refused from the first."""
        tok = H.login("brute01")
        statuses = []
        for middle in range(10000):
            q = P["phone"][:3] + "%04d" % middle + P["phone"][-4:]
            st, b = H.call("POST", "/api/v1/residents/search", {"q": q}, token=tok)
            statuses.append(st)
            if st == 429:
                self.assertEqual(H.err(b), ("too_many_searches", "q"))
                break
        self.assertEqual(statuses[-1], 429)
        self.assertEqual(len(statuses), SEARCH_LIMIT + 1)
        self.assertTrue(all(s == 200 for s in statuses[:-1]))
        # still cut off, and any kind of search too; others are not
        self.assertEqual(H.call("POST", "/api/v1/residents/search", {"q": "面具"}, token=tok)[0], 429)
        self.assertEqual(H.as_user("gw01", "POST", "/api/v1/residents/search", {"q": "面具"})[0], 200)
        rows = [r for r in H.audit_rows(username="brute01") if r["action"] == "search"]
        self.assertEqual(rows[0]["outcome"], "throttled")
        self.assertEqual(sum(r["outcome"] == "ok" for r in rows), SEARCH_LIMIT)
        # a masked role learns nothing at any speed
        tok = H.login("brute02")
        for middle in range(50):
            q = P["phone"][:3] + "%04d" % middle + P["phone"][-4:]
            st, b = H.call("POST", "/api/v1/residents/search", {"q": q}, token=tok)
            self.assertEqual((st, H.err(b)), (403, ("forbidden", "q")))


if __name__ == "__main__":
    unittest.main()
