/*
 * safe_open.h: opening a file the user named (a kernel, an initrd, a
 * config.json) without letting a FIFO, a device or a directory hang or
 * confuse the program that reads it.
 */
#ifndef ISOLAB_COMMON_SAFE_OPEN_H
#define ISOLAB_COMMON_SAFE_OPEN_H

#include <stdint.h>
#include "common/error.h"

/*
 * Opens path read-only with O_NONBLOCK (a FIFO without a writer does not
 * block the open), O_NOCTTY (a terminal does not become ours) and
 * O_CLOEXEC, then fstat()s the descriptor and refuses anything but a
 * regular file. O_NONBLOCK stays set: it changes nothing for a regular
 * file (open(2)). Returns the fd and sets *size, or a negative errno:
 * -EINVAL "not a regular file", or the open/fstat error. The message
 * does not repeat the path: the caller names the file with
 * isolab_error_wrap(err, "--kernel %s", path).
 */
int isolab_open_regular(const char *path, uint64_t *size, struct isolab_error *err);

#endif
