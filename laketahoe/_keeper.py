"""Keeps the service's port open across restarts of the service under Jupyter.

jupyter-server-proxy waits for a server's readiness only when it first launches it; when the process
dies, simpervisor starts it again but requests keep being proxied to the port meanwhile, and each one
fails with a 500 (connection refused) until the new process listens. This launcher owns the listening
socket instead: it binds the port once and hands the socket to every service process it starts
(``--listen-fd``). While the service is down, connections wait in the socket's backlog and are served
by the restarted service, so the browser sees a slow answer, never a 500.

Usage: ``python -m laketahoe._keeper PORT -- COMMAND...`` (the command gets ``--listen-fd N`` appended).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

#: Restarts back off from this many seconds, doubling up to MAX_BACKOFF_S.
FIRST_BACKOFF_S = 0.2
MAX_BACKOFF_S = 5.0
#: A service that ran this long was healthy: the next crash starts the back-off again.
HEALTHY_AFTER_S = 30.0
#: Crashes in a row without a healthy run before giving up (the port closes and Jupyter sees the error).
MAX_CRASHES = 8
#: Connections that may wait for a restarting service.
BACKLOG = 511


def listening_socket(port: int) -> socket.socket:
    """A loopback TCP socket listening on ``port``, inheritable by child processes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def run(port: int, command: list[str]) -> int:
    """Starts ``command`` on the socket and again whenever it dies, until this process is told to stop."""
    sock = listening_socket(port)
    argv = [*command, "--listen-fd", str(sock.fileno())]
    stopping: list[int] = []
    child: subprocess.Popen | None = None

    def forward(signum, _frame):
        stopping.append(signum)
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    backoff = FIRST_BACKOFF_S
    crashes = 0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(argv, pass_fds=(sock.fileno(),))
        code = child.wait()
        if stopping:
            return code
        if time.monotonic() - started >= HEALTHY_AFTER_S:
            backoff, crashes = FIRST_BACKOFF_S, 0
        crashes += 1
        if crashes > MAX_CRASHES:
            print(f"laketahoe: the service exited {crashes} times in a row (last code {code}); giving up", file=sys.stderr)
            return code or 1
        print(f"laketahoe: the service exited with code {code}; starting it again in {backoff:.1f}s", file=sys.stderr)
        time.sleep(backoff)
        if stopping:
            return code
        backoff = min(backoff * 2, MAX_BACKOFF_S)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m laketahoe._keeper PORT -- COMMAND...", file=sys.stderr)
        return 2
    return run(int(argv[0]), argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
