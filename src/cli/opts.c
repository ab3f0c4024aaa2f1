/* opts.c — see opts.h. */
#include "cli/opts.h"

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

#include "core/util.h"

static _Thread_local char problem[200];

/* Remember why the arguments were refused; cli_usage prints it as the one stderr line. */
static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(problem, sizeof problem, fmt, ap);
	va_end(ap);
}

const char *opts_problem(void)
{
	return problem[0] ? problem : NULL;
}

bool opts_parse(opts *p, const char *spec, int argc, char **argv)
{
	memset(p, 0, sizeof *p);
	problem[0] = 0;
	static _Thread_local char names[512];
	snprintf(names, sizeof names, "%s", spec);
	char *save = NULL;
	for (char *t = strtok_r(names, " ", &save); t && p->n < OPTS_MAX; t = strtok_r(NULL, " ", &save)) {
		size_t n = strlen(t);
		if (t[n - 1] == '!') {
			t[n - 1] = 0;
			p->o[p->n].flag = true;
		}
		p->o[p->n++].name = t;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			if (p->npos == POS_MAX) {
				complain("too many arguments ('%s')", a);
				return false;
			}
			p->pos[p->npos++] = a;
			continue;
		}
		a += 2;
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		opt *o = NULL;
		for (int k = 0; k < p->n; k++)
			if (strlen(p->o[k].name) == len && strncmp(p->o[k].name, a, len) == 0)
				o = &p->o[k];
		if (!o) {
			complain("unknown option --%.*s", (int)len, a);
			return false;
		}
		o->set = true;
		if (o->flag)
			continue;
		if (eq) {
			o->value = eq + 1;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			complain("option --%s needs a value", o->name);
			return false;
		}
	}
	return true;
}

const char *opts_get(const opts *p, const char *name, const char *def)
{
	for (int k = 0; k < p->n; k++)
		if (!strcmp(p->o[k].name, name) && p->o[k].set)
			return p->o[k].value;
	return def;
}

bool opts_num(const opts *p, const char *name, double def, double min, double max, double *out)
{
	const char *v = opts_get(p, name, NULL);
	*out = def;
	if (!v)
		return true;
	if (!parse_num(v, out) || *out < min || *out > max) {
		fprintf(stderr, "wangge: --%s must be a number from %g to %g (got '%s')\n", name, min, max, v);
		return false;
	}
	return true;
}

bool opts_flag(const opts *p, const char *name)
{
	for (int k = 0; k < p->n; k++)
		if (!strcmp(p->o[k].name, name))
			return p->o[k].set;
	return false;
}
