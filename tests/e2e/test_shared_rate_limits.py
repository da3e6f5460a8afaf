"""Two server processes sharing one Redis: a key's request rate is one budget across both, not one each."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import Server
from tests.redis_service import delete_keys, new_prefix, require_redis

pytestmark = pytest.mark.e2e


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two instances (each on its own SQLite file) whose rate limits live in one Redis: 4 requests, then 1 in 10 s."""
    url, prefix = require_redis(), new_prefix()
    env = {"ORDERGATE_REDIS_URL": url, "ORDERGATE_REDIS__KEY_PREFIX": prefix,
           "ORDERGATE_API__RATE_PER_KEY": "0.1", "ORDERGATE_API__BURST_PER_KEY": "4"}
    servers: list[Server] = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            servers.append(Server(tmp_path / name, env_extra=env).start())
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()
        delete_keys(prefix)


def test_rate_limit_when_one_key_calls_two_instances_then_they_share_its_burst(pair: tuple[Server, Server]) -> None:
    first, second = pair
    with first.client() as a, second.client() as b:
        answers = [c.post("/api/v1/ping") for c in (a, b, a, b)]
        refused = b.post("/api/v1/ping")
        also_refused = a.post("/api/v1/ping")

    assert [r.status_code for r in answers] == [200, 200, 200, 200]
    assert refused.status_code == 429 and also_refused.status_code == 429
    assert refused.json()["code"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1
