"""test_backup.py — `wangge backup` finishes while the city checks in, and never leaves
a file that looks like a backup but is not.

A store big enough that a page-by-page online copy takes many steps gets a continuous
rush of check-ins from several keep-alive connections; `wangge backup` must finish (an
online backup that restarts on every commit never does), and what it wrote must open
with the expected tables and counts.  A backup killed half-way leaves nothing at the
target name.  Runs on PostgreSQL too (WANGGE_TEST_PG: pg_dump, checked with pg_restore)."""
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
import unittest

import harness as H

PG = H.PG


def setUpModule():
    # SQLite: 20,000 households, a store an online backup copies in many steps.
    # PostgreSQL: pg_dump copies one snapshot whatever the size; a smaller store checks the
    # same (the archive under a rush, a killed dump, the restore) in a fifth of the time.
    H.start(households=4000 if PG else 20000)


def tearDownModule():
    H.stop()


class Rush:
    """Check-ins from n keep-alive connections until stopped; counts the answers."""

    def __init__(self, token, ids, n=4):
        self.token, self.ids, self.n = token, ids, n
        self.stop = threading.Event()
        self.ok = 0
        self.bad = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(n)]

    def run(self, k):
        conn = http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=30)
        i = k
        while not self.stop.is_set():
            rid = self.ids[i % len(self.ids)]
            i += self.n
            body = json.dumps({"resident_id": rid, "temperature": 36.5, "channel": "phone"})
            try:
                conn.request("POST", "/api/v1/checkins", body=body,
                             headers={"Content-Type": "application/json", "Authorization": "Bearer " + self.token})
                r = conn.getresponse()
                r.read()
                with self.lock:
                    if r.status == 201:
                        self.ok += 1
                    else:
                        self.bad += 1
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=30)
        conn.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        # the rush is on before anything else starts
        while self.ok < 50:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


def backup_tables(path):
    """(schema version, residents, households) of a backup file, or raise."""
    if PG:
        r = subprocess.run(["pg_restore", "--list", path], capture_output=True, text=True, check=True)
        listed = r.stdout
        for t in ("schema_version", "residents", "households", "checkins"):
            if " TABLE DATA public %s " % t not in listed:
                raise AssertionError("%s: no data of table %s" % (path, t))
        return None
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return (db.execute("SELECT max(version) FROM schema_version").fetchone()[0],
                db.execute("SELECT count(*) FROM residents").fetchone()[0],
                db.execute("SELECT count(*) FROM households").fetchone()[0])
    finally:
        db.close()


