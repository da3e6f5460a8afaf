"""The compose deployment's HAProxy and Prometheus, run from this machine's binaries on its own configuration
files (deploy/haproxy/haproxy.cfg, deploy/prometheus/prometheus.yml), pointed at containers on localhost.

Only the addresses change: compose names the instances ``ordergate-N:8000`` and finds them through Docker's
DNS; here they answer on 127.0.0.1 at ports of their own.
"""

import contextlib
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tests.container.engine import ROOT
from tests.ports import free_port

DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "ordergate.json"
TOOLS = ("haproxy", "prometheus")
READY_TIMEOUT = 30.0


def missing_tools() -> list[str]:
    """Return the binaries these helpers need that are not installed (Debian: haproxy, prometheus)."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def haproxy_config(ports: list[int], listen: int) -> str:
    """Return deploy/haproxy/haproxy.cfg with the instances at 127.0.0.1:``ports`` and the front at ``listen``."""
    config = (DEPLOY / "haproxy" / "haproxy.cfg").read_text()
    config = re.sub(r"^resolvers docker\n(?:    .*\n)+", "", config, flags=re.MULTILINE)
    config = config.replace(" resolvers docker init-addr last,libc,none", "")
    config = config.replace("bind :8000", f"bind 127.0.0.1:{listen}")
    for n, port in enumerate(ports, start=1):
        config = config.replace(f"ordergate-{n}:8000", f"127.0.0.1:{port}")
    return config


def prometheus_config(ports: list[int]) -> str:
    """Return deploy/prometheus/prometheus.yml scraping 127.0.0.1:``ports`` every second."""
    config = (DEPLOY / "prometheus" / "prometheus.yml").read_text()
    config = config.replace("scrape_interval: 5s", "scrape_interval: 1s")
    for n, port in enumerate(ports, start=1):
        config = config.replace(f'"ordergate-{n}:8000"', f'"127.0.0.1:{port}"')
    return config


@contextlib.contextmanager
def process(args: list[str], ready_url: str, log: Path) -> Iterator[None]:
    """Run a program until the block ends, entering the block once ``ready_url`` answers 200."""
    with log.open("w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not _answers(ready_url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{args[0]} did not come up: {log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def haproxy(ports: list[int], folder: Path) -> Iterator[str]:
    """Run HAProxy on the deployment's configuration in front of the instances; yield its base URL."""
    listen = free_port()
    config = folder / "haproxy.cfg"
    config.write_text(haproxy_config(ports, listen))
    with process(["haproxy", "-f", str(config)], f"http://127.0.0.1:{listen}/health", folder / "haproxy.log"):
        yield f"http://127.0.0.1:{listen}"


@contextlib.contextmanager
def prometheus(ports: list[int], folder: Path) -> Iterator[str]:
    """Run Prometheus on the deployment's configuration, scraping the instances; yield its base URL."""
    listen = free_port()
    config = folder / "prometheus.yml"
    config.write_text(prometheus_config(ports))
    args = ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={folder / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{listen}"]
    with process(args, f"http://127.0.0.1:{listen}/-/ready", folder / "prometheus.log"):
        yield f"http://127.0.0.1:{listen}"


def query(base: str, expr: str) -> list[dict[str, Any]]:
    """Return the series Prometheus answers for ``expr`` now; fail with its error if the query is refused."""
    answer = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert answer["status"] == "success", f"{expr}: {answer}"
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result


def dashboard_queries() -> dict[str, str]:
    """Return every query of the provisioned dashboard, by its panel's title and legend."""
    dashboard = json.loads(DASHBOARD.read_text())
    return {f"{panel['title']} / {target['legendFormat']}": target["expr"]
            for panel in dashboard["panels"] for target in panel.get("targets", [])}


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False
