"""The fast path's envelope: for one symbol and side, the orders every rule of the default set lets through.

Most of what ``fast_pass.passes`` works out is the same for every order of a symbol and side while the
account does not change. An envelope works it out once, as bounds on the order's terms: the largest
quantity, the largest notional, the window of limit prices, and the price where the account's own resting
orders on the other side start. Each bound is a headroom (headroom.py): an order inside it passes the rule's
own rounded arithmetic, exactly. Only limit orders of a cash account with a fresh reference price are
covered, and only what the time does not change; the lockout, the duplicate window and the order rate are
tested per order.

An envelope is kept on the symbol with what it came from: the account usage's ``epoch`` (every event
folded into it, every revaluation and every new day moves it), the limits, the reference price, the cash,
the reserved cash and the commission schedule (the same objects), and the day. Any of them different: it is
worked out again. An order outside it is not denied: ``passes`` goes on rule by rule.
"""

from decimal import Decimal

from ordergate.domain.risk.context import RiskContext, RiskOrder
from ordergate.domain.risk.duplicate import window_seconds
from ordergate.domain.risk.headroom import (
    band_window,
    ceiling_divide,
    floor_divide,
    hundredth,
    minimum_qty,
    net_window,
    representable,
    room,
)

ZERO = Decimal(0)
INFINITY = Decimal("Infinity")
DAY_SECONDS = 86_400.0  # as max_adv_pct counts days
PAYBACK = 8  # orders an envelope must pass to have paid for working it out
MAX_PATIENCE = 64  # the most orders with the same inputs an envelope waits for before it is worked out


class Envelope:
    """The bounds of the orders that pass, and what they were worked out from (``open`` False: none here)."""

    __slots__ = ("cash", "cross", "day", "epoch", "high", "limits", "lockout", "low", "notional", "open", "patience",
                 "pending", "pricing", "qty", "rate", "reference", "reserved", "seen", "uses", "window")

    def __init__(self, ctx: RiskContext, day: float, patience: int = 0) -> None:
        self.rekey(ctx, day)
        self.open = False
        self.pending = False  # True: not worked out yet, waiting for ``patience`` orders with the same inputs
        self.patience = patience
        self.uses = 0  # the orders it passed
        self.qty = self.notional = self.high = INFINITY
        self.low = -INFINITY
        self.cross: Decimal | None = None  # the best resting price on the other side, when self-match denies
        self.lockout: int | None = None
        self.window: float | None = None  # the duplicate window in float seconds, with its margin
        self.rate: int | None = None


    def rekey(self, ctx: RiskContext, day: float) -> None:
        """Take the inputs of this order as what the envelope comes from (nothing else is worked out)."""
        self.epoch, self.limits, self.reference, self.day = ctx.usage.epoch, ctx.limits, ctx.reference, day
        self.cash, self.reserved, self.pricing = ctx.balance.cash, ctx.balance.reserved, ctx.pricing
        self.seen = 0


def envelope_passes(order: RiskOrder, ctx: RiskContext, buy: bool) -> bool:
    """Return True when a limit order is inside its symbol and side's envelope and passes the per-order tests
    (False: not known here). The caller saw to a cash account, an active state, a new order, no stop price and
    no base currency; the reference price is fresh when given."""
    sym, usage, balance, now = ctx.sym, ctx.usage, ctx.balance, ctx.now_ts
    day = now // DAY_SECONDS
    env = sym.buy_envelope if buy else sym.sell_envelope
    if (not isinstance(env, Envelope) or env.epoch != usage.epoch or env.limits is not ctx.limits
            or env.reference is not ctx.reference or env.cash is not balance.cash
            or env.reserved is not balance.reserved or env.day != day or env.pricing is not ctx.pricing):
        env = _renewed(env, order, ctx, buy, day)
        if buy:
            sym.buy_envelope = env
        else:
            sym.sell_envelope = env
    elif env.pending:
        env.seen += 1
        if env.seen >= env.patience:
            env = _build(order, ctx, buy, day, env.patience)
            if buy:
                sym.buy_envelope = env
            else:
                sym.sell_envelope = env
    if not env.open:
        return False
    qty, price, notional = order.qty, order.limit_price, ctx.notional
    if price is None or notional is None or not (ZERO < qty <= env.qty and env.low <= price <= env.high
                                                   and notional <= env.notional):
        return False
    cross = env.cross
    if cross is not None and (cross <= price if buy else cross >= price):
        return False
    if not _per_order(order, env, ctx, now):
        return False
    env.uses += 1
    return True


