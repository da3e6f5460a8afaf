"""Numbers in requests are kept exactly, on the submit hot path and the ordinary routes alike, and whatever the
server accepts it can store and show."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from ordergate.config import Settings
from ordergate.entrypoints.api.app import create_app
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from tests.integration.inprocess import Served, served

JSON = {"content-type": "application/json"}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path) as s:
        yield s


@pytest.fixture
async def unlimited(tmp_path: Path) -> AsyncIterator[Served]:
    """The server with every risk limit off."""
    async with served(tmp_path, risk={"defaults": {}}) as s:
        yield s


def _order(**numbers: str) -> bytes:
    """Return an order body whose given fields are JSON numbers spelled exactly as given."""
    fields = {"qty": "3", **numbers}
    spelled = ", ".join(f'"{name}": {text}' for name, text in fields.items())
    return ('{"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "time_in_force": "gtc", '
            + spelled + "}").encode()


async def _both(app: Served, body: bytes) -> tuple[httpx.Response, httpx.Response]:
    """POST an order body on the hot path and on the ordinary route."""
    async with app.client() as hot, app.client(hot_path=False) as ordinary:
        return (await hot.post("/api/v1/orders/", content=body, headers=JSON),
                await ordinary.post("/api/v1/orders/", content=body, headers=JSON))


async def _until_working(client: httpx.AsyncClient, order_id: str) -> None:
    """Wait until the paper venue has acknowledged the order."""
    for _ in range(200):
        if (await client.get(f"/api/v1/orders/{order_id}")).json()["status"] == "new":
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"order {order_id} never acknowledged")


def _problem(response: httpx.Response) -> dict[str, Any]:
    [problem] = response.json()["detail"]
    return dict(problem)


async def test_submit_when_price_number_has_more_digits_than_a_float_then_both_paths_see_it_exactly(
    app: Served,
) -> None:
    via_hot, via_route = await _both(app, _order(limit_price="123456789012.123456789012"))

    assert (via_hot.status_code, via_route.status_code) == (422, 422)
    assert via_hot.content == via_route.content
    assert _problem(via_hot) == {
        "loc": ["body", "limit_price"], "type": "tick_size",
        "msg": "limit_price: 123456789012.123456789012 is not a multiple of the tick size 0.01"}


async def test_submit_when_price_number_is_off_tick_in_a_digit_a_float_drops_then_both_paths_refuse_it(
    app: Served,
) -> None:
    orders_before = len(app.container.engine.ledger.orders)
    via_hot, via_route = await _both(app, _order(qty="1", limit_price="100000.000000000001"))  # float: 100000.0

    assert (via_hot.status_code, via_route.status_code) == (422, 422)
    assert via_hot.content == via_route.content
    assert _problem(via_hot)["type"] == "tick_size"
    assert len(app.container.engine.ledger.orders) == orders_before


async def test_submit_when_numbers_are_valid_then_both_paths_keep_them_as_written(app: Served) -> None:
    via_hot, via_route = await _both(app, _order(qty="2", limit_price="100.10"))

    assert (via_hot.status_code, via_route.status_code) == (201, 201)
    for answer in (via_hot.json(), via_route.json()):
        assert (answer["qty"], answer["limit_price"]) == ("2", "100.10")


async def test_submit_when_number_has_more_digits_than_allowed_then_both_paths_name_the_field(app: Served) -> None:
    via_hot, via_route = await _both(app, _order(qty="1.0000000000000000000000000000000000001"))

    assert (via_hot.status_code, via_route.status_code) == (422, 422)
    assert via_hot.content == via_route.content
    assert _problem(via_hot)["loc"] == ["body", "qty"]


async def test_modify_when_price_number_is_off_tick_in_a_digit_a_float_drops_then_refused(app: Served) -> None:
    async with app.client() as c:
        order = (await c.post("/api/v1/orders/", content=_order(qty="1", limit_price="100.00"), headers=JSON)).json()
        await _until_working(c, order["id"])
        answer = await c.patch(f"/api/v1/orders/{order['id']}", content=b'{"limit_price": 100000.000000000001}',
                               headers=JSON)
        kept = (await c.get(f"/api/v1/orders/{order['id']}")).json()

    assert answer.status_code == 422
    assert _problem(answer)["type"] == "tick_size"
    assert (kept["limit_price"], kept["pending_replace"]) == ("100.00", None)


async def test_risk_limit_when_given_as_a_long_json_number_then_kept_exactly(app: Served) -> None:
    async with app.client() as c:
        answer = await c.put("/api/v1/risk/limits/PAPER", content=b'{"max_order_notional": 12345678901.123456789}',
                             headers=JSON)

    assert answer.status_code == 200, answer.text
    assert answer.json()["limits"]["max_order_notional"] == "12345678901.123456789"


async def test_submit_when_limits_off_and_notional_beyond_the_largest_then_both_paths_refuse_naming_qty(
    unlimited: Served,
) -> None:
    body = b'{"account": "PAPER", "symbol": "AAPL", "side": "sell", "type": "limit", "qty": "1e12", ' \
           b'"limit_price": "1e12", "time_in_force": "gtc"}'
    via_hot, via_route = await _both(unlimited, body)
    async with unlimited.client() as c:
        accounts = await c.get("/api/v1/accounts/")

    assert (via_hot.status_code, via_route.status_code) == (422, 422)
    assert via_hot.content == via_route.content
    problem = _problem(via_hot)
    assert (problem["loc"], problem["type"]) == (["body", "qty"], "max_notional")
    assert problem["msg"].startswith("qty: qty x limit_price must be at most 1000000000000000")
    assert accounts.status_code == 200


async def test_submit_when_limits_off_and_order_is_the_largest_accepted_then_accounts_and_positions_show(
    unlimited: Served,
) -> None:
    body = b'{"account": "PAPER", "symbol": "AAPL", "side": "sell", "type": "limit", "qty": "1000000000000", ' \
           b'"limit_price": "1000.00", "time_in_force": "gtc"}'
    async with unlimited.client() as c:
        order = await c.post("/api/v1/orders/", content=body, headers=JSON)
        accounts = await c.get("/api/v1/accounts/")
        positions = await c.get("/api/v1/positions/")

    assert order.status_code == 201, order.text
    assert (accounts.status_code, positions.status_code) == (200, 200)
    [account] = accounts.json()
    assert account["working_orders"] == 1


def _api_routes(routes: list[BaseRoute]) -> list[APIRoute]:
    """Return every APIRoute, looking into included routers (kept whole by FastAPI, not copied)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        included = getattr(route, "original_router", None)
        if included is not None:
            found += _api_routes(included.routes)
    return found


def test_every_api_route_taking_a_body_decodes_json_numbers_exactly() -> None:
    app = create_app(Settings(_env_file=None))  # routes only: nothing starts without the lifespan

    with_body = [r for r in _api_routes(app.routes) if r.body_field is not None]

    assert {"/api/v1/orders/", "/api/v1/orders/{order_id}", "/api/v1/risk/limits/{account}"} <= {
        r.path for r in with_body}
    assert [r.path for r in with_body if not isinstance(r, ExactJsonRoute)] == []
