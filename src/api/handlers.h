/* handlers.h — the HTTP handlers, one file per resource (h_*.c); each turns a request into
 * a domain call and the domain's JSON into the answer.  Routes are in routes.c. */
#ifndef WG_HANDLERS_H
#define WG_HANDLERS_H
#include "app/req.h"

/* Shared by the handlers (call.c): a JSON body to a domain call (201 on success), and the
 * path's {id} with a JSON body (the status is the caller's). */
typedef werr (*api_body_fn)(const actor *, json_t *, json_t **);
typedef werr (*api_id_body_fn)(const actor *, int64_t, json_t *, json_t **);
werr api_body(req *r, api_body_fn fn);
werr api_id_body(req *r, const char *field, api_id_body_fn fn);

werr h_login(req *r);
werr h_logout(req *r);
werr h_me(req *r);

werr h_unit_get(req *r);
werr h_unit_children(req *r);
werr h_unit_create(req *r);
werr h_unit_update(req *r);

werr h_household_list(req *r);
werr h_household_get(req *r);
werr h_household_create(req *r);
werr h_household_update(req *r);
werr h_household_evidence(req *r);

werr h_resident_list(req *r);
werr h_resident_search(req *r);
werr h_resident_get(req *r);
werr h_resident_create(req *r);
werr h_resident_update(req *r);

werr h_user_list(req *r);
werr h_user_create(req *r);
werr h_user_update(req *r);
werr h_audit_list(req *r);

werr h_import_units(req *r);
werr h_import_residents(req *r);
werr h_progress(req *r);
werr h_export_units(req *r);
werr h_export_residents(req *r);

werr h_health(req *r);
werr h_health_store(req *r);

werr h_checkin_submit(req *r);
werr h_checkin_list(req *r);
werr h_coverage(req *r);
werr h_coverage_recount(req *r);
werr h_coverage_curve(req *r);
werr h_coverage_missing(req *r);
werr h_calllist(req *r);
werr h_alert_list(req *r);
werr h_alert_get(req *r);
werr h_alert_step(req *r);
werr h_health_record(req *r);
werr h_reminders(req *r);
werr h_events(req *r);
werr h_chain_preview(req *r);
werr h_chain_confirm(req *r);
werr h_report_daily(req *r);
werr h_household_link(req *r);
werr h_household_link_revoke(req *r);
werr h_link_sheet(req *r);
werr h_link_household(req *r);
werr h_link_checkin(req *r);

werr h_status_post(req *r);
werr h_status_get(req *r);
werr h_categories(req *r);
werr h_category_people(req *r);
werr h_export_categories(req *r);
werr h_isolation_create(req *r);
werr h_isolation_list(req *r);
werr h_isolation_get(req *r);
werr h_isolation_action(req *r);
werr h_followup_list(req *r);
werr h_followup_record(req *r);
werr h_list_import(req *r);
werr h_list_index(req *r);
werr h_list_get(req *r);
werr h_list_rows(req *r);
werr h_list_resolve(req *r);
werr h_contact_add(req *r);
werr h_contact_list(req *r);
werr h_contact_link(req *r);
werr h_chain_graph(req *r);
werr h_task_list(req *r);
werr h_task_action(req *r);
werr h_lockdown_get(req *r);
werr h_lockdown_set(req *r);

