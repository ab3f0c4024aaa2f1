/* commands.c — the admin commands but demo (cmd_demo.c).  Each parses its options, opens
 * the store as the operator, calls the same domain code the API uses, and on failure
 * prints one line on stderr and exits non-zero. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "api/routes.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "core/util.h"
#include "domain/accounts.h"
#include "domain/import.h"
#include "core/progress.h"
#include "domain/registry.h"
#include "domain/report.h"
#include "domain/settings.h"
#include "domain/help.h"
#include "domain/stats.h"
#include "domain/units.h"
#include "core/bus.h"
#include "http/server.h"

#define DEFAULT_DB "data/wangge.db"

int cli_fail(void)
{
	const wdetail *d = w_last();
	if (d->field[0])
		fprintf(stderr, "wangge: %s: %s\n", d->field, d->message[0] ? d->message : d->code);
	else
		fprintf(stderr, "wangge: %s\n", d->message[0] ? d->message : d->code);
	return 1;
}

int cli_usage(const command *c)
{
	const char *why = opts_problem();
	fprintf(stderr, "wangge %s: %s (see: wangge %s --help)\n", c->name, why ? why : "missing or wrong arguments", c->name);
	return 2;
}

static const command *cmd(const char *name)
{
	for (const command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int cli_open(const char *url, bool migrate, actor *ac)
{
	memset(ac, 0, sizeof *ac);
	if (db_open(url, migrate, &ac->d) || (migrate && stats_ensure(ac->d))) {
		db_close(ac->d);
		return cli_fail();
	}
	ac->a = arena_new();
	ac->role = ROLE_OPERATOR;
	ac->unit_path = "/";
	ac->source = "cli";
	const char *user = getenv("USER");
	ac->username = arena_printf(ac->a, "cli:%s", user ? user : "operator");
	return 0;
}

void cli_close(actor *ac)
{
	db_close(ac->d);
	arena_free(ac->a);
}

static bool store_empty(actor *ac)
{
	db_stmt *s = db_get(ac->d, SQL_UNIT_ANY);
	werr e;
	bool empty = db_step(s, &e) == DB_ROW && db_int(s, 0) == 0;
	db_done(s);
	return empty;
}

int cmd_init(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db root-code root-name root-kind admin-password admin-user", argc, argv))
		return cli_usage(cmd("init"));
	actor ac;
	if (cli_open(opts_get(&o, "db", DEFAULT_DB), true, &ac))
		return 1;
	int rc = 0;
	if (!store_empty(&ac)) {
		fprintf(stderr, "wangge: the store is already initialised\n");
		cli_close(&ac);
		return 1;
	}
	char pw[33];
	const char *given = opts_get(&o, "admin-password", NULL);
	if (!given)
		random_hex(pw, 8);
	json_t *unit = json_pack("{s:s,s:s,s:s}", "code", opts_get(&o, "root-code", "city"), "name",
	                         opts_get(&o, "root-name", "本市 City"), "kind", opts_get(&o, "root-kind", "city"));
	json_t *user = json_pack("{s:s,s:s,s:s,s:s,s:s}", "username", opts_get(&o, "admin-user", "admin"),
	                         "password", given ? given : pw, "role", "admin", "unit_code",
	                         opts_get(&o, "root-code", "city"), "display_name", "系统管理员 Administrator");
	json_t *out = NULL, *out2 = NULL;
	if (unit_create(&ac, unit, &out) || acct_add(&ac, user, &out2))
		rc = cli_fail();
	else
		printf("initialised %s\nadmin login: %s / %s\n", db_url(ac.d), opts_get(&o, "admin-user", "admin"),
		       given ? "(the password you gave)" : pw);
	json_decref(unit);
	json_decref(user);
	json_decref(out);
	json_decref(out2);
	cli_close(&ac);
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db listen threads writers web quiet! max-connections max-per-address public-url trusted-proxy feed-seconds",
	                argc, argv) || o.npos)
		return cli_usage(cmd("serve"));
	double threads, writers, maxconn, peraddr, feed;
	if (!opts_num(&o, "threads", 0, 1, 64, &threads) || !opts_num(&o, "writers", 0, 1, 16, &writers) ||
	    !opts_num(&o, "max-connections", 0, 16, 100000, &maxconn) ||
	    !opts_num(&o, "max-per-address", 0, 1, 100000, &peraddr) ||
	    !opts_num(&o, "feed-seconds", BUS_KEEP_DEFAULT, 1, 3600, &feed))
		return 2;
	bus_keep((int)feed); /* the live feed holds this many seconds of events for late readers */
	server_opts so = {
	    .db_url = opts_get(&o, "db", DEFAULT_DB),
	    .listen = opts_get(&o, "listen", "127.0.0.1:8080"),
	    .web_dir = opts_get(&o, "web", NULL),
	    .threads = (unsigned)threads,
	    .writers = (unsigned)writers,
	    .max_connections = (unsigned)maxconn,
	    .per_address = (unsigned)peraddr,
	    .trusted_proxy = opts_get(&o, "trusted-proxy", NULL),
	    .quiet = opts_flag(&o, "quiet"),
	    .public_url = opts_get(&o, "public-url", NULL),
	    .routes = &api_routes,
	};
	if (so.public_url && strncmp(so.public_url, "https://", 8) != 0 && strncmp(so.public_url, "http://", 7) != 0) {
		fprintf(stderr, "wangge serve: --public-url must start with https:// or http://\n");
		return 2;
	}
	return server_run(&so) ? cli_fail() : 0;
}

