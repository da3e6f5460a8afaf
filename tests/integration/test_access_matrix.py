"""Role x route x own/other account: each key does what its role grants, on the accounts of its scope only."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordergate.domain.access import GRANTS, Permission, Role
from ordergate.domain.commands import OpenAccount
from ordergate.domain.ids import AccountId
from tests.integration.inprocess import Served, served

OWN, OTHER = "PAPER", "OTHER"


@dataclass
class Desk:
    """The app, an order resting in each account, and a key of every role scoped to the own account."""

    app: Served
    orders: dict[str, str]
    secrets: dict[Role, str]

    def client(self, secret: str, hot_path: bool = True) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app.app if hot_path else self.app._ordinary)
        return httpx.AsyncClient(transport=transport, base_url="http://ordergate.test",
                                 headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async with served(tmp_path) as app:
        await app.container.loop.execute(OpenAccount(account=AccountId(OTHER), balances={"USD": Decimal(100_000)}))
        orders = {}
        async with app.client() as admin:
            for account in (OWN, OTHER):
                r = await admin.post("/api/v1/orders/", json={**_order(account), "limit_price": "1.00"})
                orders[account] = r.json()["id"]
        secrets = {role: app.container.keys.create(f"{role}-desk", role, [OWN], "test", _now(app))[1]
                   for role in Role}
        yield Desk(app, orders, secrets)


def _now(app: Served) -> Any:
    return app.container.engine.clock.now()


def _order(account: str) -> dict[str, str]:
    return {"account": account, "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "1", "limit_price": "1.00"}


# (method, path, JSON body, permission): {acc} is the account, {order} an order of that account
ACTIONS: list[tuple[str, str, dict[str, Any] | None, Permission]] = [
    ("GET", "/api/v1/orders/?account={acc}", None, Permission.READ),
    ("GET", "/api/v1/orders/{order}", None, Permission.READ),
    ("GET", "/api/v1/orders/{order}/fills", None, Permission.READ),
    ("GET", "/api/v1/orders/{order}/events", None, Permission.READ),
    ("GET", "/api/v1/positions/?account={acc}", None, Permission.READ),
    ("GET", "/api/v1/orders/positions/current?account={acc}", None, Permission.READ),
    ("GET", "/api/v1/accounts/{acc}", None, Permission.READ),
    ("GET", "/api/v1/fills/?account={acc}", None, Permission.READ),
    ("GET", "/api/v1/audit/?account={acc}", None, Permission.READ),
    ("GET", "/api/v1/risk/limits/{acc}", None, Permission.READ),
    ("POST", "/api/v1/orders/", {"order": True}, Permission.TRADE),
    ("PATCH", "/api/v1/orders/{order}", {"qty": "2"}, Permission.TRADE),
    ("POST", "/api/v1/orders/cancel-all", {"account": "{acc}", "symbol": "MSFT"}, Permission.TRADE),
    ("DELETE", "/api/v1/orders/{order}", None, Permission.TRADE),
    ("PUT", "/api/v1/risk/limits/{acc}", {"max_open_orders": 50}, Permission.RISK),
    ("POST", "/api/v1/risk/trading-state", {"account": "{acc}", "state": "active", "reason": "t"}, Permission.RISK),
    ("POST", "/api/v1/risk/resume", {"account": "{acc}", "reason": "t"}, Permission.RISK),
]


def _fill(value: Any, account: str, order: str) -> Any:
    if isinstance(value, str):
        return value.replace("{acc}", account).replace("{order}", order)
    if value == {"order": True}:
        return _order(account)
    return {k: _fill(v, account, order) for k, v in value.items()} if isinstance(value, dict) else value


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_on_each_route_for_own_and_other_account(desk: Desk, role: Role) -> None:
    problems = []
    async with desk.client(desk.secrets[role]) as c:
        for method, path, body, permission in ACTIONS:
            for account in (OWN, OTHER):
                url = _fill(path, account, desk.orders[account])
                r = await c.request(method, url, json=_fill(body, account, desk.orders[account]))
                granted = permission in GRANTS[role]
                if granted and account == OWN:
                    ok = r.status_code not in (401, 403)
                elif granted:
                    ok = r.status_code == 403 and repr(OTHER) in r.json()["detail"]
                else:
                    ok = r.status_code == 403 and repr(role.value) in r.json()["detail"]
                if not ok:
                    problems.append((method, url, r.status_code, r.text[:200]))
    assert problems == []


async def test_listing_when_key_scoped_then_only_its_accounts_appear(desk: Desk) -> None:
    async with desk.client(desk.secrets[Role.VIEWER]) as c:
        orders = (await c.get("/api/v1/orders/")).json()["items"]
        accounts = (await c.get("/api/v1/accounts/")).json()
        audit = (await c.get("/api/v1/audit/?limit=1000")).json()["items"]
    assert {o["account"] for o in orders} == {OWN}
    assert [a["id"] for a in accounts] == [OWN]
    assert {e["account"] for e in audit} == {OWN}


@pytest.mark.parametrize("hot_path", [True, False], ids=["hot-path", "ordinary-route"])
async def test_submit_for_other_account_when_on_either_path_then_same_403_and_nothing_recorded(
    desk: Desk, hot_path: bool,
) -> None:
    before = len(desk.app.container.engine.ledger.orders)
    async with desk.client(desk.secrets[Role.TRADER], hot_path) as c:
        r = await c.post("/api/v1/orders/", json=_order(OTHER))
    assert (r.status_code, r.json()) == (403, {"detail": "account 'OTHER' is outside this key's scope",
                                               "code": "forbidden"})
    assert len(desk.app.container.engine.ledger.orders) == before


async def test_firm_wide_actions_when_key_scoped_then_403_even_for_risk_role(desk: Desk) -> None:
    async with desk.client(desk.secrets[Role.RISK]) as c:
        limits = await c.put("/api/v1/risk/limits/default", json={"max_open_orders": 50})
        kill = await c.post("/api/v1/risk/kill-switch", json={"account": None, "reason": "t"})
    assert (limits.status_code, kill.status_code) == (403, 403)
    assert "all accounts" in limits.json()["detail"]


async def test_state_change_when_made_with_a_key_then_journal_records_the_key_id(desk: Desk) -> None:
    key_id = next(k.id for k in desk.app.container.keys.keys(include_revoked=False) if k.role == Role.TRADER)
    async with desk.client(desk.secrets[Role.TRADER]) as c:
        order = (await c.post("/api/v1/orders/", json=_order(OWN))).json()
        await c.delete(f"/api/v1/orders/{order['id']}")
        events = (await c.get(f"/api/v1/orders/{order['id']}/events")).json()
    assert {e["caused_by"] for e in events if not e["caused_by"].startswith("venue:")} == {key_id}
    assert len(events) >= 2
