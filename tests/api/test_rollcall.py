"""The daily roll-call through the API: check-ins (single, household batch, validation,
idempotent retries, corrections), coverage arithmetic against a from-scratch recount, the
missing and call lists, fever alerts and their workflow, the live feed (SSE), the WeChat
chain paste, the daily report (JSON, CSV, XLSX, CLI) and deadline reminders.

Every test class works on its own day (today, today-1 … today-6) and takes its own
households from a shared allocator, so the classes do not disturb each other's counts
whatever order they run in."""
import csv
import datetime
import http.client
import io
import json
import os
import re
import socket
import sqlite3
import subprocess
import threading
import time
import unittest
import zipfile

import harness as H

STREET = "420107003"
TODAY = None
POP = {}
USED = set()
COVER_KEYS = ("households_total", "households_reached", "residents_total", "residents_accounted",
              "residents_reported", "fevers", "symptomatic")
ABOVE = [H.COMMUNITY, STREET, "420107", "4201"]
# a building added to grid 1 after the demo (so its unit ids are larger, with more digits)
B09 = H.COMMUNITY + "-B09"
# surnames the chain parser knows and that the demo uses (a named chain line needs one)
SAFE_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
                    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
                    "毛郝龚邵万钱严覃武戴莫孔汤")
REPORT_HEADER = ("单位编码,单位名称,应报户数,已报户数,户覆盖率%,居住人数,已核实人数,已报体温人数,发热人数,"
                 "有症状人数,未确认预警,处置中预警,今日关闭预警,确诊,疑似,发热待排查,密切接触者,四类合计,"
                 "今日新增,今日解除,逾期随访,应收未收,求助受理,求助办结,求助逾期,求助升级,线索上报,线索确认,在岗工作人员,离岗·四类人员,离岗·隔离,离岗·发热,离岗·未报体温,"
                 "缺网格长,缺网格员,超负荷网格,未结对,封控楼栋小组不全,离岗空缺,缺人班次")


def setUpModule():
    H.start(setup=_load_population)


def tearDownModule():
    H.stop()


def _add_late_building():
    """9栋 in grid 1, one household on the building itself (no entrance), one person who
    lives alone; nobody reaches it in these tests."""
    st, b = H.as_user("secretary", "POST", "/api/v1/units",
                      {"code": B09, "parent_code": H.G1, "kind": "building", "name": "9栋"})
    assert st == 201, b
    st, h = H.as_user("secretary", "POST", "/api/v1/households",
                      {"unit_code": B09, "room": "101", "occupancy": "occupied"})
    assert st == 201, h
    st, b = H.as_user("secretary", "POST", "/api/v1/residents",
                      {"household_id": h["id"], "name": "龚德成", "id_number": H.make_id(birth="19480302", seq=77),
                       "phone": "13907140077", "relation": "户主", "flags": ["lives_alone"]})
    assert st == 201, b
    USED.add(h["id"])
    POP["late"] = h["id"]


def _load_population():
    global TODAY
    _add_late_building()
    TODAY = H.load_population(POP, users=True)
    households = POP["hh"].values()
    # the units above each household's unit, by kind (from the tree, not assumed)
    POP["up"] = {}
    for code in {h["unit_code"] for h in households}:
        st, u = H.as_user("secretary", "GET", "/api/v1/units/%s" % code)
        assert st == 200, u
        chain = [code] + [a["code"] for a in reversed(u["ancestors"]) if a["code"] != H.COMMUNITY]
        kinds = {u["kind"]: code}
        kinds.update({a["kind"]: a["code"] for a in u["ancestors"]})
        POP["up"][code] = (chain, kinds)


# ---- helpers ----

def day(n):
    """today minus n days (China time, as the server counts)"""
    return (datetime.date.fromisoformat(TODAY) - datetime.timedelta(days=n)).isoformat()


def units_of(hid):
    """the units a household counts in, from its entrance up to the city"""
    return POP["up"][POP["hh"][hid]["unit_code"]][0] + ABOVE


def grid_of(hid):
    return POP["up"][POP["hh"][hid]["unit_code"]][1]["grid"]


def building_of(hid):
    return POP["up"][POP["hh"][hid]["unit_code"]][1]["building"]


def take(grid=H.G1, n=None, building=None, pred=None):
    """An unused household of grid (n living people, in building, pred(hid)); marks it used."""
    for hid in sorted(POP["hh"]):
        if hid in USED or grid_of(hid) != grid or not POP["living"][hid]:
            continue
        if n is not None and len(POP["living"][hid]) != n:
            continue
        if building and building_of(hid) != building:
            continue
        if pred and not pred(hid):
            continue
        USED.add(hid)
        return hid
    raise AssertionError("no household left for grid=%s n=%s building=%s" % (grid, n, building))


def take_person(grid=H.G1):
    """The one living person of an unused single-person household."""
    return POP["living"][take(grid, n=1)][0]


def post(user, body, expect=201):
    st, b = H.as_user(user, "POST", "/api/v1/checkins", body)
    if st != expect:
        raise AssertionError("POST /checkins %s as %s: expected %s, got %s %s" % (body, user, expect, st, b))
    return b


def checkin(user, rid, d, channel="visit", **kw):
    """One resident's check-in of day d (kw: temperature, symptoms, status, client_id)."""
    body = {"resident_id": rid, "channel": channel, "day": d}
    body.update(kw)
    return post(user, body)


def batch(user, hid, d, channel="visit", **kw):
    """A household's batch of day d (kw: all_normal, readings, client_id)."""
    body = {"household_id": hid, "channel": channel, "day": d}
    body.update(kw)
    return post(user, body)


def checkins_of(rid, d=None, user="secretary"):
    st, b = H.as_user(user, "GET", "/api/v1/checkins?resident=%d%s" % (rid, "&day=" + d if d else ""))
    assert st == 200, (st, b)
    return b["items"]


def coverage(unit, d, user="secretary"):
    st, b = H.as_user(user, "GET", "/api/v1/coverage?unit=%s&day=%s" % (unit, d))
    assert st == 200, (unit, st, b)
    return b


def recount(unit, d, user="secretary"):
    st, b = H.as_user(user, "GET", "/api/v1/coverage/recount?unit=%s&day=%s" % (unit, d))
    assert st == 200, (unit, st, b)
    return b


def numbers(c):
    return {k: c[k] for k in COVER_KEYS}


def error(test, resp, status, code, field):
    st, b = resp
    test.assertEqual(st, status, b)
    test.assertEqual(H.err(b), (code, field), b)


def mask_phone(p):
    """The masked form a masking role sees (src/core/ident.c mask_phone)."""
    if p is None:
        return None
    digits = [c for c in p if c.isdigit()]
    keep = len(digits) - 4
    out, seen = [], 0
    for c in p:
        if c.isdigit():
            out.append("*" if seen < keep else c)
            seen += 1
        else:
            out.append(c)
    return "".join(out)


def room_key(item):
    """grid, building number, entrance number, room number (rooms are numbered across a
    building, so a building of two entrances may list the first entrance's rooms first)"""
    num = lambda s: int(re.match(r"\d+", s).group()) if s else 0
    return (grid_of(item["household_id"]), num(item["building"]), num(item["entrance"]), int(item["room"]))


def callable_person(rid):
    """on the call list when not reached: no smartphone, or living alone"""
    f = POP["res"][rid]["flags"]
    return "no_smartphone" in f or "lives_alone" in f or "elderly_alone" in f


class DayModel:
    """What the counters of one day must say, from the check-ins a test posted."""

    def __init__(self, d):
        self.day = d
        self.cur = {}  # resident id -> (status, had a fever today, had symptoms today)

    def record(self, rid, status="reported", temperature=None, symptoms=(), correction=False):
        """A later reading is a re-check: a fever or a symptom stays on the day's record;
        only an explicit correction sets the day back to this reading alone."""
        fever = (temperature is not None and temperature >= 37.3) or "fever" in symptoms
        _, had_fever, had_sym = self.cur.get(rid, (None, False, False))
        if correction:
            had_fever = had_sym = False
        self.cur[rid] = (status, fever or had_fever, bool(symptoms) or had_sym)

    def expect(self, unit):
        e = dict.fromkeys(COVER_KEYS, 0)
        for hid, living in POP["living"].items():
            if not living or unit not in units_of(hid):
                continue
            e["households_total"] += 1
            e["residents_total"] += len(living)
            got = [self.cur[r] for r in living if r in self.cur]
            e["households_reached"] += len(got) == len(living)
            e["residents_accounted"] += len(got)
            e["residents_reported"] += sum(1 for g in got if g[0] == "reported")
            e["fevers"] += sum(1 for g in got if g[1])
            e["symptomatic"] += sum(1 for g in got if g[2])
        return e


def store_sql(stmt):
    """Run one statement on the server's store behind its back (only to stand in for a
    clock: alerts are backdated instead of waiting 30 minutes)."""
    if os.environ.get("WANGGE_TEST_PG"):
        subprocess.run(["psql", "-q", "-d", H.db_path(), "-c", stmt], check=True, capture_output=True)
        return
    con = sqlite3.connect(H.db_path(), timeout=30)
    try:
        con.execute(stmt)
        con.commit()
    finally:
        con.close()


# ---- the live feed ----

class Stream:
    """GET /api/v1/events read incrementally by a thread; events parsed from the
    `id:` / `event:` / `data:` blocks."""

    def __init__(self, user, last_id=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=30)
        h = {"Authorization": "Bearer " + H.login(user), "Accept": "text/event-stream"}
        if last_id is not None:
            h["Last-Event-ID"] = str(last_id)
        self.conn.request("GET", "/api/v1/events", headers=h)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.ctype = self.resp.getheader("Content-Type")
        self.events, self.preamble = [], []
        self.cv = threading.Condition()
        self.buf = b""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while True:
                data = self.resp.read1(65536)
                if not data:
                    break
                with self.cv:
                    self.buf += data
                    while b"\n\n" in self.buf:
                        block, self.buf = self.buf.split(b"\n\n", 1)
                        self._block(block.decode("utf-8"))
                    self.cv.notify_all()
        except (OSError, ValueError, http.client.HTTPException):
            pass

    def _block(self, text):
        ev = {"at": time.time()}
        for line in text.split("\n"):
            if line.startswith(":") or line.startswith("retry:"):
                self.preamble.append(line)
                continue
            k, _, v = line.partition(":")
            v = v[1:] if v.startswith(" ") else v
            if k == "id":
                ev["id"] = int(v)
            elif k == "event":
                ev["event"] = v
            elif k == "data":
                ev["data"] = json.loads(v)
        if "event" in ev:
            self.events.append(ev)

    def wait_for(self, pred, timeout=2.0):
        deadline = time.time() + timeout
        with self.cv:
            while True:
                for e in self.events:
                    if pred(e):
                        return e
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.cv.wait(left)

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self.thread.join(5)
        self.conn.close()


def is_checkin(rid):
    return lambda e: e["event"] == "checkin" and e["data"].get("resident_id") == rid


def is_alert(rid, state=None):
    return lambda e: (e["event"] == "alert" and e["data"].get("resident_id") == rid and
                      (state is None or e["data"].get("state") == state))


# =====================================================================================

