/* routes.h — the API's route table (routes.c), handed to the server by `wangge serve`. */
#ifndef WG_ROUTES_H
#define WG_ROUTES_H
#include "app/req.h"

extern const route routes[];
extern const size_t routes_count;
extern const route_table api_routes;
#endif
