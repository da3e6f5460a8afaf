"""Run the fake on a loopback port in a background thread (for tests), or in the foreground (``__main__``)."""

import asyncio
import socket
import threading
import time
from types import TracebackType

import uvicorn

from tests.fakes.upstox.app import build_app
from tests.fakes.upstox.broker import FakeUpstox


class FakeUpstoxServer:
    """A fake Upstox on 127.0.0.1, started by ``with`` (or ``start``) and stopped at its end."""

    def __init__(self, fake: FakeUpstox | None = None, port: int = 0) -> None:
        self.fake = fake or FakeUpstox()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn.Config(build_app(self.fake), log_level="warning", lifespan="off", ws="websockets-sansio",
                                ws_ping_interval=5)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="fake-upstox", daemon=True)

    @property
    def url(self) -> str:
        """Return the base URL (both hosts)."""
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> "FakeUpstoxServer":
        """Start serving; return once the port answers."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Upstox did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> "FakeUpstoxServer":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
