"""Staffing, part 2 (issue 19; docs/api.md section 13): the per-unit counters behind
GET /vacancies equal a recount after random sequences of every staff write (and the
independent recount of test_staff from the API's other answers); staff's own daily
temperature — a fever takes a grid worker off duty at once and frees their households, a
missed report past the deadline does too, a normal report brings them back; who has not
reported today; the history of how vacancies were filled (who, when, from the volunteer
list or the sign-up link); open help requests and response tasks in the workload; the
staff counts in the daily report.

One server for the module: the qinghe demo at its own size (its staff as test_staff's)."""
import datetime
import random
import time
import unittest

import harness as H
import test_staff as S

COMMUNITY = H.COMMUNITY
G07 = COMMUNITY + "-G07"
B03 = COMMUNITY + "-B03"


def setUpModule():
    H.start(households=4967)


def tearDownModule():
    H.stop()


sec = S.sec
ok = S.ok


def counters_ok():
    c = ok(*H.as_user("admin", "GET", "/api/v1/staff/counters"))
    return c["ok"], c


class A1CountersRandom(unittest.TestCase):
    def test_random_writes_keep_counters(self):
        rnd = random.Random(19)
        grids = ["%s-G%02d" % (COMMUNITY, k) for k in range(1, 17)]
        today = S.today()
        people = [S.new_staff(k, unit=rnd.choice(grids + [COMMUNITY]), name="随机%d" % i)
                  for i, k in enumerate(["grid_leader", "grid_worker", "cadre", "cadre", "grid_worker", "volunteer"])]
        posts = []  # (staff id, assignment id)
        pairs = []
        for step in range(40):
            op = rnd.choice(["assign", "assign", "end", "pair", "unpair", "state", "kind", "unit", "new"])
            p = rnd.choice(people)
            if op == "assign":
                body = {"target": "grid", "unit": rnd.choice(grids),
                        "position": rnd.choice(["grid_leader", "grid_worker"])}
                if rnd.random() < 0.3:  # a post not in force today: begun tomorrow, or ended yesterday
                    if rnd.random() < 0.5:
                        body["from"] = (today + datetime.timedelta(days=2)).isoformat()
                    else:
                        body["from"] = (today - datetime.timedelta(days=5)).isoformat()
                        body["to"] = (today - datetime.timedelta(days=1)).isoformat()
                st, b = sec("POST", "/api/v1/staff/%d/assignments" % p["id"], body)
                if st == 201:
                    posts.append((p["id"], max(a["id"] for a in b["assignments"]) if b["assignments"] else None))
            elif op == "end" and posts:
                sid, aid = posts.pop(rnd.randrange(len(posts)))
                if aid:
                    sec("POST", "/api/v1/staff/%d/assignments" % sid, {"end": aid})
            elif op == "pair":
                cs = [x for x in people if x["kind"] == "cadre"]
                ws = [x for x in people if x["kind"] == "grid_worker"]
                if cs and ws:
                    st, b = sec("POST", "/api/v1/pairs", {"cadre_id": rnd.choice(cs)["id"], "worker_id": rnd.choice(ws)["id"]})
                    if st == 201:
                        pairs.append(b["id"])
            elif op == "unpair" and pairs:
                sec("DELETE", "/api/v1/pairs/%d" % pairs.pop(rnd.randrange(len(pairs))))
            elif op == "state":
                st, b = sec("PATCH", "/api/v1/staff/%d" % p["id"], {"state": rnd.choice(["active", "pending", "retired", "active"])})
                if st == 200:
                    people[people.index(p)] = b
            elif op == "kind":
                body = {"kind": rnd.choice(["grid_leader", "grid_worker", "cadre", "volunteer"])}
                if body["kind"] == "cadre":
                    body["employer"] = "武汉市测试局"
                st, b = sec("PATCH", "/api/v1/staff/%d" % p["id"], body)
                if st == 200:
                    people[people.index(p)] = b
            elif op == "unit":
                st, b = sec("PATCH", "/api/v1/staff/%d" % p["id"], {"unit": rnd.choice(grids)})
                if st == 200:
                    people[people.index(p)] = b
            elif op == "new":
                people.append(S.new_staff(rnd.choice(["grid_worker", "cadre", "volunteer"]), unit=rnd.choice(grids),
                                          name="随机新%d" % step))
            good, c = counters_ok()
            self.assertTrue(good, (step, op, c))
            if step % 8 == 7:
                self.assertEqual(S.vacancies()["counts"], S.recount(), (step, op))
        self.assertEqual(S.vacancies()["counts"], S.recount())