class BackupUnderLoad(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.token = H.login("admin")
        items = H.list_all("admin", "/api/v1/residents?unit=%s" % H.COMMUNITY)
        cls.ids = [r["id"] for r in items if r["residence"] in ("living", "temporary")][:4000]

    def test_backup_finishes_during_a_rush_of_checkins(self):
        out = os.path.join(H.tmpdir(), "under-load.bak")
        with Rush(self.token, self.ids) as rush:
            t0 = time.time()
            # 120 s is a hang guard, not a timing: the old online copy restarted on every
            # commit and never finished while the rush went on
            r = H.run_cli("backup", "--db", H.db_path(), "--out", out, timeout=120)
            took = time.time() - t0
            during = rush.ok
        self.assertEqual(r.returncode, 0, r.stderr)
        print("\n  backup under load: %.2f s, %d check-ins answered meanwhile, %d refused"
              % (took, during, rush.bad))
        self.assertEqual(rush.bad, 0)
        got = backup_tables(out)
        if not PG:
            self.assertEqual(got[1], len(H.list_all("admin", "/api/v1/residents?unit=%s" % H.COMMUNITY))
                             + self.outside_residents())
            self.assertGreater(got[2], 0)
        # nothing else was left beside it
        self.assertEqual(sorted(f for f in os.listdir(H.tmpdir()) if f.startswith("under-load")),
                         ["under-load.bak"])

    def outside_residents(self):
        """Residents of the store outside the community (the demo has none)."""
        return 0

    def test_a_killed_backup_leaves_no_file_at_its_name(self):
        out = os.path.join(H.tmpdir(), "killed.bak")
        with Rush(self.token, self.ids):
            p = subprocess.Popen([H.BIN, "backup", "--db", H.db_path(), "--out", out],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # kill it as soon as it has started writing anything
            deadline = time.time() + 60
            while time.time() < deadline and p.poll() is None and not any(
                    f.startswith("killed.bak") for f in os.listdir(H.tmpdir())):
                time.sleep(0.002)
            p.send_signal(signal.SIGKILL)
            p.wait()
        if p.returncode == 0:
            self.skipTest("the backup finished before it could be killed")
        self.assertFalse(os.path.exists(out), "a killed backup left %s" % out)

    @unittest.skipIf(PG, "pg_dump writes the archive")
    def test_a_finished_backup_is_on_disk_and_out_of_the_page_cache(self):
        # The copy is flushed as it is written and dropped from the kernel's cache once
        # checked: it must not leave hundreds of MB for the kernel to write out at once
        # (the server's commits would queue behind them) nor push the server's pages out.
        if not shutil.which("fincore"):
            self.skipTest("no fincore (util-linux)")
        out = os.path.join(H.tmpdir(), "cold.bak")
        r = H.run_cli("backup", "--db", H.db_path(), "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        size = os.path.getsize(out)
        f = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", out],
                           capture_output=True, text=True, check=True)
        cached = int(f.stdout.split()[0])
        self.assertGreater(size, 4 << 20)
        self.assertLess(cached, size // 4, "%d of the copy's %d bytes left in the page cache" % (cached, size))
        self.assertIsNotNone(backup_tables(out))

    def test_a_backup_to_a_folder_that_does_not_exist_fails_cleanly(self):
        out = os.path.join(H.tmpdir(), "no-such-dir", "x.bak")
        r = H.run_cli("backup", "--db", H.db_path(), "--out", out)
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists(os.path.dirname(out)))


class Progress(unittest.TestCase):
    """`wangge backup` and `restore` say how far they have got on a terminal; written to a
    log or a pipe (here) they print one final line: what, the bytes copied, the time."""

    LINE = r"^%s: [0-9.]+ [MG]B \(([0-9,]+) 字节 bytes\) in [0-9.]+ s \([0-9.]+ [MG]B/s\)$"

    def final_line(self, stderr, what):
        lines = stderr.splitlines()
        self.assertEqual(len(lines), 1, stderr)
        m = re.match(self.LINE % what, lines[0])
        self.assertIsNotNone(m, lines[0])
        self.assertNotIn("\r", stderr)
        return int(m.group(1).replace(",", ""))

    def test_backup_then_restore_print_their_bytes(self):
        out = os.path.join(H.tmpdir(), "progress.bak")
        r = H.run_cli("backup", "--db", H.db_path(), "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        # every byte of the copy (SQLite: its pages; PostgreSQL: pg_dump's archive)
        self.assertEqual(self.final_line(r.stderr, "备份 backing up"), os.path.getsize(out))
        if PG:  # a store of its own to restore into
            name = H.state["pgname"] + "_restored"
            H._psql("DROP DATABASE IF EXISTS %s" % name)
            H._psql("CREATE DATABASE %s" % name)
            target = os.environ["WANGGE_TEST_PG"].rsplit("/", 1)[0] + "/" + name
        else:
            target = os.path.join(H.tmpdir(), "restored.db")
        try:
            r = H.run_cli("restore", "--db", target, "--from", out, timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(self.final_line(r.stderr, "恢复 restoring"), os.path.getsize(out))
            # and what it restored is the store
            if PG:
                n = subprocess.run(["psql", "-qtA", "-d", target, "-c", "SELECT count(*) FROM residents"],
                                   capture_output=True, text=True, check=True).stdout.strip()
            else:
                db = sqlite3.connect(target)
                n = db.execute("SELECT count(*) FROM residents").fetchone()[0]
                db.close()
            self.assertGreater(int(n), 0)
        finally:
            if PG:
                H._psql("DROP DATABASE IF EXISTS %s" % name)


if __name__ == "__main__":
    unittest.main()
