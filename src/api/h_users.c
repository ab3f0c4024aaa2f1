/* h_users.c — accounts and the audit log over HTTP. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "domain/accounts.h"

werr h_user_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : acct_list(&r->ac, req_query(r, "unit"), limit, offset, &r->json);
}

werr h_user_create(req *r)
{
	return api_body(r, acct_add);
}

werr h_user_update(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = acct_update(&r->ac, r->param[0], body, &r->json);
	json_decref(body);
	return e;
}

werr h_audit_list(req *r)
{
	int64_t limit, offset, since;
	werr e = req_paging(r, &limit, &offset);
	if (e || (e = req_query_int(r, "since", 0, 0, INT64_MAX, &since)))
		return e;
	return audit_list(&r->ac, since, req_query(r, "username"), req_query(r, "entity"), limit, offset, &r->json);
}
