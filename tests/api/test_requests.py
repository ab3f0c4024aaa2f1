"""Help requests, the hotline, leads and notices through the API (docs/api.md section 13,
issue 18): routing to the responsible grid worker, the steps and their rules, the time
limit and its escalation, merging, the household's own rating, the hotline's call count,
leads matched and confirmed (observation starts), notices and their receipts per unit,
scope on every new route, and bad input answered with the field.

One server for the module (the qinghe demo, 600 households, seed 7; grid G01 holds
buildings B01 and B02 with gw01 and leader01, G02 holds B03 with gw02).  The server's
clock is not injectable from outside; a request's time limit is its stored due time, so
the tests move created_at/due_at in the store behind the server's back (as test_gates
does) to stand on either side of the limit."""
import os
import random
import sqlite3
import subprocess
import time
import unittest

import harness as H

POP = {}
USED = set()
SEQ = {"client": 0}
LIMITS = {  # the built-in limits in minutes (urgent, normal); src/domain/help.c
    "medical": (30, 240), "medicine": (120, 720), "supplies": (240, 1440), "repairs": (240, 1440),
    "counselling": (120, 1440), "transport": (30, 240), "other": (240, 1440),
}


def setUpModule():
    H.start(setup=_load)


def tearDownModule():
    H.stop()


def _load():
    households = H.list_all("secretary", "/api/v1/households?unit=%s" % H.COMMUNITY)
    POP["hh"] = {h["id"]: h for h in households}
    residents = H.list_all("secretary", "/api/v1/residents?unit=%s" % H.COMMUNITY)
    POP["members"] = {}
    for r in sorted(residents, key=lambda r: r["id"]):
        if r["residence"] in ("living", "temporary"):
            POP["members"].setdefault(r["household_id"], []).append(r["id"])
    # households the demo's own requests touch are left alone
    st, b = H.as_user("secretary", "GET", "/api/v1/requests?limit=500")
    assert st == 200, b
    USED.update(r["household_id"] for r in b["items"])
    # the demo's day as it was built (before any test adds to it)
    st, c = H.as_user("secretary", "GET", "/api/v1/help/counts")
    assert st == 200, c
    POP["counts0"] = c
    day = c["day"]
    import datetime
    prev = (datetime.date.fromisoformat(day) - datetime.timedelta(days=1)).isoformat()
    POP["calls0"] = sum(H.as_user("secretary", "GET", "/api/v1/calls?day=%s" % d)[1]["total"] for d in (day, prev))
    POP["overdue0"] = H.as_user("secretary", "GET", "/api/v1/requests?overdue=1&limit=1")[1]["total"]
    POP["notices0"] = H.as_user("secretary", "GET", "/api/v1/notices")[1]["items"]
    POP["leads0"] = H.list_all("secretary", "/api/v1/leads")


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


def take(building=None):
    for hid in sorted(POP["hh"]):
        h = POP["hh"][hid]
        if hid in USED or not POP["members"].get(hid):
            continue
        if building and not h["unit_code"].startswith(building):
            continue
        USED.add(hid)
        return hid
    raise AssertionError("no household left in %s" % building)


def grid_worker(hid):
    code = POP["hh"][hid]["unit_code"]
    return "gw02" if code.startswith(H.B03) else "gw01"


def cid():
    SEQ["client"] += 1
    return "req-test-%d-%d" % (os.getpid(), SEQ["client"])


def new_request(hid, user="secretary", expect=201, **kw):
    body = {"household_id": hid, "category": "supplies", "urgency": "normal", "text": "家里没有米了",
            "channel": "hotline", "client_id": cid()}
    body.update(kw)
    st, b = H.as_user(user, "POST", "/api/v1/requests", body)
    if st != expect:
        raise AssertionError("POST /requests %s: expected %s, got %s %s" % (body, expect, st, b))
    return b


def step(rid, state, user="gw01", expect=200, **kw):
    body = {"state": state}
    body.update(kw)
    st, b = H.as_user(user, "POST", "/api/v1/requests/%d/steps" % rid, body)
    if st != expect:
        raise AssertionError("step %s on %d as %s: expected %s, got %s %s" % (state, rid, user, expect, st, b))
    return b


def issue(hid, user="secretary"):
    st, b = H.as_user(user, "POST", "/api/v1/households/%d/link" % hid, {})
    assert st == 201, b
    return b["token"]


def as_household(token, method, path, body=None):
    return H.call(method, path, body, headers={"X-Household-Token": token})


def set_times(rid, created_ago, due_in):
    now = int(time.time())
    store_sql("UPDATE help_requests SET created_at = %d, due_at = %d WHERE id = %d" %
              (now - created_ago, now + due_in, rid))


