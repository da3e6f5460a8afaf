"""The composition root: Settings -> adapters -> engine -> running service. Nothing connects at import."""

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import Engine

from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.marketdata import replay_feed_from
from ordergate.adapters.metrics import PrometheusMetrics
from ordergate.adapters.store.database import make_engine, make_private_dir, redact_url
from ordergate.adapters.store.ended_orders import SqlEndedOrders
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.keys import SqlKeyRepository
from ordergate.adapters.store.migrate import require_head, upgrade_to_head
from ordergate.adapters.store.queries import SqlReadModel
from ordergate.adapters.store.snapshot_sink import SqlSnapshotSink
from ordergate.adapters.store.snapshots import SqlSnapshots
from ordergate.adapters.store.writer_lock import WriterLock, hold_writer_lock
from ordergate.adapters.venue_metrics import VenueConnectionMetrics
from ordergate.adapters.venue_stats_metrics import venue_gauges
from ordergate.adapters.venues.paper.extra import extra_paper_venue
from ordergate.adapters.venues.paper.follow import PaperFollower
from ordergate.adapters.venues.paper.venue import PaperVenue
from ordergate.collector import collector_paused
from ordergate.config import Settings
from ordergate.domain.access import Caller, Role
from ordergate.domain.commands import OpenAccount
from ordergate.domain.enums import Side
from ordergate.domain.eviction import Eviction
from ordergate.domain.ids import AccountId, Symbol, VenueId
from ordergate.domain.instruments import Instrument
from ordergate.domain.ledger import Ledger
from ordergate.domain.risk.fx import FxRates
from ordergate.domain.risk.usage_state import TradingDay
from ordergate.domain.routing import Fees
from ordergate.fold_wiring import Fold, restore_fold
from ordergate.service.adv import AverageDailyVolume
from ordergate.service.background import BackgroundWork
from ordergate.service.engine import OrderEngine
from ordergate.service.engine_loop import EngineLoop
from ordergate.service.fanout import EventFanout
from ordergate.service.ids import OrderIdGenerator
from ordergate.service.keys import ENV_ADMIN_ID, GENERATED_BY, KeyStore
from ordergate.service.marketdata import MarketDataHub
from ordergate.service.order_stats import OrderStats
from ordergate.service.ports import Clock, EventSink, MarketDataFeed, Venue, unavailable_reason
from ordergate.service.reconcile import Reconciler
from ordergate.service.risk_gate import RiskGate
from ordergate.service.route_log import RouteLog
from ordergate.service.router import RoutedVenue, Router
from ordergate.service.snapshotter import Snapshotter
from ordergate.service.venue_stats import BreakerSettings, VenueStats
from ordergate.service.views import Views

if TYPE_CHECKING:  # Redis is imported only by a server that shares through it (redis_url set)
    from ordergate.adapters.shared.link import RedisLink
    from ordergate.adapters.shared.quotes import RedisQuoteCache

log = structlog.get_logger(__name__)
ADMIN_KEY_FILE = "admin.key"


@dataclass
class Container:
    """Every wired object the entrypoints need."""

    settings: Settings
    instruments: dict[Symbol, Instrument]
    engine: OrderEngine
    loop: EngineLoop
    views: Views
    read_model: SqlReadModel
    marketdata: MarketDataHub
    venues: dict[VenueId, Venue]
    keys: KeyStore
    metrics: PrometheusMetrics
    stream: Any  # the event stream's hub, made by the entrypoint that serves it (None without one)
    order_stats: OrderStats
    background: BackgroundWork
    db_engine: Any
    writer_lock: WriterLock | None = None
    generated_admin_key: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    feeds: list[MarketDataFeed] = field(default_factory=list)
    reconciler: Reconciler | None = None
    router: Router | None = None
    routes: RouteLog | None = None
    journal: SqlJournal | None = None
    ids: OrderIdGenerator | None = None
    clock: Clock | None = None
    active: bool = False  # trading: venues, engine loop and background work started (the leader's part)
    redis: "RedisLink | None" = None  # what instances share; None: this instance alone
    quotes: "RedisQuoteCache | None" = None  # the latest quotes, shared through Redis
    snapshotter: Snapshotter | None = None


