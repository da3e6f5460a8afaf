"""The WebSocket stream's messages in a Redis Stream that every instance reads.

Each message is one entry whose id is ``<journal sequence>-<index within the event>``. Redis only takes
ids above the last one, so the stream is in journal order by construction, and adding an event that is
already there is refused and changes nothing: whichever instance learns of a committed event first may
add it. A batch of events is added by one Lua script: atomically, in one round trip. The stream is
trimmed to about ``stream_maxlen`` entries (``MAXLEN ~``).
"""

from collections.abc import AsyncIterator, Sequence
from typing import Any

from ordergate.adapters.shared.link import BLOCK_SECONDS, RedisLink

Message = tuple[str, bytes]  # (account, message as JSON)

# KEYS[1]: the stream; ARGV[1]: the length to trim to (about); then (entry id, account, message) triples.
APPEND = """
local added = 0
for i = 2, #ARGV, 3 do
  local done = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], ARGV[i], 'a', ARGV[i + 1], 'm', ARGV[i + 2])
  if type(done) == 'table' and done.err then
    if not string.find(done.err, 'equal or smaller', 1, true) then
      return redis.error_reply(done.err)
    end
  else
    added = added + 1
  end
end
return added
"""
Entry = tuple[bytes, int, str, bytes]  # (entry id, journal sequence, account, message)
PAGE = 1000  # entries read at a time


class RedisEventStream:
    """Append committed events' messages, read them back in order, and find the range Redis keeps."""

    def __init__(self, link: RedisLink) -> None:
        self._key = link.key("events")
        self._commands = link.commands
        self._blocking = link.blocking
        self._maxlen = link.stream_maxlen
        self._append = link.commands.register_script(APPEND)

    async def append(self, events: Sequence[tuple[int, Sequence[Message]]]) -> int:
        """Add each event's messages (one script: atomic, one round trip); return how many entries were new.

        Entries Redis already holds (another instance added them) are refused by their ids and skipped.
        """
        args: list[str | bytes | int] = [self._maxlen]
        for seq, messages in events:
            for index, (account, data) in enumerate(messages):
                args += (f"{seq}-{index}", account, data)
        return int(await self._append(keys=[self._key], args=args))

    async def bounds(self) -> tuple[int, int] | None:
        """Return the first and last journal sequence the stream holds, or None when it is empty."""
        first: Any = await self._commands.xrange(self._key, count=1)
        last: Any = await self._commands.xrevrange(self._key, count=1)
        if not first or not last:
            return None
        return _seq(first[0][0]), _seq(last[0][0])

    async def top(self) -> bytes | None:
        """Return the id of the newest entry, or None when the stream is empty."""
        last: Any = await self._commands.xrevrange(self._key, count=1)
        return bytes(last[0][0]) if last else None

    async def read(self, after: bytes) -> list[Entry]:
        """Return the entries after the id ``after``, waiting up to BLOCK_SECONDS for some."""
        answer: Any = await self._blocking.xread({self._key: after}, count=PAGE, block=int(BLOCK_SECONDS * 1000))
        return [_entry(i, f) for _, entries in answer or () for i, f in entries]

    async def pages(self, after_seq: int, last_seq: int) -> AsyncIterator[list[Entry]]:
        """Yield the entries of the events after ``after_seq`` up to ``last_seq``, oldest first, a page at a time."""
        start = f"{after_seq + 1}-0"
        while True:
            page: Any = await self._commands.xrange(self._key, min=start, max=str(last_seq), count=PAGE)
            yield [_entry(i, f) for i, f in page]
            if len(page) < PAGE:
                return
            start = "(" + page[-1][0].decode()


def _seq(entry_id: bytes) -> int:
    return int(entry_id.split(b"-", 1)[0])


def _entry(entry_id: bytes, fields: dict[bytes, bytes]) -> Entry:
    return entry_id, _seq(entry_id), fields[b"a"].decode(), fields[b"m"]
