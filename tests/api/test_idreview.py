"""Duplicate ID numbers without an oracle, and the duplicate-ID review (issue 14, docs/api.md 1.8).

A role that sees ID numbers masked (the grid worker gw01, bound to grid 1) used to get
`409 duplicate_id_number` for a number registered anywhere, also outside its grid: with the
region, the last four and the birth year it could confirm a full number in ~30 tries.  Now:

* registered inside its scope: 409 naming the person it already sees (masked);
* registered outside it: the same answer as for a number never seen — status, keys, and
  everything its later reads show — and the registration is held (its number out of the
  unique index) as a review item for the community (secretary), who merges, returns it to
  the worker with a note, or keeps both with a reason.

Both paths (POST /residents and the import), both stores (make pgtest).
"""
import csv
import io
import os
import re
import sqlite3
import subprocess
import unittest

import harness as H

MASK_RE = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
S = {}


def setUpModule():
    H.start(setup=_setup)


def tearDownModule():
    H.stop()


def new_household(room, unit=H.E01, user="secretary"):
    st, b = H.as_user(user, "POST", "/api/v1/households", {"unit_code": unit, "room": room})
    assert st == 201, b
    return b


def register(user, hid, name, idn, **extra):
    body = dict(household_id=hid, name=name, id_number=idn, **extra)
    return H.as_user(user, "POST", "/api/v1/residents", body)


_seq = [100]


def number(birth="19700101"):
    """A valid ID number never used before in this module (region 420107, so only the birth
    year and the last four tell numbers apart to a masked role)."""
    _seq[0] += 1
    return H.make_id(region="420107", birth=birth, seq=_seq[0], sex="M")


def outside_number(birth="19700101"):
    """A number registered in grid 2 (outside gw01's and leader01's scope) by the secretary."""
    idn = number(birth)
    st, b = register("secretary", S["g2_hh"], "外格登记%d" % _seq[0], idn)
    assert st == 201, b
    return idn, b["id"]


