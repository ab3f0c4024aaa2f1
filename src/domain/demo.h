/* demo.h — deterministic demo communities shaped like the seed reports:
 * qinghe  青和居 (Wuhan): 19 buildings, 4,967 households, 8,042 residents, 16 grids;
 * liyuan  丽园 (Hami): 4 big grids, 25 small grids, 7,297 residents, 1,052 aged 60+;
 * city    武汉 (Wuhan): 13 districts, 13,822 grids, 10 million residents (--scale shrinks it);
 * province 湖北 (Hubei): 武汉 4201, 黄石 4202, 十堰 4203 under the province unit 42, each city
 *         of the city preset's shape (30 million at scale 1), its communities spread over its
 *         districts (--districts caps how many per city).
 * Realistic Chinese (and Uyghur) names, valid ID numbers and phones, ages and flags, and
 * staff accounts for every role. */
#ifndef WG_DEMO_H
#define WG_DEMO_H
#include <stdint.h>

#include "domain/actor.h"

typedef struct {
	const char *preset;  /* "qinghe", "liyuan", "qianjinxiang", "city" or "province" */
	int64_t households;  /* 0: the preset's own size */
	uint64_t seed;
	double scale;         /* city preset: 1.0 = 13,822 grids and 10 million residents (a city's, in a province) */
	int districts;        /* province preset: at most this many districts a city (0: all of them) */
	const char *password; /* for every demo account */
	/* how far a large preset has got (residents made of the total), or NULL */
	void (*progress)(void *ctx, int64_t done, int64_t total);
	void *progress_ctx;
	/* filled in */
	int64_t made_units, made_households, made_residents, made_users, made_elderly;
} demo_opts;

werr demo_build(const actor *ac, demo_opts *o);

/* What demo_outbreak did. */
typedef struct {
	int64_t list_id, list_rows, matched, to_review, unmatched, case_id, tasks, household_observed, contacts,
	    disinfected, followups_done, followups_overdue;
} demo_outbreak_summary;
/* A day of the four categories on a built community (demo_outbreak.c). */
werr demo_outbreak(const actor *op, const char *community_code, demo_outbreak_summary *sum);
#endif
