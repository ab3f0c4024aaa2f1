"""Editing what a secretary set up (docs/api.md 12.1 and 13.1): PATCH of a supplier, a
package and a gate — the fields given, each refused by name as on create, the tree's roles
only, in the editor's subtree (another community's record is not found; one of a unit above,
seen from a grid, is refused 403), audited with the fields' names and never their values.
What a household bought stays as bought: a package's price and contents do not change while
a round still taking orders has an order of it (409 package_ordered, naming the field), and
change after the cut-off for the next round, the orders keeping their own price; a package
offered in a round keeps its supplier.  A gate's edits leave its passages and the gates
merged into it as they were (and it keeps people among its kinds while any are).

One server for the module: the qinghe demo (300 households), a second community beside it
with its own secretary, and a community account bound to grid 1."""
import datetime
import unittest

import harness as H

CHINA = datetime.timezone(datetime.timedelta(hours=8))
C2 = "420107003901"
POP = {}
SEQ = {"n": 0}


def setUpModule():
    H.start(households=300, setup=_load)


def tearDownModule():
    H.stop()


def _load():
    st, b = H.as_user("admin", "POST", "/api/v1/units",
                      {"code": C2, "parent_code": "420107003", "kind": "community", "name": "第二社区"})
    assert st == 201, b
    H.add_user("sec-c2", "community", C2, by="cli")
    H.add_user("tree-g1", "community", H.G1, by="cli")
    st, b = H.as_user("gw01", "GET", "/api/v1/session")
    assert st == 200, b
    code = b["unit_code"] if "unit_code" in b else b["user"]["unit_code"]
    POP["hh"] = [h["id"] for h in H.list_all("gw01", "/api/v1/households?unit=%s" % code)]


def seq():
    SEQ["n"] += 1
    return SEQ["n"]


def when(hours):
    t = datetime.datetime.now(CHINA) + datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%d %H:%M")


def created(st, b, what):
    if st != 201:
        raise AssertionError("POST %s: %s %s" % (what, st, b))
    return b


def supplier(unit=H.COMMUNITY, user="secretary", **kw):
    body = dict({"unit": unit, "name": "编辑测试供应商%d" % seq(), "contact": "周经理", "phone": "13907130001"}, **kw)
    return created(*H.as_user(user, "POST", "/api/v1/supply/suppliers", body), "supplier")


def package(sup, unit=H.COMMUNITY, user="secretary", **kw):
    body = dict({"unit": unit, "supplier_id": sup["id"], "name": "编辑测试套餐%d" % seq(), "contents": "土豆2斤",
                 "price_fen": 3900}, **kw)
    return created(*H.as_user(user, "POST", "/api/v1/supply/packages", body), "package")


def new_round(pkgs, opens=-1, cutoff=10):
    body = {"unit": H.COMMUNITY, "name": "编辑测试批次%d" % seq(), "opens": when(opens), "cutoff": when(cutoff),
            "packages": [p["id"] for p in pkgs]}
    return created(*H.as_user("secretary", "POST", "/api/v1/supply/rounds", body), "round")


def order(round_id, pkg, qty=1):
    body = {"household_id": POP["hh"][seq()], "items": [{"package_id": pkg["id"], "qty": qty}], "payment": "cash"}
    return created(*H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % round_id, body), "order")


def gate(unit=H.COMMUNITY, user="secretary", **kw):
    body = dict({"unit": unit, "name": "编辑测试%d号门" % seq()}, **kw)
    return created(*H.as_user(user, "POST", "/api/v1/gates", body), "gate")


def patch(path, body, user="secretary"):
    return H.as_user(user, "PATCH", "/api/v1" + path, body)


