"""The process a kernel manager starts when kernels are forked: it stands for the forked kernel.

Run by the kernel manager of :mod:`satisfaction.report.kernels` in place of the kernel's own
command, with the standard library only (``python -I -S kernel_proxy.py ADDRESS -- CMD...``)::

1. it asks the kernel factory listening at ``ADDRESS`` (a Unix socket) to fork a kernel for
   ``CMD``, handing over its environment, working directory and standard streams;
2. it forwards every signal the kernel manager sends (interrupt, terminate...) to that kernel,
   and ends when the kernel ends (the factory's connection closes);
3. when it ends first (killed, or its parent -- the worker -- is gone) the kernel sees the
   connection close and ends too.

When the factory cannot be reached, or answers that it will not fork this command, the proxy
becomes the kernel itself (``exec`` of ``CMD``): a kernel is then started the ordinary way.

Not for: anything else; it must start in a few milliseconds (no third-party import).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import sys

HANDSHAKE_SECONDS = 60.0
"""How long the factory may take to answer (it imports the notebooks' modules first)."""
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")


def _ask(address: str, cmd: list[str]) -> tuple[int, socket.socket]:
    """The pid of the kernel the factory forked for ``cmd`` (0: it will not), and the connection."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(HANDSHAKE_SECONDS)
    sock.connect(address)
    request = json.dumps({"argv": cmd, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    socket.send_fds(sock, [struct.pack("!Q", len(request))], [0, 1, 2])
    sock.sendall(request)
    answer = b""
    while not answer.endswith(b"\n"):
        chunk = sock.recv(32)
        if not chunk:
            raise ConnectionError("the kernel factory closed the connection")
        answer += chunk
    return int(answer), sock


def _watch(sock: socket.socket, pid: int, parent: int) -> int:
    """Forward signals to the kernel until it ends (or this process's parent is gone)."""

    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for name in FORWARDED:
        signal.signal(getattr(signal, name), forward)
    sock.settimeout(None)
    while True:
        try:
            ready, _, _ = select.select([sock], [], [], 0.5)
        except InterruptedError:
            continue
        if ready and not sock.recv(64):
            return 0  # the kernel ended: its end of the connection closed
        if os.getppid() != parent:
            forward(signal.SIGTERM, None)
            return 1


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        print("usage: kernel_proxy.py ADDRESS -- KERNEL COMMAND...", file=sys.stderr)
        return 2
    address, cmd = argv[1], argv[3:]
    parent = os.getppid()
    try:
        pid, sock = _ask(address, cmd)
    except (OSError, ValueError):
        pid, sock = 0, None
    if not pid:
        if sock is not None:
            sock.close()
        os.execv(cmd[0], cmd)  # the ordinary way: this process becomes the kernel
    return _watch(sock, pid, parent)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
