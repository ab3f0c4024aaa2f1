"""Supplies through the API (docs/api.md "Supplies", issue 17): suppliers, packages and
rounds; orders per household by a grid worker and by the household's own link, idempotent
by client_id, changed until the cut-off and refused after it naming the field; delivery
states only in order, the resting time after disinfection (a setting, enforced with the
clock: the test moves the disinfection time back in the store, as the other suites do for
their deadlines); every order in exactly one state after concurrent steps; the picking list
against the orders at building, entrance and community level on the demo's 931-household
round; the delivery sheet and picking list as HTML and XLSX; errands with a cash ledger
that must balance to close; cash in hand per person; scope and audit on every new route.

One server for the module: the qinghe demo with 1,200 households (seed 7), so that its
first round has 931 households ordered."""
import datetime
import os
import sqlite3
import subprocess
import threading
import unittest

import harness as H

CHINA = datetime.timezone(datetime.timedelta(hours=8))
POP = {}
SEQ = {"n": 0}
USED = set()


def setUpModule():
    H.start(households=1200, setup=_load)


def tearDownModule():
    H.stop()


def _load():
    for who in ("gw01", "gw02"):
        st, b = H.as_user(who, "GET", "/api/v1/session")
        assert st == 200, b
        POP[who] = b["unit_code"] if "unit_code" in b else b["user"]["unit_code"]
    POP["hh"] = {}
    for who in ("gw01", "gw02"):
        POP["hh"][who] = [h["id"] for h in H.list_all(who, "/api/v1/households?unit=%s" % POP[who])]
    st, b = H.as_user("secretary", "GET", "/api/v1/supply/rounds?unit=%s" % H.COMMUNITY)
    assert st == 200, b
    POP["demo"] = [r for r in b["items"] if "第1批" in r["name"]][0]
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


def household(who="gw01"):
    for hid in POP["hh"][who]:
        if hid not in USED:
            USED.add(hid)
            return hid
    raise AssertionError("no household left for %s" % who)


def client_id():
    SEQ["n"] += 1
    return "t-%d-%d" % (os.getpid(), SEQ["n"])


def new_round(rest=120, opens=-1, cutoff=10, slots=None):
    body = {"unit": H.COMMUNITY, "name": "测试批次%d" % SEQ["n"], "opens": when(opens), "cutoff": when(cutoff),
            "rest_minutes": rest, "packages": POP["packages"]}
    if slots is not None:
        body["slots"] = slots
    SEQ["n"] += 1
    st, b = H.as_user("secretary", "POST", "/api/v1/supply/rounds", body)
    assert st == 201, b
    return b


def order(round_id, hid, qty=(1, 1, 0), who="gw01", payment="cash", cid=None, expect=201):
    items = [{"package_id": p, "qty": q} for p, q in zip(POP["packages"], qty)]
    body = {"household_id": hid, "items": items, "payment": payment}
    if cid:
        body["client_id"] = cid
    st, b = H.as_user(who, "POST", "/api/v1/supply/rounds/%d/orders" % round_id, body)
    assert st == expect, (st, b)
    return b


def step(order_id, to, who="vol01", **extra):
    body = {"to": to}
    body.update(extra)
    return H.as_user(who, "POST", "/api/v1/supply/orders/%d/state" % order_id, body)