class CheckinSubmit(unittest.TestCase):
    """POST /checkins: one resident, a household batch, validation naming the field."""

    def test_single_answer_and_stored_row(self):
        d = day(1)
        rid = take_person()
        b = checkin("gw01", rid, d, temperature=36.54, symptoms=[], channel="phone")
        self.assertEqual(b["resident_id"], rid)
        self.assertEqual((b["duplicate"], b["corrected"], b["fever"], b["alert_id"], b["household_reached"]),
                         (False, False, False, None, True))
        items = checkins_of(rid, d)
        self.assertEqual(len(items), 1)
        c = items[0]
        self.assertEqual(c["id"], b["checkin_id"])
        self.assertEqual((c["day"], c["status"], c["temperature"], c["channel"], c["recorded_by"], c["current"]),
                         (d, "reported", 36.5, "phone", "gw01", True))
        self.assertEqual(c["household_id"], POP["res"][rid]["household_id"])
        self.assertIsNone(c["source_line"])
        self.assertTrue(c["recorded_at"].startswith(TODAY), c)

    def test_day_defaults_to_today_and_roles(self):
        rid = take_person()
        b = post("vol01", {"resident_id": rid, "channel": "visit"})  # volunteers record at doors
        self.assertFalse(b["duplicate"])
        self.assertEqual(checkins_of(rid)[0]["day"], TODAY)
        rid2 = take_person()
        post("checkpoint", {"resident_id": rid2, "channel": "checkpoint", "temperature": 36.3})
        st, b = H.as_user("auditor", "POST", "/api/v1/checkins", {"resident_id": rid2, "channel": "visit"})
        self.assertEqual((st, H.err(b)[0]), (403, "forbidden"))
        st, b = H.as_user("vol01", "GET", "/api/v1/checkins?resident=%d" % rid)  # reading them is roll-call work
        self.assertEqual((st, H.err(b)[0]), (403, "forbidden"))
        st, b = H.as_user("command", "POST", "/api/v1/checkins", {"resident_id": rid2, "channel": "visit"})
        self.assertEqual(st, 403, b)

    def test_validation_names_the_field(self):
        rid = take_person()
        d = day(1)
        cases = [
            ({"temperature": 33.9}, "out_of_range", "temperature"),
            ({"temperature": 43.1}, "out_of_range", "temperature"),
            ({"temperature": "abc"}, "wrong_type", "temperature"),
            ({"day": day(-1)}, "future_day", "day"),
            ({"day": day(31)}, "day_too_old", "day"),
            ({"day": "2026-02-30"}, "invalid_day", "day"),
            ({"day": "today"}, "invalid_day", "day"),
            ({"symptoms": ["headache"]}, "invalid_symptom", "symptoms"),
            ({"symptoms": "cough"}, "wrong_type", "symptoms"),
            ({"channel": "fax"}, "invalid_channel", "channel"),
            ({"channel": None}, "required", "channel"),
            ({"status": "away", "temperature": 36.5}, "temperature_with_absence", "temperature"),
            ({"status": "asleep"}, "invalid_status", "status"),
            ({"client_id": "has space"}, "invalid_client_id", "client_id"),
            ({"mood": "good"}, "unknown_field", "mood"),
        ]
        for extra, code, field in cases:
            body = {"resident_id": rid, "channel": "visit", "day": d}
            body.update(extra)
            body = {k: v for k, v in body.items() if v is not None}
            with self.subTest(field=field, code=code):
                st, b = H.as_user("gw01", "POST", "/api/v1/checkins", body)
                self.assertEqual((st, H.err(b)), (400, (code, field)), extra)
        self.assertEqual(checkins_of(rid), [])
        # the edges are allowed: 34.0 and 43.0, 30 days back
        checkin("gw01", rid, day(30), temperature=34.0)
        hot = checkin("gw01", rid, day(29), temperature=43.0)
        st, _ = H.as_user("gw01", "POST", "/api/v1/alerts/%d/steps" % hot["alert_id"], {"step": "acknowledged"})
        self.assertEqual(st, 201)
        st, _ = H.as_user("gw01", "POST", "/api/v1/alerts/%d/steps" % hot["alert_id"],
                          {"step": "outcome", "outcome": "excluded", "note": "体温计故障"})
        self.assertEqual(st, 201)  # closed, so that it does not count as open in later reports
        self.assertEqual(sorted(c["day"] for c in checkins_of(rid)), [day(30), day(29)])

    def test_unknown_resident_other_grid_and_not_living(self):
        d = day(1)
        error(self, H.as_user("gw01", "POST", "/api/v1/checkins",
                              {"resident_id": 999999, "channel": "visit", "day": d}), 404, "resident_not_found",
              "resident_id")
        g2 = take_person(H.G2)
        error(self, H.as_user("gw01", "POST", "/api/v1/checkins",
                              {"resident_id": g2, "channel": "visit", "day": d}), 404, "resident_not_found",
              "resident_id")
        self.assertEqual(checkins_of(g2), [])
        # registered here, living elsewhere: found through the household's residents[].residence
        hid = take(pred=lambda h: POP["others"][h])
        st, hh = H.as_user("gw01", "GET", "/api/v1/households/%d" % hid)
        self.assertEqual(st, 200, hh)
        away = [r["id"] for r in hh["residents"] if r["residence"] == "registered_only"]
        self.assertEqual(away, POP["others"][hid])
        error(self, H.as_user("gw01", "POST", "/api/v1/checkins",
                              {"resident_id": away[0], "channel": "visit", "day": d}), 400, "resident_not_living",
              "resident_id")
        self.assertEqual(checkins_of(away[0]), [])
        # a household batch answers only for its living people
        b = batch("gw01", hid, d, all_normal=True)
        self.assertEqual([r["resident_id"] for r in b["results"]], POP["living"][hid])
        self.assertTrue(b["household_reached"])
        error(self, H.as_user("gw01", "POST", "/api/v1/checkins",
                              {"household_id": hid, "channel": "visit", "day": d,
                               "readings": [{"resident_id": away[0]}]}), 400, "resident_not_living",
              "readings[0].resident_id")

    def test_household_batch_all_normal_readings_absences(self):
        d = day(1)
        hid = take(n=3)
        a, b_, c = POP["living"][hid]
        r = batch("gw01", hid, d, all_normal=True, readings=[
            {"resident_id": a, "temperature": 36.8},
            {"resident_id": b_, "status": "away"}])
        self.assertEqual(r["household_id"], hid)
        self.assertEqual(r["day"], d)
        self.assertTrue(r["household_reached"])
        self.assertEqual([x["resident_id"] for x in r["results"]], [a, b_, c])
        self.assertTrue(all(not x["duplicate"] and not x["corrected"] for x in r["results"]))
        st, got = H.as_user("gw01", "GET", "/api/v1/checkins?household=%d&day=%s" % (hid, d))
        self.assertEqual(st, 200, got)
        by = {x["resident_id"]: x for x in got["items"]}
        self.assertEqual(got["total"], 3)
        self.assertEqual((by[a]["status"], by[a]["temperature"]), ("reported", 36.8))
        self.assertEqual((by[b_]["status"], by[b_]["temperature"]), ("away", None))
        self.assertEqual((by[c]["status"], by[c]["temperature"], by[c]["channel"]), ("reported", None, "visit"))
        # household=ID needs a day
        st, e = H.as_user("gw01", "GET", "/api/v1/checkins?household=%d" % hid)
        self.assertEqual((st, H.err(e)), (400, ("required", "day")))
        st, e = H.as_user("gw01", "GET", "/api/v1/checkins")
        self.assertEqual((st, H.err(e)), (400, ("required", "resident")))

    def test_batch_errors_name_the_reading_and_save_nothing(self):
        d = day(1)
        hid, other = take(n=2), take(n=1)
        a, b_ = POP["living"][hid]
        before = numbers(coverage(H.G1, d))
        cases = [
            ({"readings": [{"resident_id": a}, {"resident_id": POP["living"][other][0]}]},
             400, "not_in_household", "readings[1].resident_id"),
            ({"readings": [{"resident_id": a}, {"resident_id": b_, "temperature": 50}]},
             400, "out_of_range", "readings[1].temperature"),
            ({"readings": [{"resident_id": a, "symptoms": ["hiccups"]}]}, 400, "invalid_symptom",
             "readings[0].symptoms"),
            ({"readings": [{"resident_id": a, "channel": "phone"}]}, 400, "unknown_field", "readings[0].channel"),
            ({}, 400, "required", "readings"),
            ({"all_normal": False, "readings": []}, 400, "required", "readings"),
            ({"readings": {"resident_id": a}}, 400, "wrong_type", "readings"),
        ]
        for extra, status, code, field in cases:
            body = {"household_id": hid, "channel": "visit", "day": d}
            body.update(extra)
            with self.subTest(field=field, code=code):
                st, b = H.as_user("gw01", "POST", "/api/v1/checkins", body)
                self.assertEqual((st, H.err(b)), (status, (code, field)), extra)
        st, got = H.as_user("gw01", "GET", "/api/v1/checkins?household=%d&day=%s" % (hid, d))
        self.assertEqual(got["total"], 0, got)
        self.assertEqual(checkins_of(POP["living"][other][0]), [])
        self.assertEqual(numbers(coverage(H.G1, d)), before)
        # a household of another grid is not there
        error(self, H.as_user("gw01", "POST", "/api/v1/checkins",
                              {"household_id": take(H.G2), "channel": "visit", "all_normal": True, "day": d}),
              404, "household_not_found", "household_id")

    def test_idempotent_retries(self):
        d = day(1)
        rid, rid2 = take_person(), take_person()
        first = checkin("gw01", rid, d, temperature=36.6, client_id="rc-idem-1")
        again = checkin("gw01", rid, d, temperature=36.6, client_id="rc-idem-1")
        self.assertEqual((first["duplicate"], again["duplicate"]), (False, True))
        self.assertEqual(again["checkin_id"], first["checkin_id"])
        self.assertEqual(len(checkins_of(rid)), 1)
        # the same id for another resident, or another day, is a conflict
        error(self, H.as_user("gw01", "POST", "/api/v1/checkins",
                              {"resident_id": rid2, "channel": "visit", "day": d, "client_id": "rc-idem-1"}),
              409, "client_id_reused", "client_id")
        error(self, H.as_user("gw01", "POST", "/api/v1/checkins",
                              {"resident_id": rid, "channel": "visit", "day": day(2), "client_id": "rc-idem-1"}),
              409, "client_id_reused", "client_id")
        self.assertEqual(checkins_of(rid2), [])
        self.assertEqual(len(checkins_of(rid)), 1)
        # a household batch retried
        hid = take(n=3)
        one = batch("gw01", hid, d, all_normal=True, client_id="rc-hh-1")
        two = batch("gw01", hid, d, all_normal=True, client_id="rc-hh-1")
        self.assertEqual([x["duplicate"] for x in one["results"]], [False] * 3)
        self.assertEqual([x["duplicate"] for x in two["results"]], [True] * 3)
        self.assertEqual([x["checkin_id"] for x in two["results"]], [x["checkin_id"] for x in one["results"]])
        st, got = H.as_user("gw01", "GET", "/api/v1/checkins?household=%d&day=%s" % (hid, d))
        self.assertEqual(got["total"], 3)
        self.assertEqual({c["client_id"] for c in got["items"]}, {"rc-hh-1:%d" % r for r in POP["living"][hid]})

    def test_concurrent_retries_store_one_row(self):
        """An offline client flushing its queue twice at once: one row, the rest duplicates."""
        d = day(1)
        rid = take_person()
        out = []

        def send():
            out.append(H.call("POST", "/api/v1/checkins", {"resident_id": rid, "channel": "self", "day": d,
                                                           "client_id": "rc-burst-1", "temperature": 36.4},
                              token=H.login("gw01")))
        threads = [threading.Thread(target=send) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([s for s, _ in out], [201] * 8, out)
        self.assertEqual(sorted(b["duplicate"] for _, b in out), [False] + [True] * 7)
        self.assertEqual(len({b["checkin_id"] for _, b in out}), 1)
        self.assertEqual(len(checkins_of(rid)), 1)

    def test_corrections_keep_history(self):
        d = day(1)
        rid = take_person()
        a = checkin("gw01", rid, d, temperature=37.0)
        b = checkin("cadre01", rid, d, temperature=36.6, channel="phone")
        self.assertEqual((a["corrected"], b["corrected"]), (False, True))
        items = checkins_of(rid, d)
        self.assertEqual([(c["id"], c["temperature"], c["current"], c["recorded_by"]) for c in items],
                         [(b["checkin_id"], 36.6, True, "cadre01"), (a["checkin_id"], 37.0, False, "gw01")])
        c = checkin("gw01", rid, d, status="hospital")
        self.assertTrue(c["corrected"])
        items = checkins_of(rid)
        self.assertEqual([x["status"] for x in items], ["hospital", "reported", "reported"])
        self.assertEqual([x["current"] for x in items], [True, False, False])
        # the household's day shows the corrections too, oldest first
        hid = items[0]["household_id"]
        st, b2 = H.as_user("secretary", "GET", "/api/v1/checkins?household=%d&day=%s" % (hid, d))
        self.assertEqual(st, 200, b2)
        self.assertEqual([(x["id"], x["status"], x["current"]) for x in b2["items"]],
                         [(a["checkin_id"], "reported", False), (b["checkin_id"], "reported", False),
                          (c["checkin_id"], "hospital", True)])
        # a resident of another grid is not readable
        st, e = H.as_user("gw02", "GET", "/api/v1/checkins?resident=%d" % rid)
        self.assertEqual((st, H.err(e)), (404, ("resident_not_found", "resident")))


class Coverage(unittest.TestCase):
    """A scripted day of check-ins, corrections and absences; the counters at entrance,
    building, grid, community and street level are exact and equal the recount."""

    @classmethod
    def setUpClass(cls):
        d = cls.d = day(2)
        m = cls.model = DayModel(d)
        # A: two people, all normal in one step
        A = take(n=2)
        r = batch("gw01", A, d, all_normal=True)
        assert r["household_reached"], r
        for rid in POP["living"][A]:
            m.record(rid)
        # B: three people one by one, a fever re-checked normal later (it stays on the day)
        B = take(n=3)
        b1, b2, b3 = POP["living"][B]
        assert not checkin("gw01", b1, d, temperature=36.5)["household_reached"]
        r = checkin("gw01", b2, d, temperature=38.0)
        assert r["fever"] and r["alert_id"], r
        cls.partial_fevers = 1
        r = batch("gw01", B, d, readings=[{"resident_id": b3, "temperature": 36.7}])
        assert r["household_reached"], r
        r = checkin("gw01", b2, d, temperature=36.6)
        assert r["corrected"] and not r["fever"] and r["day_fever"], r
        m.record(b1, temperature=36.5)
        m.record(b2, temperature=38.0)
        m.record(b2, temperature=36.6)
        m.record(b3, temperature=36.7)
        # C: living people and someone registered only
        C = take(pred=lambda h: POP["others"][h] and len(POP["living"][h]) >= 1)
        batch("gw01", C, d, all_normal=True, channel="phone")
        for rid in POP["living"][C]:
            m.record(rid)
        # D: one away, one with a cough
        D = take(n=2)
        d1, d2 = POP["living"][D]
        checkin("cadre01", d1, d, status="away")
        checkin("cadre01", d2, d, temperature=36.8, symptoms=["cough"])
        m.record(d1, status="away")
        m.record(d2, temperature=36.8, symptoms=["cough"])
        # E: one person in hospital
        E = take(n=1)
        checkin("gw01", POP["living"][E][0], d, status="hospital")
        m.record(POP["living"][E][0], status="hospital")
        # F: two people, only one reached; then a correction of that one
        F = take(n=2, building=H.B02)
        checkin("gw01", POP["living"][F][0], d, temperature=36.2)
        checkin("gw01", POP["living"][F][0], d, temperature=36.3)
        m.record(POP["living"][F][0], temperature=36.3)
        # H: a mistyped fever, corrected with a reason: gone from the day's counts
        Hh = take(n=1, building=H.B02)
        r = checkin("gw01", POP["living"][Hh][0], d, temperature=39.6)
        assert r["fever"] and r["alert_id"], r
        r = checkin("gw01", POP["living"][Hh][0], d, temperature=36.9,
                    correction={"reason": "typo", "note": "应为 36.9"})
        assert r["corrected"] and not r["fever"] and not r["day_fever"], r
        m.record(POP["living"][Hh][0], temperature=36.9, correction=True)
        # G: grid 2, a fever that stays
        G = take(H.G2, n=1)
        checkin("gw02", POP["living"][G][0], d, temperature=37.5)
        m.record(POP["living"][G][0], temperature=37.5)
        cls.households = {"A": A, "B": B, "C": C, "D": D, "E": E, "F": F, "G": G, "H": Hh}

    def test_grid_numbers_exact(self):
        c = coverage(H.G1, self.d, user="gw01")
        self.assertEqual((c["unit"], c["kind"], c["day"], c["name"]), (H.G1, "grid", self.d, "第一网格"))
        e = self.model.expect(H.G1)
        self.assertEqual(numbers(c), e)
        # written out, so that a wrong model cannot hide a wrong server
        C = self.households["C"]
        nC = len(POP["living"][C])
        self.assertEqual((e["households_reached"], e["residents_accounted"], e["residents_reported"],
                          e["fevers"], e["symptomatic"]), (6, 10 + nC, 8 + nC, 1, 1))
        self.assertEqual([x["unit"] for x in c["children"]],
                         sorted({k["building"] for _, k in POP["up"].values() if k["grid"] == H.G1}))
        self.assertEqual(c["children"][-1]["unit"], B09)
        for ch in c["children"]:
            self.assertEqual(numbers(ch), self.model.expect(ch["unit"]), ch["unit"])
        self.assertEqual(numbers(c), numbers(recount(H.G1, self.d)))

    def test_community_and_street(self):
        c = coverage(H.COMMUNITY, self.d)
        self.assertEqual(numbers(c), self.model.expect(H.COMMUNITY))
        self.assertEqual(c["fevers"], 2)  # B's re-checked fever stays; H's mistyped one was corrected
        self.assertEqual([x["unit"] for x in c["children"]], [H.G1, H.G2])
        for ch in c["children"]:
            self.assertEqual(numbers(ch), self.model.expect(ch["unit"]))
            self.assertEqual(numbers(ch), numbers(recount(ch["unit"], self.d)))
        self.assertEqual(numbers(c), numbers(recount(H.COMMUNITY, self.d)))
        s = coverage(STREET, self.d, user="street")
        self.assertEqual(numbers(s), numbers(c))
        self.assertEqual([x["unit"] for x in s["children"]], [H.COMMUNITY])
        self.assertEqual(numbers(s), numbers(recount(STREET, self.d, user="admin")))
        self.assertEqual(numbers(coverage("4201", self.d, user="admin")), numbers(c))

    def test_buildings_and_entrances_equal_recount(self):
        entrances = sorted(POP["up"])
        buildings = sorted({k["building"] for _, k in POP["up"].values()})
        self.assertEqual(buildings[:3], [H.B01, H.B02, H.B03])
        for unit in buildings + entrances:
            c = coverage(unit, self.d)
            self.assertEqual(numbers(c), self.model.expect(unit), unit)
            self.assertEqual(numbers(c), numbers(recount(unit, self.d)), unit)
        self.assertEqual([x["unit"] for x in coverage(H.B01, self.d)["children"]],
                         [e for e in entrances if POP["up"][e][1]["building"] == H.B01])
        self.assertEqual(coverage(H.E01, self.d)["children"], [])

    def test_households_total_from_household_lists(self):
        """households_total counts the households with someone living there."""
        for unit in (H.B01, H.B02, H.B03, B09, H.G1, H.COMMUNITY):
            hh = H.list_all("secretary", "/api/v1/households?unit=%s" % unit)
            with_people = [h for h in hh if POP["living"][h["id"]]]
            c = coverage(unit, self.d)
            self.assertEqual(c["households_total"], len(with_people))
            self.assertEqual(c["residents_total"], sum(len(POP["living"][h["id"]]) for h in hh))
        self.assertLess(c["households_total"], len(hh))  # vacant flats do not count

    def test_other_days_untouched_and_default_day(self):
        c = coverage(H.G1, day(20))
        self.assertEqual((c["households_reached"], c["residents_accounted"], c["fevers"]), (0, 0, 0))
        st, b = H.as_user("gw01", "GET", "/api/v1/coverage")
        self.assertEqual((st, b["unit"], b["day"]), (200, H.G1, TODAY))
        st, b = H.as_user("gw01", "GET", "/api/v1/coverage?unit=%s&day=27-11-2026" % H.G1)
        self.assertEqual((st, H.err(b)), (400, ("invalid_day", "day")))

    def test_scope_and_roles(self):
        st, b = H.as_user("gw01", "GET", "/api/v1/coverage?unit=%s&day=%s" % (H.G2, self.d))
        self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"))
        st, b = H.as_user("gw01", "GET", "/api/v1/coverage?unit=%s&day=%s" % (H.COMMUNITY, self.d))
        self.assertEqual(st, 404, b)
        for user in ("gw01", "cadre01", "leader01", "vol01"):
            st, b = H.as_user(user, "GET", "/api/v1/coverage/recount?unit=%s&day=%s" % (H.G1, self.d))
            self.assertEqual((st, H.err(b)[0]), (403, "forbidden"), user)
        st, b = H.as_user("vol01", "GET", "/api/v1/coverage?unit=%s&day=%s" % (H.G1, self.d))
        self.assertEqual(st, 200, b)  # coverage is for everyone who works with people
        st, b = H.as_user("auditor", "GET", "/api/v1/coverage")
        self.assertEqual(st, 403, b)
        st, b = H.as_user("command", "GET", "/api/v1/coverage/recount?unit=%s&day=%s" % (H.G1, self.d))
        self.assertEqual(numbers(b), self.model.expect(H.G1))
        self.assertNotIn("children", b)


class MissingAndCallList(unittest.TestCase):
    """Who has not been reached, sorted by building and room, with whose job it is."""

    @classmethod
    def setUpClass(cls):
        d = cls.d = day(3)
        cls.before = coverage(H.G1, d)
        cls.reported = set()
        cls.full = take(n=2)                       # reached in one step
        batch("gw01", cls.full, d, all_normal=True)
        cls.reported |= set(POP["living"][cls.full])
        cls.partial = take(n=3)                    # one of three
        checkin("gw01", POP["living"][cls.partial][1], d, temperature=36.5)
        cls.reported.add(POP["living"][cls.partial][1])
        cls.absent = take(n=2, building=H.B02)     # one away, one reported: reached
        a, b = POP["living"][cls.absent]
        checkin("gw01", a, d, status="away")
        checkin("gw01", b, d)
        cls.reported |= {a, b}
        cls.caller = take(pred=lambda h: len(POP["living"][h]) == 1 and callable_person(POP["living"][h][0]))
        checkin("gw01", POP["living"][cls.caller][0], d, channel="phone")
        cls.reported.add(POP["living"][cls.caller][0])
        # registered-only people never show as missing
        cls.with_away = take(pred=lambda h: POP["others"][h] and len(POP["living"][h]) >= 1)

    def missing(self, user="secretary", unit=H.G1):
        items, offset = [], 0
        while True:
            st, b = H.as_user(user, "GET", "/api/v1/coverage/missing?unit=%s&day=%s&limit=500&offset=%d"
                              % (unit, self.d, offset))
            self.assertEqual(st, 200, b)
            items += b["items"]
            offset += 500
            if offset >= b["total"]:
                return b["total"], items

    def test_total_is_households_minus_reached(self):
        total, items = self.missing()
        c = coverage(H.G1, self.d)
        self.assertEqual(self.before["households_reached"], 0)
        self.assertEqual(c["households_reached"], 3)
        self.assertEqual(total, c["households_total"] - 3)
        self.assertEqual(total, len(items))
        # a page's total is the whole list's (counted with the page); a page past the end
        # says it too, with no items
        page = "/api/v1/coverage/missing?unit=%s&day=%s&limit=3&offset=%d"
        st, p = H.as_user("secretary", "GET", page % (H.G1, self.d, 2))
        self.assertEqual((st, p["total"]), (200, total))
        self.assertEqual([i["household_id"] for i in p["items"]], [i["household_id"] for i in items[2:5]])
        st, p = H.as_user("secretary", "GET", page % (H.G1, self.d, total + 5))
        self.assertEqual((st, p["total"], p["items"]), (200, total, []))
        ids = {i["household_id"] for i in items}
        self.assertNotIn(self.full, ids)
        self.assertNotIn(self.absent, ids)
        self.assertNotIn(self.caller, ids)
        self.assertIn(self.partial, ids)
        expect = {h for h, lv in POP["living"].items() if lv and grid_of(h) == H.G1} - {
            self.full, self.absent, self.caller}
        self.assertEqual(ids, expect)

    def test_sorted_by_building_then_room(self):
        _, items = self.missing(unit=H.G1)
        self.assertEqual([i["building"] for i in items][0], "1栋")
        self.assertEqual(items[-1]["household_id"], POP["late"])  # 9栋 comes last
        self.assertEqual((items[-1]["building"], items[-1]["entrance"], items[-1]["unit_code"]), ("9栋", None, B09))
        keys = [room_key(i) for i in items]
        self.assertEqual(keys, sorted(keys))
        _, items = self.missing(unit=H.COMMUNITY)
        keys = [room_key(i) for i in items]
        self.assertEqual(keys, sorted(keys))

    def test_people_missing_only_unreported_living(self):
        _, items = self.missing()
        by = {i["household_id"]: i for i in items}
        p = by[self.partial]
        living = POP["living"][self.partial]
        self.assertEqual((p["living"], p["accounted"]), (3, 1))
        self.assertEqual([x["id"] for x in p["people_missing"]], [living[0], living[2]])
        self.assertEqual((p["building"], p["entrance"], p["room"], p["unit_code"]),
                         (POP["hh"][self.partial]["building"], POP["hh"][self.partial]["entrance"], POP["hh"][self.partial]["room"],
                          POP["hh"][self.partial]["unit_code"]))
        w = by[self.with_away]
        self.assertEqual([x["id"] for x in w["people_missing"]], POP["living"][self.with_away])
        everyone = [x["id"] for i in items for x in i["people_missing"]]
        self.assertEqual(len(everyone), len(set(everyone)))
        expect = {r for h, lv in POP["living"].items() if grid_of(h) == H.G1 for r in lv} - self.reported
        self.assertEqual(set(everyone), expect)
        for i in items:
            self.assertEqual(i["living"] - i["accounted"], len(i["people_missing"]), i)
            for x in i["people_missing"]:
                r = POP["res"][x["id"]]
                self.assertEqual((x["name"], x["age"]), (r["name"], r["age"]))

    def test_responsible_staff(self):
        _, items = self.missing(unit=H.COMMUNITY)
        users = POP["users"]
        for i in items:
            names = [s["username"] for s in i["responsible"]]
            if grid_of(i["household_id"]) == H.G1:
                self.assertEqual(names, ["gw01", "leader01", "cadre01"], i["room"])
            else:
                self.assertEqual(names, ["gw02", "cadre02"], i["room"])
            for s in i["responsible"]:
                self.assertEqual((s["name"], s["phone"]), (users[s["username"]]["display_name"],
                                                         users[s["username"]]["phone"]))

    def test_phones_per_role(self):
        _, full = self.missing("secretary")
        _, masked = self.missing("command")
        _, worker = self.missing("gw01")
        self.assertEqual([i["household_id"] for i in full], [i["household_id"] for i in masked])
        seen_mobile = 0
        for a, b, c in zip(full, masked, worker):
            for pa, pb, pc in zip(a["people_missing"], b["people_missing"], c["people_missing"]):
                self.assertEqual(pa["phone"], POP["res"][pa["id"]]["phone"])  # community: full
                self.assertEqual(pc["phone"], pa["phone"])                      # grid worker: full
                self.assertEqual(pb["phone"], mask_phone(pa["phone"]))          # command: masked
                if pa["phone"] and re.fullmatch(r"1\d{10}", pa["phone"]):
                    seen_mobile += 1
                    self.assertRegex(pb["phone"], r"^\*{7}\d{4}$")
        self.assertGreater(seen_mobile, 100)
        text = json.dumps(masked, ensure_ascii=False)
        people_only = json.dumps([i["people_missing"] for i in masked])
        self.assertIsNone(H.PHONE_RE.search(people_only))
        self.assertIsNone(H.ID_RE.search(text))

    def test_call_list(self):
        st, b = H.as_user("secretary", "GET", "/api/v1/calllist?unit=%s&day=%s&limit=500" % (H.G1, self.d))
        self.assertEqual(st, 200, b)
        ids = [x["id"] for x in b["items"]]
        expect = {r for h, lv in POP["living"].items() if grid_of(h) == H.G1 for r in lv
                  if callable_person(r)} - self.reported
        self.assertEqual(b["total"], len(expect))
        self.assertEqual(set(ids), expect)
        self.assertNotIn(POP["living"][self.caller][0], ids)
        self.assertEqual(b["unit"], H.G1)
        keys = [room_key(x) for x in b["items"]]
        self.assertEqual(keys, sorted(keys))
        for x in b["items"]:
            r = POP["res"][x["id"]]
            self.assertEqual((x["name"], x["phone"], x["household_id"], x["room"], x["unit_code"]),
                             (r["name"], r["phone"], r["household_id"], r["room"], r["unit_code"]))
            self.assertTrue({"no_smartphone", "lives_alone"} & set(x["flags"]), x)
        # a masking role in REGISTRY (admin) sees masked phones; command may not use it
        st, a = H.as_user("admin", "GET", "/api/v1/calllist?unit=%s&day=%s&limit=500" % (H.G1, self.d))
        self.assertEqual([x["id"] for x in a["items"]], ids)
        self.assertEqual([x["phone"] for x in a["items"]], [mask_phone(x["phone"]) for x in b["items"]])
        st, c = H.as_user("command", "GET", "/api/v1/calllist?unit=%s&day=%s" % (H.G1, self.d))
        self.assertEqual((st, H.err(c)[0]), (403, "forbidden"))
        # paging
        st, p = H.as_user("gw01", "GET", "/api/v1/calllist?day=%s&limit=7&offset=7" % self.d)
        self.assertEqual([x["id"] for x in p["items"]], ids[7:14])
        self.assertEqual(p["total"], len(expect))

    def test_outside_scope(self):
        for path in ("/api/v1/coverage/missing", "/api/v1/calllist"):
            st, b = H.as_user("gw01", "GET", "%s?unit=%s&day=%s" % (path, H.G2, self.d))
            self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"), path)
            st, b = H.as_user("gw02", "GET", "%s?unit=%s&day=%s" % (path, H.E01, self.d))
            self.assertEqual(st, 404, b)
        st, b = H.as_user("vol01", "GET", "/api/v1/coverage/missing?day=%s" % self.d)
        self.assertEqual(st, 403, b)
        st, b = H.as_user("gw02", "GET", "/api/v1/coverage/missing?day=%s&limit=1" % self.d)
        self.assertEqual((st, b["unit"]), (200, H.G2))
        self.assertEqual(b["total"], coverage(H.G2, self.d)["households_total"])


class Alerts(unittest.TestCase):
    """A reading at 37.3 or a symptom opens an alert at once; its workflow; the health record."""

    def post_step(self, aid, body, user="gw01"):
        return H.as_user(user, "POST", "/api/v1/alerts/%d/steps" % aid, body)

    def step_ok(self, aid, body, user="gw01"):
        st, b = self.post_step(aid, body, user)
        self.assertEqual(st, 201, (body, b))
        return b

    def alert_ids(self, user, state, unit=None):
        q = "/api/v1/alerts?state=%s&limit=500%s" % (state, "&unit=" + unit if unit else "")
        st, b = H.as_user(user, "GET", q)
        self.assertEqual(st, 200, b)
        self.assertEqual(b["total"], len(b["items"]))
        return [a["id"] for a in b["items"]]

    def test_threshold_and_symptoms(self):
        low, hot, sym, fev = (take_person() for _ in range(4))
        r = checkin("gw01", low, TODAY, temperature=37.2)
        self.assertEqual((r["fever"], r["alert_id"]), (False, None))
        r = checkin("gw01", hot, TODAY, temperature=37.3)
        self.assertTrue(r["fever"])
        self.assertIsInstance(r["alert_id"], int)
        a_hot = r["alert_id"]
        r = checkin("gw01", sym, TODAY, symptoms=["sore_throat"])
        self.assertEqual(r["fever"], False)
        self.assertIsInstance(r["alert_id"], int)
        r = checkin("gw01", fev, TODAY, symptoms=["fever"])
        self.assertEqual(r["fever"], True)
        self.assertIsInstance(r["alert_id"], int)
        for user in ("gw01", "leader01", "secretary", "command"):
            opened = self.alert_ids(user, "open")
            self.assertIn(a_hot, opened, user)
        st, a = H.as_user("secretary", "GET", "/api/v1/alerts/%d" % a_hot)
        self.assertEqual(st, 200, a)
        res = POP["res"][hot]
        self.assertEqual((a["resident_id"], a["state"], a["temperature"], a["level"], a["outcome"], a["day"]),
                         (hot, "open", 37.3, 0, None, TODAY))
        self.assertEqual((a["resident_name"], a["room"], a["unit_code"], a["household_id"]),
                         (res["name"], res["room"], res["unit_code"], res["household_id"]))
        self.assertEqual([(s["step"], s["value"], s["by"]) for s in a["steps"]], [("opened", "37.3", "gw01")])
        st, lst = H.as_user("gw01", "GET", "/api/v1/alerts?state=active&limit=500")
        self.assertNotIn(low, [x["resident_id"] for x in lst["items"]])
        st, b = H.as_user("gw01", "GET", "/api/v1/alerts?state=burning")
        self.assertEqual((st, H.err(b)), (400, ("invalid_state", "state")))
        st, b = H.as_user("vol01", "GET", "/api/v1/alerts")
        self.assertEqual(st, 403, b)

    def test_workflow(self):
        rid = take_person()
        aid = checkin("gw01", rid, TODAY, temperature=38.4, symptoms=["cough"])["alert_id"]
        # a new reading of the same resident joins the open alert
        again = checkin("gw01", rid, TODAY, temperature=38.9)
        self.assertEqual((again["alert_id"], again["corrected"]), (aid, True))
        bad = [({"step": "close"}, 409, "invalid_transition", "step"),
               ({"step": "outcome"}, 400, "invalid_outcome", "outcome"),
               ({"step": "outcome", "outcome": "cured"}, 400, "invalid_outcome", "outcome"),
               ({"step": "dance"}, 400, "invalid_step", "step"),
               ({"step": "note"}, 400, "required", "note"),
               ({}, 400, "required", "step"),
               ({"step": "note", "note": "x", "colour": "red"}, 400, "unknown_field", "colour"),
               ({"step": "door_reading", "temperature": 44}, 400, "out_of_range", "temperature"),
               ({"step": "assign"}, 400, "required", "door_checker"),
               ({"step": "assign", "door_checker": "gw02"}, 400, "user_not_found", "door_checker")]
        han = re.compile("[\u4e00-\u9fff]")
        for body, status, code, field in bad:
            st, b = self.post_step(aid, body)
            self.assertEqual((st, H.err(b)), (status, (code, field)), body)
            if code != "unknown_field":  # the app shows the Chinese half of the message
                self.assertRegex(b["error"]["message"], han, body)
        a = self.step_ok(aid, {"step": "acknowledged", "note": "已电话联系"})
        self.assertEqual(a["state"], "acknowledged")
        # a second tap (two people on one alert): said in Chinese too
        st, b = self.post_step(aid, {"step": "acknowledged"})
        self.assertEqual((st, H.err(b)), (409, ("invalid_transition", "step")))
        self.assertRegex(b["error"]["message"], han)
        self.assertNotIn(aid, self.alert_ids("gw01", "open"))
        self.assertIn(aid, self.alert_ids("gw01", "acknowledged"))
        a = self.step_ok(aid, {"step": "assign", "door_checker": "vol01"})
        self.assertEqual(a["door_checker"], {"username": "vol01", "name": "王明仁"})
        a = self.step_ok(aid, {"step": "clinic_check", "note": "社区卫生服务中心"}, user="secretary")
        self.assertEqual(a["state"], "clinic")
        a = self.step_ok(aid, {"step": "door_reading", "temperature": 36.9})
        self.assertEqual((a["state"], a["door_checker"]["username"]), ("clinic", "vol01"))
        a = self.step_ok(aid, {"step": "outcome", "outcome": "home_observation"}, user="leader01")
        tomorrow = (datetime.date.fromisoformat(TODAY) + datetime.timedelta(days=1)).isoformat()
        self.assertEqual((a["state"], a["outcome"], a["recheck_day"], a["closed_at"]),
                         ("observation", "home_observation", tomorrow, None))
        self.assertIn(aid, self.alert_ids("secretary", "observation"))
        self.assertIn(aid, self.alert_ids("secretary", "active"))
        a = self.step_ok(aid, {"step": "close", "note": "观察期满"})
        self.assertEqual(a["state"], "closed")
        self.assertTrue(a["closed_at"].startswith(TODAY))
        st, b = self.post_step(aid, {"step": "acknowledged"})
        self.assertEqual((st, H.err(b)), (409, ("alert_closed", "step")))
        st, b = self.post_step(aid, {"step": "door_reading", "temperature": 36.5})
        self.assertEqual((st, H.err(b)), (409, ("alert_closed", "step")))
        a = self.step_ok(aid, {"step": "note", "note": "次日复查正常"})
        self.assertEqual(a["state"], "closed")
        self.assertEqual([(s["step"], s["value"], s["by"]) for s in a["steps"]],
                         [("opened", '38.4 ["cough"]', "gw01"), ("reading", "38.9", "gw01"),
                          ("acknowledged", None, "gw01"), ("assign", "vol01", "gw01"),
                          ("clinic_check", None, "secretary"), ("door_reading", "36.9", "gw01"),
                          ("outcome", "home_observation", "leader01"), ("close", None, "gw01"),
                          ("note", None, "gw01")])
        self.assertEqual(a["steps"][2]["note"], "已电话联系")
        self.assertIn(aid, self.alert_ids("gw01", "closed"))
        self.assertNotIn(aid, self.alert_ids("gw01", "active"))
        # the next fever of the same resident opens a new alert
        nxt = checkin("gw01", rid, TODAY, temperature=37.6)["alert_id"]
        self.assertNotEqual(nxt, aid)

    def test_other_outcomes_close_at_once(self):
        r1, r2 = take_person(), take_person()
        a1 = checkin("gw01", r1, TODAY, temperature=39.0)["alert_id"]
        a2 = checkin("gw01", r2, TODAY, symptoms=["chest_tightness"])["alert_id"]
        self.step_ok(a1, {"step": "acknowledged"})
        a = self.step_ok(a1, {"step": "outcome", "outcome": "hospital", "note": "120 送医"})
        self.assertEqual((a["state"], a["outcome"], a["recheck_day"]), ("closed", "hospital", None))
        a = self.step_ok(a2, {"step": "clinic_check"})
        a = self.step_ok(a2, {"step": "outcome", "outcome": "excluded", "note": "社区医院复测 36.6，王医生排除"})
        tomorrow = (datetime.date.fromisoformat(TODAY) + datetime.timedelta(days=1)).isoformat()
        self.assertEqual((a["state"], a["outcome"], a["recheck_day"]), ("closed", "excluded", tomorrow))

    def test_health_record(self):
        rid, calm = take_person(), take_person()
        aid = checkin("gw01", rid, day(1), temperature=37.8)["alert_id"]
        checkin("gw01", rid, TODAY, temperature=36.7)
        self.step_ok(aid, {"step": "acknowledged"})
        checkin("gw01", calm, TODAY, temperature=36.4)
        st, h = H.as_user("leader01", "GET", "/api/v1/residents/%d/health" % rid)
        self.assertEqual(st, 200, h)
        self.assertEqual((h["resident_id"], h["ever_alerted"]), (rid, True))
        self.assertEqual([(x["day"], x["temperature"], x["fever"]) for x in h["readings"]],
                         [(TODAY, 36.7, False), (day(1), 37.8, True)])
        self.assertEqual([a["id"] for a in h["alerts"]], [aid])
        self.assertEqual([s["step"] for s in h["alerts"][0]["steps"]], ["opened", "acknowledged"])
        st, h = H.as_user("gw01", "GET", "/api/v1/residents/%d/health" % calm)
        self.assertEqual((h["ever_alerted"], h["alerts"], len(h["readings"])), (False, [], 1))
        st, h = H.as_user("gw02", "GET", "/api/v1/residents/%d/health" % rid)
        self.assertEqual((st, H.err(h)[0]), (404, "resident_not_found"))
        st, h = H.as_user("vol01", "GET", "/api/v1/residents/%d/health" % rid)
        self.assertEqual(st, 403, h)

    def test_alert_of_grid_2_invisible_to_gw01(self):
        rid = take_person(H.G2)
        aid = checkin("gw02", rid, TODAY, temperature=38.5)["alert_id"]
        st, b = H.as_user("gw01", "GET", "/api/v1/alerts/%d" % aid)
        self.assertEqual((st, H.err(b)), (404, ("alert_not_found", "alert_id")))
        st, b = self.post_step(aid, {"step": "acknowledged"})
        self.assertEqual((st, H.err(b)), (404, ("alert_not_found", "alert_id")))
        for state in ("open", "active", ""):
            self.assertNotIn(aid, self.alert_ids("gw01", state))
        st, b = H.as_user("gw01", "GET", "/api/v1/alerts?unit=%s" % H.G2)
        self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"))
        st, b = H.as_user("gw01", "GET", "/api/v1/residents/%d/health" % rid)
        self.assertEqual(st, 404, b)
        self.assertIn(aid, self.alert_ids("gw02", "open"))
        self.assertIn(aid, self.alert_ids("secretary", "open", unit=H.G2))
        self.assertNotIn(aid, self.alert_ids("secretary", "open", unit=H.G1))
        self.assertIn(aid, self.alert_ids("command", "open"))
        st, b = H.as_user("gw01", "GET", "/api/v1/alerts/abc")
        self.assertEqual(st, 404, b)

    def test_audit_rows_hold_no_values(self):
        rid = take_person()
        aid = checkin("gw01", rid, TODAY, temperature=38.8, symptoms=["cough"])["alert_id"]
        H.as_user("gw01", "GET", "/api/v1/alerts/%d" % aid)
        H.as_user("gw01", "GET", "/api/v1/coverage/missing?limit=5")
        rows = H.audit_rows(limit=500, username="gw01")
        self.assertTrue(any(r["action"] == "checkin" and r["entity"] == "resident" for r in rows))
        for r in rows:
            text = json.dumps(r, ensure_ascii=False)
            self.assertIsNone(H.ID_RE.search(text), r)
            self.assertIsNone(H.PHONE_RE.search(text), r)
            self.assertNotRegex(r["fields"] or "", r"\d\d\.\d")  # no temperatures


class LiveFeed(unittest.TestCase):
    """GET /api/v1/events: check-in and alert events within the caller's subtree."""

    def test_a_browser_leaving_a_live_page_is_not_a_server_error(self):
        """Feeds closed by their clients while events flow: nothing in the server's log."""
        import struct
        before = len(H.server_log())
        socks = []
        for i in range(6):
            c = socket.create_connection(("127.0.0.1", H.state["port"]), timeout=5)
            c.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
                       "Authorization: Bearer %s\r\n\r\n" % H.login("secretary")).encode())
            self.assertIn(b"200", c.recv(4096))
            if i % 2:  # half leave with a reset, as a phone losing its network does
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            socks.append(c)
        for c in socks:
            c.close()
        for _ in range(3):  # each feed is written to after its client went away
            checkin("gw01", take_person(), TODAY, temperature=36.5)
            time.sleep(0.3)
        log = H.server_log()[before:]
        self.assertNotIn("Failed to send", log)
        self.assertNotIn("no longer available", log)

    def test_secretary_sees_checkin_and_alert_within_2s(self):
        s = Stream("secretary")
        try:
            self.assertEqual(s.status, 200)
            self.assertTrue(s.ctype.startswith("text/event-stream"), s.ctype)
            rid = take_person()
            t0 = time.time()
            r = checkin("gw01", rid, TODAY, temperature=38.3, symptoms=["cough"])
            c = s.wait_for(is_checkin(rid))
            a = s.wait_for(is_alert(rid))
            self.assertIsNotNone(c, s.events)
            self.assertIsNotNone(a, s.events)
            self.assertLess(c["at"] - t0, 2.0)
            self.assertLess(a["at"] - t0, 2.0)
            self.assertEqual(c["data"], {"resident_id": rid, "day": TODAY, "household_reached": True,
                                         "fever": True})
            self.assertEqual((a["data"]["id"], a["data"]["state"], a["data"]["temperature"],
                              a["data"]["symptoms"], a["data"]["resident_name"]),
                             (r["alert_id"], "open", 38.3, ["cough"], POP["res"][rid]["name"]))
            self.assertLess(c["id"], a["id"])
            self.assertIn("retry: 3000", s.preamble)
            # a workflow step is announced too
            st, _ = H.as_user("leader01", "POST", "/api/v1/alerts/%d/steps" % r["alert_id"], {"step": "acknowledged"})
            self.assertEqual(st, 201)
            self.assertIsNotNone(s.wait_for(is_alert(rid, "acknowledged")), s.events)
        finally:
            s.close()

    def test_grid_2_stream_gets_no_grid_1_events(self):
        sec, g2 = Stream("secretary"), Stream("gw02")
        try:
            rid = take_person()
            checkin("gw01", rid, TODAY, temperature=39.1)
            self.assertIsNotNone(sec.wait_for(is_alert(rid)))
            time.sleep(1.5)
            leaked = [e for e in g2.events if e["event"] in ("checkin", "alert", "alert_escalated")]
            self.assertEqual(leaked, [])
            # and it does get its own grid's
            rid2 = take_person(H.G2)
            checkin("gw02", rid2, TODAY, temperature=36.5)
            self.assertIsNotNone(g2.wait_for(is_checkin(rid2)), g2.events)
            self.assertIsNotNone(sec.wait_for(is_checkin(rid2)), sec.events)
        finally:
            sec.close()
            g2.close()

    def test_last_event_id_resumes(self):
        s = Stream("secretary")
        try:
            r1 = take_person()
            checkin("gw01", r1, TODAY)
            e1 = s.wait_for(is_checkin(r1))
            self.assertIsNotNone(e1)
        finally:
            s.close()
        r2 = take_person()
        checkin("gw01", r2, TODAY, temperature=36.1)   # while nobody listens
        resumed, fresh = Stream("secretary", last_id=e1["id"]), Stream("secretary")
        try:
            e2 = resumed.wait_for(is_checkin(r2))
            self.assertIsNotNone(e2, resumed.events)
            self.assertGreater(e2["id"], e1["id"])
            self.assertIsNone(resumed.wait_for(is_checkin(r1), timeout=0.2))
            self.assertIsNone(fresh.wait_for(is_checkin(r2), timeout=0.5))  # a new stream starts now
        finally:
            resumed.close()
            fresh.close()

    def test_last_event_id_from_before_a_restart(self):
        """A browser's EventSource sends its last id again when it reconnects, also to a
        restarted server whose ids start again at 1: it must still get the new events."""
        s = Stream("secretary", last_id=10 ** 9)
        try:
            self.assertEqual(s.status, 200)
            rid = take_person()
            checkin("gw01", rid, TODAY, temperature=36.6)
            self.assertIsNotNone(s.wait_for(is_checkin(rid)), s.events)
        finally:
            s.close()

    def test_roles_and_session(self):
        st, b = H.call("GET", "/api/v1/events")
        self.assertEqual(st, 401, b)
        st, b = H.as_user("vol01", "GET", "/api/v1/events")
        self.assertEqual(st, 403, b)


