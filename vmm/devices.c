/*
 * devices.c: the machine's port-I/O devices, one registration line each,
 * and the glue from their pure models (serial.c, i8042.c, debugport.c) to
 * the world: the UART's interrupt line (KVM_IRQ_LINE) and output
 * (stdout), a reset or debug exit turned into a stop. One lock serialises
 * all device state between vCPU threads and the console input thread.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "common/timing.h"
#include "vmm/banner.h"


static void serial_update_irq(struct vm *vm)
{
	bool level = serial_irq_level(&vm->serial);

	if (level != vm->serial_irq) {
		vm->serial_irq = level;
		if (vm_irq_line(vm, SERIAL_COM1_IRQ, level) < 0)
			vm_request_stop(vm, VM_STOP_VMM_ERROR, VMM_STATUS_VMM_ERROR, "KVM_IRQ_LINE %d failed",
					SERIAL_COM1_IRQ);
	}
}

/* Called with vm->lock held. */
static void flush_output_locked(struct vm *vm)
{
	struct serial *s = &vm->serial;
	size_t done = 0;

	bool stopped = false;

	for (size_t i = 0; i < s->out_len; i++) {
		switch (banner_feed(&vm->banners, (char)s->out[i])) {
		case BANNER_PANIC:
			vm->panicked = true; /* a reset after a panic is a crash, not a reboot */
			break;
		case BANNER_POWER_DOWN:
		case BANNER_HALTED:
			stopped = true; /* the CPU halts for good next: nothing will exit */
			break;
		default:
			break;
		}
	}
	while (done < s->out_len) {
		ssize_t n = write(STDOUT_FILENO, s->out + done, s->out_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* stdout gone: the guest keeps running, its output is lost */
		done += (size_t)n;
	}
	s->out_len = 0;
	s->out_flush = false;
	if (stopped)
		vm_request_stop(vm, VM_STOP_POWEROFF, 0, "guest powered off");
}

static uint8_t com1_read(void *dev, uint16_t port)
{
	struct vm *vm = dev;
	uint8_t v = serial_read(&vm->serial, port - SERIAL_COM1_BASE);

	serial_update_irq(vm);
	return v;
}

static void com1_write(void *dev, uint16_t port, uint8_t value)
{
	struct vm *vm = dev;

	serial_write(&vm->serial, port - SERIAL_COM1_BASE, value);
	if (vm->serial.out_flush)
		flush_output_locked(vm);
	serial_update_irq(vm);
}

static uint8_t kbd_read(void *dev, uint16_t port)
{
	return i8042_read(&((struct vm *)dev)->i8042, port);
}

static void kbd_write(void *dev, uint16_t port, uint8_t value)
{
	struct vm *vm = dev;

	i8042_write(&vm->i8042, port, value);
	if (vm->i8042.reset) {
		flush_output_locked(vm);
		if (vm->panicked)
			vm_request_stop(vm, VM_STOP_PANIC, VMM_STATUS_GUEST_CRASH, "guest kernel panicked");
		else
			vm_request_stop(vm, VM_STOP_RESET, 0, "guest rebooted");
	}
}

static uint8_t guest_port_read(void *dev, uint16_t port)
{
	return debugport_read(&((struct vm *)dev)->debug, port);
}

static void guest_port_write(void *dev, uint16_t port, uint8_t value)
{
	struct vm *vm = dev;

	debugport_write(&vm->debug, port, value, isolab_since_start_ns());
	if (vm->debug.exit_requested) {
		flush_output_locked(vm);
		vm_request_stop(vm, VM_STOP_DEBUG_EXIT, vm->debug.exit_status, "guest exited with status %u",
				vm->debug.exit_status);
	}
}

int devices_init(struct vm *vm, struct isolab_error *err)
{
	int r = 0;

	serial_init(&vm->serial);
	r = r ?: iobus_register(&vm->bus, SERIAL_COM1_BASE, SERIAL_NPORTS, "serial (COM1)",
				com1_read, com1_write, vm, err);
	r = r ?: iobus_register(&vm->bus, I8042_DATA_PORT, 1, "i8042 data", kbd_read, kbd_write, vm, err);
	r = r ?: iobus_register(&vm->bus, I8042_COMMAND_PORT, 1, "i8042 command", kbd_read, kbd_write,
				vm, err);
	r = r ?: iobus_register(&vm->bus, ISOLAB_PORT_DEBUG_EXIT, 1, "debug exit", guest_port_read,
				guest_port_write, vm, err);
	r = r ?: iobus_register(&vm->bus, ISOLAB_PORT_MARKER, 2, "boot marker and ping",
				guest_port_read, guest_port_write, vm, err);
	return r;
}

void devices_io(struct vm *vm, uint16_t port, bool out, uint8_t *data)
{
	const struct iobus_range *r = iobus_find(&vm->bus, port);

	pthread_mutex_lock(&vm->lock);
	if (!r) {
		vm->unhandled_io++;
		if (!out)
			*data = 0xff; /* an empty ISA bus reads all ones */
	} else if (out) {
		r->write(r->dev, port, *data);
	} else {
		*data = r->read(r->dev, port);
	}
	pthread_mutex_unlock(&vm->lock);
}

int devices_add_mmio(struct vm *vm, uint64_t base, struct virtio_mmio *m, struct isolab_error *err)
{
	if (vm->n_mmio == VM_MMIO_DEVICES)
		return isolab_error_set(err, -ENOSPC, "more than %d virtio devices", VM_MMIO_DEVICES);
	vm->mmio[vm->n_mmio].base = base;
	vm->mmio[vm->n_mmio].mmio = m;
	vm->n_mmio++;
	return 0;
}

void devices_mmio(struct vm *vm, uint64_t addr, uint8_t *data, unsigned len, bool is_write)
{
	pthread_mutex_lock(&vm->lock);
	for (unsigned i = 0; i < vm->n_mmio; i++) {
		uint64_t off = addr - vm->mmio[i].base;

		if (addr < vm->mmio[i].base || off >= VIRTIO_MMIO_WINDOW)
			continue;
		if (is_write)
			virtio_mmio_write(vm->mmio[i].mmio, (uint32_t)off, data, len);
		else
			virtio_mmio_read(vm->mmio[i].mmio, (uint32_t)off, data, len);
		pthread_mutex_unlock(&vm->lock);
		return;
	}
	/* Nothing else is memory-mapped outside KVM's own LAPIC/IOAPIC. */
	vm->unhandled_mmio++;
	if (!is_write)
		memset(data, 0xff, len);
	pthread_mutex_unlock(&vm->lock);
}

void devices_transport_json(const struct virtio_mmio *m, cJSON *o)
{
	cJSON_AddNumberToObject(o, "bad_accesses", (double)m->bad_accesses);
	cJSON_AddNumberToObject(o, "refusals", (double)m->refusals);
	if (m->refusals > 0)
		cJSON_AddStringToObject(o, "last_refusal", m->last_error.msg);
}

void devices_flush_output(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->serial.out_len)
		flush_output_locked(vm);
	pthread_mutex_unlock(&vm->lock);
}

size_t devices_console_input(struct vm *vm, const uint8_t *bytes, size_t n)
{
	pthread_mutex_lock(&vm->lock);
	size_t taken = serial_rx_push(&vm->serial, bytes, n);
	serial_update_irq(vm);
	pthread_mutex_unlock(&vm->lock);
	return taken;
}
