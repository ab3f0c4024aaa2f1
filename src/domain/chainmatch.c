/* chainmatch.c — see chainmatch.h. */
#include "domain/chainmatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/chain.h"
#include "core/jv.h"
#include "core/util.h"
#include "domain/calendar.h"
#include "domain/readings.h"
#include "domain/rollcall.h"
#include "domain/tree.h"

typedef struct {
	int64_t id;
	const char *name;
} member;

/* The people living in household hid (arena copies); returns the count. */
static size_t members(const actor *ac, int64_t hid, member *m, size_t cap)
{
	db_stmt *s = db_get(ac->d, SQL_CHAIN_MEMBERS);
	db_bind_int(s, 1, hid);
	werr e;
	size_t n = 0;
	while (db_step(s, &e) == DB_ROW && n < cap) {
		m[n].id = db_int(s, 0);
		m[n++].name = arena_strdup(ac->a, db_text(s, 1));
	}
	db_done(s);
	return n;
}

static json_t *reading(const member *m, bool has_temp, double t, unsigned sym)
{
	json_t *o = json_pack("{s:I,s:s,s:s}", "resident_id", (json_int_t)m->id, "name", m->name, "status", "reported");
	if (has_temp)
		json_object_set_new(o, "temperature", json_real(t));
	if (sym)
		json_object_set_new(o, "symptoms", symptoms_json(sym));
	return o;
}

/* Assign a line's readings to the household's people, or say why not (static text). */
static const char *assign(const actor *ac, const chain_line *l, const member *m, size_t n, json_t *readings)
{
	(void)ac;
	if (n == 0)
		return "这户没有登记在住的人 / nobody is registered as living here";
	if (l->nnames > 0) { /* named people: each name must be one of the household */
		for (int i = 0; i < l->nnames; i++) {
			const member *hit = NULL;
			for (size_t k = 0; k < n; k++)
				if (!strcmp(m[k].name, l->names[i]))
					hit = &m[k];
			if (!hit)
				return "名字与这户登记的人对不上 / a name does not match anyone of this household";
			bool t = l->ntemps == l->nnames || (l->nnames == 1 && l->ntemps == 1);
			if (!t && l->ntemps > 0)
				return "名字和体温个数对不上 / names and readings do not pair up";
			json_array_append_new(readings, reading(hit, t, t ? l->temps[i] : 0, l->nnames == 1 ? l->symptoms : 0));
		}
		return NULL;
	}
	if (l->people >= 0 && (size_t)l->people != n)
		return "报的人数与这户在住人数不符 / the head count differs from the people living here";
	if (l->symptoms && n > 1)
		return "有症状但没说是谁 / a symptom without a name in a household of several";
	if (l->ntemps > 0) {
		if ((size_t)l->ntemps != n)
			return "体温个数与在住人数不符 / the number of readings differs from the people living here";
		for (size_t k = 0; k < n; k++)
			json_array_append_new(readings, reading(&m[k], true, l->temps[k], n == 1 ? l->symptoms : 0));
		return NULL;
	}
	/* "体温正常 咳嗽" of one person: a reading without a temperature, with the symptom (a
	 * household of several was refused above) */
	if (l->all_normal || l->said_normal || l->people >= 0) {
		for (size_t k = 0; k < n; k++)
			json_array_append_new(readings, reading(&m[k], false, 0, l->symptoms));
		return NULL;
	}
	return "没有体温或“正常” / no reading and no “normal”";
}

