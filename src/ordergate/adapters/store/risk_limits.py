"""SqlRiskLimits: risk limits per account (and the firm "default"), with every change journaled."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Engine, select

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.journal import upsert
from ordergate.domain.errors import ValidationFailed
from ordergate.service.ports import Clock

DEFAULT = "default"


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, and never in exponent form
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"limits: cannot store a {type(value).__name__}")


def dump_limits(limits: dict[str, Any]) -> str:
    """Return limits as JSON text (Decimals as exact strings, sets as sorted lists)."""
    try:
        return orjson.dumps(limits, default=_default, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError as e:
        raise ValidationFailed("limits", "json", str(e)) from e


class SqlRiskLimits:
    """Load and save risk limits; each save also records who changed what, when, from what to what."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self._clock = clock
        self._upsert = upsert(engine, t.risk_limits)

    def load_all(self) -> dict[str, dict[str, Any]]:
        """Return the stored limits by account ("default" holds the firm defaults), decimals as strings."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.risk_limits.c.account, t.risk_limits.c.limits)).all()
        return {row.account: orjson.loads(row.limits) for row in rows}

    def save(self, account: str, limits: dict[str, Any], changed_by: str) -> None:
        """Replace an account's limits with ``limits`` and journal the change, in one transaction."""
        if not account or len(account) > t.ID:
            raise ValidationFailed("account", "length", f"must be 1 to {t.ID} characters")
        if not isinstance(limits, dict) or not all(isinstance(k, str) for k in limits):
            raise ValidationFailed("limits", "object", "must be an object of limit name to value")
        new = dump_limits(limits)
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        who = changed_by[:200] or "unknown"
        with self.engine.begin() as conn:
            old = conn.execute(
                select(t.risk_limits.c.limits).where(t.risk_limits.c.account == account)
            ).scalar_one_or_none()
            conn.execute(self._upsert, [{"account": account, "limits": new, "updated_by": who, "updated_at": now}])
            conn.execute(t.risk_limit_changes.insert().values(
                account=account, changed_by=who, changed_at=now, old=old or "{}", new=new,
            ))

    def changes(self, account: str, limit: int = 100) -> list[dict[str, Any]]:
        """Return an account's limit changes, newest first: who, when, old and new limits."""
        query = (select(t.risk_limit_changes).where(t.risk_limit_changes.c.account == account)
                 .order_by(t.risk_limit_changes.c.id.desc()).limit(max(1, min(limit, 1000))))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [{"account": r.account, "changed_by": r.changed_by, "changed_at": r.changed_at.isoformat(),
                 "old": orjson.loads(r.old), "new": orjson.loads(r.new)} for r in rows]
