"""SqlRiskLimits: read the risk-limit projections (per account, "default" for the firm) and their history.

The journal writer is their only writer (see ``risk_limit_rows``): a limit change is a RiskLimitsChanged
event, made by the engine, and these tables follow the journal.
"""

from typing import Any

import orjson
from sqlalchemy import Engine, select

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.risk_limit_rows import FIRM_ROW

DEFAULT = FIRM_ROW


class SqlRiskLimits:
    """The limits each account was given through the journal, and who changed what, when, from what to what."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load_all(self) -> dict[str, dict[str, Any]]:
        """Return the stored limits by account ("default" holds the firm's changes), decimals as strings."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.risk_limits.c.account, t.risk_limits.c.limits)).all()
        return {row.account: orjson.loads(row.limits) for row in rows}

    def changes(self, account: str, limit: int = 100) -> list[dict[str, Any]]:
        """Return an account's limit changes, newest first: journal seq, who, when, old and new limits."""
        query = (select(t.risk_limit_changes).where(t.risk_limit_changes.c.account == account)
                 .order_by(t.risk_limit_changes.c.id.desc()).limit(max(1, min(limit, 1000))))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [{"seq": r.id, "account": r.account, "changed_by": r.changed_by,
                 "changed_at": r.changed_at.isoformat(), "old": orjson.loads(r.old), "new": orjson.loads(r.new)}
                for r in rows]
