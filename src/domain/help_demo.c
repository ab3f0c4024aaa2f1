/* help_demo.c — the qinghe demo's day of help requests, calls, leads and notices (issue
 * 18): the secretary's 50 calls (requests, leads, questions answered), the grid workers'
 * requests from their visits and a few from households' links; most are done by now, some
 * in hand, a few urgent ones overdue; two notices, one to the community and one to
 * building 3, each read by part of the households.  Written inside the demo's
 * transaction, with its own small generator (the same every time). */
#include <string.h>

#include "core/util.h"
#include "domain/people.h"
#include "domain/tree.h"
#include "domain/help.h"
#include "domain/units.h"

typedef struct {
	uint64_t s;
} rng;

static uint32_t next(rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 11);
}

static int pick(rng *r, int n)
{
	return (int)(next(r) % (uint32_t)n);
}

static const struct {
	const char *category, *urgency, *text;
} asks[] = {
    {"medical", "urgent", "孩子发烧到三十九度，需要去医院"},
    {"medicine", "normal", "老人的降压药快吃完了，需要代买"},
    {"supplies", "normal", "家里米和油不够了"},
    {"repairs", "normal", "卫生间下水道堵了"},
    {"counselling", "normal", "独居老人情绪低落，想找人说说话"},
    {"transport", "urgent", "透析病人需要按时去医院"},
    {"medicine", "urgent", "胰岛素只剩一天的量"},
    {"supplies", "normal", "需要买婴儿奶粉"},
    {"other", "normal", "快递进不来，请帮忙取一下"},
    {"repairs", "urgent", "家里停电了，有老人"},
    {"medical", "normal", "孕妇需要按时产检"},
    {"supplies", "normal", "蔬菜团购什么时候到"},
};

static const char *const questions[] = {
    "问明天几点做核酸", "问小区什么时候解封", "问快递能不能送到楼下", "问外地回来要不要报备",
    "问药店有没有开门", "问团购菜怎么领",
};

static const struct {
	const char *described, *text;
} tips[] = {
    {"5楼一个年轻人", "听说刚从外地回来，没有报备"},
    {"隔壁单元的一位老人", "这两天一直咳嗽"},
    {NULL, "楼道里有人没戴口罩聚集打牌"},
    {"对门的租户", "好几天没见人，敲门没人应"},
};

static int64_t user_id(db *d, const char *name)
{
	db_stmt *s = db_get(d, SQL_USER_ID_BY_NAME);
	db_bind_text(s, 1, name);
	werr e;
	int64_t id = db_step(s, &e) == DB_ROW ? db_int(s, 0) : 0;
	db_done(s);
	return id;
}

static void day_of(int64_t t, char out[11])
{
	char b[32];
	fmt_time(t, b);
	memcpy(out, b, 10);
	out[10] = 0;
}

typedef struct {
	int64_t id, unit_id;
	const char *path;
} hh;

static werr step(db *d, int64_t req, int64_t at, int64_t by, const char *state, const char *note)
{
	db_stmt *s = db_get(d, SQL_HR_STEP_ADD);
	db_bind_int(s, 1, req);
	db_bind_int(s, 2, at);
	if (by)
		db_bind_int(s, 3, by);
	db_bind_text(s, 4, state);
	db_bind_text(s, 5, note);
	return db_run(s, NULL);
}

static werr call_row(db *d, const hh *h, const char *kind, const char *note, int64_t req, int64_t lead, int64_t at,
                     int64_t by)
{
	char day[11];
	day_of(at, day);
	db_stmt *s = db_get(d, SQL_CALL_INSERT);
	db_bind_int(s, 1, h->unit_id);
	db_bind_int(s, 2, h->id);
	db_bind_text(s, 3, kind);
	db_bind_text(s, 4, note);
	if (req)
		db_bind_int(s, 5, req);
	if (lead)
		db_bind_int(s, 6, lead);
	db_bind_text(s, 7, day);
	db_bind_int(s, 8, at);
	db_bind_int(s, 9, by);
	return db_run(s, NULL);
}

/* One request as it went: created at `at` by `by` on `channel`; `fate` 0 new, 1 accepted,
 * 2 in progress, 3 done, 4 done and rated, 5 referred. */
