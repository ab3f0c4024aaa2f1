"""No account creates more power than it has (issue 14, item 4).

An account creates, edits, resets or disables only accounts whose role is one it may grant
(role_table in src/domain/actor.c: none that sees or may do more than its own) bound in
its own subtree; and not a peer's (the same role at the same unit): a peer's password is
reset from the level above or on the server's command line.
"""
import unittest

import harness as H

STREET = "420107003"


def setUpModule():
    H.start(setup=_setup)


def tearDownModule():
    H.stop()


def _setup():
    # a community-role account at the street, above the community's secretary and director
    H.add_user("street-com", "community", STREET, by="cli")


def create(by, username, role, unit):
    return H.as_user(by, "POST", "/api/v1/users", {"username": username, "password": username + "-password",
                                                   "role": role, "unit_code": unit})


class Create(unittest.TestCase):
    def test_command_cannot_create_a_full_view_account(self):
        """The attack of the review: command (masked view) made a community account at its
        district and through it exported 8,347 residents with full ID numbers and phones."""
        st, b = create("command", "cmd-made-com", "community", "420107")
        self.assertEqual((st, H.err(b)), (403, ("forbidden", "role")))
        st, b = H.call("POST", "/api/v1/session", {"username": "cmd-made-com", "password": "cmd-made-com-password"})
        self.assertEqual(st, 401)
        for role in ("grid_leader", "grid_worker", "cadre", "admin", "auditor", "volunteer", "checkpoint"):
            st, b = create("command", "cmd-made-x", role, STREET)
            self.assertEqual((st, H.err(b)), (403, ("forbidden", "role")), role)
        st, b = create("command", "cmd-made-cmd", "command", STREET)
        self.assertEqual((st, b.get("role")), (201, "command"))
        rows = [r for r in H.audit_rows(username="command", entity="user") if r["action"] == "create"]
        self.assertIn("denied", {r["outcome"] for r in rows})

    def test_admin_creates_only_masked_views(self):
        for role in ("community", "grid_leader", "grid_worker", "cadre", "auditor"):
            st, b = create("admin", "adm-made-x", role, H.G1)
            self.assertEqual((st, H.err(b)), (403, ("forbidden", "role")), role)
        for i, role in enumerate(("admin", "command", "volunteer", "checkpoint")):
            st, b = create("admin", "adm-made-%d" % i, role, H.G1)
            self.assertEqual((st, b.get("role")), (201, role))

    def test_secretary_creates_the_community_staff(self):
        for i, role in enumerate(("community", "grid_leader", "grid_worker", "cadre", "volunteer", "checkpoint")):
            st, b = create("secretary", "sec-made-%d" % i, role, H.G2)
            self.assertEqual((st, b.get("role")), (201, role))
        for role in ("admin", "command", "auditor"):
            st, b = create("secretary", "sec-made-x", role, H.G2)
            self.assertEqual((st, H.err(b)), (403, ("forbidden", "role")), role)
        # in its subtree only, as before
        st, b = create("secretary", "sec-made-y", "grid_worker", STREET)
        self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"))

    def test_masked_view_never_exports_full_numbers_through_a_new_account(self):
        # what command can create sees what command sees
        st, b = create("command", "cmd-made-2", "command", "420107")
        self.assertEqual(st, 201, b)
        H.state["passwords"]["cmd-made-2"] = "cmd-made-2-password"
        st, data = H.as_user("cmd-made-2", "GET", "/api/v1/exports/residents?unit=%s&format=csv" % H.E01)
        self.assertEqual(st, 200)
        self.assertIsNone(H.ID_RE.search(data.decode("utf-8-sig")))
        self.assertIsNone(H.PHONE_RE.search(data.decode("utf-8-sig")))


class Edit(unittest.TestCase):
    def test_no_reset_edit_or_disable_of_more_power(self):
        # command over the community's secretary (in its subtree, but a full view)
        for body in ({"password": "command-owns-it"}, {"disabled": True}, {"display_name": "x"},
                     {"role": "command"}, {"unit_code": "420107"}):
            st, b = H.as_user("command", "PATCH", "/api/v1/users/secretary", body)
            self.assertEqual((st, H.err(b)), (403, ("forbidden", "username")), body)
        st, b = H.call("POST", "/api/v1/session", {"username": "secretary", "password": "command-owns-it"})
        self.assertEqual(st, 401)
        # admin over a grid worker
        st, b = H.as_user("admin", "PATCH", "/api/v1/users/gw01", {"password": "admin-owns-gw01"})
        self.assertEqual((st, H.err(b)), (403, ("forbidden", "username")))
        rows = [r for r in H.audit_rows(username="admin", entity="user") if r["action"] == "update"]
        self.assertEqual(rows[0]["outcome"], "denied")

    def test_no_role_raised_beyond_the_granter(self):
        H.add_user("vol-up", "volunteer", H.G1, by="admin")
        st, b = H.as_user("admin", "PATCH", "/api/v1/users/vol-up", {"role": "community"})
        self.assertEqual((st, H.err(b)), (403, ("forbidden", "role")))
        st, b = H.as_user("admin", "PATCH", "/api/v1/users/vol-up", {"role": "checkpoint"})
        self.assertEqual((st, b.get("role")), (200, "checkpoint"))
        H.add_user("gw-up", "grid_worker", H.G1, by="secretary")
        st, b = H.as_user("secretary", "PATCH", "/api/v1/users/gw-up", {"role": "grid_leader"})
        self.assertEqual((st, b.get("role")), (200, "grid_leader"))
        st, b = H.as_user("secretary", "PATCH", "/api/v1/users/gw-up", {"role": "command"})
        self.assertEqual((st, H.err(b)), (403, ("forbidden", "role")))

    def test_peer_password_is_reset_from_above(self):
        """Decision: the secretary may not reset the director's password (same role, same
        unit), nor the director the secretary's; the community account at the street may,
        and so may the operator on the command line."""
        st, b = H.as_user("secretary", "PATCH", "/api/v1/users/director", {"password": "secretary-owns-it"})
        self.assertEqual((st, H.err(b)), (403, ("forbidden", "username")))
        st, b = H.as_user("director", "PATCH", "/api/v1/users/secretary", {"disabled": True})
        self.assertEqual((st, H.err(b)), (403, ("forbidden", "username")))
        self.assertEqual(H.call("POST", "/api/v1/session",
                                {"username": "director", "password": "secretary-owns-it"})[0], 401)
        st, b = H.as_user("street-com", "PATCH", "/api/v1/users/director", {"password": "reset-by-the-street"})
        self.assertEqual(st, 200, b)
        self.assertEqual(H.call("POST", "/api/v1/session",
                                {"username": "director", "password": "reset-by-the-street"})[0], 201)
        r = H.run_cli("user", "passwd", "--db", H.db_path(), "--username", "director", "--password", H.PASSWORD)
        self.assertEqual(r.returncode, 0, r.stderr)
        # a peer may still be created (it acts under its own name, audited as created by you)
        st, b = create("secretary", "sec-peer", "community", H.COMMUNITY)
        self.assertEqual(st, 201, b)

    def test_own_account_as_before(self):
        tok = H.login("director", fresh=True)
        st, b = H.call("PATCH", "/api/v1/users/director", {"display_name": "主任"}, token=tok)
        self.assertEqual((st, b.get("display_name")), (200, "主任"))


if __name__ == "__main__":
    unittest.main()
