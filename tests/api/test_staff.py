"""Staffing the grids through the API (docs/api.md section 13, issue 19): staff records and
their assignments, cadre ↔ grid worker pairs one-to-one, the five-person team of a
locked-down building, vacancies against an independent recount from the API's other
answers (coverage, staff, pairs, units, shifts, rosters), rosters refusing one person in
two places and short rests after a night shift, a staff member put in a category freeing
their grid at once, duty check-in/out, volunteer sign-up through the community's link,
workload, scope on every new route and bad input naming the field.

One server for the module: the qinghe demo at its own size (4,967 households, 16 grids),
which has its staff: grid 7 without a leader, building 3 locked down with its team one
volunteer short, the gate's shifts rostered for the next two days."""
import datetime
import unittest

import harness as H

COMMUNITY = H.COMMUNITY
G07 = COMMUNITY + "-G07"
B03 = COMMUNITY + "-B03"
CN = datetime.timezone(datetime.timedelta(hours=8))


def setUpModule():
    H.start(households=4967)


def tearDownModule():
    H.stop()


def sec(method, path, body=None):
    return H.as_user("secretary", method, path, body)


def ok(st, b, want=200):
    if st != want:
        raise AssertionError("expected %s, got %s %s" % (want, st, b))
    return b


def today():
    return datetime.datetime.now(CN).date()


def vacancies(unit=COMMUNITY, user="secretary"):
    return ok(*H.as_user(user, "GET", "/api/v1/vacancies?unit=%s&limit=20000" % unit))


def all_staff(unit=COMMUNITY, user="secretary"):
    return H.list_all(user, "/api/v1/staff?unit=%s" % unit)


def recount(unit=COMMUNITY, user="secretary", communities=None):
    """The vacancies of a unit counted again from other answers of the API."""
    grids = {}
    for c in communities or [unit]:
        cov = ok(*H.as_user(user, "GET", "/api/v1/coverage?unit=%s" % c))
        for ch in cov["children"]:
            if ch["kind"] == "grid":
                grids[ch["unit"]] = ch["households_total"]
    threshold = vacancies(unit, user)["threshold"]
    staff = all_staff(unit, user)
    day = today().isoformat()
    leaders = {g: 0 for g in grids}
    workers = {g: 0 for g in grids}
    team = {}
    off = 0
    for s in staff:
        if s["state"] != "active":
            continue
        for a in s["assignments"]:
            if a["from"] > day or (a["to"] and a["to"] < day):
                continue
            if s["off_duty"]:
                off += 1
                continue
            if a["target"] == "grid" and a["unit"] in grids:
                if a["position"] == "grid_leader":
                    leaders[a["unit"]] += 1
                elif a["position"] == "grid_worker":
                    workers[a["unit"]] += 1
            if a["target"] == "building":
                team.setdefault(a["unit"], {}).setdefault(a["position"], 0)
                team[a["unit"]][a["position"]] += 1
    pairs = H.list_all(user, "/api/v1/pairs?unit=%s" % unit)
    paired = {p["cadre"]["id"] for p in pairs} | {p["worker"]["id"] for p in pairs}
    counts = {"no_leader": sum(1 for g in grids if not leaders[g]),
              "no_worker": sum(1 for g in grids if not workers[g]),
              "overloaded": sum(1 for g in grids if workers[g] and grids[g] > threshold * workers[g]),
              "unpaired_cadre": sum(1 for s in staff if s["state"] == "active" and s["kind"] == "cadre"
                                    and s["id"] not in paired),
              "unpaired_worker": sum(1 for s in staff if s["state"] == "active" and s["kind"] == "grid_worker"
                                     and s["id"] not in paired),
              "off_duty": off}
    # locked-down buildings: each building of each grid, its lockdown from the unit page
    incomplete = 0
    for g in grids:
        kids = ok(*H.as_user(user, "GET", "/api/v1/units/%s/children" % g))["items"]
        for b in kids:
            if b["kind"] != "building":
                continue
            u = ok(*H.as_user(user, "GET", "/api/v1/units/%s" % b["code"]))
            lv = u.get("lockdown")
            lv = lv.get("level") if isinstance(lv, dict) else lv
            if lv in ("building", "unit"):
                t = team.get(b["code"], {})
                if t.get("grid_worker", 0) < 1 or t.get("cadre", 0) < 1 or t.get("volunteer", 0) < 3:
                    incomplete += 1
    counts["team_incomplete"] = incomplete
    # shifts starting in the next 48 hours with fewer people on duty than they need
    shifts = ok(*H.as_user(user, "GET", "/api/v1/shifts?unit=%s" % unit))["items"]
    d0, d3 = today() - datetime.timedelta(days=1), today() + datetime.timedelta(days=2)
    rosters = ok(*H.as_user(user, "GET", "/api/v1/rosters?unit=%s&from=%s&to=%s" % (unit, d0, d3)))["items"]
    now = datetime.datetime.now(CN)
    uncovered = 0
    for sh in shifts:
        h, m = map(int, sh["start"].split(":"))
        for k in range(-1, 3):
            d = today() + datetime.timedelta(days=k)
            at = datetime.datetime(d.year, d.month, d.day, h, m, tzinfo=CN)
            if not (now - datetime.timedelta(seconds=1) < at < now + datetime.timedelta(hours=48)):
                continue
            have = sum(1 for r in rosters if r["shift_id"] == sh["id"] and r["day"] == d.isoformat()
                       and not r["off_duty"])
            if have < sh["need"]:
                uncovered += 1
    counts["uncovered_shift"] = uncovered
    return counts


