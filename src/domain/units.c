/* units.c — the grid tree; see units.h. */
#include "domain/units.h"

#include <stdlib.h>
#include <string.h>

#include "core/jv.h"
#include "core/utf8.h"
#include "core/util.h"
#include "domain/accounts.h"
#include "domain/import.h"
#include "domain/lockdown.h"
#include "domain/stats.h"
#include "domain/tree.h"

/* Units, households and residents at or below u (active only). */
static werr unit_counts(const actor *ac, const unit_row *u, json_t *o)
{
	db_stmt *s = db_get(ac->d, SQL_UNIT_COUNTS);
	db_bind_text(s, 1, u->path);
	db_bind_text(s, 2, scope_upper(ac->a, u->path));
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		json_object_set_new(o, "units_below", json_integer(db_int(s, 0)));
		json_object_set_new(o, "households", json_integer(db_int(s, 1)));
		json_object_set_new(o, "residents", json_integer(db_int(s, 2)));
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* The chain of ancestors the actor may see, root first, for breadcrumbs. */
static json_t *ancestors(const actor *ac, const unit_row *u)
{
	json_t *arr = json_array();
	int64_t pid = u->parent_id;
	json_t *rev = json_array();
	while (pid) {
		unit_row p;
		if (unit_find_id(ac, pid, &p) != WG_OK)
			break;
		json_array_append_new(rev, json_pack("{s:s,s:s,s:s}", "code", p.code, "name", p.name,
		                                     "kind", p.kind));
		pid = p.parent_id;
	}
	w_clear();
	for (size_t i = json_array_size(rev); i-- > 0;)
		json_array_append(arr, json_array_get(rev, i));
	json_decref(rev);
	return arr;
}

werr unit_get(const actor *ac, const char *code, json_t **out)
{
	unit_row u;
	werr e = unit_find(ac, code, &u);
	if (e)
		return e;
	json_t *o = unit_json(&u);
	if ((e = unit_counts(ac, &u, o))) {
		json_decref(o);
		return e;
	}
	json_object_set_new(o, "ancestors", ancestors(ac, &u));
	json_t *hist = json_array();
	db_stmt *s = db_get(ac->d, SQL_UNIT_HISTORY);
	db_bind_int(s, 1, u.id);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 0), at);
		json_array_append_new(hist, json_pack("{s:s,s:o,s:s,s:o,s:o}", "at", at, "by",
		                                      jv_text(db_text(s, 5)), "action", db_text(s, 2),
		                                      "old", jv_text(db_text(s, 3)), "new",
		                                      jv_text(db_text(s, 4))));
	}
	db_done(s);
	json_object_set_new(o, "history", hist);
	json_t *lock = NULL;
	if (rc >= 0 && (e = lockdown_json(ac->d, u.id, &lock)))
		rc = -1;
	json_object_set_new(o, "lockdown", lock ? lock : json_null());
	if (rc < 0) {
		json_decref(o);
		return e;
	}
	*out = o;
	return WG_OK;
}

werr unit_children(const actor *ac, const char *code, bool retired, json_t **out)
{
	unit_row u;
	werr e = unit_find(ac, code, &u);
	if (e)
		return e;
	json_t *items = json_array();
	db_stmt *s = db_get(ac->d, SQL_UNIT_CHILDREN);
	db_bind_int(s, 1, u.id);
	db_bind_int(s, 2, retired ? 1 : 0);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		unit_row c;
		unit_row_read(ac->a, s, &c);
		json_array_append_new(items, unit_json(&c));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)json_array_size(items));
	return WG_OK;
}

static werr history(const actor *ac, int64_t unit_id, const char *action, const char *old,
                    const char *new)
{
	db_stmt *s = db_get(ac->d, SQL_UNIT_HISTORY_INSERT);
	db_bind_int(s, 1, unit_id);
	db_bind_int(s, 2, now_s());
	if (ac->user_id)
		db_bind_int(s, 3, ac->user_id);
	db_bind_text(s, 4, action);
	db_bind_text(s, 5, old);
	db_bind_text(s, 6, new);
	return db_run(s, NULL);
}

