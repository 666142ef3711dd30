/* i8042.c: the keyboard controller's reset command (see i8042.h). Pure. */
#include "vmm/i8042.h"

uint8_t i8042_read(struct i8042 *k, uint16_t port)
{
	(void)k;
	if (port == I8042_COMMAND_PORT)
		return I8042_STR_OBF | I8042_STR_SYSFLAG; /* IBF clear: commands are taken at once */
	return 0xff;
}

void i8042_write(struct i8042 *k, uint16_t port, uint8_t value)
{
	if (port == I8042_COMMAND_PORT && value == I8042_CMD_RESET)
		k->reset = true;
}
