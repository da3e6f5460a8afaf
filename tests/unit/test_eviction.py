"""Orders that ended before the trading day leave the ledger's memory; what nothing live needs only; and come back
exactly, folded again from their own events, when a late report or a duplicate client order id asks for them."""

import copy
from datetime import timedelta
from decimal import Decimal

from ordergate.domain.ended import KeySet, stable_hash
from ordergate.domain.events import AccountOpened, Event
from ordergate.domain.eviction import REPLAY_STEP, Eviction
from ordergate.domain.ids import AccountId, ClientOrderId, FillId, OrderId, VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.risk.usage_state import TradingDay
from tests.unit.builders import T0, accepted, canceled, filled, submitted

D = Decimal
ACC = AccountId("ACC")
NEXT_DAY = T0 + timedelta(days=1)


class ListSource:
    """Read orders back from a list of the journal's events (as the database does)."""

    def __init__(self, events: list[Event]) -> None:
        self.journal = events
        self.asked = 0

    def events(self, order_id: OrderId, upto_seq: int) -> list[Event]:
        self.asked += 1
        return [e for e in self.journal if getattr(e, "order_id", None) == order_id and e.seq <= upto_seq]

    def order_id_of(self, account: str, client_order_id: str) -> OrderId | None:
        return next((e.order_id for e in self.journal if getattr(e, "client_order_id", None) == client_order_id
                     and e.account == account), None)

    def fill_owner(self, venue: str, fill_id: str) -> OrderId | None:
        return next((e.order_id for e in self.journal if getattr(e, "fill_id", None) == fill_id), None)


def journaled(events: list[Event]) -> tuple[Ledger, ListSource]:
    """Return an evicting ledger with ``events`` applied (numbered), and its journal."""
    ledger = Ledger()
    ledger.eviction = Eviction(TradingDay("UTC").end_of)
    journal: list[Event] = []
    ledger.ended.source = source = ListSource(journal)
    for event in [AccountOpened(ts=T0, account=ACC, balances={"USD": D("10000")}), *events]:
        event.seq = ledger.last_seq + 1
        ledger.apply(event)
        journal.append(event)
    return ledger, source


def a_day() -> list[Event]:
    """Return a day's events: o-1 filled, o-2 canceled, o-3 still working."""
    return [submitted("o-1", qty="10"), accepted("o-1"), filled("10", order_id="o-1", fill_id="f1"),
            submitted("o-2", qty="5"), accepted("o-2"), canceled("o-2"), submitted("o-3", qty="7"), accepted("o-3")]


def test_keyset_when_hashes_added_and_compacted_then_found_and_kept_as_text() -> None:
    keys = KeySet([3, -5])
    keys.add(stable_hash("ACC", "c-1"))
    assert stable_hash("ACC", "c-1") in keys and 3 in keys and 4 not in keys and len(keys) == 3
    back = KeySet.from_text(keys.to_text())
    assert stable_hash("ACC", "c-1") in back and -5 in back and len(back) == 3
    assert stable_hash("ACC", "c-1") == stable_hash("ACC", "c-1") != stable_hash("AC", "Cc-1")


def test_evict_when_the_day_ends_then_ended_orders_leave_and_working_ones_stay() -> None:
    ledger, _ = journaled(a_day())
    assert ledger.evict_ended(T0) == 0  # the same day: everything stays
    assert ledger.evict_ended(NEXT_DAY) == 2
    assert list(dict(ledger.orders)) == ["o-3"] and [o.id for o in ledger.order_list] == ["o-3"]
    assert ledger.ended.counts == {"filled": 1, "canceled": 1} and ledger.ended.total() == 2
    assert (ACC, ClientOrderId("o-1")) not in ledger.by_client_id and not ledger.fill_owners
    assert stable_hash(ACC, "o-1") in ledger.ended.clients and stable_hash("paper", "f1") in ledger.ended.fills
    assert ledger.next_roll == NEXT_DAY.replace(hour=0) + timedelta(days=1)


def test_evict_when_keep_days_is_two_then_yesterdays_orders_stay() -> None:
    ledger, _ = journaled(a_day())
    ledger.eviction = Eviction(TradingDay("UTC").end_of, keep_days=2)
    assert ledger.evict_ended(NEXT_DAY) == 0 and ledger.evict_ended(NEXT_DAY + timedelta(days=1)) == 2


def test_evict_when_an_inferred_fill_waits_for_its_match_then_the_order_stays() -> None:
    ledger, _ = journaled(a_day())
    ledger.orders[OrderId("o-2")].inferred_qty = D("1")
    assert ledger.evict_ended(NEXT_DAY) == 1 and "o-2" in ledger.orders


def test_load_back_when_an_order_left_then_it_is_folded_again_exactly() -> None:
    ledger, _ = journaled(a_day())
    before = copy.deepcopy(dict(ledger.orders))
    ledger.evict_ended(NEXT_DAY)
    assert ledger.find(OrderId("o-1")) == before["o-1"]
    assert ledger.orders[OrderId("o-2")] == before["o-2"]  # read back on [] as well
    assert [o.id for o in ledger.order_list] == ["o-1", "o-2", "o-3"]  # in creation order again
    assert ledger.fill_owners == {(VenueId("paper"), FillId("f1")): OrderId("o-1")}
    assert ledger.ended.counts == {} and ledger.find(OrderId("o-9")) is None


