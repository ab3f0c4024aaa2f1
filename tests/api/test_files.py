"""Files kept in the store (files.h, docs/api.md section 14) on notices and help requests,
the daily report's help requests and leads, and a request's escalation by the ticker with
its live `escalated` event (issue 18, second part).

One server for the module (the qinghe demo, 600 households, seed 7; grid G01 holds
buildings B01 and B02 with gw01 and leader01, G02 holds B03 with gw02).  A file's type is
read from its bytes: the JPEG is a real one (tests/data/photo.jpg, 16×16), the PNG is made
here with zlib, the PDF is written by hand."""
import hashlib
import http.client
import json
import os
import struct
import threading
import time
import unittest
import urllib.parse
import zlib

import harness as H
from test_requests import POP, USED, _load, issue, as_household, new_request, set_times, step, take

HERE = os.path.dirname(os.path.abspath(__file__))
JPEG = open(os.path.join(HERE, "..", "data", "photo.jpg"), "rb").read()
FILES_MAX = 5 * 1024 * 1024  # src/domain/files.h


def png(w=4, h=3):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def setUpModule():
    H.start(setup=_load)


def tearDownModule():
    H.stop()


def upload(user, path, data, name=None, ctype="application/octet-stream", token=None):
    headers = {"X-Wangge": "1"}
    if name is not None:
        headers["X-File-Name"] = urllib.parse.quote(name)
    if token:
        headers["X-Household-Token"] = token
        return H.call("POST", path, raw=data, ctype=ctype, headers=headers)
    return H.as_user(user, "POST", path, raw=data, ctype=ctype, headers=headers)


def notice(user="secretary", unit=None, title="测试通知"):
    st, n = H.as_user(user, "POST", "/api/v1/notices", {"unit": unit or H.COMMUNITY, "title": title, "body": "附件见下"})
    assert st == 201, n
    return n