def _renewed(old: object, order: RiskOrder, ctx: RiskContext, buy: bool, day: float) -> Envelope:
    """Return the envelope that follows a stale one: worked out now when the last one paid for itself (it passed
    ``PAYBACK`` orders; working one out costs about as much as checking that many rule by rule), else one that
    waits for that many orders with the same inputs, twice as many as the last wait when that one did not pay
    either (a market moving between orders re-marks the account, and an envelope then rarely lives long)."""
    if not isinstance(old, Envelope) or old.uses >= PAYBACK:
        return _build(order, ctx, buy, day)
    if old.pending:  # still waiting: from these inputs on
        old.rekey(ctx, day)
        return old
    env = Envelope(ctx, day, min(max(2 * old.patience, 1), MAX_PATIENCE))
    env.pending = True
    return env


def _per_order(order: RiskOrder, env: Envelope, ctx: RiskContext, now: float) -> bool:
    """The tests the time changes: the lockout, the duplicate window's pre-filter, the order rate."""
    usage = ctx.usage
    if env.lockout is not None and len(usage.denial_times) >= env.lockout:
        return False
    window = env.window
    if window is not None and not now - ctx.sym.last_submitted > window:  # an order of the symbol inside it
        last = usage.recent_sizes.get((order.symbol, order.side, order.qty))
        if last is not None and not now - last > window:  # one of the same size too: the rule's own test
            seen = usage.recent.get((order.symbol, order.side, order.qty, order.limit_price, order.stop_price))
            duplicate = ctx.limits.duplicate_window_seconds
            if seen is not None and duplicate is not None and not now - seen >= duplicate:
                return False
    rate = env.rate
    if rate is not None:
        bucket = usage.submits
        if bucket.tokens is not None and not bucket.tokens + (now - bucket.last) * rate >= 1:
            return False
    return True


def _build(order: RiskOrder, ctx: RiskContext, buy: bool, day: float, patience: int = 0) -> Envelope:
    """Work the envelope of the order's symbol and side out (closed when anything stands in the way)."""
    env = Envelope(ctx, day, patience)
    limits, reference = ctx.limits, ctx.reference
    if reference is None or not reference > ZERO or limits.owner is not None:
        return env
    restricted = limits.restricted_symbols
    if restricted is not None and order.symbol in restricted:
        return env
    if limits.lockout_denials is not None and limits.lockout_window_seconds is not None:
        env.lockout = limits.lockout_denials
    window = limits.duplicate_window_seconds
    env.window = None if window is None else window_seconds(window)
    env.rate = limits.max_orders_per_second
    env.open = _counts_fit(ctx) and _terms(ctx, env, reference, day, order) and _book(ctx, env, buy, reference)
    return env


def _counts_fit(ctx: RiskContext) -> bool:
    """Open orders (the account's and the symbol's), the day's orders and trades: room for one more."""
    limits, usage = ctx.limits, ctx.usage
    for most, used in ((limits.max_open_orders, usage.open_orders), (limits.max_open_orders_per_symbol,
                       ctx.sym.open_orders), (limits.max_daily_orders, usage.orders_today),
                       (limits.max_daily_trades, usage.trades_today)):
        if most is not None and used >= most:
            return False
    return True


def _cap_qty(env: Envelope, most: Decimal | None) -> bool:
    """Lower the quantity bound to ``most``; False when there is no bound to be had (None)."""
    if most is None:
        return False
    if most < env.qty:
        env.qty = most
    return True


def _cap_notional(env: Envelope, most: Decimal | None) -> bool:
    """Lower the notional bound to ``most``; False when there is no bound to be had (None)."""
    if most is None:
        return False
    if most < env.notional:
        env.notional = most
    return True


def _terms(ctx: RiskContext, env: Envelope, reference: Decimal, day: float, order: RiskOrder) -> bool:
    """Order size and value, the price collar, the share of volume, the day's volume and notional."""
    limits, sym, usage, totals = ctx.limits, ctx.sym, ctx.usage, ctx.totals
    if limits.max_order_qty is not None:
        _cap_qty(env, limits.max_order_qty)
    if limits.max_order_notional is not None:
        _cap_notional(env, limits.max_order_notional)
    pct, ticks = limits.price_collar_pct, limits.price_collar_ticks
    if pct is not None or ticks is not None:  # the band as the rule keeps it on the symbol
        band = sym.collar
        if band is None or band[0] is not reference or band[1] is not limits:
            band = sym.collar = (reference, limits, None if pct is None else pct * reference,
                                 None if ticks is None else ticks * ctx.instrument.tick_size)
        env.low, env.high = band_window(reference, band[2], band[3])
    adv = limits.max_adv_pct
    if adv is not None:  # the bound as the rule keeps it on the symbol for the day
        bound = sym.adv_bound
        if bound is None or bound[0] != day or bound[1] is not adv:
            volume = ctx.volume_of(order.symbol, ctx.now_ts)
            bound = sym.adv_bound = (day, adv, volume, None if volume is None else adv * volume)
        if bound[2] is not None and bound[3] is not None:
            _cap_qty(env, hundredth(bound[3]))
    volume = limits.max_daily_volume
    if volume is not None and not _cap_qty(env, room(volume, usage.volume_today + usage.working_qty)):
        return False
    notional = limits.max_daily_notional
    return notional is None or _cap_notional(env, room(notional, totals.traded_notional + totals.working_notional))