def _router(settings: Settings, instruments: dict[Symbol, Instrument], stats: VenueStats, clock: Clock) -> Router:
    for name, symbols in (("routes", settings.routes), ("routing.venues", settings.routing.venues)):
        unknown = sorted(set(symbols) - set(instruments))
        if unknown:
            raise ValueError(f"{name}: unknown symbols {', '.join(unknown)}")
    routes = {Symbol(symbol): VenueId(venue) for symbol, venue in settings.routes.items()}
    lists = {Symbol(symbol): [VenueId(v) for v in venues] for symbol, venues in settings.routing.venues.items()}
    accounts = {AccountId(a): r for a, r in settings.routing.accounts.items()}
    return Router(VenueId(settings.venue), routes, lists, stats, clock, settings.routing.policy, accounts)


def _breaker(settings: Settings) -> BreakerSettings:
    r = settings.routing
    return BreakerSettings(window=r.breaker_window, min_orders=r.breaker_min_orders,
                           reject_rate=r.breaker_reject_rate, ack_latency=r.breaker_ack_latency,
                           cooldown=r.breaker_cooldown)


def _routed(venues: dict[VenueId, Venue], hub: MarketDataHub) -> dict[VenueId, RoutedVenue]:
    """Return how the router reads each venue: a paper venue's own book and fees; a broker's market data."""
    routed: dict[VenueId, RoutedVenue] = {}
    for venue_id, venue in venues.items():
        if isinstance(venue, PaperVenue):
            c = venue.config
            routed[venue_id] = RoutedVenue(venue.book, Fees(c.commission_per_share, c.commission_bps,
                                                            c.min_commission), venue.is_ready)
        else:
            routed[venue_id] = RoutedVenue(partial(_hub_levels, hub), Fees(), venue.is_ready)
    return routed


def _hub_levels(hub: MarketDataHub, symbol: Symbol, side: Side, levels: int) -> list[tuple[Decimal, Decimal]]:
    book = hub.book(symbol)
    if book is None:
        return []
    bids, asks = book.depth(levels)
    return list(bids if side is Side.BUY else asks)


def open_store(settings: Settings, db_url: str, writes: bool = True) -> tuple[Any, SqlJournal]:
    """Migrate the database (unless disabled, or only read here) and open the journal."""
    if settings.migrate_on_start and writes:
        upgrade_to_head(db_url)
    else:
        require_head(db_url)
    db_engine = make_engine(db_url)
    return db_engine, SqlJournal(db_engine)


def replay(journal: SqlJournal, ledger: Ledger) -> int:
    """Rebuild the ledger (and everything subscribed to it) from the whole journal; return the event count."""
    with collector_paused():
        return ledger.replay(journal.read_events())


def _fold(settings: Settings, instruments: dict[Symbol, Instrument], marketdata: MarketDataHub,
          clock: Clock, ended: SqlEndedOrders | None = None) -> Fold:
    """Build the ledger and everything that folds its events (subscribed before anything is loaded).

    With ``ended`` (the database), orders that ended leave memory as ``engine.keep_ended_days`` says.
    """
    ledger = Ledger()
    if ended is not None:
        eviction = Eviction(TradingDay(settings.risk.trading_day_timezone).end_of, settings.engine.keep_ended_days)
        ledger.eviction = replace(eviction, floor=eviction.before(clock.now()))  # a long replay holds no old day
        ledger.ended.source = ended
    risk = RiskGate(ledger, instruments, marketdata, clock, settings.risk.limits(),
                    TradingDay(settings.risk.trading_day_timezone),
                    books=marketdata, pricing=settings.risk.pricing(settings.paper),
                    adv=AverageDailyVolume(marketdata, settings.risk.average_daily_volume, clock),
                    fx=FxRates(settings.risk.fx_rates, lambda pair: marketdata.reference_price(Symbol(pair))),
                    margin=settings.risk.margin_settings(), bars=marketdata)
    routed = bool(settings.routing.venues)  # else every order takes the one-venue fast path: nothing to learn
    venue_stats = VenueStats(ledger, _breaker(settings), learn=routed)
    router = _router(settings, instruments, venue_stats, clock)
    ids = OrderIdGenerator(clock.now())
    engine = OrderEngine(ledger, instruments, marketdata, clock, router, ids, risk=risk)
    return Fold(ledger, risk, venue_stats, router, engine, Views(ledger, marketdata, ended), OrderStats(ledger),
                RouteLog(ledger) if routed else None, ids)


def fold_builder(settings: Settings, db: Engine | None = None) -> Callable[[], Fold]:
    """Return a maker of fresh folds wired as the server's (for checks that replay outside a server)."""
    clock = SystemClock()
    instruments = load_instruments()
    marketdata = MarketDataHub(clock=clock, stale_after=settings.marketdata.stale_after, instruments=instruments)
    return partial(_fold, settings, instruments, marketdata, clock, None if db is None else SqlEndedOrders(db))


