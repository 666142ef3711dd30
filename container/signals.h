/*
 * signals.h: signal names as `kill` takes them (runc's `kill ID SIGNAL`):
 * "TERM", "SIGTERM", "term" or "15". Pure.
 */
#ifndef ISOLAB_CONTAINER_SIGNALS_H
#define ISOLAB_CONTAINER_SIGNALS_H

#include "common/error.h"

/* The signal number for text, or -EINVAL ("signal `X`: unknown ..."). */
int ctr_signal_parse(const char *text, int *sig, struct isolab_error *err);

/* "TERM" for 15; NULL for a number without a name here. */
const char *ctr_signal_name(int sig);

#endif
