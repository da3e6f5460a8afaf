"""The CLI's tables at 80 columns and piped: ids are never cut, narrow terminals drop minor columns."""

import json
import re
import subprocess
import sys

import pytest

from tests.e2e.helpers import wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def cli(server: Server, *args: str, terminal_columns: int | None = None) -> str:
    """Run ``ordergate ARGS``; as an 80-column terminal when asked, else piped. Return stdout."""
    env = server.env()
    env.pop("COLUMNS", None)
    if terminal_columns is not None:
        env.update({"COLUMNS": str(terminal_columns), "TTY_COMPATIBLE": "1"})  # rich: behave as a terminal
    result = subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _orders(server: Server) -> list[str]:
    ids = []
    for args in (("AAPL", "buy", "10"), ("SPY", "buy", "3", "--type", "limit", "--limit", "100", "--tif", "gtc")):
        ids.append(json.loads(cli(server, "order", "submit", *args, "--json"))["id"])
    with server.client() as c:
        wait_for_status(c, ids[0], {"filled"})
        wait_for_status(c, ids[1], {"new"})
    return ids


def test_order_list_on_an_80_column_terminal_then_every_line_fits_and_ids_are_whole(shared_server: Server) -> None:
    ids = _orders(shared_server)

    screen = ANSI.sub("", cli(shared_server, "order", "list", terminal_columns=80))

    assert all(len(line) <= 80 for line in screen.splitlines()), screen
    assert all(order_id in screen for order_id in ids), screen
    assert "…" not in screen
    assert "hidden to fit 80 columns" in screen and "account" in screen.split("hidden")[1]


def test_order_list_piped_then_plain_text_with_every_column_and_whole_ids(shared_server: Server) -> None:
    ids = _orders(shared_server)

    piped = cli(shared_server, "order", "list")

    header = piped.splitlines()[1].split()
    assert header[:3] == ["id", "symbol", "side"] and header[-1] == "account"
    assert all(order_id in piped for order_id in ids)
    assert "\x1b[" not in piped and "│" not in piped and "…" not in piped


def test_positions_and_instruments_at_80_columns_then_nothing_is_cut(shared_server: Server) -> None:
    _orders(shared_server)

    screens = [ANSI.sub("", cli(shared_server, *command, terminal_columns=80)) for command in (["positions"],
                                                                                          ["instruments"])]

    for screen in screens:
        assert all(len(line) <= 80 for line in screen.splitlines()), screen
        assert "…" not in screen
    assert "AAPL" in screens[0] and "RELIANCE" in screens[1]


def test_watch_shows_working_orders_and_positions_then_stops_after_the_refreshes_asked(shared_server: Server) -> None:
    working = _orders(shared_server)[1]

    screen = ANSI.sub("", cli(shared_server, "watch", "--times", "2", "--interval", "0.2", terminal_columns=80))
    piped = cli(shared_server, "watch", "--times", "1")

    assert working in screen and "Positions" in screen and "AAPL" in screen
    assert all(len(line) <= 80 for line in screen.splitlines()), screen
    assert working in piped and piped.count("Orders") == 1 and "AAPL" in piped.split("Positions")[1]