class Routing(unittest.TestCase):
    def test_200_generated_requests_each_reach_the_right_worker(self):
        rnd = random.Random(18)
        pool = [h for h in sorted(POP["hh"]) if h not in USED and POP["members"].get(h)]
        picks = rnd.sample(pool, 200)
        cats = sorted(LIMITS)
        seen = {"gw01": 0, "gw02": 0}
        for i, hid in enumerate(picks):
            cat, urg = rnd.choice(cats), rnd.choice(["urgent", "normal"])
            ch = rnd.choice(["hotline", "visit"])
            user = {"hotline": "secretary", "visit": grid_worker(hid)}[ch]
            b = new_request(hid, user=user, category=cat, urgency=urg, channel=ch, text="生成的求助 %d" % i)
            want = grid_worker(hid)
            self.assertEqual(b["worker"]["username"], want, (hid, POP["hh"][hid]["unit_code"]))
            self.assertEqual(b["state"], "new")
            self.assertFalse(b["overdue"])
            minutes = LIMITS[cat][0 if urg == "urgent" else 1]
            self.assertIn(b["minutes_left"], (minutes - 1, minutes), (cat, urg))
            self.assertEqual(b["steps"][0]["state"], "new")
            seen[want] += 1
        self.assertGreater(seen["gw01"], 0)
        self.assertGreater(seen["gw02"], 0)
        # each worker finds exactly theirs with mine=1
        for w in ("gw01", "gw02"):
            items = H.list_all(w, "/api/v1/requests?mine=1&state=new")
            mine = {r["household_id"] for r in items}
            for hid in picks:
                self.assertEqual(hid in mine, grid_worker(hid) == w, hid)
        USED.update(picks)

    def test_client_id_is_idempotent(self):
        hid = take(H.B01)
        c = cid()
        a = new_request(hid, client_id=c)
        st, b = H.as_user("secretary", "POST", "/api/v1/requests",
                          {"household_id": hid, "category": "supplies", "text": "again", "channel": "hotline",
                           "client_id": c})
        self.assertEqual(st, 200, b)
        self.assertEqual(b["id"], a["id"])
        self.assertTrue(b["duplicate"])
        other = take(H.B01)
        st, b = H.as_user("secretary", "POST", "/api/v1/requests",
                          {"household_id": other, "category": "supplies", "text": "x", "channel": "hotline",
                           "client_id": c})
        self.assertEqual((st, H.err(b)), (409, ("client_id_reused", "client_id")))


class Steps(unittest.TestCase):
    def test_states_in_order_with_who_and_when(self):
        hid = take(H.B01)
        r = new_request(hid)
        step(r["id"], "done", expect=409)  # not before it is accepted
        b = step(r["id"], "accepted")
        self.assertIsNotNone(b["accepted_at"])
        step(r["id"], "accepted", expect=409)
        step(r["id"], "in_progress", note="已联系超市")
        b = step(r["id"], "done", note="米已送到")
        self.assertEqual(b["state"], "done")
        self.assertIsNotNone(b["closed_at"])
        self.assertEqual([s["state"] for s in b["steps"]], ["new", "accepted", "in_progress", "done"])
        self.assertEqual(b["steps"][-1]["by"], "gw01")
        self.assertEqual(b["steps"][-1]["note"], "米已送到")
        step(r["id"], "in_progress", expect=409)
        # a stale phone (a colleague closed it): the refusal names the states as the app does
        st, b = H.as_user("gw01", "POST", "/api/v1/requests/%d/steps" % r["id"], {"state": "accepted"})
        self.assertEqual((st, H.err(b)), (409, ("invalid_transition", "state")))
        zh = b["error"]["message"].split(" / ")[0]
        self.assertIn("已办结", zh)
        self.assertIn("已接单", zh)
        self.assertNotRegex(zh, "[a-z]")

    def test_referral_names_where_it_went(self):
        r = new_request(take(H.B02), category="counselling")
        st, b = H.as_user("gw01", "POST", "/api/v1/requests/%d/steps" % r["id"], {"state": "referred"})
        self.assertEqual((st, H.err(b)), (400, ("required", "referred_to")))
        b = step(r["id"], "referred", referred_to="街道心理咨询热线", note="已转交")
        self.assertEqual(b["state"], "referred")
        self.assertEqual(b["steps"][-1]["referred_to"], "街道心理咨询热线")

    def test_merge_keeps_both_histories(self):
        hid = take(H.B01)
        a = new_request(hid, category="medicine", text="降压药快吃完了")
        b = new_request(hid, category="medicine", text="妈妈的降压药", channel="visit", user="gw01")
        step(a["id"], "accepted", note="先接单")
        st, m = H.as_user("gw01", "POST", "/api/v1/requests/%d/merge" % b["id"], {"into": a["id"], "note": "重复"})
        self.assertEqual(st, 200, m)
        self.assertEqual(m["id"], a["id"])
        self.assertEqual([s["state"] for s in m["steps"]], ["new", "accepted", "merged_from"])
        self.assertEqual(len(m["merged"]), 1)
        self.assertEqual(m["merged"][0]["id"], b["id"])
        self.assertEqual(m["merged"][0]["state"], "merged")
        self.assertEqual([s["state"] for s in m["merged"][0]["steps"]], ["new", "merged"])
        self.assertEqual(m["merged"][0]["text"], "妈妈的降压药")
        st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % b["id"])
        self.assertEqual((st, g["merged_into"]), (200, a["id"]))
        # a merged request takes no more steps, and another household's does not merge
        step(b["id"], "accepted", expect=409)
        other = new_request(take(H.B01))
        st, e = H.as_user("gw01", "POST", "/api/v1/requests/%d/merge" % other["id"], {"into": a["id"]})
        self.assertEqual((st, H.err(e)), (400, ("other_household", "into")))


