"""Which of the check-in's hot statements Citus routes to one shard (its router executor).

Run by `make citustest` (WANGGE_TEST_PG: the coordinator's URL, WANGGE_TEST_CITUS:
scripts/citus-db.sh, WANGGE_BIN: the binary); skipped elsewhere.  A store is initialised
on the cluster (the driver lays the schema out for Citus), each statement is taken from
src/db/sql.def — or its Citus text from src/db/layout_citus.c, as the driver would — and
prepared, and the plan of one execution is read with EXPLAIN: a statement routed to one
shard shows `Task Count: 1`; a multi-shard one asks every shard of the table.

Every hot statement names the district (docs/SCALING.md, "Citus"): the check-in's, a
household's roll-call and day, a resident's page, a grid's missing and call lists.  The
look-up of a bare id's district, for an actor above a district, still asks every shard.
"""
import os
import re
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PG = os.environ.get("WANGGE_TEST_PG")
CITUS = os.environ.get("WANGGE_TEST_CITUS")
BIN = os.environ.get("WANGGE_BIN", os.path.join(ROOT, "build", "wangge"))


def _catalogue():
    """Statement name -> SQL text, the macros of sql.def expanded; Citus texts over them."""
    with open(os.path.join(ROOT, "src", "db", "sql.def"), encoding="utf-8") as f:
        src = f.read()
    macros = {}
    for m in re.finditer(r'#define (\w+)(\([A-Z]+\))? ((?:"(?:[^"\\]|\\.)*"\s*\\?\s*|[A-Z_]+\s*\\?\s*)+)', src):
        macros[m.group(1)] = m.group(3)

    def expand(body):
        out = ""
        for tok in re.finditer(r'"((?:[^"\\]|\\.)*)"|\b([A-Z_]{3,})\b', body):
            if tok.group(1) is not None:
                out += tok.group(1)
            elif tok.group(2) in macros:
                out += expand(macros[tok.group(2)])
        return out

    stmts = {m.group(1): expand(m.group(2)) for m in re.finditer(r'^STMT\((\w+),(.*?)\)\n', src, re.S | re.M)}
    with open(os.path.join(ROOT, "src", "db", "layout_citus.c"), encoding="utf-8") as f:
        lay = f.read()
    for m in re.finditer(r'\{SQL_(\w+),((?:\s*"(?:[^"\\]|\\.)*")+)\}', lay):
        stmts[m.group(1)] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
    return stmts


def _psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-d", url, "-c", sql], check=True,
                          capture_output=True, text=True).stdout


DUMMY = {"bigint": "1", "integer": "1", "text": "'2026-02-17'", "double precision": "36.5", "boolean": "true"}