werr chain_preview(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "day", "text", NULL};
	const char *unit_code, *day, *text;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", false, 64, &unit_code)) ||
	    (e = jv_str(body, "day", false, 10, &day)))
		return e;
	json_t *t = json_object_get(body, "text");
	if (!json_is_string(t))
		return w_fail(W_EINVAL, "required", "text", "text (the pasted chain) is required");
	text = json_string_value(t);
	unit_row u;
	if ((e = unit_scope(ac, unit_code, &u)))
		return e;
	char today[11];
	if (!day) {
		today_str(today);
		day = today;
	}
	if ((e = day_valid(day, "day")))
		return e;
	chain_line *lines = NULL;
	size_t n = 0;
	if (chain_parse(text, json_string_length(t), &lines, &n) != 0)
		return w_last()->err ? w_last()->err : W_EINVAL;
	json_t *matched = json_array(), *unmatched = json_array();
	const char *up = scope_upper(ac->a, u.path);
	for (size_t i = 0; i < n; i++) {
		chain_line *l = &lines[i];
		json_t *base = json_pack("{s:I,s:s}", "line", (json_int_t)l->line, "text", l->text);
		/* what the line says, so that a line fixed by hand keeps it (chain_confirm checks) */
		if (l->ntemps) {
			json_t *ts = json_array();
			for (int k = 0; k < l->ntemps; k++)
				json_array_append_new(ts, json_real(l->temps[k]));
			json_object_set_new(base, "temperatures", ts);
		}
		if (l->symptoms)
			json_object_set_new(base, "symptoms", symptoms_json(l->symptoms));
		if (l->problem) {
			json_object_set_new(base, "reason", json_string(l->problem));
			json_array_append_new(unmatched, base);
			continue;
		}
		db_stmt *s = db_get(ac->d, SQL_CHAIN_FIND);
		db_bind_text(s, 1, u.path);
		db_bind_text(s, 2, up);
		db_bind_text(s, 3, l->room);
		db_bind_text(s, 4, l->building);
		db_bind_text(s, 5, l->entrance);
		int64_t hid = 0, found = 0;
		const char *bname = NULL, *ename = NULL;
		int rc;
		while ((rc = db_step(s, &e)) == DB_ROW) {
			found++;
			hid = db_int(s, 0);
			bool ent = !strcmp(db_text(s, 3), "entrance");
			bname = arena_strdup(ac->a, ent ? db_text(s, 4) : db_text(s, 2));
			ename = ent ? arena_strdup(ac->a, db_text(s, 2)) : NULL;
		}
		db_done(s);
		if (rc < 0) {
			json_decref(base);
			json_decref(matched);
			json_decref(unmatched);
			free(lines);
			return e;
		}
		json_object_set_new(base, "building", json_string(l->building));
		json_object_set_new(base, "room", json_string(l->room));
		if (found != 1) {
			json_object_set_new(base, "reason",
			                    json_string(found ? "有几户同一房号,请写明单元 / several households have this room: add the entrance"
			                                      : "找不到这一户 / no such household in this unit"));
			json_array_append_new(unmatched, base);
			continue;
		}
		member m[32];
		size_t nm = members(ac, hid, m, 32);
		json_t *readings = json_array();
		const char *why = assign(ac, l, m, nm, readings);
		json_object_set_new(base, "household_id", json_integer(hid));
		json_object_set_new(base, "building", json_string(bname));
		json_object_set_new(base, "entrance", jv_text(ename));
		if (why) {
			json_decref(readings);
			json_object_set_new(base, "reason", json_string(why));
			json_t *people = json_array();
			for (size_t k = 0; k < nm; k++)
				json_array_append_new(people, json_pack("{s:I,s:s}", "resident_id", (json_int_t)m[k].id, "name", m[k].name));
			json_object_set_new(base, "people", people); /* so the worker can fix it */
			json_array_append_new(unmatched, base);
			continue;
		}
		json_object_set_new(base, "readings", readings);
		json_array_append_new(matched, base);
	}
	free(lines);
	*out = json_pack("{s:s,s:s,s:o,s:o}", "unit", u.code, "day", day, "matched", matched, "unmatched", unmatched);
	return audit(ac, "read", "chain", u.id,
	             arena_printf(ac->a, "lines:%zu matched:%zu", n, json_array_size(json_object_get(*out, "matched"))), "ok");
}

/* A confirmed line keeps what it said: every temperature written in it is given to one of
 * the people confirmed for it, and its symptoms to at least one — a reading, above all a
 * fever, is never dropped because the worker did not say whose it was.  Returns NULL or
 * why not (static text). */
static const char *line_kept(const char *text, const double *temps, size_t ntemps, unsigned syms)
{
	chain_line *l = NULL;
	size_t n = 0;
	if (chain_parse(text, strlen(text), &l, &n) != 0 || n == 0) {
		free(l);
		return NULL; /* nothing the parser can read in it: nothing to lose */
	}
	bool used[64] = {false};
	const char *why = NULL;
	for (int i = 0; i < l[0].ntemps && !why; i++) {
		long want = lround(l[0].temps[i] * 10.0);
		size_t k = 0;
		while (k < ntemps && (used[k] || lround(temps[k] * 10.0) != want))
			k++;
		if (k == ntemps)
			why = "这一行的体温还没有填给任何人，请写在对应的人旁边 / a temperature in this line is not given to anyone: put it beside the person it belongs to";
		else
			used[k] = true;
	}
	if (!why && (l[0].symptoms & ~syms) != 0)
		why = "这一行说的症状还没有记在任何人身上 / a symptom in this line is not given to anyone";
	free(l);
	return why;
}

