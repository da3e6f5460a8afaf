"""Pre-trade risk over the real server's REST API: each control holds at its boundary (shorts in a cash
account, flips through flat, net exposure, market buys, symbol lists, going back to the default, one
definition per control). Stale data is in test_risk_stale_data.py.

One server for the module; each test sets limits on and trades in an account of its own, in a symbol of its
own where it fills. The repeated shorts keep a server of their own: they drain the paper book's bids."""

import json
import time
from decimal import ROUND_DOWN, Decimal
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import OwnAccount, own_account, submit, wait_for_status
from tests.e2e.server import Server
from tests.e2e.test_cli import cli

pytestmark = pytest.mark.e2e
D = Decimal
DONE = {"filled", "canceled"}  # a market order the thin paper book cannot fill whole is canceled for the rest


def reasons(response: httpx.Response) -> dict[str, tuple[str | None, str | None]]:
    assert response.status_code == 422, response.text
    return {r["rule"]: (r["limit"], r["actual"]) for r in response.json()["reasons"]}


def filled(c: httpx.Client, **fields: Any) -> dict[str, Any]:
    r = submit(c, **fields)
    assert r.status_code == 201, r.text
    return wait_for_status(c, r.json()["id"], {"filled"})


def usd(c: httpx.Client, account: str = "PAPER") -> dict[str, Any]:
    balances: dict[str, Any] = c.get(f"/api/v1/accounts/{account}").json()["balances"]["USD"]
    return balances


def test_cash_account_shorts_when_repeated_then_stop_at_margin_on_equity_and_proceeds_buy_nothing(
        server: Server) -> None:
    with server.client() as c:
        assert c.put("/api/v1/risk/limits/PAPER", json={"allow_short": True, "initial_margin_rate": "0.5"}
                     ).status_code == 200
        accepted, last = 0, None
        for _ in range(80):  # each short of 500 AAPL (~115,000) needs ~57,500 of margin from 1,000,000
            last = submit(c, side="sell", qty="500")
            if last.status_code != 201:
                break
            done = wait_for_status(c, last.json()["id"], DONE)
            accepted += D(done["filled_qty"]) > 0
            if D(done["filled_qty"]) < 500:
                time.sleep(0.3)  # the thin paper book ran out of bids: let it refill
        exposure = c.get("/api/v1/orders/risk/metrics").json()["accounts"]["PAPER"]["currencies"]["USD"]
        balances = usd(c)
        equity = D(balances["equity"])
    assert last is not None and "enforce_buying_power" in reasons(last)
    assert D(balances["buying_power"]) < equity / 2  # the shorts' proceeds are not offered as buying power
    assert accepted >= 10
    assert D(exposure["positions_value"]) < 0
    assert D(exposure["gross_exposure"]) <= 2 * equity  # margin 0.5: shorts up to twice the equity


def test_flip_through_flat_when_the_part_beyond_flat_is_over_a_lowered_limit_then_422(
        shared_server: Server, own_account: OwnAccount) -> None:
    submit = own_account.submit
    with shared_server.client() as c:
        filled(c, account=own_account.id, symbol="MSFT", qty="90")
        c.put(f"/api/v1/risk/limits/{own_account.id}", json={"max_position_qty": "50"})
        flip = submit(c, symbol="MSFT", side="sell", qty="180")
        within = submit(c, symbol="MSFT", side="sell", qty="140")
    assert reasons(flip) == {"max_position_qty": ("50", "90")}
    assert within.status_code == 201, within.text


def test_net_exposure_when_a_far_sell_rests_then_it_does_not_make_room_for_a_buy(
        shared_server: Server, own_account: OwnAccount) -> None:
    submit = own_account.submit
    with shared_server.client() as c:
        bought = filled(c, account=own_account.id, qty="20")
        price = D(bought["avg_fill_price"])
        c.put(f"/api/v1/risk/limits/{own_account.id}", json={"max_net_exposure": str((price * 21).quantize(D(1)))})
        far = submit(c, type="limit", side="sell", qty="20", limit_price=str((price * D("1.3")).quantize(D("0.01"))),
                     time_in_force="gtc")
        assert far.status_code == 201, far.text
        wait_for_status(c, far.json()["id"], {"new"})
        buy = submit(c, qty="2")
    assert set(reasons(buy)) == {"max_net_exposure"}


def test_market_buy_when_it_fits_only_at_the_last_price_then_422_and_an_accepted_one_never_overdraws(
        shared_server: Server) -> None:
    own = own_account(shared_server, balances={"USD": "50000"})
    with shared_server.client() as c:  # SPY: the other tests of the module do not trade it
        ask = D(c.get("/api/v1/marketdata/SPY/quote").json()["ask"])
        power = D(usd(c, own.id)["buying_power"])
        too_big = own.submit(c, symbol="SPY", qty=str((power / ask).to_integral_value(ROUND_DOWN)))
        fits = filled(c, account=own.id, symbol="SPY",
                      qty=str((power / (ask * D("1.03"))).to_integral_value(ROUND_DOWN)))
        after = usd(c, own.id)
    assert "enforce_buying_power" in reasons(too_big)
    assert D(fits["filled_qty"]) > 0
    assert D(after["buying_power"]) >= 0 and D(after["cash"]) >= 0


