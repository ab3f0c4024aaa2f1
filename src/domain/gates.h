/* gates.h — closed compounds (封闭管理): a compound is a unit of the tree (a `compound`,
 * or a community or grid run as one) whose gates have a name, the kinds of passage they
 * take (people, vehicles, goods), opening hours and a state (open, closed, merged into
 * another gate) with its history.  Every passage through a gate — allowed or refused — is
 * recorded with the reasons computed from what wangge knows (the gate, lockdown levels,
 * the person's category and isolation, the household's pass and quota, a visitor's health
 * code and test), and adds to counters kept with it: per gate and day, per household and
 * day (the quota), and who of the residents is outside now.  Household passes (出入证) are
 * tokens stored hashed.  Docs: docs/api.md section 12. */
#ifndef WG_GATES_H
#define WG_GATES_H
#include <jansson.h>

#include "domain/actor.h"

werr gate_list(const actor *ac, const char *unit_code, json_t **out);
/* The compounds a gate of the guard's serves outside the guard's part of the tree (a
 * neighbour's gate merged into it): their unit paths, at most GATE_SERVED_MAX, for a search
 * of residents at that gate.  The gate must be in the actor's scope (404 gate_id). */
enum { GATE_SERVED_MAX = 64 };
werr gate_served_paths(const actor *ac, int64_t gate_id, const char ***paths, int *n);
werr gate_create(const actor *ac, json_t *body, json_t **out);
/* A partial update of a gate's name, kinds and hours (docs/api.md 12.1); its compound,
 * state, merges and passages stay. */
werr gate_update(const actor *ac, int64_t id, json_t *body, json_t **out);
werr gate_state(const actor *ac, int64_t id, json_t *body, json_t **out);
werr gate_now(const actor *ac, int64_t id, const char *day, json_t **out);
/* people_too: list who is outside (audited); false: the counts only (the dashboard's tile). */
werr compound_now(const actor *ac, const char *code, const char *day, bool people_too, json_t **out);
werr compound_rules_set(const actor *ac, const char *code, json_t *body, json_t **out);
/* A building's (or entrance's) time windows for going out (丽园): {"windows": ["08:00-10:00"]}
 * replaces them; an empty list lifts them. */
werr windows_set(const actor *ac, const char *code, json_t *body, json_t **out);
werr windows_get(const actor *ac, const char *code, json_t **out);

/* Passages: POST answers {allowed, reasons:[{code,message,en}], duplicate, …}; duplicate
 * is true when client_id named a passage already stored (the stored answer is given again).
 * Written like a check-in: passage_prepare validates in the request's thread (and answers a
 * retry of a stored client id at once, in *stored); passage_execute computes the rules and
 * writes inside the server's group-commit transaction; passage_after publishes once it
 * is committed.  passage_record does the three in its own transaction (the demo). */
typedef struct passage_plan passage_plan;
werr passage_prepare(const actor *ac, json_t *body, passage_plan **plan, json_t **stored);
werr passage_execute(const actor *ac, passage_plan *plan, json_t **out);
void passage_after(const actor *ac, passage_plan *plan);
werr passage_record(const actor *ac, json_t *body, json_t **out);
werr passage_list(const actor *ac, int64_t gate_id, const char *day, int64_t limit, int64_t offset,
                  json_t **out);

/* Household passes: the token is answered once, only its hash is kept. */
werr pass_issue(const actor *ac, int64_t household_id, json_t *body, json_t **out);
werr pass_revoke(const actor *ac, int64_t pass_id, json_t **out);
/* A scanned token: the household's people and who of them may go out now; for a staff
 * pass's token ("s" and 32 hex digits) the pass and its verdict at the gate. */
werr pass_scan(const actor *ac, json_t *body, json_t **out);

/* Named essential-staff passes (通行证): issued for compounds and gates of the issuer's
 * subtree to a resident or an outside worker (name, employer, phone), a validity period
 * and a purpose; the token ("s" and 32 hex digits) answered once, kept hashed.  Shown at
 * a gate as a passage's pass_token; a closed compound lets essential staff in only on
 * one, a compound locked as a whole (level building or above) lets only them pass. */
werr staff_pass_issue(const actor *ac, json_t *body, json_t **out);
werr staff_pass_revoke(const actor *ac, int64_t id, const char *reason, json_t **out);
/* The passes touching the subtree at code (or covering it), with counts by state and the
 * valid ones by kind; state: all active pending expired revoked. */
werr staff_pass_list(const actor *ac, const char *code, const char *state, int64_t limit, int64_t offset,
                     json_t **out);

/* Visitors' personal data (name, phone, ID number, company, plate, whom they visited) is
 * erased once older than the setting visitor_retention_days (default 28, 1–365); the
 * passage, its kind, code colour and the counters stay.  gates_tick erases up to 500 a
 * call, each audited (`erase visitor`), and answers how many; the server's ticker calls it. */
int gates_visitor_retention_days(db *d);
int gates_tick(db *d, arena *a, int64_t now,
               tick_commit commit); /* the writes go to commit (actor.h; tick_commit_here: on d) */

/* The qinghe demo's 5 gates (2 open) and rules, inside the demo's transaction. */
werr gates_demo_qinghe(const actor *ac, int64_t unit_id);
/* 前进巷: its 11 compounds (the community's grids, named as compounds), their 17 gates of
 * which 8 stay open as checkpoints (the others closed or merged into a neighbour's gate),
 * closed management with its rules, and a pass for every household. */
werr gates_demo_qianjinxiang(const actor *ac, int64_t community, const char *community_path);
#endif