class Escalation(unittest.TestCase):
    """An alert nobody acknowledged for 30 minutes escalates one level up (the grid's
    community): its level rises, an `escalated` step is recorded and the community's feed
    gets `alert_escalated`.  The alert is backdated instead of waiting; the server's ticker
    looks every 5 seconds."""

    def escalate(self, rid, user="gw01"):
        aid = checkin(user, rid, TODAY, temperature=38.6)["alert_id"]
        store_sql("UPDATE alerts SET opened_at = opened_at - 1860 WHERE id = %d" % aid)
        return aid

    def test_unacknowledged_alert_escalates_to_the_community(self):
        sec, gw, street = Stream("secretary"), Stream("gw01"), Stream("street")
        try:
            rid = take_person()
            aid = self.escalate(rid)
            ev = sec.wait_for(lambda e: e["event"] == "alert_escalated" and e["data"]["id"] == aid, timeout=8)
            self.assertIsNotNone(ev, sec.events)
            self.assertEqual((ev["data"]["level"], ev["data"]["state"], ev["data"]["resident_id"]), (1, "open", rid))
            self.assertIsNotNone(street.wait_for(lambda e: e["event"] == "alert_escalated", timeout=0.5))
            self.assertEqual([e for e in gw.events if e["event"] == "alert_escalated"], [])
            st, a = H.as_user("gw01", "GET", "/api/v1/alerts/%d" % aid)
            self.assertEqual((a["level"], a["state"]), (1, "open"))
            self.assertEqual([(x["step"], x["by"]) for x in a["steps"]], [("opened", "gw01"), ("escalated", None)])
            # acknowledged alerts do not escalate
            rid2 = take_person()
            aid2 = checkin("gw01", rid2, TODAY, temperature=38.1)["alert_id"]
            self.assertEqual(H.as_user("gw01", "POST", "/api/v1/alerts/%d/steps" % aid2,
                                       {"step": "acknowledged"})[0], 201)
            store_sql("UPDATE alerts SET opened_at = opened_at - 1860 WHERE id = %d" % aid2)
            time.sleep(5.5)
            st, a = H.as_user("gw01", "GET", "/api/v1/alerts/%d" % aid2)
            self.assertEqual(a["level"], 0)
        finally:
            sec.close()
            gw.close()
            street.close()

    def test_household_on_a_building_escalates_to_the_community_too(self):
        """9栋's household hangs on the building itself (no entrance): one level up from its
        grid is still the community, not the street."""
        sec = Stream("secretary")
        try:
            rid = POP["living"][POP["late"]][0]
            aid = self.escalate(rid)
            ev = sec.wait_for(lambda e: e["event"] == "alert_escalated" and e["data"]["id"] == aid, timeout=8)
            self.assertIsNotNone(ev, "the community's feed got no alert_escalated for %d: %s" % (aid, sec.events))
        finally:
            sec.close()