static void import_progress(void *ctx, size_t records, double frac)
{
	progress_set(ctx, records ? (int64_t)records - 1 : 0, frac); /* the first record is the header */
}

int cmd_import(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db per-row!", argc, argv) || o.npos != 2 ||
	    (strcmp(o.pos[0], "units") != 0 && strcmp(o.pos[0], "residents") != 0))
		return cli_usage(cmd("import"));
	csv_reader *r;
	bool converted = false;
	if (csv_open_file(o.pos[1], &r, &converted))
		return cli_fail();
	if (converted)
		fprintf(stderr, "wangge: %s was GBK-encoded; converted to UTF-8\n", o.pos[1]);
	actor ac;
	if (cli_open(opts_get(&o, "db", DEFAULT_DB), true, &ac)) {
		csv_close(r);
		return 1;
	}
	if (db_tune(ac.d, DB_FOR_BIG_IMPORT)) {
		cli_close(&ac);
		csv_close(r);
		return cli_fail();
	}
	/* A residents sheet goes in as one transaction (all or nothing; it holds the store's
	 * write lock meanwhile).  When it is about as large as the store already is (~100
	 * bytes a row), the search indexes are rebuilt after the load rather than kept up
	 * row by row. */
	bool reindex = false;
	struct stat fst;
	int64_t have = 0;
	if (!strcmp(o.pos[0], "residents") && stat(o.pos[1], &fst) == 0 &&
	    db_scalar(db_get(ac.d, SQL_RES_COUNT_ALL), &have) == WG_OK && fst.st_size / 100 >= have + 10000) {
		reindex = true;
		fprintf(stderr, "wangge: a large sheet (~%lld rows, %lld residents stored): search indexes rebuilt after the load\n",
		        (long long)(fst.st_size / 100), (long long)have);
	}
	import_report rep;
	import_report_init(&rep);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	progress pg; /* on a terminal, how far the sheet has got (stderr: stdout is the report) */
	progress_start(&pg, stderr, progress_isatty(stderr),
	               !strcmp(o.pos[0], "units") ? "导入单元 importing units" : "导入居民 importing residents", "行 rows", 0);
	csv_on_record(r, import_progress, &pg);
	werr e = !strcmp(o.pos[0], "units") ? unit_import(&ac, r, &rep) : res_import_whole(&ac, r, reindex, opts_flag(&o, "per-row"), &rep);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (e)
		progress_abort(&pg);
	else
		progress_end(&pg, NULL);
	int rc;
	if (e) {
		rc = cli_fail();
	} else {
		import_report_print(&rep, stdout);
		if (!strcmp(o.pos[0], "residents"))
			fprintf(stderr, "wangge: %zu rows applied one by one (the per-row rules)\n",
			        rep.one_by_one);
		printf("took %.2f s\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		rc = rep.bad ? 1 : 0;
	}
	import_report_free(&rep);
	csv_close(r);
	cli_close(&ac);
	return rc;
}

