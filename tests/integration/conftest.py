"""Database fixtures: every store test runs on SQLite (a temporary file) and on PostgreSQL.

PostgreSQL is the service at 127.0.0.1:5432 (user postgres, trust auth); each test gets a fresh
database of its own. Without the service those tests skip with the reason, except when ``CI`` is set,
where they fail (see tests/databases.py).
"""

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.migrate import upgrade_to_head
from ordergate.domain.commands import OpenAccount
from ordergate.domain.ids import VenueId
from ordergate.domain.ledger import Ledger
from ordergate.service.engine import OrderEngine
from ordergate.service.outcome import Outcome
from ordergate.service.ports import CommitBatch
from tests.databases import new_postgres_database
from tests.fakes.clock import FakeClock
from tests.fakes.prices import FixedPrices
from tests.fakes.upstox.fixtures import upstox_server  # noqa: F401  (a fixture for the Upstox tests)
from tests.fakes.upstox.harness import upstox_harness  # noqa: F401  (the ``h`` fixture of the Upstox tests)
from tests.unit.builders import ACCOUNT, T0, Counter


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database's URL: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return new_postgres_database()


@pytest.fixture
def migrated_url(db_url: str) -> str:
    """A database upgraded to the newest migration."""
    upgrade_to_head(db_url)
    return db_url


@pytest.fixture
def db_engine(migrated_url: str) -> Iterator[Engine]:
    """An engine on a migrated database, disposed after the test."""
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def journal(db_engine: Engine) -> SqlJournal:
    """A journal on a migrated database."""
    return SqlJournal(db_engine)


class Trading:
    """An order engine whose every handled message is committed to a journal, as the engine loop does."""

    def __init__(self, journal: SqlJournal, ledger: Ledger | None = None, clock: FakeClock | None = None,
                 first_id: int = 1) -> None:
        self.journal = journal
        self.clock = clock or FakeClock(T0)
        ids = Counter()
        ids.n = first_id - 1  # a restarted process makes fresh ids
        self.prices = FixedPrices({"AAPL": Decimal("230.00"), "MSFT": Decimal("420.00")})
        self.engine = OrderEngine(ledger or Ledger(), load_instruments(), self.prices, self.clock,
                                  VenueId("paper"), ids)

    @property
    def ledger(self) -> Ledger:
        """Return the engine's state."""
        return self.engine.ledger

    def run(self, *messages: object) -> list[Outcome]:
        """Handle messages, then commit their events and changes as one group commit."""
        outcomes = [self.engine.handle(m) for m in messages]
        changes = self.ledger.take_changes()
        batch = CommitBatch([e for o in outcomes for e in o.events], list(changes.orders.values()),
                            list(changes.positions.values()), list(changes.accounts.values()))
        if batch.events:
            self.journal.commit(self.journal.prepare(batch))
        return outcomes

    def open_account(self, cash: str = "1000000") -> None:
        """Open the test account ACC with cash in USD and INR."""
        self.run(OpenAccount(account=ACCOUNT, balances={"USD": Decimal(cash), "INR": Decimal(cash)}))

    def reply(self, message: object) -> Any:
        """Handle and commit one command; return its reply."""
        return self.run(message)[0].reply


@pytest.fixture
def trading(journal: SqlJournal) -> Trading:
    """An engine with account ACC opened, journaling to a migrated database."""
    t = Trading(journal)
    t.open_account()
    return t


@pytest.fixture
def make_trading() -> type[Trading]:
    """The Trading class, to build one over a replayed ledger (a restart)."""
    return Trading
