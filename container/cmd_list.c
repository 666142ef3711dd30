/*
 * cmd_list.c: `isolab-ctr list [--format table|json] [-q]`: the
 * containers `create` made under the state root, sorted by id, as `runc
 * list` prints them: a table (ID PID STATUS BUNDLE CREATED OWNER), one
 * JSON array of their states, or (-q) their ids. Containers of `run`
 * have no state.json and are not listed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/accounts.h"
#include "common/cleanup.h"
#include "common/safe_open.h"
#include "container/cli.h"
#include "container/lifecycle.h"

struct entry {
	struct ctr_saved saved;
	enum ctr_status status;
	char pid[24], owner[64];
};

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->saved.id, ((const struct entry *)b)->saved.id);
}

/* The state dir's owner's name, as runc's list shows it: from the host's
 * /etc/passwd, read directly (the runtime is static: no NSS). */
static void owner_name(const char *root, const char *id, char *buf, size_t len)
{
	struct isolab_error ignored = { 0 };
	_cleanup_free_ char *passwd = NULL;
	char path[PATH_MAX];
	struct stat st;
	size_t n;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "%s/%s", root, id);
	if (stat(path, &st) < 0)
		return;
	if (isolab_read_regular("/etc/passwd", 1 << 22, &passwd, &n, &ignored) < 0 ||
	    !isolab_accounts_name(passwd, st.st_uid, buf, len))
		snprintf(buf, len, "#%u", (unsigned)st.st_uid);
}

/* Every container under root with a state.json (one deleted meanwhile
 * is left out), sorted by id, into *out (malloc'd). Returns how many, or
 * -ENOMEM. */
static ssize_t read_all(const char *root, struct entry **out)
{
	DIR *d = opendir(root);
	struct entry *e = NULL;
	struct dirent *de;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (d == NULL)
		return 0; /* nothing created since boot */
	while ((de = readdir(d)) != NULL) {
		struct isolab_error err = { 0 };

		if (n == cap) {
			struct entry *grown = realloc(e, (cap = cap ? cap * 2 : 8) * sizeof(*e));

			if (grown == NULL) {
				for (size_t i = 0; i < n; i++)
					ctr_saved_free(&e[i].saved);
				free(e);
				closedir(d);
				return -ENOMEM;
			}
			e = grown;
		}
		if (de->d_name[0] == '.' ||
		    ctr_lifecycle_lookup(root, de->d_name, &e[n].saved, &e[n].status, &err) < 0)
			continue;
		owner_name(root, de->d_name, e[n].owner, sizeof(e[n].owner));
		snprintf(e[n].pid, sizeof(e[n].pid), "%d",
			 e[n].status == CTR_STATUS_STOPPED ? 0 : e[n].saved.pid);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(e, n, sizeof(*e), by_id);
	*out = e;
	return (ssize_t)n;
}

static void print_json(const struct entry *e, size_t n)
{
	fputs("[", stdout);
	for (size_t i = 0; i < n; i++) {
		char *one = ctr_saved_oci_state(&e[i].saved, e[i].status, e[i].owner, false);

		printf("%s%s", i ? "," : "", one ? one : "{}");
		free(one);
	}
	fputs("]\n", stdout);
}

static int print_table(const struct entry *e, size_t n)
{
	static const char *const head[6] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
	const char **cells = calloc((n + 1) * 6, sizeof(*cells));
	char *table;

	if (cells == NULL)
		return -ENOMEM;
	memcpy(cells, head, sizeof(head));
	for (size_t i = 0; i < n; i++) {
		const char **c = cells + (i + 1) * 6;

		c[0] = e[i].saved.id, c[1] = e[i].pid, c[2] = ctr_status_name(e[i].status);
		c[3] = e[i].saved.bundle, c[4] = e[i].saved.created, c[5] = e[i].owner;
	}
	table = ctr_table_format(cells, 6, n + 1);
	free(cells);
	if (table == NULL)
		return -ENOMEM;
	fputs(table, stdout);
	free(table);
	return 0;
}

int ctr_cmd_list(const struct ctr_cli *cli, const struct ctr_args *args)
{
	struct isolab_error err = { 0 };
	struct entry *e;
	ssize_t n = read_all(cli->g->root, &e);
	int rc = 0;

	if (n < 0) {
		isolab_error_set(&err, -ENOMEM, "list: out of memory");
		return ctr_cli_fail(cli, &err);
	}
	if (args->quiet)
		for (ssize_t i = 0; i < n; i++)
			printf("%s\n", e[i].saved.id);
	else if (args->json)
		print_json(e, (size_t)n);
	else
		rc = print_table(e, (size_t)n);
	for (ssize_t i = 0; i < n; i++)
		ctr_saved_free(&e[i].saved);
	free(e);
	if (rc < 0) {
		isolab_error_set(&err, rc, "list: out of memory");
		return ctr_cli_fail(cli, &err);
	}
	return 0;
}
