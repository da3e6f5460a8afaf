"""The kill switch and the risk API on the real server with the paper exchange, over HTTP and the CLI.

The drills that halt one account share one server, each halting an account of its own; the firm-wide kill
switch and the restart keep servers of their own."""

import json
import subprocess
import sys

import pytest

from tests.e2e.helpers import OwnAccount, submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


def cli(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``ordergate ARGS`` against the server."""
    return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=server.env(),
                          capture_output=True, text=True, timeout=60)


def test_kill_switch_when_orders_are_working_then_all_cancel_new_orders_denied_and_resume_works(
    shared_server: Server, own_account: OwnAccount,
) -> None:
    account, submit = own_account.id, own_account.submit
    with shared_server.client() as c:
        working = [submit(c, type="limit", limit_price=price, time_in_force="gtc").json()["id"]
                   for price in ("100.00", "101.00", "102.00")]
        for order_id in working:
            wait_for_status(c, order_id, {"new"})

        killed = c.post("/api/v1/risk/kill-switch", json={"account": account, "reason": "e2e drill"})
        assert killed.status_code == 200, killed.text
        assert sorted(killed.json()["canceled"]) == sorted(working)
        for order_id in working:
            assert wait_for_status(c, order_id, {"canceled"})["reason"] == "kill switch: e2e drill"

        denied = submit(c, qty="1")
        assert denied.status_code == 422
        body = denied.json()
        assert body["order"]["status"] == "rejected"
        assert [r["rule"] for r in body["reasons"]] == ["trading_state"]
        assert set(body["reasons"][0]) == {"rule", "message", "limit", "actual"}
        metrics = c.get("/api/v1/orders/risk/metrics").json()
        assert metrics["accounts"][account]["trading_state"] == "halted"
        assert metrics["denials_by_rule"]["trading_state"] >= 1

        resumed = c.post("/api/v1/risk/resume", json={"account": account, "reason": "drill over"})
        assert resumed.status_code == 200 and resumed.json()["trading_state"] == "active"
        assert submit(c, qty="1").status_code == 201


def test_kill_switch_when_flatten_then_positions_close_with_market_orders(server: Server) -> None:
    with server.client() as c:
        wait_for_status(c, submit(c, qty="7").json()["id"], {"filled"})
        killed = c.post("/api/v1/risk/kill-switch", json={"account": None, "reason": "flatten drill",
                                                          "flatten": True}).json()
        assert len(killed["flatten_orders"]) == 1
        wait_for_status(c, killed["flatten_orders"][0], {"filled"})
        positions = c.get("/api/v1/positions/", params={"account": "PAPER"}).json()
        assert [p["qty"] for p in positions if p["symbol"] == "AAPL"] == ["0"]
        c.post("/api/v1/risk/resume", json={"reason": "done"})


def test_kill_switch_when_request_is_bad_then_422_names_the_field_and_nothing_changes(shared_server: Server) -> None:
    with shared_server.client() as c:
        assert c.post("/api/v1/risk/kill-switch", json={"account": "PAPER"}).status_code == 422
        assert c.post("/api/v1/risk/kill-switch", json={"reason": "x", "surprise": 1}).status_code == 422
        assert c.post("/api/v1/risk/kill-switch", json={"account": "NOBODY", "reason": "x"}).status_code == 404
        assert c.get("/api/v1/orders/risk/metrics").json()["accounts"]["PAPER"]["trading_state"] == "active"


def test_risk_limits_when_set_over_http_then_enforced_and_kept_across_restart(server: Server) -> None:
    with server.client() as c:
        r = c.put("/api/v1/risk/limits/PAPER", json={"max_order_qty": "5", "restricted_symbols": ["MSFT"]})
        assert r.status_code == 200, r.text
        assert r.json()["limits"]["max_order_qty"] == "5"
        bad = c.put("/api/v1/risk/limits/PAPER", json={"max_order_qty": "-1"})
        assert bad.status_code == 422 and "max_order_qty" in bad.text
        unknown = c.put("/api/v1/risk/limits/default", json={"max_speed": 1})
        assert unknown.status_code == 422 and "max_speed" in unknown.text
        denied = submit(c, qty="6")
        assert denied.status_code == 422
        assert denied.json()["reasons"][0] | {"message": ""} == {
            "rule": "max_order_qty", "message": "", "limit": "5", "actual": "6"}
    server.stop()
    server.start()
    with server.client() as c:
        assert c.get("/api/v1/risk/limits/PAPER").json()["limits"]["max_order_qty"] == "5"
        assert submit(c, symbol="MSFT", qty="1").status_code == 422


def test_risk_cli_when_setting_showing_killing_and_resuming_then_each_works(
        shared_server: Server, own_account: OwnAccount) -> None:
    server, account = shared_server, own_account.id
    changed = cli(server, "risk", "set", account, "max_open_orders=3", "watch_symbols=AAPL,SPY", "--json")
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["limits"]["watch_symbols"] == ["AAPL", "SPY"]
    shown = cli(server, "risk", "limits", account)
    assert "max_open_orders" in shown.stdout and "account" in shown.stdout
    bad = cli(server, "risk", "set", account, "max_open_orders=lots")
    assert bad.returncode == 1 and "max_open_orders" in bad.stderr
    killed = cli(server, "risk", "kill", "--account", account, "--reason", "cli drill")
    assert killed.returncode == 0 and "halted" in killed.stdout
    resumed = cli(server, "risk", "resume", "--account", account)
    assert resumed.returncode == 0 and "active" in resumed.stdout
    assert cli(server, "risk", "metrics").returncode == 0
