/* cmd_features.c: `isolab-ctr features`: the runtime-spec features
 * document (features.h) on stdout. */
#include <stdio.h>
#include <stdlib.h>

#include "container/cli.h"
#include "container/features.h"
#include "container/reap.h"
#include "container/seccomp.h"

int ctr_cmd_features(const struct ctr_cli *cli)
{
	char libseccomp[40];
	cJSON *doc;
	char *text = NULL;
	int status = 0;

	ctr_seccomp_libseccomp_version(libseccomp, sizeof(libseccomp));
	doc = ctr_features_json(libseccomp);
	if (doc != NULL)
		text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (text == NULL) {
		ctr_cli_error(cli, "features: out of memory");
		return CTR_EXIT_RUNTIME;
	}
	if (puts(text) < 0 || fflush(stdout) != 0) {
		ctr_cli_error(cli, "features: write to stdout failed");
		status = CTR_EXIT_RUNTIME;
	}
	free(text);
	return status;
}
