/*
 * cmd_ps.c: `isolab-ctr ps [--format table|json] ID`: the processes in
 * the container's cgroup. JSON: an array of their pids, as `runc ps
 * --format json`; a table: `ps -ef`'s header and its lines for those
 * pids (runc runs ps(1) the same way; the rest of its command line, ps
 * options, is not passed on here).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/cli.h"
#include "container/lifecycle.h"

#define PS_MAX 4096

static bool listed(int pid, const int *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* `ps -ef`'s header and the lines of pids (its second column). */
static int print_ps_table(const int *pids, int n, struct isolab_error *err)
{
	FILE *ps = popen("ps -ef", "re");
	char line[4096];
	bool first = true;

	if (ps == NULL)
		return isolab_error_errno(err, -errno, "run `ps -ef`");
	while (fgets(line, sizeof(line), ps) != NULL) {
		/* "UID PID PPID ...": the second column */
		const char *p = line + strspn(line, " ");
		long pid;

		p += strcspn(p, " ");
		pid = strtol(p, NULL, 10);
		if (first || (pid > 0 && listed((int)pid, pids, n)))
			fputs(line, stdout);
		first = false;
	}
	if (pclose(ps) != 0)
		return isolab_error_set(err, -EIO, "`ps -ef` failed");
	return 0;
}

int ctr_cmd_ps(const struct ctr_cli *cli, const struct ctr_args *args)
{
	struct isolab_error err = { 0 };
	enum ctr_status status;
	struct ctr_cgroup cg;
	struct ctr_saved s;
	static int pids[PS_MAX];
	int n;

	if (ctr_lifecycle_lookup(cli->g->root, args->id, &s, &status, &err) < 0)
		return ctr_cli_fail(cli, &err);
	ctr_saved_free(&s);
	if (status == CTR_STATUS_STOPPED) {
		isolab_error_set(&err, -ESRCH, "container `%s`: container not running", args->id);
		return ctr_cli_fail(cli, &err);
	}
	n = ctr_cgroup_reopen(&cg, s.cgmode, s.cgroup_path, s.id, &err);
	if (n == 0)
		n = ctr_cgroup_pids(&cg, pids, PS_MAX, &err);
	if (n < 0)
		return ctr_cli_fail(cli, &err);
	if (!args->json)
		return print_ps_table(pids, n, &err) < 0 ? ctr_cli_fail(cli, &err) : 0;
	fputs("[", stdout);
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", pids[i]);
	fputs("]\n", stdout);
	return 0;
}
