"""Supplies through the API, the fourth round of issue 17 (docs/api.md 13.7): the round's cash
handed over to the supplier.  The cash a person took for a round's orders paid in cash stays
in their hand until the secretary records its handover to the supplier (the holder, the
supplier, the amount in fen, the supplier's receipt number, who signed for it): a "spent" of
that person's cash, so that cash in hand stays received − spent − returned to the fen; the
round's figures and its cash page show what was handed over and what is still in hand; more
than the holder has of the round's cash is refused on `amount_fen`, a receipt recorded twice
on `receipt`, two handovers at once cannot both take the same cash; scope and audit.

One server for the module: the qinghe demo with 600 households (seed 7: two grids)."""
import datetime
import os
import sqlite3
import subprocess
import threading
import unittest

import harness as H

CHINA = datetime.timezone(datetime.timedelta(hours=8))
POP = {}
USED = set()
SEQ = {"n": 0}


def setUpModule():
    H.start(households=600, setup=_load)


def tearDownModule():
    H.stop()


def _load():
    POP["hh"] = H.list_all("gw01", "/api/v1/households?unit=%s" % H.G1)
    st, b = H.as_user("secretary", "GET", "/api/v1/supply/packages?unit=%s" % H.COMMUNITY)
    assert st == 200, b
    POP["packages"] = [p["id"] for p in b["items"]]
    POP["suppliers"] = sorted({p["supplier_id"] for p in b["items"]})
    st, b = H.as_user("secretary", "GET", "/api/v1/supply/suppliers?unit=%s" % H.COMMUNITY)
    assert st == 200, b
    POP["all_suppliers"] = [x["id"] for x in b["items"]]


