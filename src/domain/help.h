/* help.h — help requests (求助), the hotline's calls, leads (线索) and notices (通知):
 * issue 18, docs/api.md section 14.
 *
 * A help request is about a household and goes at once to its responsible grid worker
 * (the same responsibility as the missing list: the grid worker of the household's grid).
 * Its states are new → accepted → in_progress → done, or referred (to another body, with
 * a note), each step kept with who and when; merged when it duplicates another request of
 * the household (both histories kept).  Each request has a time limit by category and
 * urgency (settings help_minutes.<category>.<urgency>, urgent medical in minutes): an open
 * request past it is overdue, computed on read against the server's clock, and escalated
 * one level up (the grid's leader, else the community).
 * The hotline's calls are logged (a request or a lead taken by phone logs its call with
 * it), so the day's count of calls is true.
 * Leads are about a household or a described person; they stay open until matched to a
 * resident and confirmed (which starts observation, like an agency list row), rejected or
 * registered.  An anonymous lead from a household's link keeps no trace of the sender.
 * Notices go to any unit; a household's link page shows the notices of its unit and the
 * units above, and reading one records a receipt per household; reach per unit is
 * households reached / total.  This module sits above the spine: nothing in it is called
 * by the registry, the roll-call or the epidemic modules. */
#ifndef WG_HELP_H
#define WG_HELP_H
#include <jansson.h>
#include <stdbool.h>

#include "domain/actor.h"
#include "domain/files.h"

/* ---- the rules, pure (tests/unit/test_help.c) ---- */
bool help_category_valid(const char *c);
bool help_urgency_valid(const char *u);
/* The built-in time limit in minutes (settings override it); 0 for an unknown pair. */
int help_default_minutes(const char *category, const char *urgency);
/* May a request go from state `from` to `to` by a step? */
bool help_step_allowed(const char *from, const char *to);
/* Open (new, accepted, in_progress) and at or past its due time. */
bool help_overdue(const char *state, int64_t due_at, int64_t now);
/* "help_minutes.<category>.<urgency>": a setting key of a limit. */
bool help_minutes_key(const char *key);
/* The JSON builders of help requests and leads read as they build: a failed read is kept
 * in *sink (the first one) and the caller answers it, never a part left out (user_brief in
 * people.h works the same way). */
/* The nearest unit of this kind at or above path, 0 when none. */
int64_t help_ancestor(const actor *ac, const char *path, const char *kind, werr *sink);
/* The limit for a pair: the setting when set (1..10080), else the built-in one. */
int help_minutes(db *d, const char *category, const char *urgency);

/* ---- requests ---- */
werr help_create(const actor *ac, json_t *body, json_t **out, bool *fresh);
werr help_list(const actor *ac, const char *unit, const char *state, bool overdue, int64_t household,
               bool mine, int64_t limit, int64_t offset, json_t **out);
werr help_get(const actor *ac, int64_t id, json_t **out);
werr help_step(const actor *ac, int64_t id, json_t *body, json_t **out);
werr help_merge(const actor *ac, int64_t id, json_t *body, json_t **out);
/* the household's own link */
werr help_link_list(const actor *ac, int64_t household, json_t **out);
werr help_link_create(const actor *ac, int64_t household, json_t *body, json_t **out, bool *fresh);
werr help_link_rate(const actor *ac, int64_t household, int64_t id, json_t *body, json_t **out);
/* Photos of a request (files.h): added by whoever may work it, or by the household on its
 * own request (household != 0); read likewise. */
werr help_file_add(const actor *ac, int64_t household, int64_t id, const char *name, const void *data, size_t len,
                   json_t **out, bool *fresh);
werr help_file_get(const actor *ac, int64_t household, int64_t id, int64_t file, file_bytes *f);
/* Escalate the open requests past their time limit, once each (a step, an audit row and an
 * `escalated` event on the live feed, announced at the unit of the account it went to);
 * the ticker calls it: what is due is read on d, the writes go to commit (actor.h;
 * tick_commit_here: on d).  Returns how many. */
int help_tick(db *d, arena *a, int64_t now, tick_commit commit);

/* ---- the hotline ---- */
werr call_log(const actor *ac, json_t *body, json_t **out);
werr call_counts(const actor *ac, const char *unit, const char *day, json_t **out);

/* ---- leads ---- */
werr lead_create(const actor *ac, json_t *body, json_t **out);
werr lead_link_create(const actor *ac, int64_t household, json_t *body, json_t **out);
werr lead_list(const actor *ac, const char *unit, const char *state, int64_t limit, int64_t offset, json_t **out);
werr lead_resolve(const actor *ac, int64_t id, json_t *body, json_t **out);

/* ---- notices ---- */
werr notice_create(const actor *ac, json_t *body, json_t **out);
werr notice_list(const actor *ac, const char *unit, json_t **out);
werr notice_reach(const actor *ac, int64_t id, const char *unit, json_t **out);
/* A printable poster for a building (any unit): the notice and a QR code that opens it
 * (malloc'd HTML into *html). */
werr notice_poster(const actor *ac, int64_t id, const char *unit, const char *base, char **html, size_t *len);
werr notice_public(db *d, arena *a, const char *token, json_t **out);
werr notice_link_list(const actor *ac, int64_t household, json_t **out);
werr notice_link_read(const actor *ac, int64_t household, int64_t id, json_t **out);
/* A notice's attachments (a letter as PDF, a poster image; files.h): added by an account
 * whose subtree the notice was sent into; read by whoever sees the notice, by a household it
 * was sent to (household != 0), or by anyone holding its public token (token != NULL). */
werr notice_file_add(const actor *ac, int64_t id, const char *name, const void *data, size_t len, json_t **out,
                     bool *fresh);
werr notice_file_get(const actor *ac, int64_t household, int64_t id, int64_t file, file_bytes *f);
werr notice_public_file(db *d, arena *a, const char *token, int64_t file, file_bytes *f);

/* ---- counts per unit and day (the dashboard) ---- */
werr help_counts(const actor *ac, const char *unit, const char *day, json_t **out);
/* The daily report's section (report.c) for the subtree at unit code and day: requests
 * received that day (merged ones left out: they are the same need), done, overdue now
 * (open past the limit), escalated, each also by category; leads reported, confirmed.
 * Counts only. */
werr help_report_day(const actor *ac, const char *code, const char *day, json_t **out);

/* ---- shared by help.c, leads.c, notices.c ---- */
typedef struct {
	int64_t id, unit_id, retired_at;
	const char *room, *unit_code, *unit_kind, *unit_name, *parent_name, *path;
} help_hh;
/* A household in the actor's subtree (404 on field otherwise). */
werr help_household(const actor *ac, int64_t id, const char *field, help_hh *h);
/* "3栋1单元 402" */
const char *help_address(arena *a, const help_hh *h);

/* The qinghe demo: a day of requests, calls, leads and two notices (inside the demo's
 * transaction; the demo's clock is now). */
werr help_demo_qinghe(const actor *ac, int64_t community_id);

/* Open requests of the subtree at path by their worker's account: fn(arg, account id, count)
 * for each (the staff's workload, staff.c). */
werr help_open_per_worker(const actor *ac, const char *path, void (*fn)(void *arg, int64_t user_id, int64_t n), void *arg);
#endif
