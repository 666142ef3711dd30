/*
 * i8042.h: just enough of the PC keyboard controller for Linux's
 * `reboot=k` path (arch/x86/kernel/reboot.c: kb_wait() polls the status
 * port until the input buffer is empty, then writes command 0xfe, "pulse
 * reset line", to port 0x64), which the VMM turns into a clean stop.
 *
 * The status register always reads "output buffer full, input buffer
 * empty": kb_wait() returns at once, and Linux's i8042 driver, whose
 * i8042_flush() gives up after 16 reads that never empty the output
 * buffer, decides "No controller found" in a few dozen exits instead of
 * timing out its commands (10,000 polls each). The data port reads 0xff.
 */
#ifndef ISOLAB_VMM_I8042_H
#define ISOLAB_VMM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA_PORT    0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_CMD_RESET    0xfe  /* pulse output line 0 (CPU reset) */
#define I8042_STR_OBF      0x01  /* output buffer full */
#define I8042_STR_IBF      0x02  /* input buffer full */
#define I8042_STR_SYSFLAG  0x04

struct i8042 {
	bool reset;
};

uint8_t i8042_read(struct i8042 *k, uint16_t port);
void i8042_write(struct i8042 *k, uint16_t port, uint8_t value);

#endif
