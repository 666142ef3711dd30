/*
 * guest_ports.h: the I/O ports through which a guest talks to isolab-vmm.
 *
 * Shared by the VMM (vmm/), the guest-side helpers that run as or under the
 * guest's init, and the benchmark probe (bench/probe/), so the protocol is
 * defined once. The README's "Guest ports" section documents it for users.
 *
 * All three live outside the ranges a PC's legacy devices use (see the
 * I/O map in Documentation/admin-guide/devices.txt and QEMU's pc/microvm
 * machines), except ISOLAB_PORT_DEBUG_EXIT, which deliberately sits where
 * QEMU's `isa-debug-exit` device defaults to, so one guest image can end
 * either VMM.
 */
#ifndef ISOLAB_COMMON_GUEST_PORTS_H
#define ISOLAB_COMMON_GUEST_PORTS_H

/*
 * Debug exit: an 8-bit OUT of value V ends the VM; isolab-vmm exits with
 * status V. (QEMU's isa-debug-exit, iobase=0xf4, exits with (V << 1) | 1.)
 */
#define ISOLAB_PORT_DEBUG_EXIT 0x00f4

/*
 * Boot marker: the guest writes the bytes of a marker name (at most
 * ISOLAB_MARKER_NAME_MAX, printable ASCII) one 8-bit OUT at a time and
 * ends it with '\n' or '\0'. The VMM timestamps the marker when its first
 * byte arrives (ns since the VMM process started) and records it in
 * --stats.
 */
#define ISOLAB_PORT_MARKER 0x0ef0
#define ISOLAB_MARKER_NAME_MAX 31

/*
 * Ping: an 8-bit IN returns ISOLAB_PING_REPLY and has no other effect. It
 * exists so the probe can time one full guest -> VMM -> guest exit round
 * trip.
 */
#define ISOLAB_PORT_PING  0x0ef1
#define ISOLAB_PING_REPLY 0x49 /* 'I' */

#endif
