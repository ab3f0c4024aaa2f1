/* actor.c — roles, scope and audit rows; see actor.h. */
#include "domain/actor.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ident.h"
#include "core/util.h"

/* Each role's view of a person, decided here as a whole: what it sees must not let it
 * rebuild what it is shown masked.  An 18-character ID number is region (6), birth date
 * (8), sequence (3) and check (1); its mask keeps region and the last four, so a role that
 * sees the ID masked is shown the age, never the birth date (with it the mask is undone).
 * A masked phone keeps its last four digits.  `grants`: the roles whose accounts this role
 * may create, edit and reset (in its subtree) — never one that sees or may do more than
 * itself (tests/unit/test_routes.c checks this against the route table). */
#define G(x) (1u << (x))
static const struct {
	const char *name;
	bool full_id, full_phone, sees_ids, sees_phones, birth_date;
	unsigned grants;
	bool all_work; /* every kind of work and no search throttle: the operator only */
} role_table[ROLE__COUNT + 1] = {
    /*                     full id full phone ids  phones birth date grants all work */
    [ROLE_ADMIN] = {"admin", false, false, true, true, false,
                    G(ROLE_ADMIN) | G(ROLE_COMMAND) | G(ROLE_VOLUNTEER) | G(ROLE_CHECKPOINT), false},
    [ROLE_COMMAND] = {"command", false, false, true, true, false, G(ROLE_COMMAND), false},
    [ROLE_COMMUNITY] = {"community", true, true, true, true, true,
                        G(ROLE_COMMUNITY) | G(ROLE_GRID_LEADER) | G(ROLE_GRID_WORKER) | G(ROLE_CADRE) |
                            G(ROLE_VOLUNTEER) | G(ROLE_CHECKPOINT), false},
    [ROLE_GRID_LEADER] = {"grid_leader", true, true, true, true, true, 0, false},
    [ROLE_GRID_WORKER] = {"grid_worker", false, true, true, true, false, 0, false},
    [ROLE_CADRE] = {"cadre", false, true, true, true, false, 0, false},
    [ROLE_VOLUNTEER] = {"volunteer", false, false, false, true, false, 0, false},
    [ROLE_CHECKPOINT] = {"checkpoint", false, false, true, false, false, 0, false},
    [ROLE_AUDITOR] = {"auditor", false, false, false, false, false, 0, false},
    [ROLE_OPERATOR] = {"operator", true, true, true, true, true, (1u << ROLE__COUNT) - 1, true},
};
#undef G

static bool known(role r)
{
	return r >= 0 && r <= ROLE_OPERATOR;
}

const char *role_name(role r)
{
	return known(r) ? role_table[r].name : "none";
}

bool actor_may(const actor *ac, unsigned roles)
{
	return known(ac->role) && ((roles & R(ac->role)) || role_table[ac->role].all_work);
}

role role_parse(const char *s)
{
	for (int i = 0; s && i < ROLE__COUNT; i++)
		if (strcmp(s, role_table[i].name) == 0)
			return (role)i;
	return ROLE_NONE;
}

bool role_full_id(role r)
{
	return known(r) && role_table[r].full_id;
}

bool role_full_phone(role r)
{
	return known(r) && role_table[r].full_phone;
}

bool role_sees_ids(role r)
{
	return known(r) && role_table[r].sees_ids;
}

bool role_sees_phones(role r)
{
	return known(r) && role_table[r].sees_phones;
}

bool role_birth_date(role r)
{
	return known(r) && role_table[r].birth_date;
}

bool role_grants(role by, role r)
{
	return known(by) && r >= 0 && r < ROLE__COUNT && (role_table[by].grants & (1u << r));
}

const char *actor_show_birth(const actor *ac, const char *birth_date)
{
	return role_birth_date(ac->role) ? birth_date : NULL;
}

int actor_show_age(const actor *ac, const char *birth_date)
{
	int age = age_years(birth_date), y, m, d;
	if (age < 0 || role_birth_date(ac->role) || !parse_date(birth_date, &y, &m, &d))
		return age;
	/* the age reached this year: it changes for everyone on 1 January, so watching it
	 * change does not tell the birthday (which, with the mask, is the ID number) */
	time_t local = (time_t)(now_s() + 8 * 3600);
	struct tm tm;
	gmtime_r(&local, &tm);
	return tm.tm_year + 1900 - y;
}

const char *actor_show_id(const actor *ac, const char *id_number)
{
	if (!id_number)
		return NULL;
	if (role_full_id(ac->role))
		return id_number;
	if (!role_sees_ids(ac->role))
		return NULL;
	char *m = arena_alloc(ac->a, strlen(id_number) + 1);
	mask_id(id_number, m);
	return m;
}