def test_symbol_lists_when_given_in_lower_case_then_match_and_unknown_symbols_are_422(
        shared_server: Server, own_account: OwnAccount) -> None:
    limits = f"/api/v1/risk/limits/{own_account.id}"
    with shared_server.client() as c:
        stored = c.put(limits, json={"restricted_symbols": ["aapl"]})
        denied = own_account.submit(c)
        unknown = c.put(limits, json={"restricted_symbols": ["MSFT", "NOPE"]})
        rates = c.put(limits, json={"margin_rates": {"zzz": "0.3"}})
        after = c.get(limits).json()
    assert stored.json()["limits"]["restricted_symbols"] == ["AAPL"]
    assert reasons(denied) == {"restricted_symbols": ("restricted", "AAPL")}
    assert unknown.status_code == 422 and "NOPE" in unknown.text and "restricted_symbols" in unknown.text
    assert rates.status_code == 422 and "zzz" in rates.text
    assert after["limits"]["restricted_symbols"] == ["AAPL"] and after["limits"]["margin_rates"] is None


def test_unset_when_an_account_override_is_deleted_then_the_firm_default_is_back(
        shared_server: Server, own_account: OwnAccount) -> None:
    limits = f"/api/v1/risk/limits/{own_account.id}"
    with shared_server.client() as c:
        c.put(limits, json={"max_order_qty": None, "max_open_orders": 3})
        switched_off = c.get(limits).json()
        gone = c.delete(f"{limits}/max_order_qty")
        unknown = c.delete(f"{limits}/max_nothing")
        fractional = c.put(limits, json={"max_order_qty": "1.5"})
        by_cli = cli(shared_server, "risk", "unset", "max_open_orders", "--account", own_account.id, "--json")
    assert switched_off["limits"]["max_order_qty"] is None
    assert gone.status_code == 200, gone.text
    assert gone.json()["limits"]["max_order_qty"] == "1000000" and gone.json()["overrides"] == ["max_open_orders"]
    assert unknown.status_code == 422 and "name" in unknown.text  # the path field, checked against the limit names
    assert fractional.status_code == 422 and "max_order_qty" in fractional.text
    assert by_cli.returncode == 0, by_cli.stderr
    shown = json.loads(by_cli.stdout)
    assert shown["overrides"] == [] and shown["limits"]["max_open_orders"] == 10000


def test_denials_and_metrics_when_counters_are_at_the_limit_then_report_the_same_figures(
        shared_server: Server, own_account: OwnAccount) -> None:
    submit = own_account.submit
    with shared_server.client() as c:
        c.put(f"/api/v1/risk/limits/{own_account.id}", json={"max_daily_orders": 1, "max_order_qty": "10"})
        resting = submit(c, type="limit", limit_price="100.00", time_in_force="gtc").json()["id"]
        wait_for_status(c, resting, {"new"})
        second = submit(c)
        modify = c.patch(f"/api/v1/orders/{resting}", json={"qty": "11"})
        metrics = c.get("/api/v1/orders/risk/metrics").json()["accounts"][own_account.id]
    assert reasons(second) == {"max_daily_orders": ("1", "1")}
    assert metrics["usage"]["max_daily_orders"] == {"used": 1, "limit": 1}
    assert modify.status_code == 422
    assert metrics["denials_by_rule"] == {"max_daily_orders": 1, "max_order_qty": 1}


def test_account_when_margin_is_dynamic_then_shows_margin_used_maintenance_and_excess(
        shared_server: Server, own_account: OwnAccount) -> None:
    with shared_server.client() as c:  # NVDA: the other tests of the module do not trade it
        c.put(f"/api/v1/risk/limits/{own_account.id}", json={"dynamic_margin": True})
        filled(c, account=own_account.id, symbol="NVDA", qty="100")
        account = c.get(f"/api/v1/accounts/{own_account.id}").json()
    margin = account["margin"]["USD"]
    assert D(margin["initial"]) > 0
    assert abs(D(margin["maintenance"]) - D(margin["initial"]) * D("0.75")) <= D("0.01")
    assert D(margin["excess"]) == D(margin["equity"]) - D(margin["maintenance"])


def test_margin_account_when_margin_is_dynamic_then_orders_hold_initial_margin_and_buying_power_agrees(
        shared_server: Server) -> None:
    margined = own_account(shared_server, balances={"USD": "100000"}, margin=True).id  # opened: 201, or it fails
    with shared_server.client() as c:
        c.put(f"/api/v1/risk/limits/{margined}", json={"dynamic_margin": True, "initial_margin_rate": "0.4"})
        resting = submit(c, account=margined, type="limit", qty="100", limit_price="100.00")  # far below AAPL
        account = c.get(f"/api/v1/accounts/{margined}").json()
        metrics = c.get("/api/v1/orders/risk/metrics").json()["accounts"][margined]["currencies"]["USD"]
        too_big = submit(c, account=margined, type="limit", qty="3000", limit_price="100.00")
    assert resting.status_code == 201, resting.text
    usd, margin = account["balances"]["USD"], account["margin"]["USD"]
    assert D("4000") <= D(usd["reserved"]) <= D("4002")  # 100 x 100 x 0.4 (no bars yet: the rate), + commission
    assert D(usd["buying_power"]) == D(margin["equity"]) - D(margin["initial"]) == D(metrics["buying_power"])
    assert reasons(too_big)["enforce_buying_power"][0] == usd["equity"]  # the denial's limit is the same equity