@unittest.skipUnless(PG and CITUS, "needs a Citus cluster (make citustest)")
class Router(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.name = "router_%d_%d" % (os.getpid(), int(time.time()) % 100000)
        subprocess.run([CITUS, "create", PG, cls.name], check=True, capture_output=True)
        cls.url = PG.rsplit("/", 1)[0] + "/" + cls.name
        subprocess.run([BIN, "init", "--db", cls.url], check=True, capture_output=True)
        cls.sql = _catalogue()

    @classmethod
    def tearDownClass(cls):
        subprocess.run([CITUS, "drop", PG, cls.name], capture_output=True)

    def tasks(self, name, need_tasks=True):
        """The number of shard tasks of one execution of the statement (None: no shard task,
        as a function call's plan, allowed when not need_tasks)."""
        sql = self.sql[name]
        types = _psql(self.url, "PREPARE s AS %s; SELECT parameter_types FROM pg_prepared_statements "
                                "WHERE name = 's'" % sql).strip().strip("{}")
        types = [t.strip('"') for t in types.split(",")] if types else []
        args = ", ".join(DUMMY.get(t, "NULL") for t in types)
        plan = _psql(self.url, "PREPARE s AS %s; EXPLAIN EXECUTE s%s" % (sql, "(%s)" % args if args else ""))
        m = re.search(r"Task Count: (\d+)", plan)
        if need_tasks:
            self.assertIsNotNone(m, plan)
        return int(m.group(1)) if m else None

    def assertRouted(self, name):
        n = self.tasks(name)
        if os.environ.get("WANGGE_ROUTER_VERBOSE"):
            print("%s: %d task(s)" % (name, n))
        self.assertEqual(n, 1, "%s runs on %d shards" % (name, n))

    # the check-in (POST /checkins): the resident with the household's lock, the current
    # reading with the household's tally, the supersede, the insert; a replay's tally
    def test_checkin_insert(self):
        self.assertRouted("CHK_INSERT")

    def test_resident_and_household_lock(self):
        self.assertRouted("RES_FOR_CHK_LOCK")

    def test_current_reading_and_tally(self):
        self.assertRouted("CHK_BEFORE")

    def test_retry_by_client_id(self):
        self.assertRouted("CHK_BY_CLIENT")

    def test_supersede(self):
        self.assertRouted("CHK_SUPERSEDE")

    def test_household_tally(self):
        self.assertRouted("HH_TALLY")

    # a household's roll-call (POST /checkins with household_id) and its day
    def test_household_roll_call(self):
        for name in ("HH_LIVING_IN", "HH_LIVING_RESIDENTS_IN", "RES_FOR_CHK_IN"):
            with self.subTest(name):
                self.assertRouted(name)

    def test_household_day(self):
        self.assertRouted("CHK_OF_HOUSEHOLD")

    # a resident's page and readings
    def test_resident_page(self):
        for name in ("RES_BY_ID_IN", "CHK_OF_RESIDENT"):
            with self.subTest(name):
                self.assertRouted(name)

    # a grid's missing list and call list (the grid's district named)
    def test_missing_list(self):
        for name in ("MISSING_COUNT", "MISSING_LIST", "MISSING_PEOPLE_MANY", "ISO_OF_HH_ACTIVE"):
            with self.subTest(name):
                self.assertRouted(name)

    def test_call_list(self):
        for name in ("CALL_COUNT", "CALL_LIST"):
            with self.subTest(name):
                self.assertRouted(name)

    # a fever's alert (issue 20, citus4): the resident's open alert, the new one, the alert
    # read back for the feed — each names the resident's district
    def test_fever_alert(self):
        for name in ("ALERT_OPEN_OF_RES", "ALERT_INSERT", "ALERT_GET_IN"):
            with self.subTest(name):
                self.assertRouted(name)

    # a grid's alert list and its count (the grid's district named, as the missing list's)
    def test_alert_list(self):
        for name in ("ALERT_COUNT", "ALERT_LIST"):
            with self.subTest(name):
                self.assertRouted(name)

    def assertColocated(self, table):
        """table distributed by district_id, co-located with households"""
        got = _psql(self.url, "SELECT p.partmethod::text || ' ' || (p.colocationid = h.colocationid)::text"
                              " || ' ' || column_to_column_name(p.logicalrelid, p.partkey)"
                              " FROM pg_dist_partition p, pg_dist_partition h WHERE p.logicalrelid = '%s'::regclass"
                              " AND h.logicalrelid = 'households'::regclass" % table).strip()
        self.assertEqual(got, "h true district_id", table)

    # the tables below a district that hang off a person or a unit are distributed by the
    # district and co-located with households (a reference table's write needs every node)
    def test_below_district_tables_colocated(self):
        for t in ("alerts", "isolations", "followups", "contacts", "tasks"):
            with self.subTest(t):
                self.assertColocated(t)

    # the day's counters and the audit (citus7): distributed by district_id, co-located with
    # households, so that a batch of one district's check-ins writes its worker only
    def test_counters_and_audit_colocated(self):
        for t in ("day_counts", "audit"):
            with self.subTest(t):
                self.assertColocated(t)

    def test_counter_and_audit_inserts_routed(self):
        for name in ("DAY_ADD", "AUDIT_INSERT"):
            with self.subTest(name):
                self.assertRouted(name)

    # every statement that reads or writes the counters or the audit plans on the cluster
    # (Citus refuses some joins and subqueries of a distributed table it accepted of a local one)
    def test_counter_and_audit_statements_plan(self):
        # (INPROC_: the in-process store's own, never sent to a database server: sql.def)
        names = [n for n, q in self.sql.items() if re.search(r"\b(day_counts|audit|wg_day_\w+|wg_audit_\w+|wg_curve_\w+)\b", q)
                 and not n.startswith("INPROC_")]
        self.assertGreater(len(names), 8)
        for name in names:
            with self.subTest(name):
                self.tasks(name, need_tasks=False)

    # Citus copies reference tables to a new worker, and moves shards, by logical
    # replication, which needs each row's identity: a table without a primary key (or
    # another replica identity) made citus_rebalance_start() refuse to begin (citus7)
    def test_every_table_of_the_cluster_has_a_replica_identity(self):
        got = _psql(self.url, "SELECT string_agg(c.relname, ' ') FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid"
                              " WHERE c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
                              " WHERE k.conrelid = c.oid AND k.contype = 'p'))").strip()
        self.assertEqual(got, "", "without a replica identity")
        self.assertGreater(int(_psql(self.url, "SELECT count(*) FROM pg_dist_partition WHERE repmodel = 't'")), 40)

    # `wangge backup` of a coordinator would be a pg_dump without the workers' shards — an
    # archive that looks like a backup and holds no resident: refused, naming what to use;
    # and `wangge restore` does not lay a one-server archive over a cluster
    def test_backup_and_restore_refused(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "store.dump")
            r = subprocess.run([BIN, "backup", "--db", self.url, "--out", out], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("pg_basebackup", r.stderr)
            self.assertIn("Citus", r.stderr)
            self.assertEqual(os.listdir(d), [])
            with open(out, "wb"):
                pass
            r = subprocess.run([BIN, "restore", "--db", self.url, "--from", out], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("base backup", r.stderr)

    # the probes that find a bare id's district in the actor's own district
    def test_district_probes(self):
        for name in ("RES_IN_DISTRICT", "HH_IN_DISTRICT"):
            with self.subTest(name):
                self.assertRouted(name)

    # and what is left to the look-up by bare id: every shard (a city's user, a link)
    def test_bare_id_lookup_asks_every_shard(self):
        self.assertGreater(self.tasks("RES_DISTRICT"), 1)


if __name__ == "__main__":
    unittest.main()