static werr check_fields(const char *code, const char *kind, const char *name)
{
	if (code && !unit_code_valid(code))
		return w_fail(W_EINVAL, "invalid_code", "code",
		              "编码只能包含字母、数字和 - _ . (1–64 位) / code: 1–64 of A-Z a-z 0-9 - _ .");
	if (kind && !unit_kind_valid(kind))
		return w_fail(W_EINVAL, "invalid_kind", "kind",
		              "kind must be one of province city district street community grid compound building entrance");
	if (name && (!*name || !utf8_no_controls(name) || utf8_len(name) > 100))
		return w_fail(W_EINVAL, "invalid_name", "name", "名称不能为空且不超过 100 字 / name: 1–100 characters");
	return WG_OK;
}

/* Insert a unit under parent (NULL: a root, only for the operator or a root-scoped admin).
 * Runs inside the caller's transaction. */
static werr insert_unit(const actor *ac, const unit_row *parent, const char *code,
                        const char *kind, const char *name, int64_t *id_out)
{
	if (parent && !unit_kind_fits(parent->kind, kind))
		return w_fail(W_EINVAL, "kind_not_allowed", "kind", "a %s cannot sit under a %s", kind,
		              parent->kind);
	if (parent && parent->retired_at)
		return w_fail(W_EINVAL, "parent_retired", "parent_code", "上级单位已撤销 / the parent unit is retired");
	db_stmt *s = db_get(ac->d, SQL_UNIT_INSERT);
	db_bind_text(s, 1, code);
	if (parent)
		db_bind_int(s, 2, parent->id);
	db_bind_text(s, 3, kind);
	db_bind_text(s, 4, name);
	db_bind_int(s, 5, parent ? parent->depth + 1 : 0);
	db_bind_int(s, 6, now_s());
	int64_t id = 0;
	werr e = db_run(s, &id);
	if (e == W_ECONFLICT)
		return w_fail(W_ECONFLICT, "duplicate_code", "code", "编码已存在 / unit code %s already exists", code);
	if (e)
		return e;
	char *path = arena_printf(ac->a, "%s%lld/", parent ? parent->path : "/", (long long)id);
	s = db_get(ac->d, SQL_UNIT_SET_PATH);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, path);
	if ((e = db_run(s, NULL)) || (e = history(ac, id, "create", NULL, name)))
		return e;
	*id_out = id;
	return WG_OK;
}

