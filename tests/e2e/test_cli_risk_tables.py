"""The risk CLI's tables at 80 columns and piped: limit names and values whole, --json kept."""

import json

import pytest

from tests.e2e.helpers import OwnAccount, wait_for_status
from tests.e2e.server import Server
from tests.e2e.test_cli_columns import ANSI, cli

pytestmark = pytest.mark.e2e
RESTRICTED = ["AAPL", "MSFT", "NVDA", "SPY", "RELIANCE", "INFY", "TCS"]
# A rate per instrument: too long to sit beside the names at 80 columns, so the value folds (never cut).
MARGIN_RATES = dict.fromkeys(RESTRICTED, "0.25")


def _limits(server: Server) -> dict[str, object]:
    changed = cli(server, "risk", "set", "PAPER", "max_open_orders=3",
                  f"restricted_symbols={','.join(RESTRICTED)}", f"margin_rates={json.dumps(MARGIN_RATES)}", "--json")
    limits: dict[str, object] = json.loads(changed)["limits"]
    return limits


def test_risk_limits_on_an_80_column_terminal_then_every_line_fits_and_nothing_is_cut(shared_server: Server) -> None:
    limits = _limits(shared_server)

    screen = ANSI.sub("", cli(shared_server, "risk", "limits", "PAPER", terminal_columns=80))

    assert all(len(line) <= 80 for line in screen.splitlines()), screen
    assert "…" not in screen
    assert all(name in screen for name in limits), screen
    assert all(symbol in screen for symbol in RESTRICTED), screen
    assert screen.count("=0.25") == len(MARGIN_RATES), screen  # folded onto more lines, every rate there


def test_risk_limits_piped_then_plain_text_with_every_column_and_whole_values(shared_server: Server) -> None:
    limits = _limits(shared_server)

    piped = cli(shared_server, "risk", "limits", "PAPER")

    lines = piped.splitlines()
    assert lines[0] == "Risk limits: PAPER" and lines[1].split() == ["limit", "value", "source"]
    restricted = next(line.split() for line in lines if line.startswith("restricted_symbols"))
    assert restricted == ["restricted_symbols", ",".join(sorted(RESTRICTED)), "account"]  # the shared_server sorts them
    assert all(any(line.startswith(name) for line in lines) for name in limits)
    margin = next(line for line in lines if line.startswith("margin_rates"))
    assert margin.count("=0.25") == len(MARGIN_RATES), piped
    assert "\x1b[" not in piped and "│" not in piped and "…" not in piped


def test_risk_metrics_at_80_columns_and_piped_then_accounts_and_limit_names_are_whole(
        shared_server: Server, own_account: OwnAccount) -> None:
    with own_account.client() as c:  # an account of its own: the other tests restrict PAPER's symbols
        wait_for_status(c, own_account.submit(c, qty="2").json()["id"], {"filled"})
    as_json = json.loads(cli(shared_server, "risk", "metrics", "--json"))
    names = list(as_json["accounts"][own_account.id]["usage"])

    screen = ANSI.sub("", cli(shared_server, "risk", "metrics", terminal_columns=80))
    piped = cli(shared_server, "risk", "metrics")

    assert all(len(line) <= 80 for line in screen.splitlines()), screen
    assert "…" not in screen and "Account PAPER" in screen and f"Account {own_account.id}" in screen
    assert all(name in screen for name in names), screen
    assert {"Account PAPER (active)", f"Account {own_account.id} (active)"} <= set(piped.splitlines())
    assert "\x1b[" not in piped and "│" not in piped
    assert all(any(line.split()[:1] == [name] for line in piped.splitlines()) for name in names), piped

