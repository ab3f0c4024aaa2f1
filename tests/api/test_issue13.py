"""Issue 13, files and links that work for the people holding them: the daily report
downloads named by unit and day (RFC 5987 filename* for the Chinese name, a plain ASCII
filename= beside it), a future day refused; the printable QR sheet in Chinese only, each
label printed once, true about when old codes stop working, and warning when its codes carry
an address only this computer opens (with how to set the public one, which the server also
prints when it starts)."""
import os
import re
import selectors
import subprocess
import time
import unittest
import urllib.parse

import harness as H

TODAY = None


def setUpModule():
    H.start(setup=_load)


def tearDownModule():
    H.stop()


def _load():
    global TODAY
    st, b = H.as_user("secretary", "GET", "/api/v1/coverage")
    assert st == 200, b
    TODAY = b["day"]


def disposition():
    """(filename, filename*) of the last answer's Content-Disposition."""
    cd = H.last_headers.get("content-disposition", "")
    plain = re.search(r'filename="([^"]*)"', cd)
    star = re.search(r"filename\*=UTF-8''([^;\s]+)", cd)
    return (plain.group(1) if plain else None,
            urllib.parse.unquote(star.group(1), encoding="utf-8", errors="strict") if star else None)


class Report(unittest.TestCase):

    def test_csv_and_xlsx_named_by_unit_and_day(self):
        for fmt in ("csv", "xlsx"):
            st, raw = H.as_user("secretary", "GET", "/api/v1/reports/daily?unit=%s&day=%s&format=%s"
                                % (H.COMMUNITY, TODAY, fmt))
            self.assertEqual(st, 200, raw)
            cd = H.last_headers.get("content-disposition", "")
            self.assertTrue(cd.startswith("attachment;"), cd)
            plain, star = disposition()
            self.assertEqual(plain, "daily-report-%s-%s.%s" % (H.COMMUNITY, TODAY, fmt))
            self.assertEqual(star, "日报-青和居社区-%s.%s" % (TODAY, fmt))
            self.assertTrue(all(ord(c) < 128 for c in cd), "the header itself is ASCII: " + cd)

    def test_a_grid_and_an_earlier_day(self):
        st, cov = H.as_user("gw02", "GET", "/api/v1/coverage?unit=%s" % H.G2)
        self.assertEqual(st, 200)
        d = time.strftime("%Y-%m-%d", time.gmtime(time.mktime(time.strptime(TODAY, "%Y-%m-%d")) - 2 * 86400 + 43200))
        st, raw = H.as_user("gw02", "GET", "/api/v1/reports/daily?unit=%s&day=%s&format=csv" % (H.G2, d))
        self.assertEqual(st, 200, raw)
        self.assertEqual(disposition(), ("daily-report-%s-%s.csv" % (H.G2, d), "日报-%s-%s.csv" % (cov["name"], d)))

    def test_future_day_refused(self):
        later = time.strftime("%Y-%m-%d", time.gmtime(time.mktime(time.strptime(TODAY, "%Y-%m-%d")) + 2 * 86400))
        for fmt in ("json", "csv"):
            st, b = H.as_user("secretary", "GET", "/api/v1/reports/daily?unit=%s&day=%s&format=%s"
                              % (H.COMMUNITY, later, fmt))
            self.assertEqual((st, H.err(b)[0]), (400, "future_day"), b)
            self.assertEqual(b["error"]["field"], "day")


def sheet(host=None):
    st, html = H.as_user("gw01", "POST", "/api/v1/units/%s/link-sheet" % H.B01, {},
                         headers={"Host": host} if host else None)
    assert st == 200, html
    return html.decode("utf-8")


def visible_text(html):
    """The sheet's words as printed: no tags, no QR drawings, no URLs or commands."""
    t = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    t = re.sub(r"<code>.*?</code>", " ", t, flags=re.S)
    t = re.sub(r"<[^>]+>", " ", t)
    return re.sub(r"https?://\S+", " ", t)


