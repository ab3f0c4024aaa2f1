"""Supplies through the API, the second round of issue 17 (docs/api.md "Supplies"): the
household page's pickup slots (only its building's, places left, full).

One server for the module: the qinghe demo with 300 households (seed 7)."""
import datetime
import unittest

import harness as H

CHINA = datetime.timezone(datetime.timedelta(hours=8))
POP = {}
SEQ = {"n": 0}
USED = set()


def setUpModule():
    H.start(households=300, setup=_load)


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
        today = [x for x in b["items"] if x["status"] == "open"][0]
        st, r = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % today["id"])
        self.assertTrue(r["slots"], r)
        self.assertEqual(len(r["slots"]) % 2, 0)
        self.assertTrue(all(s["capacity"] == 30 for s in r["slots"]))


if __name__ == "__main__":
    unittest.main()
