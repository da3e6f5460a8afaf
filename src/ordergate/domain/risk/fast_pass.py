"""The rule set's passing path, fused: one pass over a filled context that says "every rule passes".

Running nineteen rules costs nineteen calls, each reading the same limits and figures again. Most orders
pass every rule, so the engine first asks ``passes``: it repeats each rule's own passing test, in the same
arithmetic on the same figures, and answers True only when every rule would return None. Anything it does
not handle (a replace, a margin account, a base currency, a stale or missing price, a stop price, a near
limit) answers False, and the rules themselves then decide and word the denials. So ``passes`` can only
skip work, never change a decision; ``tests/unit/test_risk_fast_pass.py`` checks it against the rules.

Before those tests, a limit order is held against its symbol and side's envelope (``envelope.py``): the same
tests worked out once as bounds on the order's terms while the account holds still.

A rule whose test changes must change here and in ``envelope.py`` too (or make them answer False for that case).
"""

from decimal import Decimal

from ordergate.domain.enums import OrderType, Side, TradingState
from ordergate.domain.risk.context import RiskContext, RiskOrder
from ordergate.domain.risk.duplicate import window_seconds
from ordergate.domain.risk.envelope import envelope_passes
from ordergate.domain.risk.headroom import hundredth, minimum_qty, room
from ordergate.domain.risk.pricing import MarketPricing
from ordergate.domain.risk.self_match import crossing_price

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DAY_SECONDS = 86_400.0  # as max_adv_pct counts days
# module constants: an attribute lookup on an Enum class is slow, and this runs for every order
ACTIVE, BUY, LIMIT, MARKET = TradingState.ACTIVE, Side.BUY, OrderType.LIMIT, OrderType.MARKET


def passes(order: RiskOrder, ctx: RiskContext) -> bool:
    """Return True when every rule of the default set would let the order pass; False: ask the rules."""
    if ctx.state is not ACTIVE or ctx.replacing is not None or ctx.stale or ctx.account.margin:
        return False
    limits = ctx.limits
    if limits.base_currency is not None or order.stop_price is not None:
        return False
    if order.type is LIMIT and envelope_passes(order, ctx, order.side is BUY):
        return True  # inside its symbol and side's envelope: the tests below would all pass (envelope.py)
    return _terms_pass(order, ctx) and _flow_pass(order, ctx) and _book_pass(order, ctx)


def _terms_pass(order: RiskOrder, ctx: RiskContext) -> bool:
    """Lockout, restricted list, order size and value, stale data, price collar, slippage, share of volume."""
    limits = ctx.limits
    limit = limits.lockout_denials
    if limit is not None and limits.lockout_window_seconds is not None and len(ctx.usage.denial_times) >= limit:
        return False
    restricted = limits.restricted_symbols
    if restricted is not None and order.symbol in restricted:
        return False
    qty_limit = limits.max_order_qty
    if qty_limit is not None and not order.qty <= qty_limit:
        return False
    reference = ctx.reference  # not stale: ``passes`` saw to that
    if limits.stale_data_protection and reference is None:
        return False
    if (limits.price_collar_pct is not None or limits.price_collar_ticks is not None) and not _in_collar(order, ctx):
        return False
    slippage = limits.max_slippage_pct
    if slippage is not None and order.type is MARKET and not _within_slippage(ctx, slippage):
        return False
    notional_limit = limits.max_order_notional
    if notional_limit is not None and (ctx.notional is None or not ctx.notional <= notional_limit):
        return False
    adv = limits.max_adv_pct
    return adv is None or _within_adv(order, ctx, adv)


def _in_collar(order: RiskOrder, ctx: RiskContext) -> bool:
    """The price collar's passing test (its bands cached on the symbol, as the rule keeps them)."""
    reference, limits = ctx.reference, ctx.limits
    if reference is None or reference <= ZERO:
        return False
    limit_price = order.limit_price
    if limit_price is None:
        return True  # a market order with a usable reference passes (a stop price never comes here)
    pct, ticks = limits.price_collar_pct, limits.price_collar_ticks
    band = ctx.sym.collar
    if band is None or band[0] is not reference or band[1] is not limits:
        band = ctx.sym.collar = (reference, limits, None if pct is None else pct * reference,
                                 None if ticks is None else ticks * ctx.instrument.tick_size)
    pct_band, tick_band = band[2], band[3]
    distance = limit_price - reference
    if distance < ZERO:
        distance = -distance
    return not ((pct_band is not None and distance * HUNDRED > pct_band) or (
        tick_band is not None and distance > tick_band))


