/* supply.h — keeping closed homes supplied (保供, issue 17): suppliers and their packages
 * (prices in fen, integers only), group-buying rounds per community or compound with an
 * ordering window, a cut-off, the resting time after disinfection and pickup slots per
 * building; one order per household and round, placed by a grid worker or by the
 * household's own link, changed until the cut-off; each order in exactly one delivery
 * state, moved forward one step at a time (ordered → paid → received → disinfected →
 * at_door → delivered | collected), at_door not before the rest is over; the picking list
 * per building and entrance and the delivery sheet per household (JSON, HTML, XLSX);
 * proxy purchases (代购 errands) with a cash ledger in fen that must balance to close, and
 * every person's cash in hand.  Docs: docs/api.md section "Supplies". */
#ifndef WG_SUPPLY_H
#define WG_SUPPLY_H
#include <jansson.h>

#include "domain/actor.h"

werr supplier_list(const actor *ac, const char *unit_code, json_t **out);
werr supplier_create(const actor *ac, json_t *body, json_t **out);
werr package_list(const actor *ac, const char *unit_code, json_t **out);
werr package_create(const actor *ac, json_t *body, json_t **out);
/* Partial updates (docs/api.md 13.1): the fields given, validated as on create.  A package
 * offered in a round keeps its supplier; its price and contents do not change while a round
 * still taking orders has a live order of it (409 package_ordered). */
werr supplier_update(const actor *ac, int64_t id, json_t *body, json_t **out);
werr package_update(const actor *ac, int64_t id, json_t *body, json_t **out);

werr round_list(const actor *ac, const char *unit_code, json_t **out);
werr round_create(const actor *ac, json_t *body, json_t **out);
/* A round with its packages, slots and, for the subtree at unit_code (NULL: the round's
 * unit, or the actor's own when lower), households ordered / total and orders by state. */
werr round_get(const actor *ac, int64_t id, const char *unit_code, json_t **out);
werr round_close(const actor *ac, int64_t id, json_t *body, json_t **out);

/* An order of a household (body.household_id; link_hh > 0: the household link's own, and
 * household_id is not taken).  *created is false when client_id named an order already
 * stored, or the household's order was changed. */
werr order_put(const actor *ac, int64_t round_id, int64_t link_hh, json_t *body, json_t **out, bool *created);
werr order_get(const actor *ac, int64_t id, json_t **out);
werr order_step(const actor *ac, int64_t id, json_t *body, json_t **out);
/* Every order of the subtree body.unit in the step before body.to, moved to it. */
werr round_advance(const actor *ac, int64_t round_id, json_t *body, json_t **out);

typedef enum { SUP_JSON, SUP_HTML, SUP_XLSX } sup_format;
/* The picking list (totals per package per entrance, building and the whole subtree) and the
 * delivery sheet (one row per household).  JSON into *out; HTML into *raw (malloc'd); XLSX
 * to the file at path. */
werr round_picking(const actor *ac, int64_t id, const char *unit_code, sup_format f, const char *path,
                   json_t **out, char **raw, size_t *raw_len);
werr round_sheet(const actor *ac, int64_t id, const char *unit_code, const char *state, sup_format f,
                 const char *path, json_t **out, char **raw, size_t *raw_len);

/* After-sales (售后) of a delivered order: reported by a worker or volunteer, or by the
 * household's own link (link_hh > 0: only its own orders); answered replaced, refunded (fen,
 * never past the order's total) or rejected; listed per round with the figures. */
werr aftersale_report(const actor *ac, int64_t order_id, int64_t link_hh, json_t *body, json_t **out, bool *created);
werr aftersale_resolve(const actor *ac, int64_t id, json_t *body, json_t **out);
werr aftersale_list(const actor *ac, int64_t round_id, const char *unit_code, const char *state, json_t **out);

/* What a household's page shows: the open rounds it may order in, its orders, its errands. */
werr household_supply(const actor *ac, int64_t household_id, json_t **out);

werr errand_create(const actor *ac, int64_t link_hh, json_t *body, json_t **out, bool *created);
werr errand_get(const actor *ac, int64_t id, json_t **out);
werr errand_list(const actor *ac, const char *unit_code, const char *state, const char *kind, int64_t limit,
                 int64_t offset, json_t **out);
werr errand_ledger_add(const actor *ac, int64_t id, json_t *body, json_t **out);
werr errand_close(const actor *ac, int64_t id, json_t *body, json_t **out);
/* Cash in hand per person over the errands and round orders of the subtree (user: that
 * person's alone, with their entries). */
werr errand_cash(const actor *ac, const char *unit_code, const char *user, json_t **out);
/* The round's cash handed over to its supplier (docs/api.md 13.7): each person's part of the
 * round's cash and the handovers; a handover is refused past what the holder has of it. */
werr handover_list(const actor *ac, int64_t round_id, const char *unit_code, json_t **out);
werr handover_create(const actor *ac, int64_t round_id, json_t *body, json_t **out);
werr errand_medicine(const actor *ac, const char *unit_code, json_t **out);

/* The qinghe demo's round: two supermarkets, three packages, 931 households ordered (fewer
 * in a smaller demo), part of it delivered, and some errands; inside the demo's transaction. */
werr supply_demo_qinghe(const actor *ac, int64_t community_id);
/* A round of the community unit_code in which every household with people ordered (paid; every seventh in
 * cash), written through the same order code as the API, for the picking bench; *round_id: the
 * round, *made: the orders written.  Commits every 20,000 orders. */
werr supply_demo_round(const actor *ac, const char *unit_code, int64_t *round_id, int64_t *made);
/* The liyuan demo's 12 merchants with their price board (one breach) and free meals for
 * five elders living alone (recurring meal errands). */
werr supply_demo_liyuan(const actor *ac, int64_t community_id);
#endif
