"""A small HTTP client for the CLI: finds the server and the key, turns error answers into messages."""

import os
import sys
from pathlib import Path
from typing import Any

# httpx imports its own command line (click, pygments, rich's progress bars) unless that import fails, in which
# case httpx.main only says so. This CLI never runs it, and it is a sixth of a command's start-up CPU: hide it
# while httpx loads (a later ``import httpx._main`` still works).
if "httpx" not in sys.modules:
    sys.modules["httpx._main"] = None  # type: ignore[assignment]  # None in sys.modules: the import fails
    try:
        import httpx
    finally:
        del sys.modules["httpx._main"]
import httpx
import typer
from rich.console import Console

err = Console(stderr=True)
DEFAULT_URL = "http://127.0.0.1:8000"


def find_api_key(explicit: str | None) -> str | None:
    """Return the key from the flag, ORDERGATE_API_KEY, ORDERGATE_ADMIN_KEY, or the data dir's admin.key."""
    if explicit:
        return explicit
    for name in ("ORDERGATE_API_KEY", "ORDERGATE_ADMIN_KEY"):
        if os.environ.get(name):
            return os.environ[name]
    key_file = Path(os.environ.get("ORDERGATE_DATA_DIR", "data")) / "admin.key"
    return key_file.read_text().strip() if key_file.is_file() else None


class Api:
    """Call the ordergate REST API; exit with a readable message on any error."""

    def __init__(self, url: str, key: str | None, timeout: float = 10.0) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        # Over plain HTTP there is no certificate to check, and the client follows no redirects, so no request
        # can go to an https URL: skip loading the CA bundle (a tenth of a command's start-up CPU).
        verify = not url.lower().startswith("http://")
        self._http = httpx.Client(base_url=url, headers=headers, timeout=timeout, verify=verify)
        self.url = url

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request; return the decoded JSON body of a success, or exit 1 with the error."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as e:
            err.print(f"[red]cannot reach ordergate at {self.url}:[/] {e}")
            raise typer.Exit(2) from e
        body = response.json() if response.content else None
        if response.status_code >= 400:
            err.print(f"[red]error {response.status_code}:[/] {describe_error(body)}")
            raise typer.Exit(1)
        return body


def describe_error(body: Any) -> str:
    """Return a one-paragraph explanation of an API error body."""
    if isinstance(body, dict) and "reasons" in body:
        return "denied by risk: " + "; ".join(
            f"{r['rule']}: {r['message']}" for r in body["reasons"]
        )
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list):
        return "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    return str(detail)
