"""harness.py — the shared harness of the API tests (stdlib only).

Each test module builds its own small demo store and its own server:

    import harness as H

    def setUpModule():
        H.start()            # or H.start(setup=fn) to prepare records as well

    def tearDownModule():
        H.stop()

H.start() finds a free port on 127.0.0.1, creates a temporary directory, runs
`wangge demo --db DIR/t.db --preset qinghe --households 600 --seed 7`, starts
`wangge serve --db DIR/t.db --listen 127.0.0.1:PORT --quiet` and waits until
/api/v1/health answers.  H.stop() sends SIGTERM, waits, removes the directory, and
fails when the server did not exit with status 0 (e.g. a sanitizer report).

Helpers:
    H.login(user)          -> token (cached per module; argon2id logins are slow)
    H.call(method, path, body=None, token=None, headers=None, raw=None, ctype=None)
                           -> (status, json or bytes)   also H.last_headers
    H.as_user(user, method, path, body=None, ...) -> call with that user's token
    H.add_user(username, role, unit_code)         -> account made via the API by an account
                                                     allowed to grant the role (or the CLI)
    H.run_cli(*args)       -> subprocess.CompletedProcess of `wangge ARGS` (text)
    H.load_population(pop, users=False) -> today; fills pop with the community's people
                                           (res, hh, living, others; users when asked)

The demo (qinghe, 600 households, seed 7) has 12 units: city 4201, district 420107,
street 420107003, community 420107003008, grids …-G01 (buildings B01, B02) and …-G02
(building B03), one entrance …-Bnn-U1 per building.  Accounts (password
wangge-demo-2026): admin (city), auditor (city), command (district), street (street),
secretary, director (community role), checkpoint (community), and per grid gw01/gw02
(grid_worker), cadre01/02, vol01/02 (volunteer); leader01 (grid_leader of G01).
"""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

PASSWORD = "wangge-demo-2026"
# the store the servers of the suite run on: SQLite unless these name a database server
PG = bool(os.environ.get("WANGGE_TEST_PG"))
CITUS = bool(os.environ.get("WANGGE_TEST_CITUS"))
COMMUNITY = "420107003008"
G1 = COMMUNITY + "-G01"
G2 = COMMUNITY + "-G02"
B01 = COMMUNITY + "-B01"
B02 = COMMUNITY + "-B02"
B03 = COMMUNITY + "-B03"
E01 = B01 + "-U1"
E02 = B02 + "-U1"
E03 = B03 + "-U1"

# Personal values that must never appear in an audit row (or a log).
ID_RE = re.compile(r"\d{17}[\dX]")
PHONE_RE = re.compile(r"1\d{10}")

BIN = os.environ.get("WANGGE_BIN") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "wangge"))

state = {"proc": None, "dir": None, "port": None, "db": None, "tokens": {}, "passwords": {}}
last_headers = {}


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_cli(*args, input=None, timeout=120):
    """Run `wangge ARGS…`; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run([BIN] + [str(a) for a in args], capture_output=True, text=True,
                          input=input, timeout=timeout)


def _psql(sql):
    """Run one SQL statement on the PostgreSQL server of WANGGE_TEST_PG (its own db)."""
    base = os.environ["WANGGE_TEST_PG"]
    subprocess.run(["psql", "-q", "-d", base, "-c", sql], check=True, capture_output=True)


def pg_value(sql):
    """The one value SQL returns on the module's PostgreSQL store, as text."""
    r = subprocess.run(["psql", "-qAt", "-d", state["db"], "-c", sql], check=True, capture_output=True, text=True)
    return r.stdout.strip()


def _dropdb(name):
    citus = os.environ.get("WANGGE_TEST_CITUS")
    if citus:  # make citustest: the database is on every node of the cluster
        subprocess.run([citus, "drop", os.environ["WANGGE_TEST_PG"], name], check=True, capture_output=True)
    else:
        _psql("DROP DATABASE IF EXISTS %s" % name)


