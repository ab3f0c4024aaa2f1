/* cli.h — the admin command line: one table of commands (main.c), one function each. */
#ifndef WG_CLI_H
#define WG_CLI_H
#include "domain/actor.h"

typedef int (*cmd_fn)(int argc, char **argv);

typedef struct {
	const char *name;
	cmd_fn fn;
	const char *usage; /* printed by --help and on a usage error */
	const char *summary;
} command;

/* Print "wangge: <message>" for the last error on stderr; returns 1 (exit status). */
int cli_fail(void);
int cli_usage(const command *c);
/* Open the store and build the operator's actor (full scope, full values). */
int cli_open(const char *url, bool migrate, actor *ac);
void cli_close(actor *ac);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_config(int argc, char **argv);

extern const command commands[];
#endif
