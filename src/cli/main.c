/* main.c — `wangge COMMAND …`: the command table and dispatch.  The server is one of the
 * commands (serve); all of them link the same domain code. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "db/db.h"

const command commands[] = {
    {"init", cmd_init, "wangge init --db PATH [--root-code CODE --root-name NAME --root-kind KIND] [--admin-password P]",
     "create an empty store with a root unit and an admin account"},
    {"serve", cmd_serve, "wangge serve --db PATH [--listen 127.0.0.1:8080] [--threads N] [--writers N] [--web DIR] [--public-url URL] [--feed-seconds N] [--quiet]\n"
     "       [--max-connections N (1000)] [--max-per-address N (128)] [--trusted-proxy IPV4]",
     "serve the API and the web app"},
    {"demo", cmd_demo, "wangge demo --db PATH --preset qinghe|liyuan|qianjinxiang|city|province [--households N] [--scale F]\n"
     "       [--districts N (province: at most N districts a city)] [--seed N] [--outbreak]\n"
     "       [--round (every household of the first community orders in one more round: bench/supply_picking.py)]",
     "build a demo community with realistic residents and staff accounts"},
    {"import", cmd_import, "wangge import units|residents --db PATH [--per-row] FILE.csv", "bulk import from CSV"},
    {"export", cmd_export,
     "wangge export residents|units --db PATH --unit CODE [--format csv|xlsx] --out FILE",
     "export a subtree to CSV or XLSX"},
    {"user", cmd_user,
     "wangge user add --db PATH --username U --password P --role ROLE --unit CODE [--name NAME] [--phone P]\n"
     "       wangge user passwd --db PATH --username U [--password P]\n"
     "       wangge user disable|enable --db PATH --username U\n"
     "       wangge user list --db PATH [--unit CODE]",
     "manage accounts"},
    {"audit", cmd_audit, "wangge audit --db PATH [--since YYYY-MM-DD|EPOCH] [--user U] [--limit N]",
     "read the audit log"},
    {"report", cmd_report, "wangge report daily --db PATH --unit CODE [--day YYYY-MM-DD] [--format csv|xlsx|json] [--out FILE]",
     "the daily report (日报) of a unit: coverage, fevers, alerts, per child unit"},
    {"config", cmd_config, "wangge config get --db PATH | wangge config set --db PATH fever_threshold|deadline|escalate_minutes VALUE",
     "the roll-call's settings: fever threshold (37.3), deadline (11:00), escalation minutes (30)"},
    {"backup", cmd_backup, "wangge backup --db PATH|URL --out FILE", "consistent online copy of the store (while serving)"},
    {"restore", cmd_restore, "wangge restore --db PATH|URL --from FILE", "bring a backup back (stop the server first)"},
    {NULL, NULL, NULL, NULL},
};

static void usage_all(FILE *f)
{
	fputs("wangge — 网格化疫情防控 / grid-based epidemic response\n\nusage: wangge COMMAND [options]\n\n", f);
	for (const command *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fputs("\nwangge COMMAND --help shows a command's options.\n", f);
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fputs("wangge: libsodium failed to initialise\n", stderr);
		return 1;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage_all(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (const command *c = commands; c->name; c++) {
		if (strcmp(argv[1], c->name) != 0)
			continue;
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
				printf("usage: %s\n\n%s\n", c->usage, c->summary);
				return 0;
			}
		return c->fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "wangge: unknown command '%s' (wangge --help lists them)\n", argv[1]);
	return 2;
}
