"""Network namespaces for cutting one instance off the network (root and ``ip`` needed; Linux only).

Each instance runs in a namespace of its own, joined to the host by a veth pair (10.231.N.1 on the host,
10.231.N.2 inside). PostgreSQL listens on the host's loopback only, so a relay in this process carries
each namespace's connections from 10.231.N.1:5432 to 127.0.0.1:5432; like PostgreSQL's own keepalives on a
real network, the relay's one-second keepalives notice a cut link within seconds and close the database
side, which ends the cut instance's session (and with it the writer lock it held). ``cut`` takes the
link down, ``mend`` brings it back. Traffic between namespaces goes through the host (forwarding allowed
for 10.231.0.0/16 while the harness lives).
"""

import asyncio
import contextlib
import os
import socket
import subprocess
import threading
from dataclasses import dataclass

SUBNET = "10.231.0.0/16"
PG_HOST, PG_PORT = "127.0.0.1", 5432
_FORWARD = ["DOCKER-USER", "-s", SUBNET, "-d", SUBNET, "-j", "ACCEPT"]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def netns_problem() -> str | None:
    """Return why namespaces cannot be made here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"og-probe-{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except (OSError, subprocess.CalledProcessError) as e:
        return f"cannot make a network namespace: {e}"
    _ip("netns", "del", probe)
    return None


@dataclass
class Namespace:
    """One namespace with its veth pair."""

    index: int

    @property
    def name(self) -> str:
        """Return the namespace's name."""
        return f"og-fo{os.getpid() % 10000}-{self.index}"

    @property
    def host_ip(self) -> str:
        """Return the host's end of the link (where the database relay listens)."""
        return f"10.231.{self.index}.1"

    @property
    def inner_ip(self) -> str:
        """Return the namespace's address (where its instance listens)."""
        return f"10.231.{self.index}.2"

    @property
    def _host_link(self) -> str:
        return f"ogh{os.getpid() % 10000}x{self.index}"

    def launcher(self) -> list[str]:
        """Return the command prefix that runs a program inside the namespace."""
        return ["ip", "netns", "exec", self.name]

    def create(self) -> None:
        """Make the namespace, its link to the host, and its route to the other namespaces."""
        inner = f"ogn{os.getpid() % 10000}x{self.index}"
        _ip("netns", "add", self.name)
        _ip("link", "add", self._host_link, "type", "veth", "peer", "name", inner)
        _ip("link", "set", inner, "netns", self.name)
        _ip("addr", "add", f"{self.host_ip}/24", "dev", self._host_link)
        _ip("link", "set", self._host_link, "up")
        for args in (("link", "set", "lo", "up"), ("addr", "add", f"{self.inner_ip}/24", "dev", inner),
                     ("link", "set", inner, "up"), ("route", "add", "default", "via", self.host_ip)):
            _ip("netns", "exec", self.name, "ip", *args)

    def cut(self) -> None:
        """Take the link down: nothing goes in or out any more."""
        _ip("link", "set", self._host_link, "down")

    def mend(self) -> None:
        """Bring the link back."""
        _ip("link", "set", self._host_link, "up")

    def delete(self) -> None:
        """Remove the namespace (its link goes with it)."""
        with contextlib.suppress(subprocess.CalledProcessError):
            _ip("netns", "del", self.name)


def allow_forwarding(on: bool) -> None:
    """Let the namespaces reach each other through the host (or stop letting them)."""
    subprocess.run(["iptables", "-I" if on else "-D", *_FORWARD], check=on, capture_output=True)


def _keepalive(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", 1), ("TCP_KEEPINTVL", 1), ("TCP_KEEPCNT", 2), ("TCP_USER_TIMEOUT", 3000)):
        sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


class DatabaseRelay:
    """Carry connections from each namespace's host address to PostgreSQL on the loopback, in a thread."""

    def __init__(self, addresses: list[str]) -> None:
        self._addresses = addresses
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.Server] = []

    def start(self) -> None:
        """Listen on every address."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=10)

    def stop(self) -> None:
        """Stop listening and drop every connection."""
        async def close() -> None:
            for server in self._servers:
                server.close()
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _listen(self) -> None:
        for address in self._addresses:
            self._servers.append(await asyncio.start_server(self._carry, address, PG_PORT))

    async def _carry(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _keepalive(writer.get_extra_info("socket"))
        try:
            up_reader, up_writer = await asyncio.open_connection(PG_HOST, PG_PORT)
        except OSError:
            writer.close()
            return
        pipes = [asyncio.create_task(_pipe(reader, up_writer)), asyncio.create_task(_pipe(up_reader, writer))]
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for task in pipes:
            task.cancel()
        for end in (writer, up_writer):
            end.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