werr unit_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"code", "parent_code", "kind", "name", NULL};
	const char *code, *parent_code, *kind, *name;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "code", true, 64, &code)) ||
	    (e = jv_str(body, "parent_code", false, 64, &parent_code)) ||
	    (e = jv_str(body, "kind", true, 16, &kind)) || (e = jv_str(body, "name", true, 100, &name)) ||
	    (e = check_fields(code, kind, name)))
		return e;
	unit_row parent, *pp = NULL;
	if (parent_code) {
		if ((e = unit_find(ac, parent_code, &parent)))
			return w_fail(e, "unit_not_found", "parent_code", "没有这个上级单位 / no parent unit %s",
			              parent_code);
		pp = &parent;
	} else if (strcmp(ac->unit_path, "/") != 0) {
		return w_fail(W_EINVAL, "required", "parent_code", "parent_code is required");
	}
	if ((e = db_begin(ac->d)))
		return e;
	int64_t id = 0;
	if ((e = insert_unit(ac, pp, code, kind, name, &id)) ||
	    (e = audit(ac, "create", "unit", id, "code,kind,name,parent_code", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	unit_row u;
	if ((e = unit_find_id(ac, id, &u)))
		return e;
	*out = unit_json(&u);
	return WG_OK;
}

/* After u moved under a parent whose district key is to (its subtree at newpath): the rows
 * of the subtree that took their key from above u take the new one.  A district keeps its
 * own key wherever it goes, and so does everything under a district inside the subtree. */
static werr redistrict(const actor *ac, const unit_row *u, const char *newpath, int64_t to)
{
	if (!strcmp(u->kind, "district") || u->district_id == to)
		return WG_OK;
	static const sql_id steps[] = {SQL_UNIT_REDISTRICT,       SQL_HH_REDISTRICT_SUBTREE,      SQL_RES_REDISTRICT_SUBTREE,
	                               SQL_CHK_REDISTRICT_SUBTREE, SQL_ALERT_REDISTRICT_SUBTREE,   SQL_ISO_REDISTRICT_SUBTREE,
	                               SQL_FU_REDISTRICT_SUBTREE,  SQL_CONTACT_REDISTRICT_SUBTREE, SQL_TASK_REDISTRICT_SUBTREE};
	const char *upper = scope_upper(ac->a, newpath);
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		db_stmt *s = db_get(ac->d, steps[i]);
		db_bind_text(s, 1, newpath);
		db_bind_text(s, 2, upper);
		db_bind_int(s, 3, u->district_id);
		db_bind_int(s, 4, to);
		werr e = db_run(s, NULL);
		if (e)
			return e;
	}
	return WG_OK;
}

/* Move u under np: new path for the whole subtree, kept in history. */
static werr move_unit(const actor *ac, const unit_row *u, const unit_row *np)
{
	// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): set by the look-up that succeeded above (the analyzer cannot see db_step set its error)
	if (strncmp(np->path, u->path, strlen(u->path)) == 0)
		return w_fail(W_EINVAL, "move_into_self", "parent_code",
		              "不能移到自己或下级单位之下 / cannot move a unit under itself");
	if (!unit_kind_fits(np->kind, u->kind))
		return w_fail(W_EINVAL, "kind_not_allowed", "parent_code", "a %s cannot sit under a %s",
		              u->kind, np->kind);
	if (np->retired_at)
		return w_fail(W_EINVAL, "parent_retired", "parent_code", "上级单位已撤销 / the new parent is retired");
	const char *newpath = arena_printf(ac->a, "%s%lld/", np->path, (long long)u->id);
	db_stmt *s = db_get(ac->d, SQL_UNIT_MOVE_SUBTREE);
	db_bind_text(s, 1, newpath);
	db_bind_text(s, 2, u->path);
	db_bind_text(s, 3, scope_upper(ac->a, u->path));
	db_bind_int(s, 4, np->depth + 1 - u->depth);
	werr e = db_run(s, NULL);
	if (e)
		return e;
	/* the subtree's totals leave the old ancestors and join the new ones */
	s = db_get(ac->d, SQL_STATS_GET);
	db_bind_int(s, 1, u->id);
	int64_t hh = 0, res = 0;
	if (db_step(s, &e) == DB_ROW) {
		hh = db_int(s, 0);
		res = db_int(s, 1);
	}
	db_done(s);
	unit_row op;
	const char *oldparent = u->parent_id && unit_find_id(ac, u->parent_id, &op) == WG_OK ? op.path : NULL;
	w_clear();
	if ((oldparent && (e = stats_add(ac->d, oldparent, -hh, -res))) || (e = stats_add(ac->d, np->path, hh, res)))
		return e;
	s = db_get(ac->d, SQL_UNIT_MOVE);
	db_bind_int(s, 1, u->id);
	db_bind_int(s, 2, np->id);
	db_bind_int(s, 3, now_s());
	if ((e = db_run(s, NULL)) || (e = redistrict(ac, u, newpath, np->district_id)))
		return e;
	return history(ac, u->id, "move", u->parent_code, np->code);
}

static werr retire_unit(const actor *ac, const unit_row *u, bool retire)
{
	if (retire == (u->retired_at != 0))
		return WG_OK;
	if (retire) {
		db_stmt *s = db_get(ac->d, SQL_UNIT_ACTIVE_CHILDREN);
		db_bind_int(s, 1, u->id);
		werr e = WG_OK;
		int rc = db_step(s, &e);
		int64_t n = rc == DB_ROW ? db_int(s, 0) : 0;
		db_done(s);
		if (rc < 0)
			return e;
		if (n > 0)
			return w_fail(W_ECONFLICT, "unit_not_empty", "retired",
			              "该单位下还有 %lld 个在用的下级单位或住户,请先移走或撤销 / the unit still has %lld active children or households",
			              (long long)n, (long long)n);
	}
	db_stmt *s = db_get(ac->d, SQL_UNIT_RETIRE);
	db_bind_int(s, 1, u->id);
	if (retire)
		db_bind_int(s, 2, now_s());
	db_bind_int(s, 3, now_s());
	werr e = db_run(s, NULL);
	return e ? e : history(ac, u->id, retire ? "retire" : "restore", NULL, NULL);
}

werr unit_update(const actor *ac, const char *code, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"name", "parent_code", "retired", NULL};
	const char *name, *parent_code;
	bool retired = false, has_retired = false;
	werr e;
	unit_row u, np;
	if ((e = unit_find(ac, code, &u)) || (e = jv_only(body, allowed)) ||
	    (e = jv_str(body, "name", false, 100, &name)) ||
	    (e = jv_str(body, "parent_code", false, 64, &parent_code)) ||
	    (e = jv_bool(body, "retired", &retired, &has_retired)) ||
	    (e = check_fields(NULL, NULL, name)))
		return e;
	// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): set by the look-up that succeeded above (the analyzer cannot see db_step set its error)
	if (parent_code && strcmp(u.path, ac->unit_path) == 0)
		return w_fail(W_EFORBIDDEN, "forbidden", "parent_code",
		              "不能移动自己所属的单位 / you cannot move the unit your account is bound to");
	if (parent_code && (e = unit_find(ac, parent_code, &np)))
		return w_fail(e, "unit_not_found", "parent_code", "没有这个上级单位 / no parent unit %s", parent_code);
	if ((e = db_begin(ac->d)))
		return e;
	buf fields;
	buf_init(&fields, ac->a);
	// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): set by the look-up that succeeded above (the analyzer cannot see db_step set its error)
	if (name && strcmp(name, u.name) != 0) {
		db_stmt *s = db_get(ac->d, SQL_UNIT_RENAME);
		db_bind_int(s, 1, u.id);
		db_bind_text(s, 2, name);
		db_bind_int(s, 3, now_s());
		if ((e = db_run(s, NULL)) || (e = history(ac, u.id, "rename", u.name, name)))
			goto fail;
		buf_puts(&fields, "name,");
	}
	if (parent_code && u.parent_id != np.id) {
		if ((e = move_unit(ac, &u, &np)))
			goto fail;
		buf_puts(&fields, "parent_code,");
	}
	if (has_retired && retired != (u.retired_at != 0)) {
		if ((e = retire_unit(ac, &u, retired)))
			goto fail;
		buf_puts(&fields, "retired,");
	}
	if (fields.len)
		fields.p[fields.len - 1] = 0;
	if ((e = audit(ac, "update", "unit", u.id, fields.len ? fields.p : "", "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	acct_cache_invalidate(); /* a moved unit moves its users' scope */
	return unit_get(ac, code, out);
fail:
	db_rollback(ac->d);
	return e;
}

/* ---- bulk import / export ---- */

typedef struct {
	size_t line;
	char *code, *parent, *kind, *name;
} pending_unit;

/* Apply one import row inside the open transaction. */
static void import_row(const actor *ac, pending_unit *p, import_report *rep)
{
	unit_row parent, *pp = NULL, cur;
	werr e;
	w_clear();
	if (*p->parent && unit_find(ac, p->parent, &parent) != WG_OK) {
		/* the top row of one's own export: its parent lies above one's scope */
		if (unit_find(ac, p->code, &cur) == WG_OK && cur.parent_code && !strcmp(cur.parent_code, p->parent)) {
			/* keep it where it is: pp stays NULL */
		} else {
			import_bad(rep, p->line, "parent_code", "unit_not_found", "上级编码不存在 / parent_code not found");
			return;
		}
	} else if (*p->parent) {
		pp = &parent;
	} else if (!*p->parent && strcmp(ac->unit_path, "/") != 0) {
		import_bad(rep, p->line, "parent_code", "required", "parent_code is required");
		return;
	}
	db_stmt *s = db_get(ac->d, SQL_UNIT_BY_CODE);
	db_bind_text(s, 1, p->code);
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		unit_row_read(ac->a, s, &cur);
	db_done(s);
	if (rc == DB_DONE) {
		int64_t id;
		if (insert_unit(ac, pp, p->code, p->kind, p->name, &id) == WG_OK) {
			rep->created++;
			return;
		}
	} else if (rc == DB_ROW) {
		if (!actor_in_scope(ac, cur.path)) {
			import_bad(rep, p->line, "code", "duplicate_code", "编码已被范围外单位使用 / code is used outside your units");
			return;
		}
		bool changed = false;
		e = WG_OK;
		if (strcmp(cur.kind, p->kind) != 0) {
			import_bad(rep, p->line, "kind", "kind_changed", "已有单位的类型不同 / an existing unit has another kind");
			return;
		}
		if (strcmp(cur.name, p->name) != 0) {
			s = db_get(ac->d, SQL_UNIT_RENAME);
			db_bind_int(s, 1, cur.id);
			db_bind_text(s, 2, p->name);
			db_bind_int(s, 3, now_s());
			e = db_run(s, NULL);
			if (!e)
				e = history(ac, cur.id, "rename", cur.name, p->name);
			changed = true;
		}
		if (!e && pp && cur.parent_id != pp->id) {
			e = move_unit(ac, &cur, pp);
			changed = true;
		}
		if (!e) {
			if (changed)
				rep->updated++;
			else
				rep->unchanged++;
			return;
		}
	}
	const wdetail *d = w_last();
	import_bad(rep, p->line, d->field[0] ? d->field : NULL, d->code, d->message);
}

werr unit_import(const actor *ac, csv_reader *r, import_report *rep)
{
	char **f;
	size_t nf, line;
	int hrc = csv_next(r, &f, &nf, &line);
	if (hrc < 0)
		return w_fail(W_EINVAL, "bad_header", "file", "表头行格式错误 / the header line is malformed: %s", w_last()->message);
	if (hrc == 0)
		return w_fail(W_EINVAL, "empty_file", "file", "文件为空 / the file has no header line");
	int rc;
	int col[4] = {-1, -1, -1, -1};
	static const char *const names[4][2] = {
	    {"code", "编码"}, {"parent_code", "上级编码"}, {"kind", "类型"}, {"name", "名称"}};
	for (size_t i = 0; i < nf; i++)
		for (int k = 0; k < 4; k++)
			if (strcmp(f[i], names[k][0]) == 0 || strcmp(f[i], names[k][1]) == 0)
				col[k] = (int)i;
	for (int k = 0; k < 4; k++)
		if (col[k] < 0)
			return w_fail(W_EINVAL, "missing_column", names[k][0],
			              "表头缺少列 %s / the header has no column %s", names[k][0], names[k][0]);
	/* Read everything first: a parent may come after its children in the file. */
	size_t n = 0, cap = 1024;
	pending_unit *rows = arena_alloc(ac->a, cap * sizeof *rows);
	while ((rc = csv_next(r, &f, &nf, &line)) != 0) {
		rep->rows++;
		if (rc < 0) {
			import_bad(rep, line, NULL, "bad_csv", w_last()->message);
			continue;
		}
		const char *v[4];
		for (int k = 0; k < 4; k++)
			v[k] = (size_t)col[k] < nf ? f[col[k]] : "";
		if (check_fields(v[0], v[2], v[3]) != WG_OK) {
			import_bad(rep, line, w_last()->field, w_last()->code, w_last()->message);
			continue;
		}
		if (n == cap) {
			pending_unit *nr = arena_alloc(ac->a, 2 * cap * sizeof *rows);
			memcpy(nr, rows, cap * sizeof *rows);
			rows = nr;
			cap *= 2;
		}
		rows[n++] = (pending_unit){line, arena_strdup(ac->a, v[0]), arena_strdup(ac->a, v[1]),
		                           arena_strdup(ac->a, v[2]), arena_strdup(ac->a, v[3])};
	}
	/* Passes: apply rows whose parent exists; repeat while progress is made. */
	bool *done = arena_alloc(ac->a, n + 1);
	size_t left = n;
	werr e;
	for (bool progress = true; left && progress;) {
		progress = false;
		if ((e = db_begin(ac->d)))
			return e;
		size_t in_tx = 0;
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			unit_row tmp;
			if (*rows[i].parent && unit_find(ac, rows[i].parent, &tmp) != WG_OK &&
			    !(unit_find(ac, rows[i].code, &tmp) == WG_OK && tmp.parent_code &&
			      !strcmp(tmp.parent_code, rows[i].parent)))
				continue; /* maybe later in this import */
			w_clear();
			/* a savepoint per row: a refused row leaves nothing behind and, on
			 * PostgreSQL, does not abort the batch's transaction */
			if ((e = db_run(db_get(ac->d, SQL_SAVEPOINT), NULL)))
				goto fail;
			size_t bad_before = rep->bad;
			import_row(ac, &rows[i], rep);
			if ((e = db_run(db_get(ac->d, rep->bad > bad_before ? SQL_ROLLBACK_TO : SQL_RELEASE), NULL)))
				goto fail;
			if (rep->bad > bad_before && (e = db_run(db_get(ac->d, SQL_RELEASE), NULL)))
				goto fail;
			done[i] = true;
			left--;
			progress = true;
			if (++in_tx == 5000) {
				if ((e = db_commit(ac->d)) || (e = db_begin(ac->d)))
					goto fail;
				acct_cache_invalidate();
				in_tx = 0;
			}
		}
		if ((e = db_commit(ac->d)))
			goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (!done[i])
			import_bad(rep, rows[i].line, "parent_code", "unit_not_found",
			           "上级编码不存在 / parent_code not found");
	import_report_sort(rep);
	acct_cache_invalidate(); /* an import may have moved units (and their users' scope) */
	if ((e = db_begin(ac->d)) || (e = audit(ac, "import", "unit", 0, "code,parent_code,kind,name", "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	w_clear();
	return WG_OK;
fail:
	db_rollback(ac->d);
	acct_cache_invalidate();
	return e;
}

werr unit_export_csv(const actor *ac, const char *code, FILE *out)
{
	unit_row u;
	werr e = unit_find(ac, code, &u);
	if (e)
		return e;
	fputs("code,parent_code,kind,name\n", out);
	db_stmt *s = db_get(ac->d, SQL_UNIT_SUBTREE);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (!db_null(s, 4))
			continue; /* retired units stay in history, not in the working tree */
		for (int i = 0; i < 4; i++) {
			char *q = csv_quote(db_text(s, i) ? db_text(s, i) : "");
			fputs(q, out);
			free(q);
			fputc(i == 3 ? '\n' : ',', out);
		}
	}
	db_done(s);
	if (rc < 0)
		return e;
	return audit(ac, "export", "unit", u.id, "code,parent_code,kind,name", "ok");
}
