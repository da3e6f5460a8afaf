"""The engine process with front workers: the app and the relays here, HTTP and WebSocket in N processes.

Start: the server's socket is bound, and each worker is started with it and one end of a socket pair; while
the workers start (imports take a while), the app starts here (its lifespan, as under uvicorn). Only then is
each socket pair's end here served by a relay: what a worker relays before that waits in the socket pair. The
workers share the listening socket (the kernel hands each new connection to one of them). A worker that dies
is started again. Stop (SIGTERM or SIGINT): the workers are asked to stop and finish what they were
answering, then the app stops.
"""

import asyncio
import contextlib
import json
import logging
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.lifespan.on import LifespanOn

from ordergate.entrypoints.front.relay import EngineRelay

log = logging.getLogger("uvicorn.error")
STOP_GRACE = 30.0  # seconds the workers get to finish their requests at a stop
RESTART_PAUSE = 0.5  # seconds between looks at whether a worker died
STARTUP_FAILURE = 3  # uvicorn's exit status when the app cannot start


@dataclass
class _Worker:
    """One front worker process and this process's end of its socket pair (a relay once serving)."""

    process: subprocess.Popen[bytes]
    end: socket.socket
    transport: asyncio.BaseTransport | None = None


@dataclass
class FrontWorkers:
    """Start, serve, watch and stop the front workers of one engine process."""

    app: ASGIApp
    options: dict[str, Any]  # uvicorn's, as the engine process has them
    log_json: bool
    listener: socket.socket
    count: int
    workers: list[_Worker] = field(default_factory=list)

    def start(self) -> None:
        """Start every worker process."""
        self.workers = [self._start_one() for _ in range(self.count)]

    async def serve(self) -> None:
        """Answer every worker's requests from now on."""
        for worker in self.workers:
            await self._relay(worker)

    def _start_one(self) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with theirs:
            process = subprocess.Popen(self._command(theirs.fileno()),
                                       pass_fds=(self.listener.fileno(), theirs.fileno()))
        return _Worker(process, ours)

    async def _relay(self, worker: _Worker) -> None:
        worker.transport, _ = await asyncio.get_running_loop().create_unix_connection(
            lambda: EngineRelay(self.app), sock=worker.end)

    def _command(self, engine_fd: int) -> list[str]:
        options = {k: str(v) if isinstance(v, Path) else v for k, v in self.options.items()}
        command = [sys.executable, "-m", "ordergate.entrypoints.front.worker", "--listen-fd",
                   str(self.listener.fileno()), "--engine-fd", str(engine_fd), "--options", json.dumps(options)]
        return [*command, "--log-json"] if self.log_json else command

    async def watch(self, stopping: asyncio.Event) -> None:
        """Start again any worker that died, until ``stopping`` is set."""
        while not stopping.is_set():
            for index, worker in enumerate(self.workers):
                if worker.process.poll() is not None:
                    log.error("front worker %d exited with %s: starting it again", worker.process.pid,
                              worker.process.returncode)
                    self._close(worker)
                    self.workers[index] = self._start_one()
                    await self._relay(self.workers[index])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), RESTART_PAUSE)

    async def stop(self) -> None:
        """Ask every worker to stop, wait until each finished its requests (or the grace ran out)."""
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.terminate()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_GRACE
        for worker in self.workers:
            while worker.process.poll() is None and loop.time() < deadline:
                await asyncio.sleep(0.05)
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()
            self._close(worker)
        self.workers = []

    @staticmethod
    def _close(worker: _Worker) -> None:
        if worker.transport is not None:
            worker.transport.close()
        else:
            worker.end.close()


def run(app: ASGIApp, options: dict[str, Any], log_json: bool, count: int) -> None:
    """Serve ``app`` from this process with ``count`` front workers (``options``: uvicorn's); return once stopped."""
    config = uvicorn.Config(app, **options)
    config.load()
    listener = config.bind_socket()  # exits (status 1) when the address is taken, as uvicorn does
    with listener, asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(_serve(config, FrontWorkers(app, options, log_json, listener, count)))


async def _serve(config: uvicorn.Config, workers: FrontWorkers) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    workers.start()  # the workers start while the app does
    lifespan = LifespanOn(config)
    try:
        await lifespan.startup()
        if lifespan.should_exit:
            raise SystemExit(STARTUP_FAILURE)
        try:
            await workers.serve()
            log.info("serving with %d front workers", workers.count)
            await workers.watch(stopping)
        finally:
            await workers.stop()  # before the app stops: they finish their requests with it
            await lifespan.shutdown()
    finally:
        await workers.stop()  # if the app did not start
