"""`ordergate venue login upstox` against the fake Upstox: the OAuth code flow, the token stored 0600, never shown."""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from typer.testing import CliRunner

from ordergate.entrypoints.cli import app
from tests.fakes.upstox import CLIENT_ID, CLIENT_SECRET, FakeUpstoxServer

REDIRECT = "http://127.0.0.1:8765/upstox/callback"


@pytest.fixture
def env(upstox_server: FakeUpstoxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in {"API_URL": upstox_server.url, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                        "REDIRECT_URI": REDIRECT}.items():
        monkeypatch.setenv(f"ORDERGATE_VENUES__UPSTOX__{name}", value)
    monkeypatch.setenv("ORDERGATE_DATA_DIR", str(tmp_path))
    return tmp_path


def _login_code(upstox_server: FakeUpstoxServer, url: str) -> str:
    answer = httpx.get(url, follow_redirects=False)  # the user logs in; Upstox sends the browser back
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT)
    return location


def test_login_prints_the_url_takes_the_redirect_and_stores_a_working_token_0600(
    env: Path, upstox_server: FakeUpstoxServer,
) -> None:
    runner = CliRunner()
    # The prompt is answered with a redirect URL; the login URL is only known from the output, so the
    # first run proves the printed URL works, the second pastes its redirect.
    first = runner.invoke(app, ["venue", "login", "upstox"], input="\n")
    url = next(line for line in first.output.splitlines() if line.startswith("http"))
    assert parse_qs(urlparse(url).query)["client_id"] == [CLIENT_ID]
    redirect = _login_code(upstox_server, url)
    result = runner.invoke(app, ["venue", "login", "upstox", "--code", redirect])
    assert result.exit_code == 0, result.output
    stored = env / "upstox.token"
    token = stored.read_text().strip()
    assert stored.stat().st_mode & 0o777 == 0o600
    assert token not in result.output
    assert upstox_server.fake.exchange.tokens.valid(token)


def test_login_with_a_used_code_fails_and_stores_nothing(env: Path, upstox_server: FakeUpstoxServer) -> None:
    code = upstox_server.fake.authorization_code(REDIRECT)
    runner = CliRunner()
    assert runner.invoke(app, ["venue", "login", "upstox", "--code", code]).exit_code == 0
    (env / "upstox.token").unlink()
    again = runner.invoke(app, ["venue", "login", "upstox", "--code", code])
    assert again.exit_code == 1
    assert "login failed" in again.output and "UDAPI" in again.output
    assert not (env / "upstox.token").exists()


def test_login_without_an_app_id_names_the_setting(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDERGATE_VENUES__UPSTOX__CLIENT_ID")
    result = CliRunner().invoke(app, ["venue", "login", "upstox"])
    assert result.exit_code == 1 and "ORDERGATE_VENUES__UPSTOX__CLIENT_ID" in result.output


def test_login_with_json_names_the_file_and_the_expiry_but_not_the_token(
    env: Path, upstox_server: FakeUpstoxServer,
) -> None:
    code = upstox_server.fake.authorization_code(REDIRECT)
    result = CliRunner().invoke(app, ["venue", "login", "upstox", "--code", code, "--json"])
    answer = json.loads(result.stdout)
    assert answer["token_file"] == str(env / "upstox.token") and answer["valid_until"].endswith("03:30:00+05:30")
    assert (env / "upstox.token").read_text().strip() not in result.output
