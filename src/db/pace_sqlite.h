/* pace_sqlite.h — the store file's writes flushed as they go (see .c). */
#ifndef WG_PACE_SQLITE_H
#define WG_PACE_SQLITE_H
/* Before SQLite opens anything: the default VFS becomes one that flushes the store file
 * behind its writes, PACE_BYTES at a time (Linux; elsewhere nothing). */
void pace_sqlite_install(void);
/* sqlite3_file_control(h, "main", PACE_FCNTL_SET, &on): pacing on (1) or off (0) for that
 * connection's store file — off while a bulk load writes without syncs anyway */
enum { PACE_FCNTL_SET = 0x77670001 };
#endif
