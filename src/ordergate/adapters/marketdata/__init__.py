"""Market data feeds: replay of recorded files (the paper market's feed lives with the paper venue).

Every feed is a ``MarketDataFeed`` (service/ports.py) and delivers into the MarketDataHub: whole books and
trades through ``MarketDataSink``, or sequenced snapshot/add/change/delete/trade/quote events through
``MarketDataHub.apply`` (or a target that wraps it, such as the paper exchange's follower).
"""

from importlib.resources import files
from pathlib import Path

from ordergate.adapters.marketdata.replay import MarketTarget, ReplayError, ReplayFeed
from ordergate.config import MarketDataConfig
from ordergate.domain.errors import ValidationFailed
from ordergate.service.ports import Clock


def sample_file() -> Path:
    """Return the path of the shipped sample file (AAPL and RELIANCE)."""
    return Path(str(files("ordergate") / "data" / "sample_marketdata.csv"))


def replay_feed_from(config: MarketDataConfig, target: MarketTarget, clock: Clock) -> ReplayFeed | None:
    """Return the replay feed the settings ask for (timestamps rebased to now), or None; ``start()`` it.

    The file must exist and its header name the columns; the symbols it covers are read here, once.
    """
    if config.replay_file is None:
        return None
    path = sample_file() if str(config.replay_file) == "sample" else config.replay_file
    if not path.is_file():
        raise ValidationFailed("marketdata.replay_file", "exists", f"no such file: {path}")
    feed = ReplayFeed(path, target, speed=config.replay_speed, clock=clock, rebase=True, loop=config.replay_loop)
    try:
        feed.symbols()
    except (ReplayError, UnicodeDecodeError, OSError) as e:
        raise ValidationFailed("marketdata.replay_file", "format", f"{path}: {e}") from None
    return feed