class PickingAndCounts(unittest.TestCase):
    def test_demo_round_picking_equals_orders(self):
        rid = POP["demo"]["id"]
        st, sheet = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/orders?unit=%s" % (rid, H.COMMUNITY))
        self.assertEqual(st, 200, sheet)
        live = [o for o in sheet["items"] if o["state"] != "cancelled"]
        self.assertEqual(len(live), 931)
        st, pick = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/picking?unit=%s" % (rid, H.COMMUNITY))
        self.assertEqual(st, 200, pick)
        self.assertEqual(pick["total"]["households"], 931)
        want_total, want_b, want_e, hh_b = {}, {}, {}, {}
        for o in live:
            b, e = o["building"], o["entrance"]
            hh_b[b] = hh_b.get(b, 0) + 1
            for it in o["items"]:
                k = str(it["package_id"])
                want_total[k] = want_total.get(k, 0) + it["qty"]
                want_b.setdefault(b, {})[k] = want_b.setdefault(b, {}).get(k, 0) + it["qty"]
                want_e.setdefault((b, e), {})[k] = want_e.setdefault((b, e), {}).get(k, 0) + it["qty"]
        self.assertEqual(pick["total"]["totals"], want_total)
        got_b = {b["name"]: b["totals"] for b in pick["buildings"]}
        self.assertEqual(got_b, want_b)
        self.assertEqual({b["name"]: b["households"] for b in pick["buildings"]}, hh_b)
        got_e = {(b["name"], e["name"]): e["totals"] for b in pick["buildings"] for e in b["entrances"]}
        self.assertEqual(got_e, {k: v for k, v in want_e.items() if k[1]})
        # one building's own list is that building's part of the whole
        b = pick["buildings"][0]
        st, one = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/picking?unit=%s" % (rid, b["unit"]))
        self.assertEqual(st, 200, one)
        self.assertEqual(one["total"]["totals"], b["totals"])

    def test_demo_counts_add_up(self):
        rid = POP["demo"]["id"]
        st, r = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % rid)
        self.assertEqual(st, 200, r)
        f = r["figures"]
        self.assertEqual(sum(f["by_state"].values()), f["orders"])
        self.assertEqual(f["ordered"], 931)
        # the households with someone living there, as the roll-call counts them (coverage)
        st, cov = H.as_user("secretary", "GET", "/api/v1/coverage?unit=%s" % H.COMMUNITY)
        self.assertEqual(st, 200, cov)
        self.assertEqual(f["households"], cov["households_total"])
        self.assertGreater(f["households"], 1100)
        self.assertGreater(f["by_state"]["delivered"], 0)
        self.assertEqual(len(r["packages"]), 3)
        self.assertIn("胡萝卜3斤", r["packages"][1]["contents"])

    def test_printable_and_xlsx(self):
        import re
        rid = POP["demo"]["id"]
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/picking?format=html" % rid)
        self.assertEqual(st, 200)
        self.assertTrue(H.last_headers["content-type"].startswith("text/html"))
        self.assertIn("分拣单".encode(), b)
        self.assertIn("楼栋/Building".encode(), b)
        # the cut-off printed as people read it, China time
        cut = re.search(r"截单 cut-off ([^<]*)<", b.decode()).group(1)
        self.assertRegex(cut, r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/picking?format=xlsx" % rid)
        self.assertEqual(st, 200)
        self.assertEqual(b[:2], b"PK")
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/orders?format=xlsx&unit=%s" % (rid, H.COMMUNITY))
        self.assertEqual(st, 200)
        self.assertEqual(b[:2], b"PK")
        # the amounts (column E) are numbers the sheet adds up to the orders' total, not text "¥39.00"
        import io, zipfile
        sheet = zipfile.ZipFile(io.BytesIO(b)).read("xl/worksheets/sheet1.xml").decode()
        cells = re.findall(r'<c r="E(\d+)"([^>]*)>(.*?)</c>', sheet)
        amounts = [c for c in cells if c[0] != "1"]
        self.assertTrue(amounts, sheet[:500])
        self.assertEqual(sum(1 for c in amounts if 't="s"' in c[1] or 't="str"' in c[1]), 0, amounts[:3])
        st, js = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/orders?unit=%s" % (rid, H.COMMUNITY))
        self.assertEqual(st, 200)
        total = sum(float(re.search(r"<v>([^<]*)</v>", c[2]).group(1)) for c in amounts)
        self.assertEqual(round(total * 100), sum(o["total_fen"] for o in js["items"]))
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/orders?format=html" % rid)
        self.assertEqual(st, 200)
        self.assertIn("配送单".encode(), b)
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/picking?format=pdf" % rid)
        self.assertEqual((st, H.err(b)), (400, ("invalid_format", "format")))


class Orders(unittest.TestCase):
    def test_order_change_and_idempotent_client_id(self):
        r = new_round()
        hid = household()
        cid = client_id()
        a = order(r["id"], hid, (1, 2, 0), cid=cid)
        self.assertEqual(a["total_fen"], 12800 + 2 * 3900)
        self.assertEqual(a["state"], "ordered")
        again = order(r["id"], hid, (1, 2, 0), cid=cid, expect=200)
        self.assertEqual(again["id"], a["id"])
        self.assertFalse(again["created"])
        changed = order(r["id"], hid, (0, 1, 1), expect=200)
        self.assertEqual(changed["id"], a["id"])
        self.assertEqual(changed["total_fen"], 3900 + 3500)
        self.assertEqual({i["package_id"]: i["qty"] for i in changed["items"]},
                         {POP["packages"][1]: 1, POP["packages"][2]: 1})
        gone = order(r["id"], hid, (0, 0, 0), expect=200)
        self.assertEqual(gone["state"], "cancelled")
        st, rr = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % r["id"])
        self.assertEqual(rr["figures"]["ordered"], 0)
        self.assertEqual(rr["figures"]["by_state"]["cancelled"], 1)

    def test_after_cutoff_refused_naming_the_field(self):
        r = new_round(opens=-3, cutoff=-1)
        hid = household()
        b = order(r["id"], hid, expect=409)
        self.assertEqual(H.err(b), ("cutoff_passed", "cutoff"))
        self.assertIn("截单", b["error"]["message"])
        self.assertIn("cut off", b["error"]["message"])
        # a round closed by the secretary before its cut-off refuses too, changes included
        r = new_round()
        hid = household()
        order(r["id"], hid)
        st, c = H.as_user("secretary", "POST", "/api/v1/supply/rounds/%d/close" % r["id"], {})
        self.assertEqual(st, 200, c)
        self.assertEqual(c["status"], "closed")
        b = order(r["id"], hid, (2, 0, 0), expect=409)
        self.assertEqual(H.err(b), ("cutoff_passed", "cutoff"))
        st, c = H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/close" % r["id"], {})
        self.assertEqual(st, 403)

    def test_bad_input_names_the_field(self):
        r = new_round()
        hid = household()
        cases = [
            ({"household_id": hid, "items": [{"package_id": POP["packages"][0], "qty": 1}], "payment": "bitcoin"}, "payment"),
            ({"household_id": hid, "items": [{"package_id": POP["packages"][0], "qty": -1}], "payment": "cash"}, "qty"),
            ({"household_id": hid, "items": [{"package_id": POP["packages"][0], "qty": 1.5}], "payment": "cash"}, "qty"),
            ({"household_id": hid, "items": [], "payment": "cash"}, "items"),
            ({"household_id": hid, "items": [{"package_id": 999999, "qty": 1}], "payment": "cash"}, "items"),
            ({"household_id": hid, "items": [{"package_id": POP["packages"][0], "qty": 0}], "payment": "cash"}, "items"),
            ({"items": [{"package_id": POP["packages"][0], "qty": 1}], "payment": "cash"}, "household_id"),
            ({"household_id": hid, "items": [{"package_id": POP["packages"][0], "qty": 1}], "payment": "cash",
              "price": 1}, "price"),
        ]
        for body, field in cases:
            st, b = H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"], body)
            self.assertEqual(st, 400, (body, b))
            self.assertEqual(H.err(b)[1], field, (body, b))
        for body, field in [({"unit": H.COMMUNITY, "name": "x", "cutoff": "tomorrow", "packages": POP["packages"]}, "cutoff"),
                            ({"unit": H.COMMUNITY, "name": "x", "cutoff": when(5), "packages": []}, "packages"),
                            ({"unit": H.COMMUNITY, "name": "x", "cutoff": when(5), "opens": when(6),
                              "packages": POP["packages"]}, "cutoff"),
                            ({"unit": H.COMMUNITY, "name": "x", "cutoff": when(5), "rest_minutes": -5,
                              "packages": POP["packages"]}, "rest_minutes")]:
            st, b = H.as_user("secretary", "POST", "/api/v1/supply/rounds", body)
            self.assertEqual((st, H.err(b)[1]), (400, field), b)
        st, b = H.as_user("secretary", "POST", "/api/v1/supply/packages",
                          {"unit": H.COMMUNITY, "supplier_id": 1, "name": "x", "price_fen": 9.5})
        self.assertEqual((st, H.err(b)[1]), (400, "price_fen"), b)

    def test_door_delivery_for_special_needs(self):
        r = new_round()
        hid = household()
        st, hh = H.as_user("gw01", "GET", "/api/v1/households/%d" % hid)
        self.assertEqual(st, 200, hh)
        rid_ = hh["residents"][0]["id"]
        st, b = H.as_user("gw01", "PATCH", "/api/v1/residents/%d" % rid_, {"flags": ["lives_alone"]})
        self.assertEqual(st, 200, b)
        o = order(r["id"], hid)
        self.assertTrue(o["door"])
        self.assertIn("lives_alone", o["door_reason"])

    def test_slot_capacity(self):
        b01 = None
        st, kids = H.as_user("secretary", "GET", "/api/v1/units/%s/children" % POP["gw01"])
        self.assertEqual(st, 200, kids)
        b01 = [k for k in kids["items"] if k["kind"] == "building"][0]["code"]
        r = new_round(slots=[{"unit": b01, "starts": when(20), "ends": when(21), "capacity": 1}])
        slot = r["slots"][0]["id"]
        hs = [h["id"] for h in H.list_all("gw01", "/api/v1/households?unit=%s" % b01) if h["id"] not in USED][:2]
        USED.update(hs)
        items = [{"package_id": POP["packages"][1], "qty": 1}]
        st, b = H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"],
                          {"household_id": hs[0], "items": items, "payment": "online", "slot_id": slot})
        self.assertEqual(st, 201, b)
        st, b = H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"],
                          {"household_id": hs[1], "items": items, "payment": "online", "slot_id": slot})
        self.assertEqual((st, H.err(b)), (409, ("slot_full", "slot_id")), b)


