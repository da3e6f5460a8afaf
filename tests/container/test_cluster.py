"""The compose deployment, container by container: three instances of the image on one PostgreSQL and one
Redis, HAProxy in front and Prometheus scraping them, each on its file from deploy/.

The schema is made once by ``db upgrade`` in a container of its own and the instances start with
migrations off, as compose.yaml does. One leads, two stand by; orders sent through the load balancer and to
a standby are taken; every query of the Grafana dashboard is one Prometheus accepts, and those the paper
exchange feeds return data; when the leader's container is killed (SIGKILL) a standby takes over and,
through the load balancer, answers the same client order id with the same order.
"""

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.container import engine, front, running
from tests.container.conftest import REDIS_URL
from tests.databases import new_postgres_database
from tests.ports import free_port

SETTLE_TIMEOUT = 60.0  # seconds for roles to settle and for Prometheus to hold two scrapes of the traffic
ORDERS = "/api/v1/orders/"
THROUGH_A_STANDBY = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "5",
                     "limit_price": "1.00", "time_in_force": "gtc", "client_order_id": "through-a-standby"}
TRAFFIC = [  # through the load balancer: filled, resting, denied by risk
    {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "1"},
    {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "1", "limit_price": "1.00",
     "time_in_force": "gtc"},
    {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "10000000"},
]
# Panels only a broker venue feeds (request latency, errors) and reconciliation findings: none here.
EMPTY_ON_PAPER = {"Broker request latency, p50 and p99 / p50 {{venue}}", "Broker request latency, p50 and p99 / "
                  "p99 {{venue}}", "Venue errors and reconciliation findings / {{venue}} {{error}}",
                  "Venue errors and reconciliation findings / reconcile {{class}}"}


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


@pytest.fixture
def balancer_and_prometheus(instances: list[running.Server], tmp_path: Path) -> Iterator[tuple[str, str]]:
    """HAProxy and Prometheus on the deployment's files, in front of the instances; yield their URLs."""
    missing = front.missing_tools()
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)} (Debian packages; .ci/container/run installs them)")
    ports = [int(server.url.rsplit(":", 1)[1]) for server in instances]
    with front.haproxy(ports, tmp_path) as balancer, front.prometheus(ports, tmp_path) as prometheus:
        yield balancer, prometheus


def roles(servers: list[running.Server]) -> dict[str, str]:
    """Return each answering instance's role as its /ready says."""
    found = {}
    for server in servers:
        with server.client() as client, contextlib.suppress(httpx.HTTPError):
            found[server.name] = client.get("/ready").json().get("role", "?")
    return found


def one_leader(servers: list[running.Server]) -> tuple[running.Server, list[running.Server]]:
    """Wait until exactly one instance leads and the others stand by; return the leader and the standbys."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    seen: dict[str, str] = {}
    while time.monotonic() < deadline:
        seen = roles(servers)
        leaders = [s for s in servers if seen.get(s.name) == "leader"]
        if len(leaders) == 1 and all(seen.get(s.name) == "standby" for s in servers if s is not leaders[0]):
            return leaders[0], [s for s in servers if s is not leaders[0]]
        time.sleep(0.5)
    raise AssertionError(f"no single leader among {[s.name for s in servers]}: {seen}")


def filled_dashboard(prometheus: str) -> dict[str, int]:
    """Wait until the dashboard's denial panel has data (two scrapes after the traffic); return series counts."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while not front.query(prometheus, "max by (rule) (rate(ordergate_risk_denials_total[5m]))"):
        assert time.monotonic() < deadline, "Prometheus never saw the denials"
        time.sleep(0.5)
    return {name: len(front.query(prometheus, expr)) for name, expr in front.dashboard_queries().items()}


def submit_until_acknowledged(base: str, body: dict[str, str]) -> httpx.Response:
    """Submit (again, same client order id) until an instance acknowledges: a takeover answers 503 meanwhile."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {running.ADMIN_KEY}"}, timeout=10) as c:
        while True:
            with contextlib.suppress(httpx.TransportError):
                answer = c.post(ORDERS, json=body)
                if answer.status_code != 503 or time.monotonic() > deadline:
                    return answer
            time.sleep(0.2)


def test_deployment_when_used_through_the_balancer_then_dashboards_fill_and_a_killed_leader_is_replaced(
    instances: list[running.Server], balancer_and_prometheus: tuple[str, str],
) -> None:
    balancer, prometheus = balancer_and_prometheus
    leader, standbys = one_leader(instances)
    with standbys[0].client() as client:
        first = client.post(ORDERS, json=THROUGH_A_STANDBY)
    answers = [submit_until_acknowledged(balancer, body).status_code for body in TRAFFIC * 3]
    series = filled_dashboard(prometheus)

    assert first.status_code == 201, first.text
    assert sorted(set(answers)) == [201, 422]
    assert sorted(name for name, count in series.items() if count == 0 and name not in EMPTY_ON_PAPER) == []
    assert series["Role of each instance / {{instance}}"] == 3

    engine.docker("kill", leader.name)
    one_leader(standbys)
    again = submit_until_acknowledged(balancer, THROUGH_A_STANDBY)

    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
