/* demo.c — see demo.h.  Everything derives from one xorshift generator seeded by --seed,
 * so the same seed gives the same community, names and numbers. */
#include "domain/demo.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ident.h"
#include "core/pinyin.h"
#include "core/util.h"
#include "domain/gates.h"
#include "domain/supply.h"
#include "domain/help.h"
#include "domain/staff.h"
#include "domain/registry.h"
#include "domain/stats.h"

typedef struct {
	const char *key, *city_code, *city_name, *district_code, *district_name, *street_name,
	    *community_name, *region, *area_code;
	int big_grids, small_grids, buildings;
	int64_t households, residents;
	double elderly;   /* share of heads of household aged 60+ */
	int ethnic_pct;   /* share of Uyghur names (percent) */
	bool low_rise;    /* 6 floors, rooms numbered per entrance (5-2-301) */
} preset;

static const preset presets[] = {
    {"qinghe", "4201", "武汉市", "420107", "青山区", "红卫路街道", "青和居社区", "420107", "027",
     0, 16, 19, 4967, 8042, 0.16, 0, false},
    {"liyuan", "6505", "哈密市", "650502", "伊州区", "丽园街道", "丽园社区", "650502", "0902",
     4, 25, 75, 2860, 7297, 0.133, 12, true},
    /* Hohhot's 前进巷: 11 compounds (10 of them old, low-rise, most without a property
     * company), each run as one grid; the report gives no household count: 2,600 assumed */
    {"qianjinxiang", "1501", "呼和浩特市", "150105", "赛罕区", "大学西路街道", "前进巷社区", "150105", "0471",
     0, 11, 44, 2600, 6500, 0.22, 0, true},
    /* a whole city (Wuhan's 13,822 grids, 10 million people), built community by community */
    {"city", "4201", "武汉市", "420102", "江岸区", "", "", "420102", "027", 0, 13822, 0, 6170000, 10000000, 0.16, 0, false},
    /* a province (湖北省): three cities of the city preset's shape, 30 million at scale 1 */
    {"province", "42", "湖北省", "420102", "江岸区", "", "", "420102", "027", 0, 13822, 0, 6170000, 10000000, 0.16, 0, false},
};

static const char *const wuhan_districts[][2] = {
    {"420102", "江岸区"}, {"420103", "江汉区"}, {"420104", "硚口区"},   {"420105", "汉阳区"}, {"420106", "武昌区"},
    {"420107", "青山区"}, {"420111", "洪山区"}, {"420112", "东西湖区"}, {"420113", "汉南区"}, {"420114", "蔡甸区"},
    {"420115", "江夏区"}, {"420116", "黄陂区"}, {"420117", "新洲区"},
};

/* ---- deterministic randomness ---- */
typedef struct {
	uint64_t s;
} rng;

