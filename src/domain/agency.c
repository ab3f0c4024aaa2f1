/* agency.c — see agency.h. */
#include "domain/agency.h"

#include <stdlib.h>
#include <string.h>

#include "core/ident.h"
#include "core/jv.h"
#include "core/utf8.h"
#include "core/util.h"
#include "domain/calendar.h"
#include "domain/epi.h"
#include "domain/people.h"
#include "domain/registry.h"
#include "domain/settings.h"
#include "domain/tree.h"

enum { C_NAME, C_ID, C_PHONE, C_ADDR, C_ARRIVAL, C_SOURCE, NCOL };
/* Header names accepted for each column (Chinese first). */
static const char *const col_names[NCOL][6] = {
    [C_NAME] = {"姓名", "name", NULL},
    [C_ID] = {"身份证号", "身份证号码", "证件号码", "id_number", NULL},
    [C_PHONE] = {"手机号", "联系电话", "电话", "手机", "phone", NULL},
    [C_ADDR] = {"地址", "住址", "现住址", "address", NULL},
    [C_ARRIVAL] = {"抵达日期", "到达日期", "返回日期", "arrival_date", "arrival_day", NULL},
    [C_SOURCE] = {"来源", "source", NULL},
};

static const char *const list_categories[] = {"travel_observation", "close_contact", "secondary_contact", NULL};
static const char *const row_states[] = {"matched", "to_review", "unmatched", "confirmed", "rejected", "registered", "open", NULL};

static int header_col(const char *h)
{
	for (int k = 0; k < NCOL; k++)
		for (int i = 0; col_names[k][i]; i++) {
			const char *slash = strchr(h, '/');
			if (!strcmp(h, col_names[k][i]) || (slash && !strcmp(slash + 1, col_names[k][i])))
				return k;
		}
	return -1;
}

typedef struct {
	int64_t id;
	const char *path, *category;
} list_row;

static werr list_load(const actor *ac, int64_t id, list_row *l, json_t **o)
{
	db_stmt *s = db_get(ac->d, SQL_AG_LIST_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	bool found = rc == DB_ROW && actor_in_scope(ac, db_text(s, 8));
	if (found) {
		l->id = id;
		l->path = arena_strdup(ac->a, db_text(s, 8));
		l->category = arena_strdup(ac->a, db_text(s, 2));
		if (o) {
			char at[32];
			fmt_time(db_int(s, 4), at);
			*o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:o,s:s,s:s}", "id", (json_int_t)id, "source", db_text(s, 1),
			               "category", db_text(s, 2), "rows", (json_int_t)db_int(s, 3), "created_at", at, "by",
			               jv_text(db_text(s, 5)), "unit", db_text(s, 6), "unit_name", db_text(s, 7));
		}
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (!found)
		return w_fail(W_ENOTFOUND, "list_not_found", "list_id", "没有这份名单 / no such list");
	return WG_OK;
}

static void add_state_counts(db *d, int64_t id, json_t *o)
{
	for (int i = 0; row_states[i]; i++)
		if (strcmp(row_states[i], "open") != 0)
			json_object_set_new(o, row_states[i], json_integer(0));
	db_stmt *s = db_get(d, SQL_AG_ROW_STATES);
	db_bind_int(s, 1, id);
	werr e;
	while (db_step(s, &e) == DB_ROW)
		json_object_set_new(o, db_text(s, 0), json_integer(db_int(s, 1)));
	db_done(s);
}

/* Start observation of a matched person: the list's category when they have none (or
 * were cleared), and a home isolation from the arrival day. *iso = 0 with a note when
 * nothing was started. */
