/* notices.c — notices (通知) to a unit, their receipts per household and their reach; see
 * help.h.  A notice is public (it goes on posters): a random token opens it from a
 * poster's QR code without a login; receipts are recorded only from households' links. */
#include <stdlib.h>
#include <string.h>

#include "core/jv.h"
#include "core/qr.h"
#include "core/util.h"
#include "domain/people.h"
#include "domain/tree.h"
#include "domain/help.h"
#include "domain/units.h"

typedef struct {
	int64_t id, created_at;
	const char *title, *body, *token, *unit_code, *unit_name, *path, *by, *by_name;
} notice_row;

static void notice_from(arena *a, db_stmt *s, notice_row *n)
{
#define T(i) (db_null(s, i) ? NULL : arena_strdup(a, db_text(s, i)))
	*n = (notice_row){.id = db_int(s, 0), .title = T(1), .body = T(2), .created_at = db_int(s, 3), .token = T(4),
	                  .unit_code = T(5), .unit_name = T(6), .path = T(7), .by = T(8), .by_name = T(9)};
#undef T
}

static json_t *at_json(int64_t t)
{
	char b[32];
	fmt_time(t, b);
	return json_string(b);
}

static bool prefix(const char *p, const char *s)
{
	return p && s && !strncmp(s, p, strlen(p));
}

/* A notice the actor may see: sent into its subtree, or to a unit above it. */
static werr notice_load(const actor *ac, int64_t id, notice_row *n)
{
	db_stmt *s = db_get(ac->d, SQL_NOTICE_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		notice_from(ac->a, s, n);
	db_done(s);
	if (rc < 0 && e)
		return e;
	if (rc != DB_ROW || !(actor_in_scope(ac, n->path) || ac->role == ROLE_OPERATOR || prefix(n->path, ac->unit_path)))
		return w_fail(W_ENOTFOUND, "notice_not_found", "id", "没有这条通知 / no such notice");
	return WG_OK;
}

/* Households reached / total of a notice within the unit at path: the total is the unit's
 * counter of households with someone living there (a vacant flat reads nothing), Today's. */
static werr reach_of(const actor *ac, int64_t notice, const char *path, int64_t *reached, int64_t *total)
{
	db_stmt *s = db_get(ac->d, SQL_NOTICE_REACHED);
	db_bind_int(s, 1, notice);
	db_bind_text(s, 2, path);
	db_bind_text(s, 3, scope_upper(ac->a, path));
	werr e = db_scalar(s, reached);
	if (e)
		return e;
	s = db_get(ac->d, SQL_STATS_GET);
	db_bind_int(s, 1, path_id(path, 0));
	return db_scalar(s, total);
}

static json_t *notice_json(const notice_row *n)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)n->id, "title", n->title, "body", n->body,
	                 "unit", n->unit_code, "unit_name", n->unit_name, "created_at", at_json(n->created_at), "by",
	                 jv_text(n->by), "by_name", jv_text(n->by_name));
}