static werr request(const actor *ac, const hh *h, int k, const char *channel, int64_t at, int64_t by, int fate,
                    int64_t now, int64_t *id)
{
	person p = {.path = h->path};
	int64_t worker = 0;
	werr e;
	if ((e = responsible_worker(ac, &p, &worker)))
		return e;
	int minutes = help_minutes(ac->d, asks[k].category, asks[k].urgency);
	int64_t due = at + (int64_t)minutes * 60, acc = 0, closed = 0;
	if (fate >= 1)
		acc = at + 10 * 60 < now ? at + 10 * 60 : now;
	if (fate >= 3)
		closed = acc + 50 * 60 < now ? acc + 50 * 60 : now;
	static const char *const states[] = {"new", "accepted", "in_progress", "done", "done", "referred"};
	char day[11];
	day_of(at, day);
	db_stmt *s = db_get(ac->d, SQL_HR_DEMO_INSERT);
	db_bind_int(s, 1, h->id);
	db_bind_int(s, 2, h->unit_id);
	db_bind_text(s, 3, asks[k].category);
	db_bind_text(s, 4, asks[k].urgency);
	db_bind_text(s, 5, asks[k].text);
	db_bind_text(s, 6, channel);
	db_bind_text(s, 7, states[fate]);
	if (worker)
		db_bind_int(s, 8, worker);
	db_bind_text(s, 9, day);
	db_bind_int(s, 10, at);
	db_bind_int(s, 11, due);
	if (acc)
		db_bind_int(s, 12, acc);
	if (closed)
		db_bind_int(s, 13, closed);
	if (by)
		db_bind_int(s, 14, by);
	if (fate == 4) {
		db_bind_int(s, 15, 5);
		db_bind_text(s, 16, "很及时，谢谢网格员");
		db_bind_int(s, 17, closed);
	}
	if ((e = db_run(s, id)) || (e = step(ac->d, *id, at, by, "new", NULL)))
		return e;
	if (fate >= 1 && (e = step(ac->d, *id, acc, worker, "accepted", "已电话联系住户")))
		return e;
	if (fate == 2 && (e = step(ac->d, *id, acc, worker, "in_progress", "正在办理")))
		return e;
	if ((fate == 3 || fate == 4) && (e = step(ac->d, *id, closed, worker, "done", "已办好")))
		return e;
	if (fate == 5) {
		s = db_get(ac->d, SQL_HR_STEP_ADD);
		db_bind_int(s, 1, *id);
		db_bind_int(s, 2, closed);
		db_bind_int(s, 3, worker);
		db_bind_text(s, 4, "referred");
		db_bind_text(s, 5, "已转交社区卫生服务中心");
		db_bind_text(s, 6, "社区卫生服务中心");
		if ((e = db_run(s, NULL)))
			return e;
	}
	if (fate == 4 && (e = step(ac->d, *id, closed, 0, "rated", "5★ 很及时，谢谢网格员")))
		return e;
	return WG_OK;
}

