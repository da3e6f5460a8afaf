"""``ordergate serve``: its flags take effect, and a bad setting stops it with a clear message."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import ADMIN_KEY, free_port

pytestmark = pytest.mark.e2e


def _env(data_dir: Path, **settings: str) -> dict[str, str]:
    """Return an environment with only these settings, on SQLite (the default database, in the data dir)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERGATE_")}
    return {**env, "ORDERGATE_ADMIN_KEY": ADMIN_KEY, "ORDERGATE_DATA_DIR": str(data_dir),
            "ORDERGATE_LOG_LEVEL": "warning", **settings}


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited with {process.returncode}"
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server not ready after {timeout}s")


def test_serve_when_host_port_and_data_dir_flags_given_then_listens_there_with_its_database_in_that_dir(
    tmp_path: Path,
) -> None:
    flagged, from_env = tmp_path / "flagged", tmp_path / "from-env"
    port = free_port()
    command = [sys.executable, "-m", "ordergate.entrypoints.cli", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--data-dir", str(flagged)]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(command, env=_env(from_env), stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(process, f"http://127.0.0.1:{port}")

        ping = httpx.post(f"http://127.0.0.1:{port}/api/v1/ping", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert ping.json() | {"key_id": "admin"} == {"pong": True, "principal": "admin", "key_id": "admin",
                                                      "role": "admin"}
        assert (flagged / "ordergate.db").is_file()
        assert not (from_env / "ordergate.db").exists()  # the flag wins over ORDERGATE_DATA_DIR
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


@pytest.mark.parametrize(("setting", "value", "named"), [
    ("ORDERGATE_PORT", "99999", "port"),
    ("ORDERGATE_PORT", "eighty", "port"),
    ("ORDERGATE_LOG_LEVEL", "loud", "log_level"),
    ("ORDERGATE_ENGINE__MAX_BATCH", "0", "engine.max_batch"),
    ("ORDERGATE_PAPER__ACK_LATENCY", "-1", "paper.ack_latency"),
    ("ORDERGATE_ADMIN_KEY", "short", "admin_key"),
    ("ORDERGATE_RISK__TRADING_DAY_TIMEZONE", "Mars/Base", "risk.trading_day_timezone"),
    ("ORDERGATE_RISK__DEFAULTS", "{not json", '"risk"'),
])
def test_serve_when_a_setting_is_bad_then_exits_2_naming_it_without_traceback_and_starts_nothing(
    tmp_path: Path, setting: str, value: str, named: str,
) -> None:
    result = subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", "serve"],
                            env=_env(tmp_path / "data", **{setting: value}), capture_output=True, text=True,
                            timeout=60)

    message = " ".join(result.stderr.split())  # the console wraps long lines
    assert result.returncode == 2, result.stderr
    assert message.startswith("bad setting")
    assert named in message
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "data").exists()
