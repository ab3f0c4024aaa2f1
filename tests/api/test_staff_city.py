"""Staffing on the city preset (issue 19): Wuhan's rate of grids short of staff (1,573 of
13,001, here short of a leader, spread evenly over the grids in path order), every grid
worker paired with a cadre, and GET /vacancies at city level equal to a recount from the
API's other answers (coverage per community, staff, pairs, units, shifts, rosters).

Its own server on the city preset at scale 0.002 (28 grids in 3 communities; on PostgreSQL
the city is built a community at a time, slower than the harness's two minutes allow)."""
import unittest

import harness as H
import test_staff as S

SCALE = "0.002"


def setUpModule():
    run = H.run_cli

    def with_scale(*args, **kw):  # the harness builds `demo --preset city`; at this scale
        if args and args[0] == "demo":
            args = args + ("--scale", SCALE)
            kw["timeout"] = 900
        return run(*args, **kw)
    H.run_cli = with_scale
    try:
        H.start(preset="city")
    finally:
        H.run_cli = run


def tearDownModule():
    H.stop()


def communities(user="admin"):
    out, todo = [], ["4201"]
    while todo:
        code = todo.pop()
        for u in S.ok(*H.as_user(user, "GET", "/api/v1/units/%s/children" % code))["items"]:
            if u["kind"] == "community":
                out.append(u["code"])
            elif u["kind"] in ("district", "street"):
                todo.append(u["code"])
    return sorted(out)


class CityVacancies(unittest.TestCase):
    def test_wuhan_rate_and_recount(self):
        v = S.vacancies("4201", "admin")
        grids = v["staff"]["grids"]
        self.assertEqual(grids, round(13822 * float(SCALE)))
        # grid k (path order) is short when k·1573 mod 13001 < 1573
        short = sum(1 for k in range(grids) if k * 1573 % 13001 < 1573)
        self.assertEqual(v["counts"]["no_leader"], short)
        self.assertEqual(v["staff"]["by_kind"]["grid_leader"], grids - short)
        self.assertEqual(v["staff"]["pairs"], v["staff"]["by_kind"]["cadre"])
        self.assertEqual(v["staff"]["pairs"], v["staff"]["by_kind"]["grid_worker"])
        self.assertEqual(v["counts"], S.recount("4201", "admin", communities()))
        self.assertEqual(v["total"], sum(v["counts"].values()))
        # a district's vacancies are the city's that lie in it
        dist = S.ok(*H.as_user("admin", "GET", "/api/v1/units/4201/children"))["items"][0]["code"]
        d = S.vacancies(dist, "admin")
        self.assertEqual(d["counts"]["no_leader"],
                         sum(1 for i in v["items"] if i["kind"] == "no_leader" and i["unit"].startswith(dist)))

    def test_limit_keeps_counts(self):
        v = S.ok(*H.as_user("admin", "GET", "/api/v1/vacancies?limit=1"))
        self.assertEqual(len(v["items"]), 1)
        self.assertTrue(v["truncated"])
        self.assertEqual(v["total"], S.vacancies("4201", "admin")["total"])


if __name__ == "__main__":
    unittest.main()
