/* chainmatch.h — a pasted WeChat chain (接龙), matched to households and people of a unit.
 * Preview parses and matches without saving; confirm saves what the worker approved, each
 * check-in keeping its original line, retries being no-ops. */
#ifndef WG_CHAINMATCH_H
#define WG_CHAINMATCH_H
#include <jansson.h>

#include "domain/actor.h"

werr chain_preview(const actor *ac, json_t *body, json_t **out);
werr chain_confirm(const actor *ac, json_t *body, json_t **out);
#endif