const char *actor_show_phone(const actor *ac, const char *phone)
{
	if (!phone)
		return NULL;
	if (role_full_phone(ac->role))
		return phone;
	if (!role_sees_phones(ac->role))
		return NULL;
	char *m = arena_alloc(ac->a, strlen(phone) + 1);
	mask_phone(phone, m);
	return m;
}

/* ---- searches per account ----
 * A table of accounts searching lately, open addressing over a few slots; an account
 * that finds none free shares the fullest-aged one (it can only be throttled sooner). */
enum { SEARCH_SLOTS = 1024, SEARCH_PROBE = 8 };
static struct {
	int64_t user_id, since;
	int count;
} searches[SEARCH_SLOTS];
static pthread_mutex_t search_mu = PTHREAD_MUTEX_INITIALIZER;

bool actor_search_throttled(const actor *ac)
{
	if (known(ac->role) && role_table[ac->role].all_work)
		return false;
	int64_t now = now_s();
	pthread_mutex_lock(&search_mu);
	size_t home = (size_t)((uint64_t)ac->user_id * 2654435761u % SEARCH_SLOTS), own = SEARCH_SLOTS,
	       free_slot = SEARCH_SLOTS;
	for (size_t k = 0; k < SEARCH_PROBE; k++) {
		size_t i = (home + k) % SEARCH_SLOTS;
		if (searches[i].user_id == ac->user_id && now - searches[i].since < SEARCH_WINDOW_S)
			own = i;
		else if (free_slot == SEARCH_SLOTS && (!searches[i].user_id || now - searches[i].since >= SEARCH_WINDOW_S))
			free_slot = i;
	}
	size_t i = own < SEARCH_SLOTS ? own : free_slot < SEARCH_SLOTS ? free_slot : home;
	if (i == free_slot && own == SEARCH_SLOTS) {
		searches[i].user_id = ac->user_id;
		searches[i].since = now;
		searches[i].count = 0;
	}
	bool over = ++searches[i].count > SEARCH_LIMIT;
	pthread_mutex_unlock(&search_mu);
	return over;
}

bool actor_in_scope(const actor *ac, const char *path)
{
	if (!path)
		return false;
	size_t n = strlen(ac->unit_path);
	return strncmp(path, ac->unit_path, n) == 0;
}

const char *scope_upper(arena *a, const char *path)
{
	/* Paths are "/digits/…/": every path under p starts with p, whose last byte is '/'
	 * (0x2F); replacing it with '0' (0x30) gives the least string above all of them. */
	char *u = arena_strdup(a, path);
	size_t n = strlen(u);
	if (n)
		u[n - 1] = '0';
	return u;
}

struct audit_row {
	int64_t at, user_id, entity_id;
	const char *username, *role, *action, *entity, *fields, *source, *outcome;
	struct audit_row *next;
};

static _Thread_local arena *collect_arena;
static _Thread_local audit_row *collected, **collected_tail;

void audit_collect_begin(arena *a)
{
	collect_arena = a;
	collected = NULL;
	collected_tail = &collected;
}

audit_row *audit_collect_end(void)
{
	audit_row *r = collected;
	collect_arena = NULL;
	collected = NULL;
	collected_tail = NULL;
	return r;
}

static werr audit_insert(db *d, const audit_row *r)
{
	db_stmt *s = db_get(d, SQL_AUDIT_INSERT);
	db_bind_int(s, 1, r->at);
	if (r->user_id)
		db_bind_int(s, 2, r->user_id);
	db_bind_text(s, 3, r->username);
	db_bind_text(s, 4, r->role);
	db_bind_text(s, 5, r->action);
	db_bind_text(s, 6, r->entity);
	if (r->entity_id) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)r->entity_id);
		db_bind_text(s, 7, id);
	}
	db_bind_text(s, 8, r->fields);
	db_bind_text(s, 9, r->source);
	db_bind_text(s, 10, r->outcome);
	return db_run(s, NULL);
}

/* A group commit's rows (audit_batch_begin): a job's rows join the batch when the job
 * succeeds, and the batch's are written in one statement before the commit — on a
 * database server a row per statement was one round trip of a check-in's five. */
static _Thread_local arena *batch_arena; /* set while a batch keeps its rows */
static _Thread_local audit_row *job_rows, **job_tail, *batch_rows, **batch_tail;

void audit_batch_begin(bool on)
{
	audit_batch_discard();
	batch_arena = on ? arena_new() : NULL;
	job_tail = &job_rows;
	batch_tail = &batch_rows;
}