class Escalation(unittest.TestCase):
    def test_overdue_at_the_limit_and_not_before(self):
        hid = take(H.B01)
        r = new_request(hid, category="medical", urgency="urgent", text="孩子高烧需要看医生")
        self.assertIn(r["minutes_left"], (29, 30))
        # one minute before the limit: not overdue, not escalated, not in the overdue list
        set_times(r["id"], 29 * 60, 60)
        st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
        self.assertFalse(g["overdue"])
        self.assertIsNone(g["escalated_to"])
        ids = {x["id"] for x in H.list_all("leader01", "/api/v1/requests?overdue=1")}
        self.assertNotIn(r["id"], ids)
        # at the limit: overdue, one level up (the grid's leader)
        set_times(r["id"], 30 * 60, 0)
        st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
        self.assertTrue(g["overdue"])
        self.assertEqual(g["escalated_to"]["username"], "leader01")
        self.assertEqual(g["escalated_to"]["role"], "grid_leader")
        ids = {x["id"] for x in H.list_all("leader01", "/api/v1/requests?overdue=1")}
        self.assertIn(r["id"], ids)
        # taken in hand it stays overdue until done; done, it is not
        step(r["id"], "accepted")
        st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
        self.assertTrue(g["overdue"])
        step(r["id"], "done")
        st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
        self.assertFalse(g["overdue"])

    def test_the_open_list_puts_the_most_pressing_first(self):
        # three open requests of one household: one made first but due last, one overdue,
        # one due soon — the worker's open list reads them overdue, then soonest due
        hid = take(H.B01)
        later = new_request(hid, text="下周要买药")
        late = new_request(hid, category="medical", urgency="urgent", text="孩子高烧需要看医生")
        soon = new_request(hid, text="家里没有米了")
        set_times(later["id"], 60, 6 * 3600)
        set_times(late["id"], 3600, -1800)
        set_times(soon["id"], 600, 600)
        st, b = H.as_user("gw01", "GET", "/api/v1/requests?household=%d&state=open" % hid)
        self.assertEqual(st, 200, b)
        self.assertEqual([x["id"] for x in b["items"]], [late["id"], soon["id"], later["id"]])
        # a page of one holds the longest overdue, not the newest
        st, b = H.as_user("gw01", "GET", "/api/v1/requests?state=open&limit=1")
        self.assertTrue(b["items"][0]["overdue"], b)
        # without a state: newest first, as before
        st, b = H.as_user("gw01", "GET", "/api/v1/requests?household=%d" % hid)
        self.assertEqual([x["id"] for x in b["items"]], [soon["id"], late["id"], later["id"]])

    def test_a_grid_without_a_leader_escalates_to_the_community(self):
        r = new_request(take(H.B03), category="transport", urgency="urgent")
        self.assertEqual(r["worker"]["username"], "gw02")
        set_times(r["id"], 31 * 60, -60)
        st, g = H.as_user("gw02", "GET", "/api/v1/requests/%d" % r["id"])
        self.assertTrue(g["overdue"])
        self.assertEqual(g["escalated_to"]["role"], "community")

    def test_the_limit_is_a_setting(self):
        r = H.run_cli("config", "--db", H.db_path(), "set", "help_minutes.repairs.urgent", "7")
        self.assertEqual(r.returncode, 0, r.stderr)
        try:
            r = new_request(take(H.B02), category="repairs", urgency="urgent")
            self.assertIn(r["minutes_left"], (6, 7))
        finally:
            store_sql("DELETE FROM settings WHERE key = 'help_minutes.repairs.urgent'")
        r = H.run_cli("config", "--db", H.db_path(), "set", "help_minutes.food.urgent", "7")
        self.assertEqual(r.returncode, 2)