class States(unittest.TestCase):
    def test_states_only_in_order_and_resting_timer(self):
        r = new_round(rest=120)
        o = order(r["id"], household())
        oid = o["id"]
        st, b = step(oid, "at_door")
        self.assertEqual((st, H.err(b)), (409, ("state_order", "to")), b)
        self.assertIn("已付款", b["error"]["message"])
        st, b = step(oid, "flying")
        self.assertEqual((st, H.err(b)), (400, ("invalid_state", "to")))
        for to in ("paid", "received", "disinfected"):
            st, b = step(oid, to)
            self.assertEqual(st, 200, b)
            self.assertEqual(b["state"], to)
        st, b = step(oid, "at_door")
        self.assertEqual((st, H.err(b)), (409, ("resting", "to")), b)
        self.assertIn("120", b["error"]["message"])
        # an hour later: still resting
        store_sql("UPDATE supply_orders SET disinfected_at = disinfected_at - 3600 WHERE id = %d" % oid)
        st, b = step(oid, "at_door")
        self.assertEqual((st, H.err(b)), (409, ("resting", "to")), b)
        # two hours after disinfection: released
        store_sql("UPDATE supply_orders SET disinfected_at = disinfected_at - 3600 WHERE id = %d" % oid)
        st, b = step(oid, "at_door")
        self.assertEqual(st, 200, b)
        st, b = step(oid, "delivered", handed_to="本人")
        self.assertEqual(st, 200, b)
        self.assertEqual(b["handed_to"], "本人")
        st, b = step(oid, "collected")
        self.assertEqual((st, H.err(b)), (409, ("state_order", "to")), b)
        # an order on its way can no longer be changed
        st, g = H.as_user("gw01", "GET", "/api/v1/supply/orders/%d" % oid)
        self.assertEqual([h["to"] for h in g["history"]],
                         ["ordered", "paid", "received", "disinfected", "at_door", "delivered"])

    def test_rest_setting_and_bulk_advance(self):
        r = new_round(rest=0)
        ids = [order(r["id"], household())["id"] for _ in range(3)]
        unit = POP["gw01"]
        for to in ("paid", "received", "disinfected", "at_door"):
            st, b = H.as_user("vol01", "POST", "/api/v1/supply/rounds/%d/advance" % r["id"], {"unit": unit, "to": to})
            self.assertEqual(st, 200, b)
            self.assertEqual(b["moved"], 3, b)
        st, b = H.as_user("vol01", "POST", "/api/v1/supply/rounds/%d/advance" % r["id"], {"unit": unit, "to": "delivered"})
        self.assertEqual((st, H.err(b)), (400, ("one_by_one", "to")))
        for oid in ids:
            self.assertEqual(step(oid, "collected")[0], 200)
        st, rr = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % r["id"])
        self.assertEqual(rr["figures"]["by_state"]["collected"], 3)
        # the resting time holds for a bulk move too
        r = new_round(rest=120)
        order(r["id"], household())
        for to in ("paid", "received", "disinfected"):
            H.as_user("vol01", "POST", "/api/v1/supply/rounds/%d/advance" % r["id"], {"unit": unit, "to": to})
        st, b = H.as_user("vol01", "POST", "/api/v1/supply/rounds/%d/advance" % r["id"], {"unit": unit, "to": "at_door"})
        self.assertEqual((st, b["moved"], b["resting"]), (200, 0, 1), b)

    def test_concurrent_steps_leave_each_order_in_one_state(self):
        r = new_round(rest=0)
        ids = [order(r["id"], household())["id"] for _ in range(6)]
        results = []
        lock = threading.Lock()

        def worker(who, to):
            for oid in ids:
                st, _ = step(oid, to, who=who)
                with lock:
                    results.append((oid, to, st))

        H.login("vol01")
        H.login("gw01")
        ts = [threading.Thread(target=worker, args=(w, "paid")) for w in ("vol01", "gw01", "vol01", "gw01")]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for oid in ids:
            wins = [x for x in results if x[0] == oid and x[2] == 200]
            self.assertEqual(len(wins), 1, results)
            self.assertTrue(all(x[2] in (200, 409) for x in results if x[0] == oid))
        st, rr = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % r["id"])
        self.assertEqual(rr["figures"]["by_state"]["paid"], 6)
        self.assertEqual(sum(rr["figures"]["by_state"].values()), 6)
        for oid in ids:
            st, g = H.as_user("gw01", "GET", "/api/v1/supply/orders/%d" % oid)
            self.assertEqual([h["to"] for h in g["history"]], ["ordered", "paid"])


