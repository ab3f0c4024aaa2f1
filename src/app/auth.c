/* auth.c — see auth.h. */
#include "app/auth.h"

#include <string.h>

#include "domain/accounts.h"
#include "domain/links.h"

werr app_authorise(db *d, arena *a, const auth_in *in, actor *ac, int64_t *link_household)
{
	if (in->auth == AUTH_NONE)
		return WG_OK;
	if (in->auth == AUTH_LINK)
		return link_actor(d, a, in->household, in->source, ac, link_household);
	werr e = acct_session(d, a, in->token, in->source, ac);
	if (e)
		return e;
	/* A cookie is sent by the browser on its own: changes need the app's own header,
	 * which another site cannot add without a CORS preflight we never grant. */
	if (in->cookie && in->changes && (!in->x_wangge || strcmp(in->x_wangge, "1") != 0))
		return w_fail(W_EFORBIDDEN, "csrf", NULL, "missing X-Wangge header on a cookie-authenticated change");
	if (!(in->roles & R(ac->role))) {
		audit(ac, "access", "route", 0, in->pattern, "denied");
		return w_fail(W_EFORBIDDEN, "forbidden", NULL, "你的角色没有这个权限 / your role (%s) may not do this",
		              role_name(ac->role));
	}
	return WG_OK;
}
