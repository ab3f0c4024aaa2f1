/* util.c — see util.h. */
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"

static int64_t clock_offset;

int64_t now_s(void)
{
	return (int64_t)time(NULL) + clock_offset;
}

int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void clock_shift(int64_t seconds)
{
	clock_offset += seconds;
}

void fmt_time(int64_t t, char out[32])
{
	time_t local = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&local, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

void random_hex(char *out, size_t nbytes)
{
	unsigned char b[64];
	if (nbytes > sizeof b)
		nbytes = sizeof b;
	randombytes_buf(b, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, b, nbytes);
}

void hash_hex(const char *s, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

bool parse_num(const char *s, double *out)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool parse_date(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int yy = (int)strtol(s, NULL, 10), mm = (int)strtol(s + 5, NULL, 10), dd = (int)strtol(s + 8, NULL, 10);
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (yy < 1900 || mm < 1 || mm > 12 || dd < 1)
		return false;
	int lim = mdays[mm - 1] + (mm == 2 && ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0));
	if (dd > lim)
		return false;
	*y = yy;
	*m = mm;
	*d = dd;
	return true;
}

int age_years(const char *birth)
{
	int y, m, d;
	if (!parse_date(birth, &y, &m, &d))
		return -1;
	time_t local = (time_t)(now_s() + 8 * 3600);
	struct tm tm;
	gmtime_r(&local, &tm);
	int age = tm.tm_year + 1900 - y;
	if (tm.tm_mon + 1 < m || (tm.tm_mon + 1 == m && tm.tm_mday < d))
		age--;
	return age;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf b;
	buf_init(&b, NULL);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(&b, chunk, n);
	fclose(f);
	if (!b.p)
		buf_put(&b, "", 0);
	if (len)
		*len = b.len;
	return b.p;
}

bool day_add(const char *day, int n, char out[11])
{
	int y, m, d;
	if (!parse_date(day, &y, &m, &d))
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + n, .tm_hour = 12};
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	return true;
}

int64_t day_at(const char *day, int hh, int mm)
{
	int y, m, d;
	if (!parse_date(day, &y, &m, &d))
		return 0;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = hh, .tm_min = mm};
	return (int64_t)timegm(&tm) - 8 * 3600;
}

static size_t digit_run(const char *s, size_t i, size_t n)
{
	size_t j = i;
	while (j < n && s[j] >= '0' && s[j] <= '9')
		j++;
	return j - i;
}

int nat_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		size_t ra = digit_run(a, i, na), rb = digit_run(b, j, nb);
		if (ra && rb) {
			size_t za = 0, zb = 0;
			while (za + 1 < ra && a[i + za] == '0')
				za++;
			while (zb + 1 < rb && b[j + zb] == '0')
				zb++;
			if (ra - za != rb - zb)
				return ra - za < rb - zb ? -1 : 1;
			int c = memcmp(a + i + za, b + j + zb, ra - za);
			if (c || ra != rb)
				return c ? c : (ra < rb ? -1 : 1);
			i += ra;
			j += rb;
		} else if (a[i] != b[j]) {
			return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
		} else {
			i++;
			j++;
		}
	}
	return (i < na) - (j < nb);
}

bool str_in_list(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}
