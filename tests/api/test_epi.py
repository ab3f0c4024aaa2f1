"""The four categories through the API (docs/api.md section 10, issue 6): status changes
and their append-only history, the automatic changes (fever-alert outcomes, household
rule, contacts, agency lists), isolations and their follow-up slots, lists from other
agencies matched against the registry, contacts and transmission chains, the response to
a confirmed case (tasks, lockdown), the counts per unit against a recount, export of named
people, and roles, scope and audit on every new route.

One server for the module (the qinghe demo, 600 households, seed 7).  Tests take their own
households from a shared allocator (single-person households unless said otherwise), so the
classes do not disturb each other whatever order they run in.  Three buildings are added
after the demo and belong to one class each: 9栋 (grid 1) to the counts, 7栋 and 8栋
(grid 2) to the response to a confirmed case.

There is no injectable clock in the server: past days are reached through `start_day`
(up to 30 days back), and a task is made late by moving its `due_at` in the store (as
test_rollcall does for alert escalation).  Follow-up slots are created only for the slot
times still ahead when an isolation is recorded or extended (docs 10.3): which of today's
slots exist is counted from the China-time clock of this process (slot 1 at 12:00, slot 2 at
18:00), and an overdue slot is made by moving a slot's day and `due_at` back in the store
(`move_slots`)."""
import collections
import datetime
import json
import os
import re
import sqlite3
import subprocess
import time
import unittest

import harness as H

B07 = H.COMMUNITY + "-B07"
B08 = H.COMMUNITY + "-B08"
B09 = H.COMMUNITY + "-B09"
CHINA = datetime.timezone(datetime.timedelta(hours=8))

CATS = ["confirmed", "suspected", "fever_unexcluded", "close_contact", "secondary_contact",
        "travel_observation", "recovered_observation", "cleared"]
FOUR = ["confirmed", "suspected", "fever_unexcluded", "close_contact"]
REASONS = ["fever_alert", "clinic_excluded", "test_positive", "test_negative", "hospital_diagnosis",
           "contact_tracing", "agency_list", "travel_history", "symptoms", "discharged",
           "observation_complete", "correction", "other"]
_FROM_NONE = {"confirmed", "suspected", "fever_unexcluded", "close_contact", "secondary_contact",
              "travel_observation"}
ALLOWED = {
    None: _FROM_NONE,
    "cleared": _FROM_NONE,
    "travel_observation": {"confirmed", "suspected", "fever_unexcluded", "close_contact",
                           "secondary_contact", "cleared"},
    "secondary_contact": {"confirmed", "suspected", "fever_unexcluded", "close_contact", "cleared"},
    "close_contact": {"confirmed", "suspected", "fever_unexcluded", "cleared"},
    "fever_unexcluded": {"confirmed", "suspected", "close_contact", "cleared"},
    "suspected": {"confirmed", "close_contact", "cleared"},
    "confirmed": {"recovered_observation"},
    "recovered_observation": {"confirmed", "cleared"},
}
# how a person with no category is brought into each state (allowed steps only)
PATH = {None: [], "cleared": ["travel_observation", "cleared"],
        "recovered_observation": ["confirmed", "recovered_observation"]}
for _c in _FROM_NONE:
    PATH[_c] = [_c]
REASON_FOR = {"confirmed": "test_positive", "suspected": "symptoms", "fever_unexcluded": "symptoms",
              "close_contact": "contact_tracing", "secondary_contact": "contact_tracing",
              "travel_observation": "travel_history", "recovered_observation": "discharged",
              "cleared": "test_negative"}

ALL_ROLES = {"admin", "command", "community", "grid_leader", "grid_worker", "cadre", "volunteer",
             "checkpoint", "auditor"}
PEOPLE = ALL_ROLES - {"auditor"}
EPI = {"admin", "community", "grid_leader", "grid_worker", "cadre"}
ROLLCALL = EPI | {"command"}
EXPORTERS = {"admin", "command", "community"}
ROLE_USER = {"admin": "admin", "command": "command", "community": "secretary",
             "grid_leader": "leader01", "grid_worker": "gw01", "cadre": "cadre01",
             "volunteer": "vol01", "checkpoint": "checkpoint", "auditor": "auditor"}

TODAY = None
POP = {}
USED = set()
FIX = {}
SEQ = {"id": 0, "phone": 0, "name": 0}
NAME_POOL = [s + g for s in "岑闵濮尉桓甄覃仉邝鄢" for g in
             ("子涵", "雨桐", "浩然", "思远", "梓萱", "一鸣", "若溪", "嘉懿", "沐阳", "欣妍", "景行", "亦舒")]


def setUpModule():
    H.start(setup=_load_population)


def tearDownModule():
    H.stop()


def _load_population():
    global TODAY
    TODAY = H.load_population(POP, users=True)
    residents = POP["res"].values()
    POP["ids"] = {r["id_number"] for r in residents if r["id_number"]}
    POP["phones"] = {r["phone"] for r in residents if r["phone"]}
    POP["names"] = {r["name"] for r in residents}


# ---- helpers: days, time, people ----

def day(n):
    """today minus n days (China time, as the server counts)"""
    return (datetime.date.fromisoformat(TODAY) - datetime.timedelta(days=n)).isoformat()


def plus(d, n):
    return (datetime.date.fromisoformat(d) + datetime.timedelta(days=n)).isoformat()


def now_china():
    return datetime.datetime.now(CHINA)


def past_slots(d):
    """How many of day d's two follow-up slots (12:00, 18:00) are past due now."""
    if d < TODAY:
        return 2
    if d > TODAY:
        return 0
    n = now_china()
    return int(n.hour >= 12) + int(n.hour >= 18)


def slots_ahead(first, last):
    """The (day, slot) pairs of days first..last whose time is still ahead now: the slots an
    isolation recorded now has (docs 10.3)."""
    p = past_slots(TODAY)
    out, d = [], first
    while d <= last:
        for s in (1, 2):
            if d > TODAY or (d == TODAY and s > p):
                out.append((d, s))
        d = plus(d, 1)
    return out


def guard_slot_boundary():
    """Counting overdue slots must not straddle 12:00 or 18:00: wait when close to one."""
    n = now_china()
    for hour in (12, 18):
        edge = n.replace(hour=hour, minute=0, second=0, microsecond=0)
        left = (edge - n).total_seconds()
        if 0 < left < 150:
            time.sleep(left + 2)
            return


def name_of(user):
    return POP["users"][user]["display_name"]


def uname(x):
    """a username from either a string or a {username, name} object"""
    return x["username"] if isinstance(x, dict) else x


def level(x):
    """a lockdown level from either a string, a {level, …} object or null"""
    if isinstance(x, dict):
        return x.get("level")
    return x


def grid_of(hid):
    return H.G1 if POP["hh"][hid]["unit_code"].startswith((H.B01, H.B02)) else H.G2


def building_of(hid):
    return POP["hh"][hid]["unit_code"][:len(H.B01)]


def take(grid=None, n=1, building=None, exclude_buildings=()):
    """An unused demo household whose people all live there (n of them), in grid /
    building when given; marks it used."""
    for hid in sorted(POP["hh"]):
        if hid in USED or POP["others"][hid] or not POP["living"][hid]:
            continue
        if n is not None and len(POP["living"][hid]) != n:
            continue
        if grid and grid_of(hid) != grid:
            continue
        if building and building_of(hid) != building:
            continue
        if building_of(hid) in exclude_buildings:
            continue
        USED.add(hid)
        return hid
    raise AssertionError("no household left for grid=%s n=%s building=%s" % (grid, n, building))


def person(grid=None, building=None, exclude_buildings=()):
    """The one person of an unused single-person household."""
    return POP["living"][take(grid, 1, building, exclude_buildings)][0]


def person_with_mobile(grid=None):
    """The one person of an unused single-person household, with a mobile phone."""
    while True:
        rid = person(grid)
        if re.fullmatch(r"1\d{10}", POP["res"][rid]["phone"] or ""):
            return rid


def fresh_id(region="420107"):
    while True:
        SEQ["id"] += 1
        k = SEQ["id"]
        idn = H.make_id(region=region, birth="19%02d%02d%02d" % (55 + k % 40, 1 + k % 12, 1 + k % 28),
                        seq=(k * 37) % 500, sex="M" if k % 2 else "F")
        if idn not in POP["ids"]:
            POP["ids"].add(idn)
            return idn


def fresh_phone():
    while True:
        SEQ["phone"] += 1
        p = "1990714%04d" % SEQ["phone"]
        if p not in POP["phones"]:
            POP["phones"].add(p)
            return p


def fresh_name():
    while True:
        n = NAME_POOL[SEQ["name"]]
        SEQ["name"] += 1
        if n not in POP["names"]:
            POP["names"].add(n)
            return n


def new_building(code, grid, name):
    st, b = H.as_user("secretary", "POST", "/api/v1/units",
                      {"code": code, "parent_code": grid, "kind": "building", "name": name})
    assert st == 201, b


def new_household(unit, room, size):
    """A household of `size` new people (all living); returns (household id, [resident ids])."""
    st, h = H.as_user("secretary", "POST", "/api/v1/households",
                      {"unit_code": unit, "room": room, "occupancy": "occupied"})
    assert st == 201, h
    ids = []
    for i in range(size):
        st, r = H.as_user("secretary", "POST", "/api/v1/residents",
                          {"household_id": h["id"], "name": fresh_name(), "id_number": fresh_id(),
                           "phone": fresh_phone(), "relation": "户主" if i == 0 else "家属"})
        assert st == 201, r
        POP["res"][r["id"]] = r
        ids.append(r["id"])
    return h["id"], ids


def post_status(rid, category, reason=None, note=None, user="secretary", **extra):
    body = {"category": category}
    if reason is not None:
        body["reason"] = reason
    if note is not None:
        body["note"] = note
    body.update(extra)
    return H.as_user(user, "POST", "/api/v1/residents/%d/status" % rid, body)


def set_status(rid, category, reason=None, note=None, user="secretary"):
    reason = reason or REASON_FOR[category]
    st, b = post_status(rid, category, reason, note, user)
    if st != 201:
        raise AssertionError("POST /residents/%d/status %s/%s as %s: expected 201, got %s %s"
                             % (rid, category, reason, user, st, b))
    return b


def status(rid, user="secretary"):
    st, b = H.as_user(user, "GET", "/api/v1/residents/%d/status" % rid)
    if st != 200:
        raise AssertionError("GET /residents/%d/status as %s: %s %s" % (rid, user, st, b))
    return b


def category(rid):
    return status(rid)["category"]


def start_iso(rid, kind="home", user="secretary", expect=201, **kw):
    body = {"resident_id": rid, "kind": kind}
    body.update(kw)
    st, b = H.as_user(user, "POST", "/api/v1/isolations", body)
    if expect and st != expect:
        raise AssertionError("POST /isolations %s as %s: expected %s, got %s %s" % (body, user, expect, st, b))
    return b


def iso_get(iid, user="secretary"):
    st, b = H.as_user(user, "GET", "/api/v1/isolations/%d" % iid)
    if st != 200:
        raise AssertionError("GET /isolations/%d: %s %s" % (iid, st, b))
    return b


def iso_act(iid, body, user="secretary"):
    return H.as_user(user, "POST", "/api/v1/isolations/%d" % iid, body)


def checkin(user, rid, **kw):
    body = {"resident_id": rid, "channel": "visit", "day": TODAY}
    body.update(kw)
    st, b = H.as_user(user, "POST", "/api/v1/checkins", body)
    if st != 201:
        raise AssertionError("POST /checkins %s: %s %s" % (body, st, b))
    return b


def alert_step(aid, body, user="gw01"):
    st, b = H.as_user(user, "POST", "/api/v1/alerts/%d/steps" % aid, body)
    if st != 201:
        raise AssertionError("POST /alerts/%d/steps %s: %s %s" % (aid, body, st, b))
    return b


def store_sql(stmt):
    """Run one statement on the server's store behind its back (stands in for a clock, or
    checks what the store refuses).  Raises when the store refuses it."""
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


def move_slots(iid, from_day, to_day, slot=None):
    """Move isolation iid's follow-up slots of from_day (one slot, or both) to to_day in the
    store, day and due time together (whole days back): the server has no clock to turn,
    so this is how a slot becomes overdue (as a task is made late by moving its due_at).
    Returns how many slots moved."""
    shift = (datetime.date.fromisoformat(from_day) - datetime.date.fromisoformat(to_day)).days * 86400
    where = "isolation_id = %d AND day = '%s'" % (iid, from_day)
    if slot is not None:
        where += " AND slot = %d" % slot
    moved = [f for f in iso_get(iid)["followups_list"]
             if f["day"] == from_day and (slot is None or f["slot"] == slot)]
    store_sql("UPDATE followups SET day = '%s', due_at = due_at - %d WHERE %s" % (to_day, shift, where))
    return len(moved)


def csv_text(rows, header="姓名,身份证号,手机号,地址,抵达日期,来源"):
    lines = [header]
    for r in rows:
        lines.append(",".join("" if v is None else str(v) for v in r))
    return "\n".join(lines) + "\n"


def post_list(csv, unit, source="公安推送", user="secretary", category="travel_observation"):
    path = "/api/v1/lists?unit=%s&source=%s&category=%s" % (unit, source, category)
    return H.as_user(user, "POST", path, raw=csv.encode("utf-8"), ctype="text/csv")


def fixtures():
    """Records of grid 1 and grid 2 for the role, scope and audit tests (made once, by the
    secretary): a confirmed case with its tasks, a hospital isolation with its follow-ups, an
    unlinked contact, a one-row agency list."""
    if FIX:
        return FIX
    for g in (H.G1, H.G2):
        rid = person(g)
        b = set_status(rid, "confirmed", "test_positive")
        assert len(b["tasks"]) == 4, b
        iso = start_iso(rid, "hospital", site="金银潭医院", start_day=day(1))
        full = iso_get(iso["id"])
        st, c = H.as_user("secretary", "POST", "/api/v1/residents/%d/contacts" % rid,
                          {"name": fresh_name(), "day": TODAY, "kind": "other"})
        assert st == 201, c
        st, lst = post_list(csv_text([(fresh_name(), fresh_id("110101"), fresh_phone(), "", "", "")]), g,
                            source="固定测试")
        assert st == 201, lst
        FIX[g] = {"rid": rid, "hid": POP["res"][rid]["household_id"], "task": b["tasks"][0]["id"],
                  "tasks": [t["id"] for t in b["tasks"]], "iso": iso["id"],
                  "followup": full["followups_list"][0]["id"], "contact": c["id"], "list": lst["id"],
                  "building": building_of(POP["res"][rid]["household_id"])}
    return FIX


