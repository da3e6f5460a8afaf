"""GET /api/v1/orders/ filtered by status, symbol and account, over two accounts' orders on the real server."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e

FAR = {"type": "limit", "limit_price": "100.00", "time_in_force": "gtc"}  # rests: far below every market


@dataclass
class Book:
    """The server, and the id of each order it holds by a name that says what it is."""

    server: Server
    ids: dict[str, str]


def _place(c: httpx.Client, account: str) -> dict[str, str]:
    """Place a filled, a resting and a canceled order for ``account``; return their ids."""
    filled = submit(c, account=account, symbol="MSFT", qty="1").json()["id"]
    resting = submit(c, account=account, **FAR).json()["id"]
    canceled = submit(c, account=account, symbol="SPY", **FAR).json()["id"]
    wait_for_status(c, canceled, {"new"})
    c.delete(f"/api/v1/orders/{canceled}")
    wait_for_status(c, filled, {"filled"})
    wait_for_status(c, resting, {"new"})
    wait_for_status(c, canceled, {"canceled"})
    return {f"{account}-msft-filled": filled, f"{account}-aapl-new": resting, f"{account}-spy-canceled": canceled}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    """Orders of ALPHA and BETA: each account is the configured paper account of one start of the server."""
    data_dir = Path(tmp_path_factory.mktemp("filters"))
    first = Server(data_dir, env_extra={"ORDERGATE_ACCOUNT__ID": "ALPHA"}).start()
    with first.client() as c:
        ids = _place(c, "ALPHA")
    first.stop()
    server = Server(data_dir, env_extra={"ORDERGATE_ACCOUNT__ID": "BETA"}, port=first.port).start()
    with server.client() as c:
        ids |= _place(c, "BETA")
    yield Book(server, ids)
    server.stop()


def _pairs(params: dict[str, str] | list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Return query parameters as pairs (a name may repeat)."""
    return tuple(params.items() if isinstance(params, dict) else params)


def _listed(book: Book, params: dict[str, str] | list[tuple[str, str]]) -> set[str]:
    with book.server.client() as c:
        page = c.get("/api/v1/orders/", params=_pairs(params)).json()
    names = {order_id: name for name, order_id in book.ids.items()}
    return {names[o["id"]] for o in page["items"]}


def test_list_when_filtered_by_status_then_only_orders_in_that_status(book: Book) -> None:
    assert _listed(book, {"status": "filled"}) == {"ALPHA-msft-filled", "BETA-msft-filled"}
    assert _listed(book, [("status", "new"), ("status", "canceled")]) == {
        "ALPHA-aapl-new", "ALPHA-spy-canceled", "BETA-aapl-new", "BETA-spy-canceled"}


def test_list_when_filtered_by_symbol_then_only_that_symbols_orders(book: Book) -> None:
    assert _listed(book, {"symbol": "AAPL"}) == {"ALPHA-aapl-new", "BETA-aapl-new"}
    assert _listed(book, {"symbol": "INFY"}) == set()


def test_list_when_filtered_by_account_then_only_that_accounts_orders(book: Book) -> None:
    assert _listed(book, {"account": "BETA"}) == {"BETA-msft-filled", "BETA-aapl-new", "BETA-spy-canceled"}
    assert _listed(book, {"account": "NOBODY"}) == set()


def test_list_when_filters_combined_then_orders_matching_all_of_them(book: Book) -> None:
    assert _listed(book, {"account": "ALPHA", "symbol": "SPY", "status": "canceled"}) == {"ALPHA-spy-canceled"}
    assert _listed(book, {"account": "ALPHA", "symbol": "SPY", "status": "new"}) == set()


def test_list_when_unfiltered_then_every_order(book: Book) -> None:
    assert _listed(book, {}) == set(book.ids)


@pytest.mark.parametrize("params", [{"status": "bogus"}, [("status", "new"), ("status", "done")]])
def test_list_when_status_value_unknown_then_422_naming_status(
    book: Book, params: dict[str, str] | list[tuple[str, str]],
) -> None:
    with book.server.client() as c:
        r = c.get("/api/v1/orders/", params=_pairs(params))

    assert r.status_code == 422
    [problem] = r.json()["detail"]
    assert problem["loc"][:2] == ["query", "status"] and problem["type"] == "enum"
    assert problem["msg"].startswith("status")
