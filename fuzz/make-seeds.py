#!/usr/bin/env python3
"""fuzz/make-seeds.py: writes the committed seed corpus fuzz/corpus/<target>/.

Each seed is a small, valid input that reaches deep into its parser, so the
fuzzer starts from accepted inputs and mutates them. Run from the
repository root; rewrites the files it owns and leaves any others.
The vmm_boot layout (20-byte parameter block, then the kernel's first
bytes) is described in fuzz/vmm_boot.c; the header offsets are those of
vmm/boot.h (Documentation/arch/x86/boot.rst).
"""
import json
import os
import struct


def write(target, name, data):
    os.makedirs(f"fuzz/corpus/{target}", exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(f"fuzz/corpus/{target}/{name}", "wb") as f:
        f.write(data)


def boot_params(file_size, mem_mib, initrd, cmdline_len):
    # mem_mib is folded by the target as 16 + value % 3057
    return struct.pack("<QIII", file_size, mem_mib - 16, initrd, cmdline_len)


def bzimage(relocatable, pref_address):
    b = bytearray(4096)
    b[0x1f1] = 4                                    # setup_sects
    struct.pack_into("<I", b, 0x1f4, (1 << 20) // 16)  # syssize: 1 MiB payload
    struct.pack_into("<H", b, 0x1fe, 0xaa55)        # boot_flag
    b[0x200], b[0x201] = 0xeb, 0x6a                 # jump: header ends at 0x26c
    b[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", b, 0x206, 0x020f)        # protocol 2.15
    b[0x211] = 0x01                                 # loadflags: LOADED_HIGH
    struct.pack_into("<I", b, 0x22c, 0x7fffffff)    # initrd_addr_max
    struct.pack_into("<I", b, 0x230, 0x200000)      # kernel_alignment
    b[0x234] = relocatable
    struct.pack_into("<H", b, 0x236, 0x1)           # xloadflags: XLF_KERNEL_64
    struct.pack_into("<I", b, 0x238, 2047)          # cmdline_size
    struct.pack_into("<Q", b, 0x258, pref_address)
    struct.pack_into("<I", b, 0x260, 8 << 20)       # init_size
    return bytes(b)


def vmlinux():
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9,
                       2, 62, 1, 0x1000000, 64, 0, 0, 64, 56, 2, 0, 0, 0)
    ph0 = struct.pack("<IIQQQQQQ", 1, 5, 0x200000, 0xffffffff81000000, 0x1000000,
                      0x100000, 0x100000, 0x200000)
    ph1 = struct.pack("<IIQQQQQQ", 1, 6, 0x300000, 0xffffffff81100000, 0x1100000,
                      0x1000, 0x200000, 0x200000)
    return ehdr + ph0 + ph1


bz_size = 5 * 512 + (1 << 20)
write("vmm_boot", "bzimage-relocatable", boot_params(bz_size, 128, 1 << 20, 60) + bzimage(1, 0))
write("vmm_boot", "bzimage-pref-address", boot_params(bz_size, 256, 0, 10) + bzimage(0, 0x1000000))
write("vmm_boot", "vmlinux-two-segments", boot_params(0x301000, 128, 4 << 20, 60) + vmlinux())

minimal = {"ociVersion": "1.0.2", "root": {"path": "rootfs"},
           "process": {"args": ["sh"], "cwd": "/"},
           "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]}}
write("oci_config", "minimal.json", json.dumps(minimal))
full = {
    "ociVersion": "1.0.2",
    "process": {"user": {"uid": 1000, "gid": 100, "additionalGids": [5, 6]},
                "args": ["sh", "-c", "echo hi"], "env": ["PATH=/bin"], "cwd": "/tmp",
                "capabilities": {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"],
                                 "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512}],
                "noNewPrivileges": True},
    "root": {"path": "/srv/rootfs", "readonly": True},
    "hostname": "oci-box",
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
               {"destination": "/data", "type": "bind", "source": "/srv",
                "options": ["rbind", "ro", "rprivate"]},
               {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}],
    "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "user"},
                             {"type": "uts"}, {"type": "network"}],
              "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
              "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
              "resources": {"memory": {"limit": 67108864}, "cpu": {"quota": 25000, "period": 50000},
                            "pids": {"limit": 64}},
              "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]},
}
write("oci_config", "full.json", json.dumps(full, indent=1))

for name, text in [("plain", "4096"), ("mebibytes", "128M"), ("gib-suffix", "2GiB"),
                   ("kilobytes", "512kb"), ("max-u64", "18446744073709551615")]:
    write("size", name, text)

write("vmm_args", "boot", "\0".join(["--kernel", "build/guest/bzImage", "--initrd", "initramfs.cpio.gz",
                                     "--mem", "512M", "--cpus", "2", "--timeout", "30",
                                     "--append", 'isolab_run="echo hi"', "--stats", "s.json"]))
write("vmm_args", "cmdline", "\0".join(["--kernel=k", "--cmdline", "console=ttyS0", "--mem=1G"]))

write("ctr_args", "run-options", "\0".join([
    "run", "--rootfs", "/srv/rootfs", "--name", "c1", "-m", "64M", "--cpus", "0.5",
    "--pids", "64", "-v", "/srv/data:/data:ro", "--net", "none", "-e", "K=V", "-w", "/tmp",
    "-u", "1000:100", "--userns=100000:65536", "--read-only", "--init", "--cap-drop", "ALL",
    "--cap-add", "CAP_KILL", "--", "sh", "-c", "echo hi"]))
write("ctr_args", "run-bundle", "\0".join(["run", "--stats", "s.json", "--bundle", "/srv/b", "id1"]))
write("ctr_args", "sweep", "sweep")