class EpiCase(unittest.TestCase):
    def assertErr(self, resp, status, code, field="?"):
        """status and error code (code None: any); field "?" is not checked."""
        st, b = resp
        got = H.err(b)
        self.assertEqual(st, status, b)
        if code is not None:
            self.assertEqual(got[0], code, b)
        if field != "?":
            self.assertEqual(got[1], field, b)


# =====================================================================================

class Transitions(EpiCase):
    """POST /residents/{id}/status: the table of allowed changes, reasons, the history."""

    def bring(self, rid, state):
        for c in PATH[state]:
            set_status(rid, c)

    def test_every_allowed_change(self):
        failures = []
        for frm in ALLOWED:
            for to in sorted(ALLOWED[frm]):
                rid = person()
                self.bring(rid, frm)
                st, b = post_status(rid, to, REASON_FOR[to], "允许的变更")
                if st != 201:
                    failures.append(("%s -> %s" % (frm, to), st, b))
                    continue
                got = (b.get("resident_id"), b.get("category"), b.get("previous"), b.get("reason"), b.get("by"))
                if got != (rid, to, frm, REASON_FOR[to], "secretary"):
                    failures.append(("%s -> %s answer" % (frm, to), got))
                if not str(b.get("since", "")).startswith(TODAY):
                    failures.append(("%s -> %s since" % (frm, to), b.get("since")))
                if category(rid) != to:
                    failures.append(("%s -> %s stored" % (frm, to), category(rid)))
        self.assertEqual(failures, [])

    def test_every_refused_change(self):
        failures = []
        for frm in ALLOWED:
            rid = person()
            self.bring(rid, frm)
            before = status(rid)
            for to in CATS:
                if to in ALLOWED[frm]:
                    continue
                st, b = post_status(rid, to, REASON_FOR[to], "不允许")
                want = (409, ("same_category" if to == frm else "invalid_transition", "category"))
                if (st, H.err(b)) != want:
                    failures.append(("%s -> %s" % (frm, to), want, st, b))
            after = status(rid)
            if after != before:
                failures.append(("%s: refusals changed the status" % frm, before, after))
        self.assertEqual(failures, [])

    def test_correction_allows_any_change_with_a_note(self):
        rid = person()
        set_status(rid, "confirmed", "test_positive")
        self.assertErr(post_status(rid, "cleared", "test_negative"), 409, "invalid_transition", "category")
        self.assertErr(post_status(rid, "cleared", "correction"), 400, "required", "note")
        b = set_status(rid, "cleared", "correction", "录入错误，实为阴性")
        self.assertEqual((b["category"], b["previous"], b["reason"], b["note"]),
                         ("cleared", "confirmed", "correction", "录入错误，实为阴性"))
        # none -> recovered_observation is not in the table either
        rid2 = person()
        self.assertErr(post_status(rid2, "recovered_observation", "discharged"), 409, "invalid_transition",
                       "category")
        b = set_status(rid2, "recovered_observation", "correction", "外院出院转入")
        self.assertEqual((b["category"], b["previous"]), ("recovered_observation", None))

    def test_reasons_and_fields_required(self):
        rid = person()
        cases = [
            ({"category": "suspected"}, 400, "required", "reason"),
            ({"reason": "symptoms"}, 400, "required", "category"),
            ({"category": "suspected", "reason": "sneezing"}, 400, "invalid_reason", "reason"),
            ({"category": "ill", "reason": "symptoms"}, 400, "invalid_category", "category"),
            ({"category": "suspected", "reason": "correction"}, 400, "required", "note"),
            ({"category": "suspected", "reason": "other"}, 400, "required", "note"),
            ({"category": "suspected", "reason": "symptoms", "note": "长" * 501}, 400, "too_long", "note"),
            ({"category": "suspected", "reason": "symptoms", "colour": "red"}, 400, "unknown_field", "colour"),
            ({"category": 5, "reason": "symptoms"}, 400, "wrong_type", "category"),
        ]
        for body, status_, code, field in cases:
            with self.subTest(body=body):
                self.assertErr(H.as_user("secretary", "POST", "/api/v1/residents/%d/status" % rid, body),
                               status_, code, field)
        s = status(rid)
        self.assertEqual((s["resident_id"], s["category"], s["history"]), (rid, None, []))
        self.assertErr(post_status(99999999, "suspected", "symptoms"), 404, "resident_not_found", "resident_id")
        st, b = H.as_user("secretary", "GET", "/api/v1/residents/99999999/status")
        self.assertEqual((st, H.err(b)), (404, ("resident_not_found", "resident_id")))
        # every reason of the list is taken (with a note, which correction and other need)
        for reason in REASONS:
            r = person()
            with self.subTest(reason=reason):
                st, b = post_status(r, "travel_observation", reason, "理由测试")
                self.assertEqual((st, b.get("reason")), (201, reason), b)
        b = set_status(rid, "suspected", "other", "发热门诊留观")
        self.assertEqual((b["reason"], b["note"]), ("other", "发热门诊留观"))

    def test_history_oldest_first_who_when_why(self):
        rid = person(H.G1)
        a = set_status(rid, "close_contact", "contact_tracing", "同楼层", user="gw01")
        b = set_status(rid, "fever_unexcluded", "symptoms", "咳嗽 37.8", user="leader01")
        self.assertErr(post_status(rid, "recovered_observation", "discharged", user="cadre01"),
                       409, "invalid_transition", "category")
        c = set_status(rid, "cleared", "clinic_excluded", None, user="cadre01")
        s = status(rid, user="gw01")
        self.assertEqual((s["category"], s["since"]), ("cleared", c["since"]))
        h = s["history"]
        self.assertEqual([(x["from"], x["to"], x["reason"], x["note"], x["by"]) for x in h],
                         [(None, "close_contact", "contact_tracing", "同楼层", "gw01"),
                          ("close_contact", "fever_unexcluded", "symptoms", "咳嗽 37.8", "leader01"),
                          ("fever_unexcluded", "cleared", "clinic_excluded", None, "cadre01")])
        self.assertEqual([x["by_name"] for x in h], [name_of("gw01"), name_of("leader01"), name_of("cadre01")])
        self.assertEqual([x["at"] for x in h], [a["since"], b["since"], c["since"]])
        self.assertEqual([x["at"] for x in h], sorted(x["at"] for x in h))
        self.assertEqual([x["id"] for x in h], sorted(x["id"] for x in h))
        self.assertTrue(all(x["day"] == TODAY and x["source"] is None for x in h), h)
        # a correction appends; the rows before it stay as they were
        d = set_status(rid, "recovered_observation", "correction", "更正：实为出院康复", user="leader01")
        self.assertEqual(d["previous"], "cleared")
        h2 = status(rid)["history"]
        self.assertEqual(h2[:3], h)
        self.assertEqual((len(h2), h2[3]["from"], h2[3]["to"], h2[3]["reason"]),
                         (4, "cleared", "recovered_observation", "correction"))

    def test_history_cannot_be_rewritten(self):
        rid = person()
        set_status(rid, "suspected", "symptoms", "原始记录")
        before = status(rid)
        hid = before["history"][0]["id"]
        for method in ("PATCH", "DELETE", "PUT"):
            st, b = H.as_user("secretary", method, "/api/v1/residents/%d/status" % rid,
                              {"category": "cleared"} if method != "DELETE" else None)
            self.assertIn(st, (404, 405), (method, st, b))
            if method != "PUT":
                self.assertEqual((st, H.err(b)[0]), (405, "method_not_allowed"), method)
        for stmt in ("UPDATE status_history SET note = 'x', new_category = 'cleared' WHERE id = %d" % hid,
                     "DELETE FROM status_history WHERE id = %d" % hid):
            with self.subTest(stmt=stmt):
                with self.assertRaises((sqlite3.DatabaseError, subprocess.CalledProcessError)):
                    store_sql(stmt)
        self.assertEqual(status(rid), before)

    def test_category_in_resident_for_epi_roles_only(self):
        rid, none = person(H.G1), person(H.G1)
        set_status(rid, "close_contact", "contact_tracing")
        for user in ("admin", "secretary", "director", "leader01", "gw01", "cadre01"):
            st, r = H.as_user(user, "GET", "/api/v1/residents/%d" % rid)
            self.assertEqual(st, 200, (user, r))
            self.assertEqual(r.get("category", "ABSENT"), "close_contact", user)
            st, r = H.as_user(user, "GET", "/api/v1/residents/%d" % none)
            self.assertIn("category", r, user)
            self.assertIsNone(r["category"], user)
        for user in ("vol01", "checkpoint", "command", "street"):
            st, r = H.as_user(user, "GET", "/api/v1/residents/%d" % rid)
            self.assertEqual(st, 200, (user, r))
            self.assertNotIn("category", r, user)
            self.assertNotIn("close_contact", json.dumps(r), user)


class FeverAlertOutcome(EpiCase):
    """A fever alert's outcome (roll-call, docs 9.3) moves the person's category by itself."""

    def fever_alert(self, rid, temp=38.6):
        r = checkin("gw01", rid, temperature=temp, symptoms=["cough"])
        self.assertTrue(r["fever"], r)
        self.assertIsInstance(r["alert_id"], int, r)
        return r["alert_id"]

    def test_hospital_makes_suspected(self):
        rid = person(H.G1)
        aid = self.fever_alert(rid)
        self.assertIsNone(category(rid))  # an open alert alone changes nothing
        alert_step(aid, {"step": "acknowledged"})
        alert_step(aid, {"step": "outcome", "outcome": "hospital", "note": "120 送医"}, user="leader01")
        s = status(rid)
        self.assertEqual(s["category"], "suspected")
        self.assertEqual([(x["from"], x["to"], x["reason"], x["source"], x["by"]) for x in s["history"]],
                         [(None, "suspected", "fever_alert", "alert:%d" % aid, "leader01")])

    def test_home_observation_then_excluded(self):
        rid = person(H.G1)
        aid = self.fever_alert(rid, 37.9)
        alert_step(aid, {"step": "acknowledged"})
        alert_step(aid, {"step": "outcome", "outcome": "home_observation"})
        self.assertEqual(category(rid), "fever_unexcluded")
        a = alert_step(aid, {"step": "outcome", "outcome": "excluded", "note": "核酸阴性"}, user="cadre01")
        self.assertEqual(a["state"], "closed")
        s = status(rid)
        self.assertEqual(s["category"], "cleared")
        self.assertEqual([(x["from"], x["to"], x["reason"], x["source"], x["by"]) for x in s["history"]],
                         [(None, "fever_unexcluded", "fever_alert", "alert:%d" % aid, "gw01"),
                          ("fever_unexcluded", "cleared", "clinic_excluded", "alert:%d" % aid, "cadre01")])

    def test_excluded_without_category_changes_nothing(self):
        rid = person(H.G1)
        aid = self.fever_alert(rid)
        alert_step(aid, {"step": "acknowledged"})
        alert_step(aid, {"step": "outcome", "outcome": "excluded", "note": "复测 36.5，体温计故障"})
        s = status(rid)
        self.assertEqual((s["category"], s["history"]), (None, []))

    def test_a_change_the_table_refuses_is_skipped(self):
        rid = person(H.G1)
        set_status(rid, "confirmed", "test_positive")
        before = status(rid)
        aid = self.fever_alert(rid, 39.1)
        alert_step(aid, {"step": "acknowledged"})
        a = alert_step(aid, {"step": "outcome", "outcome": "hospital"})  # the alert step itself succeeds
        self.assertEqual((a["state"], a["outcome"]), ("closed", "hospital"))
        self.assertEqual(status(rid)["history"], before["history"])
        self.assertEqual(category(rid), "confirmed")


