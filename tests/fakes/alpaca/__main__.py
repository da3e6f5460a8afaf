"""Run the fake Alpaca alone: ``python -m tests.fakes.alpaca --port P [--key-id K --secret-key S]``."""

import argparse

import uvicorn

from tests.fakes.alpaca.broker import FakeBroker
from tests.fakes.alpaca.server import KEY_ID, SECRET_KEY, build_app


def main() -> None:
    """Serve the fake until interrupted."""
    parser = argparse.ArgumentParser(description="A local fake of Alpaca's Trading and Market Data APIs")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--key-id", default=KEY_ID)
    parser.add_argument("--secret-key", default=SECRET_KEY)
    args = parser.parse_args()
    app = build_app(FakeBroker(), args.key_id, args.secret_key)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", ws="websockets-sansio")


if __name__ == "__main__":
    main()
