/* actor.c — roles, scope and audit rows; see actor.h. */
#include "domain/actor.h"

#include <string.h>

#include "core/util.h"

static const struct {
	const char *name;
	bool full_id, full_phone, sees_ids, sees_phones;
} role_table[ROLE__COUNT] = {
    /*                         full id  full phone  ids   phones */
    [ROLE_ADMIN] = {"admin", false, false, true, true},
    [ROLE_COMMAND] = {"command", false, false, true, true},
    [ROLE_COMMUNITY] = {"community", true, true, true, true},
    [ROLE_GRID_LEADER] = {"grid_leader", true, true, true, true},
    [ROLE_GRID_WORKER] = {"grid_worker", false, true, true, true},
    [ROLE_CADRE] = {"cadre", false, true, true, true},
    [ROLE_VOLUNTEER] = {"volunteer", false, false, false, true},
    [ROLE_CHECKPOINT] = {"checkpoint", false, false, true, false},
    [ROLE_AUDITOR] = {"auditor", false, false, false, false},
};

const char *role_name(role r)
{
	return (r >= 0 && r < ROLE__COUNT) ? role_table[r].name : "none";
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
	return r >= 0 && r < ROLE__COUNT && role_table[r].full_id;
}

bool role_full_phone(role r)
{
	return r >= 0 && r < ROLE__COUNT && role_table[r].full_phone;
}

bool role_sees_ids(role r)
{
	return r >= 0 && r < ROLE__COUNT && role_table[r].sees_ids;
}

bool role_sees_phones(role r)
{
	return r >= 0 && r < ROLE__COUNT && role_table[r].sees_phones;
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

werr audit(const actor *ac, const char *action, const char *entity, int64_t entity_id,
           const char *fields, const char *outcome)
{
	db_stmt *s = db_get(ac->d, SQL_AUDIT_INSERT);
	db_bind_int(s, 1, now_s());
	if (ac->user_id)
		db_bind_int(s, 2, ac->user_id);
	db_bind_text(s, 3, ac->username);
	db_bind_text(s, 4, ac->cli ? "operator" : role_name(ac->role));
	db_bind_text(s, 5, action);
	db_bind_text(s, 6, entity);
	if (entity_id) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)entity_id);
		db_bind_text(s, 7, id);
	}
	db_bind_text(s, 8, fields);
	db_bind_text(s, 9, ac->source);
	db_bind_text(s, 10, outcome);
	return db_run(s, NULL);
}