class Link(unittest.TestCase):
    def test_ask_see_and_rate_only_from_the_households_own_link(self):
        mine, other = take(H.B01), take(H.B01)
        tm, to = issue(mine), issue(other)
        st, r = as_household(tm, "POST", "/api/v1/household-link/requests",
                             {"category": "repairs", "urgency": "normal", "text": "下水道堵了"})
        self.assertEqual(st, 201, r)
        self.assertEqual(r["state"], "new")
        self.assertNotIn("by", r["steps"][0])
        # the worker sees it with the link as its channel
        st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
        self.assertEqual((st, g["channel"], g["household_id"]), (200, "link", mine))
        # not rated before it is done
        st, b = as_household(tm, "POST", "/api/v1/household-link/requests/%d/rating" % r["id"], {"rating": 5})
        self.assertEqual((st, H.err(b)[0]), (409, "not_closed"))
        step(r["id"], "accepted")
        step(r["id"], "done", note="已疏通")
        # another household's link does not see it, nor rate it
        st, b = as_household(to, "POST", "/api/v1/household-link/requests/%d/rating" % r["id"], {"rating": 1})
        self.assertEqual(st, 404, b)
        st, b = as_household(to, "GET", "/api/v1/household-link/requests")
        self.assertNotIn(r["id"], [x["id"] for x in b["items"]])
        # a session cannot use the link's route
        st, b = H.call("POST", "/api/v1/household-link/requests/%d/rating" % r["id"], {"rating": 1},
                       token=H.login("gw01"))
        self.assertIn(st, (401, 404))
        st, b = as_household(tm, "POST", "/api/v1/household-link/requests/%d/rating" % r["id"],
                             {"rating": 5, "note": "很及时"})
        self.assertEqual(st, 200, b)
        self.assertEqual(b["rating"], 5)
        self.assertFalse(b["can_rate"])
        st, b = as_household(tm, "POST", "/api/v1/household-link/requests/%d/rating" % r["id"], {"rating": 4})
        self.assertEqual((st, H.err(b)[0]), (409, "already_rated"))
        st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
        self.assertEqual((g["rating"], g["rating_note"]), (5, "很及时"))
        st, b = as_household(tm, "POST", "/api/v1/household-link/requests/%d/rating" % r["id"], {"rating": 9})
        self.assertEqual((st, H.err(b)), (400, ("invalid_range", "rating")) if H.err(b)[0] == "invalid_range"
                         else (400, (H.err(b)[0], "rating")))

    def test_not_resolved_goes_back_to_work(self):
        hid = take(H.B02)
        tok = issue(hid)
        st, r = as_household(tok, "POST", "/api/v1/household-link/requests", {"category": "medicine", "text": "要买药"})
        self.assertEqual(st, 201, r)
        step(r["id"], "accepted")
        step(r["id"], "done")
        st, b = as_household(tok, "POST", "/api/v1/household-link/requests/%d/rating" % r["id"],
                             {"rating": 2, "resolved": False, "note": "药不对"})
        self.assertEqual((st, b["state"]), (200, "in_progress"))


class Hotline(unittest.TestCase):
    def test_the_days_call_count_is_true(self):
        st, before = H.as_user("secretary", "GET", "/api/v1/calls")
        self.assertEqual(st, 200, before)
        new_request(take(H.B01), channel="hotline")
        new_request(take(H.B01), channel="visit", user="gw01")  # a visit is not a call
        st, b = H.as_user("secretary", "POST", "/api/v1/calls", {"kind": "question", "note": "问核酸时间"})
        self.assertEqual(st, 201, b)
        st, b = H.as_user("secretary", "POST", "/api/v1/leads",
                          {"unit": H.B02, "described": "5楼一个年轻人", "text": "说刚从外地回来", "source": "hotline"})
        self.assertEqual(st, 201, b)
        st, after = H.as_user("secretary", "GET", "/api/v1/calls")
        self.assertEqual(after["total"], before["total"] + 3)
        for k in ("request", "question", "lead"):
            self.assertEqual(after["by_kind"].get(k, 0), before["by_kind"].get(k, 0) + 1, k)

    def test_a_call_or_lead_sent_twice_is_logged_once(self):
        st, before = H.as_user("secretary", "GET", "/api/v1/calls")
        c = cid()
        for _ in range(2):
            st, b = H.as_user("secretary", "POST", "/api/v1/calls", {"kind": "question", "client_id": c})
            self.assertEqual(st, 201, b)
        c2 = cid()
        ids = set()
        for _ in range(2):
            st, b = H.as_user("secretary", "POST", "/api/v1/leads",
                              {"unit": H.B01, "text": "有人发烧", "source": "hotline", "client_id": c2})
            self.assertEqual(st, 201, b)
            ids.add(b["id"])
        self.assertEqual(len(ids), 1)
        st, after = H.as_user("secretary", "GET", "/api/v1/calls")
        self.assertEqual(after["total"], before["total"] + 2)

    def test_phone_search_reuses_the_residents_search_rules(self):
        # the hotline screen finds the caller through POST /residents/search: the
        # secretary (community role) sees phones whole and may search a whole number; a
        # volunteer sees them masked, so a whole number is refused and the last four work
        st, r = H.as_user("secretary", "GET", "/api/v1/residents?unit=%s&limit=50" % H.B01)
        res = next(x for x in r["items"] if x.get("phone"))
        phone = res["phone"]
        self.assertNotIn("*", phone)
        st, b = H.as_user("secretary", "POST", "/api/v1/residents/search", {"q": phone})
        self.assertEqual((st, b["matched_by"]), (200, "number"))
        self.assertIn(res["household_id"], [x["household_id"] for x in b["items"]])
        st, b = H.as_user("vol01", "POST", "/api/v1/residents/search", {"q": phone})
        self.assertEqual(st, 403, b)
        st, b = H.as_user("vol01", "POST", "/api/v1/residents/search", {"q": phone[-4:]})
        self.assertEqual((st, b["matched_by"]), (200, "tail"))
        self.assertIn("*", b["items"][0]["phone"])


