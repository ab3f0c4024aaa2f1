"""A chain or a contact list never leaves the caller's scope (issue 14, item 2), and the
roles promised counts get no one from the tasks, the lockdown reasons or the live feed
(item 3).

A case A in grid 1 has contacts recorded across two grids (B in grid 2) and across two
communities (C in a second community): A → B, A → C, C → A, an unregistered contact of
A, and an unregistered contact of B.  Every EPI role reads A's (or B's) chain and contact
list; whatever lies outside its scope must say only that the chain continues there: no
name, category, place, household, building, unit, resident id or case id.
"""
import json
import unittest

import harness as H
from test_rollcall import Stream

C2 = "420107003009"
C2_G = C2 + "-G01"
C2_B = C2 + "-B01"
P = {}


def setUpModule():
    H.start(setup=_setup)


def tearDownModule():
    H.stop()


def resident(user, unit, room, name, phone):
    st, h = H.as_user(user, "POST", "/api/v1/households", {"unit_code": unit, "room": room})
    assert st == 201, h
    st, r = H.as_user(user, "POST", "/api/v1/residents", {"household_id": h["id"], "name": name, "phone": phone})
    assert st == 201, r
    return r


def contact(user, case, body):
    body = dict({"day": "2026-11-20", "kind": "meal", "follow": False}, **body)
    st, c = H.as_user(user, "POST", "/api/v1/residents/%d/contacts" % case, body)
    assert st == 201, c
    return c


def _setup():
    # a second community under the same street, with a grid, a building and a person
    for code, parent, kind, name in ((C2, "420107003", "community", "第二社区"), (C2_G, C2, "grid", "第二社区一网格"),
                                     (C2_B, C2_G, "building", "9栋")):
        st, b = H.as_user("admin", "POST", "/api/v1/units",
                          {"code": code, "parent_code": parent, "kind": kind, "name": name})
        assert st == 201, b
    P["A"] = resident("secretary", H.E01, "8801", "链甲病例", "13911110001")
    P["B"] = resident("secretary", H.E03, "8802", "链乙网格二", "13911110002")
    P["C"] = resident("admin", C2_B, "8803", "链丙外社区", None)
    a, b, c = P["A"]["id"], P["B"]["id"], P["C"]["id"]
    contact("secretary", a, {"resident_id": b, "place": "乙家楼下菜场"})      # across two grids
    contact("admin", a, {"resident_id": c, "place": "丙单位食堂"})            # across two communities
    contact("admin", c, {"resident_id": a, "place": "丙家客厅", "kind": "social"})  # A as C's contact
    contact("gw01", a, {"name": "甲的外来客", "place": "甲家"})               # unregistered, A's own record
    contact("gw02", b, {"name": "乙的外来客", "place": "乙家"})               # unregistered, B's own record
    # A confirmed: tasks, a lockdown of the building, and a category event
    st, x = H.as_user("secretary", "POST", "/api/v1/residents/%d/status" % a,
                      {"category": "confirmed", "reason": "test_positive"})
    assert st == 201, x
    P["tasks"] = x["tasks"]


# who sees what: user → the people of A, B, C inside the user's scope
SCOPE = {
    "gw01": {"A"},
    "gw02": {"B"},
    "secretary": {"A", "B"},
    "leader01": {"A"},
    "cadre01": {"A"},
    "cadre02": {"B"},
    "admin": {"A", "B", "C"},
}
NAMES = {"A": "链甲病例", "B": "链乙网格二", "C": "链丙外社区"}
# the places of the contacts between two people, and the unregistered contacts' names
PLACES = {frozenset("AB"): "乙家楼下菜场", frozenset("AC"): ("丙单位食堂", "丙家客厅")}
UNREG = {"A": "甲的外来客", "B": "乙的外来客"}


def walk(x, out, key=None):
    """(key, value) of every scalar in a JSON answer."""
    if isinstance(x, dict):
        for k, v in x.items():
            walk(v, out, k)
    elif isinstance(x, list):
        for v in x:
            walk(v, out, key)
    else:
        out.append((key, x))
    return out


