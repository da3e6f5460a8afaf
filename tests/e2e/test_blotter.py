"""The web blotter in headless Chromium against the real server: log in, trade, watch, cancel.

One server for the module but for routing's own; each test logs in with a key scoped to an account of its own,
so its blotter shows that account alone."""

import base64
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.browser import Page, browser_page
from tests.e2e.helpers import OwnAccount
from tests.e2e.server import ADMIN_KEY, Server

ROWS = "[...document.querySelectorAll('{table} tbody tr')].map(r => [...r.cells].map(c => c.textContent))"


async def log_in(page: Page, server: Server, path: str = "/", key: str = ADMIN_KEY) -> None:
    """Open the blotter and log in with ``key`` (the admin key unless given), as a person would."""
    await page.goto(f"{server.url}{path}")
    await page.js(f"document.querySelector('#key').value = {json.dumps(key)}; "
                  "document.querySelector('#login button').click()")
    await page.wait_for("document.querySelector('#conn').textContent === 'live'")
    await page.wait_for("document.querySelectorAll('#symbols option').length >= 5")


async def submit(page: Page, side: str, order_type: str, qty: str, limit: str = "", tif: str = "day") -> None:
    """Fill the ticket and press its Send button."""
    await page.js(f"""(() => {{
        const form = document.querySelector('#order-form');
        form.side.value = '{side}'; form.type.value = '{order_type}'; form.qty.value = '{qty}';
        form.time_in_force.value = '{tif}'; form.dispatchEvent(new Event('input'));
        form.limit_price.value = '{limit}'; form.querySelector('button').click(); }})()""")


async def order_rows(page: Page) -> list[list[str]]:
    """Return the orders table's cells, row by row."""
    rows: list[list[str]] = await page.js(ROWS.format(table="#orders"))
    return rows


async def pick_symbol(page: Page, symbol: str) -> None:
    """Choose the ticket's symbol as a person would (the select's change event)."""
    await page.js(f"(s => {{ s.value = '{symbol}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); }})"
                  "(document.querySelector('#symbols'))")


def rows_where(table: str, condition: str) -> str:
    """Return a JavaScript expression: the rows of ``table`` for which ``condition`` (on ``r``) holds."""
    return f"{ROWS.format(table=table)}.filter(r => {condition})"


async def test_blotter_when_trading_then_orders_positions_and_cash_follow_live(
        shared_server: Server, own_desk: OwnAccount) -> None:
    async with browser_page() as page:
        await log_in(page, shared_server, "/blotter/", own_desk.key)

        await submit(page, "buy", "market", "5")
        await page.wait_for(f"JSON.stringify({ROWS.format(table='#orders')}).includes('filled')")
        status_line = await page.wait_for("document.querySelector('#message').textContent.endsWith('filled') "
                                          "&& document.querySelector('#message').textContent")
        assert status_line.startswith("order ")  # not stuck at pending_new after the fill
        positions = await page.wait_for(
            f"(() => {{ const rows = {ROWS.format(table='#positions')}; "
            "return rows.length && rows[0][1] === '5' ? rows : null; })()")
        assert positions[0][0] == "AAPL"
        totals = await page.wait_for(f"{ROWS.format(table='#positions').replace('tbody', 'tfoot')}")
        assert totals[0][0] == "Total USD" and totals[0][4] == positions[0][4]

        await submit(page, "buy", "limit", "3", "1.00", tif="gtc")
        await page.wait_for(f"{ROWS.format(table='#orders')}.some(r => r[4] === 'limit' && r[9] === 'new')")
        reserved = await page.wait_for(  # the working buy holds 3 x 1.00 of cash, and the minimum commission
            "(() => { const usd = [...document.querySelectorAll('#account th')]"
            ".findIndex(h => h.textContent === 'USD');"
            f" const row = {ROWS.format(table='#account')}.find(r => r[0] === 'Reserved');"
            " return row && Number(row[usd]) > 0 ? row[usd] : null; })()")
        assert Decimal(reserved) == Decimal("4.00")

        await page.js("document.querySelector('#orders tbody button[data-action=cancel]').click()")
        await page.wait_for(f"{ROWS.format(table='#orders')}.some(r => r[4] === 'limit' && r[9] === 'canceled')")

    with own_desk.client() as client:  # its key lists its account's orders
        statuses = sorted(o["status"] for o in client.get("/api/v1/orders/").json()["items"])
    assert statuses == ["canceled", "filled"]


