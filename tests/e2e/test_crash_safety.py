"""Crash safety: SIGKILL the real server while orders fill; nothing acknowledged is lost or doubled.

Several clients submit market orders that fill on the paper exchange while a reader notes every fill
the API has shown. At a random moment the server is killed with SIGKILL. Then, on the database as the
crash left it, ``ordergate db check`` must pass; after a restart every order that got a success answer
must be there, every fill seen before the crash must be there, no fill may appear twice, and each
order's filled quantity must equal its fills. Three kills per run, on SQLite and on PostgreSQL.
"""

import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.databases import new_postgres_database
from tests.e2e.server import ADMIN_KEY, Server

pytestmark = pytest.mark.e2e
CLIENTS = 6
ROUNDS = 3
SYMBOLS = ("AAPL", "MSFT", "SPY")


@dataclass
class Seen:
    """What the clients were told before the crash."""

    acked: dict[str, str] = field(default_factory=dict)  # order id -> client order id
    fills: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=3)


def _submitter(server: Server, seen: Seen, name: str, stop: threading.Event) -> None:
    with _client(server) as c:
        n = 0
        while not stop.is_set():
            n += 1
            body = {"account": "PAPER", "symbol": SYMBOLS[n % 3], "side": "buy", "type": "market", "qty": "1",
                    "client_order_id": f"{name}-{n}"}
            try:
                answer = c.post("/api/v1/orders/", json=body)
            except httpx.HTTPError:
                return  # the server is gone
            if answer.status_code == 201:
                with seen.lock:
                    seen.acked[answer.json()["id"]] = body["client_order_id"]


def _fill_reader(server: Server, seen: Seen, stop: threading.Event) -> None:
    with _client(server) as c:
        while not stop.is_set():
            try:
                items = c.get("/api/v1/fills/", params={"limit": 1000}).json()["items"]
            except (httpx.HTTPError, ValueError, KeyError):
                return
            with seen.lock:
                seen.fills.update(f"{f['venue']}/{f['fill_id']}" for f in items)
            time.sleep(0.05)


def _trade_then_kill(server: Server, seen: Seen, rng: random.Random, round_no: int) -> None:
    stop = threading.Event()
    threads = [threading.Thread(target=_submitter, args=(server, seen, f"r{round_no}c{i}", stop))
               for i in range(CLIENTS)]
    threads.append(threading.Thread(target=_fill_reader, args=(server, seen, stop)))
    for thread in threads:
        thread.start()
    time.sleep(rng.uniform(0.8, 2.5))
    server.stop(signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)


def _db_check(server: Server) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", "db", "check"], env=server.env(),
                          capture_output=True, text=True, timeout=120)


def _all_fills(c: httpx.Client) -> list[dict[str, str]]:
    fills, cursor = [], None
    while True:
        page = c.get("/api/v1/fills/", params={"limit": 1000, **({"cursor": cursor} if cursor else {})}).json()
        fills += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return fills


def _verify_after_restart(server: Server, seen: Seen) -> None:
    with _client(server) as c:
        fills = _all_fills(c)
        keys = [f"{f['venue']}/{f['fill_id']}" for f in fills]
        assert len(keys) == len(set(keys)), "a fill is recorded twice"
        assert seen.fills <= set(keys), f"fills shown before the crash are gone: {seen.fills - set(keys)}"
        for order_id, client_order_id in seen.acked.items():
            answer = c.get(f"/api/v1/orders/{order_id}")
            assert answer.status_code == 200, f"acknowledged order {order_id} is lost"
            assert answer.json()["client_order_id"] == client_order_id
            filled, booked = _filled_and_booked(c, order_id)
            assert filled == booked, f"order {order_id}: filled {filled} but its fills sum to {booked}"


def _filled_and_booked(c: httpx.Client, order_id: str) -> tuple[Decimal, Decimal]:
    """Return an order's filled quantity and the sum of its fills, read while it did not trade.

    After a restart, reconciliation sends the orders the paper exchange forgot again, so they may fill
    while this looks: read the order, its fills, the order again, until the two reads of the order agree.
    """
    for _ in range(50):
        before = c.get(f"/api/v1/orders/{order_id}").json()["filled_qty"]
        fills = c.get(f"/api/v1/orders/{order_id}/fills").json()
        after = c.get(f"/api/v1/orders/{order_id}").json()["filled_qty"]
        if before == after:
            items = fills["items"] if isinstance(fills, dict) else fills
            return Decimal(after), sum((Decimal(f["qty"]) for f in items), Decimal(0))
        time.sleep(0.05)
    raise AssertionError(f"order {order_id} kept trading")


@pytest.mark.picks_database  # both databases in one pass: once per make test
@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_sigkill_at_random_moments_when_restarted_then_no_acknowledged_order_or_fill_is_lost(
    tmp_path: Path, database: str,
) -> None:
    extra = {"ORDERGATE_DATABASE_URL": new_postgres_database()} if database == "postgres" else {}
    rng = random.Random(20260302)
    seen = Seen()
    server = Server(tmp_path, env_extra=extra).start()
    for round_no in range(ROUNDS):
        _trade_then_kill(server, seen, rng, round_no)
        checked = _db_check(server)
        assert checked.returncode == 0, f"db check after kill {round_no + 1}: {checked.stdout}{checked.stderr}"
        server = Server(tmp_path, env_extra=extra, port=server.port).start()
        _verify_after_restart(server, seen)
    server.stop()
    assert len(seen.acked) > 50 and seen.fills, "the run must have traded before the crashes"