class Demo(unittest.TestCase):
    def test_the_demo_day_and_its_counts(self):
        # the secretary's 50 calls (over today, and yesterday when built early in the day)
        self.assertEqual(POP["calls0"], 50)
        c = POP["counts0"]
        r = c["requests"]
        self.assertEqual(sum(r["by_state"].values()), r["total"])
        self.assertEqual(sum(sum(x.values()) for x in r["by_category"].values()), r["total"])
        self.assertEqual(r["overdue_open"], POP["overdue0"])
        self.assertGreaterEqual(r["overdue_open"], 1, "a few requests are overdue")
        # two notices with partial reach
        demo = [n for n in POP["notices0"] if n["title"] in ("全员核酸检测通知", "3栋临时停水通知")]
        self.assertEqual(len(demo), 2)
        for n in demo:
            self.assertGreater(n["reached"], 0)
            self.assertLess(n["reached"], n["total"])
        self.assertEqual({n["id"] for n in c["notices"]} >= {n["id"] for n in demo}, True)
        # leads: some rejected, some still open
        leads = POP["leads0"]
        states = {l["state"] for l in leads}
        self.assertTrue({"open", "rejected"} <= states, states)
        self.assertEqual(c["leads"]["unresolved"], len([l for l in leads if l["open"]]))


