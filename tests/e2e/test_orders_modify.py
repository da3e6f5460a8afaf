"""PATCH /api/v1/orders/{id} on the real server: time in force changes, and orders that do not exist."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e

RESTING = {"type": "limit", "limit_price": "100.00"}  # far below the market: it rests


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for this module: each test works on orders of its own."""
    srv = Server(Path(tmp_path_factory.mktemp("modify"))).start()
    yield srv
    srv.stop()


def _working(c: httpx.Client, tif: str) -> dict[str, Any]:
    return wait_for_status(c, submit(c, time_in_force=tif, **RESTING).json()["id"], {"new"})


def _replaced(c: httpx.Client, order_id: str, changes: dict[str, str]) -> tuple[httpx.Response, dict[str, Any]]:
    """PATCH, then wait for the venue's answer; return the PATCH answer and the order after it."""
    r = c.patch(f"/api/v1/orders/{order_id}", json=changes)
    return r, wait_for_status(c, order_id, {"new"})


def test_modify_when_order_unknown_then_404_unknown_order(server: Server) -> None:
    with server.client() as c:
        r = c.patch("/api/v1/orders/does-not-exist", json={"qty": "5"})

        assert r.status_code == 404
        assert r.json()["code"] == "unknown_order" and "does-not-exist" in r.json()["detail"]


def test_modify_when_gtc_changed_to_day_then_order_shows_day(server: Server) -> None:
    with server.client() as c:
        order = _working(c, "gtc")

        r, after = _replaced(c, order["id"], {"time_in_force": "day"})

        assert r.status_code == 200, r.text
        assert r.json()["status"] == "new" or r.json()["pending_replace"]["time_in_force"] == "day"
        assert (after["time_in_force"], after["expire_at"]) == ("day", None)
        assert (after["qty"], after["limit_price"]) == (order["qty"], order["limit_price"])


def test_modify_when_changed_to_gtd_with_expire_at_then_order_shows_gtd_and_the_expiry(server: Server) -> None:
    expire_at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    with server.client() as c:
        order = _working(c, "day")

        r, after = _replaced(c, order["id"], {"time_in_force": "gtd", "expire_at": expire_at.isoformat()})

        assert r.status_code == 200, r.text
        assert after["time_in_force"] == "gtd"
        assert datetime.fromisoformat(after["expire_at"]) == expire_at


@pytest.mark.parametrize(("changes", "field", "rule"), [
    ({"time_in_force": "gtd"}, "expire_at", "required"),
    ({"time_in_force": "ioc"}, "time_in_force", "replace_tif"),
    ({"time_in_force": "forever"}, "time_in_force", "enum"),
])
def test_modify_when_time_in_force_change_is_bad_then_422_names_it_and_order_unchanged(
    server: Server, changes: dict[str, str], field: str, rule: str,
) -> None:
    with server.client() as c:
        order = _working(c, "gtc")

        r = c.patch(f"/api/v1/orders/{order['id']}", json=changes)

        assert r.status_code == 422, r.text
        [problem] = r.json()["detail"]
        assert (problem["loc"][-1], problem["type"]) == (field, rule)
        after = c.get(f"/api/v1/orders/{order['id']}").json()
        assert (after["status"], after["time_in_force"], after["updated_at"]) == ("new", "gtc", order["updated_at"])