int cmd_export(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db unit format out", argc, argv) || o.npos != 1 || !opts_get(&o, "out", NULL) ||
	    (strcmp(o.pos[0], "units") != 0 && strcmp(o.pos[0], "residents") != 0))
		return cli_usage(cmd("export"));
	const char *fmt = opts_get(&o, "format", "csv"), *out = opts_get(&o, "out", NULL);
	if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "xlsx") != 0) {
		fprintf(stderr, "wangge: --format must be csv or xlsx\n");
		return 2;
	}
	actor ac;
	if (cli_open(opts_get(&o, "db", DEFAULT_DB), false, &ac))
		return 1;
	const char *unit = opts_get(&o, "unit", NULL);
	werr e;
	size_t n = 0;
	if (!unit) {
		db_stmt *s = db_get(ac.d, SQL_UNIT_ROOTS);
		if (db_step(s, &e) == DB_ROW)
			unit = arena_strdup(ac.a, db_text(s, 1));
		db_done(s);
	}
	if (!strcmp(o.pos[0], "units")) {
		if (strcmp(fmt, "csv") != 0) {
			cli_close(&ac);
			fprintf(stderr, "wangge: units export is CSV only (it re-imports)\n");
			return 2;
		}
		FILE *f = fopen(out, "wb");
		if (!f) {
			cli_close(&ac);
			fprintf(stderr, "wangge: cannot write %s\n", out);
			return 1;
		}
		e = unit_export_csv(&ac, unit ? unit : "", f);
		if (fclose(f) != 0 && !e)
			e = w_fail(W_EINTERNAL, "cannot_write", "out", "writing %s failed", out);
	} else {
		e = res_export(&ac, unit, !strcmp(fmt, "xlsx") ? EXPORT_XLSX : EXPORT_CSV, out, &n);
		if (!e)
			printf("%zu residents written to %s\n", n, out);
	}
	int rc = e ? cli_fail() : 0;
	cli_close(&ac);
	return rc;
}