class Leads(unittest.TestCase):
    def test_matched_and_confirmed_starts_observation(self):
        hid = take(H.B01)
        rid = POP["members"][hid][0]
        st, l = H.as_user("secretary", "POST", "/api/v1/leads",
                          {"household_id": hid, "text": "邻居说这家有人从外地回来", "source": "hotline"})
        self.assertEqual((st, l["state"], l["open"]), (201, "open", True))
        ids = {x["id"] for x in H.list_all("gw01", "/api/v1/leads?state=unresolved")}
        self.assertIn(l["id"], ids)
        st, m = H.as_user("gw01", "POST", "/api/v1/leads/%d" % l["id"], {"action": "match", "resident_id": rid})
        self.assertEqual((st, m["state"], m["open"]), (200, "matched", True))
        st, c = H.as_user("gw01", "POST", "/api/v1/leads/%d" % l["id"], {"action": "confirm"})
        self.assertEqual((st, H.err(c)), (400, ("required", "category")))
        st, c = H.as_user("gw01", "POST", "/api/v1/leads/%d" % l["id"],
                          {"action": "confirm", "category": "travel_observation"})
        self.assertEqual(st, 200, c)
        self.assertEqual((c["state"], c["resident"]["id"]), ("confirmed", rid))
        self.assertIsNotNone(c["isolation_id"])
        st, s = H.as_user("gw01", "GET", "/api/v1/residents/%d/status" % rid)
        self.assertEqual((st, s["category"]), (200, "travel_observation"))
        st, b = H.as_user("gw01", "POST", "/api/v1/leads/%d" % l["id"], {"action": "reject", "note": "x"})
        self.assertEqual((st, H.err(b)[0]), (409, "already_resolved"))

    def test_reject_needs_a_note_and_an_open_lead_stays_visible(self):
        st, l = H.as_user("gw02", "POST", "/api/v1/leads",
                          {"unit": H.B03, "described": "3楼戴帽子的男子", "text": "咳嗽好几天", "source": "worker"})
        self.assertEqual(st, 201, l)
        st, b = H.as_user("gw02", "POST", "/api/v1/leads/%d" % l["id"], {"action": "reject"})
        self.assertEqual((st, H.err(b)), (400, ("required", "note")))
        open_ids = {x["id"] for x in H.list_all("secretary", "/api/v1/leads?state=open")}
        self.assertIn(l["id"], open_ids)
        st, b = H.as_user("gw02", "POST", "/api/v1/leads/%d" % l["id"], {"action": "reject", "note": "已排查,感冒"})
        self.assertEqual((st, b["state"], b["outcome"]), (200, "rejected", "已排查,感冒"))

    def test_anonymous_lead_keeps_no_trace_of_the_sender(self):
        hid = take(H.B02)
        tok = issue(hid)
        st, b = as_household(tok, "POST", "/api/v1/household-link/leads",
                             {"described": "隔壁单元", "text": "好像有人发烧", "anonymous": True})
        self.assertEqual(st, 201, b)
        st, l = None, None
        for x in H.list_all("secretary", "/api/v1/leads?unit=%s" % H.COMMUNITY):
            if x["id"] == b["id"]:
                l = x
        self.assertIsNotNone(l)
        self.assertEqual((l["unit"], l["household_id"], l["reported_by"], l["source"]),
                         (H.COMMUNITY, None, None, "resident"))
        self.assertNotIn(POP["hh"][hid]["room"], l["text"])
        rows = [a for a in H.audit_rows(entity="lead") if a.get("entity_id") in (b["id"], str(b["id"]))]
        self.assertTrue(rows)
        for a in rows:
            self.assertEqual(a["username"], "anonymous")
            self.assertNotIn("household", str(a))
        # named, the lead says who sent it
        st, b2 = as_household(tok, "POST", "/api/v1/household-link/leads", {"text": "楼道里有人没戴口罩"})
        self.assertEqual(st, 201, b2)
        named = [x for x in H.list_all("secretary", "/api/v1/leads?unit=%s" % H.COMMUNITY) if x["id"] == b2["id"]][0]
        self.assertIn(POP["hh"][hid]["room"], named["text"])


class Notices(unittest.TestCase):
    def test_receipts_add_up_per_unit(self):
        st, n = H.as_user("secretary", "POST", "/api/v1/notices",
                          {"unit": H.COMMUNITY, "title": "测试通知", "body": "明天上午全员核酸"})
        self.assertEqual(st, 201, n)
        self.assertEqual(n["reached"], 0)
        readers = {H.B01: [], H.B02: [], H.B03: []}
        for b, k in ((H.B01, 3), (H.B02, 2), (H.B03, 4)):
            for _ in range(k):
                hid = take(b)
                tok = issue(hid)
                st, ls = as_household(tok, "GET", "/api/v1/household-link/notices")
                self.assertIn(n["id"], [x["id"] for x in ls["items"]])
                self.assertIsNone([x for x in ls["items"] if x["id"] == n["id"]][0]["read_at"])
                for _ in range(2):  # reading twice is one receipt
                    st, r = as_household(tok, "POST", "/api/v1/household-link/notices/%d/read" % n["id"])
                    self.assertEqual(st, 200, r)
                readers[b].append(hid)
        st, reach = H.as_user("secretary", "GET", "/api/v1/notices/%d/reach?unit=%s" % (n["id"], H.COMMUNITY))
        self.assertEqual(st, 200, reach)
        self.assertEqual(reach["reached"], 9)
        # households with someone living there, as Today counts them: a vacant flat has nobody
        # to read it, nor to phone
        lived = {h for h in POP["hh"] if POP["members"].get(h)}
        self.assertLess(len(lived), len(POP["hh"]))
        self.assertEqual(reach["total"], len(lived))
        by = {u["unit"]: u for u in reach["units"]}
        self.assertEqual(sum(u["reached"] for u in reach["units"]), 9)
        self.assertEqual(sum(u["total"] for u in reach["units"]), len(lived))
        # per building
        for b, hids in readers.items():
            st, rb = H.as_user("secretary", "GET", "/api/v1/notices/%d/reach?unit=%s" % (n["id"], b))
            self.assertEqual(rb["reached"], len(hids), b)
            total_b = len([h for h in lived if POP["hh"][h]["unit_code"].startswith(b)])
            self.assertEqual(rb["total"], total_b)
            self.assertEqual(len(rb["unread"]), total_b - len(hids))
            unread = {u["household_id"] for u in rb["unread"]}
            self.assertFalse(unread & set(hids))
            self.assertTrue(unread <= lived, "a vacant flat among whom to phone")
        self.assertTrue(by)
        # a notice to B03 is not shown to B01's households
        st, n3 = H.as_user("gw02", "POST", "/api/v1/notices", {"unit": H.B03, "title": "3栋停水", "body": "下午两点停水"})
        self.assertEqual(st, 201, n3)
        tok = issue(readers[H.B01][0])
        st, ls = as_household(tok, "GET", "/api/v1/household-link/notices")
        self.assertNotIn(n3["id"], [x["id"] for x in ls["items"]])
        st, r = as_household(tok, "POST", "/api/v1/household-link/notices/%d/read" % n3["id"])
        self.assertEqual(st, 404, r)
        # the poster opens the notice by its public token
        st, p = H.as_user("gw02", "GET", "/api/v1/notices/%d/poster?unit=%s" % (n3["id"], H.B03))
        self.assertEqual(st, 200)
        html = p.decode() if isinstance(p, bytes) else str(p)
        self.assertIn("3栋停水", html)
        self.assertIn("<svg", html)
        # posted in the stairwell: Chinese only (it read 通知 / Notice, 扫码查看通知 / scan to
        # read), and, served from 127.0.0.1 as here, the warning the QR sheet carries
        self.assertNotIn("Notice", html)
        self.assertNotIn("scan to read", html)
        self.assertIn("居民手机扫码打不开", html)
        import re
        token = re.search(r"notice\.html#([0-9a-f]{32})", html)
        self.assertIsNone(token)  # the URL lives inside the QR code only
        st, pub = H.call("GET", "/api/v1/public-notices/%s" % ("0" * 32))
        self.assertEqual(st, 404)


