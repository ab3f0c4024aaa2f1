#!/usr/bin/env python3
"""bench/idreview.py [N] — a masked registration's timing: a number never seen against one
registered outside the worker's scope (held for the duplicate-ID review, issue 14).

Builds the qinghe demo in a temporary store, starts the server, has the secretary register
N people in grid 2, then gw01 (a grid-1 worker, IDs masked) registers 2·N newcomers in grid
1, interleaving a never-seen number and one of grid 2's, and prints the median, p90 and
mean of each kind (and of an in-scope duplicate's 409 for comparison).  The two must be of
one timing class; prints figures, asserts nothing about time."""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
import harness as H  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100


def ms(xs):
    xs = sorted(xs)
    return "median %.2f ms  p90 %.2f ms  mean %.2f ms  (n=%d)" % (
        statistics.median(xs), xs[int(len(xs) * 0.9) - 1], statistics.mean(xs), len(xs))


def main():
    H.start(households=600)
    try:
        st, g2 = H.as_user("secretary", "POST", "/api/v1/households", {"unit_code": H.E03, "room": "9900"})
        st, g1 = H.as_user("gw01", "POST", "/api/v1/households", {"unit_code": H.E01, "room": "9901"})
        outside, fresh = [], []
        for k in range(N):
            idn = H.make_id(birth="19600101", seq=k)
            st, b = H.as_user("secretary", "POST", "/api/v1/residents", {"household_id": g2["id"], "name": "外%d" % k, "id_number": idn})
            assert st == 201, b
            outside.append(idn)
            fresh.append(H.make_id(birth="19610101", seq=k))
        tok = H.login("gw01")
        t_out, t_fresh, t_dup = [], [], []
        for k in range(N):
            for idn, acc in ((outside[k], t_out), (fresh[k], t_fresh)):
                t0 = time.perf_counter()
                st, b = H.call("POST", "/api/v1/residents", {"household_id": g1["id"], "name": "新%d" % k, "id_number": idn}, token=tok)
                acc.append((time.perf_counter() - t0) * 1000)
                assert st == 201, b
            t0 = time.perf_counter()
            st, b = H.call("POST", "/api/v1/residents", {"household_id": g1["id"], "name": "重%d" % k, "id_number": fresh[k]}, token=tok)
            t_dup.append((time.perf_counter() - t0) * 1000)
            assert st == 409, b
        print("POST /residents as gw01, %d each:" % N)
        print("  never-seen number (201)             " + ms(t_fresh))
        print("  registered outside, held (201)      " + ms(t_out))
        print("  registered in scope, named (409)    " + ms(t_dup))
    finally:
        H.stop()


if __name__ == "__main__":
    main()
