/* report.c — see report.h. */
#include "domain/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/csv.h"
#include "domain/epi.h"
#include "domain/help.h"
#include "domain/rollcall.h"
#include "domain/staff.h"
#include "domain/tree.h"

/* Alerts by state for the subtree at code (arena-free JSON object). */
static werr alert_states(const actor *ac, const char *code, const char *day, json_t **out)
{
	unit_row u;
	werr e = unit_find(ac, code, &u);
	if (e)
		return e;
	json_t *o = json_pack("{s:i,s:i,s:i,s:i,s:i}", "open", 0, "acknowledged", 0, "clinic", 0, "observation", 0,
	                      "closed", 0);
	db_stmt *s = db_get(ac->d, SQL_ALERT_STATES);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_text(s, 3, day);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_object_set_new(o, db_text(s, 0), json_integer(db_int(s, 1)));
	db_done(s);
	if (rc < 0) {
		json_decref(o);
		return e;
	}
	*out = o;
	return WG_OK;
}

static double pct(json_t *c, const char *num, const char *den)
{
	json_int_t d = json_integer_value(json_object_get(c, den));
	return d ? 100.0 * (double)json_integer_value(json_object_get(c, num)) / (double)d : 0.0;
}

werr report_daily(const actor *ac, const char *unit_code, const char *day, json_t **out)
{
	json_t *cov = NULL, *st = NULL;
	werr e = coverage_get(ac, unit_code, day, &cov);
	if (e)
		return e;
	const char *code = json_string_value(json_object_get(cov, "unit"));
	day = json_string_value(json_object_get(cov, "day"));
	if ((e = alert_states(ac, code, day, &st))) {
		json_decref(cov);
		return e;
	}
	json_object_set_new(cov, "alerts", st);
	json_object_set_new(cov, "household_coverage_pct", json_real(pct(cov, "households_reached", "households_total")));
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(cov, "children"), i, c)
	{
		json_t *cs = NULL;
		if ((e = alert_states(ac, json_string_value(json_object_get(c, "unit")), day, &cs))) {
			json_decref(cov);
			return e;
		}
		json_object_set_new(c, "alerts", cs);
		json_object_set_new(c, "household_coverage_pct", json_real(pct(c, "households_reached", "households_total")));
	}
	/* the four categories, for the unit and each child */
	json_t *cat = NULL;
	if ((e = epi_counts(ac, code, &cat))) {
		json_decref(cov);
		return e;
	}
	json_object_set(cov, "categories", json_object_get(cat, "total"));
	json_array_foreach(json_object_get(cov, "children"), i, c)
	{
		size_t k;
		json_t *cc;
		json_array_foreach(json_object_get(cat, "children"), k, cc)
		{
			if (json_equal(json_object_get(cc, "unit"), json_object_get(c, "unit")))
				json_object_set(c, "categories", cc);
		}
	}
	json_decref(cat);
	/* help requests and leads (help.c), for the unit and each child */
	json_t *help = NULL;
	if ((e = help_report_day(ac, code, day, &help))) {
		json_decref(cov);
		return e;
	}
	json_object_set_new(cov, "help", help);
	json_array_foreach(json_object_get(cov, "children"), i, c)
	{
		if ((e = help_report_day(ac, json_string_value(json_object_get(c, "unit")), day, &help))) {
			json_decref(cov);
			return e;
		}
		json_object_set_new(c, "help", help);
	}
	/* staff (issue 19): on duty, off duty by reason, vacancies by kind — as they are now */
	json_t *sc = NULL;
	if ((e = staff_report_counts(ac, code, &sc))) {
		json_decref(cov);
		return e;
	}
	json_object_set_new(cov, "staff", sc);
	json_array_foreach(json_object_get(cov, "children"), i, c)
	{
		if ((e = staff_report_counts(ac, json_string_value(json_object_get(c, "unit")), &sc))) {
			json_decref(cov);
			return e;
		}
		json_object_set_new(c, "staff", sc);
	}
	*out = cov;
	return audit(ac, "report", "unit", 0, arena_printf(ac->a, "daily unit:%s day:%s", code, day), "ok");
}

