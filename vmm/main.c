/*
 * main.c: isolab-vmm, a small KVM virtual machine monitor. Parses the
 * command line, loads the kernel into guest RAM, creates the VM and its
 * vCPU threads, then serves the console, signals and --timeout from the
 * main thread until the guest stops; the only place that prints an error
 * and picks the exit status (vmm/README.md).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include "common/timing.h"
#include "common/version.h"
#include "vmm/args.h"
#include "vmm/console.h"
#include "vmm/vm.h"

static struct vm vm;
static struct console console;

#define LOADER_STACK_SIZE (64 * 1024)

struct load_job {
	const struct vmm_args *args;
	int r;
	struct isolab_error err;
};

static void *load_thread(void *arg)
{
	struct load_job *job = arg;

	job->r = vm_load(&vm, job->args->kernel, job->args->initrd, job->args->cmdline, &job->err);
	vm.t_loaded = isolab_since_start_ns();
	return NULL;
}

static int no_kvm(int code)
{
	return code == -ENOENT || code == -EACCES || code == -ENXIO || code == -ENODEV ||
	       code == -ENOTSUP || code == -EPERM;
}

static void stdin_ready(void)
{
	uint8_t in[256], out[256];
	bool quit = false;
	size_t room;

	pthread_mutex_lock(&vm.lock);
	room = serial_rx_space(&vm.serial);
	pthread_mutex_unlock(&vm.lock);
	if (room > sizeof(in))
		room = sizeof(in);
	ssize_t n = read(STDIN_FILENO, in, room);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		console.eof = true; /* the guest keeps running; its shell just gets no more input */
		return;
	}
	size_t m = console.tty ? console_filter(&console, in, (size_t)n, out, &quit)
			       : (memcpy(out, in, (size_t)n), (size_t)n);
	if (quit) {
		vm_request_stop(&vm, VM_STOP_ESCAPE, 128 + SIGINT, "quit (Ctrl-A x)");
		return;
	}
	devices_console_input(&vm, out, m);
}

/* Serves stdin, signals and the timeout until some thread asks the VM to stop. */
static void main_loop(int sigfd, uint64_t timeout_s)
{
	uint64_t deadline = timeout_s ? isolab_now_ns() + timeout_s * 1000000000ull : 0;

	while (atomic_load(&vm.stop) == VM_RUNNING) {
		bool room;
		pthread_mutex_lock(&vm.lock);
		room = serial_rx_space(&vm.serial) > 0;
		pthread_mutex_unlock(&vm.lock);
		struct pollfd p[3] = {
			{ .fd = vm.wake_fd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = console.eof || !room ? -1 : STDIN_FILENO, .events = POLLIN },
		};
		int wait_ms = room ? -1 : 10; /* the guest's input buffer is full: look again soon */
		if (deadline) {
			uint64_t now = isolab_now_ns();
			if (now >= deadline) {
				vm_request_stop(&vm, VM_STOP_TIMEOUT, VMM_STATUS_TIMEOUT,
						"guest still running after %llu s (--timeout)",
						(unsigned long long)timeout_s);
				break;
			}
			int left = (int)((deadline - now) / 1000000) + 1;
			if (wait_ms < 0 || left < wait_ms)
				wait_ms = left;
		}
		if (poll(p, 3, wait_ms) < 0 && errno != EINTR) {
			vm_request_stop(&vm, VM_STOP_VMM_ERROR, VMM_STATUS_VMM_ERROR, "poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				vm_request_stop(&vm, VM_STOP_SIGNAL, 128 + (int)si.ssi_signo,
						"stopped by signal %s", strsignal((int)si.ssi_signo));
		}
		if (p[2].revents & POLLNVAL)
			console.eof = true; /* stdin is closed */
		else if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			stdin_ready();
	}
}