class ChainPaste(unittest.TestCase):
    """A pasted WeChat chain: previewed line by line, saved only on confirm."""

    @classmethod
    def setUpClass(cls):
        cls.d = day(4)

        def named(h):
            names = [POP["res"][r]["name"] for r in POP["living"][h]]
            n0 = names[0]
            return (len(set(names)) == 3 and n0[0] in SAFE_SURNAMES and len(n0) == 3 and
                    not set(n0[1:]) & set("平安健康明白良好正常全部一切温"))
        h = cls.h = {
            "two": take(n=2, building=H.B01), "named": take(n=3, building=H.B01, pred=named),
            "fullwidth": take(n=1, building=H.B01), "trad": take(n=2, building=H.B02),
            "fever": take(n=1, building=H.B02), "temps": take(n=2, building=H.B01),
            "count": take(n=1, building=H.B01), "g2": take(H.G2, n=1)}
        room = {k: POP["hh"][v]["room"] for k, v in h.items()}
        fw = str.maketrans("0123456789", "０１２３４５６７８９")
        cls.name0 = POP["res"][POP["living"][h["named"]][0]]["name"]
        m, dd = int(cls.d[5:7]), int(cls.d[8:10])
        cls.lines = [
            "【青和居第一网格】%d月%d日健康打卡接龙" % (m, dd),                     # 1 header
            "例：1栋101 两人 体温正常",                                              # 2 example
            "1. 1栋%s 两人 体温正常" % room["two"],                                  # 3
            "2、1栋%s %s 36.5" % (room["named"], cls.name0),                         # 4
            "３．１栋%s，一人，体温正常" % room["fullwidth"].translate(fw),          # 5 full width
            "4) 2棟%s 兩人 體溫正常" % room["trad"],                                 # 6 traditional
            "收到，谢谢网格员辛苦了",                                                # 7 chatter
            "（6）2-%s 37.8 咳嗽" % room["fever"],                                   # 8
            "7、1号楼 %s 36.4 36.7" % room["temps"],                                 # 9
            "8. 1栋2909 一人 正常",                                                  # 10 no such room
            "9. 1栋%s 三人 正常" % room["count"],                                    # 11 wrong count
            "10. 3栋%s 一人 正常" % room["g2"],                                      # 12 another grid
        ]
        cls.text = "\n".join(cls.lines) + "\n"
        st, cls.preview = H.as_user("gw01", "POST", "/api/v1/checkins/chain",
                                    {"unit": H.G1, "day": cls.d, "text": cls.text})
        assert st == 200, cls.preview

    def test_preview_matches_and_reasons(self):
        p, h = self.preview, self.h
        self.assertEqual((p["unit"], p["day"]), (H.G1, self.d))
        got = {m["line"]: m for m in p["matched"]}
        self.assertEqual(sorted(got), [3, 4, 5, 6, 8, 9])
        expect_hh = {3: h["two"], 4: h["named"], 5: h["fullwidth"], 6: h["trad"], 8: h["fever"], 9: h["temps"]}
        for line, hid in expect_hh.items():
            self.assertEqual(got[line]["household_id"], hid, got[line])
            self.assertEqual(got[line]["text"], self.lines[line - 1])
            self.assertEqual(got[line]["room"], POP["hh"][hid]["room"])
        lv = POP["living"]
        self.assertEqual([(r["resident_id"], r.get("temperature")) for r in got[3]["readings"]],
                         [(x, None) for x in lv[h["two"]]])
        self.assertEqual([(r["resident_id"], r["name"], r["temperature"]) for r in got[4]["readings"]],
                         [(lv[h["named"]][0], self.name0, 36.5)])
        self.assertEqual([r["resident_id"] for r in got[5]["readings"]], lv[h["fullwidth"]])
        self.assertEqual((got[6]["building"], got[6]["entrance"]), ("2栋", "1单元"))
        self.assertEqual([r["resident_id"] for r in got[6]["readings"]], lv[h["trad"]])
        self.assertEqual([(r["resident_id"], r["temperature"], r["symptoms"]) for r in got[8]["readings"]],
                         [(lv[h["fever"]][0], 37.8, ["cough"])])
        self.assertEqual([(r["resident_id"], r["temperature"]) for r in got[9]["readings"]],
                         list(zip(lv[h["temps"]], [36.4, 36.7])))
        un = {u["line"]: u for u in p["unmatched"]}
        self.assertEqual(sorted(un), [1, 2, 7, 10, 11, 12])
        self.assertIn("no building and room", un[1]["reason"])
        self.assertIn("example", un[2]["reason"])
        self.assertIn("no building and room", un[7]["reason"])
        self.assertIn("no such household", un[10]["reason"])
        self.assertIn("head count", un[11]["reason"])
        self.assertEqual(un[11]["household_id"], h["count"])
        self.assertEqual([x["resident_id"] for x in un[11]["people"]], lv[h["count"]])
        self.assertIn("no such household", un[12]["reason"])  # grid 2 is not gw01's
        self.assertNotIn("household_id", un[12])

    def test_nothing_saved_before_confirm_then_confirm_and_retry(self):
        d, h, lv = self.d, self.h, POP["living"]
        zero = numbers(coverage(H.G1, d))
        self.assertEqual((zero["households_reached"], zero["residents_accounted"]), (0, 0))
        for k in ("two", "named", "fever"):
            self.assertEqual(checkins_of(lv[h[k]][0], d), [])
        lines = [{k: m[k] for k in ("line", "text", "household_id", "readings")} for m in self.preview["matched"]]
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm", {"day": d, "lines": lines})
        self.assertEqual(st, 201, b)
        n = sum(len(m["readings"]) for m in lines)
        self.assertEqual((b["day"], b["saved"], len(b["results"])), (d, n, n))
        self.assertEqual([r["duplicate"] for r in b["results"]], [False] * n)
        fever = [r for r in b["results"] if r["fever"]]
        self.assertEqual([r["resident_id"] for r in fever], [lv[h["fever"]][0]])
        self.assertIsInstance(fever[0]["alert_id"], int)
        c = checkins_of(lv[h["named"]][0], d)
        self.assertEqual(len(c), 1)
        self.assertEqual((c[0]["source_line"], c[0]["channel"], c[0]["temperature"], c[0]["recorded_by"]),
                         (self.lines[3], "wechat", 36.5, "gw01"))
        c = checkins_of(lv[h["fullwidth"]][0], d)
        self.assertEqual(c[0]["source_line"], self.lines[4])  # the line as pasted, full width and all
        cov = coverage(H.G1, d)
        self.assertEqual((cov["households_reached"], cov["residents_accounted"], cov["residents_reported"],
                          cov["fevers"], cov["symptomatic"]), (5, n, n, 1, 1))
        self.assertEqual(numbers(cov), numbers(recount(H.G1, d)))
        # the worker fixes the head-count line with the people the preview listed
        un = [u for u in self.preview["unmatched"] if u["line"] == 11][0]
        fix = {"line": 11, "text": un["text"], "household_id": un["household_id"],
               "readings": [{"resident_id": p["resident_id"], "temperature": 36.6} for p in un["people"]]}
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm", {"day": d, "lines": [fix]})
        self.assertEqual((st, b["saved"]), (201, 1), b)
        # confirming again (a retry) stores nothing
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm", {"day": d, "lines": lines + [fix]})
        self.assertEqual((st, b["saved"]), (201, 0), b)
        self.assertEqual({r["duplicate"] for r in b["results"]}, {True})
        self.assertEqual(len(checkins_of(lv[h["named"]][0], d)), 1)
        self.assertEqual(coverage(H.G1, d)["households_reached"], 6)

    def test_confirm_errors_save_nothing(self):
        d, h, lv = self.d, self.h, POP["living"]
        other = take(n=1)
        good = {"line": 1, "text": "1栋 测试", "household_id": other, "readings": [{"resident_id": lv[other][0]}]}
        wrong = {"line": 2, "text": "1栋 错户", "household_id": other, "readings": [{"resident_id": lv[h["two"]][0]}]}
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm", {"day": d, "lines": [good, wrong]})
        self.assertEqual((st, H.err(b)), (400, ("not_in_household", "lines[1]")))
        self.assertEqual(checkins_of(lv[other][0], d), [])
        cases = [({"day": d}, "required", "lines"), ({"day": d, "lines": []}, "required", "lines"),
                 ({"day": day(-1), "lines": [good]}, "future_day", "day"),
                 ({"day": d, "lines": [dict(good, readings=[{"resident_id": lv[other][0], "temperature": 45}])]},
                  "out_of_range", "lines[0]"),
                 ({"day": d, "lines": [{"line": 1, "household_id": other, "readings": []}]}, "invalid_line",
                  "lines[0]")]
        for body, code, field in cases:
            with self.subTest(code=code):
                st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm", body)
                self.assertEqual((st, H.err(b)), (400, (code, field)), body)
        self.assertEqual(checkins_of(lv[other][0], d), [])
        # a resident outside the worker's grid
        g2 = POP["living"][h["g2"]][0]
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm",
                          {"day": d, "lines": [dict(good, household_id=h["g2"], readings=[{"resident_id": g2}])]})
        self.assertEqual(st, 404, b)
        self.assertEqual(checkins_of(g2, d), [])

    def test_preview_scope_roles_and_input(self):
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain", {"unit": H.G2, "text": "3栋101 正常"})
        self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"))
        st, b = H.as_user("vol01", "POST", "/api/v1/checkins/chain", {"text": "1栋101 正常"})
        self.assertEqual(st, 403, b)
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain", {"unit": H.G1})
        self.assertEqual((st, H.err(b)), (400, ("required", "text")))
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain", {"text": "1栋101 正常", "day": day(40)})
        self.assertEqual((st, H.err(b)), (400, ("day_too_old", "day")))
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain", {"text": "\n\n  \n"})
        self.assertEqual((st, b["matched"], b["unmatched"], b["unit"]), (200, [], [], H.G1))
        # the secretary previews the same text for the whole community: 3栋 now matches
        st, b = H.as_user("secretary", "POST", "/api/v1/checkins/chain",
                          {"unit": H.COMMUNITY, "day": self.d, "text": self.text})
        self.assertEqual(st, 200, b)
        self.assertIn(12, [m["line"] for m in b["matched"]])