class Isolations(EpiCase):
    """POST /isolations, the household rule, extend / transfer / assign / notice / release."""

    @classmethod
    def setUpClass(cls):
        guard_slot_boundary()

    def test_start_defaults(self):
        rid = person(H.G1)
        set_status(rid, "close_contact", "contact_tracing")
        b = start_iso(rid, "home", notice_signed=True, note="已送告知书")
        r = POP["res"][rid]
        self.assertEqual((b["resident_id"], b["name"], b["household_id"], b["room"], b["unit_code"]),
                         (rid, r["name"], r["household_id"], r["room"], r["unit_code"]))
        self.assertEqual((b["kind"], b["site"], b["category"], b["state"], b["released_at"]),
                         ("home", None, "close_contact", "active", None))
        self.assertEqual((b["start_day"], b["end_day"]), (TODAY, plus(TODAY, 13)))  # 14 days, inclusive
        self.assertEqual(b["worker"], {"username": "gw01", "name": name_of("gw01")})  # the grid's worker
        self.assertTrue(str(b["notice_signed_at"]).startswith(TODAY), b)
        self.assertEqual(b["household"], [])
        self.assertEqual((b["events"][0]["event"], b["events"][0]["value"], b["events"][0]["by"]),
                         ("start", "home", "secretary"))
        self.assertTrue({e["event"] for e in b["events"]} <= {"start", "notice"}, b["events"])
        full = iso_get(b["id"], user="gw01")
        tomorrow = {f["slot"]: f for f in full["followups_list"] if f["day"] == plus(TODAY, 1)}
        self.assertEqual((tomorrow[1]["due_at"], tomorrow[2]["due_at"]),
                         (plus(TODAY, 1) + "T12:00:00+08:00", plus(TODAY, 1) + "T18:00:00+08:00"))
        with self.subTest("two slots for every day of the period, but none already past when it starts"):
            # 28 before 12:00, 27 after, 26 after 18:00 (docs 10.3)
            p = past_slots(TODAY)
            slots = [(f["day"], f["slot"]) for f in full["followups_list"]]
            self.assertEqual(sorted(slots), slots_ahead(TODAY, plus(TODAY, 13)))
            self.assertEqual(len(slots), 28 - p)
            self.assertEqual((b["followups"]["total"], b["followups"]["done"], b["followups"]["due"],
                              b["followups"]["overdue"]), (28 - p, 0, 2 - p, 0))
            self.assertEqual({f["state"] for f in full["followups_list"]}, {"due"})
        # it is the person's isolation, and listed
        s = status(rid)
        self.assertEqual((s["isolation"]["id"], s["isolation"]["kind"], s["isolation"]["end_day"]),
                         (b["id"], "home", plus(TODAY, 13)))
        ids = [x["id"] for x in H.list_all("gw01", "/api/v1/isolations?unit=%s&state=active" % H.G1)]
        self.assertIn(b["id"], ids)
        ids = [x["id"] for x in H.list_all("gw01", "/api/v1/isolations?unit=%s&state=released" % H.G1)]
        self.assertNotIn(b["id"], ids)

    def test_start_day_and_days(self):
        rid = person(H.G2)
        set_status(rid, "travel_observation", "travel_history", user="gw02")
        b = start_iso(rid, "home", user="gw02", start_day=day(3), days=7)
        self.assertEqual((b["start_day"], b["end_day"]), (day(3), plus(day(3), 6)))
        self.assertEqual(b["worker"]["username"], "gw02")
        with self.subTest("a backdated start creates no overdue slots: its follow-ups start now"):
            p = past_slots(TODAY)
            self.assertEqual((b["followups"]["total"], b["followups"]["overdue"], b["followups"]["due"]),
                             (8 - p, 0, 2 - p))
            slots = [(f["day"], f["slot"]) for f in iso_get(b["id"])["followups_list"]]
            self.assertEqual(slots, slots_ahead(TODAY, b["end_day"]))
        # centralised and hospital need a site; one day and sixty days are the edges
        rid = person(H.G1)
        set_status(rid, "suspected", "symptoms")
        b = start_iso(rid, "centralised", site="青山区集中隔离点", days=1, include_household=False)
        self.assertEqual((b["kind"], b["site"], b["end_day"]), ("centralised", "青山区集中隔离点", TODAY))
        with self.subTest("a one-day isolation has today's slots still ahead"):
            self.assertEqual(b["followups"]["total"], 2 - past_slots(TODAY))
            self.assertEqual([(f["day"], f["slot"]) for f in iso_get(b["id"])["followups_list"]],
                             slots_ahead(TODAY, TODAY))
        rid = person(H.G1)
        set_status(rid, "close_contact", "contact_tracing")
        b = start_iso(rid, "hospital", site="武汉市第七医院", days=60, start_day=day(30), worker="cadre01")
        self.assertEqual((b["start_day"], b["end_day"], b["worker"]["username"]),
                         (day(30), plus(day(30), 59), "cadre01"))
        self.assertEqual((b["followups"]["total"], b["followups"]["overdue"]), (60 - past_slots(TODAY), 0))

    def test_validation(self):
        rid = person(H.G1)
        # no category yet, then cleared: nothing to isolate for
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/isolations", {"resident_id": rid, "kind": "home"}),
                       409, "no_category", "resident_id")
        set_status(rid, "travel_observation", "travel_history")
        set_status(rid, "cleared", "observation_complete")
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/isolations", {"resident_id": rid, "kind": "home"}),
                       409, "no_category", "resident_id")
        set_status(rid, "close_contact", "contact_tracing")
        cases = [
            ({"kind": "home"}, 400, "required", "resident_id"),
            ({"resident_id": rid}, 400, "required", "kind"),
            ({"resident_id": rid, "kind": "hotel"}, 400, None, "kind"),
            ({"resident_id": rid, "kind": "centralised"}, 400, "required", "site"),
            ({"resident_id": rid, "kind": "hospital"}, 400, "required", "site"),
            ({"resident_id": rid, "kind": "home", "days": 0}, 400, "out_of_range", "days"),
            ({"resident_id": rid, "kind": "home", "days": 61}, 400, "out_of_range", "days"),
            ({"resident_id": rid, "kind": "home", "start_day": day(-1)}, 400, None, "start_day"),
            ({"resident_id": rid, "kind": "home", "start_day": day(31)}, 400, None, "start_day"),
            ({"resident_id": rid, "kind": "home", "start_day": "2026-02-30"}, 400, None, "start_day"),
            ({"resident_id": rid, "kind": "home", "site": "长" * 101, "days": 3}, 400, "too_long", "site"),
            ({"resident_id": rid, "kind": "home", "worker": "nobody"}, 400, None, "worker"),
            ({"resident_id": rid, "kind": "home", "mood": "ok"}, 400, "unknown_field", "mood"),
            ({"resident_id": rid, "kind": "home", "include_household": "yes"}, 400, "wrong_type",
             "include_household"),
        ]
        for body, status_, code, field in cases:
            with self.subTest(body=body):
                self.assertErr(H.as_user("secretary", "POST", "/api/v1/isolations", body), status_, code, field)
        # the worker must be in the caller's scope: gw02 is not in gw01's
        self.assertErr(H.as_user("gw01", "POST", "/api/v1/isolations", {"resident_id": rid, "kind": "home",
                                                                       "worker": "gw02"}), 400, None, "worker")
        self.assertIsNone(status(rid)["isolation"])
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/isolations",
                                 {"resident_id": 99999999, "kind": "home"}), 404, "resident_not_found",
                       "resident_id")
        # the edges: 30 days back is still accepted (below); one active isolation per person
        b = start_iso(rid, "home", start_day=day(30))
        self.assertEqual(b["start_day"], day(30))
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/isolations", {"resident_id": rid, "kind": "home"}),
                       409, "already_isolated")
        self.assertErr(H.as_user("gw01", "POST", "/api/v1/isolations",
                                 {"resident_id": rid, "kind": "centralised", "site": "另一处"}),
                       409, "already_isolated")
        active = [x for x in H.list_all("secretary", "/api/v1/isolations?unit=%s&state=active" % H.COMMUNITY)
                  if x["resident_id"] == rid]
        self.assertEqual([x["id"] for x in active], [b["id"]])

    def test_household_rule_case_puts_members_under_close_contact(self):
        hid = take(H.G1, n=3)
        a, m1, m2 = POP["living"][hid]
        set_status(a, "suspected", "symptoms")
        b = start_iso(a, "home", user="gw01")
        self.assertEqual(len(b["household"]), 2, b)
        got = {}
        for m in (m1, m2):
            s = status(m)
            self.assertEqual(s["category"], "close_contact", m)
            last = s["history"][-1]
            self.assertEqual((last["from"], last["to"], last["source"], last["by"]),
                             (None, "close_contact", "household:%d" % a, "gw01"))
            self.assertIsNotNone(s["isolation"], m)
            got[m] = s["isolation"]["id"]
            iso = iso_get(s["isolation"]["id"])
            self.assertEqual((iso["kind"], iso["end_day"], iso["worker"]["username"], iso["state"]),
                             ("home", b["end_day"], b["worker"]["username"], "active"))
        self.assertEqual(sorted(got.values()), sorted(b["household"]))

    def test_household_rule_close_contact_gives_secondary(self):
        hid = take(H.G2, n=2)
        a, m = POP["living"][hid]
        set_status(a, "close_contact", "contact_tracing")
        b = start_iso(a, "home", user="gw02", days=10)
        self.assertEqual(len(b["household"]), 1, b)
        s = status(m)
        self.assertEqual((s["category"], s["history"][-1]["source"]), ("secondary_contact", "household:%d" % a))
        self.assertEqual((s["isolation"]["id"], s["isolation"]["end_day"]), (b["household"][0], b["end_day"]))

    def test_household_rule_other_categories_and_opt_out(self):
        hid = take(H.G1, n=2)
        a, m = POP["living"][hid]
        set_status(a, "travel_observation", "travel_history")
        b = start_iso(a, "home")
        self.assertEqual(b["household"], [])
        self.assertEqual((category(m), status(m)["isolation"]), (None, None))
        hid = take(H.G1, n=2)
        a, m = POP["living"][hid]
        set_status(a, "suspected", "symptoms")
        b = start_iso(a, "home", include_household=False)
        self.assertEqual(b["household"], [])
        self.assertEqual((category(m), status(m)["isolation"]), (None, None))
        # include_household true for a travel observation: the rule gives no category to take
        # (not asserted), but people already isolated are always left as they are:
        hid = take(H.G1, n=3)
        a, iso_m, other = POP["living"][hid]
        set_status(iso_m, "close_contact", "contact_tracing")
        own = start_iso(iso_m, "home", include_household=False, days=5)
        self.assertEqual((own["household"], category(a), category(other)), ([], None, None))
        before = status(iso_m)
        set_status(a, "suspected", "symptoms")
        b = start_iso(a, "home")
        self.assertEqual(len(b["household"]), 1, b)
        self.assertEqual(status(iso_m), before)
        s = status(other)
        self.assertEqual((s["category"], s["isolation"]["id"]), ("close_contact", b["household"][0]))

    def test_extend_transfer_assign_notice(self):
        rid = person(H.G1)
        set_status(rid, "close_contact", "contact_tracing")
        b = start_iso(rid, "home")
        iid, end = b["id"], b["end_day"]
        self.assertIsNone(b["notice_signed_at"])
        bad = [({"action": "extend", "days": 3}, 400, "required", "reason"),
               ({"action": "extend", "reason": "复阳"}, 400, "required", "days"),
               ({"action": "extend", "days": 31, "reason": "复阳"}, 400, "out_of_range", "days"),
               ({"action": "extend", "days": 0, "reason": "复阳"}, 400, "out_of_range", "days"),
               ({"action": "extend", "days": 3, "reason": "长" * 201}, 400, "too_long", "reason"),
               ({"action": "grow"}, 400, None, "action"),
               ({}, 400, "required", "action"),
               ({"action": "transfer", "kind": "centralised"}, 400, "required", "site"),
               ({"action": "transfer", "kind": "hotel", "site": "x"}, 400, None, "kind"),
               ({"action": "assign", "worker": "nobody"}, 400, None, "worker"),
               ({"action": "assign"}, 400, "required", "worker"),
               ({"action": "extend", "days": 3, "reason": "复阳", "colour": 1}, 400, "unknown_field", "colour")]
        for body, status_, code, field in bad:
            with self.subTest(body=body):
                self.assertErr(iso_act(iid, body), status_, code, field)
        self.assertErr(iso_act(iid, {"action": "assign", "worker": "gw02"}, user="gw01"), 400, None, "worker")
        before = iso_get(iid)
        self.assertEqual((before["end_day"], before["worker"]["username"]), (end, "gw01"))
        n0 = len(before["followups_list"])
        st, x = iso_act(iid, {"action": "extend", "days": 3, "reason": "同住人复阳"}, user="gw01")
        self.assertEqual(st, 201, x)
        self.assertEqual(x["end_day"], plus(end, 3))
        full = iso_get(iid)
        self.assertEqual(len(full["followups_list"]), n0 + 6)  # three more days, two slots each
        self.assertEqual(max(f["day"] for f in full["followups_list"]), plus(end, 3))
        self.assertEqual(full["followups"]["total"], n0 + 6)
        st, x = iso_act(iid, {"action": "transfer", "kind": "centralised", "site": "青山区集中隔离点"})
        self.assertEqual(st, 201, x)
        self.assertEqual((x["kind"], x["site"], x["start_day"], x["end_day"], x["state"]),
                         ("centralised", "青山区集中隔离点", TODAY, plus(end, 3), "active"))
        st, x = iso_act(iid, {"action": "assign", "worker": "cadre01"}, user="leader01")
        self.assertEqual((st, x["worker"]), (201, {"username": "cadre01", "name": name_of("cadre01")}))
        st, x = iso_act(iid, {"action": "notice", "note": "本人签收"})
        self.assertEqual(st, 201, x)
        self.assertTrue(str(x["notice_signed_at"]).startswith(TODAY), x)
        self.assertEqual([e["event"] for e in iso_get(iid)["events"]],
                         ["start", "extend", "transfer", "assign", "notice"])
        self.assertErr(iso_act(99999999, {"action": "notice"}), 404, None)

    def test_release_clears_an_observation(self):
        rid = person(H.G1)
        set_status(rid, "close_contact", "contact_tracing")
        b = start_iso(rid, "home", start_day=day(2), days=5)
        iid = b["id"]
        # the slots of the last day stand for two of the days already lived (overdue, open)
        self.assertEqual(move_slots(iid, b["end_day"], day(1)), 2)
        self.assertErr(iso_act(iid, {"action": "release"}), 400, "required", "note")
        st, x = iso_act(iid, {"action": "release", "note": "核酸两次阴性，提前解除"}, user="gw01")
        self.assertEqual(st, 201, x)
        self.assertEqual(x["state"], "released")
        self.assertTrue(str(x["released_at"]).startswith(TODAY), x)
        s = status(rid)
        self.assertEqual((s["category"], s["isolation"]), ("cleared", None))
        self.assertEqual((s["history"][-1]["from"], s["history"][-1]["reason"]),
                         ("close_contact", "observation_complete"))
        # open slots after now cancelled; past ones are not
        now = now_china().isoformat()
        listed = iso_get(iid)["followups_list"]
        self.assertEqual([(f["day"], f["state"]) for f in listed if f["due_at"] <= now],
                         [(day(1), "overdue"), (day(1), "overdue")])
        self.assertTrue(any(f["due_at"] > now for f in listed), listed)
        for f in listed:
            if f["due_at"] > now:
                self.assertEqual(f["state"], "cancelled", f)
            else:
                self.assertNotEqual(f["state"], "cancelled", f)
        # after release only a notice may still be recorded
        self.assertErr(iso_act(iid, {"action": "extend", "days": 2, "reason": "x"}), 409, "isolation_released")
        self.assertErr(iso_act(iid, {"action": "release", "note": "again"}), 409, "isolation_released")
        self.assertErr(iso_act(iid, {"action": "assign", "worker": "cadre01"}), 409, "isolation_released")
        st, x = iso_act(iid, {"action": "notice", "note": "补签告知书"})
        self.assertEqual(st, 201, x)
        ids = [i["id"] for i in H.list_all("gw01", "/api/v1/isolations?unit=%s&state=released" % H.G1)]
        self.assertIn(iid, ids)
        # cleared now: a new isolation needs a category again
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/isolations", {"resident_id": rid, "kind": "home"}),
                       409, "no_category", "resident_id")

    def test_release_refused_for_a_case(self):
        for cat in ("suspected", "confirmed"):
            rid = person(H.G2)
            set_status(rid, cat, "symptoms")
            b = start_iso(rid, "hospital", site="金银潭医院", include_household=False)
            self.assertErr(iso_act(b["id"], {"action": "release", "note": "出院"}), 409, "still_a_case")
            self.assertEqual((iso_get(b["id"])["state"], category(rid)), ("active", cat))

    def test_release_on_the_end_day_needs_no_note(self):
        rid = person(H.G1)
        set_status(rid, "travel_observation", "travel_history")
        b = start_iso(rid, "home", start_day=day(4), days=5)  # ends today
        self.assertEqual(b["end_day"], TODAY)
        st, x = iso_act(b["id"], {"action": "release"})
        self.assertEqual((st, x.get("state")), (201, "released"), x)
        self.assertEqual(category(rid), "cleared")


