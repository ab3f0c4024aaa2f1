"""Named essential-staff passes (通行证, issue 16) through the API on the qianjinxiang preset:
前进巷's 11 compounds under closed management, where "only medical and supply staff pass".
A pass is issued by the community (or the street) to a named person — a registered
resident, or an outside worker with employer and phone — for given compounds or gates, a
validity period and a purpose; checked at the gate like a household pass (valid, expired,
revoked, wrong gate), its revocation holding at the very next passage; every passage
through one logged and counted; the list per compound with its counts; phones masked per
role; issue, reads and revocation audited.  A closed compound lets medical, supply and
utility staff in only on such a pass; a compound locked as a whole (level building) lets
only them pass.

One server for the module (the preset at 600 households, seed 7).  Each test takes its own
compound's residents; the essential-only test locks 九号院 (G09), whose gate 九号院大门 is
merged into 八号院大门, so 八号院大门 serves both and the test uses 十号院/十一号院 elsewhere.
There is no injectable clock in the server: an expired pass is made by moving its dates in
the store."""
import datetime
import os
import sqlite3
import subprocess
import unittest

import harness as H

CHINA = datetime.timezone(datetime.timedelta(hours=8))
COMMUNITY = "150105003008"

POP = {}
SEQ = {"n": 0}


def setUpModule():
    H.start(preset="qianjinxiang", setup=_load)


def tearDownModule():
    H.stop()


def _load():
    st, b = H.as_user("kk01", "GET", "/api/v1/gates")
    assert st == 200, b
    POP["gates"] = {g["name"]: g for g in b["items"]}
    POP["by_grid"] = {}


def day(n=0):
    """The day n days from today (China time)."""
    return (datetime.datetime.now(CHINA) + datetime.timedelta(days=n)).strftime("%Y-%m-%d")