class Sheet(unittest.TestCase):

    def test_chinese_only_labels_once(self):
        html = sheet("wangge.example.org")
        text = visible_text(html)
        self.assertIsNone(re.search(r"[A-Za-z]{2,}", text), "no English words on the sheet: " + text[:400])
        self.assertNotIn(",", text.replace("，", ""), "full-width punctuation in Chinese text")
        labels = re.findall(r"<figcaption>(.*?)</figcaption>", html)
        self.assertTrue(labels)
        self.assertNotIn("<text", html, "the label is not drawn inside the QR code as well")
        for lab in set(labels):
            self.assertEqual(html.count(">" + lab + "<"), 1, "printed once: " + lab)

    def test_old_codes_void_when_generated_and_said_so(self):
        hh = H.list_all("gw01", "/api/v1/households?unit=%s" % H.B01)
        st, b = H.as_user("gw01", "POST", "/api/v1/households/%d/link" % hh[0]["id"], {})
        self.assertEqual(st, 201, b)
        html = sheet("wangge.example.org")
        self.assertIn("本页生成时", html)
        self.assertNotIn("打印本页即作废旧码", html)
        st, b = H.call("GET", "/api/v1/household-link", headers={"X-Household-Token": b["token"]})
        self.assertEqual((st, H.err(b)[0]), (404, "link_not_found"), "void once generated, before any printing")

    def test_local_address_warns_with_the_option(self):
        html = sheet()  # the harness talks to 127.0.0.1:PORT
        m = re.search(r'<p class="warn"[^>]*>(.*?)</p>', html, re.S)
        self.assertTrue(m, "the sheet warns that 127.0.0.1 codes do not open on a phone")
        self.assertIn("127.0.0.1", m.group(1))
        self.assertIn("--public-url", m.group(1))
        self.assertIn("PUBLIC_URL", m.group(1))
        self.assertNotIn('class="warn"', sheet("192.168.1.10:8080"), "a LAN address is not warned about")

    def test_server_prints_the_public_address(self):
        def first_lines(*extra):
            port = H.free_port()
            p = subprocess.Popen([H.BIN, "serve", "--db", H.db_path(), "--listen", "127.0.0.1:%d" % port, "--quiet"]
                                 + list(extra), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            out = ""
            try:
                # the start-up lines, up to the one about the residents' address (a hang guard of
                # 30 s for a server that never prints it)
                sel = selectors.DefaultSelector()
                sel.register(p.stdout, selectors.EVENT_READ)
                while "public-url" not in out and "report.html" not in out and sel.select(timeout=30):
                    chunk = os.read(p.stdout.fileno(), 4096)
                    if not chunk:
                        break
                    out += chunk.decode("utf-8", "replace")
            finally:
                p.terminate()
                p.communicate(timeout=30)
            return out
        out = first_lines()
        self.assertIn("--public-url", out)
        self.assertIn("PUBLIC_URL", out)
        out = first_lines("--public-url", "https://wangge.example.org")
        self.assertIn("https://wangge.example.org/report.html", out)


CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z]{2,}(?![A-Za-z0-9_-])")
HALF = re.compile(r"[\u3400-\u9fff] ?[,:;?!()]|[,:;?!()] ?[\u3400-\u9fff]")
ALLOWED = {"CT"}  # 胸部 CT: the word doctors write


class DemoText(unittest.TestCase):
    """The demo's Chinese free text (evidence notes, contact places, list sources, alert
    notes, tasks) reads as Chinese: no English half, full-width punctuation.  The server's
    own bilingual reasons ("确诊病例 / confirmed case #1", lockdowns) are shown by their half
    for the language and are not demo text."""

    def test_outbreak_demo_strings(self):
        import sqlite3
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "o.db")
            r = H.run_cli("demo", "--db", db, "--preset", "qinghe", "--households", "600", "--seed", "7", "--outbreak")
            self.assertEqual(r.returncode, 0, r.stderr)
            c = sqlite3.connect(db)
            bad = []
            for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                if t in ("lockdowns", "lockdown_history", "audit", "agency_rows"):
                    continue
                cols = [x[1] for x in c.execute("PRAGMA table_info(%s)" % t)]
                for row in c.execute("SELECT * FROM %s" % t):
                    for col, v in zip(cols, row):
                        if not isinstance(v, str) or not CJK.search(v):
                            continue
                        words = [w for w in LATIN.findall(v) if w not in ALLOWED]
                        if words or HALF.search(v):
                            bad.append("%s.%s: %s" % (t, col, v[:80]))
            c.close()
            self.assertEqual(bad, [])


class TaskPeople(unittest.TestCase):
    """A finished task names the person who did it (done_by_name), not only the login."""

    def test_done_by_name(self):
        st, miss = H.as_user("gw02", "GET", "/api/v1/coverage/missing?unit=%s&limit=100" % H.G2)
        self.assertEqual(st, 200, miss)
        hh = [x for x in miss["items"] if x["living"] >= 2][0]
        rid = hh["people_missing"][0]["id"]
        st, b = H.as_user("gw02", "POST", "/api/v1/residents/%d/status" % rid,
                          {"category": "confirmed", "reason": "test_positive", "note": "核酸阳性"})
        self.assertIn(st, (200, 201), b)
        st, tasks = H.as_user("gw02", "GET", "/api/v1/tasks?unit=%s&state=open&limit=50" % H.G2)
        self.assertEqual(st, 200, tasks)
        task = [x for x in tasks["items"] if x["kind"] == "disinfection"][0]
        st, b = H.as_user("gw02", "POST", "/api/v1/tasks/%d" % task["id"],
                          {"action": "done", "team": "街道消杀一队", "place": "楼道", "photo_note": "照片 4 张"})
        self.assertIn(st, (200, 201), b)
        st, done = H.as_user("gw02", "GET", "/api/v1/tasks?unit=%s&state=done&limit=50" % H.G2)
        t = [x for x in done["items"] if x["id"] == task["id"]][0]
        st, me = H.as_user("gw02", "GET", "/api/v1/session")
        self.assertEqual((t["done_by"], t["done_by_name"]), ("gw02", me["display_name"]))


if __name__ == "__main__":
    unittest.main()