class Followups(EpiCase):
    """GET /followups (due, overdue, done) and POST /followups/{id}."""

    @classmethod
    def setUpClass(cls):
        guard_slot_boundary()
        cls.rid = person(H.G1)
        set_status(cls.rid, "close_contact", "contact_tracing")
        cls.iso = start_iso(cls.rid, "home", start_day=day(2), days=6)
        cls.unit = POP["res"][cls.rid]["unit_code"]
        # recorded now, the isolation has no slot before now (docs 10.3); the slots of its last
        # two days are moved to the two days already lived, where they are overdue
        cls.moved = (move_slots(cls.iso["id"], plus(TODAY, 3), day(2))
                     + move_slots(cls.iso["id"], plus(TODAY, 2), day(1)))

    def mine(self, query, user="gw01"):
        items = H.list_all(user, "/api/v1/followups?unit=%s&%s" % (self.unit if user != "gw02" else H.G2, query))
        return [f for f in items if f["isolation_id"] == self.iso["id"]]

    def test_a_overdue_due_and_default(self):
        p = past_slots(TODAY)
        self.assertEqual(self.iso["end_day"], plus(day(2), 5))
        self.assertEqual(self.moved, 4)
        self.assertEqual((self.iso["followups"]["total"], self.iso["followups"]["overdue"]), (8 - p, 0))
        over = self.mine("state=overdue")
        want = [(day(2), 1), (day(2), 2), (day(1), 1), (day(1), 2)]
        with self.subTest("the slots past their due time are overdue"):
            self.assertEqual([(f["day"], f["slot"]) for f in over], want)
        self.assertEqual(iso_get(self.iso["id"])["followups"]["overdue"], 4)
        r = POP["res"][self.rid]
        for f in over:
            self.assertEqual((f["resident_id"], f["name"], f["room"], f["unit_code"], f["kind"], f["state"]),
                             (self.rid, r["name"], r["room"], r["unit_code"], "home", "overdue"))
            self.assertEqual((f["due_at"], f["temperature"], f["symptoms"], f["done_at"], f["done_by"]),
                             (f["day"] + ("T12:00:00+08:00" if f["slot"] == 1 else "T18:00:00+08:00"), None, [],
                              None, None))
            self.assertEqual(f["worker"]["username"], "gw01")
        due = self.mine("state=due")
        self.assertEqual([(f["day"], f["slot"], f["state"]) for f in due],
                         [(TODAY, s, "due") for s in (1, 2)[p:]])
        # without state: the day's slots plus every overdue one
        listed = iso_get(self.iso["id"])["followups_list"]
        default = self.mine("")
        self.assertEqual(sorted(f["id"] for f in default),
                         sorted(f["id"] for f in listed if f["day"] == TODAY or f["state"] == "overdue"))
        if p < 2:
            self.assertTrue(any(f["day"] == TODAY for f in default), default)
        # sorted overdue first, then by due time
        st, b = H.as_user("gw01", "GET", "/api/v1/followups?unit=%s&limit=500" % H.G1)
        self.assertEqual(st, 200, b)
        states = [x["state"] for x in b["items"]]
        self.assertEqual(states, sorted(states, key=lambda s: s != "overdue"), states)
        for part in ("overdue", "due"):
            dues = [x["due_at"] for x in b["items"] if x["state"] == part]
            self.assertEqual(dues, sorted(dues))
        st, o = H.as_user("gw01", "GET", "/api/v1/followups?unit=%s&state=overdue&limit=1" % H.G1)
        self.assertEqual(o["overdue"], o["total"])
        self.assertGreaterEqual(o["total"], len(over))
        self.assertEqual(b["overdue"], o["total"])
        # whose list: worker=me for gw01, not for gw02 (who does not even see grid 1)
        self.assertEqual(len(self.mine("worker=me")), len(default))
        self.assertEqual(len(self.mine("worker=gw01", user="secretary")), len(default))
        self.assertEqual(self.mine("worker=cadre01", user="secretary"), [])
        self.assertEqual(self.mine("state=all", user="gw02"), [])
        self.assertErr(H.as_user("gw01", "GET", "/api/v1/followups?unit=%s&state=late" % H.G1), 400, None, "state")
        self.assertErr(H.as_user("gw01", "GET", "/api/v1/followups?unit=%s&day=yesterday" % H.G1), 400, None, "day")

    def today_slot2(self):
        """slot 2 of today (18:00) of a new isolation of a grid-1 person: created with it
        before 18:00; after 18:00 there is none, and tomorrow's slot 2 is moved to today"""
        rid = person(H.G1)
        set_status(rid, "close_contact", "contact_tracing")
        iso = start_iso(rid, "home")
        if past_slots(TODAY) == 2:
            self.assertEqual(move_slots(iso["id"], plus(TODAY, 1), TODAY, slot=2), 1)
        return [f for f in iso_get(iso["id"])["followups_list"] if (f["day"], f["slot"]) == (TODAY, 2)][0], iso

    def test_b_record_a_slot(self):
        slot, iso = self.today_slot2()
        fid = slot["id"]
        bad = [({}, 400, "required", "temperature"),
               ({"temperature": 33.9}, 400, "out_of_range", "temperature"),
               ({"temperature": 43.1}, 400, "out_of_range", "temperature"),
               ({"temperature": "36.5"}, 400, "wrong_type", "temperature"),
               ({"temperature": 36.5, "symptoms": ["headache"]}, 400, "invalid_symptom", "symptoms"),
               ({"temperature": 36.5, "needs": "长" * 501}, 400, "too_long", "needs"),
               ({"temperature": 36.5, "mood": "ok"}, 400, "unknown_field", "mood")]
        for body, status_, code, field in bad:
            with self.subTest(body=body):
                self.assertErr(H.as_user("gw01", "POST", "/api/v1/followups/%d" % fid, body), status_, code, field)
        st, b = H.as_user("gw01", "POST", "/api/v1/followups/%d" % fid,
                          {"temperature": 36.5, "symptoms": [], "needs": "降压药两盒", "note": "电话随访"})
        self.assertEqual(st, 201, b)
        self.assertEqual((b["id"], b["state"], b["temperature"], b["needs"], b["note"], b["fever"]),
                         (fid, "done", 36.5, "降压药两盒", "电话随访", False))
        self.assertEqual(uname(b["done_by"]), "gw01")
        self.assertTrue(str(b["done_at"]).startswith(TODAY), b)
        self.assertErr(H.as_user("gw01", "POST", "/api/v1/followups/%d" % fid, {"temperature": 36.6}),
                       409, "already_done")
        # no longer open; listed as done today; counted in its isolation
        unit = POP["res"][iso["resident_id"]]["unit_code"]
        lst = lambda q: [f["id"] for f in H.list_all("gw01", "/api/v1/followups?unit=%s&%s" % (unit, q))]
        self.assertNotIn(fid, lst("state=overdue") + lst("state=due"))
        self.assertIn(fid, lst("state=done"))
        self.assertIn(fid, lst("state=all"))
        self.assertEqual(iso_get(iso["id"])["followups"]["done"], 1)
        # the roll-call's fever rule: the threshold or the symptom fever; any symptom alerts
        s1, _ = self.today_slot2()
        st, b = H.as_user("leader01", "POST", "/api/v1/followups/%d" % s1["id"], {"temperature": 37.3})
        self.assertEqual((st, b.get("fever"), type(b.get("alert_id"))), (201, True, int), b)
        s2, _ = self.today_slot2()
        st, b = H.as_user("cadre01", "POST", "/api/v1/followups/%d" % s2["id"],
                          {"temperature": 36.4, "symptoms": ["cough"]})
        self.assertEqual((st, b.get("fever"), b.get("symptoms"), type(b.get("alert_id"))),
                         (201, False, ["cough"], int), b)
        self.assertErr(H.as_user("gw01", "POST", "/api/v1/followups/99999999", {"temperature": 36.5}),
                       404, "followup_not_found")
        s3, _ = self.today_slot2()
        self.assertErr(H.as_user("gw02", "POST", "/api/v1/followups/%d" % s3["id"], {"temperature": 36.5}),
                       404, "followup_not_found")
        self.assertEqual(iso_get(s3["isolation_id"])["followups"]["done"], 0)

    def test_c_cancelled_after_release(self):
        rid = person(H.G1)
        set_status(rid, "close_contact", "contact_tracing")
        iso = start_iso(rid, "home")
        st, x = iso_act(iso["id"], {"action": "release", "note": "转出本市"})
        self.assertEqual(st, 201, x)
        later = [f for f in iso_get(iso["id"])["followups_list"] if f["day"] > TODAY]
        self.assertTrue(later)
        self.assertTrue(all(f["state"] == "cancelled" for f in later), later)
        self.assertErr(H.as_user("gw01", "POST", "/api/v1/followups/%d" % later[0]["id"], {"temperature": 36.5}),
                       409, "followup_cancelled")


    def test_d_a_later_day_is_the_plan(self):
        rid = person(H.G1)
        set_status(rid, "close_contact", "contact_tracing")
        iso = start_iso(rid, "home")
        tomorrow = plus(TODAY, 1)
        later = [f for f in iso_get(iso["id"])["followups_list"] if f["day"] == tomorrow]
        self.assertEqual([(f["slot"], f["state"]) for f in later], [(1, "due"), (2, "due")])
        # the plan for tomorrow is listed like any day
        st, b = H.as_user("gw01", "GET", "/api/v1/followups?unit=%s&day=%s&state=due&limit=500"
                          % (POP["res"][rid]["unit_code"], tomorrow))
        self.assertEqual((st, b.get("day")), (200, tomorrow), b)
        self.assertLessEqual({f["id"] for f in later}, {f["id"] for f in b["items"]})
        # but a reading belongs to the day it is taken: tomorrow's slot waits
        self.assertErr(H.as_user("gw01", "POST", "/api/v1/followups/%d" % later[0]["id"], {"temperature": 36.5}),
                       409, "not_yet_due", "followup_id")
        self.assertEqual(iso_get(iso["id"])["followups"]["done"], 0)
        self.assertErr(H.as_user("gw01", "GET", "/api/v1/followups?unit=%s&day=2026-02-30" % H.G1), 400,
                       "invalid_day", "day")


