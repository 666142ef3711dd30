/*
 * vmm_args.c: libFuzzer target for isolab-vmm's command line (vmm/args.c,
 * getopt_long over argv). The input is split at NUL bytes into
 * arguments. Whatever the parser accepts must be what main() relies on:
 * a kernel path, --mem and --cpus within their documented ranges, a
 * NUL-terminated command line that fits its buffer.
 */
#include "fuzz/fuzz.h"

#include <string.h>
#include "vmm/args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmm_args args; /* 4 KiB command line: off the stack */
	struct isolab_error err = { 0 };
	struct fuzz_argv a;

	if (fuzz_argv_init(&a, "isolab-vmm", data, size) < 0)
		return 0;
	int r = vmm_args_parse(a.argc, a.argv, &args, &err);
	if (r == 0) {
		FUZZ_ASSERT(args.kernel != NULL);
		FUZZ_ASSERT(args.mem >= VMM_MIN_MEM && args.mem <= VMM_MAX_MEM && args.mem % 4096 == 0);
		FUZZ_ASSERT(args.cpus >= 1 && args.cpus <= VMM_MAX_CPUS);
		FUZZ_ASSERT(memchr(args.cmdline, '\0', sizeof(args.cmdline)) != NULL);
	} else if (r < 0) {
		FUZZ_ASSERT(err.msg[0] != '\0');
	}
	fuzz_argv_free(&a);
	return 0;
}