static werr start_observation(const actor *ac, int64_t list_id, const char *category, int64_t rid, const char *arrival,
                              int64_t *iso, const char **note)
{
	*iso = 0;
	const char *src = arena_printf(ac->a, "list:%lld", (long long)list_id);
	db_stmt *s = db_get(ac->d, SQL_ISO_ACTIVE_OF_RES);
	db_bind_int(s, 1, rid);
	int64_t active = 0;
	werr e;
	if ((e = db_scalar(s, &active)))
		return e;
	if (active) {
		*note = "already_observed";
		return WG_OK;
	}
	char today[11], end[11];
	today_str(today);
	const char *start = today;
	if (arrival) {
		w_clear();
		if (day_valid(arrival, "arrival_date") == WG_OK)
			start = arrival;
		w_clear();
	}
	const char *cur;
	if ((e = epi_current(ac, rid, &cur)))
		return e;
	const char *cat = !cur || !strcmp(cur, "cleared") ? category : cur;
	int days;
	if ((e = isolation_days(ac->d, cat, &days)))
		return e;
	day_add(start, days - 1, end);
	if (strcmp(end, today) < 0) {
		*note = "period_over";
		return WG_OK;
	}
	bool changed;
	if (!cur || !strcmp(cur, "cleared"))
		if ((e = epi_change_tx(ac, rid, category, "agency_list", NULL, src, EPI_SKIP, &changed, NULL)))
			return e;
	iso_req q = {.resident_id = rid, .kind = "home", .start_day = start, .source = src, .household = -1};
	return iso_start_tx(ac, &q, true, iso, NULL);
}

/* Does the address text name this household (building and room)? */
static bool address_names(const char *addr, const char *building, const char *room)
{
	if (!addr || !room || !*room || !strstr(addr, room))
		return false;
	if (building && *building && strstr(addr, building))
		return true;
	/* "3-1504": the building's number, a dash, the room */
	if (building) {
		char num[16] = "";
		size_t n = 0;
		for (const char *c = building; *c && n < sizeof num - 1; c++)
			if (*c >= '0' && *c <= '9')
				num[n++] = *c;
		num[n] = 0;
		char pat[64];
		snprintf(pat, sizeof pat, "%s-%s", num, room);
		if (n && strstr(addr, pat))
			return true;
	}
	return false;
}

typedef struct {
	const char *state, *match, *note;
	int64_t resident_id;
	char cands[256];
} match_out;

static void cand_add(match_out *m, int64_t id)
{
	char one[24];
	snprintf(one, sizeof one, "%lld", (long long)id);
	/* no duplicates */
	const char *p = m->cands;
	size_t l = strlen(one);
	while ((p = strstr(p, one))) {
		if ((p == m->cands || p[-1] == ',') && (p[l] == ',' || p[l] == 0))
			return;
		p += l;
	}
	if (strlen(m->cands) + l + 2 < sizeof m->cands) {
		if (*m->cands)
			strcat(m->cands, ",");
		strcat(m->cands, one);
	}
}

static werr match_row(const actor *ac, const char *path, const char *up, const char *name, const char *idn,
                      const char *phone, const char *addr, match_out *m)
{
	werr e = WG_OK;
	memset(m, 0, sizeof *m);
	m->state = "unmatched";
	if (idn) {
		db_stmt *s = db_get(ac->d, SQL_RES_BY_DOC);
		db_bind_text(s, 1, "id_card");
		db_bind_text(s, 2, idn);
		if (db_step(s, &e) == DB_ROW) {
			const char *p = db_text(s, 1);
			if (strcmp(p, path) >= 0 && strcmp(p, up) < 0) {
				m->resident_id = db_int(s, 0);
				m->state = "matched";
				m->match = "id_number";
			}
		}
		db_done(s);
		if (m->resident_id)
			return WG_OK;
	}
	if (name) {
		db_stmt *s = db_get(ac->d, SQL_RES_BY_NAME_IN);
		db_bind_text(s, 1, name);
		db_bind_text(s, 2, path);
		db_bind_text(s, 3, up);
		while (db_step(s, &e) == DB_ROW) {
			bool ent = !strcmp(db_text(s, 4), "entrance");
			const char *building = ent ? db_text(s, 6) : db_text(s, 5);
			if (phone && db_text(s, 2) && !strcmp(db_text(s, 2), phone)) {
				cand_add(m, db_int(s, 0));
				m->match = "name_phone";
			} else if (address_names(addr, building, db_text(s, 3))) {
				cand_add(m, db_int(s, 0));
				if (!m->match)
					m->match = "name_address";
			}
		}
		db_done(s);
	}
	if (phone && strlen(phone) >= 4) {
		db_stmt *s = db_get(ac->d, SQL_RES_BY_PHONE_IN);
		db_bind_text(s, 1, phone + strlen(phone) - 4);
		db_bind_text(s, 2, phone);
		db_bind_text(s, 3, path);
		db_bind_text(s, 4, up);
		while (db_step(s, &e) == DB_ROW) {
			cand_add(m, db_int(s, 0));
			if (!m->match)
				m->match = "phone";
		}
		db_done(s);
	}
	if (*m->cands)
		m->state = "to_review";
	return WG_OK;
}

