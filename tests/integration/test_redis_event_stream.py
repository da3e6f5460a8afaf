"""The event stream shared through Redis: in journal order, each message once, on every instance."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from ordergate.adapters.shared.event_stream import RedisEventStream
from ordergate.adapters.shared.link import RedisLink, redis_link
from ordergate.entrypoints.stream_relay import StreamRelay
from tests.redis_service import delete_keys, new_prefix, require_redis


class Instance:
    """One instance's relay and what it delivered to its clients."""

    made: list["Instance"] = []  # stopped when the test ends, even one that failed before its own stop

    def __init__(self, link: RedisLink) -> None:
        self.delivered: list[tuple[int, str, bytes]] = []
        self.lost: list[tuple[int, int]] = []
        self.relay = StreamRelay(RedisEventStream(link), lambda *m: self.delivered.append(m),
                                 lambda a, b: self.lost.append((a, b)))
        Instance.made.append(self)


@pytest.fixture
async def shared() -> AsyncIterator[Callable[[int], RedisLink]]:
    """Make instances' links to one Redis under a prefix of this test's own (``maxlen``: entries kept)."""
    url, prefix = require_redis(), new_prefix()
    made: list[RedisLink] = []

    def link(maxlen: int = 100_000) -> RedisLink:
        made.append(redis_link(url, prefix, maxlen, 1.0))
        return made[-1]

    yield link
    for instance in Instance.made:  # asked to stop, never left to the event loop's closing cancel
        await instance.relay.stop()
    Instance.made.clear()
    for one in made:
        await one.close()
    delete_keys(prefix)


def _messages(seq: int) -> list[tuple[str, bytes]]:
    """One message per event, two for every third (an order and its fill), alternating accounts."""
    account = "A" if seq % 2 else "B"
    found = [(account, b'{"seq": %d, "type": "order"}' % seq)]
    if seq % 3 == 0:
        found.append((account, b'{"seq": %d, "type": "fill"}' % seq))
    return found


async def _until(done: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_relay_when_one_instance_publishes_under_load_then_every_instance_delivers_all_in_order_once(
        shared: Callable[..., RedisLink]) -> None:
    leader, standby = Instance(shared()), Instance(shared())
    for instance in (leader, standby):
        await instance.relay.start()
    await asyncio.sleep(0.05)
    expected = [(seq, account, data) for seq in range(1, 3001) for account, data in _messages(seq)]

    for seq in range(1, 3001):
        leader.relay.offer(seq, _messages(seq))
        if seq % 100 == 0:
            await asyncio.sleep(0)  # commits come in batches, while the relays run
        if 1000 <= seq <= 2000:  # a standby that follows the journal offers the same events too
            standby.relay.follow(seq, _messages(seq))
    await _until(lambda: leader.relay.seen_seq == 3000 and standby.relay.seen_seq == 3000)

    for instance in (leader, standby):
        await instance.relay.stop()
        assert instance.delivered == expected  # in order, gap-free, none twice
        assert instance.lost == []


async def test_relay_when_the_leader_died_before_publishing_then_a_follower_publishes_them_gap_free(
        shared: Callable[..., RedisLink]) -> None:
    leader, standby = Instance(shared()), Instance(shared())
    for instance in (leader, standby):
        await instance.relay.start()
    await asyncio.sleep(0.05)
    for seq in range(1, 11):
        leader.relay.offer(seq, _messages(seq))
    await _until(lambda: standby.relay.seen_seq == 10)
    await leader.relay.stop()  # committed 11..20, died before publishing them

    for seq in range(1, 21):  # the standby reads them in the journal
        standby.relay.follow(seq, _messages(seq))
    await _until(lambda: standby.relay.seen_seq == 20)
    await standby.relay.stop()

    assert standby.delivered == [(seq, a, d) for seq in range(1, 21) for a, d in _messages(seq)]
    assert standby.lost == []


async def test_history_when_resuming_then_the_messages_after_the_sequence_in_order_of_the_accounts(
        shared: Callable[..., RedisLink]) -> None:
    instance = Instance(shared())
    await instance.relay.start()
    for seq in range(1, 101):
        instance.relay.offer(seq, _messages(seq))
    await _until(lambda: instance.relay.seen_seq == 100)

    everything = await instance.relay.history(90, None, 1000)
    only_a = await instance.relay.history(90, frozenset({"A"}), 1000)
    await instance.relay.stop()

    assert everything == [(s, d) for s in range(91, 101) for _, d in _messages(s)]
    assert only_a == [(s, d) for s in range(91, 101, 2) for _, d in _messages(s)]
    assert await instance.relay.history(100, None, 1000) == []


async def test_history_when_trimmed_away_too_many_or_from_the_future_then_none_so_the_client_reloads(
        shared: Callable[..., RedisLink]) -> None:
    instance = Instance(shared(maxlen=50))
    await instance.relay.start()
    for seq in range(1, 501):
        instance.relay.offer(seq, [("A", b"{}")])
    await _until(lambda: instance.relay.seen_seq == 500)

    trimmed = await instance.relay.history(1, None, 1000)
    recent = await instance.relay.history(490, None, 1000)
    too_many = await instance.relay.history(490, None, 5)
    future = await instance.relay.history(900, None, 1000)
    await instance.relay.stop()

    assert trimmed is None and future is None and too_many is None
    assert recent is not None and [s for s, _ in recent] == list(range(491, 501))


async def test_relay_when_events_never_reached_redis_then_the_jump_is_reported_not_hidden(
        shared: Callable[..., RedisLink]) -> None:
    link = shared()
    instance = Instance(link)
    await instance.relay.start()
    stream = RedisEventStream(link)
    await stream.append([(1, [("A", b"{}")]), (2, [("A", b"{}")])])
    await _until(lambda: instance.relay.seen_seq == 2)

    await stream.append([(5, [("A", b"{}")])])  # 3 and 4 were committed, never published
    await _until(lambda: instance.relay.seen_seq == 5)
    await instance.relay.stop()

    assert instance.lost == [(2, 5)]


async def test_append_when_an_event_is_already_there_then_it_is_kept_once_and_later_ones_are_added(
        shared: Callable[..., RedisLink]) -> None:
    stream = RedisEventStream(shared())

    first = await stream.append([(1, [("A", b"1a"), ("A", b"1b")]), (2, [("A", b"2")])])
    again = await stream.append([(2, [("A", b"2 again")]), (3, [("A", b"3")])])

    assert (first, again) == (3, 1)
    assert await stream.bounds() == (1, 3)