werr notice_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "title", "body", NULL};
	const char *code, *title, *text;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", true, 64, &code)) ||
	    (e = jv_str(body, "title", true, 60, &title)) || (e = jv_str(body, "body", true, 4000, &text)))
		return e;
	unit_row u;
	if ((e = unit_find(ac, code, &u)))
		return e;
	char token[33];
	random_hex(token, 16);
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_NOTICE_INSERT);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, title);
	db_bind_text(s, 3, text);
	db_bind_int(s, 4, now_s());
	if (ac->user_id)
		db_bind_int(s, 5, ac->user_id);
	db_bind_text(s, 6, token);
	int64_t id = 0;
	if ((e = db_run(s, &id)) || (e = audit(ac, "create", "notice", id, arena_printf(ac->a, "unit:%s,title,body", u.code), "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	notice_row n;
	if ((e = notice_load(ac, id, &n)))
		return e;
	*out = notice_json(&n);
	int64_t reached = 0, total = 0;
	if ((e = reach_of(ac, id, u.path, &reached, &total))) {
		json_decref(*out);
		return e;
	}
	json_object_set_new(*out, "reached", json_integer(reached));
	json_object_set_new(*out, "total", json_integer(total));
	return WG_OK;
}

werr notice_list(const actor *ac, const char *unit, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_NOTICE_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	notice_row rows[200];
	size_t n = 0;
	while (n < 200 && db_step(s, &e) == DB_ROW)
		notice_from(ac->a, s, &rows[n++]);
	db_done(s);
	if (e)
		return e;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		/* reach within the deeper of the notice's unit and the unit asked about */
		const char *p = prefix(rows[i].path, u.path) ? u.path : rows[i].path;
		int64_t reached = 0, total = 0;
		if ((e = reach_of(ac, rows[i].id, p, &reached, &total))) {
			json_decref(items);
			return e;
		}
		json_t *o = notice_json(&rows[i]), *files = NULL;
		json_object_set_new(o, "reached", json_integer(reached));
		json_object_set_new(o, "total", json_integer(total));
		json_array_append_new(items, o);
		if ((e = files_list(ac, "notice", rows[i].id, &files))) {
			json_decref(items);
			return e;
		}
		json_object_set_new(o, "files", files);
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return WG_OK;
}

werr notice_reach(const actor *ac, int64_t id, const char *unit, json_t **out)
{
	notice_row n;
	unit_row u;
	werr e;
	if ((e = notice_load(ac, id, &n)) || (e = unit_scope(ac, unit, &u)))
		return e;
	if (!prefix(n.path, u.path) && !prefix(u.path, n.path))
		return w_fail(W_EINVAL, "outside_notice", "unit", "这条通知没有发到该单位 / the notice was not sent to this unit");
	const char *p = prefix(n.path, u.path) ? u.path : n.path;
	int64_t reached = 0, total = 0;
	if ((e = reach_of(ac, id, p, &reached, &total)))
		return e;
	/* per unit below: the children of the unit asked about */
	json_t *units = json_array();
	json_t *kids = NULL;
	if ((e = unit_children(ac, u.code, false, &kids))) {
		json_decref(units);
		return e;
	}
	json_t *arr = json_is_array(kids) ? kids : json_object_get(kids, "items");
	size_t i;
	json_t *k;
	json_array_foreach(arr, i, k) {
		const char *code = json_string_value(json_object_get(k, "code"));
		unit_row c;
		if (!code || unit_find(ac, code, &c)) {
			w_clear();
			continue;
		}
		if (!prefix(n.path, c.path) && !prefix(c.path, n.path))
			continue;
		const char *cp = prefix(n.path, c.path) ? c.path : n.path;
		int64_t r2 = 0, t2 = 0;
		if ((e = reach_of(ac, id, cp, &r2, &t2)))
			break;
		json_array_append_new(units, json_pack("{s:s,s:s,s:s,s:I,s:I}", "unit", c.code, "name", c.name, "kind", c.kind,
		                                       "reached", (json_int_t)r2, "total", (json_int_t)t2));
	}
	json_decref(kids);
	if (e) {
		json_decref(units);
		return e;
	}
	/* who has not read it, so that a grid worker knows whom to phone (a building's worth) */
	json_t *unread = json_array();
	if (total - reached <= 500) {
		db_stmt *s = db_get(ac->d, SQL_NOTICE_UNREAD);
		db_bind_text(s, 1, p);
		db_bind_text(s, 2, scope_upper(ac->a, p));
		db_bind_int(s, 3, id);
		int rc;
		while ((rc = db_step(s, &e)) == DB_ROW) {
			const char *kind = db_text(s, 4), *name = db_text(s, 2), *parent = db_text(s, 3), *room = db_text(s, 1);
			const char *addr = !strcmp(kind, "entrance") && parent ? arena_printf(ac->a, "%s%s %s", parent, name, room)
			                                                       : arena_printf(ac->a, "%s %s", name, room);
			json_array_append_new(unread, json_pack("{s:I,s:s}", "household_id", (json_int_t)db_int(s, 0), "address", addr));
		}
		db_done(s);
		if (rc < 0) {
			json_decref(units);
			json_decref(unread);
			return e;
		}
	}
	if ((e = audit(ac, "read", "notice_reach", id, arena_printf(ac->a, "unit:%s", u.code), "ok"))) {
		json_decref(units);
		json_decref(unread);
		return e;
	}
	json_t *files = NULL;
	if ((e = files_list(ac, "notice", id, &files))) {
		json_decref(units);
		json_decref(unread);
		return e;
	}
	*out = notice_json(&n);
	json_object_set_new(*out, "files", files);
	json_object_set_new(*out, "reach_unit", json_string(u.code));
	json_object_set_new(*out, "reached", json_integer(reached));
	json_object_set_new(*out, "total", json_integer(total));
	json_object_set_new(*out, "units", units);
	json_object_set_new(*out, "unread", unread);
	return WG_OK;
}

static void html_escape(buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '&': buf_puts(b, "&amp;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\n': buf_puts(b, "<br>"); break;
		default: buf_putc(b, *s);
		}
	}
}

werr notice_poster(const actor *ac, int64_t id, const char *unit, const char *base, char **html, size_t *len)
{
	notice_row n;
	unit_row u;
	werr e;
	if ((e = notice_load(ac, id, &n)) || (e = unit_scope(ac, unit, &u)))
		return e;
	if (!prefix(n.path, u.path))
		return w_fail(W_EINVAL, "outside_notice", "unit", "这条通知没有发到该单位 / the notice was not sent to this unit");
	const char *url = arena_printf(ac->a, "%s/notice.html#%s", base, n.token);
	/* Chinese only, as the household QR sheet (links.c): the poster is put up in the stairwell
	 * for residents */
	char *svg = qr_svg(url, 260, "扫码查看通知");
	buf b;
	buf_init(&b, NULL);
	buf_puts(&b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>");
	html_escape(&b, n.title);
	buf_puts(&b, "</title><link rel=\"stylesheet\" href=\"/print.css\"></head><body class=\"poster\"><p class=\"unit\">");
	html_escape(&b, u.name);
	buf_puts(&b, " · 通知</p>");
	if (qr_base_local(base)) { /* as on the QR sheet: a code residents' phones cannot open */
		buf_puts(&b, "<p class=\"warn\" role=\"alert\"><strong>注意：</strong>二维码里的地址是 ");
		html_escape(&b, base);
		buf_puts(&b, "，只有运行服务的这台电脑能打开，居民手机扫码打不开。请系统管理员用"
		             "<code>wangge serve --public-url 居民能访问的地址</code>重新启动服务，再打印本海报。</p>");
	}
	buf_puts(&b, "<h1>");
	html_escape(&b, n.title);
	buf_puts(&b, "</h1><div class=\"notice-body\">");
	html_escape(&b, n.body);
	buf_puts(&b, "</div><figure class=\"qr\">");
	if (svg)
		buf_puts(&b, svg);
	free(svg);
	buf_puts(&b, "</figure><p class=\"from\">");
	html_escape(&b, n.unit_name);
	buf_puts(&b, " ");
	char t[32];
	fmt_time(n.created_at, t);
	t[10] = 0;
	buf_puts(&b, t);
	buf_puts(&b, "</p></body></html>");
	if ((e = audit(ac, "export", "notice_poster", id, arena_printf(ac->a, "unit:%s", u.code), "ok"))) {
		buf_release(&b);
		return e;
	}
	*html = b.p;
	*len = b.len;
	return WG_OK;
}

werr notice_public(db *d, arena *a, const char *token, json_t **out)
{
	if (!token || strlen(token) != 32 || strspn(token, "0123456789abcdef") != 32)
		return w_fail(W_ENOTFOUND, "notice_not_found", "token", "没有这条通知 / no such notice");
	db_stmt *s = db_get(d, SQL_NOTICE_BY_TOKEN);
	db_bind_text(s, 1, token);
	werr e = WG_OK;
	notice_row n;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		notice_from(a, s, &n);
	db_done(s);
	if (rc < 0 && e)
		return e;
	if (rc != DB_ROW)
		return w_fail(W_ENOTFOUND, "notice_not_found", "token", "没有这条通知 / no such notice");
	actor pub = {.d = d, .a = a, .username = "public", .role = ROLE_NONE, .unit_path = "", .source = "public"};
	json_t *files = NULL;
	if ((e = files_list(&pub, "notice", n.id, &files)))
		return e;
	*out = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)n.id, "title", n.title, "body", n.body, "unit_name",
	                 n.unit_name, "created_at", at_json(n.created_at), "files", files);
	return WG_OK;
}

