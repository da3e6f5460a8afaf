"""A failover drill: clients keep submitting and cancelling while the leader is killed; count what survived.

Used by the suite (two kills, tests/e2e/test_cluster_failover.py) and by bench/failover.py (ten). Clients
talk to any running instance (standbys forward to the leader) and, whatever the answer, retry the same
request with the same client order id until it is acknowledged: so an order is acknowledged once, and must
then be in the database under the same order id, exactly once.
"""

import itertools
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import psycopg

from tests.e2e.cluster import Cluster
from tests.e2e.server import ADMIN_KEY, Server

RETRY_PAUSE = 0.05
TIMEOUT = httpx.Timeout(10.0, connect=1.0)  # an instance cut off the network must not hold a client long
GIVE_UP = 60.0  # seconds a client keeps retrying one order before it gives up (it stays unacknowledged)


@dataclass
class Tally:
    """What the clients saw: acknowledged orders (client order id -> order id) and refused answers by status."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    cancels: int = 0
    retries: dict[int, int] = field(default_factory=dict)
    samples: dict[int, str] = field(default_factory=dict)  # the first answer of each status retried
    lock: threading.Lock = field(default_factory=threading.Lock)

    def retried(self, status: int, sample: str = "") -> None:
        """Count one answer that made a client try again (0: no answer at all)."""
        with self.lock:
            self.retries[status] = self.retries.get(status, 0) + 1
            self.samples.setdefault(status, sample[:300])


def _body(client_order_id: str, n: int) -> dict[str, str]:
    if n % 3 == 0:  # a market order: fills at the paper exchange
        return {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "1",
                "client_order_id": client_order_id}
    return {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "1", "limit_price": "1.00",
            "client_order_id": client_order_id}


class Load:
    """Threads that submit (and cancel every other resting order) against the cluster until stopped."""

    def __init__(self, cluster: Cluster, threads: int = 2, prefix: str = "load") -> None:
        self.cluster = cluster
        self.tally = Tally()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(f"{prefix}{i}",), daemon=True)
                         for i in range(threads)]

    def start(self) -> "Load":
        """Start the clients."""
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> Tally:
        """Stop the clients (each finishes the order it is on) and return what they saw."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return self.tally

    def _run(self, name: str) -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=TIMEOUT) as client:
            for n in itertools.count():
                if self._stop.is_set():
                    return
                order = self.submit(client, f"{name}-{n}", _body(f"{name}-{n}", n), patient=True,
                                    deadline=time.monotonic() + GIVE_UP)
                if order is not None and n % 3 == 1:
                    self._cancel(client, order)
                time.sleep(0.02)

    def submit(self, client: httpx.Client, client_order_id: str, body: dict[str, str],
               patient: bool = False, deadline: float | None = None) -> str | None:
        """Send the order to running instances in turn until one acknowledges it; return its id."""
        for server in self._instances():
            if deadline is not None and time.monotonic() > deadline:
                return None
            if not patient and self._stop.is_set():
                return None
            try:
                answer = client.post(f"{server.url}/api/v1/orders/", json=body)
            except httpx.HTTPError as e:
                self.tally.retried(0, f"{type(e).__name__} from {server.url}")
                time.sleep(RETRY_PAUSE)
                continue
            if answer.status_code in (200, 201):
                order_id = str(answer.json()["id"])
                with self.tally.lock:
                    self.tally.acknowledged[client_order_id] = order_id
                return order_id
            self.tally.retried(answer.status_code, f"{server.url}: {answer.text}")
            time.sleep(RETRY_PAUSE)
        return None

    def _cancel(self, client: httpx.Client, order_id: str) -> None:
        for server in itertools.islice(self._instances(), 100):
            try:
                answer = client.delete(f"{server.url}/api/v1/orders/{order_id}")
            except httpx.HTTPError:
                time.sleep(RETRY_PAUSE)
                continue
            if answer.status_code in (200, 404, 409):  # done, or too late (filled meanwhile)
                with self.tally.lock:
                    self.tally.cancels += answer.status_code == 200
                return
            time.sleep(RETRY_PAUSE)

    def _instances(self) -> Iterator[Server]:
        """Go round the instances running now, asked afresh each round."""
        while True:
            running = self.cluster.running()
            if not running:
                time.sleep(RETRY_PAUSE)
            yield from running


def kill_leader(cluster: Cluster) -> tuple[Server, float]:
    """SIGKILL the leader; return it and when it died (monotonic seconds)."""
    leader = cluster.leader()
    assert leader.process is not None
    leader.process.send_signal(signal.SIGKILL)
    leader.process.wait()
    died = time.monotonic()
    leader.process = None
    return leader, died


def takeover(load: Load, died: float, label: str, limit: float = 30.0) -> float:
    """Submit a probe order until some instance acknowledges it; return the seconds since the leader died."""
    body = _body(label, 1)
    with httpx.Client(headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=TIMEOUT) as client:
        order_id = load.submit(client, label, body, patient=True, deadline=died + limit)
    assert order_id is not None, f"no instance acknowledged {label} within {limit}s of the leader's death"
    return time.monotonic() - died


def kill_leader_repeatedly(cluster: Cluster, load: Load, kills: int, between: float) -> list[float]:
    """Kill the leader ``kills`` times, ``between`` seconds apart, each time restarting it as a standby once
    another has taken over; return each takeover's seconds (printed to stderr as they come)."""
    took = []
    for kill in range(kills):
        time.sleep(between)
        killed, died = kill_leader(cluster)
        took.append(takeover(load, died, f"probe-kill-{kill}"))
        killed.start()  # back as a standby
        print(f"kill {kill + 1}: takeover {took[-1]:.3f}s", file=sys.stderr, flush=True)
    return took


@dataclass
class Found:
    """What the database holds of the acknowledged orders."""

    acknowledged: int
    found: int  # acknowledged orders present under the same order id
    lost: list[str]  # acknowledged, absent (or under another id)
    duplicates: list[str]  # client order ids held by more than one order


def audit(database_url: str, acknowledged: dict[str, str]) -> Found:
    """Compare the acknowledged orders with the orders table (the journal's projection)."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT client_order_id, id FROM orders").fetchall()
    ids: dict[str, list[str]] = {}
    for client_order_id, order_id in rows:
        ids.setdefault(client_order_id, []).append(order_id)
    lost = [c for c, o in acknowledged.items() if ids.get(c) != [o]]
    duplicates = [c for c, held in ids.items() if len(held) > 1]
    return Found(len(acknowledged), len(acknowledged) - len(lost), lost, duplicates)
