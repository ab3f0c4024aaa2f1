/* epi.h — the four categories (四类人员) and everyone observed because of them: each
 * person's epidemic category with an append-only history (who, when, why, before/after),
 * the allowed transitions, isolations (home, centralised, hospital) with their planned end
 * and extensions, the household rule, follow-up slots twice a day (due, done, overdue),
 * and the counts every level lives by (应收尽收: people in the four categories not yet
 * admitted anywhere).  Lists from other agencies are in agency.h; contacts, chains, tasks
 * and lockdown levels in response.h. */
#ifndef WG_EPI_H
#define WG_EPI_H
#include <jansson.h>
#include <stdbool.h>

#include "domain/actor.h"

/* Roles that see named people in the categories and change them. */
#define ROLES_EPI ROLES_REGISTRY

bool epi_category_valid(const char *c);
bool epi_in_four(const char *c); /* confirmed suspected fever_unexcluded close_contact */

/* Current category of a resident (arena copy) or NULL. */
/* The person's current category into *out (arena copy), NULL when they have none; a
 * failed read is an error, never "no category". */
werr epi_current(const actor *ac, int64_t resident_id, const char **out);

enum {
	EPI_FORCE = 1, /* any transition (a correction) */
	EPI_SKIP = 2,   /* a refused or same-category change is skipped, not an error */
	EPI_UP_ONLY = 4 /* skipped too when the person is already in a graver category */
};
/* Inside the caller's transaction: change the resident's category, append the history,
 * and run what follows a confirmation (response.h).  *changed tells whether it happened;
 * extra (may be NULL) receives `household_observed` and `tasks` of a confirmation, and `at`:
 * the time stored as the change's (its history row's and the category's since). */
werr epi_change_tx(const actor *ac, int64_t resident_id, const char *to, const char *reason,
                   const char *note, const char *source, int flags, bool *changed, json_t *extra);

werr epi_status_post(const actor *ac, int64_t resident_id, json_t *body, json_t **out);
werr epi_status_get(const actor *ac, int64_t resident_id, json_t **out);
werr epi_counts(const actor *ac, const char *unit_code, json_t **out);
werr epi_people(const actor *ac, const char *unit_code, const char *category, int64_t limit,
                int64_t offset, json_t **out);
/* CSV or XLSX of the named people into path; purpose is audited. */
werr epi_export(const actor *ac, const char *unit_code, const char *category, const char *purpose,
                bool xlsx, const char *path);
/* The fever alert's outcome moves the person (inside the alert step's transaction). */
werr epi_from_alert_tx(const actor *ac, int64_t resident_id, int64_t alert_id, const char *outcome);

/* An isolation to start inside the caller's transaction. */
typedef struct {
	int64_t resident_id;
	const char *kind, *site, *start_day, *source, *note;
	int days;          /* 0: the category's setting */
	int64_t worker_id; /* 0: the grid worker of the household's grid, else the actor */
	int household;     /* -1: the rule, 0 no, 1 yes */
	bool notice;
} iso_req;
/* *iso_id receives it (0 when the person already has one and skip_active is true). */
werr iso_start_tx(const actor *ac, const iso_req *q, bool skip_active, int64_t *iso_id,
                  json_t *household_ids);
werr iso_post(const actor *ac, json_t *body, json_t **out);
werr iso_get(const actor *ac, int64_t id, json_t **out);
werr iso_list(const actor *ac, const char *unit_code, const char *state, int64_t limit,
              int64_t offset, json_t **out);
werr iso_action(const actor *ac, int64_t id, json_t *body, json_t **out);
werr fu_list(const actor *ac, const char *unit_code, const char *state, const char *worker,
             const char *day, int64_t limit, int64_t offset, json_t **out);
werr fu_record(const actor *ac, int64_t id, json_t *body, json_t **out);
/* Whether anyone in the household has an active isolation, into *out (district: the
 * household's when known, so that Citus asks one shard; 0 when not). */
werr household_isolated(db *d, int64_t household_id, int64_t district, bool *out);
/* Active isolation summary of a resident, or json null, into *out (new reference). */
werr epi_isolation_brief(db *d, int64_t resident_id, json_t **out);
#endif
