/* test_readings.c — the one fever rule of every channel: a temperature at or above the
 * threshold (37.3 by default, inclusive; the configured one when changed) or the symptom
 * `fever`, whatever the temperature; any other symptom opens an alert without being a
 * fever.  Symptom names to bits and back, unknown names refused naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/chain.h"
#include "domain/readings.h"
#include "domain/settings.h"

static void test_threshold_inclusive(void **state)
{
	(void)state;
	rollcall_config before = rc_config;
	assert_true(rc_config.fever_threshold > 37.3 - 1e-9 && rc_config.fever_threshold < 37.3 + 1e-9);
	assert_true(reading_fever(true, 37.3, 0));
	assert_true(reading_fever(true, 37.4, 0));
	assert_true(reading_fever(true, 39.0, 0));
	assert_false(reading_fever(true, 37.2, 0));
	assert_false(reading_fever(true, 37.29, 0));
	/* a temperature parsed from text (36.2 + 1.1 is not exactly 37.3 in binary) */
	assert_true(reading_fever(true, 36.2 + 1.1, 0));
	/* no temperature, no symptom: not a fever, whatever the value */
	assert_false(reading_fever(false, 39.0, 0));
	assert_false(reading_alerts(true, 36.5, 0));
	/* the configured threshold is the one applied */
	rc_config.fever_threshold = 37.5;
	assert_false(reading_fever(true, 37.4, 0));
	assert_true(reading_fever(true, 37.5, 0));
	rc_config = before;
}

static void test_fever_symptom(void **state)
{
	(void)state;
	/* the symptom fever is a fever at a normal temperature, or with none */
	assert_true(reading_fever(true, 36.5, SYM_FEVER));
	assert_true(reading_fever(false, 0, SYM_FEVER));
	/* any other symptom alerts but is not a fever */
	assert_false(reading_fever(true, 36.5, SYM_COUGH));
	assert_true(reading_alerts(true, 36.5, SYM_COUGH));
	assert_true(reading_alerts(false, 0, SYM_SMELL_TASTE));
	assert_true(reading_alerts(true, 37.3, 0));
}

static void test_symptom_names(void **state)
{
	(void)state;
	json_t *a = json_pack("[s,s]", "fever", "loss_of_smell_taste");
	unsigned bits = 0;
	assert_int_equal(symptoms_from_json(a, &bits), WG_OK);
	assert_int_equal(bits, SYM_FEVER | SYM_SMELL_TASTE);
	json_t *back = symptoms_json(bits);
	assert_true(json_equal(a, back));
	json_decref(a);
	json_decref(back);
	assert_int_equal(symptoms_from_json(NULL, &bits), WG_OK);
	assert_int_equal(bits, 0);
	a = json_pack("[s,s]", "cough", "headache");
	assert_int_equal(symptoms_from_json(a, &bits), W_EINVAL);
	assert_string_equal(w_last()->code, "invalid_symptom");
	assert_string_equal(w_last()->field, "symptoms");
	json_decref(a);
	a = json_pack("[i]", 1);
	assert_int_equal(symptoms_from_json(a, &bits), W_EINVAL);
	json_decref(a);
	a = json_string("fever");
	assert_int_equal(symptoms_from_json(a, &bits), W_EINVAL);
	assert_string_equal(w_last()->code, "wrong_type");
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_threshold_inclusive),
	    cmocka_unit_test(test_fever_symptom),
	    cmocka_unit_test(test_symptom_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
