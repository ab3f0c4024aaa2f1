/* migrate.h — embedded schema migrations, numbered from 1. */
#ifndef WG_MIGRATE_H
#define WG_MIGRATE_H
extern const char *const migrations_sqlite[];
extern const int migrations_sqlite_count;
extern const char *const migrations_pg[];
extern const int migrations_pg_count;
#endif
