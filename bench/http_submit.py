"""HTTP submit, durable, 64 connections: the real server beside a bare Starlette+orjson JSON POST app.

For scale, a FastAPI+pydantic hello-world POST (the body validated into a model and echoed) runs too.
Each runs as its own uvicorn process (one worker each, same uvicorn settings as ``ordergate serve``) and
all are driven in the same run by the same load generator: a minimal keep-alive HTTP/1.1 client on asyncio
(raw sockets, so the client costs far less than the servers it measures; httpx would be the bottleneck).
The real server is ``ordergate serve`` on SQLite in a temporary data directory with the paper exchange:
every 201 it answers was committed first. Orders are 1-share AAPL market orders, alternately buy and sell.
The real server runs once per ``--api-workers`` count (0: one process; N: the engine process and N front
workers, see docs/performance.md), and for each the CPU time its processes spent per request is printed
(from /proc, so it holds even when other work shares the cores). The headline ratio is the best mode's.

Run:  .venv/bin/python bench/http_submit.py [--connections 64] [--seconds 10] [--warmup 2] [--api-workers 0,2]
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.e2e.server, which starts the real server as the e2e tests do

import machine  # noqa: E402  (beside this file)
from tests.e2e.server import ADMIN_KEY, Server, free_port  # noqa: E402

PATH = "/api/v1/orders/"
PING = "/api/v1/ping"  # the same server's authenticated no-op POST: its HTTP stack and auth, no order
BODIES = [json.dumps({"account": "PAPER", "symbol": "AAPL", "side": side, "type": "market", "qty": "1",
                      "time_in_force": "day"}).encode() for side in ("buy", "sell")]


# -- the bare comparison app ----------------------------------------------------------------------------

def serve_bare(port: int) -> None:
    """Serve a bare Starlette app whose one POST route decodes and echoes JSON with orjson."""
    import orjson
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def submit(request: Request) -> Response:
        body = orjson.loads(await request.body())
        return Response(orjson.dumps({"id": "bare", "status": "pending_new", **body}), status_code=201,
                        media_type="application/json")

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    app = Starlette(routes=[Route(PATH, submit, methods=["POST"]), Route("/health", health)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, loop="auto", http="auto")


def serve_fastapi(port: int) -> None:
    """Serve a FastAPI hello-world: its one POST route validates the body into a pydantic model and echoes it."""
    import uvicorn
    from fastapi import FastAPI
    from pydantic import BaseModel

    class Order(BaseModel):
        account: str
        symbol: str
        side: str
        type: str
        qty: str
        time_in_force: str

    app = FastAPI()

    @app.post(PATH, status_code=201)
    async def submit(order: Order) -> dict[str, str]:
        return {"id": "hello", "status": "pending_new", **order.model_dump()}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, loop="auto", http="auto")


def start_bare(kind: str = "bare") -> tuple[subprocess.Popen[bytes], str]:
    """Start a comparison app (``bare`` or ``fastapi``) in a subprocess; return it and its URL once it answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, f"--serve-{kind}", str(port)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{kind} app did not start")


# -- the load generator -----------------------------------------------------------------------------------

class Load:
    """Counts and latencies of one run."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.measuring = False


async def _connection(port: int, stop_at: float, load: Load, index: int, path: str) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    heads = [(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {ADMIN_KEY}\r\n"
              f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
             for body in BODIES]
    n = index
    clock = time.perf_counter
    try:
        while clock() < stop_at:
            n += 1
            start = clock()
            writer.write(heads[n % 2])
            status = await _read_response(reader)
            if load.measuring:
                load.latencies.append(clock() - start)
                load.statuses[status] = load.statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def drive(port: int, connections: int, warmup: float, seconds: float, path: str = PATH,
                probe: "CpuProbe | None" = None) -> dict[str, Any]:
    """Keep ``connections`` requests in flight for warmup + seconds; return figures of the measured part."""
    load = Load()
    loop = asyncio.get_running_loop()
    stop_at = time.perf_counter() + warmup + seconds
    tasks = [loop.create_task(_connection(port, stop_at, load, i, path)) for i in range(connections)]
    await asyncio.sleep(warmup)
    load.measuring = True
    started = time.perf_counter()
    if probe is not None:
        probe.start()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    lat = sorted(load.latencies)
    cpu = probe.per_request(len(lat)) if probe is not None else None
    return {**({"cpu_us_per_request": cpu} if cpu else {}),
        "requests": len(lat),
        "req_per_s": round(len(lat) / elapsed),
        "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else None,
        "p99_ms": round(lat[max(0, int(len(lat) * 0.99) - 1)] * 1000, 2) if lat else None,
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
    }


def run(port: int, connections: int, warmup: float, seconds: float, path: str = PATH,
        probe: "CpuProbe | None" = None) -> dict[str, Any]:
    """Drive one server on uvloop when it is installed (a cheaper client leaves more CPU to the server)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(drive(port, connections, warmup, seconds, path, probe))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(drive(port, connections, warmup, seconds, path, probe))