class AgencyLists(EpiCase):
    """POST /lists: a police list of 50 returnees matched against the registry (exact,
    fuzzy, wrong, duplicate rows); the review queue; nothing lost, nothing double-started."""

    @classmethod
    def setUpClass(cls):
        rows, cls.expect = [], {}
        exact = [person() for _ in range(25)]
        cls.exact = exact
        cls.start = {}
        for i, rid in enumerate(exact):
            r = POP["res"][rid]
            arrival = [day(2), "", day(5)][i % 3]
            cls.start[rid] = arrival or TODAY
            rows.append((r["name"], r["id_number"], r["phone"] if i % 2 else "", "", arrival, "武汉站"))
            cls.expect[len(rows)] = ("matched", None)
        # the same ID number twice (row 26 repeats row 1's person)
        r = POP["res"][exact[0]]
        rows.append((r["name"], r["id_number"], r["phone"], "", day(2), "武汉站"))
        cls.expect[len(rows)] = ("matched", "duplicate")
        cls.dup_row = len(rows)
        # someone already under observation
        cls.isolated = person()
        set_status(cls.isolated, "close_contact", "contact_tracing")
        cls.isolated_iso = start_iso(cls.isolated, "home")["id"]
        r = POP["res"][cls.isolated]
        rows.append((r["name"], r["id_number"], "", "", day(1), "武汉站"))
        cls.expect[len(rows)] = ("matched", "already_observed")
        # fuzzy: same name and phone, no ID number
        cls.fuzzy = {}
        for _ in range(6):
            rid = person_with_mobile()
            r = POP["res"][rid]
            rows.append((r["name"], "", r["phone"], "", day(1), "交通部门"))
            cls.fuzzy[len(rows)] = rid
            cls.expect[len(rows)] = ("to_review", None)
        # same name, and the address names the building and room
        for _ in range(2):
            rid = person()
            r = POP["res"][rid]
            rows.append((r["name"], "", "", "青和居%s%s室" % (r["building"], r["room"]), "", "交通部门"))
            cls.fuzzy[len(rows)] = rid
            cls.expect[len(rows)] = ("to_review", None)
        # same phone, another name
        rid = person_with_mobile()
        rows.append((fresh_name(), "", POP["res"][rid]["phone"], "", "", "交通部门"))
        cls.fuzzy[len(rows)] = rid
        cls.expect[len(rows)] = ("to_review", None)
        # an ID number with a wrong check digit, but name and phone of a resident
        rid = person_with_mobile()
        r = POP["res"][rid]
        rows.append((r["name"], H.bad_check(r["id_number"]), r["phone"], "", "", "交通部门"))
        cls.fuzzy[len(rows)] = rid
        cls.expect[len(rows)] = ("to_review", "invalid_id_number")
        # wrong: people nobody knows (valid ID numbers), invalid check digits, nothing at all
        cls.unknown = {}
        for i in range(8):
            idn = fresh_id("110101" if i % 2 else "420106")
            rows.append((fresh_name(), idn, fresh_phone(), "北京市朝阳区", day(3), "外省协查"))
            cls.unknown[len(rows)] = idn
            cls.expect[len(rows)] = ("unmatched", None)
        for _ in range(3):
            rows.append((fresh_name(), H.bad_check(fresh_id("110101")), fresh_phone(), "", "", "外省协查"))
            cls.expect[len(rows)] = ("unmatched", "invalid_id_number")
        for _ in range(2):
            rows.append((fresh_name(), "", "", "99栋9999", "", "外省协查"))
            cls.expect[len(rows)] = ("unmatched", None)
        assert len(rows) == 50, len(rows)
        cls.rows = rows
        cls.csv = csv_text(rows)
        st, cls.answer = post_list(cls.csv, H.COMMUNITY)
        cls.status_code = st

    def rows_of(self, state=None, user="secretary"):
        q = "?state=%s" % state if state else ""
        return H.list_all(user, "/api/v1/lists/%d/rows%s" % (self.answer["id"], q))

    def test_a_counts_add_up(self):
        self.assertEqual(self.status_code, 201, self.answer)
        a = self.answer
        self.assertEqual((a["unit"], a["source"], a["rows"]), (H.COMMUNITY, "公安推送", 50))
        self.assertEqual((a["matched"], a["to_review"], a["unmatched"]), (27, 10, 13))
        self.assertEqual(a["matched"] + a["to_review"] + a["unmatched"], a["rows"])
        self.assertEqual(a["observation_started"], 25)

    def test_b_every_row_kept_in_its_state(self):
        rows = self.rows_of()
        self.assertEqual([r["row"] for r in rows], list(range(1, 51)))
        got = {r["row"]: (r["state"], r["note"]) for r in rows}
        self.assertEqual(got, self.expect)
        for r in rows:
            self.assertEqual(r["line"], r["row"] + 1, r)
            self.assertEqual(r["name"], self.rows[r["row"] - 1][0])
        for state, n in (("matched", 27), ("to_review", 10), ("unmatched", 13), ("open", 23)):
            self.assertEqual(len(self.rows_of(state)), n, state)
        # exact rows name their resident; fuzzy rows their candidates
        by = {r["row"]: r for r in rows}
        for i, rid in enumerate(self.exact):
            self.assertEqual((by[i + 1]["resident_id"], by[i + 1]["match"]), (rid, "id_number"), by[i + 1])
        for row, rid in self.fuzzy.items():
            self.assertIsNone(by[row]["resident_id"], by[row])
            self.assertIn(rid, [c["resident_id"] for c in by[row]["candidates"]], by[row])
        for row in self.unknown:
            self.assertEqual(by[row]["candidates"], [], by[row])
        st, lists = H.as_user("secretary", "GET", "/api/v1/lists?unit=%s" % H.COMMUNITY)
        self.assertEqual(st, 200, lists)
        self.assertIn(self.answer["id"], [x["id"] for x in lists["items"]])
        st, one = H.as_user("secretary", "GET", "/api/v1/lists/%d" % self.answer["id"])
        self.assertEqual((st, one["rows"], one["source"]), (200, 50, "公安推送"), one)

    def test_c_observation_started_once(self):
        lid = self.answer["id"]
        active = H.list_all("secretary", "/api/v1/isolations?unit=%s&state=active" % H.COMMUNITY)
        per = collections.Counter(x["resident_id"] for x in active)
        self.assertEqual([rid for rid, n in per.items() if n > 1], [])
        for rid in self.exact:
            s = status(rid)
            self.assertEqual(s["category"], "travel_observation", rid)
            self.assertEqual((s["history"][-1]["reason"], s["history"][-1]["source"]),
                             ("agency_list", "list:%d" % lid))
            self.assertEqual(len(s["history"]), 1, s)  # the duplicate row did not change it twice
            mine = [x for x in active if x["resident_id"] == rid]
            self.assertEqual(len(mine), 1, rid)
            self.assertEqual((mine[0]["kind"], mine[0]["source"], mine[0]["start_day"], mine[0]["end_day"]),
                             ("home", "list:%d" % lid, self.start[rid], plus(self.start[rid], 13)))
        # the person already isolated keeps their category and their one isolation
        s = status(self.isolated)
        self.assertEqual((s["category"], s["isolation"]["id"]), ("close_contact", self.isolated_iso))
        self.assertEqual(per[self.isolated], 1)
        # fuzzy and unknown rows started nothing
        for rid in self.fuzzy.values():
            self.assertEqual((category(rid), per[rid]), (None, 0), rid)

    def test_d_resolve_the_queue(self):
        lid = self.answer["id"]
        path = lambda row: "/api/v1/lists/%d/rows/%d" % (lid, row)
        fuzzy = sorted(self.fuzzy)
        row, rid = fuzzy[0], self.fuzzy[fuzzy[0]]
        self.assertErr(H.as_user("gw01", "POST", path(row), {"action": "confirm"}), 404, None)  # list outside G1
        self.assertErr(H.as_user("secretary", "POST", path(row), {"action": "confirm"}), 400, "required", "resident_id")
        self.assertErr(H.as_user("secretary", "POST", path(row), {"action": "accept"}), 400, None, "action")
        self.assertErr(H.as_user("secretary", "POST", path(row), {"action": "confirm", "resident_id": 99999999}),
                       404, "resident_not_found", "resident_id")
        # leader01 is bound to grid 1, the list to the community
        self.assertErr(H.as_user("leader01", "POST", path(row), {"action": "confirm", "resident_id": rid}), 404, None)
        st, b = H.as_user("secretary", "POST", path(row), {"action": "confirm", "resident_id": rid})
        self.assertEqual(st, 201, b)
        self.assertEqual((b["row"], b["state"], b["resident_id"], b["resolved_by"]),
                         (row, "confirmed", rid, "secretary"))
        self.assertIsInstance(b["isolation_id"], int)
        s = status(rid)
        self.assertEqual((s["category"], s["history"][-1]["source"], s["isolation"]["id"]),
                         ("travel_observation", "list:%d" % lid, b["isolation_id"]))
        self.assertErr(H.as_user("secretary", "POST", path(row), {"action": "confirm", "resident_id": rid}),
                       409, "already_resolved")
        self.assertErr(H.as_user("secretary", "POST", path(1), {"action": "reject", "note": "x"}),
                       409, "already_resolved")
        # reject needs a note
        row2 = fuzzy[1]
        self.assertErr(H.as_user("secretary", "POST", path(row2), {"action": "reject"}), 400, "required", "note")
        st, b = H.as_user("secretary", "POST", path(row2), {"action": "reject", "note": "同名不同人，已电话核实"})
        self.assertEqual((st, b.get("state"), b.get("resident_id")), (201, "rejected", None), b)
        self.assertEqual(category(self.fuzzy[row2]), None)
        # register an unknown person into a household
        row3 = sorted(self.unknown)[0]
        hid = take(H.G1, n=1)
        self.assertErr(H.as_user("secretary", "POST", path(row3), {"action": "register"}), 400, "required",
                       "household_id")
        st, b = H.as_user("secretary", "POST", path(row3), {"action": "register", "household_id": hid})
        self.assertEqual(st, 201, b)
        self.assertEqual(b["state"], "registered")
        new = b["resident_id"]
        self.assertIsInstance(new, int)
        st, r = H.as_user("secretary", "GET", "/api/v1/residents/%d" % new)
        self.assertEqual((st, r["name"], r["id_number"], r["household_id"]),
                         (200, self.rows[row3 - 1][0], self.unknown[row3], hid), r)
        s = status(new)
        self.assertEqual((s["category"], s["isolation"]["kind"]), ("travel_observation", "home"))
        self.assertEqual(s["isolation"]["end_day"], plus(day(3), 13))  # from the row's arrival day
        # the queue
        self.assertEqual(len(self.rows_of("open")), 20)
        self.assertEqual([r["row"] for r in self.rows_of("confirmed")], [row])
        self.assertEqual([r["row"] for r in self.rows_of("rejected")], [row2])
        self.assertEqual([r["row"] for r in self.rows_of("registered")], [row3])
        self.assertEqual(len(self.rows_of()), 50)
        self.assertErr(H.as_user("secretary", "GET", "/api/v1/lists/%d/rows?state=lost" % lid), 400, None, "state")
        # the same list again: everyone matched is observed already, nothing starts twice
        st, again = post_list(self.csv, H.COMMUNITY, source="公安推送复核")
        self.assertEqual(st, 201, again)
        self.assertEqual((again["rows"], again["matched"], again["to_review"], again["unmatched"],
                          again["observation_started"]), (50, 28, 10, 12, 0))
        active = H.list_all("secretary", "/api/v1/isolations?unit=%s&state=active" % H.COMMUNITY)
        per = collections.Counter(x["resident_id"] for x in active)
        self.assertEqual([r for r, n in per.items() if n > 1], [])

    def test_e_scope_of_a_grid_list(self):
        """gw01's list for grid 1: a grid-2 person is neither matched nor offered."""
        g1, g2 = person(H.G1), person(H.G2)
        r1, r2 = POP["res"][g1], POP["res"][g2]
        csv = csv_text([(r1["name"], r1["id_number"], "", "", "", "社区排查"),
                        (r2["name"], r2["id_number"], r2["phone"], "", "", "社区排查"),
                        (r2["name"], "", r2["phone"], "", "", "社区排查")])
        st, b = post_list(csv, H.G1, source="网格排查", user="gw01")
        self.assertEqual(st, 201, b)
        self.assertEqual((b["rows"], b["matched"], b["to_review"], b["unmatched"]), (3, 1, 0, 2))
        st, rows = H.as_user("gw01", "GET", "/api/v1/lists/%d/rows?limit=500" % b["id"])
        self.assertEqual(st, 200, rows)
        self.assertEqual([r["state"] for r in rows["items"]], ["matched", "unmatched", "unmatched"])
        self.assertNotIn(g2, [c["resident_id"] for r in rows["items"] for c in r["candidates"]])
        self.assertEqual([r["resident_id"] for r in rows["items"]], [g1, None, None])
        self.assertEqual((category(g1), category(g2)), ("travel_observation", None))
        self.assertErr(post_list(csv, H.G2, user="gw01"), 404, "unit_not_found")
        st, lists = H.as_user("gw01", "GET", "/api/v1/lists?limit=500")
        self.assertEqual(st, 200, lists)
        self.assertNotIn(self.answer["id"], [x["id"] for x in lists["items"]])
        self.assertErr(H.as_user("gw01", "GET", "/api/v1/lists/%d" % self.answer["id"]), 404, None)
        self.assertErr(H.as_user("gw01", "GET", "/api/v1/lists/%d/rows" % self.answer["id"]), 404, None)

    def test_f_errors(self):
        good = csv_text([(fresh_name(), "", "", "", "", "")])
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/lists?unit=%s" % H.COMMUNITY, raw=good,
                                 ctype="text/csv"), 400, "required", "source")
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/lists?unit=%s&source=x" % H.COMMUNITY,
                                 body={"name": "x"}), 415, "unsupported_media_type")
        self.assertErr(post_list("身份证号,手机号\n110101198001010011,13900000000\n", H.COMMUNITY), 400,
                       "missing_column")
        self.assertErr(post_list("", H.COMMUNITY), 400, "empty_file")
        self.assertErr(post_list(good, H.COMMUNITY, category="confirmed_maybe"), 400, None, "category")
        self.assertErr(post_list(good, H.COMMUNITY, source="长" * 101), 400, "too_long", "source")
        # GBK is converted
        gbk = csv_text([(fresh_name(), "", "", "", "", "")]).encode("gbk")
        st, b = H.as_user("secretary", "POST", "/api/v1/lists?unit=%s&source=gbk" % H.COMMUNITY, raw=gbk,
                          ctype="text/csv")
        self.assertEqual((st, b.get("rows"), b.get("unmatched")), (201, 1, 1), b)


