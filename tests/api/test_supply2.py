"""Supplies through the API, the second round of issue 17 (docs/api.md "Supplies"): the
household page's pickup slots (only its building's, places left, full); after-sales on a
delivered order (reported by the worker, a volunteer or the household's link; replaced,
refunded in fen within the order's total, or rejected; in the round's figures); late
deliveries (orders past their slot, not delivered); a step marked offline with the time it
was done, replayed once; the round's counters equal to the orders after changes, cancels,
steps and bulk steps; scope and audit of the new routes.

One server for the module: the qinghe demo with 600 households (seed 7: two grids)."""
import datetime
import os
import sqlite3
import subprocess
import unittest

import harness as H

CHINA = datetime.timezone(datetime.timedelta(hours=8))
POP = {}
SEQ = {"n": 0}
USED = set()


def setUpModule():
    H.start(households=600, setup=_load)


def tearDownModule():
    H.stop()


def _load():
    st, b = H.as_user("gw01", "GET", "/api/v1/session")
    assert st == 200, b
    POP["grid"] = b["unit_code"] if "unit_code" in b else b["user"]["unit_code"]
    POP["hh"] = H.list_all("gw01", "/api/v1/households?unit=%s" % POP["grid"])
    st, b = H.as_user("secretary", "GET", "/api/v1/supply/packages?unit=%s" % H.COMMUNITY)
    assert st == 200, b
    POP["packages"] = [p["id"] for p in b["items"]]


def store_sql(stmt):
    """One statement on the server's store behind its back (stands in for the clock)."""
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


def when(hours):
    t = datetime.datetime.now(CHINA) + datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%d %H:%M")


def new_round(slots=None, cutoff=10):
    SEQ["n"] += 1
    body = {"unit": H.COMMUNITY, "name": "测试批次%d" % SEQ["n"], "opens": when(-1), "cutoff": when(cutoff),
            "packages": POP["packages"]}
    if slots is not None:
        body["slots"] = slots
    st, b = H.as_user("secretary", "POST", "/api/v1/supply/rounds", body)
    assert st == 201, b
    return b


def building_of(h):
    """420107003008-B01-U1 → 420107003008-B01 (a household of an entrance: its building)."""
    code = h["unit_code"]
    return code.rsplit("-", 1)[0] if code.rsplit("-", 1)[-1].startswith("U") else code


def households_in(code, n):
    out = [h for h in POP["hh"] if building_of(h) == code and h["id"] not in USED][:n]
    USED.update(h["id"] for h in out)
    return out


def order(round_id, hid, slot=None, who="gw01", expect=201):
    body = {"household_id": hid, "items": [{"package_id": POP["packages"][1], "qty": 1}], "payment": "online"}
    if slot:
        body["slot_id"] = slot
    st, b = H.as_user(who, "POST", "/api/v1/supply/rounds/%d/orders" % round_id, body)
    assert st == expect, (st, b)
    return b


class Slots(unittest.TestCase):
    def test_household_page_shows_its_buildings_slots_and_what_is_left(self):
        b1 = building_of(POP["hh"][0])
        other = next(building_of(h) for h in POP["hh"] if building_of(h) != b1)
        r = new_round(slots=[{"unit": b1, "starts": when(20), "ends": when(21), "capacity": 1},
                             {"unit": b1, "starts": when(21), "ends": when(22), "capacity": 3},
                             {"unit": other, "starts": when(20), "ends": when(21), "capacity": 5}])
        s1, s2, s3 = [s["id"] for s in r["slots"]]
        a, b = households_in(b1, 2)
        st, page = H.as_user("gw01", "GET", "/api/v1/supply/households/%d" % a["id"])
        self.assertEqual(st, 200, page)
        mine = [x for x in page["rounds"] if x["id"] == r["id"]][0]["slots"]
        self.assertEqual([x["id"] for x in mine], [s1, s2], "only the household's building's slots")
        self.assertEqual([(x["left"], x["full"]) for x in mine], [(1, False), (3, False)])
        order(r["id"], b["id"], s1)
        st, page = H.as_user("gw01", "GET", "/api/v1/supply/households/%d" % a["id"])
        mine = [x for x in page["rounds"] if x["id"] == r["id"]][0]["slots"]
        self.assertEqual([(x["used"], x["left"], x["full"]) for x in mine], [(1, 0, True), (0, 3, False)])
        st, e = H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"],
                          {"household_id": a["id"], "items": [{"package_id": POP["packages"][0], "qty": 1}],
                           "payment": "online", "slot_id": s1})
        self.assertEqual((st, H.err(e)), (409, ("slot_full", "slot_id")), e)
        st, e = H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"],
                          {"household_id": a["id"], "items": [{"package_id": POP["packages"][0], "qty": 1}],
                           "payment": "online", "slot_id": s3})
        self.assertEqual((st, H.err(e)), (400, ("invalid_slot", "slot_id")), e)
        o = order(r["id"], a["id"], s2)
        self.assertEqual(o["slot_id"], s2)
        # the round's own page lists every slot, with the same figures
        st, full = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % r["id"])
        self.assertEqual([(x["id"], x["used"], x["full"]) for x in full["slots"]], [(s1, 1, True), (s2, 1, False), (s3, 0, False)])

    def test_demo_round_has_slots_per_building(self):
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/rounds?unit=%s" % H.COMMUNITY)
        today = [x for x in b["items"] if "第2批" in x["name"]][0]
        st, r = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % today["id"])
        self.assertTrue(r["slots"], r)
        self.assertEqual(len(r["slots"]) % 2, 0)
        self.assertTrue(all(s["capacity"] == 30 for s in r["slots"]))


