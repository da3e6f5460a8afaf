"""The fake Upstox in its own process (``python -m tests.fakes.upstox``), for tests that run ``ordergate serve``."""

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.server import free_port

REPO = Path(__file__).resolve().parents[3]
TOKEN = "e2e-upstox-token"


class FakeProcess:
    """``python -m tests.fakes.upstox`` on a free port, driven over its /_fake routes."""

    def __init__(self, log: Path, token: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.fakes.upstox", "--port", str(self.port), "--token", token],
                cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{self.url}/_fake/orders", timeout=1)
                return
            except httpx.HTTPError:
                assert time.monotonic() < deadline and self.process.poll() is None, "fake Upstox did not start"
                time.sleep(0.1)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """Call one of the /_fake control routes."""
        return httpx.post(f"{self.url}/_fake/{path}", json=body, timeout=5).json()

    def orders(self, tag: str) -> list[dict[str, Any]]:
        """Return the fake's orders carrying ``tag`` (our order id)."""
        state = httpx.get(f"{self.url}/_fake/orders", timeout=5).json()["data"]
        return [o for o in state["orders"] if o["tag"] == tag]

    def stop(self) -> None:
        """Stop the fake."""
        self.process.terminate()
        self.process.wait(timeout=10)


def serve_env(fake: FakeProcess, token: str = TOKEN) -> dict[str, str]:
    """Return the settings that route RELIANCE to Upstox at the fake, with short timeouts and backoffs."""
    return {
        "ORDERGATE_ROUTES": json.dumps({"RELIANCE": "upstox"}),
        "ORDERGATE_VENUES__UPSTOX__ACCESS_TOKEN": token, "ORDERGATE_VENUES__UPSTOX__API_URL": fake.url,
        "ORDERGATE_VENUES__UPSTOX__ORDER_URL": fake.url, "ORDERGATE_VENUES__UPSTOX__TIMEOUT": "2",
        "ORDERGATE_VENUES__UPSTOX__BACKOFF_INITIAL": "0.05", "ORDERGATE_VENUES__UPSTOX__BACKOFF_MAX": "0.5",
        # the server runs on the wall clock and the fake's market never closes unless told: regular orders
        "ORDERGATE_VENUES__UPSTOX__AMO": "never",
    }
