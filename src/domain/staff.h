/* staff.h — staffing the grids (issue 19): who covers what.  Staff records (grid leaders,
 * grid workers, cadres sent down from their employers, volunteers with skills, building
 * leaders), linked to an account and to the resident they are where they have one; their
 * assignments to grids, buildings and checkpoints with from/to dates; cadre ↔ grid worker
 * pairs (one-to-one); the five-person team of a locked-down building (1 grid worker,
 * 1 cadre, 3 volunteers); shift patterns and weekly rosters with conflicts refused and
 * duty check-in/out; the vacancies of a unit computed on read (so a staff member put in
 * one of the four categories or isolated is off duty at once, with no hook in the spine);
 * workload per person; volunteer sign-up through a community's link.
 * Sits above the spine: nothing in units/registry/epi/rollcall includes it.
 * Docs: docs/api.md section 13. */
#ifndef WG_STAFF_H
#define WG_STAFF_H
#include <jansson.h>

#include "domain/actor.h"

werr staff_list(const actor *ac, const char *unit_code, const char *kind, const char *state, int64_t limit,
                int64_t offset, json_t **out);
werr staff_create(const actor *ac, json_t *body, json_t **out);
werr staff_update(const actor *ac, int64_t id, json_t *body, json_t **out);
werr staff_assign(const actor *ac, int64_t id, json_t *body, json_t **out);

werr pair_list(const actor *ac, const char *unit_code, json_t **out);
werr pair_create(const actor *ac, json_t *body, json_t **out);
werr pair_delete(const actor *ac, int64_t id, json_t **out);

werr team_list(const actor *ac, const char *unit_code, json_t **out);
werr team_add(const actor *ac, json_t *body, json_t **out);

werr vacancy_list(const actor *ac, const char *unit_code, const char *kind, int64_t limit, json_t **out);
werr workload_list(const actor *ac, const char *unit_code, json_t **out);

werr shift_list(const actor *ac, const char *unit_code, json_t **out);
werr shift_create(const actor *ac, json_t *body, json_t **out);
werr roster_list(const actor *ac, const char *unit_code, const char *from, const char *to, json_t **out);
werr roster_create(const actor *ac, json_t *body, json_t **out);
werr roster_swap(const actor *ac, int64_t id, json_t *body, json_t **out);
werr roster_duty(const actor *ac, int64_t id, json_t *body, json_t **out);

/* Volunteer sign-up: the community's link (token answered once, stored hashed; a new one
 * replaces it) and the public side, which files a pending volunteer the community approves
 * (PATCH /staff/{id} state active). */
werr vlink_issue(const actor *ac, const char *unit_code, const char *base, json_t **out);
werr vlink_signup(db *d, arena *a, const char *source, json_t *body, json_t **out);

/* Demo staff inside the demo's transaction (after unit_stats is built): for every grid
 * under root_path a leader (none for short_num of every short_den grids, spread evenly),
 * grid workers at one per staff.households_per_worker households and as many cadres
 * paired with them.  qinghe -1: another named community's accounts linked (gwNN, cadreNN:
 * 丽园, 前进巷), no grid short; 1: 青和居's accounts linked (gw01, cadre01, leader01) and
 * grid 7 without a leader; 2: also twelve volunteers, building 3 locked down with its team
 * a volunteer short, the gate's shifts and a night patrol rostered for two days. */
werr staff_demo(const actor *ac, const char *root_path, int64_t short_num, int64_t short_den, int qinghe);

/* Issue 19, part 2.  The counters (staff_counts) against a recount from the rows:
 * {"units_differing": N, "ok": bool}. */
werr staff_counters_check(const actor *ac, json_t **out);
/* The caller's own staff record with today's report (404 staff_not_found without one). */
werr staff_me(const actor *ac, json_t **out);
/* A daily temperature report of staff member id (0: the caller's own record); a fever takes
 * them off duty at once and tells the community (live feed event staff_off). */
werr staff_health(const actor *ac, int64_t id, json_t *body, json_t **out);
/* Who must report and has not today, in the subtree; with the day's reported and fevers. */
werr staff_unreported(const actor *ac, const char *unit_code, int64_t limit, json_t **out);
/* The ticker's task: past the day's deadline (staff.report_hour), everyone who must report
 * and has not goes off duty (missed_report). */
void staff_tick(db *d, arena *a, int64_t now);
/* How vacancies of the subtree were filled, newest first. */
werr vacancy_history(const actor *ac, const char *unit_code, int64_t limit, json_t **out);
/* The daily report's staff counts: staff, on duty, off duty by reason, vacancies by kind. */
werr staff_report_counts(const actor *ac, const char *unit_code, json_t **out);
/* The qianjinxiang demo's checkpoint duty teams: staff rostered day and night at its open
 * checkpoints (inside the demo's transaction, after gates_demo_qianjinxiang). */
werr staff_demo_qianjinxiang(const actor *ac, const char *community_path);
#endif
