"""Portfolio routes: day positions, funds and margin, and the REST authorize endpoints of both streams."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import UpstoxError, success
from tests.fakes.upstox.guard import guarded
from tests.fakes.upstox.portfolio import funds, positions
from tests.fakes.upstox.urls import MARKET_FEED, PORTFOLIO_FEED, one_time_url


async def short_term_positions(request: Request, fake: FakeUpstox) -> Response:
    """GET /v2/portfolio/short-term-positions."""
    return success(positions(fake.exchange))


async def funds_and_margin(request: Request, fake: FakeUpstox) -> Response:
    """GET /v2/user/get-funds-and-margin?segment=SEC|COM: a dict keyed equity / commodity."""
    segment = request.query_params.get("segment")
    data = funds(fake.exchange)
    if segment is None:
        return success(data)
    if segment not in ("SEC", "COM"):
        raise UpstoxError(400, "UDAPI100038", "Invalid segment", "segment", segment)
    return success({"equity": data["equity"]} if segment == "SEC" else {"commodity": data["commodity"]})


def _authorized(url: str) -> Response:
    return success({"authorized_redirect_uri": url, "authorizedRedirectUri": url})


async def portfolio_authorize(request: Request, fake: FakeUpstox) -> Response:
    """GET /v2/feed/portfolio-stream-feed/authorize: a one-time stream URL under both key spellings."""
    return _authorized(one_time_url(fake, request.headers.get("host", ""), PORTFOLIO_FEED))


async def market_authorize(request: Request, fake: FakeUpstox) -> Response:
    """GET /v3/feed/market-data-feed/authorize: a one-time feed URL under both key spellings."""
    return _authorized(one_time_url(fake, request.headers.get("host", ""), MARKET_FEED))


routes = [
    Route("/v2/portfolio/short-term-positions", guarded("others", short_term_positions)),
    Route("/v2/user/get-funds-and-margin", guarded("others", funds_and_margin)),
    Route("/v2/feed/portfolio-stream-feed/authorize", guarded("others", portfolio_authorize)),
    Route("/v3/feed/market-data-feed/authorize", guarded("others", market_authorize)),
]
