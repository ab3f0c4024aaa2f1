/* h_session.c — login, logout, who am I, health. */
#include <microhttpd.h>
#include <string.h>

#include "api/handlers.h"
#include "core/jv.h"
#include "domain/accounts.h"
#include "http/server.h"

/* Secure when the public URL is https (behind a TLS proxy the server itself speaks HTTP). */
static const char *cookie_secure(void)
{
	const char *u = server_public_url();
	return u && strncmp(u, "https://", 8) == 0 ? "; Secure" : "";
}

werr h_health(req *r)
{
	r->json = json_pack("{s:s}", "status", "ok");
	return WG_OK;
}

werr h_login(req *r)
{
	static const char *const allowed[] = {"username", "password", NULL};
	json_t *body;
	const char *user, *pw, *token;
	json_t *u;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "username", true, 64, &user)) ||
	    (e = jv_str(body, "password", true, 256, &pw)) ||
	    (e = acct_login(r->d, r->a, user, pw, r->source, &token, &u))) {
		json_decref(body);
		return e;
	}
	json_decref(body);
	r->json = json_pack("{s:s,s:o,s:i,s:i}", "token", token, "user", u, "idle_timeout_s",
	                    SESSION_IDLE_S, "max_age_s", SESSION_MAX_S);
	r->cookie = arena_printf(r->a, "wg_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", token,
	                         SESSION_MAX_S, cookie_secure());
	r->status = 201;
	return WG_OK;
}

werr h_logout(req *r)
{
	const char *x = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Wangge");
	if (r->cookie_auth && (!x || strcmp(x, "1") != 0))
		return w_fail(W_EFORBIDDEN, "csrf", NULL, "missing X-Wangge header on a cookie-authenticated change");
	werr e = acct_logout(r->d, r->token);
	if (e)
		return e;
	r->cookie = arena_printf(r->a, "wg_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", cookie_secure());
	r->json = json_pack("{s:b}", "logged_out", 1);
	return WG_OK;
}

werr h_me(req *r)
{
	r->json = acct_me(&r->ac);
	return WG_OK;
}