werr notice_link_list(const actor *ac, int64_t household, json_t **out)
{
	help_hh h;
	werr e = help_household(ac, household, "household_id", &h);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_NOTICE_OF_HOUSEHOLD);
	db_bind_text(s, 1, h.path);
	db_bind_int(s, 2, household);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:o,s:s,s:o}", "id", (json_int_t)db_int(s, 0), "title",
		                                       db_text(s, 1), "body", db_text(s, 2), "created_at",
		                                       at_json(db_int(s, 3)), "from", db_text(s, 4), "read_at",
		                                       db_null(s, 5) ? json_null() : at_json(db_int(s, 5))));
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o)
	{
		json_t *files = NULL;
		if ((e = files_list(ac, "notice", json_integer_value(json_object_get(o, "id")), &files))) {
			json_decref(items);
			return e;
		}
		json_object_set_new(o, "files", files);
	}
	*out = json_pack("{s:o}", "items", items);
	return WG_OK;
}

werr notice_link_read(const actor *ac, int64_t household, int64_t id, json_t **out)
{
	help_hh h;
	notice_row n;
	werr e;
	if ((e = help_household(ac, household, "household_id", &h)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_NOTICE_GET);
	db_bind_int(s, 1, id);
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		notice_from(ac->a, s, &n);
	db_done(s);
	if (rc < 0)
		return e;
	/* only a notice sent to the household's unit or one above it */
	if (rc != DB_ROW || !prefix(n.path, h.path))
		return w_fail(W_ENOTFOUND, "notice_not_found", "id", "没有这条通知 / no such notice");
	if ((e = db_begin(ac->d)))
		return e;
	s = db_get(ac->d, SQL_NOTICE_READ);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, household);
	db_bind_int(s, 3, h.unit_id);
	db_bind_int(s, 4, now_s());
	if ((e = db_run(s, NULL)) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	*out = json_pack("{s:I,s:s,s:s,s:s,s:o,s:b}", "id", (json_int_t)n.id, "title", n.title, "body", n.body, "from",
	                 n.unit_name, "created_at", at_json(n.created_at), "read", 1);
	return WG_OK;
}

/* ---- attachments (files.h) ---- */

werr notice_file_add(const actor *ac, int64_t id, const char *name, const void *data, size_t len, json_t **out,
                     bool *fresh)
{
	notice_row n;
	werr e = notice_load(ac, id, &n);
	if (e)
		return e;
	/* a notice from a unit above is read here, not changed */
	if (!actor_in_scope(ac, n.path))
		return w_fail(W_EFORBIDDEN, "not_your_notice", "id", "只能给本单位发出的通知加附件 / only a notice sent within your units takes attachments");
	return files_add(ac, "notice", id, name, data, len, out, fresh);
}

werr notice_file_get(const actor *ac, int64_t household, int64_t id, int64_t file, file_bytes *f)
{
	notice_row n;
	werr e;
	if (household) { /* a household's link: a notice sent to its unit or one above */
		help_hh h;
		if ((e = help_household(ac, household, "household_id", &h)))
			return e;
		db_stmt *s = db_get(ac->d, SQL_NOTICE_GET);
		db_bind_int(s, 1, id);
		int rc = db_step(s, &e);
		if (rc == DB_ROW)
			notice_from(ac->a, s, &n);
		db_done(s);
		if (rc < 0)
			return e;
		if (rc != DB_ROW || !prefix(n.path, h.path))
			return w_fail(W_ENOTFOUND, "notice_not_found", "id", "没有这条通知 / no such notice");
	} else if ((e = notice_load(ac, id, &n))) {
		return e;
	}
	return files_get(ac, "notice", id, file, f);
}

werr notice_public_file(db *d, arena *a, const char *token, int64_t file, file_bytes *f)
{
	json_t *o = NULL;
	werr e = notice_public(d, a, token, &o);
	if (e)
		return e;
	int64_t id = json_integer_value(json_object_get(o, "id"));
	json_decref(o);
	/* a poster's reader has no account: the read is audited as the public's */
	actor pub = {.d = d, .a = a, .username = "public", .role = ROLE_NONE, .unit_path = "", .source = "public"};
	return files_get(&pub, "notice", id, file, f);
}
