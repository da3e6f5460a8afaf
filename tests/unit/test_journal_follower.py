"""A standby's ledger follows the journal: what the leader committed is applied in order, once."""

from datetime import timedelta
from decimal import Decimal

from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain.commands import OpenAccount
from ordergate.domain.events import AccountOpened, Event
from ordergate.domain.eviction import Eviction
from ordergate.domain.ids import OrderId, VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.risk.usage_state import TradingDay
from ordergate.service.engine import OrderEngine
from ordergate.service.follower import JournalFollower
from tests.fakes.clock import FakeClock
from tests.fakes.journal import InMemoryJournal
from tests.fakes.prices import FixedPrices
from tests.unit.builders import ACCOUNT, T0, Counter, buy, submitted
from tests.unit.test_eviction import ListSource, a_day


class Leader:
    """An engine whose events go straight into a journal, as committed."""

    def __init__(self) -> None:
        self.engine = OrderEngine(Ledger(), load_instruments(), FixedPrices({"AAPL": Decimal("230.00")}),
                                  FakeClock(T0), VenueId("paper"), Counter())
        self.journal = InMemoryJournal()
        self.handle(OpenAccount(account=ACCOUNT, balances={"USD": Decimal("1000000")}))

    def handle(self, command: object) -> None:
        """Handle a command and journal its events."""
        self.journal.events.extend(self.engine.handle(command).events)


def _standby(leader: Leader) -> tuple[JournalFollower, Ledger, list[list[Event]]]:
    ledger, heard = Ledger(), []
    return JournalFollower(leader.journal, ledger, heard.append), ledger, heard


async def test_follow_when_the_leader_committed_then_the_standby_ledger_holds_the_same_orders() -> None:
    leader = Leader()
    for _ in range(3):
        leader.handle(buy("1"))
    follower, ledger, heard = _standby(leader)

    applied = await follower.catch_up()

    assert applied == len(leader.journal.events) == 4
    assert ledger.last_seq == leader.engine.ledger.last_seq == follower.applied_seq
    assert sorted(ledger.orders) == sorted(leader.engine.ledger.orders)
    assert [e.seq for batch in heard for e in batch] == [1, 2, 3, 4]
    assert ledger.take_changes().orders == {}  # nothing for a standby to write


async def test_follow_when_nothing_new_then_nothing_applied_and_later_events_are_applied_once() -> None:
    leader = Leader()
    follower, ledger, heard = _standby(leader)
    await follower.catch_up()

    assert await follower.follow_once() == 0
    leader.handle(buy("2"))
    assert await follower.follow_once() == 1
    assert await follower.follow_once() == 0
    assert [e.seq for batch in heard for e in batch] == [1, 2]
    assert len(ledger.orders) == 1


async def test_follow_when_the_journal_reaches_a_new_day_then_what_ended_before_it_leaves_memory() -> None:
    journal = InMemoryJournal()
    ledger = Ledger()
    ledger.eviction, ledger.ended.source = Eviction(TradingDay("UTC").end_of), ListSource(journal.events)
    ledger.evict_ended(T0)  # as a start does: sets the next day's roll
    next_day = submitted("o-4", qty="1")
    next_day.ts = T0 + timedelta(days=1)
    for seq, event in enumerate([AccountOpened(ts=T0, account=ACCOUNT, balances={"USD": Decimal(10_000)}),
                                 *a_day()], start=1):
        event.seq = seq
        journal.events.append(event)
    follower = JournalFollower(journal, ledger, lambda events: None)

    await follower.catch_up()
    assert sorted(dict(ledger.orders)) == ["o-1", "o-2", "o-3"]  # the same day: everything stays
    next_day.seq = len(journal.events) + 1
    journal.events.append(next_day)
    await follower.catch_up()
    assert sorted(dict(ledger.orders)) == ["o-3", "o-4"] and ledger.ended.total() == 2
    assert ledger.find(OrderId("o-1")) is not None  # read back from the journal when asked
