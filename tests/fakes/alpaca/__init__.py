"""A local fake Alpaca: Trading REST, the ``trade_updates`` stream, the market data stream and latest quotes.

It speaks the wire formats of Alpaca's Trading API v2 and Market Data v2 closely enough that the official
alpaca-py SDK parses everything it sends, keeps a simple book of its own (one quote per symbol), and has
fault knobs (``Faults``) for the failures a real broker connection shows. Run it alone with
``python -m tests.fakes.alpaca --port P``; tests start it in-process with ``FakeAlpacaServer``.
"""

from tests.fakes.alpaca.broker import FakeBroker
from tests.fakes.alpaca.faults import Faults
from tests.fakes.alpaca.server import FakeAlpacaServer, build_app

__all__ = ["FakeAlpacaServer", "FakeBroker", "Faults", "build_app"]
