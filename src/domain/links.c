/* links.c — see links.h. */
#include "domain/links.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/jv.h"
#include "core/qr.h"
#include "core/util.h"
#include "domain/calendar.h"
#include "domain/rollcall.h"
#include "domain/settings.h"
#include "domain/tree.h"

/* ---- throttling wrong tokens by client address ---- */
enum { GUESS_SLOTS = 256, GUESS_LIMIT = 20, GUESS_WINDOW_S = 600 };
static struct {
	char addr[48];
	int64_t since;
	int count;
} guesses[GUESS_SLOTS];
static pthread_mutex_t guess_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned slot_of(const char *addr)
{
	unsigned h = 2166136261u;
	for (; *addr; addr++)
		h = (h ^ (unsigned char)*addr) * 16777619u;
	return h % GUESS_SLOTS;
}

/* true when this address has guessed wrong too often lately */
static bool guess_blocked(const char *addr, bool failed)
{
	pthread_mutex_lock(&guess_mu);
	unsigned i = slot_of(addr);
	int64_t now = now_s();
	if (strcmp(guesses[i].addr, addr) != 0 || now - guesses[i].since > GUESS_WINDOW_S) {
		snprintf(guesses[i].addr, sizeof guesses[i].addr, "%s", addr);
		guesses[i].since = now;
		guesses[i].count = 0;
	}
	if (failed)
		guesses[i].count++;
	bool blocked = guesses[i].count >= GUESS_LIMIT;
	pthread_mutex_unlock(&guess_mu);
	return blocked;
}

static bool token_shape(const char *t)
{
	if (!t || strlen(t) != 32)
		return false;
	for (; *t; t++)
		if (!((*t >= '0' && *t <= '9') || (*t >= 'a' && *t <= 'f')))
			return false;
	return true;
}

/* ---- issuing ---- */

static werr hh_path(const actor *ac, int64_t hid, const char **path)
{
	db_stmt *s = db_get(ac->d, SQL_HH_LIVING);
	db_bind_int(s, 1, hid);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*path = rc == DB_ROW && db_null(s, 1) ? arena_strdup(ac->a, db_text(s, 0)) : NULL;
	db_done(s);
	if (rc < 0)
		return e;
	if (!*path || !actor_in_scope(ac, *path))
		return w_fail(W_ENOTFOUND, "household_not_found", "household_id", "没有这户 / no such household");
	return WG_OK;
}

/* Inside a transaction: revoke the household's link and store a new one. */
static werr new_token(const actor *ac, int64_t hid, char token[33])
{
	random_hex(token, 16);
	char th[65];
	hash_hex(token, th);
	db_stmt *s = db_get(ac->d, SQL_LINK_REVOKE_HH);
	db_bind_int(s, 1, hid);
	db_bind_int(s, 2, now_s());
	werr e = db_run(s, NULL);
	if (e)
		return e;
	s = db_get(ac->d, SQL_LINK_INSERT);
	db_bind_text(s, 1, th);
	db_bind_int(s, 2, hid);
	db_bind_int(s, 3, now_s());
	if (ac->user_id)
		db_bind_int(s, 4, ac->user_id);
	return db_run(s, NULL);
}