def hh_free():
    for h in POP["hh"]:
        if h["id"] not in USED:
            USED.add(h["id"])
            return h
    raise AssertionError("no household left")


def step(oid, to, who="vol01", expect=200, **extra):
    body = {"to": to}
    body.update(extra)
    st, b = H.as_user(who, "POST", "/api/v1/supply/orders/%d/state" % oid, body)
    assert st == expect, (st, b)
    return b


def to_door(oid):
    for to in ("paid", "received", "disinfected", "at_door"):
        step(oid, to)


def rest0_round(slots=None):
    SEQ["n"] += 1
    body = {"unit": H.COMMUNITY, "name": "售后测试%d" % SEQ["n"], "opens": when(-1), "cutoff": when(10),
            "rest_minutes": 0, "packages": POP["packages"]}
    if slots is not None:
        body["slots"] = slots
    st, b = H.as_user("secretary", "POST", "/api/v1/supply/rounds", body)
    assert st == 201, b
    return b


def figures(rid, who="secretary"):
    st, b = H.as_user(who, "GET", "/api/v1/supply/rounds/%d" % rid)
    assert st == 200, b
    return b["figures"]


class AfterSales(unittest.TestCase):
    def test_report_answer_and_figures(self):
        r = rest0_round()
        h = hh_free()
        o = order(r["id"], h["id"])
        veg = POP["packages"][1]
        # not before the goods arrive
        st, e = H.as_user("gw01", "POST", "/api/v1/supply/orders/%d/aftersales" % o["id"], {"kind": "missing"})
        self.assertEqual((st, H.err(e)), (409, ("not_delivered", "order_id")), e)
        to_door(o["id"])
        step(o["id"], "delivered")
        bad = [({"kind": "lost"}, 400, ("invalid_kind", "kind")),
               ({"kind": "other"}, 400, ("required", "note")),
               ({"kind": "missing", "package_id": POP["packages"][2]}, 400, ("package_not_in_order", "package_id")),
               ({"kind": "missing", "package_id": veg, "qty": 2}, 400, ("qty_over_order", "qty")),
               ({"kind": "missing", "qty": 1}, 400, ("required", "package_id")),
               ({"kind": "missing", "amount": 1}, 400, ("unknown_field", "amount"))]
        for body, code, want in bad:
            st, e = H.as_user("gw01", "POST", "/api/v1/supply/orders/%d/aftersales" % o["id"], body)
            self.assertEqual((st, H.err(e)), (code, want), (body, e))
        st, a = H.as_user("vol01", "POST", "/api/v1/supply/orders/%d/aftersales" % o["id"],
                          {"kind": "damaged", "package_id": veg, "note": "鸡蛋碎了", "client_id": "as-1-%d" % o["id"]})
        self.assertEqual(st, 201, a)
        self.assertEqual((a["state"], a["qty"], a["via"], a["package_id"], a["by"]), ("open", 1, "worker", veg, "vol01"))
        st, again = H.as_user("vol01", "POST", "/api/v1/supply/orders/%d/aftersales" % o["id"],
                              {"kind": "damaged", "package_id": veg, "note": "鸡蛋碎了", "client_id": "as-1-%d" % o["id"]})
        self.assertEqual((st, again["id"]), (200, a["id"]))
        f = figures(r["id"])["aftersales"]
        self.assertEqual((f["open"], f["refunded"], f["refunded_fen"]), (1, 0, 0))
        # answered: a volunteer may not; a refund past the order's total is refused
        st, e = H.as_user("vol01", "POST", "/api/v1/supply/aftersales/%d/resolve" % a["id"], {"resolution": "replaced"})
        self.assertEqual(st, 403, e)
        for body, want in [({"resolution": "refunded"}, ("required", "refund_fen")),
                           ({"resolution": "replaced", "refund_fen": 100}, ("refund_not_refunded", "refund_fen")),
                           ({"resolution": "rejected"}, ("required", "answer")),
                           ({"resolution": "refunded", "refund_fen": o["total_fen"] + 1}, ("refund_over_total", "refund_fen")),
                           ({"resolution": "lost"}, ("invalid_resolution", "resolution"))]:
            st, e = H.as_user("gw01", "POST", "/api/v1/supply/aftersales/%d/resolve" % a["id"], body)
            self.assertEqual((st, H.err(e)), (400, want), (body, e))
        st, done = H.as_user("gw01", "POST", "/api/v1/supply/aftersales/%d/resolve" % a["id"],
                             {"resolution": "refunded", "refund_fen": 1500, "answer": "退鸡蛋钱"})
        self.assertEqual((st, done["state"], done["refund_fen"], done["refund"], done["resolved_by"]),
                         (200, "refunded", 1500, "¥15.00", "gw01"), done)
        st, e = H.as_user("gw01", "POST", "/api/v1/supply/aftersales/%d/resolve" % a["id"], {"resolution": "replaced"})
        self.assertEqual((st, H.err(e)), (409, ("aftersale_closed", "aftersale_id")), e)
        # a second case: refunds together never pass the order's total
        st, b2 = H.as_user("gw01", "POST", "/api/v1/supply/orders/%d/aftersales" % o["id"], {"kind": "missing"})
        self.assertEqual(st, 201, b2)
        st, e = H.as_user("gw01", "POST", "/api/v1/supply/aftersales/%d/resolve" % b2["id"],
                          {"resolution": "refunded", "refund_fen": o["total_fen"] - 1499})
        self.assertEqual((st, H.err(e)), (400, ("refund_over_total", "refund_fen")), e)
        st, b2 = H.as_user("gw01", "POST", "/api/v1/supply/aftersales/%d/resolve" % b2["id"],
                           {"resolution": "replaced", "answer": "补送一份"})
        self.assertEqual((st, b2["state"]), (200, "replaced"))
        f = figures(r["id"])["aftersales"]
        self.assertEqual((f["open"], f["refunded"], f["replaced"], f["refunded_fen"], f["refunded_total"]),
                         (0, 1, 1, 1500, "¥15.00"))
        # on the order and on the round's list
        st, og = H.as_user("gw01", "GET", "/api/v1/supply/orders/%d" % o["id"])
        self.assertEqual([x["id"] for x in og["aftersales"]], [a["id"], b2["id"]])
        st, lst = H.as_user("vol01", "GET", "/api/v1/supply/rounds/%d/aftersales?state=refunded" % r["id"])
        self.assertEqual(st, 200, lst)
        self.assertEqual([x["id"] for x in lst["items"]], [a["id"]])
        st, e = H.as_user("vol01", "GET", "/api/v1/supply/rounds/%d/aftersales?state=lost" % r["id"])
        self.assertEqual((st, H.err(e)), (400, ("invalid_state", "state")))
        rows = H.audit_rows(entity="supply_aftersale")
        self.assertTrue(any(x["action"] == "update" and str(x["entity_id"]) == str(a["id"]) for x in rows), rows[:3])
        self.assertFalse(any("鸡蛋" in str(x) for x in rows), "the audit keeps field names, not the words")

    def test_link_reports_its_own_orders_only(self):
        r = rest0_round()
        h, other = hh_free(), hh_free()
        o = order(r["id"], h["id"])
        o2 = order(r["id"], other["id"])
        for x in (o, o2):
            to_door(x["id"])
            step(x["id"], "collected")
        st, b = H.as_user("gw01", "POST", "/api/v1/households/%d/link" % h["id"], {})
        self.assertEqual(st, 201, b)
        hdr = {"X-Household-Token": b["token"]}
        st, a = H.call("POST", "/api/v1/household-link/supply/orders/%d/aftersales" % o["id"],
                       {"kind": "missing", "package_id": POP["packages"][1], "note": "少了一袋菜"}, headers=hdr)
        self.assertEqual((st, a.get("via")), (201, "link"), a)
        st, e = H.call("POST", "/api/v1/household-link/supply/orders/%d/aftersales" % o2["id"],
                       {"kind": "missing"}, headers=hdr)
        self.assertEqual((st, H.err(e)), (404, ("order_not_found", "order_id")), e)
        st, page = H.call("GET", "/api/v1/household-link/supply", headers=hdr)
        mine = [x for x in page["orders"] if x["id"] == o["id"]][0]
        self.assertEqual([x["id"] for x in mine["aftersales"]], [a["id"]])

    def test_other_grid_cannot_see_or_answer(self):
        r = rest0_round()
        h = hh_free()
        o = order(r["id"], h["id"])
        to_door(o["id"])
        step(o["id"], "delivered")
        st, a = H.as_user("gw01", "POST", "/api/v1/supply/orders/%d/aftersales" % o["id"], {"kind": "wrong"})
        self.assertEqual(st, 201, a)
        st, e = H.as_user("gw02", "POST", "/api/v1/supply/orders/%d/aftersales" % o["id"], {"kind": "wrong"})
        self.assertEqual(st, 404, e)
        st, e = H.as_user("gw02", "POST", "/api/v1/supply/aftersales/%d/resolve" % a["id"], {"resolution": "replaced"})
        self.assertEqual((st, H.err(e)), (404, ("aftersale_not_found", "aftersale_id")), e)
        st, lst = H.as_user("gw02", "GET", "/api/v1/supply/rounds/%d/aftersales" % r["id"])
        self.assertEqual(st, 200, lst)
        self.assertNotIn(a["id"], [x["id"] for x in lst["items"]])
        st, e = H.as_user("auditor", "GET", "/api/v1/supply/rounds/%d/aftersales" % r["id"])
        self.assertEqual(st, 403, e)


