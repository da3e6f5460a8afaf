"""GET /ready on the real app and container: 503 naming the component that is down, 200 when all are up."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.queries import SqlReadModel
from ordergate.domain.ids import VenueId
from tests.integration.inprocess import Served, served


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path) as s:
        yield s


async def _ready(app: Served) -> tuple[int, dict[str, Any]]:
    async with app.client() as c:
        r = await c.get("/ready")
    return r.status_code, r.json()


async def test_ready_when_every_component_is_up_then_200_with_every_check_true(app: Served) -> None:
    status, body = await _ready(app)

    assert status == 200 and body["status"] == "ready"
    assert body["checks"] == {"engine": True, "database": True, "venue:paper": True, "feed:paper": True}


async def test_ready_when_venue_is_down_then_503_naming_the_venue(app: Served) -> None:
    await app.container.venues[VenueId("paper")].stop()

    status, body = await _ready(app)

    assert status == 503 and body["status"] == "not ready"
    assert [name for name, ok in body["checks"].items() if not ok] == ["venue:paper", "feed:paper"]


async def test_ready_when_database_does_not_answer_then_503_naming_the_database(app: Served, tmp_path: Path) -> None:
    unreachable = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'gone.db'}")
    app.container.read_model = SqlReadModel(unreachable)

    status, body = await _ready(app)

    assert status == 503 and body["status"] == "not ready"
    assert [name for name, ok in body["checks"].items() if not ok] == ["database"]
    unreachable.dispose()


async def test_ready_when_engine_stopped_then_503_naming_the_engine(app: Served) -> None:
    await app.container.loop.stop()

    status, body = await _ready(app)

    assert status == 503
    assert [name for name, ok in body["checks"].items() if not ok] == ["engine"]
