/* routes.c — the route table: method, path, handler, authentication, the roles allowed,
 * the body cap and the body's Content-Type.  Scope to the caller's subtree is enforced in
 * the domain for every record (outside it answers 404); roles here say what kind of work
 * a route is.  tests/unit/test_routes.c checks the table. */
#include "api/routes.h"

#include "api/handlers.h"
#include "domain/epi.h"
#include "domain/files.h"

#define JSON "application/json"
#define CSV "text/csv"
#define BYTES "application/octet-stream" /* a file (files.h): judged by its bytes */

const route routes[] = {
    {M_GET, "/api/v1/health", h_health, AUTH_NONE, 0, 0, NULL},
    {M_POST, "/api/v1/session", h_login, AUTH_NONE, 0, 4096, JSON},
    {M_DELETE, "/api/v1/session", h_logout, AUTH_NONE, 0, 0, NULL},
    {M_GET, "/api/v1/session", h_me, AUTH_SESSION, ROLES_ALL, 0, NULL},

    {M_GET, "/api/v1/units/{code}", h_unit_get, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_GET, "/api/v1/units/{code}/children", h_unit_children, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/units", h_unit_create, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_PATCH, "/api/v1/units/{code}", h_unit_update, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},

    {M_GET, "/api/v1/households", h_household_list, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/households", h_household_create, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/households/{id}", h_household_get, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_PATCH, "/api/v1/households/{id}", h_household_update, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/households/{id}/evidence", h_household_evidence, AUTH_SESSION, ROLES_REGISTRY | R(ROLE_VOLUNTEER), BODY_JSON_MAX, JSON},

    {M_GET, "/api/v1/residents", h_resident_list, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/residents/search", h_resident_search, AUTH_SESSION, ROLES_PEOPLE, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/residents", h_resident_create, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/residents/{id}", h_resident_get, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_PATCH, "/api/v1/residents/{id}", h_resident_update, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},

    {M_GET, "/api/v1/users", h_user_list, AUTH_SESSION, ROLES_USERS, 0, NULL},
    {M_POST, "/api/v1/users", h_user_create, AUTH_SESSION, ROLES_USERS, BODY_JSON_MAX, JSON},
    {M_PATCH, "/api/v1/users/{username}", h_user_update, AUTH_SESSION, ROLES_ALL, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/audit", h_audit_list, AUTH_SESSION, R(ROLE_AUDITOR), 0, NULL},

    {M_POST, "/api/v1/imports/units", h_import_units, AUTH_SESSION, ROLES_TREE, BODY_IMPORT_MAX, CSV},
    {M_POST, "/api/v1/imports/residents", h_import_residents, AUTH_SESSION, ROLES_REGISTRY, BODY_IMPORT_MAX, CSV},
    {M_GET, "/api/v1/progress/{id}", h_progress, AUTH_SESSION, ROLES_ALL, 0, NULL},
    {M_GET, "/api/v1/exports/units", h_export_units, AUTH_SESSION, ROLES_TREE, 0, NULL},
    {M_GET, "/api/v1/exports/residents", h_export_residents, AUTH_SESSION, ROLES_REGISTRY | R(ROLE_COMMAND), 0, NULL},

    {M_POST, "/api/v1/checkins", h_checkin_submit, AUTH_SESSION, ROLES_CHECKIN, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/checkins/chain", h_chain_preview, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/checkins/chain/confirm", h_chain_confirm, AUTH_SESSION, ROLES_REGISTRY, 2 * BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/checkins", h_checkin_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/coverage", h_coverage, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_GET, "/api/v1/coverage/curve", h_coverage_curve, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_GET, "/api/v1/coverage/recount", h_coverage_recount, AUTH_SESSION, ROLES_TREE, 0, NULL},
    {M_GET, "/api/v1/coverage/missing", h_coverage_missing, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/calllist", h_calllist, AUTH_SESSION, ROLES_REGISTRY, 0, NULL},
    {M_GET, "/api/v1/alerts", h_alert_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/alerts/{id}", h_alert_get, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/alerts/{id}/steps", h_alert_step, AUTH_SESSION, ROLES_ROLLCALL, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/residents/{id}/health", h_health_record, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/reminders", h_reminders, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/events", h_events, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/reports/daily", h_report_daily, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},

    {M_POST, "/api/v1/residents/{id}/status", h_status_post, AUTH_SESSION, ROLES_EPI, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/residents/{id}/status", h_status_get, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_GET, "/api/v1/categories", h_categories, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/categories/people", h_category_people, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_GET, "/api/v1/exports/categories", h_export_categories, AUTH_SESSION, ROLES_TREE, 0, NULL},
    {M_POST, "/api/v1/isolations", h_isolation_create, AUTH_SESSION, ROLES_EPI, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/isolations", h_isolation_list, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_GET, "/api/v1/isolations/{id}", h_isolation_get, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_POST, "/api/v1/isolations/{id}", h_isolation_action, AUTH_SESSION, ROLES_EPI, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/followups", h_followup_list, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_POST, "/api/v1/followups/{id}", h_followup_record, AUTH_SESSION, ROLES_EPI, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/lists", h_list_import, AUTH_SESSION, ROLES_EPI, 8 * 1024 * 1024, CSV},
    {M_GET, "/api/v1/lists", h_list_index, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_GET, "/api/v1/lists/{id}", h_list_get, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_GET, "/api/v1/lists/{id}/rows", h_list_rows, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_POST, "/api/v1/lists/{id}/rows/{row}", h_list_resolve, AUTH_SESSION, ROLES_EPI, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/residents/{id}/contacts", h_contact_add, AUTH_SESSION, ROLES_EPI, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/residents/{id}/contacts", h_contact_list, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_POST, "/api/v1/contacts/{id}", h_contact_link, AUTH_SESSION, ROLES_EPI, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/residents/{id}/chain", h_chain_graph, AUTH_SESSION, ROLES_EPI, 0, NULL},
    {M_GET, "/api/v1/tasks", h_task_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/tasks/{id}", h_task_action, AUTH_SESSION, ROLES_EPI, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/units/{code}/lockdown", h_lockdown_get, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/units/{code}/lockdown", h_lockdown_set, AUTH_SESSION, ROLES_EPI | R(ROLE_COMMAND), BODY_JSON_MAX, JSON},

    {M_POST, "/api/v1/households/{id}/link", h_household_link, AUTH_SESSION, ROLES_REGISTRY, 1024, JSON},
    {M_DELETE, "/api/v1/households/{id}/link", h_household_link_revoke, AUTH_SESSION, ROLES_REGISTRY, 0, NULL},
    {M_POST, "/api/v1/units/{code}/link-sheet", h_link_sheet, AUTH_SESSION, ROLES_REGISTRY, 1024, JSON},
    {M_GET, "/api/v1/household-link", h_link_household, AUTH_LINK, 0, 0, NULL},
    {M_POST, "/api/v1/household-link/checkins", h_link_checkin, AUTH_LINK, 0, 8192, JSON},

    /* closed compounds (issue 16): gates are set up by the tree's roles, worked by anyone
     * who records check-ins (guards, volunteers on duty, the grid); scope is the gate's compound */
    {M_GET, "/api/v1/gates", h_gate_list, AUTH_SESSION, ROLES_CHECKIN | R(ROLE_COMMAND), 0, NULL},
    {M_POST, "/api/v1/gates", h_gate_create, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_PATCH, "/api/v1/gates/{id}", h_gate_update, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/gates/{id}/state", h_gate_state, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/gates/{id}/now", h_gate_now, AUTH_SESSION, ROLES_CHECKIN | R(ROLE_COMMAND), 0, NULL},
    {M_GET, "/api/v1/compounds/{code}/now", h_compound_now, AUTH_SESSION, ROLES_CHECKIN | R(ROLE_COMMAND), 0, NULL},
    {M_POST, "/api/v1/compounds/{code}/rules", h_compound_rules, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/buildings/{code}/windows", h_building_windows_get, AUTH_SESSION, ROLES_CHECKIN | R(ROLE_COMMAND), 0, NULL},
    {M_POST, "/api/v1/buildings/{code}/windows", h_building_windows, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/passages", h_passage_create, AUTH_SESSION, ROLES_CHECKIN, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/passages", h_passage_list, AUTH_SESSION, ROLES_CHECKIN | R(ROLE_COMMAND), 0, NULL},
    {M_POST, "/api/v1/households/{id}/pass", h_pass_issue, AUTH_SESSION, ROLES_REGISTRY, 1024, JSON},
    {M_DELETE, "/api/v1/passes/{id}", h_pass_revoke, AUTH_SESSION, ROLES_REGISTRY, 0, NULL},
    {M_POST, "/api/v1/passes/scan", h_pass_scan, AUTH_SESSION, ROLES_CHECKIN, 1024, JSON},

    /* supplies (issue 17): the tree's roles set up suppliers, packages and rounds; the grid
     * orders for households; whoever carries goods (volunteers, guards) moves the delivery
     * states; errands and their cash are the grid's and its volunteers'.  Scope: the record's
     * unit path (a round above the actor is visible, its orders only in the actor's subtree) */
    {M_GET, "/api/v1/supply/suppliers", h_supplier_list, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/supply/suppliers", h_supplier_create, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_PATCH, "/api/v1/supply/suppliers/{id}", h_supplier_update, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/supply/packages", h_package_list, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/supply/packages", h_package_create, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_PATCH, "/api/v1/supply/packages/{id}", h_package_update, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/supply/rounds", h_round_list, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/supply/rounds", h_round_create, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/supply/rounds/{id}", h_round_get, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/supply/rounds/{id}/close", h_round_close, AUTH_SESSION, ROLES_TREE, 1024, JSON},
    {M_POST, "/api/v1/supply/rounds/{id}/orders", h_order_put, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/supply/rounds/{id}/orders", h_round_sheet, AUTH_SESSION, ROLES_CHECKIN, 0, NULL},
    {M_GET, "/api/v1/supply/rounds/{id}/picking", h_round_picking, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/supply/rounds/{id}/advance", h_round_advance, AUTH_SESSION, ROLES_CHECKIN, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/supply/orders/{id}", h_order_get, AUTH_SESSION, ROLES_CHECKIN, 0, NULL},
    {M_POST, "/api/v1/supply/orders/{id}/state", h_order_step, AUTH_SESSION, ROLES_CHECKIN, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/supply/households/{id}", h_household_supply, AUTH_SESSION, ROLES_REGISTRY | R(ROLE_VOLUNTEER), 0, NULL},
    {M_GET, "/api/v1/errands/cash", h_errand_cash, AUTH_SESSION, ROLES_ROLLCALL | R(ROLE_VOLUNTEER), 0, NULL},
    {M_GET, "/api/v1/errands/medicine", h_errand_medicine, AUTH_SESSION, ROLES_REGISTRY, 0, NULL},
    {M_GET, "/api/v1/errands", h_errand_list, AUTH_SESSION, ROLES_REGISTRY | R(ROLE_VOLUNTEER), 0, NULL},
    {M_POST, "/api/v1/errands", h_errand_create, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/errands/{id}", h_errand_get, AUTH_SESSION, ROLES_REGISTRY | R(ROLE_VOLUNTEER), 0, NULL},
    {M_POST, "/api/v1/errands/{id}/ledger", h_errand_ledger, AUTH_SESSION, ROLES_REGISTRY | R(ROLE_VOLUNTEER), BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/errands/{id}/close", h_errand_close, AUTH_SESSION, ROLES_REGISTRY, 1024, JSON},
    {M_GET, "/api/v1/household-link/supply", h_link_supply, AUTH_LINK, 0, 0, NULL},
    {M_POST, "/api/v1/household-link/supply/rounds/{id}/orders", h_link_order, AUTH_LINK, 0, 8192, JSON},
    {M_POST, "/api/v1/household-link/errands", h_link_errand, AUTH_LINK, 0, 8192, JSON},

    /* help requests, the hotline, leads and notices (issue 18): requests are worked by the
     * registry's roles (the grid, the community's secretary), seen by command too; notices
     * are sent by anyone who works the registry or commands; scope is the household's unit */
    {M_POST, "/api/v1/requests", h_help_create, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/requests", h_help_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/requests/{id}", h_help_get, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/requests/{id}/steps", h_help_step, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/requests/{id}/merge", h_help_merge, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/calls", h_call_log, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/calls", h_call_counts, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/help/counts", h_help_counts, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/leads", h_lead_create, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/leads", h_lead_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/leads/{id}", h_lead_resolve, AUTH_SESSION, ROLES_EPI, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/notices", h_notice_create, AUTH_SESSION, ROLES_ROLLCALL, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/notices", h_notice_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/notices/{id}/reach", h_notice_reach, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/notices/{id}/poster", h_notice_poster, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/public-notices/{token}", h_notice_public, AUTH_NONE, 0, 0, NULL},
    {M_GET, "/api/v1/household-link/requests", h_link_requests, AUTH_LINK, 0, 0, NULL},
    {M_POST, "/api/v1/household-link/requests", h_link_request_create, AUTH_LINK, 0, 8192, JSON},
    {M_POST, "/api/v1/household-link/requests/{id}/rating", h_link_request_rate, AUTH_LINK, 0, 4096, JSON},
    {M_POST, "/api/v1/household-link/leads", h_link_lead, AUTH_LINK, 0, 8192, JSON},
    {M_GET, "/api/v1/household-link/notices", h_link_notices, AUTH_LINK, 0, 0, NULL},
    {M_POST, "/api/v1/household-link/notices/{id}/read", h_link_notice_read, AUTH_LINK, 0, 256, JSON},

    /* staffing the grids (issue 19): read by whoever works the roll-call; people, posts,
     * pairs, teams, shifts and rosters set by the community's roles and grid leaders;
     * duty checked in by the person on the roster (any role that works at a door or gate);
     * volunteer sign-up public behind the community's link token.  Scope: the staff
     * member's unit, the shift's unit, the building. */
    {M_GET, "/api/v1/staff", h_staff_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/staff", h_staff_create, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), BODY_JSON_MAX, JSON},
    {M_PATCH, "/api/v1/staff/{id}", h_staff_update, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/staff/{id}/assignments", h_staff_assign, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/pairs", h_pair_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/pairs", h_pair_create, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), BODY_JSON_MAX, JSON},
    {M_DELETE, "/api/v1/pairs/{id}", h_pair_delete, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), 0, NULL},
    {M_GET, "/api/v1/teams", h_team_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/teams", h_team_add, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/vacancies", h_vacancy_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/workload", h_workload, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/shifts", h_shift_list, AUTH_SESSION, ROLES_CHECKIN | R(ROLE_COMMAND), 0, NULL},
    {M_POST, "/api/v1/shifts", h_shift_create, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/rosters", h_roster_list, AUTH_SESSION, ROLES_CHECKIN | R(ROLE_COMMAND), 0, NULL},
    {M_POST, "/api/v1/rosters", h_roster_create, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/rosters/{id}/swap", h_roster_swap, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/rosters/{id}/duty", h_roster_duty, AUTH_SESSION, ROLES_CHECKIN, 1024, JSON},
    {M_POST, "/api/v1/units/{code}/volunteer-link", h_volunteer_link, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), 1024, JSON},
    {M_POST, "/api/v1/volunteer-signup", h_volunteer_signup, AUTH_NONE, 0, 4096, JSON},

    /* the hardship fund and the merchants (issue 17, part 5) */
    {M_GET, "/api/v1/aid", h_aid_list, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/aid/funds", h_aid_fund_create, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/aid/funds/{id}/grants", h_aid_grant, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/merchants", h_merchant_list, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_GET, "/api/v1/merchants/card", h_merchant_card, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/merchants", h_merchant_create, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/merchants/caps", h_merchant_cap, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/merchants/{id}/prices", h_merchant_price, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/merchants/{id}/complaints", h_merchant_complaint, AUTH_SESSION, ROLES_REGISTRY | R(ROLE_VOLUNTEER), BODY_JSON_MAX, JSON},

    /* files on notices and help requests (issue 18, second part; files.h): added by whoever
     * may change the record, read by whoever may read it — the record's own scope */
    {M_POST, "/api/v1/notices/{id}/files", h_notice_file_add, AUTH_SESSION, ROLES_ROLLCALL, FILES_MAX, BYTES},
    {M_GET, "/api/v1/notices/{id}/files/{file}", h_notice_file_get, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/household-link/notices/{id}/files/{file}", h_link_notice_file, AUTH_LINK, 0, 0, NULL},
    {M_GET, "/api/v1/public-notices/{token}/files/{file}", h_public_notice_file, AUTH_NONE, 0, 0, NULL},
    {M_POST, "/api/v1/requests/{id}/files", h_help_file_add, AUTH_SESSION, ROLES_REGISTRY, FILES_MAX, BYTES},
    {M_GET, "/api/v1/requests/{id}/files/{file}", h_help_file_get, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_POST, "/api/v1/household-link/requests/{id}/files", h_link_request_file_add, AUTH_LINK, 0, FILES_MAX, BYTES},
    {M_GET, "/api/v1/household-link/requests/{id}/files/{file}", h_link_request_file_get, AUTH_LINK, 0, 0, NULL},
    /* named essential-staff passes (通行证, issue 16): issued and revoked by the community or
     * the street; listed for whoever works the gates */
    {M_POST, "/api/v1/staff-passes", h_staff_pass_issue, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/staff-passes", h_staff_pass_list, AUTH_SESSION, ROLES_CHECKIN | R(ROLE_COMMAND), 0, NULL},
    {M_DELETE, "/api/v1/staff-passes/{id}", h_staff_pass_revoke, AUTH_SESSION, ROLES_TREE, 0, NULL},
    /* the duplicate-ID review (issue 14): registrations held because their ID number is
     * registered outside the registering account's scope; community accounts over the
     * household decide, the other registry roles see (and correct) what is returned to them */
    {M_GET, "/api/v1/id-reviews", h_idreview_list, AUTH_SESSION, ROLES_REGISTRY, 0, NULL},
    {M_GET, "/api/v1/id-reviews/{id}", h_idreview_get, AUTH_SESSION, ROLES_REGISTRY, 0, NULL},
    {M_POST, "/api/v1/id-reviews/{id}", h_idreview_decide, AUTH_SESSION, R(ROLE_COMMUNITY), BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/id-reviews/{id}/correction", h_idreview_correct, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    /* staffing, part 2 (issue 19): the counters against a recount (as coverage/recount);
     * staff's own daily temperature — their own record from any role that has one, or
     * recorded for them by the community's roles and grid leaders; who has not reported;
     * how vacancies were filled */
    {M_GET, "/api/v1/staff/counters", h_staff_counters, AUTH_SESSION, ROLES_TREE, 0, NULL},
    {M_GET, "/api/v1/staff/me", h_staff_me, AUTH_SESSION, ROLES_PEOPLE, 0, NULL},
    {M_POST, "/api/v1/staff/me/health", h_staff_health_me, AUTH_SESSION, ROLES_PEOPLE, 1024, JSON},
    {M_POST, "/api/v1/staff/{id}/health", h_staff_health, AUTH_SESSION, ROLES_TREE | R(ROLE_GRID_LEADER), 1024, JSON},
    {M_GET, "/api/v1/staff/unreported", h_staff_unreported, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    {M_GET, "/api/v1/vacancies/history", h_vacancy_history, AUTH_SESSION, ROLES_ROLLCALL, 0, NULL},
    /* after-sales of an order (issue 17, supply2): reported by whoever hears of it — the grid,
     * a volunteer at the door, the household on its link page — answered by the grid */
    {M_POST, "/api/v1/supply/orders/{id}/aftersales", h_aftersale_report, AUTH_SESSION, ROLES_REGISTRY | R(ROLE_VOLUNTEER), BODY_JSON_MAX, JSON},
    {M_POST, "/api/v1/supply/aftersales/{id}/resolve", h_aftersale_resolve, AUTH_SESSION, ROLES_REGISTRY, BODY_JSON_MAX, JSON},
    {M_GET, "/api/v1/supply/rounds/{id}/aftersales", h_aftersale_list, AUTH_SESSION, ROLES_CHECKIN, 0, NULL},
    {M_POST, "/api/v1/household-link/supply/orders/{id}/aftersales", h_link_aftersale, AUTH_LINK, 0, 8192, JSON},
    /* the round's cash handed over to the supplier (issue 17, supply4): recorded by the tree's
     * roles, who pay the suppliers; read where the cash in hand is (ROLLCALL + volunteer) */
    {M_GET, "/api/v1/supply/rounds/{id}/handovers", h_handover_list, AUTH_SESSION, ROLES_ROLLCALL | R(ROLE_VOLUNTEER), 0, NULL},
    {M_POST, "/api/v1/supply/rounds/{id}/handovers", h_handover_create, AUTH_SESSION, ROLES_TREE, BODY_JSON_MAX, JSON},
    /* who commits to the store and what it costs the writer's cache (issue 22: the soak's columns) */
    {M_GET, "/api/v1/health/store", h_health_store, AUTH_SESSION, R(ROLE_ADMIN), 0, NULL},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
/* polled by command screens and workers' apps: coverage, its curve, the missing list */
static const handler_fn reads[] = {h_coverage, h_coverage_curve, h_coverage_missing};
const route_table api_routes = {routes, sizeof routes / sizeof routes[0], reads, sizeof reads / sizeof reads[0]};
