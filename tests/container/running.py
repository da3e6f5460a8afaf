"""A server container the tests talk to: start it on the host's network, wait until it is healthy, remove it."""

import contextlib
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from tests.container import engine
from tests.ports import free_port

START_TIMEOUT = 90.0  # seconds for a container to answer /health and pass its health check (loaded machine)
ADMIN_KEY = secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Server:
    """One running container of the image and where it answers."""

    name: str
    url: str

    def client(self) -> httpx.Client:
        """Return a client with the admin key."""
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)


@contextlib.contextmanager
def server(env: dict[str, str]) -> Iterator[Server]:
    """Start the image with ``env`` on a free port, wait until it is healthy, remove it at the end."""
    with servers((env, free_port())) as started:
        yield started[0]


@contextlib.contextmanager
def servers(*configs: tuple[dict[str, str], int]) -> Iterator[list[Server]]:
    """Start one container per (environment, port) all at once, wait until each is healthy, remove them all."""
    started: list[Server] = []
    try:
        for env, port in configs:
            started.append(Server(f"ordergate-test-{uuid.uuid4().hex[:8]}", f"http://127.0.0.1:{port}"))
            engine.run_container(started[-1].name, {"ORDERGATE_HOST": "127.0.0.1", "ORDERGATE_PORT": str(port),
                                                    "ORDERGATE_ADMIN_KEY": ADMIN_KEY, **env})
        for each in started:
            wait_until_healthy(each)
        yield started
    finally:
        for each in started:
            engine.remove(each.name)


def wait_until_healthy(started: Server) -> None:
    """Wait until /health answers and the engine's health check says healthy; fail with the logs if not."""
    deadline = time.monotonic() + START_TIMEOUT
    state: dict[str, object] = {}
    with started.client() as client:
        while time.monotonic() < deadline:
            state = engine.inspect(started.name)["State"]
            if not state["Running"]:
                break
            if state.get("Health", {}).get("Status") == "healthy" and _answers(client):
                return
            time.sleep(0.5)
    raise AssertionError(f"container {started.name} not healthy: {state}\n{engine.logs(started.name)}")


def _answers(client: httpx.Client) -> bool:
    try:
        return client.get("/health").status_code == 200
    except httpx.TransportError:
        return False
