"""Routing settings: extra paper venues and venue lists from the environment, refused clearly when wrong."""

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from ordergate.config import Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("ORDERGATE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


def test_extra_paper_venues_and_venue_lists_when_set_in_the_environment_then_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORDERGATE_VENUES__PAPER_EXTRA",
                       '[{"id": "paper2", "commission_per_share": "0.003", "ack_latency": 0.05}]')
    monkeypatch.setenv("ORDERGATE_ROUTING__VENUES", '{"AAPL": ["paper", "paper2"]}')
    monkeypatch.setenv("ORDERGATE_ROUTING__ACCOUNTS", '{"PAPER": "fastest"}')
    settings = Settings()
    [extra] = settings.venues.paper_extra
    assert (extra.id, extra.commission_per_share, extra.ack_latency) == ("paper2", Decimal("0.003"), 0.05)
    assert extra.level_size_lots == settings.paper.level_size_lots  # the rest: the paper exchange's defaults
    assert settings.routing.venues == {"AAPL": ["paper", "paper2"]}
    assert settings.routing.accounts == {"PAPER": "fastest"}
    assert settings.routing.policy == "best_execution"


@pytest.mark.parametrize(("extra", "needle"), [
    ([{"id": "paper"}], "paper"),
    ([{"id": "p2"}, {"id": "p2"}], "p2"),
    ([{"id": "Bad Id"}], "id"),
    ([{"id": "p2", "reject_probability": 1.5}], "reject_probability"),
    ([{"id": "p2", "nonsense": 1}], "nonsense"),
], ids=["reserved", "duplicate", "pattern", "probability", "unknown-field"])
def test_extra_paper_venue_when_invalid_then_refused_naming_what(extra: list[dict[str, object]], needle: str) -> None:
    with pytest.raises(ValidationError) as error:
        Settings(venues={"paper_extra": extra})
    assert needle in str(error.value)