werr chain_confirm(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"day", "lines", NULL};
	const char *day;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "day", false, 10, &day)))
		return e;
	char today[11];
	if (!day) {
		today_str(today);
		day = today;
	}
	if ((e = day_valid(day, "day")))
		return e;
	json_t *lines = json_object_get(body, "lines");
	if (!json_is_array(lines) || json_array_size(lines) == 0 || json_array_size(lines) > CHAIN_MAX_LINES)
		return w_fail(W_EINVAL, "required", "lines", "lines: 1–%d confirmed lines", CHAIN_MAX_LINES);
	if ((e = db_begin(ac->d)))
		return e;
	json_t *results = json_array();
	size_t i, saved = 0;
	json_t *ln;
	typedef struct {
		int64_t rid;
		chk_in in;
		chk_out out;
	} rec;
	size_t cap = 0, nrec = 0;
	rec *recs = NULL;
	json_array_foreach(lines, i, ln)
	{
		static const char *const lk[] = {"line", "text", "household_id", "readings", NULL};
		const char *text;
		int64_t hid;
		const char *field = arena_printf(ac->a, "lines[%zu]", i);
		if (!json_is_object(ln) || jv_only(ln, lk) || jv_str(ln, "text", true, 300, &text) ||
		    jv_int(ln, "household_id", true, 1, INT64_MAX, &hid, NULL) || !json_is_array(json_object_get(ln, "readings"))) {
			e = w_fail(W_EINVAL, "invalid_line", field, "%s: %s", field, w_last()->message[0] ? w_last()->message : "line, text, household_id, readings");
			goto fail;
		}
		size_t k;
		json_t *rd;
		double given[64];
		size_t ngiven = 0;
		unsigned gsyms = 0;
		json_array_foreach(json_object_get(ln, "readings"), k, rd)
		{
			int64_t rid;
			if (!json_is_object(rd) || jv_int(rd, "resident_id", true, 1, INT64_MAX, &rid, NULL)) {
				e = w_fail(W_EINVAL, "invalid_reading", field, "%s.readings[%zu]: resident_id is required", field, k);
				goto fail;
			}
			chk_in in = {.day = day, .status = "reported", .channel = "wechat", .source_line = text};
			json_t *t = json_object_get(rd, "temperature");
			if (t && !json_is_null(t)) {
				if (!json_is_number(t) || json_number_value(t) < 34.0 || json_number_value(t) > 43.0) {
					e = w_fail(W_EINVAL, "out_of_range", field, "%s.readings[%zu].temperature: 34.0–43.0 °C", field, k);
					goto fail;
				}
				in.has_temp = true;
				in.temp = (double)(long)(json_number_value(t) * 10.0 + 0.5) / 10.0;
			}
			if ((e = symptoms_from_json(json_object_get(rd, "symptoms"), &in.symptoms)))
				goto fail;
			if (in.has_temp && ngiven < sizeof given / sizeof given[0])
				given[ngiven++] = in.temp;
			gsyms |= in.symptoms;
			/* the same line confirmed twice (a retry) stores nothing new */
			char key[65];
			hash_hex(arena_printf(ac->a, "%s|%lld|%lld|%s", day, (long long)hid, (long long)rid, text), key);
			in.client_id = arena_printf(ac->a, "chain:%.40s", key);
			if (nrec == cap) {
				cap = cap ? cap * 2 : 64;
				rec *nr = arena_alloc(ac->a, cap * sizeof *nr);
				if (nrec)
					memcpy(nr, recs, nrec * sizeof *recs);
				recs = nr;
			}
			rec *r = &recs[nrec++];
			r->rid = rid;
			r->in = in;
			if ((e = chk_record(ac, rid, &r->in, &r->out))) {
				w_record(e, w_last()->code, field, "%s: %s", field, w_last()->message);
				goto fail;
			}
			/* a reading belongs to the household of its line */
			db_stmt *c = db_get(ac->d, SQL_RES_FOR_CHK);
			db_bind_int(c, 1, rid);
			bool ok = db_step(c, &e) == DB_ROW && db_int(c, 1) == hid;
			db_done(c);
			if (!ok) {
				e = w_fail(W_EINVAL, "not_in_household", field, "%s: the resident is not of this household", field);
				goto fail;
			}
			saved += !r->out.duplicate;
		}
		const char *lost = line_kept(text, given, ngiven, gsyms);
		if (lost) {
			e = w_fail(W_EINVAL, "reading_not_given", field, "%s: %s", field, lost);
			goto fail;
		}
	}
	if ((e = audit(ac, "checkin", "chain", 0, arena_printf(ac->a, "lines:%zu checkins:%zu", json_array_size(lines), saved), "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	for (size_t k = 0; k < nrec; k++) {
		chk_publish(ac, recs[k].rid, &recs[k].in, &recs[k].out);
		json_array_append_new(results, json_pack("{s:I,s:I,s:b,s:b,s:b,s:o}", "resident_id", (json_int_t)recs[k].rid,
		                                         "checkin_id", (json_int_t)recs[k].out.id, "duplicate",
		                                         recs[k].out.duplicate, "fever", recs[k].out.fever, "day_fever",
		                                         recs[k].out.day_fever, "alert_id",
		                                         recs[k].out.alert_id ? json_integer(recs[k].out.alert_id) : json_null()));
	}
	*out = json_pack("{s:s,s:I,s:o}", "day", day, "saved", (json_int_t)saved, "results", results);
	return WG_OK;
fail:
	db_rollback(ac->d);
	json_decref(results);
	return e;
}
