"""Drive the ``docker`` command for the image tests: build, run, inspect, stop, remove.

Every container these tests start uses the host's network (``--network host``), so the server inside
reaches the machine's PostgreSQL and Redis on 127.0.0.1 and its traffic never leaves this machine.
"""

import json
import os
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ENABLE_VARIABLE = "ORDERGATE_TEST_CONTAINER"
BASE_VARIABLE = "ORDERGATE_BASE_IMAGE"
BUILT_VARIABLE = "ORDERGATE_TEST_IMAGE"
IMAGE = "ordergate:test"
BUILD_TIMEOUT = 900  # seconds: a first build fetches every dependency


def enabled() -> bool:
    """Return whether the image tests were asked for (they build an image: minutes, not seconds)."""
    return os.environ.get(ENABLE_VARIABLE, "") not in ("", "0", "false")


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one ``docker`` command; on failure raise with its output."""
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def engine_problem() -> str | None:
    """Return why no Docker engine can be used here, or None if one answers."""
    try:
        done = docker("info", "--format", "{{.ServerVersion}}", timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"docker: {e}"
    return None if done.returncode == 0 else f"no Docker engine answers: {done.stderr.strip()}"


def build_image() -> str:
    """Build the repository's Dockerfile as ``ordergate:test`` (base from ORDERGATE_BASE_IMAGE if set).

    With ORDERGATE_TEST_IMAGE set (``.ci/container/run`` has just built it), use that image as it is.
    """
    built = os.environ.get(BUILT_VARIABLE)
    if built:
        docker("image", "inspect", built)
        return built
    base = os.environ.get(BASE_VARIABLE)
    args = ["build", "--network", "host", "--tag", IMAGE]
    if base:
        args += ["--build-arg", f"BASE_IMAGE={base}"]
    docker(*args, str(ROOT), timeout=BUILD_TIMEOUT)
    return IMAGE


def run_container(name: str, env: dict[str, str]) -> None:
    """Start the image in the background on the host's network, its health checked every 2 s."""
    flags = [item for key, value in env.items() for item in ("--env", f"{key}={value}")]
    docker("run", "--detach", "--name", name, "--network", "host", "--health-interval", "2s", *flags, IMAGE)


def inspect(name: str) -> dict[str, Any]:
    """Return ``docker inspect`` of one container."""
    found: list[dict[str, Any]] = json.loads(docker("inspect", name).stdout)
    return found[0]


def logs(name: str) -> str:
    """Return what the container printed (for failure messages)."""
    done = docker("logs", "--tail", "60", name, check=False)
    return done.stdout + done.stderr


def remove(name: str) -> None:
    """Remove the container, running or not."""
    docker("rm", "--force", "--volumes", name, check=False)