def _book(ctx: RiskContext, env: Envelope, buy: bool, mark: Decimal) -> bool:
    """Position, concentration, gross and net exposure, buying power, daily loss, self-match."""
    limits, sym = ctx.limits, ctx.sym
    position = sym.position
    reach = position + sym.buy_working if buy else position - sym.sell_working  # as the context works it out
    if not (_growth(ctx, env, buy, reach, mark) and _net(ctx, env, buy, reach, mark) and _paid(ctx, env, buy)):
        return False
    loss = limits.max_daily_loss
    if loss is not None:  # an order that reduces passes whatever the loss: not worth an envelope of its own
        totals = ctx.totals
        if limits.daily_loss_unrealized is True:
            if not -(totals.value - totals.value_at_open + totals.trade_cash_today) < loss:
                return False
        elif not -totals.realized_today < loss:
            return False
    if limits.self_match == "deny":
        env.cross = sym.best_resting_sell if buy else sym.best_resting_buy
    return True


def _reach_room(buy: bool, reach: Decimal, most: Decimal) -> Decimal | None:
    """Return the largest quantity that keeps the side's reach after the order at ``most`` or less."""
    return room(most, reach) if buy else room(most, -reach)


def _growth(ctx: RiskContext, env: Envelope, buy: bool, reach: Decimal, mark: Decimal) -> bool:
    """Position size and value, concentration and gross exposure, as a bound on the quantity."""
    limits, totals = ctx.limits, ctx.totals
    most = limits.max_position_qty
    if most is not None and not _cap_qty(env, _reach_room(buy, reach, most)):
        return False
    values = []  # bounds on the value of the side's reach after the order
    most = limits.max_position_notional
    if most is not None:
        if not representable(most):
            return False
        values.append(most)
    pct = limits.max_concentration_pct
    if pct is not None:
        equity = ctx.balance.cash + totals.value
        if equity <= ZERO:
            return False
        values.append(hundredth(pct * equity))
    gross = limits.max_gross_exposure
    if gross is not None:
        left = room(gross, totals.gross - ctx.sym.gross)
        if left is None:
            return False
        values.append(left)
    return all(_cap_qty(env, _reach_room(buy, reach, floor_divide(value, mark))) for value in values)


def _net(ctx: RiskContext, env: Envelope, buy: bool, reach: Decimal, mark: Decimal) -> bool:
    """Net exposure on the order's side: its value after the order inside the window the limit leaves."""
    most = ctx.limits.max_net_exposure
    if most is None:
        return True
    totals, sym = ctx.totals, ctx.sym
    before, own = (totals.net_long, sym.net_long) if buy else (totals.net_short, sym.net_short)
    window = net_window(before - own, most)
    if window is None:
        return False
    low, high = window
    if buy:  # the reach grows with the quantity: the value only rises from the reach now
        return reach * mark >= low and _cap_qty(env, room(floor_divide(high, mark), reach))
    return reach * mark <= high and _cap_qty(env, room(reach, ceiling_divide(low, mark)))


def _paid(ctx: RiskContext, env: Envelope, buy: bool) -> bool:
    """Buying power of a cash account: a buy paid from free cash at the minimum commission, a sell of shares
    held and not being sold."""
    if not ctx.limits.enforce_buying_power:
        return True
    sym = ctx.sym
    position = sym.position
    if not buy:
        held = (position if position > ZERO else ZERO) - sym.sell_working
        return _cap_qty(env, held if held > ZERO else ZERO)
    if not (position >= ZERO and sym.buy_working >= ZERO):
        return False  # a buy that covers a short: not worth an envelope
    pricing, balance, totals = ctx.pricing, ctx.balance, ctx.totals
    free = balance.cash - balance.reserved + ZERO + totals.short_value - totals.short_margin  # the rule's sum
    return _cap_qty(env, minimum_qty(pricing)) and _cap_notional(env, room(free, pricing.commission_minimum))