class CpuProbe:
    """CPU time (user + system, every thread) of a server process and of its children (front workers).

    Per request, this is what bounds a server's rate on a machine of its own (the engine process's share
    when it has front workers), and it hardly depends on what else runs on the machine, unlike req/s.
    """

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._before: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        children = Path(f"/proc/{self._pid}/task/{self._pid}/children").read_text().split()
        times = {"server": _cpu_seconds(self._pid)}
        if children:
            times["fronts"] = sum(_cpu_seconds(int(child)) for child in children)
        return times

    def start(self) -> None:
        """Take the measured part's first reading."""
        self._before = self._now()

    def per_request(self, requests: int) -> dict[str, float]:
        """Return each process kind's CPU microseconds per request since ``start``."""
        after = self._now()
        spent = {kind: after[kind] - self._before.get(kind, 0.0) for kind in after}
        return {kind: round(seconds / requests * 1e6, 1) for kind, seconds in spent.items()} if requests else {}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def run_real_server(connections: int, warmup: float, seconds: float,
                    workers: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """Drive ``ordergate serve`` (SQLite, paper exchange) with ``workers`` front workers (0: one process):
    durable submits, then its no-op authenticated POST."""
    os.environ.pop("ORDERGATE_TEST_DB", None)  # the bench always measures the default SQLite setup
    os.environ.pop("ORDERGATE_TEST_API_WORKERS", None)  # and says itself how many front workers
    with tempfile.TemporaryDirectory(prefix="og-bench-") as tmp:
        server = Server(Path(tmp), env_extra={"ORDERGATE_API__WORKERS": str(workers)}).start()
        try:
            assert server.process is not None
            probe = CpuProbe(server.process.pid)
            submits = run(server.port, connections, warmup, seconds, probe=probe)
            pings = run(server.port, connections, warmup, seconds, PING, probe)
        finally:
            server.stop()
    return submits, pings


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _run_app(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    process, url = start_bare(kind)
    try:
        return run(_port(url), args.connections, args.warmup, args.seconds, probe=CpuProbe(process.pid))
    finally:
        process.terminate()
        process.wait(timeout=15)


def main() -> None:
    """Measure the real server and the bare app; print figures, the last line as one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--api-workers", default="0,2", help="front worker counts to run the server with, comma "
                                                              "separated (0: one process)")
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-fastapi", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return
    if args.serve_fastapi:
        serve_fastapi(args.serve_fastapi)
        return
    modes = [int(n) for n in args.api_workers.split(",")]
    print(f"rerun: .venv/bin/python bench/http_submit.py --connections {args.connections} "
          f"--seconds {args.seconds} --warmup {args.warmup} --api-workers {args.api_workers}")
    served = {n: run_real_server(args.connections, args.warmup, args.seconds, n) for n in modes}
    bare, fastapi = (_run_app(kind, args) for kind in ("bare", "fastapi"))
    for n, (real, ping) in served.items():
        mode = "one process" if n == 0 else f"engine process + {n} front workers"
        print(f"ordergate POST {PATH} (durable, SQLite), {mode}: {real['req_per_s']:,} req/s, "
              f"p50 {real['p50_ms']} ms, p99 {real['p99_ms']} ms, statuses {real['statuses']}, "
              f"CPU µs per request {real.get('cpu_us_per_request')}")
        print(f"  the same server's no-op authenticated POST {PING}: {ping['req_per_s']:,} req/s, "
              f"p50 {ping['p50_ms']} ms, p99 {ping['p99_ms']} ms, CPU µs per request {ping.get('cpu_us_per_request')}")
    bare_cpu = bare.get("cpu_us_per_request", {}).get("server")
    cpu_ratios = {n: round(bare_cpu / r["cpu_us_per_request"]["server"], 3)
                  for n, (r, _) in served.items() if bare_cpu and r.get("cpu_us_per_request", {}).get("server")}
    print(f"bare app's CPU per request / the ordergate (engine) process's, by front workers: {cpu_ratios} "
          "(the ratio's ceiling with the ordergate (engine) process alone on a core)")
    workers = max(served, key=lambda n: served[n][0]["req_per_s"])
    real, ping = served[workers]
    ratio = round(real["req_per_s"] / bare["req_per_s"], 3) if bare["req_per_s"] else None
    print(f"bare Starlette+orjson POST: {bare['req_per_s']:,} req/s, p50 {bare['p50_ms']} ms, "
          f"p99 {bare['p99_ms']} ms, CPU µs per request {bare.get('cpu_us_per_request')}")
    print(f"FastAPI+pydantic hello-world POST (for scale): {fastapi['req_per_s']:,} req/s, p50 {fastapi['p50_ms']} ms, "
          f"p99 {fastapi['p99_ms']} ms")
    met = ratio is not None and ratio >= 0.5 and real["p99_ms"] is not None and real["p99_ms"] <= 20
    print(f"best: {workers} front workers; ratio {ratio} (target >= 0.5, p99 <= 20 ms): {'met' if met else 'NOT met'}; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(json.dumps({
        "benchmark": "http_submit", "date": datetime.now(UTC).date().isoformat(), "python": platform.python_version(),
        "connections": args.connections, "seconds": args.seconds, "ordergate": real, "ordergate_ping": ping,
        "ordergate_api_workers": workers,
        "by_api_workers": {str(n): {"submit": r, "ping": p} for n, (r, p) in served.items()},
        "bare_starlette": bare, "load_average": round(os.getloadavg()[0], 2),
        "cpu_ratio_by_api_workers": {str(n): r for n, r in cpu_ratios.items()},
        "machine": machine.speed(), "fastapi_hello": fastapi, "ratio": ratio, "target_ratio": 0.5, "target_p99_ms": 20,
    }))


if __name__ == "__main__":
    main()
