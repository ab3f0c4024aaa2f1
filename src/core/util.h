/* util.h — time, randomness and small text helpers. */
#ifndef WG_UTIL_H
#define WG_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int64_t now_s(void);                   /* seconds since the epoch (UTC) */
int64_t mono_ms(void);                 /* a monotonic clock in milliseconds (intervals only) */
/* Move the clock (tests of deadlines and escalation; never called by the product). */
void clock_shift(int64_t seconds);
void fmt_time(int64_t t, char out[32]); /* ISO 8601 in China Standard Time, "+08:00" */
/* n random bytes as lower-case hex into out (2n+1 bytes), from libsodium. */
void random_hex(char *out, size_t nbytes);
/* Hex of a 32-byte BLAKE2b hash of s (65 bytes) — session tokens are stored hashed. */
void hash_hex(const char *s, char out[65]);
bool parse_date(const char *s, int *y, int *m, int *d); /* "YYYY-MM-DD", real date */
/* A whole decimal number ("30", "37.3"), nothing after it; false for "", "30abc", NaN. */
bool parse_num(const char *s, double *out);
/* day + n days into out (11 bytes); false when day is not a date. */
bool day_add(const char *day, int n, char out[11]);
/* The moment hh:mm China time on day (seconds since the epoch); 0 when day is not a date. */
int64_t day_at(const char *day, int hh, int mm);
/* Age in whole years on today's date (Asia/Shanghai) for a birth date "YYYY-MM-DD". */
int age_years(const char *birth);
/* Whether s is one of the strings of a NULL-terminated list (false for s NULL). */
bool str_in_list(const char *s, const char *const *list);
/* Compares a (na bytes) with b (nb) as people count: byte by byte, except that a run of
 * ASCII digits in both is compared as a number ("B9" < "B10", "/4/9/" < "/4/10/"; leading
 * zeros do not count, then the shorter run first).  <0, 0 or >0, as memcmp. */
int nat_cmp(const char *a, size_t na, const char *b, size_t nb);
/* Read a whole file (malloc'd, NUL-terminated); NULL if it cannot be read. */
char *read_file(const char *path, size_t *len);
#endif
