/* h_io.c — bulk imports (CSV body) and exports (CSV / XLSX downloads). */
#include <stdint.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/handlers.h"
#include "app/board.h"
#include "core/csv.h"
#include "core/util.h"
#include "domain/calendar.h"
#include "domain/epi.h"
#include "domain/import.h"
#include "domain/registry.h"
#include "domain/report.h"
#include "domain/tree.h"
#include "domain/units.h"

typedef werr (*import_fn)(const actor *, csv_reader *, import_report *);

/* Rows read so far, posted every 256 records for GET /progress/{id}. */
static void import_board(void *ctx, size_t records, double share)
{
	if ((records & 255u) == 0) /* the first record is the header */
		board_set(*(const int *)ctx, (int64_t)records - 1, share);
}

/* An import runs on the slow queue's thread for long work (src/http/server.c), not in its
 * HTTP thread: a sheet of a million rows takes minutes, and every connection that thread
 * serves would wait for it. */
typedef struct {
	import_fn fn;
	int slot; /* the progress board's entry, -1 if the page named none */
} import_plan;

static werr import_slow(req *r)
{
	import_plan *p = r->slow_plan;
	csv_reader *cr;
	bool converted = false;
	werr e = csv_open_mem(r->body ? r->body : "", r->body_len, &cr, &converted);
	if (e) {
		board_close(p->slot, false);
		return e;
	}
	if (p->slot >= 0)
		csv_on_record(cr, import_board, &p->slot);
	import_report rep;
	import_report_init(&rep);
	e = p->fn(&r->ac, cr, &rep);
	csv_close(cr);
	if (!e)
		board_set(p->slot, (int64_t)rep.rows, 1.0);
	board_close(p->slot, !e);
	if (!e) {
		r->json = import_report_json(&rep);
		json_object_set_new(r->json, "converted_from_gbk", json_boolean(converted));
	}
	import_report_free(&rep);
	return e;
}

static werr run_import(req *r, import_fn fn)
{
	/* a page that names its upload (X-Progress-Id) can ask how far it has got */
	const char *pid = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Progress-Id");
	if (pid && !board_id_ok(pid))
		return w_fail(W_EINVAL, "invalid_progress_id", "X-Progress-Id", "X-Progress-Id：8–64 个字母、数字、_ 或 - / 8–64 of A-Z a-z 0-9 _ -");
	import_plan *p = arena_alloc(r->a, sizeof *p);
	p->fn = fn;
	p->slot = pid ? board_open(r->ac.user_id, pid) : -1;
	r->slow = import_slow;
	r->slow_plan = p;
	r->slow_long = true;
	return WG_OK;
}

/* GET /progress/{id}: how far the caller's own named request has got. */
werr h_progress(req *r)
{
	int64_t rows;
	double share;
	int state;
	if (!board_get(r->ac.user_id, r->param[0], &rows, &share, &state))
		return w_fail(W_ENOTFOUND, "not_found", "id", "没有这项进度（已结束一分钟以上，或不是你发起的）/ no such progress (ended over a minute ago, or not yours)");
	static const char *const states[] = {"", "running", "done", "failed"};
	r->json = json_pack("{s:s, s:I, s:f, s:s}", "id", r->param[0], "rows", (json_int_t)rows, "share", share, "state", states[state]);
	return WG_OK;
}

werr h_import_units(req *r)
{
	return run_import(r, unit_import);
}

werr h_import_residents(req *r)
{
	return run_import(r, res_import);
}

/* Write the export to a private temporary file, then answer its bytes. */
static werr answer_file(req *r, const char *tmp, const char *ctype, const char *name)
{
	size_t len;
	char *data = read_file(tmp, &len);
	unlink(tmp);
	if (!data)
		return w_fail(W_EINTERNAL, "export_failed", NULL, "export failed");
	r->raw = data;
	r->raw_len = len;
	r->ctype = ctype;
	r->filename = name;
	return WG_OK;
}

static char *temp_path(arena *a)
{
	char *p = arena_strdup(a, "/tmp/wangge-export-XXXXXX");
	int fd = mkstemp(p);
	if (fd < 0)
		return NULL;
	close(fd);
	return p;
}

