"""OAuth authorization-code login: the dialog (redirects back with a code) and the token exchange."""

from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.upstox.broker import CLIENT_ID, CLIENT_SECRET, FakeUpstox
from tests.fakes.upstox.envelopes import error, json_response


async def dialog(request: Request) -> Response:
    """GET /v2/login/authorization/dialog: the user "logs in" at once; back to redirect_uri with a code."""
    fake: FakeUpstox = request.app.state.fake
    q = request.query_params
    if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code" or not q.get("redirect_uri"):
        return error(400, "UDAPI100016", "Invalid credentials", "client_id", q.get("client_id"))
    params = {"code": fake.authorization_code(q["redirect_uri"])}
    if q.get("state"):
        params["state"] = q["state"]
    return RedirectResponse(f"{q['redirect_uri']}?{urlencode(params)}", status_code=302)


async def token(request: Request) -> Response:
    """POST /v2/login/authorization/token (form): a bare profile object with ``access_token``."""
    fake: FakeUpstox = request.app.state.fake
    form = dict(parse_qsl((await request.body()).decode()))  # form-urlencoded
    if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
        return error(401, "UDAPI100016", "Invalid credentials", "client_id", None)
    if form.get("grant_type") != "authorization_code":
        return error(400, "UDAPI100038", "Invalid grant_type", "grant_type", form.get("grant_type"))
    if not fake.redeem(str(form.get("code", "")), str(form.get("redirect_uri", ""))):
        return error(400, "UDAPI100057", "Invalid authorization code", "code", None)
    return json_response({
        "email": "trader@example.com", "exchanges": ["NSE", "BSE"], "products": ["I", "D"], "broker": "UPSTOX",
        "user_id": "FAKE01", "user_name": "Fake Trader", "order_types": ["MARKET", "LIMIT", "SL", "SL-M"],
        "user_type": "individual", "poa": False, "is_active": True,
        "access_token": fake.issue_token(), "extended_token": None,
    })


routes = [
    Route("/v2/login/authorization/dialog", dialog),
    Route("/v2/login/authorization/token", token, methods=["POST"]),
]