class Contacts(EpiCase):
    """POST /residents/{id}/contacts, POST /contacts/{id}, GET /residents/{id}/chain."""

    @classmethod
    def setUpClass(cls):
        cls.a = person(H.G1, H.B01)
        cls.b = person(H.G1, H.B02)
        cls.e = person(H.G2, H.B03)
        cls.d = person(H.G2, H.B03)
        set_status(cls.a, "confirmed", "test_positive")

    def contact(self, case, body, user="secretary", expect=201):
        st, b = H.as_user(user, "POST", "/api/v1/residents/%d/contacts" % case, body)
        if expect:
            self.assertEqual(st, expect, (body, b))
        return st, b

    def test_a_linked_contact_is_followed(self):
        st, c = self.contact(self.a, {"resident_id": self.b, "day": day(1), "place": "菜市场", "kind": "meal",
                                      "note": "同一摊位"})
        self.assertEqual((c["case_id"], c["resident_id"], c["name"], c["day"], c["place"], c["kind"], c["note"]),
                         (self.a, self.b, POP["res"][self.b]["name"], day(1), "菜市场", "meal", "同一摊位"))
        self.assertIn(c["category_set"], ("close_contact", True))
        s = status(self.b)
        self.assertEqual(s["category"], "close_contact")
        self.assertEqual((s["history"][-1]["reason"], s["history"][-1]["source"]),
                         ("contact_tracing", "contact:%d" % c["id"]))
        iso = iso_get(c["isolation_id"])
        self.assertEqual((iso["resident_id"], iso["kind"], iso["start_day"], iso["end_day"]),
                         (self.b, "home", day(1), plus(day(1), 13)))
        # b's own contact, d
        st, c2 = self.contact(self.b, {"resident_id": self.d, "day": TODAY, "kind": "work", "place": "仓库"})
        self.assertEqual(category(self.d), "close_contact")
        # not followed when asked so
        f = person(H.G1)
        st, c3 = self.contact(self.b, {"resident_id": f, "day": TODAY, "kind": "social", "follow": False})
        self.assertEqual((c3["isolation_id"], category(f)), (None, None))
        self.assertIn(c3["category_set"], (None, False))

    def test_b_unregistered_then_linked_and_chain(self):
        st, c = self.contact(self.a, {"name": "外来人员王某", "phone": "13900001111", "day": day(2),
                                      "kind": "transport", "place": "公交 521 路"})
        self.assertEqual((c["resident_id"], c["isolation_id"], c["name"]), (None, None, "外来人员王某"))
        st, lst = H.as_user("secretary", "GET", "/api/v1/residents/%d/contacts" % self.a)
        self.assertEqual(st, 200, lst)
        self.assertIn(c["id"], [x["id"] for x in lst["items"]])
        st, g = H.as_user("secretary", "GET", "/api/v1/residents/%d/chain?depth=3" % self.a)
        self.assertEqual(st, 200, g)
        self.assertIn("c%d" % c["id"], [n["id"] for n in g["nodes"]])
        node = [n for n in g["nodes"] if n["id"] == "c%d" % c["id"]][0]
        self.assertEqual((node["resident_id"], node["name"], node["category"]), (None, "外来人员王某", None))
        # link it later to a registered resident: followed from then on
        st, l = H.as_user("secretary", "POST", "/api/v1/contacts/%d" % c["id"], {"resident_id": self.e})
        self.assertEqual(st, 201, l)
        self.assertEqual(l["resident_id"], self.e)
        s = status(self.e)
        self.assertEqual((s["category"], s["history"][-1]["source"]), ("close_contact", "contact:%d" % c["id"]))
        self.assertEqual(s["isolation"]["end_day"], plus(day(2), 13))
        # the chain from the case, across households and buildings
        st, g = H.as_user("secretary", "GET", "/api/v1/residents/%d/chain?depth=3" % self.a)
        self.assertEqual(st, 200, g)
        ids = {n["id"] for n in g["nodes"]}
        want = {"r%d" % x for x in (self.a, self.b, self.d, self.e)}
        self.assertTrue(want <= ids, (want, ids))
        self.assertNotIn("c%d" % c["id"], ids)
        self.assertEqual(g["root"], self.a)
        self.assertEqual([n["id"] for n in g["nodes"] if n.get("root")], ["r%d" % self.a])
        edges = {(e["from"], e["to"]) for e in g["edges"]}
        self.assertTrue({("r%d" % self.a, "r%d" % self.b), ("r%d" % self.a, "r%d" % self.e),
                         ("r%d" % self.b, "r%d" % self.d)} <= edges, edges)
        ab = [e for e in g["edges"] if (e["from"], e["to"]) == ("r%d" % self.a, "r%d" % self.b)][0]
        self.assertEqual((ab["day"], ab["place"], ab["kind"]), (day(1), "菜市场", "meal"))
        self.assertGreaterEqual(g["households"], 4)
        self.assertEqual(g["buildings"], len({n["building"] for n in g["nodes"] if n.get("building")}))
        self.assertGreaterEqual(g["buildings"], 3)
        na = [n for n in g["nodes"] if n["id"] == "r%d" % self.a][0]
        r = POP["res"][self.a]
        self.assertEqual((na["resident_id"], na["name"], na["category"], na["household_id"], na["unit_code"]),
                         (self.a, r["name"], "confirmed", r["household_id"], r["unit_code"]))
        # one step only; and from the far end, both directions
        st, g1 = H.as_user("secretary", "GET", "/api/v1/residents/%d/chain?depth=1" % self.a)
        ids1 = {n["id"] for n in g1["nodes"]}
        self.assertIn("r%d" % self.b, ids1)
        self.assertNotIn("r%d" % self.d, ids1)
        st, gd = H.as_user("secretary", "GET", "/api/v1/residents/%d/chain?depth=2" % self.d)
        idsd = {n["id"] for n in gd["nodes"]}
        self.assertTrue({"r%d" % self.d, "r%d" % self.b, "r%d" % self.a} <= idsd, idsd)
        self.assertNotIn("r%d" % self.e, idsd)
        for q in ("depth=0", "depth=6", "depth=x"):
            self.assertErr(H.as_user("secretary", "GET", "/api/v1/residents/%d/chain?%s" % (self.a, q)),
                           400, None, "depth")

    def test_c_errors(self):
        p = person(H.G1)
        cases = [({"day": TODAY, "kind": "meal"}, 400, "required", "name"),
                 ({"name": "某人", "kind": "meal"}, 400, "required", "day"),
                 ({"name": "某人", "day": TODAY}, 400, "required", "kind"),
                 ({"name": "某人", "day": TODAY, "kind": "kiss"}, 400, None, "kind"),
                 ({"name": "某人", "day": day(-1), "kind": "meal"}, 400, None, "day"),
                 ({"name": "长" * 51, "day": TODAY, "kind": "meal"}, 400, "too_long", "name"),
                 ({"name": "某人", "day": TODAY, "kind": "meal", "place": "长" * 101}, 400, "too_long", "place"),
                 ({"name": "某人", "day": TODAY, "kind": "meal", "who": 1}, 400, "unknown_field", "who"),
                 ({"resident_id": 99999999, "day": TODAY, "kind": "meal"}, 404, "resident_not_found", "resident_id")]
        for body, status_, code, field in cases:
            with self.subTest(body=body):
                self.assertErr(H.as_user("secretary", "POST", "/api/v1/residents/%d/contacts" % p, body),
                               status_, code, field)
        st, lst = H.as_user("secretary", "GET", "/api/v1/residents/%d/contacts" % p)
        self.assertEqual((st, lst.get("items")), (200, []), lst)
        # a grid worker links only people of its grid
        g2 = person(H.G2)
        self.assertErr(H.as_user("gw01", "POST", "/api/v1/residents/%d/contacts" % p,
                                 {"resident_id": g2, "day": TODAY, "kind": "meal"}), 404, "resident_not_found",
                       "resident_id")
        self.assertEqual(category(g2), None)


class ConfirmedCase(EpiCase):
    """Confirming a case: household under observation, four tasks, the building's lockdown."""

    @classmethod
    def setUpClass(cls):
        new_building(B07, H.G2, "7栋")
        new_building(B08, H.G2, "8栋")
        cls.k1, (cls.x, cls.m1, cls.m2) = new_household(B07, "101", 3)
        cls.k2, (cls.n,) = new_household(B07, "102", 1)
        cls.j1, (cls.y,) = new_household(B08, "101", 1)
        cls.j2, (cls.z,) = new_household(B08, "102", 1)
        st, cls.unit_before = H.as_user("secretary", "GET", "/api/v1/units/%s" % B07)
        cls.t0 = time.time()
        st, cls.answer = post_status(cls.x, "confirmed", "test_positive", "核酸阳性，市疾控复核", user="gw02")
        cls.status_code = st

    def tasks(self, unit, state="all", user="secretary"):
        return H.list_all(user, "/api/v1/tasks?unit=%s&state=%s" % (unit, state))

    def test_a_answer_household_and_tasks(self):
        self.assertEqual(self.status_code, 201, self.answer)
        self.assertIn("lockdown", self.unit_before)
        self.assertIn(level(self.unit_before["lockdown"]), (None, "none"))
        self.assertEqual(self.answer["category"], "confirmed")
        self.assertEqual(sorted(self.answer["household_observed"]), sorted([self.m1, self.m2]))
        for m in (self.m1, self.m2):
            s = status(m)
            self.assertEqual(s["category"], "close_contact")
            self.assertEqual(s["isolation"]["kind"], "home")
            with self.subTest("member's isolation", member=m):
                self.assertEqual(iso_get(s["isolation"]["id"])["category"], "close_contact")
            with self.subTest("household rule source", member=m):
                self.assertEqual([(h["to"], h["source"]) for h in s["history"]],
                                 [("close_contact", "household:%d" % self.x)])
        with self.subTest("the case itself gets no home isolation from its household's rule"):
            s = status(self.x)
            self.assertIsNone(s["isolation"])
            # the rule is not applied again from each member: no secondary_contact anywhere
            self.assertEqual([(h["from"], h["to"], h["source"]) for h in s["history"]],
                             [(None, "confirmed", None)])
        # the members are recorded as the case's contacts of kind household, and the chain shows them
        st, lst = H.as_user("gw02", "GET", "/api/v1/residents/%d/contacts" % self.x)
        self.assertEqual(st, 200, lst)
        self.assertEqual(sorted((c["case_id"], c["resident_id"], c["kind"]) for c in lst["items"]),
                         sorted((self.x, m, "household") for m in (self.m1, self.m2)))
        st, g = H.as_user("gw02", "GET", "/api/v1/residents/%d/chain?depth=1" % self.x)
        self.assertEqual(st, 200, g)
        self.assertEqual(sorted((e["from"], e["to"], e["kind"]) for e in g["edges"]),
                         sorted(("r%d" % self.x, "r%d" % m, "household") for m in (self.m1, self.m2)))
        self.assertEqual({n["id"]: n["category"] for n in g["nodes"]},
                         {"r%d" % self.x: "confirmed", "r%d" % self.m1: "close_contact",
                          "r%d" % self.m2: "close_contact"})
        kinds = sorted(t["kind"] for t in self.answer["tasks"])
        self.assertEqual(kinds, ["building_notice", "contacts_observation", "disinfection", "lockdown"])
        tasks = [t for t in self.tasks(B07) if t["case_id"] == self.x]
        self.assertEqual(sorted(t["id"] for t in tasks), sorted(t["id"] for t in self.answer["tasks"]))
        by = {t["kind"]: t for t in tasks}
        for kind, hours in (("contacts_observation", 2), ("disinfection", 4), ("building_notice", 6)):
            t = by[kind]
            self.assertEqual((t["state"], t["late"], t["unit_code"], uname(t["owner"])),
                             ("open", False, B07, "gw02"), t)
            due = datetime.datetime.fromisoformat(t["due_at"]).timestamp()
            self.assertAlmostEqual(due - self.t0, hours * 3600, delta=120, msg=(kind, t["due_at"]))
            self.assertTrue(t["title"], t)
        self.assertEqual(by["lockdown"]["state"], "done")
        self.assertEqual(sorted(t["kind"] for t in self.tasks(B07, "open")),
                         ["building_notice", "contacts_observation", "disinfection"])
        self.assertEqual([t["kind"] for t in self.tasks(B07, "done")], ["lockdown"])
        # tasks name no one: the command role reads them, without the case's name
        st, b = H.as_user("command", "GET", "/api/v1/tasks?unit=%s&state=all" % B07)
        self.assertEqual(st, 200, b)
        self.assertEqual(b["total"], 4)
        self.assertNotIn(POP["res"][self.x]["name"], json.dumps(b, ensure_ascii=False))

    def test_b_lockdown_raised_and_visible(self):
        st, u = H.as_user("gw02", "GET", "/api/v1/units/%s" % B07)
        self.assertEqual(st, 200, u)
        self.assertEqual(level(u["lockdown"]), "building", u)
        st, l = H.as_user("vol02", "GET", "/api/v1/units/%s/lockdown" % B07)
        self.assertEqual((st, level(l.get("lockdown", l))), (200, "building"), l)
        st, c = H.as_user("secretary", "GET", "/api/v1/coverage?unit=%s" % H.G2)
        self.assertEqual(st, 200, c)
        locked = [x for x in c["lockdowns"] if B07 in (x.get("unit"), x.get("code"), x.get("unit_code"))]
        self.assertEqual(len(locked), 1, c["lockdowns"])
        self.assertEqual(level(locked[0].get("lockdown", locked[0])), "building")
        st, c = H.as_user("gw02", "GET", "/api/v1/coverage?unit=%s" % B07)
        self.assertEqual(level(c["lockdown"]), "building", c)
        # the missing list shows the building's level and who is isolated
        st, m = H.as_user("gw02", "GET", "/api/v1/coverage/missing?unit=%s&limit=500" % B07)
        self.assertEqual(st, 200, m)
        by = {x["household_id"]: x for x in m["items"]}
        self.assertEqual((level(by[self.k1]["lockdown"]), by[self.k1]["isolation"]), ("building", True))
        self.assertEqual((level(by[self.k2]["lockdown"]), by[self.k2]["isolation"]), ("building", False))
        # another building is not locked
        st, u = H.as_user("secretary", "GET", "/api/v1/units/%s" % B08)
        self.assertIn(level(u["lockdown"]), (None, "none"), u)

    def test_c_disinfection_needs_team_and_photo(self):
        t = [t for t in self.answer["tasks"] if t["kind"] == "disinfection"][0]
        path = "/api/v1/tasks/%d" % t["id"]
        full = {"action": "done", "place": "7栋各层楼道、电梯、垃圾站", "team": "青山区疾控消杀二队",
                "photo_note": "楼道喷洒后照片 3 张", "note": "含氯消毒剂 1000mg/L"}
        for missing in ("team", "photo_note"):
            body = {k: v for k, v in full.items() if k != missing}
            self.assertErr(H.as_user("gw02", "POST", path, body), 400, "required", missing)
        self.assertErr(H.as_user("gw02", "POST", path, {"action": "finish"}), 400, None, "action")
        self.assertErr(H.as_user("gw02", "POST", path, {"action": "assign", "owner": "gw01"}), 400, None, "owner")
        self.assertErr(H.as_user("gw02", "POST", path, {"action": "done", "photo_note": "照片"}), 400, "required",
                       "team")
        # place defaults to the building's name set when the task was created (docs 10.6)
        self.assertEqual([(x["state"], x["place"]) for x in self.tasks(B07) if x["id"] == t["id"]],
                         [("open", "7栋")])
        st, b = H.as_user("gw02", "POST", path, {k: v for k, v in full.items() if k != "place"})
        self.assertEqual(st, 201, b)
        self.assertEqual((b["state"], b["place"], b["team"], b["photo_note"], b["note"], uname(b["done_by"])),
                         ("done", "7栋", full["team"], full["photo_note"], full["note"], "gw02"))
        listed = [x for x in self.tasks(B07, "done") if x["id"] == t["id"]]
        self.assertEqual([(x["place"], x["team"], x["photo_note"]) for x in listed],
                         [("7栋", full["team"], full["photo_note"])])
        self.assertTrue(str(b["done_at"]).startswith(TODAY), b)
        self.assertErr(H.as_user("gw02", "POST", path, full), 409, "task_done")
        # other tasks need no team; assign and note
        n = [t for t in self.answer["tasks"] if t["kind"] == "building_notice"][0]
        st, b = H.as_user("secretary", "POST", "/api/v1/tasks/%d" % n["id"], {"action": "assign", "owner": "cadre02"})
        self.assertEqual((st, uname(b.get("owner"))), (201, "cadre02"), b)
        st, b = H.as_user("cadre02", "POST", "/api/v1/tasks/%d" % n["id"], {"action": "note", "note": "已张贴通告"})
        self.assertEqual((st, b.get("state")), (201, "open"), b)
        st, b = H.as_user("cadre02", "POST", "/api/v1/tasks/%d" % n["id"], {"action": "done", "note": "逐户告知"})
        self.assertEqual((st, b.get("state")), (201, "done"), b)
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/tasks/99999999", {"action": "note", "note": "x"}),
                       404, None)

    def test_d_late_tasks_first(self):
        t = [t for t in self.answer["tasks"] if t["kind"] == "contacts_observation"][0]
        store_sql("UPDATE tasks SET due_at = due_at - 3 * 3600 WHERE id = %d" % t["id"])
        late = self.tasks(B07, "late")
        self.assertEqual([(x["id"], x["late"], x["state"]) for x in late], [(t["id"], True, "open")])
        opened = self.tasks(B07, "open")
        self.assertEqual(opened[0]["id"], t["id"])
        self.assertTrue(all(not x["late"] for x in opened[1:]), opened)
        st, b = H.as_user("command", "GET", "/api/v1/tasks?unit=%s&state=late" % H.COMMUNITY)
        self.assertIn(t["id"], [x["id"] for x in b["items"]])
        self.assertErr(H.as_user("secretary", "GET", "/api/v1/tasks?unit=%s&state=soon" % B07), 400, None, "state")

    def test_e_manual_level_is_never_lowered_by_a_case(self):
        path = "/api/v1/units/%s/lockdown" % B08
        self.assertErr(H.as_user("gw02", "POST", path, {"level": "unit"}), 400, "required", "reason")
        self.assertErr(H.as_user("gw02", "POST", path, {"level": "total", "reason": "x"}), 400, None, "level")
        self.assertErr(H.as_user("vol02", "POST", path, {"level": "unit", "reason": "x"}), 403, "forbidden")
        self.assertErr(H.as_user("gw01", "POST", path, {"level": "unit", "reason": "x"}), 404, None)
        self.assertErr(H.as_user("gw01", "GET", path), 404, None)
        st, b = H.as_user("command", "POST", path, {"level": "unit", "reason": "指挥部决定单元封控"})
        self.assertEqual(st, 201, b)
        set_status(self.y, "confirmed", "test_positive", user="gw02")
        st, u = H.as_user("gw02", "GET", "/api/v1/units/%s" % B08)
        self.assertEqual(level(u["lockdown"]), "unit", u)
        self.assertEqual(u["lockdown"]["reason"], "指挥部决定单元封控")
        # lowered by hand, with a reason
        st, b = H.as_user("secretary", "POST", path, {"level": "compound", "reason": "解除单元封控"})
        self.assertEqual(st, 201, b)
        st, l = H.as_user("gw02", "GET", path)
        self.assertEqual(level(l.get("lockdown", l)), "compound", l)

    def test_f_a_graver_member_keeps_it_and_a_place_given(self):
        """A second case in 7栋: its household member already suspected stays suspected, the
        other becomes close_contact; its disinfection is done with a place of its own."""
        hid, (w, graver, other) = new_household(B07, "103", 3)
        set_status(graver, "suspected", "symptoms", user="gw02")
        before = status(graver)
        st, b = post_status(w, "confirmed", "test_positive", user="gw02")
        self.assertEqual(st, 201, b)
        self.assertIn(other, b["household_observed"])
        self.maxDiff = None
        self.assertEqual(status(graver), before)
        s = status(other)
        self.assertEqual([(h["to"], h["source"]) for h in s["history"]], [("close_contact", "household:%d" % w)])
        self.assertEqual((s["isolation"]["kind"], iso_get(s["isolation"]["id"])["category"]), ("home", "close_contact"))
        self.assertEqual([h["to"] for h in status(w)["history"]], ["confirmed"])
        t = [t for t in b["tasks"] if t["kind"] == "disinfection"][0]
        body = {"action": "done", "place": "7栋3单元楼道、电梯", "team": "青山区疾控消杀一队",
                "photo_note": "电梯轿厢消杀后照片 2 张"}
        st, x = H.as_user("gw02", "POST", "/api/v1/tasks/%d" % t["id"], body)
        self.assertEqual(st, 201, x)
        self.assertEqual((x["state"], x["place"], x["team"], x["photo_note"]),
                         ("done", body["place"], body["team"], body["photo_note"]))


