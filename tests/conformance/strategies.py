"""Hypothesis strategies: random schedules for a few orders, with as much disorder as a test asks for.

Runs are bounded for the suite (``examples()``: a few per test, the same ones every run); set
``KIT_EXAMPLES`` to run more, with fresh random schedules each time (bench/ or by hand).
"""

import os
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from ordergate.domain.enums import OrderType, Side
from tests.conformance import schedule as sc
from tests.conformance.venue import DEFAULT_REFERENCE

SUITE_EXAMPLES = 12
TICK = Decimal("0.01")


def kit_settings(suite_examples: int = SUITE_EXAMPLES) -> settings:
    """Return hypothesis settings: a few fixed examples in the suite, ``KIT_EXAMPLES`` random ones if set.

    The suite never shrinks a failing schedule (each try runs the engine and a store: shrinking one takes
    minutes); with ``KIT_EXAMPLES`` it does, to show the smallest failing schedule.
    """
    wanted = os.environ.get("KIT_EXAMPLES")
    phases = list(Phase) if wanted else [Phase.explicit, Phase.generate]
    return settings(
        max_examples=int(wanted) if wanted else suite_examples, derandomize=not wanted, deadline=None,
        database=None, phases=phases, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@dataclass(frozen=True)
class Disorder:
    """What a venue may do beyond answering in order: which kinds of steps a schedule may hold."""

    reorder: bool = False  # deliver a later report before an earlier one
    duplicates: bool = False  # deliver a report twice
    drops: bool = False  # lose a report (only a status query tells of it)
    replaces: bool = False  # the client asks for cancel-replaces
    cancel_all: bool = False  # the client cancels all and pulls the kill switch
    sessions: bool = False  # requests get lost; the venue's session drops and comes back; the engine restarts


IN_ORDER = Disorder(duplicates=True)
REORDERED = Disorder(reorder=True, duplicates=True, replaces=True)
EVERYTHING = Disorder(reorder=True, duplicates=True, drops=True, replaces=True, cancel_all=True, sessions=True)


@st.composite
def order_specs(draw: st.DrawFn) -> sc.OrderSpec:
    """Draw one order: a buy or sell of AAPL or MSFT, limit (near the market) or market, 1 to 20 shares."""
    symbol = draw(st.sampled_from(sorted(DEFAULT_REFERENCE)))
    side = draw(st.sampled_from([Side.BUY, Side.SELL]))
    kind = draw(st.sampled_from([OrderType.LIMIT, OrderType.LIMIT, OrderType.MARKET]))
    qty = Decimal(draw(st.integers(1, 20)))
    limit = None
    if kind is OrderType.LIMIT:
        limit = DEFAULT_REFERENCE[symbol] + draw(st.integers(-200, 200)) * TICK
    return sc.OrderSpec(symbol, side, kind, qty, limit)


def _step_choices(n: int, disorder: Disorder) -> list[st.SearchStrategy[sc.Step]]:
    i = st.integers(0, n - 1)
    k = st.integers(0, 3) if disorder.reorder else st.just(0)
    qty = st.integers(1, 20).map(Decimal)
    fill = st.builds(sc.Fill, i, qty, st.integers(0, 2))
    deliver = st.builds(sc.Deliver, k)
    # weighted by repetition: fills and deliveries are most of a venue's life, rejects and expiries rare
    choices: list[st.SearchStrategy[sc.Step]] = [
        st.builds(sc.Cancel, i), st.builds(sc.Ack, i), st.builds(sc.Ack, i), st.builds(sc.TellStatus, i),
        st.one_of(st.builds(sc.Reject, i), st.builds(sc.Expire, i)),
        fill, fill, fill, fill, st.builds(sc.AnswerCancel, i, st.booleans()),
        deliver, deliver, deliver, deliver, deliver,
    ]
    if disorder.duplicates:
        choices.append(st.builds(sc.Duplicate, k))
    if disorder.drops:
        choices.append(st.builds(sc.Drop, k))
    if disorder.replaces:
        choices += [st.builds(sc.Replace, i, st.integers(1, 25).map(Decimal), st.integers(-20, 20)),
                    st.builds(sc.AnswerReplace, i, st.booleans())]
    if disorder.cancel_all:
        choices += [st.just(sc.CancelAll()), st.just(sc.KillSwitch()), st.just(sc.Resume())]
    if disorder.sessions:
        choices += [st.just(sc.LoseRequest()), st.just(sc.Reconnect()), st.just(sc.Restart())]
    return choices


@st.composite
def schedules(draw: st.DrawFn, disorder: Disorder, max_orders: int = 4, max_steps: int = 40) -> sc.Schedule:
    """Draw a schedule of up to ``max_orders`` orders and ``max_steps`` steps with the disorder allowed.

    The first order is submitted first and the others early (random steps about orders not yet there are
    skipped, so a late submit would waste most of a schedule).
    """
    orders = tuple(draw(st.lists(order_specs(), min_size=1, max_size=max_orders)))
    cash = Decimal(draw(st.sampled_from([5000, 20000, 100000])))  # from binding buying power to ample
    steps = draw(st.lists(st.one_of(_step_choices(len(orders), disorder)), min_size=10, max_size=max_steps))
    for i in range(len(orders) - 1, 0, -1):
        steps.insert(draw(st.integers(0, min(len(steps), 3 * i))), sc.Submit(i))
    return sc.Schedule(orders, (sc.Submit(0), *steps), cash, draw(st.booleans()))


@st.composite
def replace_windows(draw: st.DrawFn) -> sc.Schedule:
    """Draw a buy whose replace up is still unconfirmed when a second buy asks for the same cash, then any
    answers and deliveries: the window where buying power could be spent twice."""
    price = DEFAULT_REFERENCE["AAPL"] + draw(st.integers(-100, 100)) * TICK
    first, second = Decimal(draw(st.integers(5, 20))), Decimal(draw(st.integers(1, 20)))
    up = first + draw(st.integers(1, 15))
    cash = (first * price * Decimal(draw(st.sampled_from(["1.2", "1.5", "2"])))).quantize(Decimal(1))
    buys = (sc.OrderSpec("AAPL", Side.BUY, OrderType.LIMIT, first, price),
            sc.OrderSpec("AAPL", Side.BUY, OrderType.LIMIT, second, price))
    i = st.integers(0, 1)
    tail = draw(st.lists(st.one_of(
        st.builds(sc.AnswerReplace, st.just(0), st.booleans()), st.builds(sc.Fill, i, st.integers(1, 20).map(Decimal)),
        st.builds(sc.Ack, i), st.builds(sc.Deliver, st.integers(0, 3)), st.builds(sc.Deliver, st.integers(0, 3)),
        st.builds(sc.Replace, i, st.integers(1, 35).map(Decimal), st.integers(-20, 20)), st.builds(sc.Cancel, i),
        st.builds(sc.AnswerCancel, i, st.booleans()), st.builds(sc.Submit, st.just(1)),
    ), min_size=3, max_size=25))
    steps = (sc.Submit(0), sc.Ack(0), sc.Deliver(), sc.Replace(0, up, draw(st.integers(0, 10))), sc.Submit(1), *tail)
    return sc.Schedule(buys, steps, cash, draw(st.booleans()))