werr link_issue(const actor *ac, int64_t hid, const char *base, json_t **out)
{
	const char *path;
	char token[33];
	werr e = hh_path(ac, hid, &path);
	if (e || (e = db_begin(ac->d)))
		return e;
	if ((e = new_token(ac, hid, token)) || (e = audit(ac, "create", "household_link", hid, "link", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	const char *url = arena_printf(ac->a, "%s/report.html#%s", base, token);
	char *svg = qr_svg(url, 240, NULL);
	*out = json_pack("{s:I,s:s,s:s,s:s?}", "household_id", (json_int_t)hid, "url", url, "token", token, "svg", svg);
	free(svg);
	return WG_OK;
}

werr link_revoke(const actor *ac, int64_t hid)
{
	const char *path;
	werr e = hh_path(ac, hid, &path);
	if (e || (e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_LINK_REVOKE_HH);
	db_bind_int(s, 1, hid);
	db_bind_int(s, 2, now_s());
	if ((e = db_run(s, NULL)) || (e = audit(ac, "update", "household_link", hid, "revoked", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
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
		default: buf_putc(b, *s);
		}
	}
}

werr link_sheet(const actor *ac, const char *unit_code, const char *base, char **html, size_t *len)
{
	unit_row u;
	werr e = unit_find(ac, unit_code, &u);
	if (e)
		return e;
	typedef struct {
		int64_t id;
		const char *label;
	} hh;
	hh *list = arena_alloc(ac->a, 2000 * sizeof *list);
	size_t n = 0;
	db_stmt *s = db_get(ac->d, SQL_HH_OF_UNIT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW && n < 2000) {
		bool ent = !strcmp(db_text(s, 4), "entrance");
		list[n].id = db_int(s, 0);
		list[n++].label = ent ? arena_printf(ac->a, "%s %s %s", db_text(s, 3), db_text(s, 2), db_text(s, 1))
		                      : arena_printf(ac->a, "%s %s", db_text(s, 2), db_text(s, 1));
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (n == 0)
		return w_fail(W_EINVAL, "no_households", "unit", "这个单位下没有住户 / no households under this unit");
	buf b;
	buf_init(&b, NULL);
	buf_puts(&b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>");
	html_escape(&b, u.name);
	buf_puts(&b, " 住户自报二维码</title><link rel=\"stylesheet\" href=\"/print.css\"></head><body><h1>");
	html_escape(&b, u.name);
	/* Chinese only: the sheet is posted on doors for residents (the web app's English
	 * speakers read the app, not this) */
	buf_puts(&b, " · 住户自报二维码</h1><p>扫码为家人报体温，无需登录。"
	             "本页生成时，各户以前的二维码已经作废：请张贴本页的新码，旧码扫了会提示“链接无效”。</p>");
	if (qr_base_local(base)) {
		buf_puts(&b, "<p class=\"warn\" role=\"alert\"><strong>注意：</strong>二维码里的地址是 ");
		html_escape(&b, base);
		buf_puts(&b, "，只有运行服务的这台电脑能打开，居民手机扫码打不开。请系统管理员用"
		             "<code>wangge serve --public-url 居民能访问的地址</code>"
		             "（例如 <code>https://wangge.example.org</code>，或局域网里的 <code>http://192.168.1.10:8080</code>）"
		             "重新启动服务（<code>make run PUBLIC_URL=… LISTEN=0.0.0.0:8080</code>），再生成、打印本页。</p>");
	}
	buf_puts(&b, "<div class=\"sheet\">");
	if ((e = db_begin(ac->d))) {
		buf_release(&b);
		return e;
	}
	for (size_t i = 0; i < n; i++) {
		char token[33];
		if ((e = new_token(ac, list[i].id, token))) {
			db_rollback(ac->d);
			buf_release(&b);
			return e;
		}
		char *url = arena_printf(ac->a, "%s/report.html#%s", base, token);
		char *svg = qr_svg(url, 180, NULL); /* the label is the caption below, printed once */
		buf_puts(&b, "<figure class=\"qr\">");
		if (svg)
			buf_puts(&b, svg);
		free(svg);
		buf_puts(&b, "<figcaption>");
		html_escape(&b, list[i].label);
		buf_puts(&b, "</figcaption></figure>");
	}
	if ((e = audit(ac, "create", "household_link", u.id, arena_printf(ac->a, "sheet households:%zu", n), "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		buf_release(&b);
		return e;
	}
	buf_puts(&b, "</div></body></html>\n");
	*html = b.p;
	*len = b.len;
	return WG_OK;
}

/* ---- the household's side ---- */

static werr too_many(void)
{
	return w_fail(W_ETOOMANY, "too_many_attempts", NULL, "尝试次数过多,请稍后再试 / too many attempts, try later");
}

/* Only wrong tokens are throttled: a valid one is admitted whatever its address's count,
 * so nobody's bad guesses (behind a NAT, or a proxy not configured as trusted) can refuse a
 * family its link.  Guessing 128 bits stays hopeless; the count keeps a guesser's answers
 * cheap and the same (429) however he guesses. */
werr link_actor(db *d, arena *a, const char *token, const char *source, actor *out, int64_t *hid)
{
	bool blocked = guess_blocked(source, false);
	if (blocked && !token_shape(token))
		return too_many();
	char th[65];
	int64_t id = 0;
	const char *path = NULL;
	if (token_shape(token)) {
		hash_hex(token, th);
		db_stmt *s = db_get(d, SQL_LINK_RESOLVE);
		db_bind_text(s, 1, th);
		werr e = WG_OK;
		int rc = db_step(s, &e);
		if (rc == DB_ROW && db_null(s, 2)) {
			id = db_int(s, 0);
			path = arena_strdup(a, db_text(s, 1));
		}
		db_done(s);
		if (rc < 0)
			return e;
	}
	if (!id) {
		guess_blocked(source, true);
		if (blocked)
			return too_many();
		return w_fail(W_ENOTFOUND, "link_not_found", "token",
		              "链接无效或已更换,请联系网格员 / this link is not valid (any more); ask your grid worker");
	}
	*out = (actor){.d = d, .a = a, .username = arena_printf(a, "household:%lld", (long long)id), .role = ROLE_NONE,
	               .unit_path = path, .source = source};
	*hid = id;
	return WG_OK;
}

werr link_household(const actor *ac, int64_t hid, json_t **out)
{
	char today[11];
	today_str(today);
	json_t *members = json_array();
	db_stmt *s = db_get(ac->d, SQL_LINK_MEMBERS);
	db_bind_int(s, 1, hid);
	werr e = WG_OK;
	int rc;
	int64_t ids[64];
	size_t n = 0;
	while ((rc = db_step(s, &e)) == DB_ROW && n < 64) {
		ids[n++] = db_int(s, 0);
		/* the age reached this year, as a role without birth dates sees it: a door's QR read
		 * on the right day must not tell the birthday (with the mask, the ID number) */
		int age = actor_show_age(ac, db_text(s, 2));
		json_array_append_new(members, json_pack("{s:I,s:s,s:o}", "id", (json_int_t)db_int(s, 0), "name", db_text(s, 1),
		                                         "age", age >= 0 ? json_integer(age) : json_null()));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(members);
		return e;
	}
	/* today's readings already given, so the page shows them */
	for (size_t i = 0; i < n; i++) {
		s = db_get(ac->d, SQL_CHK_CURRENT);
		db_bind_int(s, 1, ids[i]);
		db_bind_text(s, 2, today);
		if (db_step(s, &e) == DB_ROW)
			json_object_set_new(json_array_get(members, i), "today",
			                    json_pack("{s:s,s:o,s:b}", "status", db_text(s, 4), "temperature",
			                              db_null(s, 5) ? json_null() : json_real(db_double(s, 5)), "day_fever",
			                              db_int(s, 15) != 0));
		db_done(s);
	}
	db_stmt *h = db_get(ac->d, SQL_HH_BY_ID);
	db_bind_int(h, 1, hid);
	json_t *o = NULL;
	if (db_step(h, &e) == DB_ROW) {
		bool ent = !strcmp(db_text(h, 9), "entrance");
		o = json_pack("{s:I,s:o,s:o,s:s,s:s,s:o}", "household_id", (json_int_t)hid, "building",
		              jv_text(ent ? db_text(h, 11) : db_text(h, 10)), "entrance", jv_text(ent ? db_text(h, 10) : NULL),
		              "room", db_text(h, 2), "day", today, "members", members);
		json_object_set_new(o, "fever_threshold", json_real(rc_config.fever_threshold));
	}
	db_done(h);
	if (!o) {
		json_decref(members);
		return w_fail(W_ENOTFOUND, "link_not_found", "token", "link not valid");
	}
	*out = o;
	return audit(ac, "read", "household", hid, "name (household link)", "ok");
}

werr link_checkin(const actor *ac, int64_t hid, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"all_normal", "readings", "client_id", NULL};
	werr e = jv_only(body, allowed);
	if (e)
		return e;
	/* the household's own batch, channel self; residents of other households refused */
	json_t *b = json_deep_copy(body);
	json_object_set_new(b, "household_id", json_integer(hid));
	json_object_set_new(b, "channel", json_string("self"));
	e = chk_submit(ac, b, out);
	json_decref(b);
	return e;
}