class LateAndOffline(unittest.TestCase):
    def test_late_is_past_the_slot_and_not_delivered(self):
        h = hh_free()
        b = building_of(h)
        r = rest0_round(slots=[{"unit": b, "starts": when(-3), "ends": when(-2), "capacity": 10},
                               {"unit": b, "starts": when(20), "ends": when(21), "capacity": 10}])
        past, future = [x["id"] for x in r["slots"]]
        h2 = households_in(b, 1)[0]
        o = order(r["id"], h["id"], past)
        order(r["id"], h2["id"], future)
        self.assertEqual(figures(r["id"])["late"], 1)
        st, lst = H.as_user("vol01", "GET", "/api/v1/supply/rounds/%d/orders?state=late" % r["id"])
        self.assertEqual(st, 200, lst)
        self.assertEqual([x["id"] for x in lst["items"]], [o["id"]])
        to_door(o["id"])
        self.assertEqual(figures(r["id"])["late"], 1, "at the building door is not delivered")
        step(o["id"], "delivered")
        self.assertEqual(figures(r["id"])["late"], 0)
        st, lst = H.as_user("vol01", "GET", "/api/v1/supply/rounds/%d/orders?state=late" % r["id"])
        self.assertEqual(lst["items"], [])

    def test_offline_step_keeps_when_it_was_done_and_is_stored_once(self):
        r = rest0_round()
        h = hh_free()
        o = order(r["id"], h["id"])
        to_door(o["id"])
        # the goods reached the door an hour ago; the volunteer handed them over 30 minutes
        # ago with no network, and the phone sends the step now
        store_sql("UPDATE supply_orders SET state_at = state_at - 3600 WHERE id = %d" % o["id"])
        done = datetime.datetime.now(CHINA) - datetime.timedelta(minutes=30)
        at = done.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        cid = "w-offline-%d" % o["id"]
        n = step(o["id"], "delivered", at=at, client_id=cid)
        self.assertEqual((n["state"], n["state_at"]), ("delivered", at))
        # the queue sends it again (its answer was lost): stored once, the same answer
        again = step(o["id"], "delivered", at=at, client_id=cid)
        self.assertEqual((again["state"], again["state_at"]), ("delivered", n["state_at"]))
        st, og = H.as_user("vol01", "GET", "/api/v1/supply/orders/%d" % o["id"])
        self.assertEqual([x["to"] for x in og["history"]].count("delivered"), 1, og["history"])
        last = og["history"][-1]
        self.assertEqual((last["to"], last["at"], last["by"]), ("delivered", at, "vol01"))
        self.assertGreater(last["recorded"], last["at"], "recorded when it reached the server")
        self.assertEqual(figures(r["id"])["by_state"]["delivered"], 1)
        # the same client id for another order or another step is refused
        o2 = order(r["id"], hh_free()["id"])
        st, e = H.as_user("vol01", "POST", "/api/v1/supply/orders/%d/state" % o2["id"], {"to": "paid", "client_id": cid})
        self.assertEqual((st, H.err(e)), (409, ("client_id_reused", "client_id")), e)
        # a time in the future is refused naming the field; one before the last step is moved up to it
        st, e = H.as_user("vol01", "POST", "/api/v1/supply/orders/%d/state" % o2["id"],
                          {"to": "paid", "at": when(2)})
        self.assertEqual((st, H.err(e)), (400, ("time_in_future", "at")), e)
        early = step(o2["id"], "paid", at=when(-48))
        self.assertGreaterEqual(early["state_at"], o2["state_at"])


