"""What sharing through Redis costs: a rate-limit token, and an event from one instance's commit to another's clients.

Against the local Redis (``ORDERGATE_TEST_REDIS_URL``, default 127.0.0.1:6379), in one process, same run:

- rate limits: µs per token taken from this instance's own bucket (no Redis), a Redis PING for reference,
  µs per token from the shared bucket when every token is a round trip (a low rate: one token a lease)
  and at the default rate (5,000/s: leases of 100 tokens), one caller at a time; and tokens per second
  with 64 callers at once (the HTTP server's concurrency) at the default rate;
- event stream: events (two messages each, an order and its fill) offered by one instance's relay in
  batches of 64, as group commits do, and read back by a second instance's relay: events per second end
  to end when offered as fast as they can be, then the latency from offer to delivery on the other
  instance (p50, p99) at a steady ``--rate`` (events per second, below what the stream carries).

Printed last, as one JSON line. Run:  .venv/bin/python bench/redis_sharing.py [--takes 20000] [--events 20000]
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.redis_service

import machine  # noqa: E402  (beside this file)
from ordergate.adapters.shared.buckets import RedisBuckets  # noqa: E402
from ordergate.adapters.shared.event_stream import RedisEventStream  # noqa: E402
from ordergate.adapters.shared.link import redis_link  # noqa: E402
from ordergate.entrypoints.api.limits import Buckets  # noqa: E402
from ordergate.entrypoints.stream_relay import StreamRelay  # noqa: E402
from tests.redis_service import REDIS_URL, delete_keys, new_prefix  # noqa: E402

BATCH = 64
CONCURRENCY = 64


async def rate_limits(takes: int, prefix: str) -> dict[str, float]:
    """Time token takes from the instance's own buckets and from the shared ones."""
    link = redis_link(REDIS_URL, prefix, 1000, 1.0)
    local = Buckets(1e9, 1e9)
    exact = RedisBuckets(link.commands, link.key("limit", "exact", ""), 40, 1e9, local.take)  # leases of 1
    shared = RedisBuckets(link.commands, link.key("limit", "bench", ""), 5000, 5000, local.take)
    await link.commands.ping()
    started = time.perf_counter()
    for _ in range(takes):
        await link.commands.ping()
    ping_us = (time.perf_counter() - started) / takes * 1e6
    started = time.perf_counter()
    for i in range(takes):
        local.take(f"k{i % 100}")
    local_us = (time.perf_counter() - started) / takes * 1e6
    await exact.take("warm")
    started = time.perf_counter()
    for i in range(takes):
        await exact.take(f"k{i % 100}")
    exact_us = (time.perf_counter() - started) / takes * 1e6
    started = time.perf_counter()
    for _ in range(takes):
        await shared.take("k")
    shared_us = (time.perf_counter() - started) / takes * 1e6

    async def caller(n: int) -> None:
        for _ in range(n):
            await shared.take("k64")

    started = time.perf_counter()
    await asyncio.gather(*(caller(takes // CONCURRENCY) for _ in range(CONCURRENCY)))
    concurrent = takes // CONCURRENCY * CONCURRENCY / (time.perf_counter() - started)
    await link.close()
    return {"local_take_us": round(local_us, 2), "redis_ping_us": round(ping_us, 1),
            "redis_take_us_one_per_trip": round(exact_us, 1), "redis_take_us_leased": round(shared_us, 2),
            "redis_takes_per_s_64_callers_leased": round(concurrent)}


async def event_stream(events: int, prefix: str, rate: float | None) -> dict[str, float]:
    """Offer events on one relay (as fast as possible, or at ``rate`` a second) and time their delivery."""
    offered: dict[int, float] = {}
    latencies: list[float] = []
    done = asyncio.Event()

    def deliver(seq: int, account: str, data: bytes) -> None:
        if data.endswith(b"fill}"):  # the event's last message
            latencies.append(time.perf_counter() - offered[seq])
            if seq == events:
                done.set()

    links = [redis_link(REDIS_URL, prefix, 1_000_000, 1.0) for _ in range(2)]
    publisher = StreamRelay(RedisEventStream(links[0]), lambda *m: None, lambda a, b: None)
    reader = StreamRelay(RedisEventStream(links[1]), deliver, lambda a, b: None)
    await publisher.start()
    await reader.start()
    await asyncio.sleep(0.2)
    order = b'{"type":"order","order":{"id":"ord_0123456789","status":"filled","qty":"100","filled_qty":"100"}}'
    started = time.perf_counter()
    for seq in range(1, events + 1):
        offered[seq] = time.perf_counter()
        publisher.offer(seq, [("PAPER", order), ("PAPER", b'{"type":"fill}')])
        if seq % BATCH == 0:  # the writer commits a batch and publishes it; the loop runs meanwhile
            await asyncio.sleep(max(0.0, started + seq / rate - time.perf_counter()) if rate else 0)
    await asyncio.wait_for(done.wait(), 120)
    took = time.perf_counter() - started
    for relay in (publisher, reader):
        await relay.stop()
    for link in links:
        await link.close()
    latencies.sort()
    if not rate:
        return {"stream_events_per_s": round(events / took)}
    return {f"stream_latency_p50_ms_at_{rate:g}_per_s": round(statistics.median(latencies) * 1000, 2),
            f"stream_latency_p99_ms_at_{rate:g}_per_s": round(latencies[int(len(latencies) * 0.99)] * 1000, 2)}


def main() -> None:
    """Parse the options, run both measures, print the figures as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--takes", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=2000, help="events per second for the latency figures")
    args = parser.parse_args()
    prefix = new_prefix()
    try:
        result: dict[str, Any] = {"bench": "redis_sharing"}
        result.update(asyncio.run(rate_limits(args.takes, prefix)))
        result.update(asyncio.run(event_stream(args.events, prefix, None)))
        delete_keys(prefix)
        result.update(asyncio.run(event_stream(args.events // 2, prefix, args.rate)))
    finally:
        delete_keys(prefix)
    result.update({"machine": machine.speed(),
                   "rerun": f"python bench/redis_sharing.py --takes {args.takes} --events {args.events} "
                            f"--rate {args.rate:g}"})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