class DailyReport(unittest.TestCase):
    """The daily report equals the coverage; CSV with Chinese headers, XLSX, and the CLI."""

    @classmethod
    def setUpClass(cls):
        d = cls.d = day(5)
        batch("gw01", take(n=2), d, all_normal=True)
        batch("gw01", take(n=3, building=H.B02), d, all_normal=True)
        checkin("gw01", take_person(), d, temperature=38.2)                     # an open alert
        acked = checkin("gw01", take_person(), d, symptoms=["cough"])["alert_id"]
        st, _ = H.as_user("gw01", "POST", "/api/v1/alerts/%d/steps" % acked, {"step": "acknowledged"})
        assert st == 201
        closed = checkin("gw02", take_person(H.G2), d, temperature=37.9)["alert_id"]
        st, _ = H.as_user("gw02", "POST", "/api/v1/alerts/%d/steps" % closed, {"step": "acknowledged"})
        assert st == 201
        st, _ = H.as_user("gw02", "POST", "/api/v1/alerts/%d/steps" % closed,
                          {"step": "outcome", "outcome": "excluded", "note": "复测正常"})
        assert st == 201
        checkin("gw02", take_person(H.G2), d, status="away")

    def report(self, user, unit, fmt="json"):
        return H.as_user(user, "GET", "/api/v1/reports/daily?unit=%s&day=%s&format=%s" % (unit, self.d, fmt))

    def test_json_equals_coverage(self):
        st, r = self.report("secretary", H.COMMUNITY)
        self.assertEqual(st, 200, r)
        c = coverage(H.COMMUNITY, self.d)
        self.assertEqual(numbers(r), numbers(c))
        self.assertEqual((r["unit"], r["day"]), (H.COMMUNITY, self.d))
        self.assertEqual(r["alerts"], {"open": 1, "acknowledged": 1, "clinic": 0, "observation": 0, "closed": 1})
        self.assertAlmostEqual(r["household_coverage_pct"], 100.0 * c["households_reached"] / c["households_total"],
                               places=4)
        self.assertEqual([x["unit"] for x in r["children"]], [H.G1, H.G2])
        for x, y in zip(r["children"], c["children"]):
            self.assertEqual(numbers(x), numbers(y))
        self.assertEqual(r["children"][0]["alerts"],
                         {"open": 1, "acknowledged": 1, "clinic": 0, "observation": 0, "closed": 0})
        self.assertEqual(r["children"][1]["alerts"],
                         {"open": 0, "acknowledged": 0, "clinic": 0, "observation": 0, "closed": 1})
        self.assertEqual((c["households_reached"], c["fevers"], c["symptomatic"]), (6, 2, 1))
        st, g = self.report("gw01", H.G1)
        self.assertEqual(numbers(g), numbers(coverage(H.G1, self.d)))

    def test_csv(self):
        st, raw = self.report("secretary", H.COMMUNITY, "csv")
        self.assertEqual(st, 200)
        self.assertTrue(H.last_headers["content-type"].startswith("text/csv"))
        self.assertIn("daily-report-%s-%s.csv" % (H.COMMUNITY, self.d), H.last_headers.get("content-disposition", ""))
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        text = raw.decode("utf-8-sig")
        lines = text.splitlines()
        self.assertEqual(lines[0], "日报 青和居社区 %s" % self.d)
        self.assertEqual(lines[1], REPORT_HEADER)
        # the table, then after a blank line the unit's help requests by category
        body = lines[2:]
        blank = body.index("")
        rows = list(csv.reader(io.StringIO("\n".join(body[:blank]))))
        by_cat = list(csv.reader(io.StringIO("\n".join(body[blank + 1:]))))
        self.assertEqual(by_cat[0], ["求助类别", "受理", "办结", "逾期", "升级"])
        self.assertEqual([r[0] for r in by_cat[1:]], ["就医", "买药", "生活物资", "维修", "心理疏导", "送医转运", "其他"])
        help_json = self.report("secretary", H.COMMUNITY)[1]["help"]["by_category"]
        for r, key in zip(by_cat[1:], ["medical", "medicine", "supplies", "repairs", "counselling", "transport", "other"]):
            want = help_json.get(key, {})
            self.assertEqual([int(x) for x in r[1:]], [want.get(k, 0) for k in ("received", "done", "overdue", "escalated")])
        c = coverage(H.COMMUNITY, self.d)
        self.assertEqual([r[0] for r in rows], [H.COMMUNITY, H.G1, H.G2])
        for row, cov in zip(rows, [c] + c["children"]):
            self.assertEqual(row[1], cov["name"])
            self.assertEqual([int(x) for x in (row[2], row[3], row[5], row[6], row[7], row[8], row[9])],
                             [cov[k] for k in ("households_total", "households_reached", "residents_total",
                                               "residents_accounted", "residents_reported", "fevers",
                                               "symptomatic")])
            self.assertEqual(row[4], "%.1f" % (100.0 * cov["households_reached"] / cov["households_total"]))
        self.assertEqual(rows[0][10:13], ["1", "1", "1"])
        # the four categories, as GET /categories counts them (the alert above is only a fever)
        cat = H.as_user("secretary", "GET", "/api/v1/categories?unit=" + H.COMMUNITY)[1]
        for row, counts in zip(rows, [cat["total"]] + cat["children"]):
            self.assertEqual(row[0], counts["unit"])
            self.assertEqual([int(x) for x in row[13:22]],
                             [counts["counts"]["confirmed"], counts["counts"]["suspected"],
                              counts["counts"]["fever_unexcluded"], counts["counts"]["close_contact"],
                              counts["four_categories"], counts["new_today"], counts["released_today"],
                              counts["overdue_followups"], counts["not_admitted"]])
        # help requests and leads (issue 18), then the staff (issue 19), as the JSON report counts them
        rep = self.report("secretary", H.COMMUNITY)[1]
        for row, part in zip(rows, [rep] + rep["children"]):
            hp = part["help"]
            self.assertEqual([int(x) for x in row[22:28]],
                             [hp["received"], hp["done"], hp["overdue"], hp["escalated"], hp["leads"]["reported"],
                              hp["leads"]["confirmed"]])
            st_ = part["staff"]
            v = st_["vacancies"]
            self.assertEqual([int(x) for x in row[28:]],
                             [st_["on_duty"]] + [st_["off_by_reason"][k] for k in ("category", "isolation", "fever", "missed_report")] +
                             [v["no_leader"], v["no_worker"], v["overloaded"], v["unpaired_cadre"] + v["unpaired_worker"],
                              v["team_incomplete"], v["off_duty"], v["uncovered_shift"]])
        self.assertIsNone(H.ID_RE.search(text))
        self.assertIsNone(H.PHONE_RE.search(text))

    def test_xlsx(self):
        st, raw = self.report("gw01", H.G1, "xlsx")
        self.assertEqual(st, 200)
        self.assertEqual(H.last_headers["content-type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        z = zipfile.ZipFile(io.BytesIO(raw))
        names = z.namelist()
        self.assertIn("xl/workbook.xml", names)
        self.assertIn("xl/worksheets/sheet1.xml", names)
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
        for h in REPORT_HEADER.split(","):
            self.assertIn(h, strings)
        self.assertIn("日报", z.read("xl/workbook.xml").decode("utf-8"))

    def test_errors_and_scope(self):
        st, b = self.report("gw01", H.G1, "pdf")
        self.assertEqual((st, H.err(b)), (400, ("invalid_format", "format")))
        st, b = self.report("gw01", H.G2)
        self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"))
        st, b = self.report("gw01", H.G2, "csv")
        self.assertEqual(st, 404, b)
        st, b = self.report("vol01", H.G1)
        self.assertEqual(st, 403, b)
        st, b = self.report("command", H.COMMUNITY)
        self.assertEqual(st, 200, b)

    def test_cli(self):
        out = os.path.join(H.tmpdir(), "report-g01.csv")
        r = H.run_cli("report", "daily", "--db", H.db_path(), "--unit", H.G1, "--day", self.d,
                      "--format", "csv", "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(out, r.stdout)
        with open(out, encoding="utf-8-sig") as f:
            cli_text = f.read()
        st, raw = self.report("gw01", H.G1, "csv")
        self.assertEqual(cli_text, raw.decode("utf-8-sig"))
        r = H.run_cli("report", "daily", "--db", H.db_path(), "--unit", H.G1, "--day", self.d, "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        st, api = self.report("gw01", H.G1)
        self.assertEqual(numbers(j), numbers(api))
        self.assertEqual(j["alerts"], api["alerts"])
        self.assertEqual([numbers(x) for x in j["children"]], [numbers(x) for x in api["children"]])
        r = H.run_cli("report", "daily", "--db", H.db_path(), "--unit", H.G1, "--format", "csv")
        self.assertEqual(r.returncode, 2)  # csv needs --out
        r = H.run_cli("report", "daily", "--db", H.db_path(), "--unit", "NO-SUCH", "--format", "json")
        self.assertNotEqual(r.returncode, 0)


class Reminders(unittest.TestCase):
    """After the deadline (11:00 China time) every grid with unreached households gets one
    reminder a day; before it there are none."""

    def test_shape_and_deadline(self):
        now = time.gmtime(time.time() + 8 * 3600)
        after = now.tm_hour * 60 + now.tm_min >= 11 * 60
        deadline = time.time() + 7
        while True:
            st, b = H.as_user("secretary", "GET", "/api/v1/reminders")
            self.assertEqual(st, 200, b)
            if not after or b["items"] or time.time() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(b["day"], TODAY)
        self.assertEqual(b["total"], len(b["items"]))
        if not after:
            self.assertEqual(b["items"], [])
            return
        self.assertEqual([x["unit"] for x in b["items"]], [H.G1, H.G2])
        for x in b["items"]:
            self.assertEqual(set(x), {"unit", "name", "households_missing_at_deadline", "raised_at",
                                      "households_missing_now"})
            c = coverage(x["unit"], TODAY)
            self.assertEqual(x["households_missing_now"], c["households_total"] - c["households_reached"])
            self.assertGreaterEqual(x["households_missing_at_deadline"], x["households_missing_now"])
            self.assertTrue(x["raised_at"].startswith(TODAY))
        st, g = H.as_user("gw01", "GET", "/api/v1/reminders")
        self.assertEqual([x["unit"] for x in g["items"]], [H.G1])

    def test_other_day_scope_roles(self):
        st, b = H.as_user("secretary", "GET", "/api/v1/reminders?day=%s" % day(1))
        self.assertEqual((st, b["day"], b["items"], b["total"]), (200, day(1), [], 0))
        st, b = H.as_user("gw01", "GET", "/api/v1/reminders?unit=%s" % H.G2)
        self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"))
        st, b = H.as_user("vol01", "GET", "/api/v1/reminders")
        self.assertEqual(st, 403, b)


class HouseholdCompletion(unittest.TestCase):
    """Concurrent check-ins of one household's people count its completion once."""

    def test_concurrent_members(self):
        d = day(6)
        hids = [take(n=3), take(n=4), take(n=2, building=H.B02)]
        out = []

        def send(rid):
            out.append(H.call("POST", "/api/v1/checkins", {"resident_id": rid, "channel": "self", "day": d},
                              token=H.login("gw01")))
        threads = [threading.Thread(target=send, args=(r,)) for h in hids for r in POP["living"][h]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual({s for s, _ in out}, {201}, out)
        self.assertGreaterEqual(sum(1 for _, b in out if b["household_reached"]), len(hids))
        c = coverage(H.G1, d)
        self.assertEqual((c["households_reached"], c["residents_accounted"]),
                         (3, sum(len(POP["living"][h]) for h in hids)))
        self.assertEqual(numbers(c), numbers(recount(H.G1, d)))
        self.assertEqual(numbers(coverage(H.COMMUNITY, d)), numbers(recount(H.COMMUNITY, d)))


class FeverStays(unittest.TestCase):
    """A fever once recorded stays on the day's record (issue 13): a later normal reading is
    a re-check, "everyone normal" never replaces a reading, a chain line's temperature is
    never dropped, and only an explicit correction with a reason takes a fever off the day."""

    def setUp(self):
        self.d = day(7)

    def fevers(self, unit=H.G1):
        c = coverage(unit, self.d)
        self.assertEqual(numbers(c), numbers(recount(unit, self.d)))
        return c["fevers"], c["symptomatic"]

    def test_everyone_normal_after_a_fever_keeps_it(self):
        hid = take(n=3)
        a, b, c = POP["living"][hid]
        f0 = self.fevers()
        r = checkin("gw01", a, self.d, temperature=38.2, symptoms=["cough"])
        self.assertTrue(r["fever"] and r["alert_id"], r)
        self.assertEqual(self.fevers(), (f0[0] + 1, f0[1] + 1))
        # the household reopened, 全部正常 tapped: the others are recorded, the fever stays
        r = batch("gw01", hid, self.d, all_normal=True)
        res = {x["resident_id"]: x for x in r["results"]}
        self.assertEqual((res[a]["kept"], res[a]["fever"], res[a]["checkin_id"]), (True, True, res[a]["checkin_id"]))
        self.assertEqual({res[b]["kept"], res[c]["kept"]}, {False})
        self.assertTrue(r["household_reached"])
        self.assertEqual(self.fevers(), (f0[0] + 1, f0[1] + 1))
        cur = [x for x in checkins_of(a, self.d) if x["current"]]
        self.assertEqual([(x["temperature"], x["symptoms"]) for x in cur], [(38.2, ["cough"])])
        # the report of the day counts it
        st, rep = H.as_user("secretary", "GET", "/api/v1/reports/daily?unit=%s&day=%s" % (H.G1, self.d))
        self.assertEqual((st, rep["fevers"]), (200, f0[0] + 1))

    def test_a_normal_recheck_keeps_the_fever_on_the_day(self):
        rid = take_person()
        f0 = self.fevers()
        checkin("gw01", rid, self.d, temperature=38.2, symptoms=["cough"])
        r = checkin("gw01", rid, self.d, temperature=36.6)
        self.assertEqual((r["corrected"], r["fever"], r["day_fever"]), (True, False, True))
        self.assertEqual(self.fevers(), (f0[0] + 1, f0[1] + 1))
        rows = checkins_of(rid, self.d)
        self.assertEqual([(x["temperature"], x["current"], x["day_fever"], x["day_symptoms"], x["correction"])
                          for x in rows], [(36.6, True, True, ["cough"], None), (38.2, False, True, ["cough"], None)])
        # the health record has both readings, the fever among them
        st, h = H.as_user("gw01", "GET", "/api/v1/residents/%d/health" % rid)
        self.assertEqual([(x["temperature"], x["fever"]) for x in h["readings"] if x["day"] == self.d],
                         [(36.6, False), (38.2, True)])

    def test_a_correction_needs_a_reason_and_is_kept_in_the_history(self):
        rid = take_person()
        f0 = self.fevers()
        checkin("gw01", rid, self.d, temperature=39.8)
        for corr, code in (({"reason": "oops"}, "invalid_correction"), ({"reason": "other"}, "required"),
                           ({"reason": "other", "note": "   "}, "required"), ({}, "required"),
                           ("typo", "wrong_type"), ({"reason": "typo", "why": 1}, "unknown_field")):
            st, b = H.as_user("gw01", "POST", "/api/v1/checkins",
                              {"resident_id": rid, "day": self.d, "channel": "visit", "temperature": 36.8,
                               "correction": corr})
            self.assertEqual((st, H.err(b)[1]), (400, "correction"), (corr, b))
        self.assertEqual(self.fevers()[0], f0[0] + 1)  # nothing of the refused ones was written
        r = checkin("gw01", rid, self.d, temperature=36.8, correction={"reason": "typo", "note": "应为 36.8"})
        self.assertEqual((r["corrected"], r["fever"], r["day_fever"]), (True, False, False))
        self.assertEqual(self.fevers()[0], f0[0])
        rows = checkins_of(rid, self.d)
        self.assertEqual([(x["temperature"], x["current"], x["correction"]) for x in rows],
                         [(36.8, True, {"reason": "typo", "note": "应为 36.8"}), (39.8, False, None)])
        # nothing to correct on a day without a reading
        other = take_person()
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins",
                          {"resident_id": other, "day": self.d, "channel": "visit", "temperature": 36.8,
                           "correction": {"reason": "typo"}})
        self.assertEqual((st, H.err(b)), (409, ("nothing_to_correct", "correction")))

    def test_a_batch_correction_names_its_reading(self):
        hid = take(n=2)
        a, b = POP["living"][hid]
        f0 = self.fevers()
        batch("gw01", hid, self.d, readings=[{"resident_id": a, "temperature": 38.0}], all_normal=True)
        self.assertEqual(self.fevers()[0], f0[0] + 1)
        st, r = H.as_user("gw01", "POST", "/api/v1/checkins",
                          {"household_id": hid, "day": self.d, "channel": "visit",
                           "readings": [{"resident_id": b}, {"resident_id": a, "correction": {"reason": "wrong"}}]})
        self.assertEqual((st, H.err(r)), (400, ("invalid_correction", "readings[1].correction")))
        r = batch("gw01", hid, self.d, readings=[{"resident_id": a, "temperature": 36.5,
                                                  "correction": {"reason": "wrong_person", "note": "是邻居的"}}])
        self.assertEqual(r["results"][0]["day_fever"], False)
        self.assertEqual(self.fevers()[0], f0[0])

    def test_a_chain_line_reading_is_never_dropped(self):
        hid = take(n=3, building=H.B01)
        room = POP["hh"][hid]["room"]
        people = POP["living"][hid]
        text = "4. 1栋%s 一人 37.8" % room
        st, p = H.as_user("gw01", "POST", "/api/v1/checkins/chain", {"unit": H.G1, "day": self.d, "text": text})
        self.assertEqual((st, len(p["matched"]), len(p["unmatched"])), (200, 0, 1), p)
        u = p["unmatched"][0]
        self.assertEqual((u["household_id"], u["temperatures"]), (hid, [37.8]))
        f0 = self.fevers()
        # three people ticked, none given the 37.8: refused, nothing saved
        line = {"line": 1, "text": u["text"], "household_id": hid, "readings": [{"resident_id": r} for r in people]}
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm", {"day": self.d, "lines": [line]})
        self.assertEqual((st, H.err(b)), (400, ("reading_not_given", "lines[0]")), b)
        self.assertEqual([c for r in people for c in checkins_of(r, self.d)], [])
        # given to the one it belongs to: saved, a fever with its alert
        line["readings"] = [{"resident_id": people[1], "temperature": 37.8}]
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm", {"day": self.d, "lines": [line]})
        self.assertEqual(st, 201, b)
        self.assertEqual([(x["resident_id"], x["fever"], x["alert_id"] is not None) for x in b["results"]],
                         [(people[1], True, True)])
        self.assertEqual(self.fevers()[0], f0[0] + 1)

    def test_a_chain_line_symptom_is_never_dropped(self):
        hid = take(n=2, building=H.B01)
        room = POP["hh"][hid]["room"]
        text = "1栋%s 两人 正常 咳嗽" % room
        st, p = H.as_user("gw01", "POST", "/api/v1/checkins/chain", {"unit": H.G1, "day": self.d, "text": text})
        u = p["unmatched"][0]
        self.assertEqual(u["symptoms"], ["cough"])
        line = {"line": 1, "text": u["text"], "household_id": hid,
                "readings": [{"resident_id": r} for r in POP["living"][hid]]}
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm", {"day": self.d, "lines": [line]})
        self.assertEqual((st, H.err(b)), (400, ("reading_not_given", "lines[0]")), b)
        line["readings"][0]["symptoms"] = ["cough"]
        st, b = H.as_user("gw01", "POST", "/api/v1/checkins/chain/confirm", {"day": self.d, "lines": [line]})
        self.assertEqual(st, 201, b)

    def test_an_alert_is_not_closed_by_accident(self):
        rid = take_person()
        aid = checkin("gw01", rid, self.d, temperature=38.4)["alert_id"]
        url = "/api/v1/alerts/%d/steps" % aid
        st, b = H.as_user("gw01", "POST", url, {"step": "outcome", "outcome": "excluded", "note": "复测正常"})
        self.assertEqual((st, H.err(b)), (409, ("acknowledge_first", "step")))
        st, b = H.as_user("gw01", "POST", url, {"step": "acknowledged"})
        self.assertEqual(st, 201, b)
        for body in ({"step": "outcome", "outcome": "excluded"}, {"step": "outcome", "outcome": "excluded", "note": "   "}):
            st, b = H.as_user("gw01", "POST", url, body)
            self.assertEqual((st, H.err(b)), (400, ("required", "note")), body)
        st, b = H.as_user("gw01", "POST", url, {"step": "outcome"})
        self.assertEqual((st, H.err(b)[:2]), (400, ("invalid_outcome", "outcome")))
        st, a = H.as_user("gw01", "GET", "/api/v1/alerts/%d" % aid)
        self.assertEqual((a["state"], a["outcome"]), ("acknowledged", None))
        st, a = H.as_user("gw01", "POST", url, {"step": "outcome", "outcome": "excluded",
                                                "note": "社区医院复测 36.6 ℃，王医生排除"})
        self.assertEqual((st, a["state"], a["outcome"]), (201, "closed", "excluded"))


if __name__ == "__main__":
    unittest.main()
