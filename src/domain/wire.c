/* wire.c — the domain's reactions (reactions.h), wired in one place. */
#include "domain/epi.h"
#include "domain/reactions.h"
#include "domain/response.h"

const domain_reactions reactions = {
    .alert_outcome = epi_from_alert_tx,
    .confirmed = response_confirmed_tx,
};
