"""The check-in curve (GET /coverage/curve): for a grid it is counted from the day's
check-ins by their recording time; for the units above, the server copies the counters
every ten minutes and adds where they stand now.  Either way the last point of today is
the coverage the dashboard shows, the points never go down, and the curve is scoped like
coverage."""
import datetime
import time
import unittest

import harness as H


def setUpModule():
    H.start()


def tearDownModule():
    H.stop()


def china_minute():
    now = datetime.datetime.utcnow() + datetime.timedelta(hours=8)
    return now.hour * 60 + now.minute


def coverage(unit, user="secretary"):
    st, c = H.as_user(user, "GET", "/api/v1/coverage?unit=" + unit)
    assert st == 200, c
    return c


class Curve(unittest.TestCase):
    def checkin(self, n):
        """Readings for the first n living residents of grid 1, as its grid worker."""
        people = H.list_all("gw01", "/api/v1/residents?unit=" + H.G1)
        done = 0
        for p in people:
            if p.get("residence") != "living" or p.get("moved_out"):
                continue
            st, body = H.as_user("gw01", "POST", "/api/v1/checkins",
                                 {"resident_id": p["id"], "temperature": 36.5, "channel": "visit"})
            self.assertEqual(st, 201, body)
            done += 1
            if done == n:
                return

    def assert_monotonic(self, pts, key):
        vals = [p[key] for p in pts]
        self.assertEqual(vals, sorted(vals), pts)
        minutes = [p["minute"] for p in pts]
        self.assertEqual(minutes, sorted(minutes))
        self.assertTrue(all(0 <= m <= 24 * 60 for m in minutes))

    def test_a_grid_curve_counts_its_checkins(self):
        before = coverage(H.G1, "gw01")["residents_reported"]
        self.checkin(7)
        st, c = H.as_user("gw01", "GET", "/api/v1/coverage/curve?unit=" + H.G1)
        self.assertEqual(st, 200, c)
        self.assertEqual(c["source"], "checkins")
        self.assertEqual(c["step_minutes"], 10)
        pts = c["points"]
        self.assertTrue(pts)
        self.assert_monotonic(pts, "residents_reported")
        self.assert_monotonic(pts, "residents_accounted")
        self.assertEqual(pts[-1]["residents_reported"], before + 7)
        self.assertEqual(pts[-1]["residents_reported"], coverage(H.G1, "gw01")["residents_reported"])
        self.assertIsNone(pts[-1]["households_reached"])
        self.assertLessEqual(pts[-1]["minute"], china_minute() + 10)
        yesterday = (datetime.date.fromisoformat(c["day"]) - datetime.timedelta(days=1)).isoformat()
        self.assertEqual(c["previous_day"], yesterday)
        self.assertTrue(all(p["residents_reported"] == 0 for p in c["previous_points"]))

    def test_b_community_curve_from_the_counters(self):
        self.checkin(3)
        # the ticker copies the counters within seconds of the start, then every ten minutes
        deadline = time.time() + 20
        while True:
            st, c = H.as_user("secretary", "GET", "/api/v1/coverage/curve?unit=" + H.COMMUNITY)
            self.assertEqual(st, 200, c)
            if len(c["points"]) >= 2 or time.time() > deadline:
                break
            time.sleep(1)
        self.assertEqual(c["source"], "counters")
        pts = c["points"]
        self.assertGreaterEqual(len(pts), 2, "no copy of the counters was taken")
        self.assert_monotonic(pts, "residents_reported")
        cov = coverage(H.COMMUNITY)
        self.assertEqual(pts[-1]["residents_reported"], cov["residents_reported"])
        self.assertEqual(pts[-1]["households_reached"], cov["households_reached"])
        self.assertEqual(pts[-1]["residents_accounted"], cov["residents_accounted"])
        self.assertLessEqual(pts[0]["residents_reported"], cov["residents_reported"])

    def test_c_scope_and_day(self):
        st, body = H.as_user("gw01", "GET", "/api/v1/coverage/curve?unit=" + H.G2)
        self.assertEqual(st, 404, body)
        st, body = H.as_user("secretary", "GET", "/api/v1/coverage/curve?unit=%s&day=2026-13-01" % H.COMMUNITY)
        self.assertEqual(st, 400, body)
        self.assertEqual(H.err(body), ("invalid_day", "day"))
        # a day long past (before the server ran): only the day's final counters
        st, body = H.as_user("secretary", "GET", "/api/v1/coverage/curve?unit=%s&day=2020-01-01" % H.COMMUNITY)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["points"], [{"minute": 1440, "households_reached": 0, "residents_accounted": 0,
                                           "residents_reported": 0}])
        st, body = H.as_user("auditor", "GET", "/api/v1/coverage/curve")
        self.assertEqual(st, 403, body)


if __name__ == "__main__":
    unittest.main()