class Errands(unittest.TestCase):
    def test_ledger_balances_before_close(self):
        hid = household()
        st, b = H.as_user("gw01", "POST", "/api/v1/errands", {"household_id": hid, "kind": "medicine", "medicine": "硝苯地平缓释片"})
        self.assertEqual((st, H.err(b)), (400, ("required", "dose")))
        cid = client_id()
        body = {"household_id": hid, "kind": "medicine", "medicine": "硝苯地平缓释片", "dose": "每日2次",
                "hospital": "武汉市第九医院", "every_days": 14, "assignee": "gw01", "client_id": cid}
        st, e = H.as_user("gw01", "POST", "/api/v1/errands", body)
        self.assertEqual(st, 201, e)
        st, again = H.as_user("gw01", "POST", "/api/v1/errands", body)
        self.assertEqual((st, again["id"]), (200, e["id"]))
        eid = e["id"]
        path = "/api/v1/errands/%d/ledger" % eid
        self.assertEqual(H.as_user("gw01", "POST", path, {"kind": "received", "amount_fen": 10000})[0], 201)
        st, b = H.as_user("gw01", "POST", path, {"kind": "spent", "amount_fen": 8650})
        self.assertEqual((st, H.err(b)), (400, ("required", "receipt")))
        st, b = H.as_user("gw01", "POST", path, {"kind": "spent", "amount_fen": 86.5, "receipt": "X1"})
        self.assertEqual((st, H.err(b)[1]), (400, "amount_fen"))
        st, b = H.as_user("gw01", "POST", path, {"kind": "spent", "amount_fen": 8650, "receipt": "YF20200213-01"})
        self.assertEqual((st, b.get("balance_fen")), (201, 1350), b)
        st, b = H.as_user("gw01", "POST", "/api/v1/errands/%d/close" % eid, {})
        self.assertEqual((st, H.err(b)), (409, ("ledger_not_balanced", "ledger")), b)
        self.assertIn("¥13.50", b["error"]["message"])
        st, b = H.as_user("gw01", "POST", path, {"kind": "returned", "amount_fen": 1351})
        self.assertEqual((st, H.err(b)), (409, ("over_balance", "amount_fen")), b)
        st, b = H.as_user("gw01", "POST", path, {"kind": "returned", "amount_fen": 1350, "note": "找零交还"})
        self.assertEqual((st, b["balance_fen"]), (201, 0))
        st, b = H.as_user("gw01", "POST", "/api/v1/errands/%d/close" % eid, {})
        self.assertEqual((st, b["state"]), (200, "closed"), b)
        self.assertEqual([x["kind"] for x in b["ledger"]], ["received", "spent", "returned"])
        st, b = H.as_user("gw01", "POST", path, {"kind": "received", "amount_fen": 100})
        self.assertEqual((st, H.err(b)[0]), (409, "errand_closed"))
        st, reg = H.as_user("gw01", "GET", "/api/v1/errands/medicine?unit=%s" % POP["gw01"])
        self.assertEqual(st, 200, reg)
        mine = [x for x in reg["items"] if x["household_id"] == hid]
        self.assertEqual(mine[0]["every_days"], 14)
        self.assertIsNotNone(mine[0]["next_due"])

    def test_cash_in_hand_to_the_fen(self):
        hid = household()
        st, e = H.as_user("gw01", "POST", "/api/v1/errands", {"household_id": hid, "kind": "gas", "detail": "燃气卡充值200元"})
        self.assertEqual(st, 201, e)
        H.as_user("gw01", "POST", "/api/v1/errands/%d/ledger" % e["id"], {"kind": "received", "amount_fen": 20001})
        H.as_user("gw01", "POST", "/api/v1/errands/%d/ledger" % e["id"],
                  {"kind": "spent", "amount_fen": 20000, "receipt": "GAS-1"})
        # every ledger entry of the community, summed per person
        want = {}
        items = H.list_all("secretary", "/api/v1/errands?unit=%s" % H.COMMUNITY) \
            if False else self._all_errands()
        for x in items:
            st, full = H.as_user("secretary", "GET", "/api/v1/errands/%d" % x["id"])
            self.assertEqual(st, 200, full)
            for l in full["ledger"]:
                sign = 1 if l["kind"] == "received" else -1
                want[l["by"]] = want.get(l["by"], 0) + sign * l["amount_fen"]
        # and the cash of the round orders paid in cash: received when marked paid, less refunds
        st, rounds = H.as_user("secretary", "GET", "/api/v1/supply/rounds?unit=%s" % H.COMMUNITY)
        for r in rounds["items"]:
            st, sheet = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d/orders" % r["id"])
            self.assertEqual(st, 200, sheet)
            for o in sheet["items"]:
                if o["payment"] != "cash" or o["state"] in ("ordered", "cancelled"):
                    continue
                st, full = H.as_user("secretary", "GET", "/api/v1/supply/orders/%d" % o["id"])
                self.assertTrue(full["cash"], full)
                for c in full["cash"]:
                    sign = 1 if c["kind"] == "received" else -1
                    want[c["holder"]] = want.get(c["holder"], 0) + sign * c["amount_fen"]
        st, cash = H.as_user("secretary", "GET", "/api/v1/errands/cash?unit=%s" % H.COMMUNITY)
        self.assertEqual(st, 200, cash)
        got = {p["user"]: p["in_hand_fen"] for p in cash["items"]}
        self.assertEqual(got, want)
        for p in cash["items"]:
            self.assertEqual(p["in_hand_fen"], p["received_fen"] - p["spent_fen"] - p["returned_fen"])
        self.assertEqual(cash["in_hand_fen"], sum(want.values()))
        self.assertGreaterEqual(got["gw01"], 1)

    def _all_errands(self):
        out, offset = [], 0
        while True:
            st, b = H.as_user("secretary", "GET", "/api/v1/errands?unit=%s&limit=500&offset=%d" % (H.COMMUNITY, offset))
            self.assertEqual(st, 200, b)
            out += b["items"]
            if len(b["items"]) < 500:
                return out
            offset += 500

    def test_bad_errand_input(self):
        hid = household()
        for body, field in [({"household_id": hid, "kind": "gold", "detail": "x"}, "kind"),
                            ({"household_id": hid, "kind": "water"}, "detail"),
                            ({"household_id": hid, "kind": "water", "detail": "x", "assignee": "gw02"}, "assignee"),
                            ({"household_id": hid, "kind": "water", "detail": "x", "every_days": 400}, "every_days")]:
            st, b = H.as_user("gw01", "POST", "/api/v1/errands", body)
            self.assertEqual((st, H.err(b)[1]), (400, field), b)


