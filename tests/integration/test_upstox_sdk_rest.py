"""Fidelity: the official upstox-python-sdk drives the fake Upstox's REST routes and parses every answer."""

import json
from decimal import Decimal

import pytest
import upstox_client
from upstox_client.rest import ApiException

from tests.fakes.upstox import CLIENT_ID, CLIENT_SECRET, FakeUpstoxServer
from tests.fakes.upstox.fixtures import TOKEN

RELIANCE = "NSE_EQ|INE002A01018"


def _client(server: FakeUpstoxServer, token: str = TOKEN) -> upstox_client.ApiClient:
    cfg = upstox_client.Configuration()
    cfg.host = cfg.order_host = server.url  # both hosts: order paths go to order_host
    cfg.access_token = token
    return upstox_client.ApiClient(cfg)


def _place(client: upstox_client.ApiClient, **terms: object) -> str:
    body: dict[str, object] = {
        "quantity": 4, "product": "I", "validity": "DAY", "price": 0.0, "instrument_token": RELIANCE,
        "order_type": "MARKET", "transaction_type": "BUY", "disclosed_quantity": 0, "trigger_price": 0.0,
        "is_amo": False, "tag": "og-1", "slice": False,
    }
    body.update(terms)
    answer = upstox_client.OrderApiV3(client).place_order(upstox_client.PlaceOrderV3Request(**body))
    assert answer.status == "success"
    assert answer.metadata.latency >= 1
    return str(answer.data.order_ids[0])