def _within_slippage(ctx: RiskContext, limit: Decimal) -> bool:
    """The slippage rule's passing test for a market order: its sweep stays close enough to the reference."""
    reference, far = ctx.reference, ctx.far
    if reference is None or reference <= ZERO or far is None:
        return False
    distance = far - reference
    if distance < ZERO:
        distance = -distance
    return distance * HUNDRED <= limit * reference


def _within_adv(order: RiskOrder, ctx: RiskContext, limit: Decimal) -> bool:
    """The share-of-volume rule's passing test (its bound cached on the symbol for the day, as the rule does)."""
    day = ctx.now_ts // DAY_SECONDS
    bound = ctx.sym.adv_bound
    if bound is None or bound[0] != day or bound[1] is not limit:
        volume = ctx.volume_of(order.symbol, ctx.now_ts)
        bound = ctx.sym.adv_bound = (day, limit, volume, None if volume is None else limit * volume)
    if bound[2] is None or bound[3] is None:
        return True
    safe = ctx.sym.fast_adv  # (bound, bound[3] / 100): ``qty * 100 <= cap`` iff ``qty <= cap / 100``, exactly
    if safe is None or safe[0] is not bound:
        safe = ctx.sym.fast_adv = (bound, hundredth(bound[3]))
    return ctx.qty <= safe[1]


def _flow_pass(order: RiskOrder, ctx: RiskContext) -> bool:
    """Duplicates, the order rate, open orders, daily counters, volume and notional."""
    limits, usage, now = ctx.limits, ctx.usage, ctx.now_ts
    window = limits.duplicate_window_seconds
    # no order of the symbol since the window began: no duplicate (hashing the size costs more than the rest)
    if window is not None and not now - ctx.sym.last_submitted > window_seconds(window):
        last = usage.recent_sizes.get((order.symbol, order.side, order.qty))
        if last is not None and not now - last > window_seconds(window):
            return False
    rate = limits.max_orders_per_second
    if rate is not None:
        bucket = usage.submits
        if bucket.tokens is not None and not bucket.tokens + (now - bucket.last) * rate >= 1:
            return False
    most = limits.max_open_orders
    if most is not None and usage.open_orders >= most:
        return False
    most = limits.max_open_orders_per_symbol
    if most is not None and ctx.sym.open_orders >= most:
        return False
    most = limits.max_daily_orders
    if most is not None and usage.orders_today >= most:
        return False
    most = limits.max_daily_trades
    if most is not None and usage.trades_today >= most:
        return False
    volume = limits.max_daily_volume
    if volume is not None:
        done, working = usage.volume_today, ctx.working_qty  # the account's working quantity: a new order
        memo = usage.volume_room  # (done, working, limit, the headroom of their sum)
        if memo is None or memo[0] is not done or memo[1] is not working or memo[2] is not volume:
            memo = usage.volume_room = (done, working, volume, room(volume, done + working))
        left = memo[3]
        if (left is None or not ctx.qty <= left) and done + working + ctx.qty > volume:
            return False
    notional = limits.max_daily_notional
    if notional is None:
        return True
    added = ctx.added_notional
    if added is None:
        return False
    totals = ctx.totals
    traded, working_notional = totals.traded_notional, ctx.working_notional
    memo = totals.notional_room
    if memo is None or memo[0] is not traded or memo[1] is not working_notional or memo[2] is not notional:
        memo = totals.notional_room = (traded, working_notional, notional, room(notional, traded + working_notional))
    left = memo[3]
    return (left is not None and added <= left) or traded + working_notional + added <= notional