/* Read a password from the terminal without echo (or a line of stdin when piped). */
static char *read_password(char *line, size_t cap)
{
	struct termios old, quiet;
	bool tty = isatty(0) && tcgetattr(0, &old) == 0;
	if (tty) {
		fputs("new password: ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &quiet);
	}
	char *r = fgets(line, (int)cap, stdin);
	if (tty) {
		tcsetattr(0, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (r)
		r[strcspn(r, "\r\n")] = 0;
	return r;
}

int cmd_user(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db username password role unit name phone", argc, argv) || o.npos != 1)
		return cli_usage(cmd("user"));
	const char *sub = o.pos[0], *username = opts_get(&o, "username", NULL);
	if (strcmp(sub, "list") != 0 && !username)
		return cli_usage(cmd("user"));
	actor ac;
	if (cli_open(opts_get(&o, "db", DEFAULT_DB), true, &ac))
		return 1;
	werr e = WG_OK;
	int rc = 0;
	if (!strcmp(sub, "add")) {
		json_t *body = json_pack("{s:s,s:s?,s:s?,s:s?,s:s?,s:s?}", "username", username, "password",
		                         opts_get(&o, "password", NULL), "role", opts_get(&o, "role", NULL),
		                         "unit_code", opts_get(&o, "unit", NULL), "display_name",
		                         opts_get(&o, "name", NULL), "phone", opts_get(&o, "phone", NULL)),
		       *out = NULL;
		if (!(e = acct_add(&ac, body, &out)))
			printf("user %s added (%s at %s)\n", username, opts_get(&o, "role", ""), opts_get(&o, "unit", ""));
		json_decref(body);
		json_decref(out);
	} else if (!strcmp(sub, "passwd")) {
		char pw[300];
		const char *p = opts_get(&o, "password", NULL);
		if (!p)
			p = read_password(pw, sizeof pw);
		if (!(e = acct_passwd(&ac, username, p ? p : "")))
			printf("password of %s changed; their sessions ended\n", username);
	} else if (!strcmp(sub, "disable") || !strcmp(sub, "enable")) {
		bool dis = !strcmp(sub, "disable");
		if (!(e = acct_disable(&ac, username, dis)))
			printf("user %s %s\n", username, dis ? "disabled; their sessions ended" : "enabled");
	} else if (!strcmp(sub, "list")) {
		json_t *out = NULL;
		if (!(e = acct_list(&ac, opts_get(&o, "unit", NULL), 500, 0, &out))) {
			size_t i;
			json_t *u;
			json_array_foreach(json_object_get(out, "items"), i, u)
			printf("%-16s %-12s %-14s %s%s\n", json_string_value(json_object_get(u, "username")),
			       json_string_value(json_object_get(u, "role")), json_string_value(json_object_get(u, "unit_code")),
			       json_string_value(json_object_get(u, "display_name")),
			       json_is_true(json_object_get(u, "disabled")) ? " (disabled)" : "");
		}
		json_decref(out);
	} else {
		rc = cli_usage(cmd("user"));
	}
	if (e)
		rc = cli_fail();
	cli_close(&ac);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db since user entity limit", argc, argv) || o.npos)
		return cli_usage(cmd("audit"));
	int64_t since = 0;
	const char *s = opts_get(&o, "since", NULL);
	int y, m, d;
	if (s && parse_date(s, &y, &m, &d)) {
		struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
		since = (int64_t)timegm(&tm) - 8 * 3600; /* the day starts at 00:00 China time */
	} else if (s) {
		char *end;
		since = strtoll(s, &end, 10);
		if (*end || since < 0) {
			fprintf(stderr, "wangge: --since must be YYYY-MM-DD or seconds since the epoch\n");
			return 2;
		}
	}
	double limit;
	if (!opts_num(&o, "limit", 500, 1, 100000, &limit))
		return 2;
	actor ac;
	if (cli_open(opts_get(&o, "db", DEFAULT_DB), false, &ac))
		return 1;
	json_t *out = NULL;
	werr e = audit_list(&ac, since, opts_get(&o, "user", NULL), opts_get(&o, "entity", NULL),
	                    (int64_t)limit, 0, &out);
	if (!e) {
		size_t i;
		json_t *a;
		json_array_foreach(json_object_get(out, "items"), i, a)
		{
			const char *f[] = {"at", "username", "role", "action", "entity", "entity_id", "fields", "source", "outcome"};
			for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
				const char *v = json_string_value(json_object_get(a, f[k]));
				printf("%s%s", v ? v : "-", k + 1 < sizeof f / sizeof f[0] ? "\t" : "\n");
			}
		}
	}
	json_decref(out);
	int rc = e ? cli_fail() : 0;
	cli_close(&ac);
	return rc;
}

/* A backup's or restore's bytes (db_on_progress), total when known. */
static void store_progress(void *ctx, int64_t done, int64_t total)
{
	progress *p = ctx;
	if (total > 0)
		p->total = total;
	progress_set(p, done, -1);
}

/* The backup yields to the server it copies: a smaller share of the CPU and the idle I/O
 * class (the disk's scheduler serves its reads and writes when the server's are done), so
 * the server's commits do not wait behind the copy (bench/README.md, the soak). */
static void yield_to_server(void)
{
	if (setpriority(PRIO_PROCESS, 0, 10) != 0)
		return; /* best effort */
#ifdef SYS_ioprio_set
	enum { IOPRIO_WHO_PROCESS = 1, IOPRIO_CLASS_IDLE = 3, IOPRIO_CLASS_SHIFT = 13 };
	(void)syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT);
#endif
}

int cmd_backup(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db out", argc, argv) || !opts_get(&o, "out", NULL))
		return cli_usage(cmd("backup"));
	actor ac;
	if (cli_open(opts_get(&o, "db", DEFAULT_DB), false, &ac))
		return 1;
	yield_to_server();
	progress pg; /* on a terminal, how far the copy has got (stderr: stdout is the result) */
	progress_start_bytes(&pg, stderr, progress_isatty(stderr), "备份 backing up", 0);
	db_on_progress(ac.d, store_progress, &pg);
	werr e = db_backup(ac.d, opts_get(&o, "out", NULL));
	if (e)
		progress_abort(&pg);
	else
		progress_end(&pg, NULL);
	if (!e)
		printf("backup written to %s\n", opts_get(&o, "out", NULL));
	int rc = e ? cli_fail() : 0;
	cli_close(&ac);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db unit day format out", argc, argv) || o.npos != 1 || strcmp(o.pos[0], "daily") != 0 ||
	    !opts_get(&o, "unit", NULL))
		return cli_usage(cmd("report"));
	const char *fmt = opts_get(&o, "format", "csv"), *out = opts_get(&o, "out", NULL);
	if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "xlsx") != 0 && strcmp(fmt, "json") != 0) {
		fprintf(stderr, "wangge: --format must be csv, xlsx or json\n");
		return 2;
	}
	if (strcmp(fmt, "json") != 0 && !out) {
		fprintf(stderr, "wangge: --out FILE is needed for csv and xlsx\n");
		return 2;
	}
	actor ac;
	if (cli_open(opts_get(&o, "db", DEFAULT_DB), false, &ac))
		return 1;
	werr e;
	if (!strcmp(fmt, "json")) {
		json_t *rep = NULL;
		if (!(e = report_daily(&ac, opts_get(&o, "unit", NULL), opts_get(&o, "day", NULL), &rep))) {
			char *txt = json_dumps(rep, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
			FILE *f = out ? fopen(out, "w") : stdout;
			if (f) {
				fprintf(f, "%s\n", txt);
				if (out)
					fclose(f);
			}
			free(txt);
			json_decref(rep);
		}
	} else {
		e = report_daily_file(&ac, opts_get(&o, "unit", NULL), opts_get(&o, "day", NULL),
		                      !strcmp(fmt, "xlsx") ? EXPORT_XLSX : EXPORT_CSV, out, NULL);
		if (!e)
			printf("daily report written to %s\n", out);
	}
	int rc = e ? cli_fail() : 0;
	cli_close(&ac);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db from", argc, argv) || !opts_get(&o, "from", NULL) || o.npos)
		return cli_usage(cmd("restore"));
	actor ac;
	if (cli_open(opts_get(&o, "db", DEFAULT_DB), false, &ac))
		return 1;
	progress pg;
	progress_start_bytes(&pg, stderr, progress_isatty(stderr), "恢复 restoring", 0);
	db_on_progress(ac.d, store_progress, &pg);
	werr e = db_restore(ac.d, opts_get(&o, "from", NULL));
	if (e)
		progress_abort(&pg);
	else
		progress_end(&pg, NULL);
	if (!e)
		printf("restored %s from %s\n", db_url(ac.d), opts_get(&o, "from", NULL));
	int rc = e ? cli_fail() : 0;
	cli_close(&ac);
	return rc;
}