class Files(unittest.TestCase):
    def test_a_pdf_letter_on_a_notice_served_as_itself(self):
        n = notice()
        st, f = upload("secretary", "/api/v1/notices/%d/files" % n["id"], PDF, "致居民的一封信.pdf")
        self.assertEqual(st, 201, f)
        self.assertEqual((f["name"], f["type"], f["size"]), ("致居民的一封信.pdf", "application/pdf", len(PDF)))
        self.assertEqual(f["sha256"], hashlib.sha256(PDF).hexdigest())
        self.assertEqual(f["by"], "secretary")
        # the same bytes again (a phone's retry): the same file, 200
        st, again = upload("secretary", "/api/v1/notices/%d/files" % n["id"], PDF, "致居民的一封信.pdf")
        self.assertEqual((st, again["id"]), (200, f["id"]))
        st, body = H.as_user("secretary", "GET", "/api/v1/notices/%d/files/%d" % (n["id"], f["id"]))
        self.assertEqual((st, body), (200, PDF))
        self.assertEqual(H.last_headers["content-type"], "application/pdf")
        self.assertEqual(H.last_headers["x-content-type-options"], "nosniff")
        cd = H.last_headers["content-disposition"]
        self.assertTrue(cd.startswith('attachment; filename="file.pdf"'), cd)
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote("致居民的一封信.pdf"), cd)
        # listed with the notice, for the grid worker below and for the household's link
        st, ls = H.as_user("gw02", "GET", "/api/v1/notices?unit=%s" % H.B03)
        mine = [x for x in ls["items"] if x["id"] == n["id"]][0]
        self.assertEqual([x["id"] for x in mine["files"]], [f["id"]])
        st, body = H.as_user("gw02", "GET", "/api/v1/notices/%d/files/%d" % (n["id"], f["id"]))
        self.assertEqual((st, body), (200, PDF))
        tok = issue(take(H.B03))
        st, ls = as_household(tok, "GET", "/api/v1/household-link/notices")
        self.assertEqual([x["files"] for x in ls["items"] if x["id"] == n["id"]][0][0]["id"], f["id"])
        st, body = as_household(tok, "GET", "/api/v1/household-link/notices/%d/files/%d" % (n["id"], f["id"]))
        self.assertEqual((st, body), (200, PDF))
        # a grid worker adds nothing to a notice sent from above it
        st, e = upload("gw02", "/api/v1/notices/%d/files" % n["id"], png())
        self.assertEqual((st, H.err(e)), (403, ("not_your_notice", "id")))

    def test_a_poster_image_opens_from_the_public_token_and_nowhere_else(self):
        n = notice(user="gw02", unit=H.B03, title="3栋海报")
        st, f = upload("gw02", "/api/v1/notices/%d/files" % n["id"], png(40, 30), "海报")
        self.assertEqual(st, 201, f)
        self.assertEqual((f["name"], f["type"]), ("海报.png", "image/png"))
        # the poster's QR code holds the token; the public notice lists its files
        import sqlite3
        if os.environ.get("WANGGE_TEST_PG"):
            import subprocess
            token = subprocess.run(["psql", "-At", "-d", H.db_path(), "-c",
                                    "SELECT public_token FROM notices WHERE id = %d" % n["id"]],
                                   check=True, capture_output=True, text=True).stdout.strip()
        else:
            con = sqlite3.connect(H.db_path())
            token = con.execute("SELECT public_token FROM notices WHERE id = ?", (n["id"],)).fetchone()[0]
            con.close()
        st, pub = H.call("GET", "/api/v1/public-notices/%s" % token)
        self.assertEqual([x["id"] for x in pub["files"]], [f["id"]])
        st, body = H.call("GET", "/api/v1/public-notices/%s/files/%d" % (token, f["id"]))
        self.assertEqual((st, body), (200, png(40, 30)))
        self.assertEqual(H.last_headers["content-type"], "image/png")
        # a file of another record is not this notice's
        other = notice()
        st, e = H.call("GET", "/api/v1/public-notices/%s/files/%d" % ("0" * 32, f["id"]))
        self.assertEqual(st, 404)
        st, e = H.as_user("secretary", "GET", "/api/v1/notices/%d/files/%d" % (other["id"], f["id"]))
        self.assertEqual((st, H.err(e)), (404, ("file_not_found", "file")))
        # a household of B01 does not get B03's notice
        tok = issue(take(H.B01))
        st, e = as_household(tok, "GET", "/api/v1/household-link/notices/%d/files/%d" % (n["id"], f["id"]))
        self.assertEqual(st, 404)

    def test_a_photo_on_a_request_scoped_like_the_request(self):
        hid = take(H.B01)
        r = new_request(hid, category="repairs", text="下水道堵了")
        st, f = upload("gw01", "/api/v1/requests/%d/files" % r["id"], JPEG, "IMG_2041.JPG")
        self.assertEqual(st, 201, f)
        self.assertEqual((f["name"], f["type"], f["size"]), ("IMG_2041.jpg", "image/jpeg", len(JPEG)))
        st, g = H.as_user("leader01", "GET", "/api/v1/requests/%d" % r["id"])
        self.assertEqual([x["id"] for x in g["files"]], [f["id"]])
        st, body = H.as_user("leader01", "GET", "/api/v1/requests/%d/files/%d" % (r["id"], f["id"]))
        self.assertEqual((st, body), (200, JPEG))
        self.assertEqual(H.last_headers["content-type"], "image/jpeg")
        self.assertIn("no-store", H.last_headers["cache-control"])
        # another grid's worker: the request and its file are not there
        st, e = H.as_user("gw02", "GET", "/api/v1/requests/%d/files/%d" % (r["id"], f["id"]))
        self.assertEqual((st, H.err(e)[0]), (404, "request_not_found"))
        st, e = upload("gw02", "/api/v1/requests/%d/files" % r["id"], png())
        self.assertEqual((st, H.err(e)[0]), (404, "request_not_found"))
        # the household's own link sees it (and adds one); another household's does not
        tok = issue(hid)
        st, ls = as_household(tok, "GET", "/api/v1/household-link/requests")
        mine = [x for x in ls["items"] if x["id"] == r["id"]][0]
        self.assertEqual([x["id"] for x in mine["files"]], [f["id"]])
        self.assertNotIn("by", mine["files"][0])
        st, body = as_household(tok, "GET", "/api/v1/household-link/requests/%d/files/%d" % (r["id"], f["id"]))
        self.assertEqual((st, body), (200, JPEG))
        st, f2 = upload(None, "/api/v1/household-link/requests/%d/files" % r["id"], png(), "漏水.png", token=tok)
        self.assertEqual(st, 201, f2)
        st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
        self.assertEqual([x["by"] for x in g["files"]], ["gw01", None])
        other = issue(take(H.B01))
        st, e = as_household(other, "GET", "/api/v1/household-link/requests/%d/files/%d" % (r["id"], f["id"]))
        self.assertEqual(st, 404)
        st, e = upload(None, "/api/v1/household-link/requests/%d/files" % r["id"], png(5, 5), token=other)
        self.assertEqual(st, 404)

    def test_the_type_is_read_from_the_bytes_not_the_name(self):
        r = new_request(take(H.B01))
        path = "/api/v1/requests/%d/files" % r["id"]
        bad = [
            (b"<html><script>alert(1)</script></html>", "photo.jpg"),
            (b"GIF89a" + b"\x00" * 40, "photo.png"),
            (JPEG[:20], "cut.jpg"),                    # no frame, no scan
            (png()[:-12], "cut.png"),                  # no IEND: cut off
            (b"%PDF-1.4\n" + b"x" * 100, "letter.pdf"),  # no %%EOF
            (b"MZ\x90\x00" + b"\x00" * 100, "a.pdf"),
        ]
        for data, name in bad:
            st, e = upload("gw01", path, data, name)
            self.assertEqual((st, H.err(e)), (415, ("file_type", "file")), name)
        # a real JPEG named .exe is kept as a .jpg, and the directories of a name are dropped
        st, f = upload("gw01", path, JPEG, "../../照片.exe")
        self.assertEqual((st, f["name"], f["type"]), (201, "照片.jpg", "image/jpeg"))
        st, f = upload("gw01", path, png(2, 2))
        self.assertEqual((st, f["name"]), (201, "图片.png"))
        # a name that is not text names its field
        st, e = upload("gw01", path, png(3, 3), "a\x01b")
        self.assertEqual((st, H.err(e)), (400, ("invalid_name", "name")))
        # JSON sent to a file's route is refused by its media type
        st, e = H.as_user("gw01", "POST", path, {"file": "x"})
        self.assertEqual((st, H.err(e)[0]), (415, "unsupported_media_type"))
        st, e = upload("gw01", path, b"")
        self.assertEqual((st, H.err(e)), (400, ("required", "file")))

    def test_the_size_limit_names_the_field_and_the_count_is_capped(self):
        r = new_request(take(H.B02))
        path = "/api/v1/requests/%d/files" % r["id"]
        # one byte over: refused on its Content-Length, before the body is read
        conn = http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=60)
        try:
            conn.putrequest("POST", path)
            for k, v in (("Content-Type", "application/octet-stream"), ("Content-Length", str(FILES_MAX + 1)),
                         ("Authorization", "Bearer " + H.login("gw01")), ("X-Wangge", "1")):
                conn.putheader(k, v)
            conn.endheaders()
            resp = conn.getresponse()
            e = json.loads(resp.read())
            self.assertEqual((resp.status, H.err(e)), (413, ("too_large", "file")))
        finally:
            conn.close()
        at_limit = b"%PDF-1.4\n" + b"0" * (FILES_MAX - 30) + b"\n%%EOF\n"
        self.assertLessEqual(len(at_limit), FILES_MAX)
        st, f = upload("gw01", path, at_limit, "big.pdf")
        self.assertEqual(st, 201, f)
        st, body = H.as_user("gw01", "GET", "/api/v1/requests/%d/files/%d" % (r["id"], f["id"]))
        self.assertEqual(hashlib.sha256(body).hexdigest(), f["sha256"])
        for k in range(9):
            st, f = upload("gw01", path, png(k + 1, 1))
            self.assertEqual(st, 201, f)
        st, e = upload("gw01", path, png(20, 1))
        self.assertEqual((st, H.err(e)), (409, ("too_many_files", "file")))

    def test_added_and_read_files_are_audited_without_their_bytes(self):
        r = new_request(take(H.B02))
        st, f = upload("gw01", "/api/v1/requests/%d/files" % r["id"], JPEG, "门口.jpg")
        H.as_user("leader01", "GET", "/api/v1/requests/%d/files/%d" % (r["id"], f["id"]))
        rows = [a for a in H.audit_rows(entity="file") if str(a.get("entity_id")) == str(f["id"])]
        acts = {(a["action"], a["username"]) for a in rows}
        self.assertIn(("create", "gw01"), acts)
        self.assertIn(("read", "leader01"), acts)
        for a in rows:
            self.assertIn("owner:help_request/%d" % r["id"], a["fields"])
            self.assertNotIn("门口", json.dumps(a, ensure_ascii=False))