class A2Health(unittest.TestCase):
    def test_a_fever_frees_households_at_once(self):
        me = ok(*H.as_user("gw07", "GET", "/api/v1/staff/me"))
        self.assertTrue(me["must_report"])
        self.assertIsNotNone(me["report_today"])  # the demo's day: everyone reported
        self.assertNotIn(G07, [i["unit"] for i in S.vacancies()["items"] if i["kind"] == "no_worker"])
        got = ok(*H.as_user("gw07", "POST", "/api/v1/staff/me/health", {"temperature": 38.6}), want=201)
        self.assertTrue(got["fever"])
        self.assertTrue(got["off_duty"])
        self.assertEqual(got["off_reason"], "fever")
        self.assertGreater(got["households_freed"], 0)
        v = S.vacancies()
        off = [i for i in v["items"] if i["kind"] == "off_duty" and i["staff_id"] == me["id"]]
        self.assertEqual([(i["unit"], i["reason"]) for i in off if i["target"] == "grid"], [(G07, "fever")])
        self.assertEqual(off[0]["households"], got["households_freed"])
        self.assertIn(G07, [i["unit"] for i in v["items"] if i["kind"] == "no_worker"])
        self.assertEqual(v["counts"], S.recount())
        # a normal re-check the same day does not bring them back: the day's fever stays
        got = ok(*H.as_user("gw07", "POST", "/api/v1/staff/me/health", {"temperature": 36.6}), want=201)
        self.assertTrue(got["fever"])
        self.assertEqual(got["off_reason"], "fever")
        # off duty: no roster
        sh = ok(*sec("GET", "/api/v1/shifts"))["items"][0]
        st, b = sec("POST", "/api/v1/rosters", {"shift_id": sh["id"], "staff_id": me["id"],
                                                "day": (S.today() + datetime.timedelta(days=30)).isoformat()})
        self.assertEqual((st, H.err(b)), (409, ("staff_off_duty", "staff_id")), b)
        # the report counts it
        rep = ok(*sec("GET", "/api/v1/reports/daily?unit=%s" % COMMUNITY))
        self.assertGreaterEqual(rep["staff"]["off_by_reason"]["fever"], 1)
        self.assertEqual(rep["staff"]["vacancies"], v["counts"])
        self.assertEqual(rep["staff"]["on_duty"] + rep["staff"]["off_duty"], rep["staff"]["staff"])
        for r in H.audit_rows(entity="staff_report"):
            self.assertNotIn("38.6", str(r))

    def test_b_bad_input_and_scope(self):
        for body, field in [({}, "temperature"), ({"temperature": "hot"}, "temperature"), ({"temperature": 50}, "temperature"),
                            ({"temperature": 36.5, "mood": 1}, "mood"), ({"temperature": 36.5, "symptoms": ["x"]}, "symptoms")]:
            st, b = H.as_user("vol01", "POST", "/api/v1/staff/me/health", body)
            self.assertEqual((st, H.err(b)[1]), (400, field), (body, b))
        st, b = H.as_user("secretary", "POST", "/api/v1/staff/me/health", {"temperature": 36.5})
        self.assertEqual((st, H.err(b)[0]), (404, "staff_not_found"), b)
        # a leader records for a person in reach; a grid leader of G01 not for G02's worker
        H.add_user("leader01y", "grid_leader", COMMUNITY + "-G01")
        w2 = [s for s in S.all_staff(COMMUNITY + "-G02") if s["kind"] == "grid_worker"][0]
        st, b = H.as_user("leader01y", "POST", "/api/v1/staff/%d/health" % w2["id"], {"temperature": 36.5})
        self.assertEqual(st, 404, b)
        ok(*sec("POST", "/api/v1/staff/%d/health" % w2["id"], {"temperature": 36.5}), want=201)
        st, b = H.as_user("vol01", "POST", "/api/v1/staff/%d/health" % w2["id"], {"temperature": 36.5})
        self.assertEqual(st, 403, b)
        st, b = H.as_user("leader01y", "GET", "/api/v1/staff/unreported?unit=%s" % COMMUNITY)
        self.assertEqual(st, 404, b)

    def test_c_missed_report_past_the_deadline(self):
        v = S.new_staff("volunteer", name="未报志愿者")
        ok(*sec("POST", "/api/v1/staff/%d/assignments" % v["id"], {"target": "grid", "unit": COMMUNITY + "-G03",
                                                                  "position": "grid_worker"}), want=201)
        # on the daily scheme: yesterday's report (late); someone who never reported is not taken off
        never = S.new_staff("volunteer", name="从未上报")
        ok(*sec("POST", "/api/v1/staff/%d/health" % v["id"], {"temperature": 36.5,
                                                              "day": (S.today() - datetime.timedelta(days=1)).isoformat()}), want=201)
        st, b = sec("POST", "/api/v1/staff/%d/health" % v["id"], {"temperature": 36.5, "day": "2020-01-01"})
        self.assertEqual((st, H.err(b)[1]), (400, "day"), b)
        un = ok(*sec("GET", "/api/v1/staff/unreported?unit=%s" % COMMUNITY))
        self.assertIn(v["id"], [i["staff_id"] for i in un["items"]])
        self.assertNotIn(S.all_staff(COMMUNITY + "-G07")[0]["id"], [i["staff_id"] for i in un["items"]])
        # the deadline moved to midnight: the ticker takes whoever has not reported off duty
        r = H.run_cli("config", "set", "staff.report_hour", "0", "--db", H.db_path())
        self.assertEqual(r.returncode, 0, r.stderr)
        try:
            for _ in range(150):
                me = [s for s in S.all_staff() if s["id"] == v["id"]][0]
                if me["off_duty"]:
                    break
                time.sleep(0.2)
            self.assertEqual((me["off_duty"], me["off_reason"]), (True, "missed_report"), me)
            self.assertFalse([s for s in S.all_staff() if s["id"] == never["id"]][0]["off_duty"])
            vac = S.vacancies()
            self.assertIn((v["id"], "missed_report"), [(i["staff_id"], i["reason"]) for i in vac["items"]
                                                       if i["kind"] == "off_duty"])
            self.assertEqual(vac["counts"], S.recount())
            ok(*sec("POST", "/api/v1/staff/%d/health" % v["id"], {"temperature": 36.4}), want=201)
            me = [s for s in S.all_staff() if s["id"] == v["id"]][0]
            self.assertEqual((me["off_duty"], me["off_reason"]), (False, None), me)
            self.assertNotIn(v["id"], [i["staff_id"] for i in ok(*sec("GET", "/api/v1/staff/unreported"))["items"]])
        finally:
            H.run_cli("config", "set", "staff.report_hour", "23", "--db", H.db_path())


