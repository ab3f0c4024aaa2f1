"""The grid tree (create, rename, move, retire, history) and accounts (create, password,
disable, sessions)."""
import unittest

import harness as H

C = H.COMMUNITY


def setUpModule():
    H.start()


def tearDownModule():
    H.stop()


def mk(code, parent, kind, name, user="secretary"):
    st, b = H.as_user(user, "POST", "/api/v1/units", {"code": code, "parent_code": parent, "kind": kind, "name": name})
    assert st == 201, b
    return b


def unit(code, user="secretary"):
    st, b = H.as_user(user, "GET", "/api/v1/units/" + code)
    assert st == 200, b
    return b


class Units(unittest.TestCase):
    def test_get_unit_with_counts_and_ancestors(self):
        u = unit(H.G1)
        self.assertEqual((u["code"], u["name"], u["kind"], u["parent_code"], u["retired"]),
                         (H.G1, "第一网格", "grid", C, False))
        self.assertEqual((u["units_below"], u["households"]), (4, 400))
        self.assertGreater(u["residents"], 500)
        self.assertEqual([a["code"] for a in u["ancestors"]], [C])  # only what the secretary sees
        self.assertEqual([a["code"] for a in unit(H.G1, "admin")["ancestors"]], ["4201", "420107", "420107003", C])
        self.assertEqual(u["history"][0]["action"], "create")

    def test_children(self):
        st, b = H.as_user("secretary", "GET", "/api/v1/units/%s/children" % C)
        self.assertEqual(st, 200)
        self.assertEqual([x["code"] for x in b["items"]][:2], [H.G1, H.G2])
        self.assertEqual(b["total"], len(b["items"]))
        st, b = H.as_user("secretary", "GET", "/api/v1/units/%s/children" % H.G1)
        self.assertEqual([x["code"] for x in b["items"]], [H.B01, H.B02])
        st, b = H.as_user("secretary", "GET", "/api/v1/units/%s/children" % H.E01)
        self.assertEqual((b["items"], b["total"]), ([], 0))

    def test_depth_is_parent_depth_plus_one(self):
        """BUG (demo): demo_build() gives buildings depth grid_depth+1 and entrances
        grid_depth+2 where grid_depth is one more than the grid's own depth, so a building
        (depth 6) sits under a grid of depth 4, an entrance (7) under it."""
        wrong = []
        for code in (H.G1, H.B01, H.E01, H.G2, H.B03, H.E03):
            u = unit(code, "admin")
            p = unit(u["parent_code"], "admin")
            if u["depth"] != p["depth"] + 1:
                wrong.append((code, u["depth"], u["parent_code"], p["depth"]))
        self.assertEqual(wrong, [])

    def test_create_child_and_its_rules(self):
        g = mk(C + "-G31", C, "grid", "第三十一网格")
        self.assertEqual((g["kind"], g["parent_code"], g["retired"]), ("grid", C, False))
        self.assertEqual(g["depth"], unit(C)["depth"] + 1)
        small = mk(C + "-G31-1", C + "-G31", "grid", "小网格")  # grids nest
        b = mk(C + "-B31", small["code"], "building", "31栋")
        mk(C + "-B31-U1", b["code"], "entrance", "1单元")
        self.assertEqual(unit(C + "-B31-U1")["depth"], g["depth"] + 3)
        cases = [
            ({"code": C + "-B31", "parent_code": C, "kind": "grid", "name": "重复"}, 409, "duplicate_code", "code"),
            ({"code": "has space", "parent_code": C, "kind": "grid", "name": "x"}, 400, "invalid_code", "code"),
            ({"code": "x" * 65, "parent_code": C, "kind": "grid", "name": "x"}, 400, "too_long", "code"),
            ({"code": "K1", "parent_code": C, "kind": "village", "name": "x"}, 400, "invalid_kind", "kind"),
            ({"code": "K1", "parent_code": C, "kind": "street", "name": "x"}, 400, "kind_not_allowed", "kind"),
            ({"code": "K1", "parent_code": C + "-B31-U1", "kind": "entrance", "name": "x"}, 400, "kind_not_allowed", "kind"),
            ({"code": "K1", "parent_code": C, "kind": "grid", "name": ""}, 400, "required", "name"),
            ({"code": "K1", "parent_code": C, "kind": "grid", "name": "名" * 101}, 400, "too_long", "name"),
            ({"code": "K1", "kind": "grid", "name": "x"}, 400, "required", "parent_code"),
            ({"code": "K1", "parent_code": "420107", "kind": "grid", "name": "x"}, 404, "unit_not_found", "parent_code"),
            ({"code": "K1", "parent_code": C, "kind": "grid", "name": "x", "level": 2}, 400, "unknown_field", "level"),
        ]
        for body, status, code, field in cases:
            st, b = H.as_user("secretary", "POST", "/api/v1/units", body)
            self.assertEqual((st, H.err(b)), (status, (code, field)), body)

    def test_rename_move_history(self):
        g = mk(C + "-G32", C, "grid", "第三十二网格")
        b = mk(C + "-B32", g["code"], "building", "32栋")
        e = mk(C + "-B32-U1", b["code"], "entrance", "1单元")
        st, x = H.as_user("secretary", "PATCH", "/api/v1/units/" + b["code"], {"name": "三十二栋"})
        self.assertEqual((st, x["name"]), (200, "三十二栋"))
        st, x = H.as_user("secretary", "PATCH", "/api/v1/units/" + b["code"], {"parent_code": H.G2})
        self.assertEqual((st, x["parent_code"]), (200, H.G2))
        self.assertEqual(x["depth"], unit(H.G2)["depth"] + 1)
        self.assertEqual(unit(e["code"])["depth"], x["depth"] + 1)  # the subtree moved along
        self.assertEqual([(h["action"], h["old"], h["new"], h["by"]) for h in x["history"]],
                         [("create", None, "32栋", "secretary"), ("rename", "32栋", "三十二栋", "secretary"),
                          ("move", g["code"], H.G2, "secretary")])
        # the entrance is now in grid 2's scope: gw02 sees it, gw01 does not
        self.assertEqual(H.as_user("gw02", "GET", "/api/v1/units/" + e["code"])[0], 200)
        self.assertEqual(H.as_user("gw01", "GET", "/api/v1/units/" + e["code"])[0], 404)
        # the change is audited
        rows = [r for r in H.audit_rows(username="secretary", entity="unit") if r["entity_id"] == str(x["id"])]
        self.assertEqual([r["fields"] for r in rows if r["action"] == "update"], ["parent_code", "name"])

    def test_move_carries_its_users_scope_at_once(self):
        # a logged-in user bound to a building keeps reaching it after the building moves
        # (the server keeps sessions a few seconds: a move must not leave a stale scope)
        b = mk(H.G1 + "-MV1", H.G1, "building", "迁移楼")
        H.add_user("gw-mvb", "grid_worker", b["code"], by="secretary")
        tok = H.login("gw-mvb", fresh=True)
        for _ in range(2):  # the second read is answered from the kept session
            self.assertEqual(H.call("GET", "/api/v1/units/" + b["code"], token=tok)[0], 200)
        st, x = H.as_user("secretary", "PATCH", "/api/v1/units/" + b["code"], {"parent_code": H.G2})
        self.assertEqual((st, x["parent_code"]), (200, H.G2), x)
        st, x = H.call("GET", "/api/v1/units/" + b["code"], token=tok)
        self.assertEqual((st, x.get("parent_code")), (200, H.G2), x)
        st, x = H.call("GET", "/api/v1/units/" + H.G1, token=tok)
        self.assertEqual(st, 404, x)
        st, x = H.as_user("secretary", "PATCH", "/api/v1/units/" + b["code"], {"parent_code": H.G1})
        self.assertEqual(st, 200, x)
        self.assertEqual(H.call("GET", "/api/v1/units/" + b["code"], token=tok)[0], 200)

    def test_move_refusals(self):
        for body, status, code in [
            ({"parent_code": H.E01}, 400, "move_into_self"),       # under its own descendant
            ({"parent_code": H.G1}, 400, "move_into_self"),        # under itself
            ({"parent_code": H.B03}, 400, "kind_not_allowed"),     # a grid under a building
            ({"parent_code": "NOPE"}, 404, "unit_not_found"),
            ({"retired": "yes"}, 400, "wrong_type"),
            ({"name": ""}, 400, "invalid_name"),
            ({"kind": "street"}, 400, "unknown_field"),
        ]:
            st, b = H.as_user("secretary", "PATCH", "/api/v1/units/" + H.G1, body)
            self.assertEqual((st, H.err(b)[0]), (status, code), body)
        st, b = H.as_user("secretary", "PATCH", "/api/v1/units/" + C, {"parent_code": "420107003"})
        self.assertEqual((st, H.err(b)), (403, ("forbidden", "parent_code")))  # its own unit
        self.assertEqual(unit(H.G1)["parent_code"], C)

    def test_retire(self):
        st, b = H.as_user("secretary", "PATCH", "/api/v1/units/" + H.G1, {"retired": True})
        self.assertEqual((st, H.err(b)), (409, ("unit_not_empty", "retired")))
        st, b = H.as_user("secretary", "PATCH", "/api/v1/units/" + H.E01, {"retired": True})
        self.assertEqual((st, H.err(b)[0]), (409, "unit_not_empty"))  # households in it
        g = mk(C + "-G33", C, "grid", "待撤销")
        st, x = H.as_user("secretary", "PATCH", "/api/v1/units/" + g["code"], {"retired": True})
        self.assertEqual((st, x["retired"]), (200, True))
        self.assertIsNotNone(x["retired_at"])
        self.assertEqual(x["history"][-1]["action"], "retire")
        # hidden from children unless asked; no households or children under it
        codes = [u["code"] for u in H.as_user("secretary", "GET", "/api/v1/units/%s/children" % C)[1]["items"]]
        self.assertNotIn(g["code"], codes)
        codes = [u["code"] for u in H.as_user("secretary", "GET", "/api/v1/units/%s/children?retired=1" % C)[1]["items"]]
        self.assertIn(g["code"], codes)
        st, b = H.as_user("secretary", "POST", "/api/v1/units",
                          {"code": g["code"] + "-B", "parent_code": g["code"], "kind": "building", "name": "x"})
        self.assertEqual((st, H.err(b)[0]), (400, "parent_retired"))
        # restore
        st, x = H.as_user("secretary", "PATCH", "/api/v1/units/" + g["code"], {"retired": False})
        self.assertEqual((st, x["retired"], x["history"][-1]["action"]), (200, False, "restore"))

    def test_retired_unit_counts_are_not_negative(self):
        """BUG: UNIT_COUNTS (sql.def) computes units_below as 'active units in the subtree
        minus 1' (for the unit itself), so a retired unit reports units_below = -1."""
        g = mk(C + "-G34", C, "grid", "计数")
        st, x = H.as_user("secretary", "PATCH", "/api/v1/units/" + g["code"], {"retired": True})
        self.assertEqual(st, 200)
        self.assertEqual(x["units_below"], 0)
        self.assertEqual(unit(g["code"])["units_below"], 0)

    def test_retire_empty_building_after_moving_households(self):
        b = mk(C + "-B35", H.G1, "building", "35栋")
        st, h = H.as_user("secretary", "POST", "/api/v1/households", {"unit_code": b["code"], "room": "101"})
        self.assertEqual(st, 201)
        st, x = H.as_user("secretary", "PATCH", "/api/v1/units/" + b["code"], {"retired": True})
        self.assertEqual((st, H.err(x)[0]), (409, "unit_not_empty"))
        st, _ = H.as_user("secretary", "PATCH", "/api/v1/households/%d" % h["id"], {"retired": True})
        self.assertEqual(st, 200)
        st, x = H.as_user("secretary", "PATCH", "/api/v1/units/" + b["code"], {"retired": True})
        self.assertEqual((st, x["retired"]), (200, True))
        st, e = H.as_user("secretary", "POST", "/api/v1/households", {"unit_code": b["code"], "room": "102"})
        self.assertEqual((st, H.err(e)[0]), (400, "unit_retired"))


