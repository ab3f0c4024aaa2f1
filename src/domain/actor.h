/* actor.h — who is acting, what their role may do, and the audit trail.
 * An actor is built by the HTTP layer from the session (or by the CLI as the operator) and
 * passed to every domain call: it carries the store connection, the request arena, the
 * role and the subtree (unit path) the actor may see. */
#ifndef WG_ACTOR_H
#define WG_ACTOR_H
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "db/db.h"

typedef enum {
	ROLE_ADMIN,
	ROLE_COMMAND,
	ROLE_COMMUNITY,
	ROLE_GRID_LEADER,
	ROLE_GRID_WORKER,
	ROLE_CADRE,
	ROLE_VOLUNTEER,
	ROLE_CHECKPOINT,
	ROLE_AUDITOR,
	ROLE__COUNT,
	/* the operator on the server's command line: a row of the role table (actor.c) that
	 * no account can have — full values, the whole tree, every kind of work */
	ROLE_OPERATOR = ROLE__COUNT,
	ROLE_NONE = -1
} role;

#define R(x) (1u << (x))
#define ROLES_ALL ((1u << ROLE__COUNT) - 1)
/* Roles that work with people's records (everyone but the auditor). */
#define ROLES_PEOPLE (ROLES_ALL & ~R(ROLE_AUDITOR))
/* Roles that register and edit households and residents. */
#define ROLES_REGISTRY (R(ROLE_ADMIN) | R(ROLE_COMMUNITY) | R(ROLE_GRID_LEADER) | R(ROLE_GRID_WORKER) | R(ROLE_CADRE))
/* Roles that work the roll-call and its alerts. */
#define ROLES_ROLLCALL (ROLES_REGISTRY | R(ROLE_COMMAND))
/* Roles that record check-ins (volunteers at doors, guards at gates too). */
#define ROLES_CHECKIN (ROLES_REGISTRY | R(ROLE_VOLUNTEER) | R(ROLE_CHECKPOINT))
/* Roles that shape the tree. */
#define ROLES_TREE (R(ROLE_ADMIN) | R(ROLE_COMMAND) | R(ROLE_COMMUNITY))
/* Roles that manage accounts in their subtree. */
#define ROLES_USERS (R(ROLE_ADMIN) | R(ROLE_COMMAND) | R(ROLE_COMMUNITY))

typedef struct {
	db *d;
	arena *a;
	int64_t user_id; /* 0 for the command-line operator */
	const char *username;
	role role;
	int64_t unit_id;
	const char *unit_path; /* "/1/7/": the actor sees units whose path starts with this */
	const char *source;    /* client address, or "cli" */
} actor;

const char *role_name(role r);
role role_parse(const char *s); /* an account's role; ROLE_NONE when unknown (and for "operator") */
/* Whether the actor may do this kind of work (a ROLES_* mask, as the route table's). */
bool actor_may(const actor *ac, unsigned roles);
bool role_full_id(role r);      /* sees ID numbers unmasked */
bool role_full_phone(role r);   /* sees phone numbers unmasked */
bool role_sees_ids(role r);     /* sees ID numbers at all (masked or not) */
bool role_sees_phones(role r);
bool role_birth_date(role r); /* sees birth dates (else the age only) */
/* True when an account of role `by` may create, edit or reset one of role r. */
bool role_grants(role by, role r);

/* An ID number / phone as the actor may see it: the value, its mask (arena copy), or
 * NULL when the role is not shown it at all.  The one place masking is decided. */
const char *actor_show_id(const actor *ac, const char *id_number);
const char *actor_show_phone(const actor *ac, const char *phone);
/* The birth date, or NULL for a role shown the age only. */
const char *actor_show_birth(const actor *ac, const char *birth_date);
/* The age in whole years (-1 without a valid birth date); to a role shown the age only,
 * the age reached this year (years since the birth year), which changes on 1 January for
 * everyone rather than on the birthday. */
int actor_show_age(const actor *ac, const char *birth_date);

/* Searches of people per account: at most SEARCH_LIMIT in SEARCH_WINDOW_S seconds (from
 * the window's first search); counts this one and says whether it is over the limit.
 * In memory (a restart forgets); the command-line operator is not counted. */
enum { SEARCH_LIMIT = 300, SEARCH_WINDOW_S = 600 };
bool actor_search_throttled(const actor *ac);

/* True when path (a unit path) lies in the actor's subtree. */
bool actor_in_scope(const actor *ac, const char *path);
/* Upper bound for the range scan "path >= p AND path < bound" of a subtree. */
const char *scope_upper(arena *a, const char *path);

/* Append one audit row (never personal values: field names only).  Failures to audit are
 * returned: a change whose audit row cannot be written must not be acknowledged.
 * Inside a transaction the row joins it.  Outside one, while a collection is open (the
 * server opens one per request), the row is kept and the server writes it with the next
 * group commit before it answers — so reads never take the write lock themselves. */
werr audit(const actor *ac, const char *action, const char *entity, int64_t entity_id,
           const char *fields, const char *outcome);
/* The keys of an update's body, comma-separated in a's memory ("" for none): the fields an
 * update's audit row names (never their values). */
const char *audit_fields(arena *a, json_t *body);
typedef struct audit_row audit_row;
void audit_collect_begin(arena *a);
audit_row *audit_collect_end(void); /* the rows kept since begin (in its arena), or NULL */
werr audit_write(db *d, const audit_row *rows); /* rows kept earlier */
/* In a group commit (the server's writer): with on, audit rows are kept per job and
 * written by audit_batch_flush in one statement per few hundred rows; audit_job_end says
 * whether the job's rows join the batch (a refused job leaves none). */
void audit_batch_begin(bool on);
void audit_job_end(bool keep);
werr audit_batch_flush(db *d);
void audit_batch_discard(void);

/* How the ticker's periodic tasks commit what they found due (alerts.c, help.c, gates.c):
 * a task reads on its own connection, then hands write(ac, plan) to commit, which runs it
 * inside a transaction on ac->d — the connection commit chose: on SQLite the writer's
 * next batch (a commit on any other connection throws the writer's page cache and map
 * away, docs/ARCHITECTURE.md), else the task's own.  write may run twice (a batch run
 * again), so it starts from the plan alone; the task announces on the live feed after.
 * tick_commit_here begins, writes and commits on ac->d (the tests pass it). */
typedef werr (*tick_write)(const actor *ac, void *plan);
typedef werr (*tick_commit)(const actor *ac, tick_write write, void *plan);
werr tick_commit_here(const actor *ac, tick_write write, void *plan);
#endif
