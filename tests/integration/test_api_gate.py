"""Limits before work: the key is checked and the body's size bounded before the body is read."""

from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from starlette.types import Message

from tests.integration.inprocess import KEY, Served, served

HUGE = 200 * 1024 * 1024


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path) as s:
        yield s


async def _call(app: Served, method: str, path: str, headers: dict[str, str],
                chunks: list[bytes] | None = None) -> tuple[int, dict[str, object], int]:
    """Call the app's ASGI interface directly; return status, JSON body and how many body chunks it read."""
    pending = list(chunks) if chunks is not None else None
    reads = 0

    async def receive() -> Message:
        nonlocal reads
        if pending is None:
            raise AssertionError("the body was read")
        reads += 1
        chunk = pending.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()], "http_version": "1.1",
             "scheme": "http", "server": ("test", 80), "client": ("127.0.0.1", 5000), "root_path": "", "app": app.app}
    await app.app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, orjson.loads(body), reads


async def test_post_when_no_key_and_huge_body_then_401_without_reading_the_body(app: Served) -> None:
    status, body, _ = await _call(app, "POST", "/api/v1/orders/",
                                  {"content-type": "application/json", "content-length": str(HUGE)})
    assert (status, body) == (401, {"detail": "missing API key: send Authorization: Bearer <key>"})


async def test_post_when_wrong_key_then_401_without_reading_the_body(app: Served) -> None:
    status, body, _ = await _call(app, "PUT", "/api/v1/risk/limits/default",
                                  {"authorization": "Bearer not-a-key-0123456789", "content-length": "10"})
    assert (status, body) == (401, {"detail": "invalid API key"})


async def test_post_when_declared_length_over_the_limit_then_413_without_reading_the_body(app: Served) -> None:
    status, body, _ = await _call(app, "POST", "/api/v1/orders/", {
        "authorization": f"Bearer {KEY}", "content-type": "application/json", "content-length": str(HUGE)})
    assert status == 413
    assert body == {"detail": "request body too large: at most 65536 bytes", "code": "body_too_large"}


async def test_post_when_chunked_body_passes_the_limit_then_413_after_reading_no_more_than_the_limit(
    app: Served,
) -> None:
    chunks = [b"x" * 30_000] * 1000
    status, body, reads = await _call(app, "POST", "/api/v1/orders/",
                                      {"authorization": f"Bearer {KEY}", "content-type": "application/json"}, chunks)
    assert (status, body["code"]) == (413, "body_too_large")
    assert reads == 3  # 90,000 bytes read: the first read past 65,536


async def test_post_when_key_valid_and_body_small_then_the_route_gets_the_whole_body(app: Served) -> None:
    order = orjson.dumps({"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "1"})
    status, body, _ = await _call(app, "POST", "/api/v1/orders/", {
        "authorization": f"Bearer {KEY}", "content-type": "application/json"}, [order[:10], order[10:]])
    assert (status, body["qty"]) == (201, "1")


async def test_get_when_no_key_then_protected_route_401_and_public_route_200(app: Served) -> None:
    assert (await _call(app, "GET", "/api/v1/orders/", {}))[:2] == (
        401, {"detail": "missing API key: send Authorization: Bearer <key>"})
    assert (await _call(app, "GET", "/health", {}))[:2] == (200, {"status": "ok"})


async def test_body_when_not_utf8_then_422_names_the_body_like_any_bad_json(app: Served) -> None:
    status, body, _ = await _call(app, "PUT", "/api/v1/risk/limits/default", {
        "authorization": f"Bearer {KEY}", "content-type": "application/json"}, [b"\xff\xfe{"])
    assert status == 422 and body["detail"][0]["type"] in ("json_invalid", "json_type")


async def test_method_when_not_allowed_then_405_lists_exactly_the_methods_of_that_path(app: Served) -> None:
    async with app.client() as c:
        literal = await c.request("OPTIONS", "/api/v1/orders/cancel-all")
        templated = await c.request("PUT", "/api/v1/orders/o-1")
    assert (literal.status_code, literal.headers["allow"]) == (405, "POST")
    assert (templated.status_code, templated.headers["allow"]) == (405, "DELETE, GET, PATCH")


@pytest.mark.parametrize("path", ["/api/v1/orders/{x}", "/api/v1/accounts/{x}", "/api/v1/risk/limits/{x}",
                                  "/api/v1/marketdata/{x}/quote", "/api/v1/orders/{x}/events"])
async def test_path_id_when_longer_than_64_then_422_naming_it_before_any_lookup(app: Served, path: str) -> None:
    async with app.client() as c:
        r = await c.get(path.replace("{x}", "A" * 65))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][0] == "path"