class Scope(unittest.TestCase):
    def test_other_grid_and_roles(self):
        r = new_round()
        hid = household("gw01")
        o = order(r["id"], hid)
        st, e = H.as_user("gw01", "POST", "/api/v1/errands", {"household_id": hid, "kind": "water", "detail": "桶装水"})
        self.assertEqual(st, 201, e)
        # gw02 works another grid: the records of gw01's grid do not exist for it
        for method, path, body in [
            ("GET", "/api/v1/supply/orders/%d" % o["id"], None),
            ("POST", "/api/v1/supply/orders/%d/state" % o["id"], {"to": "paid"}),
            ("GET", "/api/v1/errands/%d" % e["id"], None),
            ("POST", "/api/v1/errands/%d/ledger" % e["id"], {"kind": "received", "amount_fen": 1}),
            ("POST", "/api/v1/errands/%d/close" % e["id"], {}),
            ("GET", "/api/v1/supply/households/%d" % hid, None),
            ("GET", "/api/v1/errands/cash?unit=%s" % POP["gw01"], None),
            ("GET", "/api/v1/errands/medicine?unit=%s" % POP["gw01"], None),
            ("GET", "/api/v1/errands?unit=%s" % POP["gw01"], None),
            ("GET", "/api/v1/supply/rounds/%d/picking?unit=%s" % (r["id"], POP["gw01"]), None),
            ("GET", "/api/v1/supply/rounds/%d/orders?unit=%s" % (r["id"], POP["gw01"]), None),
            ("POST", "/api/v1/supply/rounds/%d/advance" % r["id"], {"unit": POP["gw01"], "to": "paid"}),
            ("POST", "/api/v1/supply/rounds/%d/orders" % r["id"],
             {"household_id": household("gw01"), "items": [{"package_id": POP["packages"][0], "qty": 1}], "payment": "cash"}),
            ("POST", "/api/v1/errands", {"household_id": household("gw01"), "kind": "water", "detail": "x"}),
        ]:
            st, b = H.as_user("gw02", method, path, body)
            self.assertEqual(st, 404, (method, path, b))
        # gw02's own delivery sheet of the round holds none of gw01's orders
        st, b = H.as_user("gw02", "GET", "/api/v1/supply/rounds/%d/orders" % r["id"])
        self.assertEqual(st, 200, b)
        self.assertNotIn(o["id"], [x["id"] for x in b["items"]])
        # the auditor touches no supplies; a volunteer places no orders; a grid worker makes no rounds
        for method, path, body in [("GET", "/api/v1/supply/rounds", None), ("GET", "/api/v1/errands", None),
                                   ("GET", "/api/v1/errands/cash", None), ("GET", "/api/v1/supply/suppliers", None),
                                   ("GET", "/api/v1/supply/rounds/%d/orders" % r["id"], None)]:
            self.assertEqual(H.as_user("auditor", method, path, body)[0], 403, path)
        self.assertEqual(H.as_user("vol01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"],
                                   {"household_id": hid, "items": [], "payment": "cash"})[0], 403)
        self.assertEqual(H.as_user("gw01", "POST", "/api/v1/supply/rounds",
                                   {"unit": POP["gw01"], "name": "x", "cutoff": when(3), "packages": POP["packages"]})[0], 403)
        self.assertEqual(H.as_user("gw01", "POST", "/api/v1/supply/suppliers", {"unit": H.COMMUNITY, "name": "x"})[0], 403)

    def test_audited_without_values(self):
        r = new_round()
        o = order(r["id"], household())
        H.as_user("gw01", "GET", "/api/v1/supply/rounds/%d/orders?unit=%s" % (r["id"], POP["gw01"]))
        rows = H.audit_rows(entity="supply_order")
        self.assertTrue(any(x["entity_id"] in (o["id"], str(o["id"])) and x["action"] == "create" for x in rows), rows[:3])
        rows = H.audit_rows(entity="supply_sheet")
        self.assertTrue(rows)
        for x in H.audit_rows(limit=200):
            self.assertIsNone(H.ID_RE.search(str(x)))
            self.assertIsNone(H.PHONE_RE.search(str(x)))


