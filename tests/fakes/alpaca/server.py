"""Build the fake's ASGI app, and run it inside a test's event loop on a free port."""

import asyncio
import socket
from types import TracebackType

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute

from tests.fakes.alpaca.broker import FakeBroker
from tests.fakes.alpaca.control import control_routes
from tests.fakes.alpaca.data_stream import DataStream, latest_quotes
from tests.fakes.alpaca.rest import Gate, trading_routes
from tests.fakes.alpaca.trade_stream import TradeStream

KEY_ID = "PKFAKEKEY0000000001"
SECRET_KEY = "fake-secret-never-real-0000000000000000"


def build_app(broker: FakeBroker, key_id: str = KEY_ID, secret_key: str = SECRET_KEY) -> Starlette:
    """Return the fake Alpaca as one ASGI app (trading REST, both streams, market data REST, /_fake)."""
    gate = Gate(broker, key_id, secret_key)
    trades = TradeStream(broker, key_id, secret_key)
    data = DataStream(broker, key_id, secret_key)
    routes: list[Route | WebSocketRoute] = [
        *trading_routes(gate),
        gate.route("/v2/stocks/quotes/latest", latest_quotes, ["GET"]),
        WebSocketRoute("/stream", trades.serve),
        WebSocketRoute("/v2/{feed}", data.serve),
        *control_routes(broker, trades, data),
    ]
    app = Starlette(routes=routes)
    app.state.gate, app.state.trades, app.state.data = gate, trades, data
    return app


class FakeAlpacaServer:
    """The fake served by uvicorn on 127.0.0.1 in the running event loop (``async with``)."""

    def __init__(self, broker: FakeBroker | None = None) -> None:
        self.broker = broker or FakeBroker()
        self.app = build_app(self.broker)
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """Return the REST base URL (without ``/v2``, as alpaca-py and our settings take it)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def stream_url(self) -> str:
        """Return the ``trade_updates`` WebSocket URL."""
        return f"ws://127.0.0.1:{self.port}/stream"

    def data_stream_url(self, feed: str = "iex") -> str:
        """Return the market data stream URL for ``feed``."""
        return f"ws://127.0.0.1:{self.port}/v2/{feed}"

    async def __aenter__(self) -> "FakeAlpacaServer":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", ws="websockets-sansio")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, value: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self._server is not None and self._task is not None
        await self.app.state.trades.drop_all()
        await self.app.state.data.drop_all()
        self._server.should_exit = True
        await self._task
