/* readings.c — see readings.h. */
#include "domain/readings.h"

#include "core/chain.h"
#include "domain/settings.h"

#include <string.h>

static const struct {
	unsigned bit;
	const char *name;
} symptom_table[] = {
    {SYM_FEVER, "fever"},
    {SYM_COUGH, "cough"},
    {SYM_FATIGUE, "fatigue"},
    {SYM_CHEST, "chest_tightness"},
    {SYM_THROAT, "sore_throat"},
    {SYM_DIARRHOEA, "diarrhoea"},
    {SYM_SMELL_TASTE, "loss_of_smell_taste"},
    {SYM_OTHER, "other"},
};
enum { NSYM = sizeof symptom_table / sizeof symptom_table[0] };

werr symptoms_from_json(json_t *a, unsigned *out)
{
	*out = 0;
	if (!a || json_is_null(a))
		return WG_OK;
	if (!json_is_array(a) || json_array_size(a) > NSYM)
		return w_fail(W_EINVAL, "wrong_type", "symptoms", "symptoms must be an array of names");
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		bool ok = false;
		for (int k = 0; k < NSYM && json_is_string(v); k++)
			if (!strcmp(json_string_value(v), symptom_table[k].name)) {
				*out |= symptom_table[k].bit;
				ok = true;
			}
		if (!ok)
			return w_fail(W_EINVAL, "invalid_symptom", "symptoms",
			              "unknown symptom; use fever cough fatigue chest_tightness sore_throat "
			              "diarrhoea loss_of_smell_taste other");
	}
	return WG_OK;
}

json_t *symptoms_json(unsigned bits)
{
	json_t *a = json_array();
	for (int k = 0; k < NSYM; k++)
		if (bits & symptom_table[k].bit)
			json_array_append_new(a, json_string(symptom_table[k].name));
	return a;
}

bool reading_fever(bool has_temp, double temp, unsigned symptoms)
{
	return (has_temp && temp >= rc_config.fever_threshold - 1e-9) || (symptoms & SYM_FEVER);
}

bool reading_alerts(bool has_temp, double temp, unsigned symptoms)
{
	return reading_fever(has_temp, temp, symptoms) || symptoms != 0;
}
