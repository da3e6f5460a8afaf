"""The web blotter in headless Chromium against the real server: log in, trade, watch, cancel."""

import json
from decimal import Decimal

import httpx

from tests.e2e.browser import Page, browser_page
from tests.e2e.server import ADMIN_KEY, Server

ROWS = "[...document.querySelectorAll('{table} tbody tr')].map(r => [...r.cells].map(c => c.textContent))"


async def _log_in(page: Page, server: Server) -> None:
    await page.goto(f"{server.url}/blotter/")
    await page.js(f"document.querySelector('#key').value = {json.dumps(ADMIN_KEY)}; "
                  "document.querySelector('#login button').click()")
    await page.wait_for("document.querySelector('#conn').textContent === 'live'")


async def _submit(page: Page, side: str, order_type: str, qty: str, limit: str = "") -> None:
    await page.js(f"""(() => {{
        const form = document.querySelector('#order-form');
        form.side.value = '{side}'; form.type.value = '{order_type}'; form.qty.value = '{qty}';
        form.limit_price.value = '{limit}'; form.querySelector('button').click(); }})()""")


async def _order_rows(page: Page) -> list[list[str]]:
    rows: list[list[str]] = await page.js(ROWS.format(table="#orders"))
    return rows


async def test_blotter_when_trading_then_orders_positions_and_cash_follow_live(server: Server) -> None:
    async with browser_page() as page:
        await _log_in(page, server)
        await page.wait_for("document.querySelectorAll('#symbols option').length >= 5")

        await _submit(page, "buy", "market", "5")
        await page.wait_for(f"JSON.stringify({ROWS.format(table='#orders')}).includes('filled')")
        positions = await page.wait_for(
            f"(() => {{ const rows = {ROWS.format(table='#positions')}; "
            "return rows.length && rows[0][1] === '5' ? rows : null; })()")
        assert positions[0][0] == "AAPL"

        await _submit(page, "buy", "limit", "3", "1.00")
        await page.wait_for(f"{ROWS.format(table='#orders')}.some(r => r[4] === 'limit' && r[9] === 'new')")
        reserved = await page.wait_for(  # the working buy holds 3 x 1.00 of cash
            f"(() => {{ const usd = {ROWS.format(table='#account')}.find(r => r[0] === 'USD'); "
            "return usd && Number(usd[2]) > 0 ? usd[2] : null; })()")
        assert Decimal(reserved) == Decimal(3)

        await page.js("[...document.querySelectorAll('#orders tbody button')][0].click()")
        await page.wait_for(f"{ROWS.format(table='#orders')}.some(r => r[4] === 'limit' && r[9] === 'canceled')")

    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as client:
        statuses = sorted(o["status"] for o in client.get("/api/v1/orders/").json()["items"])
    assert statuses == ["canceled", "filled"]


async def test_blotter_when_order_refused_then_message_names_the_field_and_nothing_is_added(server: Server) -> None:
    async with browser_page() as page:
        await _log_in(page, server)
        await _submit(page, "buy", "limit", "-5", "10")
        message = await page.wait_for("document.querySelector('#message').className === 'error' "
                                      "&& document.querySelector('#message').textContent")
        assert "qty" in message
        assert await _order_rows(page) == []
