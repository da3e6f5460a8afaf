"""The controls added to pre-trade risk, on the real server: an operator finishing a flatten past a halt,
one definition of daily volume and loss in the denial and the metrics, market collars, cancel on breach,
the lockout (cancels still pass), self-match across the accounts of one owner, slippage and size against
the market's average daily volume, exposure summed in a base currency. One server for the module; each
test trades in accounts of its own."""

import re
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e

D = Decimal
DONE = {"filled", "canceled"}
SETTINGS = {"ORDERGATE_RISK__AVERAGE_DAILY_VOLUME": '{"AAPL": "100000"}',
            "ORDERGATE_RISK__FX_RATES": '{"USD/INR": "83"}'}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("controls"), env_extra=SETTINGS).start()
    yield srv
    srv.stop()


def opened(c: httpx.Client, account: str, inr: str | None = None, **limits: object) -> str:
    """Open an account with 1,000,000 USD (and ``inr`` INR) and these limits; return its id."""
    cash = {"USD": "1000000", **({"INR": inr} if inr is not None else {})}
    answer = c.post("/api/v1/accounts/", json={"id": account, "balances": cash})
    assert answer.status_code == 201, answer.text
    if limits:
        assert c.put(f"/api/v1/risk/limits/{account}", json=limits).status_code == 200
    return account


def reasons(response: httpx.Response) -> dict[str, tuple[str | None, str | None]]:
    assert response.status_code == 422, response.text
    return {r["rule"]: (r["limit"], r["actual"]) for r in response.json()["reasons"]}


def held(c: httpx.Client, account: str, symbol: str = "AAPL") -> D:
    for p in c.get("/api/v1/positions/").json():
        if p["symbol"] == symbol and p["account"] == account:
            return D(p["qty"])
    return D(0)


def resting_buy(c: httpx.Client, account: str, **fields: str) -> str:
    fields.setdefault("limit_price", "100.00")
    order_id: str = submit(c, account=account, type="limit", time_in_force="gtc", **fields).json()["id"]
    wait_for_status(c, order_id, {"new"})
    return order_id


def test_flatten_when_an_operator_asks_while_halted_then_positions_close_and_trader_orders_stay_refused(
        server: Server) -> None:
    with server.client() as c:
        acc = opened(c, "FLATTENED")
        wait_for_status(c, submit(c, account=acc, qty="50").json()["id"], DONE)
        before = held(c, acc)
        halt = c.post("/api/v1/risk/kill-switch", json={"account": acc, "reason": "e2e", "flatten": False})
        flatten = c.post("/api/v1/risk/flatten", json={"account": acc, "reason": "operator finishes"})
        for order_id in flatten.json()["flatten_orders"]:
            wait_for_status(c, order_id, DONE)
        after = held(c, acc)
        trader = submit(c, account=acc, side="sell", qty="1")
    assert halt.status_code == 200 and flatten.status_code == 200, flatten.text
    assert flatten.json()["trading_state"] == "halted" and len(flatten.json()["flatten_orders"]) == 1
    assert before > 0 and after == 0
    assert reasons(trader)["trading_state"][0] == "halted"


def test_daily_volume_and_loss_when_orders_work_and_fill_then_denial_and_metrics_count_the_same(
        server: Server) -> None:
    with server.client() as c:
        acc = opened(c, "VOLUME", max_daily_volume="100")
        wait_for_status(c, submit(c, account=acc, qty="30").json()["id"], DONE)
        resting_buy(c, acc, qty="40")
        metrics = c.get("/api/v1/orders/risk/metrics").json()["accounts"][acc]
        too_much = submit(c, account=acc, qty="31")
    traded = D(metrics["usage"]["max_daily_volume"]["used"])
    assert traded == 70  # 30 traded + 40 working
    assert reasons(too_much)["max_daily_volume"] == ("100", "101")  # the same 70, plus the order's 31
    for figures in metrics["currencies"].values():  # money at the currency's precision, never 28 digits
        assert all(re.fullmatch(r"-?\d+\.\d{2}", figures[name]) for name in ("daily_loss", "buying_power"))


