"""Managed accounts: an admin opens them with cash, deposits and withdraws; each change journaled with who and why."""

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from ordergate.domain.access import Role
from tests.integration.inprocess import Served, served


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path) as s:
        yield s


async def test_open_when_admin_then_account_exists_with_its_cash_and_trades(app: Served) -> None:
    async with app.client() as admin:
        opened = await admin.post("/api/v1/accounts/", json={"id": "DESK-2", "balances": {"USD": "2500.50"}})
        again = await admin.post("/api/v1/accounts/", json={"id": "DESK-2", "balances": {"USD": "1"}})
        order = await admin.post("/api/v1/orders/", json={"account": "DESK-2", "symbol": "AAPL", "side": "buy",
                                                           "type": "limit", "qty": "1", "limit_price": "1.00"})
        events = (await admin.get("/api/v1/audit/", params={"account": "DESK-2"})).json()["items"]
    assert opened.status_code == 201 and opened.json()["balances"]["USD"]["cash"] == "2500.50"
    assert (again.status_code, again.json()["code"]) == (409, "account_exists")
    assert order.status_code == 201
    assert (events[0]["type"], events[0]["caused_by"]) == ("AccountOpened", "admin")


async def test_deposit_and_withdraw_when_admin_then_cash_moves_and_journal_says_who_and_why(app: Served) -> None:
    async with app.client() as admin:
        before = (await admin.get("/api/v1/accounts/PAPER")).json()["balances"]["USD"]["cash"]
        await admin.post("/api/v1/accounts/PAPER/cash", json={"currency": "USD", "amount": "1000", "reason": "top up"})
        after = await admin.post("/api/v1/accounts/PAPER/cash",
                                 json={"currency": "USD", "amount": "-250.25", "reason": "fees"})
        events = (await admin.get("/api/v1/audit/", params={"account": "PAPER"})).json()["items"]
    assert Decimal(after.json()["balances"]["USD"]["cash"]) == Decimal(before) + Decimal("749.75")
    cash = [(e["payload"]["amount"], e["payload"]["reason"], e["caused_by"]) for e in events
            if e["type"] == "CashAdjusted"]
    assert cash == [("1000", "top up", "admin"), ("-250.25", "fees", "admin")]


@pytest.mark.parametrize(("body", "field"), [
    ({"currency": "USD", "amount": "-1e12", "reason": "too much"}, "amount"),
    ({"currency": "USD", "amount": "0", "reason": "nothing"}, "amount"),
    ({"currency": "usd", "amount": "1", "reason": "x"}, "currency"),
    ({"currency": "USD", "amount": "NaN", "reason": "x"}, "amount"),
    ({"currency": "USD", "amount": "1", "reason": ""}, "reason"),
])
async def test_cash_when_bad_then_422_names_the_field_and_nothing_changes(
    app: Served, body: dict[str, str], field: str,
) -> None:
    async with app.client() as admin:
        before = (await admin.get("/api/v1/accounts/PAPER")).json()
        r = await admin.post("/api/v1/accounts/PAPER/cash", json=body)
        after = (await admin.get("/api/v1/accounts/PAPER")).json()
    assert r.status_code == 422 and field in str(r.json()["detail"])
    assert after == before


async def test_cash_when_account_unknown_then_404(app: Served) -> None:
    async with app.client() as admin:
        r = await admin.post("/api/v1/accounts/NOPE/cash", json={"currency": "USD", "amount": "1", "reason": "x"})
    assert r.status_code == 404


async def test_open_or_fund_when_not_admin_then_403_naming_the_role(app: Served) -> None:
    _, secret = app.container.keys.create("t", Role.RISK, None, "test", app.container.engine.clock.now())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app.app), base_url="http://t",
                                 headers={"Authorization": f"Bearer {secret}"}) as risk:
        opened = await risk.post("/api/v1/accounts/", json={"id": "X", "balances": {}})
        funded = await risk.post("/api/v1/accounts/PAPER/cash", json={"currency": "USD", "amount": "1", "reason": "x"})
    assert (opened.status_code, funded.status_code) == (403, 403)
    assert "'risk'" in opened.json()["detail"]


async def test_open_with_name_and_venues_then_shown_and_an_unknown_venue_is_a_422_naming_venues(app: Served) -> None:
    async with app.client() as admin:
        opened = await admin.post("/api/v1/accounts/", json={
            "id": "DESK-3", "name": "Index desk", "balances": {"USD": "1000"}, "venues": ["paper"]})
        unknown = await admin.post("/api/v1/accounts/", json={
            "id": "DESK-4", "balances": {"USD": "1"}, "venues": ["nowhere"]})
        missing = await admin.get("/api/v1/accounts/DESK-4")
    assert opened.status_code == 201
    assert (opened.json()["name"], opened.json()["venues"], opened.json()["closed"]) == ("Index desk", ["paper"], False)
    assert unknown.status_code == 422 and "venues" in unknown.text and "nowhere" in unknown.text
    assert missing.status_code == 404


async def test_close_when_the_account_has_working_orders_or_positions_then_409_and_when_clear_then_closed(
        app: Served) -> None:
    async with app.client() as admin:
        await admin.post("/api/v1/accounts/", json={"id": "DESK-5", "balances": {"USD": "10000"}})
        order = (await admin.post("/api/v1/orders/", json={
            "account": "DESK-5", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "1", "limit_price": "1.00",
            "time_in_force": "gtc"})).json()
        busy = await admin.post("/api/v1/accounts/DESK-5/close", json={"reason": "wind down"})
        await admin.delete(f"/api/v1/orders/{order['id']}")
        for _ in range(100):
            if (await admin.get(f"/api/v1/orders/{order['id']}")).json()["status"] == "canceled":
                break
            await asyncio.sleep(0.02)
        closed = await admin.post("/api/v1/accounts/DESK-5/close", json={"reason": "wind down"})
        again = await admin.post("/api/v1/accounts/DESK-5/close", json={"reason": "again"})
        refused = await admin.post("/api/v1/orders/", json={
            "account": "DESK-5", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "1", "limit_price": "1.00"})
        deposit = await admin.post("/api/v1/accounts/DESK-5/cash",
                                   json={"currency": "USD", "amount": "5", "reason": "late"})
        events = (await admin.get("/api/v1/audit/", params={"account": "DESK-5"})).json()["items"]
    assert (busy.status_code, busy.json()["code"]) == (409, "account_state") and "working orders" in busy.text
    assert closed.status_code == 200 and closed.json()["closed"] is True
    assert again.status_code == 409
    assert refused.status_code == 422 and "open_account" in refused.text
    assert deposit.status_code == 409
    assert [(e["type"], e["payload"].get("reason")) for e in events if e["type"] == "AccountClosed"] == [
        ("AccountClosed", "wind down")]


async def test_order_when_the_account_may_not_trade_at_the_venue_then_422_naming_the_account(app: Served) -> None:
    async with app.client() as admin:
        await admin.post("/api/v1/accounts/", json={"id": "DESK-6", "balances": {"USD": "10000"},
                                                    "venues": ["paper"]})
        allowed = await admin.post("/api/v1/orders/", json={
            "account": "DESK-6", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "1", "limit_price": "1.00"})
    assert allowed.status_code == 201
