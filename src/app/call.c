/* call.c — see app_call in req.h. */
#include "app/req.h"

/* The deferred job of a read: only its audit rows; the answer is already built. */
static werr audit_only_job(const actor *ac, void *plan, json_t **out)
{
	(void)out;
	return audit_write(ac->d, plan);
}

werr app_call(req *r, handler_fn fn)
{
	audit_collect_begin(r->a);
	werr e = fn(r);
	audit_row *rows = audit_collect_end();
	if (rows && (e || r->defer || r->slow || r->sse || r->raw)) {
		/* rare: write them here (errors, hand-overs, streams, downloads) */
		werr ae = audit_write(r->d, rows);
		if (!e && ae)
			e = ae;
	} else if (rows) {
		r->defer = audit_only_job;
		r->defer_plan = rows;
	}
	return e;
}