static uint64_t rnext(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int rint_(rng *r, int lo, int hi) /* [lo, hi] */
{
	return lo + (int)(rnext(r) % (uint64_t)(hi - lo + 1));
}

static bool chance(rng *r, double p)
{
	return (double)(rnext(r) >> 11) / 9007199254740992.0 < p;
}

/* ---- names ---- */
static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田",
    "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚",
    "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白",
    "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺",
    "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "桂", "欧阳"};
static const char *const male_chars[] = {
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
    "斌", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "建", "国", "庆", "志", "文",
    "德", "兵", "成", "海", "东", "亮", "峰", "仁", "新", "春", "永", "金", "福", "荣", "祥", "子"};
static const char *const female_chars[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "桂", "英", "华", "慧", "巧", "美", "琴",
    "梅", "兰", "红", "燕", "萍", "雪", "琳", "晶", "颖", "倩", "婷", "欣", "玉", "娇", "凤", "珍", "莉",
    "洁", "云", "丹", "妍", "佳", "月", "春", "小", "淑", "翠", "菊", "雯", "思", "怡", "璐", "蓉"};
static const char *const uy_male[] = {"艾合买提", "买买提", "阿不都热合曼", "吐尔逊", "艾力", "努尔买买提", "亚森", "司马义"};
static const char *const uy_female[] = {"阿依古丽", "古丽米拉", "热依拉", "帕提古丽", "米日古丽", "阿娜尔", "努尔尼沙", "祖丽胡玛尔"};
/* a few names written in Uyghur script, as some residents register them */
static const char *const uy_script[] = {"ئەخمەت مەمەت", "ئايگۈل تۇرسۇن", "نۇرمەمەت ياسىن", "گۈلنار ئابدۇراخمان"};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *make_name(arena *a, rng *r, char sex, bool ethnic)
{
	if (ethnic) {
		if (chance(r, 0.15))
			return uy_script[rint_(r, 0, N(uy_script) - 1)];
		const char *g = sex == 'M' ? uy_male[rint_(r, 0, N(uy_male) - 1)] : uy_female[rint_(r, 0, N(uy_female) - 1)];
		return arena_printf(a, "%s·%s", g, uy_male[rint_(r, 0, N(uy_male) - 1)]);
	}
	/* common surnames more often: square the uniform draw */
	double u = (double)(rnext(r) >> 11) / 9007199254740992.0;
	const char *sn = surnames[(int)(u * u * N(surnames))];
	const char *const *pool = sex == 'M' ? male_chars : female_chars;
	int np = sex == 'M' ? N(male_chars) : N(female_chars);
	if (chance(r, 0.3))
		return arena_printf(a, "%s%s", sn, pool[rint_(r, 0, np - 1)]);
	return arena_printf(a, "%s%s%s", sn, pool[rint_(r, 0, np - 1)], pool[rint_(r, 0, np - 1)]);
}

/* ---- writing rows ---- */
typedef struct {
	const actor *ac;
	rng r;
	int64_t now;
	const preset *p;
	demo_opts *o;
	int today_y;
	const char *region; /* the ID numbers' area code, when not the preset's (a district's) */
	int64_t district;   /* the district being built: every household and person below is its */
	int depth0;         /* the levels above the preset's top unit (a province's city: 1) */
} gen;

static werr add_unit(gen *g, int64_t parent, const char *ppath, int depth, const char *code,
                     const char *kind, const char *name, int64_t *id, const char **path)
{
	db_stmt *s = db_get(g->ac->d, SQL_UNIT_INSERT);
	db_bind_text(s, 1, code);
	if (parent)
		db_bind_int(s, 2, parent);
	db_bind_text(s, 3, kind);
	db_bind_text(s, 4, name);
	db_bind_int(s, 5, depth + g->depth0);
	db_bind_int(s, 6, g->now);
	werr e = db_run(s, id);
	if (e)
		return e;
	*path = arena_printf(g->ac->a, "%s%lld/", ppath ? ppath : "/", (long long)*id);
	s = db_get(g->ac->d, SQL_UNIT_SET_PATH);
	db_bind_int(s, 1, *id);
	db_bind_text(s, 2, *path);
	if ((e = db_run(s, NULL)))
		return e;
	s = db_get(g->ac->d, SQL_UNIT_HISTORY_INSERT);
	db_bind_int(s, 1, *id);
	db_bind_int(s, 2, g->now);
	db_bind_text(s, 4, "create");
	db_bind_text(s, 6, name);
	g->o->made_units++;
	return db_run(s, NULL);
}

static void make_id(gen *g, char sex, int y, int m, int d, char out[19])
{
	int seq = rint_(&g->r, 0, 499) * 2 + (sex == 'M' ? 1 : 0);
	char t[48];
	snprintf(t, sizeof t, "%.6s%04d%02d%02d%03d", g->region ? g->region : g->p->region, y % 10000, m % 100, d % 100,
	         seq % 1000);
	memcpy(out, t, 17);
	out[17] = id_check_char(out);
	out[18] = 0;
}

static void make_mobile(gen *g, char out[12])
{
	static const char *const pre[] = {"13", "15", "18", "17", "19", "16", "14"};
	snprintf(out, 12, "%s%09d", pre[rint_(&g->r, 0, N(pre) - 1)], rint_(&g->r, 0, 999999999) % 1000000000);
}

typedef struct {
	const char *name, *relation;
	char sex;
	int age;
	int64_t flags;
	const char *residence;
	const char *force_phone; /* NULL: generated */
} person;

static werr add_resident(gen *g, int64_t hid, const person *pp)
{
	arena *a = g->ac->a;
	/* a birthday within the year before the age's anniversary: never in the future */
	time_t bt = (time_t)(g->now + 8 * 3600 - (int64_t)(pp->age * 365.25 * 86400) - (int64_t)rint_(&g->r, 1, 364) * 86400);
	struct tm btm;
	gmtime_r(&bt, &btm);
	int y = btm.tm_year + 1900, m = btm.tm_mon + 1, d = btm.tm_mday;
	if (y < 1901)
		y = 1901;
	char id[19], phone[32] = "", full[256], init[64];
	make_id(g, pp->sex, y, m, d, id);
	const char *ph = NULL;
	if (pp->force_phone) {
		ph = pp->force_phone;
	} else if (pp->age >= 14 && !(pp->flags & FLAG_NO_SMARTPHONE)) {
		make_mobile(g, phone);
		ph = phone;
	} else if ((pp->flags & FLAG_NO_SMARTPHONE) && chance(&g->r, 0.75)) {
		snprintf(phone, sizeof phone, "%s-%d", g->p->area_code, rint_(&g->r, 2000000, 8999999) + (strlen(g->p->area_code) == 3 ? 80000000 : 0));
		ph = phone;
	}
	pinyin_of(pp->name, full, sizeof full, init, sizeof init);
	char birth[32];
	snprintf(birth, sizeof birth, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	for (int attempt = 0;; attempt++) {
		werr e = db_run(db_get(g->ac->d, SQL_SAVEPOINT), NULL);
		if (e)
			return e;
		db_stmt *s = db_get(g->ac->d, SQL_RES_INSERT_IN);
		db_bind_int(s, 1, hid);
		db_bind_text(s, 2, pp->name);
		db_bind_text(s, 3, full);
		db_bind_text(s, 4, init);
		db_bind_text(s, 5, (char[2]){pp->sex, 0});
		db_bind_text(s, 6, birth);
		db_bind_text(s, 7, "id_card");
		db_bind_text(s, 8, id);
		db_bind_text(s, 9, id + 14);
		db_bind_text(s, 10, ph);
		db_bind_text(s, 11, ph ? arena_strdup(a, ph + strlen(ph) - 4) : NULL);
		db_bind_text(s, 12, pp->relation);
		db_bind_int(s, 13, pp->flags);
		db_bind_text(s, 14, pp->residence);
		db_bind_int(s, 16, g->now);
		db_bind_int(s, 17, g->district);
		e = db_run(s, NULL);
		if (e == W_ECONFLICT && attempt < 10) { /* the same ID drawn twice: draw again */
			if ((e = db_run(db_get(g->ac->d, SQL_ROLLBACK_TO), NULL)) ||
			    (e = db_run(db_get(g->ac->d, SQL_RELEASE), NULL)))
				return e;
			make_id(g, pp->sex, y, m, d, id);
			continue;
		}
		if (e || (e = db_run(db_get(g->ac->d, SQL_RELEASE), NULL)))
			return e;
		break;
	}
	g->o->made_residents += strcmp(pp->residence, "living") == 0;
	g->o->made_elderly += pp->age >= 60 && strcmp(pp->residence, "living") == 0;
	return WG_OK;
}

/* Flags that follow from age and chance, as a census would find them. */
static int64_t flags_for(gen *g, int age, char sex, int household_size)
{
	int64_t f = 0;
	if (household_size == 1)
		f |= FLAG_LIVES_ALONE;
	if (age >= 75 ? chance(&g->r, 0.65) : age >= 60 ? chance(&g->r, 0.3) : chance(&g->r, 0.01))
		f |= FLAG_NO_SMARTPHONE;
	if (chance(&g->r, age >= 60 ? 0.08 : 0.02))
		f |= FLAG_DISABLED;
	if (chance(&g->r, age >= 60 ? 0.35 : 0.05)) {
		f |= FLAG_CHRONIC;
		if (chance(&g->r, 0.7))
			f |= FLAG_REGULAR_MEDICINE;
	}
	if (sex == 'F' && age >= 22 && age <= 40 && chance(&g->r, 0.03))
		f |= FLAG_PREGNANT;
	return f;
}

/* The people of one household of n living members (+ maybe one registered elsewhere). */
static werr fill_household(gen *g, int64_t hid, int n, bool ethnic, bool vacant, const person *head)
{
	arena *a = g->ac->a;
	bool old = chance(&g->r, g->p->elderly * (n == 1 ? 1.8 : 1.0));
	int head_age = head ? head->age : old ? rint_(&g->r, 60, 92) : rint_(&g->r, 24, 59);
	char head_sex = head ? head->sex : chance(&g->r, 0.55) ? 'M' : 'F';
	for (int i = 0; i < n; i++) {
		/* a vacant flat's people are registered there but live elsewhere */
		person p = {.residence = vacant ? "registered_only" : "living"};
		if (i == 0 && head) {
			p = *head;
		} else if (i == 0) {
			p.sex = head_sex;
			p.age = head_age;
			p.relation = "户主";
		} else if (i == 1 && (n == 2 || chance(&g->r, 0.8))) {
			p.sex = head_sex == 'M' ? 'F' : 'M';
			p.age = head_age + rint_(&g->r, -5, 5);
			if (p.age < 20)
				p.age = 20;
			p.relation = "配偶";
		} else if (head_age >= 62 && chance(&g->r, 0.4)) {
			p.sex = chance(&g->r, 0.5) ? 'M' : 'F';
			p.age = rint_(&g->r, 4, 17);
			p.relation = "孙子女";
		} else if (head_age <= 55 && chance(&g->r, 0.2)) {
			p.sex = chance(&g->r, 0.5) ? 'M' : 'F';
			p.age = head_age + rint_(&g->r, 22, 30);
			p.relation = "父母";
		} else {
			p.sex = chance(&g->r, 0.5) ? 'M' : 'F';
			int lo = head_age - 40 > 0 ? head_age - 40 : 0, hi = head_age - 20 > 0 ? head_age - 20 : 1;
			p.age = rint_(&g->r, lo, hi > lo ? hi : lo + 1);
			p.relation = "子女";
		}
		if (!(i == 0 && head)) {
			p.name = make_name(a, &g->r, p.sex, ethnic);
			p.flags = flags_for(g, p.age, p.sex, n);
		}
		werr e = add_resident(g, hid, &p);
		if (e)
			return e;
	}
	if (chance(&g->r, 0.04)) { /* registered here, living elsewhere */
		person p = {.residence = "registered_only", .relation = "子女", .sex = chance(&g->r, 0.5) ? 'M' : 'F'};
		p.age = rint_(&g->r, 20, 45);
		p.name = make_name(a, &g->r, p.sex, ethnic);
		return add_resident(g, hid, &p);
	}
	return WG_OK;
}

static werr add_household(gen *g, int64_t unit, const char *room, const char *occ, int64_t *hid)
{
	db_stmt *s = db_get(g->ac->d, SQL_HH_INSERT);
	db_bind_int(s, 1, unit);
	db_bind_text(s, 2, room);
	db_bind_text(s, 3, occ);
	db_bind_int(s, 5, g->now);
	g->o->made_households++;
	return db_run(s, hid);
}

static werr add_evidence(gen *g, int64_t hid, const char *kind, const char *note)
{
	db_stmt *s = db_get(g->ac->d, SQL_EVIDENCE_INSERT);
	db_bind_int(s, 1, hid);
	db_bind_text(s, 2, kind);
	db_bind_text(s, 3, note);
	db_bind_int(s, 5, g->now - rint_(&g->r, 3600, 5 * 86400));
	return db_run(s, NULL);
}

static werr add_user(gen *g, const char *hash, const char *username, const char *name, const char *rolename,
                     int64_t unit)
{
	char phone[12];
	make_mobile(g, phone);
	db_stmt *s = db_get(g->ac->d, SQL_USER_INSERT);
	db_bind_text(s, 1, username);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, phone);
	db_bind_text(s, 4, rolename);
	db_bind_int(s, 5, unit);
	db_bind_text(s, 6, hash);
	db_bind_int(s, 7, g->now);
	g->o->made_users++;
	return db_run(s, NULL);
}

/* Household sizes summing exactly to residents, 1–6 people, most 1–3. */
static int *household_sizes(gen *g, int64_t hh, int64_t residents)
{
	int *sz = arena_alloc(g->ac->a, (size_t)hh * sizeof *sz);
	int64_t total = 0;
	for (int64_t i = 0; i < hh; i++) {
		int x = rint_(&g->r, 0, 99);
		sz[i] = x < 45 ? 1 : x < 80 ? 2 : x < 93 ? 3 : x < 98 ? 4 : 5;
		total += sz[i];
	}
	while (total > residents) {
		int64_t i = (int64_t)(rnext(&g->r) % (uint64_t)hh);
		if (sz[i] > 1)
			sz[i]--, total--;
	}
	while (total < residents) {
		int64_t i = (int64_t)(rnext(&g->r) % (uint64_t)hh);
		if (sz[i] < 6)
			sz[i]++, total++;
	}
	return sz;
}

/* One community: its grids (big grids first when the preset has them), buildings,
 * entrances, households and people, and the grid staff.  Runs in the caller's
 * transaction; names and rooms come from g->ac->a. */
/* 1–99 as Chinese numerals (一, 十, 十一, 二十, 九十九), as grid names are written; larger
 * numbers in digits. */
static const char *cn_numeral(arena *a, int n)
{
	static const char *const d[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
	if (n < 1 || n > 99)
		return arena_printf(a, "%d", n);
	if (n < 10)
		return d[n];
	return arena_printf(a, "%s十%s", n / 10 == 1 ? "" : d[n / 10], d[n % 10]);
}

static werr build_community(gen *g, const char *hash, int64_t community, const char *mp, const char *comm_code,
                            int64_t H, int64_t R, int B, int G, int BG, bool named)
{
	const preset *p = g->p;
	arena *a = g->ac->a;
	char code[64];
	werr e = WG_OK;
	/* the reports' own people and numbers, only in the preset at its own size */
	bool seeds = named && !g->o->households;
		/* big grids, then small grids under them */
	int64_t *big = arena_alloc(a, (size_t)(BG + 1) * sizeof *big);
	const char **bigp = arena_alloc(a, (size_t)(BG + 1) * sizeof *bigp);
	for (int i = 0; i < BG; i++) {
		snprintf(code, sizeof code, "%s-BG%d", comm_code, i + 1);
		if ((e = add_unit(g, community, mp, 4, code, "grid", arena_printf(a, "第%d大网格", i + 1), &big[i], &bigp[i])))
			return e;
	}
	int64_t *grid = arena_alloc(a, (size_t)G * sizeof *grid);
	const char **gridp = arena_alloc(a, (size_t)G * sizeof *gridp);
	int *grid_depth = arena_alloc(a, (size_t)G * sizeof *grid_depth);
	for (int i = 0; i < G; i++) {
		snprintf(code, sizeof code, "%s-G%02d", comm_code, i + 1);
		const char *name = arena_printf(a, "第%s网格", cn_numeral(a, i + 1));
		int64_t par = BG ? big[i * BG / G] : community;
		const char *pp = BG ? bigp[i * BG / G] : mp;
		grid_depth[i] = BG ? 6 : 5;
		if ((e = add_unit(g, par, pp, grid_depth[i] - 1, code, "grid", name, &grid[i], &gridp[i])))
			return e;
		/* staff of the grid: a worker for each, leaders for the big grids, cadres paired */
		const char *wname = (seeds && !strcmp(p->key, "qinghe") && i == 1) ? "谢玉娇" : make_name(a, &g->r, 'F', false);
		if ((e = add_user(g, hash, named ? arena_printf(a, "gw%02d", i + 1) : arena_printf(a, "gw-%s-%02d", comm_code, i + 1), wname, "grid_worker", grid[i])))
			return e;
		if (named && i < 10 && (e = add_user(g, hash, arena_printf(a, "cadre%02d", i + 1), make_name(a, &g->r, 'M', false),
		                            "cadre", grid[i])))
			return e;
		if (named && i < 2 && (e = add_user(g, hash, arena_printf(a, "vol%02d", i + 1),
		                           i == 0 ? "王明仁" : make_name(a, &g->r, 'M', false), "volunteer", grid[i])))
			return e;
	}
	for (int i = 0; i < (BG ? BG : 1); i++) {
		const char *lname = (seeds && !strcmp(p->key, "liyuan") && i == 0) ? "梁秀琴" : make_name(a, &g->r, 'F', false);
		if (named && (e = add_user(g, hash, arena_printf(a, "leader%02d", i + 1), lname, "grid_leader", BG ? big[i] : grid[0])))
			return e;
	}

	/* buildings: B over G grids (the first B-G grids get two); households in proportion,
	 * except that 青和居's second grid — buildings 3 and 4 — holds 307, as reported */
	double *w = arena_alloc(a, (size_t)B * sizeof *w), wsum = 0;
	for (int b = 0; b < B; b++) {
		w[b] = (seeds && !strcmp(p->key, "qinghe") && (b == 2 || b == 3)) ? 0.56 : 1.0;
		wsum += w[b];
	}
	int64_t *hb = arena_alloc(a, (size_t)B * sizeof *hb), given = 0;
	for (int b = 0; b < B; b++) {
		hb[b] = (int64_t)((double)H * w[b] / wsum);
		given += hb[b];
	}
	for (int b = 0; given < H; b = (b + 1) % B)
		if (!(w[b] < 1.0))
			hb[b]++, given++;
	if (seeds && !strcmp(p->key, "qinghe")) { /* exactly 152 + 155 = 307 */
		int64_t d3 = hb[2] - 152, d4 = hb[3] - 155;
		hb[2] = 152;
		hb[3] = 155;
		hb[0] += d3;
		hb[1] += d4;
	}
	int *sizes = household_sizes(g, H, R);
	int64_t hi = 0;
	int carry = 0;
	int b = 0;
	for (int gi = 0; gi < G; gi++) {
		int nb = B / G + (gi < B % G);
		for (int k = 0; k < nb && b < B; k++, b++) {
			int64_t bid, ents[3];
			const char *bpath, *epath[3];
			snprintf(code, sizeof code, "%s-B%02d", comm_code, b + 1);
			if ((e = add_unit(g, grid[gi], gridp[gi], grid_depth[gi], code, "building",
			                  arena_printf(a, "%d栋", b + 1), &bid, &bpath)))
				return e;
			int E = p->low_rise ? 3 : (hb[b] > 200 ? 2 : 1);
			for (int x = 0; x < E; x++) {
				char ec[80];
				snprintf(ec, sizeof ec, "%s-U%d", code, x + 1);
				if ((e = add_unit(g, bid, bpath, grid_depth[gi] + 1, ec, "entrance",
				                  arena_printf(a, "%d单元", x + 1), &ents[x], &epath[x])))
					return e;
			}
			/* rooms: high-rise numbered across the building (1504), 8 per floor;
			 * low-rise numbered per entrance (5-2-301), 2 per floor */
			int per_floor_ent = p->low_rise ? 2 : 8 / E;
			for (int64_t h = 0; h < hb[b] && hi < H; h++, hi++) {
				int x = (int)(h % E);
				int64_t within = h / E;
				int floor_ = (int)(within / per_floor_ent) + 1, slot = (int)(within % per_floor_ent) + 1;
				int roomno = p->low_rise ? floor_ * 100 + slot : floor_ * 100 + x * per_floor_ent + slot;
				bool vacant = chance(&g->r, 0.02);
				int64_t hid;
				if ((e = add_household(g, ents[x], arena_printf(a, "%d", roomno), vacant ? "vacant" : "occupied", &hid)))
					return e;
				if (vacant) {
					if ((e = add_evidence(g, hid, chance(&g->r, 0.5) ? "meter" : "neighbour",
					                      "电表不走，邻居说春节前已搬走")))
						return e;
				} else if (chance(&g->r, 0.01) &&
				           (e = add_evidence(g, hid, "lights", "晚上有灯光")))
					return e;
				bool ethnic = p->ethnic_pct && rint_(&g->r, 0, 99) < p->ethnic_pct;
				/* a vacant flat's share of people moves to the next flats, so the living
				 * count stays the preset's */
				int n = sizes[hi];
				if (vacant) {
					carry += n;
					n = 1;
				} else {
					while (carry > 0 && n < 6)
						n++, carry--;
				}
				/* people from the reports, where they belong */
				person cui = {.name = "崔庆华", .relation = "户主", .sex = 'M', .age = 84,
				              .flags = FLAG_LIVES_ALONE | FLAG_NO_SMARTPHONE | FLAG_CHRONIC | FLAG_REGULAR_MEDICINE,
				              .residence = "living"};
				person liang = {.name = "梁秀琴", .relation = "户主", .sex = 'F', .age = 52, .residence = "living"};
				const person *head = NULL;
				if (named && !vacant && hi == 7) {
					head = &cui;
					carry += n - 1;
					n = 1;
				} else if (named && !vacant && hi == 8) {
					head = &liang;
				}
				if (seeds && !strcmp(p->key, "qinghe") && b == 2 && roomno == 1504)
					carry += n - 1, n = 1;
				if (seeds && !strcmp(p->key, "qinghe") && b == 3 && roomno == 507)
					carry += n - 2, n = 2;
				if ((e = fill_household(g, hid, n, ethnic, vacant, head)))
					return e;
			}
		}
	}
	return WG_OK;
}

/* A city of the city preset's shape: its districts (real area codes), each with ~9
 * communities a street, communities of ~10 grids.  Hubei's first three cities make the
 * province preset, each with the city preset's numbers. */
typedef struct {
	const char *code, *name, *area_code;
	const char *const (*districts)[2];
	int ndist;
} city_shape;

static const char *const huangshi_districts[][2] = {
    {"420202", "黄石港区"}, {"420203", "西塞山区"}, {"420204", "下陆区"},
    {"420205", "铁山区"},   {"420222", "阳新县"},   {"420281", "大冶市"},
};
static const char *const shiyan_districts[][2] = {
    {"420302", "茅箭区"}, {"420303", "张湾区"}, {"420304", "郧阳区"}, {"420322", "郧西县"},
    {"420323", "竹山县"}, {"420324", "竹溪县"}, {"420325", "房县"},   {"420381", "丹江口市"},
};
static const city_shape hubei[] = {
    {"4201", "武汉市", "027", wuhan_districts, N(wuhan_districts)},
    {"4202", "黄石市", "0714", huangshi_districts, N(huangshi_districts)},
    {"4203", "十堰市", "0719", shiyan_districts, N(shiyan_districts)},
};

typedef struct {
	int64_t city;      /* the city unit, built */
	const char *cp;    /* its path */
	bool first;        /* the first city: the named accounts (command, street, secretary, gw01 …) */
	int spread;        /* 0: the city preset's packing (districts filled in order); else the
	                    * communities spread evenly over at most this many districts */
	int64_t done0, total; /* residents made before this city, and in all (progress) */
} city_run;

/* The districts, streets and communities of one city; its unit already built. */
static werr build_districts(const actor *ac, demo_opts *o, gen *g, const char *hash, const city_shape *cs,
                            const city_run *cr)
{
	double scale = o->scale > 0 ? o->scale : 1.0;
	const preset *p = g->p;
	int64_t grids = (int64_t)llround(13822 * scale), residents = (int64_t)llround(10000000 * scale);
	if (grids < 1)
		grids = 1;
	int64_t households = residents * p->households / p->residents;
	int64_t communities = (grids + 9) / 10;
	int ndist = cs->ndist;
	if (cr->spread) {
		if (ndist > cr->spread)
			ndist = cr->spread;
		if (ndist > communities)
			ndist = (int)communities;
	}
	int64_t per_district = (communities + ndist - 1) / ndist;
	int64_t streets_per_district = (per_district + 8) / 9; /* ~9 communities a street */
	werr e;
	int64_t made = 0, grids_left = grids, hh_left = households, res_left = residents;
	for (int di = 0; di < ndist && made < communities; di++) {
		/* the city preset fills each district's streets in order; the province's share */
		int64_t quota = cr->spread ? communities / ndist + (di < communities % ndist) : streets_per_district * 9;
		arena *da = arena_new();
		actor dac = *ac;
		dac.a = da;
		gen dg = *g;
		dg.ac = &dac;
		/* people carry their district's area code, as real ID numbers do: one city-wide code
		 * leaves 500 numbers per birthday and sex, too few for ten million (the full preset
		 * failed after 4.4 M residents on a number drawn eleven times) */
		dg.region = cs->districts[di][0];
		int64_t district;
		const char *dp;
		if ((e = db_begin(ac->d)) ||
		    (e = add_unit(&dg, cr->city, cr->cp, 1, cs->districts[di][0], "district", cs->districts[di][1], &district, &dp)) ||
		    (cr->first && di == 0 && (e = add_user(&dg, hash, "command", "区防疫指挥部", "command", district))) ||
		    (e = db_commit(ac->d))) {
			arena_free(da);
			return e;
		}
		dg.district = district;
		int64_t in_district = 0;
		for (int64_t si = 0; in_district < quota && made < communities; si++) {
			int64_t street;
			const char *sp;
			const char *scode = arena_printf(da, "%s%03lld", cs->districts[di][0], (long long)si + 1);
			if ((e = db_begin(ac->d)) ||
			    (e = add_unit(&dg, district, dp, 2, scode, "street", arena_printf(da, "第%lld街道", (long long)si + 1), &street, &sp)) ||
			    (cr->first && di == 0 && si == 0 && (e = add_user(&dg, hash, "street", "街道防控办", "command", street))) ||
			    (e = db_commit(ac->d)))
				goto fail_d;
			for (int64_t ci = 0; ci < 9 && in_district < quota && made < communities; ci++, made++, in_district++) {
				/* each community its share of what is left, so the totals come out exact */
				int64_t left = communities - made;
				int G = (int)(grids_left / left), H = hh_left / left, R = res_left / left;
				if (G < 1)
					G = 1;
				grids_left -= G;
				hh_left -= H;
				res_left -= R;
				int B = (int)((H + 259) / 260);
				if (B < G)
					B = G;
				arena *ca = arena_new();
				actor cac = *ac;
				cac.a = ca;
				gen cg = dg;
				cg.ac = &cac;
				int64_t community;
				const char *mp;
				const char *ccode = arena_printf(ca, "%s%03lld", scode, (long long)ci + 1);
				bool named = cr->first && made == 0;
				e = db_begin(ac->d);
				if (!e)
					e = add_unit(&cg, street, sp, 3, ccode, "community", arena_printf(ca, "第%lld社区", (long long)ci + 1),
					             &community, &mp);
				if (!e && named)
					e = add_user(&cg, hash, "secretary", "社区书记", "community", community);
				if (!e)
					e = build_community(&cg, hash, community, mp, ccode, H, R, B, G, 0, named);
				if (!e)
					e = db_commit(ac->d);
				g->r = cg.r;
				dg.r = cg.r;
				arena_free(ca);
				if (e)
					goto fail_d;
				if (o->progress)
					o->progress(o->progress_ctx, cr->done0 + residents - res_left, cr->total);
			}
		}
		arena_free(da);
		continue;
	fail_d:
		arena_free(da);
		return e;
	}
	return WG_OK;
}

/* After a city's or a province's load: the search indexes, the counters, the staff. */
static werr finish_load(const actor *ac, const char *root_path, const char *what)
{
	werr e;
	if ((e = res_search_indexes_build(ac->d)))
		return e;
	/* staff (issue 19): Wuhan's rate of grids short of staff, 1,573 of 13,001 */
	if ((e = db_begin(ac->d)) || (e = stats_rebuild(ac->d)) || (e = staff_demo(ac, root_path, 1573, 13001, 0)) ||
	    (e = audit(ac, "create", "demo", 0, what, "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return db_tune(ac->d, DB_FOR_BULK_DONE);
}

static werr demo_city(const actor *ac, demo_opts *o, gen *g, const char *hash)
{
	double scale = o->scale > 0 ? o->scale : 1.0;
	werr e;
	if ((e = db_tune(ac->d, DB_FOR_BULK)))
		return e;
	/* the search indexes are built after the load, not maintained row by row */
	if ((e = res_search_indexes_drop(ac->d)))
		return e;
	city_run cr = {.first = true, .total = (int64_t)llround(10000000 * scale)};
	if ((e = db_begin(ac->d)) ||
	    (e = add_unit(g, 0, NULL, 0, g->p->city_code, "city", g->p->city_name, &cr.city, &cr.cp)) ||
	    (e = add_user(g, hash, "admin", "系统管理员", "admin", cr.city)) ||
	    (e = add_user(g, hash, "auditor", "审计员", "auditor", cr.city)) || (e = db_commit(ac->d)) ||
	    (e = build_districts(ac, o, g, hash, &hubei[0], &cr)))
		goto fail;
	return finish_load(ac, cr.cp, arena_printf(ac->a, "preset:city scale:%g", scale));
fail:
	db_rollback(ac->d);
	return e;
}

/* The province preset: 湖北省 at the top, its accounts (admin, auditor, the province's
 * command), and three cities of the city preset's shape under it, each with a command
 * account of its own (city-4201 …) and its districts' real codes. */
static werr demo_province(const actor *ac, demo_opts *o, gen *g, const char *hash)
{
	double scale = o->scale > 0 ? o->scale : 1.0;
	int64_t per_city = (int64_t)llround(10000000 * scale);
	werr e;
	if ((e = db_tune(ac->d, DB_FOR_BULK)) || (e = res_search_indexes_drop(ac->d)))
		return e;
	int64_t prov;
	const char *pp;
	if ((e = db_begin(ac->d)) || (e = add_unit(g, 0, NULL, 0, g->p->city_code, "province", g->p->city_name, &prov, &pp)) ||
	    (e = add_user(g, hash, "admin", "系统管理员", "admin", prov)) ||
	    (e = add_user(g, hash, "auditor", "审计员", "auditor", prov)) ||
	    (e = add_user(g, hash, "province", "省防疫指挥部", "command", prov)) || (e = db_commit(ac->d)))
		goto fail;
	g->depth0 = 1;
	for (int ci = 0; ci < N(hubei); ci++) {
		const city_shape *cs = &hubei[ci];
		preset pc = *g->p; /* the city's own phone area code */
		pc.area_code = cs->area_code;
		gen cg = *g;
		cg.p = &pc;
		city_run cr = {.first = ci == 0, .spread = o->districts > 0 ? o->districts : cs->ndist,
		               .done0 = per_city * ci, .total = per_city * N(hubei)};
		if ((e = db_begin(ac->d)) || (e = add_unit(&cg, prov, pp, 0, cs->code, "city", cs->name, &cr.city, &cr.cp)) ||
		    (e = add_user(&cg, hash, arena_printf(ac->a, "city-%s", cs->code), arena_printf(ac->a, "%s防疫指挥部", cs->name),
		                  "command", cr.city)) ||
		    (e = db_commit(ac->d)) || (e = build_districts(ac, o, &cg, hash, cs, &cr)))
			goto fail;
		g->r = cg.r;
	}
	return finish_load(ac, pp,
	                   arena_printf(ac->a, "preset:province scale:%g districts:%d", scale, o->districts));
fail:
	db_rollback(ac->d);
	return e;
}

werr demo_build(const actor *ac, demo_opts *o)
{
	const preset *p = NULL;
	for (int i = 0; i < N(presets); i++)
		if (!strcmp(presets[i].key, o->preset))
			p = &presets[i];
	if (!p)
		return w_fail(W_EINVAL, "invalid_preset", "preset", "preset must be qinghe, liyuan, qianjinxiang, city or province");
	if (o->households < 0 || o->households > 2000000)
		return w_fail(W_EINVAL, "out_of_range", "households", "--households must be between 1 and 2000000");
	gen g = {.ac = ac, .r = {o->seed * 0x2545F4914F6CDD1Dull + 1}, .now = now_s(), .p = p, .o = o};
	char today[32];
	fmt_time(g.now, today);
	g.today_y = (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10 + (today[3] - '0');
	int64_t H = o->households ? o->households : p->households;
	int64_t R = o->households ? (int64_t)llround((double)H * (double)p->residents / (double)p->households) : p->residents;
	/* (the city preset has no buildings of its own: --households there must not divide by 0) */
	int64_t per_b = p->buildings ? p->households / p->buildings : 1;
	int B = o->households ? (int)((H + per_b - 1) / per_b) : p->buildings;
	int G = o->households ? (int)((H * p->small_grids + p->households - 1) / p->households) : p->small_grids;
	if (B < 1)
		B = 1;
	if (G < 1)
		G = 1;
	if (!strcmp(p->key, "qianjinxiang")) /* its 11 compounds at any size */
		G = p->small_grids, B = B < G ? G : B;
	if (G > B)
		G = B;
	int BG = p->big_grids && G >= p->big_grids ? p->big_grids : 0;

	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, o->password, strlen(o->password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return w_fail(W_EINTERNAL, "internal", NULL, "password hashing failed");

	if (!strcmp(p->key, "city"))
		return demo_city(ac, o, &g, hash);
	if (!strcmp(p->key, "province"))
		return demo_province(ac, o, &g, hash);
	werr e = db_begin(ac->d);
	if (e)
		return e;
	arena *a = ac->a;
	int64_t city, district, street, community;
	const char *cp, *dp, *sp, *mp;
	const char *street_code = arena_printf(a, "%s003", p->district_code);
	const char *comm_code = arena_printf(a, "%s003008", p->district_code);
	if ((e = add_unit(&g, 0, NULL, 0, p->city_code, "city", p->city_name, &city, &cp)) ||
	    (e = add_unit(&g, city, cp, 1, p->district_code, "district", p->district_name, &district, &dp)) ||
	    (e = add_unit(&g, district, dp, 2, street_code, "street", p->street_name, &street, &sp)) ||
	    (e = add_unit(&g, street, sp, 3, comm_code, "community", p->community_name, &community, &mp)))
		goto fail;
	g.district = district;

	/* users at the top */
	if ((e = add_user(&g, hash, "admin", "系统管理员", "admin", city)) ||
	    (e = add_user(&g, hash, "command", "区防疫指挥部", "command", district)) ||
	    (e = add_user(&g, hash, "street", "街道防控办", "command", street)) ||
	    (e = add_user(&g, hash, "auditor", "审计员", "auditor", city)) ||
	    (e = add_user(&g, hash, "secretary",
	                  !strcmp(p->key, "qinghe") ? "桂小妹" : (!strcmp(p->key, "qianjinxiang") ? "萧静" : "孙友华"), "community",
	                  community)) ||
	    (e = add_user(&g, hash, "director", "社区主任", "community", community)) ||
	    (e = add_user(&g, hash, "checkpoint", !strcmp(p->key, "qinghe") ? "西区5号门卡口" : "卡口值班", "checkpoint", community)))
		goto fail;

	if ((e = build_community(&g, hash, community, mp, comm_code, H, R, B, G, BG, true)))
		goto fail;
	if (!strcmp(p->key, "qinghe") && (e = gates_demo_qinghe(ac, community)))
		goto fail;
	if (!strcmp(p->key, "qianjinxiang")) {
		/* the duty teams of the 8 checkpoints: an account each (the staff issue adds people) */
		for (int k = 1; k <= 8 && !e; k++)
			e = add_user(&g, hash, arena_printf(a, "kk%02d", k), arena_printf(a, "%d号卡口值班", k), "checkpoint", community);
		if (e || (e = gates_demo_qianjinxiang(ac, community, mp)) || (e = staff_demo_qianjinxiang(ac, mp)))
			goto fail;
	}
	if (!strcmp(p->key, "qinghe") && (e = supply_demo_qinghe(ac, community)))
		goto fail;
	if (!strcmp(p->key, "qinghe") && (e = help_demo_qinghe(ac, community)))
		goto fail;
	if (!strcmp(p->key, "liyuan") && (e = supply_demo_liyuan(ac, community)))
		goto fail;
	/* the planner's statistics before the counters are summed from what was loaded */
	if ((e = db_tune(ac->d, DB_FOR_NEW_ROWS)) || (e = stats_rebuild(ac->d)) ||
	    (!strcmp(p->key, "qinghe") && (e = staff_demo(ac, mp, 0, 0, !o->households || o->households == p->households ? 2 : 1))) ||
	    /* the other communities' grids staffed too, their accounts among them: else 人员 told
	     * gw01 that her grid had no grid worker on duty */
	    (strcmp(p->key, "qinghe") != 0 && (e = staff_demo(ac, mp, 0, 0, -1))) ||
	    (e = audit(ac, "create", "demo", 0, arena_printf(a, "preset:%s households:%lld", p->key, (long long)H), "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	return WG_OK;
fail:
	db_rollback(ac->d);
	return e;
}
