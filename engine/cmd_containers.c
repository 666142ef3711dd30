/* cmd_containers.c: `isolab ps` and `isolab rm`: the containers the engine ran (see commands.h). */
#include "engine/commands.h"
#include "engine/lib/container.h"
#include "engine/lib/image.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_ps(struct eng_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	struct eng_container *list = NULL;
	bool all = false, quiet = false;
	size_t n = 0;
	int c;

	while ((c = getopt_long(argc, argv, "aqh", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'q')
			quiet = true;
		else if (c == 'h')
			return puts("usage: isolab ps [-a|--all] [-q|--quiet]\n"
				    "NAME, IMAGE, COMMAND, CREATED, STATUS of running containers "
				    "(-a: exited ones too); -q: names only"), 0;
		else
			return eng_cli_bad_option(cli, "ps", argv, "aqh", opts);
	}
	if (eng_cli_store(cli, true) < 0 || eng_container_prune_rm(&cli->store) < 0 ||
	    eng_container_list(&cli->store, &list, &n, &cli->err) < 0)
		return ENG_EXIT_ERROR;
	if (!quiet)
		printf("%-20s %-28s %-24s %-24s %s\n", "NAME", "IMAGE", "COMMAND", "CREATED", "STATUS");
	for (size_t i = n; i-- > 0;) {
		const struct eng_container *k = &list[i];
		bool running = eng_container_running(k);
		char cmd[128] = "", ago[64], status[64];
		size_t len = 0;

		if (!all && !running)
			continue;
		if (quiet) {
			puts(k->name);
			continue;
		}
		for (size_t j = 0; k->command && k->command[j] && len < sizeof(cmd) - 1; j++)
			len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, "%s%s", j ? " " : "",
						k->command[j]);
		if (len > 23)
			memcpy(cmd + 20, "...", 4);
		eng_human_ago(k->created, ago, sizeof(ago));
		if (running)
			snprintf(status, sizeof(status), "Up");
		else if (k->exit_code >= 0)
			snprintf(status, sizeof(status), "Exited (%d)", k->exit_code);
		else
			snprintf(status, sizeof(status), "Exited (unknown)");
		printf("%-20s %-28s %-24s %-24s %s\n", k->name, k->image, cmd, ago, status);
	}
	eng_container_list_free(list, n);
	return 0;
}

/* One container: refused while it runs, unless -f (the record only). */
static int rm_one(struct eng_cli *cli, const char *name, bool force)
{
	struct eng_container k;
	int rc = eng_container_load(&cli->store, name, &k, &cli->err);

	if (rc < 0)
		return rc;
	if (eng_container_running(&k) && !force)
		rc = isolab_error_set(&cli->err, -EBUSY, "rm `%s`: the container is running", name);
	eng_container_free(&k);
	if (rc == 0)
		rc = eng_container_remove(&cli->store, name, &cli->err);
	if (rc == 0)
		puts(name);
	return rc;
}

int cmd_rm(struct eng_cli *cli, int argc, char **argv)
{
	/* the images their records kept from collection may go after */
	return eng_cli_remove_each(cli, argc, argv,
				   "usage: isolab rm [-f] NAME...\n"
				   "removes exited containers, their records and kept layers; "
				   "-f: running ones too (the record only: stop them first)\n",
				   "container", rm_one);
}
