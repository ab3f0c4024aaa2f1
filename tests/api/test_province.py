"""The province preset (issue 20): `wangge demo --preset province` builds 湖北省 (42) with
three cities of the city preset's shape — 武汉 4201, 黄石 4202, 十堰 4203 — each with its
own districts' real area codes, accounts at every level, and the province's coverage the
sum of its cities'.

Its own server on the preset at scale 0.001 (per city 14 grids in 2 communities, 10,000
residents, spread over two districts); runs on SQLite, PostgreSQL and, in `make
citustest`, on a Citus coordinator with two workers (where the load takes minutes)."""
import unittest

import harness as H

SCALE = "0.001"
CITIES = {"4201": "武汉市", "4202": "黄石市", "4203": "十堰市"}
COUNTERS = ("households_total", "households_reached", "residents_total", "residents_accounted",
            "residents_reported", "fevers", "symptomatic")


def setUpModule():
    run = H.run_cli

    def with_scale(*args, **kw):  # the harness builds `demo --preset province`; at this scale
        if args and args[0] == "demo":
            args = args + ("--scale", SCALE)
            kw["timeout"] = 1800
        return run(*args, **kw)
    H.run_cli = with_scale
    try:
        H.start(preset="province")
    finally:
        H.run_cli = run


def tearDownModule():
    H.stop()


def ok(st, body):
    assert st == 200, (st, body)
    return body


def children(code):
    return ok(*H.as_user("admin", "GET", "/api/v1/units/%s/children" % code))["items"]


def coverage(code, user="admin"):
    return ok(*H.as_user(user, "GET", "/api/v1/coverage?unit=%s" % code))


