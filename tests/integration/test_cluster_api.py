"""GET /api/v1/cluster and /ready on one instance with SQLite: a cluster of one, role ``single``."""

from pathlib import Path

from tests.integration.inprocess import served


async def test_cluster_when_one_instance_on_sqlite_then_single_with_no_leader_and_no_lag(tmp_path: Path) -> None:
    async with served(tmp_path) as app, app.client() as c:
        cluster = (await c.get("/api/v1/cluster")).json()
        ready = (await c.get("/ready")).json()

    assert (cluster["role"], cluster["leader"], cluster["epoch"]) == ("single", None, 0)
    assert [(i["role"], i["lag"], i["alive"]) for i in cluster["instances"]] == [("single", 0, True)]
    assert cluster["instances"][0]["applied_seq"] == cluster["last_seq"] >= 1
    assert ready["role"] == "single"


async def test_cluster_when_asked_without_a_key_then_401(tmp_path: Path) -> None:
    async with served(tmp_path) as app, app.client() as c:
        answer = await c.get("/api/v1/cluster", headers={"Authorization": ""})

    assert answer.status_code == 401
