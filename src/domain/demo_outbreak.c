/* demo_outbreak.c — a day of the four categories on a demo community, played through the
 * same domain calls the API makes, by the demo's own accounts: yesterday the district
 * police sent a list of 50 returnees (exact, probable, unknown, wrong and duplicate rows);
 * this morning a fever found at the roll-call went to the fever clinic, became suspected,
 * then confirmed; the household and three contacts went under observation, the building was
 * locked down and disinfected; the follow-ups were done through the day but two, which
 * are overdue.  `wangge demo --outbreak` runs it after building the community. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/ident.h"
#include "core/util.h"
#include "domain/agency.h"
#include "domain/alerts.h"
#include "domain/calendar.h"
#include "domain/demo.h"
#include "domain/epi.h"
#include "domain/registry.h"
#include "domain/response.h"
#include "domain/rollcall.h"
#include "domain/tree.h"

/* The demo account acting, as the HTTP layer would build it from a session. */
static werr as_user(const actor *op, const char *username, role r, actor *out)
{
	db_stmt *s = db_get(op->d, SQL_USER_ID_BY_NAME);
	db_bind_text(s, 1, username);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*out = *op;
	if (rc == DB_ROW) {
		out->user_id = db_int(s, 0);
		out->unit_path = arena_strdup(op->a, db_text(s, 1));
	}
	db_done(s);
	if (rc != DB_ROW)
		return rc < 0 ? e : w_fail(W_ENOTFOUND, "user_not_found", "username", "the demo has no account %s", username);
	out->role = r;
	out->username = username;
	out->source = "demo";
	return WG_OK;
}

