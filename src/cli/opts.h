/* opts.h — option parsing for commands: "--name VALUE", "--name=VALUE" and bare flags,
 * checked against the command's list; everything else is positional. */
#ifndef WG_OPTS_H
#define WG_OPTS_H
#include <stdbool.h>

enum { OPTS_MAX = 16, POS_MAX = 4 };

typedef struct {
	const char *name; /* "db" */
	bool flag;        /* takes no value */
	const char *value;
	bool set;
} opt;

typedef struct {
	opt o[OPTS_MAX];
	int n;
	const char *pos[POS_MAX];
	int npos;
} opts;

/* spec: space-separated names, a trailing '!' marks a flag: "db listen threads quiet!".
 * Returns false on an unknown option or a missing value (opts_problem() says which). */
bool opts_parse(opts *p, const char *spec, int argc, char **argv);
const char *opts_get(const opts *p, const char *name, const char *def);
/* Why the last opts_parse refused the arguments, or NULL. */
const char *opts_problem(void);
bool opts_flag(const opts *p, const char *name);
/* A numeric option: def when absent; false (with the reason on stderr) when it is not a
 * number between min and max — "--threads 8x" is refused, not read as 8. */
bool opts_num(const opts *p, const char *name, double def, double min, double max, double *out);
#endif
