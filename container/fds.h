/*
 * fds.h: no file descriptor of the runtime or of its caller may reach the
 * container's program (a directory fd the caller left open is the host's
 * file system: the CVE-2024-21626 class). The child marks every fd from 3
 * up close-on-exec as its first act, as runc and crun do.
 */
#ifndef ISOLAB_CONTAINER_FDS_H
#define ISOLAB_CONTAINER_FDS_H

#include <stdbool.h>
#include <sys/types.h>

/* Marks every fd >= first close-on-exec: close_range(first, ~0U,
 * CLOSE_RANGE_CLOEXEC) (Linux 5.11), else each fd listed in
 * /proc/self/fd. Returns 0 or a negative errno. */
int ctr_fds_cloexec_from(int first);

/* Parses a /proc/self/fd entry name: true and *fd for a decimal fd
 * number, false for ".", ".." and anything else. Pure. */
bool ctr_fd_from_name(const char *name, int *fd);

/* One datagram of len bytes over a SOCK_SEQPACKET socket, carrying fd
 * (SCM_RIGHTS) when fd >= 0. Returns 0 or -errno. */
int ctr_send_with_fd(int sock, const void *buf, size_t len, int fd);

/* Receives one datagram; *fd is a received fd (close-on-exec) or -1.
 * Returns the datagram's length or -errno. */
ssize_t ctr_recv_with_fd(int sock, void *buf, size_t len, int *fd);

#endif
