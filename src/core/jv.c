/* jv.c — strict request JSON; see jv.h. */
#include "core/jv.h"

#include <string.h>

#include "core/utf8.h"

/* Nesting depth of JSON text, ignoring brackets inside strings. */
static int json_depth(const char *s, size_t n)
{
	int depth = 0, max = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return max;
}

werr jv_parse(const char *body, size_t len, json_t **out)
{
	*out = NULL;
	if (!body || len == 0)
		return w_fail(W_EBADJSON, "bad_json", NULL, "请求体为空 / request body is empty");
	if (json_depth(body, len) > JV_MAX_DEPTH)
		return w_fail(W_EBADJSON, "bad_json", NULL, "JSON nested deeper than %d", JV_MAX_DEPTH);
	json_error_t je;
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return w_fail(W_EBADJSON, "bad_json", NULL, "JSON 格式错误 / invalid JSON at line %d column %d: %s",
		              je.line, je.column, je.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return w_fail(W_EBADJSON, "bad_json", NULL, "request body must be a JSON object");
	}
	*out = j;
	return WG_OK;
}

werr jv_only(json_t *o, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0) {
				ok = true;
				break;
			}
		if (!ok) {
			char shown[48];
			size_t k = strlen(key);
			if (k >= sizeof shown || !utf8_no_controls(key))
				return w_fail(W_EINVAL, "unknown_field", NULL, "unknown field in request");
			memcpy(shown, key, k + 1);
			return w_fail(W_EINVAL, "unknown_field", shown, "未知字段 / unknown field: %s", shown);
		}
	}
	return WG_OK;
}

werr jv_str(json_t *o, const char *key, bool required, size_t maxchars, const char **out)
{
	*out = NULL;
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (required)
			return w_fail(W_EINVAL, "required", key, "缺少必填字段 / %s is required", key);
		return WG_OK;
	}
	if (!json_is_string(v))
		return w_fail(W_EINVAL, "wrong_type", key, "%s must be a string", key);
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return w_fail(W_EINVAL, "invalid_text", key, "%s contains a NUL character", key);
	if (!utf8_no_controls(s))
		return w_fail(W_EINVAL, "invalid_text", key, "%s contains control characters", key);
	if (utf8_len(s) > maxchars)
		return w_fail(W_EINVAL, "too_long", key, "%s is longer than %zu characters", key, maxchars);
	if (required && !*s)
		return w_fail(W_EINVAL, "required", key, "缺少必填字段 / %s is required", key);
	*out = s;
	return WG_OK;
}

werr jv_int(json_t *o, const char *key, bool required, int64_t min, int64_t max, int64_t *out,
            bool *present)
{
	json_t *v = json_object_get(o, key);
	if (present)
		*present = false;
	if (!v || json_is_null(v)) {
		if (required)
			return w_fail(W_EINVAL, "required", key, "%s is required", key);
		return WG_OK;
	}
	if (!json_is_integer(v))
		return w_fail(W_EINVAL, "wrong_type", key, "%s must be an integer", key);
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return w_fail(W_EINVAL, "out_of_range", key, "%s must be between %lld and %lld", key,
		              (long long)min, (long long)max);
	*out = n;
	if (present)
		*present = true;
	return WG_OK;
}

werr jv_bool(json_t *o, const char *key, bool *out, bool *present)
{
	json_t *v = json_object_get(o, key);
	if (present)
		*present = false;
	if (!v || json_is_null(v))
		return WG_OK;
	if (!json_is_boolean(v))
		return w_fail(W_EINVAL, "wrong_type", key, "%s must be true or false", key);
	*out = json_is_true(v);
	if (present)
		*present = true;
	return WG_OK;
}

json_t *jv_text(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *jv_page(json_t *items, int64_t total, int64_t limit, int64_t offset)
{
	return json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total, "limit", (json_int_t)limit,
	                 "offset", (json_int_t)offset);
}
