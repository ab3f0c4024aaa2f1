"""A server whose wall clock runs a hundred times as fast (libfaketime): a second passes
inside what one request does, as it does now and then on a loaded machine.  What an answer
says was stored must be what was stored: a category's `since` in the answer to the change
is the time of its history row, not a clock read again after the commit (which under load
was a second later — test_epi's history test failed so, one run in many)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness as H  # noqa: E402

POP = {}


def setUpModule():
    H.start(households=60, clock_rate=100, setup=lambda: H.load_population(POP))


def tearDownModule():
    H.stop()


class AnswerTimes(unittest.TestCase):
    def test_category_since_is_the_stored_time(self):
        people = [ids[0] for ids in POP["living"].values() if ids][:12]
        self.assertEqual(len(people), 12)
        steps = [("close_contact", "contact_tracing"), ("fever_unexcluded", "symptoms"),
                 ("cleared", "clinic_excluded")]
        for rid in people:
            answered = []
            for cat, reason in steps:
                st, b = H.as_user("secretary", "POST", "/api/v1/residents/%d/status" % rid,
                                  {"category": cat, "reason": reason})
                self.assertEqual(st, 201, b)
                answered.append(b["since"])
            st, s = H.as_user("secretary", "GET", "/api/v1/residents/%d/status" % rid)
            self.assertEqual(st, 200, s)
            self.assertEqual([x["at"] for x in s["history"]], answered, "resident %d" % rid)
            self.assertEqual(s["since"], answered[-1])


if __name__ == "__main__":
    unittest.main()