werr h_gate_list(req *r);
werr h_gate_create(req *r);
werr h_gate_update(req *r);
werr h_gate_state(req *r);
werr h_gate_now(req *r);
werr h_compound_now(req *r);
werr h_compound_rules(req *r);
werr h_building_windows(req *r);
werr h_building_windows_get(req *r);
werr h_passage_create(req *r);
werr h_passage_list(req *r);
werr h_pass_issue(req *r);
werr h_pass_revoke(req *r);
werr h_pass_scan(req *r);
werr h_staff_pass_issue(req *r);
werr h_staff_pass_revoke(req *r);
werr h_staff_pass_list(req *r);
werr h_supplier_list(req *r);
werr h_supplier_create(req *r);
werr h_supplier_update(req *r);
werr h_package_list(req *r);
werr h_package_create(req *r);
werr h_package_update(req *r);
werr h_round_list(req *r);
werr h_round_create(req *r);
werr h_round_get(req *r);
werr h_round_close(req *r);
werr h_round_advance(req *r);
werr h_round_picking(req *r);
werr h_round_sheet(req *r);
werr h_order_put(req *r);
werr h_order_get(req *r);
werr h_order_step(req *r);
werr h_household_supply(req *r);
werr h_errand_create(req *r);
werr h_errand_list(req *r);
werr h_errand_get(req *r);
werr h_errand_ledger(req *r);
werr h_errand_close(req *r);
werr h_errand_cash(req *r);
werr h_errand_medicine(req *r);
werr h_link_supply(req *r);
werr h_link_order(req *r);
werr h_link_errand(req *r);
/* help requests, the hotline, leads, notices (issue 18; h_help.c) */
werr h_help_create(req *r);
werr h_help_list(req *r);
werr h_help_get(req *r);
werr h_help_step(req *r);
werr h_help_merge(req *r);
werr h_call_log(req *r);
werr h_call_counts(req *r);
werr h_help_counts(req *r);
werr h_lead_create(req *r);
werr h_lead_list(req *r);
werr h_lead_resolve(req *r);
werr h_notice_create(req *r);
werr h_notice_list(req *r);
werr h_notice_reach(req *r);
werr h_notice_poster(req *r);
werr h_notice_public(req *r);
werr h_link_requests(req *r);
werr h_link_request_create(req *r);
werr h_link_request_rate(req *r);
werr h_link_lead(req *r);
werr h_link_notices(req *r);
werr h_link_notice_read(req *r);
/* files on a notice or a request (files.h; h_help.c) */
werr h_notice_file_add(req *r);
werr h_notice_file_get(req *r);
werr h_link_notice_file(req *r);
werr h_public_notice_file(req *r);
werr h_help_file_add(req *r);
werr h_help_file_get(req *r);
werr h_link_request_file_add(req *r);
werr h_link_request_file_get(req *r);

werr h_staff_list(req *r);
werr h_staff_create(req *r);
werr h_staff_update(req *r);
werr h_staff_assign(req *r);
werr h_pair_list(req *r);
werr h_pair_create(req *r);
werr h_pair_delete(req *r);
werr h_team_list(req *r);
werr h_team_add(req *r);
werr h_vacancy_list(req *r);
werr h_workload(req *r);
werr h_shift_list(req *r);
werr h_shift_create(req *r);
werr h_roster_list(req *r);
werr h_roster_create(req *r);
werr h_roster_swap(req *r);
werr h_roster_duty(req *r);
werr h_volunteer_link(req *r);
werr h_volunteer_signup(req *r);
werr h_staff_counters(req *r);
werr h_staff_me(req *r);
werr h_staff_health_me(req *r);
werr h_staff_health(req *r);
werr h_staff_unreported(req *r);
werr h_vacancy_history(req *r);
werr h_aid_list(req *r);
werr h_aid_fund_create(req *r);
werr h_aid_grant(req *r);
werr h_merchant_list(req *r);
werr h_merchant_create(req *r);
werr h_merchant_cap(req *r);
werr h_merchant_price(req *r);
werr h_merchant_complaint(req *r);
werr h_merchant_card(req *r);
/* the duplicate-ID review (h_registry.c) */
werr h_idreview_list(req *r);
werr h_idreview_get(req *r);
werr h_idreview_decide(req *r);
werr h_idreview_correct(req *r);
werr h_aftersale_report(req *r);
werr h_aftersale_resolve(req *r);
werr h_aftersale_list(req *r);
werr h_link_aftersale(req *r);
werr h_handover_list(req *r);
werr h_handover_create(req *r);
#endif
