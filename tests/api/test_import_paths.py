"""The residents import on PostgreSQL has two paths: the staging table (COPY, then set
statements for the rows that meet no one, the per-row rules for the rest) and the per-row
rules for every row (`wangge import residents --per-row`).  The same sheet into two copies of
the same store must leave the same store and print the same report, on a sheet that mixes
new people, new households, people joining households where everyone checked in, refused
rows, people stored (unchanged, updated, moved), duplicates within the sheet (by number and
by name in a household), and people not living there — once as a sheet larger than the
store (its keys and indexes dropped and made again) and once as a smaller one.

PostgreSQL only (make pgtest): SQLite has the per-row path alone; a Citus coordinator too."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness as H

HEADER = "姓名,性别,出生日期,证件类型,证件号码,联系电话,单位编码,房号,与户主关系,标签,居住状态,备注"


def psql(url, sql):
    return subprocess.run(["psql", "-qAt", "-F", "|", "-d", url, "-c", sql], check=True, capture_output=True,
                          text=True).stdout


def new_db():
    name = "imp_%d_%d" % (os.getpid(), len(DBS))
    H._psql("DROP DATABASE IF EXISTS %s" % name)
    H._psql("CREATE DATABASE %s" % name)
    DBS.append(name)
    return os.environ["WANGGE_TEST_PG"].rsplit("/", 1)[0] + "/" + name


DBS = []

# what each store is compared on: everything the import writes, without ids or times
DUMPS = {
    "residents": "SELECT u.code, h.room, r.name, r.sex, r.birth_date, r.id_type, r.id_number, r.id_held, r.phone,"
                 " r.relation, r.flags, r.residence, r.name_pinyin, r.name_initials, r.id_tail, r.phone_tail,"
                 " r.moved_out_at IS NULL, r.district_id = h.district_id, r.note FROM residents r"
                 " JOIN households h ON h.id = r.household_id JOIN units u ON u.id = h.unit_id ORDER BY 1, 2, 3, 7, 9",
    "households": "SELECT u.code, h.room, h.occupancy, h.retired_at IS NULL, h.district_id = u.district_id,"
                  " (SELECT count(*) FROM residents r WHERE r.household_id = h.id) FROM households h"
                  " JOIN units u ON u.id = h.unit_id ORDER BY 1, 2",
    "moves": "SELECT r.name, r.id_number, fu.code, f.room, tu.code, t.room, m.note, m.actor_id FROM resident_moves m"
             " JOIN residents r ON r.id = m.resident_id LEFT JOIN households f ON f.id = m.from_household"
             " LEFT JOIN units fu ON fu.id = f.unit_id LEFT JOIN households t ON t.id = m.to_household"
             " LEFT JOIN units tu ON tu.id = t.unit_id ORDER BY 1, 2, 3, 4, 5, 6, 7",
    "unit_stats": "SELECT u.code, s.households, s.residents FROM unit_stats s JOIN units u ON u.id = s.unit_id ORDER BY 1",
    "day_counts": "SELECT u.code, d.day, d.households_reached, d.residents_accounted, d.residents_reported, d.fevers,"
                  " d.symptomatic FROM day_counts d JOIN units u ON u.id = d.unit_id ORDER BY 1, 2",
    "audit": "SELECT action, entity, fields, outcome, username FROM audit WHERE action = 'import' ORDER BY id",
    "keys": "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid IN ('residents'::regclass, 'resident_moves'::regclass, 'households'::regclass) ORDER BY 2",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('residents', 'resident_moves', 'households')"
               " ORDER BY 1",
}


def dump(url):
    return {k: psql(url, q) for k, q in DUMPS.items()}


def recount(url):
    """The unit totals recounted from the rows, each unit with all below it (households not
    retired with someone living or staying there, and those people)."""
    return psql(url, "SELECT a.code, count(DISTINCT h.id), count(r.id) FROM units a JOIN units u ON u.path LIKE a.path || '%'"
                     " JOIN households h ON h.unit_id = u.id AND h.retired_at IS NULL JOIN residents r ON r.household_id = h.id"
                     " AND r.moved_out_at IS NULL AND r.residence IN ('living', 'temporary') GROUP BY a.code ORDER BY 1")


def stored_totals(url):
    return psql(url, "SELECT u.code, s.households, s.residents FROM unit_stats s JOIN units u ON u.id = s.unit_id"
                     " WHERE s.households <> 0 OR s.residents <> 0 ORDER BY 1")


def sheet(url, n_new, pad, tag):
    """A sheet built from what the store holds: n_new new people (in new and existing
    households) and every other kind of row, each line padded with pad bytes of an
    ignored column (the size decides whether the indexes are rebuilt)."""
    stored = [l.split("|") for l in psql(url, "SELECT r.name, r.id_type, r.id_number, u.code, h.room, r.relation, r.phone"
                                              " FROM residents r JOIN households h ON h.id = r.household_id"
                                              " JOIN units u ON u.id = h.unit_id WHERE r.moved_out_at IS NULL"
                                              " AND r.id_number IS NOT NULL ORDER BY r.id LIMIT 40").splitlines()]
    units = [H.E01, H.E02, H.E03]
    filler = "x" * pad
    rows = [HEADER]

    def add(name, sex, idn, phone, unit, room, rel="", flags="", res="", idtype="身份证"):
        rows.append(",".join([name, sex, "", idtype, idn, phone, unit, room, rel, flags, res, filler]))

    for i in range(n_new):
        idn = H.make_id(region="3201%02d" % tag, birth="19%02d%02d%02d" % (40 + i % 50, 1 + i % 12, 1 + i % 28), seq=i % 900,
                        sex="M" if i % 2 else "F")
        # three people a household; every ninth into a room the store has (living people, check-ins)
        unit = units[i % 3]
        room = stored[i % len(stored)][4] if i % 9 == 0 and stored[i % len(stored)][3] == unit else "%d" % (8000 + i // 3)
        res = ["", "在住", "暂住", "外出", "户在人不在"][i % 5]
        add("新人%d-%05d" % (tag, i), "男" if i % 2 else "女", idn if i % 7 else "", "1390000%04d" % (i % 10000), unit, room,
            res=res, flags="elderly_alone" if i % 11 == 0 else "")
        if i == 30:  # the same number again later in the sheet: an update of the row above
            add("新人%d-%05d改" % (tag, i), "女", idn, "13911112222", unit, room)
        if i == 31:  # the same name in the same new household without a number: the same person
            add("无证同名%d" % tag, "男", "", "13800000001", units[1], "9999")
            add("无证同名%d" % tag, "男", "", "13800000002", units[1], "9999")
        if i == 32:  # the same number, another room: a person moving within the sheet
            mid = H.make_id(region="3201%02d" % tag, birth="19770707", seq=77, sex="M")
            add("搬家人", "男", mid, "13800000003", units[2], "9998")
            add("搬家人", "男", mid, "13800000003", units[0], "9997")
        if i == 40:  # refused rows among them
            add("坏证号", "男", "320102199913320000", "", units[0], "9001")
            add("无单位", "男", "", "", "420107003008-B99-U9", "9002")
            add("无房号", "女", "", "", units[0], "")
            add("坏性别", "X", "", "", units[0], "9003")
    # people stored: unchanged, a new phone, moved to another room, a residence changed
    for j, (name, idtype, idn, unit, room, rel, phone) in enumerate(stored[:20]):
        t = "身份证" if idtype == "id_card" else ("护照" if idtype == "passport" else "其他")
        if j % 4 == 0:
            add(name, "", idn, phone, unit, room, rel, idtype=t)
        elif j % 4 == 1:
            add(name, "", idn, "1370000%04d" % j, unit, room, rel, idtype=t)
        elif j % 4 == 2:
            add(name, "", idn, phone, unit, "7%03d" % j, rel, idtype=t)
        else:
            add(name, "", idn, phone, unit, room, rel, res="外出", idtype=t)
    # a stored person by name in their household, no number given
    name, idtype, idn, unit, room, rel, phone = stored[21]
    add(name, "", "", "13600000000", unit, room, rel)
    return "\n".join(rows) + "\n"


FLAGS = ["lives_alone", "disabled", "chronic", "no_smartphone", "pregnant", "regular_medicine"]
RES_ZH = {"living": "在住", "registered_only": "户在人不在", "temporary": "暂住", "away": "外出"}
SAME_CLASS = {"living": "temporary", "temporary": "living", "away": "registered_only", "registered_only": "away"}
OTHER_CLASS = {"living": "away", "temporary": "registered_only", "away": "living", "registered_only": "temporary"}


def reimport_sheet(url):
    """Everyone the store has living in a household, as a sheet — a re-import where every row
    meets someone stored — with every kind of change the per-row rules make to a person
    found: most rows unchanged (in English or Chinese spellings, some naming their
    residence), a new phone, a new name, a new relation, new flags, a residence of the same
    kind and one that makes them no longer live there (or live there again), a move to
    another room, the number left out (matched by name, the number cleared) or a new one
    given; and rows that meet each other: a number given twice, a person renamed while
    another row names them by their old name, a new number while another row carries the
    old one; and refused rows."""
    people = [l.split("|") for l in psql(url, "SELECT r.name, r.sex, r.birth_date, r.id_type, r.id_number, r.phone, u.code,"
                                              " h.room, r.relation, r.flags, r.residence FROM residents r"
                                              " JOIN households h ON h.id = r.household_id JOIN units u ON u.id = h.unit_id"
                                              " WHERE h.retired_at IS NULL AND r.id_held IS NULL"
                                              " AND u.kind IN ('building', 'entrance') ORDER BY r.id").splitlines()]
    rows = [HEADER]

    def add(name, sex, birth, idtype, idn, phone, unit, room, rel, flags, res):
        rows.append(",".join([name, sex, birth, idtype, idn, phone, unit, room, rel, flags, res, ""]))

    for j, (name, sex, birth, idtype, idn, phone, unit, room, rel, flags, res) in enumerate(people):
        fl = ";".join(f for b, f in enumerate(FLAGS) if int(flags) & (1 << b))
        zh = j % 3 == 0  # the sheet's Chinese spellings
        r = dict(name=name, sex=("男" if sex == "M" else "女") if zh and sex else sex, birth=birth,
                 idtype={"id_card": "身份证", "passport": "护照", "other": "其他"}[idtype] if zh else idtype,
                 idn=idn, phone=phone, unit=unit, room=room, rel=rel, flags=fl,
                 res=(RES_ZH[res] if zh else res) if j % 7 == 0 else "")
        k = j % 40
        if k == 1:
            r["phone"] = "1371234%04d" % j
        elif k == 2:
            r["name"] = name + "改"
        elif k == 3:
            r["rel"] = "亲属" if rel != "亲属" else "其他"
        elif k == 4:
            r["flags"] = "chronic" if fl != "chronic" else ""
        elif k == 5:
            r["res"] = SAME_CLASS[res]
        elif k == 6:
            r["res"] = OTHER_CLASS[res]
        elif k == 7:
            r["room"] = "6%03d" % j
        elif k == 8 and idn:
            r["idn"] = ""
        elif k == 9 and idtype == "id_card" and not zh:
            r["idn"] = H.make_id(region="350102", birth=birth.replace("-", "") if birth else "19800101", seq=j % 500,
                                 sex=sex or "M")
            if not birth:
                r["birth"], r["sex"] = "1980-01-01", sex or "M"
        add(**r)
        if k == 10 and idn:  # the same number again, the phone back: the second row applies over the first
            rows[-1] = rows[-1].replace("," + phone + ",", ",1390000%04d," % j, 1) if phone else rows[-1]
            add(name, "", "", idtype, idn, phone, unit, room, rel, fl, "")
        if k == 11:  # renamed, while the next row names them by their old name (no number)
            rows[-1] = rows[-1].replace(name + ",", name + "乙,", 1)
            add(name, "", "", "", "", "1380000%04d" % j, unit, room, "", "", "")
        if k == 12 and idtype == "id_card" and idn:  # a new number; another row carries the old one
            rows[-1] = rows[-1].replace(idn, H.make_id(region="350103", birth=idn[6:14], seq=j % 500,
                                                       sex="M" if int(idn[16]) % 2 else "F"), 1)
            carrier = ",".join(["拿旧号%d" % j, "", "", "", idn, "", unit, "5%03d" % j, "", "", "", ""])
            if j % 80 == 12:  # after the row that renumbers them, or before
                rows.append(carrier)
            else:
                rows.insert(len(rows) - 1, carrier)
    add("坏证号", "男", "", "", "320102199913320000", "", H.E01, "9001", "", "", "")
    add("无单位", "男", "", "", "", "", "420107003008-B99-U9", "9002", "", "", "")
    add("无房号", "女", "", "", "", "", H.E01, "", "", "", "")
    add("坏标签", "女", "", "", "", "", H.E01, "9003", "", "no_such_flag", "")
    return "\n".join(rows) + "\n", len(people)


@unittest.skipUnless(H.PG and not H.CITUS, "PostgreSQL's staging path only (make pgtest)")
class StagingEqualsPerRow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a, cls.b = new_db(), new_db()
        for url in (cls.a, cls.b):
            r = H.run_cli("demo", "--db", url, "--preset", "qinghe", "--households", 600, "--seed", 7, timeout=600)
            assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        for name in DBS:
            H._psql("DROP DATABASE IF EXISTS %s" % name)

    def write(self, name, text):
        d = tempfile.mkdtemp(prefix="wangge-imp-")
        self.addCleanup(shutil.rmtree, d, True)
        p = os.path.join(d, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def both(self, f, big):
        ra = H.run_cli("import", "residents", "--db", self.a, "--per-row", f, timeout=600)
        rb = H.run_cli("import", "residents", "--db", self.b, f, timeout=600)
        for r in (ra, rb):
            self.assertIn(r.returncode, (0, 1), r.stderr[-800:])
            self.assertEqual("search indexes rebuilt after the load" in r.stderr, big, r.stderr)
        report = lambda r: [l for l in r.stdout.splitlines() if not l.startswith("took ")]
        self.assertEqual(report(ra), report(rb))
        self.one_by_one = int(re.search(r"(\d+) rows applied one by one", rb.stderr).group(1))
        da, db = dump(self.a), dump(self.b)
        for k in DUMPS:
            self.assertEqual(da[k].splitlines(), db[k].splitlines(), k)
        for url in (self.a, self.b):
            self.assertEqual(stored_totals(url), recount(url))
        return report(rb)

    def test_1_larger_than_the_store_then_smaller(self):
        n_before = int(psql(self.b, "SELECT count(*) FROM residents"))
        # a sheet larger than the store by its size: ~1.2 KB a line
        text = sheet(self.b, 1200, 1200, 2)
        self.assertGreater(len(text.encode()) / 100, n_before + 10000)
        rep = self.both(self.write("big.csv", text), True)
        self.assertTrue(any(l.startswith("line ") for l in rep), rep)  # refused rows listed
        summary = [l for l in rep if " rows: " in l][0]
        self.assertRegex(summary, r"\d+ created, [1-9]\d* updated, [1-9]\d* unchanged, [1-9]\d* refused")
        # the keys and indexes the load dropped are there again, as they were
        self.assertIn("residents_household_id_fkey|FOREIGN KEY (household_id) REFERENCES households(id)",
                      psql(self.b, DUMPS["keys"]).replace("residents|", "", 1))
        # the same kinds of rows again, now into a store larger than the sheet: no rebuild
        rep = self.both(self.write("small.csv", sheet(self.b, 300, 0, 3)), False)
        self.assertTrue(any(" rows: " in l for l in rep), rep)

    def test_2_reimport(self):
        """A corrected sheet of everyone stored: the rows that meet one person and no one else
        are told apart and applied by set statements, with the per-row rules' report and
        store; only the rows that meet each other, move someone or change who lives where
        go one by one."""
        # notes, which an update clears, and people moved out, whom a row brings back — the
        # same people in both stores; the unit totals recounted after the moves out
        for url in (self.a, self.b):
            psql(url, "UPDATE residents SET note = '备注' WHERE substr(md5(name || coalesce(id_number, '')), 1, 1) = '0'")
            psql(url, "UPDATE residents SET moved_out_at = 1700000000 WHERE id_number IS NOT NULL"
                      " AND substr(md5(id_number), 1, 1) = '1'")
            psql(url, "UPDATE unit_stats SET households = 0, residents = 0")
            psql(url, "UPDATE unit_stats s SET households = x.h, residents = x.r FROM (SELECT a.id, count(DISTINCT h.id) AS h,"
                      " count(r.id) AS r FROM units a JOIN units u ON u.path LIKE a.path || '%' JOIN households h"
                      " ON h.unit_id = u.id AND h.retired_at IS NULL JOIN residents r ON r.household_id = h.id"
                      " AND r.moved_out_at IS NULL AND r.residence IN ('living', 'temporary') GROUP BY a.id) x"
                      " WHERE s.unit_id = x.id")
            self.assertEqual(stored_totals(url), recount(url))
        text, n = reimport_sheet(self.b)
        self.assertGreater(n, 1000)
        rep = self.both(self.write("again.csv", text), False)
        summary = [l for l in rep if " rows: " in l][0]
        m = re.search(r"(\d+) rows: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) refused", summary)
        rows, created, updated, unchanged, refused = map(int, m.groups())
        self.assertGreater(updated, n // 8, summary)
        self.assertGreater(unchanged, n // 3, summary)
        self.assertEqual(refused, 4, summary)
        self.assertTrue(created > 0, summary)  # renamed rows without a number, the old numbers' carriers
        # one by one: the moves, the changes of who lives there and the rows that meet each
        # other (a tenth to a fifth of the sheet), not the rest — the old path took every row
        # that met someone stored one by one
        self.assertLess(self.one_by_one, (rows - refused - created) // 3, (self.one_by_one, summary))
        # and again: now every row is the store's own
        text, n = reimport_sheet(self.b)
        rep = self.both(self.write("again2.csv", text), False)


if __name__ == "__main__":
    unittest.main()
