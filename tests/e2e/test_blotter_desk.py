"""The blotter as a trader's desk, in headless Chromium: the ladder fills the ticket, Enter sends, modify in
place, Cancel all and the kill switch ask first, the stream resumes after a drop, and the page fits.

One server for the module; each test logs in with a key scoped to an account of its own (``own_desk``), so its
blotter shows, cancels and halts that account alone."""

import asyncio
import base64
import os
from pathlib import Path

from tests.e2e.browser import Page, browser_page
from tests.e2e.helpers import OwnAccount, wait_for_status
from tests.e2e.server import Server
from tests.e2e.test_blotter import ROWS, log_in, rows_where, submit


async def press_enter(page: Page) -> None:
    """Press Enter on the focused element, as a keyboard does (a real key event, not a synthetic one)."""
    for kind in ("keyDown", "keyUp"):
        await page.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                        text="\r" if kind == "keyDown" else "")


async def type_into(page: Page, selector: str, value: str) -> None:
    """Set an input's value and tell the page, as typing would."""
    await page.js(f"(() => {{ const i = document.querySelector({selector!r}); i.value = {value!r}; "
                  "i.dispatchEvent(new Event('input', {bubbles: true})); })()")


async def test_ladder_price_when_clicked_then_fills_the_ticket_and_enter_sends_it(
        shared_server: Server, own_desk: OwnAccount) -> None:
    async with browser_page() as page:
        await log_in(page, shared_server, key=own_desk.key)
        await page.wait_for("document.querySelectorAll('#ladder tbody tr.ask').length >= 3")
        price = await page.js("(() => { const r = document.querySelectorAll('#ladder tbody tr.ask')[0]; "
                              "r.click(); return r.dataset.price; })()")
        ticket = await page.js("(() => { const f = document.querySelector('#order-form'); "
                               "return [f.symbol.value, f.side.value, f.type.value, f.limit_price.value, "
                               "document.activeElement.name]; })()")
        await type_into(page, "#order-form [name=qty]", "2")
        notional = await page.js("document.querySelector('#notional').textContent")
        await page.js("document.querySelector('#order-form [name=qty]').focus()")
        await press_enter(page)
        sent = await page.wait_for(rows_where("#orders", f"r[6] === '{price}'"))

    assert ticket == ["AAPL", "buy", "limit", price, "qty"]
    assert notional.replace(",", "").startswith(f"{2 * float(price):.2f}")
    assert sent[0][2] == "AAPL" and sent[0][3] == "buy" and sent[0][5] == "2"


async def test_order_when_modified_in_place_then_new_terms_show_and_a_refused_change_keeps_the_order(
        shared_server: Server, own_desk: OwnAccount) -> None:
    async with browser_page() as page:
        await log_in(page, shared_server, key=own_desk.key)
        await submit(page, "buy", "limit", "2", "1.00", tif="gtc")
        await page.wait_for(rows_where("#orders", "r[9] === 'new'"))

        await page.js("document.querySelector('#orders button[data-action=modify]').click()")
        await type_into(page, "#orders tr.editing input[name=limit_price]", "1.005")
        await page.js("document.querySelector('#orders button[data-action=save]').click()")
        refused = await page.wait_for("document.querySelector('#orders tr.editing td.reason.error')?.textContent")

        await type_into(page, "#orders tr.editing input[name=limit_price]", "1.01")
        await type_into(page, "#orders tr.editing input[name=qty]", "3")
        await page.js("document.querySelector('#orders tr.editing input[name=qty]').focus()")
        await press_enter(page)
        modified = await page.wait_for(rows_where("#orders", "r[5] === '3' && r[6] === '1.01' && r[9] === 'new'"))

    assert "tick" in refused or "limit_price" in refused
    assert len(modified) == 1
    with own_desk.client() as c:  # its key lists its account's orders
        order = c.get("/api/v1/orders/").json()["items"][0]
    assert (order["qty"], order["limit_price"], order["status"]) == ("3", "1.01", "new")


