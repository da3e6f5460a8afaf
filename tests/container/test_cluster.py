"""Three containers of the image on one PostgreSQL and one Redis, started as compose.yaml starts them.

The schema is made once by ``db upgrade`` in a container of its own, and the instances start with
migrations off: one leads, two stand by, a standby forwards an order to the leader, and when the leader's
container is killed (SIGKILL) a standby takes over and still knows the order by its client order id.
"""

import contextlib
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.container import engine, running
from tests.container.conftest import REDIS_URL
from tests.databases import new_postgres_database
from tests.ports import free_port

ROLE_TIMEOUT = 60.0  # seconds for the instances to settle on their roles (a loaded machine)
ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "5",
         "limit_price": "1.00", "time_in_force": "gtc", "client_order_id": "through-a-standby"}


@pytest.fixture
def instances(image: str) -> Iterator[list[running.Server]]:
    """Migrate a fresh database from a one-off container, then start three instances on it."""
    url = new_postgres_database()
    engine.docker("run", "--rm", "--network", "host", "--env", f"ORDERGATE_DATABASE_URL={url}", image,
                  "db", "upgrade", timeout=120)
    ports = [free_port() for _ in range(3)]
    with running.servers(*[({
        "ORDERGATE_DATABASE_URL": url, "ORDERGATE_REDIS_URL": REDIS_URL, "ORDERGATE_MIGRATE_ON_START": "false",
        "ORDERGATE_CLUSTER__INSTANCE": f"ordergate-{n}", "ORDERGATE_CLUSTER__ADVERTISE_URL": f"http://127.0.0.1:{port}",
    }, port) for n, port in enumerate(ports, start=1)]) as started:
        yield started


def roles(servers: list[running.Server]) -> dict[str, str]:
    """Return each answering instance's role as its /ready says."""
    found = {}
    for server in servers:
        with server.client() as client, contextlib.suppress(httpx.HTTPError):
            found[server.name] = client.get("/ready").json().get("role", "?")
    return found


def one_leader(servers: list[running.Server]) -> tuple[running.Server, list[running.Server]]:
    """Wait until exactly one instance leads and the others stand by; return the leader and the standbys."""
    deadline = time.monotonic() + ROLE_TIMEOUT
    seen: dict[str, str] = {}
    while time.monotonic() < deadline:
        seen = roles(servers)
        leaders = [s for s in servers if seen.get(s.name) == "leader"]
        if len(leaders) == 1 and all(seen.get(s.name) == "standby" for s in servers if s is not leaders[0]):
            return leaders[0], [s for s in servers if s is not leaders[0]]
        time.sleep(0.5)
    raise AssertionError(f"no single leader among {[s.name for s in servers]}: {seen}")


def test_containers_when_the_leader_is_killed_then_a_standby_leads_and_knows_the_forwarded_order(
    instances: list[running.Server],
) -> None:
    leader, standbys = one_leader(instances)
    with standbys[0].client() as client:
        first = client.post("/api/v1/orders/", json=ORDER)
    assert first.status_code == 201, first.text

    engine.docker("kill", leader.name)
    new_leader, _ = one_leader(standbys)
    with new_leader.client() as client:
        again = client.post("/api/v1/orders/", json=ORDER)

    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