class A3Fills(unittest.TestCase):
    def test_history_says_who_when_from_where(self):
        vols = [s for s in S.all_staff() if s["kind"] == "volunteer" and not s["assignments"] and not s["off_duty"]]
        ok(*sec("POST", "/api/v1/staff/%d/assignments" % vols[0]["id"],
                {"target": "grid", "unit": G07, "position": "grid_leader"}), want=201)
        link = ok(*sec("POST", "/api/v1/units/%s/volunteer-link" % COMMUNITY, {}), want=201)
        st, b = H.call("POST", "/api/v1/volunteer-signup", {"token": link["token"], "name": "报名补位", "phone": "13800003333"})
        self.assertEqual(st, 201, b)
        ok(*sec("PATCH", "/api/v1/staff/%d" % b["id"], {"state": "active"}))
        ok(*sec("POST", "/api/v1/teams", {"building": B03, "staff_id": b["id"]}), want=201)
        h = ok(*sec("GET", "/api/v1/vacancies/history?unit=%s" % COMMUNITY))["items"]
        got = [(x["kind"], x["unit"], x["staff_id"], x["from"], x["via"]) for x in h[:2]]
        self.assertEqual(got, [("team_incomplete", B03, b["id"], "signup", "team"),
                               ("no_leader", G07, vols[0]["id"], "volunteer", "assignment")])
        self.assertEqual(h[0]["by"], "桂小妹")
        self.assertTrue(h[0]["at"].startswith(S.today().isoformat()))
        # a post where there was no gap is not a fill
        n = len(h)
        ok(*sec("POST", "/api/v1/staff/%d/assignments" % vols[1]["id"],
                {"target": "grid", "unit": G07, "position": "grid_leader"}), want=201)
        self.assertEqual(len(ok(*sec("GET", "/api/v1/vacancies/history"))["items"]), n)
        st, b = H.as_user("vol01", "GET", "/api/v1/vacancies/history")
        self.assertEqual(st, 403, b)


class A4Workload(unittest.TestCase):
    def test_open_requests_and_tasks(self):
        w = ok(*sec("GET", "/api/v1/workload"))["items"]
        self.assertTrue(all("open_requests" in x and "open_tasks" in x for x in w))
        for user in ("gw02", "gw05"):
            me = [s for s in S.all_staff() if s["username"] == user][0]
            mine = H.list_all(user, "/api/v1/requests?state=open&mine=1")
            row = [x for x in w if x["staff_id"] == me["id"]][0]
            self.assertEqual(row["open_requests"], len(mine), user)
        self.assertGreater(sum(x["open_requests"] for x in w), 0)


if __name__ == "__main__":
    unittest.main()