class HouseholdLink(unittest.TestCase):
    def test_resident_orders_and_asks_by_link(self):
        r = new_round()
        hid = household()
        st, b = H.as_user("gw01", "POST", "/api/v1/households/%d/link" % hid, {})
        self.assertEqual(st, 201, b)
        hdr = {"X-Household-Token": b["token"]}
        st, page = H.call("GET", "/api/v1/household-link/supply", headers=hdr)
        self.assertEqual(st, 200, page)
        self.assertIn(r["id"], [x["id"] for x in page["rounds"]])
        items = [{"package_id": POP["packages"][1], "qty": 2}]
        st, o = H.call("POST", "/api/v1/household-link/supply/rounds/%d/orders" % r["id"],
                       {"items": items, "payment": "online", "client_id": client_id()}, headers=hdr)
        self.assertEqual(st, 201, o)
        self.assertEqual(o["household_id"], hid)
        # the link reaches only its own household
        st, b = H.call("POST", "/api/v1/household-link/supply/rounds/%d/orders" % r["id"],
                       {"household_id": household(), "items": items, "payment": "online"}, headers=hdr)
        self.assertEqual((st, H.err(b)), (400, ("unknown_field", "household_id")))
        st, e = H.call("POST", "/api/v1/household-link/errands",
                       {"kind": "medicine", "medicine": "二甲双胍片", "dose": "每日3次"}, headers=hdr)
        self.assertEqual(st, 201, e)
        st, page = H.call("GET", "/api/v1/household-link/supply", headers=hdr)
        self.assertEqual([x["id"] for x in page["orders"]][:1], [o["id"]])
        self.assertEqual(page["errands"][0]["id"], e["id"])
        st, b = H.call("GET", "/api/v1/household-link/supply", headers={"X-Household-Token": "0" * 32})
        self.assertEqual(st, 404)
        # the worker sees the same on the household's page
        st, hp = H.as_user("gw01", "GET", "/api/v1/supply/households/%d" % hid)
        self.assertEqual(st, 200, hp)
        self.assertEqual(hp["orders"][0]["id"], o["id"])


