"""The pure routing policy: each policy picks the venue it says, and explains the choice."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordergate.domain.enums import OrderType, Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import VenueId
from ordergate.domain.routing import Fees, Health, RouteRequest, VenueView, choose, walk

D = Decimal
CHEAP, DEEP, FAST = VenueId("cheap"), VenueId("deep"), VenueId("fast")


def view(venue: VenueId, levels: list[tuple[str, str]], per_share: str = "0", latency: float | None = None,
         health: Health = Health.READY, slippage: str = "0") -> VenueView:
    return VenueView(venue=venue, levels=[(D(p), D(s)) for p, s in levels], fees=Fees(per_share=D(per_share)),
                     health=health, ack_latency_ms=latency, slippage_bps=D(slippage))


def buy(qty: str, limit: str | None = None) -> RouteRequest:
    return RouteRequest(Side.BUY, D(qty), OrderType.LIMIT if limit else OrderType.MARKET, D(limit) if limit else None)


VENUES = [
    view(CHEAP, [("100.00", "10"), ("100.50", "10")], per_share="0.001", latency=50.0),
    view(DEEP, [("100.01", "1000")], per_share="0.005", latency=20.0),
    view(FAST, [("100.02", "100")], per_share="0.003", latency=1.0),
]


def test_best_execution_when_order_fits_the_top_level_then_picks_the_lowest_all_in_price() -> None:
    decision = choose(buy("5"), VENUES, "best_execution")
    assert decision.venue == CHEAP
    assert decision.candidates[0].all_in == D("100.00") + D("0.001")


def test_best_execution_when_order_walks_past_thin_depth_then_picks_the_deep_venue() -> None:
    decision = choose(buy("100"), VENUES, "best_execution")
    # cheap fills 20 and prices the rest at its worst level; deep fills all 100 at 100.01
    assert decision.venue == DEEP
    cheap = next(c for c in decision.candidates if c.view.venue == CHEAP)
    assert cheap.fillable == D("20")


def test_best_execution_when_limit_excludes_deeper_levels_then_counts_only_what_the_limit_reaches() -> None:
    fillable, cost = walk(VENUES[0].levels, D("15"), Side.BUY, D("100.10"))
    assert (fillable, cost) == (D("10"), D("1000.00"))


def test_sell_when_best_execution_then_picks_the_highest_net_proceeds() -> None:
    bids = [view(CHEAP, [("99.99", "10")], per_share="0.001"), view(DEEP, [("100.00", "10")], per_share="0.02")]
    decision = choose(RouteRequest(Side.SELL, D("10"), OrderType.MARKET), bids, "best_execution")
    assert decision.venue == CHEAP  # 99.989 net beats 99.98 net
    assert decision.candidates[0].all_in == D("99.989")


def test_learned_slippage_when_one_venue_slips_then_best_execution_routes_around_it() -> None:
    slipping = [view(CHEAP, [("100.00", "10")], slippage="10"), view(DEEP, [("100.005", "10")])]
    assert choose(buy("5"), slipping, "best_execution").venue == DEEP


def test_lowest_cost_when_fees_differ_then_picks_the_lowest_fees_even_at_a_worse_price() -> None:
    venues = [view(CHEAP, [("100.05", "100")], per_share="0.001"), view(DEEP, [("100.00", "100")], per_share="0.01")]
    assert choose(buy("10"), venues, "lowest_cost").venue == CHEAP


def test_fastest_when_latencies_learned_then_picks_the_lowest_expected_ack_latency() -> None:
    assert choose(buy("5"), VENUES, "fastest").venue == FAST


def test_round_robin_when_turns_advance_then_each_ready_venue_in_id_order() -> None:
    picked = [choose(buy("5"), VENUES, "round_robin", turn).venue for turn in range(4)]
    assert picked == [CHEAP, DEEP, FAST, CHEAP]


def test_round_robin_when_a_venue_is_down_then_it_is_skipped() -> None:
    venues = [VENUES[0], view(DEEP, [], health=Health.DOWN), VENUES[2]]
    assert {choose(buy("5"), venues, "round_robin", t).venue for t in range(6)} == {CHEAP, FAST}


def test_pinned_venue_when_named_then_goes_there_whatever_it_costs() -> None:
    decision = choose(buy("5"), VENUES, "fast")
    assert (decision.venue, decision.policy, len(decision.candidates)) == (FAST, "fast", 1)


def test_pinned_venue_when_down_then_refused_naming_route() -> None:
    venues = [VENUES[0], view(DEEP, [], health=Health.DOWN)]
    with pytest.raises(ValidationFailed) as error:
        choose(buy("5"), venues, "deep")
    assert (error.value.field, error.value.rule) == ("route", "venue_available")


def test_unknown_route_then_refused_naming_route_and_the_known_choices() -> None:
    with pytest.raises(ValidationFailed) as error:
        choose(buy("5"), VENUES, "nasdaq")
    assert (error.value.field, error.value.rule) == ("route", "known_route")
    assert "best_execution" in error.value.message and "cheap" in error.value.message


def test_degraded_venue_when_a_ready_one_exists_then_routed_around() -> None:
    venues = [view(CHEAP, [("99.00", "100")], health=Health.DEGRADED), view(DEEP, [("100.00", "100")])]
    assert choose(buy("5"), venues, "best_execution").venue == DEEP


def test_degraded_venue_when_no_ready_one_then_still_used() -> None:
    venues = [view(CHEAP, [("99.00", "100")], health=Health.DEGRADED), view(DEEP, [], health=Health.DOWN)]
    assert choose(buy("5"), venues, "best_execution").venue == CHEAP


def test_every_venue_down_then_refused_naming_each_state() -> None:
    venues = [view(CHEAP, [], health=Health.DOWN), view(DEEP, [], health=Health.DOWN)]
    with pytest.raises(ValidationFailed) as error:
        choose(buy("5"), venues, "best_execution")
    assert "cheap: down" in error.value.message and "deep: down" in error.value.message


def test_fees_when_below_minimum_then_the_minimum() -> None:
    assert Fees(per_share=D("0.005"), minimum=D("1")).commission(D("10"), D("100")) == D("1")
    assert Fees(bps=D("10")).commission(D("10"), D("100")) == D("1")


levels = st.lists(st.tuples(st.decimals("1", "1000", places=2), st.decimals("1", "500", places=0)),
                  min_size=0, max_size=10).map(lambda ls: sorted(ls))
venue_views = st.lists(
    st.tuples(levels, st.decimals("0", "0.02", places=3), st.floats(0, 1000), st.sampled_from(list(Health))),
    min_size=1, max_size=4,
).map(lambda vs: [VenueView(VenueId(f"v{i}"), lv, Fees(per_share=fee), h, lat)
                  for i, (lv, fee, lat, h) in enumerate(vs)])
policies = st.sampled_from(["best_execution", "lowest_cost", "fastest", "round_robin"])


@given(venue_views, st.decimals("1", "2000", places=0), policies, st.integers(0, 10))
def test_any_decision_when_a_venue_can_take_it_then_chosen_is_eligible_and_ready_when_any_is(
    views: list[VenueView], qty: Decimal, policy: str, turn: int,
) -> None:
    if all(v.health is Health.DOWN for v in views):
        with pytest.raises(ValidationFailed):
            choose(buy(str(qty)), views, policy, turn)
        return
    decision = choose(buy(str(qty)), views, policy, turn)
    chosen = decision.candidates[0]
    assert chosen.view.venue == decision.venue and chosen.eligible
    assert sorted(c.view.venue for c in decision.candidates) == sorted(v.venue for v in views)
    if any(v.health is Health.READY for v in views):
        assert chosen.view.health is Health.READY
    for c in decision.candidates:
        assert D(0) <= c.fillable <= qty


@given(venue_views, st.decimals("1", "2000", places=0))
def test_best_execution_when_all_ready_then_no_venue_fills_more_or_cheaper(
    views: list[VenueView], qty: Decimal,
) -> None:
    ready = [VenueView(v.venue, v.levels, v.fees) for v in views]
    decision = choose(buy(str(qty)), ready, "best_execution")
    best = decision.candidates[0]
    for other in decision.candidates[1:]:
        assert other.fillable <= best.fillable
        if other.fillable == best.fillable and best.all_in is not None and other.all_in is not None:
            assert best.all_in <= other.all_in
