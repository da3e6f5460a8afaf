"""GTT routes (the order host): place, cancel, list. Shapes from the SDK's models (see gtt.py for what is
unsure); a lost place answer can be simulated as for orders."""

import asyncio
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import error, success
from tests.fakes.upstox.guard import guarded, json_body


def _latency(started: float) -> int:
    return max(1, int((time.perf_counter() - started) * 1000))


async def place(request: Request, fake: FakeUpstox) -> Response:
    """POST /v3/order/gtt/place: ``data.gtt_order_ids`` plus ``metadata.latency``."""
    started = time.perf_counter()
    gtt = fake.exchange.gtt.place(await json_body(request))
    if fake.faults.lose_place_answer():  # the GTT exists; the client never hears so
        if fake.faults.lost_place_mode == "error":
            return error(500, "UDAPI100500", "Something went wrong, please try again")
        await asyncio.sleep(fake.faults.hang_seconds)
    return success({"gtt_order_ids": [gtt.gtt_order_id]}, latency=_latency(started))


async def cancel(request: Request, fake: FakeUpstox) -> Response:
    """DELETE /v3/order/gtt/cancel with ``{"gtt_order_id"}`` as the JSON body."""
    started = time.perf_counter()
    body = await json_body(request)
    gtt = fake.exchange.gtt.cancel(body.get("gtt_order_id") if isinstance(body, dict) else None)
    return success({"gtt_order_ids": [gtt.gtt_order_id]}, latency=_latency(started))


async def listing(request: Request, fake: FakeUpstox) -> Response:
    """GET /v3/order/gtt?gtt_order_id=: one GTT, or every GTT of the account."""
    wanted = request.query_params.get("gtt_order_id")
    book = fake.exchange.gtt
    with fake.exchange.lock:
        gtts = [book.get(wanted)] if wanted else list(book.gtts.values())
        return success([g.wire() for g in gtts])


routes = [
    Route("/v3/order/gtt/place", guarded("orders", place), methods=["POST"]),
    Route("/v3/order/gtt/cancel", guarded("orders", cancel), methods=["DELETE"]),
    Route("/v3/order/gtt", guarded("others", listing)),
]