class Base(unittest.TestCase):
    def assertErr(self, res, status, code=None, field=None):
        st, b = res
        self.assertEqual(st, status, b)
        if code:
            self.assertEqual(H.err(b)[0], code, b)
        if field:
            self.assertEqual(H.err(b)[1], field, b)
        return b

    def refusals(self, path, cases):
        """Each (body, code, field) refused 400 naming its field, and nothing changed."""
        for body, code, field in cases:
            with self.subTest(body=body):
                self.assertErr(patch(path, body), 400, code, field)

    def audited(self, entity, entity_id, fields, values):
        rows = [r for r in H.audit_rows(entity=entity) if str(r["entity_id"]) == str(entity_id)
                and r["action"] == "update"]
        self.assertTrue(rows, "no update audited for %s %s" % (entity, entity_id))
        self.assertEqual(rows[0]["fields"], fields)
        self.assertEqual((rows[0]["username"], rows[0]["outcome"]), ("secretary", "ok"))
        for v in values:
            self.assertNotIn(v, str(rows))


class Suppliers(Base):
    def test_phone_corrected_and_the_rest_kept(self):
        s = supplier(note="每天早上8点送货")
        st, b = patch("/supply/suppliers/%d" % s["id"], {"phone": "027-86781234"})
        self.assertEqual(st, 200, b)
        self.assertEqual((b["phone"], b["name"], b["contact"], b["note"]), ("027-86781234", s["name"], "周经理", "每天早上8点送货"))
        st, lst = H.as_user("secretary", "GET", "/api/v1/supply/suppliers?unit=%s" % H.COMMUNITY)
        self.assertEqual([x for x in lst["items"] if x["id"] == s["id"]], [b])
        # null (or "") clears an optional field; the name is never cleared
        st, b = patch("/supply/suppliers/%d" % s["id"], {"contact": None, "note": "", "name": s["name"] + "（新）"})
        self.assertEqual(st, 200, b)
        self.assertEqual((b["contact"], b["note"], b["name"]), (None, None, s["name"] + "（新）"))
        self.audited("supplier", s["id"], "contact,note,name", ["周经理", "86781234"])

    def test_each_field_refused_by_name(self):
        s = supplier()
        other = supplier()
        self.refusals("/supply/suppliers/%d" % s["id"], [
            ({"name": ""}, "required", "name"),
            ({"name": None}, "required", "name"),
            ({"name": "长" * 41}, "too_long", "name"),
            ({"name": 7}, "wrong_type", "name"),
            ({"name": "坏\u0001名"}, "invalid_text", "name"),
            ({"contact": "长" * 41}, "too_long", "contact"),
            ({"contact": ["周"]}, "wrong_type", "contact"),
            ({"phone": "1390713000x"}, "invalid_phone", "phone"),
            ({"phone": "139--0713"}, "invalid_phone", "phone"),
            ({"phone": "1" * 21}, "too_long", "phone"),
            ({"note": "长" * 201}, "too_long", "note"),
            ({"unit": C2}, "unknown_field", "unit"),
        ])
        self.assertErr(patch("/supply/suppliers/%d" % s["id"], {"name": other["name"]}), 409, "duplicate_supplier", "name")
        st, b = H.call("PATCH", "/api/v1/supply/suppliers/%d" % s["id"], raw=b'{"name": "\xff\xfe"}',
                       token=H.login("secretary"))
        self.assertEqual(st, 400, b)
        self.assertErr(patch("/supply/suppliers/999999", {"name": "x"}), 404, "supplier_not_found")
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/suppliers?unit=%s" % H.COMMUNITY)
        self.assertEqual([x for x in b["items"] if x["id"] == s["id"]], [s])  # nothing changed

    def test_the_create_refuses_a_bad_phone_too(self):
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/supply/suppliers",
                                 {"unit": H.COMMUNITY, "name": "坏电话", "phone": "call me"}), 400, "invalid_phone", "phone")
        for phone in ("400-820-8820", "95588", "+86 139 0713 0001", "027 8678 1234"):
            self.assertEqual(supplier(phone=phone)["phone"], phone)

    def test_scope_and_roles(self):
        s = supplier()
        theirs = supplier(unit=C2, user="sec-c2")
        self.assertErr(patch("/supply/suppliers/%d" % s["id"], {"name": "x"}, user="sec-c2"), 404, "supplier_not_found")
        self.assertErr(patch("/supply/suppliers/%d" % theirs["id"], {"name": "x"}), 404, "supplier_not_found")
        self.assertErr(patch("/supply/suppliers/%d" % s["id"], {"name": "x"}, user="tree-g1"), 403, "not_yours")
        for who in ("gw01", "vol01", "checkpoint", "auditor"):
            self.assertEqual(patch("/supply/suppliers/%d" % s["id"], {"name": "x"}, user=who)[0], 403, who)
        st, b = patch("/supply/suppliers/%d" % theirs["id"], {"phone": "13907139999"}, user="sec-c2")
        self.assertEqual((st, b.get("phone")), (200, "13907139999"), b)
        st, b = patch("/supply/suppliers/%d" % s["id"], {"note": "区里改的"}, user="admin")
        self.assertEqual((st, b.get("note")), (200, "区里改的"), b)


