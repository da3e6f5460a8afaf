"""Load the instrument master from a JSON file (the packaged one by default)."""

import json
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from ordergate.domain.ids import Symbol
from ordergate.domain.instruments import Instrument

_REQUIRED = ("symbol", "currency", "tick_size", "lot_size", "exchange", "timezone", "session_close")


class InstrumentFileError(ValueError):
    """The instrument file is unreadable or an entry in it is invalid."""


def load_instruments(path: Path | None = None) -> dict[Symbol, Instrument]:
    """Return the instruments in ``path`` (default: the packaged data/instruments.json) by symbol."""
    if path is None:
        text = resources.files("ordergate").joinpath("data", "instruments.json").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as e:
        raise InstrumentFileError(f"instruments file is not valid JSON: {e}") from e
    if not isinstance(entries, list):
        raise InstrumentFileError("instruments file must hold a JSON list")
    instruments = [_instrument(i, entry) for i, entry in enumerate(entries)]
    return {inst.symbol: inst for inst in instruments}


def _instrument(index: int, entry: Any) -> Instrument:
    if not isinstance(entry, dict):
        raise InstrumentFileError(f"instrument #{index}: must be an object")
    missing = [name for name in _REQUIRED if name not in entry]
    if missing:
        raise InstrumentFileError(f"instrument #{index}: missing {', '.join(missing)}")
    try:
        tick = Decimal(str(entry["tick_size"]))
        lot = Decimal(str(entry["lot_size"]))
        reference = Decimal(str(entry.get("reference_price", "100")))
    except InvalidOperation as e:
        raise InstrumentFileError(f"instrument #{index} ({entry['symbol']}): bad number") from e
    if not all(n.is_finite() for n in (tick, lot, reference)) or tick <= 0 or lot <= 0 or reference <= 0:
        raise InstrumentFileError(f"instrument #{index} ({entry['symbol']}): sizes and prices must be > 0")
    return Instrument(
        symbol=Symbol(str(entry["symbol"])), currency=str(entry["currency"]), tick_size=tick, lot_size=lot,
        exchange=str(entry["exchange"]), timezone=str(entry["timezone"]),
        session_close=str(entry["session_close"]), name=str(entry.get("name", "")),
        reference_price=reference, venue_symbols=dict(entry.get("venue_symbols", {})),
        session_open=str(entry.get("session_open", "00:00")),
    )
