/*
 * i8042.h: just enough of the PC keyboard controller for Linux's
 * `reboot=k` path (arch/x86/kernel/reboot.c: kb_wait() polls the status
 * port, then writes command 0xfe, "pulse reset line", to port 0x64). The
 * status reads 0 (input buffer empty), the data port reads 0, and a reset
 * command sets `reset`, which the VMM turns into a clean stop.
 */
#ifndef ISOLAB_VMM_I8042_H
#define ISOLAB_VMM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA_PORT    0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_CMD_RESET    0xfe  /* pulse output line 0 (CPU reset) */

struct i8042 {
	bool reset;
};

uint8_t i8042_read(struct i8042 *k, uint16_t port);
void i8042_write(struct i8042 *k, uint16_t port, uint8_t value);

#endif
