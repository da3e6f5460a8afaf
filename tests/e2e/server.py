"""Start the real ordergate server as a subprocess on a free port, for end-to-end tests."""

import functools
import os
import signal
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.databases import database_url_for
from tests.ports import free_port

__all__ = ["ADMIN_KEY", "Server", "free_port", "server_starts"]

ADMIN_KEY = "e2e-admin-key-0123456789"
_starts = [0]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Return one TLS context (httpx's default: the CA bundle) for every client this test process makes.

    httpx loads the CA bundle for each client it builds, even one that only speaks plain HTTP: about 20 ms of
    CPU each time, and the suite builds thousands (every readiness poll used to build one).
    """
    return httpx.create_ssl_context()


def server_starts() -> int:
    """Return how many servers this test process has started (the suite's main cost; see tests/conftest.py)."""
    return _starts[0]


@dataclass
class Server:
    """A running ordergate server process."""

    data_dir: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"
    launcher: list[str] = field(default_factory=list)  # a command prefix, e.g. ip netns exec NAME

    @property
    def url(self) -> str:
        """Return the base URL."""
        return f"http://{self.host}:{self.port}"

    def env(self) -> dict[str, str]:
        """Return the environment the server and CLI run with."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERGATE_")}
        env.update({"ORDERGATE_ADMIN_KEY": ADMIN_KEY, "ORDERGATE_DATA_DIR": str(self.data_dir),
                    "ORDERGATE_URL": self.url, "ORDERGATE_LOG_LEVEL": "warning"})
        workers = os.environ.get("ORDERGATE_TEST_API_WORKERS")  # run the suite against front workers
        if workers:
            env["ORDERGATE_API__WORKERS"] = workers
        database_url = database_url_for(self.data_dir)
        if database_url is not None:
            env["ORDERGATE_DATABASE_URL"] = database_url
        env.update(self.env_extra)
        return env

    def start(self, timeout: float = 30.0) -> "Server":
        """Start the server and wait until /ready answers 200."""
        _starts[0] += 1
        log = open(self.data_dir / f"server-{self.port}.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [*self.launcher, sys.executable, "-m", "ordergate.entrypoints.cli", "serve", "--host", self.host,
             "--port", str(self.port)],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        with httpx.Client(verify=tls_context(), timeout=1) as poll:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited with {self.process.returncode}: {self.log_text()}")
                try:
                    if poll.get(f"{self.url}/ready").status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        self.stop(signal.SIGKILL)  # a server that never got ready must not outlive its test
        raise RuntimeError(f"server not ready after {timeout}s: {self.log_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server (SIGKILL simulates a crash)."""
        if self.process is None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log_text(self) -> str:
        """Return what the server printed."""
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in self.data_dir.glob("server-*.log"))

    def client(self) -> httpx.Client:
        """Return an authenticated HTTP client."""
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10,
                            verify=tls_context())
