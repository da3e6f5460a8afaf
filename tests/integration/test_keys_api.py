"""Keys over the API: made with a secret shown once, stored as a hash, listed, revoked and rotated by admins."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from ordergate.domain.access import Role
from tests.integration.inprocess import Served, served


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path) as s:
        yield s


def _as(app: Served, secret: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app.app), base_url="http://ordergate.test",
                             headers={"Authorization": f"Bearer {secret}"})


async def test_create_when_admin_then_secret_shown_once_works_and_only_its_hash_is_stored(
    app: Served, tmp_path: Path,
) -> None:
    async with app.client() as admin:
        made = await admin.post("/api/v1/keys/", json={"name": "alice", "role": "trader", "accounts": ["PAPER"]})
        listed = (await admin.get("/api/v1/keys/")).json()
    key = made.json()
    assert made.status_code == 201 and key["secret"].startswith("og_")
    assert [k | {"created_at": None} for k in listed] == [
        {"id": key["id"], "name": "alice", "role": "trader", "accounts": ["PAPER"], "created_at": None,
         "created_by": "admin", "revoked_at": None}]
    async with _as(app, key["secret"]) as alice:
        assert (await alice.post("/api/v1/ping")).json()["key_id"] == key["id"]
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("ordergate.db*"))
    assert key["secret"].encode() not in stored


async def test_revoke_when_admin_then_key_stops_working_at_once(app: Served) -> None:
    async with app.client() as admin:
        key = (await admin.post("/api/v1/keys/", json={"name": "bob", "role": "viewer", "accounts": None})).json()
        revoked = await admin.delete(f"/api/v1/keys/{key['id']}")
        again = await admin.delete(f"/api/v1/keys/{key['id']}")
        listed = (await admin.get("/api/v1/keys/", params={"include_revoked": True})).json()
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert (again.status_code, again.json()["code"]) == (404, "unknown_key")
    assert [k["id"] for k in listed] == [key["id"]]
    async with _as(app, key["secret"]) as bob:
        assert (await bob.get("/api/v1/orders/")).status_code == 401


async def test_rotate_when_admin_then_new_secret_same_role_and_scope_old_one_dead(app: Served) -> None:
    async with app.client() as admin:
        old = (await admin.post("/api/v1/keys/", json={"name": "c", "role": "risk", "accounts": ["PAPER"]})).json()
        new = (await admin.post(f"/api/v1/keys/{old['id']}/rotate")).json()
    assert (new["name"], new["role"], new["accounts"]) == ("c", "risk", ["PAPER"]) and new["id"] != old["id"]
    async with _as(app, old["secret"]) as stale, _as(app, new["secret"]) as fresh:
        assert (await stale.post("/api/v1/ping")).status_code == 401
        assert (await fresh.post("/api/v1/ping")).status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "", "role": "trader", "accounts": None}, "name"),
    ({"name": "x", "role": "god", "accounts": None}, "role"),
    ({"name": "x", "role": "trader", "accounts": []}, "accounts"),
    ({"name": "x", "role": "trader"}, "accounts"),
    ({"name": "x", "role": "trader", "accounts": None, "secret": "mine"}, "secret"),
])
async def test_create_when_body_bad_then_422_names_the_field_and_no_key_made(app: Served, body: dict[str, object],
                                                                             field: str) -> None:
    async with app.client() as admin:
        r = await admin.post("/api/v1/keys/", json=body)
    assert r.status_code == 422 and field in r.json()["detail"][0]["msg"]
    assert app.container.keys.count() == 0


async def test_keys_when_not_admin_then_403_naming_the_role(app: Served) -> None:
    _, secret = app.container.keys.create("t", Role.TRADER, None, "test", app.container.engine.clock.now())
    async with _as(app, secret) as trader:
        r = await trader.post("/api/v1/keys/", json={"name": "x", "role": "admin", "accounts": None})
    assert r.status_code == 403 and "'trader'" in r.json()["detail"]