werr list_import(const actor *ac, const char *unit_code, const char *source, const char *category, csv_reader *r,
                 json_t **out)
{
	if (!source || !*source)
		return w_fail(W_EINVAL, "required", "source", "请写明名单来源 / source (the agency) is required");
	if (utf8_len(source) > 100)
		return w_fail(W_EINVAL, "too_long", "source", "source is longer than 100 characters");
	if (!category || !*category)
		category = "travel_observation";
	if (!str_in_list(category, list_categories))
		return w_fail(W_EINVAL, "invalid_category", "category",
		              "category: travel_observation close_contact secondary_contact");
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	char **f;
	size_t nf, line;
	int hrc = csv_next(r, &f, &nf, &line);
	if (hrc < 0)
		return w_fail(W_EINVAL, "bad_header", "file", "表头行格式错误 / the header line is malformed");
	if (hrc == 0)
		return w_fail(W_EINVAL, "empty_file", "file", "文件为空 / the file has no header line");
	int col[NCOL];
	for (int k = 0; k < NCOL; k++)
		col[k] = -1;
	for (size_t i = 0; i < nf; i++) {
		int k = header_col(f[i]);
		if (k >= 0 && col[k] < 0)
			col[k] = (int)i;
	}
	if (col[C_NAME] < 0)
		return w_fail(W_EINVAL, "missing_column", "name", "表头缺少列 姓名(name) / the header has no column name");
	const char *up = scope_upper(ac->a, u.path);
	int64_t now = now_s(), list_id;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_AG_LIST_INSERT);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, source);
	db_bind_text(s, 3, category);
	if (ac->user_id)
		db_bind_int(s, 4, ac->user_id);
	db_bind_int(s, 5, now);
	if ((e = db_run(s, &list_id)))
		goto fail;
	int64_t rows = 0, matched = 0, review = 0, unmatched = 0, started = 0;
	json_t *seen = json_object(); /* ID numbers already matched in this list */
	int rc;
	while ((rc = csv_next(r, &f, &nf, &line)) != 0) {
		rows++;
		char *v[NCOL];
		for (int k = 0; k < NCOL; k++)
			v[k] = rc > 0 && col[k] >= 0 && (size_t)col[k] < nf && *f[col[k]] ? f[col[k]] : NULL;
		const char *notes[4];
		size_t nn = 0;
		if (rc < 0)
			notes[nn++] = "bad_csv";
		/* clean what can be cleaned; keep the original text either way */
		const char *idn = NULL, *phone = NULL, *arrival = v[C_ARRIVAL];
		char idbuf[32], phbuf[32];
		if (v[C_ID]) {
			snprintf(idbuf, sizeof idbuf, "%s", v[C_ID]);
			for (char *c = idbuf; *c; c++)
				if (*c == 'x')
					*c = 'X';
			if (id_validate(idbuf, NULL) == ID_OK)
				idn = idbuf;
			else
				notes[nn++] = "invalid_id_number";
		}
		if (v[C_PHONE]) {
			if (phone_normalize(v[C_PHONE], phbuf, sizeof phbuf))
				phone = phbuf;
			else
				notes[nn++] = "invalid_phone";
		}
		int y, mo, d;
		if (arrival && !parse_date(arrival, &y, &mo, &d)) {
			notes[nn++] = "invalid_arrival_date";
			arrival = NULL;
		}
		/* cap every text at what the store keeps */
		for (int k = 0; k < NCOL; k++)
			if (v[k] && utf8_len(v[k]) > 200)
				v[k][0] = 0;
		match_out m;
		if ((e = match_row(ac, u.path, up, v[C_NAME], idn, phone, v[C_ADDR], &m))) {
			json_decref(seen);
			goto fail;
		}
		int64_t iso = 0;
		const char *start_note = NULL;
		if (m.resident_id) {
			if (json_object_get(seen, idn)) {
				start_note = "duplicate";
			} else {
				json_object_set_new(seen, idn, json_true());
				if ((e = start_observation(ac, list_id, category, m.resident_id, arrival, &iso, &start_note))) {
					json_decref(seen);
					goto fail;
				}
				if (iso)
					started++;
			}
			matched++;
		} else if (!strcmp(m.state, "to_review")) {
			review++;
		} else {
			unmatched++;
		}
		if (start_note)
			notes[nn++] = start_note;
		char note[128] = "";
		for (size_t i = 0; i < nn; i++) {
			if (i)
				strcat(note, ",");
			strcat(note, notes[i]);
		}
		s = db_get(ac->d, SQL_AG_ROW_INSERT);
		db_bind_int(s, 1, list_id);
		db_bind_int(s, 2, rows);
		db_bind_int(s, 3, (int64_t)line);
		db_bind_text(s, 4, v[C_NAME]);
		db_bind_text(s, 5, idn ? idn : v[C_ID]);
		db_bind_text(s, 6, phone ? phone : v[C_PHONE]);
		db_bind_text(s, 7, v[C_ADDR]);
		db_bind_text(s, 8, arrival);
		db_bind_text(s, 9, v[C_SOURCE] ? v[C_SOURCE] : source);
		db_bind_text(s, 10, m.state);
		db_bind_text(s, 11, m.match);
		if (m.resident_id)
			db_bind_int(s, 12, m.resident_id);
		db_bind_text(s, 13, *m.cands ? m.cands : NULL);
		db_bind_text(s, 14, *note ? note : NULL);
		if (iso)
			db_bind_int(s, 15, iso);
		if ((e = db_run(s, NULL))) {
			json_decref(seen);
			goto fail;
		}
	}
	json_decref(seen);
	s = db_get(ac->d, SQL_AG_LIST_SET_ROWS);
	db_bind_int(s, 1, list_id);
	db_bind_int(s, 2, rows);
	if ((e = db_run(s, NULL)) ||
	    (e = audit(ac, "import", "list", list_id,
	               arena_printf(ac->a, "rows:%lld matched:%lld to_review:%lld unmatched:%lld", (long long)rows,
	                            (long long)matched, (long long)review, (long long)unmatched),
	               "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	*out = json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "id", (json_int_t)list_id, "unit", u.code, "source",
	                 source, "category", category, "rows", (json_int_t)rows, "matched", (json_int_t)matched, "to_review",
	                 (json_int_t)review, "unmatched", (json_int_t)unmatched, "observation_started", (json_int_t)started);
	return WG_OK;
fail:
	db_rollback(ac->d);
	return e;
}

werr list_index(const actor *ac, const char *unit_code, int64_t limit, int64_t offset, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	const char *up = scope_upper(ac->a, u.path);
	db_stmt *s = db_get(ac->d, SQL_AG_LISTS_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	json_t *items = json_array();
	int64_t ids[500];
	size_t n = 0;
	s = db_get(ac->d, SQL_AG_LISTS);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_int(s, 3, limit);
	db_bind_int(s, 4, offset);
	while (db_step(s, &e) == DB_ROW && n < 500) {
		char at[32];
		fmt_time(db_int(s, 4), at);
		ids[n++] = db_int(s, 0);
		json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:I,s:s,s:o,s:s,s:s}", "id", (json_int_t)db_int(s, 0),
		                                       "source", db_text(s, 1), "category", db_text(s, 2), "rows",
		                                       (json_int_t)db_int(s, 3), "created_at", at, "by",
		                                       jv_text(db_text(s, 5)), "unit", db_text(s, 6), "unit_name",
		                                       db_text(s, 7)));
	}
	db_done(s);
	for (size_t i = 0; i < n; i++)
		add_state_counts(ac->d, ids[i], json_array_get(items, i));
	if ((e = audit(ac, "read", "list", 0, arena_printf(ac->a, "lists unit:%s", u.code), "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	return WG_OK;
}

werr list_get(const actor *ac, int64_t id, json_t **out)
{
	list_row l;
	werr e = list_load(ac, id, &l, out);
	if (e)
		return e;
	add_state_counts(ac->d, id, *out);
	if ((e = audit(ac, "read", "list", id, "counts", "ok"))) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

static json_t *cands_json(const actor *ac, const char *cands)
{
	json_t *a = json_array();
	if (!cands)
		return a;
	const char *p = cands;
	while (*p) {
		int64_t id = strtoll(p, NULL, 10);
		db_stmt *s = db_get(ac->d, SQL_RES_MATCH_ONE);
		db_bind_int(s, 1, id);
		werr e;
		if (db_step(s, &e) == DB_ROW && actor_in_scope(ac, db_text(s, 7))) {
			bool ent = !strcmp(db_text(s, 4), "entrance");
			json_array_append_new(a, json_pack("{s:I,s:s,s:o,s:s,s:o,s:s}", "resident_id", (json_int_t)id, "name",
			                                   db_text(s, 1), "phone", jv_text(actor_show_phone(ac, db_text(s, 2))),
			                                   "room", db_text(s, 3), "building",
			                                   jv_text(ent ? db_text(s, 6) : db_text(s, 5)), "unit_code",
			                                   db_text(s, 8)));
		}
		db_done(s);
		const char *c = strchr(p, ',');
		if (!c)
			break;
		p = c + 1;
	}
	return a;
}

static json_t *row_json(const actor *ac, db_stmt *s)
{
	char at[32];
	if (!db_null(s, 14))
		fmt_time(db_int(s, 14), at);
	const char *cands = db_null(s, 11) ? NULL : arena_strdup(ac->a, db_text(s, 11));
	json_t *o = json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "row",
	                      (json_int_t)db_int(s, 0), "line", (json_int_t)db_int(s, 1), "name", jv_text(db_text(s, 2)),
	                      "id_number", jv_text(actor_show_id(ac, db_text(s, 3))), "phone",
	                      jv_text(actor_show_phone(ac, db_text(s, 4))), "address", jv_text(db_text(s, 5)),
	                      "arrival_day", jv_text(db_text(s, 6)), "source", jv_text(db_text(s, 7)), "state",
	                      db_text(s, 8), "match", jv_text(db_text(s, 9)), "resident_id",
	                      db_null(s, 10) ? json_null() : json_integer(db_int(s, 10)), "note", jv_text(db_text(s, 12)),
	                      "isolation_id", db_null(s, 13) ? json_null() : json_integer(db_int(s, 13)), "resolved_at",
	                      db_null(s, 14) ? json_null() : json_string(at), "resolved_by", jv_text(db_text(s, 15)));
	json_object_set_new(o, "candidates", json_null());
	json_object_set_new(o, "_cands", jv_text(cands));
	return o;
}

/* Candidates are looked up after the rows' statement is done (one statement at a time). */
static void fill_cands(const actor *ac, json_t *o)
{
	json_t *c = json_object_get(o, "_cands");
	json_object_set_new(o, "candidates", cands_json(ac, json_is_string(c) ? json_string_value(c) : NULL));
	json_object_del(o, "_cands");
}

werr list_rows(const actor *ac, int64_t id, const char *state, int64_t limit, int64_t offset, json_t **out)
{
	if (state && *state && !str_in_list(state, row_states))
		return w_fail(W_EINVAL, "invalid_state", "state",
		              "state: matched to_review unmatched confirmed rejected registered open");
	list_row l;
	werr e = list_load(ac, id, &l, NULL);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_AG_ROWS_COUNT);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, state ? state : "");
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	json_t *items = json_array();
	s = db_get(ac->d, SQL_AG_ROWS);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, state ? state : "");
	db_bind_int(s, 3, limit);
	db_bind_int(s, 4, offset);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(items, row_json(ac, s));
	db_done(s);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) fill_cands(ac, it);
	if (rc < 0 || (e = audit(ac, "read", "list", id, "name,id_number,phone,address rows", "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	return WG_OK;
}

static werr row_answer(const actor *ac, int64_t id, int64_t row, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_AG_ROW_GET);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, row);
	werr e = WG_OK;
	*out = db_step(s, &e) == DB_ROW ? row_json(ac, s) : NULL;
	db_done(s);
	if (!*out)
		return w_fail(W_ENOTFOUND, "row_not_found", "row", "名单中没有这一行 / no such row in the list");
	fill_cands(ac, *out);
	return WG_OK;
}