static json_t *jbody(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *jbody(const char *fmt, ...)
{
	char txt[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(txt, sizeof txt, fmt, ap);
	va_end(ap);
	json_error_t je;
	return json_loads(txt, 0, &je);
}

typedef werr (*id_call)(const actor *, int64_t, json_t *, json_t **);

/* One domain call with a JSON body; the answer is dropped unless out is given. */
static werr call(const actor *ac, id_call fn, int64_t id, json_t *b, json_t **out)
{
	json_t *o = NULL;
	werr e = b ? fn(ac, id, b, &o) : W_EINTERNAL;
	json_decref(b);
	if (out)
		*out = o;
	else
		json_decref(o);
	return e;
}

static werr iso_post_id(const actor *ac, int64_t id, json_t *b, json_t **out)
{
	(void)id;
	return iso_post(ac, b, out);
}

typedef struct {
	int64_t id, household_id, living;
	char name[64], id_number[24], phone[24], building[64], room[32];
} who;

/* Living residents of the unit (up to cap), every step-th, each the first of a household and
 * in no category or isolation yet (the demo may run on a community where some already are). */
static size_t pick(const actor *ac, const char *unit, size_t step, who *out, size_t cap)
{
	json_t *list = NULL;
	if (hh_list(ac, unit, 100000, 0, false, &list))
		return 0;
	size_t n = 0, seen = 0, i;
	json_t *h;
	json_array_foreach(json_object_get(list, "items"), i, h)
	{
		if (n == cap)
			break;
		json_t *hh = NULL;
		if (json_integer_value(json_object_get(h, "resident_count")) == 0)
			continue;
		if (hh_get(ac, json_integer_value(json_object_get(h, "id")), &hh))
			continue;
		json_t *r = json_array_get(json_object_get(hh, "residents"), 0);
		if (r && !strcmp(json_string_value(json_object_get(r, "residence")), "living") &&
		    json_is_null(json_object_get(r, "category")) && json_is_null(json_object_get(r, "isolation")) &&
		    seen++ % step == 0) {
			who *w = &out[n++];
			w->living = json_integer_value(json_object_get(h, "resident_count"));
			w->id = json_integer_value(json_object_get(r, "id"));
			w->household_id = json_integer_value(json_object_get(r, "household_id"));
			snprintf(w->name, sizeof w->name, "%s", json_string_value(json_object_get(r, "name")));
			json_t *v = json_object_get(r, "id_number");
			snprintf(w->id_number, sizeof w->id_number, "%s", json_is_string(v) ? json_string_value(v) : "");
			v = json_object_get(r, "phone");
			snprintf(w->phone, sizeof w->phone, "%s", json_is_string(v) ? json_string_value(v) : "");
			v = json_object_get(r, "building");
			snprintf(w->building, sizeof w->building, "%s", json_is_string(v) ? json_string_value(v) : "");
			snprintf(w->room, sizeof w->room, "%s", json_string_value(json_object_get(r, "room")));
		}
		json_decref(hh);
	}
	json_decref(list);
	return n;
}

/* The police list: 38 exact (ID number), 5 name + phone, 2 name + address, 3 unknown
 * people, 1 wrong ID number, 1 duplicate — 50 rows. */
static char *police_csv(arena *a, const who *p, size_t n, const char *yesterday)
{
	buf b;
	buf_init(&b, a);
	buf_puts(&b, "姓名,身份证号,手机号,地址,抵达日期,来源\n");
	size_t k = 0;
	for (int i = 0; i < 38 && k < n; i++, k++)
		buf_printf(&b, "%s,%s,%s,,%s,武昌火车站返汉登记\n", p[k].name, p[k].id_number, p[k].phone, yesterday);
	for (int i = 0; i < 5 && k < n; i++, k++)
		buf_printf(&b, "%s,,%s,,%s,高速卡口登记\n", p[k].name, p[k].phone, yesterday);
	for (int i = 0; i < 2 && k < n; i++, k++)
		buf_printf(&b, "%s,,,青和居%s%s,%s,社区排查\n", p[k].name, p[k].building, p[k].room, yesterday);
	static const char *const strangers[][3] = {{"王建国", "420106198204113215", "13907150021"},
	                                           {"刘晓燕", "42010219910623042X", "15827330412"},
	                                           {"陈志强", "420111197710090518", "18674021155"}};
	for (int i = 0; i < 3; i++) {
		char idn[19];
		memcpy(idn, strangers[i][1], 17);
		idn[17] = id_check_char(idn);
		idn[18] = 0;
		buf_printf(&b, "%s,%s,%s,外地来汉,%s,武汉站返汉登记\n", strangers[i][0], idn, strangers[i][2], yesterday);
	}
	buf_printf(&b, "张伟,420106198001011234,,青和居,%s,高速卡口登记\n", yesterday); /* a wrong check digit */
	if (n)
		buf_printf(&b, "%s,%s,%s,,%s,武昌火车站返汉登记\n", p[0].name, p[0].id_number, p[0].phone, yesterday);
	return b.p;
}

werr demo_outbreak(const actor *op, const char *community_code, demo_outbreak_summary *sum)
{
	memset(sum, 0, sizeof *sum);
	actor sec, gw, leader;
	werr e;
	if ((e = as_user(op, "secretary", ROLE_COMMUNITY, &sec)) || (e = as_user(op, "gw01", ROLE_GRID_WORKER, &gw)) ||
	    (e = as_user(op, "leader01", ROLE_GRID_LEADER, &leader)))
		return e;
	/* the grid worker's grid */
	unit_row grid;
	if ((e = unit_find_id(op, path_id(gw.unit_path, 0), &grid)))
		return e;
	who *people = arena_alloc(op->a, 64 * sizeof *people);
	size_t n = pick(op, community_code, 7, people, 48);
	if (n < 45)
		return w_fail(W_EINVAL, "demo_too_small", "households", "the outbreak demo needs a bigger community");
	/* yesterday, 09:00: the police list arrives and is matched */
	char today[11], yesterday[11];
	today_str(today);
	day_add(today, -1, yesterday);
	int64_t shift = day_at(yesterday, 9, 0) - now_s();
	clock_shift(shift);
	char *csv = police_csv(op->a, people + 2, n - 2, yesterday);
	csv_reader *cr = NULL;
	bool conv;
	json_t *res = NULL;
	if (!(e = csv_open_mem(csv, strlen(csv), &cr, &conv))) {
		e = list_import(&sec, community_code, "区公安分局推送", "travel_observation", cr, &res);
		csv_close(cr);
	}
	clock_shift(-shift);
	if (e)
		return e;
	sum->list_id = json_integer_value(json_object_get(res, "id"));
	sum->list_rows = json_integer_value(json_object_get(res, "rows"));
	sum->matched = json_integer_value(json_object_get(res, "matched"));
	sum->to_review = json_integer_value(json_object_get(res, "to_review"));
	sum->unmatched = json_integer_value(json_object_get(res, "unmatched"));
	json_decref(res);
	/* two probable matches confirmed this morning; the rest wait in the queue */
	json_t *rows = NULL;
	if ((e = list_rows(&sec, sum->list_id, "to_review", 10, 0, &rows)))
		return e;
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(rows, "items"), i, row)
	{
		if (i >= 2)
			break;
		json_t *c = json_array_get(json_object_get(row, "candidates"), 0);
		if (!c)
			continue;
		json_t *b = jbody("{\"action\":\"confirm\",\"resident_id\":%lld}",
		                  (long long)json_integer_value(json_object_get(c, "resident_id")));
		json_t *o = NULL;
		e = list_resolve(&sec, sum->list_id, json_integer_value(json_object_get(row, "row")), b, &o);
		json_decref(b);
		json_decref(o);
		if (e) {
			json_decref(rows);
			return e;
		}
	}
	json_decref(rows);
	/* grid 1's people for the case and its contacts, picked once the list has put its returnees
	 * under observation: picked before it, in the full community (whose first households, every
	 * seventh of which the list names, are grid 1's) the case was a returnee already isolated at
	 * home, its hospital refused (already_isolated) and the demo stopped there */
	who *ours = arena_alloc(op->a, 16 * sizeof *ours);
	size_t ng = pick(op, grid.code, 11, ours, 16);
	if (ng < 6)
		return w_fail(W_EINVAL, "demo_too_small", "households", "the outbreak demo needs a bigger community");
	/* this morning's roll-call: a fever in grid 1 */
	who *c = &ours[1];
	for (size_t k = 1; k < ng; k++) /* a household of three or more: they go under observation with the case */
		if (ours[k].living >= 3 && k != 3 && k != 4) {
			c = &ours[k];
			break;
		}
	json_t *out = NULL;
	json_t *b = jbody("{\"resident_id\":%lld,\"status\":\"reported\",\"temperature\":38.6,\"symptoms\":[\"cough\",\"fatigue\"],"
	                  "\"channel\":\"phone\"}",
	                  (long long)c->id);
	e = chk_submit(&gw, b, &out);
	json_decref(b);
	int64_t alert = 0;
	if (!e) {
		json_t *it = json_array_get(json_object_get(out, "items"), 0);
		alert = json_integer_value(json_object_get(it ? it : out, "alert_id"));
	}
	json_decref(out);
	if (e)
		return e;
	if (!alert)
		return w_fail(W_EINTERNAL, "demo_no_alert", NULL, "the demo's fever opened no alert");
	static const char *const steps[] = {
	    "{\"step\":\"acknowledged\",\"note\":\"已电话联系，本人在家\"}",
	    "{\"step\":\"clinic_check\",\"note\":\"120 转运至社区医院发热门诊\"}",
	    "{\"step\":\"outcome\",\"outcome\":\"hospital\",\"note\":\"CT 提示肺部感染，收治入院\"}",
	};
	for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
		if ((e = call(&gw, alert_step, alert, jbody("%s", steps[k]), NULL)))
			return e;
	/* suspected (by the alert's outcome) → in hospital → confirmed */
	if ((e = call(&gw, iso_post_id, 0,
	              jbody("{\"resident_id\":%lld,\"kind\":\"hospital\",\"site\":\"武汉市金银潭医院\",\"include_household\":false,"
	                    "\"notice_signed\":true}",
	                    (long long)c->id),
	              NULL)) ||
	    (e = call(&leader, epi_status_post, c->id,
	              jbody("{\"category\":\"confirmed\",\"reason\":\"test_positive\",\"note\":\"核酸检测阳性\"}"), &out)))
		return e;
	sum->case_id = c->id;
	sum->tasks = (int64_t)json_array_size(json_object_get(out, "tasks"));
	sum->household_observed = (int64_t)json_array_size(json_object_get(out, "household_observed"));
	json_decref(out);
	/* three contacts: two neighbours from other buildings, one stranger at the market */
	static const char *const places[] = {"菜市场", "单位食堂"};
	static const char *const kinds[] = {"meal", "work"};
	for (int k = 0; k < 2; k++)
		if ((e = call(&gw, contact_add, c->id,
		              jbody("{\"resident_id\":%lld,\"day\":\"%s\",\"place\":\"%s\",\"kind\":\"%s\"}",
		                    (long long)ours[3 + k].id, yesterday, places[k], kinds[k]),
		              NULL)))
			return e;
	if ((e = call(&gw, contact_add, c->id,
	              jbody("{\"name\":\"菜市场摊主刘某\",\"phone\":\"13871234567\",\"day\":\"%s\",\"place\":\"%s\","
	                    "\"kind\":\"social\",\"note\":\"外区居民，已通报所属社区\"}",
	                    yesterday, places[0]),
	              NULL)))
		return e;
	sum->contacts = 3;
	/* the building disinfected */
	json_t *tl = NULL;
	if ((e = task_list(&gw, grid.code, "open", 50, 0, &tl)))
		return e;
	json_t *t;
	json_array_foreach(json_object_get(tl, "items"), i, t)
	{
		if (strcmp(json_string_value(json_object_get(t, "kind")), "disinfection") != 0)
			continue;
		if ((e = call(&gw, task_action, json_integer_value(json_object_get(t, "id")),
		              jbody("{\"action\":\"done\",\"team\":\"街道消杀队（3 人）\",\"place\":\"%s 楼道、电梯、单元门\","
		                    "\"photo_note\":\"消杀前后照片各 4 张，已存网格群\"}",
		                    c->building),
		              NULL))) {
			json_decref(tl);
			return e;
		}
		sum->disinfected = 1;
	}
	json_decref(tl);
	/* the follow-ups due so far, done, except the last two of gw01's — or, when none of
	 * gw01's is due yet (the usual case: the returnees live in grids 6 and 7), the last two
	 * of anyone's: overdue, shown red (README's "Try" list names them) */
	json_t *ov = NULL;
	if ((e = fu_list(&sec, community_code, "overdue", NULL, NULL, 1000, 0, &ov)))
		return e;
	/* the last two of gw01's are left undone */
	size_t left = 0, keep[2] = {SIZE_MAX, SIZE_MAX};
	json_array_foreach(json_object_get(ov, "items"), i, t)
	{
		json_t *w = json_object_get(t, "worker");
		if (json_is_object(w) && !strcmp(json_string_value(json_object_get(w, "username")), "gw01")) {
			keep[0] = keep[1];
			keep[1] = i;
		}
	}
	size_t total = json_array_size(json_object_get(ov, "items"));
	if (keep[1] == SIZE_MAX && total >= 2) { /* none of gw01's is due yet: the last two of anyone's */
		keep[0] = total - 2;
		keep[1] = total - 1;
	}
	json_array_foreach(json_object_get(ov, "items"), i, t)
	{
		if (i == keep[0] || i == keep[1]) {
			left++;
			continue;
		}
		double temp = 36.2 + (double)(i % 7) / 10.0;
		/* recorded by the person's own follow-up worker */
		actor by = sec;
		json_t *w = json_object_get(t, "worker");
		const char *wn = json_is_object(w) ? json_string_value(json_object_get(w, "username")) : NULL;
		if (wn && !strncmp(wn, "gw", 2) && as_user(op, arena_strdup(op->a, wn), ROLE_GRID_WORKER, &by))
			by = sec;
		if ((e = call(&by, fu_record, json_integer_value(json_object_get(t, "id")),
		              jbody("{\"temperature\":%.1f%s}", temp, i % 9 == 0 ? ",\"needs\":\"需代购降压药\"" : ""),
		              NULL))) {
			json_decref(ov);
			return e;
		}
		sum->followups_done++;
	}
	json_decref(ov);
	sum->followups_overdue = (int64_t)left;
	return WG_OK;
}