class Counters(unittest.TestCase):
    def test_counters_equal_the_orders_after_changes_cancels_and_steps(self):
        r = rest0_round()
        hs = [hh_free() for _ in range(8)]
        os_ = []
        for i, h in enumerate(hs):
            body = {"household_id": h["id"], "payment": "online",
                    "items": [{"package_id": POP["packages"][0], "qty": i % 3}, {"package_id": POP["packages"][1], "qty": 1 + i % 2}]}
            st, o = H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"], body)
            self.assertEqual(st, 201, o)
            os_.append(o)
        # a change, a cancel (everything 0), a cancel taken back
        chg = {"household_id": hs[0]["id"], "payment": "cash", "items": [{"package_id": POP["packages"][2], "qty": 3}]}
        self.assertEqual(H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"], chg)[0], 200)
        zero = {"household_id": hs[1]["id"], "payment": "online", "items": [{"package_id": POP["packages"][1], "qty": 0}]}
        self.assertEqual(H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"], zero)[0], 200)
        zero2 = {"household_id": hs[2]["id"], "payment": "online", "items": [{"package_id": POP["packages"][1], "qty": 0}]}
        self.assertEqual(H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"], zero2)[0], 200)
        back = {"household_id": hs[2]["id"], "payment": "online", "items": [{"package_id": POP["packages"][0], "qty": 2}]}
        self.assertEqual(H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"], back)[0], 200)
        # steps one by one and in bulk
        step(os_[3]["id"], "paid")
        st, adv = H.as_user("vol01", "POST", "/api/v1/supply/rounds/%d/advance" % r["id"], {"unit": POP["grid"], "to": "paid"})
        self.assertEqual(st, 200, adv)
        st, adv = H.as_user("vol01", "POST", "/api/v1/supply/rounds/%d/advance" % r["id"], {"unit": POP["grid"], "to": "received"})
        self.assertEqual(st, 200, adv)
        # what the stored orders say
        want_state, want_pkg, hh = {}, {}, 0
        st, sheet = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/orders" % r["id"])
        for o in sheet["items"]:
            want_state[o["state"]] = want_state.get(o["state"], 0) + 1
            if o["state"] != "cancelled":
                hh += 1
                for it in o["items"]:
                    want_pkg[str(it["package_id"])] = want_pkg.get(str(it["package_id"]), 0) + it["qty"]
        f = figures(r["id"])
        self.assertEqual({k: v for k, v in f["by_state"].items() if v}, want_state)
        self.assertEqual(f["ordered"], hh)
        self.assertEqual(want_state, {"received": 7, "cancelled": 1})
        st, pick = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/picking" % r["id"])
        self.assertEqual(pick["total"]["households"], hh)
        self.assertEqual(pick["total"]["totals"], want_pkg)


if __name__ == "__main__":
    unittest.main()
