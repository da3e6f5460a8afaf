"""The admin API key the server makes at first start when ORDERGATE_ADMIN_KEY is not set."""

import stat
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import ADMIN_KEY, Server

pytestmark = pytest.mark.e2e


@dataclass
class KeylessServer(Server):
    """A server started with no ORDERGATE_ADMIN_KEY in its environment."""

    def env(self) -> dict[str, str]:
        """Return the usual environment without the admin key."""
        env = super().env()
        del env["ORDERGATE_ADMIN_KEY"]
        return env


def _ping(server: Server, key: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/ping", headers={"Authorization": f"Bearer {key}"}, timeout=10)


def test_first_start_when_no_admin_key_set_then_one_is_printed_saved_and_works_as_bearer_key(tmp_path: Path) -> None:
    server = KeylessServer(tmp_path).start()
    try:
        key_file = tmp_path / "admin.key"
        key = key_file.read_text().strip()

        assert key.startswith("og_") and len(key) >= 40
        assert key in server.log_text()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert _ping(server, key).json()["principal"] == "admin"
        assert _ping(server, ADMIN_KEY).status_code == 401
    finally:
        server.stop()


def test_restart_when_key_was_generated_then_same_key_still_works_and_is_not_printed_again(tmp_path: Path) -> None:
    first = KeylessServer(tmp_path).start()
    first.stop()
    key = (tmp_path / "admin.key").read_text().strip()

    again = KeylessServer(tmp_path, port=first.port).start()
    try:
        assert (tmp_path / "admin.key").read_text().strip() == key
        assert _ping(again, key).status_code == 200
        assert again.log_text().count(key) == 1  # printed at the first start only
    finally:
        again.stop()
