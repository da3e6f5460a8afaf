"""Fencing: a journal commit checks the leader epoch in its own transaction; a deposed leader writes nothing."""

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select, text

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.leadership import SqlLeaderStore
from ordergate.adapters.store.migrate import upgrade_to_head
from ordergate.domain.events import AccountOpened
from ordergate.domain.ids import AccountId
from ordergate.service.cluster import Fenced, Member, NodeRole
from ordergate.service.ports import CommitBatch
from tests.databases import new_postgres_database

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """A fresh PostgreSQL database at the newest migration."""
    url = new_postgres_database()
    upgrade_to_head(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _opened(seq: int) -> CommitBatch:
    event = AccountOpened(seq=seq, ts=NOW, account=AccountId(f"A{seq}"), caused_by="test",
                          balances={"USD": Decimal("100")})
    return CommitBatch([event], [], [], [])


def _events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.events)).scalar_one())


def test_commit_when_another_leader_raised_the_epoch_then_fenced_and_nothing_written(pg_engine: Engine) -> None:
    store, journal = SqlLeaderStore(pg_engine), SqlJournal(pg_engine)
    journal.epoch = store.claim("a", "http://a", NOW)
    journal.commit(journal.prepare(_opened(1)))

    assert store.claim("b", "http://b", NOW) == journal.epoch + 1
    with pytest.raises(Fenced, match="another instance took over"):
        journal.commit(journal.prepare(_opened(2)))

    assert _events(pg_engine) == 1
    assert store.leader().instance == "b"


def test_claim_when_the_old_leaders_commit_is_in_flight_then_waits_until_it_ends(pg_engine: Engine) -> None:
    store = SqlLeaderStore(pg_engine)
    epoch = store.claim("a", "http://a", NOW)
    claimed: list[float] = []
    with pg_engine.begin() as conn:  # the old leader's commit, holding the epoch row
        conn.execute(text("SELECT epoch FROM cluster_leader WHERE id = 1 FOR SHARE"))
        thread = threading.Thread(target=lambda: claimed.append(store.claim("b", "http://b", NOW)))
        thread.start()
        time.sleep(0.3)
        assert claimed == []  # the new leader waits: no commit of the old epoch can land after its claim
    thread.join(timeout=10)
    assert claimed == [epoch + 1]


def test_beat_when_repeated_then_one_row_per_instance_with_the_latest_word(pg_engine: Engine) -> None:
    store = SqlLeaderStore(pg_engine)
    store.beat(Member("a", "http://a", NodeRole.STANDBY, 0, 3, NOW))
    store.beat(Member("a", "http://a", NodeRole.LEADER, 2, 9, NOW))
    store.beat(Member("b", "http://b", NodeRole.STANDBY, 2, 7, NOW))

    assert [(m.instance, m.role, m.epoch, m.applied_seq) for m in store.members()] == [
        ("a", NodeRole.LEADER, 2, 9), ("b", NodeRole.STANDBY, 2, 7)]
