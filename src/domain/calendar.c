/* calendar.c — see calendar.h. */
#include "domain/calendar.h"

#include "core/util.h"

#include <string.h>

void today_str(char out[11])
{
	char t[32];
	fmt_time(now_s(), t);
	memcpy(out, t, 10);
	out[10] = 0;
}

werr day_valid(const char *day, const char *field)
{
	int y, m, d;
	char today[11];
	today_str(today);
	if (!day || !parse_date(day, &y, &m, &d))
		return w_fail(W_EINVAL, "invalid_day", field,
		              "日期格式应为 YYYY-MM-DD / %s must be YYYY-MM-DD", field);
	if (strcmp(day, today) > 0)
		return w_fail(W_EINVAL, "future_day", field, "不能为将来的日期打卡 / %s is in the future",
		              field);
	/* at most 30 days back: late entries yes, rewriting history no */
	int64_t t = now_s() - 30 * 86400;
	char old[32];
	fmt_time(t, old);
	old[10] = 0;
	if (strcmp(day, old) < 0)
		return w_fail(W_EINVAL, "day_too_old", field,
		              "只能补录 30 天内的打卡 / %s is more than 30 days ago", field);
	return WG_OK;
}
