/* fault_sqlite.h — fault injection for the SQLite store (test builds only; see .c). */
#ifndef WG_FAULT_SQLITE_H
#define WG_FAULT_SQLITE_H
/* Before SQLite starts: with -DWANGGE_FAULTS and WANGGE_FAULT_FILE set, the store's files
 * and allocations go through the fault layer; otherwise nothing. */
void fault_sqlite_install(void);
#endif
