"""Closed compounds through the API (docs/api.md section 12, issue 16): gates and their
state's history, passages with their computed reasons (the gate, lockdown, category and
isolation, the household's quota and pass, a visitor's health code and test, a fever),
the counters kept with each passage against a recount from the log, household passes,
idempotent client ids, and the scope of the checkpoint role on every new route.

One server for the module (the qinghe demo, 600 households, seed 7).  The demo's compound
is the community itself: 5 gates, 2 open (东区1号门, 西区5号门), and its rules (one outing
per household a day, two hours outside).  Each test takes its own households from a shared
allocator and makes its own gates, so the tests do not disturb each other; building B03 is
the lockdown test's alone.  There is no injectable clock in the server: an expired pass
and an old test are made by moving dates in the store or by giving an old test time."""
import datetime
import os
import sqlite3
import subprocess
import unittest

import harness as H

CHINA = datetime.timezone(datetime.timedelta(hours=8))
POP = {}
USED = set()
SEQ = {"gate": 0, "client": 0}


def setUpModule():
    H.start(setup=_load)


def tearDownModule():
    H.stop()


def _load():
    H.load_population(POP)
    st, b = H.as_user("checkpoint", "GET", "/api/v1/gates")
    assert st == 200, b
    POP["gates"] = {g["name"]: g for g in b["items"]}


def store_sql(stmt):
    """One statement on the server's store behind its back (stands in for a clock)."""
    if os.environ.get("WANGGE_TEST_PG"):
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", H.db_path(), "-c", stmt],
                       check=True, capture_output=True)
        return
    con = sqlite3.connect(H.db_path(), timeout=30)
    try:
        con.execute(stmt)
        con.commit()
    finally:
        con.close()


def household(size=1, building=None, exclude=("B03",)):
    """An unused household with exactly `size` living members: (id, [resident ids])."""
    for hid, members in sorted(POP["living"].items()):
        if hid in USED or len(members) != size:
            continue
        code = POP["res"][members[0]]["unit_code"]
        if building and building not in code:
            continue
        if any(x in code for x in exclude):
            continue
        USED.add(hid)
        return hid, members
    raise AssertionError("no unused household of %d" % size)


def person(building=None, exclude=("B03",)):
    return household(1, building, exclude)[1][0]


def new_gate(kinds=None, hours=None, unit=H.COMMUNITY, user="secretary"):
    SEQ["gate"] += 1
    body = {"unit": unit, "name": "测试%d号门" % SEQ["gate"]}
    if kinds:
        body["kinds"] = kinds
    if hours:
        body["hours"] = hours
    st, b = H.as_user(user, "POST", "/api/v1/gates", body)
    if st != 201:
        raise AssertionError("POST /gates: %s %s" % (st, b))
    return b


def client_id():
    SEQ["client"] += 1
    return "gate-test-%d" % SEQ["client"]


