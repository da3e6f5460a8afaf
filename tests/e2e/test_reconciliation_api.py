"""Reconciliation over the REST API: the start run, a run on request, and an order the paper exchange forgot."""

import signal
import time
from typing import Any

import httpx

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server


def _runs(c: httpx.Client, reason: str, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = [r for r in c.get("/api/v1/reconciliation").json()["runs"] if r["reason"] == reason]
        if runs and all(r["finished"] for r in runs):
            return runs
        time.sleep(0.1)
    raise AssertionError(f"no finished {reason} run")


def test_reconciliation_when_the_server_starts_then_a_run_per_venue_is_shown_with_counts_by_class(
        server: Server) -> None:
    with server.client() as c:
        runs = _runs(c, "start")
        view = c.get("/api/v1/reconciliation").json()
    assert [r["venue"] for r in runs] == ["paper"]
    assert runs[0]["error"] is None and runs[0]["discrepancies"] == []
    assert set(view["discrepancies_by_class"]) >= {"unknown_at_venue", "unknown_here", "position_mismatch"}
    assert view["refused_reports"] == {} and isinstance(view["flagged_fills"], dict)


def test_reconciliation_when_asked_then_runs_now_and_checks_the_open_orders(server: Server) -> None:
    with server.client() as c:
        order = submit(c, type="limit", limit_price="100.00", time_in_force="gtc").json()
        wait_for_status(c, order["id"], {"new"})
        answer = c.post("/api/v1/reconciliation")
    assert answer.status_code == 200
    (run,) = answer.json()["runs"]
    assert (run["checked_orders"], run["resent_requests"], run["discrepancies"]) == (1, 0, [])


def test_restart_when_the_paper_exchange_forgot_a_resting_order_then_it_is_sent_again_and_reported(
        server: Server) -> None:
    with server.client() as c:
        order = submit(c, type="limit", limit_price="100.00", time_in_force="gtc").json()
        wait_for_status(c, order["id"], {"new"})
    server.stop(signal.SIGKILL)
    restarted = Server(server.data_dir, port=server.port).start()
    try:
        with restarted.client() as c:
            (run,) = _runs(c, "start")
            assert run["checked_orders"] == 1 and run["resent_requests"] == 1
            assert [d["class"] for d in run["discrepancies"]] == ["unknown_at_venue"]
            assert c.get(f"/api/v1/orders/{order['id']}").json()["status"] == "new"
            events = [e["type"] for e in c.get(f"/api/v1/orders/{order['id']}/events").json()]
            assert "OrderRequestResent" in events
    finally:
        restarted.stop()
