#!/usr/bin/env python3
"""container/tests/startup-bench.py: median wall time of starting /bin/true
in isolab-ctr and its peers, runs interleaved so machine noise hits all
alike. Not a test (timings are not asserted); the README cites its output.

    container/tests/startup-bench.py [RUNS]    (root; after make image)
"""
import os, shutil, statistics, subprocess, sys, tempfile, time, json

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rootfs = os.path.join(root, "build/image/rootfs")
ctr = os.path.join(root, "build/isolab-ctr")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20

systems = {
    "isolab-ctr": [ctr, "run", "--rootfs", rootfs, "--", "/bin/true"],
    "unshare": ["unshare", "-fpmuin", "--mount-proc", "/bin/true"],
}
if shutil.which("bwrap"):
    systems["bwrap"] = ["bwrap", "--unshare-all", "--ro-bind", rootfs, "/",
                        "--proc", "/proc", "--dev", "/dev", "/bin/true"]
bundle = None
if shutil.which("runc"):
    bundle = tempfile.mkdtemp(prefix="isolab-runc-")
    subprocess.run(["runc", "spec", "--bundle", bundle], check=True)
    with open(os.path.join(bundle, "config.json")) as f:
        spec = json.load(f)
    spec["root"]["path"] = rootfs
    spec["process"]["terminal"] = False
    spec["process"]["args"] = ["/bin/true"]
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(spec, f)
    systems["runc"] = ["runc", "run", "--bundle", bundle, "isolab-bench-runc"]

times = {k: [] for k in systems}
for _ in range(runs):
    for name, argv in systems.items():
        t = time.perf_counter()
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        dt = time.perf_counter() - t
        if r.returncode != 0:
            print(f"{name}: exit {r.returncode}: {r.stderr.decode().strip()[:200]}")
            continue
        times[name].append(dt * 1000)
for name, v in times.items():
    if v:
        print(f"{name:11s} median {statistics.median(v):7.2f} ms  min {min(v):6.2f}  "
              f"max {max(v):7.2f}  (n={len(v)})")
if bundle:
    shutil.rmtree(bundle, ignore_errors=True)
