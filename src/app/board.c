/* board.c — the progress of long requests (see board.h): a small table under a mutex. */
#include "app/board.h"

#include <pthread.h>
#include <string.h>

#include "core/util.h"

#define BOARD_SLOTS 64
#define BOARD_KEEP_S 60

typedef struct {
	int64_t user_id; /* 0: free */
	int64_t rows;
	int64_t ended; /* now_s() when it ended */
	double share;
	int state;
	char id[65];
} entry;

static entry board[BOARD_SLOTS];
static pthread_mutex_t board_mu = PTHREAD_MUTEX_INITIALIZER;

bool board_id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n < 8 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool reusable(const entry *e, int64_t now)
{
	return !e->user_id || (e->state != BOARD_RUNNING && now - e->ended > BOARD_KEEP_S);
}

int board_open(int64_t user_id, const char *id)
{
	if (user_id <= 0 || !board_id_ok(id))
		return -1;
	int64_t now = now_s();
	int slot = -1;
	pthread_mutex_lock(&board_mu);
	for (int i = 0; i < BOARD_SLOTS; i++) {
		entry *e = &board[i];
		if (e->user_id == user_id && !strcmp(e->id, id)) {
			if (e->state == BOARD_RUNNING) { /* the same id twice at once: the second has none */
				slot = -1;
				break;
			}
			slot = i; /* a finished one of the same name is replaced */
			break;
		}
		if (slot < 0 && reusable(e, now))
			slot = i;
	}
	if (slot >= 0) {
		entry *e = &board[slot];
		memset(e, 0, sizeof *e);
		e->user_id = user_id;
		strcpy(e->id, id); /* board_id_ok: at most 64 bytes */
		e->state = BOARD_RUNNING;
	}
	pthread_mutex_unlock(&board_mu);
	return slot;
}

void board_set(int slot, int64_t rows, double share)
{
	if (slot < 0 || slot >= BOARD_SLOTS)
		return;
	pthread_mutex_lock(&board_mu);
	board[slot].rows = rows;
	board[slot].share = share;
	pthread_mutex_unlock(&board_mu);
}

void board_close(int slot, bool ok)
{
	if (slot < 0 || slot >= BOARD_SLOTS)
		return;
	pthread_mutex_lock(&board_mu);
	board[slot].state = ok ? BOARD_DONE : BOARD_FAILED;
	if (ok)
		board[slot].share = 1.0;
	board[slot].ended = now_s();
	pthread_mutex_unlock(&board_mu);
}

bool board_get(int64_t user_id, const char *id, int64_t *rows, double *share, int *state)
{
	if (user_id <= 0 || !board_id_ok(id))
		return false;
	bool found = false;
	int64_t now = now_s();
	pthread_mutex_lock(&board_mu);
	for (int i = 0; i < BOARD_SLOTS && !found; i++) {
		const entry *e = &board[i];
		if (e->user_id == user_id && !strcmp(e->id, id) && !(e->state != BOARD_RUNNING && now - e->ended > BOARD_KEEP_S)) {
			*rows = e->rows;
			*share = e->share;
			*state = e->state;
			found = true;
		}
	}
	pthread_mutex_unlock(&board_mu);
	return found;
}