class Counts(EpiCase):
    """GET /categories: a building whose people are all the test's own (9栋 of grid 1),
    counted exactly; every level equals the sum over its children and a recount from the
    named lists (GET /categories/people, /isolations, /followups)."""

    @classmethod
    def setUpClass(cls):
        guard_slot_boundary()
        new_building(B09, H.G1, "9栋")
        cls.h1, (cls.a1, cls.a2, cls.a3) = new_household(B09, "101", 3)
        cls.h2, (cls.b1, cls.b2) = new_household(B09, "102", 2)
        cls.h3, (cls.c,) = new_household(B09, "201", 1)
        cls.h4, (cls.d,) = new_household(B09, "202", 1)
        cls.h5, (cls.e,) = new_household(B09, "301", 1)
        cls.h6, (cls.g,) = new_household(B09, "302", 1)
        st, cls.empty = H.as_user("secretary", "GET", "/api/v1/categories?unit=%s" % B09)

    def numbers(self, entry):
        n = {"counts." + c: entry["counts"][c] for c in CATS}
        for k in ("four_categories", "new_today", "released_today", "overdue_followups", "not_admitted"):
            n[k] = entry[k]
        for k in ("home", "centralised", "hospital"):
            n["isolated." + k] = entry["isolated"][k]
        return n

    def cats(self, unit, user="secretary"):
        st, b = H.as_user(user, "GET", "/api/v1/categories?unit=%s" % unit)
        self.assertEqual(st, 200, b)
        return b

    def expected(self, counts, released, not_admitted, isolated, overdue):
        e = {"counts." + c: counts.get(c, 0) for c in CATS}
        e["four_categories"] = sum(counts.get(c, 0) for c in FOUR)
        e["new_today"] = sum(v for c, v in counts.items() if c != "cleared")
        e["released_today"] = released
        e["overdue_followups"] = overdue
        e["not_admitted"] = not_admitted
        for k in ("home", "centralised", "hospital"):
            e["isolated." + k] = isolated.get(k, 0)
        return e

    def recount(self, unit):
        """The numbers of unit from the named lists."""
        people = {c: H.list_all("secretary", "/api/v1/categories/people?unit=%s&category=%s" % (unit, c))
                  for c in CATS}
        four = H.list_all("secretary", "/api/v1/categories/people?unit=%s&category=four" % unit)
        self.assertEqual(sorted(p["resident_id"] for p in four),
                         sorted(p["resident_id"] for c in FOUR for p in people[c]), unit)
        for c in CATS:
            self.assertTrue(all(p["category"] == c for p in people[c]), (unit, c))
        e = {"counts." + c: len(people[c]) for c in CATS}
        e["four_categories"] = len(four)
        e["new_today"] = sum(1 for c in CATS if c != "cleared" for p in people[c] if p["since"].startswith(TODAY))
        e["not_admitted"] = sum(1 for p in four if not p["isolation"] or p["isolation"]["kind"] == "home")
        active = H.list_all("secretary", "/api/v1/isolations?unit=%s&state=active" % unit)
        for k in ("home", "centralised", "hospital"):
            e["isolated." + k] = sum(1 for i in active if i["kind"] == k)
        released = H.list_all("secretary", "/api/v1/isolations?unit=%s&state=released" % unit)
        e["released_today"] = sum(1 for i in released if str(i["released_at"]).startswith(TODAY))
        e["overdue_followups"] = len(H.list_all("secretary", "/api/v1/followups?unit=%s&state=overdue" % unit))
        return e

    def check_tree(self):
        """Every level: total = sum over children = recount."""
        for unit in (H.COMMUNITY, H.G1, H.G2, B09):
            b = self.cats(unit)
            self.assertEqual((b["unit"], b["day"], b["total"]["unit"]), (unit, TODAY, unit))
            total = self.numbers(b["total"])
            if b["children"]:
                summed = collections.Counter()
                for ch in b["children"]:
                    summed.update(self.numbers(ch))
                self.assertEqual({k: summed.get(k, 0) for k in total}, total, unit)
            self.assertEqual(self.recount(unit), total, unit)
            self.assertEqual(total["four_categories"], sum(total["counts." + c] for c in FOUR))

    def test_counts_model_and_recount(self):
        self.assertEqual(self.numbers(self.empty["total"]), self.expected({}, 0, 0, {}, 0))
        S = set_status
        S(self.c, "fever_unexcluded", "symptoms")
        S(self.d, "close_contact", "contact_tracing")
        idd = start_iso(self.d, "home", start_day=day(3))
        # no slot is created overdue (docs 10.3); the slots of d's last three days are moved to
        # the three days already lived: six overdue follow-ups
        self.assertEqual(idd["followups"]["overdue"], 0)
        self.assertEqual(sum(move_slots(idd["id"], plus(TODAY, 8 + i), day(3 - i)) for i in range(3)), 6)
        S(self.e, "travel_observation", "travel_history")
        ie = start_iso(self.e, "home")
        self.assertEqual(move_slots(ie["id"], plus(TODAY, 13), day(1)), 2)
        recorded = 0
        for f in iso_get(ie["id"])["followups_list"]:
            if f["state"] == "overdue":
                st, b = H.as_user("gw01", "POST", "/api/v1/followups/%d" % f["id"], {"temperature": 36.5})
                self.assertEqual(st, 201, b)
                recorded += 1
        self.assertEqual(recorded, 2)  # overdue slots once recorded are no longer counted
        st, b = iso_act(ie["id"], {"action": "release", "note": "核实为误报"})
        self.assertEqual(st, 201, b)
        S(self.a1, "suspected", "symptoms")
        ia1 = start_iso(self.a1, "hospital", site="武汉市第七医院")
        self.assertEqual(len(ia1["household"]), 2)
        S(self.b1, "confirmed", "test_positive")
        self.assertEqual(category(self.b2), "close_contact")
        # c, b1 not isolated; d, a2, a3, b2 at home; a1 in hospital: six not admitted
        counts = {"confirmed": 1, "suspected": 1, "fever_unexcluded": 1, "close_contact": 4, "cleared": 1}
        want = self.expected(counts, 1, 6, {"home": 4, "hospital": 1}, 6)
        with self.subTest("9栋 after the first changes"):
            self.assertEqual(self.numbers(self.cats(B09)["total"]), want)
        child = [c for c in self.cats(H.G1)["children"] if c["unit"] == B09]
        self.assertEqual(len(child), 1)
        self.assertEqual(self.numbers(child[0]), self.numbers(self.cats(B09)["total"]))
        self.assertEqual((child[0]["kind"], child[0]["name"]), ("building", "9栋"))
        # admitted: the case to hospital, the fever to a centralised site, b2 moved there
        n0 = self.numbers(self.cats(B09)["total"])["not_admitted"]
        iso_b1 = status(self.b1)["isolation"]
        if iso_b1:  # (not expected: see the subtest above) move it to hospital instead
            st, b = iso_act(iso_b1["id"], {"action": "transfer", "kind": "hospital", "site": "金银潭医院"})
            self.assertEqual(st, 201, b)
        else:
            start_iso(self.b1, "hospital", site="金银潭医院")
        self.assertEqual(self.numbers(self.cats(B09)["total"])["not_admitted"], n0 - 1)
        start_iso(self.c, "centralised", site="青山区集中隔离点")
        self.assertEqual(self.numbers(self.cats(B09)["total"])["not_admitted"], n0 - 2)
        ib2 = status(self.b2)["isolation"]["id"]
        st, b = iso_act(ib2, {"action": "transfer", "kind": "centralised", "site": "青山区集中隔离点"})
        self.assertEqual(st, 201, b)
        self.assertEqual(self.numbers(self.cats(B09)["total"])["not_admitted"], n0 - 3)
        want = self.expected(counts, 1, 3, {"home": 3, "centralised": 2, "hospital": 2}, 6)
        with self.subTest("9栋 after admissions"):
            self.assertEqual(self.numbers(self.cats(B09)["total"]), want)
        want = self.numbers(self.cats(B09)["total"])
        # the command role sees the same counts, and no names
        st, cmd = H.as_user("command", "GET", "/api/v1/categories?unit=%s" % B09)
        self.assertEqual(st, 200, cmd)
        self.assertEqual(self.numbers(cmd["total"]), want)
        text = json.dumps(cmd, ensure_ascii=False)
        for rid in (self.a1, self.b1, self.c, self.d):
            self.assertNotIn(POP["res"][rid]["name"], text)
        # the default unit is the caller's own
        st, own = H.as_user("gw01", "GET", "/api/v1/categories")
        self.assertEqual((st, own.get("unit")), (200, H.G1), own)
        self.check_tree()

    def test_people_list_items(self):
        st, b = H.as_user("gw01", "GET", "/api/v1/categories/people?unit=%s&category=four&limit=500" % H.G1)
        self.assertEqual(st, 200, b)
        self.assertEqual(b["total"], len(b["items"]))
        for p in b["items"]:
            self.assertIn(p["category"], FOUR)
            self.assertTrue(p["unit_code"].startswith((H.B01, H.B02, B09)), p)
            for k in ("resident_id", "name", "since", "household_id", "room", "building", "isolation"):
                self.assertIn(k, p)
        self.assertErr(H.as_user("gw01", "GET", "/api/v1/categories/people?unit=%s&category=sick" % H.G1),
                       400, None, "category")
        self.assertErr(H.as_user("secretary", "GET", "/api/v1/categories?unit=NOPE"), 404, "unit_not_found")


class Export(EpiCase):
    """GET /exports/categories: named people need a purpose and the community role or above."""

    def test_export_needs_purpose_and_role(self):
        rid = person(H.G1)
        set_status(rid, "suspected", "symptoms")
        name = POP["res"][rid]["name"]
        base = "/api/v1/exports/categories?unit=%s&category=four" % H.COMMUNITY
        st, data = H.as_user("secretary", "GET", base + "&purpose=区疾控流调核对&format=csv")
        self.assertEqual(st, 200, data)
        self.assertTrue(H.last_headers["content-type"].startswith("text/csv"), H.last_headers)
        text = data.decode("utf-8-sig")
        self.assertIn(name, text)
        st, people = H.as_user("secretary", "GET",
                               "/api/v1/categories/people?unit=%s&category=four&limit=1" % H.COMMUNITY)
        lines = [l for l in text.splitlines() if l.strip()]
        self.assertEqual(len(lines), people["total"] + 1)
        st, data = H.as_user("admin", "GET", base + "&purpose=核对&format=xlsx")
        self.assertEqual((st, data[:2]), (200, b"PK"))
        st, data = H.as_user("command", "GET", base + "&purpose=指挥部汇总")
        self.assertEqual(st, 200, data)
        self.assertIsNone(H.ID_RE.search(data.decode("utf-8-sig")))  # masked for the command role
        self.assertErr(H.as_user("secretary", "GET", base), 400, "required", "purpose")
        self.assertErr(H.as_user("secretary", "GET", base + "&purpose="), 400, "required", "purpose")
        self.assertErr(H.as_user("secretary", "GET", base + "&purpose=" + "长" * 201), 400, "too_long", "purpose")
        self.assertErr(H.as_user("secretary", "GET", base + "&purpose=x&format=pdf"), 400, None, "format")
        for user in ("gw01", "leader01", "cadre01", "vol01", "checkpoint", "auditor"):
            self.assertErr(H.as_user(user, "GET", "/api/v1/exports/categories?unit=%s&category=four&purpose=x"
                                     % H.G1), 403, "forbidden")
        rows = [r for r in H.audit_rows(username="secretary")
                if r["action"] == "export" and "purpose:区疾控流调核对" in (r["fields"] or "")]
        self.assertEqual(len(rows), 1, H.audit_rows(limit=20, username="secretary"))
        self.assertEqual((rows[0]["entity"], rows[0]["outcome"]), ("categories", "ok"))
        self.assertIsNone(H.PHONE_RE.search(rows[0]["fields"]))
        self.assertNotIn(name, rows[0]["fields"])