def new_staff(kind, unit=COMMUNITY, **kw):
    body = {"unit": unit, "kind": kind, "name": kw.pop("name", "测试" + kind)}
    if kind == "cadre":
        body["employer"] = "武汉市测试局"
    body.update(kw)
    return ok(*sec("POST", "/api/v1/staff", body), want=201)


class T1Demo(unittest.TestCase):
    def test_qinghe_gaps_and_recount(self):
        v = vacancies()
        no_leader = [i["unit"] for i in v["items"] if i["kind"] == "no_leader"]
        self.assertEqual(no_leader, [G07], v["items"])
        team = [i for i in v["items"] if i["kind"] == "team_incomplete"]
        self.assertEqual([(i["unit"], i["missing"]) for i in team],
                         [(B03, {"grid_worker": 0, "cadre": 0, "volunteer": 1})])
        self.assertEqual({k: n for k, n in v["counts"].items() if n}, {"no_leader": 1, "team_incomplete": 1})
        self.assertEqual(v["total"], sum(v["counts"].values()))
        self.assertEqual({k: n for k, n in v["counts"].items()}, recount())
        # counts for the dashboard
        self.assertEqual(v["staff"]["by_kind"]["volunteer"], 12)
        self.assertEqual(v["staff"]["pairs"], v["staff"]["by_kind"]["cadre"])
        self.assertEqual(v["staff"]["grids"], 16)
        t = ok(*sec("GET", "/api/v1/teams"))["items"]
        self.assertEqual([(x["building"], x["complete"]) for x in t], [(B03, False)])
        self.assertEqual(len(t[0]["members"]), 4)

    def test_accounts_linked(self):
        gw = [s for s in all_staff() if s["username"] == "gw02"]
        self.assertEqual(len(gw), 1)
        self.assertEqual(gw[0]["kind"], "grid_worker")
        self.assertEqual([a["unit"] for a in gw[0]["assignments"] if a["target"] == "grid"], [COMMUNITY + "-G02"])

    def test_phone_masked_per_role_and_audited(self):
        full = [s for s in all_staff() if s["username"] == "vol01"][0]
        self.assertRegex(full["phone"], r"^1\d{10}$")
        st, b = H.as_user("command", "GET", "/api/v1/staff?unit=%s-G01" % COMMUNITY)
        self.assertEqual(st, 200, b)
        self.assertTrue(b["items"])
        for s in b["items"]:
            self.assertNotRegex(s["phone"], r"^1\d{10}$", "command sees phones masked")
            self.assertEqual(s["phone"][-4:].isdigit(), True)
        rows = H.audit_rows(entity="staff")
        self.assertTrue(any(r.get("action") == "list" for r in rows), rows[:3])
        for r in rows:
            self.assertIsNone(H.PHONE_RE.search(str(r)), r)