def fresh_test(hours_ago=5):
    return (datetime.datetime.now(CHINA) - datetime.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def store_sql(stmt):
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


def unit(grid):
    return "%s-%s" % (COMMUNITY, grid)


def gate(name):
    return POP["gates"][name]["id"]


def resident(grid):
    if grid not in POP["by_grid"]:
        seen, out = set(), []
        for r in sorted(H.list_all("secretary", "/api/v1/residents?unit=" + unit(grid)), key=lambda r: r["id"]):
            if r["residence"] == "living" and r["household_id"] not in seen:
                seen.add(r["household_id"])
                out.append(r)
        POP["by_grid"][grid] = out
    return POP["by_grid"][grid].pop()


def issue(user="secretary", expect=201, **kw):
    body = {"kind": "medical", "name": "王大夫", "employer": "赛罕区人民医院", "phone": "13904710088",
            "purpose": "上门诊疗、送药", "valid_to": day(30)}
    body.update(kw)
    for k in [k for k, v in body.items() if v is None]:
        del body[k]
    st, b = H.as_user(user, "POST", "/api/v1/staff-passes", body)
    if st != expect:
        raise AssertionError("POST /staff-passes %s: expected %s, got %s %s" % (body, expect, st, b))
    return b


def passage(gate_name, direction, user="kk01", **kw):
    SEQ["n"] += 1
    body = {"gate_id": gate(gate_name), "direction": direction, "temperature": 36.4,
            "client_id": "staff-%d" % SEQ["n"]}
    body.update(kw)
    st, b = H.as_user(user, "POST", "/api/v1/passages", body)
    assert st == 201, (st, b)
    return b


def scan(gate_name, token, user="kk01"):
    st, b = H.as_user(user, "POST", "/api/v1/passes/scan", {"token": token, "gate_id": gate(gate_name)})
    assert st == 200, (st, b)
    return b


def codes(p):
    return [r["code"] for r in p["reasons"]]


class StaffPassTest(unittest.TestCase):

    def assertErr(self, res, status, field=None):
        st, b = res
        self.assertEqual(st, status, b)
        if field:
            self.assertEqual(H.err(b)[1], field, b)

    def test_issue_print_and_pass(self):
        p = issue(compounds=[unit("G04")])
        self.assertRegex(p["token"], r"^s[0-9a-f]{32}$")
        self.assertIn("<svg", p["svg"])
        self.assertEqual((p["state"], p["kind"], p["kind_zh"], p["uses"]), ("active", "medical", "医护", 0))
        self.assertEqual(p["scope"], [{"unit": unit("G04"), "name": p["scope"][0]["name"]}])
        # the guard scans it: valid here, with who and why
        s = scan("四号院正门", p["token"])
        self.assertTrue(s["valid"], s)
        self.assertEqual((s["staff_pass"]["name"], s["staff_pass"]["employer"]), ("王大夫", "赛罕区人民医院"))
        self.assertNotIn("token", s["staff_pass"])
        # in and out, logged as the staff pass's passages and counted as such
        before = H.as_user("kk01", "GET", "/api/v1/gates/%d/now" % gate("四号院正门"))[1]["counts"]
        a = passage("四号院正门", "in", pass_token=p["token"], purpose="medical")
        self.assertTrue(a["allowed"], a)
        self.assertEqual((a["kind"], a["staff_pass"]["id"], a["person"], a["visitor"]), ("staff", p["id"], None, None))
        b = passage("四号院正门", "out", pass_token=p["token"])
        self.assertTrue(b["allowed"], b)
        now = H.as_user("kk01", "GET", "/api/v1/gates/%d/now" % gate("四号院正门"))[1]["counts"]
        self.assertEqual(now.get("in:staff", 0) - before.get("in:staff", 0), 1)
        self.assertEqual(now.get("out:staff", 0) - before.get("out:staff", 0), 1)
        st, log = H.as_user("kk01", "GET", "/api/v1/passages?gate=%d&limit=500" % gate("四号院正门"))
        mine = [x for x in log["items"] if x["staff_pass"] and x["staff_pass"]["id"] == p["id"]]
        self.assertEqual([x["direction"] for x in mine], ["in", "out"])
        # the pass's uses
        st, lst = H.as_user("secretary", "GET", "/api/v1/staff-passes?unit=" + unit("G04"))
        self.assertEqual([x["uses"] for x in lst["items"] if x["id"] == p["id"]], [2])

    def test_every_check_outcome(self):
        p = issue(compounds=[unit("G06")], kind="supply", name="李师傅", employer="保供超市")
        # the wrong gate: another compound's checkpoint
        s = scan("七号院大门", p["token"])
        self.assertEqual(codes(s), ["staff_pass_wrong_gate"])
        self.assertIn("只限", s["reasons"][0]["message"])
        self.assertEqual(codes(passage("七号院大门", "in", pass_token=p["token"])), ["staff_pass_wrong_gate"])
        # its own compound's gate; the gate named alone on a pass
        self.assertTrue(passage("六号院北门", "in", pass_token=p["token"])["allowed"])
        g = issue(gates=[gate("七号院大门")], kind="utility", name="赵电工", employer="供电公司")
        self.assertTrue(passage("七号院大门", "in", pass_token=g["token"])["allowed"])
        self.assertEqual(codes(passage("六号院北门", "in", pass_token=g["token"])), ["staff_pass_wrong_gate"])
        # not yet valid, and past its period (moved in the store: there is no clock to move)
        later = issue(compounds=[unit("G06")], valid_from=day(10), valid_to=day(20))
        self.assertEqual(later["state"], "pending")
        r = passage("六号院北门", "in", pass_token=later["token"])
        self.assertEqual(codes(r), ["staff_pass_expired"])
        self.assertIn("%s至%s" % (day(10), day(20)), r["reasons"][0]["message"])
        old = issue(compounds=[unit("G06")])
        store_sql("UPDATE staff_passes SET valid_from = '2020-02-01', valid_to = '2020-02-29' WHERE id = %d" % old["id"])
        r = passage("六号院北门", "in", pass_token=old["token"])
        self.assertEqual(codes(r), ["staff_pass_expired"])
        self.assertEqual(r["reasons"][0]["message"], "通行证有效期为2020-02-01至2020-02-29，今天不能用。")
        # unknown
        self.assertEqual(codes(scan("六号院北门", "s" + "0" * 32)), ["staff_pass_unknown"])
        self.assertEqual(codes(passage("六号院北门", "in", pass_token="s" + "0" * 32)), ["staff_pass_unknown"])
        # a fever is a fever, pass or not
        self.assertIn("fever", codes(passage("六号院北门", "in", pass_token=p["token"], temperature=38.2)))
        # the refusals are counted by reason
        st, now = H.as_user("kk01", "GET", "/api/v1/gates/%d/now" % gate("六号院北门"))
        self.assertGreaterEqual(now["counts"].get("refused:staff_pass_expired", 0), 2)

    def test_revocation_holds_at_once(self):
        p = issue(compounds=[unit("G07")])
        self.assertTrue(scan("七号院大门", p["token"])["valid"])
        # a passage whose answer the guard has not seen yet is checked when written; the
        # scan a moment ago does not carry over
        st, r = H.as_user("secretary", "DELETE", "/api/v1/staff-passes/%d?reason=%s" % (p["id"], "离岗"))
        self.assertEqual(st, 200, r)
        self.assertEqual((r["state"], r["revoke_reason"]), ("revoked", "离岗"))
        s = scan("七号院大门", p["token"])
        self.assertEqual(codes(s), ["staff_pass_revoked"])
        self.assertEqual(s["reasons"][0]["message"], "通行证已作废（离岗）。")
        r = passage("七号院大门", "in", pass_token=p["token"])
        self.assertFalse(r["allowed"])
        self.assertEqual(codes(r), ["staff_pass_revoked"])
        # revoking again answers the same; the guard cannot revoke
        self.assertEqual(H.as_user("secretary", "DELETE", "/api/v1/staff-passes/%d" % p["id"])[0], 200)
        self.assertErr(H.as_user("kk01", "DELETE", "/api/v1/staff-passes/%d" % p["id"]), 403)

    def test_closed_compound_admits_staff_on_a_pass_only(self):
        # 前进巷 is under closed management (level compound): "only medical and supply staff pass"
        v = {"kind": "medical", "name": "钱护士", "phone": "13904710002", "company": "社区卫生服务站",
             "health_code": "green", "test_at": fresh_test(), "test_result": "negative"}
        r = passage("八号院大门", "in", visitor=v)
        self.assertEqual(codes(r), ["staff_pass_required"])
        self.assertIn("凭通行证", r["reasons"][0]["message"])
        # goods are still handed over at the gate without a pass
        self.assertTrue(passage("八号院大门", "in", visitor=dict(v, kind="supplier", goods_only=True))["allowed"])
        p = issue(compounds=[unit("G08")], name="钱护士", employer="社区卫生服务站")
        self.assertTrue(passage("八号院大门", "in", pass_token=p["token"])["allowed"])

    def test_a_compound_locked_whole_lets_only_essential_staff_pass(self):
        st, b = H.as_user("secretary", "POST", "/api/v1/units/%s/lockdown" % unit("G09"),
                          {"level": "building", "reason": "封楼栋"})
        self.assertEqual(st, 201, b)
        try:
            # 九号院's gate is merged into 八号院大门, which serves its residents
            res = resident("G09")
            r = passage("八号院大门", "out", resident_id=res["id"], purpose="supplies")
            self.assertEqual(codes(r), ["essential_only"])
            self.assertEqual(r["reasons"][0]["message"], "小区封控（封楼栋），只有持通行证的医护、保供、水电气人员可以通行。")
            nurse = resident("G09")
            p = issue(compounds=[unit("G09")], resident_id=nurse["id"], name=None, employer=None, phone=None,
                      purpose="医院上班")
            self.assertEqual((p["resident_id"], p["name"]), (nurse["id"], nurse["name"]))
            ok = passage("八号院大门", "out", pass_token=p["token"])
            self.assertTrue(ok["allowed"], ok)
            # a holder under observation or isolation stays in, pass or not
            st, b = H.as_user("secretary", "POST", "/api/v1/residents/%d/status" % nurse["id"],
                              {"category": "travel_observation", "reason": "travel_history"})
            self.assertEqual(st, 201, b)
            self.assertEqual(codes(passage("八号院大门", "out", pass_token=p["token"])), ["category"])
            st, b = H.as_user("secretary", "POST", "/api/v1/isolations", {"resident_id": nurse["id"], "kind": "home"})
            self.assertEqual(st, 201, b)
            self.assertEqual(codes(passage("八号院大门", "out", pass_token=p["token"])), ["isolated"])
            # a fever of a holder who is a resident opens the roll-call's alert
            hot = passage("八号院大门", "in", pass_token=p["token"], temperature=38.5)
            self.assertIn("fever", codes(hot))
            self.assertIsNotNone(hot["alert_id"])
        finally:
            st, b = H.as_user("secretary", "POST", "/api/v1/units/%s/lockdown" % unit("G09"),
                              {"level": "none", "reason": "解封"})
            self.assertIn(st, (200, 201), b)

    def test_issue_validation(self):
        self.assertErr(H.as_user("secretary", "POST", "/api/v1/staff-passes",
                                 {"kind": "doctor", "name": "x", "employer": "y", "phone": "13904710088",
                                  "purpose": "z", "valid_to": day(5), "compounds": [unit("G01")]}), 400, "kind")
        for bad, field in (({"compounds": []}, "compounds"), ({"phone": "12"}, "phone"), ({"employer": None}, "employer"),
                           ({"valid_to": "2099-02-30"}, "valid_to"), ({"valid_to": "2020-01-01"}, "valid_to"),
                           ({"valid_from": day(1), "valid_to": day(91)}, "valid_to"), ({"valid_from": day(3), "valid_to": day(2)}, "valid_to"),
                           ({"compounds": [7]}, "compounds[0]"),
                           ({"resident_id": 1}, "name"), ({"purpose": ""}, "purpose")):
            body = {"kind": "medical", "name": "王大夫", "employer": "医院", "phone": "13904710088",
                    "purpose": "送药", "valid_to": day(5), "compounds": [unit("G01")]}
            body.update(bad)
            body = {k: v for k, v in body.items() if v is not None}
            self.assertErr(H.as_user("secretary", "POST", "/api/v1/staff-passes", body), 400, field)
        for bad, field in (({"compounds": ["nope"]}, "compounds[0]"), ({"gates": [999999]}, "gates[0]")):
            body = {"kind": "medical", "name": "王大夫", "employer": "医院", "phone": "13904710088",
                    "purpose": "送药", "valid_to": day(5)}
            body.update(bad)
            self.assertErr(H.as_user("secretary", "POST", "/api/v1/staff-passes", body), 404, field)
        # a household pass's number shown as a staff pass is not one
        self.assertErr(H.as_user("kk01", "POST", "/api/v1/passages",
                                 {"gate_id": gate("一号院北门"), "direction": "in", "temperature": 36.5,
                                  "pass_token": "s" + "1" * 32, "resident_id": 1}), 400, "resident_id")

    def test_list_counts_scope_and_masking(self):
        a = issue(compounds=[unit("G10")], kind="medical")
        b = issue(compounds=[unit("G10")], kind="supply", name="孙经理", employer="保供企业")
        c = issue(gates=[gate("十号院大门")], kind="utility", name="周师傅", employer="燃气公司")
        H.as_user("secretary", "DELETE", "/api/v1/staff-passes/%d" % c["id"])
        st, lst = H.as_user("secretary", "GET", "/api/v1/staff-passes?unit=" + unit("G10"))
        self.assertEqual(st, 200, lst)
        ids = {x["id"] for x in lst["items"]}
        self.assertTrue({a["id"], b["id"], c["id"]} <= ids)
        self.assertEqual(lst["counts"]["revoked"], 1)
        self.assertEqual(lst["counts"]["active"], len([x for x in lst["items"] if x["state"] == "active"]))
        self.assertEqual(lst["active_by_kind"].get("supply"), 1)
        st, act = H.as_user("secretary", "GET", "/api/v1/staff-passes?state=revoked&unit=" + unit("G10"))
        self.assertEqual([x["id"] for x in act["items"]], [c["id"]])
        self.assertErr(H.as_user("secretary", "GET", "/api/v1/staff-passes?state=lost"), 400, "state")
        # another compound's list does not show them; the community's does
        st, other = H.as_user("secretary", "GET", "/api/v1/staff-passes?unit=" + unit("G11"))
        self.assertFalse({a["id"], b["id"], c["id"]} & {x["id"] for x in other["items"]})
        st, comm = H.as_user("secretary", "GET", "/api/v1/staff-passes")
        self.assertTrue({a["id"], b["id"], c["id"]} <= {x["id"] for x in comm["items"]})
        # a street's pass for the whole street shows on each compound's list
        street = issue(user="street", compounds=[COMMUNITY[:9]], name="吴司机", employer="区保供专班")
        st, g11 = H.as_user("kk01", "GET", "/api/v1/staff-passes?unit=" + unit("G11"))
        self.assertIn(street["id"], {x["id"] for x in g11["items"]})
        self.assertTrue(passage("十一号院大门", "in", pass_token=street["token"])["allowed"])
        # the community cannot revoke the street's pass (its scope is above them)
        self.assertErr(H.as_user("secretary", "DELETE", "/api/v1/staff-passes/%d" % street["id"]), 404)
        # phones per role: the secretary in full, a volunteer masked, the guard not at all
        phone = lambda user: [x["phone"] for x in H.as_user(user, "GET", "/api/v1/staff-passes?unit=" + unit("G10"))[1]["items"]
                              if x["id"] == a["id"]][0]
        H.add_user("sp-vol", "volunteer", COMMUNITY)
        self.assertEqual(phone("secretary"), "13904710088")
        self.assertNotEqual(phone("sp-vol"), "13904710088")
        self.assertIn("*", phone("sp-vol"))
        self.assertIsNone(phone("kk01"))

    def test_scope_of_the_routes(self):
        # a community account of one compound issues for it only
        H.add_user("sp-c03", "community", unit("G03"))
        self.assertErr(H.as_user("sp-c03", "POST", "/api/v1/staff-passes",
                                 {"kind": "medical", "name": "x", "employer": "y", "phone": "13904710088",
                                  "purpose": "z", "valid_to": day(5), "compounds": [unit("G02")]}), 404, "compounds[0]")
        mine = issue(user="sp-c03", compounds=[unit("G03")])
        theirs = issue(compounds=[unit("G02")])
        self.assertErr(H.as_user("sp-c03", "DELETE", "/api/v1/staff-passes/%d" % theirs["id"]), 404)
        self.assertEqual(H.as_user("sp-c03", "DELETE", "/api/v1/staff-passes/%d" % mine["id"])[0], 200)
        self.assertErr(H.as_user("sp-c03", "GET", "/api/v1/staff-passes?unit=" + unit("G02")), 404)
        # guards and the auditor issue nothing; the auditor lists nothing
        self.assertErr(H.as_user("kk01", "POST", "/api/v1/staff-passes", {"kind": "medical"}), 403)
        self.assertErr(H.as_user("auditor", "GET", "/api/v1/staff-passes"), 403)
        self.assertErr(H.as_user("auditor", "POST", "/api/v1/staff-passes", {"kind": "medical"}), 403)

    def test_audited(self):
        p = issue(compounds=[unit("G05")], phone="13904719999")
        scan("一号院北门", p["token"])  # 五号院's gate is merged into 四号院正门; 一号院北门 is wrong
        passage("四号院正门", "in", pass_token=p["token"])
        H.as_user("secretary", "GET", "/api/v1/staff-passes?unit=" + unit("G05"))
        H.as_user("secretary", "DELETE", "/api/v1/staff-passes/%d" % p["id"])
        rows = [r for r in H.audit_rows(entity="staff_pass")]
        actions = {(r["action"], str(r.get("entity_id"))) for r in rows}
        self.assertIn(("create", str(p["id"])), actions)
        self.assertIn(("update", str(p["id"])), actions)
        self.assertIn(("read", str(p["id"])), actions)
        self.assertTrue(any(r["action"] == "read" and str(r.get("entity_id")) != str(p["id"]) for r in rows))  # the list
        # no phone number in the audit
        self.assertFalse(any("13904719999" in str(r) for r in rows))
        rows = H.audit_rows(entity="passage")
        self.assertTrue(any("staff_pass" in str(r.get("fields")) for r in rows), rows[:3])


if __name__ == "__main__":
    unittest.main()