def _book_pass(order: RiskOrder, ctx: RiskContext) -> bool:
    """Position, concentration, exposure, buying power, daily loss, self-match."""
    limits = ctx.limits
    net = limits.max_net_exposure
    if (net is not None or limits.max_gross_exposure is not None) and (ctx.mark is None or ctx.side_value is None):
        return False  # exposure cannot be valued: the rule denies, whatever the order does
    if ctx.grows and not _growth_fits(ctx):
        return False
    if net is not None and not _net_fits(order, ctx, net):
        return False
    if limits.enforce_buying_power and not _affordable(order, ctx):
        return False
    loss = limits.max_daily_loss
    if loss is not None and not ctx.reduces:
        if limits.daily_loss_unrealized is True:
            if ctx.mark is None or not -ctx.totals.pnl_today < loss:
                return False
        elif not -ctx.totals.realized_today < loss:
            return False
    return limits.self_match != "deny" or crossing_price(order, ctx) is None


def _growth_fits(ctx: RiskContext) -> bool:
    """For an order that grows its side's reach: position size and value, concentration, gross exposure."""
    limits, value = ctx.limits, ctx.side_value
    most = limits.max_position_qty
    if most is not None and ctx.side_after > most:
        return False
    most = limits.max_position_notional
    if most is not None and (value is None or value > most):
        return False
    pct = limits.max_concentration_pct
    if pct is not None:
        equity = ctx.balance.cash + ctx.totals.value
        if value is None or equity <= ZERO or not value * HUNDRED <= pct * equity:
            return False
    gross = limits.max_gross_exposure
    return gross is None or (value is not None and ctx.totals.gross - ctx.sym.gross + value <= gross)


def _net_fits(order: RiskOrder, ctx: RiskContext, most: Decimal) -> bool:
    """The net exposure test on the order's side (the caller saw to a mark)."""
    mark, sym, totals = ctx.mark, ctx.sym, ctx.totals
    assert mark is not None
    if order.side is BUY:
        before = totals.net_long
        after = before - sym.net_long + ctx.reach_after * mark
    else:
        before = totals.net_short
        after = before - sym.net_short + ctx.reach_after * mark
    net = after if after >= ZERO else -after
    return not (net > most and (net > abs(before) or (after < ZERO) != (before < ZERO)))


def _affordable(order: RiskOrder, ctx: RiskContext) -> bool:
    """A cash account's buying power test: a sell of shares held, or a buy it can pay for, commission in."""
    sym = ctx.sym
    if order.side is not BUY:
        return _covered(ctx)
    price = ctx.price
    if price is None:
        return False
    qty, position, buying = ctx.qty, sym.position, ctx.buy_working
    if position >= ZERO and buying >= ZERO:  # no short left to cover: the order pays for all of it
        cost = ctx.notional  # ``qty * price``, worked out by the context
        assert cost is not None
    else:
        short_left = -position - buying
        if short_left > ZERO:
            qty = qty - (short_left if short_left < qty else qty)
        cost = qty * price
    return cost + _commission(ctx.pricing, ctx.qty, price) <= _free_cash(ctx)


def _covered(ctx: RiskContext) -> bool:
    """A sell's test: the shares held and not already being sold cover it (else a short sale: the rule decides)."""
    sym, selling = ctx.sym, ctx.sell_working
    position = sym.position
    memo = sym.held_memo  # (position, selling, the shares held and not being sold, never below zero)
    if memo is None or memo[0] is not position or memo[1] is not selling:
        held = (position if position > ZERO else ZERO) - selling
        memo = sym.held_memo = (position, selling, held if held > ZERO else ZERO)
    held = memo[2]
    return ctx.qty <= held or ctx.qty - held <= ZERO


_minimum_qty: tuple[MarketPricing | None, Decimal | None] = (None, None)  # the schedule asked last, see below


def _commission(pricing: MarketPricing, qty: Decimal, price: Decimal) -> Decimal:
    """Return ``pricing.commission(qty, price)``: the minimum, without arithmetic, for a quantity whose per-share
    commission is at most the minimum (no basis points), exactly as the schedule works it out."""
    global _minimum_qty
    memo = _minimum_qty
    if memo[0] is not pricing:
        memo = _minimum_qty = (pricing, minimum_qty(pricing))
    most = memo[1]
    if most is not None and qty <= most:
        return pricing.commission_minimum
    return pricing.commission(qty, price)


def _free_cash(ctx: RiskContext) -> Decimal:
    """What a buy may spend: the buying-power rule's sum for a new order (``ctx.reserved`` is zero)."""
    balance, totals = ctx.balance, ctx.totals
    return balance.cash - balance.reserved + ctx.reserved + totals.short_value - totals.short_margin
