"""The risk-limit projections of RiskLimitsChanged events: ``risk_limits`` and ``risk_limit_changes``.

``risk_limit_changes`` has one row per event (its id is the event's seq): who, when, the old and the
new values. ``risk_limits`` has one row per account ("default" for the firm) holding every limit the
journal ever set for it, merged in journal order, with who set one last and when. The firm's row holds
the changes made on top of the configured defaults, which are settings, not journal.

The journal writer prepares and writes these rows only for batches that hold such an event; ``db
rebuild`` folds the whole journal with ``LimitFold`` and compares.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, select

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.rows import Row
from ordergate.domain.events import RiskLimitsChanged
from ordergate.domain.ledger import FIRM

FIRM_ROW = "default"


def row_account(account: str) -> str:
    """Return the ``risk_limits`` key of an event's account: the firm ("*") is "default"."""
    return FIRM_ROW if account == FIRM else account


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, and never in exponent form
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"limits: cannot store a {type(value).__name__}")


def dump_limits(limits: dict[str, Any]) -> str:
    """Return limits as JSON text with sorted keys (Decimals as exact strings, sets as sorted lists)."""
    return orjson.dumps(limits, default=_default, option=orjson.OPT_SORT_KEYS).decode()


def merge(stored: str | None, new: dict[str, Any], unset: list[str] | None = None) -> str:
    """Return the limits JSON after ``new`` changed some of them (a changed limit is replaced whole) and
    the ``unset`` ones went back to the default (they leave the row)."""
    limits: dict[str, Any] = orjson.loads(stored) if stored else {}
    limits.update(new)
    for name in unset or ():
        limits.pop(name, None)
    return dump_limits(limits)


def change_row(event: RiskLimitsChanged, ts: Callable[[datetime], Any]) -> Row:
    """Return the ``risk_limit_changes`` row of an event (``ts`` converts the time for the driver)."""
    return (event.seq, row_account(event.account), event.caused_by, ts(event.ts), dump_limits(event.old),
            dump_limits(event.new))


@dataclass(slots=True)
class LimitRows:
    """One batch's limit changes: their change rows, and what each does to its account's limits row."""

    changes: list[Row] = field(default_factory=list)
    # account, new, unset, who, when
    updates: list[tuple[str, dict[str, Any], list[str], str, Any]] = field(default_factory=list)

    def add(self, event: RiskLimitsChanged, ts: Callable[[datetime], Any]) -> None:
        """Take one event, in journal order (``ts`` converts its time for the driver)."""
        self.changes.append(change_row(event, ts))
        self.updates.append((row_account(event.account), event.new, event.unset, event.caused_by, ts(event.ts)))

    def accounts(self) -> list[str]:
        """Return the accounts whose limits row changes."""
        return sorted({update[0] for update in self.updates})

    def limits_rows(self, stored: dict[str, str]) -> list[Row]:
        """Return each changed account's new ``risk_limits`` row, merged onto its ``stored`` limits JSON."""
        latest: dict[str, Row] = {}
        current = dict(stored)
        for account, new, unset, who, when in self.updates:
            current[account] = merge(current.get(account), new, unset)
            latest[account] = (account, current[account], who, when)
        return list(latest.values())


def prepare(events: Iterable[RiskLimitsChanged], ts: Callable[[datetime], Any]) -> LimitRows:
    """Return the rows of some RiskLimitsChanged events, in journal order."""
    rows = LimitRows()
    for event in events:
        rows.add(event, ts)
    return rows


def stored_limits(conn: Connection, accounts: list[str]) -> dict[str, str]:
    """Return the stored limits JSON of some accounts (inside the writer's transaction)."""
    query = select(t.risk_limits.c.account, t.risk_limits.c.limits).where(t.risk_limits.c.account.in_(accounts))
    return {row.account: row.limits for row in conn.execute(query)}


class LimitFold:
    """Fold RiskLimitsChanged events into the rows both tables must hold (a ledger listener)."""

    def __init__(self) -> None:
        self.rows = LimitRows()

    def apply(self, event: RiskLimitsChanged, order: object = None) -> None:
        """Take one event, in journal order."""
        self.rows.add(event, _same)

    def limits_rows(self) -> list[Row]:
        """Return every ``risk_limits`` row the journal makes."""
        return self.rows.limits_rows({})

    def change_rows(self) -> list[Row]:
        """Return every ``risk_limit_changes`` row the journal makes."""
        return self.rows.changes


def _same(value: datetime) -> datetime:
    return value
