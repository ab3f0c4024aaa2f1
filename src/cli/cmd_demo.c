/* cmd_demo.c — `wangge demo`: a demo community in an empty store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/progress.h"
#include "domain/demo.h"
#include "domain/supply.h"

#define DEMO_PASSWORD "wangge-demo-2026"

static void demo_progress(void *ctx, int64_t done, int64_t total)
{
	progress *p = ctx;
	p->total = total;
	progress_set(p, done, -1);
}

/* The code of the demo's first community ("" when there is none): --outbreak and --round
 * act on it. */
static void first_community(db *d, char *code, size_t n)
{
	werr e;
	db_stmt *s = db_get(d, SQL_UNIT_FIRST_OF_KIND);
	code[0] = '\0';
	db_bind_text(s, 1, "community");
	if (db_step(s, &e) == DB_ROW)
		snprintf(code, n, "%s", db_text(s, 0));
	db_done(s);
}

int cmd_demo(int argc, char **argv)
{
	opts o;
	if (!opts_parse(&o, "db preset households seed password scale districts outbreak! round!", argc, argv) || o.npos)
		return cli_usage(&commands[2]);
	double households, seed, scale, districts;
	if (!opts_num(&o, "households", 0, 1, 1000000, &households) || !opts_num(&o, "seed", 1, 0, 4294967295.0, &seed) ||
	    !opts_num(&o, "scale", 1, 0.0001, 2, &scale) || !opts_num(&o, "districts", 0, 1, 100, &districts))
		return 2;
	demo_opts d = {
	    .preset = opts_get(&o, "preset", "qinghe"),
	    .households = (int64_t)households,
	    .seed = (uint64_t)seed,
	    .password = opts_get(&o, "password", DEMO_PASSWORD),
	    .scale = scale,
	    .districts = (int)districts,
	};
	if (strlen(d.password) < 12) {
		fprintf(stderr, "wangge: --password: at least 12 characters\n");
		return 2;
	}
	actor ac;
	if (cli_open(opts_get(&o, "db", "data/wangge.db"), true, &ac))
		return 1;
	db_stmt *s = db_get(ac.d, SQL_UNIT_ANY);
	werr e;
	bool empty = db_step(s, &e) == DB_ROW && db_int(s, 0) == 0;
	db_done(s);
	if (!empty) {
		fprintf(stderr, "wangge: the store already holds data; the demo needs an empty one\n");
		cli_close(&ac);
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the city preset takes minutes: on a terminal, a line says how far it has got */
	progress pg;
	progress_start(&pg, stderr, progress_isatty(stderr), "生成示范城市 building the demo city", "居民 residents", 0);
	pg.mask = 0; /* called once a community */
	d.progress = demo_progress;
	d.progress_ctx = &pg;
	e = demo_build(&ac, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	progress_abort(&pg); /* the summary below is the final line */
	int rc = 0;
	if (e) {
		rc = cli_fail();
		/* a preset is committed a community at a time (a city in one transaction would
		 * hold gigabytes of undo): say what is left behind */
		fprintf(stderr, "wangge: the demo stopped part-way and the store holds what was built so far;"
		                " empty it (for SQLite: delete %s and its -wal/-shm files) before trying again\n",
		        opts_get(&o, "db", "data/wangge.db"));
	} else {
		printf("demo '%s' built in %.1f s: %lld units, %lld households, %lld residents living there"
		       " (%lld aged 60+), %lld accounts\n",
		       d.preset, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		       (long long)d.made_units, (long long)d.made_households, (long long)d.made_residents,
		       (long long)d.made_elderly, (long long)d.made_users);
		printf("log in as admin, secretary (community), gw02 (grid worker), command, auditor …"
		       " — password: %s\n", d.password);
	}
	if (!rc && opts_flag(&o, "outbreak")) {
		/* the first community of the demo lives through a day of the four categories */
		char code[64];
		first_community(ac.d, code, sizeof code);
		demo_outbreak_summary sum;
		if (!*code || (e = demo_outbreak(&ac, code, &sum))) {
			rc = cli_fail();
		} else {
			printf("outbreak day in %s: police list of %lld rows (%lld matched, %lld to review, %lld unmatched);"
			       " case #%lld confirmed with %lld tasks, %lld household members and %lld contacts under observation;"
			       " building disinfected; %lld follow-ups done, %lld overdue\n",
			       code, (long long)sum.list_rows, (long long)sum.matched, (long long)sum.to_review,
			       (long long)sum.unmatched, (long long)sum.case_id, (long long)sum.tasks,
			       (long long)sum.household_observed, (long long)sum.contacts, (long long)sum.followups_done,
			       (long long)sum.followups_overdue);
		}
	}
	if (!rc && opts_flag(&o, "round")) {
		/* a round of the first community in which every household ordered (bench/supply_picking.py) */
		char code[64];
		first_community(ac.d, code, sizeof code);
		int64_t rid = 0, made = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		e = *code ? supply_demo_round(&ac, code, &rid, &made) : WG_OK;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (e)
			rc = cli_fail();
		printf("round %lld of %s: %lld orders written in %.1f s\n", (long long)rid, code, (long long)made,
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	cli_close(&ac);
	return rc;
}