/* Settings the roll-call reads at start: the fever threshold, the daily deadline, the
 * minutes before an unacknowledged alert goes up.  Values are checked as the server
 * will read them. */
int cmd_config(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db", argc, argv) || o.npos < 1 || (strcmp(o.pos[0], "get") != 0 && strcmp(o.pos[0], "set") != 0) ||
	    (!strcmp(o.pos[0], "set") && o.npos != 3))
		return cli_usage(cmd("config"));
	actor ac;
	if (cli_open(opts_get(&o, "db", DEFAULT_DB), true, &ac))
		return 1;
	int rc = 0;
	if (!strcmp(o.pos[0], "set")) {
		const char *k = o.pos[1], *v = o.pos[2];
		werr e = setting_set(&ac, k, v);
		if (e)
			rc = cli_fail() + (e == W_EINVAL); /* 2: the value was refused */
		else
			printf("%s = %s%s\n", k, v, strncmp(k, "isolation_days.", 15) != 0 && !help_minutes_key(k) && strncmp(k, "staff.", 6) != 0 && strcmp(k, "visitor_retention_days") != 0 ? " (a running server reads it when restarted)" : "");
	} else {
		if (settings_load(ac.d)) {
			rc = cli_fail();
		} else {
			printf("fever_threshold = %.1f\ndeadline = %02d:%02d\nescalate_minutes = %d\n",
			       rc_config.fever_threshold, rc_config.deadline_minutes / 60,
			       rc_config.deadline_minutes % 60, rc_config.escalate_minutes);
			for (size_t i = 0; isolation_categories[i] && !rc; i++) {
				int days;
				if (isolation_days(ac.d, isolation_categories[i], &days))
					rc = cli_fail();
				else
					printf("isolation_days.%s = %d\n", isolation_categories[i], days);
			}
		}
	}
	cli_close(&ac);
	return rc;
}
