"""The admin command line against the store a running server uses: import, export, user,
audit; --help for every command; one clear line on stderr and a non-zero exit on failure."""
import os
import re
import sqlite3
import subprocess
import unittest

import harness as H

COMMANDS = ["init", "serve", "demo", "import", "export", "user", "audit", "backup"]
HEADER = "姓名,性别,出生日期,证件类型,证件号码,联系电话,单位编码,房号,与户主关系,标签"


def setUpModule():
    H.start()


def tearDownModule():
    H.stop()


def cli(*args, **kw):
    return H.run_cli(*args, **kw)


def path(name):
    return os.path.join(H.tmpdir(), name)


def write(name, text, encoding="utf-8"):
    p = path(name)
    with open(p, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return p


def stderr_lines(r):
    return [l for l in r.stderr.splitlines() if l.strip()]


class Import(unittest.TestCase):
    def test_bad_rows_are_listed_and_exit_1(self):
        ok1 = H.make_id(region="310101", birth="19700101", seq=1, sex="M")
        ok2 = H.make_id(region="310101", birth="19700102", seq=2, sex="F")
        text = "\n".join([
            HEADER,
            "命令甲,男,,身份证,%s,13500000001,%s,60001,户主," % (ok1, H.E01),
            "命令乙,女,,身份证,%s,13500000002,%s,60001,配偶,chronic" % (H.bad_check(ok2), H.E01),
            "命令丙,女,,身份证,,1350000,%s,60001,子女," % H.E01,
            "命令丁,男,,身份证,,,NO-SUCH,60002,户主,",
            ",男,,身份证,,,%s,60003,户主," % H.E01,
            "命令戊,男,,身份证,,,%s,60004,户主,flying" % H.E01,
        ]) + "\n"
        f = write("bad.csv", text)
        r = cli("import", "residents", "--db", H.db_path(), f)
        self.assertEqual(r.returncode, 1, r.stderr)
        out = r.stdout.splitlines()
        bad = [l for l in out if l.startswith("line ")]
        self.assertEqual([re.match(r"line (\d+): (\w+): .+", l).groups() for l in bad],
                         [("3", "id_number"), ("4", "phone"), ("5", "unit_code"), ("6", "name"), ("7", "flags")])
        self.assertIn("校验位错误 / check digit is wrong", bad[0])
        self.assertIn("6 rows: 1 created, 0 updated, 0 unchanged, 5 refused", r.stdout)
        # the good row is in, and the server sees it
        st, s = H.as_user("secretary", "POST", "/api/v1/residents/search", {"q": "命令甲"})
        self.assertEqual([x["id_number"] for x in s["items"]], [ok1])

    def test_clean_file_exits_0(self):
        ids = [H.make_id(region="310102", birth="19800101", seq=i, sex="M") for i in range(3)]
        text = HEADER + "\n" + "\n".join("干净%d,男,,身份证,%s,,%s,61001,," % (i, ids[i], H.E02) for i in range(3)) + "\n"
        f = write("clean.csv", text)
        r = cli("import", "residents", "--db", H.db_path(), f)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("3 rows: 3 created, 0 updated, 0 unchanged, 0 refused", r.stdout)
        r = cli("import", "residents", "--db", H.db_path(), f)  # again: no duplicates
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"3 rows: 0 created, \d updated, \d unchanged, 0 refused")
        # GBK is converted, and says so on stderr
        f = write("clean-gbk.csv", text.replace("61001", "61002"), encoding="gbk")
        r = cli("import", "residents", "--db", H.db_path(), f)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("GBK", r.stderr)

    def test_a_sheet_larger_than_the_store_rebuilds_the_search_indexes(self):
        n = 16000  # more rows than the store holds (+10,000): the indexes are built after the load
        rows = [HEADER]
        for i in range(n):
            idn = H.make_id(region="320102", birth="19%02d%02d%02d" % (50 + i // 4000, 1 + i % 12, 1 + i % 28),
                            seq=i % 500, sex="M" if i % 2 else "F")
            name = "欧阳修远" if i == 1234 else "大表%05d" % i
            rows.append("%s,%s,,身份证,%s,1370000%04d,%s,%d,," % (name, "男" if i % 2 else "女", idn, i % 10000,
                                                            H.E03, 70000 + i // 3))
        rows.insert(101, "大表坏行,男,,身份证,320102199913320000,,%s,79999,," % H.E03)  # a refused row
        f = write("large.csv", "\n".join(rows) + "\n")
        st, before = H.as_user("secretary", "GET", "/api/v1/residents?unit=%s&limit=1" % H.COMMUNITY)
        r = cli("import", "residents", "--db", H.db_path(), f, timeout=300)
        self.assertEqual(r.returncode, 1, (r.stdout + r.stderr)[-800:])  # one refused row
        self.assertIn("search indexes rebuilt after the load", r.stderr)
        self.assertIn("%d rows: %d created, 0 updated, 0 unchanged, 1 refused" % (n + 1, n), r.stdout, r.stdout[-800:])
        self.assertRegex(r.stdout, r"line 102: id_number: ")
        st, after = H.as_user("secretary", "GET", "/api/v1/residents?unit=%s&limit=1" % H.COMMUNITY)
        self.assertEqual(after["total"], before["total"] + n)
        # the rebuilt indexes answer the worker's searches: name, pinyin initials, phone tail
        for q in ("欧阳修远", "ouyangxiuyuan", "oyxy", "大表01235"):
            st, s = H.as_user("secretary", "POST", "/api/v1/residents/search", {"q": q})
            self.assertEqual(st, 200, s)
            self.assertIn("欧阳修远" if q != "大表01235" else q, [x["name"] for x in s["items"]], q)
        st, s = H.as_user("secretary", "POST", "/api/v1/residents/search", {"q": "1234", "limit": 50})
        self.assertTrue(any(x["name"] == "欧阳修远" for x in s["items"]), s)  # phone tail
        # and they exist again in the store, all five
        names = {"residents_pinyin", "residents_initials", "residents_name", "residents_phone_tail", "residents_id_tail"}
        if os.environ.get("WANGGE_TEST_PG"):
            out = subprocess.run(["psql", "-qtA", "-d", H.db_path(), "-c",
                                  "SELECT indexname FROM pg_indexes WHERE tablename = 'residents'"],
                                 check=True, capture_output=True, text=True).stdout.split()
        else:
            con = sqlite3.connect(H.db_path(), timeout=30)
            out = [x[0] for x in con.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'residents'")]
            con.close()
        self.assertLessEqual(names, set(out))
        # the unit totals written during the load equal a recount
        for u in (H.COMMUNITY, H.E03):
            st, c = H.as_user("secretary", "GET", "/api/v1/coverage?unit=" + u)
            st, rc = H.as_user("secretary", "GET", "/api/v1/coverage/recount?unit=" + u)
            self.assertEqual((c["households_total"], c["residents_total"]), (rc["households_total"], rc["residents_total"]))

    def test_units_import(self):
        c = H.COMMUNITY
        f = write("units.csv", "code,parent_code,kind,name\n%s-B61,%s,building,61栋\n%s-B61-U1,%s-B61,entrance,1单元\n"
                  % (c, H.G2, c, c))
        r = cli("import", "units", "--db", H.db_path(), f)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("2 rows: 2 created", r.stdout)
        self.assertEqual(H.as_user("gw02", "GET", "/api/v1/units/%s-B61-U1" % c)[0], 200)


def id_check_ok(n):
    """GB 11643 check character of an 18-character resident ID number."""
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * k for c, k in zip(n[:17], w)) % 11] == n[17]


@unittest.skipIf(os.environ.get("WANGGE_TEST_PG"), "the preset's rows are read with sqlite3; the PostgreSQL run builds other stores")
class CityPreset(unittest.TestCase):
    def test_people_carry_their_districts_area_code(self):
        # the full preset (ten million) failed after 4.4 M residents: one city-wide area code
        # left 500 ID numbers per birthday and sex.  Two districts at this scale.
        db = path("city.db")
        r = cli("demo", "--db", db, "--preset", "city", "--scale", "0.007", "--seed", "3", timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("demo 'city' built"), r.stdout)
        c = sqlite3.connect(db)
        districts = c.execute("SELECT id, code FROM units WHERE kind = 'district'").fetchall()
        self.assertEqual(len(districts), 2)
        wrong = c.execute("SELECT count(*) FROM residents r JOIN units d ON d.id = r.district_id"
                          " WHERE d.kind <> 'district' OR substr(r.id_number, 1, 6) <> d.code").fetchone()[0]
        self.assertEqual(wrong, 0)
        per = dict(c.execute("SELECT district_id, count(*) FROM residents GROUP BY district_id").fetchall())
        self.assertEqual(sorted(per), sorted(d for d, _ in districts))
        sample = [n for (n,) in c.execute("SELECT id_number FROM residents ORDER BY random() LIMIT 500")]
        self.assertTrue(all(len(n) == 18 and id_check_ok(n) for n in sample))
        c.close()


class OutbreakDemo(unittest.TestCase):
    def test_make_run_demo_builds_the_whole_day(self):
        # what `make run` builds on first start: the full 青和居 with its outbreak day.  It
        # stopped at the case's hospital (already_isolated: the case was picked among the
        # returnees the police list had just put under observation) and exited 1, so make run
        # failed on a fresh checkout and the store had no confirmed case and 76 follow-ups overdue.
        db = path("outbreak.db")
        r = cli("demo", "--db", db, "--preset", "qinghe", "--seed", "1", "--outbreak", timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "")
        self.assertIn("confirmed", r.stdout)
        self.assertRegex(r.stdout, r"building disinfected; \d+ follow-ups done, 2 overdue")
        c = sqlite3.connect(db)
        self.assertEqual(c.execute("SELECT count(*) FROM epi_status WHERE category = 'confirmed'").fetchone()[0], 1)
        c.close()


class Export(unittest.TestCase):
    def test_residents_xlsx_and_csv(self):
        out = path("r.xlsx")
        r = cli("export", "residents", "--db", H.db_path(), "--unit", H.B03, "--format", "xlsx", "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^\d+ residents written to ")
        with open(out, "rb") as f:
            self.assertEqual(f.read(2), b"PK")
        out = path("r.csv")
        r = cli("export", "residents", "--db", H.db_path(), "--unit", H.B03, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8-sig") as f:
            lines = f.read().splitlines()
        self.assertTrue(lines[0].startswith("姓名/name,性别/sex,"))
        n = int(r.stdout.split()[0])
        self.assertEqual(len(lines) - 1, n)
        self.assertIsNotNone(H.ID_RE.search(lines[1]))  # the operator sees full values

    def test_units_csv(self):
        out = path("u.csv")
        r = cli("export", "units", "--db", H.db_path(), "--unit", H.COMMUNITY, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "code,parent_code,kind,name")
        self.assertIn("%s,%s,grid,第一网格" % (H.G1, H.COMMUNITY), lines)
        r = cli("import", "units", "--db", H.db_path(), out)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0 created, 0 updated, %d unchanged, 0 refused" % (len(lines) - 1), r.stdout)

    def test_export_failures(self):
        r = cli("export", "residents", "--db", H.db_path(), "--unit", "NOPE", "--out", path("x.csv"))
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(stderr_lines(r)), 1, r.stderr)
        r = cli("export", "residents", "--db", H.db_path(), "--format", "pdf", "--out", path("x.pdf"))
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(stderr_lines(r), ["wangge: --format must be csv or xlsx"])


class Users(unittest.TestCase):
    def test_add_passwd_disable(self):
        db = H.db_path()
        r = cli("user", "add", "--db", db, "--username", "cli-gw", "--password", "cli-password-1",
                "--role", "grid_worker", "--unit", H.G1, "--name", "命令行网格员")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("user cli-gw added", r.stdout)
        st, b = H.call("POST", "/api/v1/session", {"username": "cli-gw", "password": "cli-password-1"})
        self.assertEqual((st, b["user"]["role"], b["user"]["display_name"]), (201, "grid_worker", "命令行网格员"))
        tok = b["token"]
        # passwd with the option: old sessions end, the new password works
        r = cli("user", "passwd", "--db", db, "--username", "cli-gw", "--password", "cli-password-2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(H.call("GET", "/api/v1/session", token=tok)[0], 401)
        self.assertEqual(H.call("POST", "/api/v1/session", {"username": "cli-gw", "password": "cli-password-1"})[0], 401)
        # passwd from stdin (no echo needed when piped)
        r = cli("user", "passwd", "--db", db, "--username", "cli-gw", input="cli-password-3\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        st, b = H.call("POST", "/api/v1/session", {"username": "cli-gw", "password": "cli-password-3"})
        self.assertEqual(st, 201)
        tok = b["token"]
        r = cli("user", "disable", "--db", db, "--username", "cli-gw")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(H.call("GET", "/api/v1/session", token=tok)[0], 401)
        self.assertEqual(H.call("POST", "/api/v1/session", {"username": "cli-gw", "password": "cli-password-3"})[0], 401)
        r = cli("user", "enable", "--db", db, "--username", "cli-gw")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(H.call("POST", "/api/v1/session", {"username": "cli-gw", "password": "cli-password-3"})[0], 201)

    def test_user_failures(self):
        db = H.db_path()
        for args, field in [
            (("user", "add", "--db", db, "--username", "cli-weak", "--password", "short", "--role", "grid_worker",
              "--unit", H.G1), "password"),
            (("user", "add", "--db", db, "--username", "cli-x", "--password", "long-enough-pw", "--role", "king",
              "--unit", H.G1), "role"),
            (("user", "add", "--db", db, "--username", "gw01", "--password", "long-enough-pw", "--role",
              "grid_worker", "--unit", H.G1), "username"),
            (("user", "disable", "--db", db, "--username", "nobody"), "username"),
            (("user", "passwd", "--db", db, "--username", "gw02", "--password", "short"), "password"),
        ]:
            r = cli(*args)
            self.assertEqual(r.returncode, 1, (args, r.stdout))
            lines = stderr_lines(r)
            self.assertEqual(len(lines), 1, r.stderr)
            self.assertTrue(lines[0].startswith("wangge: %s: " % field), lines)
        self.assertEqual(H.call("POST", "/api/v1/session", {"username": "gw02", "password": H.PASSWORD})[0], 201)

    def test_user_list(self):
        r = cli("user", "list", "--db", H.db_path(), "--unit", H.G2)
        self.assertEqual(r.returncode, 0, r.stderr)
        names = [l.split()[0] for l in r.stdout.splitlines()]
        self.assertEqual(sorted(names), ["cadre02", "gw02", "vol02"])

    def test_user_list_without_unit_lists_everyone(self):
        """BUG: `wangge user list --db PATH` (no --unit) fails with 'wangge: unit: 没有这个单位 /
        no unit' and exit 1: acct_list() falls back to the actor's unit_id, which is 0 for the
        command-line operator (cli_open sets no unit)."""
        r = cli("user", "list", "--db", H.db_path())
        self.assertEqual(r.returncode, 0, r.stderr)
        names = [l.split()[0] for l in r.stdout.splitlines() if l.strip()]
        self.assertIn("admin", names)
        self.assertIn("gw02", names)


class Audit(unittest.TestCase):
    def test_audit_lists_rows_without_personal_values(self):
        H.as_user("gw01", "GET", "/api/v1/residents?q=lxq")
        r = cli("audit", "--db", H.db_path(), "--limit", "1000")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [l.split("\t") for l in r.stdout.splitlines()]
        self.assertGreaterEqual(len(rows), 3)
        self.assertIn(["cli:" + os.environ.get("USER", "operator"), "operator", "create", "demo"], [x[1:5] for x in rows])
        self.assertTrue(all(len(x) == 9 for x in rows), rows[:3])
        self.assertIn(["gw01", "grid_worker", "search", "resident"], [x[1:5] for x in rows])
        self.assertIsNone(H.ID_RE.search(r.stdout))
        self.assertIsNone(H.PHONE_RE.search(r.stdout))
        r = cli("audit", "--db", H.db_path(), "--user", "gw01")
        self.assertTrue(r.stdout and all(l.split("\t")[1] == "gw01" for l in r.stdout.splitlines()))
        r = cli("audit", "--db", H.db_path(), "--since", "2100-01-01")
        self.assertEqual((r.returncode, r.stdout), (0, ""))
        r = cli("audit", "--db", H.db_path(), "--since", "yesterday")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(stderr_lines(r)), 1)


class Help(unittest.TestCase):
    def test_every_command_has_help(self):
        for c in COMMANDS:
            for flag in ("--help", "-h"):
                r = cli(c, flag)
                self.assertEqual(r.returncode, 0, (c, r.stderr))
                self.assertTrue(r.stdout.startswith("usage: wangge " + c), (c, r.stdout))
        r = cli("--help")
        self.assertEqual(r.returncode, 0)
        for c in COMMANDS:
            self.assertIn("  " + c + " ", r.stdout)

    def test_failures_exit_non_zero_with_a_message(self):
        for args in (("nocommand",), ("import", "residents", "--db", H.db_path(), path("missing.csv")),
                     ("demo", "--db", H.db_path(), "--preset", "qinghe"),
                     ("serve", "--db", H.db_path(), "--listen", "nonsense"),
                     # numbers are numbers: "8x" is refused, not read as 8
                     ("serve", "--db", H.db_path(), "--threads", "8x"),
                     ("serve", "--db", H.db_path(), "--writers", "0"),
                     ("demo", "--db", path("never.db"), "--preset", "qinghe", "--scale", "0.1x"),
                     ("audit", "--db", H.db_path(), "--limit", "ten"),
                     ("export", "residents", "--db", H.db_path(), "--out", "/nonexistent-dir/x.csv")):
            r = cli(*args)
            self.assertNotEqual(r.returncode, 0, args)
            lines = stderr_lines(r)
            self.assertEqual(len(lines), 1, (args, r.stderr))
            self.assertTrue(lines[0].startswith("wangge: "), (args, lines))

    def test_config_set_takes_whole_numbers_only(self):
        before = cli("config", "get", "--db", H.db_path()).stdout
        for k, v in (("escalate_minutes", "30abc"), ("escalate_minutes", "2.5"), ("fever_threshold", "37.3x"),
                     ("fever_threshold", "nan"), ("deadline", "11:00pm"), ("isolation_days.close_contact", "14d")):
            r = cli("config", "set", k, v, "--db", H.db_path())
            self.assertEqual(r.returncode, 2, (k, v, r.stderr))
            self.assertEqual(len(stderr_lines(r)), 1, (k, v, r.stderr))
        self.assertEqual(cli("config", "get", "--db", H.db_path()).stdout, before)

    def test_bad_option_gives_one_line(self):
        """BUG (CLI): an unknown option prints 'wangge: unknown option --x (try --help)' and
        then the whole usage (cli_usage), i.e. 2–5 lines on stderr, where the issue asks for
        one clear line."""
        for c in COMMANDS:
            r = cli(c, "--no-such-option", "1")
            self.assertNotEqual(r.returncode, 0, c)
            self.assertEqual(len(stderr_lines(r)), 1, (c, r.stderr))
            self.assertIn("--no-such-option", r.stderr)


if __name__ == "__main__":
    unittest.main()
