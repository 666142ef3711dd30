#!/usr/bin/env python3
"""ptyrun.py: runs a command with a pseudo-terminal as its controlling
terminal and stdin/stdout/stderr (the caller's terminal, for the TIOCSTI
and -t integration tests). Prints what the command wrote, what input is
left pending on that terminal afterwards (what TIOCSTI would have typed
into the caller's shell) and its exit status:
    output=b'...'
    pending=b'...'
    status=N
Options before the command:
    --size ROWS,COLS              the terminal's window size at the start
    --resize-on MARKER ROWS,COLS  once the output shows MARKER, the window
                                  size changes (the kernel sends SIGWINCH
                                  to the terminal's foreground group)
"""
import fcntl
import os
import select
import struct
import sys
import termios


def set_size(fd, spec):
    rows, cols = (int(x) for x in spec.split(","))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


args = sys.argv[1:]
size = resize = None
while args and args[0] in ("--size", "--resize-on"):
    if args[0] == "--size":
        size, args = args[1], args[2:]
    else:
        resize, args = (args[1].encode(), args[2]), args[3:]
sys.argv[1:] = args
master, slave = os.openpty()
if size is not None:
    set_size(master, size)
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
status = None
while status is None:
    r, _, _ = select.select([master], [], [], 0.1)
    if master in r:
        try:
            out += os.read(master, 4096)
        except OSError:
            pass
    if resize is not None and resize[0] in out:
        set_size(master, resize[1])
        resize = None
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = os.waitstatus_to_exitcode(st)
os.set_blocking(master, False)
try:
    out += os.read(master, 4096)
except OSError:
    pass
os.set_blocking(slave, False)
try:
    pending = os.read(slave, 4096)
except OSError:
    pending = b""
print("output=%r\npending=%r\nstatus=%d" % (out, pending, status))
