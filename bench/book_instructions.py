"""Count the CPU instructions one L2 book update costs (valgrind's callgrind): a figure the load cannot move.

Run: .venv/bin/python bench/book_instructions.py [--updates 60000] [--fresh-decimals]

Runs ``bench/book.py``'s update stream (with a best bid/ask read after each update) under callgrind twice,
once with one pass over the stream and once with two; the difference is one pass, so building the stream
and starting Python cancel out. Prints instructions per update, and whether the book module ran compiled
(mypyc) or as pure Python (``ORDERGATE_PURE_PYTHON=1``); the last line is JSON. Needs valgrind.

The stream shares its Decimal objects between updates (one per tick and per size), as ``bench/book.py``'s
does, so a Decimal's hash, which Python keeps in the object, is computed once. ``--fresh-decimals`` gives
each update its own price and size objects instead, as a feed parser does: the book then pays for hashing
them on every update.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _child(updates: int, passes: int, fresh: bool) -> None:
    sys.path.insert(0, str(HERE))
    from decimal import Decimal

    from book import make_stream, run_book

    bids, asks, stream = make_stream(updates)
    # Fresh: two copies made either way (so the difference of two passes and one is one pass, not a copy).
    streams = [[(side, Decimal(str(p)), Decimal(str(s)), seq) for side, p, s, seq in stream] for _ in range(2)] \
        if fresh else [stream, stream]
    for i in range(passes):
        run_book(bids, asks, streams[i])


def _instructions(updates: int, passes: int, fresh: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__,
                        "--child", str(passes), "--updates", str(updates), *(["--fresh-decimals"] if fresh else [])],
                       env={**os.environ, "PYTHONHASHSEED": "0"}, check=True, capture_output=True)
        found = re.search(r"^summary:\s+(\d+)", out.read_text(), re.MULTILINE)
        if found is None:
            raise SystemExit("callgrind wrote no summary")
        return int(found.group(1))


def main() -> None:
    """Count one pass as the difference between two passes and one; print the figure per update."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=60_000)
    parser.add_argument("--fresh-decimals", action="store_true", help="a new Decimal object per price and size")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.updates, min(args.child, 2), args.fresh_decimals)
        return
    from ordergate.domain import book

    compiled = not book.__file__.endswith(".py") if book.__file__ else False
    fresh = args.fresh_decimals
    per_update = (_instructions(args.updates, 2, fresh) - _instructions(args.updates, 1, fresh)) / args.updates
    print(f"rerun: .venv/bin/python bench/book_instructions.py --updates {args.updates}"
          f"{' --fresh-decimals' if fresh else ''}{'' if compiled else '  (with ORDERGATE_PURE_PYTHON=1)'}")
    print(f"{per_update:,.0f} instructions per update with a top read ({'compiled' if compiled else 'pure Python'}"
          f"{', a fresh Decimal per value' if fresh else ''})")
    print(json.dumps({"benchmark": "book_instructions", "updates": args.updates, "compiled": compiled,
                      "fresh_decimals": fresh,
                      "pure_python_env": os.environ.get("ORDERGATE_PURE_PYTHON", ""),
                      "instructions_per_update": round(per_update)}))


if __name__ == "__main__":
    main()
