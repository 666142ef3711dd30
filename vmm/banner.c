/* banner.c: the guest kernel's stop messages on the console (see banner.h). Pure. */
#include "vmm/banner.h"

static const char *const banners[BANNER_COUNT] = {
	[BANNER_PANIC] = "Kernel panic - not syncing",
	[BANNER_POWER_DOWN] = "reboot: Power down",
	[BANNER_HALTED] = "reboot: System halted",
};

enum banner banner_feed(struct banner_watch *w, char c)
{
	enum banner done = BANNER_NONE;

	for (int b = 0; b < BANNER_COUNT; b++) {
		const char *s = banners[b];
		unsigned *m = &w->matched[b];

		/* No banner repeats its own first letter later, so a restart at c is exact. */
		if (c == s[*m])
			(*m)++;
		else
			*m = c == s[0] ? 1 : 0;
		if (s[*m] == '\0') {
			*m = 0;
			done = (enum banner)b;
		}
	}
	return done;
}