def pg_create():
    """A fresh database on the test PostgreSQL server (WANGGE_TEST_PG); returns its URL."""
    state["pgname"] = "api_%d_%d" % (os.getpid(), int(time.time() * 1000) % 1000000)
    citus = os.environ.get("WANGGE_TEST_CITUS")
    if citus:
        subprocess.run([citus, "create", os.environ["WANGGE_TEST_PG"], state["pgname"]], check=True,
                       capture_output=True)
        return os.environ["WANGGE_TEST_PG"].rsplit("/", 1)[0] + "/" + state["pgname"]
    _psql("DROP DATABASE IF EXISTS %s" % state["pgname"])
    _psql("CREATE DATABASE %s" % state["pgname"])
    return os.environ["WANGGE_TEST_PG"].rsplit("/", 1)[0] + "/" + state["pgname"]


def db_path():
    return state["db"]


def tmpdir():
    return state["dir"]


def _kill_leftover():
    p = state["proc"]
    if p is not None and p.poll() is None:
        p.kill()
        p.wait()
    if state["dir"]:
        shutil.rmtree(state["dir"], ignore_errors=True)
    if state.get("pgname"):
        try:
            _dropdb(state.pop("pgname"))
        except subprocess.CalledProcessError:
            pass


atexit.register(_kill_leftover)


def start(households=600, seed=7, preset="qinghe", setup=None, serve_args=(), quiet=True, clock_rate=None, config=None):
    """Build the demo store and start the server (once per module), then run setup()
    if given; when anything fails the server is stopped again (unittest does not call
    tearDownModule after a failed setUpModule).  serve_args are added to `wangge serve`;
    quiet=False keeps the access log (in server_log()); clock_rate=N runs the server's
    wall clock N times as fast from now (libfaketime), so that a second passes inside
    what one request does.  config: settings written with `wangge config set` before the
    server starts (it reads them at its start)."""
    try:
        _start(households, seed, preset, serve_args, quiet, clock_rate, config)
        if setup:
            setup()
    except BaseException:
        try:
            stop()
        except RuntimeError:
            pass
        raise


FAKETIME_LIBS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
                 "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1")


