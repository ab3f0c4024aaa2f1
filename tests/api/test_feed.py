"""test_feed.py — the live feed never loses an event silently.

The server keeps one second of events here (`serve --feed-seconds 1`), so a reader whose
Last-Event-ID lies before what the ring still holds — a client that stalled, or
reconnected late — must get an explicit `reset` event first (data: how many it missed,
where it goes on from), then every event from there on without a gap; an id this server
never gave (one from before a restart) is a `reset` too; a client that is up to date gets
no reset."""
import http.client
import json
import threading
import time
import unittest

import harness as H
from test_rollcall import Stream


FEED_ARGS = ["--feed-seconds", "1"]  # one second of events: a reader falls behind quickly


def setUpModule():
    H.start(serve_args=FEED_ARGS)


def tearDownModule():
    H.stop()


def checkins(token, ids, n, threads=4):
    """n check-ins (corrections after the first round) from keep-alive connections."""
    def run(k):
        conn = http.client.HTTPConnection("127.0.0.1", H.state["port"], timeout=30)
        for i in range(k, n, threads):
            conn.request("POST", "/api/v1/checkins", body=json.dumps(
                {"resident_id": ids[i % len(ids)], "temperature": 36.4 + (i // len(ids)) % 5 / 10, "channel": "phone"}),
                headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
            r = conn.getresponse()
            r.read()
            assert r.status == 201, r.status
        conn.close()
    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


class Feed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.token = H.login("admin")
        items = H.list_all("admin", "/api/v1/residents?unit=%s" % H.COMMUNITY)
        cls.ids = [r["id"] for r in items if r["residence"] in ("living", "temporary")]

    def first_id(self):
        """The id of the newest event now (read through a fresh stream)."""
        s = Stream("admin")
        try:
            checkins(self.token, self.ids, 1, threads=1)
            e = s.wait_for(lambda e: e["event"] == "checkin", timeout=10)
            self.assertIsNotNone(e)
            return e["id"]
        finally:
            s.close()

    def test_a_reader_behind_the_ring_gets_a_reset_then_no_gap(self):
        start = self.first_id()
        # more than the ring's first size (1,024), in two rounds: the second round's
        # events take the places of the first round's, by then older than the second kept
        checkins(self.token, self.ids, 700)
        time.sleep(1.5)
        checkins(self.token, self.ids, 620)
        s = Stream("admin", last_id=start)
        try:
            reset = s.wait_for(lambda e: e["event"] == "reset", timeout=10)
            self.assertIsNotNone(reset, "a reader behind the ring was moved on without a reset")
            self.assertGreater(reset["data"]["missed"], 0)
            self.assertEqual(reset["data"]["from"], reset["id"] + 1)
            last = s.wait_for(lambda e: e["event"] == "checkin" and e["id"] >= start + 1320, timeout=10)
            self.assertIsNotNone(last)
            with s.cv:
                evs = list(s.events)
            self.assertEqual(evs[0]["event"], "reset")  # before anything else
            ids = [e["id"] for e in evs]
            self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))), "a gap after the reset")
        finally:
            s.close()

    def test_an_id_from_before_a_restart_is_a_reset(self):
        s = Stream("admin", last_id=10 ** 12)
        try:
            reset = s.wait_for(lambda e: e["event"] == "reset", timeout=10)
            self.assertIsNotNone(reset, "an id this server never gave was taken silently")
            self.assertEqual(reset["data"]["missed"], 0)
        finally:
            s.close()

    def test_a_reader_up_to_date_gets_no_reset(self):
        start = self.first_id()
        s = Stream("admin", last_id=start)
        try:
            checkins(self.token, self.ids, 5, threads=1)
            self.assertIsNotNone(s.wait_for(lambda e: e["event"] == "checkin" and e["id"] >= start + 5, timeout=10))
            self.assertFalse([e for e in s.events if e["event"] == "reset"])
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
