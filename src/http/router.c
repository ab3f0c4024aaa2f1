/* router.c — matching the route table, and request helpers; see req.h. */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "core/jv.h"
#include "core/utf8.h"
#include "app/req.h"

/* Match one pattern segment by segment; {x} takes one non-empty segment. */
static bool match(const char *pat, const char *path, req *r)
{
	int np = 0;
	const char *params[4];
	while (*pat && *path) {
		if (*pat == '{') {
			const char *end = strchr(path, '/');
			size_t n = end ? (size_t)(end - path) : strlen(path);
			if (n == 0 || np == 4)
				return false;
			params[np++] = arena_strndup(r->a, path, n);
			path += n;
			pat = strchr(pat, '}') + 1;
			continue;
		}
		if (*pat != *path)
			return false;
		pat++;
		path++;
	}
	if (*pat || *path)
		return false;
	for (int i = 0; i < np; i++)
		r->param[i] = params[i];
	return true;
}

const route *route_match(const route_table *t, req *r, int method, const char *path, bool *path_known)
{
	*path_known = false;
	for (size_t i = 0; i < t->n; i++) {
		if (!match(t->routes[i].pattern, path, r))
			continue;
		*path_known = true;
		if (t->routes[i].method & method)
			return &t->routes[i];
	}
	return NULL;
}

const char *req_query(req *r, const char *key)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
	if (!v)
		return NULL;
	if (!utf8_valid(v, strlen(v)) || !utf8_no_controls(v))
		return "\x01"; /* refused by every validator downstream, naming the parameter */
	return v;
}

werr req_query_int(req *r, const char *key, int64_t def, int64_t min, int64_t max, int64_t *out)
{
	const char *v = req_query(r, key);
	*out = def;
	if (!v)
		return WG_OK;
	char *end;
	long long n = strtoll(v, &end, 10);
	if (!*v || *end || n < min || n > max)
		return w_fail(W_EINVAL, "out_of_range", key, "%s must be an integer between %lld and %lld", key,
		              (long long)min, (long long)max);
	*out = n;
	return WG_OK;
}

werr req_paging(req *r, int64_t *limit, int64_t *offset)
{
	werr e = req_query_int(r, "limit", 50, 1, 500, limit);
	return e ? e : req_query_int(r, "offset", 0, 0, INT32_MAX, offset);
}

werr req_body_json(req *r, json_t **out)
{
	return jv_parse(r->body, r->body_len, out);
}

werr req_param_id(req *r, int i, const char *field, int64_t *out)
{
	const char *v = r->param[i];
	char *end;
	long long n = v ? strtoll(v, &end, 10) : 0;
	if (!v || !*v || *end || n <= 0)
		return w_fail(W_ENOTFOUND, "not_found", field, "没有这条记录 / no such record");
	*out = n;
	return WG_OK;
}