class T2Pairs(unittest.TestCase):
    def test_one_to_one(self):
        c1 = new_staff("cadre", name="干部甲")
        c2 = new_staff("cadre", name="干部乙")
        w1 = new_staff("grid_worker", name="网格员甲")
        w2 = new_staff("grid_worker", name="网格员乙")
        v = vacancies()
        self.assertGreaterEqual(v["counts"]["unpaired_cadre"], 2)
        self.assertEqual(v["counts"], recount())
        p = ok(*sec("POST", "/api/v1/pairs", {"cadre_id": c1["id"], "worker_id": w1["id"]}), want=201)
        st, b = sec("POST", "/api/v1/pairs", {"cadre_id": c1["id"], "worker_id": w2["id"]})
        self.assertEqual((st, H.err(b)), (409, ("cadre_already_paired", "cadre_id")), b)
        self.assertIn("网格员甲", b["error"]["message"])
        st, b = sec("POST", "/api/v1/pairs", {"cadre_id": c2["id"], "worker_id": w1["id"]})
        self.assertEqual((st, H.err(b)), (409, ("worker_already_paired", "worker_id")), b)
        st, b = sec("POST", "/api/v1/pairs", {"cadre_id": w2["id"], "worker_id": c2["id"]})
        self.assertEqual((st, H.err(b)), (400, ("not_a_cadre", "cadre_id")), b)
        ok(*sec("POST", "/api/v1/pairs", {"cadre_id": c2["id"], "worker_id": w2["id"]}), want=201)
        ok(*sec("DELETE", "/api/v1/pairs/%d" % p["id"]))
        ok(*sec("POST", "/api/v1/pairs", {"cadre_id": c1["id"], "worker_id": w1["id"]}), want=201)
        self.assertEqual(vacancies()["counts"], recount())


class T3Teams(unittest.TestCase):
    def test_locked_building_team_appears_incomplete(self):
        b = COMMUNITY + "-B05"
        self.assertNotIn(b, [x["building"] for x in ok(*sec("GET", "/api/v1/teams"))["items"]])
        self.assertIn(sec("POST", "/api/v1/units/%s/lockdown" % b, {"level": "building", "reason": "测试封控"})[0],
                      (200, 201))
        t = [x for x in ok(*sec("GET", "/api/v1/teams"))["items"] if x["building"] == b]
        self.assertEqual(len(t), 1)
        self.assertFalse(t[0]["complete"])
        self.assertEqual(t[0]["missing"], {"grid_worker": 1, "cadre": 1, "volunteer": 3})
        self.assertIn(b, [i["unit"] for i in vacancies()["items"] if i["kind"] == "team_incomplete"])
        people = [new_staff("grid_worker"), new_staff("cadre")] + [new_staff("volunteer") for _ in range(4)]
        for p in people[:5]:
            ok(*sec("POST", "/api/v1/teams", {"building": b, "staff_id": p["id"]}), want=201)
        st, body = sec("POST", "/api/v1/teams", {"building": b, "staff_id": people[5]["id"]})
        self.assertEqual((st, H.err(body)), (409, ("team_slot_full", "position")), body)
        t = [x for x in ok(*sec("GET", "/api/v1/teams"))["items"] if x["building"] == b][0]
        self.assertTrue(t["complete"], t)
        self.assertNotIn(b, [i["unit"] for i in vacancies()["items"] if i["kind"] == "team_incomplete"])
        self.assertEqual(vacancies()["counts"], recount())
        self.assertIn(sec("POST", "/api/v1/units/%s/lockdown" % b, {"level": "none", "reason": "解封"})[0], (200, 201))
        self.assertNotIn(b, [x["building"] for x in ok(*sec("GET", "/api/v1/teams"))["items"]])

    def test_fill_grid_7_and_building_3_from_volunteers(self):
        vols = [s for s in all_staff() if s["kind"] == "volunteer" and not s["assignments"]]
        ok(*sec("POST", "/api/v1/staff/%d/assignments" % vols[0]["id"],
                {"target": "grid", "unit": G07, "position": "grid_leader"}), want=201)
        ok(*sec("POST", "/api/v1/teams", {"building": B03, "staff_id": vols[1]["id"]}), want=201)
        v = vacancies()
        self.assertNotIn(G07, [i["unit"] for i in v["items"] if i["kind"] == "no_leader"])
        self.assertNotIn(B03, [i["unit"] for i in v["items"] if i["kind"] == "team_incomplete"])
        self.assertEqual(v["counts"], recount())