class Scope(unittest.TestCase):
    def test_every_new_route_is_scoped(self):
        g2 = take(H.B03)
        r = new_request(g2)
        self.assertEqual(r["worker"]["username"], "gw02")
        for method, path, body in (
            ("GET", "/api/v1/requests/%d" % r["id"], None),
            ("POST", "/api/v1/requests/%d/steps" % r["id"], {"state": "accepted"}),
            ("POST", "/api/v1/requests/%d/merge" % r["id"], {"into": r["id"] + 100000}),
        ):
            st, b = H.as_user("gw01", method, path, body)
            self.assertEqual(st, 404, (path, b))
        st, b = H.as_user("gw01", "POST", "/api/v1/requests",
                          {"household_id": g2, "category": "other", "text": "x", "channel": "visit"})
        self.assertEqual((st, H.err(b)), (404, ("household_not_found", "household_id")))
        st, b = H.as_user("gw01", "GET", "/api/v1/requests?unit=%s" % H.B03)
        self.assertEqual(st, 404, b)
        ids = {x["id"] for x in H.list_all("gw01", "/api/v1/requests")}
        self.assertNotIn(r["id"], ids)
        st, b = H.as_user("gw01", "GET", "/api/v1/leads?unit=%s" % H.B03)
        self.assertEqual(st, 404, b)
        st, b = H.as_user("gw01", "POST", "/api/v1/leads", {"unit": H.B03, "text": "x", "source": "worker"})
        self.assertEqual(st, 404, b)
        st, l = H.as_user("gw02", "POST", "/api/v1/leads", {"unit": H.B03, "text": "线索", "source": "worker"})
        st, b = H.as_user("gw01", "POST", "/api/v1/leads/%d" % l["id"], {"action": "reject", "note": "x"})
        self.assertEqual(st, 404, b)
        st, b = H.as_user("gw01", "GET", "/api/v1/calls?unit=%s" % H.B03)
        self.assertEqual(st, 404, b)
        st, b = H.as_user("gw01", "GET", "/api/v1/help/counts?unit=%s" % H.B03)
        self.assertEqual(st, 404, b)
        st, b = H.as_user("gw01", "POST", "/api/v1/calls", {"kind": "question", "household_id": g2})
        self.assertEqual(st, 404, b)
        st, n = H.as_user("gw02", "POST", "/api/v1/notices", {"unit": H.B03, "title": "t", "body": "b"})
        self.assertEqual(st, 201, n)
        for path in ("/api/v1/notices/%d/reach?unit=%s" % (n["id"], H.G1), "/api/v1/notices/%d/poster" % n["id"]):
            st, b = H.as_user("gw01", "GET", path)
            self.assertEqual(st, 404, (path, b))
        st, b = H.as_user("gw01", "POST", "/api/v1/notices", {"unit": H.B03, "title": "t", "body": "b"})
        self.assertEqual(st, 404, b)
        # roles: a checkpoint guard takes no requests; the auditor reads none
        st, b = H.as_user("checkpoint", "POST", "/api/v1/requests",
                          {"household_id": g2, "category": "other", "text": "x", "channel": "visit"})
        self.assertEqual(st, 403, b)
        for path in ("/api/v1/requests", "/api/v1/leads", "/api/v1/notices", "/api/v1/calls", "/api/v1/help/counts"):
            st, b = H.as_user("auditor", "GET", path)
            self.assertEqual(st, 403, (path, b))
        st, b = H.as_user("vol01", "POST", "/api/v1/leads/%d" % l["id"], {"action": "reject", "note": "x"})
        self.assertEqual(st, 403, b)

    def test_reads_and_changes_are_audited(self):
        hid = take(H.B01)
        r = new_request(hid)
        H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
        step(r["id"], "accepted")
        rows = [a for a in H.audit_rows(entity="help_request") if str(a.get("entity_id")) == str(r["id"])]
        actions = sorted(a["action"] for a in rows)
        self.assertIn("create", actions)
        self.assertIn("read", actions)
        self.assertIn("update", actions)
        for a in rows:
            self.assertIsNone(H.PHONE_RE.search(str(a)))


