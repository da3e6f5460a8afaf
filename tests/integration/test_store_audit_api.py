"""The audit trail over HTTP, on the real server: one order's journal, and the paged journal.

Every test runs against a server on SQLite, then against one on PostgreSQL.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.databases import new_postgres_database
from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real server on a database of its own: a SQLite file, then a fresh PostgreSQL database."""
    data_dir = Path(tmp_path_factory.mktemp(f"audit-{request.param}"))
    url = f"sqlite:///{data_dir / 'ordergate.db'}" if request.param == "sqlite" else new_postgres_database()
    srv = Server(data_dir, env_extra={"ORDERGATE_DATABASE_URL": url}).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


def test_order_events_when_order_filled_then_its_journal_in_order_with_causes(client: httpx.Client) -> None:
    order_id = submit(client, qty="3").json()["id"]
    wait_for_status(client, order_id, {"filled"})
    events = client.get(f"/api/v1/orders/{order_id}/events").json()
    types = [e["type"] for e in events]
    assert types[:2] == ["OrderSubmitted", "OrderAccepted"] and types[-1] == "OrderFilled"
    assert events[0]["caused_by"] == "admin" and events[1]["caused_by"].startswith("venue:")
    assert events[0]["payload"]["qty"] == "3"
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert all({"type", "ts", "caused_by", "payload"} <= e.keys() for e in events)


def test_order_events_when_order_unknown_then_404(client: httpx.Client) -> None:
    assert client.get("/api/v1/orders/no-such-order/events").status_code == 404


def test_order_routes_still_answer_beside_the_events_route(client: httpx.Client) -> None:
    order_id = submit(client, qty="1").json()["id"]
    assert client.get(f"/api/v1/orders/{order_id}").json()["id"] == order_id


def test_audit_when_paged_then_every_event_once_in_journal_order(client: httpx.Client) -> None:
    for _ in range(3):
        submit(client, qty="1")
    seqs: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2, "account": "PAPER", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/audit/", params=params).json()
        seqs += [e["seq"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seqs) >= 6 and seqs == sorted(set(seqs))


def test_audit_when_since_in_future_then_empty(client: httpx.Client) -> None:
    assert client.get("/api/v1/audit/", params={"since": "2999-01-01T00:00:00Z"}).json() == {
        "items": [], "next_cursor": None}


@pytest.mark.parametrize(("params", "field"), [
    ({"cursor": "garbage!"}, "cursor"), ({"since": "yesterday"}, "since"), ({"limit": "0"}, "limit"),
    ({"limit": "many"}, "limit"),
])
def test_audit_when_filter_is_bad_then_422_naming_the_field(client: httpx.Client, params: dict[str, str],
                                                           field: str) -> None:
    answer = client.get("/api/v1/audit/", params=params)
    assert answer.status_code == 422
    assert field in str(answer.json()["detail"])


def test_audit_when_no_key_then_401(server: Server) -> None:
    assert httpx.get(f"{server.url}/api/v1/audit/").status_code == 401
    assert httpx.get(f"{server.url}/api/v1/orders/x/events").status_code == 401
