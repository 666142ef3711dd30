/*
 * stats.c: --stats FILE.json (written atomically with cJSON): phase
 * times, boot markers, VM exits by reason and port, guest memory touched
 * and the VMM's own peak memory. Field meanings: vmm/README.md, "Stats".
 */
#include "vmm/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common/jsonfile.h"
#include "common/procfs.h"

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "unknown", [KVM_EXIT_EXCEPTION] = "exception", [KVM_EXIT_IO] = "io",
	[KVM_EXIT_HYPERCALL] = "hypercall", [KVM_EXIT_DEBUG] = "debug", [KVM_EXIT_HLT] = "hlt",
	[KVM_EXIT_MMIO] = "mmio", [KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
	[KVM_EXIT_SHUTDOWN] = "shutdown", [KVM_EXIT_FAIL_ENTRY] = "fail_entry",
	[KVM_EXIT_INTR] = "intr", [KVM_EXIT_INTERNAL_ERROR] = "internal_error",
	[KVM_EXIT_SYSTEM_EVENT] = "system_event",
};

static const char *const stop_names[] = {
	[VM_RUNNING] = "running", [VM_STOP_DEBUG_EXIT] = "debug-exit", [VM_STOP_RESET] = "reboot", [VM_STOP_POWEROFF] = "poweroff",
	[VM_STOP_PANIC] = "panic", [VM_STOP_SHUTDOWN] = "triple-fault",
	[VM_STOP_GUEST_ERROR] = "guest-error", [VM_STOP_VMM_ERROR] = "vmm-error",
	[VM_STOP_TIMEOUT] = "timeout", [VM_STOP_SIGNAL] = "signal", [VM_STOP_ESCAPE] = "escape",
};

/* A "VmHWM:  1234 kB" style line of /proc/self/status, in bytes; 0 if absent. */
static uint64_t proc_status_kb(const char *key)
{
	char text[4096];
	size_t n;
	long long v;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	v = isolab_procfs_field(text, key);
	return v < 0 ? 0 : (uint64_t)v;
}

/* Pages of the guest mapping that are resident (touched by the guest or the loader). */
static uint64_t guest_resident_pages(const struct vm *vm)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = vm->mem_size / page;
	uint64_t count = 0;
	unsigned char vec[4096];

	for (size_t off = 0; off < n; off += sizeof(vec)) {
		size_t chunk = n - off < sizeof(vec) ? n - off : sizeof(vec);
		if (mincore(vm->mem + off * page, chunk * page, vec) < 0)
			return 0;
		for (size_t i = 0; i < chunk; i++)
			count += vec[i] & 1;
	}
	return count;
}

static void add_u64(cJSON *o, const char *k, uint64_t v)
{
	cJSON_AddNumberToObject(o, k, (double)v);
}

int stats_write(const struct vm *vm, const char *path, const char *kernel_path,
		struct isolab_error *err)
{
	/* Peak first, then the guest pages: the guest's RSS only grows. */
	uint64_t hwm = proc_status_kb("VmHWM");
	uint64_t pages = guest_resident_pages(vm);
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t guest_rss = pages * page;
	cJSON *doc = cJSON_CreateObject();
	if (!doc)
		return isolab_error_set(err, -ENOMEM, "stats: out of memory");

	cJSON_AddStringToObject(doc, "program", "isolab-vmm");
	cJSON_AddStringToObject(doc, "kernel", kernel_path);
	cJSON_AddStringToObject(doc, "kernel_format", vm->kernel.format == KERNEL_ELF ? "elf" : "bzImage");
	add_u64(doc, "cpus", vm->ncpus);
	add_u64(doc, "guest_memory_bytes", vm->mem_size);
	add_u64(doc, "initrd_bytes", vm->initrd_size);
	int why = atomic_load(&vm->stop);
	cJSON_AddStringToObject(doc, "stop_reason",
				why >= 0 && why <= VM_STOP_ESCAPE ? stop_names[why] : "unknown");
	add_u64(doc, "exit_status", (uint64_t)vm->status);

	cJSON *t = cJSON_AddObjectToObject(doc, "times_ns");
	add_u64(t, "process_start", 0);
	add_u64(t, "kernel_loaded", vm->t_loaded);
	add_u64(t, "vm_created", vm->t_vm_created);
	add_u64(t, "first_guest_entry", vm->t_first_entry);
	add_u64(t, "exit", vm->t_exit);

	cJSON *markers = cJSON_AddArrayToObject(doc, "markers");
	for (unsigned i = 0; i < vm->debug.nmarkers; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "name", vm->debug.markers[i].name);
		add_u64(m, "ns", vm->debug.markers[i].ns);
		cJSON_AddItemToArray(markers, m);
	}
	add_u64(doc, "markers_dropped", vm->debug.dropped);

	uint64_t reasons[VCPU_EXIT_REASONS] = { 0 }, total = 0, io_other = 0;
	cJSON *ports = cJSON_CreateObject();
	for (unsigned c = 0; vm->vcpus && c < vm->ncpus; c++) {
		const struct vcpu *v = &vm->vcpus[c];

		for (unsigned r = 0; r < VCPU_EXIT_REASONS; r++)
			reasons[r] += v->exits[r];
		io_other += v->io_other;
		for (unsigned i = 0; i < v->nio; i++) {
			char key[16];
			snprintf(key, sizeof(key), "0x%x", v->io_port[i]);
			cJSON *item = cJSON_GetObjectItemCaseSensitive(ports, key);
			if (item)
				cJSON_SetNumberValue(item, item->valuedouble + (double)v->io_count[i]);
			else
				add_u64(ports, key, v->io_count[i]);
		}
	}
	cJSON *exits = cJSON_AddObjectToObject(doc, "exits");
	cJSON *by_reason = cJSON_AddObjectToObject(exits, "by_reason");
	for (unsigned r = 0; r < VCPU_EXIT_REASONS; r++) {
		if (!reasons[r])
			continue;
		char key[24];
		const char *name = r < sizeof(exit_names) / sizeof(exit_names[0]) ? exit_names[r] : NULL;
		if (!name) {
			snprintf(key, sizeof(key), "reason_%u", r);
			name = key;
		}
		add_u64(by_reason, name, reasons[r]);
		if (r != KVM_EXIT_INTR)
			total += reasons[r];
	}
	add_u64(exits, "total", total);
	cJSON_AddItemToObject(exits, "io_by_port", ports);
	add_u64(exits, "io_other_ports", io_other);
	add_u64(exits, "io_unhandled_accesses", vm->unhandled_io);

	cJSON *mem = cJSON_AddObjectToObject(doc, "memory");
	add_u64(mem, "guest_pages_touched", pages);
	add_u64(mem, "page_size", page);
	add_u64(mem, "vmm_peak_rss_bytes", hwm);
	add_u64(mem, "vmm_own_peak_bytes", hwm > guest_rss ? hwm - guest_rss : 0);
	add_u64(exits, "mmio_unhandled_accesses", vm->unhandled_mmio);
	if (vm->disk != NULL)
		disk_stats_json(vm, cJSON_AddObjectToObject(doc, "disk"));
	if (vm->net != NULL)
		net_stats_json(vm, cJSON_AddObjectToObject(doc, "net"));

	int r = isolab_json_write_atomic(path, doc, err);
	cJSON_Delete(doc);
	return r;
}