def test_lookups_when_nothing_left_memory_then_the_source_is_never_asked() -> None:
    ledger, source = journaled(a_day())
    assert ledger.find(OrderId("o-9")) is None and ledger.find_client(ACC, ClientOrderId("x")) is None
    assert ledger.fill_owner(VenueId("paper"), FillId("f9")) is None and source.asked == 0


def test_find_client_and_fill_owner_when_the_order_left_then_answered_from_the_source() -> None:
    ledger, _ = journaled(a_day())
    ledger.evict_ended(NEXT_DAY)
    assert ledger.fill_owner(VenueId("paper"), FillId("f1")) == "o-1"
    assert ledger.fill_owner(VenueId("paper"), FillId("f2")) is None
    assert ledger.find_client(ACC, ClientOrderId("o-2")).id == "o-2"  # type: ignore[union-attr]
    assert "o-2" in ledger.orders


def test_replay_when_days_pass_then_it_evicts_as_it_goes_and_late_events_read_back() -> None:
    ledger, source = journaled(a_day())
    late = filled("2", order_id="o-2", fill_id="f-late")
    late.ts, late.late = NEXT_DAY + timedelta(days=1), True
    late.seq = ledger.last_seq + 1
    ledger.apply(late)
    source.journal.append(late)
    replayed = Ledger()
    replayed.eviction = Eviction(TradingDay("UTC").end_of)
    replayed.ended.source = source
    replayed.replay(source.journal)
    assert list(dict(replayed.orders)) == ["o-3"]  # o-2 read back for its late fill, then left at the end
    ledger.evict_ended(late.ts)
    assert replayed.ended.state() == ledger.ended.state()
    assert replayed.find(OrderId("o-2")) == ledger.find(OrderId("o-2"))
    assert replayed.positions == ledger.positions


def a_long_day() -> list[Event]:
    """Return three hours of one day: o-w working throughout, and an order every 5 minutes that is filled or
    canceled a minute later; o-0 (canceled) gets a late fill at the end."""
    events: list[Event] = [submitted("o-w", qty="1"), accepted("o-w")]
    for i in range(36):
        ended: Event = filled("1", order_id=f"o-{i}", fill_id=f"f{i}") if i % 2 else canceled(f"o-{i}")
        made = [submitted(f"o-{i}", qty="1"), accepted(f"o-{i}"), ended]
        for event, minute in zip(made, (5 * i, 5 * i, 5 * i + 1), strict=True):
            event.ts = T0 + timedelta(minutes=minute)
        events += made
    late = filled("1", order_id="o-0", fill_id="f-late")
    late.ts, late.late = T0 + timedelta(hours=3), True
    return [*events, late]


def replayed_from(source: ListSource, eviction: Eviction) -> tuple[Ledger, int]:
    """Replay ``source``'s journal into a fresh ledger; return it and the most orders it held during the replay."""
    ledger = Ledger()
    ledger.eviction, ledger.ended.source = eviction, source
    peak = 0

    def held(event: Event, order: object) -> None:
        nonlocal peak
        peak = max(peak, len(dict(ledger.orders)))

    ledger.subscribe(held)
    ledger.replay(source.journal)
    return ledger, peak


def test_plan_when_replaying_before_the_floor_then_it_looks_every_step_and_keeps_a_step() -> None:
    day = Eviction(TradingDay("UTC").end_of)
    start_of_next_day = day.before(NEXT_DAY)
    rolling = Eviction(TradingDay("UTC").end_of, floor=start_of_next_day)
    assert day.plan(T0, replaying=True) == (day.before(T0), day.day_end(T0))  # no floor: a day at a time
    assert rolling.plan(T0, replaying=False) == day.plan(T0, replaying=False)  # live: a day at a time
    assert rolling.plan(T0, replaying=True) == (T0 - REPLAY_STEP, T0 + REPLAY_STEP)
    late_in_day = start_of_next_day - timedelta(minutes=3)
    assert rolling.plan(late_in_day, replaying=True) == (late_in_day - REPLAY_STEP, start_of_next_day)
    assert rolling.plan(NEXT_DAY, replaying=True) == day.plan(NEXT_DAY, replaying=True)  # past the floor


def test_replay_when_a_floor_is_set_then_a_long_day_never_sits_in_memory_whole_and_ends_the_same() -> None:
    journal = journaled(a_long_day())[1]
    day = Eviction(TradingDay("UTC").end_of)
    whole, whole_peak = replayed_from(journal, day)
    rolled, rolled_peak = replayed_from(journal, Eviction(TradingDay("UTC").end_of, floor=day.before(NEXT_DAY)))
    assert whole_peak == 37 and rolled_peak <= 6  # o-w, and the orders that ended in the last step or so
    assert journal.asked >= 1  # o-0 was read back for its late fill, in the middle of the replay
    for ledger in (whole, rolled):
        ledger.evict_ended(NEXT_DAY)
    assert list(dict(rolled.orders)) == list(dict(whole.orders)) == ["o-w"]
    assert rolled.ended.state() == whole.ended.state() and rolled.positions == whole.positions
    assert rolled.find(OrderId("o-0")) == whole.find(OrderId("o-0"))
    assert rolled.accounts[ACC].balances == whole.accounts[ACC].balances