class Packages(Base):
    def test_price_contents_and_name_edited(self):
        p = package(supplier())
        st, b = patch("/supply/packages/%d" % p["id"], {"price_fen": 4250, "contents": "土豆3斤、白菜1颗"})
        self.assertEqual(st, 200, b)
        self.assertEqual((b["price_fen"], b["price"], b["contents"], b["name"], b["supplier_id"]),
                         (4250, "¥42.50", "土豆3斤、白菜1颗", p["name"], p["supplier_id"]))
        st, lst = H.as_user("secretary", "GET", "/api/v1/supply/packages?unit=%s" % H.COMMUNITY)
        self.assertEqual([x for x in lst["items"] if x["id"] == p["id"]], [b])
        other = supplier()
        st, b = patch("/supply/packages/%d" % p["id"], {"supplier_id": other["id"], "contents": None})
        self.assertEqual((st, b.get("supplier"), b.get("contents")), (200, other["name"], None), b)
        self.audited("package", p["id"], "supplier_id,contents", ["4250", "土豆"])

    def test_each_field_refused_by_name(self):
        sup = supplier()
        p = package(sup)
        other = package(sup)
        theirs = supplier(unit=C2, user="sec-c2")
        self.refusals("/supply/packages/%d" % p["id"], [
            ({"price_fen": 0}, "out_of_range", "price_fen"),
            ({"price_fen": 10000001}, "out_of_range", "price_fen"),
            ({"price_fen": 9.5}, "wrong_type", "price_fen"),
            ({"price_fen": "39"}, "wrong_type", "price_fen"),
            ({"price_fen": None}, "required", "price_fen"),
            ({"name": ""}, "required", "name"),
            ({"name": "长" * 41}, "too_long", "name"),
            ({"contents": "长" * 401}, "too_long", "contents"),
            ({"contents": "坏\u0007"}, "invalid_text", "contents"),
            ({"supplier_id": 0}, "out_of_range", "supplier_id"),
            ({"supplier_id": "1"}, "wrong_type", "supplier_id"),
            ({"unit": H.COMMUNITY}, "unknown_field", "unit"),
        ])
        self.assertErr(patch("/supply/packages/%d" % p["id"], {"supplier_id": 999999}), 404, "supplier_not_found", "supplier_id")
        self.assertErr(patch("/supply/packages/%d" % p["id"], {"supplier_id": theirs["id"]}), 404, "supplier_not_found", "supplier_id")
        self.assertErr(patch("/supply/packages/%d" % p["id"], {"name": other["name"]}), 409, "duplicate_package", "name")
        self.assertErr(patch("/supply/packages/999999", {"name": "x"}), 404, "package_not_found")
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/packages?unit=%s" % H.COMMUNITY)
        self.assertEqual([x for x in b["items"] if x["id"] == p["id"]], [p])

    def test_scope_and_roles(self):
        p = package(supplier())
        theirs = package(supplier(unit=C2, user="sec-c2"), unit=C2, user="sec-c2")
        self.assertErr(patch("/supply/packages/%d" % p["id"], {"price_fen": 1}, user="sec-c2"), 404, "package_not_found")
        self.assertErr(patch("/supply/packages/%d" % theirs["id"], {"price_fen": 1}), 404, "package_not_found")
        self.assertErr(patch("/supply/packages/%d" % p["id"], {"price_fen": 1}, user="tree-g1"), 403, "not_yours")
        for who in ("gw01", "vol01", "checkpoint", "auditor"):
            self.assertEqual(patch("/supply/packages/%d" % p["id"], {"price_fen": 1}, user=who)[0], 403, who)
        st, b = patch("/supply/packages/%d" % p["id"], {"price_fen": 100})
        self.assertEqual((st, b.get("price_fen")), (200, 100), b)

    def test_price_holds_while_a_round_taking_orders_has_orders(self):
        p = package(supplier())
        r = new_round([p])
        # offered, nobody ordered yet: the price may still change, for the whole round
        st, b = patch("/supply/packages/%d" % p["id"], {"price_fen": 4100})
        self.assertEqual(st, 200, b)
        o = order(r["id"], p, qty=2)
        self.assertEqual(o["total_fen"], 8200)
        e = self.assertErr(patch("/supply/packages/%d" % p["id"], {"price_fen": 4500}), 409, "package_ordered", "price_fen")
        self.assertIn(r["name"], e["error"]["message"])
        self.assertIn("1户", e["error"]["message"])
        self.assertErr(patch("/supply/packages/%d" % p["id"], {"contents": "土豆1斤"}), 409, "package_ordered", "contents")
        # the name is a label: it may change; the same price and contents sent again is no change
        st, b = patch("/supply/packages/%d" % p["id"], {"name": p["name"] + "（改名）", "price_fen": 4100, "contents": "土豆2斤"})
        self.assertEqual((st, b.get("name")), (200, p["name"] + "（改名）"), b)
        # after the cut-off the price changes, for what is ordered from now on; the order keeps its own
        st, b = H.as_user("secretary", "POST", "/api/v1/supply/rounds/%d/close" % r["id"], {})
        self.assertEqual(st, 200, b)
        st, b = patch("/supply/packages/%d" % p["id"], {"price_fen": 4500, "contents": "土豆3斤"})
        self.assertEqual((st, b.get("price_fen")), (200, 4500), b)
        st, again = H.as_user("gw01", "GET", "/api/v1/supply/orders/%d" % o["id"])
        self.assertEqual(st, 200, again)
        self.assertEqual((again["total_fen"], [(i["qty"], i["price_fen"]) for i in again["items"]]), (8200, [(2, 4100)]))
        r2 = new_round([p])
        self.assertEqual(order(r2["id"], p, qty=2)["total_fen"], 9000)

    def test_a_cancelled_order_does_not_hold_the_price(self):
        p = package(supplier())
        r = new_round([p])
        o = order(r["id"], p)
        st, b = H.as_user("gw01", "POST", "/api/v1/supply/rounds/%d/orders" % r["id"],
                          {"household_id": o["household_id"], "items": [{"package_id": p["id"], "qty": 0}], "payment": "cash"})
        self.assertEqual((st, b.get("state")), (200, "cancelled"), b)
        st, b = patch("/supply/packages/%d" % p["id"], {"price_fen": 100})
        self.assertEqual(st, 200, b)

    def test_a_package_offered_keeps_its_supplier(self):
        p = package(supplier())
        new_round([p], opens=1, cutoff=10)
        self.assertErr(patch("/supply/packages/%d" % p["id"], {"supplier_id": supplier()["id"]}), 409,
                       "package_in_rounds", "supplier_id")
        st, b = patch("/supply/packages/%d" % p["id"], {"supplier_id": p["supplier_id"], "price_fen": 100})
        self.assertEqual(st, 200, b)


