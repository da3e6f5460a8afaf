"""The router in the engine's submit path: where orders go, what is recorded, what the venues taught it."""

from decimal import Decimal

import pytest

from ordergate.domain.commands import EngageKillSwitch
from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.events import OrderSubmitted
from ordergate.domain.ids import VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.routing import Health
from ordergate.service.route_log import RouteLog
from ordergate.service.router import Router, venue_summaries
from ordergate.service.venue_stats import VenueStats
from tests.unit.builders import ACCOUNT, buy
from tests.unit.router_rig import AAPL, DEEP, THIN, Rig

D = Decimal


def test_small_market_order_when_thin_venue_is_cheapest_then_routed_there_with_the_decision_recorded() -> None:
    rig = Rig()
    event = rig.submit("5")
    assert event.venue == THIN
    assert event.route is not None and event.route.policy == "best_execution"
    assert [c.venue for c in event.route.candidates] == [THIN, DEEP]
    assert event.route.candidates[0].levels == [(D("230.00"), D("10"))]
    assert rig.log.get(event.order_id) is event.route


def test_large_market_order_when_only_deep_venue_holds_it_then_routed_to_deep() -> None:
    assert Rig().submit("500").venue == DEEP


def test_route_when_pinned_then_goes_to_the_named_venue() -> None:
    assert Rig().submit("5", route="deep").venue == DEEP


def test_account_default_route_when_order_names_none_then_it_applies() -> None:
    assert Rig(routes={ACCOUNT: "deep"}).submit("5").venue == DEEP


def test_venue_not_ready_when_it_would_be_best_then_order_goes_to_the_other() -> None:
    rig = Rig()
    rig.up[THIN] = False
    event = rig.submit("5")
    assert event.venue == DEEP
    assert event.route is not None and event.route.candidates[1].health == "down"


def test_unknown_route_then_refused_naming_route_and_nothing_recorded() -> None:
    rig = Rig()
    before = len(rig.ledger.orders)
    with pytest.raises(ValidationFailed) as error:
        rig.submit("5", route="nyse")
    assert error.value.field == "route"
    assert len(rig.ledger.orders) == before


def test_single_venue_instrument_then_routes_as_before_with_no_record() -> None:
    rig = Rig()
    order = rig.engine.handle(buy("1", limit="420", symbol="MSFT")).reply.order  # type: ignore[attr-defined]
    event = next(e for e in rig.events if isinstance(e, OrderSubmitted) and e.order_id == order.id)
    assert (event.venue, event.route) == (VenueId("paper"), None)
    with pytest.raises(ValidationFailed):
        rig.engine.handle(buy("1", limit="420", symbol="MSFT", route="thin"))


def test_round_robin_then_alternates_between_ready_venues() -> None:
    rig = Rig()
    assert [rig.submit("1", route="round_robin").venue for _ in range(4)] == [DEEP, THIN, DEEP, THIN]


def test_venue_statistics_when_acks_fills_and_rejects_arrive_then_rates_and_latency_follow() -> None:
    rig = Rig()
    first = rig.submit("5", route="thin")
    rig.clock.advance(0.040)
    rig.answer(first.order_id, OrderStatus.NEW)
    rig.fill(first.order_id, "f1", "5", "230.23")
    second = rig.submit("5", route="thin")
    rig.answer(second.order_id, OrderStatus.REJECTED)
    f = rig.stats.figures(THIN)
    assert f.ack_ewma_ms == pytest.approx(40.0)
    assert (f.fill_rate(), f.reject_rate(), f.routed) == (0.5, 0.5, 2)
    assert f.slippage_bps() == D("10")  # 0.23 over 230.00 arrival
    [thin] = [v for v in venue_summaries(rig.router, rig.clock.now()) if v["id"] == THIN]
    assert thin["stats"]["orders_today"] == 2 and thin["stats"]["ack_latency_ms"]["p50"] == pytest.approx(40.0)


def test_breaker_when_venue_rejects_too_often_then_degraded_routed_around_and_tried_again_after_cooldown() -> None:
    rig = Rig()
    for _ in range(2):
        rig.answer(rig.submit("5", route="thin").order_id, OrderStatus.REJECTED)
    assert rig.router.health(THIN) is Health.DEGRADED
    assert rig.submit("5").venue == DEEP
    rig.clock.advance(31)
    assert rig.router.health(THIN) is Health.READY
    assert rig.submit("5").venue == THIN


def test_replay_when_events_applied_again_then_statistics_and_routes_are_rebuilt() -> None:
    rig = Rig()
    order = rig.submit("5")
    rig.clock.advance(0.01)
    rig.answer(order.order_id, OrderStatus.NEW)
    rig.answer(rig.submit("5", route="deep").order_id, OrderStatus.REJECTED)
    again = Ledger()
    stats, log = VenueStats(again), RouteLog(again)
    again.replay(rig.events)
    assert stats.summary(THIN, rig.clock.now()) == rig.stats.summary(THIN, rig.clock.now())
    assert stats.summary(DEEP, rig.clock.now()) == rig.stats.summary(DEEP, rig.clock.now())
    assert log.get(order.order_id) == order.route


def test_unknown_venue_in_the_settings_then_attach_refuses_naming_the_setting() -> None:
    rig = Rig()
    router = Router(VenueId("paper"), {}, {AAPL: [THIN, VenueId("ghost")]}, rig.stats, rig.clock)
    with pytest.raises(ValueError, match=r"routing.venues.AAPL: unknown venue 'ghost'"):
        router.attach(rig.router.venues)
    with pytest.raises(ValueError, match=r"routing.policy"):
        Router(VenueId("paper"), {}, {}, rig.stats, rig.clock, policy="cheapest").attach(rig.router.venues)



def test_every_venue_down_when_order_names_no_route_then_sent_to_the_first_venue_not_refused() -> None:
    rig = Rig()
    rig.up[THIN] = rig.up[DEEP] = False
    event = rig.submit("5")
    assert event.venue == THIN
    assert event.route is not None and "every venue is down" in event.route.candidates[0].note


def test_every_venue_down_when_order_names_a_route_then_refused_naming_route() -> None:
    rig = Rig()
    rig.up[THIN] = rig.up[DEEP] = False
    with pytest.raises(ValidationFailed) as error:
        rig.submit("5", route="best_execution")
    assert (error.value.field, error.value.rule) == ("route", "venue_available")


def test_account_default_naming_a_down_venue_then_falls_back_to_best_execution() -> None:
    rig = Rig(routes={ACCOUNT: "thin"})
    rig.up[THIN] = False
    event = rig.submit("5")
    assert event.venue == DEEP
    assert event.route is not None and event.route.policy == "best_execution"


def test_kill_switch_flatten_when_every_venue_of_the_symbol_is_down_then_the_engine_keeps_running() -> None:
    rig = Rig()
    order = rig.submit("5", route="thin")
    rig.answer(order.order_id, OrderStatus.NEW)
    rig.fill(order.order_id, "f1", "5", "230.00")
    rig.up[THIN] = rig.up[DEEP] = False
    rig.engine.handle(EngageKillSwitch(account=ACCOUNT, reason="test", flatten=True))
    flatten = [e for e in rig.events if isinstance(e, OrderSubmitted) and e.side is Side.SELL]
    assert [(e.venue, e.qty) for e in flatten] == [(THIN, D("5"))]
