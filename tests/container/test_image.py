"""The image builds, runs as an unprivileged user on PostgreSQL and Redis, answers, takes an order, stops.

Slow (it builds an image), so it runs only when ORDERGATE_TEST_CONTAINER=1: ``.ci/container/run`` sets it
after preparing a Docker engine and a base image, and CI runs that script after the suite.
"""

import os
import secrets
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.container import engine
from tests.container.redis_ping import redis_problem
from tests.databases import new_postgres_database

pytestmark = pytest.mark.skipif(
    not engine.enabled(),
    reason=f"builds and runs the Docker image (minutes): set {engine.ENABLE_VARIABLE}=1, "
           "or run .ci/container/run, which prepares a Docker engine and a base image first",
)
REDIS_URL = os.environ.get("ORDERGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
START_TIMEOUT = 90.0
ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "10",
         "limit_price": "229.50", "time_in_force": "gtc", "client_order_id": "container-1"}


@pytest.fixture(scope="module")
def image() -> str:
    """Build the image once for the module (fail with the reason if no engine answers)."""
    problem = engine.engine_problem()
    if problem:
        pytest.fail(f"{problem} (.ci/container/engine starts one)")
    return engine.build_image()


@pytest.fixture
def server(image: str) -> Iterator[tuple[str, httpx.Client]]:
    """Start a container on a fresh PostgreSQL database and the machine's Redis; yield its name and a client."""
    problem = redis_problem(REDIS_URL)
    if problem:
        pytest.fail(problem)
    name, port, key = f"ordergate-test-{uuid.uuid4().hex[:8]}", engine.free_port(), secrets.token_urlsafe(24)
    engine.run_container(name, {
        "ORDERGATE_HOST": "127.0.0.1", "ORDERGATE_PORT": str(port), "ORDERGATE_ADMIN_KEY": key,
        "ORDERGATE_DATABASE_URL": new_postgres_database(), "ORDERGATE_REDIS_URL": REDIS_URL,
    })
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"},
                          timeout=10) as client:
            wait_until_healthy(name, client)
            yield name, client
    finally:
        engine.remove(name)


def wait_until_healthy(name: str, client: httpx.Client) -> None:
    """Wait until /health answers and the engine's health check says healthy; fail with the logs if not."""
    deadline = time.monotonic() + START_TIMEOUT
    state: dict[str, object] = {}
    while time.monotonic() < deadline:
        state = engine.inspect(name)["State"]
        if not state["Running"]:
            break
        if state.get("Health", {}).get("Status") == "healthy" and _answers(client):
            return
        time.sleep(0.5)
    raise AssertionError(f"container {name} not healthy: {state}\n{engine.logs(name)}")


def _answers(client: httpx.Client) -> bool:
    try:
        return client.get("/health").status_code == 200
    except httpx.TransportError:
        return False


def test_image_when_started_on_postgres_then_healthy_takes_an_order_and_stops_cleanly(
    server: tuple[str, httpx.Client],
) -> None:
    name, client = server
    answer = client.post("/api/v1/orders/", json=ORDER)
    assert answer.status_code == 201, answer.text
    order_id = answer.json()["id"]

    assert client.get(f"/api/v1/orders/{order_id}").json()["client_order_id"] == "container-1"
    assert engine.docker("exec", name, "id", "-u").stdout.strip() != "0"
    engine.docker("stop", "--time", "30", name, timeout=60)
    assert engine.inspect(name)["State"]["ExitCode"] == 0, engine.logs(name)


def test_image_when_configured_then_runs_as_user_with_healthcheck_on_health(image: str) -> None:
    config = engine.docker("image", "inspect", "--format", "{{json .Config}}", image).stdout

    assert '"User":"ordergate"' in config
    assert "/opt/ordergate/healthcheck.py" in config
