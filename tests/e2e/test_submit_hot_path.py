"""POST /api/v1/orders/ takes a hot path past FastAPI: it must answer exactly as the route does, bad input too."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ordergate.entrypoints.api.schemas import OrderOut
from tests.e2e.server import ADMIN_KEY, Server

pytestmark = pytest.mark.e2e

PATH = "/api/v1/orders/"
ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "1"}
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for this module: every test here leaves the order count as it found it, or says so."""
    srv = Server(Path(tmp_path_factory.mktemp("hot"))).start()
    yield srv
    srv.stop()


def _total(server: Server) -> int:
    with server.client() as c:
        return int(c.get("/api/v1/orders/metrics/summary").json()["total_orders"])


def _post(server: Server, content: bytes, headers: dict[str, str] | None = None, auth: bool = True) -> httpx.Response:
    sent = {**JSON, **({"Authorization": f"Bearer {ADMIN_KEY}"} if auth else {}), **(headers or {})}
    return httpx.post(server.url + PATH, content=content, headers=sent, timeout=10)


def test_submit_when_valid_then_201_with_every_documented_field(server: Server) -> None:
    r = _post(server, json.dumps(ORDER).encode())

    assert r.status_code == 201
    assert r.headers["content-type"] == "application/json"
    assert set(OrderOut.model_fields) <= set(r.json())
    with server.client() as c:
        assert c.get(f"/api/v1/orders/{r.json()['id']}").json()["client_order_id"] == r.json()["client_order_id"]


def test_submit_when_json_charset_given_and_scheme_lowercase_then_201(server: Server) -> None:
    r = _post(server, json.dumps(ORDER).encode(), {"Content-Type": "application/json; charset=utf-8",
                                                   "Authorization": f"bearer {ADMIN_KEY}"}, auth=False)

    assert r.status_code == 201


def test_submit_when_body_arrives_in_chunks_then_201(server: Server) -> None:
    body = json.dumps(ORDER).encode()
    chunks = iter([body[:7], body[7:20], body[20:]])
    sent = {**JSON, "Authorization": f"Bearer {ADMIN_KEY}"}

    r = httpx.post(server.url + PATH, content=chunks, headers=sent, timeout=10)

    assert r.status_code == 201


@pytest.mark.parametrize(("headers", "auth", "detail"), [
    ({}, False, "missing API key: send Authorization: Bearer <key>"),
    ({"Authorization": "Bearer wrong"}, False, "invalid API key"),
    ({"Authorization": f"Basic {ADMIN_KEY}"}, False, "missing API key: send Authorization: Bearer <key>"),
    ({"Authorization": "Bearer"}, False, "missing API key: send Authorization: Bearer <key>"),
], ids=["missing", "wrong", "basic", "no-token"])
def test_submit_when_key_missing_wrong_or_not_bearer_then_401_and_nothing_recorded(
    server: Server, headers: dict[str, str], auth: bool, detail: str,
) -> None:
    before = _total(server)

    r = _post(server, json.dumps(ORDER).encode(), headers, auth=auth)

    assert r.status_code == 401
    assert r.json() == {"detail": detail}
    assert r.headers["www-authenticate"] == "Bearer"
    assert _total(server) == before


@pytest.mark.parametrize(("content", "headers", "named"), [
    (b"", {}, "body"),
    (b"{not json", {}, "json_invalid"),
    (b"[1, 2]", {}, "body"),
    (b'"just a string"', {}, "body"),
    (b"\xff\xfe{}", {}, "json_invalid"),
    (json.dumps({**ORDER, "qty": 1e300}).encode(), {}, "qty"),
    (json.dumps({**ORDER, "qty": 10 ** 40}).encode(), {}, "qty"),
    (json.dumps({**ORDER, "qty": "Infinity"}).encode(), {}, "qty"),
    (json.dumps(ORDER).replace('"1"', "NaN").encode(), {}, "qty"),
    (json.dumps({**ORDER, "qty": True}).encode(), {}, "qty"),
    (json.dumps({**ORDER, "side": ["buy"]}).encode(), {}, "side"),
    (json.dumps({**ORDER, "extra": 1}).encode(), {}, "extra"),
    (json.dumps({**ORDER, "client_order_id": "x" * 50_000}).encode(), {}, "client_order_id"),
    (json.dumps(ORDER).encode(), {"Content-Type": "text/plain"}, "body"),
], ids=["empty", "malformed", "list", "string", "not-utf8", "huge-float", "huge-int", "infinity", "nan-literal",
        "bool", "wrong-type", "extra-field", "50kb-field", "text-plain"])
def test_submit_when_body_is_hostile_then_422_names_the_problem_and_nothing_recorded(
    server: Server, content: bytes, headers: dict[str, str], named: str,
) -> None:
    before = _total(server)

    r = _post(server, content, headers)

    assert r.status_code == 422, r.text
    assert named in r.text
    assert _total(server) == before


def test_submit_when_json_nested_too_deep_then_422_and_nothing_recorded(server: Server) -> None:
    before = _total(server)

    r = _post(server, b'{"account": ' * 5000 + b"1" + b"}" * 5000)

    assert r.status_code == 422, r.text
    assert _total(server) == before


def test_submit_when_body_is_larger_than_allowed_then_413_before_it_is_read_and_nothing_recorded(
        server: Server) -> None:
    before = _total(server)

    r = _post(server, json.dumps({**ORDER, "client_order_id": "x" * 100_000}).encode())

    assert r.status_code == 413
    assert r.json()["code"] == "body_too_large"
    assert _total(server) == before


def test_submit_when_client_order_id_repeats_then_200_same_order_and_409_when_terms_differ(server: Server) -> None:
    order = {**ORDER, "type": "limit", "limit_price": "100.00", "time_in_force": "gtc", "client_order_id": "hot-1"}
    first = _post(server, json.dumps(order).encode())
    again = _post(server, json.dumps(order).encode())
    other = _post(server, json.dumps({**order, "qty": "2"}).encode())

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created_at"] == first.json()["created_at"]
    assert set(other.json()) == {"detail", "code"}


def test_submit_when_engine_refuses_then_the_apps_error_handlers_answer(server: Server) -> None:
    before = _total(server)

    unknown_account = _post(server, json.dumps({**ORDER, "account": "NOBODY"}).encode())
    unknown_symbol = _post(server, json.dumps({**ORDER, "symbol": "NOPE"}).encode())

    assert unknown_account.status_code == 422
    assert unknown_account.json()["detail"][0]["loc"] == ["body", "account"]
    assert unknown_account.json()["detail"][0]["type"] == "known_account"
    assert unknown_symbol.status_code == 422
    assert unknown_symbol.json()["detail"][0]["loc"] == ["body", "symbol"]
    assert _total(server) == before


def test_openapi_when_read_then_documents_the_submit_request_schema(server: Server) -> None:
    schema = httpx.get(server.url + "/openapi.json", timeout=10).json()

    body = schema["paths"][PATH]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/OrderCreate"}
    required = set(schema["components"]["schemas"]["OrderCreate"]["required"])
    assert {"account", "symbol", "side", "type", "qty"} <= required
