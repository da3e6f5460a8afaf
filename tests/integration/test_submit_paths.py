"""POST /api/v1/orders/ answers alike on the app's hot path and on the ordinary FastAPI route."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from tests.integration.inprocess import Served, served

ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "1"}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path) as s:
        yield s


@pytest.mark.parametrize(("fields", "field", "rule"), [
    ({"account": "NOBODY"}, "account", "known_account"),
    ({"symbol": "NOPE"}, "symbol", "known_instrument"),
], ids=["unknown-account", "unknown-symbol"])
async def test_submit_when_account_or_symbol_unknown_then_both_paths_answer_the_same_422_and_record_nothing(
    app: Served, fields: dict[str, str], field: str, rule: str,
) -> None:
    orders_before = len(app.container.engine.ledger.orders)
    async with app.client() as hot, app.client(hot_path=False) as ordinary:
        via_hot = await hot.post("/api/v1/orders/", json={**ORDER, **fields})
        via_route = await ordinary.post("/api/v1/orders/", json={**ORDER, **fields})

    assert (via_hot.status_code, via_route.status_code) == (422, 422)
    assert via_hot.content == via_route.content
    [problem] = via_hot.json()["detail"]
    assert (problem["loc"], problem["type"]) == (["body", field], rule)
    assert problem["msg"].startswith(f"{field}: unknown")
    assert len(app.container.engine.ledger.orders) == orders_before


async def test_submit_when_valid_then_both_paths_create_an_order_and_only_one_takes_the_hot_path(
    app: Served, monkeypatch: pytest.MonkeyPatch,
) -> None:
    hot_calls: list[str] = []
    hot_submit = app.app._submit

    async def counted(scope: Scope, receive: Receive, send: Send, *args: Any) -> None:
        hot_calls.append(scope["path"])
        await hot_submit(scope, receive, send, *args)

    monkeypatch.setattr(app.app, "_submit", counted)
    async with app.client() as hot, app.client(hot_path=False) as ordinary:
        via_hot = await hot.post("/api/v1/orders/", json=ORDER)
        via_route = await ordinary.post("/api/v1/orders/", json=ORDER)

    assert (via_hot.status_code, via_route.status_code) == (201, 201)
    assert hot_calls == ["/api/v1/orders/"]
    assert set(via_hot.json()) == set(via_route.json())
    assert via_hot.json()["id"] != via_route.json()["id"]