# ---- roles, scope, audit ----

def routes():
    """method, path (grid-1 records), body or raw CSV, roles allowed."""
    f = fixtures()[H.G1]
    rid, iso, fu, lst, con, task = f["rid"], f["iso"], f["followup"], f["list"], f["contact"], f["task"]
    probe = {"__probe__": 1}
    csv = ("name\n", "text/csv")
    return [
        ("POST", "/api/v1/residents/%d/status" % rid, probe, EPI),
        ("GET", "/api/v1/residents/%d/status" % rid, None, EPI),
        ("GET", "/api/v1/categories?unit=%s" % H.G1, None, ROLLCALL),
        ("GET", "/api/v1/categories/people?unit=%s&category=four" % H.G1, None, EPI),
        ("GET", "/api/v1/exports/categories?unit=%s&category=four" % H.G1, None, EXPORTERS),
        ("POST", "/api/v1/isolations", probe, EPI),
        ("GET", "/api/v1/isolations?unit=%s" % H.G1, None, EPI),
        ("GET", "/api/v1/isolations/%d" % iso, None, EPI),
        ("POST", "/api/v1/isolations/%d" % iso, probe, EPI),
        ("GET", "/api/v1/followups?unit=%s" % H.G1, None, EPI),
        ("POST", "/api/v1/followups/%d" % fu, probe, EPI),
        ("POST", "/api/v1/lists?unit=%s" % H.G1, csv, EPI),
        ("GET", "/api/v1/lists?unit=%s" % H.G1, None, EPI),
        ("GET", "/api/v1/lists/%d" % lst, None, EPI),
        ("GET", "/api/v1/lists/%d/rows" % lst, None, EPI),
        ("POST", "/api/v1/lists/%d/rows/1" % lst, probe, EPI),
        ("POST", "/api/v1/residents/%d/contacts" % rid, probe, EPI),
        ("GET", "/api/v1/residents/%d/contacts" % rid, None, EPI),
        ("POST", "/api/v1/contacts/%d" % con, probe, EPI),
        ("GET", "/api/v1/residents/%d/chain" % rid, None, EPI),
        ("GET", "/api/v1/tasks?unit=%s" % H.G1, None, ROLLCALL),
        ("POST", "/api/v1/tasks/%d" % task, probe, EPI),
        ("GET", "/api/v1/units/%s/lockdown" % f["building"], None, PEOPLE),
        ("POST", "/api/v1/units/%s/lockdown" % f["building"], probe, EPI | {"command"}),
    ]


def send(user, method, path, body):
    if isinstance(body, tuple):
        return H.call(method, path, raw=body[0], ctype=body[1], token=H.login(user))
    return H.call(method, path, body, token=H.login(user))


class Roles(EpiCase):
    """Every new route and every role: 403 forbidden exactly for the roles outside its set."""

    def test_every_route_every_role(self):
        failures = []
        for method, path, body, allowed in routes():
            for role, user in ROLE_USER.items():
                st, b = send(user, method, path, body)
                if st >= 500:
                    failures.append(("5xx", role, method, path, st, b))
                elif role in allowed and st == 403:
                    failures.append(("allowed but 403", role, method, path, b))
                elif role not in allowed and (st, H.err(b)[0]) != (403, "forbidden"):
                    failures.append(("should be 403", role, method, path, st, b))
                elif role in allowed and method == "GET" and st != 200 and "exports" not in path:
                    failures.append(("GET should be 200", role, method, path, st, b))
        self.assertEqual(failures, [])

    def test_denied_is_audited(self):
        f = fixtures()[H.G1]
        H.as_user("vol01", "GET", "/api/v1/residents/%d/status" % f["rid"])
        rows = [r for r in H.audit_rows(username="vol01") if r["action"] == "access"]
        self.assertTrue(rows)
        self.assertEqual((rows[0]["fields"], rows[0]["outcome"]), ("/api/v1/residents/{id}/status", "denied"))


class Scope(EpiCase):
    """gw01 (grid 1) gets 404 for grid 2's records on every new route, and its lists never
    hold a grid-2 record."""

    def test_grid2_records_are_404(self):
        f2 = fixtures()[H.G2]
        rid, iso, fu, lst, con, task = f2["rid"], f2["iso"], f2["followup"], f2["list"], f2["contact"], f2["task"]
        g1 = fixtures()[H.G1]
        cases = [
            ("POST", "/api/v1/residents/%d/status" % rid, {"category": "cleared", "reason": "correction", "note": "x"}),
            ("GET", "/api/v1/residents/%d/status" % rid, None),
            ("GET", "/api/v1/categories?unit=%s" % H.G2, None),
            ("GET", "/api/v1/categories?unit=%s" % H.COMMUNITY, None),
            ("GET", "/api/v1/categories/people?unit=%s&category=four" % H.G2, None),
            ("POST", "/api/v1/isolations", {"resident_id": rid, "kind": "home"}),
            ("GET", "/api/v1/isolations?unit=%s" % H.G2, None),
            ("GET", "/api/v1/isolations/%d" % iso, None),
            ("POST", "/api/v1/isolations/%d" % iso, {"action": "notice", "note": "x"}),
            ("GET", "/api/v1/followups?unit=%s" % H.G2, None),
            ("POST", "/api/v1/followups/%d" % fu, {"temperature": 36.5}),
            ("POST", "/api/v1/lists?unit=%s&source=x" % H.G2, ("姓名\n某人\n", "text/csv")),
            ("GET", "/api/v1/lists?unit=%s" % H.G2, None),
            ("GET", "/api/v1/lists/%d" % lst, None),
            ("GET", "/api/v1/lists/%d/rows" % lst, None),
            ("POST", "/api/v1/lists/%d/rows/1" % lst, {"action": "reject", "note": "x"}),
            ("POST", "/api/v1/residents/%d/contacts" % rid, {"name": "某人", "day": TODAY, "kind": "meal"}),
            ("GET", "/api/v1/residents/%d/contacts" % rid, None),
            ("POST", "/api/v1/contacts/%d" % con, {"resident_id": g1["rid"]}),
            ("GET", "/api/v1/residents/%d/chain" % rid, None),
            ("GET", "/api/v1/tasks?unit=%s" % H.G2, None),
            ("POST", "/api/v1/tasks/%d" % task, {"action": "note", "note": "x"}),
            ("GET", "/api/v1/units/%s/lockdown" % f2["building"], None),
            ("POST", "/api/v1/units/%s/lockdown" % f2["building"], {"level": "unit", "reason": "x"}),
        ]
        fu_before = [x for x in iso_get(iso)["followups_list"] if x["id"] == fu]
        failures = []
        for method, path, body in cases:
            for user in ("gw01", "leader01", "cadre01"):
                st, b = send(user, method, path, body)
                if st != 404:
                    failures.append((user, method, path, st, b))
        self.assertEqual(failures, [])
        # nothing changed
        s = status(rid)
        self.assertEqual(s["category"], "confirmed")
        st, t = H.as_user("secretary", "GET", "/api/v1/tasks?unit=%s&state=all&limit=500" % f2["building"])
        self.assertTrue(all(x["note"] is None for x in t["items"] if x["id"] == task), t)
        st, fl = H.as_user("secretary", "GET", "/api/v1/isolations/%d" % iso)
        self.assertEqual([x for x in fl["followups_list"] if x["id"] == fu], fu_before)
        # indistinguishable from records that do not exist
        self.assertEqual(H.as_user("gw01", "GET", "/api/v1/residents/%d/status" % rid)[1],
                         H.as_user("gw01", "GET", "/api/v1/residents/99999999/status")[1])
        self.assertEqual(H.as_user("gw01", "GET", "/api/v1/isolations/%d" % iso)[1],
                         H.as_user("gw01", "GET", "/api/v1/isolations/99999999")[1])

    def test_lists_hold_only_the_own_grid(self):
        fixtures()
        for path in ("/api/v1/categories/people?category=four", "/api/v1/isolations?state=active",
                     "/api/v1/followups?state=all", "/api/v1/tasks?state=all"):
            items = H.list_all("gw01", path)
            self.assertTrue(items, path)
            bad = [x for x in items if not x["unit_code"].startswith((H.B01, H.B02, B09))]
            self.assertEqual(bad, [], path)
        st, b = H.as_user("gw01", "GET", "/api/v1/categories")
        self.assertEqual([c["unit"] for c in b["children"] if c["unit"].startswith(H.B03)], [])


class Audit(EpiCase):
    """Each new route writes its audit row; the fields never hold personal values."""

    def test_every_route_writes_a_row_without_values(self):
        H.add_user("epiaudit", "cadre", H.G1)
        u = "epiaudit"
        rid = person(H.G1)
        r = POP["res"][rid]
        task = fixtures()[H.G1]["task"]
        secret_note = "审计测试备注甲乙"

        def count():
            st, b = H.as_user("auditor", "GET", "/api/v1/audit?username=%s&limit=1" % u)
            self.assertEqual(st, 200, b)
            return b["total"]

        def newest(n):
            return H.audit_rows(limit=n, username=u)

        steps = []  # (what, (action, entity) expected or None)

        def do(what, method, path, body=None, want=None, raw=None):
            before = count()
            if raw is not None:
                st, b = H.as_user(u, method, path, raw=raw, ctype="text/csv")
            else:
                st, b = H.as_user(u, method, path, body)
            self.assertLess(st, 300, (what, st, b))
            after = count()
            self.assertGreaterEqual(after - before, 1, what)
            rows = newest(after - before)
            if want:
                self.assertIn(want, [(x["action"], x["entity"]) for x in rows], (what, rows))
            self.assertTrue(all(x["outcome"] == "ok" for x in rows), (what, rows))
            steps.append(what)
            return b

        do("status", "POST", "/api/v1/residents/%d/status" % rid,
           {"category": "close_contact", "reason": "other", "note": secret_note})
        do("read status", "GET", "/api/v1/residents/%d/status" % rid, want=("read", "status"))
        do("categories", "GET", "/api/v1/categories?unit=%s" % H.G1, want=("read", "categories"))
        do("people", "GET", "/api/v1/categories/people?unit=%s&category=four" % H.G1)
        iso = do("isolation", "POST", "/api/v1/isolations",
                 {"resident_id": rid, "kind": "home", "start_day": day(1), "note": secret_note})
        do("isolations", "GET", "/api/v1/isolations?unit=%s" % H.G1, want=("read", "isolation"))
        full = do("isolation", "GET", "/api/v1/isolations/%d" % iso["id"], want=("read", "isolation"))
        do("notice", "POST", "/api/v1/isolations/%d" % iso["id"], {"action": "notice", "note": secret_note})
        do("followups", "GET", "/api/v1/followups?unit=%s" % H.G1, want=("read", "followup"))
        first = full["followups_list"][0]
        if first["day"] > TODAY:  # recorded after 18:00: the first slot is tomorrow's, bring it to today
            self.assertEqual(move_slots(iso["id"], first["day"], TODAY, slot=first["slot"]), 1)
        do("followup", "POST", "/api/v1/followups/%d" % first["id"],
           {"temperature": 38.2, "symptoms": ["cough"], "needs": secret_note})
        lst = do("list", "POST", "/api/v1/lists?unit=%s&source=审计" % H.G1,
                 raw=csv_text([(r["name"], "", r["phone"], "", "", ""),
                               (fresh_name(), fresh_id("110101"), fresh_phone(), "", "", "")]).encode("utf-8"))
        do("lists", "GET", "/api/v1/lists?unit=%s" % H.G1, want=("read", "list"))
        do("a list", "GET", "/api/v1/lists/%d" % lst["id"], want=("read", "list"))
        do("rows", "GET", "/api/v1/lists/%d/rows" % lst["id"], want=("read", "list"))
        do("resolve", "POST", "/api/v1/lists/%d/rows/2" % lst["id"], {"action": "reject", "note": secret_note})
        c = do("contact", "POST", "/api/v1/residents/%d/contacts" % rid,
               {"name": "审计接触者", "phone": "13911112222", "day": TODAY, "kind": "meal", "note": secret_note})
        do("contacts", "GET", "/api/v1/residents/%d/contacts" % rid)
        do("link", "POST", "/api/v1/contacts/%d" % c["id"], {"resident_id": person(H.G1)})
        do("chain", "GET", "/api/v1/residents/%d/chain" % rid, want=("read", "chain"))
        do("tasks", "GET", "/api/v1/tasks?unit=%s" % H.G1, want=("read", "task"))
        do("task", "POST", "/api/v1/tasks/%d" % task, {"action": "note", "note": secret_note})
        building = building_of(r["household_id"])
        H.as_user(u, "GET", "/api/v1/units/%s/lockdown" % building)  # unit data: a row is not required
        do("lockdown", "POST", "/api/v1/units/%s/lockdown" % building, {"level": "unit", "reason": secret_note})
        # no values: ID numbers, phones, names, notes, temperatures
        rows = H.list_all("auditor", "/api/v1/audit?username=%s" % u)
        self.assertGreaterEqual(len(rows), len(steps))
        for x in rows:
            text = " ".join(str(v) for k, v in x.items() if k not in ("id", "at", "entity_id"))
            self.assertIsNone(H.ID_RE.search(text), x)
            self.assertIsNone(H.PHONE_RE.search(text), x)
            self.assertNotIn(r["name"], text, x)
            self.assertNotIn("审计接触者", text, x)
            self.assertNotIn(secret_note, text, x)
            self.assertNotRegex(x["fields"] or "", r"3[4-9]\.\d", x)
            self.assertEqual((x["role"], x["source"]), ("cadre", "127.0.0.1"), x)


if __name__ == "__main__":
    unittest.main()
