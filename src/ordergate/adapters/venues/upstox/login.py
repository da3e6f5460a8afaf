"""Upstox's OAuth authorization-code login: the login URL, and exchanging the code for an access token.

The token is returned to the caller only (to be stored with ``token.write_token``); it is never logged.
"""

import secrets
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

from ordergate.adapters.venues.upstox.config import UpstoxConfig


class LoginFailed(Exception):
    """The login could not complete (the message says why, without any secret)."""


def new_state() -> str:
    """Return a random ``state`` to tie the redirect to this login."""
    return secrets.token_urlsafe(12)


def login_url(config: UpstoxConfig, state: str) -> str:
    """Return the URL the user opens to log in and allow the app."""
    if not config.client_id:
        raise LoginFailed("set ORDERGATE_VENUES__UPSTOX__CLIENT_ID (the app's API key) first")
    query = urlencode({"response_type": "code", "client_id": config.client_id,
                       "redirect_uri": config.redirect_uri, "state": state})
    return f"{config.api_url.rstrip('/')}/v2/login/authorization/dialog?{query}"


def code_from(answer: str, state: str | None) -> str:
    """Return the code from what the user pasted: the code itself, or the whole redirect URL (its state
    checked against this login's, when there is one)."""
    answer = answer.strip()
    if "?" not in answer and "=" not in answer:
        if not answer:
            raise LoginFailed("no code given")
        return answer
    query = parse_qs(urlparse(answer).query)
    if state is not None and query.get("state", [state])[0] != state:
        raise LoginFailed("the redirect's state does not match this login; start again")
    codes = query.get("code")
    if not codes or not codes[0]:
        raise LoginFailed("the redirect URL carries no code")
    return codes[0]


def exchange_code(config: UpstoxConfig, code: str, client: httpx.Client | None = None) -> str:
    """Exchange an authorization code for an access token at Upstox's token endpoint; return the token."""
    if not config.client_id or config.client_secret is None:
        raise LoginFailed("set ORDERGATE_VENUES__UPSTOX__CLIENT_ID and ..._CLIENT_SECRET first")
    form = {"code": code, "client_id": config.client_id, "client_secret": config.client_secret.get_secret_value(),
            "redirect_uri": config.redirect_uri, "grant_type": "authorization_code"}
    http = client or httpx.Client(timeout=config.timeout)
    try:
        response = http.post(f"{config.api_url.rstrip('/')}/v2/login/authorization/token", data=form,
                             headers={"Accept": "application/json", "Api-Version": "2.0"})
    except httpx.HTTPError as e:
        raise LoginFailed(f"upstox did not answer: {type(e).__name__}") from None
    finally:
        if client is None:
            http.close()
    try:
        body = response.json()
    except ValueError:
        raise LoginFailed(f"upstox answered HTTP {response.status_code} without JSON") from None
    token = body.get("access_token") if isinstance(body, dict) else None
    if response.status_code != 200 or not token:
        errors = body.get("errors") if isinstance(body, dict) else None
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        code_ = first.get("error_code") or first.get("errorCode") or response.status_code
        raise LoginFailed(f"upstox refused the code: {code_} {first.get('message', '')}".strip())
    return str(token)