StreamFactory = Callable[[Views, MarketDataHub, Mapping[Symbol, Instrument], "RedisLink | None"], EventSink]


def shared_redis(settings: Settings) -> "RedisLink | None":
    """Return the Redis that instances share (``redis_url``), or None: this instance alone."""
    if settings.redis_url is None:
        return None
    from ordergate.adapters.shared.link import redis_link

    config = settings.redis
    return redis_link(settings.redis_url, config.key_prefix, config.stream_maxlen, config.timeout)


async def start(settings: Settings, writer_lock: WriterLock | None = None,
                stream: StreamFactory | None = None) -> Container:
    """Take the database's writer lock, then build and start everything (see ``_start``).

    Raise WriterLockHeld if another process writes the database. ``writer_lock`` is one already held
    (``serve`` takes it before the web server starts, to refuse cleanly); it is released by ``stop``.
    ``stream`` makes the sink that streams committed events to clients (the API gives its hub); it is
    built after the replay and before the engine starts, so it sees every event from then on.
    """
    make_private_dir(settings.data_dir)
    db_url = settings.resolved_database_url()
    # Before migrating or replaying: what another writer is committing meanwhile would be missed.
    lock = writer_lock if writer_lock is not None else await asyncio.to_thread(hold_writer_lock, db_url)
    try:
        container = await _start(settings, db_url, stream)
    except BaseException:
        lock.release()
        raise
    container.writer_lock = lock
    return container


async def _start(settings: Settings, db_url: str, stream_factory: StreamFactory | None) -> Container:
    """Build every component, replay the journal, then start the venues, the engine and background work."""
    container = await build(settings, db_url, stream_factory)
    await activate(container)
    return container


async def build(settings: Settings, db_url: str, stream_factory: StreamFactory | None,
                writes: bool = True) -> Container:
    """Build every component and replay the journal into the ledger; start nothing that trades.

    ``writes`` False (a standby): the database is only read, so no admin key is generated or revoked.
    """
    clock = SystemClock()
    instruments = load_instruments()
    marketdata = MarketDataHub(clock=clock, stale_after=settings.marketdata.stale_after, instruments=instruments)
    db_engine, journal = await asyncio.to_thread(open_store, settings, db_url, writes)
    snapshots = SqlSnapshots(db_engine)

    ended = SqlEndedOrders(db_engine)

    def fresh_fold() -> Fold:
        return _fold(settings, instruments, marketdata, clock, ended)

    # the loop is not running yet: no race
    fold, restored = await asyncio.to_thread(restore_fold, fresh_fold, journal, snapshots, db_engine)
    await asyncio.to_thread(fold.ledger.evict_ended, clock.now())  # what ended before today leaves memory
    ledger, engine, views, router, ids = fold.ledger, fold.engine, fold.views, fold.router, fold.ids
    order_stats, routes = fold.order_stats, fold.routes
    metrics = PrometheusMetrics()
    redis = shared_redis(settings)
    stream = stream_factory(views, marketdata, instruments, redis) if stream_factory is not None else None
    if redis is not None and stream is not None and hasattr(stream, "start"):
        await stream.start()  # reads the shared stream back for this instance's clients
    paper = PaperVenue(settings.paper, instruments, clock, marketdata)
    venues: dict[VenueId, Venue] = {VenueId("paper"): paper}
    feeds = _market_feeds(settings, paper, marketdata, clock)
    venue_metrics = VenueConnectionMetrics(metrics.registry)  # one set of series, labelled by venue
    _add_alpaca(settings, instruments, clock, marketdata, venue_metrics, paper, venues, feeds)
    _add_upstox(settings, instruments, clock, marketdata, venue_metrics, paper, venues, feeds)
    for extra in settings.venues.paper_extra:
        venues[VenueId(extra.id)] = extra_paper_venue(extra, instruments, clock)
    router.attach(_routed(venues, marketdata))
    router.reasons = lambda venue_id: unavailable_reason(venues.get(venue_id))
    for feed in feeds:
        marketdata.attach_feed(feed)  # asked for a fresh snapshot when a book it leads loses data
    sinks: list[EventSink] = [metrics] if stream is None else [metrics, stream]
    loop = EngineLoop(engine, journal, venues, EventFanout(sinks), max_batch=settings.engine.max_batch)
    read_model = SqlReadModel(db_engine)
    keys, generated = await asyncio.to_thread(_load_keys, settings, db_engine, clock, writes)
    reconciler = Reconciler(loop, venues, clock, interval=settings.engine.reconcile_interval,
                            max_resends=settings.engine.max_resends, cash_tolerance=settings.engine.cash_tolerance,
                            on_discrepancy=lambda found: metrics.discrepancy(found.kind))
    background = BackgroundWork(loop, venues, clock, settings.engine)
    venue_gauges(metrics.registry, router, clock)
    metrics.gauge("ordergate_engine_queue_depth", "Messages waiting for the engine", loop.queue_depth)
    metrics.gauge("ordergate_open_orders", "Working orders", lambda: len(ledger.open_orders))
    metrics.gauge("ordergate_marketdata_snapshot_requests", "Fresh snapshots asked of the feeds since start",
                  lambda: marketdata.snapshots.total)
    snapshotter = Snapshotter(loop, SqlSnapshotSink(snapshots, clock), settings.engine.snapshot_interval,
                              settings.engine.snapshot_min_events, covered=restored.snapshot_seq)
    log.info("built", db=redact_url(db_url), replayed_events=restored.replayed, orders=len(ledger.orders),
             snapshot=restored.snapshot_id, snapshot_seq=restored.snapshot_seq)
    container = Container(
        settings=settings, instruments=instruments, engine=engine, loop=loop, views=views, read_model=read_model,
        marketdata=marketdata, venues=venues, keys=keys, metrics=metrics, stream=stream,
        order_stats=order_stats, background=background, db_engine=db_engine, generated_admin_key=generated,
        feeds=feeds, reconciler=reconciler, router=router, routes=routes, journal=journal, ids=ids, clock=clock,
        redis=redis,
        snapshotter=snapshotter,
    )
    if redis is not None:  # the instance whose feeds run writes the quotes; the others serve them
        from ordergate.adapters.shared.quotes import RedisQuoteCache

        container.quotes = RedisQuoteCache(redis, marketdata, lambda: container.active)
        container.quotes.start()
    return container


