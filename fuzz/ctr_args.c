/*
 * ctr_args.c: libFuzzer target for isolab-ctr's command line
 * (container/args.c: its own option parser, --volume, --cpus, --userns
 * and --user syntax). The input is split at NUL bytes into arguments;
 * the config is freed afterwards, so every error path is checked for
 * leaks and double frees.
 */
#include "fuzz/fuzz.h"

#include "container/args.h"
#include "container/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_config cfg;
	struct isolab_error err = { 0 };
	enum ctr_command cmd;
	struct fuzz_argv a;

	if (fuzz_argv_init(&a, "isolab-ctr", data, size) < 0)
		return 0;
	ctr_config_init(&cfg);
	if (ctr_parse_args(a.argc, a.argv, &cfg, &cmd, &err) == 0) {
		if (cmd == CTR_CMD_RUN && cfg.bundle == NULL)
			FUZZ_ASSERT(cfg.argv != NULL && cfg.argc > 0 && cfg.argv[cfg.argc] == NULL);
	} else {
		FUZZ_ASSERT(err.msg[0] != '\0');
	}
	ctr_config_free(&cfg);
	fuzz_argv_free(&a);
	return 0;
}