static const struct {
	const char *zh, *key;
} cols[] = {
    {"单位编码", "unit"},
    {"单位名称", "name"},
    {"应报户数", "households_total"},
    {"已报户数", "households_reached"},
    {"户覆盖率%", "household_coverage_pct"},
    {"居住人数", "residents_total"},
    {"已核实人数", "residents_accounted"},
    {"已报体温人数", "residents_reported"},
    {"发热人数", "fevers"},
    {"有症状人数", "symptomatic"},
    {"未确认预警", "alerts.open"},
    {"处置中预警", "alerts.active"},
    {"今日关闭预警", "alerts.closed"},
    {"确诊", "cat.confirmed"},
    {"疑似", "cat.suspected"},
    {"发热待排查", "cat.fever_unexcluded"},
    {"密切接触者", "cat.close_contact"},
    {"四类合计", "cat.four_categories"},
    {"今日新增", "cat.new_today"},
    {"今日解除", "cat.released_today"},
    {"逾期随访", "cat.overdue_followups"},
    {"应收未收", "cat.not_admitted"},
    {"求助受理", "help.received"},
    {"求助办结", "help.done"},
    {"求助逾期", "help.overdue"},
    {"求助升级", "help.escalated"},
    {"线索上报", "help.leads.reported"},
    {"线索确认", "help.leads.confirmed"},
    {"在岗工作人员", "staff.on_duty"},
    {"离岗·四类人员", "staff.off_by_reason.category"},
    {"离岗·隔离", "staff.off_by_reason.isolation"},
    {"离岗·发热", "staff.off_by_reason.fever"},
    {"离岗·未报体温", "staff.off_by_reason.missed_report"},
    {"缺网格长", "staff.vacancies.no_leader"},
    {"缺网格员", "staff.vacancies.no_worker"},
    {"超负荷网格", "staff.vacancies.overloaded"},
    {"未结对", "staff.unpaired"},
    {"封控楼栋小组不全", "staff.vacancies.team_incomplete"},
    {"离岗空缺", "staff.vacancies.off_duty"},
    {"缺人班次", "staff.vacancies.uncovered_shift"},
};
enum { NCOLS = sizeof cols / sizeof cols[0] };