def fresh_test(hours_ago=6):
    return (datetime.datetime.now(CHINA) - datetime.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def courier(code="green", hours_ago=6, goods_only=True, kind="courier", **kw):
    v = {"kind": kind, "name": "刘师傅", "phone": "13907130001", "company": "顺丰速运",
         "health_code": code, "test_at": fresh_test(hours_ago), "test_result": "negative",
         "goods_only": goods_only}
    v.update(kw)
    return v


def passage(gate, direction, user="checkpoint", expect=201, temperature=36.5, **kw):
    body = {"gate_id": gate, "direction": direction, "temperature": temperature}
    body.update(kw)
    st, b = H.as_user(user, "POST", "/api/v1/passages", body)
    if st != expect:
        raise AssertionError("POST /passages %s as %s: expected %s, got %s %s" % (body, user, expect, st, b))
    return b


def codes(p):
    return [r["code"] for r in p["reasons"]]


def recount(items):
    """The counters of a gate's day, counted from its log as the server keeps them."""
    c = {}
    for p in items:
        if p["allowed"]:
            keys = ["goods" if p["goods_only"] else "%s:%s" % (p["direction"], p["kind"])]
        else:
            keys = ["refused"] + ["refused:" + r["code"] for r in p["reasons"]]
        for k in keys:
            c[k] = c.get(k, 0) + 1
    return c


def log(gate, user="secretary"):
    return H.list_all(user, "/api/v1/passages?gate=%d" % gate)


class GatesTest(unittest.TestCase):
    def assertErr(self, res, status, code=None, field=None):
        st, b = res
        self.assertEqual(st, status, b)
        c, f = H.err(b)
        if code:
            self.assertEqual(c, code, b)
        if field:
            self.assertEqual(f, field, b)

    # ---- gates ----

    def test_demo_has_five_gates_two_open(self):
        names = ["东区1号门", "东区2号门", "西区3号门", "西区4号门", "西区5号门"]
        gates = [POP["gates"][n] for n in names]
        self.assertEqual([g["state"] for g in gates], ["open", "merged", "closed", "merged", "open"])
        self.assertEqual(gates[1]["merged_into"]["name"], "东区1号门")
        self.assertEqual(gates[3]["merged_into"]["name"], "西区5号门")
        st, b = H.as_user("checkpoint", "GET", "/api/v1/gates/%d/now" % gates[3]["id"])
        self.assertEqual(st, 200, b)
        self.assertEqual([h["state"] for h in b["history"]], ["merged", "open"])
        # a merged gate refuses and names where to go
        p = passage(gates[3]["id"], "out", resident_id=person(), purpose="supplies")
        self.assertFalse(p["allowed"])
        self.assertEqual(codes(p), ["gate_merged"])
        self.assertIn("西区5号门", p["reasons"][0]["message"])

    def test_state_history_and_merging(self):
        a, b = new_gate(), new_gate(kinds=["people", "goods"])
        st, g = H.as_user("secretary", "POST", "/api/v1/gates/%d/state" % a["id"],
                          {"state": "merged", "into": b["id"], "reason": "封闭管理，合并卡口"})
        self.assertEqual(st, 200, g)
        self.assertEqual((g["state"], g["merged_into"]["id"]), ("merged", b["id"]))
        self.assertEqual(g["history"][0]["by"], "secretary")
        self.assertEqual(g["history"][0]["reason"], "封闭管理，合并卡口")
        # the gate others are merged into cannot close first
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/gates/%d/state" % b["id"],
                                 {"state": "closed", "reason": "x"}), 409, "gate_has_merged", "state")
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/gates/%d/state" % b["id"],
                                 {"state": "merged", "into": b["id"], "reason": "x"}), 400, "invalid_into", "into")
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/gates/%d/state" % b["id"],
                                 {"state": "merged", "reason": "x"}), 400, "required", "into")
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/gates/%d/state" % a["id"],
                                 {"state": "open"}), 400, "required", "reason")
        st, g = H.as_user("secretary", "POST", "/api/v1/gates/%d/state" % a["id"],
                          {"state": "open", "reason": "解除封闭"})
        self.assertEqual((st, g["state"], g["merged_into"]), (200, "open", None))
        self.assertEqual([h["state"] for h in g["history"]], ["open", "merged", "open"])
        # validation of a new gate
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/gates", {"unit": H.COMMUNITY, "name": a["name"]}),
                       409, "duplicate_gate", "name")
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/gates",
                                 {"unit": H.COMMUNITY, "name": "坏门", "hours": "25:00-06:00"}), 400, "invalid_hours", "hours")
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/gates",
                                 {"unit": H.COMMUNITY, "name": "坏门", "kinds": ["boats"]}), 400, "invalid_kinds", "kinds")
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/gates", {"unit": H.B01, "name": "楼门"}),
                       400, "not_a_compound", "unit")

    def test_closed_gate_and_hours(self):
        g = new_gate()
        H.as_user("secretary", "POST", "/api/v1/gates/%d/state" % g["id"], {"state": "closed", "reason": "夜间关闭"})
        p = passage(g["id"], "in", resident_id=person())
        self.assertEqual((p["allowed"], codes(p)), (False, ["gate_closed"]))
        now = datetime.datetime.now(CHINA)
        opens, closes = now + datetime.timedelta(hours=1), now + datetime.timedelta(hours=2)
        h = new_gate(hours="%s-%s" % (opens.strftime("%H:%M"), closes.strftime("%H:%M")))
        self.assertFalse(h["open_now"])
        p = passage(h["id"], "in", resident_id=person())
        self.assertEqual((p["allowed"], codes(p)), (False, ["gate_hours"]))
        # a people-only gate takes no vehicle
        p = passage(new_gate()["id"], "in", visitor=courier(plate="鄂A12345", goods_only=False, kind="supplier"))
        self.assertEqual(codes(p), ["gate_no_vehicles"])

    # ---- the rules of passage ----

    def test_scripted_day_counters_equal_recount(self):
        north, south = new_gate(kinds=["people", "goods"]), new_gate(kinds=["people", "goods"])
        N, S = north["id"], south["id"]
        singles = [person() for _ in range(7)]
        _, pair = household(2)
        expect_refused = 0
        for i, rid in enumerate(singles[:6]):
            self.assertTrue(passage(N if i % 2 else S, "out", resident_id=rid, purpose="supplies")["allowed"])
        for rid in singles[:3]:
            self.assertTrue(passage(S, "in", resident_id=rid)["allowed"])
        self.assertTrue(passage(N, "in", resident_id=singles[3])["allowed"])
        # a household of two: the first goes out, the second finds the quota used
        self.assertTrue(passage(N, "out", resident_id=pair[0], purpose="supplies")["allowed"])
        p = passage(N, "out", resident_id=pair[1], purpose="supplies")
        self.assertEqual(codes(p), ["quota_used"])
        expect_refused += 1
        # medical care is never counted against the quota
        self.assertTrue(passage(S, "out", resident_id=pair[1], purpose="medical")["allowed"])
        # couriers hand over at the gate; a red code is refused; a visitor in and out
        self.assertTrue(passage(N, "in", visitor=courier())["allowed"])
        self.assertTrue(passage(N, "in", visitor=courier(name="王师傅"))["allowed"])
        self.assertFalse(passage(S, "in", visitor=courier(code="red"))["allowed"])
        expect_refused += 1
        v = courier(kind="visitor", goods_only=False, name="探视人", visiting="1栋502", id_number=H.make_id(seq=401))
        self.assertTrue(passage(S, "in", visitor=v)["allowed"])
        left = passage(S, "out", visitor={"kind": "visitor", "name": "探视人"})
        self.assertTrue(left["allowed"])
        self.assertIsNone(left["visitor"]["health_code"])  # none shown going out, none recorded
        # a fever coming in
        p = passage(S, "in", resident_id=singles[6], temperature=38.1)
        self.assertEqual(codes(p), ["fever"])
        expect_refused += 1

        for gid in (N, S):
            items = log(gid)
            st, now = H.as_user("checkpoint", "GET", "/api/v1/gates/%d/now" % gid)
            self.assertEqual(st, 200, now)
            self.assertEqual(now["counts"], recount(items), "gate %d" % gid)
            # who is outside, from the log: a resident whose last allowed passage was out here
            last = {}
            for p in items + log(N if gid == S else S):
                if p["allowed"] and p["person"]:
                    prev = last.get(p["person"]["id"])
                    if prev is None or p["id"] > prev["id"]:
                        last[p["person"]["id"]] = p
            outside = [r for r, p in last.items() if p["direction"] == "out" and p["gate"]["id"] == gid]
            self.assertEqual(now["outside"], len(outside), "gate %d" % gid)
        self.assertEqual(sum(v for k, v in recount(log(N) + log(S)).items() if k == "refused"), expect_refused)
        st, c = H.as_user("secretary", "GET", "/api/v1/compounds/%s/now" % H.COMMUNITY)
        self.assertEqual(st, 200, c)
        out_ids = {p["resident_id"] for p in c["outside"]["people"]}
        self.assertTrue({singles[4], singles[5], pair[0], pair[1]} <= out_ids, c["outside"])
        self.assertFalse({singles[0], singles[1], singles[2], singles[3]} & out_ids)
        self.assertEqual(c["outside"]["count"], len(c["outside"]["people"]))
        for k in ("goods", "refused", "out:resident", "in:resident"):
            self.assertGreaterEqual(c["counts"][k], recount(log(N) + log(S))[k])

    def test_locked_building_refused_exit(self):
        rid = person(building="B03", exclude=())
        g = new_gate()
        st, b = H.as_user("secretary", "POST", "/api/v1/units/%s/lockdown" % H.B03,
                          {"level": "building", "reason": "确诊病例 / test"})
        self.assertEqual(st, 201, b)
        try:
            p = passage(g["id"], "out", resident_id=rid, purpose="supplies")
            self.assertEqual(codes(p), ["building_locked"])
            self.assertIn("3栋已封控（封楼栋）", p["reasons"][0]["message"])
            self.assertIn("3栋 is locked down", p["reasons"][0]["en"])
            self.assertTrue(p["reasons"][0]["en"])
            self.assertTrue(passage(g["id"], "in", resident_id=rid)["allowed"])  # home is allowed
        finally:
            H.as_user("secretary", "POST", "/api/v1/units/%s/lockdown" % H.B03, {"level": "none", "reason": "解封"})
        self.assertTrue(passage(g["id"], "out", resident_id=rid, purpose="supplies")["allowed"])

    def test_building_time_windows(self):
        """丽园: residents go out by building in set windows; medical care is excepted; the
        reason names the building and its windows; an empty list lifts them."""
        def one(building):
            for size in (1, 2, 3, 4):
                try:
                    return household(size, building=building)[1][0]
                except AssertionError:
                    continue
            raise AssertionError("no household left in " + building)
        rid, rid2 = one("B02"), one("B02")
        building = POP["res"][rid]["unit_code"].split("-U")[0]
        g = new_gate()
        now = datetime.datetime.now(CHINA)
        # a window that has just closed (never across midnight here) and one that includes now
        past = (now - datetime.timedelta(hours=3), now - datetime.timedelta(hours=2))
        if past[0].date() != now.date():
            past = (now + datetime.timedelta(hours=2), now + datetime.timedelta(hours=3))
        if past[1].date() != now.date():
            self.skipTest("no same-day window around %s" % now)
        wclosed = "%s-%s" % (past[0].strftime("%H:%M"), past[1].strftime("%H:%M"))
        url = "/api/v1/buildings/%s/windows" % building
        st, b = H.as_user("secretary", "POST", url, {"windows": [wclosed]})
        self.assertEqual(st, 200, b)
        self.assertEqual((b["windows"], b["open_now"]), ([wclosed], False))
        # read back, by the secretary and by the guard (earliest first, as set)
        for who in ("secretary", "checkpoint"):
            st, r = H.as_user(who, "GET", url)
            self.assertEqual((st, r["windows"], r["open_now"], r["unit"]), (200, [wclosed], False, building), r)
        try:
            p = passage(g["id"], "out", resident_id=rid, purpose="supplies")
            self.assertEqual(codes(p), ["building_window"])
            self.assertIn("2栋的外出时段为%s" % wclosed, p["reasons"][0]["message"])
            self.assertIn("2栋 goes out in the windows", p["reasons"][0]["en"])
            self.assertTrue(passage(g["id"], "out", resident_id=rid, purpose="medical")["allowed"])
            self.assertTrue(passage(g["id"], "in", resident_id=rid)["allowed"])  # coming home
            # the whole day as one window: out now
            st, b = H.as_user("secretary", "POST", url, {"windows": [wclosed, "00:00-24:00"]})
            self.assertEqual((st, b["open_now"]), (200, True))
            self.assertTrue(passage(g["id"], "out", resident_id=rid2, purpose="supplies")["allowed"])
        finally:
            st, b = H.as_user("secretary", "POST", url, {"windows": []})
            self.assertEqual((st, b["windows"]), (200, []))
            st, b = H.as_user("secretary", "GET", url)
            self.assertEqual((st, b["windows"], b["open_now"]), (200, [], True))
        self.assertErr(H.as_user("secretary", "POST", url, {"windows": ["8-10"]}), 400, "invalid_windows", "windows[0]")
        self.assertErr(H.as_user("secretary", "POST", url, {"windows": "08:00-10:00"}), 400, "invalid_windows", "windows")
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/buildings/%s/windows" % H.COMMUNITY,
                                 {"windows": []}), 400, "not_a_building", "unit")
        st, _ = H.as_user("checkpoint", "POST", url, {"windows": []})
        self.assertEqual(st, 403)
        self.assertErr(H.as_user("secretary", "GET", "/api/v1/buildings/%s/windows" % H.COMMUNITY),
                       400, "not_a_building", "unit")

    def test_closed_compound_purpose_and_visitors(self):
        # closed management is the compound's level; a separate compound keeps it to itself
        st, u = H.as_user("secretary", "POST", "/api/v1/units",
                          {"code": H.COMMUNITY + "-C77", "parent_code": H.G2, "kind": "compound", "name": "封闭小区"})
        self.assertEqual(st, 201, u)
        g = new_gate(unit=u["code"])
        st, b = H.as_user("secretary", "POST", "/api/v1/units/%s/lockdown" % u["code"],
                          {"level": "compound", "reason": "封闭管理"})
        self.assertEqual(st, 201, b)
        self.assertEqual(codes(passage(g["id"], "in", visitor=courier(kind="visitor", goods_only=False))),
                         ["closed_no_visitors"])
        self.assertEqual(codes(passage(g["id"], "in", visitor=courier(goods_only=False))), ["courier_at_gate"])
        self.assertTrue(passage(g["id"], "in", visitor=courier())["allowed"])
        self.assertEqual(codes(passage(g["id"], "in", visitor=courier(kind="medical", goods_only=False))),
                         ["staff_pass_required"])
        # a resident of the community is not one of this compound's
        p = passage(g["id"], "out", resident_id=person(), purpose="supplies")
        self.assertEqual(codes(p), ["not_resident_here"])

    def test_isolated_person_refused_exit(self):
        rid = person()
        g = new_gate()
        st, b = H.as_user("secretary", "POST", "/api/v1/residents/%d/status" % rid,
                          {"category": "travel_observation", "reason": "travel_history"})
        self.assertEqual(st, 201, b)
        self.assertEqual(codes(passage(g["id"], "out", resident_id=rid, purpose="supplies")), ["category"])
        st, b = H.as_user("secretary", "POST", "/api/v1/isolations", {"resident_id": rid, "kind": "home"})
        self.assertEqual(st, 201, b)
        p = passage(g["id"], "out", resident_id=rid, purpose="medical")
        self.assertEqual(codes(p), ["isolated"])
        self.assertEqual(p["reasons"][0]["message"], "正在隔离观察，不得外出。")
        self.assertTrue(passage(g["id"], "in", resident_id=rid)["allowed"])

    def test_quota_per_compound_setting(self):
        hid, members = household(3)
        g = new_gate()
        self.assertTrue(passage(g["id"], "out", resident_id=members[0], purpose="supplies")["allowed"])
        p = passage(g["id"], "out", resident_id=members[1], purpose="work")
        self.assertEqual(codes(p), ["quota_used"])
        self.assertIn("额度已用完", p["reasons"][0]["message"])
        st, b = H.as_user("secretary", "POST", "/api/v1/compounds/%s/rules" % H.COMMUNITY, {"quota_outings": 2})
        self.assertEqual((st, b["rules"]["quota_outings"], b["rules"]["quota_days"]), (200, 2, 1), b)
        try:
            self.assertTrue(passage(g["id"], "out", resident_id=members[1], purpose="work")["allowed"])
            self.assertEqual(codes(passage(g["id"], "out", resident_id=members[2], purpose="supplies")), ["quota_used"])
        finally:
            H.as_user("secretary", "POST", "/api/v1/compounds/%s/rules" % H.COMMUNITY, {"quota_outings": 1})
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/compounds/%s/rules" % H.COMMUNITY, {"quota_days": 0}),
                       400, "out_of_range", "quota_days")

    def test_quota_holds_under_concurrent_passages(self):
        """Two people of one household at two gates at the same moment: the quota (one a
        day) lets exactly one out — the check and the count share the passage's
        transaction with the household locked."""
        import threading
        a, b = new_gate(), new_gate()
        for _ in range(4):
            _, (m1, m2) = household(2)
            results = []

            def go(gate, rid):
                results.append(passage(gate, "out", resident_id=rid, purpose="supplies")["allowed"])
            ts = [threading.Thread(target=go, args=(a["id"], m1)), threading.Thread(target=go, args=(b["id"], m2))]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            self.assertEqual(sorted(results), [False, True])

    # ---- visitors ----

    def test_visitor_codes_and_tests(self):
        g = new_gate(kinds=["people", "goods"])
        self.assertEqual(codes(passage(g["id"], "in", visitor=courier(code="red"))), ["code_red"])
        self.assertEqual(codes(passage(g["id"], "in", visitor=courier(code="yellow"))), ["code_yellow"])
        self.assertEqual(codes(passage(g["id"], "in", visitor=courier(hours_ago=49))), ["test_old"])
        self.assertEqual(codes(passage(g["id"], "in", visitor=courier(test_result="positive"))), ["test_positive"])
        v = courier()
        del v["test_at"]
        self.assertEqual(codes(passage(g["id"], "in", visitor=v)), ["test_missing"])
        ok = passage(g["id"], "in", visitor=courier(id_number=H.make_id(seq=77), plate=None))
        self.assertTrue(ok["allowed"])
        self.assertTrue(ok["goods_only"])
        # what the guard sees of the courier: masked ID, no phone (the checkpoint role)
        self.assertEqual(ok["visitor"]["id_number"][6:14], "********")
        self.assertIsNone(ok["visitor"]["phone"])
        bad = H.bad_check(H.make_id(seq=78))
        self.assertErr(H.as_user("checkpoint", "POST", "/api/v1/passages",
                                 {"gate_id": g["id"], "direction": "in", "temperature": 36.4,
                                  "visitor": courier(id_number=bad)}), 400, "invalid_id_number", "visitor.id_number")
        self.assertErr(H.as_user("checkpoint", "POST", "/api/v1/passages",
                                 {"gate_id": g["id"], "direction": "in", "temperature": 36.4,
                                  "visitor": courier(phone="12345")}), 400, "invalid_phone", "visitor.phone")
        self.assertErr(H.as_user("checkpoint", "POST", "/api/v1/passages",
                                 {"gate_id": g["id"], "direction": "in", "temperature": 36.4,
                                  "visitor": {"name": "无码"}}), 400, "required", "visitor.phone")
        self.assertErr(H.as_user("checkpoint", "POST", "/api/v1/passages",
                                 {"gate_id": g["id"], "direction": "in", "visitor": courier()}),
                       400, "required", "temperature")
        self.assertErr(H.as_user("checkpoint", "POST", "/api/v1/passages",
                                 {"gate_id": g["id"], "direction": "in", "temperature": 36.4, "visitor": courier(),
                                  "resident_id": person()}), 400, "one_person", "resident_id")

    # ---- fever ----

    def test_fever_at_gate_opens_alert(self):
        rid = person()
        g = new_gate()
        p = passage(g["id"], "out", resident_id=rid, temperature=37.8, purpose="supplies")
        self.assertEqual(codes(p), ["fever"])
        self.assertIsNotNone(p["alert_id"])
        st, a = H.as_user("secretary", "GET", "/api/v1/alerts/%d" % p["alert_id"])
        self.assertEqual(st, 200, a)
        self.assertEqual((a["resident_id"], a["state"], a["temperature"]), (rid, "open", 37.8))
        # a second reading joins the open alert
        p2 = passage(g["id"], "in", resident_id=rid, temperature=37.6)
        self.assertEqual(p2["alert_id"], p["alert_id"])
        # a visitor with a fever is refused; there is no resident to open an alert for
        p3 = passage(g["id"], "in", visitor=courier(), temperature=38.0)
        self.assertEqual((codes(p3), p3["alert_id"]), (["fever"], None))

    # ---- passes ----

    def test_household_pass(self):
        hid, members = household(2)
        g = new_gate()
        st, card = H.as_user("secretary", "POST", "/api/v1/households/%d/pass" % hid, {"days": 7})
        self.assertEqual(st, 201, card)
        token = card["token"]
        self.assertEqual(len(token), 32)
        self.assertTrue(card["svg"].startswith("<svg") or "<svg" in card["svg"][:200])
        # the token is stored hashed: it appears nowhere in the store's passes
        st, scan = H.as_user("checkpoint", "POST", "/api/v1/passes/scan", {"token": token, "gate_id": g["id"]})
        self.assertEqual(st, 200, scan)
        self.assertTrue(scan["valid"])
        self.assertEqual(sorted(p["id"] for p in scan["people"]), sorted(members))
        self.assertTrue(all(p["may_go_out"] for p in scan["people"]))
        self.assertTrue(all("*" in (p["id_number"] or "*") for p in scan["people"]))
        # two people: say which; then the other finds the quota used on a rescan
        self.assertErr(H.as_user("checkpoint", "POST", "/api/v1/passages",
                                 {"gate_id": g["id"], "direction": "out", "temperature": 36.5, "pass_token": token}),
                       400, "required", "resident_id")
        p = passage(g["id"], "out", pass_token=token, resident_id=members[0], purpose="supplies")
        self.assertTrue(p["allowed"])
        self.assertEqual(p["pass_id"], card["id"])
        st, scan = H.as_user("checkpoint", "POST", "/api/v1/passes/scan", {"token": token, "gate_id": g["id"]})
        other = [x for x in scan["people"] if x["id"] == members[1]][0]
        self.assertEqual((other["may_go_out"], [r["code"] for r in other["reasons"]]), (False, ["quota_used"]))
        self.assertTrue([x for x in scan["people"] if x["id"] == members[0]][0]["outside"])
        # someone else's pass
        other_hid, other_members = household(1)
        p = passage(g["id"], "in", pass_token=token, resident_id=other_members[0])
        self.assertEqual(codes(p), ["pass_other_household"])
        # revoked
        st, b = H.as_user("secretary", "DELETE", "/api/v1/passes/%d" % card["id"])
        self.assertEqual(st, 200, b)
        self.assertIsNotNone(b["revoked_at"])
        p = passage(g["id"], "in", pass_token=token, resident_id=members[0])
        self.assertEqual((p["allowed"], codes(p)), (False, ["pass_revoked"]))
        # unknown
        p = passage(g["id"], "in", pass_token="0" * 32)
        self.assertEqual((p["allowed"], codes(p), p["person"]), (False, ["pass_unknown"], None))
        # a new card voids the old; an expired one is refused
        st, card2 = H.as_user("secretary", "POST", "/api/v1/households/%d/pass" % other_hid, {})
        self.assertEqual(st, 201, card2)
        self.assertTrue(passage(g["id"], "in", pass_token=card2["token"])["allowed"])  # a household of one
        st, card3 = H.as_user("secretary", "POST", "/api/v1/households/%d/pass" % other_hid, {})
        self.assertEqual(codes(passage(g["id"], "in", pass_token=card2["token"])), ["pass_revoked"])
        store_sql("UPDATE household_passes SET valid_from = '2020-02-01', valid_to = '2020-02-14' WHERE id = %d"
                  % card3["id"])
        p = passage(g["id"], "in", pass_token=card3["token"])
        self.assertEqual(codes(p), ["pass_expired"])
        self.assertIn("2020-02-14", p["reasons"][0]["message"])

    # ---- idempotency ----

    def test_retried_client_id_stored_once(self):
        g = new_gate()
        rid = person()
        cid = client_id()
        first = passage(g["id"], "out", resident_id=rid, purpose="supplies", client_id=cid)
        again = passage(g["id"], "out", resident_id=rid, purpose="supplies", client_id=cid)
        self.assertEqual((first["duplicate"], again["duplicate"]), (False, True))
        self.assertEqual(first["id"], again["id"])
        self.assertTrue(again["allowed"])  # the stored answer, not a second outing against the quota
        items = log(g["id"])
        self.assertEqual(len(items), 1)
        st, now = H.as_user("checkpoint", "GET", "/api/v1/gates/%d/now" % g["id"])
        self.assertEqual(now["counts"], {"out:resident": 1})
        # the same client id at another gate is a mistake, not a retry
        self.assertErr(H.as_user("checkpoint", "POST", "/api/v1/passages",
                                 {"gate_id": new_gate()["id"], "direction": "in", "temperature": 36.5,
                                  "resident_id": rid, "client_id": cid}), 409, "client_id_reused", "client_id")

    def test_burst_through_group_commit_and_concurrent_retries(self):
        """A shift change: 60 passages at one gate at once, each answered after the commit of
        the batch it joined (group commit), every one stored once, the counters equal to a
        recount; the same client id sent by 8 threads at once is stored once, and every
        answer names that one passage."""
        import threading
        g = new_gate()
        people = [m for _, ms in [household(1) for _ in range(30)] for m in ms]
        answers, errors = [], []

        def go(body):
            st, b = H.as_user("checkpoint", "POST", "/api/v1/passages", body)
            (answers if st == 201 else errors).append(b if st == 201 else (st, b))
        bodies = [{"gate_id": g["id"], "direction": d, "temperature": 36.5, "resident_id": rid,
                   "purpose": "medical", "client_id": client_id()} for rid in people for d in ("out", "in")]
        ts = [threading.Thread(target=go, args=(b,)) for b in bodies]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len({a["id"] for a in answers}), 60)
        items = log(g["id"])
        self.assertEqual(len(items), 60)
        st, now = H.as_user("checkpoint", "GET", "/api/v1/gates/%d/now" % g["id"])
        self.assertEqual(now["counts"], recount(items))
        # eight copies of one passage at once: one row, one answer
        rid = person()
        cid = client_id()
        answers.clear()
        body = {"gate_id": g["id"], "direction": "out", "temperature": 36.5, "resident_id": rid,
                "purpose": "supplies", "client_id": cid}
        ts = [threading.Thread(target=go, args=(dict(body),)) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len({a["id"] for a in answers}), 1)
        self.assertEqual(sum(1 for a in answers if not a["duplicate"]), 1)
        self.assertEqual(len(log(g["id"])), 61)

    def test_offline_passage_keeps_its_capture_time(self):
        """A guard's phone that was offline sends the passage later with captured_at: the
        passage is checked and logged as at that moment (its day, the gate's hours), with
        recorded_at apart; sent again, it is stored once; a later passage already stored
        is not undone by an earlier one arriving late."""
        g = new_gate()
        rid = person()
        two_h = (datetime.datetime.now(CHINA) - datetime.timedelta(hours=2)).replace(microsecond=0)
        cid = client_id()
        p = passage(g["id"], "out", resident_id=rid, purpose="supplies", client_id=cid,
                    captured_at=two_h.isoformat())
        self.assertTrue(p["allowed"], p)
        self.assertEqual(p["at"], two_h.isoformat())
        self.assertTrue(p["offline"])
        self.assertNotEqual(p["recorded_at"], p["at"])
        again = passage(g["id"], "out", resident_id=rid, purpose="supplies", client_id=cid,
                        captured_at=two_h.isoformat())
        self.assertEqual((again["id"], again["duplicate"]), (p["id"], True))
        # UTC with a Z, as a browser's toISOString() gives it
        z = (two_h + datetime.timedelta(minutes=30)).astimezone(datetime.timezone.utc)
        back = passage(g["id"], "in", resident_id=rid, client_id=client_id(),
                       captured_at=z.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        self.assertEqual(back["at"], (two_h + datetime.timedelta(minutes=30)).isoformat())
        st, now = H.as_user("checkpoint", "GET", "/api/v1/gates/%d/now" % g["id"])
        self.assertEqual(now["outside"], 0)
        # an "out" taken before that "in" but synced after it leaves the person inside
        late = passage(g["id"], "out", resident_id=rid, purpose="medical", client_id=client_id(),
                       captured_at=(two_h + datetime.timedelta(minutes=10)).isoformat())
        self.assertTrue(late["allowed"])
        st, now = H.as_user("checkpoint", "GET", "/api/v1/gates/%d/now" % g["id"])
        self.assertEqual(now["outside"], 0)
        # a gate's hours are those of the capture moment: closed then, refused
        hours_then = "%02d:00-%02d:00" % ((two_h.hour + 1) % 24, (two_h.hour + 2) % 24)
        if two_h.hour < 21:
            shut = new_gate(hours=hours_then)
            q = passage(shut["id"], "in", resident_id=person(), captured_at=two_h.isoformat())
            self.assertEqual(codes(q), ["gate_hours"])
        for bad, code in (("2026-13-01T08:00:00+08:00", "invalid_captured_at"), ("yesterday", "invalid_captured_at"),
                          ((datetime.datetime.now(CHINA) + datetime.timedelta(hours=1)).isoformat(), "captured_in_future"),
                          ((datetime.datetime.now(CHINA) - datetime.timedelta(hours=73)).isoformat(), "captured_too_old")):
            self.assertErr(H.as_user("checkpoint", "POST", "/api/v1/passages",
                                     {"gate_id": g["id"], "direction": "in", "temperature": 36.5,
                                      "resident_id": rid, "captured_at": bad}), 400, code, "captured_at")

    def test_live_passage_events_and_counts_tile(self):
        """Each stored passage goes out on the live feed (SSE) to the accounts whose subtree
        holds the gate — gate, direction, kind, allowed, no person — and the tile's read
        (compounds/{code}/now?people=0) gives the counts without listing anybody."""
        from test_rollcall import Stream
        g = new_gate()
        rid = person()
        sec = Stream("secretary")
        try:
            self.assertEqual(sec.status, 200)
            p = passage(g["id"], "out", resident_id=rid, purpose="supplies", client_id=client_id())
            ev = sec.wait_for(lambda e: e["event"] == "passage" and e["data"]["gate_id"] == g["id"], timeout=10)
            self.assertIsNotNone(ev, sec.events)
            self.assertEqual(ev["data"], {"gate_id": g["id"], "gate": g["name"], "unit": H.COMMUNITY,
                                          "direction": "out", "kind": "resident", "allowed": True})
            # a retry stores nothing and sends nothing
            n = len([e for e in sec.events if e["event"] == "passage"])
            passage(g["id"], "out", resident_id=rid, purpose="supplies", client_id=p["client_id"])
            refused = passage(g["id"], "in", visitor=courier(code="red"))
            ev = sec.wait_for(lambda e: e["event"] == "passage" and e["data"]["allowed"] is False
                              and e["data"]["gate_id"] == g["id"], timeout=10)
            self.assertEqual(ev["data"]["kind"], "courier")
            self.assertEqual(len([e for e in sec.events if e["event"] == "passage"]), n + 1)
            self.assertFalse(refused["allowed"])
        finally:
            sec.close()
        st, tile = H.as_user("secretary", "GET", "/api/v1/compounds/%s/now?people=0" % H.COMMUNITY)
        self.assertEqual(st, 200, tile)
        self.assertEqual(tile["outside"]["people"], [])
        self.assertGreaterEqual(tile["outside"]["count"], 1)
        mine = [x for x in tile["gates"] if x["id"] == g["id"]][0]
        self.assertEqual((mine["counts"]["out:resident"], mine["counts"]["refused"]), (1, 1))
        self.assertErr(H.as_user("secretary", "GET", "/api/v1/compounds/%s/now?people=2" % H.COMMUNITY),
                       400, "invalid_people", "people")

    # ---- scope and roles ----

    def test_checkpoint_scope(self):
        st, u = H.as_user("secretary", "POST", "/api/v1/units",
                          {"code": H.COMMUNITY + "-C01", "parent_code": H.G1, "kind": "compound", "name": "青和居东苑"})
        self.assertEqual(st, 201, u)
        own = new_gate(unit=u["code"])
        H.add_user("guard_c01", "checkpoint", u["code"], by="secretary")
        community_gate = POP["gates"]["西区5号门"]["id"]
        rid = person()
        # its own compound's gates only
        st, b = H.as_user("guard_c01", "GET", "/api/v1/gates")
        self.assertEqual((st, [g["id"] for g in b["items"]]), (200, [own["id"]]))
        self.assertErr(H.as_user("guard_c01", "GET", "/api/v1/gates?unit=%s" % H.COMMUNITY), 404)
        self.assertErr(H.as_user("guard_c01", "POST", "/api/v1/passages",
                                 {"gate_id": community_gate, "direction": "in", "temperature": 36.5, "resident_id": rid}),
                       404, "gate_not_found", "gate_id")
        self.assertErr(H.as_user("guard_c01", "POST", "/api/v1/passages",
                                 {"gate_id": own["id"], "direction": "in", "temperature": 36.5, "resident_id": rid}),
                       404, "resident_not_found")
        self.assertErr(H.as_user("guard_c01", "GET", "/api/v1/gates/%d/now" % community_gate), 404)
        self.assertErr(H.as_user("guard_c01", "GET", "/api/v1/passages?gate=%d" % community_gate), 404)
        self.assertErr(H.as_user("guard_c01", "GET", "/api/v1/compounds/%s/now" % H.COMMUNITY), 404)
        st, b = H.as_user("guard_c01", "GET", "/api/v1/compounds/%s/now" % u["code"])
        self.assertEqual(st, 200, b)
        # work of other roles
        for method, path, body in [("POST", "/api/v1/gates", {"unit": u["code"], "name": "x"}),
                                   ("POST", "/api/v1/gates/%d/state" % own["id"], {"state": "closed", "reason": "x"}),
                                   ("POST", "/api/v1/compounds/%s/rules" % u["code"], {"quota_outings": 3}),
                                   ("POST", "/api/v1/households/1/pass", {}),
                                   ("DELETE", "/api/v1/passes/1", None)]:
            self.assertErr(H.as_user("guard_c01", method, path, body), 403)
        # the auditor touches nothing at the gate; a volunteer of a grid not the compound's gates
        for method, path, body in [("GET", "/api/v1/gates", None),
                                   ("GET", "/api/v1/gates/%d/now" % community_gate, None),
                                   ("GET", "/api/v1/passages?gate=%d" % community_gate, None),
                                   ("GET", "/api/v1/compounds/%s/now" % H.COMMUNITY, None),
                                   ("POST", "/api/v1/passages", {"gate_id": community_gate, "direction": "in",
                                                                 "temperature": 36.5, "resident_id": rid}),
                                   ("POST", "/api/v1/passes/scan", {"token": "0" * 32, "gate_id": community_gate})]:
            self.assertErr(H.as_user("auditor", method, path, body), 403)
        self.assertErr(H.as_user("vol01", "POST", "/api/v1/passages",
                                 {"gate_id": community_gate, "direction": "in", "temperature": 36.5, "resident_id": rid}),
                       404, "gate_not_found")
        # the command sees the compound, cannot work the gate
        st, b = H.as_user("command", "GET", "/api/v1/compounds/%s/now" % H.COMMUNITY)
        self.assertEqual(st, 200, b)
        self.assertErr(H.as_user("command", "POST", "/api/v1/passages",
                                 {"gate_id": community_gate, "direction": "in", "temperature": 36.5, "resident_id": rid}),
                       403)
        # what the guard sees of a resident: name, room, masked ID number, nothing more
        p = passage(community_gate, "in", resident_id=rid)
        self.assertEqual(set(p["person"]), {"id", "household_id", "name", "building", "room", "id_number"})
        full = POP["res"][rid]["id_number"]
        if p["person"]["id_number"]:
            self.assertNotEqual(p["person"]["id_number"], full)
            self.assertIn("*", p["person"]["id_number"])
        # and reads of the log are audited without values
        self.assertEqual(log(community_gate, "checkpoint")[-1]["id"], p["id"])
        rows = H.audit_rows(entity="passage")
        self.assertTrue(any(r["action"] == "read" for r in rows))
        self.assertFalse(any(H.ID_RE.search(str(r)) for r in rows))


if __name__ == "__main__":
    unittest.main()
