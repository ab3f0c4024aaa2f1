"""test_overload.py — slow and hostile clients are cut off without hurting others.

While hundreds of connections dribble half a request (slowloris) or hold idle sockets, a
normal user still logs in and reads coverage promptly; headers past the connection's
memory cap and bodies past the route's cap are refused, not buffered."""
import socket
import threading
import time
import unittest

import harness as H


def setUpModule():
    H.start()


def tearDownModule():
    H.stop()


def slow_socket(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # never finishes the headers
    return s


class SlowClients(unittest.TestCase):
    def test_normal_users_served_during_a_slow_client_flood(self):
        socks = []
        try:
            for _ in range(300):
                socks.append(slow_socket(H.state["port"]))
            # keep dribbling a header byte now and then, as a slowloris does
            stop = threading.Event()

            def dribble():
                while not stop.is_set():
                    for s in list(socks):
                        try:
                            s.sendall(b"X")
                        except OSError:
                            pass
                    time.sleep(0.5)

            t = threading.Thread(target=dribble)
            t.start()
            try:
                tok = H.login("secretary")
                for _ in range(20):
                    st, body = H.call("GET", "/api/v1/coverage?unit=%s" % H.COMMUNITY, token=tok)
                    self.assertEqual(st, 200, body)
            finally:
                stop.set()
                t.join()
        finally:
            for s in socks:
                s.close()

    def test_oversized_headers_are_refused(self):
        s = socket.create_connection(("127.0.0.1", H.state["port"]), timeout=10)
        try:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
        except OSError:
            pass  # the server may close before all of it is sent
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        s.close()
        # either an error status or a closed connection; never a 200
        self.assertFalse(data.startswith(b"HTTP/1.1 200"), data[:80])
        st, _ = H.call("GET", "/api/v1/health")
        self.assertEqual(st, 200)

    def test_oversized_body_is_refused_before_it_is_read(self):
        tok = H.login("secretary")
        s = socket.create_connection(("127.0.0.1", H.state["port"]), timeout=10)
        s.sendall(("POST /api/v1/residents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                   "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n" % tok).encode())
        data = s.recv(4096)
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:80])


if __name__ == "__main__":
    unittest.main()
