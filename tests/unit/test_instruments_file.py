"""Loading the instrument master: the packaged file, and hostile files refused with a clear message."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordergate.adapters.instruments_file import InstrumentFileError, load_instruments
from ordergate.domain.ids import Symbol

GOOD: dict[str, Any] = {
    "symbol": "ACME", "currency": "USD", "tick_size": "0.05", "lot_size": "10", "exchange": "XNYS",
    "timezone": "America/New_York", "session_close": "16:00",
}


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "instruments.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_packaged_file_when_loaded_then_has_us_and_indian_instruments_on_their_grids() -> None:
    instruments = load_instruments()
    for symbol in ("AAPL", "MSFT", "SPY", "RELIANCE", "INFY"):
        assert Symbol(symbol) in instruments
    aapl, reliance = instruments[Symbol("AAPL")], instruments[Symbol("RELIANCE")]
    assert (aapl.currency, aapl.tick_size) == ("USD", Decimal("0.01"))
    assert (reliance.currency, reliance.tick_size) == ("INR", Decimal("0.05"))
    assert all(i.tick_size > 0 and i.lot_size > 0 for i in instruments.values())


def test_file_when_good_then_decimals_and_defaults_filled(tmp_path: Path) -> None:
    [acme] = load_instruments(_write(tmp_path, [GOOD])).values()
    assert (acme.tick_size, acme.lot_size, acme.reference_price) == (Decimal("0.05"), Decimal("10"), Decimal("100"))
    assert acme.is_on_tick(Decimal("10.05")) and not acme.is_on_tick(Decimal("10.01"))
    assert acme.is_whole_lot(Decimal("30")) and not acme.is_whole_lot(Decimal("35"))


def test_file_when_numbers_given_as_json_floats_then_kept_exact(tmp_path: Path) -> None:
    [acme] = load_instruments(_write(tmp_path, [{**GOOD, "tick_size": 0.01}])).values()
    assert acme.tick_size == Decimal("0.01")


def test_file_when_empty_list_then_no_instruments(tmp_path: Path) -> None:
    assert load_instruments(_write(tmp_path, [])) == {}


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ("", "not valid JSON"),
    ({"symbol": "ACME"}, "must hold a JSON list"),
    ("null", "must hold a JSON list"),
    (["ACME"], "#0: must be an object"),
    ([{k: v for k, v in GOOD.items() if k != "tick_size"}], "missing tick_size"),
    ([{"symbol": "X"}], "missing currency, tick_size"),
    ([{**GOOD, "tick_size": "0"}], "must be > 0"),
    ([{**GOOD, "tick_size": "-0.01"}], "must be > 0"),
    ([{**GOOD, "lot_size": "0"}], "must be > 0"),
    ([{**GOOD, "reference_price": "-5"}], "must be > 0"),
    ([{**GOOD, "tick_size": "a penny"}], "(ACME): bad number"),
    ([GOOD, {**GOOD, "symbol": "BAD", "lot_size": "x"}], "#1 (BAD): bad number"),
])
def test_file_when_hostile_then_refused_with_message_naming_entry_and_rule(
    tmp_path: Path, content: object, message: str,
) -> None:
    with pytest.raises(InstrumentFileError) as caught:
        load_instruments(_write(tmp_path, content))
    assert message in str(caught.value)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_file_when_tick_not_finite_then_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(InstrumentFileError):
        load_instruments(_write(tmp_path, [{**GOOD, "tick_size": value}]))


def test_file_when_missing_then_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_instruments(tmp_path / "absent.json")
