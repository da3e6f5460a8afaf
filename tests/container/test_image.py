"""The image builds, runs as an unprivileged user on PostgreSQL and Redis, answers, takes an order, stops.

Slow (it builds an image), so it runs only when ORDERGATE_TEST_CONTAINER=1: ``.ci/container/run`` sets it
after preparing a Docker engine and a base image, and CI runs that script after the suite.
"""

from collections.abc import Iterator

import pytest

from tests.container import engine, running
from tests.container.conftest import REDIS_URL
from tests.databases import new_postgres_database

ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "10",
         "limit_price": "229.50", "time_in_force": "gtc", "client_order_id": "container-1"}


@pytest.fixture
def server(image: str) -> Iterator[running.Server]:
    """One container on a fresh PostgreSQL database and the machine's Redis."""
    with running.server({"ORDERGATE_DATABASE_URL": new_postgres_database(), "ORDERGATE_REDIS_URL": REDIS_URL}) as s:
        yield s


def test_image_when_started_on_postgres_then_healthy_takes_an_order_and_stops_cleanly(server: running.Server) -> None:
    with server.client() as client:
        answer = client.post("/api/v1/orders/", json=ORDER)
        assert answer.status_code == 201, answer.text

        assert client.get(f"/api/v1/orders/{answer.json()['id']}").json()["client_order_id"] == "container-1"
    assert engine.docker("exec", server.name, "id", "-u").stdout.strip() != "0"
    engine.docker("stop", "--time", "30", server.name, timeout=60)
    assert engine.inspect(server.name)["State"]["ExitCode"] == 0, engine.logs(server.name)


def test_image_when_configured_then_runs_as_user_with_healthcheck_on_health(image: str) -> None:
    config = engine.docker("image", "inspect", "--format", "{{json .Config}}", image).stdout

    assert '"User":"ordergate"' in config
    assert "/opt/ordergate/healthcheck.py" in config