def _clock_env(rate):
    """The environment of a server whose wall clock runs rate times as fast (monotonic
    time, its timeouts, stays real)."""
    if not rate:
        return None
    lib = next((p for p in FAKETIME_LIBS if os.path.exists(p)), None)
    if not lib:
        raise RuntimeError("libfaketime is missing: scripts/deps.sh installs it")
    # a sanitizer build wants its runtime first among the libraries; libfaketime only
    # wraps the clock's calls, which the sanitizer does not intercept
    asan = ":".join(x for x in (os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0") if x)
    return dict(os.environ, LD_PRELOAD=lib, FAKETIME="+0 x%d" % rate, FAKETIME_DONT_FAKE_MONOTONIC="1",
                FAKETIME_NO_CACHE="1", ASAN_OPTIONS=asan)


def _start(households, seed, preset, serve_args=(), quiet=True, clock_rate=None, config=None):
    if not os.path.exists(BIN):
        raise RuntimeError("wangge binary not found at %s (set WANGGE_BIN)" % BIN)
    d = tempfile.mkdtemp(prefix="wangge-apitest-")
    state["dir"] = d
    state["db"] = pg_create() if os.environ.get("WANGGE_TEST_PG") else os.path.join(d, "t.db")
    state["tokens"] = {}
    state["passwords"] = {}
    # on a Citus cluster every write of a reference table is a commit on every node: the
    # demo's load takes minutes there, more on a busy machine (docs/SCALING.md)
    r = run_cli("demo", "--db", state["db"], "--preset", preset, "--households", households,
                "--seed", seed, timeout=900 if os.environ.get("WANGGE_TEST_CITUS") else 120)
    if r.returncode != 0:
        raise RuntimeError("wangge demo failed: %s" % r.stderr)
    for k, v in (config or {}).items():
        r = run_cli("config", "set", k, str(v), "--db", state["db"])
        if r.returncode != 0:
            raise RuntimeError("wangge config set %s failed: %s" % (k, r.stderr))
    for _ in range(5):
        port = free_port()
        with open(os.path.join(d, "server.log"), "wb") as log:
            p = subprocess.Popen([BIN, "serve", "--db", state["db"], "--listen", "127.0.0.1:%d" % port]
                                 + (["--quiet"] if quiet else []) + [str(a) for a in serve_args],
                                 stdout=log, stderr=subprocess.STDOUT, env=_clock_env(clock_rate))
        state["proc"], state["port"] = p, port
        deadline = time.time() + 15
        while time.time() < deadline:
            if p.poll() is not None:
                break
            try:
                st, body = call("GET", "/api/v1/health")
                if st == 200 and body == {"status": "ok"}:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        if p.poll() is None:
            p.kill()
            p.wait()
    raise RuntimeError("the server did not start (see %s/server.log)" % d)


def stop():
    """SIGTERM the server and wait; remove the directory.  A server that does not exit
    with status 0 (a crash, or a sanitizer report in the ASan build) is an error, shown
    with the end of its log."""
    p = state["proc"]
    problem = None
    if p is not None:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                problem = "the server did not stop within 30 s of SIGTERM"
        if problem is None and p.returncode != 0:
            problem = "the server exited with status %s" % p.returncode
        state["proc"] = None
    if problem and state["dir"]:
        try:
            with open(os.path.join(state["dir"], "server.log"), encoding="utf-8", errors="replace") as f:
                problem += "; end of its log:\n" + f.read()[-4000:]
        except OSError:
            pass
    if state["dir"]:
        shutil.rmtree(state["dir"], ignore_errors=True)
        state["dir"] = None
    if problem:
        raise RuntimeError(problem)


def server_log():
    """What the server has written so far (its access log when started with quiet=False)."""
    with open(os.path.join(state["dir"], "server.log"), encoding="utf-8", errors="replace") as f:
        return f.read()


def server_state():
    """One line on the module's server (running or its exit status) and the end of its log."""
    p = state.get("proc")
    if p is None:
        return "no server"
    code = p.poll()
    try:
        tail = server_log()[-1500:]
    except OSError:
        tail = "(no log)"
    return "server %s; end of its log:\n%s" % ("running" if code is None else "exited with status %s" % code, tail)


def server_alive():
    p = state["proc"]
    return p is not None and p.poll() is None


def call(method, path, body=None, token=None, headers=None, raw=None, ctype=None, timeout=120, source=None):
    """One request.  body (a dict/list) is sent as JSON; raw (bytes or str) is sent as
    is with ctype (default application/json).  source: the client address to send from
    (any of 127.0.0.0/8 reaches the server on Linux), to test what is counted per address.
    Returns (status, parsed JSON or bytes)."""
    global last_headers
    h = {}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        h["Content-Type"] = "application/json"
    if raw is not None:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        h["Content-Type"] = ctype or "application/json"
    elif ctype:
        h["Content-Type"] = ctype
    if token:
        h["Authorization"] = "Bearer " + token
    if headers:
        for k, v in headers.items():
            if v is None:
                h.pop(k, None)
            else:
                h[k] = v
    # non-ASCII (a Chinese search term in ?q=) is percent-encoded; '%' already there stays
    path = urllib.parse.quote(path, safe="/?&=%:+,;@-_.~")
    conn = http.client.HTTPConnection("127.0.0.1", state["port"], timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        last_headers = {k.lower(): v for k, v in resp.getheaders()}
        status = resp.status
    except (http.client.RemoteDisconnected, ConnectionResetError) as ex:
        # a connection the server dropped: say whether it is still running and what it
        # logged, so that a failure in CI can be read without running it again
        raise ConnectionError("%s %s: %s; %s" % (method, path.split("?")[0], ex, server_state())) from ex
    finally:
        conn.close()
    ct = last_headers.get("content-type", "")
    if ct.startswith("application/json"):
        try:
            return status, json.loads(payload.decode("utf-8"))
        except ValueError:
            return status, payload
    return status, payload


# Who may create an account of a role (src/domain/actor.c role_table grants): the admin
# the roles that see no more than it does; the secretary the community's staff; anything
# else (an auditor, full-view roles outside the community) the operator on the command line.
ADMIN_GRANTS = ("admin", "command", "volunteer", "checkpoint")
COMMUNITY_GRANTS = ("community", "grid_leader", "grid_worker", "cadre", "volunteer", "checkpoint")


def add_user(username, role, unit_code, password=None, by=None):
    """Create an account through the API (as `by`, by default an account allowed to grant
    the role there, else with `wangge user add`); later logins use its password."""
    password = password or username + "-password"
    if by is None:
        if role in ADMIN_GRANTS:
            by = "admin"
        elif role in COMMUNITY_GRANTS and unit_code.startswith(COMMUNITY):
            by = "secretary"
        else:
            by = "cli"
    if by == "cli":
        r = run_cli("user", "add", "--db", state["db"], "--username", username, "--password", password,
                    "--role", role, "--unit", unit_code)
        if r.returncode != 0:
            raise AssertionError("creating user %s: %s" % (username, r.stderr))
        state["passwords"][username] = password
        return username
    st, b = as_user(by, "POST", "/api/v1/users", {"username": username, "password": password,
                                                   "role": role, "unit_code": unit_code})
    if st != 201:
        raise AssertionError("creating user %s: %s %s" % (username, st, b))
    state["passwords"][username] = password
    return b


def login(user, password=None, fresh=False):
    """A session token for user (cached per module unless fresh)."""
    if password is None:
        password = state["passwords"].get(user, PASSWORD)
    if not fresh and user in state["tokens"]:
        return state["tokens"][user]
    st, body = call("POST", "/api/v1/session", {"username": user, "password": password})
    if st != 201:
        raise AssertionError("login %s failed: %s %s" % (user, st, body))
    if not fresh:
        state["tokens"][user] = body["token"]
    return body["token"]


def forget(user):
    state["tokens"].pop(user, None)


def as_user(user, method, path, body=None, **kw):
    return call(method, path, body, token=login(user), **kw)


def err(body):
    """(code, field) of an error body, or (None, None) when it is not one."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("code"), body["error"].get("field")
    return None, None


def list_all(user, path, key="items", page=500):
    """Every item of a paged list."""
    items, offset = [], 0
    sep = "&" if "?" in path else "?"
    while True:
        st, body = as_user(user, "GET", "%s%slimit=%d&offset=%d" % (path, sep, page, offset))
        if st != 200:
            raise AssertionError("GET %s: %s %s" % (path, st, body))
        items.extend(body[key])
        offset += page
        if offset >= body["total"] or not body[key]:
            return items


def load_population(pop, users=False):
    """The demo community as the secretary sees it, into the dict pop: res (resident id →
    resident), hh (household id → household), living and others (household id → the ids,
    in id order, of its residents living or temporary there / registered only); with
    users, users (username → account).  Returns today as the server counts it (China
    time).  The one loader of the suites that pick their own households and people."""
    st, b = as_user("secretary", "GET", "/api/v1/coverage")
    assert st == 200, b
    residents = list_all("secretary", "/api/v1/residents?unit=%s" % COMMUNITY)
    households = list_all("secretary", "/api/v1/households?unit=%s" % COMMUNITY)
    pop["res"] = {r["id"]: r for r in residents}
    pop["hh"] = {h["id"]: h for h in households}
    pop["living"] = {h["id"]: [] for h in households}
    pop["others"] = {h["id"]: [] for h in households}
    for r in sorted(residents, key=lambda r: r["id"]):
        key = "living" if r["residence"] in ("living", "temporary") else "others"
        pop[key][r["household_id"]].append(r["id"])
    if users:
        st, u = as_user("secretary", "GET", "/api/v1/users?limit=100")
        assert st == 200, u
        pop["users"] = {x["username"]: x for x in u["items"]}
    return b["day"]


# ---- GB 11643 ID numbers and other generated values ----

_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_C = "10X98765432"


def id_check(first17):
    return _C[sum(int(c) * w for c, w in zip(first17, _W)) % 11]


def make_id(region="420107", birth="19800101", seq=1, sex="M"):
    """A valid 18-character ID number; seq 0–499 picks the sequence, sex its parity."""
    s = "%03d" % ((seq % 500) * 2 + (1 if sex == "M" else 0))
    first = region + birth + s
    return first + id_check(first)


def bad_check(idnum):
    """The same ID number with a wrong check character."""
    good = idnum[17]
    for c in "0123456789X":
        if c != good:
            return idnum[:17] + c
    raise AssertionError


def audit_rows(limit=500, **params):
    """Audit rows (newest first) read as the auditor."""
    q = "&".join("%s=%s" % (k, v) for k, v in params.items())
    st, body = as_user("auditor", "GET", "/api/v1/audit?limit=%d%s" % (limit, "&" + q if q else ""))
    if st != 200:
        raise AssertionError("GET /audit: %s %s" % (st, body))
    return body["items"]