class Report(unittest.TestCase):
    def test_the_reports_figures_equal_a_recount(self):
        # a few more of today's requests in several states, one escalated
        a = new_request(take(H.B01), category="medicine")
        step(a["id"], "accepted")
        step(a["id"], "done")
        b = new_request(take(H.B03), category="medical", urgency="urgent")
        set_times(b["id"], 40 * 60, -600)
        st, lead = H.as_user("secretary", "POST", "/api/v1/leads", {"household_id": take(H.B02),
                                                                    "text": "5栋有人发烧", "source": "hotline"})
        self.assertEqual(st, 201, lead)
        deadline = time.time() + 30
        while time.time() < deadline:
            if H.as_user("gw02", "GET", "/api/v1/requests/%d" % b["id"])[1]["escalated_at"]:
                break
            time.sleep(0.5)
        for unit in (H.COMMUNITY, H.G1, H.G2):
            st, rep = H.as_user("secretary", "GET", "/api/v1/reports/daily?unit=%s" % unit)
            self.assertEqual(st, 200, rep)
            day = rep["day"]
            items = [x for x in H.list_all("secretary", "/api/v1/requests?unit=%s" % unit)
                     if x["day"] == day and x["state"] != "merged"]
            want = {"received": len(items), "done": sum(x["state"] == "done" for x in items),
                    "overdue": sum(bool(x["overdue"]) for x in items),
                    "escalated": sum(x["escalated_at"] is not None for x in items)}
            got = {k: rep["help"][k] for k in want}
            self.assertEqual(got, want, unit)
            cats = {}
            for x in items:
                c = cats.setdefault(x["category"], {"received": 0, "done": 0, "overdue": 0, "escalated": 0})
                c["received"] += 1
                c["done"] += x["state"] == "done"
                c["overdue"] += bool(x["overdue"])
                c["escalated"] += x["escalated_at"] is not None
            self.assertEqual(rep["help"]["by_category"], cats, unit)
            leads = [x for x in H.list_all("secretary", "/api/v1/leads?unit=%s" % unit) if x["day"] == day]
            self.assertEqual(rep["help"]["leads"], {"reported": len(leads),
                                                    "confirmed": sum(x["state"] == "confirmed" for x in leads)})
            # each child's section adds up to the unit's
            for k in want:
                self.assertEqual(sum(c["help"][k] for c in rep["children"]), rep["help"][k], (unit, k))
        self.assertGreaterEqual(rep["help"]["escalated"], 1)
        # the exported file carries the same figures, by category below the table
        st, raw = H.as_user("secretary", "GET", "/api/v1/reports/daily?unit=%s&format=csv" % H.COMMUNITY)
        self.assertEqual(st, 200)
        text = raw.decode("utf-8-sig")
        lines = text.splitlines()
        head = lines[1].split(",")
        first = lines[2].split(",")
        st, rep = H.as_user("secretary", "GET", "/api/v1/reports/daily?unit=%s" % H.COMMUNITY)
        for zh, k in (("求助受理", "received"), ("求助办结", "done"), ("求助升级", "escalated")):
            self.assertEqual(int(first[head.index(zh)]), rep["help"][k], zh)
        self.assertEqual(int(first[head.index("线索上报")]), rep["help"]["leads"]["reported"])
        self.assertIn("求助类别,受理,办结,逾期,升级", text)
        med = [l for l in lines if l.startswith("就医,")][0].split(",")
        self.assertEqual(int(med[1]), rep["help"]["by_category"].get("medical", {}).get("received", 0))


