/*
 * safe_open.h: opening a file the user named (a kernel, an initrd, a
 * config.json) without trusting what it is: a FIFO would block open() or
 * read() forever, a terminal would become the controlling one, a
 * directory or a device would be read as data.
 */
#ifndef ISOLAB_COMMON_SAFE_OPEN_H
#define ISOLAB_COMMON_SAFE_OPEN_H

#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

/*
 * Opens path read-only with O_NONBLOCK (a FIFO without a writer does not
 * block the open), O_NOCTTY (a terminal does not become ours) and
 * O_CLOEXEC, fstat()s the descriptor and refuses anything but a regular
 * file. O_NONBLOCK stays set: Linux ignores it on a regular file, and
 * clearing it would cost two system calls on every file the engine reads
 * before it runs a container. Returns the fd and sets *size (if
 * size is not NULL), or a negative errno: -EINVAL "not a regular file (a
 * FIFO)", or the open/fstat error ("No such file or directory"). The
 * message does not repeat the path: the caller names the file, e.g. with
 * isolab_error_wrap(err, "--kernel %s", path).
 */
int isolab_open_regular(const char *path, uint64_t *size, struct isolab_error *err);
/* The same, opened with access O_RDONLY or O_RDWR (a disk image). */
int isolab_open_regular_as(const char *path, int access, uint64_t *size,
			   struct isolab_error *err);

/* Reads the regular file at path whole: *buf malloc'd and NUL-ended, *len
 * bytes; a file over max bytes is -EFBIG. Errors name the path. */
int isolab_read_regular(const char *path, size_t max, char **buf, size_t *len,
			struct isolab_error *err);

/* "a FIFO", "a directory", ...: what a non-regular st_mode is. Pure. */
const char *isolab_file_kind(unsigned mode);

#endif