werr list_resolve(const actor *ac, int64_t id, int64_t row, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"action", "resident_id", "household_id", "note", NULL};
	const char *action, *note;
	int64_t rid = 0, hid = 0;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "action", true, 20, &action)) ||
	    (e = jv_int(body, "resident_id", false, 1, INT64_MAX, &rid, NULL)) ||
	    (e = jv_int(body, "household_id", false, 1, INT64_MAX, &hid, NULL)) ||
	    (e = jv_str(body, "note", false, 500, &note)))
		return e;
	list_row l;
	if ((e = list_load(ac, id, &l, NULL)))
		return e;
	json_t *cur;
	if ((e = row_answer(ac, id, row, &cur)))
		return e;
	const char *state = arena_strdup(ac->a, json_string_value(json_object_get(cur, "state")));
	json_t *arr = json_object_get(cur, "arrival_day");
	const char *arrival = json_is_string(arr) ? arena_strdup(ac->a, json_string_value(arr)) : NULL;
	json_t *nm = json_object_get(cur, "name");
	const char *name = json_is_string(nm) ? arena_strdup(ac->a, json_string_value(nm)) : NULL;
	json_decref(cur);
	/* the row's own ID number and phone, unmasked, for a registration */
	const char *idn = NULL, *phone = NULL, *category = l.category;
	db_stmt *s = db_get(ac->d, SQL_AG_ROW_GET);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, row);
	if (db_step(s, &e) == DB_ROW) {
		idn = db_null(s, 3) ? NULL : arena_strdup(ac->a, db_text(s, 3));
		phone = db_null(s, 4) ? NULL : arena_strdup(ac->a, db_text(s, 4));
	}
	db_done(s);
	if (strcmp(state, "to_review") != 0 && strcmp(state, "unmatched") != 0)
		return w_fail(W_ECONFLICT, "already_resolved", "row", "这一行已处理 / this row is already resolved (%s)", state);
	const char *new_state;
	if (!strcmp(action, "confirm")) {
		if (!rid)
			return w_fail(W_EINVAL, "required", "resident_id", "确认须选择居民 / confirm needs resident_id");
		person p;
		if ((e = person_load(ac, rid, true, &p)))
			return e;
		if (strncmp(p.path, l.path, strlen(l.path)) != 0)
			return w_fail(W_EINVAL, "outside_list_unit", "resident_id", "此居民不在名单所属单位 / not in the list's unit");
		new_state = "confirmed";
	} else if (!strcmp(action, "reject")) {
		if (!note)
			return w_fail(W_EINVAL, "required", "note", "排除须写明原因 / a rejection needs a note");
		new_state = "rejected";
	} else if (!strcmp(action, "register")) {
		if (!hid)
			return w_fail(W_EINVAL, "required", "household_id", "登记须选择户 / register needs household_id");
		if (!name)
			return w_fail(W_EINVAL, "required", "name", "这一行没有姓名,无法登记 / the row has no name to register");
		json_t *rb = json_pack("{s:I,s:s,s:s}", "household_id", (json_int_t)hid, "name", name, "residence", "living");
		if (idn) {
			json_object_set_new(rb, "id_type", json_string("id_card"));
			json_object_set_new(rb, "id_number", json_string(idn));
		}
		if (phone)
			json_object_set_new(rb, "phone", json_string(phone));
		json_t *created = NULL;
		e = res_create(ac, rb, &created);
		json_decref(rb);
		if (e) {
			json_decref(created); /* a duplicate in scope leaves its name here */
			return e;
		}
		rid = json_integer_value(json_object_get(created, "id"));
		json_decref(created);
		new_state = "registered";
	} else {
		return w_fail(W_EINVAL, "invalid_action", "action", "action: confirm reject register");
	}
	int64_t iso = 0;
	const char *snote = NULL;
	if ((e = db_begin(ac->d)))
		return e;
	if (rid && (e = start_observation(ac, id, category, rid, arrival, &iso, &snote)))
		goto fail;
	s = db_get(ac->d, SQL_AG_ROW_RESOLVE);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, row);
	db_bind_text(s, 3, new_state);
	if (rid)
		db_bind_int(s, 4, rid);
	db_bind_text(s, 5, note ? note : snote);
	if (iso)
		db_bind_int(s, 6, iso);
	if (ac->user_id)
		db_bind_int(s, 7, ac->user_id);
	db_bind_int(s, 8, now_s());
	if ((e = db_run(s, NULL)))
		goto fail;
	if (db_changes(ac->d) != 1) {
		e = w_fail(W_ECONFLICT, "already_resolved", "row", "这一行已处理 / this row is already resolved");
		goto fail;
	}
	if ((e = audit(ac, "update", "list", id, arena_printf(ac->a, "row:%lld action:%s", (long long)row, action), "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	return row_answer(ac, id, row, out);
fail:
	db_rollback(ac->d);
	return e;
}