async def activate(container: Container) -> None:
    """Start trading: the venues, the feeds, the engine loop, reconciliation (at once) and background work."""
    for venue in container.venues.values():
        await venue.start(container.loop.report)
    for feed in container.feeds:  # after the venues: a followed replay trades against the paper book
        await feed.start()
    await container.loop.start()
    container.active = True
    await _ensure_default_account(container.settings, container.loop, container.engine.ledger)
    if container.reconciler is not None:
        container.reconciler.start()
    container.background.start()
    if container.snapshotter is not None:
        container.snapshotter.start()
    log.info("started", orders=len(container.engine.ledger.orders), last_seq=container.engine.ledger.last_seq)


async def stop(container: Container) -> None:
    """Stop the feeds and background work, drain the engine, stop venues and close the database."""
    if container.active:
        await deactivate(container)
    await unshare(container)
    container.db_engine.dispose()
    if container.writer_lock is not None:  # last: nothing of this process writes any more
        container.writer_lock.release()


async def unshare(container: Container) -> None:
    """Stop the event stream (its clients are told to reconnect), the quote cache, and close the Redis connections."""
    if container.stream is not None and hasattr(container.stream, "stop"):
        await container.stream.stop()
    if container.quotes is not None:
        await container.quotes.stop()
    if container.redis is not None:
        await container.redis.close()


async def deactivate(container: Container) -> None:
    """Stop trading: the feeds and background work, drain the engine, stop the venues."""
    container.active = False
    for feed in container.feeds:
        with contextlib.suppress(Exception):
            await feed.stop()
    await container.background.stop()
    if container.reconciler is not None:
        await container.reconciler.stop()
    if container.snapshotter is not None:
        await container.snapshotter.stop()
    await container.loop.stop()
    if container.snapshotter is not None:  # a clean stop: the next start replays nothing
        with contextlib.suppress(Exception):
            await container.snapshotter.snapshot()
    for venue in container.venues.values():
        with contextlib.suppress(Exception):
            await venue.stop()


def _market_feeds(settings: Settings, paper: PaperVenue, hub: MarketDataHub, clock: Clock) -> list[MarketDataFeed]:
    """Return the market data feeds: the paper market, and the replay the settings ask for.

    A replay goes through the paper follower, so that (unless ``paper_follows_replay`` is off) the paper
    exchange trades against the replayed book for the symbols the file covers.
    """
    feeds: list[MarketDataFeed] = [paper.feed]
    config = settings.marketdata
    replay = replay_feed_from(config, PaperFollower(hub, paper.exchange) if config.paper_follows_replay else hub,
                              clock)
    if replay is not None:
        if config.paper_follows_replay:
            followed = paper.exchange.follow(replay.symbols(), hub)
            log.info("paper_follows_replay", file=str(replay.path), symbols=followed)
        feeds.append(replay)
    return feeds


