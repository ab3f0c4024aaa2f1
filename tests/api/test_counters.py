"""test_counters.py — the counters equal a recount after every kind of write.

A property test: random sequences (seeded, so a failure replays) of every write that
changes who lives where — an import row joining a household or making one, a
registration, a move to another household, a death or move-out (and a move back), a
change of residence, a household moved to another building, retired (emptied first) or
split — mixed with check-ins (today and yesterday, reported, absent, feverish, whole
households at once so that many are reached), and after each step `GET /coverage` of the
community, its grids and its buildings equals `GET /coverage/recount`, today and
yesterday.  Runs on both stores (WANGGE_TEST_PG)."""
import datetime
import os
import random
import unittest

import harness as H

KEYS = ["households_total", "households_reached", "residents_total", "residents_accounted",
        "residents_reported", "fevers", "symptomatic"]
STEPS = int(os.environ.get("WANGGE_COUNTER_STEPS", "160"))


def setUpModule():
    # few households, so that writes keep landing on households already reached
    H.start(households=24, seed=11, setup=more_units)


def more_units():
    """A second grid with a building and an entrance, so households can move between grids."""
    c = H.COMMUNITY
    for code, parent, kind in ((c + "-G09", c, "grid"), (c + "-B09", c + "-G09", "building"),
                               (c + "-B09-U1", c + "-B09", "entrance"), (c + "-B01-U2", c + "-B01", "entrance")):
        ok(*H.as_user("admin", "POST", "/api/v1/units", {"code": code, "parent_code": parent, "kind": kind,
                                                          "name": code[-3:]}), "unit")


def tearDownModule():
    H.stop()


def ok(st, body, what):
    if st not in (200, 201):
        raise AssertionError("%s: %s %s" % (what, st, body))
    return body


