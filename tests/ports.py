"""Free TCP ports for test servers, safe when pytest-xdist runs tests in parallel.

Each xdist worker takes ports from its own block below the kernel's ephemeral range (where client
sockets get their source ports), starting at a random place in the block and counting up, so two
workers never hand out the same port and two test runs on one machine rarely meet. A port is only
handed out if it can be bound right now.
"""

import itertools
import os
import random
import socket

FIRST_PORT = 20000
PORTS_PER_WORKER = 1500
MAX_WORKERS = 8  # 20000 + 8 x 1500 stays below 32768, where Linux starts its ephemeral ports


def worker_index() -> int:
    """Return this xdist worker's number (gw3 is 3), or 0 outside xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = name.removeprefix("gw")
    return int(digits) % MAX_WORKERS if digits.isdigit() else 0


_offsets = itertools.count(random.randrange(PORTS_PER_WORKER))


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """Return a TCP port of this worker's block that nobody listens on right now."""
    base = FIRST_PORT + worker_index() * PORTS_PER_WORKER
    for _ in range(PORTS_PER_WORKER):
        port = base + next(_offsets) % PORTS_PER_WORKER
        if _bindable(port):
            return port
    raise RuntimeError(f"no free port in {base}..{base + PORTS_PER_WORKER - 1}")