werr help_demo_qinghe(const actor *ac, int64_t community_id)
{
	unit_row u;
	werr e;
	if ((e = unit_find_id(ac, community_id, &u)))
		return e;
	/* the community's households, in order */
	enum { MAXH = 2000 }; /* a demo day: the first 2,000 households of a large community */
	static hh hs[MAXH];
	int n = 0;
	/* ids and paths only: the registry's list counts each household's people (seconds on
	 * a 20,000-household community on PostgreSQL) */
	db_stmt *s = db_get(ac->d, SQL_HH_IDS_IN);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_int(s, 3, MAXH);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW && n < MAXH)
		hs[n++] = (hh){db_int(s, 0), db_int(s, 1), arena_strdup(ac->a, db_text(s, 2))};
	db_done(s);
	if (rc < 0)
		return e;
	if (n < 20)
		return WG_OK;
	rng r = {0x9e3779b97f4a7c15ull};
	int64_t now = now_s(), sec = user_id(ac->d, "secretary");
	/* the day so far: from 08:00 Beijing time; built before noon, the last 11 hours (the
	 * evening before and the night: with only the hour after midnight, or after 08:00, the
	 * demo's requests were all too recent to be overdue — an urgent one is due in 30
	 * minutes, the late ones were made in the last quarter of the span — and its
	 * dashboard had nothing late to show) */
	int64_t midnight = now - ((now + 8 * 3600) % 86400), start = midnight + 8 * 3600;
	if (start > now - 4 * 3600)
		start = now - 11 * 3600;
	int64_t span = now - start - 5 * 60;
	if (span < 600)
		span = 600;
	/* the secretary's 50 calls: 30 requests, 8 leads, 12 questions answered */
	for (int i = 0; i < 50; i++) {
		int64_t at = start + span * i / 50;
		const hh *h = &hs[pick(&r, n)];
		if (i % 5 == 1 || i % 5 == 3 || i % 5 == 4) {
			int k = pick(&r, (int)(sizeof asks / sizeof asks[0]));
			/* old ones are done, recent ones in hand; urgent ones late in the day wait */
			int fate = i < 30 ? 3 + (i % 3 == 0) : i < 40 ? 1 + i % 2 : 0;
			if (i == 13)
				fate = 5;
			int64_t id;
			if ((e = request(ac, h, k, "hotline", at, sec, fate, now, &id)) ||
			    (e = call_row(ac->d, h, "request", NULL, id, 0, at, sec)))
				return e;
		} else if (i % 5 == 2 && i < 40) {
			int k = pick(&r, (int)(sizeof tips / sizeof tips[0]));
			char day[11];
			day_of(at, day);
			bool rejected = i < 20;
			s = db_get(ac->d, SQL_LEAD_DEMO_INSERT);
			db_bind_int(s, 1, h->unit_id);
			db_bind_int(s, 2, h->id);
			db_bind_text(s, 4, tips[k].described);
			db_bind_text(s, 5, tips[k].text);
			db_bind_text(s, 6, "hotline");
			db_bind_int(s, 7, sec);
			db_bind_text(s, 8, rejected ? "rejected" : "open");
			if (rejected) {
				db_bind_text(s, 9, "网格员已上门核实，不属实");
				db_bind_int(s, 12, at + 3600 < now ? at + 3600 : now);
				db_bind_int(s, 13, sec);
			}
			db_bind_text(s, 10, day);
			db_bind_int(s, 11, at);
			int64_t id;
			if ((e = db_run(s, &id)) || (e = call_row(ac->d, h, "lead", NULL, 0, id, at, sec)))
				return e;
		} else {
			if ((e = call_row(ac->d, h, "question", questions[pick(&r, (int)(sizeof questions / sizeof questions[0]))], 0, 0,
			                  at, sec)))
				return e;
		}
	}
	/* the grid workers' requests from their visits, and three from households' links */
	for (int i = 0; i < 18; i++) {
		const hh *h = &hs[pick(&r, n)];
		person p = {.path = h->path};
		int64_t worker = 0;
		if ((e = responsible_worker(ac, &p, &worker)))
			return e;
		int64_t at = start + span * (i * 3 + 1) / 56, id;
		int k = pick(&r, (int)(sizeof asks / sizeof asks[0]));
		bool link = i >= 15;
		if ((e = request(ac, h, k, link ? "link" : "visit", at, link ? 0 : worker, i < 10 ? 3 + i % 2 : i % 3, now, &id)))
			return e;
	}
	/* notices: one to the community, one to building 3, each read by part of it */
	static const struct {
		const char *title, *body;
		int every; /* a household in `every` reads it */
	} ns[] = {
	    {"全员核酸检测通知", "明天上午7:30至11:30在小区东门广场进行全员核酸检测，请各户按楼栋错峰下楼，戴好口罩，保持一米距离。", 3},
	    {"3栋临时停水通知", "因管道抢修，3栋今天下午2点至5点停水，请提前储水。", 2},
	};
	unit_row bu;
	const char *bcode = arena_printf(ac->a, "%s-B03", u.code);
	w_clear();
	bool has_b3 = unit_find(ac, bcode, &bu) == WG_OK;
	w_clear();
	for (int k = 0; k < 2; k++) {
		if (k == 1 && !has_b3)
			break;
		const char *path = k ? bu.path : u.path;
		char token[33];
		random_hex(token, 16);
		s = db_get(ac->d, SQL_NOTICE_INSERT);
		db_bind_int(s, 1, k ? bu.id : community_id);
		db_bind_text(s, 2, ns[k].title);
		db_bind_text(s, 3, ns[k].body);
		int64_t at = start + span / (k ? 2 : 4);
		db_bind_int(s, 4, at);
		db_bind_int(s, 5, sec);
		db_bind_text(s, 6, token);
		int64_t id;
		if ((e = db_run(s, &id)))
			return e;
		for (int i = 0; i < n; i++) {
			if (strncmp(hs[i].path, path, strlen(path)) != 0 || pick(&r, ns[k].every))
				continue;
			s = db_get(ac->d, SQL_NOTICE_READ);
			db_bind_int(s, 1, id);
			db_bind_int(s, 2, hs[i].id);
			db_bind_int(s, 3, hs[i].unit_id);
			db_bind_int(s, 4, at + 60 + pick(&r, (int)(now - at > 120 ? now - at - 60 : 60)));
			if ((e = db_run(s, NULL)))
				return e;
		}
	}
	return WG_OK;
}