class Stream:
    """GET /api/v1/events read by a thread (as in test_rollcall)."""

    def __init__(self, user):
        self.conn = http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=60)
        self.conn.request("GET", "/api/v1/events", headers={"Authorization": "Bearer " + H.login(user),
                                                            "Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        self.events = []
        self.cv = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        buf = b""
        try:
            while True:
                data = self.resp.read1(65536)
                if not data:
                    break
                buf += data
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    ev = {}
                    for line in block.decode("utf-8").split("\n"):
                        k, _, v = line.partition(":")
                        v = v[1:] if v.startswith(" ") else v
                        if k == "event":
                            ev["event"] = v
                        elif k == "data":
                            ev["data"] = json.loads(v)
                    with self.cv:
                        if "event" in ev:
                            self.events.append(ev)
                        self.cv.notify_all()
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed by the test

    def wait(self, pred, timeout=30):
        end = time.time() + timeout
        with self.cv:
            while True:
                hit = [e for e in self.events if pred(e)]
                if hit or time.time() > end:
                    return hit
                self.cv.wait(0.5)

    def close(self):
        self.conn.close()


class Escalation(unittest.TestCase):
    def test_the_ticker_escalates_once_and_the_feed_carries_it(self):
        leader, sec, other = Stream("leader01"), Stream("secretary"), Stream("gw02")
        try:
            hid = take(H.B01)
            r = new_request(hid, category="medical", urgency="urgent", text="老人胸口疼,电话13800001234")
            self.assertIsNone(r["escalated_at"])
            set_times(r["id"], 31 * 60, -1)

            def mine(e):
                return e.get("event") == "escalated" and e["data"]["id"] == r["id"]
            got = leader.wait(mine)
            self.assertEqual(len(got), 1, leader.events[-5:])
            d = got[0]["data"]
            self.assertEqual((d["category"], d["urgency"], d["unit"]), ("medical", "urgent", POP["hh"][hid]["unit_code"]))
            self.assertEqual(d["to"]["role"], "grid_leader")
            # counts and places, no personal data: no text, no phone, no resident's name
            self.assertEqual(set(d), {"id", "category", "urgency", "state", "unit", "due_at", "escalated_at",
                                      "address", "to"})
            self.assertIsNone(H.PHONE_RE.search(json.dumps(d)))
            self.assertTrue(sec.wait(mine))
            # the written escalation: a time, a step by the system, an audit row
            st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
            self.assertIsNotNone(g["escalated_at"])
            esc = [s for s in g["steps"] if s["state"] == "escalated"]
            self.assertEqual(len(esc), 1)
            self.assertEqual(esc[0]["by_name"], "系统 / system")
            rows = [a for a in H.audit_rows(entity="help_request") if str(a.get("entity_id")) == str(r["id"])
                    and a["fields"] == "escalated_at"]
            self.assertEqual(len(rows), 1)
            # only once: two more ticks later still one event, one step
            time.sleep(5)
            self.assertEqual(len(leader.wait(mine, timeout=0)), 1)
            st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
            self.assertEqual(len([s for s in g["steps"] if s["state"] == "escalated"]), 1)
            # another grid's worker is not told
            self.assertEqual(other.wait(mine, timeout=0), [])
        finally:
            for s in (leader, sec, other):
                s.close()

    def test_not_before_the_limit_and_not_once_done(self):
        r1 = new_request(take(H.B02), category="repairs", urgency="urgent")
        set_times(r1["id"], 60, 3600)
        r2 = new_request(take(H.B02), category="repairs", urgency="urgent")
        step(r2["id"], "accepted")
        step(r2["id"], "done")
        set_times(r2["id"], 7200, -3600)
        time.sleep(5)  # two ticks and more
        for r in (r1, r2):
            st, g = H.as_user("gw01", "GET", "/api/v1/requests/%d" % r["id"])
            self.assertIsNone(g["escalated_at"], r["id"])


if __name__ == "__main__":
    unittest.main()