async def test_cancel_all_and_kill_switch_when_clicked_then_ask_first_and_keep_means_nothing_happens(
        shared_server: Server, own_desk: OwnAccount) -> None:
    async with browser_page() as page:  # the blotter's kill switch halts its account: here the test's own
        await log_in(page, shared_server, key=own_desk.key)
        for limit in ("1.00", "1.01"):
            await submit(page, "buy", "limit", "1", limit, tif="gtc")
        working, canceled = rows_where("#orders", "r[9] === 'new'"), rows_where("#orders", "r[9] === 'canceled'")
        await page.wait_for(f"{working}.length === 2")

        await page.js("document.querySelector('#cancel-all').click()")
        asked = await page.wait_for("document.querySelector('#confirm').open && "
                                    "document.querySelector('#confirm-title').textContent")
        await page.js("document.querySelector('#confirm-no').click()")
        await asyncio.sleep(0.5)
        still_working = await page.js(f"{working}.length")

        await page.js("document.querySelector('#cancel-all').click()")
        await page.wait_for("document.querySelector('#confirm').open")
        await page.js("document.querySelector('#confirm-yes').click()")
        await page.wait_for(f"{canceled}.length === 2")

        await page.js("document.querySelector('#kill').click()")
        await page.wait_for("document.querySelector('#confirm').open")
        await page.js("document.querySelector('#confirm-yes').click()")
        halted = await page.wait_for("document.querySelector('#trading-state').textContent.includes('halted') "
                                     "&& document.querySelector('#trading-state').textContent")
        await page.js("document.querySelector('#resume').click()")
        resumed = await page.wait_for("document.querySelector('#trading-state').textContent === 'trading active'")

    assert asked == "Cancel all orders?" and still_working == 2
    assert halted == "trading halted" and resumed


async def test_stream_when_dropped_then_reconnects_and_resumes_without_losing_events(
        shared_server: Server, own_desk: OwnAccount) -> None:
    async with browser_page() as page:
        await log_in(page, shared_server, key=own_desk.key)
        await page.wait_for("OG.stream.loaded")
        await page.js("OG.stream.ws.close()")  # the network drops; events keep happening meanwhile
        with own_desk.client() as client:
            order_id = own_desk.submit(client, symbol="MSFT", qty="4").json()["id"]
            wait_for_status(client, order_id, {"filled"})
        shown = await page.wait_for(rows_where("#orders", f"r[1] === '{order_id}' && r[9] === 'filled'"))
        stats = await page.wait_for("OG.stream.stats.resumed >= 1 && OG.stream.stats")
        fills = await page.wait_for(rows_where("#fills", f"r[1] === '{order_id}'"))
        badge = await page.wait_for("document.querySelector('#conn').textContent === 'live'")

    assert shown and badge
    assert stats["resyncs"] == 0 and stats["replayed"] >= 3  # submitted, accepted, filled came from the replay
    assert sum(int(f[4]) for f in fills) == 4


async def _layout(page: Page, width: int) -> dict[str, object]:
    await page.call("Emulation.setDeviceMetricsOverride", width=width, height=1000, deviceScaleFactor=1, mobile=False)
    await asyncio.sleep(0.8)
    measured: dict[str, object] = await page.js("""(() => ({
        page: Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth),
        panels: [...document.querySelectorAll('.panel')].filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.id),
        buttons: [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null
            && b.getBoundingClientRect().right > innerWidth).map(b => b.textContent),
    }))()""")
    return measured


async def test_blotter_from_1280_to_1920_px_then_nothing_scrolls_sideways_and_every_button_is_in_view(
        shared_server: Server, own_desk: OwnAccount, tmp_path: Path) -> None:
    shots = Path(os.environ.get("ORDERGATE_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    async with browser_page() as page:
        await log_in(page, shared_server, key=own_desk.key)
        await submit(page, "buy", "market", "1000000")  # a rejected order with a long reason
        await submit(page, "buy", "market", "5")
        await submit(page, "buy", "limit", "1", "1.00", tif="gtc")
        await page.wait_for(f"{ROWS.format(table='#orders')}.length === 3")
        await page.wait_for("document.querySelectorAll('#ladder tbody tr').length > 0")
        layouts = {}
        for width in (1280, 1400, 1920):
            layouts[width] = await _layout(page, width)
            shot = await page.call("Page.captureScreenshot", format="png")
            (shots / f"blotter-{width}.png").write_bytes(base64.b64decode(shot["data"]))

    assert layouts == {w: {"page": 0, "panels": [], "buttons": []} for w in (1280, 1400, 1920)}
