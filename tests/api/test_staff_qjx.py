"""前进巷's checkpoint rosters (issue 19): the qianjinxiang demo staffs its 8 checkpoints
with 43 people — a duty team of five at each, a day and a night shift of two rostered for a
week, twelve volunteers from the sign-up link, the checkpoint accounts linked — so no shift
of the next 48 hours is uncovered, and the counters equal their recount; its eleven compounds
have their grid staff too (a leader, a worker with the account gwNN, a paired cadre)."""
import unittest

import harness as H
import test_staff as S

C = "150105003008"  # 前进巷社区


def setUpModule():
    H.start(households=2600, preset="qianjinxiang")


def tearDownModule():
    H.stop()


class Checkpoints(unittest.TestCase):
    def test_rosters_of_the_eight(self):
        everyone = S.all_staff(C)
        # the eleven compounds' grid staff (a leader, a worker and a paired cadre each, the
        # accounts gw01… and cadre01… among them), and the 43 of the checkpoints
        grid_staff = [s for s in everyone if any(a["target"] == "grid" for a in s["assignments"])]
        staff = [s for s in everyone if s not in grid_staff]
        self.assertEqual(len(staff), 43)
        self.assertEqual(len(grid_staff), 33)
        self.assertIn("gw01", {s["username"] for s in grid_staff})
        self.assertEqual(sum(1 for s in staff if s["source"] == "signup"), 12)
        self.assertEqual(sorted(s["username"] for s in staff if s["username"]), ["kk%02d" % k for k in range(1, 9)])
        gates = {a["gate_id"] for s in staff for a in s["assignments"] if a["target"] == "checkpoint"}
        self.assertEqual(len(gates), 8)
        shifts = S.ok(*S.sec("GET", "/api/v1/shifts?unit=%s" % C))["items"]
        self.assertEqual(len(shifts), 16)
        self.assertEqual(sorted({s["gate_id"] for s in shifts}), sorted(gates))
        self.assertEqual(sum(1 for s in shifts if s["night"]), 8)
        v = S.vacancies(C)
        self.assertEqual(v["counts"]["uncovered_shift"], 0, v["items"])
        self.assertEqual((v["counts"]["no_worker"], v["counts"]["no_leader"]), (0, 0), v["items"])
        self.assertEqual(v["counts"], S.recount(C))
        self.assertTrue(S.ok(*H.as_user("admin", "GET", "/api/v1/staff/counters"))["ok"])
        r = S.ok(*S.sec("GET", "/api/v1/rosters?unit=%s" % C))["items"]
        self.assertEqual(len(r), 8 * 4 * 7)  # from today, seven days: two by day and two by night at each
        me = S.ok(*H.as_user("kk01", "GET", "/api/v1/staff/me"))
        self.assertEqual(me["assignments"][0]["target"], "checkpoint")


if __name__ == "__main__":
    unittest.main()