class ProvinceTree(unittest.TestCase):
    def test_tree_and_accounts_at_each_level(self):
        top = coverage("42")
        self.assertEqual((top["kind"], top["name"]), ("province", "湖北省"))
        cities = children("42")
        self.assertEqual({c["code"]: c["name"] for c in cities}, CITIES)
        self.assertEqual({c["kind"] for c in cities}, {"city"})
        grids = 0
        for c in cities:
            districts = children(c["code"])
            self.assertEqual(len(districts), 2, c)  # two communities a city, spread over two districts
            for d in districts:
                self.assertEqual(d["kind"], "district")
                self.assertRegex(d["code"], "^%s\\d\\d$" % c["code"])  # 420202 黄石港区 …
                for s in children(d["code"]):
                    self.assertEqual(s["kind"], "street")
                    for m in children(s["code"]):
                        self.assertEqual(m["kind"], "community")
                        for g in children(m["code"]):
                            self.assertEqual(g["kind"], "grid")
                            grids += 1
                            self.assertEqual({b["kind"] for b in children(g["code"])}, {"building"})
        self.assertEqual(grids, 3 * round(13822 * float(SCALE)))
        self.assertEqual(top["residents_total"], 3 * round(10000000 * float(SCALE)))
        # an account at each level, each seeing its own unit by default
        for user, kind in (("province", "province"), ("city-4202", "city"), ("command", "district"),
                           ("street", "street"), ("secretary", "community")):
            b = ok(*H.as_user(user, "GET", "/api/v1/coverage"))
            self.assertEqual(b["kind"], kind, user)
        self.assertEqual(ok(*H.as_user("city-4202", "GET", "/api/v1/coverage"))["unit"], "4202")
        # grid workers in every city; a city's command account stops at its city
        users = H.list_all("admin", "/api/v1/users?unit=42")
        for code in CITIES:
            self.assertTrue(any(u["role"] == "grid_worker" and u["unit_code"].startswith(code) for u in users), code)
        st, _ = H.as_user("city-4202", "GET", "/api/v1/coverage?unit=4203")
        self.assertIn(st, (403, 404))

    def test_province_coverage_is_the_sum_of_its_cities(self):
        # a few check-ins in each city (one fever), by the province's admin
        for code in CITIES:
            people = ok(*H.as_user("admin", "GET", "/api/v1/residents?unit=%s&limit=5" % code))["items"]
            self.assertEqual(len(people), 5, code)
            for i, r in enumerate(people):
                st, b = H.as_user("admin", "POST", "/api/v1/checkins",
                                  {"resident_id": r["id"], "channel": "phone",
                                   "temperature": 38.5 if i == 0 else 36.6})
                self.assertEqual(st, 201, b)
        top = coverage("42")
        per_city = {c["unit"]: c for c in top["children"]}
        self.assertEqual(set(per_city), set(CITIES))
        for k in COUNTERS:
            self.assertEqual(top[k], sum(coverage(c)[k] for c in CITIES), k)
            self.assertEqual(top[k], sum(c[k] for c in per_city.values()), k)
        self.assertEqual(top["residents_accounted"], 15)
        self.assertEqual(top["fevers"], 3)
        # and the counters equal a count from the rows, at the top and in each city
        for code in ["42"] + list(CITIES):
            c, rc = coverage(code), ok(*H.as_user("admin", "GET", "/api/v1/coverage/recount?unit=%s" % code))
            for k in COUNTERS:
                if k in rc:
                    self.assertEqual(c[k], rc[k], (code, k))

    @unittest.skipUnless(H.CITUS, "Citus only: elsewhere the counters above a district are stored")
    def test_checkins_write_no_counter_above_a_district_on_citus(self):
        # on Citus a check-in writes its counters from its district down; the province's and
        # the cities' coverage sums the districts' rows (docs/SCALING.md): no row a check-in
        # of every district would write, and the sum is still the recount
        for code in CITIES:
            r = ok(*H.as_user("admin", "GET", "/api/v1/residents?unit=%s&limit=1" % code))["items"][0]
            st, b = H.as_user("admin", "POST", "/api/v1/checkins", {"resident_id": r["id"], "channel": "phone"})
            self.assertEqual(st, 201, b)
        written = H.pg_value("SELECT count(*) FROM day_counts d JOIN units u ON u.id = d.unit_id"
                             " WHERE u.kind IN ('province', 'city') AND (d.households_reached <> 0"
                             " OR d.residents_accounted <> 0 OR d.residents_reported <> 0)")
        self.assertEqual(written, "0")
        for code in ["42"] + list(CITIES):
            c, rc = coverage(code), ok(*H.as_user("admin", "GET", "/api/v1/coverage/recount?unit=%s" % code))
            self.assertGreater(c["residents_accounted"], 0, code)
            for k in COUNTERS:
                if k in rc:
                    self.assertEqual(c[k], rc[k], (code, k))

    def test_counters_equal_a_recount_at_every_level(self):
        # check-ins in every city (a fever of the one the next test has with a fever too, so
        # that its totals hold in any order); then every unit down to the grids: its coverage
        # (stored counters, or on Citus the districts' rows summed) equals a count from the rows
        for code in CITIES:
            r = ok(*H.as_user("admin", "GET", "/api/v1/residents?unit=%s&limit=3" % code))["items"]
            for i, p in enumerate(r):
                st, b = H.as_user("admin", "POST", "/api/v1/checkins",
                                  {"resident_id": p["id"], "channel": "phone", "temperature": 38.4 if i == 0 else 36.5})
                self.assertEqual(st, 201, b)
        todo, recount, listed = ["42"], {}, []
        while todo:
            code = todo.pop()
            c, rc = coverage(code), ok(*H.as_user("admin", "GET", "/api/v1/coverage/recount?unit=%s" % code))
            for k in COUNTERS:
                if k in rc:
                    self.assertEqual(c[k], rc[k], (code, c["kind"], k))
            recount[code] = rc
            listed += [x for x in c["children"] if x["kind"] != "building"]
            todo += [x["unit"] for x in c["children"] if x["kind"] != "building"]
        self.assertGreater(len(recount), 3 + 6 + 3 * round(13822 * float(SCALE)))
        # and each unit as its parent's coverage lists it among the children
        for x in listed:
            for k in COUNTERS:
                if k in recount[x["unit"]]:
                    self.assertEqual(x[k], recount[x["unit"]][k], (x["unit"], "as a child", k))

    @unittest.skipUnless(H.CITUS, "Citus only")
    def test_one_district_batch_commits_in_one_phase(self):
        # a grid worker's check-ins of their own grid's residents, one after another (each its
        # own group commit): the check-in, its counters and its audit row are all the
        # district's worker's writes (docs/SCALING.md, citus7), so no commit is two-phase —
        # Citus records each two-phase commit's transactions in pg_dist_transaction until its
        # recovery clears them (a minute later)
        # the first residents of a city (those the other tests check in too, so the totals
        # they assert stay as they are) that live in the first one's grid, and its grid worker
        first = [str(r["id"]) for r in ok(*H.as_user("admin", "GET", "/api/v1/residents?unit=4201&limit=5"))["items"]]
        in_grid = (" FROM users w JOIN units g ON g.id = w.unit_id JOIN units e ON substr(e.path, 1, length(g.path)) = g.path"
                   " JOIN households h ON h.unit_id = e.id JOIN residents r ON r.household_id = h.id"
                   " AND r.district_id = h.district_id WHERE w.role = 'grid_worker'")
        user = H.pg_value("SELECT min(w.username)" + in_grid + " AND r.id = " + first[0])
        people = H.pg_value("SELECT string_agg(DISTINCT r.id::text, ' ')" + in_grid + " AND w.username = '%s'"
                            " AND r.id IN (%s)" % (user, ", ".join(first))).split()
        self.assertGreaterEqual(len(people), 2, (user, first))
        ok(*H.as_user(user, "GET", "/api/v1/coverage"))  # logged in before the count
        gids = lambda: set(H.pg_value("SELECT string_agg(gid, ' ') FROM pg_dist_transaction").split())
        before = gids()
        for rid in people:
            st, b = H.as_user(user, "POST", "/api/v1/checkins", {"resident_id": int(rid), "channel": "phone"})
            self.assertEqual(st, 201, b)
        self.assertEqual(gids() - before, set(), "a one-district check-in committed in two phases")


if __name__ == "__main__":
    unittest.main()