werr h_export_units(req *r)
{
	const char *unit = req_query(r, "unit");
	char *tmp = temp_path(r->a);
	if (!tmp)
		return w_fail(W_EINTERNAL, "export_failed", NULL, "no temporary space");
	FILE *f = fopen(tmp, "wb");
	unit_row own;
	if (!unit && unit_find_id(&r->ac, r->ac.unit_id, &own) == WG_OK)
		unit = own.code;
	werr e = f ? unit_export_csv(&r->ac, unit ? unit : "", f) : W_EINTERNAL;
	if (f)
		fclose(f);
	if (e) {
		unlink(tmp);
		return e;
	}
	return answer_file(r, tmp, "text/csv; charset=utf-8", "units.csv");
}

werr h_export_residents(req *r)
{
	const char *fmt = req_query(r, "format");
	export_format f = EXPORT_CSV;
	if (fmt && strcmp(fmt, "xlsx") == 0)
		f = EXPORT_XLSX;
	else if (fmt && strcmp(fmt, "csv") != 0)
		return w_fail(W_EINVAL, "invalid_format", "format", "format: csv or xlsx");
	char *tmp = temp_path(r->a);
	if (!tmp)
		return w_fail(W_EINTERNAL, "export_failed", NULL, "no temporary space");
	size_t n;
	werr e = res_export(&r->ac, req_query(r, "unit"), f, tmp, &n);
	if (e) {
		unlink(tmp);
		return e;
	}
	return answer_file(r, tmp,
	                   f == EXPORT_XLSX ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	                                    : "text/csv; charset=utf-8",
	                   f == EXPORT_XLSX ? "residents.xlsx" : "residents.csv");
}

werr h_report_daily(req *r)
{
	const char *fmt = req_query(r, "format");
	const char *day = req_query(r, "day");
	int y, m, d;
	char today[11];
	today_str(today);
	if (day && parse_date(day, &y, &m, &d) && strcmp(day, today) > 0) /* nothing to report yet */
		return w_fail(W_EINVAL, "future_day", "day", "这一天还没到，没有数据 / day %s is in the future", day);
	if (!fmt || !strcmp(fmt, "json"))
		return report_daily(&r->ac, req_query(r, "unit"), req_query(r, "day"), &r->json);
	if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "xlsx") != 0)
		return w_fail(W_EINVAL, "invalid_format", "format", "format: json, csv or xlsx");
	bool xlsx = !strcmp(fmt, "xlsx");
	char *tmp = temp_path(r->a);
	if (!tmp)
		return w_fail(W_EINTERNAL, "export_failed", NULL, "no temporary space");
	report_id id;
	werr e = report_daily_file(&r->ac, req_query(r, "unit"), day, xlsx ? EXPORT_XLSX : EXPORT_CSV, tmp, &id);
	if (e) {
		unlink(tmp);
		return e;
	}
	/* named by unit and day: 日报-青和居社区-2026-12-06.csv (daily-report-CODE-DAY.csv for old clients) */
	const char *ext = xlsx ? "xlsx" : "csv";
	e = answer_file(r, tmp,
	                xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8",
	                arena_printf(r->a, "日报-%s-%s.%s", id.name, id.day, ext));
	r->filename_ascii = arena_printf(r->a, "daily-report-%s-%s.%s", id.unit, id.day, ext);
	return e;
}

/* The named list behind the category counts: community role or above, with a purpose. */
werr h_export_categories(req *r)
{
	const char *fmt = req_query(r, "format");
	bool xlsx = fmt && !strcmp(fmt, "xlsx");
	if (fmt && !xlsx && strcmp(fmt, "csv") != 0)
		return w_fail(W_EINVAL, "invalid_format", "format", "format: csv or xlsx");
	char *tmp = temp_path(r->a);
	if (!tmp)
		return w_fail(W_EINTERNAL, "export_failed", NULL, "no temporary space");
	werr e = epi_export(&r->ac, req_query(r, "unit"), req_query(r, "category"), req_query(r, "purpose"), xlsx, tmp);
	if (e) {
		unlink(tmp);
		return e;
	}
	return answer_file(r, tmp,
	                   xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8",
	                   xlsx ? "categories.xlsx" : "categories.csv");
}
