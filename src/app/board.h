/* board.h — how far a long request has got, for the page that sent it.
 *
 * An import of a big sheet runs for seconds to minutes inside one request.  The page names
 * its request (header X-Progress-Id: 8–64 of [A-Za-z0-9_-]) and, while it waits, polls
 * GET /api/v1/progress/{id}; the handler posts the rows read and the share of the body
 * read.  An entry belongs to the account that sent the request (another account's id
 * answers as unknown), lives in the server's memory only, and is kept a minute after the
 * request ends.  64 entries; when all are in use a new request simply has none. */
#ifndef WG_BOARD_H
#define WG_BOARD_H
#include <stdbool.h>
#include <stdint.h>

enum { BOARD_RUNNING = 1, BOARD_DONE, BOARD_FAILED };

/* Whether id is a well-formed progress id. */
bool board_id_ok(const char *id);
/* A slot for (user, id), or -1 (bad id, none free, or that id already running). */
int board_open(int64_t user_id, const char *id);
void board_set(int slot, int64_t rows, double share);
void board_close(int slot, bool ok);
/* The entry of (user, id): false when there is none. */
bool board_get(int64_t user_id, const char *id, int64_t *rows, double *share, int *state);
#endif