int main(int argc, char **argv)
{
	struct vmm_args args;
	struct isolab_error err = { 0 };
	int r, status;

	r = vmm_args_parse(argc, argv, &args, &err);
	if (r == VMM_ARGS_HELP) {
		fputs(vmm_usage, stdout);
		return 0;
	}
	if (r == VMM_ARGS_VERSION) {
		printf("isolab-vmm version %s\n", ISOLAB_VERSION);
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "isolab-vmm: %s\n", err.msg);
		return VMM_STATUS_USAGE;
	}

	/* Signals go to the main loop through a signalfd; vCPU threads inherit the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigdelset(&set, SIGUSR1);
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC);

	/*
	 * Guest RAM first; then the loader thread reads the kernel and initrd
	 * into it while this thread creates the VM and its vCPUs (each takes
	 * about as long as the other).
	 */
	if ((args.disk && disk_open(&vm, args.disk, args.disk_ro, &err) < 0) ||
	    (args.net_tap && net_open(&vm, args.net_tap, &err) < 0)) {
		fprintf(stderr, "isolab-vmm: %s\n", err.msg);
		disk_close(&vm);
		net_close(&vm);
		return VMM_STATUS_USAGE;
	}
	r = vm_map_memory(&vm, args.mem, args.cpus, &err);
	if (r < 0) {
		fprintf(stderr, "isolab-vmm: %s\n", err.msg);
		return VMM_STATUS_VMM_ERROR;
	}
	struct load_job job = { .args = &args };
	pthread_t loader;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, LOADER_STACK_SIZE);
	bool threaded = pthread_create(&loader, &attr, load_thread, &job) == 0;
	pthread_attr_destroy(&attr);
	if (!threaded)
		load_thread(&job);
	r = vm_create(&vm, &err);
	if (r == 0)
		r = devices_init(&vm, &err);
	if (r == 0)
		r = disk_start(&vm, &err);
	if (r == 0)
		r = net_start(&vm, &err);
	if (r == 0)
		r = vcpus_create(&vm, &err);
	if (threaded)
		pthread_join(loader, NULL);
	/* A bad kernel is reported first: it is the user's to fix, KVM or not. */
	if (job.r < 0) {
		fprintf(stderr, "isolab-vmm: %s\n", job.err.msg);
		vm_close(&vm);
		return VMM_STATUS_USAGE;
	}
	if (r < 0 && no_kvm(r) && vm.vm_fd < 0) {
		fprintf(stderr, "isolab-vmm: %s: KVM is not usable here; run inside the nested-KVM lab: lab/run -- %s ...\n",
			err.msg, argv[0]);
		vm_close(&vm);
		return VMM_STATUS_NO_KVM;
	}
	if (r == 0)
		r = vcpu_boot_regs(&vm, &err);
	if (r == 0 && sigfd < 0)
		r = isolab_error_errno(&err, -errno, "signalfd");
	if (r < 0) {
		fprintf(stderr, "isolab-vmm: %s\n", err.msg);
		vm_close(&vm);
		return VMM_STATUS_VMM_ERROR;
	}

	console_raw(&console);
	r = vcpus_start(&vm, &err);
	if (r < 0)
		vm_request_stop(&vm, VM_STOP_VMM_ERROR, VMM_STATUS_VMM_ERROR, "%s", err.msg);
	else
		main_loop(sigfd, args.timeout_s);
	vcpus_kick(&vm);
	vcpus_join(&vm);
	devices_flush_output(&vm);
	console_restore(&console);
	close(sigfd);

	status = vm.status;
	if (vm.stop_msg[0] && atomic_load(&vm.stop) != VM_STOP_DEBUG_EXIT &&
	    atomic_load(&vm.stop) != VM_STOP_RESET && atomic_load(&vm.stop) != VM_STOP_POWEROFF)
		fprintf(stderr, "isolab-vmm: %s\n", vm.stop_msg);
	if (args.stats && stats_write(&vm, args.stats, args.kernel, &err) < 0) {
		fprintf(stderr, "isolab-vmm: --stats: %s\n", err.msg);
		if (status == 0)
			status = VMM_STATUS_VMM_ERROR;
	}
	vm_close(&vm);
	return status;
}