class ChainAndContactsStayInScope(unittest.TestCase):
    def check_no_trace(self, user, answer, outside):
        """Nothing in the answer names or points to a person outside the user's scope."""
        pairs = walk(answer, [])
        text = json.dumps(answer, ensure_ascii=False)
        for p in outside:
            rid = P[p]["id"]
            self.assertNotIn(NAMES[p], text, (user, p))
            self.assertNotIn('"r%d"' % rid, text, (user, p))
            for k, v in pairs:
                if k in ("resident_id", "case_id", "household_id", "root", "id") and v == rid:
                    self.fail("%s: %s of %s shown as %s" % (user, p, k, text))
            self.assertNotIn(P[p]["unit_code"], text, (user, p))
            if p in UNREG:  # an outside person's own contacts are not reached
                self.assertNotIn(UNREG[p], text, (user, p))
            for pair, places in PLACES.items():
                if p in pair:
                    for place in (places if isinstance(places, tuple) else (places,)):
                        self.assertNotIn(place, text, (user, p))

    def test_chain_for_every_role_in_scope(self):
        for user, inside in SCOPE.items():
            root = "A" if "A" in inside else "B"
            st, g = H.as_user(user, "GET", "/api/v1/residents/%d/chain?depth=5" % P[root]["id"])
            self.assertEqual(st, 200, (user, g))
            outside = {"A", "B", "C"} - inside
            self.check_no_trace(user, g, outside)
            nodes = {n["id"]: n for n in g["nodes"]}
            far = [n for n in g["nodes"] if n["outside_scope"]]
            # each outside person the walk met is one node saying only that it continues there
            for n in far:
                self.assertRegex(n["id"], r"^o\d+$")
                self.assertEqual({k: v for k, v in n.items() if v not in (None, False)},
                                 {"id": n["id"], "outside_scope": True}, user)
            for e in g["edges"]:
                self.assertIn(e["from"], nodes)
                self.assertIn(e["to"], nodes)
                if nodes[e["from"]]["outside_scope"] or nodes[e["to"]]["outside_scope"]:
                    self.assertTrue(e["outside_scope"])
                    self.assertIsNone(e["place"])
            self.assertEqual(g.get("outside"), len(far))
            inside_names = {n["name"] for n in g["nodes"] if not n["outside_scope"]}
            for p in inside:
                if p != "C" or root == "A":
                    self.assertIn(NAMES[p], inside_names, user)
            # who is outside, from where
            want_far = {"admin": 0, "secretary": 1, "leader01": 2, "gw01": 2, "cadre01": 2,
                        "gw02": 1, "cadre02": 1}[user]
            self.assertEqual(len(far), want_far, (user, g))
            if root == "A" and "B" in inside:  # B's unregistered contact reached through B
                self.assertIn(UNREG["B"], inside_names)
            self.assertIn(UNREG[root], inside_names, user)

    def test_contacts_for_every_role_in_scope(self):
        for user, inside in SCOPE.items():
            root = "A" if "A" in inside else "B"
            st, c = H.as_user(user, "GET", "/api/v1/residents/%d/contacts" % P[root]["id"])
            self.assertEqual(st, 200, (user, c))
            outside = {"A", "B", "C"} - inside
            self.check_no_trace(user, c, outside)
            rows = c["items"] + c["contact_of"]
            far = [r for r in rows if r.get("outside_scope")]
            for r in far:
                self.assertEqual({k for k, v in r.items() if v is not None}, {"day", "kind", "outside_scope"}, user)
            want_far = {"admin": 0, "secretary": 2, "leader01": 3, "gw01": 3, "cadre01": 3,
                        "gw02": 1, "cadre02": 1}[user]
            self.assertEqual(len(far), want_far, (user, c))
            near = [r for r in rows if not r.get("outside_scope")]
            self.assertIn(UNREG[root], [r["name"] for r in near], user)

    def test_outside_case_id_is_not_a_key_to_anyone(self):
        # what gw01 could do with an id it was given: nothing (404), as before
        st, _ = H.as_user("gw01", "GET", "/api/v1/residents/%d" % P["C"]["id"])
        self.assertEqual(st, 404)


class CountsRolesGetNoOne(unittest.TestCase):
    def test_tasks_name_no_one_for_command(self):
        st, b = H.as_user("command", "GET", "/api/v1/tasks?limit=500")
        self.assertEqual(st, 200, b)
        mine = [t for t in b["items"] if t["id"] in {x["id"] for x in P["tasks"]}]
        self.assertEqual(len(mine), len(P["tasks"]))
        for t in b["items"]:
            for k in ("case_id", "note", "photo_note", "place"):
                self.assertNotIn(k, t, t)
        # the grid's own staff still see the case
        st, b = H.as_user("gw01", "GET", "/api/v1/tasks?limit=500")
        self.assertEqual({t["case_id"] for t in b["items"] if t["id"] in {x["id"] for x in P["tasks"]}},
                         {P["A"]["id"]})

    def test_lockdown_reason_names_no_one(self):
        # the building's lockdown is read by every role at the unit, volunteers included
        for user in ("command", "vol01", "checkpoint"):
            st, b = H.as_user(user, "GET", "/api/v1/units/%s/lockdown" % H.B01)
            self.assertEqual(st, 200, b)
            text = json.dumps(b, ensure_ascii=False)
            self.assertIn("confirmed case", text)
            self.assertNotIn(str(P["A"]["id"]), text, user)

    def test_category_event_names_no_one(self):
        s = Stream("command")
        try:
            self.assertEqual(s.status, 200)
            st, x = H.as_user("secretary", "POST", "/api/v1/residents/%d/status" % P["B"]["id"],
                              {"category": "close_contact", "reason": "contact_tracing"})
            self.assertEqual(st, 201, x)
            ev = s.wait_for(lambda e: e["event"] == "category" and e["data"].get("category") == "close_contact",
                            timeout=10)
            self.assertIsNotNone(ev, s.events)
            self.assertNotIn("resident_id", ev["data"])
            self.assertNotIn(str(P["B"]["id"]), json.dumps(ev["data"]))
            self.assertEqual(ev["data"]["unit_code"], P["B"]["unit_code"])
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