def store_rows(sql):
    if os.environ.get("WANGGE_TEST_PG"):
        out = subprocess.run(["psql", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", H.db_path(), "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        rows = [line.split("|") for line in out.splitlines() if line]
        return [[int(x) if x.lstrip("-").isdigit() else x for x in r] for r in rows]
    con = sqlite3.connect(H.db_path(), timeout=30)
    try:
        return [list(r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def when(hours):
    return (datetime.datetime.now(CHINA) + datetime.timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")


def hh_free():
    for h in POP["hh"]:
        if h["id"] not in USED:
            USED.add(h["id"])
            return h
    raise AssertionError("no household left")


def new_round():
    SEQ["n"] += 1
    st, b = H.as_user("secretary", "POST", "/api/v1/supply/rounds",
                      {"unit": H.COMMUNITY, "name": "交付测试%d" % SEQ["n"], "opens": when(-1), "cutoff": when(10),
                       "rest_minutes": 0, "packages": POP["packages"]})
    assert st == 201, b
    return b


def paid_in_cash(rid, payer, qty=(1, 1, 1)):
    """An order of a fresh household paid in cash, marked paid by payer: its total in payer's hand."""
    items = [{"package_id": p, "qty": q} for p, q in zip(POP["packages"], qty)]
    st, o = H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % rid,
                      {"household_id": hh_free()["id"], "items": items, "payment": "cash"})
    assert st == 201, o
    st, b = H.as_user(payer, "POST", "/api/v1/supply/orders/%d/state" % o["id"], {"to": "paid"})
    assert st == 200, b
    return o


def handovers(rid, who="secretary", unit=None):
    st, b = H.as_user(who, "GET", "/api/v1/supply/rounds/%d/handovers" % rid + ("?unit=%s" % unit if unit else ""))
    assert st == 200, (st, b)
    return b


def hand_over(rid, body, who="secretary"):
    return H.as_user(who, "POST", "/api/v1/supply/rounds/%d/handovers" % rid, body)


def cash(user=None):
    st, b = H.as_user("secretary", "GET", "/api/v1/errands/cash?unit=%s" % H.COMMUNITY + ("&user=%s" % user if user else ""))
    assert st == 200, b
    return b


def person(c, user):
    return {p["user"]: p for p in c["items"]}.get(user, {"received_fen": 0, "spent_fen": 0, "returned_fen": 0,
                                                         "in_hand_fen": 0, "handed_fen": 0})



def delivered_and_damaged(t, o):
    """Order o taken to the door by vol01 and reported damaged by gw01: the after-sales case."""
    for to in ("received", "disinfected", "at_door", "delivered"):
        st, x = H.as_user("vol01", "POST", "/api/v1/supply/orders/%d/state" % o["id"], {"to": to})
        t.assertEqual(st, 200, x)
    st, a = H.as_user("gw01", "POST", "/api/v1/supply/orders/%d/aftersales" % o["id"], {"kind": "damaged", "note": "压坏"})
    t.assertEqual(st, 201, a)
    return a

class Handover(unittest.TestCase):
    def test_handover_to_the_supplier_to_the_fen(self):
        r = new_round()
        rid = r["id"]
        o1 = paid_in_cash(rid, "gw01", (1, 1, 0))
        o2 = paid_in_cash(rid, "gw01", (0, 2, 1))
        o3 = paid_in_cash(rid, "vol01", (1, 0, 0))
        gw01_cash = o1["total_fen"] + o2["total_fen"]
        total = gw01_cash + o3["total_fen"]
        before = cash()
        v = handovers(rid)
        self.assertEqual(v["cash"], {"received_fen": total, "returned_fen": 0, "handed_fen": 0, "in_hand_fen": total,
                                     "in_hand": "¥%d.%02d" % divmod(total, 100), "handed": "¥0.00"})
        self.assertEqual({p["user"]: p["in_hand_fen"] for p in v["holders"]}, {"gw01": gw01_cash, "vol01": o3["total_fen"]})
        self.assertEqual(v["items"], [])
        sup = POP["suppliers"][0]
        base = {"holder": "gw01", "supplier_id": sup, "receipt": "WS-0001", "received_by": "武商 王师傅"}
        # more than gw01 took for the round is refused on the amount, naming what is in hand; nothing written
        st, e = hand_over(rid, dict(base, amount_fen=gw01_cash + 1))
        self.assertEqual((st, H.err(e)), (409, ("over_collected", "amount_fen")), e)
        self.assertIn("¥%d.%02d" % divmod(gw01_cash, 100), e["error"]["message"])
        # every field checked, each by name
        for body, want in [(dict(base, amount_fen=100, holder="nobody"), (400, ("user_not_found", "holder"))),
                           (dict(base, amount_fen=100, receipt=""), (400, ("required", "receipt"))),
                           (dict(base, amount_fen=0), (400, ("out_of_range", "amount_fen"))),
                           (dict(base, amount_fen=100, supplier_id=999999), (400, ("supplier_not_in_round", "supplier_id"))),
                           (dict(base, amount_fen=100, paid=True), (400, ("unknown_field", "paid")))]:
            st, e = hand_over(rid, body)
            self.assertEqual((st, H.err(e)), want, (body, e))
        self.assertEqual(handovers(rid)["cash"]["handed_fen"], 0)
        # part of gw01's cash handed over: his cash in hand and the round's go down by exactly that
        part = gw01_cash - 1234
        st, b = hand_over(rid, dict(base, amount_fen=part, note="第一车货款"))
        self.assertEqual(st, 201, b)
        self.assertEqual((b["holder_in_hand_fen"], b["holder_in_hand"]), (1234, "¥12.34"))
        self.assertEqual(b["cash"]["handed_fen"], part)
        self.assertEqual(b["cash"]["in_hand_fen"], total - part)
        got = b["items"][0]
        self.assertEqual((got["id"], got["holder"], got["supplier_id"], got["amount_fen"], got["receipt"], got["received_by"], got["by"]),
                         (b["id"], "gw01", sup, part, "WS-0001", "武商 王师傅", "secretary"))
        st, f = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % rid)
        self.assertEqual((f["figures"]["cash"]["handed_fen"], f["figures"]["cash"]["in_hand_fen"]), (part, total - part))
        after = cash()
        g0, g1 = person(before, "gw01"), person(after, "gw01")
        self.assertEqual(g1["spent_fen"] - g0["spent_fen"], part)
        self.assertEqual(g1["handed_fen"] - g0.get("handed_fen", 0), part)
        self.assertEqual(g1["in_hand_fen"] - g0["in_hand_fen"], -part)
        for p in after["items"]:
            self.assertEqual(p["in_hand_fen"], p["received_fen"] - p["spent_fen"] - p["returned_fen"], p)
        self.assertEqual(after["in_hand_fen"], sum(p["in_hand_fen"] for p in after["items"]))
        # gw01's entries name the handover and still add up to his cash in hand
        mine = cash(user="gw01")
        hx = [x for x in mine["entries"] if x["handover_id"] == b["id"]]
        self.assertEqual([(x["kind"], x["amount_fen"], x["receipt"], x["round_id"]) for x in hx], [("spent", part, "WS-0001", rid)])
        self.assertEqual(sum((1 if x["kind"] == "received" else -1) * x["amount_fen"] for x in mine["entries"]),
                         mine["items"][0]["in_hand_fen"])
        # the same receipt of the same supplier again is refused on the receipt
        st, e = hand_over(rid, dict(base, amount_fen=1))
        self.assertEqual((st, H.err(e)), (409, ("receipt_used", "receipt")), e)
        # the rest, then not one fen more
        st, b2 = hand_over(rid, dict(base, amount_fen=1234, receipt="WS-0002"))
        self.assertEqual(st, 201, b2)
        st, e = hand_over(rid, dict(base, amount_fen=1, receipt="WS-0003"))
        self.assertEqual((st, H.err(e)), (409, ("over_collected", "amount_fen")), e)
        v = handovers(rid)
        self.assertEqual({p["user"]: (p["handed_fen"], p["in_hand_fen"]) for p in v["holders"]},
                         {"gw01": (gw01_cash, 0), "vol01": (0, o3["total_fen"])})
        self.assertEqual(v["cash"]["in_hand_fen"], o3["total_fen"])
        self.assertEqual([x["receipt"] for x in v["items"]], ["WS-0002", "WS-0001"])
        # each person's part, read from counters, equals a recount of the round's cash entries and handovers
        rec = {u: f for u, f in store_rows(
            "SELECT u.username, sum(x.f) FROM (SELECT holder_id, CASE WHEN kind = 'received' THEN amount_fen ELSE -amount_fen END AS f"
            " FROM supply_cash WHERE round_id = %d UNION ALL SELECT holder_id, -amount_fen FROM supply_handovers WHERE round_id = %d) x"
            " JOIN users u ON u.id = x.holder_id GROUP BY u.username" % (rid, rid))}
        self.assertEqual({p["user"]: p["in_hand_fen"] for p in v["holders"]}, rec)
        # the store agrees: the counters' handed_fen is the sum of the handovers
        self.assertEqual(store_rows("SELECT sum(handed_fen) FROM supply_cash_counts WHERE round_id = %d" % rid)[0][0], gw01_cash)
        self.assertEqual(store_rows("SELECT sum(amount_fen) FROM supply_handovers WHERE round_id = %d" % rid)[0][0], gw01_cash)
        # the writes and reads are audited (field names, not amounts)
        rows = H.audit_rows(entity="supply_handover")
        self.assertTrue(any(x["action"] == "create" and str(x["entity_id"]) == str(b["id"]) for x in rows), rows[:3])
        self.assertTrue(any(x["action"] == "read" and str(x["entity_id"]) == str(rid) for x in rows), rows[:3])

    def test_a_refund_after_a_handover_leaves_what_is_left(self):
        r = new_round()
        rid = r["id"]
        o = paid_in_cash(rid, "vol01", (1, 1, 1))
        st, b = hand_over(rid, {"holder": "vol01", "supplier_id": POP["suppliers"][0], "amount_fen": 1000, "receipt": "R-1"})
        self.assertEqual(st, 201, b)
        a = delivered_and_damaged(self, o)
        st, d = H.as_user("secretary", "POST", "/api/v1/supply/aftersales/%d/resolve" % a["id"],
                          {"resolution": "refunded", "refund_fen": 500})
        self.assertEqual(st, 200, d)
        v = handovers(rid)
        self.assertEqual(v["cash"]["in_hand_fen"], o["total_fen"] - 1000 - 500)
        st, e = hand_over(rid, {"holder": "vol01", "supplier_id": POP["suppliers"][0], "amount_fen": o["total_fen"] - 1499,
                                "receipt": "R-2"})
        self.assertEqual((st, H.err(e)), (409, ("over_collected", "amount_fen")), e)
        st, b = hand_over(rid, {"holder": "vol01", "supplier_id": POP["suppliers"][0], "amount_fen": o["total_fen"] - 1500,
                                "receipt": "R-2"})
        self.assertEqual((st, b["holder_in_hand_fen"]), (201, 0), b)

    def test_a_refund_past_what_is_left_refused(self):
        # all of the order's cash handed to the supplier: a refund from vol01's cash of the
        # round would leave her -¥5.00 in hand (was stored so, cash in hand below zero)
        r = new_round()
        rid = r["id"]
        o = paid_in_cash(rid, "vol01", (1, 1, 1))
        st, b = hand_over(rid, {"holder": "vol01", "supplier_id": POP["suppliers"][0], "amount_fen": o["total_fen"] - 300,
                                "receipt": "L-1"})
        self.assertEqual(st, 201, b)
        a = delivered_and_damaged(self, o)
        st, d = H.as_user("secretary", "POST", "/api/v1/supply/aftersales/%d/resolve" % a["id"],
                          {"resolution": "refunded", "refund_fen": 500})
        self.assertEqual((st, H.err(d)), (409, ("refund_over_cash", "refund_fen")), d)
        self.assertIn("¥3.00", d["error"]["message"])
        # nothing stored: the case still open, the cash as it was
        self.assertEqual(handovers(rid)["cash"]["in_hand_fen"], 300)
        self.assertEqual(store_rows("SELECT count(*) FROM supply_cash WHERE aftersale_id = %d" % a["id"])[0][0], 0)
        # what is left can be refunded
        st, d = H.as_user("secretary", "POST", "/api/v1/supply/aftersales/%d/resolve" % a["id"],
                          {"resolution": "refunded", "refund_fen": 300})
        self.assertEqual((st, d["state"], d["refund_from"]), (200, "refunded", "vol01"), d)
        self.assertEqual(handovers(rid)["cash"]["in_hand_fen"], 0)

    def test_two_handovers_at_once_cannot_both_take_the_cash(self):
        r = new_round()
        rid = r["id"]
        o = paid_in_cash(rid, "gw01", (1, 1, 1))
        H.login("secretary")
        res = []

        def go(k):
            res.append(hand_over(rid, {"holder": "gw01", "supplier_id": POP["suppliers"][0], "amount_fen": o["total_fen"],
                                       "receipt": "C-%d" % k}))
        ts = [threading.Thread(target=go, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(sorted(st for st, _ in res), [201, 409, 409, 409], res)
        self.assertEqual(handovers(rid)["cash"]["in_hand_fen"], 0)
        self.assertEqual(store_rows("SELECT count(*) FROM supply_handovers WHERE round_id = %d" % rid)[0][0], 1)

    def test_roles_and_scope(self):
        r = new_round()
        rid = r["id"]
        paid_in_cash(rid, "gw01")
        body = {"holder": "gw01", "supplier_id": POP["suppliers"][0], "amount_fen": 100, "receipt": "S-1"}
        # recorded by the tree's roles (who pay the suppliers), not by the grid or volunteers
        for who in ("gw01", "vol01", "auditor"):
            st, e = hand_over(rid, body, who=who)
            self.assertEqual(st, 403, (who, e))
        # read where the cash in hand is read: the grid and its volunteers, never the auditor
        self.assertEqual(handovers(rid, who="vol01")["round_id"], rid)
        st, e = H.as_user("auditor", "GET", "/api/v1/supply/rounds/%d/handovers" % rid)
        self.assertEqual(st, 403, e)
        # the other grid's worker sees his grid only: gw01's cash is not in his subtree
        v = handovers(rid, who="gw02")
        self.assertEqual(v["unit"], H.G2)
        self.assertNotIn("gw01", [p["user"] for p in v["holders"]])
        st, e = H.as_user("gw02", "GET", "/api/v1/supply/rounds/%d/handovers?unit=%s" % (rid, H.G1))
        self.assertIn(st, (403, 404), e)
        st, e = H.as_user("secretary", "GET", "/api/v1/supply/rounds/999999/handovers")
        self.assertEqual((st, H.err(e)), (404, ("round_not_found", "round_id")), e)


if __name__ == "__main__":
    unittest.main()
