"""Peer benchmark: ordergate's L2 book beside NautilusTrader's (Rust) L2 book, on one update stream, one run.

The stream is ``bench/book.py``'s (about 100 levels per side; 70 % size changes, 15 % new levels, 15 %
deletes, each with the next sequence number, each followed by a best bid and best ask read). Ours runs here,
in the project's environment, exactly as in ``bench/book.py``; the peer runs in NautilusTrader's own
virtual environment (``nautilus_book_peer.py``) on the same stream written to a temporary file. The repeats
alternate between the two. Prints both figures and their ratio, the last line as one JSON object.

Run:  make bench-peers   (or: .venv/bin/python bench/peers/nautilus_book.py --peer-python .peers-venv/bin/python)
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))

import machine  # noqa: E402  (bench/ is put on the path just above)
from book import make_stream, run_book  # noqa: E402
from ordergate.domain.enums import Side  # noqa: E402


def _peer(peer_python: str, path: str) -> dict[str, Any]:
    out = subprocess.run([peer_python, str(Path(__file__).with_name("nautilus_book_peer.py")), path],
                         check=True, capture_output=True, text=True).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Measure ours and the peer's in alternation and print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peer-python", default=str(BENCH.parent / ".peers-venv" / "bin" / "python"))
    args = parser.parse_args()
    print(f"rerun: .venv/bin/python bench/peers/nautilus_book.py --updates {args.updates} --repeat {args.repeat} "
          f"--peer-python {args.peer_python}")
    bids, asks, stream = make_stream(args.updates)
    text = {"bids": [(str(p), str(s)) for p, s in bids], "asks": [(str(p), str(s)) for p, s in asks], "repeat": 1,
            "updates": [("B" if side is Side.BUY else "S", str(p), str(s), seq) for side, p, s, seq in stream]}
    ours, peer = [], []
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        json.dump(text, file)
        file.flush()
        for _ in range(args.repeat):
            ours.append(run_book(bids, asks, stream))
            figures = _peer(args.peer_python, file.name)
            peer.append(max(figures["update_calls_per_s"], figures["apply_delta_per_s"]))
    ours_rate, peer_rate = statistics.median(ours), statistics.median(peer)
    ratio = round(ours_rate / peer_rate, 2)
    print(f"ordergate L2 book: {ours_rate:,.0f} updates/s; NautilusTrader L2 book: {peer_rate:,.0f} updates/s; "
          f"ratio {ratio} (target >= 0.6)")
    print(json.dumps({"benchmark": "peers_nautilus_book", "date": datetime.now(UTC).date().isoformat(),
                      "updates": args.updates, "repeat": args.repeat, "ordergate_updates_per_s": round(ours_rate),
                      "nautilus_updates_per_s": round(peer_rate), "ratio": ratio, "target_ratio": 0.6,
                      "machine": machine.speed()}))


if __name__ == "__main__":
    main()
