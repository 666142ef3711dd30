/* io.h: writing a whole buffer to a descriptor (pipes, sockets, files). */
#ifndef ISOLAB_COMMON_IO_H
#define ISOLAB_COMMON_IO_H

#include <stddef.h>

/* Writes all len bytes of buf, retrying short writes and EINTR. 0, or
 * -errno (-EPIPE when write(2) returns 0). */
int isolab_write_all(int fd, const void *buf, size_t len);

#endif