class T4OffDuty(unittest.TestCase):
    def test_observation_frees_households_at_once(self):
        # a grid with one worker: G07 (267 households)
        ws = [s for s in all_staff(G07) if s["kind"] == "grid_worker"]
        self.assertEqual(len(ws), 1)
        w = ws[0]
        res = ok(*sec("GET", "/api/v1/residents?unit=%s&limit=1" % G07))["items"][0]
        ok(*sec("PATCH", "/api/v1/staff/%d" % w["id"], {"resident_id": res["id"]}))
        self.assertNotIn(G07, [i["unit"] for i in vacancies()["items"] if i["kind"] == "no_worker"])
        ok(*sec("POST", "/api/v1/residents/%d/status" % res["id"],
                {"category": "close_contact", "reason": "contact_tracing"}), want=201)
        v = vacancies()
        off = [i for i in v["items"] if i["kind"] == "off_duty"]
        self.assertIn((w["id"], G07), [(i["staff_id"], i["unit"]) for i in off])
        nw = [i for i in v["items"] if i["kind"] == "no_worker"]
        self.assertEqual([(i["unit"], i["households"] > 0) for i in nw], [(G07, True)])
        self.assertEqual(v["counts"], recount())
        me = [s for s in all_staff(G07) if s["id"] == w["id"]][0]
        self.assertTrue(me["off_duty"])
        # off duty: no new post, no roster
        st, b = sec("POST", "/api/v1/staff/%d/assignments" % w["id"], {"target": "grid", "unit": G07})
        self.assertEqual((st, H.err(b)), (409, ("staff_off_duty", "staff_id")), b)