def test_v3_place_market_order_then_details_history_trades_and_book_parse(upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    order_id = _place(client)
    orders = upstox_client.OrderApi(client)
    details = orders.get_order_status(order_id=order_id)  # the SDK's name for /order/details
    assert (details.data.status, details.data.filled_quantity, details.data.average_price) == ("complete", 4, 1300.0)
    history = orders.get_order_details(api_version="2.0", order_id=order_id)  # ... and for /order/history
    assert [h.status for h in history.data] == [
        "put order req received", "validation pending", "open pending", "open", "complete"]
    trades = orders.get_trades_by_order(order_id=order_id, api_version="2.0")
    assert [(t.quantity, t.average_price, t.transaction_type) for t in trades.data] == [(4, 1300.0, "BUY")]
    assert orders.get_trade_history(api_version="2.0").data[0].trade_id == trades.data[0].trade_id
    book = orders.get_order_book(api_version="2.0")
    assert [(o.order_id, o.tag, o.order_type, o.validity) for o in book.data] == [(order_id, "og-1", "MARKET", "DAY")]


def test_after_the_close_an_amo_place_parses_waits_and_a_regular_one_is_refused_with_market_closed(
        upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    upstox_server.fake.exchange.close_market()
    order_id = _place(client, order_type="LIMIT", price=1290.0, is_amo=True)
    details = upstox_client.OrderApi(client).get_order_status(order_id=order_id).data
    assert (details.status, details.is_amo) == ("after market order req received", True)
    with pytest.raises(ApiException) as refused:
        _place(client, tag="og-2")
    problem = json.loads(refused.value.body)["errors"][0]
    assert (refused.value.status, problem["errorCode"], problem["message"]) == (400, "UDAPI100057", "Market is closed")
    upstox_server.fake.exchange.open_market()
    details = upstox_client.OrderApi(client).get_order_status(order_id=order_id).data
    assert (details.status, details.is_amo) == ("open", True)


def test_v3_modify_keeps_the_order_id_and_increments_order_request_id(upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    order_id = _place(client, order_type="LIMIT", price=1290.0)
    modify = upstox_client.ModifyOrderRequest(order_id=order_id, validity="DAY", price=1295.0, order_type="LIMIT",
                                              trigger_price=0.0, quantity=6, disclosed_quantity=0)
    answer = upstox_client.OrderApiV3(client).modify_order(modify)
    assert answer.data.order_id == order_id
    details = upstox_client.OrderApi(client).get_order_status(order_id=order_id).data
    assert (details.status, details.quantity, details.price, details.order_request_id) == ("open", 6, 1295.0, "2")


def test_v3_cancel_then_cancel_again_raises_udapi100040_in_both_casings(upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    order_id = _place(client, order_type="LIMIT", price=1200.0)
    v3 = upstox_client.OrderApiV3(client)
    assert v3.cancel_order(order_id).data.order_id == order_id
    with pytest.raises(ApiException) as caught:
        v3.cancel_order(order_id)
    body = json.loads(caught.value.body)
    assert caught.value.status == 400
    assert body["errors"][0]["errorCode"] == body["errors"][0]["error_code"] == "UDAPI100040"


def test_partial_fill_is_open_with_filled_quantity_and_cancelled_keeps_it(upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    order_id = _place(client, order_type="LIMIT", price=1200.0, quantity=10)
    upstox_server.fake.exchange.fill(order_id, 3, Decimal("1199.5"))
    orders = upstox_client.OrderApi(client)
    partial = orders.get_order_status(order_id=order_id).data
    assert (partial.status, partial.filled_quantity, partial.pending_quantity) == ("open", 3, 7)
    upstox_client.OrderApiV3(client).cancel_order(order_id)
    done = orders.get_order_status(order_id=order_id).data
    assert (done.status, done.filled_quantity, done.average_price) == ("cancelled", 3, 1199.5)


def test_history_by_tag_lists_every_order_with_that_tag(upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    first, second = _place(client, tag="dup"), _place(client, tag="dup")
    history = upstox_client.OrderApi(client).get_order_details(api_version="2.0", tag="dup").data
    assert {h.order_id for h in history} == {first, second}


def test_positions_and_funds_parse(upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    _place(client, quantity=5)
    _place(client, quantity=2, transaction_type="SELL")
    position = upstox_client.PortfolioApi(client).get_positions(api_version="2.0").data[0]
    assert (position.instrument_token, position.quantity, position.day_buy_quantity) == (RELIANCE, 3, 5)
    funds = upstox_client.UserApi(client).get_user_fund_margin(api_version="2.0", segment="SEC").data
    assert funds["equity"].available_margin == pytest.approx(10_000_000 - 3 * 1300)


def test_bad_enum_is_a_400_naming_the_field(upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    with pytest.raises(ApiException) as caught:  # the SDK validates enums itself: go around it
        client.call_api("/v3/order/place", "POST", body={"order_type": "STOP", "instrument_token": RELIANCE},
                        header_params={"Content-Type": "application/json"}, auth_settings=["OAUTH2"])
    error = json.loads(caught.value.body)["errors"][0]
    assert (caught.value.status, error["propertyPath"], error["error_code"]) == (400, "order_type", "UDAPI1056")


def test_expired_token_is_401_udapi100050(upstox_server: FakeUpstoxServer) -> None:
    upstox_server.fake.exchange.tokens.expire_all()
    with pytest.raises(ApiException) as caught:
        upstox_client.OrderApi(_client(upstox_server)).get_order_book(api_version="2.0")
    assert caught.value.status == 401
    assert json.loads(caught.value.body)["errors"][0]["errorCode"] == "UDAPI100050"


def test_login_exchanges_an_authorization_code_for_a_token_that_works(upstox_server: FakeUpstoxServer) -> None:
    code = upstox_server.fake.authorization_code("http://127.0.0.1/callback")
    login = upstox_client.LoginApi(_client(upstox_server, token=""))
    answer = login.token(api_version="2.0", code=code, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                         redirect_uri="http://127.0.0.1/callback", grant_type="authorization_code")
    assert upstox_client.OrderApi(_client(upstox_server, answer.access_token)).get_order_book("2.0").status == "success"


def test_quotes_and_feed_authorize_parse(upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    ltp = upstox_client.MarketQuoteV3Api(client).get_ltp(instrument_key=RELIANCE)
    assert ltp.data["NSE_EQ:RELIANCE"].last_price == 1300.0
    quote = upstox_client.MarketQuoteApi(client).get_full_market_quote(RELIANCE, "2.0")
    assert quote.data["NSE_EQ:RELIANCE"].depth.buy[0].price == 1299.95
    authorize = upstox_client.WebsocketApi(client).get_market_data_feed_authorize_v3()
    assert authorize.data.authorized_redirect_uri.startswith("ws://127.0.0.1:")


def test_gtt_place_list_trigger_and_cancel_parse_with_the_sdk(upstox_server: FakeUpstoxServer) -> None:
    client = _client(upstox_server)
    orders = upstox_client.OrderApiV3(client)
    rule = upstox_client.GttRule(strategy="ENTRY", trigger_type="ABOVE", trigger_price=1310.0)
    placed = orders.place_gtt_order(upstox_client.GttPlaceOrderRequest(
        type="SINGLE", quantity=2, product="D", rules=[rule], instrument_token=RELIANCE, transaction_type="BUY"))
    [gtt_id] = placed.data.gtt_order_ids
    [listed] = orders.get_gtt_order_details(gtt_order_id=gtt_id).data
    assert (listed.gtt_order_id, listed.quantity, listed.rules[0].status, listed.rules[0].order_id) == (
        gtt_id, 2, "SCHEDULED", None)
    upstox_server.fake.exchange.set_price(RELIANCE, Decimal("1311.00"))
    [fired] = orders.get_gtt_order_details(gtt_order_id=gtt_id).data
    assert fired.rules[0].status == "TRIGGERED" and fired.rules[0].order_id is not None
    placed_order = upstox_client.OrderApi(client).get_order_status(order_id=fired.rules[0].order_id).data
    assert (placed_order.order_type, placed_order.status, placed_order.tag) == ("MARKET", "complete", None)
    second = orders.place_gtt_order(upstox_client.GttPlaceOrderRequest(
        type="SINGLE", quantity=1, product="D", rules=[upstox_client.GttRule(
            strategy="ENTRY", trigger_type="BELOW", trigger_price=1200.0)], instrument_token=RELIANCE,
        transaction_type="BUY")).data.gtt_order_ids[0]
    cancelled = orders.cancel_gtt_order(upstox_client.GttCancelOrderRequest(gtt_order_id=second))
    assert cancelled.data.gtt_order_ids == [second]
    assert [g.rules[0].status for g in orders.get_gtt_order_details().data] == ["TRIGGERED", "CANCELLED"]
