"""/metrics and the detail of /ready behind a key when ``api.protect_metrics`` is on; public otherwise."""

from pathlib import Path

import httpx
import pytest

from ordergate.config import Settings
from tests.integration.inprocess import served


def _anonymous(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ordergate.test")  # type: ignore[arg-type]


async def test_protected_when_no_key_then_metrics_401_and_ready_shows_status_only(tmp_path: Path) -> None:
    async with served(tmp_path, api={"protect_metrics": True}) as s, _anonymous(s.app) as anon, s.client() as keyed:
        metrics = await anon.get("/metrics")
        ready = await anon.get("/ready")
        keyed_metrics = await keyed.get("/metrics")
        keyed_ready = await keyed.get("/ready")
    assert metrics.status_code == 401
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "role": "single"})  # what a balancer needs
    assert keyed_metrics.status_code == 200 and b"ordergate_" in keyed_metrics.content
    assert "checks" in keyed_ready.json()


async def test_unprotected_by_default_then_both_public_with_detail(tmp_path: Path) -> None:
    async with served(tmp_path) as s, _anonymous(s.app) as anon:
        assert (await anon.get("/metrics")).status_code == 200
        assert "checks" in (await anon.get("/ready")).json()


@pytest.mark.parametrize("given", [{"ssl_certfile": "cert.pem"}, {"ssl_keyfile": "key.pem"}])
def test_tls_settings_when_only_one_file_given_then_refused_naming_both(given: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="ssl_certfile and ssl_keyfile"):
        Settings(_env_file=None, **given)  # type: ignore[arg-type]
