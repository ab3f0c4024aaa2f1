/* links.h — household links: each household gets a secret link (and a QR code to stick on
 * the door) that opens a no-login page where the family reports for each member.  The
 * token (128 random bits) travels in the URL fragment, so it never reaches a server log;
 * only its hash is stored; a new link revokes the old one.  Guessing is throttled per
 * client address. */
#ifndef WG_LINKS_H
#define WG_LINKS_H
#include <jansson.h>

#include "domain/actor.h"

/* Issue (or reissue) the link of a household: *out = {"household_id","url","token","svg"}.
 * base is the origin the URL starts with ("http://host:port"). */
werr link_issue(const actor *ac, int64_t household_id, const char *base, json_t **out);
werr link_revoke(const actor *ac, int64_t household_id);
/* Reissue the links of every household under a building (or any unit) and answer a
 * printable HTML sheet, one QR code per household (malloc'd into *html). */
werr link_sheet(const actor *ac, const char *unit_code, const char *base, char **html, size_t *len);

/* The no-login side.  A token resolves to an actor that can reach only its household. */
werr link_actor(db *d, arena *a, const char *token, const char *source, actor *out, int64_t *household_id);
werr link_household(const actor *ac, int64_t household_id, json_t **out);
werr link_checkin(const actor *ac, int64_t household_id, json_t *body, json_t **out);
#endif
