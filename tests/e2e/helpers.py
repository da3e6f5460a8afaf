"""Small helpers for end-to-end tests."""

import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.server import Server, tls_context

OWN_ACCOUNT_PREFIX = "T-"  # the accounts tests open for themselves on a shared server
PAPER_BALANCES = {"USD": "1000000", "INR": "100000000"}  # what the configured PAPER account opens with


def wait_for_status(client: httpx.Client, order_id: str, statuses: set[str], timeout: float = 10.0) -> dict[str, Any]:
    """Poll an order until its status is one of ``statuses``; fail with its last state otherwise."""
    deadline = time.monotonic() + timeout
    order: dict[str, Any] = {}
    while time.monotonic() < deadline:
        order = client.get(f"/api/v1/orders/{order_id}").json()
        if order["status"] in statuses:
            return order
        time.sleep(0.05)
    raise AssertionError(f"order {order_id} never reached {statuses}: {order}")


def submit(client: httpx.Client, **fields: Any) -> httpx.Response:
    """Submit an order with defaults for the fields not given."""
    body = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "10", **fields}
    return client.post("/api/v1/orders/", json=body)


@dataclass(frozen=True)
class OwnAccount:
    """An account one test opened on a shared server, and a key that sees and acts on that account alone."""

    id: str
    key: str
    url: str

    def client(self) -> httpx.Client:
        """Return an HTTP client authenticated with the account's own key."""
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=10,
                            verify=tls_context())

    def submit(self, client: httpx.Client, **fields: Any) -> httpx.Response:
        """Submit an order for this account (see ``submit``)."""
        return submit(client, **{"account": self.id, **fields})


def own_account(server: Server, balances: dict[str, str] | None = None, margin: bool = False,
                role: str = "trader") -> OwnAccount:
    """Open a fresh account (PAPER's opening cash unless ``balances``) and make a ``role`` key scoped to it.

    Orders, fills, positions, cash and per-account risk limits of this account are the test's own, so tests
    that judge them can share one server with tests that do the same.
    """
    account = f"{OWN_ACCOUNT_PREFIX}{uuid.uuid4().hex[:12]}"
    with server.client() as admin:
        opened = admin.post("/api/v1/accounts/", json={"id": account, "balances": balances or PAPER_BALANCES,
                                                       "margin": margin})
        assert opened.status_code == 201, opened.text
        made = admin.post("/api/v1/keys/", json={"name": f"key of {account}", "role": role, "accounts": [account]})
        assert made.status_code == 201, made.text
    return OwnAccount(id=account, key=made.json()["secret"], url=server.url)
