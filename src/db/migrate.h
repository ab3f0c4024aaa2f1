/* migrate.h — embedded schema migrations, numbered from 1. */
#ifndef WG_MIGRATE_H
#define WG_MIGRATE_H
extern const char *const migrations_sqlite[];
extern const int migrations_sqlite_count;
extern const char *const migrations_pg[];
extern const int migrations_pg_count;
/* run after the migrations on a Citus coordinator only (layout_citus.c) */
extern const char citus_layout[];
/* settings of every connection to a Citus coordinator */
extern const char citus_session[];
/* a catalogue statement's text for Citus where the portable one is refused; else NULL */
const char *citus_sql(int id);
#endif
