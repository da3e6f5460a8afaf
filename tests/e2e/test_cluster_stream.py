"""Several instances sharing one Redis: every WebSocket client, on any instance, sees every event in order.

Real server processes (a leader and a standby on a fresh PostgreSQL database, one Redis under a key prefix
of the test's own). The leader is killed with SIGKILL while orders keep coming; the clients on the killed
instance reconnect to the other one with ``since`` and must end with a gap-free sequence.
"""

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.e2e.cluster import Cluster
from tests.e2e.helpers import submit
from tests.e2e.server import ADMIN_KEY
from tests.e2e.stream_client import Message
from tests.e2e.stream_reader import StreamFaults, StreamReader
from tests.redis_service import delete_keys, new_prefix, require_redis

pytestmark = [pytest.mark.e2e, pytest.mark.picks_database]  # PostgreSQL only: once per make test


@contextmanager
def _cluster(base: Path) -> Iterator[Cluster]:
    """A leader and a standby on one PostgreSQL and one Redis (under a key prefix of their own)."""
    url, prefix = require_redis(), new_prefix()
    nodes = Cluster(base)
    env = {"ORDERGATE_REDIS_URL": url, "ORDERGATE_REDIS__KEY_PREFIX": prefix}
    try:
        nodes.add(env)
        nodes.add(env)
        yield nodes
    finally:
        nodes.stop()
        delete_keys(prefix)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One leader and standby for the module's tests that leave both running."""
    with _cluster(tmp_path_factory.mktemp("cluster")) as nodes:
        yield nodes


@pytest.fixture
def doomed(tmp_path: Path) -> Iterator[Cluster]:
    """A leader and standby of the test's own: its leader gets killed."""
    with _cluster(tmp_path) as nodes:
        yield nodes


def _submit(urls: list[str], client_order_id: str, deadline: float) -> str:
    while time.monotonic() < deadline:
        for url in urls:
            try:
                with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=5) as c:
                    answer = submit(c, qty="1", client_order_id=client_order_id)
            except httpx.HTTPError:
                continue
            if answer.status_code in (200, 201):
                order_id: str = answer.json()["id"]
                return order_id
        time.sleep(0.05)
    raise AssertionError(f"{client_order_id} was never acknowledged")


def _gap_free(reader: StreamReader) -> list[Message]:
    assert reader.check() == StreamFaults(0, 0, 0, 0)
    return reader.finish()


def _until(done: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_stream_when_the_leader_commits_then_clients_of_the_leader_and_the_standby_see_the_same_events(
        shared: Cluster) -> None:
    leader, standby = shared.instances
    readers = [StreamReader(lambda: [leader]), StreamReader(lambda: [standby])]
    for reader in readers:
        reader.start()
    _until(lambda: all(r.connections for r in readers))
    time.sleep(0.2)
    ids = [_submit([leader.url], f"both-{i}", time.monotonic() + 10) for i in range(20)]
    _until(lambda: all(any(m.get("order", {}).get("id") == ids[-1] for m in r.messages) for r in readers))
    time.sleep(0.5)
    on_leader, on_standby = (_gap_free(r) for r in readers)

    first = max(on_leader[0]["seq"], on_standby[0]["seq"])
    assert [(m["seq"], m["type"]) for m in on_leader if m["seq"] >= first] == \
        [(m["seq"], m["type"]) for m in on_standby if m["seq"] >= first]
    assert set(ids) <= {m["order"]["id"] for m in on_standby if m["type"] == "order"}


def test_quotes_when_only_the_leader_runs_market_data_then_the_standby_serves_its_quotes(shared: Cluster) -> None:
    leader, standby = shared.instances
    with leader.client() as c:
        led = c.get("/api/v1/marketdata/AAPL/quote").json()
    with standby.client() as c:
        _until(lambda: c.get("/api/v1/marketdata/AAPL/quote").json()["bid"] is not None)
        served = c.get("/api/v1/marketdata/AAPL/quote").json()

    assert led["bid"] is not None and served["ask"] is not None and served["stale"] is False


def test_stream_when_the_leader_is_killed_under_load_then_every_client_resumes_gap_free(doomed: Cluster) -> None:
    leader, standby = doomed.instances
    readers = [StreamReader(doomed.running), StreamReader(lambda: [standby])]
    for reader in readers:
        reader.start()
    _until(lambda: all(r.connections for r in readers))
    ids = [_submit([leader.url], f"before-{i}", time.monotonic() + 10) for i in range(10)]
    stop = threading.Event()
    during: list[str] = []

    def load() -> None:  # a steady flow of orders, to whichever instance answers
        i = 0
        while not stop.is_set():
            during.append(_submit([leader.url, standby.url], f"during-{i}", time.monotonic() + 20))
            i += 1

    flow = threading.Thread(target=load, daemon=True)
    flow.start()
    time.sleep(0.3)
    assert leader.process is not None
    leader.process.send_signal(signal.SIGKILL)
    leader.process.wait()
    _until(lambda: doomed.leader(timeout=10) is standby)
    time.sleep(1.0)
    stop.set()
    flow.join(30)
    ids += during
    _until(lambda: all(any(m.get("order", {}).get("id") == ids[-1] for m in r.messages) for r in readers), 20)
    time.sleep(1.5)  # events the dead leader committed but never shared are published by the new one
    streams = [_gap_free(r) for r in readers]

    for messages in streams:
        assert set(ids) <= {m["order"]["id"] for m in messages if m["type"] == "order"}
    assert readers[0].connections >= 2  # the client on the killed leader came back on the standby
