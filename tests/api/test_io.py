"""Bulk import (CSV through the API) and export (CSV and XLSX)."""
import csv
import http.client
import io
import json
import threading
import time
import unittest
import zipfile

import harness as H

HEADER = "姓名,性别,出生日期,证件类型,证件号码,联系电话,单位编码,房号,与户主关系,标签"
EXPORT_HEADER = ("姓名/name,性别/sex,出生日期/birth_date,证件类型/id_type,证件号码/id_number,"
                 "联系电话/phone,单位编码/unit_code,房号/room,与户主关系/relation,标签/flags,居住状态/residence")
UNITS = [H.E01, H.E02, H.E03]
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def setUpModule():
    H.start()


def tearDownModule():
    H.stop()


def count(unit=H.COMMUNITY):
    st, b = H.as_user("secretary", "GET", "/api/v1/residents?unit=%s&limit=1" % unit)
    assert st == 200, b
    return b["total"]


def post_csv(data, user="secretary", path="/api/v1/imports/residents", ctype="text/csv"):
    return H.as_user(user, "POST", path, raw=data, ctype=ctype)


def person(i, region="110101", room_base=20000):
    """Row fields for good person i: unique ID number (day i//500, sequence i%500)."""
    t = time.gmtime(-631152000 + (i // 500) * 86400 * 740)  # from 1950-01-01, ~2 years apart
    birth = "%04d%02d%02d" % (t.tm_year, t.tm_mon, t.tm_mday)
    sex = "M" if i % 3 else "F"
    idn = H.make_id(region=region, birth=birth, seq=i % 500, sex=sex)
    name = "导" + GIVEN[i % len(GIVEN)] + GIVEN[(i // len(GIVEN)) % len(GIVEN)]
    return {"name": name, "sex": "男" if sex == "M" else "女",
            "birth": "%s-%s-%s" % (birth[:4], birth[4:6], birth[6:]), "id": idn,
            "phone": "139%08d" % i, "unit": UNITS[i % 3], "room": str(room_base + i // 4),
            "relation": "户主" if i % 4 == 0 else '"子女,次子"', "flags": ["", "chronic", "disabled;no_smartphone"][i % 3]}


def row(p):
    return ",".join([p["name"], p["sex"], p["birth"], "身份证", p["id"], p["phone"], p["unit"], p["room"],
                     p["relation"], p["flags"]])


def big_sheet(n_good=10000, region="110101"):
    """A sheet of n_good good rows and 30 bad ones of six kinds at known lines.
    Returns (text, expected errors [(line, column, code)], persons)."""
    lines = [HEADER]
    expected, persons = [], []
    bad_at = {int(k * n_good / 31) + 7 for k in range(30)}
    kinds = ["check", "phone", "unit", "name", "flag", "birth"]
    nbad = 0
    i = 0
    while i < n_good or nbad < 30:
        if i in bad_at and nbad < 30:
            kind = kinds[nbad % 6]
            p = person(nbad, region="150102")
            p["room"] = "9%04d" % nbad
            if kind == "check":
                p["id"] = H.bad_check(p["id"])
                col, code = "id_number", "invalid_id_number"
            elif kind == "phone":
                p["phone"] = "1390000" + "1" * (nbad % 3)  # too short
                col, code = "phone", "invalid_phone"
            elif kind == "unit":
                p["unit"] = "NO-SUCH-UNIT-%d" % nbad
                col, code = "unit_code", "unit_not_found"
            elif kind == "name":
                # one of them spans two physical lines: later line numbers must still be right
                p["name"] = '"坏\n名"' if nbad == 15 else ""
                col, code = "name", "invalid_name"
            elif kind == "flag":
                p["flags"] = "chronic;flying"
                col, code = "flags", "invalid_flag"
            else:
                p["birth"] = "1901-01-01"
                col, code = "birth_date", "birth_date_mismatch"
            expected.append((len(lines) + 1 + sum(l.count("\n") for l in lines), col, code))
            lines.append(row(p))
            nbad += 1
            bad_at.discard(i)
            continue
        if i < n_good:
            p = person(i, region=region)
            persons.append(p)
            lines.append(row(p))
        i += 1
    return "\n".join(lines) + "\n", expected, persons


class ImportProgress(unittest.TestCase):
    """A page that names its upload (X-Progress-Id) is told how far the server has read it,
    while it reads: the rows go up, the share with them, and at the end the entry says done
    with every row.  Only the account that sent it can ask."""

    def test_progress_of_a_big_sheet(self):
        text = HEADER + "\n" + "\n".join(row(person(i, region="210102", room_base=40000)) for i in range(12000)) + "\n"
        pid = "test-progress-0001"
        done = {}

        def upload():
            done["answer"] = H.as_user("secretary", "POST", "/api/v1/imports/residents", raw=text.encode(),
                                       ctype="text/csv", headers={"X-Progress-Id": pid})

        # Polled over four kept-alive connections opened before the upload: the server hands
        # a connection to one of its four HTTP threads by its socket, and a poll that lands on
        # the thread reading the sheet waits for it (one poll connection failed a run in four
        # when the import was short, on PostgreSQL's COPY path); the others see it running.
        tok = H.login("secretary")
        conns = [http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=120) for _ in range(4)]
        for c in conns:
            c.connect()
        th = threading.Thread(target=upload)
        seen_by = [[] for _ in conns]

        def poll(k):
            c = conns[k]
            while th.is_alive():
                c.request("GET", "/api/v1/progress/" + pid, headers={"Authorization": "Bearer " + tok})
                r = c.getresponse()
                b = json.loads(r.read().decode("utf-8"))
                if r.status == 200 and b["state"] == "running":
                    seen_by[k].append((b["rows"], b["share"]))
                else:
                    self.assertIn(r.status, (200, 404), b)  # 404 until the body is in and the import starts
                time.sleep(0.02)

        th.start()
        pollers = [threading.Thread(target=poll, args=(k,)) for k in range(len(conns))]
        for p in pollers:
            p.start()
        for p in pollers:
            p.join()
        for c in conns:
            c.close()
        seen = [x for xs in seen_by for x in xs]
        th.join()
        st, rep = done["answer"]
        self.assertEqual(st, 200, rep)
        self.assertEqual(rep["created"], 12000)
        self.assertTrue(seen, "never seen running")
        self.assertTrue(all(0 <= r <= 12000 and 0 <= sh <= 1 for r, sh in seen), seen[:5])
        for xs in seen_by:
            self.assertEqual(xs, sorted(xs), "rows and share only go up")
        st, b = H.as_user("secretary", "GET", "/api/v1/progress/" + pid)
        self.assertEqual(st, 200, b)
        self.assertEqual((b["state"], b["rows"], b["share"]), ("done", 12000, 1.0))
        # another account does not see it; a malformed id is refused naming the header
        st, b = H.as_user("gw02", "GET", "/api/v1/progress/" + pid)
        self.assertEqual((st, H.err(b)), (404, ("not_found", "id")))
        st, b = H.as_user("secretary", "POST", "/api/v1/imports/residents", raw=(HEADER + "\n").encode(),
                          ctype="text/csv", headers={"X-Progress-Id": "a b"})
        self.assertEqual((st, H.err(b)), (400, ("invalid_progress_id", "X-Progress-Id")))


class ImportHoldsNobody(unittest.TestCase):
    """A big sheet's import runs off the HTTP threads: while it runs, a request on any
    connection is answered at once, not after the import (it used to hold the HTTP thread
    that read it, and every connection that thread served waited for the end)."""

    def test_every_connection_answered_while_an_import_runs(self):
        people = [person(i, region="310101", room_base=60000) for i in range(15000)] + \
            [person(i, region="310104", room_base=70000) for i in range(15000)]  # IDs born before today
        text = HEADER + "\n" + "\n".join(row(p) for p in people) + "\n"
        pid = "test-holds-nobody-01"
        tok = H.login("secretary")
        auth = {"Authorization": "Bearer " + tok}
        # 24 kept-alive connections, opened and used before the upload: whichever HTTP thread
        # reads the sheet, some of them are its own
        conns = [http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=300) for _ in range(24)]
        for c in conns:
            c.request("GET", "/api/v1/session", headers=auth)
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
        done = {}

        def upload():
            done["answer"] = H.as_user("secretary", "POST", "/api/v1/imports/residents", raw=text.encode(),
                                       ctype="text/csv", headers={"X-Progress-Id": pid})

        th = threading.Thread(target=upload)
        th.start()
        running = False
        while th.is_alive() and not running:
            st, b = H.as_user("secretary", "GET", "/api/v1/progress/" + pid)
            running = st == 200 and b["state"] == "running"
            time.sleep(0.01)
        self.assertTrue(running, "the import was never seen running")
        states = [None] * len(conns)

        def ask(k):
            conns[k].request("GET", "/api/v1/progress/" + pid, headers=auth)
            r = conns[k].getresponse()
            states[k] = json.loads(r.read().decode("utf-8")).get("state")

        askers = [threading.Thread(target=ask, args=(k,)) for k in range(len(conns))]
        for a in askers:
            a.start()
        for a in askers:
            a.join()
        th.join()
        for c in conns:
            c.close()
        st, rep = done["answer"]
        self.assertEqual(st, 200, rep)
        self.assertEqual(rep["created"], 30000)
        # every connection was answered while the import was still running
        self.assertEqual(states, ["running"] * len(conns))


class BigImport(unittest.TestCase):
    def test_10000_rows_with_30_bad(self):
        text, expected, persons = big_sheet()
        self.assertEqual(len(expected), 30)
        before = count()
        hh_before = H.as_user("secretary", "GET", "/api/v1/households?unit=%s&limit=1" % H.COMMUNITY)[1]["total"]
        st, rep = post_csv(text)  # its speed is measured by bench/import.sh, not here
        self.assertEqual(st, 200, rep)
        self.assertEqual((rep["rows"], rep["created"], rep["updated"], rep["bad"]), (10030, 10000, 0, 30))
        self.assertFalse(rep["converted_from_gbk"])
        got = [(e["line"], e["column"], e["code"]) for e in rep["errors"]]
        self.assertEqual(got, expected)
        for e in rep["errors"]:
            self.assertTrue(e["reason"])
        self.assertEqual(count(), before + 10000)
        if H.PG and not H.CITUS:  # (a distributed table's statistics are its shards')
            # the planner knows the sheet's rows as soon as the import is answered: with the
            # statistics of the store before it, the first list of residents after a first
            # big load took 25 s on PostgreSQL (nested loops over tables it took for small)
            self.assertGreaterEqual(float(H.pg_value("SELECT reltuples FROM pg_class WHERE relname = 'residents'")),
                                    before + 10000)
        # one imported person, as stored
        p = persons[4321]
        st, s = H.as_user("secretary", "POST", "/api/v1/residents/search", {"q": p["phone"]})
        self.assertEqual(s["total"], 1, s)
        r = s["items"][0]
        self.assertEqual((r["name"], r["id_number"], r["birth_date"], r["unit_code"], r["room"], r["relation"]),
                         (p["name"], p["id"], p["birth"], p["unit"], p["room"], "子女,次子"))
        self.assertEqual(r["flags"], (["elderly"] if r["age"] >= 60 else []) + ["chronic"])
        # the import is audited with its counts only
        a = [x for x in H.audit_rows(username="secretary", entity="resident") if x["action"] == "import"][0]
        self.assertEqual(a["fields"], "rows:10030 created:10000 updated:0 bad:30")

        # the same file again: nothing new
        st, rep2 = post_csv(text)
        self.assertEqual(st, 200, rep2)
        self.assertEqual((rep2["rows"], rep2["created"], rep2["bad"]), (10030, 0, 30))
        self.assertEqual(rep2["updated"] + rep2["unchanged"], 10000)
        self.assertEqual([(e["line"], e["column"], e["code"]) for e in rep2["errors"]], expected)
        self.assertEqual(count(), before + 10000)
        # households: one per (unit, room), not doubled
        st, h = H.as_user("secretary", "GET", "/api/v1/households?unit=%s&limit=1" % H.COMMUNITY)
        self.assertEqual(h["total"], hh_before + len({(p["unit"], p["room"]) for p in persons}))
        # the counters behind coverage (summed per batch during the import) equal a recount,
        # for the community and every building the sheet touched
        units = [H.COMMUNITY] + sorted({p["unit"] for p in persons})
        for u in units:
            st, c = H.as_user("secretary", "GET", "/api/v1/coverage?unit=" + u)
            self.assertEqual(st, 200, c)
            st, r = H.as_user("secretary", "GET", "/api/v1/coverage/recount?unit=" + u)
            self.assertEqual(st, 200, r)
            self.assertEqual((c["households_total"], c["residents_total"]),
                             (r["households_total"], r["residents_total"]), u)


class SmallImports(unittest.TestCase):
    def test_gbk_file_is_converted(self):
        text = HEADER + "\n" + "\n".join(row(person(i, region="120101", room_base=31000)) for i in range(20)) + "\n"
        before = count()
        st, rep = post_csv(text.encode("gbk"))
        self.assertEqual(st, 200, rep)
        self.assertEqual((rep["converted_from_gbk"], rep["created"], rep["bad"]), (True, 20, 0))
        self.assertEqual(count(), before + 20)
        p = person(3, region="120101", room_base=31000)
        st, s = H.as_user("secretary", "POST", "/api/v1/residents/search", {"q": p["name"], "unit": p["unit"]})
        self.assertIn(p["id"], [x["id_number"] for x in s["items"]])

    def test_bom_crlf_and_english_headers(self):
        p = person(0, region="130102", room_base=32000)
        text = "\ufeffname,sex,birth_date,id_type,id_number,phone,unit_code,room,relation,flags\r\n" + \
            ",".join([p["name"], "F" if p["sex"] == "女" else "M", p["birth"], "id_card", p["id"], p["phone"],
                      p["unit"], p["room"], "户主", "pregnant" if p["sex"] == "女" else ""]) + "\r\n\r\n"
        st, rep = post_csv(text.encode("utf-8"))
        self.assertEqual((st, rep["created"], rep["bad"], rep["rows"]), (200, 1, 0, 1), rep)

    def test_minimal_columns(self):
        st, rep = post_csv("姓名,单位编码,房号\n最小甲,%s,30001\n最小乙,%s,30001\n" % (H.E02, H.E02))
        self.assertEqual((st, rep["created"], rep["bad"]), (200, 2, 0))
        st, rep = post_csv("姓名,单位编码,房号\n最小甲,%s,30001\n" % H.E02)  # matched by name + household
        self.assertEqual((st, rep["created"], rep["updated"] + rep["unchanged"]), (200, 0, 1))

    def test_chinese_flag_names(self):
        """BUG: import_resident_row() splits the 标签 column with strtok_r(";；,、"), whose
        delimiters are bytes, so the UTF-8 bytes 0x80/0x81 of '；' and '、' also cut
        inside Chinese flag names: 慢性病, 独居老人, 老人, 60岁以上 are refused."""
        rows = []
        for i, fl in enumerate(["慢性病", "独居老人", "60岁以上", "孕妇、残疾", "长期用药；慢性病"]):
            p = person(i, region="140105", room_base=33000)
            p["flags"] = fl
            rows.append(row(p))
        st, rep = post_csv(HEADER + "\n" + "\n".join(rows) + "\n")
        self.assertEqual(st, 200)
        self.assertEqual((rep["created"], rep["bad"]), (5, 0), rep)

    def test_every_refused_row_is_reported(self):
        """BUG: import_bad() builds the error with json_pack(); when the reason holds invalid
        UTF-8 (the unknown-flag message quoting a flag cut by the strtok_r bug above) the
        pack fails and the row is counted in 'bad' but missing from 'errors'."""
        rows = []
        for i, fl in enumerate(["慢性病", "flying", "独居老人"]):
            p = person(10 + i, region="140105", room_base=34000)
            p["flags"] = fl
            rows.append(row(p))
        st, rep = post_csv(HEADER + "\n" + "\n".join(rows) + "\n")
        self.assertEqual(st, 200)
        self.assertEqual(rep["bad"], len(rep["errors"]), rep)
        self.assertEqual(rep["rows"], rep["created"] + rep["updated"] + rep["unchanged"] + rep["bad"])

    def test_bad_files(self):
        for data, status, code, field in [
            ("", 400, "empty_file", "file"),
            ("\n\n", 400, "empty_file", "file"),
            ("性别,房号\n男,1\n", 400, "missing_column", "name"),
            ("姓名,房号\n甲,1\n", 400, "missing_column", "unit_code"),
            ("姓名,单位编码\n甲,%s\n" % H.E01, 400, "missing_column", "room"),
            ("姓名,单位编码,房号\n".encode("utf-16"), 400, "bad_encoding", None),
            (b"\x81\x30\xff\xff", 400, "bad_encoding", None),
        ]:
            st, b = post_csv(data)
            self.assertEqual((st, H.err(b)), (status, (code, field)), data)
        st, b = post_csv("姓名,单位编码,房号\n", ctype="application/json")
        self.assertEqual((st, H.err(b)[0]), (415, "unsupported_media_type"))
        st, b = post_csv('姓名,单位编码,房号\n"未闭合,%s,1\n' % H.E01)
        self.assertEqual((st, rep_codes(b)), (200, [(2, None, "bad_csv")]))

    def test_scope_and_household_kind(self):
        st, rep = post_csv("姓名,单位编码,房号\n格员甲,%s,30002\n格员乙,%s,30002\n格员丙,%s,30002\n"
                           % (H.E01, H.G1, H.E03), user="gw01")
        self.assertEqual(st, 200)
        self.assertEqual(rep_codes(rep), [(3, "unit_code", "not_a_building"), (4, "unit_code", "unit_not_found")])
        self.assertEqual(rep["created"], 1)
        st, b = post_csv("姓名,单位编码,房号\n甲,%s,1\n" % H.E01, user="vol01")
        self.assertEqual((st, H.err(b)[0]), (403, "forbidden"))


def rep_codes(rep):
    return [(e["line"], e["column"], e["code"]) for e in rep["errors"]]


class UnitImport(unittest.TestCase):
    def test_import_and_reimport_units(self):
        c = H.COMMUNITY
        text = ("code,parent_code,kind,name\n"
                "%s-B41-U1,%s-B41,entrance,1单元\n"     # child before its parent
                "%s-B41,%s,building,41栋\n"
                "%s-B42,%s,building,42栋\n"
                "%s-B43,%s,building,43栋\n"
                "%s-B44,%s,hut,44号\n"                  # bad kind
                "%s-B45,NOPE,building,45栋\n"           # unknown parent
                % (c, c, c, H.G1, c, H.G1, c, H.G2, c, H.G1, c))
        st, rep = post_csv(text, path="/api/v1/imports/units")
        self.assertEqual(st, 200, rep)
        self.assertEqual((rep["rows"], rep["created"], rep["bad"]), (6, 4, 2))
        self.assertEqual(sorted(rep_codes(rep)), [(6, "kind", "invalid_kind"), (7, "parent_code", "unit_not_found")])
        st, u = H.as_user("secretary", "GET", "/api/v1/units/%s-B41-U1" % c)
        self.assertEqual((st, u["parent_code"]), (200, c + "-B41"))
        st, rep = post_csv(text, path="/api/v1/imports/units")
        self.assertEqual((rep["created"], rep["updated"], rep["unchanged"], rep["bad"]), (0, 0, 4, 2))
        # an export re-imports unchanged
        st, data = H.as_user("secretary", "GET", "/api/v1/exports/units?unit=" + c)
        self.assertEqual(st, 200)
        lines = data.decode("utf-8").splitlines()
        self.assertEqual(lines[0], "code,parent_code,kind,name")
        self.assertEqual(lines[1], "%s,420107003,community,青和居社区" % c)
        self.assertIn("%s-B41,%s,building,41栋" % (c, H.G1), lines)
        # as the admin (who sees the community's parent) it re-imports unchanged
        st, rep = post_csv(data, path="/api/v1/imports/units", user="admin")
        self.assertEqual((st, rep["created"], rep["updated"], rep["bad"]), (200, 0, 0, 0), rep)
        self.assertEqual(rep["unchanged"], len(lines) - 1)
        # a rename and a move through the import
        st, rep = post_csv("code,parent_code,kind,name\n%s-B42,%s,building,四十二栋\n" % (c, H.G2),
                           path="/api/v1/imports/units")
        self.assertEqual((rep["updated"], rep["bad"]), (1, 0))
        st, u = H.as_user("secretary", "GET", "/api/v1/units/%s-B42" % c)
        self.assertEqual((u["name"], u["parent_code"]), ("四十二栋", H.G2))
        self.assertEqual([h["action"] for h in u["history"]], ["create", "rename", "move"])

    def test_units_export_reimports_for_the_same_account(self):
        """BUG: GET /exports/units?unit=CODE writes the subtree's root row with its
        parent_code, which lies outside the exporter's scope; re-importing that same file
        as the same account refuses the root row (parent_code unit_not_found), so an
        export does not re-import cleanly for a community account."""
        st, data = H.as_user("secretary", "GET", "/api/v1/exports/units?unit=" + H.COMMUNITY)
        self.assertEqual(st, 200)
        st, rep = post_csv(data, path="/api/v1/imports/units")
        self.assertEqual(st, 200)
        self.assertEqual((rep["created"], rep["updated"], rep["bad"]), (0, 0, 0), rep["errors"])


class Exports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        st, h = H.as_user("secretary", "POST", "/api/v1/households", {"unit_code": H.E03, "room": "40001"})
        assert st == 201, h
        cls.hh = h
        for name, rel in (("=1+2", "=cmd"), ("公式人", "@SUM(A1)"), ("减号人", "-1"), ("加号人", "+86")):
            st, r = H.as_user("secretary", "POST", "/api/v1/residents",
                              {"household_id": h["id"], "name": name, "relation": rel})
            assert st == 201, r

    def export(self, user="secretary", fmt="csv", unit=H.E03):
        return H.as_user(user, "GET", "/api/v1/exports/residents?unit=%s&format=%s" % (unit, fmt))

    def test_csv(self):
        st, data = self.export()
        self.assertEqual(st, 200)
        self.assertTrue(H.last_headers["content-type"].startswith("text/csv"))
        self.assertEqual(H.last_headers["content-disposition"], 'attachment; filename="residents.csv"')
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"))  # BOM for Excel
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        self.assertEqual(rows[0], EXPORT_HEADER.split(","))
        self.assertEqual(len(rows) - 1, count(H.E03))
        mine = {r[0]: r for r in rows if r[7] == "40001"}
        self.assertEqual(set(mine), {"'=1+2", "公式人", "减号人", "加号人"})
        self.assertEqual(mine["'=1+2"][8], "'=cmd")
        self.assertEqual(mine["公式人"][8], "'@SUM(A1)")
        self.assertEqual(mine["减号人"][8], "'-1")
        self.assertEqual(mine["加号人"][8], "'+86")
        for r in rows[1:]:
            for cell in r:
                self.assertFalse(cell[:1] in ("=", "+", "-", "@"), r)
        self.assertEqual(self.export(fmt="csv")[0], 200)
        rows_default = H.as_user("secretary", "GET", "/api/v1/exports/residents?unit=" + H.E03)[1]
        self.assertEqual(rows_default, data)  # csv is the default

    def test_xlsx(self):
        st, data = self.export(fmt="xlsx")
        self.assertEqual(st, 200)
        self.assertEqual(H.last_headers["content-type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertEqual(H.last_headers["content-disposition"], 'attachment; filename="residents.xlsx"')
        self.assertEqual(data[:2], b"PK")
        z = zipfile.ZipFile(io.BytesIO(data))
        self.assertIn("xl/worksheets/sheet1.xml", z.namelist())
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
        self.assertIn("姓名/name", strings)
        self.assertIn("'=cmd", strings)
        self.assertNotIn(">=cmd<", strings)

    def test_export_refusals(self):
        st, b = H.as_user("secretary", "GET", "/api/v1/exports/residents?format=pdf")
        self.assertEqual((st, H.err(b)), (400, ("invalid_format", "format")))
        st, b = H.as_user("secretary", "GET", "/api/v1/exports/residents?unit=NOPE")
        self.assertEqual((st, H.err(b)[0]), (404, "unit_not_found"))
        st, b = H.as_user("vol01", "GET", "/api/v1/exports/residents")
        self.assertEqual((st, H.err(b)[0]), (403, "forbidden"))
        # without unit: the caller's own unit
        st, data = H.as_user("gw02", "GET", "/api/v1/exports/residents")
        self.assertEqual(st, 200)
        rows = data.decode("utf-8-sig").splitlines()
        self.assertEqual(len(rows) - 1, count(H.G2))

    def test_export_reimports(self):
        """BUG: the residents export writes headers like '姓名/name', which the residents
        import does not accept (it wants '姓名' or 'name'), so an export cannot be
        re-imported (400 missing_column) although registry.h says it is written 'in the
        import's columns'."""
        st, data = self.export(unit=H.E02)
        self.assertEqual(st, 200)
        st, rep = post_csv(data)
        self.assertEqual(st, 200, rep)
        self.assertEqual((rep["created"], rep["bad"]), (0, 0))


if __name__ == "__main__":
    unittest.main()