class Users(unittest.TestCase):
    def test_secretary_creates_grid_worker(self):
        st, u = H.as_user("secretary", "POST", "/api/v1/users",
                          {"username": "gw-new", "password": "a-long-password", "role": "grid_worker",
                           "unit_code": H.G1, "display_name": "新网格员", "phone": "138 0013 8000"})
        self.assertEqual(st, 201, u)
        self.assertEqual((u["username"], u["role"], u["unit_code"], u["display_name"], u["phone"], u["disabled"]),
                         ("gw-new", "grid_worker", H.G1, "新网格员", "13800138000", False))
        self.assertNotIn("password", u)
        self.assertNotIn("pw_hash", u)
        H.state["passwords"]["gw-new"] = "a-long-password"
        st, me = H.as_user("gw-new", "GET", "/api/v1/session")
        self.assertEqual((st, me["unit_code"]), (200, H.G1))
        names = [x["username"] for x in H.list_all("secretary", "/api/v1/users")]
        self.assertIn("gw-new", names)
        rows = [r for r in H.audit_rows(username="secretary", entity="user") if r["action"] == "create"]
        self.assertEqual(rows[0]["entity_id"], str(u["id"]))

    def test_create_refusals(self):
        base = {"username": "u-x1", "password": "a-long-password", "role": "grid_worker", "unit_code": H.G1}
        cases = [
            ({"role": "admin"}, 403, "forbidden", "role"),
            ({"role": "auditor"}, 403, "forbidden", "role"),
            ({"role": "king"}, 400, "invalid_role", "role"),
            ({"password": "short"}, 400, "weak_password", "password"),
            ({"password": "elevenchars"}, 400, "weak_password", "password"),
            ({"username": "Upper"}, 400, "invalid_username", "username"),
            ({"username": "x"}, 400, "invalid_username", "username"),
            ({"username": "gw01"}, 409, "duplicate_username", "username"),
            ({"unit_code": "4201"}, 404, "unit_not_found", "unit_code"),
            ({"phone": "123"}, 400, "invalid_phone", "phone"),
            ({"email": "a@b"}, 400, "unknown_field", "email"),
        ]
        for extra, status, code, field in cases:
            body = dict(base)
            body.update(extra)
            st, b = H.as_user("secretary", "POST", "/api/v1/users", body)
            self.assertEqual((st, H.err(b)), (status, (code, field)), extra)
        # an admin may grant admin
        st, b = H.as_user("admin", "POST", "/api/v1/users", dict(base, username="admin-g1", role="admin"))
        self.assertEqual((st, b.get("role")), (201, "admin"))

    def test_disable_kills_sessions(self):
        H.add_user("gw-dis", "grid_worker", H.G1, by="secretary")
        tok = H.login("gw-dis", fresh=True)
        self.assertEqual(H.call("GET", "/api/v1/session", token=tok)[0], 200)
        st, u = H.as_user("secretary", "PATCH", "/api/v1/users/gw-dis", {"disabled": True})
        self.assertEqual((st, u["disabled"]), (200, True))
        st, b = H.call("GET", "/api/v1/households", token=tok)
        self.assertEqual(st, 401)
        st, b = H.call("POST", "/api/v1/session", {"username": "gw-dis", "password": "gw-dis-password"})
        self.assertEqual((st, H.err(b)[0]), (401, "invalid_credentials"))
        st, u = H.as_user("secretary", "PATCH", "/api/v1/users/gw-dis", {"disabled": False})
        self.assertEqual((st, u["disabled"]), (200, False))
        self.assertEqual(H.call("GET", "/api/v1/session", token=H.login("gw-dis", fresh=True))[0], 200)

    def test_password_change(self):
        H.add_user("gw-pw", "grid_worker", H.G1, by="secretary")
        tok = H.login("gw-pw", fresh=True)
        # own password: needs the current one
        st, b = H.call("PATCH", "/api/v1/users/gw-pw", {"password": "the-next-password"}, token=tok)
        self.assertEqual((st, H.err(b)), (400, ("wrong_password", "current_password")))
        st, b = H.call("PATCH", "/api/v1/users/gw-pw", {"password": "short", "current_password": "gw-pw-password"},
                       token=tok)
        self.assertEqual((st, H.err(b)), (400, ("weak_password", "password")))
        st, b = H.call("PATCH", "/api/v1/users/gw-pw",
                       {"password": "the-next-password", "current_password": "gw-pw-password"}, token=tok)
        self.assertEqual(st, 200, b)
        self.assertEqual(H.call("GET", "/api/v1/session", token=tok)[0], 401)  # sessions ended
        self.assertEqual(H.call("POST", "/api/v1/session", {"username": "gw-pw", "password": "gw-pw-password"})[0], 401)
        self.assertEqual(H.call("POST", "/api/v1/session", {"username": "gw-pw", "password": "the-next-password"})[0], 201)
        # by the secretary: no current password needed
        st, b = H.as_user("secretary", "PATCH", "/api/v1/users/gw-pw", {"password": "set-by-secretary"})
        self.assertEqual(st, 200, b)
        self.assertEqual(H.call("POST", "/api/v1/session", {"username": "gw-pw", "password": "set-by-secretary"})[0], 201)

    def test_self_service_limits(self):
        H.add_user("gw-self", "grid_worker", H.G1, by="secretary")
        for body, field in (({"role": "community"}, "role"), ({"unit_code": C}, "unit_code"), ({"disabled": True}, "disabled")):
            st, b = H.as_user("gw-self", "PATCH", "/api/v1/users/gw-self", body)
            self.assertEqual((st, H.err(b)), (403, ("forbidden", field)), body)
        st, b = H.as_user("gw-self", "PATCH", "/api/v1/users/gw-self", {"display_name": "小李", "lang": "en"})
        self.assertEqual((st, b["display_name"], b["lang"]), (200, "小李", "en"))
        st, b = H.as_user("gw-self", "PATCH", "/api/v1/users/gw-self", {"lang": "fr"})
        self.assertEqual((st, H.err(b)), (400, ("invalid_lang", "lang")))
        st, b = H.as_user("secretary", "PATCH", "/api/v1/users/secretary", {"disabled": True})
        self.assertEqual((st, H.err(b)[0]), (403, "forbidden"))

    def test_role_and_unit_change_end_sessions(self):
        H.add_user("gw-move", "grid_worker", H.G1, by="secretary")
        tok = H.login("gw-move", fresh=True)
        st, u = H.as_user("secretary", "PATCH", "/api/v1/users/gw-move", {"unit_code": H.G2})
        self.assertEqual((st, u["unit_code"]), (200, H.G2))
        self.assertEqual(H.call("GET", "/api/v1/session", token=tok)[0], 401)
        st, b = H.as_user("secretary", "PATCH", "/api/v1/users/gw-move", {"role": "admin"})
        self.assertEqual((st, H.err(b)), (403, ("forbidden", "role")))

    def test_secretary_cannot_take_over_an_admin_account(self):
        """BUG: acct_update() lets a community/command account reset the password of (or
        disable, or re-role) any account bound in its subtree, including admin and auditor
        accounts it could not create (may_grant() refuses those roles).  The secretary sets
        the password of an admin bound to grid 1 and logs in as that admin."""
        st, b = H.as_user("admin", "POST", "/api/v1/users",
                          {"username": "admin-in-grid", "password": "admin-in-grid-pw", "role": "admin",
                           "unit_code": H.G1})
        self.assertEqual(st, 201, b)
        st, b = H.as_user("secretary", "PATCH", "/api/v1/users/admin-in-grid", {"password": "secretary-owns-it"})
        self.assertEqual((st, H.err(b)[0]), (403, "forbidden"))
        st, b = H.call("POST", "/api/v1/session", {"username": "admin-in-grid", "password": "secretary-owns-it"})
        self.assertEqual(st, 401)

    def test_user_list_paging_and_scope(self):
        st, b = H.as_user("secretary", "GET", "/api/v1/users?limit=2")
        self.assertEqual((st, len(b["items"]), b["limit"]), (200, 2, 2))
        self.assertGreaterEqual(b["total"], 10)
        st, b = H.as_user("secretary", "GET", "/api/v1/users?unit=%s&limit=500" % H.G2)
        self.assertEqual({u["username"] for u in b["items"]} >= {"gw02", "cadre02", "vol02"}, True)
        self.assertTrue(all(u["unit_code"] == H.G2 for u in b["items"]))
        st, b = H.as_user("secretary", "GET", "/api/v1/users?unit=4201")
        self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"))


if __name__ == "__main__":
    unittest.main()
