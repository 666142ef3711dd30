#!/usr/bin/env python3
# container/tests/recvtty.py: the caller's side of --console-socket, as
# runc's contrib/cmd/recvtty: listens on SOCKET, runs `CTR --root ROOT
# create --bundle BUNDLE --console-socket SOCKET ID`, receives the pty
# master (SCM_RIGHTS), starts the container, types LINE into its terminal
# and prints what the terminal shows (3 s at most, or until it closes).
#
#   recvtty.py CTR ROOT BUNDLE ID SOCKET LINE
import array, os, select, socket, subprocess, sys, time

ctr, root, bundle, cid, path, line = sys.argv[1:7]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
create = subprocess.Popen([ctr, "--root", root, "create", "--bundle", bundle,
                           "--console-socket", path, cid], stdin=subprocess.DEVNULL)
srv.settimeout(10)
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(64, socket.CMSG_LEN(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
print("received %s, %d fd" % (msg.decode(), len(fds)))
print("create exit %d" % create.wait())
master = fds[0]
subprocess.run([ctr, "--root", root, "start", cid], check=True)
os.write(master, line.encode() + b"\n")
out, end = b"", time.time() + 3
while time.time() < end:
    ready, _, _ = select.select([master], [], [], 0.2)
    if ready:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the container's side is closed
            break
        if not chunk:
            break
        out += chunk
sys.stdout.write(out.decode(errors="replace"))
os.unlink(path)