/* The text of one cell of a report row. */
static char *cell(json_t *row, const char *key, char *tmp, size_t cap)
{
	if (!strncmp(key, "cat.", 4)) {
		json_t *c = json_object_get(row, "categories");
		json_t *v = json_object_get(c, key + 4);
		if (!v)
			v = json_object_get(json_object_get(c, "counts"), key + 4);
		snprintf(tmp, cap, "%lld", (long long)json_integer_value(v));
		return tmp;
	}
	if (!strncmp(key, "help.", 5)) { /* help.received … help.leads.confirmed */
		json_t *v = json_object_get(row, "help");
		const char *k = key + 5;
		if (!strncmp(k, "leads.", 6)) {
			v = json_object_get(v, "leads");
			k += 6;
		}
		snprintf(tmp, cap, "%lld", (long long)json_integer_value(json_object_get(v, k)));
		return tmp;
	}
	if (!strncmp(key, "staff.", 6)) {
		json_t *st = json_object_get(row, "staff");
		json_int_t v;
		if (!strcmp(key + 6, "unpaired")) {
			json_t *vc = json_object_get(st, "vacancies");
			v = json_integer_value(json_object_get(vc, "unpaired_cadre")) + json_integer_value(json_object_get(vc, "unpaired_worker"));
		} else {
			/* a dotted path inside "staff" */
			const char *p = key + 6, *dot;
			json_t *x = st;
			while ((dot = strchr(p, '.')) && x) {
				char part[32];
				snprintf(part, sizeof part, "%.*s", (int)(dot - p), p);
				x = json_object_get(x, part);
				p = dot + 1;
			}
			v = json_integer_value(json_object_get(x, p));
		}
		snprintf(tmp, cap, "%lld", (long long)v);
		return tmp;
	}
	if (!strncmp(key, "alerts.", 7)) {
		json_t *a = json_object_get(row, "alerts");
		json_int_t v;
		if (!strcmp(key + 7, "active"))
			v = json_integer_value(json_object_get(a, "acknowledged")) + json_integer_value(json_object_get(a, "clinic")) +
			    json_integer_value(json_object_get(a, "observation"));
		else
			v = json_integer_value(json_object_get(a, key + 7));
		snprintf(tmp, cap, "%lld", (long long)v);
		return tmp;
	}
	json_t *v = json_object_get(row, key);
	if (json_is_string(v))
		snprintf(tmp, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(tmp, cap, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(tmp, cap, "%.1f", json_real_value(v));
	else
		tmp[0] = 0;
	return tmp;
}

werr report_daily_file(const actor *ac, const char *unit_code, const char *day, export_format fmt, const char *path,
                       report_id *id)
{
	json_t *rep = NULL;
	werr e = report_daily(ac, unit_code, day, &rep);
	if (e)
		return e;
	if (id) {
		id->unit = arena_strdup(ac->a, json_string_value(json_object_get(rep, "unit")));
		id->name = arena_strdup(ac->a, json_string_value(json_object_get(rep, "name")));
		id->day = arena_strdup(ac->a, json_string_value(json_object_get(rep, "day")));
	}
	FILE *f = NULL;
	lxw_workbook *wb = NULL;
	lxw_worksheet *ws = NULL;
	if (fmt == EXPORT_CSV) {
		f = fopen(path, "wb");
		if (f)
			fputs("\xEF\xBB\xBF", f);
	} else if ((wb = workbook_new(path))) {
		ws = workbook_add_worksheet(wb, "日报");
	}
	if (!f && !wb) {
		json_decref(rep);
		return w_fail(W_EINVAL, "cannot_write", "out", "cannot write %s", path);
	}
	char tmp[128];
	snprintf(tmp, sizeof tmp, "日报 %s %s", json_string_value(json_object_get(rep, "name")),
	         json_string_value(json_object_get(rep, "day")));
	if (ws)
		worksheet_write_string(ws, 0, 0, tmp, NULL);
	else
		fprintf(f, "%s\n", tmp);
	for (int k = 0; k < NCOLS; k++) {
		if (ws)
			worksheet_write_string(ws, 1, (lxw_col_t)k, cols[k].zh, NULL);
		else
			fprintf(f, "%s%c", cols[k].zh, k == NCOLS - 1 ? '\n' : ',');
	}
	/* the unit itself (合计), then each child */
	json_t *rows = json_array();
	json_array_append(rows, rep);
	json_array_extend(rows, json_object_get(rep, "children"));
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		for (int k = 0; k < NCOLS; k++) {
			char *c = cell(row, cols[k].key, tmp, sizeof tmp);
			if (ws) {
				json_t *v = json_object_get(row, cols[k].key);
				if (k >= 2 && (json_is_number(v) || !strncmp(cols[k].key, "alerts.", 7) || !strncmp(cols[k].key, "cat.", 4) ||
				              !strncmp(cols[k].key, "help.", 5)))
					worksheet_write_number(ws, (lxw_row_t)(i + 2), (lxw_col_t)k, strtod(c, NULL), NULL);
				else {
					char *n = cell_neutralise(c);
					worksheet_write_string(ws, (lxw_row_t)(i + 2), (lxw_col_t)k, n, NULL);
					free(n);
				}
			} else {
				char *q = csv_quote(c);
				fprintf(f, "%s%c", q, k == NCOLS - 1 ? '\n' : ',');
				free(q);
			}
		}
	}
	/* below the table: the unit's help requests by category (help.c's categories), named as the
	 * screens name them (web/i18n hcat.*: 买药, 送医转运), so that the printed report and the
	 * dashboard's table read alike */
	static const struct {
		const char *key, *zh;
	} cats[] = {{"medical", "就医"},      {"medicine", "买药"},      {"supplies", "生活物资"}, {"repairs", "维修"},
	            {"counselling", "心理疏导"}, {"transport", "送医转运"}, {"other", "其他"}};
	static const char *const heads[] = {"求助类别", "受理", "办结", "逾期", "升级"};
	static const char *const keys[] = {"received", "done", "overdue", "escalated"};
	lxw_row_t at = (lxw_row_t)(json_array_size(rows) + 3);
	if (f)
		fputs("\n", f);
	for (int k = 0; k < 5; k++) {
		if (ws)
			worksheet_write_string(ws, at, (lxw_col_t)k, heads[k], NULL);
		else
			fprintf(f, "%s%c", heads[k], k == 4 ? '\n' : ',');
	}
	json_t *by = json_object_get(json_object_get(rep, "help"), "by_category");
	for (size_t c = 0; c < sizeof cats / sizeof cats[0]; c++) {
		json_t *v = json_object_get(by, cats[c].key);
		at++;
		if (ws)
			worksheet_write_string(ws, at, 0, cats[c].zh, NULL);
		else
			fputs(cats[c].zh, f);
		for (int k = 0; k < 4; k++) {
			json_int_t n = json_integer_value(json_object_get(v, keys[k]));
			if (ws)
				worksheet_write_number(ws, at, (lxw_col_t)(k + 1), (double)n, NULL);
			else
				fprintf(f, ",%lld", (long long)n);
		}
		if (f)
			fputc('\n', f);
	}
	json_decref(rows);
	json_decref(rep);
	bool ok = f ? fclose(f) == 0 : workbook_close(wb) == LXW_NO_ERROR;
	return ok ? WG_OK : w_fail(W_EINTERNAL, "cannot_write", "out", "writing %s failed", path);
}
