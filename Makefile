# wangge — one binary (server + admin CLI), its tests and benchmarks.
# `make run`  installs what is missing, builds, creates a demo on first start, serves :8080
# `make test` installs what is missing, builds, runs every test (also under ASan+UBSan)

CC      ?= cc
PKGS    := libmicrohttpd sqlite3 jansson libsodium icu-uc icu-i18n xlsxwriter libqrencode libpq
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  := $(OPT) $(SAN) -std=c17 -D_GNU_SOURCE $(WARN) $(EXTRA_CFLAGS) -Isrc $(CFLAGS)
LDFLAGS += $(SAN)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS  += $(PKG_LIBS) -lpthread -lm
# The server's allocator: gperftools' tcmalloc (docs/ARCHITECTURE.md, "Why each library").
# The server only: the sanitizers bring their own, and test_arena counts glibc's.
ALLOC   := $(if $(SAN),,$(shell pkg-config --libs libtcmalloc_minimal 2>/dev/null || echo -ltcmalloc_minimal))
BUILD   ?= build

SRC     := $(sort $(wildcard src/*/*.c))
MAIN    := src/cli/main.c
LIBSRC  := $(filter-out $(MAIN),$(SRC))
LIBOBJ  := $(LIBSRC:%.c=$(BUILD)/obj/%.o)
UNIT    := $(sort $(wildcard tests/unit/test_*.c))
UNITBIN := $(UNIT:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ    := $(sort $(wildcard fuzz/fuzz_*.c))
REPLAY  := $(FUZZ:fuzz/%.c=$(BUILD)/fuzz/%)

DB      ?= data/wangge.db
LISTEN  ?= 127.0.0.1:8080
# the address residents's phones reach the server at (household QR codes): make run PUBLIC_URL=https://…
PUBLIC_URL ?=

.PHONY: all bins web deps run test unit valgrind apitest webtest weight crashtest faulttest faults-build pgtest citustest citus-install soaktest serial-tests fuzz-replay asan-test asan-build clang-build clean format lint lint-deep

all: $(BUILD)/wangge web

# Everything `make test` runs from this build (compiled two at a time before the tests start).
bins: $(BUILD)/wangge $(UNITBIN) $(REPLAY)

# The web app is plain ES modules (no build step); npm brings ECharts (copied to
# web/vendor/, loaded by the dashboard only), jsQR (web/vendor/, loaded by the gate's
# camera where the browser has no BarcodeDetector) and playwright-core for the browser tests.
web: web/vendor/echarts.min.js web/vendor/jsQR.js
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
web/vendor/echarts.min.js web/vendor/jsQR.js: node_modules/.package-lock.json
	npm run --silent build

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: %.c $(wildcard src/*/*.h) $(wildcard src/*/*.def)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/libwangge.a: $(LIBOBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/wangge: $(BUILD)/obj/$(MAIN:.c=.o) $(BUILD)/libwangge.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(ALLOC)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testdb.h $(BUILD)/libwangge.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BUILD)/libwangge.a $(LDFLAGS) $(LDLIBS) -lcmocka

# Fuzz targets are built twice: here with a replay main (gcc or clang) so `make test`
# replays every committed corpus; `make -C bench fuzz` builds them with libFuzzer (bench/Makefile).
$(BUILD)/fuzz/%: fuzz/%.c fuzz/replay_main.c $(BUILD)/libwangge.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< fuzz/replay_main.c $(BUILD)/libwangge.a $(LDFLAGS) $(LDLIBS)

run: deps all
	@mkdir -p $(dir $(DB))
	@if [ ! -f $(DB) ]; then \
	  echo "first start: creating $(DB) with the demo community 青和居 (qinghe)"; \
	  $(BUILD)/wangge demo --db $(DB) --preset qinghe --seed 1 --outbreak || exit 1; \
	fi
	$(BUILD)/wangge serve --db $(DB) --listen $(LISTEN) $(if $(PUBLIC_URL),--public-url $(PUBLIC_URL))

unit: $(UNITBIN)
	@set -e; for t in $(UNITBIN); do echo "== $$t"; $$t; done

fuzz-replay: $(REPLAY)
	@set -e; for t in $(REPLAY); do n=$$(basename $$t); n=$${n#fuzz_}; \
	  echo "== replay $$n"; $$t fuzz/corpus/$$n; done

# valgrind's memcheck over the unit tests, the fuzz corpora and the API suite (the server
# and every command the suite runs), each through scripts/valgrind.sh: no definite or
# indirect leak, no invalid read or write, no use of an unset value.  Not counted: ICU's
# transliterators' registry, kept for the life of the process ("possibly lost"), and
# tcmalloc's one registration at load (tests/valgrind/tcmalloc.supp).  Its own target
# (~25 min on two cores); `make test` runs the same tests under AddressSanitizer, whose
# leak check is on.  A report is printed whole (build/valgrind/vg.PID.log).  VALGRIND_API
# picks the API files (a pattern, as scripts/apitest.py takes).
VALGRIND_API ?= test_*.py
valgrind: $(UNITBIN) $(REPLAY) $(BUILD)/wangge
	@d=$(abspath $(BUILD))/valgrind; rm -rf $$d; mkdir -p $$d; export VALGRIND_LOGS=$$d; rc=0; \
	for t in $(UNITBIN); do echo "== $$t (valgrind)"; VALGRIND_PROG=$$t scripts/valgrind.sh >/dev/null || rc=1; done; \
	for t in $(REPLAY); do n=$$(basename $$t); n=$${n#fuzz_}; echo "== replay $$n (valgrind)"; \
	  VALGRIND_PROG=$$t scripts/valgrind.sh fuzz/corpus/$$n >/dev/null || rc=1; done; \
	echo "== the API suite, its server under valgrind"; \
	VALGRIND_PROG=$(abspath $(BUILD)/wangge) WANGGE_BIN=$(abspath scripts/valgrind.sh) scripts/apitest.py '$(VALGRIND_API)' || rc=1; \
	for f in $$d/vg.*.log; do if [ -s $$f ]; then echo "== $$f"; cat $$f; rc=1; fi; done; exit $$rc

# The API suite, three files at a time (scripts/apitest.py; APITEST_JOBS=1 for one by one).
apitest: $(BUILD)/wangge
	WANGGE_BIN=$(abspath $(BUILD)/wangge) scripts/apitest.py

# The web app in headless Chromium (playwright-core): login, the worker's flow on a phone,
# self-report, offline queue, dashboard, language, and each area's own file (its own demo,
# server and browser). Screenshots in build/screenshots/.  The files run WEBTEST_JOBS at a
# time, the longest first, each printed whole when it ends: a browser test mostly waits (on
# the server's commits, on Chromium's layout and timers), one at a time left a core idle.
WEBTESTS := run supply2 staff gate files gate-setup supply hotline idreview selfreport supply3 \
	gate-errors merchants supply-setup setup-edit workerday duty supply-list feverline
WEBTEST_JOBS ?= 3
.PHONY: $(WEBTESTS:%=webtest-%)
webtest: $(BUILD)/wangge web
	@$(MAKE) -j$(WEBTEST_JOBS) --output-sync=target --no-print-directory $(WEBTESTS:%=webtest-%)
$(WEBTESTS:%=webtest-%): webtest-%: $(BUILD)/wangge web
	WANGGE_BIN=$(abspath $(BUILD)/wangge) node tests/web/$*.mjs

# First-load bytes of the worker's Today page (target < 200 KB); prints the figure.
weight: $(BUILD)/wangge web
	WANGGE_BIN=$(abspath $(BUILD)/wangge) node bench/page-weight.mjs

# kill -9 under concurrent writes: every acknowledged check-in survives, and the counters
# the writer held in memory (batches of 2 jobs on hold them here) are added at the start
# (short run; bench/crash.sh is the long one).
crashtest: $(BUILD)/wangge
	WANGGE_BIN=$(abspath $(BUILD)/wangge) python3 tests/crash/crash_test.py --kills 5 --threads 16 --defer-batch 2

# A full disk, a failed fsync and failed allocations in the store, switched on and off
# under load: JSON 5xx, no partial rows, the server carries on (docs/SECURITY.md, 15).
# Three minutes of the mixed load of bench/soak.sh on a small demo: no lost event, counters
# equal to a recount, every acknowledged check-in present, a mid-soak backup that checks.
soaktest: $(BUILD)/wangge
	bench/soak.sh 3 150 qinghe

# Runs a test build whose SQLite store goes through src/db/fault_sqlite.c; then kills it as
# a power cut would (what no sync made durable is lost with it): nothing acknowledged lost.
faulttest: faults-build
	WANGGE_BIN=$(abspath build/faults/wangge) python3 tests/crash/fault_test.py
	WANGGE_BIN=$(abspath build/faults/wangge) python3 tests/crash/crash_test.py --kills 5 --power-loss --threads 16 --defer-batch 2
faults-build:
	$(MAKE) -j2 BUILD=build/faults EXTRA_CFLAGS="$(EXTRA_CFLAGS) -DWANGGE_FAULTS" build/faults/wangge

# The store tests again on PostgreSQL: a throwaway cluster in a temporary folder.
PGTESTS := $(BUILD)/tests/test_store $(BUILD)/tests/test_rollcall $(BUILD)/tests/test_epi $(BUILD)/tests/test_writer \
	$(BUILD)/tests/test_settings $(BUILD)/tests/test_tree $(BUILD)/tests/test_lockdown $(BUILD)/tests/test_people \
	$(BUILD)/tests/test_alerts $(BUILD)/tests/test_response $(BUILD)/tests/test_links $(BUILD)/tests/test_agency \
	$(BUILD)/tests/test_chainmatch $(BUILD)/tests/test_accounts $(BUILD)/tests/test_report \
	$(BUILD)/tests/test_supply $(BUILD)/tests/test_gates $(BUILD)/tests/test_files $(BUILD)/tests/test_plans
pgtest: $(PGTESTS) $(BUILD)/wangge
	@d=$$(mktemp -d); chmod 755 $$d; \
	url=$$(PG_FSYNC=off scripts/pg.sh start $$d/pg) || { rm -rf $$d; exit 1; }; \
	echo "== PostgreSQL at $$url"; rc=0; \
	for t in $(PGTESTS); do echo "== $$t (PostgreSQL)"; WANGGE_TEST_PG=$$url $$t || rc=1; done; \
	WANGGE_TEST_PG=$$url WANGGE_BIN=$(abspath $(BUILD)/wangge) scripts/apitest.py || rc=1; \
	WANGGE_TEST_PG=$$url WANGGE_BIN=$(abspath $(BUILD)/wangge) python3 tests/crash/crash_test.py --kills 3 || rc=1; \
	scripts/pg.sh stop $$d/pg; rm -rf $$d; exit $$rc

# The same on a Citus cluster (a coordinator and two workers, ../shared/tools/citus-cluster.sh):
# the store lays its schema out for Citus (src/db/layout_citus.c).  Each test gets its own
# database on every node (scripts/citus-db.sh).  Citus is installed first where it is
# missing (citus-install, below); skipped, saying so, only where it cannot be.  CITUS_API picks the API test
# files (patterns): by default the check-in and roll-call routed by district with the counters
# against a recount, so that `make test` stays near its budget; scoping and links by bare id
# too: CITUS_API='test_rollcall.py test_scope.py test_links.py'; the whole suite (~1,400 s on
# 2 cores): make citustest CITUS_API='test_*.py'.  Likewise the store tests: those of the layout and
# the check-in (each test makes its own database on every node, ~50 s); all of them with
# CITUSTESTS='$(PGTESTS)'.  Then the fault test: one worker stopped during a rush of
# check-ins (tests/citus/test_worker_down.py; it stops and starts a node of the cluster).
# test_province.py: the province preset loaded onto the cluster (~7 min of its load).
CITUS_TOOLS ?= ../shared/tools
CITUSTESTS ?= $(BUILD)/tests/test_store $(BUILD)/tests/test_rollcall
CITUS_API ?= test_rollcall.py test_province.py
citustest: $(CITUSTESTS) $(BUILD)/wangge citus-install
	@if ! $(CITUS_TOOLS)/citus-install.sh --check >/dev/null 2>&1; then \
	  echo "citustest: SKIPPED — Citus is not installed and $(CITUS_TOOLS)/citus-install.sh is not there to install it"; \
	  exit 0; fi; \
	d=$$(mktemp -d); chmod 755 $$d; \
	url=$$($(CITUS_TOOLS)/citus-cluster.sh start $$d/citus 2) || { rm -rf $$d; exit 1; }; \
	echo "== Citus coordinator at $$url"; rc=0; \
	export WANGGE_TEST_PG=$$url WANGGE_TEST_CITUS=$(abspath scripts/citus-db.sh); \
	for t in $(CITUSTESTS); do echo "== $$t (Citus)"; $$t || rc=1; done; \
	WANGGE_BIN=$(abspath $(BUILD)/wangge) python3 tests/citus/test_router.py -v || rc=1; \
	WANGGE_BIN=$(abspath $(BUILD)/wangge) WANGGE_CITUS_DIR=$$d/citus python3 tests/citus/test_worker_down.py -v || rc=1; \
	for p in $(CITUS_API); do echo "== tests/api/$$p (Citus)"; \
	  WANGGE_BIN=$(abspath $(BUILD)/wangge) python3 -m unittest discover -s tests/api -p "$$p" || rc=1; done; \
	$(CITUS_TOOLS)/citus-cluster.sh stop $$d/citus; rm -rf $$d; exit $$rc

# Citus is not in Debian: ../shared/tools/citus-install.sh builds it into this machine's
# PostgreSQL from ../shared/vendor/ where it is missing (~5 minutes on two cores, once per
# machine; as root or through sudo, as scripts/deps.sh installs packages).  Without the
# script (a clone without ../shared beside it) the Citus suite says it is skipped.
citus-install:
	@if $(CITUS_TOOLS)/citus-install.sh --check >/dev/null 2>&1; then :; \
	elif [ -x $(CITUS_TOOLS)/citus-install.sh ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then $(CITUS_TOOLS)/citus-install.sh; else sudo $(CITUS_TOOLS)/citus-install.sh; fi; \
	else echo "citus-install: $(CITUS_TOOLS)/citus-install.sh not found"; fi

# The same unit, fuzz-replay and API suites under AddressSanitizer + UBSan.
ASAN := BUILD=build/asan OPT="-O1 -g" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
asan-test: asan-build
	$(MAKE) $(ASAN) unit fuzz-replay apitest
asan-build:
	$(MAKE) -j2 $(ASAN) bins
clang-build:
	$(MAKE) -j2 CC=clang BUILD=build/clang EXTRA_CFLAGS="$(EXTRA_CFLAGS)" build/clang/wangge

# Side by side where one of two waits (each printed whole when it ends, --output-sync):
# the browser test files run three at a time (each mostly waits on its server and on
# Chromium's timers) beside clang-tidy (its analyser in shallow mode, see lint) and the
# clang, fault and sanitizer builds; the soak's three minutes are mostly waiting (the soak
# checks what was kept, not how fast), so it runs beside the serial tests of stage three
# (their -j1: the kill and fault tests time their own servers); much of the cluster's work
# is waiting too, so the sanitizer suite runs beside the cluster (its unit tests and
# corpora moved to stage three's idle core made that stage 85 s longer and this one no
# shorter: measured, not kept).  The API suite runs on
# SQLite once, in the sanitizer build (every test and every memory error), and on
# PostgreSQL with the release build: the two cores are busy throughout, and a third pass
# (SQLite, release build: `make apitest`, run it while you work) cost 2 of the suite's
# minutes; the release build meets SQLite in the browser, kill -9, fault and soak tests.
# Each stage's wall time is printed as it ends and again at the end (build/test-times.txt).
STAGE = scripts/stage.sh $(BUILD)/test-times.txt
test: deps
	@mkdir -p $(BUILD); : > $(BUILD)/test-times.txt
	$(STAGE) build $(MAKE) -j2 EXTRA_CFLAGS=-Werror all bins
	$(STAGE) "browser, lint, builds, Citus installed" $(MAKE) -j2 --output-sync=target EXTRA_CFLAGS=-Werror webtest citus-install lint clang-build faults-build asan-build
	$(STAGE) "unit, fuzz, kill -9, faults, PostgreSQL, soak" $(MAKE) -j2 --output-sync=target EXTRA_CFLAGS=-Werror soaktest serial-tests
	$(STAGE) "Citus, sanitizers" $(MAKE) -j2 --output-sync=target EXTRA_CFLAGS=-Werror citustest asan-test
	@echo "== make test passed; each stage's wall time:"; cat $(BUILD)/test-times.txt

serial-tests:
	$(MAKE) -j1 unit fuzz-replay crashtest faulttest pgtest

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.c fuzz/*.c

# clang-tidy's checks (.clang-tidy) on every file; its analyser follows each function's
# paths in shallow mode (callees inlined only when small), which finds what `make test`
# has found in deep mode at a quarter of its CPU (~70 s of two cores' ~290 s: the analyser
# is 99 % of clang-tidy's time, and make test's stages are CPU-bound).  `make lint-deep`
# runs the analyser at its full depth: before merging a large change, and at each stop.
TIDY_MODE ?= shallow
lint:
	python3 scripts/check-layers.py
	cppcheck -j2 --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr --std=c11 -D__GNUC__ --include=/usr/include/jansson.h -Isrc src
	@echo "clang-tidy (.clang-tidy) on src/, the analyser in $(TIDY_MODE) mode"
	@ls src/*/*.c | xargs -P2 -n2 sh -c 'clang-tidy -quiet "$$@" -- -std=c17 -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) -Xclang -analyzer-config -Xclang mode=$(TIDY_MODE) 2>/dev/null' _ > $(BUILD)/clang-tidy.txt; \
	  rc=$$?; grep -E "(warning|error):" $(BUILD)/clang-tidy.txt; [ $$rc -eq 0 ] || { echo "clang-tidy: findings above"; exit 1; }
lint-deep:
	$(MAKE) lint TIDY_MODE=deep

clean:
	rm -rf build web/vendor
