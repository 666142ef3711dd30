/* cmd_state.c: `isolab-ctr state ID`: the runtime-spec state, as `runc
 * state` prints it (state.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "container/cli.h"
#include "container/lifecycle.h"

int ctr_cmd_state(const struct ctr_cli *cli, const struct ctr_args *args)
{
	struct isolab_error err = { 0 };
	enum ctr_status status;
	struct ctr_saved s;
	char *text;

	if (ctr_lifecycle_lookup(cli->g->root, args->id, &s, &status, &err) < 0)
		return ctr_cli_fail(cli, &err);
	/* runc: owner "" here (it names the state dir's owner only in list). */
	text = ctr_saved_oci_state(&s, status, "", true);
	ctr_saved_free(&s);
	if (text == NULL) {
		isolab_error_set(&err, -ENOMEM, "state of `%s`: out of memory", args->id);
		return ctr_cli_fail(cli, &err);
	}
	fputs(text, stdout); /* no newline, as runc */
	free(text);
	return 0;
}