def _add_alpaca(
    settings: Settings, instruments: dict[Symbol, Instrument], clock: Clock, hub: MarketDataHub,
    venue_metrics: VenueConnectionMetrics, paper: PaperVenue, venues: dict[VenueId, Venue],
    feeds: list[MarketDataFeed],
) -> None:
    """Add the Alpaca venue when its keys are set, and its market data feed for the symbols routed to it
    (the paper market stops walking those symbols: Alpaca's quotes lead them)."""
    config = settings.venues.alpaca
    if not config.enabled:
        return
    # imported here: a server without Alpaca keys (every test server) does not load its client and feed
    from ordergate.adapters.venues.alpaca.marketdata import AlpacaMarketFeed
    from ordergate.adapters.venues.alpaca.venue import AlpacaVenue

    observer = venue_metrics.for_venue("alpaca")
    venue = AlpacaVenue(config, instruments, clock, observer)
    venues[venue.id] = venue
    routed = {Symbol(s): venue.symbols[Symbol(s)] for s, v in settings.routes.items()
              if v == venue.id and Symbol(s) in venue.symbols}
    if routed:
        feed = AlpacaMarketFeed(config, routed, hub, clock, observer)
        paper.exchange.follow(feed.symbols(), hub)
        feeds.append(feed)
    log.info("alpaca_enabled", live=config.live, url=config.trading_url(), feed=config.data_feed,
             symbols=sorted(routed))


def _add_upstox(
    settings: Settings, instruments: dict[Symbol, Instrument], clock: Clock, hub: MarketDataHub,
    venue_metrics: VenueConnectionMetrics, paper: PaperVenue, venues: dict[VenueId, Venue],
    feeds: list[MarketDataFeed],
) -> None:
    """Add the Upstox venue when a token is set or stored, and its market data feed for the symbols routed
    to it (the paper market stops walking those symbols: Upstox's feed leads them)."""
    config = settings.venues.upstox
    if not config.enabled(settings.data_dir):
        return
    # imported here: a server without Upstox does not load its client and feed (protobuf among them)
    from ordergate.adapters.venues.upstox.marketdata import UpstoxMarketFeed
    from ordergate.adapters.venues.upstox.venue import UpstoxVenue

    observer = venue_metrics.for_venue("upstox")
    venue = UpstoxVenue(config, settings.data_dir, instruments, clock, observer=observer)
    venues[venue.id] = venue
    routed = {Symbol(s): venue.keys[Symbol(s)] for s, v in settings.routes.items()
              if v == venue.id and Symbol(s) in venue.keys}
    if routed and config.feed:
        feed = UpstoxMarketFeed(config, venue.http, routed, hub, clock, observer)
        paper.exchange.follow(feed.symbols(), hub)
        feeds.append(feed)
    log.info("upstox_enabled", url=config.api_url, product=config.product, symbols=sorted(routed))


async def _ensure_default_account(settings: Settings, loop: EngineLoop, ledger: Ledger) -> None:
    account = AccountId(settings.account.id)
    if account not in ledger.accounts:
        await loop.execute(OpenAccount(
            account=account, balances=dict(settings.account.balances), margin=settings.account.margin,
            requested_by="bootstrap",
        ))


def _load_keys(settings: Settings, db_engine: Any, clock: Clock, writes: bool = True) -> tuple[KeyStore, str | None]:
    """Load the stored keys; accept the settings' admin key, or make one at first start and save it 0600.

    Once the settings give the admin key, the one made at first start is revoked and its file removed:
    setting a key must not leave another full-rights key working. Without ``writes`` (a standby) the keys
    are only loaded: the leader makes or revokes them.
    """
    keys = KeyStore(SqlKeyRepository(db_engine))
    key_file = settings.data_dir / ADMIN_KEY_FILE
    if settings.admin_key is not None:
        keys.accept(settings.admin_key.get_secret_value(), Caller(ENV_ADMIN_ID, "admin", Role.ADMIN))
        if writes and keys.revoke_generated(clock.now()):
            log.warning("generated_admin_key_revoked", reason="the admin_key setting replaces it")
        key_file.unlink(missing_ok=True)
        return keys, None
    if writes and keys.count() == 0:
        _, secret = keys.create("admin", Role.ADMIN, None, GENERATED_BY, clock.now())
        _write_key_file(key_file, secret)
        return keys, secret
    return keys, None


def _write_key_file(path: Path, key: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