class T5Rosters(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        def shift(name, start, end):
            return ok(*sec("POST", "/api/v1/shifts", {"kind": "patrol", "unit": COMMUNITY, "name": name,
                                                      "start": start, "end": end}), want=201)
        cls.night = shift("测试夜巡", "22:00", "06:00")
        cls.morning = shift("测试早班", "08:00", "11:00")
        cls.late = shift("测试晚早班", "09:00", "12:00")
        cls.p = new_staff("volunteer", name="排班甲")
        cls.q = new_staff("volunteer", name="排班乙")
        cls.d = today() + datetime.timedelta(days=20)

    def roster(self, shift, person, day=None, week=None):
        body = {"shift_id": shift["id"], "staff_id": person["id"]}
        if day:
            body["day"] = day.isoformat()
        if week:
            body["week"] = week.isoformat()
        return sec("POST", "/api/v1/rosters", body)

    def test_a_night_then_short_rest_refused(self):
        self.assertTrue(self.night["night"])
        self.assertFalse(self.morning["night"])
        ok(*self.roster(self.night, self.p, self.d), want=201)
        st, b = self.roster(self.morning, self.p, self.d + datetime.timedelta(days=1))
        self.assertEqual((st, H.err(b)), (409, ("short_rest", "staff_id")), b)
        self.assertIn("测试夜巡", b["error"]["message"])
        # a night shift right after a day shift is refused the same way
        ok(*self.roster(self.morning, self.q, self.d + datetime.timedelta(days=3)), want=201)
        st, b = self.roster(self.night, self.q, self.d + datetime.timedelta(days=2))
        self.assertEqual((st, H.err(b)), (409, ("short_rest", "staff_id")), b)
        # and a night shift after a day shift: the morning (08–11) then the night from 22:00
        # the same day is 11 hours' rest before the night (was let through: the rule only
        # looked at the rest after a night shift)
        dd = self.d + datetime.timedelta(days=30)
        ok(*self.roster(self.morning, self.q, dd), want=201)
        st, b = self.roster(self.night, self.q, dd)
        self.assertEqual((st, H.err(b)), (409, ("short_rest", "staff_id")), b)
        self.assertIn("测试早班", b["error"]["message"])
        # the same two the other way round: the night first, then the morning before it
        ok(*self.roster(self.night, self.p, dd), want=201)
        st, b = self.roster(self.morning, self.p, dd)
        self.assertEqual((st, H.err(b)), (409, ("short_rest", "staff_id")), b)
        # the rest is a setting
        r = H.run_cli("config", "set", "staff.rest_hours", "1", "--db", H.db_path())
        self.assertEqual(r.returncode, 0, r.stderr)
        try:
            ok(*self.roster(self.morning, self.p, self.d + datetime.timedelta(days=1)), want=201)
        finally:
            H.run_cli("config", "set", "staff.rest_hours", "12", "--db", H.db_path())

    def test_b_two_places_at_once_refused(self):
        d = self.d + datetime.timedelta(days=5)
        ok(*self.roster(self.morning, self.p, d), want=201)
        st, b = self.roster(self.late, self.p, d)
        self.assertEqual((st, H.err(b)), (409, ("roster_conflict", "staff_id")), b)
        st, b = self.roster(self.morning, self.p, d)
        self.assertEqual((st, H.err(b)), (409, ("roster_conflict", "staff_id")), b)

    def test_c_week_and_swap(self):
        wk = self.d + datetime.timedelta(days=10)
        got = ok(*self.roster(self.late, self.q, week=wk), want=201)["items"]
        self.assertEqual([x["day"] for x in got], [(wk + datetime.timedelta(days=k)).isoformat() for k in range(7)])
        listed = ok(*sec("GET", "/api/v1/rosters?unit=%s&from=%s&to=%s" % (COMMUNITY, wk, wk + datetime.timedelta(days=6))))
        self.assertEqual(sum(1 for x in listed["items"] if x["staff_id"] == self.q["id"]), 7)
        # a week that collides on one day is refused whole
        ok(*self.roster(self.morning, self.p, wk + datetime.timedelta(days=3)), want=201)
        st, b = self.roster(self.late, self.p, week=wk)
        self.assertEqual((st, H.err(b)), (409, ("roster_conflict", "staff_id")), b)
        listed = ok(*sec("GET", "/api/v1/rosters?unit=%s&from=%s&to=%s" % (COMMUNITY, wk, wk + datetime.timedelta(days=6))))
        self.assertEqual(sum(1 for x in listed["items"] if x["staff_id"] == self.p["id"]), 1)
        # swap: to p on the day p is on the morning shift (overlap) refused; another day fine
        e3 = [x for x in got if x["day"] == (wk + datetime.timedelta(days=3)).isoformat()][0]
        st, b = sec("POST", "/api/v1/rosters/%d/swap" % e3["id"], {"staff_id": self.p["id"]})
        self.assertEqual((st, H.err(b)), (409, ("roster_conflict", "staff_id")), b)
        e4 = [x for x in got if x["day"] == (wk + datetime.timedelta(days=4)).isoformat()][0]
        sw = ok(*sec("POST", "/api/v1/rosters/%d/swap" % e4["id"], {"staff_id": self.p["id"]}))
        self.assertEqual(sw["staff_id"], self.p["id"])

    def test_d_uncovered_shift_counted(self):
        ok(*sec("POST", "/api/v1/shifts", {"kind": "patrol", "unit": COMMUNITY, "name": "无人班",
                                           "start": "00:00", "end": "23:59", "need": 2}), want=201)
        v = vacancies()
        self.assertGreaterEqual(v["counts"]["uncovered_shift"], 1)
        self.assertEqual(v["counts"], recount())

    def test_e_duty_check_in_and_out(self):
        vol = [s for s in all_staff() if s["username"] == "vol02"][0]
        now = datetime.datetime.now(CN)
        sh = ok(*sec("POST", "/api/v1/shifts", {"kind": "patrol", "unit": COMMUNITY, "name": "签到测试",
                                                "start": "%02d:00" % now.hour, "end": "%02d:00" % ((now.hour + 1) % 24)}),
                want=201)
        r = ok(*self.roster(sh, vol, now.date()), want=201)["items"][0]
        st, b = H.as_user("vol01", "POST", "/api/v1/rosters/%d/duty" % r["id"], {"action": "in"})
        self.assertEqual((st, H.err(b)), (404, ("roster_not_found", "roster_id")), b)  # not vol01's, nor in reach
        got = ok(*H.as_user("vol02", "POST", "/api/v1/rosters/%d/duty" % r["id"], {"action": "in"}))
        self.assertIsNotNone(got["checked_in_at"])
        st, b = H.as_user("vol02", "POST", "/api/v1/rosters/%d/duty" % r["id"], {"action": "in"})
        self.assertEqual((st, H.err(b)), (409, ("already_checked_in", "action")), b)
        got = ok(*H.as_user("vol02", "POST", "/api/v1/rosters/%d/duty" % r["id"], {"action": "out"}))
        self.assertIsNotNone(got["checked_out_at"])
        w = ok(*sec("GET", "/api/v1/workload"))["items"]
        mine = [x for x in w if x["staff_id"] == vol["id"]][0]
        self.assertGreater(mine["hours_planned"], 0)


class T6Signup(unittest.TestCase):
    def test_signup_through_link_then_approved(self):
        link = ok(*sec("POST", "/api/v1/units/%s/volunteer-link" % COMMUNITY, {}), want=201)
        self.assertIn(link["token"], link["url"])
        self.assertTrue(link["svg"].startswith("<svg") or "<svg" in link["svg"][:200])
        st, b = H.call("POST", "/api/v1/volunteer-signup", {"token": "0" * 32, "name": "张三", "phone": "13800001111"})
        self.assertEqual((st, H.err(b)), (404, ("link_not_found", "token")), b)
        st, b = H.call("POST", "/api/v1/volunteer-signup", {"token": link["token"], "name": "张三", "phone": "12"})
        self.assertEqual((st, H.err(b)), (400, ("invalid_phone", "phone")), b)
        st, b = H.call("POST", "/api/v1/volunteer-signup", {"token": link["token"], "name": "报名志愿者",
                                                            "phone": "13800001111", "skills": ["driver", "medical"],
                                                            "availability": "晚上"})
        self.assertEqual(st, 201, b)
        self.assertEqual(b["state"], "pending")
        pend = H.list_all("secretary", "/api/v1/staff?unit=%s&state=pending" % COMMUNITY)
        me = [s for s in pend if s["id"] == b["id"]][0]
        self.assertEqual((me["name"], me["skills"], me["source"]), ("报名志愿者", ["driver", "medical"], "signup"))
        st, e = sec("POST", "/api/v1/staff/%d/assignments" % me["id"], {"target": "grid", "unit": G07})
        self.assertEqual((st, H.err(e)), (409, ("staff_not_active", "staff_id")), e)
        ok(*sec("PATCH", "/api/v1/staff/%d" % me["id"], {"state": "active"}))
        ok(*sec("POST", "/api/v1/staff/%d/assignments" % me["id"], {"target": "grid", "unit": G07}), want=201)
        # a new link replaces the old one
        ok(*sec("POST", "/api/v1/units/%s/volunteer-link" % COMMUNITY, {}), want=201)
        st, b = H.call("POST", "/api/v1/volunteer-signup", {"token": link["token"], "name": "迟到", "phone": "13800002222"})
        self.assertEqual(st, 404, b)
        for r in H.audit_rows(entity="staff"):
            self.assertIsNone(H.PHONE_RE.search(str(r)), r)


class T7BadInput(unittest.TestCase):
    def test_fields_named(self):
        cases = [
            ("POST", "/api/v1/staff", {"unit": COMMUNITY, "kind": "boss", "name": "x"}, "kind"),
            ("POST", "/api/v1/staff", {"unit": COMMUNITY, "kind": "volunteer", "name": "x", "phone": "12ab"}, "phone"),
            ("POST", "/api/v1/staff", {"unit": COMMUNITY, "kind": "volunteer", "name": "x", "skills": ["juggling"]},
             "skills"),
            ("POST", "/api/v1/staff", {"unit": COMMUNITY, "kind": "cadre", "name": "x"}, "employer"),
            ("POST", "/api/v1/staff", {"unit": COMMUNITY, "kind": "cadre", "name": "x", "employer": "y",
                                       "sent_from": "2026-13-01"}, "sent_from"),
            ("POST", "/api/v1/staff", {"unit": "nowhere", "kind": "volunteer", "name": "x"}, "unit"),
            ("POST", "/api/v1/staff", {"unit": COMMUNITY, "kind": "volunteer"}, "name"),
            ("POST", "/api/v1/staff", {"unit": COMMUNITY, "kind": "volunteer", "name": "x", "color": 1}, "color"),
            ("POST", "/api/v1/shifts", {"kind": "patrol", "unit": COMMUNITY, "name": "x", "start": "25:00",
                                        "end": "08:00"}, "start"),
            ("POST", "/api/v1/shifts", {"kind": "checkpoint", "name": "x", "start": "08:00", "end": "09:00"}, "gate_id"),
            ("POST", "/api/v1/shifts", {"kind": "dance", "unit": COMMUNITY, "name": "x", "start": "08:00",
                                        "end": "09:00"}, "kind"),
            ("POST", "/api/v1/rosters", {"shift_id": 1, "staff_id": 1}, "day"),
            ("POST", "/api/v1/rosters", {"shift_id": 1, "staff_id": 1, "day": "tomorrow"}, "day"),
            ("POST", "/api/v1/pairs", {"cadre_id": "one", "worker_id": 1}, "cadre_id"),
            ("POST", "/api/v1/teams", {"building": G07, "staff_id": 1}, "building"),
        ]
        for m, p, body, field in cases:
            st, b = sec(m, p, body)
            self.assertEqual((st, H.err(b)[1]), (400, field), (p, body, b))
            if field not in ("cadre_id", "name", "color"):  # the JSON reader's own messages
                self.assertIn(" / ", b["error"]["message"], "zh / en")
        s = [x for x in all_staff() if x["kind"] == "volunteer"][0]
        for body, field in [({"target": "moon"}, "target"), ({"target": "grid", "unit": B03}, "unit"),
                            ({"target": "checkpoint"}, "gate_id"), ({"target": "grid", "unit": G07, "from": "x"}, "from"),
                            ({"target": "grid", "unit": G07, "position": "king"}, "position")]:
            st, b = sec("POST", "/api/v1/staff/%d/assignments" % s["id"], body)
            self.assertEqual((st, H.err(b)[1]), (400, field), (body, b))
        for q, field in [("kind=boss", "kind"), ("unit=nowhere", "unit")]:
            st, b = sec("GET", "/api/v1/staff?" + q)
            self.assertIn(st, (400, 404), b)
            self.assertEqual(H.err(b)[1], field, b)
        st, b = sec("GET", "/api/v1/vacancies?kind=boss")
        self.assertEqual((st, H.err(b)[1]), (400, "kind"), b)
        st, b = sec("GET", "/api/v1/rosters?from=2026-02-30")
        self.assertEqual((st, H.err(b)[1]), (400, "from"), b)


class T8Scope(unittest.TestCase):
    def test_every_route_scoped(self):
        g2 = COMMUNITY + "-G02"
        other = [s for s in all_staff(g2) if s["kind"] == "cadre"][0]
        otherw = [s for s in all_staff(g2) if s["kind"] == "grid_worker"][0]
        H.add_user("leader07x", "grid_leader", COMMUNITY + "-G01")
        pairs = H.list_all("secretary", "/api/v1/pairs?unit=%s" % g2)
        sh = ok(*sec("GET", "/api/v1/shifts"))["items"][0]
        rost = ok(*sec("GET", "/api/v1/rosters?unit=%s" % COMMUNITY))["items"][0]
        # a grid leader of G01: the rest of the community is out of reach (404)
        for m, p, body in [
            ("GET", "/api/v1/staff?unit=%s" % g2, None),
            ("GET", "/api/v1/staff?unit=%s" % COMMUNITY, None),
            ("PATCH", "/api/v1/staff/%d" % other["id"], {"name": "x"}),
            ("POST", "/api/v1/staff/%d/assignments" % other["id"], {"target": "grid", "unit": COMMUNITY + "-G01"}),
            ("GET", "/api/v1/pairs?unit=%s" % g2, None),
            ("POST", "/api/v1/pairs", {"cadre_id": other["id"], "worker_id": otherw["id"]}),
            ("DELETE", "/api/v1/pairs/%d" % pairs[0]["id"], None),
            ("GET", "/api/v1/teams?unit=%s" % COMMUNITY, None),
            ("GET", "/api/v1/vacancies?unit=%s" % COMMUNITY, None),
            ("GET", "/api/v1/workload?unit=%s" % g2, None),
            ("GET", "/api/v1/shifts?unit=%s" % COMMUNITY, None),
            ("GET", "/api/v1/rosters?unit=%s" % COMMUNITY, None),
            ("POST", "/api/v1/rosters/%d/swap" % rost["id"], {"staff_id": other["id"]}),
            ("POST", "/api/v1/rosters/%d/duty" % rost["id"], {"action": "in"}),
            ("POST", "/api/v1/units/%s/volunteer-link" % COMMUNITY, {}),
        ]:
            st, b = H.as_user("leader07x", m, p, body)
            self.assertIn(st, (400, 404), (m, p, b))
        for m, p, body in [("POST", "/api/v1/shifts", {"kind": "checkpoint", "gate_id": sh["gate_id"], "name": "x",
                                                      "start": "08:00", "end": "09:00"}),
                           ("POST", "/api/v1/rosters", {"shift_id": sh["id"], "staff_id": other["id"], "day": "2030-01-01"}),
                           ("POST", "/api/v1/teams", {"building": B03, "staff_id": other["id"]}),
                           ("POST", "/api/v1/staff", {"unit": g2, "kind": "volunteer", "name": "x"})]:
            st, b = H.as_user("leader07x", m, p, body)
            self.assertEqual(st, 400, (m, p, b))  # the field naming what is out of reach
        # roles: the auditor reads no staff; a volunteer neither reads vacancies nor staffs
        for user, m, p, body in [("auditor", "GET", "/api/v1/staff", None), ("auditor", "GET", "/api/v1/vacancies", None),
                                 ("vol01", "GET", "/api/v1/vacancies", None), ("vol01", "GET", "/api/v1/staff", None),
                                 ("vol01", "POST", "/api/v1/pairs", {"cadre_id": 1, "worker_id": 2}),
                                 ("gw01", "POST", "/api/v1/staff", {"unit": COMMUNITY, "kind": "volunteer", "name": "x"}),
                                 ("checkpoint", "POST", "/api/v1/rosters", {"shift_id": 1, "staff_id": 1, "day": "2030-01-01"})]:
            st, b = H.as_user(user, m, p, body)
            self.assertEqual(st, 403, (user, m, p, b))
        # and the leader sees its own grid
        v = ok(*H.as_user("leader07x", "GET", "/api/v1/vacancies?unit=%s-G01" % COMMUNITY))
        self.assertEqual(v["counts"], recount(COMMUNITY + "-G01", "leader07x"))


if __name__ == "__main__":
    unittest.main()
