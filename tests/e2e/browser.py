"""Headless Chromium driven over the DevTools protocol, for testing the blotter as a person uses it.

Chromium comes from Debian's package (``/usr/bin/chromium``); `.ci/run` installs it. Without it the
blotter tests skip with the reason, except in CI, where a missing browser is a failure.
"""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import websockets

from tests.e2e.server import free_port

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000"]


def chromium_or_skip() -> str:
    """Return the Chromium executable, or skip the test (fail in CI, where .ci/run must have installed it)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Chromium not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


class Page:
    """One browser tab: evaluate JavaScript in it, wait for a condition, navigate."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._next = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result (events in between are ignored)."""
        self._next += 1
        ident = self._next
        await self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(await self._ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))

    async def js(self, expression: str) -> Any:
        """Return the value of a JavaScript expression evaluated in the page (promises awaited)."""
        result = await self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value or fail with the last one.

        The default allows a loaded machine (a slow CI day runs three times slower): a wait that succeeds
        returns at once, only a failing one takes the whole timeout."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = await self.js(expression)
            if value:
                return value
            await asyncio.sleep(0.1)
        raise AssertionError(f"never true within {timeout} s: {expression} (last value {value!r})")

    async def goto(self, url: str) -> None:
        """Open a URL and wait until its document has loaded."""
        await self.call("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete'")


@asynccontextmanager
async def browser_page() -> AsyncIterator[Page]:
    """Start a fresh headless Chromium (own profile, own debugging port) and yield its first tab."""
    executable = chromium_or_skip()
    port = free_port()
    # Chromium's helper processes may still write to the profile as it goes: clean up what can be
    with tempfile.TemporaryDirectory(prefix="og-chromium-", ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen([executable, *FLAGS, f"--user-data-dir={profile}",
                                    f"--remote-debugging-port={port}", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            async with websockets.connect(await _page_socket(port), max_size=2**26) as ws:
                page = Page(ws)
                await page.call("Page.enable")
                yield page
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill Chromium and its helper processes (its own session) and wait for the browser to exit."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


async def _page_socket(port: int, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=1) as answer:
                targets = json.load(answer)
            return str(next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page"))
        except (OSError, StopIteration, ValueError):
            await asyncio.sleep(0.1)
    raise AssertionError(f"Chromium did not open its debugging port {port} within {timeout} s")
