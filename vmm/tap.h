/*
 * tap.h: the host side of the VMM's network device, a tap interface
 * (Linux Documentation/networking/tuntap.rst). Thin system layer:
 * /dev/net/tun, TUNSETIFF with IFF_TAP | IFF_NO_PI, non-blocking reads
 * and writes of one Ethernet frame each. No IFF_VNET_HDR: virtio-net
 * offers no offloads (vmm/virtio_net.h), so the tap carries bare frames
 * and the model adds and strips the virtio header.
 *
 * `--net tap=NAME` attaches to the tap NAME if it exists (made with
 * `ip tuntap add mode tap NAME user USER`, which lets a user without
 * CAP_NET_ADMIN attach) or creates it (CAP_NET_ADMIN); a tap created
 * here is not persistent: it goes away when the fd is closed. A name
 * with "%d" (tap%d) lets the kernel pick the number; tap->name has the
 * result. The tap is not brought up or given an address here.
 *
 * vhost-net: where /dev/vhost-net exists the kernel could move frames
 * between the tap and the virtqueues itself; it needs the guest memory
 * table (VHOST_SET_MEM_TABLE), an ioeventfd for the notify register and
 * an irqfd for the interrupt, none of which the VMM has yet. tap_open()
 * notes that it exists; tap_datapath() says which path is used, for
 * --stats.
 */
#ifndef ISOLAB_VMM_TAP_H
#define ISOLAB_VMM_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "common/error.h"

struct tap {
	int fd;                   /* /dev/net/tun, O_NONBLOCK | O_CLOEXEC; -1: closed */
	char name[IFNAMSIZ];      /* the interface (a "%d" filled in by the kernel) */
	bool created;             /* no interface of that name before: ours, gone at close */
	bool vhost_net;           /* /dev/vhost-net exists (not used yet) */
};

/* Whether name is a name Linux takes for an interface (dev_valid_name):
 * 1..15 bytes, not "." or "..", no '/', ':' or white space. -EINVAL with
 * "tap `NAME`: ..." otherwise. Pure. */
int tap_check_name(const char *name, struct isolab_error *err);

/* Attaches to or creates the tap name. -errno with "tap `NAME`: ...: why";
 * an interface of that name that is not a tap is -EINVAL. */
int tap_open(struct tap *tap, const char *name, struct isolab_error *err);
/* Closes the fd (a tap created here disappears). Safe on a closed tap. */
void tap_close(struct tap *tap);

/* One frame into buf: its length, -EAGAIN when none waits, or -errno.
 * tun cuts a frame longer than len to len without a word: give one byte
 * more than the largest frame wanted, and treat a full buffer as too long. */
ssize_t tap_read_frame(struct tap *tap, void *buf, size_t len);
/* One frame out, len bytes over iov: 0 or -errno (-EAGAIN: the tap's
 * queue is full). The signature of struct virtio_net_backend. */
int tap_write_frame(void *tap, const struct iovec *iov, int iovcnt, size_t len);

/* The interface's MTU (SIOCGIFMTU), for virtio-net's config. */
int tap_mtu(const struct tap *tap, unsigned *mtu, struct isolab_error *err);

/* Which data path moves the frames, in words, for --stats. */
const char *tap_datapath(const struct tap *tap);

#endif
