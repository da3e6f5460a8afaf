"""Market data settings: the replay file is checked at start, with a message naming the setting."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from ordergate.config import MarketDataConfig


def test_replay_file_when_sample_or_existing_then_accepted_and_paper_follows_by_default(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("ts,symbol,kind,side,price,size,seq\n")
    assert MarketDataConfig(replay_file=Path("sample")).paper_follows_replay is True
    assert MarketDataConfig(replay_file=path).replay_file == path


@pytest.mark.parametrize("value", ["/no/such/file.csv", "", "."])
def test_replay_file_when_missing_or_not_a_file_then_error_names_field_and_rule(value: str) -> None:
    with pytest.raises(ValidationError) as failure:
        MarketDataConfig(replay_file=Path(value))
    error = failure.value.errors()[0]
    assert error["loc"] == ("replay_file",) and "no such file" in error["msg"]


@pytest.mark.parametrize(("field", "value"), [("replay_speed", -1), ("replay_speed", 1001),
                                              ("paper_follows_replay", "maybe")])
def test_replay_options_when_out_of_range_then_rejected_naming_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as failure:
        MarketDataConfig(**{field: value})
    assert failure.value.errors()[0]["loc"] == (field,)
