/*
 * banner.h: recognises the few lines a Linux guest prints when it stops
 * in a way no device tells the VMM about (pure, fed the console output a
 * byte at a time). Without ACPI, `poweroff` and `halt` end in a halted CPU
 * that never exits to the VMM; the kernel's own last words say what
 * happened (kernel/reboot.c, kernel/panic.c, Linux 6.1).
 */
#ifndef ISOLAB_VMM_BANNER_H
#define ISOLAB_VMM_BANNER_H

enum banner {
	BANNER_NONE = -1,
	BANNER_PANIC,       /* "Kernel panic - not syncing" */
	BANNER_POWER_DOWN,  /* "reboot: Power down" */
	BANNER_HALTED,      /* "reboot: System halted" */
	BANNER_COUNT
};

struct banner_watch {
	unsigned matched[BANNER_COUNT];  /* bytes of each banner seen in a row */
};

/* Feeds one console byte; returns the banner it completes, or BANNER_NONE. */
enum banner banner_feed(struct banner_watch *w, char c);

#endif