def test_market_collar_and_cancel_on_breach_when_set_then_orders_are_collared_and_restricted_ones_canceled(
        server: Server) -> None:
    with server.client() as c:
        acc = opened(c, "BREACH", market_collar_pct="5", cancel_on_breach=True)
        collared = wait_for_status(c, submit(c, account=acc, qty="5").json()["id"], DONE)
        working = resting_buy(c, acc, qty="5")
        c.put(f"/api/v1/risk/limits/{acc}", json={"restricted_symbols": ["AAPL"]})
        canceled = wait_for_status(c, working, {"canceled"})
    assert "market_collar" in collared["flags"]
    assert canceled["status"] == "canceled"


def test_lockout_when_denials_pile_up_then_new_orders_wait_but_cancels_pass(server: Server) -> None:
    with server.client() as c:
        acc = opened(c, "LOCKED")
        working = resting_buy(c, acc, qty="5")
        c.put(f"/api/v1/risk/limits/{acc}", json={"max_order_qty": "10", "lockout_denials": 2,
                                                  "lockout_window_seconds": "60"})
        first, second = submit(c, account=acc, qty="11"), submit(c, account=acc, qty="12")
        locked = submit(c, account=acc, qty="1")
        cancel = c.delete(f"/api/v1/orders/{working}")
    assert set(reasons(first)) == set(reasons(second)) == {"max_order_qty"}
    assert reasons(locked)["lockout_denials"] == ("2", "2")
    assert cancel.status_code == 200, cancel.text


def test_self_match_when_two_accounts_share_an_owner_then_one_may_not_cross_the_others_resting_order(
        server: Server) -> None:
    with server.client() as c:
        one = opened(c, "OWNED-1", owner="fund-1", self_match="deny")
        other = opened(c, "OWNED-2", owner="fund-1", self_match="deny", allow_short=True)
        resting = submit(c, account=other, side="sell", type="limit", qty="1", limit_price="9999.00",
                         time_in_force="gtc")
        wait_for_status(c, resting.json()["id"], {"new"})
        crossing = submit(c, account=one, type="limit", qty="1", limit_price="9999.00")
        below = submit(c, account=one, type="limit", qty="1", limit_price="100.00", time_in_force="gtc")
    assert reasons(crossing)["self_match"] == ("no self-match", "9999")
    assert below.status_code == 201, below.text


def test_market_protection_when_a_sweep_slips_too_far_or_the_size_is_too_big_for_the_market_then_422(
        server: Server) -> None:
    with server.client() as c:
        acc = opened(c, "PROTECTED", max_slippage_pct="0.01", max_adv_pct="1")
        sweep = submit(c, account=acc, qty="900")  # through several levels of the paper book: far past 0.01%
        too_big = submit(c, account=acc, type="limit", qty="1001", limit_price="100.00")  # over 1% of 100,000
        fits = submit(c, account=acc, type="limit", qty="1000", limit_price="100.00", time_in_force="gtc")
    assert reasons(sweep)["max_slippage_pct"][0] == "0.0100"
    assert reasons(too_big) == {"max_adv_pct": ("1.0000", "1.0010")}
    assert fits.status_code == 201, fits.text


def test_base_currency_when_usd_and_inr_orders_work_then_gross_exposure_is_summed_in_usd_at_the_fx_rate(
        server: Server) -> None:
    with server.client() as c:
        acc = opened(c, "BASED", inr="10000000", base_currency="USD", max_gross_exposure="24500")
        usd = resting_buy(c, acc, qty="100", limit_price="200.00")  # ~23,000 USD at AAPL's ~230
        small = submit(c, account=acc, symbol="INFY", type="limit", qty="10", limit_price="1500.00",
                       time_in_force="gtc")  # ~16,000 INR: ~193 USD more
        large = submit(c, account=acc, symbol="INFY", type="limit", qty="100", limit_price="1500.00",
                       time_in_force="gtc")  # ~160,000 INR more: ~1,928 USD, past the limit only in USD terms
    assert usd and small.status_code == 201, small.text
    denial = next(r for r in large.json()["reasons"] if r["rule"] == "max_gross_exposure")
    assert denial["limit"] == "24500.00" and "USD" in denial["message"]
    assert D("24500") < D(denial["actual"]) < D("26500")
