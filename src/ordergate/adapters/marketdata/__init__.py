"""Market data feeds: replay of recorded files (the paper exchange publishes its own book directly).

Every feed delivers into the MarketDataHub: whole books and trades through ``MarketDataSink``, or
sequenced snapshot/add/change/delete/trade/quote events through ``MarketDataHub.apply``.
"""

from importlib.resources import files
from pathlib import Path

from ordergate.adapters.marketdata.replay import MarketTarget, ReplayFeed
from ordergate.config import MarketDataConfig
from ordergate.domain.errors import ValidationFailed
from ordergate.service.ports import Clock


def sample_file() -> Path:
    """Return the path of the shipped sample file (AAPL and RELIANCE)."""
    return Path(str(files("ordergate") / "data" / "sample_marketdata.csv"))


def replay_feed_from(config: MarketDataConfig, target: MarketTarget, clock: Clock) -> ReplayFeed | None:
    """Return the replay feed the settings ask for (timestamps rebased to now), or None; ``start()`` it."""
    if config.replay_file is None:
        return None
    path = sample_file() if str(config.replay_file) == "sample" else config.replay_file
    if not path.is_file():
        raise ValidationFailed("marketdata.replay_file", "exists", f"no such file: {path}")
    return ReplayFeed(path, target, speed=config.replay_speed, clock=clock, rebase=True, loop=config.replay_loop)
