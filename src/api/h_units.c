/* h_units.c — the grid tree over HTTP. */
#include <string.h>

#include "api/handlers.h"
#include "domain/units.h"

werr h_unit_get(req *r)
{
	return unit_get(&r->ac, r->param[0], &r->json);
}

werr h_unit_children(req *r)
{
	const char *ret = req_query(r, "retired");
	return unit_children(&r->ac, r->param[0], ret && strcmp(ret, "1") == 0, &r->json);
}

werr h_unit_create(req *r)
{
	return api_body(r, unit_create);
}

werr h_unit_update(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = unit_update(&r->ac, r->param[0], body, &r->json);
	json_decref(body);
	return e;
}
