/* progress.h — how far long work has got, for the person at the terminal.
 *
 * `wangge import`, `demo --preset city`, `backup` and `restore` run for seconds to minutes.
 * On a terminal a progress line is redrawn in place at most twice a second: what, how many
 * done (and of how many when known), the rate, the share done and the time left.  When the
 * output is not a terminal (a log, a pipe, CI) nothing is printed until progress_end, which
 * prints one final line in either case.  progress_set is cheap enough to call for every row
 * (it reads the clock once every 256 calls). */
#ifndef WG_PROGRESS_H
#define WG_PROGRESS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct progress {
	FILE *out;
	bool tty;            /* redraw a line in place; else only the final line */
	const char *what;    /* "导入居民 importing residents" */
	const char *unit;    /* "行 rows" */
	int64_t done, total; /* total 0: not known */
	double frac;         /* share done (0..1) when the count's total is unknown; < 0: unknown */
	double t0, shown;    /* monotonic seconds: started, last drawn */
	unsigned calls, mask; /* the clock is read when (calls & mask) == 0: 255 by default, 0 for rare calls */
	int width;           /* bytes of the last line drawn (to blank it) */
	bool bytes;          /* counts are bytes: shown in MB or GB, the final line with the exact count */
} progress;

/* Starts counting; tty is whether to draw as it goes (progress_isatty(out) usually). */
void progress_start(progress *p, FILE *out, bool tty, const char *what, const char *unit, int64_t total);
/* The same for work counted in bytes (a backup, a restore): "312.4 MB / 1.2 GB · 74.1 MB/s …"
 * while it runs, "what: 312.4 MB (327,614,464 字节 bytes) in 4.2 s (74.1 MB/s)" at the end. */
void progress_start_bytes(progress *p, FILE *out, bool tty, const char *what, int64_t total);
/* done so far; frac the share done when it is known another way (bytes read of a file), else -1. */
void progress_set(progress *p, int64_t done, double frac);
/* The final line: "what: N unit in T s (R unit/s)", and a note when not all was done. */
void progress_end(progress *p, const char *note);
/* Work that failed: the line is blanked, nothing printed (the error is the one line). */
void progress_abort(progress *p);
bool progress_isatty(FILE *out);
/* The line as it would be drawn now (tests): into buf of n bytes. */
void progress_line(const progress *p, double now, char *buf, size_t n);
#endif