def store_rows(sql):
    """Rows of one query on the server's store (behind its back: checks what it holds)."""
    if os.environ.get("WANGGE_TEST_PG"):
        out = subprocess.run(["psql", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", H.db_path(), "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("|")) for line in out.splitlines() if line]
    con = sqlite3.connect(H.db_path(), timeout=30)
    try:
        return [tuple("" if v is None else str(v) for v in r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def unique_in_store(testcase):
    """One registration per identity document: no number twice in the unique column, and
    no held number inside it."""
    testcase.assertEqual(store_rows("SELECT id_type, id_number, count(*) FROM residents WHERE id_number IS NOT NULL"
                                    " GROUP BY id_type, id_number HAVING count(*) > 1"), [])
    testcase.assertEqual(store_rows("SELECT id FROM residents WHERE id_number IS NOT NULL AND id_held IS NOT NULL"), [])


def _setup():
    S["g1_hh"] = new_household("7700")["id"]
    S["g2_hh"] = new_household("7700", unit=H.E03)["id"]
    H.add_user("tree01", "community", H.G1)  # a community account over grid 1 only


def same_shape(testcase, a, b, ignore=("id", "name", "id_number", "updated_at", "household_id", "room")):
    """Two answers that must not be told apart: the same keys, and the same values but for
    those that differ between any two people."""
    testcase.assertEqual(sorted(a), sorted(b))
    for k in a:
        if k in ignore:
            testcase.assertEqual(type(a[k]), type(b[k]), k)
        elif k == "moves":
            testcase.assertEqual([(m["from_household"] is None, m["note"], m["by"]) for m in a[k]],
                                 [(m["from_household"] is None, m["note"], m["by"]) for m in b[k]])
        else:
            testcase.assertEqual(a[k], b[k], k)


class Registration(unittest.TestCase):
    def test_masked_role_cannot_tell_outside_from_never_seen(self):
        """Fails on the old build: the outside number answered 409 duplicate_id_number."""
        outside, _ = outside_number()
        fresh = number()
        hh = new_household("7701")["id"]
        st_o, o = register("gw01", hh, "新登记甲", outside)
        st_f, f = register("gw01", hh, "新登记乙", fresh)
        self.assertEqual((st_o, st_f), (201, 201), (o, f))
        same_shape(self, o, f)
        self.assertRegex(o["id_number"], MASK_RE)
        self.assertEqual(o["id_number"][-4:], outside[-4:])
        self.assertEqual((o["birth_date"], o["merged_into"]), (None, None))
        # its later reads: the resident, the household, a tail search, the list, the export
        st, ro = H.as_user("gw01", "GET", "/api/v1/residents/%d" % o["id"])
        st2, rf = H.as_user("gw01", "GET", "/api/v1/residents/%d" % f["id"])
        self.assertEqual((st, st2), (200, 200))
        same_shape(self, ro, rf)
        st, h = H.as_user("gw01", "GET", "/api/v1/households/%d" % hh)
        shown = {r["id"]: r for r in h["residents"]}
        same_shape(self, shown[o["id"]], shown[f["id"]])
        self.assertEqual(shown[o["id"]]["id_number"], o["id_number"])
        for idn, rid in ((outside, o["id"]), (fresh, f["id"])):
            st, s = H.as_user("gw01", "POST", "/api/v1/residents/search", {"q": idn[-4:], "limit": 500})
            self.assertIn(rid, [x["id"] for x in s["items"]])
            st, s = H.as_user("gw01", "POST", "/api/v1/residents/search", {"q": idn})
            self.assertEqual((st, H.err(s)), (403, ("forbidden", "q")))
        st, raw = H.as_user("gw01", "GET", "/api/v1/exports/residents?unit=%s" % H.E01)
        rows = {r["姓名/name"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8").lstrip("\ufeff")))}
        self.assertEqual(rows["新登记甲"]["证件号码/id_number"], o["id_number"])
        self.assertEqual(rows["新登记乙"]["证件号码/id_number"], f["id_number"])
        # nothing waits for it in its own queue
        st, q = H.as_user("gw01", "GET", "/api/v1/id-reviews?state=all")
        self.assertEqual((st, q["total"]), (200, 0), q)
        # registering either number again: 409 naming the one it already sees, alike
        st_o, o2 = register("gw01", hh, "再登记甲", outside)
        st_f, f2 = register("gw01", hh, "再登记乙", fresh)
        self.assertEqual((st_o, H.err(o2)), (409, ("duplicate_id_number", "id_number")))
        self.assertEqual((st_f, H.err(f2)), (409, ("duplicate_id_number", "id_number")))
        self.assertEqual(sorted(o2["error"]), sorted(f2["error"]))
        self.assertEqual((o2["error"]["existing"]["id"], f2["error"]["existing"]["id"]), (o["id"], f["id"]))
        self.assertRegex(o2["error"]["existing"]["id_number"], MASK_RE)
        self.assertIn("新登记甲", o2["error"]["message"])
        unique_in_store(self)
        # the secretary has the held one in the queue (and only it)
        st, q = H.as_user("secretary", "GET", "/api/v1/id-reviews?limit=500")
        held = [x for x in q["items"] if x["resident_id"] in (o["id"], f["id"])]
        self.assertEqual([x["resident_id"] for x in held], [o["id"]])

    def test_in_scope_duplicate_names_the_person(self):
        hh = new_household("7702")["id"]
        idn = number()
        st, a = register("secretary", hh, "本格甲", idn)
        self.assertEqual(st, 201, a)
        for user in ("gw01", "cadre01", "leader01"):
            st, b = register(user, hh, "本格乙", idn)
            self.assertEqual((st, H.err(b)), (409, ("duplicate_id_number", "id_number")), user)
            ex = b["error"]["existing"]
            self.assertEqual((ex["id"], ex["name"], ex["room"]), (a["id"], "本格甲", "7702"))
            self.assertEqual(ex["id_number"], idn if user == "leader01" else idn[:6] + "********" + idn[-4:])
        rows = [r for r in H.audit_rows(username="gw01") if r["entity"] == "resident" and r["action"] == "create"]
        self.assertEqual((rows[0]["outcome"], rows[0]["fields"]), ("failed", "id_number:duplicate"))

    def test_full_id_role_outside_scope_is_held_too(self):
        """A full-ID role (grid leader) outside its scope: the review path (it sees the number
        anyway, but not the other grid's registration)."""
        outside, eid = outside_number()
        hh = new_household("7703")["id"]
        st, b = register("leader01", hh, "组长登记", outside)
        self.assertEqual((st, b["id_number"]), (201, outside), b)
        st, q = H.as_user("secretary", "GET", "/api/v1/id-reviews?limit=500")
        item = [x for x in q["items"] if x["resident_id"] == b["id"]][0]
        self.assertEqual((item["existing_id"], item["source"], item["state"]), (eid, "register", "open"))
        # PATCH a number registered outside: held as well
        st, c = register("leader01", hh, "组长改号", number())
        outside2, eid2 = outside_number()
        st, p = H.as_user("leader01", "PATCH", "/api/v1/residents/%d" % c["id"], {"id_number": outside2})
        self.assertEqual((st, p["id_number"]), (200, outside2), p)
        st, q = H.as_user("secretary", "GET", "/api/v1/id-reviews?limit=500")
        item = [x for x in q["items"] if x["resident_id"] == c["id"]][0]
        self.assertEqual((item["existing_id"], item["source"]), (eid2, "update"))
        unique_in_store(self)

    def test_routes_roles(self):
        st, q = H.as_user("secretary", "GET", "/api/v1/id-reviews")
        self.assertEqual(st, 200)
        for user in ("command", "vol01", "checkpoint", "auditor"):
            self.assertEqual(H.as_user(user, "GET", "/api/v1/id-reviews")[0], 403, user)
        for user in ("gw01", "leader01", "admin", "cadre01"):
            st, b = H.as_user(user, "POST", "/api/v1/id-reviews/1", {"action": "keep", "note": "x"})
            self.assertEqual((st, H.err(b)), (403, ("forbidden", None)), user)


class Import(unittest.TestCase):
    def sheet(self, rows):
        text = "姓名,证件号码,单位编码,房号\n" + "".join("%s,%s,%s,%s\n" % r for r in rows)
        st, rep = H.as_user("gw01", "POST", "/api/v1/imports/residents", raw=text, ctype="text/csv")
        self.assertEqual(st, 200, rep)
        return rep

    def test_masked_import_cannot_tell_outside_from_never_seen(self):
        """Fails on the old build: the outside row was refused `duplicate_id_number`."""
        outside, _ = outside_number("19750505")
        fresh = number("19750505")
        rows = [("导入甲", outside, H.E01, "7710"), ("导入乙", fresh, H.E01, "7711")]
        rep = self.sheet(rows)
        self.assertEqual((rep["created"], rep["bad"], rep["errors"]), (2, 0, []), rep)
        again = self.sheet(rows)  # the same sheet again: nothing new, nothing refused
        self.assertEqual((again["created"], again["updated"], again["unchanged"], again["bad"]), (0, 0, 2, 0), again)
        st, s = H.as_user("gw01", "POST", "/api/v1/residents/search", {"q": "导入", "limit": 50})
        got = {x["name"]: x for x in s["items"]}
        same_shape(self, got["导入甲"], got["导入乙"])
        self.assertEqual(got["导入甲"]["id_number"], outside[:6] + "********" + outside[-4:])
        for name in ("导入甲", "导入乙"):
            st, r = H.as_user("gw01", "GET", "/api/v1/residents/%d" % got[name]["id"])
            self.assertEqual([m["note"] for m in r["moves"]], ["registered (import)"])
        # one row per sheet each: a changed phone updates both alike
        rep = self.sheet([("导入甲", outside, H.E01, "7710"), ("导入乙", fresh, H.E01, "7711")])
        self.assertEqual(rep["unchanged"], 2)
        st, q = H.as_user("gw01", "GET", "/api/v1/id-reviews?state=all")
        self.assertEqual(q["total"], 0)
        st, q = H.as_user("secretary", "GET", "/api/v1/id-reviews?limit=500")
        held = [x for x in q["items"] if x["held"]["name"] in ("导入甲", "导入乙")]
        self.assertEqual([(x["held"]["name"], x["source"]) for x in held], [("导入甲", "import")])
        unique_in_store(self)


class Review(unittest.TestCase):
    def held(self, name, room):
        outside, eid = outside_number()
        hh = new_household(room)["id"]
        st, b = register("gw01", hh, name, outside, phone="13600001111", relation="户主")
        self.assertEqual(st, 201, b)
        st, q = H.as_user("secretary", "GET", "/api/v1/id-reviews?limit=500")
        item = [x for x in q["items"] if x["resident_id"] == b["id"]][0]
        return item, b, eid, hh, outside

    def decide(self, rid, action, note=None, user="secretary"):
        body = {"action": action}
        if note:
            body["note"] = note
        return H.as_user(user, "POST", "/api/v1/id-reviews/%d" % rid, body)

    def test_reviewer_sees_both_side_by_side(self):
        item, b, eid, hh, idn = self.held("并排看", "7720")
        st, v = H.as_user("secretary", "GET", "/api/v1/id-reviews/%d" % item["id"])
        self.assertEqual(st, 200, v)
        self.assertEqual((v["state"], v["id_number"], v["held"]["id"], v["existing"]["id"]), ("open", idn, b["id"], eid))
        self.assertEqual((v["existing"]["outside_scope"], v["existing"]["room"]), (False, "7700"))
        # a community account over grid 1 only: the other registration shown as far as the
        # decision needs (who, and the community), not its room or phone
        st, v = H.as_user("tree01", "GET", "/api/v1/id-reviews/%d" % item["id"])
        self.assertEqual(st, 200, v)
        ex = v["existing"]
        self.assertTrue(ex["outside_scope"])
        self.assertEqual((ex["id"], ex["id_number"], ex["name"]), (eid, idn, "外格登记%d" % (_seq[0])))
        self.assertTrue(ex["community"])
        for k in ("room", "phone", "flags", "unit_code", "category"):
            self.assertNotIn(k, ex)
        # the worker cannot open it
        self.assertEqual(H.as_user("gw01", "GET", "/api/v1/id-reviews/%d" % item["id"])[0], 404)

    def test_merge(self):
        item, b, eid, hh, idn = self.held("搬来的人", "7721")
        st, before = H.as_user("secretary", "GET", "/api/v1/residents/%d" % eid)
        st, v = self.decide(item["id"], "merge")
        self.assertEqual((st, v["state"]), (200, "merged"), v)
        st, x = H.as_user("secretary", "GET", "/api/v1/residents/%d" % eid)
        self.assertEqual((x["household_id"], x["id_number"], x["moved_out"], x["relation"]), (hh, idn, False, "户主"))
        self.assertEqual(x["moves"][:len(before["moves"])], before["moves"])  # its history kept
        self.assertEqual(x["moves"][-1]["note"], "moved (duplicate ID review)")
        st, h = H.as_user("gw01", "GET", "/api/v1/residents/%d" % b["id"])
        self.assertEqual((h["moved_out"], h["merged_into"]), (True, eid))
        st, hh_page = H.as_user("gw01", "GET", "/api/v1/households/%d" % hh)
        self.assertEqual([r["id"] for r in hh_page["residents"]], [eid])
        self.assertEqual(self.decide(item["id"], "keep", "again")[0], 409)
        unique_in_store(self)
        self.assertEqual(store_rows("SELECT count(*) FROM residents WHERE id = %d AND id_held IS NULL" % b["id"]), [("1",)])
        # the counters follow both moves (one out of grid 2, one into grid 1)
        for unit in (H.COMMUNITY, H.G1, H.G2):
            st, kept = H.as_user("secretary", "GET", "/api/v1/coverage?unit=%s" % unit)
            st2, counted = H.as_user("secretary", "GET", "/api/v1/coverage/recount?unit=%s" % unit)
            self.assertEqual((st, st2), (200, 200))
            for k in ("households_total", "residents_total", "households_reached", "residents_accounted"):
                self.assertEqual(kept[k], counted[k], (unit, k))

    def test_return_and_correct(self):
        item, b, eid, hh, idn = self.held("号码错了", "7722")
        st, e = self.decide(item["id"], "return")
        self.assertEqual((st, H.err(e)), (400, ("required", "note")))
        st, v = self.decide(item["id"], "return", "请核对身份证原件 / check the card")
        self.assertEqual((st, v["state"]), (200, "returned"), v)
        # the worker sees it now: to correct, with the note — never the other registration
        st, q = H.as_user("gw01", "GET", "/api/v1/id-reviews")
        mine = [x for x in q["items"] if x["id"] == item["id"]][0]
        self.assertEqual((mine["state"], mine["note"], mine["existing_id"]), ("returned", "请核对身份证原件 / check the card", None))
        self.assertRegex(mine["id_number"], MASK_RE)
        st, g = H.as_user("gw01", "GET", "/api/v1/id-reviews/%d" % item["id"])
        self.assertNotIn("existing", g)
        st, r = H.as_user("gw01", "GET", "/api/v1/residents/%d" % b["id"])
        self.assertIsNone(r["id_number"])
        # corrected with a fresh number: registered; the review is done
        fresh = number("19700101")
        st, c = H.as_user("gw01", "POST", "/api/v1/id-reviews/%d/correction" % item["id"], {"id_number": fresh})
        self.assertEqual((st, c["id_number"]), (200, fresh[:6] + "********" + fresh[-4:]), c)
        st, v = H.as_user("secretary", "GET", "/api/v1/id-reviews/%d" % item["id"])
        self.assertEqual((v["state"], v["corrected_by"]), ("corrected", "gw01"))
        st, again = H.as_user("gw01", "POST", "/api/v1/id-reviews/%d/correction" % item["id"], {"id_number": fresh})
        self.assertEqual((st, H.err(again)[0]), (409, "already_resolved"))
        unique_in_store(self)

    def test_correction_is_no_oracle_either(self):
        """A correction answers alike for a number registered outside and one never seen."""
        answers = []
        for k, name in enumerate(("更正甲", "更正乙")):
            item, b, eid, hh, idn = self.held(name, "773%d" % k)
            self.decide(item["id"], "return", "号码有误")
            target = outside_number()[0] if k == 0 else number()
            st, c = H.as_user("gw01", "POST", "/api/v1/id-reviews/%d/correction" % item["id"], {"id_number": target})
            answers.append((st, c, b["id"]))
        (st_a, a, rid_a), (st_b, bb, _) = answers
        self.assertEqual((st_a, st_b), (200, 200))
        same_shape(self, a, bb)
        st, q = H.as_user("gw01", "GET", "/api/v1/id-reviews?state=all")
        self.assertNotIn(rid_a, [x["resident_id"] for x in q["items"] if x["state"] != "corrected"])
        st, q = H.as_user("secretary", "GET", "/api/v1/id-reviews?limit=500")
        again = [x for x in q["items"] if x["resident_id"] == rid_a]
        self.assertEqual([(x["state"], x["source"]) for x in again], [("open", "correction")])
        # in scope: named, as at registration
        item, b, eid, hh, idn = self.held("更正丙", "7735")
        self.decide(item["id"], "return", "号码有误")
        st, e = H.as_user("gw01", "POST", "/api/v1/id-reviews/%d/correction" % item["id"], {"id_number": "bad"})
        self.assertEqual((st, H.err(e)), (400, ("invalid_id_number", "id_number")))
        taken = number()
        register("secretary", S["g1_hh"], "本格持号", taken)
        st, e = H.as_user("gw01", "POST", "/api/v1/id-reviews/%d/correction" % item["id"], {"id_number": taken})
        self.assertEqual((st, H.err(e)), (409, ("duplicate_id_number", "id_number")))
        self.assertEqual(e["error"]["existing"]["name"], "本格持号")
        unique_in_store(self)

    def test_keep(self):
        item, b, eid, hh, idn = self.held("重号两人", "7740")
        st, e = self.decide(item["id"], "keep")
        self.assertEqual((st, H.err(e)), (400, ("required", "note")))
        st, v = self.decide(item["id"], "keep", "公安确认重号 / the police confirm a duplicate-issued number")
        self.assertEqual((st, v["state"], v["decided_by"]), (200, "kept", "secretary"), v)
        st, r = H.as_user("secretary", "GET", "/api/v1/residents/%d" % b["id"])
        self.assertEqual((r["id_number"], r["moved_out"]), (idn, False))
        st, x = H.as_user("secretary", "GET", "/api/v1/residents/%d" % eid)
        self.assertEqual((x["id_number"], x["moved_out"]), (idn, False))
        # the number stays out of the unique column for the kept row
        self.assertEqual(store_rows("SELECT id_number, id_held FROM residents WHERE id = %d" % b["id"]), [("", idn)])
        unique_in_store(self)
        st, a = H.as_user("auditor", "GET", "/api/v1/audit?limit=50&username=secretary")
        acts = [(r["action"], r["entity"], r["fields"]) for r in a["items"] if r["entity"] == "id_review"]
        self.assertIn(("update", "id_review", "action:keep,note"), acts)

    def test_queue_count_and_states(self):
        item, b, eid, hh, idn = self.held("计数", "7750")
        st, q = H.as_user("secretary", "GET", "/api/v1/id-reviews?limit=1")
        self.assertGreaterEqual(q["total"], 1)
        st, q = H.as_user("secretary", "GET", "/api/v1/id-reviews?state=nonsense")
        self.assertEqual((st, H.err(q)), (400, ("invalid_state", "state")))
        st, q = H.as_user("gw02", "GET", "/api/v1/id-reviews?unit=%s" % H.G1)
        self.assertEqual(st, 404)


if __name__ == "__main__":
    unittest.main()
