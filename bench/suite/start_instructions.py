"""Instructions of one server start and stop, counted by valgrind's callgrind: the same whatever the load.

What ``ordergate serve`` runs on a fresh SQLite data directory, in one process: the interpreter's start,
the command line, the ``serve`` command (its imports, settings, writer lock, app), then the app's start
(migrations, replay, venues, engine) and stop, as uvicorn's lifespan runs them. Only uvicorn's sockets are
left out: ``uvicorn.run`` is replaced by the lifespan alone (so uvicorn is imported before the command).
The package's bytecode is written first, as the test suite writes it (tests/bytecode.py).

For a same-run A/B against older code: extract it (``git archive COMMIT src | tar -x -C /tmp/old``, and copy
the compiled ``src/ordergate/domain/*.so`` beside it) and pass ``--src /tmp/old/src``.

Run:  .venv/bin/python bench/suite/start_instructions.py [--src DIR]
(needs valgrind: apt-get install -y valgrind; about a minute)
"""

import argparse
import compileall
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _count(src: Path) -> int:
    """Run this file's ``--inner`` mode under callgrind with ordergate from ``src``; return its instructions."""
    compileall.compile_dir(src / "ordergate", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERGATE_")}
        env.update({"PYTHONHASHSEED": "0", "PYTHONPATH": str(src), "ORDERGATE_DATA_DIR": f"{tmp}/data",
                    "ORDERGATE_ADMIN_KEY": "bench-admin-key-0123456789", "ORDERGATE_LOG_LEVEL": "warning"})
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", sys.executable, __file__, "--inner"],
            env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or "stopped" not in done.stdout:
        raise SystemExit(f"the start did not finish:\n{done.stdout}\n{done.stderr[-3000:]}")
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def _inner() -> None:
    """Run ``ordergate serve`` with uvicorn's serving replaced by the app's lifespan: start, then stop."""
    import asyncio

    import uvicorn

    def lifespan_only(app: object, **_: object) -> None:
        async def start_and_stop() -> None:
            async with app.router.lifespan_context(app):  # type: ignore[attr-defined]
                pass

        asyncio.run(start_and_stop())

    uvicorn.run = lifespan_only  # type: ignore[assignment]
    from ordergate.entrypoints.cli.main import app

    app(["serve"], prog_name="ordergate", standalone_mode=False)
    print("stopped")


def main() -> None:
    """Count the instructions of a server start and stop (and of another src tree's, if given); print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=None, help="another src tree to count first (A/B)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        _inner()
        return
    result: dict[str, object] = {"benchmark": "server_start_instructions"}
    if args.src:
        result["other_src_instructions"] = _count(Path(args.src).resolve())
    result["instructions"] = _count(SRC)
    print("rerun: .venv/bin/python bench/suite/start_instructions.py" + (f" --src {args.src}" if args.src else ""))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