async def test_blotter_when_order_breaks_the_grid_then_refused_before_sending_naming_the_field(
        shared_server: Server, own_desk: OwnAccount) -> None:
    async with browser_page() as page:
        await log_in(page, shared_server, key=own_desk.key)
        await submit(page, "buy", "limit", "-5", "10")
        message = await page.wait_for("document.querySelector('#message').className === 'error' "
                                      "&& document.querySelector('#message').textContent")
        await submit(page, "buy", "limit", "5", "10.005")
        off_tick = await page.wait_for("document.querySelector('[data-for=limit_price]').textContent")

        assert "qty" in message
        assert "tick" in off_tick
        assert await order_rows(page) == []


async def test_blotter_when_risk_denies_then_the_servers_reason_shows_in_place_and_in_the_orders(
        shared_server: Server, own_desk: OwnAccount) -> None:
    async with browser_page() as page:
        await log_in(page, shared_server, key=own_desk.key)
        await submit(page, "buy", "market", "1000000")
        message = await page.wait_for("document.querySelector('#message').className === 'error' "
                                      "&& document.querySelector('#message').textContent")
        rejected = await page.wait_for(rows_where("#orders", "r[9] === 'rejected'"))

        assert message.startswith("denied by risk:")
        assert rejected[0][5] == "1,000,000"  # thousands separators
        assert rejected[0][12]  # the reason is in the row (cut to two lines; the tooltip has all of it)


@pytest.fixture
def two_venues(tmp_path: Path) -> Iterator[Server]:
    """A server where AAPL trades at two paper venues and the PAPER account routes by lowest cost."""
    env = {
        "ORDERGATE_VENUES__PAPER_EXTRA": json.dumps([
            {"id": "paper_lowfee", "commission_per_share": "0.001", "min_commission": "0", "ack_latency": 0.01}]),
        "ORDERGATE_ROUTING__VENUES": json.dumps({"AAPL": ["paper", "paper_lowfee"]}),
        "ORDERGATE_ROUTING__ACCOUNTS": json.dumps({"PAPER": "lowest_cost"}),
    }
    srv = Server(tmp_path, env_extra=env).start()
    yield srv
    srv.stop()


async def test_blotter_when_an_order_is_selected_then_its_route_decision_shows_under_it(
        two_venues: Server, tmp_path: Path) -> None:
    shots = Path(os.environ.get("ORDERGATE_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    async with browser_page() as page:
        await log_in(page, two_venues)
        await pick_symbol(page, "AAPL")
        await submit(page, "buy", "market", "5")
        await page.wait_for(rows_where("#orders", "r[2] === 'AAPL' && r[9] === 'filled'"))
        await page.js("document.querySelector('#orders tbody tr[data-id] td:nth-child(3)').click()")
        shown = await page.wait_for("document.querySelector('#orders tr.route-row table.candidates') "
                                    "&& document.querySelector('#orders tr.route-row').innerText")
        candidates = await page.js(ROWS.format(table="#orders tr.route-row table.candidates"))
        children = await page.js(ROWS.format(table="#orders tr.route-row table.children"))
        expanded = await page.js("document.querySelector('#orders tr.expanded').getAttribute('aria-expanded')")
        await page.js("document.querySelector('#orders tr.route-row').scrollIntoView({block: 'center'})")
        png = await page.call("Page.captureScreenshot", format="png")
        (shots / "blotter-route.png").write_bytes(base64.b64decode(png["data"]))

        await page.js("document.querySelector('#orders tr.expanded td:nth-child(3)').click()")  # unselect
        await page.wait_for("!document.querySelector('#orders tr.route-row')")
        await pick_symbol(page, "MSFT")
        await submit(page, "buy", "market", "1")
        await page.wait_for(rows_where("#orders", "r[2] === 'MSFT' && r[9] === 'filled'"))
        await page.js("[...document.querySelectorAll('#orders tbody tr[data-id]')]"
                      ".find(r => r.cells[2].textContent === 'MSFT').cells[2].click()")
        single = await page.wait_for("document.querySelector('#orders tr.route-row p:not(.muted)')"
                                     " && document.querySelector('#orders tr.route-row').innerText")

    assert "routed to paper_lowfee by policy lowest_cost" in shown, shown
    assert expanded == "true"
    assert [row[0] for row in candidates] == ["paper_lowfee ✓", "paper"]  # chosen first, marked
    assert all(row[3] == "5" for row in candidates)  # each venue's depth could fill all 5
    assert Decimal(candidates[0][5]) == Decimal("0.005")  # 5 x 0.001: the lower fee decided lowest_cost
    assert Decimal(candidates[0][5]) < Decimal(candidates[1][5])
    assert [(row[1], row[4], row[6]) for row in children] == [("paper_lowfee", "5", "filled")]  # its child
    assert "1 child order(s) at venues" in shown, shown
    assert single.startswith("routed to paper (its instrument trades at this venue only)"), single
