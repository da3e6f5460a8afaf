"""Setting an account's or the firm's trading state on the real server, over HTTP and the CLI.

The tests that set one account's state share one server, each on an account of its own; those that set the
firm's keep servers of their own."""

import json
import subprocess
import sys

import httpx
import pytest

from tests.e2e.helpers import OwnAccount, submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


def cli(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``ordergate ARGS`` against the server."""
    return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=server.env(),
                          capture_output=True, text=True, timeout=60)


def test_trading_state_when_reducing_over_http_then_sell_against_long_passes_and_buy_is_denied(
    shared_server: Server, own_account: OwnAccount,
) -> None:
    account = own_account.id
    with shared_server.client() as c:
        wait_for_status(c, own_account.submit(c, qty="10").json()["id"], {"filled"})

        changed = c.post("/api/v1/risk/trading-state",
                         json={"account": account, "state": "reducing", "reason": "e2e: risk officer"})
        assert changed.status_code == 200, changed.text
        assert changed.json() | {"by": ""} == {
            "account": account, "trading_state": "reducing", "effective_trading_state": "reducing",
            "reason": "e2e: risk officer", "by": ""}

        sell = own_account.submit(c, side="sell", qty="4")
        assert sell.status_code == 201, sell.text
        wait_for_status(c, sell.json()["id"], {"filled"})

        buy = own_account.submit(c, side="buy", qty="1")
        assert buy.status_code == 422, buy.text
        body = buy.json()
        assert body["order"]["status"] == "rejected"
        assert [(r["rule"], r["limit"], r["actual"]) for r in body["reasons"]] == [
            ("trading_state", "reducing", "grows position")]

        positions = c.get("/api/v1/positions/", params={"account": account}).json()
        assert [p["qty"] for p in positions if p["symbol"] == "AAPL"] == ["6"]
        assert c.get("/api/v1/orders/risk/metrics").json()["accounts"][account]["trading_state"] == "reducing"


def test_trading_state_when_changed_then_journaled_with_who_and_why(
        shared_server: Server, own_account: OwnAccount) -> None:
    with shared_server.client() as c:
        by = c.post("/api/v1/risk/trading-state",
                    json={"account": own_account.id, "state": "halted", "reason": "audit me"}).json()["by"]
        events = c.get("/api/v1/audit/", params={"account": own_account.id, "limit": 1000}).json()["items"]

    changes = [e for e in events if e["type"] == "TradingStateChanged"]
    assert [(e["caused_by"], e["payload"]["state"], e["payload"]["reason"]) for e in changes] == [
        (by, "halted", "audit me")]


def test_trading_state_when_firm_halted_then_active_account_still_cannot_trade(server: Server) -> None:
    with server.client() as c:
        firm = c.post("/api/v1/risk/trading-state", json={"account": None, "state": "halted", "reason": "firm"})
        own = c.post("/api/v1/risk/trading-state", json={"account": "PAPER", "state": "active", "reason": "mine"})
        denied = submit(c, qty="1")
        metrics = c.get("/api/v1/orders/risk/metrics").json()
        c.post("/api/v1/risk/trading-state", json={"account": None, "state": "active", "reason": "over"})
        allowed = submit(c, qty="1")

    assert firm.status_code == 200 and firm.json()["account"] is None
    assert own.json()["trading_state"] == "active" and own.json()["effective_trading_state"] == "halted"
    assert denied.status_code == 422 and denied.json()["reasons"][0]["limit"] == "halted"
    assert metrics["firm_trading_state"] == "halted"
    assert allowed.status_code == 201, allowed.text


BAD_REQUESTS: list[tuple[dict[str, object], int, str]] = [
    ({"account": "PAPER", "state": "paused", "reason": "x"}, 422, "state"),
    ({"account": "PAPER", "reason": "x"}, 422, "state"),
    ({"account": "PAPER", "state": "halted"}, 422, "reason"),
    ({"account": "PAPER", "state": "halted", "reason": ""}, 422, "reason"),
    ({"state": "halted", "reason": "x"}, 422, "account"),
    ({"account": "PAPER", "state": "halted", "reason": "x", "flatten": True}, 422, "flatten"),
    ({"account": "NOBODY", "state": "halted", "reason": "x"}, 404, "NOBODY"),
]


def _state_changes(c: httpx.Client) -> int:
    events = c.get("/api/v1/audit/", params={"limit": 1000}).json()["items"]
    return sum(e["type"] == "TradingStateChanged" for e in events)


def test_trading_state_when_request_is_bad_then_refused_naming_it_and_nothing_changes(shared_server: Server) -> None:
    with shared_server.client() as c:
        changes_before = _state_changes(c)
        answers = [(c.post("/api/v1/risk/trading-state", json=body), status, named)
                   for body, status, named in BAD_REQUESTS]
        metrics = c.get("/api/v1/orders/risk/metrics").json()
        changes_after = _state_changes(c)

    for answer, status, named in answers:
        assert answer.status_code == status, answer.text
        assert named in answer.text, answer.text
    assert metrics["firm_trading_state"] == "active"
    assert metrics["accounts"]["PAPER"]["trading_state"] == "active"
    assert changes_after == changes_before  # the other tests here change the states of accounts of their own


def test_risk_state_cli_when_json_then_prints_new_state_and_server_enforces_it(server: Server) -> None:
    reducing = cli(server, "risk", "state", "reducing", "--account", "PAPER", "--reason", "cli drill", "--json")
    assert reducing.returncode == 0, reducing.stderr
    assert json.loads(reducing.stdout) | {"by": ""} == {
        "account": "PAPER", "trading_state": "reducing", "effective_trading_state": "reducing",
        "reason": "cli drill", "by": ""}
    with server.client() as c:
        assert submit(c, qty="1").json()["reasons"][0]["limit"] == "reducing"

    firm = cli(server, "risk", "state", "halted", "--reason", "firm drill")
    assert firm.returncode == 0, firm.stderr
    assert "the firm" in firm.stdout and "halted" in firm.stdout

    active = cli(server, "risk", "state", "active", "--reason", "drill over", "--json")
    assert json.loads(active.stdout)["account"] is None
    bad = cli(server, "risk", "state", "paused", "--reason", "x")
    assert bad.returncode == 1 and "state" in bad.stderr
    no_reason = cli(server, "risk", "state", "halted")
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    metrics = json.loads(cli(server, "risk", "metrics", "--json").stdout)
    assert (metrics["firm_trading_state"], metrics["accounts"]["PAPER"]["trading_state"]) == ("active", "reducing")
