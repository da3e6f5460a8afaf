"""The peer's half of ``nautilus_book.py``: NautilusTrader's L2 book on a stream read from a file.

Runs in NautilusTrader's own virtual environment; reads the snapshot and the update stream that
``nautilus_book.py`` wrote (prices and sizes as strings, sides as "B"/"S"), builds the peer's own price,
size and order objects before timing (as ours gets Decimals already parsed), then times the same work:
each update applied with its sequence number and followed by a best bid and best ask read. Two ways of
feeding the peer are timed (its ``update``/``delete`` calls and its ``apply_delta`` with prebuilt deltas);
the faster counts. Prints one JSON object.

Run by ``nautilus_book.py``; alone:  .peers-venv/bin/python bench/peers/nautilus_book_peer.py STREAM.json
"""

import json
import statistics
import sys
import time

from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import BookOrder, OrderBookDelta
from nautilus_trader.model.enums import BookAction, BookType, OrderSide
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.objects import Price, Quantity

INSTRUMENT = InstrumentId.from_str("AAPL.SIM")
SIDES = {"B": OrderSide.BUY, "S": OrderSide.SELL}


def _order(side: str, price: str, size: str) -> BookOrder:
    return BookOrder(SIDES[side], Price.from_str(price), Quantity.from_str(size), 0)


def _snapshot(data: dict) -> OrderBook:  # type: ignore[type-arg]
    book = OrderBook(INSTRUMENT, BookType.L2_MBP)
    for side, levels in (("B", data["bids"]), ("S", data["asks"])):
        for price, size in levels:
            book.add(_order(side, price, size), 0, 0)
    return book


def run_calls(data: dict, stream: list[tuple[BookOrder, bool, int]]) -> float:  # type: ignore[type-arg]
    """Time ``update``/``delete`` per level change, each followed by a best bid/ask read."""
    book = _snapshot(data)
    update, delete, best_bid, best_ask = book.update, book.delete, book.best_bid_price, book.best_ask_price
    start = time.perf_counter()
    for order, removes, seq in stream:
        if removes:
            delete(order, seq, 0, seq)
        else:
            update(order, seq, 0, seq)
        best_bid()
        best_ask()
    return len(stream) / (time.perf_counter() - start)


def run_deltas(data: dict, deltas: list[OrderBookDelta]) -> float:  # type: ignore[type-arg]
    """Time ``apply_delta`` with prebuilt deltas, each followed by a best bid/ask read."""
    book = _snapshot(data)
    apply, best_bid, best_ask = book.apply_delta, book.best_bid_price, book.best_ask_price
    start = time.perf_counter()
    for delta in deltas:
        apply(delta)
        best_bid()
        best_ask()
    return len(deltas) / (time.perf_counter() - start)


def main() -> None:
    """Read the stream, time both ways over the repeats, print the medians as JSON."""
    with open(sys.argv[1]) as file:
        data = json.load(file)
    stream = [(_order(side, price, size), size == "0", seq) for side, price, size, seq in data["updates"]]
    deltas = [OrderBookDelta(INSTRUMENT, BookAction.DELETE if removes else BookAction.UPDATE, order, 0, seq, seq, seq)
              for order, removes, seq in stream]
    calls, applied = [], []
    for _ in range(data["repeat"]):
        calls.append(run_calls(data, stream))
        applied.append(run_deltas(data, deltas))
    print(json.dumps({"update_calls_per_s": round(statistics.median(calls)),
                      "apply_delta_per_s": round(statistics.median(applied))}))


if __name__ == "__main__":
    main()
