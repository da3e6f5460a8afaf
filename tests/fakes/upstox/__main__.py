"""Run the fake Upstox alone: ``python -m tests.fakes.upstox --port P [--token T]``."""

import argparse
import contextlib
import signal
import threading

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.server import FakeUpstoxServer


def main() -> None:
    """Serve until interrupted; print the URL and the access token to use."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.upstox", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--token", default=None, help="access token to accept (default: a new random one)")
    parser.add_argument("--fill-parts", type=int, default=1, help="trades per marketable order")
    args = parser.parse_args()
    fake = FakeUpstox(fill_parts=args.fill_parts)
    token = fake.issue_token(args.token)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with FakeUpstoxServer(fake, args.port) as server:
        print(f"fake Upstox at {server.url} token {token}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            done.wait()


if __name__ == "__main__":
    main()
