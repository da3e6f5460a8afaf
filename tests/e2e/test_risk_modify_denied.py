"""A modify (PATCH) that pre-trade risk refuses, on the real server: 422 with reasons, order unchanged."""

import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e

TERMS = ("status", "qty", "limit_price", "leaves_qty", "time_in_force", "pending_replace", "updated_at")


def test_modify_when_risk_denies_then_422_names_rule_limit_and_value_and_order_is_unchanged(
    shared_server: Server,
) -> None:
    with shared_server.client() as c:
        order_id = submit(c, type="limit", limit_price="100.00", time_in_force="gtc").json()["id"]
        before = wait_for_status(c, order_id, {"new"})
        assert c.put("/api/v1/risk/limits/PAPER", json={"max_order_qty": "15"}).status_code == 200

        r = c.patch(f"/api/v1/orders/{order_id}", json={"qty": "20", "limit_price": "100.50"})
        after = c.get(f"/api/v1/orders/{order_id}").json()
        events = c.get(f"/api/v1/orders/{order_id}/events").json()

    assert r.status_code == 422, r.text
    body = r.json()
    assert set(body) == {"order", "reasons"}
    assert body["reasons"] == [{"rule": "max_order_qty", "message": body["reasons"][0]["message"],
                                "limit": "15", "actual": "20"}]
    assert "max_order_qty" in body["reasons"][0]["message"]
    assert body["order"]["id"] == order_id
    assert {k: body["order"][k] for k in TERMS} == {k: before[k] for k in TERMS}
    assert {k: after[k] for k in TERMS} == {k: before[k] for k in TERMS}
    assert after["qty"] == "10" and after["status"] == "new" and after["pending_replace"] is None
    assert "OrderPendingReplace" not in [e["type"] for e in events]


def test_modify_when_risk_denied_then_a_modify_within_limits_still_works(shared_server: Server) -> None:
    with shared_server.client() as c:
        order_id = submit(c, type="limit", limit_price="100.00", time_in_force="gtc").json()["id"]
        wait_for_status(c, order_id, {"new"})
        c.put("/api/v1/risk/limits/PAPER", json={"max_order_qty": "15"})

        denied = c.patch(f"/api/v1/orders/{order_id}", json={"qty": "16"})
        allowed = c.patch(f"/api/v1/orders/{order_id}", json={"qty": "15"})
        wait_for_status(c, order_id, {"new"})
        final = c.get(f"/api/v1/orders/{order_id}").json()

    assert denied.status_code == 422 and denied.json()["reasons"][0]["actual"] == "16"
    assert allowed.status_code == 200, allowed.text
    assert final["qty"] == "15"
