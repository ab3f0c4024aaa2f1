/* call.c — the two shapes most write handlers share: a JSON body handed to a domain call,
 * with or without the {id} of the path. */
#include "api/handlers.h"

werr api_body(req *r, api_body_fn fn)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = fn(&r->ac, body, &r->json);
	json_decref(body);
	if (!e)
		r->status = 201;
	return e;
}

werr api_id_body(req *r, const char *field, api_id_body_fn fn)
{
	int64_t id;
	json_t *body;
	werr e = req_param_id(r, 0, field, &id);
	if (e || (e = req_body_json(r, &body)))
		return e;
	e = fn(&r->ac, id, body, &r->json);
	json_decref(body);
	return e;
}