class BadInput(unittest.TestCase):
    def test_bad_input_names_the_field(self):
        hid = take(H.B01)
        base = {"household_id": hid, "category": "supplies", "urgency": "normal", "text": "t", "channel": "hotline"}
        cases = [
            ({"household_id": None}, "household_id"),
            ({"household_id": "x"}, "household_id"),
            ({"category": "food"}, "category"),
            ({"category": None}, "category"),
            ({"urgency": "asap"}, "urgency"),
            ({"text": ""}, "text"),
            ({"text": "长" * 501}, "text"),
            ({"channel": "fax"}, "channel"),
            ({"client_id": "c" * 65}, "client_id"),
            ({"colour": "red"}, "colour"),
        ]
        for change, field in cases:
            body = dict(base)
            body.update(change)
            body = {k: v for k, v in body.items() if v is not None}
            st, b = H.as_user("secretary", "POST", "/api/v1/requests", body)
            self.assertEqual((st, H.err(b)[1]), (400, field), change)
        r = new_request(hid)
        for body, field in (({"state": "finished"}, "state"), ({}, "state"), ({"state": "done", "x": 1}, "x"),
                            ({"state": "accepted", "referred_to": "x"}, "referred_to")):
            st, b = H.as_user("gw01", "POST", "/api/v1/requests/%d/steps" % r["id"], body)
            self.assertEqual((st, H.err(b)[1]), (400, field), body)
        for body, field in (({}, "into"), ({"into": r["id"]}, "into"), ({"into": 0}, "into")):
            st, b = H.as_user("gw01", "POST", "/api/v1/requests/%d/merge" % r["id"], body)
            self.assertEqual((st, H.err(b)[1]), (400, field), body)
        for q, field in (("state=lost", "state"), ("overdue=2", "overdue"), ("household=x", "household")):
            st, b = H.as_user("gw01", "GET", "/api/v1/requests?" + q)
            self.assertEqual((st, H.err(b)[1]), (400, field), q)
        for body, field in (({"kind": "chat"}, "kind"), ({}, "kind"), ({"kind": "question", "household_id": -1}, "household_id")):
            st, b = H.as_user("secretary", "POST", "/api/v1/calls", body)
            self.assertEqual((st, H.err(b)[1]), (400, field), body)
        for body, field in (({"text": "x", "source": "worker"}, "unit"), ({"unit": H.B01, "source": "worker"}, "text"),
                            ({"unit": H.B01, "text": "x", "source": "radio"}, "source"),
                            ({"unit": H.B01, "text": "x", "source": "worker", "category": "cleared"}, "category")):
            st, b = H.as_user("gw01", "POST", "/api/v1/leads", body)
            self.assertEqual((st, H.err(b)[1]), (400, field), body)
        st, l = H.as_user("gw01", "POST", "/api/v1/leads", {"unit": H.B01, "text": "x", "source": "worker"})
        for body, field in (({"action": "close"}, "action"), ({"action": "confirm"}, "resident_id"),
                            ({"action": "register", "name": "张三"}, "household_id")):
            st, b = H.as_user("gw01", "POST", "/api/v1/leads/%d" % l["id"], body)
            self.assertEqual((st, H.err(b)[1]), (400, field), body)
        for body, field in (({"unit": H.B01, "title": "t"}, "body"), ({"unit": H.B01, "body": "b"}, "title"),
                            ({"title": "t", "body": "b"}, "unit"), ({"unit": H.B01, "title": "t" * 61, "body": "b"}, "title")):
            st, b = H.as_user("gw01", "POST", "/api/v1/notices", body)
            self.assertEqual((st, H.err(b)[1]), (400, field), body)
        st, b = H.as_user("gw01", "GET", "/api/v1/calls?day=2026-13-01")
        self.assertEqual((st, H.err(b)[1]), (400, "day"))


if __name__ == "__main__":
    unittest.main()
