/* aid.h — the hardship fund and the merchants of a closed compound (issue 17, part 5):
 * a fund per community with a budget in fen, and what each household received from it and
 * when, never past the budget; merchants inside or near the compound with their phone
 * numbers, a price board checked against the community's maximum markup per product class
 * (breaches flagged), complaints recorded, and a printable shop card for elders.
 * Free meals for elders living alone are recurring meal errands (supply.h, every_days 1).
 * Docs: docs/api.md section 13.5. */
#ifndef WG_AID_H
#define WG_AID_H
#include <jansson.h>

#include "domain/actor.h"

werr aid_fund_create(const actor *ac, json_t *body, json_t **out);
werr aid_list(const actor *ac, const char *unit_code, json_t **out);
werr aid_grant(const actor *ac, int64_t fund_id, json_t *body, json_t **out);

werr merchant_create(const actor *ac, json_t *body, json_t **out);
werr merchant_list(const actor *ac, const char *unit_code, json_t **out);
werr merchant_cap_set(const actor *ac, json_t *body, json_t **out);
werr merchant_price(const actor *ac, int64_t id, json_t *body, json_t **out);
werr merchant_complaint(const actor *ac, int64_t id, json_t *body, json_t **out);
/* The shop card: every merchant's name and phone in large type (malloc'd HTML). */
werr merchant_card(const actor *ac, const char *unit_code, char **html, size_t *len);
#endif
