/* progress.c — a progress line for long work on a terminal (see progress.h). */
#include "core/progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool progress_isatty(FILE *out)
{
	return out && isatty(fileno(out));
}

void progress_start(progress *p, FILE *out, bool tty, const char *what, const char *unit, int64_t total)
{
	memset(p, 0, sizeof *p);
	p->out = out;
	p->tty = tty;
	p->what = what;
	p->unit = unit;
	p->total = total > 0 ? total : 0;
	p->frac = -1;
	p->mask = 255;
	p->t0 = mono();
}

void progress_start_bytes(progress *p, FILE *out, bool tty, const char *what, int64_t total)
{
	progress_start(p, out, tty, what, "字节 bytes", total);
	p->bytes = true;
	p->mask = 0; /* a call per step of megabytes: the clock every time */
}

/* bytes as "312.4 MB" (MB = 2^20 bytes), "12.3 GB" past ten of them */
static void size_text(double v, char out[32])
{
	if (v >= 10.0 * 1024 * 1024 * 1024)
		snprintf(out, 32, "%.1f GB", v / (1024.0 * 1024 * 1024));
	else
		snprintf(out, 32, "%.1f MB", v / (1024.0 * 1024));
}

/* 1234567 as "1,234,567" */
static void group(int64_t v, char out[32])
{
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
	size_t o = 0;
	if (v < 0)
		out[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = 0;
}

static void clock_text(double secs, char out[40])
{
	long s = secs < 0 ? 0 : (long)(secs + 0.5);
	if (s >= 3600)
		snprintf(out, 40, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, 40, "%ld:%02ld", s / 60, s % 60);
}

void progress_line(const progress *p, double now, char *buf, size_t n)
{
	double el = now - p->t0;
	double frac = p->total ? (double)p->done / (double)p->total : p->frac;
	if (frac > 1)
		frac = 1;
	char done[32], total[40] = "", share[16] = "", left[64] = "";
	group(p->done, done);
	if (p->total) {
		char t[32];
		group(p->total, t);
		snprintf(total, sizeof total, " / %s", t);
	}
	if (frac >= 0)
		snprintf(share, sizeof share, " · %.0f%%", frac * 100);
	if (frac > 0.001 && el > 0) {
		char c[40];
		clock_text(el * (1 - frac) / frac, c);
		snprintf(left, sizeof left, " · 剩余 left %s", c);
	}
	double rate = el > 0 ? (double)p->done / el : 0;
	if (p->bytes) {
		char d[32], t[32] = "", r[32];
		size_text((double)p->done, d);
		if (p->total)
			size_text((double)p->total, t);
		size_text(rate, r);
		snprintf(buf, n, "%s: %s%s%s · %s/s%s%s", p->what, d, p->total ? " / " : "", t, r, share, left);
		return;
	}
	snprintf(buf, n, "%s: %s%s %s · %.0f/s%s%s", p->what, done, total, p->unit, rate, share, left);
}

void progress_set(progress *p, int64_t done, double frac)
{
	if (!p)
		return;
	p->done = done;
	if (frac >= 0)
		p->frac = frac;
	if (!p->tty || (p->calls++ & p->mask))
		return;
	double now = mono();
	if (now - p->shown < 0.5)
		return;
	p->shown = now;
	char line[256];
	progress_line(p, now, line, sizeof line);
	int w = (int)strlen(line);
	fprintf(p->out, "\r%s%*s", line, p->width > w ? p->width - w : 0, "");
	p->width = w;
	fflush(p->out);
}

void progress_end(progress *p, const char *note)
{
	if (!p || !p->out)
		return;
	double el = mono() - p->t0;
	char done[32];
	group(p->done, done);
	if (p->tty && p->width)
		fprintf(p->out, "\r%*s\r", p->width, "");
	double rate = el > 0 ? (double)p->done / el : 0;
	if (p->bytes) {
		char d[32], r[32];
		size_text((double)p->done, d);
		size_text(rate, r);
		fprintf(p->out, "%s: %s (%s %s) in %.1f s (%s/s)%s%s\n", p->what, d, done, p->unit, el, r, note ? " — " : "",
		        note ? note : "");
	} else {
		fprintf(p->out, "%s: %s %s in %.1f s (%.0f/s)%s%s\n", p->what, done, p->unit, el, rate, note ? " — " : "",
		        note ? note : "");
	}
	fflush(p->out);
	p->width = 0;
}

void progress_abort(progress *p)
{
	if (p && p->out && p->tty && p->width) {
		fprintf(p->out, "\r%*s\r", p->width, "");
		fflush(p->out);
	}
	if (p)
		p->width = 0;
}
