"""Per-key rate limits shared through Redis: every instance draws on one bucket per key."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from ordergate.adapters.shared.buckets import RedisBuckets
from ordergate.adapters.shared.link import RedisLink, redis_link
from ordergate.entrypoints.api.limits import Buckets
from tests.redis_service import delete_keys, new_prefix, require_redis


@pytest.fixture
async def links() -> AsyncIterator[tuple[RedisLink, RedisLink]]:
    """Two instances' connections to one Redis, under a prefix of this test's own."""
    url, prefix = require_redis(), new_prefix()
    pair = (redis_link(url, prefix, 1000, 1.0), redis_link(url, prefix, 1000, 1.0))
    yield pair
    for link in pair:
        await link.close()
    delete_keys(prefix)


def _buckets(link: RedisLink, rate: float, burst: float) -> RedisBuckets:
    return RedisBuckets(link.commands, link.key("limit", "http", ""), rate, burst, Buckets(rate, burst).take)


async def test_buckets_when_two_instances_take_for_one_key_then_the_burst_is_shared_not_doubled(
        links: tuple[RedisLink, RedisLink]) -> None:
    first, second = _buckets(links[0], 0.5, 3), _buckets(links[1], 0.5, 3)

    taken = [await first.take("k_1"), await second.take("k_1"), await first.take("k_1")]
    refused = await second.take("k_1")

    assert taken == [0, 0, 0]
    assert 1.9 < refused <= 2.0  # one token at 0.5/s: two seconds
    assert await first.take("k_2") == 0  # another key has its own bucket


async def test_buckets_when_many_takes_race_from_two_instances_then_exactly_the_burst_is_granted(
        links: tuple[RedisLink, RedisLink]) -> None:
    first, second = _buckets(links[0], 0.001, 50), _buckets(links[1], 0.001, 50)

    waits = await asyncio.gather(*(b.take("k_race") for _ in range(60) for b in (first, second)))

    assert sum(1 for w in waits if w == 0) == 50  # the script is atomic: no token is given twice


async def test_buckets_when_refilled_over_time_then_a_token_comes_back(links: tuple[RedisLink, RedisLink]) -> None:
    buckets = _buckets(links[0], 20, 1)
    assert await buckets.take("k_1") == 0
    assert await buckets.take("k_1") > 0
    await asyncio.sleep(0.06)
    assert await buckets.take("k_1") == 0


async def test_buckets_when_redis_does_not_answer_then_this_instance_limits_on_its_own() -> None:
    link = redis_link("redis://127.0.0.1:1/0", "ogtest:down:", 1000, 0.2)  # nothing listens on port 1
    buckets = _buckets(link, 1, 2)
    try:
        waits = [await buckets.take("k_1") for _ in range(3)]
    finally:
        await link.close()
    assert waits[:2] == [0, 0] and waits[2] > 0


async def test_buckets_when_the_rate_is_high_then_tokens_come_a_lease_at_a_time_and_are_spent_locally(
        links: tuple[RedisLink, RedisLink]) -> None:
    buckets = _buckets(links[0], 5000, 5000)  # a lease: 5000 / 50 = 100 tokens
    key = links[0].key("limit", "http", "k_1")

    assert await buckets.take("k_1") == 0
    after_first = float(await links[0].commands.hget(key, "tokens"))  # type: ignore[arg-type]
    for _ in range(99):
        assert await buckets.take("k_1") == 0
    after_lease = float(await links[0].commands.hget(key, "tokens"))  # type: ignore[arg-type]
    await buckets.take("k_1")  # the lease is spent: the next token comes with a new one

    assert after_first == after_lease == 4900  # the 99 came from the lease, without Redis
    assert float(await links[0].commands.hget(key, "tokens")) < 4900  # type: ignore[arg-type]