class Gates(Base):
    def test_renamed_and_hours_changed(self):
        g = gate(hours="06:00-22:00")
        st, b = patch("/gates/%d" % g["id"], {"name": g["name"] + "（南）", "hours": "07:30-21:00", "kinds": ["people", "goods"]})
        self.assertEqual(st, 200, b)
        self.assertEqual((b["name"], b["hours"], b["kinds"], b["state"]), (g["name"] + "（南）", "07:30-21:00", ["people", "goods"], "open"))
        self.assertEqual(len(b["history"]), len(g["history"]))  # an edit is no change of state
        st, lst = H.as_user("secretary", "GET", "/api/v1/gates")
        self.assertEqual([x["name"] for x in lst["items"] if x["id"] == g["id"]], [b["name"]])
        st, b = patch("/gates/%d" % g["id"], {"hours": None})
        self.assertEqual((st, b.get("hours"), b.get("open_now")), (200, None, True), b)
        self.audited("gate", g["id"], "hours", [])

    def test_each_field_refused_by_name(self):
        g = gate()
        other = gate()
        self.refusals("/gates/%d" % g["id"], [
            ({"name": ""}, "required", "name"),
            ({"name": "长" * 41}, "too_long", "name"),
            ({"name": 1}, "wrong_type", "name"),
            ({"hours": "25:00-06:00"}, "invalid_hours", "hours"),
            ({"hours": "06:00-06:00"}, "invalid_hours", "hours"),
            ({"hours": "6点到22点"}, "invalid_hours", "hours"),
            ({"hours": "06:00-22:00:00"}, "too_long", "hours"),
            ({"kinds": []}, "invalid_kinds", "kinds"),
            ({"kinds": ["boats"]}, "invalid_kinds", "kinds"),
            ({"kinds": "people"}, "invalid_kinds", "kinds"),
            ({"state": "closed"}, "unknown_field", "state"),
            ({"unit": C2}, "unknown_field", "unit"),
        ])
        self.assertErr(patch("/gates/%d" % g["id"], {"name": other["name"]}), 409, "duplicate_gate", "name")
        self.assertErr(patch("/gates/999999", {"name": "x"}), 404, "gate_not_found")

    def test_scope_and_roles(self):
        g = gate()
        theirs = gate(unit=C2, user="sec-c2")
        self.assertErr(patch("/gates/%d" % g["id"], {"name": "x"}, user="sec-c2"), 404, "gate_not_found")
        self.assertErr(patch("/gates/%d" % theirs["id"], {"name": "x"}), 404, "gate_not_found")
        self.assertErr(patch("/gates/%d" % g["id"], {"name": "x"}, user="tree-g1"), 404, "gate_not_found")
        for who in ("gw01", "vol01", "checkpoint", "auditor"):
            self.assertEqual(patch("/gates/%d" % g["id"], {"name": "x"}, user=who)[0], 403, who)

    def test_passages_and_merges_survive_an_edit(self):
        g = gate()
        side = gate()
        st, b = H.as_user("secretary", "POST", "/api/v1/gates/%d/state" % side["id"],
                          {"state": "merged", "into": g["id"], "reason": "合并值守"})
        self.assertEqual(st, 200, b)
        v = {"kind": "courier", "name": "刘师傅", "phone": "13907130001", "company": "顺丰速运", "health_code": "green",
             "goods_only": True}
        st, p = H.as_user("checkpoint", "POST", "/api/v1/passages",
                          {"gate_id": g["id"], "direction": "in", "temperature": 36.5, "visitor": v})
        self.assertEqual(st, 201, p)
        st, b = patch("/gates/%d" % g["id"], {"name": g["name"] + "（合并后）", "hours": "00:00-24:00"})
        self.assertEqual(st, 200, b)
        st, lst = H.as_user("checkpoint", "GET", "/api/v1/passages?gate=%d" % g["id"])
        self.assertEqual([x["id"] for x in lst["items"]], [p["id"]])
        st, s = H.as_user("secretary", "GET", "/api/v1/gates")
        side_now = [x for x in s["items"] if x["id"] == side["id"]][0]
        self.assertEqual((side_now["state"], side_now["merged_into"]), ("merged", {"id": g["id"], "name": b["name"]}))
        # the gate others pass through keeps people among its kinds
        self.assertErr(patch("/gates/%d" % g["id"], {"kinds": ["goods"]}), 409, "gate_has_merged", "kinds")
        st, b = patch("/gates/%d" % side["id"], {"kinds": ["vehicles"]})
        self.assertEqual((st, b.get("kinds"), b.get("state")), (200, ["vehicles"], "merged"), b)


if __name__ == "__main__":
    unittest.main()