class AidAndMerchants(unittest.TestCase):
    def test_hardship_fund_within_budget(self):
        st, f = H.as_user("secretary", "POST", "/api/v1/aid/funds",
                          {"unit": H.COMMUNITY, "name": "困难家庭救助金", "budget_fen": 30000})
        self.assertEqual(st, 201, f)
        a, b = household(), household()
        path = "/api/v1/aid/funds/%d/grants" % f["id"]
        st, g = H.as_user("gw01", "POST", path, {"household_id": a, "amount_fen": 20000, "what": "米面油一份"})
        self.assertEqual((st, g["left_fen"], g["households"]), (201, 10000, 1), g)
        st, g = H.as_user("gw01", "POST", path, {"household_id": b, "amount_fen": 10001, "what": "蔬菜"})
        self.assertEqual((st, H.err(g)), (409, ("over_budget", "amount_fen")), g)
        st, g = H.as_user("gw01", "POST", path, {"household_id": b, "amount_fen": 10000, "what": "蔬菜"})
        self.assertEqual((st, g["left_fen"]), (201, 0))
        self.assertEqual([x["amount_fen"] for x in g["grants"]], [20000, 10000])
        # another grid's worker reaches neither the households nor their grants
        st, x = H.as_user("gw02", "POST", path, {"household_id": household(), "amount_fen": 1, "what": "x"})
        self.assertEqual(st, 404, x)
        st, lst = H.as_user("gw02", "GET", "/api/v1/aid")
        mine = [x for x in lst["items"] if x["id"] == f["id"]]
        self.assertEqual(mine[0]["grants"], [])
        for body, field in [({"household_id": a, "amount_fen": 0, "what": "x"}, "amount_fen"),
                            ({"household_id": a, "amount_fen": 100}, "what")]:
            st, x = H.as_user("gw01", "POST", path, body)
            self.assertEqual((st, H.err(x)[1]), (400, field), x)
        self.assertEqual(H.as_user("auditor", "GET", "/api/v1/aid")[0], 403)

    def test_merchants_price_board_and_card(self):
        st, m = H.as_user("secretary", "POST", "/api/v1/merchants",
                          {"unit": H.COMMUNITY, "name": "青和居便民超市", "phone": "02786112233", "address": "3栋底商"})
        self.assertEqual(st, 201, m)
        st, c = H.as_user("secretary", "POST", "/api/v1/merchants/caps",
                          {"unit": H.COMMUNITY, "class": "蔬菜", "max_markup_pct": 15})
        self.assertEqual(st, 200, c)
        path = "/api/v1/merchants/%d/prices" % m["id"]
        st, b = H.as_user("gw01", "POST", path, {"product": "胡萝卜（斤）", "class": "蔬菜", "price_fen": 345, "reference_fen": 300})
        self.assertEqual((st, b.get("breaches")), (201, 0), b)
        st, b = H.as_user("gw01", "POST", path, {"product": "白菜（斤）", "class": "蔬菜", "price_fen": 346, "reference_fen": 300})
        self.assertEqual((st, b["breaches"]), (201, 1), b)
        self.assertEqual({x["product"]: x["breach"] for x in b["board"]}, {"胡萝卜（斤）": False, "白菜（斤）": True})
        st, b = H.as_user("vol01", "POST", "/api/v1/merchants/%d/complaints" % m["id"], {"note": "白菜涨价"})
        self.assertEqual((st, len(b["complaints"])), (201, 1))
        st, b = H.as_user("gw01", "POST", path, {"product": "x", "class": "蔬菜", "price_fen": 1.5, "reference_fen": 1})
        self.assertEqual((st, H.err(b)[1]), (400, "price_fen"))
        st, card = H.as_user("gw02", "GET", "/api/v1/merchants/card")
        self.assertEqual(st, 200)
        self.assertIn("青和居便民超市".encode(), card)
        self.assertIn(b"02786112233", card)
        self.assertEqual(H.as_user("gw01", "POST", "/api/v1/merchants", {"unit": H.COMMUNITY, "name": "y", "phone": "1"})[0], 403)
        self.assertEqual(H.as_user("auditor", "GET", "/api/v1/merchants")[0], 403)


class LiyuanDemo(unittest.TestCase):
    def test_liyuan_has_its_merchants_and_meals(self):
        path = os.path.join(H.tmpdir(), "liyuan.db")
        r = H.run_cli("demo", "--db", path, "--preset", "liyuan", "--households", "800", "--seed", "7")
        self.assertEqual(r.returncode, 0, r.stderr)
        con = sqlite3.connect(path)
        try:
            self.assertEqual(con.execute("SELECT count(*) FROM merchants").fetchone()[0], 12)
            self.assertEqual(con.execute("SELECT count(*), min(every_days), max(every_days) FROM errands WHERE kind = 'meal'").fetchone(),
                             (5, 1, 1))
            # the meals go to households with someone living alone
            self.assertEqual(con.execute("SELECT count(*) FROM errands e WHERE e.kind = 'meal' AND NOT EXISTS"
                                         " (SELECT 1 FROM residents r WHERE r.household_id = e.household_id AND (r.flags & 1) <> 0)").fetchone()[0], 0)
        finally:
            con.close()


if __name__ == "__main__":
    unittest.main()