class CountersEqualRecount(unittest.TestCase):
    def setUp(self):
        self.tok = H.login("admin")
        self.today = H.call("GET", "/api/v1/coverage?unit=%s" % H.COMMUNITY, token=self.tok)[1]["day"]
        d = datetime.date.fromisoformat(self.today) - datetime.timedelta(days=1)
        self.yesterday = d.isoformat()
        # the community and every unit below it that holds households
        self.units, self.entrances, todo = [], [], [H.COMMUNITY]
        while todo:
            u = todo.pop()
            self.units.append(u)
            kids = ok(*self.api("GET", "/units/%s/children" % u), "children")
            kids = kids["items"] if isinstance(kids, dict) else kids
            for k in kids:
                todo.append(k["code"])
                if k["kind"] == "entrance":
                    self.entrances.append(k["code"])
        self.seq = 0

    def api(self, method, path, body=None, **kw):
        return H.call(method, "/api/v1" + path, body, token=self.tok, **kw)

    def households(self):
        return [h for h in H.list_all("admin", "/api/v1/households?unit=%s" % H.COMMUNITY)]

    def residents(self, hid):
        return ok(*self.api("GET", "/households/%d" % hid), "household")["residents"]

    def living(self, hid):
        return [r for r in self.residents(hid) if r["residence"] in ("living", "temporary")]

    def compare(self, step, what):
        for day in (self.today, self.yesterday):
            for u in self.units:
                cov = ok(*self.api("GET", "/coverage?unit=%s&day=%s" % (u, day)), "coverage")
                rec = ok(*self.api("GET", "/coverage/recount?unit=%s&day=%s" % (u, day)), "recount")
                diff = {k: (cov[k], rec[k]) for k in KEYS if cov[k] != rec[k]}
                self.assertFalse(diff, "step %d (%s): %s on %s, counters vs recount: %s"
                                 % (step, what, u, day, diff))

    # ---- the writes ----
    def checkin(self, r, rid):
        day = r.choice([self.today, self.today, self.yesterday])
        status = r.choice(["reported", "reported", "reported", "away"])
        body = {"resident_id": rid, "channel": "phone", "day": day, "status": status}
        if status == "reported":
            body["temperature"] = r.choice([36.5, 36.8, 38.4])
            if r.random() < 0.3:
                body["symptoms"] = ["cough"]
        st, b = self.api("POST", "/checkins", body)
        self.assertIn(st, (201, 404, 400), b)  # 404: not living there any more

    def w_checkin(self, r, hh):
        h = r.choice(hh)
        people = self.living(h["id"])
        if people:
            self.checkin(r, r.choice(people)["id"])
        return "check-in"

    def w_checkin_household(self, r, hh):
        h = r.choice(hh)
        day = r.choice([self.today, self.yesterday])
        for p in self.living(h["id"]):
            ok(*self.api("POST", "/checkins", {"resident_id": p["id"], "channel": "visit", "day": day,
                                               "temperature": 36.6}), "check-in")
        return "whole household checked in"

    def new_person(self, r):
        self.seq += 1
        return "计数%d" % self.seq

    def w_import(self, r, hh):
        h = r.choice(hh)
        rows = ["姓名,单位编码,房号,居住状态"]
        for _ in range(r.randint(1, 3)):
            rows.append("%s,%s,%s,%s" % (self.new_person(r), h["unit_code"], h["room"],
                                        r.choice(["在住", "在住", "暂住", "外出"])))
        if r.random() < 0.3:  # and a household of its own
            rows.append("%s,%s,%d,在住" % (self.new_person(r), r.choice(self.entrances), 7000 + self.seq))
        body = ok(*self.api("POST", "/imports/residents", raw="\n".join(rows) + "\n", ctype="text/csv"), "import")
        self.assertEqual(body["bad"], 0, body)
        return "import"

    def w_register(self, r, hh):
        h = r.choice(hh)
        ok(*self.api("POST", "/residents", {"household_id": h["id"], "name": self.new_person(r),
                                            "residence": r.choice(["living", "temporary", "away"])}), "register")
        return "registration"

    def w_move(self, r, hh):
        a, b = r.choice(hh), r.choice(hh)
        people = self.residents(a["id"])
        if people and a["id"] != b["id"]:
            ok(*self.api("PATCH", "/residents/%d" % r.choice(people)["id"], {"household_id": b["id"]}), "move")
        return "move"

    def w_moved_out(self, r, hh):
        people = self.residents(r.choice(hh)["id"])
        if people:
            ok(*self.api("PATCH", "/residents/%d" % r.choice(people)["id"], {"moved_out": True}), "move-out")
        return "death or move-out"

    def w_residence(self, r, hh):
        people = self.residents(r.choice(hh)["id"])
        if people:
            p = r.choice(people)
            to = r.choice([x for x in ("living", "temporary", "away", "registered_only") if x != p["residence"]])
            ok(*self.api("PATCH", "/residents/%d" % p["id"], {"residence": to}), "residence")
        return "residence changed"

    def w_household_moves(self, r, hh):
        h = r.choice(hh)
        to = r.choice([e for e in self.entrances if e != h["unit_code"]])
        st, b = self.api("PATCH", "/households/%d" % h["id"], {"unit_code": to})
        self.assertIn(st, (200, 409), b)  # 409: that room is taken there
        return "household moved"

    def w_retire(self, r, hh):
        h = r.choice(hh)
        for p in self.residents(h["id"]):
            target = r.choice(hh)
            if target["id"] != h["id"] and r.random() < 0.5:
                ok(*self.api("PATCH", "/residents/%d" % p["id"], {"household_id": target["id"]}), "move")
            else:
                ok(*self.api("PATCH", "/residents/%d" % p["id"], {"moved_out": True}), "move-out")
        ok(*self.api("PATCH", "/households/%d" % h["id"], {"retired": True}), "retire")
        return "household retired"

    def w_split(self, r, hh):
        h = r.choice(hh)
        people = self.residents(h["id"])
        self.seq += 1
        new = ok(*self.api("POST", "/households", {"unit_code": h["unit_code"], "room": "S%d" % self.seq}), "household")
        for p in people[: max(1, len(people) // 2)]:
            ok(*self.api("PATCH", "/residents/%d" % p["id"], {"household_id": new["id"]}), "split")
        return "household split"

    def test_random_writes_keep_the_counters_true(self):
        writes = [(self.w_checkin, 6), (self.w_checkin_household, 4), (self.w_import, 3), (self.w_register, 2),
                  (self.w_move, 2), (self.w_moved_out, 1), (self.w_residence, 2), (self.w_household_moves, 1),
                  (self.w_retire, 1), (self.w_split, 1)]
        pool = [w for w, n in writes for _ in range(n)]
        seed = int(os.environ.get("WANGGE_COUNTER_SEED", "22"))
        r = random.Random(seed)
        self.compare(0, "start")
        done = {}
        for step in range(1, STEPS + 1):
            hh = self.households()
            what = r.choice(pool)(r, hh)
            done[what] = done.get(what, 0) + 1
            self.compare(step, what)
        print("\n  %d steps (seed %d): %s" % (STEPS, seed, ", ".join("%s %d" % kv for kv in sorted(done.items()))))


if __name__ == "__main__":
    unittest.main()
