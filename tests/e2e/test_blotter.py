"""The web blotter in headless Chromium against the real server: log in, trade, watch, cancel."""

import json
from decimal import Decimal

import httpx

from tests.e2e.browser import Page, browser_page
from tests.e2e.server import ADMIN_KEY, Server

ROWS = "[...document.querySelectorAll('{table} tbody tr')].map(r => [...r.cells].map(c => c.textContent))"


async def log_in(page: Page, server: Server, path: str = "/") -> None:
    """Open the blotter and log in with the admin key, as a person would."""
    await page.goto(f"{server.url}{path}")
    await page.js(f"document.querySelector('#key').value = {json.dumps(ADMIN_KEY)}; "
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


def rows_where(table: str, condition: str) -> str:
    """Return a JavaScript expression: the rows of ``table`` for which ``condition`` (on ``r``) holds."""
    return f"{ROWS.format(table=table)}.filter(r => {condition})"


async def test_blotter_when_trading_then_orders_positions_and_cash_follow_live(server: Server) -> None:
    async with browser_page() as page:
        await log_in(page, server, "/blotter/")

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

    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as client:
        statuses = sorted(o["status"] for o in client.get("/api/v1/orders/").json()["items"])
    assert statuses == ["canceled", "filled"]


async def test_blotter_when_order_breaks_the_grid_then_refused_before_sending_naming_the_field(
        server: Server) -> None:
    async with browser_page() as page:
        await log_in(page, server)
        await submit(page, "buy", "limit", "-5", "10")
        message = await page.wait_for("document.querySelector('#message').className === 'error' "
                                      "&& document.querySelector('#message').textContent")
        await submit(page, "buy", "limit", "5", "10.005")
        off_tick = await page.wait_for("document.querySelector('[data-for=limit_price]').textContent")

        assert "qty" in message
        assert "tick" in off_tick
        assert await order_rows(page) == []


async def test_blotter_when_risk_denies_then_the_servers_reason_shows_in_place_and_in_the_orders(
        server: Server) -> None:
    async with browser_page() as page:
        await log_in(page, server)
        await submit(page, "buy", "market", "1000000")
        message = await page.wait_for("document.querySelector('#message').className === 'error' "
                                      "&& document.querySelector('#message').textContent")
        rejected = await page.wait_for(rows_where("#orders", "r[9] === 'rejected'"))

        assert message.startswith("denied by risk:")
        assert rejected[0][5] == "1,000,000"  # thousands separators
        assert rejected[0][12]  # the reason is in the row (cut to two lines; the tooltip has all of it)
