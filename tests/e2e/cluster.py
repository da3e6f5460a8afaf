"""Several real ordergate servers on one fresh PostgreSQL database: a leader and its standbys."""

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.databases import new_postgres_database
from tests.e2e.server import Server


@dataclass
class Cluster:
    """Servers sharing one database; ``instances[i]`` lives in ``base/i``."""

    base: Path
    url: str = field(default_factory=new_postgres_database)
    instances: list[Server] = field(default_factory=list)

    def add(self, env: dict[str, str] | None = None, host: str = "127.0.0.1", launcher: list[str] | None = None,
            database_host: str | None = None) -> Server:
        """Start one more instance (the first becomes the leader) and wait until it is ready.

        ``host``/``launcher``: where it listens and what runs it (a network namespace); ``database_host``:
        the address it reaches PostgreSQL at, instead of the loopback.
        """
        data_dir = self.base / f"node{len(self.instances)}"
        data_dir.mkdir(parents=True)
        url = self.url.replace("@127.0.0.1:", f"@{database_host}:") if database_host else self.url
        server = Server(data_dir, env_extra={"ORDERGATE_DATABASE_URL": url, **(env or {})}, host=host,
                        launcher=launcher or [])
        self.instances.append(server.start())
        return server

    def running(self) -> list[Server]:
        """Return the instances whose process still runs."""
        return [s for s in self.instances if s.process is not None and s.process.poll() is None]

    def leader(self, timeout: float = 10.0) -> Server:
        """Return the instance that says it leads, waiting up to ``timeout`` seconds for one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for server in self.running():
                try:
                    if httpx.get(f"{server.url}/ready", timeout=1).json().get("role") == "leader":
                        return server
                except (httpx.HTTPError, ValueError):
                    pass
            time.sleep(0.05)
        raise AssertionError(f"no leader after {timeout}s")

    def ordergate(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``ordergate ARGS`` against the cluster's database."""
        env = {**self.instances[0].env(), "ORDERGATE_DATABASE_URL": self.url}
        return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=env,
                              capture_output=True, text=True, timeout=120)

    def stop(self) -> None:
        """Stop every instance still running."""
        for server in self.instances:
            server.stop()
