"""A key's message rate on its streams: refused messages answered, a flood told to close."""

from ordergate.entrypoints.api.limits import Buckets
from ordergate.entrypoints.stream_limits import FLOOD_CAP, MessageLimit, message_buckets


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_message_buckets_when_rate_below_one_then_still_allow_one_message_at_once() -> None:
    assert (message_buckets(0.1).burst, message_buckets(200).burst) == (1.0, 200.0)


async def test_limit_when_past_the_rate_then_refusal_names_limit_and_retry_after_until_refilled() -> None:
    clock = Clock()
    limit = MessageLimit(Buckets(2, 2, clock=clock), "k_1")
    assert (await limit.refusal()) is None and (await limit.refusal()) is None
    refused = await limit.refusal()
    assert refused is not None and refused["code"] == "rate_limited" and refused["retry_after"] == 0.5
    assert "2 messages per second" in refused["message"] and refused["limit"] == 2
    clock.now += 0.5
    assert (await limit.refusal()) is None and limit.refused_in_a_row == 0


async def test_limit_when_refused_cap_times_in_a_row_then_flooding_and_reason_fits_a_close_frame() -> None:
    limit = MessageLimit(Buckets(1, 1, clock=Clock()), "k_1")
    await limit.refusal()
    for _ in range(FLOOD_CAP - 1):
        assert (await limit.refusal()) is not None and not limit.flooding
    await limit.refusal()
    assert limit.flooding and len(limit.close_reason().encode()) <= 123


async def test_limit_when_two_connections_of_one_key_then_they_draw_on_one_bucket() -> None:
    buckets = Buckets(1, 1, clock=Clock())
    first, second = MessageLimit(buckets, "k_1"), MessageLimit(buckets, "k_1")
    other = MessageLimit(buckets, "k_2")
    assert await first.refusal() is None and await second.refusal() is not None
    assert await other.refusal() is None