void audit_job_end(bool keep)
{
	if (keep && job_rows) {
		*batch_tail = job_rows;
		batch_tail = job_tail;
	}
	job_rows = NULL;
	job_tail = &job_rows;
}

void audit_batch_discard(void)
{
	arena_free(batch_arena);
	batch_arena = NULL;
	job_rows = batch_rows = NULL;
}

enum { FLUSH_ROWS = 256 };

static werr add_many(db *d, json_t *arr)
{
	char *text = json_dumps(arr, JSON_COMPACT);
	json_array_clear(arr);
	if (!text)
		return w_fail(W_EINTERNAL, "out_of_memory", NULL, "out of memory");
	db_stmt *s = db_get(d, SQL_AUDIT_ADD_MANY);
	db_bind_text(s, 1, text);
	werr e = db_run(s, NULL);
	free(text);
	return e;
}

werr audit_batch_flush(db *d)
{
	werr e = WG_OK;
	json_t *arr = json_array();
	for (const audit_row *r = batch_rows; r && !e; r = r->next) {
		char id[24] = "";
		if (r->entity_id)
			snprintf(id, sizeof id, "%lld", (long long)r->entity_id);
		json_t *o = json_pack("{s:I,s:o,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "at", (json_int_t)r->at, "user_id",
		                      r->user_id ? json_integer(r->user_id) : json_null(), "username", r->username, "role",
		                      r->role, "action", r->action, "entity", r->entity, "entity_id",
		                      r->entity_id ? id : NULL, "fields", r->fields, "source", r->source, "outcome", r->outcome);
		if (!o) /* not UTF-8: every text here was checked on the way in */
			e = w_fail(W_EINTERNAL, "audit_encoding", NULL, "an audit row is not UTF-8");
		else
			json_array_append_new(arr, o);
		if (!e && json_array_size(arr) == FLUSH_ROWS)
			e = add_many(d, arr);
	}
	if (!e && json_array_size(arr))
		e = add_many(d, arr);
	json_decref(arr);
	audit_batch_discard();
	return e;
}

/* A copy of the row and its texts in a, ending a list. */
static audit_row *row_copy(arena *a, const audit_row *r)
{
	audit_row *c = arena_alloc(a, sizeof *c);
	*c = *r;
	c->next = NULL;
	c->username = arena_strdup(a, r->username);
	c->role = arena_strdup(a, r->role);
	c->action = arena_strdup(a, r->action);
	c->entity = arena_strdup(a, r->entity);
	c->fields = arena_strdup(a, r->fields);
	c->source = arena_strdup(a, r->source);
	c->outcome = arena_strdup(a, r->outcome);
	return c;
}

/* A copy of the row, kept for the batch. */
static void keep_row(const audit_row *r)
{
	audit_row *c = row_copy(batch_arena, r);
	*job_tail = c;
	job_tail = &c->next;
}

werr audit_write(db *d, const audit_row *rows)
{
	for (; rows; rows = rows->next) {
		if (batch_arena) {
			keep_row(rows);
			continue;
		}
		werr e = audit_insert(d, rows);
		if (e)
			return e;
	}
	return WG_OK;
}

werr audit(const actor *ac, const char *action, const char *entity, int64_t entity_id,
           const char *fields, const char *outcome)
{
	audit_row r = {.at = now_s(), .user_id = ac->user_id, .entity_id = entity_id, .username = ac->username,
	               .role = role_name(ac->role), .action = action, .entity = entity,
	               .fields = fields, .source = ac->source, .outcome = outcome};
	if (collect_arena && !db_in_tx(ac->d)) {
		/* a read's row: the server writes it with the next group commit, before answering */
		audit_row *c = row_copy(collect_arena, &r);
		*collected_tail = c;
		collected_tail = &c->next;
		return WG_OK;
	}
	if (batch_arena) {
		keep_row(&r);
		return WG_OK;
	}
	return audit_insert(ac->d, &r);
}

const char *audit_fields(arena *a, json_t *body)
{
	const char *k;
	json_t *v;
	buf f;
	buf_init(&f, a);
	json_object_foreach(body, k, v) buf_printf(&f, "%s%s", f.len ? "," : "", k);
	return f.len ? f.p : "";
}

werr tick_commit_here(const actor *ac, tick_write write, void *plan)
{
	werr e = db_begin(ac->d);
	if (e)
		return e;
	if ((e = write(ac, plan)) || (e = db_commit(ac->d)))
		db_rollback(ac->d);
	return e;
}
