"""Keys from the real CLI against the real server, and a scripted session whose server log holds no secret."""

import json
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.e2e.server import ADMIN_KEY, Server

pytestmark = pytest.mark.e2e


def cli(server: Server, *args: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``ordergate ARGS`` against the server (with another key than the admin's if given)."""
    env = server.env() | ({"ORDERGATE_API_KEY": key} if key else {})
    return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_keys_cli_when_created_listed_rotated_and_revoked_then_each_secret_works_until_replaced(
    tmp_path: Path,
) -> None:
    server = Server(tmp_path, env_extra={"ORDERGATE_LOG_LEVEL": "debug"}).start()
    try:
        made = json.loads(cli(server, "keys", "create", "--role", "trader", "--name", "desk",
                              "--account", "PAPER", "--json").stdout)
        listed = cli(server, "keys", "list")
        as_trader = cli(server, "order", "list", "--json", key=made["secret"])
        refused = cli(server, "keys", "list", key=made["secret"])
        rotated = json.loads(cli(server, "keys", "rotate", made["id"], "--json").stdout)
        old = cli(server, "order", "list", key=made["secret"])
        revoked = cli(server, "keys", "revoke", rotated["id"])
        new = cli(server, "order", "list", key=rotated["secret"])
        opened = json.loads(cli(server, "account", "open", "DESK-2", "--cash", "USD=5000", "--json").stdout)
        cli(server, "account", "deposit", "DESK-2", "usd", "250", "--reason", "top up")
        drawn = json.loads(cli(server, "account", "withdraw", "DESK-2", "USD", "1000", "--json").stdout)
        shown = cli(server, "account", "DESK-2", "--json")
        _scripted_session(server, rotated["secret"])
        log = server.log_text()
    finally:
        server.stop()

    assert (made["role"], made["accounts"]) == ("trader", ["PAPER"])
    assert made["id"] in listed.stdout and made["secret"] not in listed.stdout
    assert as_trader.returncode == 0, as_trader.stderr
    assert refused.returncode == 1 and "403" in refused.stderr and "'trader'" in refused.stderr
    assert old.returncode == 1 and "401" in old.stderr
    assert revoked.returncode == 0 and rotated["id"] in revoked.stdout
    assert new.returncode == 1 and "401" in new.stderr
    assert opened["balances"]["USD"]["cash"] == "5000.00"
    assert drawn["balances"]["USD"]["cash"] == "4250.00" == json.loads(shown.stdout)["balances"]["USD"]["cash"]
    assert "WebSocket" in log  # the session's connections were logged, at debug level too
    for secret in (ADMIN_KEY, made["secret"], rotated["secret"], "wrong-key-0123456789"):
        assert secret not in log


def _scripted_session(server: Server, other_secret: str) -> None:
    """Use every way a key can be presented, right and wrong, so that the log has its chance to leak it."""
    ws_url = server.url.replace("http://", "ws://") + "/api/v1/stream"
    for query in (f"?key={ADMIN_KEY}", "?key=wrong-key-0123456789", f"?token={other_secret}"):
        with connect(ws_url + query, open_timeout=10) as ws, pytest.raises(ConnectionClosed):
            ws.send('{"auth": "wrong-key-0123456789"}')  # refused for the URL's key, or for this one
            ws.recv(timeout=10)
    with connect(ws_url, open_timeout=10) as ws:
        ws.send(orjson.dumps({"auth": ADMIN_KEY}).decode())
        assert orjson.loads(ws.recv(timeout=10))["type"] == "hello"
    for key in (ADMIN_KEY, "wrong-key-0123456789", other_secret):
        headers = {"Authorization": f"Bearer {key}"}
        httpx.post(f"{server.url}/api/v1/orders/", headers=headers, content=b"{not json", timeout=10)
        httpx.get(f"{server.url}/api/v1/orders/?key={key}", headers=headers, timeout=10)


def test_stream_when_key_holds_its_cap_of_connections_then_one_more_is_refused(tmp_path: Path) -> None:
    server = Server(tmp_path, env_extra={"ORDERGATE_API__WS_CONNECTIONS_PER_KEY": "2"}).start()
    ws_url = server.url.replace("http://", "ws://") + "/api/v1/stream"
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    try:
        with connect(ws_url, additional_headers=headers, open_timeout=10) as first, \
                connect(ws_url, additional_headers=headers, open_timeout=10) as second:
            assert orjson.loads(first.recv(timeout=10))["type"] == orjson.loads(second.recv(timeout=10))["type"]
            with connect(ws_url, additional_headers=headers, open_timeout=10) as third, \
                    pytest.raises(ConnectionClosed) as closed:
                third.recv(timeout=10)
    finally:
        server.stop()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008 and "2 streams" in closed.value.rcvd.reason


def test_account_cli_when_opened_with_name_and_venue_then_shown_and_when_closed_then_takes_no_cash(
    tmp_path: Path,
) -> None:
    server = Server(tmp_path).start()
    try:
        opened = cli(server, "account", "open", "DESK-3", "--cash", "USD=1000", "--name", "Index desk",
                     "--venue", "paper")
        unknown_venue = cli(server, "account", "open", "DESK-4", "--cash", "USD=1000", "--venue", "nowhere")
        closed = cli(server, "account", "close", "DESK-3", "--reason", "desk wound down")
        shown = json.loads(cli(server, "account", "DESK-3", "--json").stdout)
        again = cli(server, "account", "close", "DESK-3", "--reason", "twice")
        deposit = cli(server, "account", "deposit", "DESK-3", "USD", "10")
        journal = httpx.get(f"{server.url}/api/v1/audit/", params={"account": "DESK-3"},
                            headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)
    finally:
        server.stop()

    assert opened.returncode == 0, opened.stderr
    assert "Account DESK-3 Index desk (cash, 0 working orders, venues paper)" in " ".join(opened.stdout.split())
    assert unknown_venue.returncode == 1 and "venues" in unknown_venue.stderr and "nowhere" in unknown_venue.stderr
    assert closed.returncode == 0, closed.stderr
    assert "CLOSED" in closed.stdout
    assert (shown["name"], shown["venues"], shown["closed"]) == ("Index desk", ["paper"], True)
    assert shown["balances"]["USD"]["cash"] == "1000.00"
    assert again.returncode == 1 and "409" in again.stderr and "already closed" in again.stderr
    assert deposit.returncode == 1 and "409" in deposit.stderr and "closed" in deposit.stderr
    assert journal.status_code == 200, journal.text
    assert "desk wound down" in journal.text
