"""The real CLI against the real server."""

import json
import subprocess
import sys

import pytest

from tests.e2e.helpers import wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


def cli(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``ordergate ARGS`` against the server."""
    return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=server.env(),
                          capture_output=True, text=True, timeout=60)


def test_cli_when_submitting_and_listing_then_tables_and_json_work(shared_server: Server) -> None:
    submitted = cli(shared_server, "order", "submit", "MSFT", "buy", "5", "--json")
    order = json.loads(submitted.stdout)
    with shared_server.client() as c:
        wait_for_status(c, order["id"], {"filled"})

    shown = cli(shared_server, "order", "show", order["id"])
    listed = cli(shared_server, "order", "list", "--json")
    positions = cli(shared_server, "positions")
    account = cli(shared_server, "account", "--json")

    assert submitted.returncode == 0, submitted.stderr
    assert order["symbol"] == "MSFT" and order["qty"] == "5"
    assert "filled" in shown.stdout
    assert order["id"] in [o["id"] for o in json.loads(listed.stdout)["items"]]
    assert "MSFT" in positions.stdout
    assert "USD" in json.loads(account.stdout)["balances"]


def test_cli_when_modifying_and_canceling_then_order_follows(shared_server: Server) -> None:
    order = json.loads(cli(shared_server, "order", "submit", "SPY", "buy", "2", "--type", "limit", "--limit", "100",
                           "--tif", "gtc", "--json").stdout)
    with shared_server.client() as c:
        wait_for_status(c, order["id"], {"new"})
        modified = cli(shared_server, "order", "modify", order["id"], "--limit", "101")
        wait_for_status(c, order["id"], {"new"})
        canceled = cli(shared_server, "order", "cancel", order["id"], "--reason", "test over")
        final = wait_for_status(c, order["id"], {"canceled"})
        cancel_all = cli(shared_server, "order", "cancel-all")

    assert modified.returncode == 0, modified.stderr
    assert canceled.returncode == 0, canceled.stderr
    assert final["limit_price"] == "101.00" and final["reason"] == "test over"  # at the tick's places
    assert "0 order(s)" in cancel_all.stdout


def test_cli_when_extended_hours_asked_then_the_order_carries_it_and_a_market_one_is_refused_naming_it(
        shared_server: Server) -> None:
    extended = cli(shared_server, "order", "submit", "SPY", "buy", "1", "--type", "limit", "--limit", "90",
                   "--tif", "gtc", "--extended-hours", "--json")
    refused = cli(shared_server, "order", "submit", "SPY", "buy", "1", "--extended-hours")
    assert extended.returncode == 0, extended.stderr
    assert "extended_hours" in json.loads(extended.stdout)["flags"]
    assert refused.returncode == 1 and "extended_hours" in refused.stdout + refused.stderr
    with shared_server.client() as c:
        wait_for_status(c, json.loads(extended.stdout)["id"], {"new"})
    assert cli(shared_server, "order", "cancel", json.loads(extended.stdout)["id"]).returncode == 0


def test_cli_when_input_bad_then_clear_error_and_exit_1(shared_server: Server) -> None:
    result = cli(shared_server, "order", "submit", "AAPL", "buy", "0")

    assert result.returncode == 1
    assert "qty" in result.stderr


def test_cli_when_server_unreachable_then_exit_2(shared_server: Server) -> None:
    env_server = Server(shared_server.data_dir, port=1)

    result = cli(env_server, "order", "list")

    assert result.returncode == 2
    assert "cannot reach" in result.stderr
