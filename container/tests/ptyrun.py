#!/usr/bin/env python3
"""ptyrun.py: runs a command with a pseudo-terminal as its controlling
terminal and stdin/stdout/stderr (the caller's terminal, for the TIOCSTI
and -t integration tests). Prints what the command wrote, what input is
left pending on that terminal afterwards (what TIOCSTI would have typed
into the caller's shell) and its exit status:
    output=b'...'
    pending=b'...'
    status=N
"""
import fcntl
import os
import select
import sys
import termios

master, slave = os.openpty()
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
